"""The file channel: each digest as a .txt and an .html file in a directory."""

from __future__ import annotations

import os
import re
from pathlib import Path

from . import failures


def file_stem(digest_id: str) -> str:
    """'file:daily:2026-03-02' -> 'chipwatch-daily-2026-03-02', and for a file channel of
    another name, 'weekly:weekly:2026-03-02' -> 'chipwatch-weekly-weekly-2026-03-02', so two
    channels can share a directory (safe on every system)."""
    name, _, rest = digest_id.partition(":")
    if name != "file":
        rest = f"{name}-{rest}"
    return "chipwatch-" + re.sub(r"[^A-Za-z0-9-]+", "-", rest).strip("-")


def write_files(directory: Path, digest_id: str, payload: dict) -> str:
    """Write (or, on a repeat, rewrite) both files atomically; return where they are."""
    stem = file_stem(digest_id)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for suffix, content in ((".txt", payload["text"]), (".html", payload["html"])):
            target = directory / (stem + suffix)
            partial = target.with_name(target.name + ".partial")
            try:
                partial.write_text(content, encoding="utf-8")
                os.replace(partial, target)
            finally:
                partial.unlink(missing_ok=True)  # a disk that filled up keeps no half file
    except OSError as exc:
        raise failures.file_exception(exc, directory) from None
    return f"written to {directory / stem}.txt and .html"
