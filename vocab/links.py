"""What counts as a link chipwatch may store, follow or show: an absolute http(s) URL with a
host. Anything else (javascript:, data:, file:, a scheme hidden behind spaces or control
characters, a host-less `http:foo`) is text, never a link."""

from __future__ import annotations

from urllib.parse import urlsplit


def is_web_url(value: object) -> bool:
    if not isinstance(value, str) or not value or value != value.strip():
        return False
    if any(ord(ch) < 32 or ord(ch) == 127 or ch.isspace() for ch in value):
        return False
    try:
        parts = urlsplit(value)
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:  # e.g. a malformed IPv6 host or port
        return False
