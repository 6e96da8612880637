"""What every chipwatch spider shares: its crawl spec, readable problems, fault wording.

Spiders only parse. They yield documents and requests and record problems; they never open
the database. What the store already knows arrives in the spec (`known`, `since`).
"""

from __future__ import annotations

from typing import Any

import scrapy
from scrapy.exceptions import (CannotResolveHostError, DownloadConnectionRefusedError,
                               DownloadFailedError, DownloadTimeoutError,
                               ResponseDataLossError, UnsupportedURLSchemeError)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (ConnectionDone, ConnectionLost, ConnectionRefusedError,
                                    DNSLookupError, TCPTimedOutError, TimeoutError)
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from crawler.items import DocumentError

PROBLEMS_STAT = "chipwatch/problems"
CHALLENGE_MARKERS = (
    "Just a moment...", "Attention Required! | Cloudflare", "cf-browser-verification",
    "challenge-platform", "Checking your browser before accessing", "Access Denied",
)


class ChipwatchSpider(scrapy.Spider):
    """Base class. `spec` is the crawl specification written by the tracker:
    {"source": {...options...}, "mode": "routine"|"backfill", "since": "YYYY-MM-DD"|None,
     "max_pages": int|None, "known": {id: {url, title, published}}}."""

    def __init__(self, spec: dict | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        spec = spec or {}
        self.options: dict = spec.get("source", {})
        self.mode: str = spec.get("mode", "routine")
        self.since: str | None = spec.get("since")
        self.max_pages: int | None = spec.get("max_pages", self.options.get("max_pages"))
        self.known: dict[str, dict] = spec.get("known", {})
        self.known_urls = {entry["url"] for entry in self.known.values()}
        self.problems: list[str] = []

    # -- problems --------------------------------------------------------------------------

    def problem(self, message: str) -> None:
        """Record something that makes this crawl untrustworthy (and so the source broken)."""
        self.logger.error(message)
        self.problems.append(message)
        if getattr(self, "crawler", None):
            self.crawler.stats.set_value(PROBLEMS_STAT, list(self.problems))

    def progress(self, message: str) -> None:
        self.logger.info(message)

    def errback(self, failure) -> None:
        """Turn a download failure into a sentence a person can act on."""
        self.problem(f"{self.name}: {short_url(failure.request.url)}: "
                     f"{describe_failure(failure)}")

    def blocked(self, response) -> bool:
        """A 200 that is really a bot challenge is an error, never 'no news'."""
        if response.headers.get(b"cf-mitigated", b"").lower() == b"challenge":
            return True
        head = response.text[:5000] if hasattr(response, "text") else ""
        return any(marker in head for marker in CHALLENGE_MARKERS)

    def check_blocked(self, response) -> bool:
        if self.blocked(response):
            self.problem(f"{self.name}: {short_url(response.url)}: the site answered with a bot challenge "
                         f"instead of the page; the source is blocked for now")
            return True
        return False

    def make(self, builder, *args, **kwargs):
        """Call a document builder; a DocumentError becomes a recorded problem."""
        try:
            return builder(*args, **kwargs)
        except DocumentError as exc:
            self.problem(str(exc))
            return None


def short_url(url: str) -> str:
    """A URL as a person wants to read it in a message: without a long query string."""
    base, _, query = url.partition("?")
    return base + ("?…" if query else "")


def describe_failure(failure) -> str:
    exc = failure.value
    if failure.check(HttpError):
        status = exc.response.status
        if status == 403:
            return ("HTTP 403 Forbidden: the site refused us (often a bot challenge); "
                    "the source is blocked, not quiet")
        if status == 429:
            return "HTTP 429 Too Many Requests, still refused after retries; crawl less often"
        if status == 404:
            return "HTTP 404 Not Found: the page has moved or the URL pattern changed"
        if status >= 500:
            return f"HTTP {status}: the site is failing (server error), still after retries"
        return f"HTTP {status}"
    if failure.check(UnsupportedURLSchemeError):
        return "not an http(s) address; chipwatch fetches only http and https"
    if failure.check(DNSLookupError, CannotResolveHostError):
        return "the host name does not resolve (DNS lookup failed); check base_url or the network"
    if failure.check(ConnectionRefusedError, DownloadConnectionRefusedError):
        return "connection refused; the site is down or unreachable from here"
    if failure.check(TimeoutError, TCPTimedOutError, DownloadTimeoutError):
        return "timed out waiting for the site; it may be slow or unreachable"
    if failure.check(ResponseNeverReceived, ResponseFailed, ConnectionLost, ConnectionDone,
                     ResponseDataLossError, DownloadFailedError):
        return "the connection was dropped before the whole page arrived"
    name = type(exc).__name__
    text = str(exc) or ""
    if "maxsize" in text.lower() or "exceeded" in text.lower():
        return f"the response was larger than the configured limit ({text})"
    return f"{name}: {text}" if text else name
