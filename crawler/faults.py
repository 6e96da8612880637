"""Why a page cannot be used, in words a person can act on: download failures, bot
challenges answered with 200, empty and cut-short pages. Pure functions, shared by every
spider and by the offsite filter."""

from __future__ import annotations

import gzip
import zlib

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
    UnsupportedURLSchemeError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectionDone,
    ConnectionLost,
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.web._newclient import ParseError, ResponseFailed, ResponseNeverReceived

CHALLENGE_MARKERS = (
    "Just a moment...", "Attention Required! | Cloudflare", "cf-browser-verification",
    "challenge-platform", "Checking your browser before accessing", "Access Denied",
)


def unreadable(response) -> str | None:
    """Why a response must not be parsed (a bot challenge, an empty page, HTML cut short),
    or None when it can be."""
    where = short_url(response.url)
    if challenged(response):
        return (f"{where}: the site answered with a bot challenge instead of the page; the "
                f"source is blocked for now")
    if not (getattr(response, "body", b"") or b"").strip():
        return (f"{where}: the site answered with an empty page (HTTP {response.status}, no "
                f"content); nothing to read")
    if truncated(response):
        return (f"{where}: the page arrived cut short (the HTML ends before </html>); nothing "
                f"was taken from it, it is read again next time")
    return None


def challenged(response) -> bool:
    """A 200 that is really a bot challenge is an error, never 'no news'."""
    if response.headers.get(b"cf-mitigated", b"").lower() == b"challenge":
        return True
    head = response.text[:5000] if hasattr(response, "text") else ""
    return any(marker in head for marker in CHALLENGE_MARKERS)


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
        if 300 <= status < 400:
            return (f"HTTP {status}: a redirect without a Location to follow; the page may "
                    f"have moved, check base_url")
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
    if failure.check(ResponseFailed, ResponseNeverReceived, DownloadFailedError) \
            and _unparsable(exc):
        return (f"the site answered with something that is not valid HTTP "
                f"({_unparsable(exc)}); a proxy or another service may be answering there")
    if failure.check(gzip.BadGzipFile, zlib.error):
        return (f"the page says it is compressed (Content-Encoding) but could not be "
                f"decompressed ({exc}); nothing was taken from it")
    if failure.check(ValueError) and "URL" in str(exc):
        return f"the site's answer names an address that cannot be used ({exc})"
    if failure.check(ResponseNeverReceived, ResponseFailed, ConnectionLost, ConnectionDone,
                     ResponseDataLossError, DownloadFailedError):
        return "the connection was dropped before the whole page arrived"
    name = type(exc).__name__
    text = str(exc) or ""
    if "maxsize" in text.lower() or "exceeded" in text.lower():
        return f"the response was larger than the configured limit ({text})"
    return f"{name}: {text}" if text else name


def _unparsable(exc) -> str:
    """What could not be parsed, when a response failed because it was not HTTP (Scrapy
    wraps Twisted's ResponseFailed, whose reasons say so, in DownloadFailedError)."""
    wrapped = exc.__cause__ if isinstance(exc, DownloadFailedError) else exc
    for reason in getattr(wrapped, "reasons", []) or []:
        value = getattr(reason, "value", None)
        if isinstance(value, ParseError):
            data = value.data if isinstance(value.data, bytes) else b""
            return f"{value.args[0]}: {data[:60].decode('latin-1')!r}"
    return ""
