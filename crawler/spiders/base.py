"""What every chipwatch spider shares: its crawl spec, readable problems, fault wording.

Spiders only parse. They yield documents and requests and record problems; they never open
the database. What the store already knows arrives in the spec (`known`, `since`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import (CannotResolveHostError, DownloadCancelledError,
                               DownloadConnectionRefusedError, DownloadFailedError,
                               DownloadTimeoutError, IgnoreRequest, ResponseDataLossError,
                               UnsupportedURLSchemeError)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (ConnectionDone, ConnectionLost, ConnectionRefusedError,
                                    DNSLookupError, TCPTimedOutError, TimeoutError)
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from crawler.items import DocumentError
from crawler.options import load_options

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
        self.options = load_options(self.name, spec.get("source"))
        self.mode: str = spec.get("mode", "routine")
        self.since: str | None = spec.get("since")
        # A backfill pages back until `since` unless told otherwise.
        self.max_pages: int | None = spec.get(
            "max_pages", None if self.mode == "backfill" else self.options.max_pages)
        self.known: dict[str, dict] = spec.get("known", {})
        self.known_urls = {entry["url"] for entry in self.known.values()}
        self.problems: list[str] = []

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.request_dropped, signal=signals.request_dropped)
        return spider

    def request_dropped(self, request, spider=None) -> None:
        """Scrapy drops a request it has already made without a word. For a link that is
        right, but a redirect that leads back to a page already requested is a loop."""
        chain = request.meta.get("redirect_urls")
        if chain:
            self.problem(f"{self.name}: {short_url(chain[0])}: the site kept redirecting (a redirect "
                         f"loop back to {short_url(request.url)}); the page was not fetched")

    @property
    def allowed_domains(self) -> list[str]:
        """The hosts of the configured base URL(s), without a leading 'www.' so that a
        site's own subdomains (media.bis.gov) stay allowed. Scrapy's offsite filter
        (crawler/offsite.py) drops, and records, any request elsewhere, redirects included."""
        urls = [v for k, v in self.options.model_dump().items()
                if k.startswith("base_url") and v]
        urls += [getattr(self, "base_url", "") or ""]
        urls += list((getattr(self, "bases", None) or {}).values())
        domains = []
        for url in urls:
            host = (urlsplit(url).hostname or "").lower()
            host = host[4:] if host.startswith("www.") else host
            if host and host not in domains:
                domains.append(host)
        return domains

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
        """True (and a problem recorded) when a page must not be parsed: a bot challenge, or
        an HTML document that arrived cut short."""
        if self.blocked(response):
            self.problem(f"{self.name}: {short_url(response.url)}: the site answered with a bot challenge "
                         f"instead of the page; the source is blocked for now")
            return True
        if not (getattr(response, "body", b"") or b"").strip():
            self.problem(f"{self.name}: {short_url(response.url)}: the site answered with an empty page "
                         f"(HTTP {response.status}, no content); nothing to read")
            return True
        if truncated(response):
            self.problem(f"{self.name}: {short_url(response.url)}: the page arrived cut short (the HTML "
                         f"ends before </html>); nothing was taken from it, it is read again "
                         f"next time")
            return True
        return False

    def make(self, builder, *args, **kwargs):
        """Call a document builder; a DocumentError becomes a recorded problem."""
        try:
            return builder(*args, **kwargs)
        except DocumentError as exc:
            self.problem(str(exc))
            return None


def truncated(response) -> bool:
    """An HTML document (it opens with <html) that never closes: the server or a proxy cut
    it short while the length still matched, so parsing it would store half a page."""
    body = getattr(response, "body", b"") or b""
    if b"<html" not in body[:4096].lower():
        return False
    return b"</html" not in body[-65536:].lower()


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
    if failure.check(IgnoreRequest):
        text = str(exc)
        if "robots.txt" in text:
            return ("the site's robots.txt disallows this page, so chipwatch did not fetch it; "
                    "if the page is still wanted, ask the site or point base_url elsewhere")
        if "redirections" in text:
            return ("the site kept redirecting (a redirect loop, or more than 5 redirects); "
                    "the page was not fetched")
        if "offsite" in text:
            return f"the request left the source's site and was not followed ({text})"
        return f"the request was dropped ({text})" if text else "the request was dropped"
    if failure.check(DownloadCancelledError) and "max size" in str(exc):
        return ("the page is larger than the size limit ([crawl] max_response_mb); it was "
                "not read")
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
