"""One module per source. SPIDERS maps a source name to its spider class, imported lazily so
that nothing heavy happens at import time."""

from __future__ import annotations

import importlib

SPIDERS = {
    "federal_register": "crawler.spiders.federal_register:FederalRegisterSpider",
    "commerce": "crawler.spiders.commerce:CommerceSpider",
    "bis": "crawler.spiders.bis:BisSpider",
    "tsmc": "crawler.spiders.tsmc:TsmcSpider",
    "trendforce": "crawler.spiders.trendforce:TrendforceSpider",
}


def spider_class(source: str):
    try:
        module_name, class_name = SPIDERS[source].split(":")
    except KeyError:
        raise KeyError(f"no spider for source '{source}'; spiders exist for: "
                       f"{', '.join(SPIDERS)}") from None
    return getattr(importlib.import_module(module_name), class_name)
