"""Reading a rules file into its compiled form, or reusing the form kept for the same file."""

from __future__ import annotations

from pathlib import Path

from vocab.errors import ConfigError

from . import cache
from .defaults import DEFAULT_RULES
from .rules import RuleBook


def load_rules(path: Path | None = None, *, cache_dir: Path | None = None) -> RuleBook:
    """Read, check and compile a rules file (the shipped default when `path` is None). With
    `cache_dir`, a compiled form kept there for the same contents is used, and a new one is
    kept."""
    path = Path(path) if path else DEFAULT_RULES
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: rules file not found; check [classifier] rules in the "
                          f"configuration (leave it out to use the shipped rules)") from None
    except OSError as exc:
        raise ConfigError(f"{path}: rules file cannot be read: {exc.strerror}") from None
    key = cache.key(data) if cache_dir else None  # the actors' table is part of the key
    book = cache.load(cache_dir, key) if key else None
    if book is None:
        from .compiler import compile_rules  # only when there is no compiled form to reuse
        from .spec import read_spec

        book = compile_rules(path, read_spec(path, data), data)
        if key:
            cache.store(cache_dir, key, book)
    book.path = path
    return book
