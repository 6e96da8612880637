"""Pages whose encoding is declared wrongly, or not at all, through Scrapy's real downloader
against a loopback server: each is stored with exactly the title and text of the same page
served as UTF-8, or the run fails with a sentence naming the declared encoding. Nothing is
ever stored as mojibake. See docs/reliability.md."""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from typing import Callable

import pytest

from crawler.charset import settle
from store import open_db
from store import runs as run_store
from tests.commerce_pages import ARTICLES, LISTING
from tests.conftest import FIXTURES, write_config
from tests.loopback import LoopbackServer, Reply
from tracker import config as config_module
from tracker.cycle import run_cycle

pytestmark = pytest.mark.timeout(120)

SITES = {
    "tsmc": ({"languages": ["zh-Hant"]}, {
        "/chinese/latest-news": "tsmc/chinese_latest_news.html",
        "/chinese/news/3320": "tsmc/chinese_news_3320.html",
        "/chinese/news/3343": "tsmc/chinese_news_3343.html"}),
    "trendforce": ({"languages": ["zh-Hans"]}, {
        "/presscenter/news?page=1": "trendforce/cn_news_page1.html",
        **{f"/presscenter/news/{i}.html": f"trendforce/cn_{i}.html"
           for i in ("20260825-13199", "20260828-13205", "20260901-13211")}}),
    "commerce": ({}, {
        LISTING: "commerce/press-releases.html",
        LISTING + "?page=1": "commerce/press-releases-page-1.html",
        **{path: f"commerce/{name}" for path, name in ARTICLES.items()}}),
}
META = re.compile(r'<meta charset="utf-8"\s*/?>')


def meta(text: str, charset: str | None) -> str:
    """The page with its <meta charset> saying `charset`, or without one."""
    return META.sub(f'<meta charset="{charset}">' if charset else "", text, count=1)


def html(charset: str | None) -> str:
    return "text/html" + (f"; charset={charset}" if charset else "")


@dataclass
class Case:
    name: str
    site: str
    # UTF-8 page text -> (bytes served, Content-Type)
    serve: Callable[[str], tuple[bytes, str]]
    fails: str = ""  # the run's error when no encoding reads the pages


def _x(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="xmlcharrefreplace")


def _four_byte_gb18030(text: str) -> bytes:
    # Characters outside GBK take four bytes in GB18030; a comment carries them.
    return meta(text, None).replace("<head>", "<head><!-- 𠀀 € ﹏ -->", 1).encode("gb18030")


def _broken_utf8(text: str) -> bytes:
    return text.replace("</p>", "\udcff</p>", 2).encode("utf-8", errors="surrogateescape")


def _noise(text: str) -> bytes:
    rng = random.Random(13)
    return bytes(rng.randrange(256) for _ in range(6000))


def _mixed(text: str) -> bytes:
    """A UTF-8 template with a GBK article body pasted in: two encodings in one page."""
    head, sep, tail = text.partition("<body")
    return head.encode("utf-8") + sep.encode() + tail.encode("gbk", "xmlcharrefreplace")


CASES = [
    Case("GBK served as UTF-8", "trendforce",
         lambda t: (_x(t, "gbk"), html("utf-8"))),
    Case("GB18030 with four-byte characters served as UTF-8", "trendforce",
         lambda t: (_four_byte_gb18030(t), html("utf-8"))),
    Case("GBK declared Big5 in the header", "trendforce",
         lambda t: (_x(meta(t, None), "gbk"), html("big5"))),
    Case("an unknown charset in the header, GB2312 in <meta>", "trendforce",
         lambda t: (_x(meta(t, "gb2312"), "gbk"), html("x-no-such-charset"))),
    Case("an empty charset parameter, GB2312 in <meta>", "trendforce",
         lambda t: (_x(meta(t, "gb2312"), "gbk"), "text/html; charset=")),
    Case("a quoted charset in the header", "tsmc",
         lambda t: (_x(meta(t, None), "big5"), 'text/html; charset="big5"')),
    Case("an empty Content-Type, Big5 without <meta>", "tsmc",
         lambda t: (_x(meta(t, None), "big5"), "")),
    Case("UTF-16LE without a byte-order mark, declared in the header", "tsmc",
         lambda t: (meta(t, None).encode("utf-16-le"), html("utf-16le"))),
    Case("Big5 served as UTF-8", "tsmc",
         lambda t: (_x(t, "big5"), html("utf-8"))),
    Case("Big5 declared nowhere", "tsmc",
         lambda t: (_x(meta(t, None), "big5"), html(None))),
    Case("Big5 declared GB2312 in <meta>", "tsmc",
         lambda t: (_x(meta(t, "gb2312"), "big5"), html(None))),
    Case("UTF-16 with a byte-order mark, the header says UTF-8", "tsmc",
         lambda t: (t.encode("utf-16"), html("utf-8"))),
    Case("Shift_JIS declared in the header and <meta>", "tsmc",
         lambda t: (_x(meta(t, "shift_jis"), "shift_jis"), html("shift_jis"))),
    Case("windows-1252 served as UTF-8", "commerce",
         lambda t: (_x(t, "cp1252"), html("utf-8"))),
    Case("UTF-8 served as ISO-8859-1", "commerce",
         lambda t: (meta(t, None).encode("utf-8"), html("ISO-8859-1"))),
    Case("UTF-8 with a byte-order mark, the header says windows-1252", "commerce",
         lambda t: (b"\xef\xbb\xbf" + t.encode("utf-8"), html("windows-1252"))),
    Case("a UTF-8 page with two broken bytes", "commerce",
         lambda t: (_broken_utf8(t), html("utf-8"))),
    Case("bytes that no encoding reads", "commerce",
         lambda t: (_noise(t), html("utf-8")),
         fails="is declared utf-8 (by the Content-Type header) but is not: byte 0x"),
    Case("a UTF-8 template with a GBK body pasted in", "trendforce",
         lambda t: (_mixed(t), html("utf-8")),
         fails="is declared utf-8 (by the Content-Type header) but is not"),
]


def crawl(tmp_path, site: str, serve: Callable[[str], tuple[bytes, str]] | None):
    options, pages = SITES[site]
    routes = {}
    for path, name in pages.items():
        text = (FIXTURES / name).read_text(encoding="utf-8")
        body, content_type = serve(text) if serve else (text.encode("utf-8"), html("utf-8"))
        routes[path] = Reply(200, body, content_type=content_type)
    with LoopbackServer(routes) as server:
        table = {"base_url": server.url, "first_run_days": 3650, **options}
        if site == "trendforce":
            table["base_url_zh"] = server.url
        config = config_module.load(write_config(tmp_path, {site: table}))
        db = open_db(config.db_path)
        [outcome] = run_cycle(config, db)
    # commerce documents are keyed by URL, and the port changes from one server to the next
    stored = {re.sub(r"127\.0\.0\.1:\d+", "site", row["id"]): (row["title"], row["text"])
              for row in db.query(
        "select id, title, text from documents where source = ?", [site])}
    run = run_store.get_run(db, outcome.run_id)
    db.close()
    return outcome, stored, json.loads(run["errors"] or "[]")


@pytest.fixture(scope="module")
def as_utf8(tmp_path_factory):
    """What each site's pages give when served as what they are."""
    found = {}
    for site in SITES:
        outcome, stored, _ = crawl(tmp_path_factory.mktemp(site), site, None)
        assert outcome.status == "ok" and stored, (site, outcome.errors)
        found[site] = stored
    return found


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_page_is_read_in_its_real_encoding_or_refused_by_name(tmp_path, as_utf8, case):
    outcome, stored, errors = crawl(tmp_path, case.site, case.serve)
    if case.fails:
        assert outcome.status == "failed"
        assert any(case.fails in e for e in errors), errors
        assert all("no other encoding reads it" in e for e in errors if "declared" in e)
        assert all("\ufffd" not in title + text for title, text in stored.values())
        return
    assert outcome.status == "ok", outcome.errors
    if "broken bytes" in case.name:  # each page's two bytes become U+FFFD, the rest is intact
        counts = [(t + x).count("\ufffd") for t, x in stored.values()]
        assert max(counts) <= 2 and sum(counts) > 0
        stored = {k: (t, x.replace("\ufffd", "")) for k, (t, x) in stored.items()}
    assert stored == as_utf8[case.site]


def test_settle_reads_plain_ascii_as_declared_and_names_what_it_changed():
    assert settle(b"<html>plain</html>", content_type="text/html; charset=utf-8").encoding \
        is None
    gbk = "<html><body>半导体出口管制新规定正式生效。</body></html>".encode("gbk")
    reading = settle(gbk, content_type="text/html; charset=utf-8", lang="zh-Hans")
    assert reading.encoding == "gb18030"
    assert reading.note == ("declared utf-8 (by the Content-Type header) but written in "
                            "gb18030; read as gb18030")
