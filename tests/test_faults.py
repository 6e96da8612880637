"""Faults, through Scrapy's real downloader against a loopback server that misbehaves on
purpose: each one ends in a completed cycle, a failed run whose error a person can read, a
broken source in `tracker.health`, the other source untouched, and nothing stored from the
failed page. See docs/reliability.md."""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler.listing import Entry, find_entries
from crawler.spiders.trendforce import TrendforceSpider
from crawler.spiders.tsmc import TsmcSpider
from store import documents as doc_store
from store import open_db
from store import runs as run_store
from tests.commerce_pages import ARTICLES, LISTING
from tests.conftest import FIXTURES, write_config
from tests.fr_pages import AGENCIES, two_pages
from tests.loopback import LoopbackServer, Reply
from tracker import config as config_module
from tracker.cycle import run_cycle
from tracker.health import assess

pytestmark = pytest.mark.timeout(120)

COMMERCE = FIXTURES / "commerce"
SME = next(p for p in ARTICLES if "/2024/12/" in p)


def commerce_page(name: str) -> bytes:
    return (COMMERCE / name).read_bytes()


def site_routes() -> dict:
    """commerce.gov listing (two pages) and five articles, and the Federal Register API, on
    one loopback origin."""
    routes = {LISTING: Reply(200, commerce_page("press-releases.html")),
              LISTING + "?page=1": Reply(200, commerce_page("press-releases-page-1.html"))}
    routes.update({path: Reply(200, commerce_page(name)) for path, name in ARTICLES.items()})
    routes.update(two_pages())
    return routes


def dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def resolver_is_local() -> bool:
    """True when every configured name server is on this machine, so that looking up a
    name under .invalid sends nothing to the network."""
    try:
        lines = Path("/etc/resolv.conf").read_text().splitlines()
    except OSError:
        return False
    servers = [line.split()[1] for line in lines
               if line.startswith("nameserver") and len(line.split()) > 1]
    return bool(servers) and all(s.startswith("127.") or s == "::1" for s in servers)


@dataclass
class Fault:
    name: str
    words: str  # what the run's error must say
    routes: Callable[[LoopbackServer], dict] = lambda server: {}
    source: str = "commerce"  # the source that misbehaves; the other one must be unaffected
    base_url: Callable[[LoopbackServer], str] | None = None
    crawl: dict = field(default_factory=dict)  # [crawl] keys to change
    stored: int = 0  # documents the faulty source still stores (pages that did arrive)
    failed_path: str = LISTING  # no document may come from this page


def _big_listing() -> bytes:
    body = commerce_page("press-releases.html")
    return body.replace(b"</body>", b"<!--" + b"x" * (1024 * 1024 + 200_000) + b"-->\n</body>")


def _broken_chunks() -> bytes:
    return (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
            b"40\r\n" + commerce_page("press-releases.html")[:64] + b"\r\nzz-not-a-size\r\n")


FAULTS = [
    Fault("connection refused", "connection refused; the site is down or unreachable",
          base_url=lambda server: f"http://127.0.0.1:{dead_port()}"),
    Fault("host does not resolve", "the host name does not resolve",
          base_url=lambda server: "http://nonexistent.invalid"),
    Fault("read timeout", "timed out waiting for the site",
          routes=lambda server: {LISTING: Reply(200, commerce_page("press-releases.html"),
                                                delay=4)},
          crawl={"download_timeout": 1}),
    Fault("connection dropped mid-body", "the connection was dropped before the whole page",
          routes=lambda server: {LISTING: Reply(200, commerce_page("press-releases.html"),
                                                drop_after=1500)}),
    Fault("broken chunked encoding", "the connection was dropped before the whole page",
          routes=lambda server: {LISTING: Reply(raw=_broken_chunks())}),
    Fault("truncated HTML article", "the page arrived cut short",
          routes=lambda server: {SME: Reply(200, commerce_page(ARTICLES[SME])[:6000])},
          stored=4, failed_path=SME),
    Fault("empty 200 listing", "answered with an empty page (HTTP 200, no content)",
          routes=lambda server: {LISTING: Reply(200, b"")}),
    Fault("listing layout changed", "matched no items: the page layout may have changed",
          routes=lambda server: {
              LISTING: Reply(200, commerce_page("press-releases-drifted.html"))}),
    Fault("body over the size limit", "larger than the size limit ([crawl] max_response_mb)",
          routes=lambda server: {LISTING: Reply(200, _big_listing())},
          crawl={"max_response_mb": 1}),
    Fault("redirect loop", "the site kept redirecting (a redirect loop",
          routes=lambda server: {LISTING: Reply(302, headers={"Location": "/news/moved"}),
                                 "/news/moved": Reply(302, headers={"Location": LISTING})}),
    Fault("redirect to another domain", "redirected to localhost, outside the source's site",
          routes=lambda server: {LISTING: Reply(301, headers={
              "Location": server.url.replace("127.0.0.1", "localhost") + LISTING})}),
    Fault("503 until retries run out", "HTTP 503: the site is failing",
          routes=lambda server: {LISTING: Reply(503, "down")}),
    Fault("JSON that does not parse", "is not JSON", source="federal_register",
          routes=lambda server: {"/api/v1/documents.json": Reply(
              200, '{"count": 7, "results": [{"document_number": ',
              content_type="application/json")},
          failed_path="/api/v1/documents.json"),
    Fault("302 without Location", "HTTP 302: a redirect without a Location to follow",
          routes=lambda server: {LISTING: Reply(302, "")}),
    Fault("301 to a malformed Location", "names an address that cannot be used",
          routes=lambda server: {LISTING: Reply(301, "", headers={"Location": "http://[::1/x"})}),
    Fault("204 No Content listing", "answered with an empty page (HTTP 204, no content)",
          routes=lambda server: {LISTING: Reply(204, b"")}),
    Fault("gzip header on a plain body", "says it is compressed (Content-Encoding) but could "
          "not be decompressed", routes=lambda server: {LISTING: Reply(
              200, commerce_page("press-releases.html"), headers={"Content-Encoding": "gzip"})}),
    Fault("a status line that is not HTTP", "answered with something that is not valid HTTP",
          routes=lambda server: {LISTING: Reply(raw=b"SSH-2.0-OpenSSH_9.2\r\n")}),
    Fault("a proxy cuts the body (Content-Length larger than what came)",
          "the connection was dropped before the whole page",
          routes=lambda server: {LISTING: Reply(raw=(
              b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 999999\r\n\r\n"
              + commerce_page("press-releases.html")[:2000]))}),
    Fault("two different Content-Length headers", "the connection was dropped before the whole",
          routes=lambda server: {LISTING: Reply(raw=(
              b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 10\r\n"
              b"Content-Length: 20\r\n\r\n" + commerce_page("press-releases.html")[:20]))}),
    Fault("robots.txt disallows the listing", "robots.txt disallows this page",
          routes=lambda server: {"/robots.txt": Reply(200, "User-agent: *\nDisallow: /news/\n",
                                                      content_type="text/plain")}),
]


def configure(tmp_path, server, fault: Fault | None = None,
              sources=("commerce", "federal_register")):
    tables = {"commerce": {"base_url": server.url, "first_run_days": 3650},
              "federal_register": {"base_url": server.url, "agencies": AGENCIES, "per_page": 4,
                                   "first_run_days": 3650}}
    tables = {name: tables[name] for name in sources}
    if fault and fault.base_url:
        tables[fault.source]["base_url"] = fault.base_url(server)
    path = write_config(tmp_path, tables)
    text = path.read_text(encoding="utf-8")
    for key, value in (fault.crawl if fault else {}).items():
        default = {"download_timeout": "download_timeout = 10", "retry_times": "retry_times = 1"}
        if key in default:
            text = text.replace(default[key], f"{key} = {value}")
        else:
            text = text.replace("[crawl]\n", f"[crawl]\n{key} = {value}\n")
    path.write_text(text, encoding="utf-8")
    return config_module.load(path)


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_a_fault_fails_only_its_source_in_words_and_stores_nothing_from_the_page(tmp_path, fault):
    if fault.name == "host does not resolve" and not resolver_is_local():
        pytest.skip("the name servers in /etc/resolv.conf are not on this machine: a lookup "
                    "would leave it (the wording is checked in test_dns_failure_wording)")
    other = "federal_register" if fault.source == "commerce" else "commerce"
    with LoopbackServer(site_routes()) as server:
        for path, replies in fault.routes(server).items():
            server.route(path, replies)
        config = configure(tmp_path, server, fault)
        db = open_db(config.db_path)
        outcomes = {o.source: o for o in run_cycle(config, db)}  # the cycle completes

    broken, fine = outcomes[fault.source], outcomes[other]
    assert fine.status == "ok", fine.errors  # the other source is unaffected
    assert fine.new == (7 if other == "federal_register" else 5)

    assert broken.status == "failed"
    run = run_store.get_run(db, broken.run_id)
    errors = json.loads(run["errors"])
    assert run["status"] == "failed" and errors
    assert any(fault.words in e for e in errors), errors
    for error in errors:  # a sentence, not a traceback or a request's repr
        assert "Traceback" not in error and "<GET " not in error
        assert error.startswith(f"{fault.source}: ")

    verdict = assess(config, db, fault.source, datetime.now(timezone.utc))
    assert verdict.health == "broken" and verdict.detail == errors[0]
    assert assess(config, db, other, datetime.now(timezone.utc)).health == "ok"

    stored = doc_store.known_documents(db, fault.source)
    assert len(stored) == fault.stored
    assert not any(entry["url"].endswith(fault.failed_path) for entry in stored.values())
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    db.close()


def test_429_and_503_before_a_200_end_in_documents(tmp_path):
    fault = Fault("retries", "", crawl={"retry_times": 2})
    with LoopbackServer(site_routes()) as server:
        server.route(LISTING, [Reply(429, "slow down", headers={"Retry-After": "0"}),
                               Reply(503, "busy"),
                               Reply(200, commerce_page("press-releases.html"))])
        config = configure(tmp_path, server, fault, sources=("commerce",))
        db = open_db(config.db_path)
        [outcome] = run_cycle(config, db)
        statuses = [hit.status for hit in server.hits if hit.path == LISTING]
    assert statuses == [429, 503, 200]
    assert outcome.status == "ok", outcome.errors
    assert outcome.new == 5
    assert assess(config, db, "commerce", datetime.now(timezone.utc)).health == "ok"
    db.close()


def test_dns_failure_wording():
    """The crawl test above is skipped where a lookup would reach the network; the sentence
    a user reads for a name that does not resolve is the same either way."""
    from scrapy.exceptions import CannotResolveHostError
    from twisted.internet.error import DNSLookupError
    from twisted.python.failure import Failure

    from crawler.faults import describe_failure
    for exc in (DNSLookupError("nonexistent.invalid"),
                CannotResolveHostError("nonexistent.invalid")):
        assert describe_failure(Failure(exc)).startswith(
            "the host name does not resolve (DNS lookup failed); check base_url")


# -- text in other encodings ------------------------------------------------------------------


def reencode(body: bytes, encoding: str, meta: str | None = None) -> bytes:
    """A UTF-8 fixture page as a server using `encoding` would send it (characters the
    encoding lacks become HTML character references, as such servers do)."""
    text = body.decode("utf-8")
    if meta is not None:
        text = text.replace('<meta charset="utf-8">', f'<meta charset="{meta}">')
    return text.encode(encoding, errors="xmlcharrefreplace")


def expected(cls, name: str, url: str, lang: str, external_id: str) -> dict:
    """Title and text of a UTF-8 fixture page, parsed without a server."""
    body = (FIXTURES / name).read_bytes()
    response = HtmlResponse(url=url, body=body, encoding="utf-8", request=Request(url))
    spider = cls.from_crawler(get_crawler(cls), spec={"source": {}})
    doc = spider.article(response, Entry(url=url, lang=lang, external_id=external_id))
    return {"title": doc["title"], "text": doc["text"]}


def test_big5_tsmc_and_gb2312_trendforce_pages_come_out_as_the_same_text(tmp_path):
    tsmc_pages = {"/chinese/latest-news": "tsmc/chinese_latest_news.html",
                  "/chinese/news/3320": "tsmc/chinese_news_3320.html",
                  "/chinese/news/3343": "tsmc/chinese_news_3343.html"}
    tf_articles = ("20260825-13199", "20260828-13205", "20260901-13211")
    routes = {path: Reply(200, reencode((FIXTURES / name).read_bytes(), "big5"),
                          content_type="text/html; charset=big5")  # declared in the header
              for path, name in tsmc_pages.items()}
    tf_pages = {"/presscenter/news?page=1": "trendforce/cn_news_page1.html"}
    tf_pages.update({f"/presscenter/news/{i}.html": f"trendforce/cn_{i}.html" for i in tf_articles})
    routes.update({path: Reply(200, reencode((FIXTURES / name).read_bytes(), "gbk", meta="gb2312"),
                               content_type="text/html")  # declared only in <meta>
                   for path, name in tf_pages.items()})
    assert "charset=big5" not in routes["/chinese/news/3320"].payload().decode("latin-1")
    with LoopbackServer(routes) as server:
        path = write_config(tmp_path, {
            "tsmc": {"base_url": server.url, "languages": ["zh-Hant"], "first_run_days": 3650},
            "trendforce": {"base_url": server.url, "base_url_zh": server.url,
                           "languages": ["zh-Hans"], "first_run_days": 3650}})
        config = config_module.load(path)
        db = open_db(config.db_path)
        outcomes = {o.source: o for o in run_cycle(config, db)}
    assert outcomes["tsmc"].status == "ok", outcomes["tsmc"].errors
    assert outcomes["trendforce"].status == "ok", outcomes["trendforce"].errors
    for news_id in ("3320", "3343"):
        url = f"{server.url}/chinese/news/{news_id}"
        stored = doc_store.get_document(db, f"tsmc:{news_id}:zh-Hant")
        want = expected(TsmcSpider, f"tsmc/chinese_news_{news_id}.html", url, "zh-Hant", news_id)
        assert {"title": stored["title"], "text": stored["text"]} == want
        assert "台積" in stored["title"] + stored["text"]
    for external_id in tf_articles:
        url = f"{server.url}/presscenter/news/{external_id}.html"
        stored = doc_store.get_document(db, f"trendforce:{external_id}:zh-Hans")
        want = expected(TrendforceSpider, f"trendforce/cn_{external_id}.html", url, "zh-Hans",
                        external_id)
        assert stored["title"] == want["title"]
        assert stored["text"] == want["text"]
    db.close()


# -- staying on the web and on the site ---------------------------------------------------------


def test_file_and_ftp_links_in_a_listing_are_never_items():
    html = (b"<html><body><ul>"
            b"<li><a href='file:///english/news/3343'>one</a></li>"
            b"<li><a href='ftp://127.0.0.1/english/news/3320'>two</a></li>"
            b"<li><a href='/english/news/3294'>three</a></li></ul></body></html>")
    url = "https://pr.tsmc.com/english/latest-news"
    response = HtmlResponse(url=url, body=html, encoding="utf-8", request=Request(url))
    entries = find_entries(response, TsmcSpider.item_path)
    assert [e.url for e in entries] == ["https://pr.tsmc.com/english/news/3294"]


def test_a_listing_with_file_and_ftp_links_fetches_only_the_web_pages(tmp_path):
    listing = commerce_page("press-releases.html").replace(b"</body>", (
        b"<main><a href='file:///news/press-releases/2024/01/etc-passwd'>file</a>"
        b"<a href='ftp://127.0.0.1/news/press-releases/2024/01/ftp-item'>ftp</a></main></body>"))
    with LoopbackServer(site_routes()) as server:
        server.route(LISTING, Reply(200, listing))
        config = configure(tmp_path, server, sources=("commerce",))
        db = open_db(config.db_path)
        [outcome] = run_cycle(config, db)
        paths = [hit.path for hit in server.hits]
    assert outcome.status == "ok", outcome.errors
    assert outcome.new == 5
    assert not any("etc-passwd" in p or "ftp-item" in p for p in paths)
    db.close()


def test_every_spider_is_held_to_its_configured_sites():
    from crawler.spiders import spider_class
    from vocab.sources import sources
    expected_domains = {
        "federal_register": ["federalregister.gov"], "commerce": ["commerce.gov"],
        "bis": ["bis.gov"], "tsmc": ["pr.tsmc.com"],
        "trendforce": ["trendforce.com", "trendforce.cn"],
        "tw_president": ["president.gov.tw", "english.president.gov.tw"],
        "tw_executive_yuan": ["ey.gov.tw", "english.ey.gov.tw"], "tw_moea": ["moea.gov.tw"],
        "tw_trade_negotiations": ["ey.gov.tw"], "tw_investment_review": ["moeaic.gov.tw"],
        "tw_trade_administration": ["trade.gov.tw"], "ustr": ["ustr.gov"],
        "white_house": ["whitehouse.gov"]}
    for name, entry in sources().items():
        cls = spider_class(name)
        spider = cls.from_crawler(get_crawler(cls), spec={"source": {}})
        assert spider.allowed_domains == expected_domains[name], name
        mirror = {key: f"http://127.0.0.1:{8123 + n}" for n, key in enumerate(entry.sites)}
        mirrored = cls.from_crawler(get_crawler(cls), spec={"source": mirror})
        assert mirrored.allowed_domains == ["127.0.0.1"], name
