"""Helpers for the tests of declared sources (crawler/spiders/declared.py): a spider of a
registered source, its feeds and pages as responses, and what a listing callback yields."""

from __future__ import annotations

from contextlib import ExitStack, contextmanager

from scrapy import Request
from scrapy.http import HtmlResponse, TextResponse, XmlResponse
from scrapy.utils.test import get_crawler

from crawler.listing import Listing
from crawler.spiders import spider_class
from store import open_db
from tests.conftest import FIXTURES, write_config
from tests.loopback import LoopbackServer, Reply
from tracker import config as config_module
from tracker.cycle import crawl_source

FEED_TYPE = "application/rss+xml; charset=utf-8"


def make_spider(name: str, **spec):
    """The spider of source `name` with its real origins (or those given in
    spec["source"])."""
    spec.setdefault("since", "2026-01-01")
    spec.setdefault("source", {})
    cls = spider_class(name)
    return cls.from_crawler(get_crawler(cls), spec=spec)


def feed_response(url: str, body: bytes, content_type: str = FEED_TYPE):
    headers = {"Content-Type": content_type}
    cls = HtmlResponse if "html" in content_type else XmlResponse if "xml" in content_type \
        else TextResponse
    return cls(url=url, body=body, headers=headers, request=Request(url))


def page_response(url: str, body: bytes, content_type: str = "text/html; charset=utf-8"):
    return HtmlResponse(url=url, body=body, headers={"Content-Type": content_type},
                        request=Request(url))


def listing_of(spider, lang: str) -> Listing:
    return next(listing for listing in spider.listings() if listing.lang == lang)


def read_listing(spider, lang: str, body: bytes, content_type: str = FEED_TYPE):
    """(article requests, documents, next-page requests) of one listing or feed page."""
    listing = listing_of(spider, lang)
    out = list(spider.parse_listing(feed_response(listing.url, body, content_type), listing))
    requests = [r for r in out if isinstance(r, Request) and "entry" in r.cb_kwargs]
    pages = [r for r in out if isinstance(r, Request) and "listing" in r.cb_kwargs]
    docs = [r for r in out if isinstance(r, dict)]
    return requests, docs, pages


def read_article(spider, request, body: bytes, content_type: str = "text/html; charset=utf-8"):
    """The documents an article request gives on `body`."""
    response = page_response(request.url, body, content_type)
    return list(spider.parse_article(response, **request.cb_kwargs))


# -- whole crawls against loopback servers, one per site of the source ---------------------


@contextmanager
def serve_sites(routes_by_site: dict[str, dict]):
    """A LoopbackServer per configuration key of a site (`base_url`, `base_url_en`...)."""
    with ExitStack() as stack:
        yield {key: stack.enter_context(LoopbackServer(routes))
               for key, routes in routes_by_site.items()}


def crawl(tmp_path, source: str, servers: dict, since: str = "2026-01-01", **table):
    """Configure `source` on the servers, crawl it once through the cycle into a real
    SQLite file; (config, db, outcome)."""
    sites = {key: server.url for key, server in servers.items()}
    path = write_config(tmp_path, {source: {**sites, **table}})
    config = config_module.load(path)
    db = open_db(config.db_path)
    return config, db, crawl_source(config, db, source, since=since)


def fixture(source: str, name: str) -> bytes:
    return (FIXTURES / source / name).read_bytes()


def feed_reply(source: str, name: str, content_type: str = FEED_TYPE) -> Reply:
    return Reply(200, fixture(source, name), content_type=content_type)


def page_reply(source: str, name: str, content_type: str = "text/html; charset=utf-8") -> Reply:
    return Reply(200, fixture(source, name), content_type=content_type)
