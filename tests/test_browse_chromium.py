"""What a person sees: headless Chromium opens `chipwatch browse` served on 127.0.0.1.

Needs Debian's `chromium` (`make browser` installs it; `make test` runs that first). Skips,
saying so, only when no chromium can be found. Every step is bounded by a timeout."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date, timedelta
from html.parser import HTMLParser
from urllib.parse import quote

import pytest

from tests import browse_demo
from tests.conftest import ROOT, write_config

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no chromium on PATH: install Debian's chromium (`make browser`, run by `make test`)")

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]
RECENT = (date.today() - timedelta(days=1)).isoformat()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`chipwatch browse` on a free loopback port, over the demo store plus Chinese documents."""
    tmp = tmp_path_factory.mktemp("chromium")
    db_path = tmp / "chipwatch.db"
    browse_demo.build(db_path, newest=date.today() - timedelta(days=30),
                      extra=browse_demo.synthetic_documents(RECENT),
                      extra_tags=browse_demo.SYNTHETIC_TAGS).close()
    config = write_config(tmp, {})
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tracker.cli", "browse", "--config", str(config),
         "--db", str(db_path), "--port", str(port)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/-/versions.json", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read().decode() if process.poll() is not None else ""
                    pytest.fail(f"chipwatch browse did not start on {url}: {output}")
                time.sleep(0.2)
        yield {"url": url, "tmp": tmp}
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def chromium(tmp, *args: str) -> subprocess.CompletedProcess:
    profile = tmp / f"profile-{time.monotonic_ns()}"
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=90)


def rendered_dom(server, path: str) -> str:
    result = chromium(server["tmp"], "--virtual-time-budget=8000", "--dump-dom",
                      server["url"] + path)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def screenshot(server, path: str, name: str, height: int = 1200):
    target = server["tmp"] / name
    result = chromium(server["tmp"], "--virtual-time-budget=8000", "--hide-scrollbars",
                      f"--window-size=1400,{height}", f"--screenshot={target}",
                      server["url"] + path)
    assert result.returncode == 0, result.stderr[-2000:]
    data = target.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    print(f"screenshot: {target}")
    return target


class Page(HTMLParser):
    """The visible text of table cells, facet headings and links of a Datasette page."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self.facet_titles: list[str] = []
        self.links: dict[str, str] = {}
        self._stack: list[tuple[str, dict]] = []
        self._href = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and self._inside("tbody"):
            self.rows.append([])
        if tag in ("td", "a", "p", "strong"):
            self._text = []
        if tag == "a":
            self._href = attrs.get("href")
        if tag not in ("br", "img", "input", "meta", "link"):
            self._stack.append((tag, attrs))

    def handle_endtag(self, tag):
        text = " ".join("".join(self._text).split())
        if tag == "td" and self.rows:
            self.rows[-1].append(text)
        if tag == "a" and self._href:
            self.links[text] = self._href
        if tag == "strong" and self._inside_class("facet-info-name"):
            self.facet_titles.append(text)
        while self._stack:
            if self._stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        self._text.append(data)

    def _inside(self, tag):
        return any(t == tag for t, _ in self._stack)

    def _inside_class(self, name):
        return any(name in (a.get("class") or "").split() for _, a in self._stack)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def test_the_reading_page_shows_rows_links_and_facets(server):
    dom = rendered_dom(server, "/chipwatch/reading")
    page = parse(dom)
    total = len(browse_demo.fr_documents()) + len(browse_demo.synthetic_documents(RECENT))
    assert len(page.rows) == total
    # the title opens the document's page; the site's name under it, the source
    assert page.links["Revisions to the Entity List"] == \
        "/chipwatch/document?id=federal_register%3A2026-17231"
    assert ('href="https://www.federalregister.gov/documents/2026/08/24/2026-17231/'
            'revisions-to-the-entity-list"') in dom
    titles = " ".join(page.facet_titles)
    for facet in ("categories", "source", "language", "month"):
        assert facet in titles, titles
    assert "export_control" in page.links and "tariff" in page.links
    # the table comes first, the facets beside it; no internal column is shown
    assert dom.index('class="rows-and-columns"') < dom.index('class="facet-results"')
    headers = re.findall(r'<th class="col-([\w-]+)"', dom)
    assert headers == ["title", "date", "source", "language", "categories", "relevance",
                       "evidence"]
    months = re.findall(r'href="[^"]*month=(\d{4}-\d{2})"', dom)
    assert months and all(len(m) == 7 for m in months)  # the date facet is by month
    screenshot(server, "/chipwatch/reading", "reading.png")


def test_a_category_page_reads_like_a_list(server):
    dom = rendered_dom(server, "/chipwatch/export_control")
    page = parse(dom)
    assert "Custom SQL query" not in dom and "sql-query" not in dom  # no SQL on top
    headers = re.findall(r'<th class="col-([\w-]+)"', dom)
    assert headers and not [h for h in headers if h.startswith("atom") or h in ("url",
                                                                                 "event_id")]
    drone = page.links["Streamlining Export Controls for Drone Exports"]
    assert drone.startswith("/chipwatch/event?id=")  # titles are links to the event
    assert page.links["Atom feed"].endswith("/chipwatch/export_control.atom")
    screenshot(server, "/chipwatch/export_control", "category.png", height=900)
    this_week = parse(rendered_dom(server, "/chipwatch/this_week"))
    assert "Test release: incentives award for a new fab" in this_week.links


def test_a_document_page(server):
    reading = parse(rendered_dom(server, "/chipwatch/reading"))
    href = reading.links["Revisions to the Entity List"]
    dom = rendered_dom(server, href)
    page = parse(dom)
    assert "<h1" in dom and "Revisions to the Entity List</h1>" in dom
    assert "Federal Register" in dom and "2026-" in dom
    # the tag, its score and relevance, its evidence with the words that matched marked
    assert "categories__arraycontains=export_control" in page.links["Export controls"]
    assert re.search(r"<mark>Entity List</mark>", dom, re.I)
    assert "relevance <strong>core</strong>" in dom
    # both footnotes, ready to copy
    assert "“Revisions to the Entity List,” Federal Register," in dom
    assert "《Revisions to the Entity List》，美國聯邦公報，" in dom
    assert dom.count('class="chipwatch-copy"') == 2
    # its event, and the way back
    assert page.links["its event"].startswith("/chipwatch/event?id=")
    for section in ("Tags", "Facts", "Its event", "Editions", "Revisions", "Text"):
        assert f"<h2>{section}</h2>" in dom, section
    screenshot(server, href, "document.png", height=1500)
    missing = chromium(server["tmp"], "--virtual-time-budget=4000", "--dump-dom",
                       server["url"] + "/chipwatch/document?id=nothing:here")
    assert "There is no document" in missing.stdout


def test_a_bad_search_is_explained(server):
    for query in ('"', "-"):
        dom = rendered_dom(server, "/chipwatch/reading?_search=" + quote(query))
        assert "Invalid SQL" not in dom and "syntax error" not in dom
        assert "Nothing to search for." in dom and "no words to search for" in dom
        assert f'value="{query}"' in dom.replace("&quot;", '"')  # what was typed stays
    screenshot(server, "/chipwatch/reading?_search=" + quote('"'), "bad-search.png",
               height=700)


def test_a_chinese_search_shows_both_scripts(server):
    page = parse(rendered_dom(server, "/chipwatch/reading?_search=" + quote("關稅")))
    shown = {text for text, href in page.links.items() if href.startswith("/chipwatch/document")}
    assert shown == {"测试报告二", "測試報告三"} and len(page.rows) == 2


def test_the_timeline_draws_its_charts(server):
    html = rendered_dom(server, "/-/dashboards/timeline")
    for card in ("card-by-category", "card-by-source"):
        match = re.search(rf'id="{card}".*?(<svg[^>]*class="marks"|<canvas)', html, re.S)
        assert match, f"{card} has no drawn chart"
    # a real time axis from the first document's week on, the empty weeks between included
    # (the documents span almost three years in a dozen weeks; an ordinal axis would list
    # only those weeks)
    first = min(d["published"] for d in browse_demo.shifted(browse_demo.fr_documents(),
                                                            date.today() - timedelta(days=30)))
    first_month = date.fromisoformat(first).strftime("%B %Y")
    axes = re.findall(r"X-axis titled '[^']*' for a (\w+) scale with values from "
                      r"(\w+ \d{4}) to (\w+ \d{4})", html)
    assert axes == [("utc", first_month, axes[0][2])] * 2, axes
    assert "Events per category per week" in html
    assert "export_control" in html  # the legend
    index = parse(rendered_dom(server, "/"))
    assert index.links["Timeline"] == "/-/dashboards/timeline"
    screenshot(server, "/-/dashboards/timeline", "timeline.png", height=1000)


def test_the_events_page_and_an_event_page(server):
    page = parse(rendered_dom(server, "/chipwatch/event_reading"))
    total = len(browse_demo.fr_documents()) + len(browse_demo.synthetic_documents(RECENT))
    assert len(page.rows) == total - 1  # a rule and its correction are one event
    titles = " ".join(page.facet_titles)
    for facet in ("categories", "sources", "languages", "relevance"):
        assert facet in titles, titles
    href = page.links["Streamlining Export Controls for Drone Exports"]
    assert href.startswith("/chipwatch/event?id=")
    screenshot(server, "/chipwatch/event_reading", "events.png")
    dom = rendered_dom(server, href)
    event = parse(dom)
    assert [row[1] for row in event.rows] == ["rule", "correction"]  # the role column
    assert any("is a correction of 2026-16628" in " ".join(row) for row in event.rows)
    for path in ("/2026/08/14/2026-16628/", "/2026/08/28/C1-2026-16628/"):  # its sources
        assert f'href="https://www.federalregister.gov/documents{path}' in dom
    for doc in ("2026-16628", "C1-2026-16628"):  # titles open the documents' pages
        assert f'href="/chipwatch/document?id=federal_register%3A{doc}"' in dom
    # the event's footnotes (its lead document's), ready to copy
    assert "“Streamlining Export Controls for Drone Exports,” Federal Register," in dom
    assert "《Streamlining Export Controls for Drone Exports》，美國聯邦公報，" in dom
    screenshot(server, href, "event.png", height=900)
