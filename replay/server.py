"""The replay server: one threaded HTTP listener on 127.0.0.1 per replayed site.

Every page carries an ETag, a Last-Modified date and `Cache-Control: max-age=0`, and a
conditional request for an unchanged page is answered `304 Not Modified`, as a well-behaved
site would: a second crawl revalidates its listings instead of downloading them again.
Federal Register searches (`/api/v1/documents.json`) are answered from the real results in
`data/federal_register.json` with the API's envelope, its `publication_date` filter, its
`per_page`/`page` paging and only the `fields[]` asked for; the full texts their
`raw_text_url` and `body_html_url` name are served from `data/federal_register_full_text/`.
Pages carry the content type their site sends (the Office of the President's none).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from replay.capture import captured_sites
from replay.page import DATA, Page, load
from replay.pages import build_sites
from replay.sites import replayed_sites

ROBOTS = b"User-agent: *\nAllow: /\n"
LAST_MODIFIED = "Fri, 02 Oct 2026 12:00:00 GMT"
FR_API = ("/api/v1/documents.json", "/api/v1/documents")
FULL_TEXT = re.compile(
    r"^/documents/full_text/(text|html)/\d{4}/\d{2}/\d{2}/([\w-]+)\.(txt|html)$")
FULL_TEXT_TYPES = {"txt": "text/plain; charset=utf-8", "html": "text/html; charset=utf-8"}


@dataclass
class Traffic:
    """What the replay served, per site: requests by kind, 304s and body bytes sent."""
    requests: dict = field(default_factory=dict)  # site -> {kind: count}
    not_modified: int = 0
    bytes_sent: int = 0

    def count(self, kind: str) -> int:
        return sum(kinds.get(kind, 0) for kinds in self.requests.values())

    @property
    def total(self) -> int:
        return sum(sum(kinds.values()) for kinds in self.requests.values())


class ReplayServer:
    """`with ReplayServer() as replay:` starts every site; `replay.base_urls` maps a site to
    its origin. `ports` asks for given ports (a demo run again reuses its addresses).
    `capture` serves a capture directory (`chipwatch capture`) instead: only its source's
    sites, each answering exactly what was recorded."""

    def __init__(self, ports: dict[str, int] | None = None, capture: Path | None = None):
        self.captured = capture is not None
        if capture is not None:
            source, self.sites = captured_sites(capture)
            self.fr_results: list[dict] = []
            wanted = [site for site, (name, _) in replayed_sites().items() if name == source]
        else:
            self.sites = build_sites()
            self.fr_results = load("federal_register")
            wanted = list(replayed_sites())
        self._lock = threading.Lock()
        self.traffic = Traffic()
        self._servers: dict[str, ThreadingHTTPServer] = {}
        self._threads: list[threading.Thread] = []
        ports = ports or {}
        try:
            for site in wanted:
                httpd = ThreadingHTTPServer(("127.0.0.1", ports.get(site, 0)), self._handler(site))
                httpd.daemon_threads = True
                self._servers[site] = httpd
        except OSError:
            self.close()
            raise

    @property
    def base_urls(self) -> dict[str, str]:
        return {site: f"http://127.0.0.1:{httpd.server_address[1]}"
                for site, httpd in self._servers.items()}

    @property
    def ports(self) -> dict[str, int]:
        return {site: httpd.server_address[1] for site, httpd in self._servers.items()}

    def take_traffic(self) -> Traffic:
        """The traffic since the last call, and a fresh count from now."""
        with self._lock:
            traffic, self.traffic = self.traffic, Traffic()
        return traffic

    def __enter__(self) -> "ReplayServer":
        for httpd in self._servers.values():
            thread = threading.Thread(target=httpd.serve_forever, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        started, self._threads = bool(self._threads), []
        for httpd in self._servers.values():
            if started:
                httpd.shutdown()
            httpd.server_close()

    # -- answers ----------------------------------------------------------------------------

    def answer(self, site: str, raw_path: str) -> Page:
        """The page (status, body, content type, kind) for a GET of `raw_path` on `site`."""
        parts = urlsplit(raw_path)
        if self.captured:
            page = self.sites.get(site, {}).get(raw_path)
            if page is None and parts.path == "/robots.txt":
                return Page(ROBOTS, "robots", "text/plain; charset=utf-8")
            return page or Page(b"not captured", "missing", "text/plain", 404)
        if parts.path == "/robots.txt":
            return Page(ROBOTS, "robots", "text/plain; charset=utf-8")
        if site == "federal_register":
            if parts.path in FR_API:
                return Page(self.fr_search(parts.query), "api", "application/json; charset=utf-8")
            text = full_text(parts.path)
            if text:
                return Page(text[0], "fulltext", text[1])
            return Page(b"not found", "missing", "text/plain", 404)
        pages = self.sites.get(site, {})
        page = pages.get(raw_path) or (pages.get(parts.path) if not parts.query else None)
        if page is None and parts.path == "/presscenter/news" and not parts.query:
            page = pages.get("/presscenter/news?page=1")
        return page or Page(b"not found", "missing", "text/plain", 404)

    def fr_search(self, query: str) -> bytes:
        params = parse_qsl(query, keep_blank_values=True)
        args = dict(params)
        since = args.get("conditions[publication_date][gte]", "")
        per_page = max(1, min(int(args.get("per_page") or 20), 1000))
        page = max(1, int(args.get("page") or 1))
        fields = [value for key, value in params if key == "fields[]"]
        matching = [r for r in self.fr_results if (r.get("publication_date") or "") >= since]
        total_pages = max(1, -(-len(matching) // per_page))
        chosen = matching[(page - 1) * per_page:page * per_page]
        results = [{k: v for k, v in r.items() if k != "provenance" and (not fields or k in fields)}
                   for r in chosen]
        payload = {"description": "Documents matching your search", "count": len(matching),
                   "total_pages": total_pages, "results": results}
        if page < total_pages:
            rest = [(k, v) for k, v in params if k != "page"] + [("page", str(page + 1))]
            payload["next_page_url"] = ("https://www.federalregister.gov/api/v1/documents.json?"
                                        + urlencode(rest))
        return json.dumps(payload, ensure_ascii=False).encode("utf-8")

    def _record(self, site: str, kind: str, status: int, size: int) -> None:
        with self._lock:
            kinds = self.traffic.requests.setdefault(site, {})
            kinds[kind] = kinds.get(kind, 0) + 1
            self.traffic.not_modified += status == 304
            self.traffic.bytes_sent += size

    def _handler(self, site: str):
        replay = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "chipwatch-replay"

            def log_message(self, *args):  # the demo prints its own progress
                pass

            def do_GET(self):
                page = replay.answer(site, self.path)
                status, body = page.status, page.body
                etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
                if status == 200 and self.headers.get("If-None-Match") == etag:
                    status, body = 304, b""
                replay._record(site, page.kind, status, len(body))
                self.send_response(status)
                self.send_header("Content-Type", page.content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in page.headers:
                    self.send_header(name, value)
                if status in (200, 304):
                    self.send_header("ETag", etag)
                    self.send_header("Last-Modified", LAST_MODIFIED)
                    self.send_header("Cache-Control", "max-age=0")
                self.end_headers()
                self.wfile.write(body)

        return Handler


def full_text(path: str) -> tuple[bytes, str] | None:
    """(body, content type) of a Federal Register full-text URL the replay has a file for:
    data/federal_register_full_text/<document number>.<txt|html>."""
    match = FULL_TEXT.match(path)
    if not match:
        return None
    number, extension = match.group(2), match.group(3)
    found = DATA / "federal_register_full_text" / f"{number}.{extension}"
    return (found.read_bytes(), FULL_TEXT_TYPES[extension]) if found.is_file() else None
