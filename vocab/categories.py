"""The categories a rules file declares, with their display names, in the file's order.

The classifier compiles a rules file in full (tracker/classify/rules.py); everything else
(configuration validation, digests, Datasette) needs only which categories exist, what they
are called and in which order they come, and reads that here from the same file. A category
is a `[categories.NAME]` table; its optional display keys:

    title = "Export controls"          how headings and pages name it
    title_zh = "出口管制"                its Chinese name
    singular = "export control"        how a count reads: "1 export control"
    plural = "export controls"         ... and "3 export controls"

The order of the tables in the file is the order of importance in digests.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import ConfigError

NAME = re.compile(r"^[a-z][a-z0-9_]*$")
UNTAGGED = "none"  # not a category: what a channel lists to include untagged documents


@dataclass(frozen=True)
class Category:
    name: str
    title: str
    title_zh: str
    singular: str
    plural: str
    description: str = ""

    def counted(self, count: int) -> str:
        return f"{count} {self.singular if count == 1 else self.plural}"


NONE = Category(UNTAGGED, "Other documents", "其他文件", "other document", "other documents")


@dataclass(frozen=True)
class Categories:
    """The categories of one rules file, most important first."""

    items: tuple[Category, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.items]

    def __contains__(self, name: str) -> bool:
        return name in self.names

    def get(self, name: str) -> Category:
        """A category by name; "none" and names no longer declared get plain names."""
        if name == UNTAGGED:
            return NONE
        for category in self.items:
            if category.name == name:
                return category
        return _plain(name)

    def title(self, name: str) -> str:
        return self.get(name).title


def _plain(name: str, table: dict | None = None) -> Category:
    table = table or {}
    words = name.replace("_", " ")
    title = table.get("title") or words[:1].upper() + words[1:]
    singular = table.get("singular") or title.lower()
    description = " ".join(str(table.get("description") or "").split())
    return Category(name=name, title=title, title_zh=table.get("title_zh") or title,
                    singular=singular, plural=table.get("plural") or singular,
                    description=description)


def read_categories(path: Path) -> Categories:
    """The categories declared in the rules file at `path` (ConfigError when unreadable)."""
    path = Path(path)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as exc:
        raise ConfigError(f"{path}: the rules file cannot be read: {exc.strerror}") from None
    return _read(path, stamp)


@lru_cache(maxsize=8)
def _read(path: Path, stamp: int) -> Categories:
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: the rules file cannot be read: {exc}") from None
    tables = data.get("categories")
    if not isinstance(tables, dict) or not tables:
        raise ConfigError(f"{path}: declares no [categories.NAME] table; a rules file needs "
                          f"at least one category")
    items = []
    for name, table in tables.items():
        if not NAME.match(name) or name == UNTAGGED:
            raise ConfigError(f"{path}: [categories.{name}]: a category name is lower-case "
                              f"letters, digits and _, and not '{UNTAGGED}'")
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: categories.{name} must be a table")
        for key in ("title", "title_zh", "singular", "plural"):
            if key in table and not (isinstance(table[key], str) and table[key].strip()):
                raise ConfigError(f"{path}: [categories.{name}] {key} must be a non-empty "
                                  f"string")
        items.append(_plain(name, table))
    return Categories(tuple(items))
