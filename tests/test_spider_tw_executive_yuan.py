"""Executive Yuan (tw_executive_yuan): the zh 本院新聞 feed (bodies in the feed, the page read
for an item without one, double-slash links), the English press-release list and pages (the
layout of the real sample in ../shared/samples), then a whole crawl of both editions."""

from __future__ import annotations

from store import documents as doc_store
from tests.declared import (
    crawl,
    feed_reply,
    fixture,
    make_spider,
    page_reply,
    read_article,
    read_listing,
    serve_sites,
)

SOURCE = "tw_executive_yuan"
NODE = "/Page/9277F759E41CCD91/"
EN_NODE = "/Page/61BF20C3E89B856/"
UUIDS = ("6c1e2f8a-3b5d-4e7f-9a10-2b3c4d5e6f70", "8d2f3a9b-4c6e-4f80-8b21-3c4d5e6f7081",
         "9e3a4b0c-5d7f-4a91-9c32-4d5e6f708192")
EN_UUIDS = ("1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a10", "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c60")


def test_feed_items_with_a_body_are_documents_and_the_one_without_is_read_from_its_page():
    spider = make_spider(SOURCE)
    requests, docs, _ = read_listing(spider, "zh-Hant", fixture(SOURCE, "rss_content_3.xml"))
    assert [d["external_id"] for d in docs] == list(UUIDS[:2])
    # a link written with a double slash is the same page, spelt once
    assert docs[1]["url"] == f"https://www.ey.gov.tw{NODE}{UUIDS[1]}"
    assert docs[0]["published"] == "2026-09-10T14:30:00+08:00"
    assert (docs[1]["published"], docs[1]["date_precision"]) == ("2026-09-09", "day")
    assert docs[0]["text"].split("\n\n")[1].startswith("行政院院會今日通過產業支持方案")
    [request] = requests
    assert request.cb_kwargs["entry"].external_id == UUIDS[2]
    [doc] = read_article(spider, request, fixture(SOURCE, "page_9e3a4b0c.html"))
    assert doc["title"] == "行政院新聞稿 重建項目（摘要未附）"
    assert doc["published"] == "2026-09-07T17:00:00+08:00"
    assert doc["text"].startswith("本則為 RSS 未附摘要的重建項目")
    for furniture in ("相關連結", "部會新聞", "版權所有", "首頁"):
        assert furniture not in doc["text"]


def test_the_english_list_and_pages_read_as_the_real_sample_is_laid_out():
    spider = make_spider(SOURCE)
    requests, docs, pages = read_listing(spider, "en", fixture(SOURCE, "en_press_releases.html"),
                                         content_type="text/html; charset=utf-8")
    assert docs == [] and pages == []  # max_pages = 1: the "Next" link is not followed
    assert [r.url for r in requests] == [f"https://english.ey.gov.tw{EN_NODE}{u}"
                                         for u in EN_UUIDS]
    entry = requests[0].cb_kwargs["entry"]
    # the link's title attribute, not its text with the date in it
    assert entry.title == "Cabinet approves support package for industries affected by US " \
        "tariffs"
    [doc] = read_article(spider, requests[0], fixture(SOURCE, "en_1f2e3d4c.html"))
    assert doc["id"] == f"tw_executive_yuan:{EN_UUIDS[0]}"
    assert (doc["published"], doc["date_precision"]) == ("2026-09-10", "day")  # ISO, not ROC
    assert doc["text"].startswith("This paragraph is neutral filler")
    assert "Newsroom" not in doc["text"] and "Source:" not in doc["text"]


def test_a_page_in_the_wrong_charset_is_a_problem_not_garbled_text():
    spider = make_spider(SOURCE)
    requests, _, _ = read_listing(spider, "zh-Hant", fixture(SOURCE, "rss_content_3.xml"))
    page = fixture(SOURCE, "page_9e3a4b0c.html").replace(
        b'content="text/html; charset=utf-8"', b"")
    assert read_article(spider, requests[0], page,
                        content_type="text/html; charset=ISO-8859-1") == []
    [problem] = spider.problems
    assert problem.startswith(f"tw_executive_yuan: https://www.ey.gov.tw{NODE}{UUIDS[2]}: "
                              f"the page reads as garbled text (decoded as ")
    assert "the site sent the wrong charset" in problem


def test_whole_crawl_of_both_editions(tmp_path):
    zh = {"/RSS_Content.aspx?ModuleType=3": feed_reply(SOURCE, "rss_content_3.xml"),
          f"{NODE}{UUIDS[2]}": page_reply(SOURCE, "page_9e3a4b0c.html")}
    en = {"/Page/5A898E83D438145A": page_reply(SOURCE, "en_press_releases.html"),
          f"{EN_NODE}{EN_UUIDS[0]}": page_reply(SOURCE, "en_1f2e3d4c.html"),
          f"{EN_NODE}{EN_UUIDS[1]}": page_reply(SOURCE, "en_2a3b4c5d.html")}
    with serve_sites({"base_url": zh, "base_url_en": en}) as servers:
        _, db, outcome = crawl(tmp_path, SOURCE, servers)
        assert outcome.status == "ok", outcome.errors
        assert outcome.new == 5
        langs = {row["lang"] for row in db.query("select lang from documents")}
        assert langs == {"zh-Hant", "en"}
        assert doc_store.get_document(db, f"tw_executive_yuan:{UUIDS[0]}:zh-Hant")["url"] == \
            f"{servers['base_url'].url}{NODE}{UUIDS[0]}"
        db.close()
