"""Every declared source (vocab/sources.toml `read` tables) held to the same drift rules: a
feed that is an HTML page, not XML, in the wrong charset, empty, or linking to none of the
source's articles, a bot challenge, an undated item, a listing that matches nothing: each is
a recorded problem, never "no news". Plus the declarations themselves, feed reading and the
dates Taiwan's sites write."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from crawler.dates import feed_moment, roc_day
from crawler.declared import Reading, body_text, read_moment, readings
from crawler.feeds import NotAFeed, read_feed, relative_guid
from crawler.options import load_options
from crawler.spiders import spider_class
from store import open_db
from store import runs as run_store
from tests.conftest import FIXTURES
from tests.declared import crawl, make_spider, read_listing, serve_sites
from tests.loopback import Reply
from vocab.errors import ConfigError
from vocab.sources import sources

DECLARED = [name for name, entry in sources().items() if entry.read]
FEEDS = [(name, lang) for name in DECLARED for lang, r in readings(name).items() if r.feed]
LISTINGS = [(name, lang) for name in DECLARED for lang, r in readings(name).items()
            if r.listing]
TAIPEI = ZoneInfo("Asia/Taipei")


def rss(*items: str, encoding: str = "utf-8") -> bytes:
    return (f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel>'
            f"<title>t</title><link>https://example.org/</link>{''.join(items)}</channel></rss>"
            ).encode("utf-8")


def item(link: str, title: str = "標題", pub: str | None = "Tue, 15 Sep 2026 06:15:00 GMT",
         body: str = "內文") -> str:
    date_tag = f"<pubDate>{pub}</pubDate>" if pub else ""
    return (f"<item><title>{title}</title><link>{link}</link><description>{body}</description>"
            f"{date_tag}</item>")


def an_item_link(name: str, lang: str) -> str:
    """A link that the source's declaration takes for one of its items."""
    examples = {
        "tw_president": "/NEWS/40500", "tw_executive_yuan": (
            "/Page/9277F759E41CCD91/6c1e2f8a-3b5d-4e7f-9a10-2b3c4d5e6f70"),
        "tw_moea": ("/Mns/populace/news/News.aspx?kind=1&amp;news_id=1" if lang != "en"
                    else "/Mns/english/news/News.aspx?kind=6&amp;news_id=1"),
        "tw_investment_review": "/news.view?id=1&amp;lang=ch&amp;do=data",
        "tw_trade_administration": ("/Pages/Detail.aspx?nodeID=40&amp;pid=1" if lang != "en"
                                    else "/English/Pages/Detail.aspx?nodeID=90&amp;pid=1"),
        "ustr": "/about-us/policy-offices/press-office/press-releases/2026/may/x",
        "white_house": "/presidential-actions/2026/06/x/",
    }
    return examples[name]


# -- the declarations ------------------------------------------------------------------------


def test_every_declared_source_is_read_by_the_one_spider_and_checks_out():
    assert set(DECLARED) == {"tw_president", "tw_executive_yuan", "tw_moea",
                             "tw_trade_negotiations", "tw_investment_review",
                             "tw_trade_administration", "ustr", "white_house"}
    for name in DECLARED:
        entry = sources()[name]
        assert entry.spider == "crawler.spiders.declared:DeclaredSpider"
        assert set(readings(name)) == set(entry.languages)
        assert spider_class(name).name == name
        assert load_options(name).languages == list(entry.languages)


def test_a_declaration_that_cannot_work_is_refused_with_what_is_wrong():
    with pytest.raises(ValueError, match="either a feed or a listing"):
        Reading.model_validate({"item": "^/x$"})
    with pytest.raises(ValueError, match="needs a page table"):
        Reading.model_validate({"feed": "/rss", "item": "^/x$", "body": "page"})
    with pytest.raises(ValueError):
        Reading.model_validate({"feed": "/rss", "item": "^/x($"})  # not a pattern


def test_an_unknown_site_key_is_a_configuration_error(monkeypatch):
    from dataclasses import replace
    entry = sources()["ustr"]
    broken = replace(entry, read={"en": {"feed": "/rss.xml", "item": "^/x$", "site": "nope"}})
    monkeypatch.setitem(sources(), "ustr_broken", replace(broken, name="ustr_broken"))
    with pytest.raises(ConfigError, match="site: 'nope' is none of"):
        readings("ustr_broken")


# -- feeds, dates, bodies --------------------------------------------------------------------


def test_feed_reading_refuses_what_is_not_a_feed():
    with pytest.raises(NotAFeed, match="HTML page where a feed was expected"):
        read_feed(b"<!DOCTYPE html><html><body>moved</body></html>", "https://x/rss")
    with pytest.raises(NotAFeed, match="not an RSS or Atom feed"):
        read_feed(b'{"items": []}', "https://x/rss")
    with pytest.raises(NotAFeed, match="not in the charset it declares"):
        read_feed(rss(item("/a", title="總統府")).replace("總統府".encode(),
                                                          "總統府".encode("big5")),
                  "https://x/rss")


def test_a_flaw_feedparser_reads_past_is_a_warning_with_the_items_kept():
    feed = read_feed(b'<rss version="2.0"><channel><item><title>a & b</title>'
                     b"<link>https://x/a?p=1&q=2</link></item></channel></rss>", "https://x/rss")
    assert [i.title for i in feed.items] == ["a & b"]
    assert "not well-formed" in feed.warning


def test_a_feed_in_big5_that_says_so_is_read():
    body = ('<?xml version="1.0" encoding="big5"?><rss version="2.0"><channel><item>'
            '<title>總統府新聞</title><link>https://x/NEWS/1</link></item></channel></rss>'
            ).encode("big5")
    assert read_feed(body, "https://x/rss").items[0].title == "總統府新聞"


def test_a_feed_sent_as_text_html_is_still_read_as_the_feed_it_is():
    spider = make_spider("tw_president")
    requests, _, _ = read_listing(spider, "zh-Hant",
                                  (FIXTURES / "tw_president" / "rssnews_zh.xml").read_bytes(),
                                  content_type="text/html")
    assert len(requests) == 3 and spider.problems == []


def test_relative_guids_and_links_are_made_site_relative_again():
    feed = read_feed(rss("<item><title>x</title><link>/NEWS/5</link><guid>/NEWS/5</guid></item>"),
                     "http://127.0.0.1:9/RSSNEWS.aspx")
    [found] = feed.items
    assert found.link == "http://127.0.0.1:9/NEWS/5"
    assert relative_guid(found.guid, ["http://127.0.0.1:9", "https://www.president.gov.tw"]) \
        == "/NEWS/5"
    assert relative_guid("20931 at https://ustr.gov", ["https://ustr.gov"]) == \
        "20931 at https://ustr.gov"
    assert relative_guid("https://www.whitehouse.gov/?p=81234",
                         ["http://127.0.0.1:9", "https://www.whitehouse.gov"]) == "/?p=81234"


def test_roc_dates_and_gmt_feed_times():
    assert roc_day("115年05月16日") == date(2026, 5, 16)
    assert roc_day("日期：114-07-29") == date(2025, 7, 29)
    assert roc_day("114/7/9") == date(2025, 7, 9)
    assert roc_day("2026-05-16") is None  # a Gregorian date is not an ROC one
    assert feed_moment(datetime(2026, 5, 15, 16, 0, tzinfo=timezone.utc), TAIPEI) == (
        date(2026, 5, 16), "day")
    moment, precision = feed_moment(datetime(2026, 10, 6, 15, 47, 55, tzinfo=timezone.utc),
                                    TAIPEI)
    assert (moment.isoformat(), precision) == ("2026-10-06T23:47:55+08:00", "datetime")
    assert read_moment("2026-09-14 10:30", TAIPEI).isoformat() == "2026-09-14T10:30:00+08:00"
    assert read_moment("Date:\xa02021-03-18", TAIPEI) == date(2021, 3, 18)
    assert read_moment("115年10月06日", TAIPEI, "roc") == date(2026, 10, 6)
    assert read_moment("2026-06-25T19:00:00-04:00", ZoneInfo("America/New_York")).isoformat() \
        == "2026-06-25T19:00:00-04:00"


def test_bodies_as_feeds_carry_them():
    assert body_text("第一行\n第二行\n聯絡人：○○○", cut_at=["聯絡人："]) == "第一行\n\n第二行"
    assert body_text("<p>One</p><div class='x'>menu</div><p>The post x appeared first on Y.</p>",
                     drop=[".x"], drop_text=[r"^The post .* appeared first on"]) == "One"
    assert body_text("Excerpt [&#8230;]") == "Excerpt […]"


# -- drift, for every feed ---------------------------------------------------------------------


@pytest.mark.parametrize("name, lang", FEEDS)
def test_a_feed_that_is_an_html_page_is_a_problem(name, lang):
    spider = make_spider(name)
    requests, docs, _ = read_listing(spider, lang, b"<!DOCTYPE html><html><head><title>Home"
                                     b"</title></head><body><p>Welcome</p></body></html>",
                                     content_type="text/html; charset=utf-8")
    assert (requests, docs) == ([], [])
    [problem] = spider.problems
    assert problem.startswith(f"{name}: ") and "HTML page where a feed was expected" in problem


@pytest.mark.parametrize("name, lang", FEEDS)
def test_a_feed_that_is_not_xml_is_a_problem(name, lang):
    spider = make_spider(name)
    read_listing(spider, lang, b"<rss version='2.0'><channel><item><title>cut sh",
                 content_type="text/xml")
    [problem] = spider.problems
    assert "not well-formed XML" in problem or "not an RSS or Atom feed" in problem


@pytest.mark.parametrize("name, lang", FEEDS)
def test_a_feed_in_the_wrong_charset_is_a_problem(name, lang):
    body = rss(item(an_item_link(name, lang), title="經濟部新聞")).replace(
        "經濟部新聞".encode(), "經濟部新聞".encode("big5"))
    spider = make_spider(name)
    assert read_listing(spider, lang, body) == ([], [], [])
    [problem] = spider.problems
    assert "not in the charset it declares" in problem


@pytest.mark.parametrize("name, lang", FEEDS)
def test_an_empty_feed_is_a_problem_not_quiet(name, lang):
    spider = make_spider(name)
    read_listing(spider, lang, rss())
    [problem] = spider.problems
    assert "lists no items" in problem


@pytest.mark.parametrize("name, lang", FEEDS)
def test_a_feed_linking_to_none_of_the_source_s_articles_is_a_problem(name, lang):
    spider = make_spider(name)
    read_listing(spider, lang, rss(item("https://elsewhere.example.org/story/1"),
                                   item("/some/other/page")))
    [problem] = spider.problems
    assert "lists 2 items but none links to an article of the source" in problem


@pytest.mark.parametrize("name, lang", FEEDS)
def test_a_bot_challenge_served_with_200_is_a_problem(name, lang):
    spider = make_spider(name)
    read_listing(spider, lang, (FIXTURES / "tsmc" / "cloudflare_challenge.html").read_bytes(),
                 content_type="text/html; charset=utf-8")
    [problem] = spider.problems
    assert "bot challenge" in problem


@pytest.mark.parametrize("name, lang", [(n, lang) for n, lang in FEEDS
                                        if readings(n)[lang].body == "feed"])
def test_an_undated_item_with_its_body_in_the_feed_is_a_problem(name, lang):
    spider = make_spider(name)
    requests, docs, _ = read_listing(spider, lang, rss(item(an_item_link(name, lang), pub=None)))
    assert (requests, docs) == ([], [])
    [problem] = spider.problems
    assert "the feed item has no publication date" in problem


@pytest.mark.parametrize("name, lang", FEEDS)
def test_a_feed_whose_items_are_all_deleted_is_quiet(name, lang):
    spider = make_spider(name)
    deleted = ("<item><title></title><link></link><pubDate>Tue, 15 Sep 2026 06:15:00 GMT"
               "</pubDate><IsDeleteNews>Y</IsDeleteNews></item>")
    assert read_listing(spider, lang, rss(deleted)) == ([], [], [])
    assert spider.problems == []


@pytest.mark.parametrize("name, lang", LISTINGS)
def test_an_html_listing_that_matches_nothing_is_a_problem(name, lang):
    spider = make_spider(name)
    read_listing(spider, lang, b"<html><body><a href='/Page/ABC'>menu</a></body></html>",
                 content_type="text/html; charset=utf-8")
    [problem] = spider.problems
    assert "matched no items: the page layout may have changed" in problem


def test_a_broken_feed_leaves_the_source_broken_in_the_store(tmp_path):
    routes = {"/rss.xml": Reply(200, b"<html><body>Service unavailable</body></html>",
                                content_type="text/html")}
    with serve_sites({"base_url": routes}) as servers:
        config, db, outcome = crawl(tmp_path, "ustr", servers)
        assert outcome.status == "failed"
        run = run_store.get_run(db, outcome.run_id)
        assert run["status"] == "failed" and "HTML page where a feed was expected" in \
            run["errors"]
        db.close()
    from datetime import datetime as dt

    from tracker import health
    db = open_db(config.db_path)
    assert health.assess(config, db, "ustr", dt.now(timezone.utc)).health == "broken"
    db.close()
