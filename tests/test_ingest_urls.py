"""Only http(s) addresses are stored: a `javascript:` (or data:, vbscript:, host-less or
space-hidden) link arriving in an API field never becomes a document's URL, so it never
becomes a link in a feed, a digest or Datasette. See docs/reliability.md."""

from __future__ import annotations

import asyncio
import json

import feedparser
import pytest

from crawler.items import DocumentError, make_document
from store import open_db
from tests.conftest import write_config
from tests.fr_pages import AGENCIES, real_results
from tests.loopback import LoopbackServer, Reply
from tracker import config as config_module
from tracker.browse import make_datasette
from tracker.cycle import run_cycle

pytestmark = pytest.mark.timeout(120)

NOT_WEB = ["javascript:alert(document.cookie)", " JAVASCRIPT:alert(1)", "java\tscript:alert(1)",
           "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
           "vbscript:msgbox(1)", "//evil.example/path", "http:relative", "file:///etc/passwd",
           "https://"]


@pytest.mark.parametrize("url", NOT_WEB)
def test_make_document_refuses_an_address_that_is_not_http(url):
    with pytest.raises(DocumentError) as err:
        make_document(source="bis", external_id="x", lang="en", url=url, title="A rule",
                      published="2026-03-02", page="https://www.bis.gov/news-updates")
    assert "is not an http(s) URL; the document was not stored" in str(err.value)


def test_api_links_that_are_not_web_addresses_never_reach_the_store_or_the_feeds(tmp_path):
    results = real_results()[:len(NOT_WEB)]
    for result, url in zip(results, NOT_WEB, strict=False):
        result["html_url"] = url
    body = json.dumps({"count": len(results), "results": results})
    routes = {"/api/v1/documents.json": Reply(200, body, content_type="application/json")}
    with LoopbackServer(routes) as server:
        config = config_module.load(write_config(tmp_path, {"federal_register": {
            "base_url": server.url, "agencies": AGENCIES, "per_page": 20,
            "first_run_days": 3650}}))
        db = open_db(config.db_path)
        [outcome] = run_cycle(config, db)
    assert outcome.status == "ok", outcome.errors
    stored = {r["external_id"]: r["url"] for r in db.query("select external_id, url from "
                                                           "documents")}
    assert len(stored) == len(results)
    for result in results:  # each is linked to its own page on the Federal Register
        assert stored[result["document_number"]] == \
            f"https://www.federalregister.gov/d/{result['document_number']}"
    links = [r["atom_link"] for r in db.query("select atom_link from feed_entries")]
    db.close()
    assert links and all(link.startswith("https://www.federalregister.gov/d/")
                         for link in links)
    ds = make_datasette(config.db_path)
    for category in ("export_control", "tariff"):
        feed = feedparser.parse(asyncio.run(ds.client.get(f"/chipwatch/{category}.atom")).text)
        hrefs = [link["href"] for entry in feed.entries for link in entry.get("links", [])]
        assert all(href.startswith("https://") for href in hrefs), hrefs
        assert not any("script" in href or href.startswith("data:") for href in hrefs)
