"""Serving a capture (`chipwatch capture`, crawler/capture.py) back: each recorded response
under the path and query it was requested at, on the replay site of the origin it came from,
with its status and content type. The last response recorded for a path wins (a 503 that
was retried is followed by the 200 the crawl used). A redirect's Location on a captured
origin becomes a path, so that it stays on the replay."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

from replay.page import Page
from replay.sites import site_id
from vocab.captures import INDEX, MANIFEST

KEPT_HEADERS = ("location", "retry-after", "cf-mitigated")


def captured_sites(directory: Path) -> tuple[str, dict[str, dict[str, Page]]]:
    """(source, site id -> raw path -> page) of a capture directory."""
    directory = Path(directory)
    manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    source = manifest["source"]
    origins = {_origin(url) for url in manifest["sites"].values()}
    sites: dict[str, dict[str, Page]] = {}
    for line in (directory / INDEX).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        parts = urlsplit(record["url"])
        raw_path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {name.lower(): values[0] for name, values in record["headers"].items()
                   if values}
        extra = tuple((name, _local(headers[name], origins)) for name in KEPT_HEADERS
                      if name in headers)
        site = site_id(source, record["site"] or "base_url")
        sites.setdefault(site, {})[raw_path] = Page(
            body=(directory / record["body"]).read_bytes(), kind="captured",
            content_type=headers.get("content-type", "application/octet-stream"),
            status=int(record["status"]), headers=extra)
    return source, sites


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _local(value: str, origins: set[str]) -> str:
    """A URL on one of the captured origins as a path (and query) on the replay."""
    if _origin(value) in origins:
        parts = urlsplit(value)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return value
