"""Whether the places chipwatch writes to can be written, checked before a long-lived
process starts: a daemon whose HTTP cache or digest directory sits on a read-only file
system (systemd's ProtectSystem=, a mistaken relative path) should refuse to start with the
key and the path, not fail quietly on every crawl."""

from __future__ import annotations

import os
from pathlib import Path


def nearest_existing(path: Path) -> Path:
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def unwritable(paths: list[tuple[str, Path]]) -> list[str]:
    """A sentence for each (key, directory) that cannot be written (or made)."""
    problems = []
    for key, directory in paths:
        existing = nearest_existing(directory)
        if not existing.is_dir():
            problems.append(f"{key} = {directory}: {existing} is not a directory")
        elif not os.access(existing, os.W_OK | os.X_OK):
            how = "made" if existing != directory.absolute() else "written"
            problems.append(f"{key} = {directory}: cannot be {how} ({existing} is read-only "
                            f"for this user or on a read-only file system)")
    return problems
