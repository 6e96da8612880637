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
    page = parse(rendered_dom(server, "/chipwatch/reading"))
    total = len(browse_demo.fr_documents()) + len(browse_demo.synthetic_documents(RECENT))
    assert len(page.rows) == total
    assert page.links["Revisions to the Entity List"].startswith(
        "https://www.federalregister.gov/documents/2026/08/24/2026-17231/")
    titles = " ".join(page.facet_titles)
    for facet in ("categories", "source", "language", "date"):
        assert facet in titles, titles
    assert "export_control" in page.links and "tariff" in page.links
    screenshot(server, "/chipwatch/reading", "reading.png")


def test_a_chinese_search_shows_both_scripts(server):
    page = parse(rendered_dom(server, "/chipwatch/reading?_search=" + quote("關稅")))
    shown = {row[0] for row in page.rows}
    assert shown == {"测试报告二", "測試報告三"}


def test_the_timeline_draws_its_charts(server):
    html = rendered_dom(server, "/-/dashboards/timeline")
    for card in ("card-by-category", "card-by-source"):
        match = re.search(rf'id="{card}".*?(<svg[^>]*class="marks"|<canvas)', html, re.S)
        assert match, f"{card} has no drawn chart"
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
    for path in ("/2026/08/14/2026-16628/", "/2026/08/28/C1-2026-16628/"):  # titles link
        assert f'href="https://www.federalregister.gov/documents{path}' in dom
    screenshot(server, href, "event.png", height=900)
