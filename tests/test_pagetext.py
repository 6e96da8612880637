"""The one text extractor for article bodies, on small pages written for these tests and on
the saved article pages of every HTML source."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse, Request

from crawler.pagetext import article_text, split_us_dateline
from tests.conftest import FIXTURES


def body(html: str, selector: str = "body"):
    url = "https://example.org/a"
    response = HtmlResponse(url=url, body=f"<html><body>{html}</body></html>".encode(),
                            encoding="utf-8", request=Request(url))
    return response.css(selector)[0]


def test_paragraphs_kept_and_page_furniture_dropped():
    node = body("""<nav><a href="/">Home</a></nav><header>Site header</header>
      <p>First   paragraph,
         over two lines.</p>
      <form><label>Search</label><button>Go</button></form>
      <script>var x = "not text";</script><style>p {}</style>
      <div>Loose text in a division<div>and a nested one</div>then its tail.</div>
      <aside>Related</aside><footer>Site footer</footer>""")
    assert article_text(node) == ("First paragraph, over two lines.\n\nLoose text in a division"
                                  "\n\nand a nested one\n\nthen its tail.")


def test_inline_runs_gain_no_spaces_and_table_cells_are_spaced():
    node = body("<p>China<span>’</span>s <b>chip</b>s</p><p>台積<em>公司</em>董事會</p>"
                "<table><tr><th>Entity</th><th>Country</th></tr>"
                "<tr><td>A Corp.</td><td>China</td></tr></table>")
    assert article_text(node).split("\n\n") == ["China’s chips", "台積公司董事會",
                                                "Entity Country", "A Corp. China"]


def test_line_breaks_end_paragraphs_and_comments_keep_their_tails():
    node = body("<div>Line one<br>Line two<!-- a comment --> goes on</div>")
    assert article_text(node) == "Line one\n\nLine two goes on"


def test_dropped_selectors_and_nodes_keep_the_text_that_follows_them():
    node = body('<div class="x"><p>Keep</p><div class="ad">Buy now</div>tail kept'
                '<p id="h">Header line</p><p>Also kept</p></div>')
    header = node.css("#h")[0]
    assert article_text(node, drop=("div.ad", header)) == "Keep\n\ntail kept\n\nAlso kept"


def test_skipped_texts_are_compared_without_case_or_spacing():
    node = body("<h2>The Title</h2><p>Body.</p><p class='c'>###</p>")
    assert article_text(node, skip=("the  title", "###", "")) == "Body."


def test_nothing_to_read():
    assert article_text(None) == ""
    assert article_text(body("<script>x</script>")) == ""


@pytest.mark.parametrize("text, place, rest", [
    ("WASHINGTON, D.C. – Today, the Bureau…\n\nMore.", "WASHINGTON, D.C.",
     "Today, the Bureau…\n\nMore."),
    ("WASHINGTON — Today.", "WASHINGTON", "Today."),
    ("Today, the Department of Commerce – in a statement – said.", "", None),
    ("US – a dash after two capitals is not a dateline.", "", None),
])
def test_us_datelines(text, place, rest):
    assert split_us_dateline(text) == (place, text if rest is None else rest)


@pytest.mark.parametrize("path, selector", [
    ("commerce/article-sme-controls-2024-12.html", ".field--name-body"),
    ("bis/press-release-cadence.html", ".press-release-container"),
    ("tsmc/english_news_3343.html", "div.field--name-body"),
    ("trendforce/en_20260828-13204.html", "div.presscenter"),
])
def test_saved_article_pages_give_paragraphs_and_no_markup(path, selector):
    url = "https://example.org/a"
    response = HtmlResponse(url=url, body=(FIXTURES / path).read_bytes(), encoding="utf-8",
                            request=Request(url))
    text = article_text(response.css(selector)[0])
    paragraphs = text.split("\n\n")
    assert len(paragraphs) >= 2
    assert all(p == p.strip() and "  " not in p for p in paragraphs)
    assert "<" not in text and "\x00" not in text
