"""One module per source. Which class crawls which source is declared in the source registry
(vocab/sources.toml); classes are imported on first use, so nothing heavy happens at import
time."""

from __future__ import annotations

import importlib
from functools import lru_cache

from vocab.sources import sources


@lru_cache(maxsize=None)
def spider_class(source: str):
    """The spider class of `source`. A class without a name of its own reads many sources
    (the declared sources' one spider): each source gets a subclass bearing its name."""
    entry = sources().get(source)
    if entry is None:
        raise KeyError(f"no spider for source '{source}'; spiders exist for: "
                       f"{', '.join(sources())}")
    module_name, class_name = entry.spider.split(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    if getattr(cls, "name", None):
        return cls
    title = "".join(part.title() for part in source.split("_"))
    return type(f"{title}{cls.__name__}", (cls,), {"name": source})
