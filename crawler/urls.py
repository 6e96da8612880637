"""Canonical URLs: one spelling per page, so that re-crawls, host aliases and the ways a link
can be encoded never make a second document.

The generic part is w3lib's `canonicalize_url` (it comes with Scrapy): percent-escapes in one
case and one form (`%e5%8d%8a`, `%E5%8D%8A` and the raw character are one path), query
arguments sorted, no fragment. chipwatch's own rules sit on top: host aliases, https and no
port for the sites we know, no default port, no tracking parameters, no repeated or
trailing slash (except the root).
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

# Hosts that serve the same pages as another (SOURCES.md §3, §7; SOURCES-NEW.md).
HOST_ALIASES = {
    "media.bis.gov": "www.bis.gov",
    "bis.gov": "www.bis.gov",
    "commerce.gov": "www.commerce.gov",
    "federalregister.gov": "www.federalregister.gov",
    "trendforce.com": "www.trendforce.com",
    "trendforce.cn": "www.trendforce.cn",
    "whitehouse.gov": "www.whitehouse.gov",
    "www.ustr.gov": "ustr.gov",
    "president.gov.tw": "www.president.gov.tw",
    "ey.gov.tw": "www.ey.gov.tw",
    "moea.gov.tw": "www.moea.gov.tw",
    "moeaic.gov.tw": "www.moeaic.gov.tw",
    "trade.gov.tw": "www.trade.gov.tw",
}
# Sites we know to serve https (a feed may still link them over http: SOURCES-NEW.md §5).
KNOWN_HTTPS_HOSTS = set(HOST_ALIASES.values()) | {
    "pr.tsmc.com", "www.trendforce.com.tw", "english.president.gov.tw", "english.ey.gov.tw"}
TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|_ga|ref|source)$", re.I)
DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """The one spelling of `url`. Other hosts than the sites we know (a mirror, a test
    server) keep their scheme and port."""
    parts = urlsplit(canonicalize_url(url.strip(), keep_fragments=False))
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    host = HOST_ALIASES.get(host, host)
    port = parts.port
    if host in KNOWN_HTTPS_HOSTS:
        scheme, port = "https", None
    if port == DEFAULT_PORTS.get(scheme):
        port = None
    netloc = (f"[{host}]" if ":" in host else host) + (f":{port}" if port else "")
    path = re.sub(r"/{2,}", "/", parts.path) or "/"
    if len(path) > 1:
        path = path.rstrip("/")
    query = "&".join(pair for pair in parts.query.split("&")
                     if pair and not TRACKING.match(unquote_plus(pair.partition("=")[0])))
    return urlunsplit((scheme, netloc, path, query, ""))


def same_origin_path(url: str, base_url: str) -> str:
    """The path and query of `url` on `base_url`: how we follow a server's own links while
    honouring the configured origin (a mirror or a test server)."""
    parts = urlsplit(url)
    base = base_url.rstrip("/")
    return f"{base}{parts.path}" + (f"?{parts.query}" if parts.query else "")
