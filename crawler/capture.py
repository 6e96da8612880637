"""Recording what a crawl fetched, as a fixture set (`chipwatch capture`).

A downloader middleware that sits between the HTTP cache and the redirect middleware, so it
sees every response the site sent, redirects included, before anything else touches it. Each
exchange is appended to `exchanges.jsonl` in the capture directory (method, URL, which of the
source's configured origins it was on, status, headers, the body's file under `bodies/`),
in the order the site answered. Bodies are stored decoded from gzip or deflate (the header
saying so is dropped), so that a person can read them and the replay serves them as they
are. replay/capture.py serves such a directory back.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from vocab.captures import BODIES, INDEX

DROPPED_HEADERS = {b"content-encoding", b"content-length", b"transfer-encoding",
                   b"connection", b"set-cookie"}
EXTENSIONS = (("json", ".json"), ("xml", ".xml"), ("rss", ".xml"), ("html", ".html"),
              ("text/plain", ".txt"))


class CaptureExchanges:
    """Enabled by crawler/run.py with the setting CHIPWATCH_CAPTURE (a directory) and
    CHIPWATCH_CAPTURE_SITES (configuration key -> origin of the source's sites)."""

    def __init__(self, directory: str, sites: dict[str, str]):
        self.directory = Path(directory)
        (self.directory / BODIES).mkdir(parents=True, exist_ok=True)
        self.sites = {_origin(url): key for key, url in sites.items()}
        self.count = 0

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        return cls(settings.get("CHIPWATCH_CAPTURE"), settings.getdict("CHIPWATCH_CAPTURE_SITES"))

    def process_response(self, request, response, spider=None):
        self.count += 1
        body, encoding_dropped = _decoded(response)
        name = f"{self.count:04d}{_extension(response, request.url)}"
        (self.directory / BODIES / name).write_bytes(body)
        headers = {key.decode("latin-1"): [v.decode("latin-1") for v in values]
                   for key, values in response.headers.items()
                   if key.lower() not in DROPPED_HEADERS
                   and not (encoding_dropped and key.lower() == b"content-encoding")}
        record = {
            "n": self.count, "method": request.method, "url": request.url,
            "site": self.sites.get(_origin(request.url), ""), "status": response.status,
            "headers": headers, "body": f"{BODIES}/{name}",
            "received": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        with open(self.directory / INDEX, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        return response


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _decoded(response) -> tuple[bytes, bool]:
    """The body without its transfer compression, and whether it was removed."""
    coding = (response.headers.get(b"Content-Encoding") or b"").strip().lower()
    body = response.body or b""
    try:
        if coding in (b"gzip", b"x-gzip"):
            return gzip.decompress(body), True
        if coding == b"deflate":
            try:
                return zlib.decompress(body), True
            except zlib.error:
                return zlib.decompress(body, -zlib.MAX_WBITS), True
    except (OSError, EOFError, zlib.error):
        pass  # kept as sent, with its header
    return body, False


def _extension(response, url: str) -> str:
    kind = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
    for marker, extension in EXTENSIONS:
        if marker in kind:
            return extension
    found = re.search(r"\.(xml|html?|txt|json)$", urlsplit(url).path)
    return f".{found.group(1)}" if found else ".bin"
