"""Render the replayed sites of the declared sources (Taiwan's government, USTR, the White
House) from the data in `data/`: their feeds and the pages the spiders read, in the markup
of the fixtures in tests/fixtures/<source>/ (and so SOURCES-NEW.md). Pure functions.

Item times in the data are the source's local time ("time": null for a record kept as a
day); feeds write them as their sites do: Taiwan's government feeds in GMT (a day as 16:00
GMT the day before), USTR with a New York offset, the White House in UTC. Feed links point
at the real sites, as a real feed's do; the spiders fetch them on the configured origin.
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from email.utils import format_datetime
from html import escape
from zoneinfo import ZoneInfo

from replay.page import Page, load
from replay.sites import site_id

TAIPEI = ZoneInfo("Asia/Taipei")
NEW_YORK = ZoneInfo("America/New_York")
XML = "text/xml; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
HTML = "text/html; charset=utf-8"
PRESIDENT = "https://www.president.gov.tw"
PRESIDENT_EN = "https://english.president.gov.tw"
EY_NODE = "/Page/9277F759E41CCD91/"
EY_EN_NODE = "/Page/61BF20C3E89B856/"
MOEA_PATHS = {"zh-Hant": "/Mns/populace/news/News.aspx?kind=1&menu_id=40&news_id=",
              "en": "/Mns/english/news/News.aspx?kind=6&menu_id=176&news_id="}
DIR_LANG = {"zh-Hant": "ch", "en": "en"}
TRADE_PATHS = {"zh-Hant": "/Pages/Detail.aspx", "en": "/English/Pages/Detail.aspx"}


def _feed(body: str) -> Page:
    return Page(body.encode("utf-8"), "feed", RSS)


def _html(body: str, kind: str = "article", content_type: str = HTML) -> Page:
    return Page(body.encode("utf-8"), kind, content_type)


def _moment(item: dict, zone: ZoneInfo) -> datetime:
    clock = time.fromisoformat(item["time"]) if item.get("time") else time(0, 0)
    return datetime.combine(date.fromisoformat(item["date"]), clock, tzinfo=zone)


def _gmt(item: dict, zone: ZoneInfo = TAIPEI) -> str:
    return format_datetime(_moment(item, zone).astimezone(timezone.utc), usegmt=True)


def _rss(title: str, link: str, items: str, namespaces: str = "") -> str:
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"{namespaces}>\n'
            f'<channel>\n<title>{escape(title)}</title>\n<link>{escape(link)}</link>\n'
            f'<description>{escape(title)}</description>\n{items}</channel>\n</rss>\n')


def _paragraphs(item: dict) -> str:
    return "".join(f"<p>{escape(p)}</p>\n" for p in item["paragraphs"])


def _lines(item: dict) -> str:
    return escape("\n".join(item["paragraphs"]))


def _of(items: list[dict], lang: str) -> list[dict]:
    return [item for item in items if item["lang"] == lang]


def _roc(day: str) -> tuple[int, str, str]:
    found = date.fromisoformat(day)
    return found.year - 1911, f"{found.month:02d}", f"{found.day:02d}"


# -- president.gov.tw -------------------------------------------------------------------------


def president_sites() -> dict[str, dict[str, Page]]:
    items = load("tw_president")
    zh, en = {}, {}
    entries = "".join(
        f"<item>\n<title>{escape(i['title'])}</title>\n<link>{PRESIDENT}/NEWS/{i['id']}</link>\n"
        f"<description>{escape(i['summary'])}</description>\n<pubDate>{_gmt(i)}</pubDate>\n"
        f"</item>\n" for i in _of(items, "zh-Hant"))
    zh["/RSSNEWS.aspx"] = Page(_rss("總統府新聞", PRESIDENT + "/", entries).encode(), "feed", XML)
    for item in _of(items, "zh-Hant"):
        year, month, day = _roc(item["date"])
        other = (f'<div class="btnBar"><a href="{PRESIDENT_EN}/News/{item["edition"]}">English'
                 f'</a></div>\n' if item.get("edition") else "")
        subtitle = (f'<div class="pageTitle2">{escape(item["subtitle"])}</div>\n'
                    if item.get("subtitle") else "")
        html = ('<!DOCTYPE html>\n<html lang="zh-Hant-TW">\n<head>\n'
                '<title>總統府新聞 - 中華民國總統府</title>\n'
                '<meta property="og:title" content="總統府新聞" />\n</head>\n<body>\n'
                '<header><nav><a href="/Page/35">新聞稿</a></nav></header>\n'
                '<div class="pageWrap1">\n'
                f'<div class="pageDate1"><span class="date">{year}年{month}月{day}日</span></div>\n'
                f'<div class="pageTitle1">{escape(item["title"])}</div>\n{subtitle}'
                f'<div class="article1">\n{_paragraphs(item)}</div>\n{other}</div>\n'
                '<footer><span class="date">115年01月01日</span></footer>\n</body>\n</html>\n')
        # The site sends text/html without a charset (SOURCES-NEW.md §1).
        zh[f"/NEWS/{item['id']}"] = _html(html, content_type="text/html")
    entries = "".join(
        f"<item>\n<title>{escape(i['title'])}</title>\n<link>{PRESIDENT_EN}/News/{i['id']}"
        f"</link>\n<description>{escape(_paragraphs(i))}</description>\n"
        f"<pubDate>{_gmt(i)}</pubDate>\n</item>\n" for i in _of(items, "en"))
    en["/RSSNEWS.aspx"] = Page(_rss("Office of the President - News Releases",
                                    PRESIDENT_EN + "/", entries).encode(), "feed", XML)
    return {"tw_president": zh, site_id("tw_president", "base_url_en"): en}


# -- ey.gov.tw (the Executive Yuan, and the trade negotiators' sub-site) ----------------------


def _ey_zh_page(item: dict, site_title: str) -> str:
    year, month, day = _roc(item["date"])
    return ('<!DOCTYPE html>\n<html lang="zh-Hant">\n<head>\n'
            '<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />\n'
            f'<title>{escape(item["title"])}-{site_title}</title>\n</head>\n<body id="PageBody">\n'
            '<section class="content-wrap"><div class="container"><div class="row">'
            '<div class="col-8">\n'
            f'<span class="h2">{escape(item["title"])}</span>\n'
            f'<p class="first_p"><span class="date_style2"><span>日期：{year}-{month}-{day}</span>'
            '<br />資料來源：行政院</span></p>\n'
            f'<div class="data_left"><div class="words_content">\n{_paragraphs(item)}</div>\n'
            '<!--相關照片--><div class="other_link"><a href="/Page/6485009ABEC1CB9C">相關連結</a>'
            '</div></div>\n</div><div class="col-4 right_content"><a href="/Page/B31C61707D4FEEEF">'
            f'部會新聞</a></div></div></div></section>\n<footer>{site_title}</footer>\n'
            '</body>\n</html>\n')


def _ey_listing(items: list[dict], link, title: str, lang: str) -> str:
    boxes = "".join(
        f'<div class="news_box pdf_box"><a href="{link(i)}" title="{escape(i["title"])}">'
        f'<span class="title">{escape(i["title"])}</span><span class="date">'
        f'{_listing_day(i["date"], lang)}</span></a></div>\n' for i in items)
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta http-equiv="Content-Type" '
            f'content="text/html; charset=utf-8" />\n<title>{title}</title>\n</head>\n'
            f'<body id="PageBody">\n<div class="container">\n{boxes}</div>\n</body>\n</html>\n')


def _listing_day(day: str, lang: str) -> str:
    if lang == "en":
        return day
    year, month, dd = _roc(day)
    return f"{year}-{month}-{dd}"


def executive_yuan_sites() -> dict[str, dict[str, Page]]:
    items = load("tw_executive_yuan")
    zh, en = {}, {}
    entries = ""
    for item in _of(items, "zh-Hant"):
        body = (f"<description>{escape(_paragraphs(item))}</description>\n"
                if item.get("feed_body") else "")
        entries += (f"<item>\n<title>{escape(item['title'])}</title>\n"
                    f"<link>https://www.ey.gov.tw{EY_NODE}{item['id']}</link>\n{body}"
                    f"<author>epaper@ey.gov.tw</author>\n<pubDate>{_gmt(item)}</pubDate>\n"
                    f"</item>\n")
        zh[f"{EY_NODE}{item['id']}"] = _html(_ey_zh_page(item, "本院新聞-行政院"))
    zh["/RSS_Content.aspx?ModuleType=3"] = _feed(_rss("本院新聞 - 行政院",
                                                      "https://www.ey.gov.tw/", entries))
    english = _of(items, "en")
    en["/Page/5A898E83D438145A"] = _html(_ey_listing(
        english, lambda i: f"{EY_EN_NODE}{i['id']}",
        "Executive Yuan Press Releases-Executive Yuan, R.O.C. (Taiwan)", "en"), "listing")
    for item in english:
        en[f"{EY_EN_NODE}{item['id']}"] = _html(
            '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8" />'
            f'\n<title>{escape(item["title"])} (Executive Yuan, R.O.C. (Taiwan)-Executive Yuan '
            'Press Releases Detail)</title></head>\n<body id="PageBody"><section class='
            '"content-wrap"><div class="container">\n<div class="top_control"><h2 class='
            f'"main_h2">{escape(item["title"])}</h2></div>\n<div class="share"><p class='
            f'"first_p"><span class="date_style2"><span>Date:&nbsp;{item["date"]}</span><br />'
            'Source:&nbsp;Department of Information Services, Executive Yuan</span></p></div>\n'
            '<div class="words graybg ail  noimg"><div class="words_content"><div class='
            f'"data_left ">\n{_paragraphs(item)}</div></div></div>\n</div></section></body>'
            '</html>\n')
    return {"tw_executive_yuan": zh, site_id("tw_executive_yuan", "base_url_en"): en}


def trade_negotiations_site() -> dict[str, dict[str, Page]]:
    items = load("tw_trade_negotiations")
    pages = {"/otn/8E7CF7585049FAB6": _html(_ey_listing(
        items, lambda i: f"/otn/{i['node']}/{i['id']}", "新聞與公告-行政院經貿談判辦公室",
        "zh-Hant"), "listing")}
    for item in items:
        pages[f"/otn/{item['node']}/{item['id']}"] = _html(
            _ey_zh_page(item, "行政院經貿談判辦公室"))
    return {"tw_trade_negotiations": pages}


# -- the gov.tw RSS profile: MOEA, the Department of Investment Review ------------------------


def _gov_tw_item(item: dict, link: str, oid: str, news_id: str) -> str:
    body = _lines(item) if item.get("feed_body") else ""
    return (f"<item>\n<title><![CDATA[{item['title']}]]></title>\n<link>{escape(link)}</link>\n"
            f"<description>{body}</description>\n<author>{oid}</author>\n"
            f"<pubDate>{_gmt(item)}</pubDate>\n<dc:creator>{oid}</dc:creator>\n"
            f"<dc:publisher>{oid}</dc:publisher>\n<dc:identifier>{oid}</dc:identifier>\n"
            f"<dc:date>{_gmt(item)}</dc:date>\n<NewsID>{news_id}</NewsID>\n"
            f"<IsDeleteNews>N</IsDeleteNews>\n</item>\n")


def _gov_tw_feed(title: str, link: str, items: str, deleted_id: str) -> Page:
    deleted = ("<item>\n<title></title>\n<link></link>\n<description></description>\n"
               "<pubDate>Sat, 12 Sep 2026 02:00:00 GMT</pubDate>\n"
               f"<NewsID>{deleted_id}</NewsID>\n<IsDeleteNews>Y</IsDeleteNews>\n</item>\n")
    namespaces = (' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xsi="http://www.w3.org/'
                  '2001/XMLSchema-instance" xsi:schemaLocation="http://www.gov.tw/schema/'
                  'RSS20.xsd"')
    # Served as text/xml without a charset, as such servers do (SOURCES-NEW.md §3).
    return Page(_rss(title, link, items + deleted, namespaces).encode("utf-8"), "feed",
                "text/xml")


def moea_site() -> dict[str, dict[str, Page]]:
    items = load("tw_moea")
    pages = {}
    feeds = {"zh-Hant": ("/Mns/populace/news/NewsRSSdetail.aspx?Kind=1", "經濟部-本部新聞"),
             "en": ("/Mns/english/news/NewsRSSdetail.aspx?Kind=6", "MOEA - News")}
    oid = "2.16.886.101.20003.20007"
    for lang, (path, title) in feeds.items():
        entries = "".join(_gov_tw_item(i, f"https://www.moea.gov.tw{MOEA_PATHS[lang]}{i['id']}",
                                       oid, i["id"]) for i in _of(items, lang))
        pages[path] = _gov_tw_feed(title, "https://www.moea.gov.tw/", entries, "123440")
        for item in _of(items, lang):
            clock = (item.get("time") or "00:00")[:5]
            body = "<br>".join(escape(p) for p in item["paragraphs"])
            pages[MOEA_PATHS[lang] + item["id"]] = _html(
                f'<!DOCTYPE html>\n<html lang="zh-Hant-TW">\n<head>\n<meta charset="utf-8">\n'
                f'<title>{escape(item["title"])}-經濟部</title>\n</head>\n<body>\n'
                '<div class="div-main">\n<div class="div-info-kind">本部新聞</div>\n'
                f'<h2 class="div-info-title">{escape(item["title"])}</h2>\n'
                f'<div class="div-begin-date">{item["date"]} {clock}</div>\n'
                f'<div class="div-left-info">{body}</div>\n</div>\n</body>\n</html>\n')
    return {"tw_moea": pages}


def investment_review_site() -> dict[str, dict[str, Page]]:
    items = load("tw_investment_review")
    pages = {}
    feeds = {"zh-Hant": ("/rss-news-zh-tw.xml", "經濟部投資審議委員會-最新消息"),
             "en": ("/rss-news-en-us.xml", "Department of Investment Review - Latest News")}
    oid = "2.16.886.101.20003.20007.20006"
    for lang, (path, title) in feeds.items():
        code = DIR_LANG[lang]
        entries = "".join(_gov_tw_item(
            i, f"http://www.moeaic.gov.tw/news.view?id={i['id']}&lang={code}&type=new_ann"
               f"&do=data", oid, f"N{code}{i['id']}") for i in _of(items, lang))
        pages[path] = _gov_tw_feed(title, "http://www.moeaic.gov.tw/", entries, f"N{code}990")
        for item in _of(items, lang):
            # the spider asks for the canonical address: its query sorted
            key = f"/news.view?do=data&id={item['id']}&lang={code}&type=new_ann"
            pages[key] = _html(
                '<!DOCTYPE html>\n<html lang="zh-Hant">\n<head><meta charset="UTF-8">'
                '<title>經濟部投資審議司(Department of Investment Review, MOEA)</title></head>\n'
                '<body>\n<table id="newsOne" class="table">\n'
                f'<tr><th>發佈主旨</th><td>{escape(item["title"])}</td></tr>\n'
                f'<tr><th>發佈時間</th><td>{item["date"]}</td></tr>\n'
                f'<tr><th>發佈內容</th><td id="con"><div>{_paragraphs(item)}</div></td></tr>\n'
                '</table>\n</body>\n</html>\n')
    return {"tw_investment_review": pages}


def trade_administration_site() -> dict[str, dict[str, Page]]:
    items = load("tw_trade_administration")
    pages = {}
    feeds = {"zh-Hant": ("/RSS/List.aspx?nodeID=40", "經濟部國際貿易署-新聞稿"),
             "en": ("/English/RSS/List.aspx?nodeID=90", "Trade Administration, MOEA - News")}
    for lang, (path, title) in feeds.items():
        entries = "".join(
            f"<item>\n<title>{escape(i['title'])}</title>\n<link>https://www.trade.gov.tw"
            f"{TRADE_PATHS[lang]}?nodeID={i['node']}&amp;pid={i['id']}</link>\n"
            f"<description>{_lines(i)}</description>\n<pubDate>{_gmt(i)}</pubDate>\n</item>\n"
            for i in _of(items, lang))
        pages[path] = _feed(_rss(title, "https://www.trade.gov.tw/", entries))
    return {"tw_trade_administration": pages}


# -- ustr.gov and whitehouse.gov -------------------------------------------------------------


def ustr_site() -> dict[str, dict[str, Page]]:
    items = load("ustr")
    pages = {}
    entries = "".join(
        f"<item>\n<title>{escape(i['title'])}</title>\n<link>https://ustr.gov{i['path']}</link>\n"
        f"<description>{escape('<p>' + escape(i['paragraphs'][0][:180]) + '</p>')}"
        f"</description>\n<pubDate>{format_datetime(_moment(i, NEW_YORK))}</pubDate>\n"
        f"<dc:creator>ustr.admin</dc:creator>\n"
        f'<guid isPermaLink="false">{i["node"]} at https://ustr.gov</guid>\n</item>\n'
        for i in items)
    pages["/rss.xml"] = _feed(_rss("United States Trade Representative", "https://ustr.gov/",
                                   entries, ' xml:base="https://ustr.gov/" xmlns:dc='
                                            '"http://purl.org/dc/elements/1.1/"'))
    for item in items:
        pages[item["path"]] = _html(
            '<!DOCTYPE html>\n<html lang="en" dir="ltr">\n<head>\n<meta charset="utf-8" />\n'
            f'<title>{escape(item["title"])} | United States Trade Representative</title>\n'
            '</head>\n<body>\n<main role="main">\n<article role="article" class="node '
            f'node--type-press-release">\n<h1 class="page-title">{escape(item["title"])}</h1>\n'
            '<div class="clearfix text-formatted field field--name-body">\n'
            f'{_paragraphs(item)}</div>\n</article>\n</main>\n</body>\n</html>\n')
    return {"ustr": pages}


def white_house_site() -> dict[str, dict[str, Page]]:
    items = load("white_house")
    feeds: dict[int, str] = {}
    for item in items:
        link = f"https://www.whitehouse.gov/presidential-actions/{item['month']}/{item['slug']}/"
        kind = item["kind"]
        widget = ""
        if item.get("pdf"):
            pdf = f"https://www.whitehouse.gov/wp-content/uploads/{item['month']}/{item['pdf']}.pdf"
            widget = (f'<div class="wp-block-file"><a href="{pdf}">{item["pdf"]}</a><a href="'
                      f'{pdf}" class="wp-block-file__button" download>Download</a></div>\n')
        content = ('<div class="wp-block-whitehouse-topper"><h1 class="wp-block-whitehouse-'
                   'topper__heading">Presidential Actions</h1><nav class="wp-block-whitehouse-'
                   f'topper__categories"><a href="#">{kind}</a></nav></div>\n'
                   f'{_paragraphs(item)}{widget}<p>The post <a href="{link}">'
                   f'{escape(item["title"])}</a> appeared first on <a href="https://www.'
                   'whitehouse.gov">The White House</a>.</p>\n')
        moment = _moment(item, NEW_YORK).astimezone(timezone.utc)
        feeds[item.get("page", 1)] = feeds.get(item.get("page", 1), "") + (
            f"<item>\n<title>{escape(item['title'])}</title>\n<link>{link}</link>\n"
            f"<dc:creator><![CDATA[The White House]]></dc:creator>\n"
            f"<pubDate>{format_datetime(moment)}</pubDate>\n"
            f"<category><![CDATA[Presidential Actions]]></category>\n"
            f"<category><![CDATA[{kind}]]></category>\n"
            f'<guid isPermaLink="false">https://www.whitehouse.gov/?p={item["post"]}</guid>\n'
            f"<description><![CDATA[{item['paragraphs'][0][:120]} [&#8230;]]]></description>\n"
            f"<content:encoded><![CDATA[{content}]]></content:encoded>\n</item>\n")
    namespaces = (' xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://'
                  'purl.org/dc/elements/1.1/"')
    pages = {}
    for number, entries in feeds.items():
        key = "/presidential-actions/feed/" + (f"?paged={number}" if number > 1 else "")
        pages[key] = _feed(_rss("Presidential Actions – The White House",
                                "https://www.whitehouse.gov/presidential-actions/", entries,
                                namespaces))
    return {"white_house": pages}


def declared_sites() -> dict[str, dict[str, Page]]:
    sites: dict[str, dict[str, Page]] = {}
    for build in (president_sites, executive_yuan_sites, moea_site, trade_negotiations_site,
                  investment_review_site, trade_administration_site, ustr_site,
                  white_house_site):
        sites.update(build())
    return sites
