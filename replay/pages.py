"""Render the replayed sites from the data in `data/`: path (with query) -> page.

The markup follows the fixtures in tests/fixtures/<source>/ (and so SOURCES.md): Drupal
cards on commerce.gov, `li[data-date]` items and release headers on bis.gov, Drupal teasers
and `發佈單位 … 發佈日期` headers on pr.tsmc.com, `div.list-item` listings and `div.tag-row`
articles on TrendForce. Pure functions: no I/O beyond reading the data files.
"""

from __future__ import annotations

from datetime import date
from html import escape

from replay.declared import declared_sites
from replay.page import Page, load
from replay.sites import site_id

PER_PAGE = 5


def _page(html: str, kind: str) -> Page:
    return Page(html.encode("utf-8"), kind)


def _chunks(items: list, size: int = PER_PAGE) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)] or [[]]


def _us_day(day: date) -> str:
    return f"{day:%B} {day.day}, {day:%Y}"


# -- commerce.gov -----------------------------------------------------------------------------

COMMERCE_HEAD = """<!DOCTYPE html>
<html lang="en" dir="ltr" prefix="og: https://ogp.me/ns#">
<head>
<meta charset="utf-8" />
<title>{title} | U.S. Department of Commerce</title>
<meta property="og:site_name" content="U.S. Department of Commerce" />
<meta property="og:title" content="{title}" />
{extra}</head>
<body class="path-news">
<div class="usa-banner"><div class="usa-banner__inner">An official website of the United States government</div></div>
<header role="banner" class="usa-header usa-header--extended">
  <nav role="navigation" aria-label="Main navigation" class="usa-nav"><ul class="usa-nav__primary">
    <li><a href="/about">About</a></li><li><a href="/issues">Issues</a></li><li><a href="/news">News</a></li>
  </ul></nav>
</header>
<main role="main" id="main-content">
"""
COMMERCE_FOOT = """</main>
<footer class="usa-footer" role="contentinfo"><p class="usa-footer__address">U.S. Department of Commerce, 1401 Constitution Ave NW, Washington, DC 20230</p></footer>
</body>
</html>
"""


def _commerce_fields(item: dict) -> str:
    issues = "".join(f'<div class="field__item"><a href="/issues/x">{escape(t)}</a></div>'
                     for t in item["issues"])
    tags = "".join(f'<div class="field__item"><a href="/tags/x">{escape(t)}</a></div>'
                   for t in item["tags"])
    html = ""
    if issues:
        html += ('<div class="field field--name-field-issues"><div class="field__label">Issues'
                 f'</div><div class="field__items">{issues}</div></div>\n')
    if tags:
        html += ('<div class="field field--name-field-tags"><div class="field__label">Tags'
                 f'</div><div class="field__items">{tags}</div></div>\n')
    return html


def _commerce_time(item: dict) -> str:
    attr = f' datetime="{item["datetime"]}"' if item.get("datetime") else ""
    return (f'<div class="field field--name-field-release-datetime field__item">'
            f'<time{attr} class="datetime">{escape(item["date_text"])}</time></div>')


def _teaser(item: dict, limit: int = 200) -> str:
    text = item["paragraphs"][0] if item["paragraphs"] else ""
    for lead in ("WASHINGTON – ", "WASHINGTON - ", "WASHINGTON, D.C. – "):
        text = text.removeprefix(lead)
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


def commerce_site() -> dict[str, Page]:
    items = load("commerce")
    pages: dict[str, Page] = {}
    chunks = _chunks(items)
    for number, chunk in enumerate(chunks):
        cards = "".join(
            '<div class="views-row"><article role="article" class="node node--type-news '
            'node--view-mode-teaser">\n'
            '<div class="field field--name-field-news-type field__item">Press Release</div>\n'
            f'<h2 class="node__title"><a href="{item["path"]}" rel="bookmark"><span>'
            f'{escape(item["title"])}</span></a></h2>\n{_commerce_time(item)}\n'
            f'<div class="field field--name-body field__item">{escape(_teaser(item))}</div>\n'
            f'{_commerce_fields(item)}</article></div>\n' for item in chunk)
        pager = ""
        if number + 1 < len(chunks):
            pager = (f'<nav class="pager"><ul class="pager__items"><li class="pager__item '
                     f'pager__item--next"><a href="?page={number + 1}" rel="next">Next ›</a>'
                     f'</li></ul></nav>')
        html = (COMMERCE_HEAD.format(title="Press Releases", extra="")
                + '<h1 class="page-title">Press Releases</h1>\n<div class="view view-news">'
                + f'<div class="view-content">\n{cards}</div>{pager}</div>\n' + COMMERCE_FOOT)
        key = "/news/press-releases" + (f"?page={number}" if number else "")
        pages[key] = _page(html, "listing")
    for item in items:
        body = "".join(f"<p>{escape(p)}</p>\n" for p in item["paragraphs"])
        extra = (f'<link rel="canonical" href="https://www.commerce.gov{item["path"]}" />\n')
        html = (COMMERCE_HEAD.format(title=escape(item["title"]), extra=extra)
                + '<article role="article" class="node node--type-news node--view-mode-full">\n'
                '<div class="field field--name-field-news-type field__item">Press Release</div>\n'
                f'<h1 class="page-title"><span>{escape(item["title"])}</span></h1>\n'
                f'{_commerce_time(item)}\n'
                '<div class="text-formatted field field--name-body field__item">\n'
                f'{body}</div>\n{_commerce_fields(item)}</article>\n' + COMMERCE_FOOT)
        pages[item["path"]] = _page(html, "article")
    return pages


# -- bis.gov ----------------------------------------------------------------------------------

BIS_HEAD = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<title>{title} | Bureau of Industry and Security</title>
{extra}</head>
<body>
<header class="bg-primary text-white"><nav aria-label="Main"><ul class="flex gap-4">
<li><a href="/">Home</a></li><li><a href="/news-updates">News &amp; Updates</a></li></ul></nav></header>
<main id="main-content" class="container mx-auto px-4">
"""
BIS_FOOT = """</main>
<footer class="mt-12 border-t py-6 text-sm">Bureau of Industry and Security, U.S. Department of Commerce</footer>
</body>
</html>
"""


def bis_site() -> dict[str, Page]:
    items = load("bis")
    pages: dict[str, Page] = {}
    chunks = _chunks(items)
    for number, chunk in enumerate(chunks):
        rows = []
        for item in chunk:
            day = date.fromisoformat(item["date"])
            tags = "".join(f'<a href="/news-updates?news={escape(t)}" class="rounded '
                           f'bg-finnishwinter px-2 py-1 text-xs">{escape(t)}</a>'
                           for t in item["tags"])
            rows.append(
                f'<li data-date="{item["date"]}"><div class="border-b border-finnishwinter py-6">'
                f'<a class="relative grid h-full rounded transition-all mb-4" '
                f'href="/press-release/{item["slug"]}"><div class="flex gap-2 text-sm">'
                f'<span>Press Release</span><span aria-hidden="true">|</span><span>BIS</span>'
                f'<span aria-hidden="true">|</span><span class="date">{_us_day(day)}</span></div>'
                f'<h3 class="mt-2 text-xl font-bold text-primary">{escape(item["title"])}</h3>'
                f'</a><div class="flex flex-wrap gap-2">{tags}</div></div></li>\n')
        pager = (f'<a href="/news-updates?page={number + 1}" rel="next">Next</a>'
                 if number + 1 < len(chunks) else '<span class="text-gray-400">Next</span>')
        html = (BIS_HEAD.format(title="News and Updates", extra="")
                + '<h1 class="text-4xl font-bold">News and Updates</h1>\n<section class="mt-6">'
                f'<p class="mt-4 text-sm">{len(items)} filtered results</p>\n'
                f'<ul class="mt-4 list-none">\n{"".join(rows)}</ul>\n'
                f'<nav aria-label="Pagination" class="mt-8 flex gap-4">{pager}</nav>\n'
                '</section>\n' + BIS_FOOT)
        key = "/news-updates" + (f"?page={number}" if number else "")
        pages[key] = _page(html, "listing")
    for item in items:
        day = date.fromisoformat(item["date"])
        body = "".join(f"<p>{escape(p)}</p>\n" for p in item["paragraphs"])
        tags = "".join(f'<a href="/news-updates?news={escape(t)}" class="rounded px-2 py-1 '
                       f'text-xs">{escape(t)}</a>' for t in item["tags"])
        extra = f'<link rel="canonical" href="https://www.bis.gov/press-release/{item["slug"]}"/>\n'
        html = (BIS_HEAD.format(title=escape(item["title"]), extra=extra)
                + '<div class="press-release-container mx-auto max-w-4xl mt-8">\n'
                '<div class="flex items-center gap-4 border-b pb-4"><h2 class="text-2xl '
                'font-bold uppercase">Bureau of Industry and Security</h2></div>\n'
                '<div class="mt-4 flex flex-wrap gap-2 text-sm font-semibold"><span>FOR '
                'IMMEDIATE RELEASE</span><span aria-hidden="true">|</span>'
                f'<span>{day:%A}, {_us_day(day)}</span><span aria-hidden="true">|</span>'
                '<span>Media Contact: Office of Congressional and Public Affairs, '
                '<a href="mailto:OCPA@bis.doc.gov">OCPA@bis.doc.gov</a></span></div>\n'
                f'<h2 class="mt-6 text-3xl font-bold text-primary">{escape(item["title"])}</h2>\n'
                f'<div class="prose mt-6 max-w-none">\n{body}<p class="text-center">###</p>\n'
                f'</div>\n<div class="mt-8 flex flex-wrap gap-2">{tags}</div>\n</div>\n'
                + BIS_FOOT)
        pages[f"/press-release/{item['slug']}"] = _page(html, "article")
    return pages


# -- pr.tsmc.com ------------------------------------------------------------------------------

TSMC_PATHS = {"en": "english", "zh-Hant": "chinese", "zh-Hans": "schinese"}
TSMC_LISTING = {"en": "Latest News", "zh-Hant": "最新消息", "zh-Hans": "最新消息"}
TSMC_PUBLISHER = {"zh-Hant": ("發佈單位", "台灣積體電路製造股份有限公司", "發佈日期"),
                  "zh-Hans": ("发布单位", "台湾积体电路制造股份有限公司", "发布日期")}


def _tsmc_frame(lang: str, title: str, content: str, extra: str = "") -> str:
    html_lang = {"en": "en", "zh-Hant": "zh-hant", "zh-Hans": "zh-hans"}[lang]
    return (f'<!DOCTYPE html>\n<html lang="{html_lang}" dir="ltr">\n<head>\n<meta charset="utf-8">\n'
            f'<title>{escape(title)} | TSMC</title>\n{extra}</head>\n'
            f'<body class="path-{TSMC_PATHS[lang]}">\n<header role="banner"><nav class="menu--main"><ul>'
            '<li><a href="/english/latest-news">English</a></li>'
            '<li><a href="/chinese/latest-news">繁體中文</a></li>'
            '<li><a href="/schinese/latest-news">简体中文</a></li></ul></nav></header>\n'
            f'<main role="main">\n{content}</main>\n<footer role="contentinfo"><p>Replay of '
            'pr.tsmc.com for the chipwatch demo (reconstructed).</p></footer>\n</body>\n</html>\n')


def tsmc_site() -> dict[str, Page]:
    items = load("tsmc")
    pages: dict[str, Page] = {}
    for lang, path in TSMC_PATHS.items():
        teasers = "".join(
            f'<div class="views-row"><article class="node node--type-news node--view-mode-teaser" '
            f'data-history-node-id="{item["id"]}">\n<a href="/{path}/news/{item["id"]}" '
            f'hreflang="{lang}">\n<div class="article-category">{escape(item["category"][lang])}'
            f'</div>\n<div class="article-title">{escape(item["title"][lang])}</div>\n'
            f'<time datetime="{item["date"]}T12:00:00Z">{item["date"].replace("-", "/")}</time>\n'
            '</a>\n</article></div>\n' for item in items)
        content = (f'<h1 class="page-title">{TSMC_LISTING[lang]}</h1>\n'
                   f'<div class="view-content">\n{teasers}</div>\n')
        pages[f"/{path}/latest-news"] = _page(_tsmc_frame(lang, TSMC_LISTING[lang], content),
                                              "listing")
        for item in items:
            title = item["title"][lang]
            day = date.fromisoformat(item["date"])
            paragraphs = list(item["body"][lang])
            if lang == "en":
                paragraphs[0] = (f"HSINCHU, Taiwan, R.O.C. – {_us_day(day)} – " + paragraphs[0])
            else:
                unit, name, when = TSMC_PUBLISHER[lang]
                paragraphs.insert(0, f"{unit} :{name} {when} : {item['date'].replace('-', '/')}")
            body = "".join(f"<p>{escape(p)}</p>\n" for p in paragraphs)
            content = (f'<article class="node node--type-news node--view-mode-full" '
                       f'data-history-node-id="{item["id"]}">\n<h1 class="page-title"><span '
                       f'class="field--name-title">{escape(title)}</span></h1>\n'
                       '<div class="node__content">\n<div class="field field--name-field-category">'
                       f'{escape(item["category"][lang])}</div>\n<div class="field '
                       f'field--name-body">\n{body}</div>\n<div class="articleSubInfo"><p>Contact: '
                       'Corporate Communications (reconstructed placeholder)</p></div>\n'
                       '</div>\n</article>\n')
            extra = (f'<meta property="og:title" content="{escape(title)}">\n'
                     f'<meta property="og:url" content="https://pr.tsmc.com/{path}/news/{item["id"]}">\n')
            pages[f"/{path}/news/{item['id']}"] = _page(_tsmc_frame(lang, title, content, extra),
                                                       "article")
    return pages


# -- TrendForce -------------------------------------------------------------------------------


def _tf_day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _tf_frame(title: str, content: str, lang: str, extra: str = "") -> str:
    return (f'<!DOCTYPE html>\n<html lang="{"en" if lang == "en" else "zh-CN"}">\n<head>\n'
            f'<meta charset="utf-8">\n<title>{escape(title)} | TrendForce</title>\n{extra}'
            '</head>\n<body>\n<nav class="navbar mega-menu"><a href="/presscenter/">Press Center'
            '</a> <a href="/news/">TrendForce News</a></nav>\n<div class="content">\n'
            f'{content}</div>\n<footer><a href="/presscenter/rss.html">RSS</a></footer>\n'
            '</body>\n</html>\n')


def trendforce_site(lang: str) -> dict[str, Page]:
    items = load("trendforce")[lang]
    pages: dict[str, Page] = {}
    chunks = _chunks(items)
    for number, chunk in enumerate(chunks, start=1):
        rows = "".join(
            '<div class="list-item"><div class="row"><div class="col-md-12 margin-t-20">\n'
            f'<h3 class="font-size-18"><a class="title-link" href="/presscenter/news/{item["id"]}'
            f'.html"><strong>{escape(item["title"])}</strong></a></h3>\n'
            '<h4 class="font-size-16 color-green margin-t-10"><strong>'
            f'{_tf_day(date.fromisoformat(item["date"]))}</strong></h4>\n'
            f'<p class="font-size-16">\n    {escape(item["body"][0])}\n</p>\n'
            '</div></div></div>\n' for item in chunk)
        has_next = number < len(chunks)
        pagination = (
            '<ul class="pagination">'
            f'<li class="page-note"><span>{len(items)} result(s)</span></li>'
            + (f'<li class="next"><a href="/presscenter/news?page={number + 1}">»</a></li>'
               if has_next else '<li class="next disabled"><span>»</span></li>')
            + f'<li class="last"><a href="/presscenter/news?page={len(chunks)}">Last</a></li></ul>')
        content = (f'<div class="container"><div class="list-items text-left">\n{rows}</div>\n'
                   f'{pagination}\n</div>\n')
        pages[f"/presscenter/news?page={number}"] = _page(
            _tf_frame("Press Center", content, lang), "listing")
    for item in items:
        day = date.fromisoformat(item["date"])
        body = "".join(f"<p>{escape(p)}</p>\n" for p in item["body"])
        content = (
            '<div class="presscenter">\n'
            f'<h1>{escape(item["title"])}</h1>\n<div class="tag-row">\n'
            f'<span><i class="fa fa-calendar"></i> {_tf_day(day)}</span>\n'
            f'<span><i class="fa fa-bookmark"></i> <a href="/presscenter/news/x">'
            f'{escape(item["category"])}</a></span>\n'
            '<span><i class="fa fa-user"></i> <a href="/presscenter/news/author/x">'
            'Placeholder Analyst</a></span>\n</div>\n'
            '<div class="content_ad"><a href="/research/">advertisement</a></div>\n'
            f'{body}<hr>\n</div>\n')
        extra = (f'<meta property="og:title" content="{escape(item["title"])} | TrendForce">\n'
                 f'<meta property="og:image" content="/upload/press/{item["id"][:8]}_090000_demo.jpg">\n')
        pages[f"/presscenter/news/{item['id']}.html"] = _page(
            _tf_frame(item["title"], content, lang, extra), "article")
    return pages


def build_sites() -> dict[str, dict[str, Page]]:
    """Every replayed site's pages by site id (see replay.sites); the Federal Register API is
    answered by the server."""
    return {"commerce": commerce_site(), "bis": bis_site(), "tsmc": tsmc_site(),
            "trendforce": trendforce_site("en"),
            site_id("trendforce", "base_url_zh"): trendforce_site("zh-Hans"),
            **declared_sites()}
