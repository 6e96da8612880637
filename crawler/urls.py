"""Canonical URLs: one spelling per page, so re-crawls and aliases never make a second row."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Hosts that serve the same pages as another (SOURCES.md §3, §7).
HOST_ALIASES = {
    "media.bis.gov": "www.bis.gov",
    "bis.gov": "www.bis.gov",
    "commerce.gov": "www.commerce.gov",
    "federalregister.gov": "www.federalregister.gov",
    "trendforce.com": "www.trendforce.com",
    "trendforce.cn": "www.trendforce.cn",
}
TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|_ga|ref|source)$", re.I)


KNOWN_HTTPS_HOSTS = set(HOST_ALIASES.values()) | {"pr.tsmc.com", "www.trendforce.com.tw"}


def canonical_url(url: str) -> str:
    """Lower-case host with aliases folded (https for the sites we know), no fragment, no
    tracking parameters, no trailing slash (except the root). Other hosts, such as a test
    server, keep their scheme and port."""
    parts = urlsplit(url.strip())
    host = parts.hostname.lower() if parts.hostname else ""
    scheme = parts.scheme.lower()
    host = HOST_ALIASES.get(host, host)
    port = parts.port
    if host in KNOWN_HTTPS_HOSTS:
        scheme, port = "https", None
    netloc = host + (f":{port}" if port else "")
    path = re.sub(r"/{2,}", "/", parts.path) or "/"
    if len(path) > 1:
        path = path.rstrip("/")
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                             if not TRACKING.match(k)))
    return urlunsplit((scheme, netloc, path, query, ""))


def same_origin_path(url: str, base_url: str) -> str:
    """The path and query of `url` on `base_url`: how we follow a server's own next-page
    links while honouring the configured origin (a mirror or a test server)."""
    parts = urlsplit(url)
    base = base_url.rstrip("/")
    return f"{base}{parts.path}" + (f"?{parts.query}" if parts.query else "")
