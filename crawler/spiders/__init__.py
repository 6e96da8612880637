"""One module per source. Which class crawls which source is declared in the source registry
(vocab/sources.toml); classes are imported on first use, so nothing heavy happens at import
time."""

from __future__ import annotations

import importlib

from vocab.sources import sources


def spider_class(source: str):
    entry = sources().get(source)
    if entry is None:
        raise KeyError(f"no spider for source '{source}'; spiders exist for: "
                       f"{', '.join(sources())}")
    module_name, class_name = entry.spider.split(":")
    return getattr(importlib.import_module(module_name), class_name)
