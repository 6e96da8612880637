"""The compiled form of a rules file, kept in the user's cache directory so that a short
command does not compile the rule table again.

An entry is found by a key made of the rules file's bytes, the classifier's own source files
(a change of the compiler makes new entries), the actors' table compiled with the rules, and
the Chinese converter installed (its folding is part of every Chinese term). A missing,
unreadable or stale entry is compiled again; a cache that cannot be written is skipped.
Entries are pickles in the user's own directory, read only by the same user; the newest KEEP
are kept.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

KEEP = 8
_SOURCES = ("cache.py", "compiler.py", "rules.py", "spec.py", "text.py")


def user_cache_dir() -> Path | None:
    """~/.cache/chipwatch (None when there is no home directory)."""
    try:
        return Path.home() / ".cache" / "chipwatch"
    except RuntimeError:
        return None


def key(data: bytes) -> str:
    digest = hashlib.sha256(data)
    digest.update(_environment())
    return digest.hexdigest()[:32]


@lru_cache(maxsize=1)
def _environment() -> bytes:
    """What else a compiled rule book depends on."""
    here = Path(__file__).parent
    digest = hashlib.sha256(repr(sys.version_info[:2]).encode())
    for name in _SOURCES:
        digest.update((here / name).read_bytes())
    digest.update(Path(find_spec("vocab.text").origin).read_bytes())  # the shared folding
    actors = Path(find_spec("vocab.actors").origin)  # the actors' aliases are compiled in
    digest.update(actors.read_bytes())
    digest.update(actors.with_name("actors.toml").read_bytes())
    spec = find_spec("opencc")
    origin = spec.origin if spec else None
    if origin:
        stat = os.stat(origin)
        digest.update(f"{origin}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.digest()


def _path(directory: Path, name: str) -> Path:
    return directory / f"rules-{name}.pickle"


def load(directory: Path, name: str):
    """The rule book kept under this key, or None."""
    try:
        data = _path(directory, name).read_bytes()
    except OSError:
        return None
    try:
        return pickle.loads(data)
    except Exception:  # a damaged or stale entry is compiled again, never trusted
        return None


def store(directory: Path, name: str, book) -> None:
    """Keep a rule book (written whole or not at all); prune old entries."""
    import tempfile  # only when a rule book is compiled

    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".rules-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as fh:
                pickle.dump(book, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, _path(directory, name))
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        entries = sorted(directory.glob("rules-*.pickle"), key=lambda p: p.stat().st_mtime_ns,
                         reverse=True)
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError):
        pass  # a cache that cannot be written only costs the next start its compile
