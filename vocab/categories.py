"""The categories a rules file declares, with their display names, in the file's order, and
the instruments it declares under them.

The classifier compiles a rules file in full (tracker/classify/rules.py); everything else
(configuration validation, digests, Datasette) needs only which categories and instruments
exist, what they are called and in which order they come, and reads that here from the same
file. A category is a `[categories.NAME]` table; its optional display keys:

    title = "Export controls"          how headings and pages name it
    title_zh = "出口管制"                its Chinese name
    singular = "export control"        how a count reads: "1 export control"
    plural = "export controls"         ... and "3 export controls"

The order of the tables in the file is the order of importance in digests.

An instrument is an `[instruments.NAME]` table: the category it belongs to (`category`, which
must be declared), and `title` and `title_zh` like a category's.
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
class Instrument:
    """A named instrument of policy under one category (the Entity List, Section 232...)."""

    name: str
    category: str
    title: str
    title_zh: str
    description: str = ""


@dataclass(frozen=True)
class Categories:
    """The categories of one rules file, most important first, and their instruments in the
    file's order."""

    items: tuple[Category, ...]
    instruments: tuple[Instrument, ...] = ()

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

    @property
    def instrument_names(self) -> list[str]:
        return [i.name for i in self.instruments]

    def instrument(self, name: str) -> Instrument:
        """An instrument by name; a name no longer declared gets a plain title."""
        for instrument in self.instruments:
            if instrument.name == name:
                return instrument
        words = name.replace("_", " ")
        title = words[:1].upper() + words[1:]
        return Instrument(name, "", title, title)

    def instruments_of(self, category: str) -> list[Instrument]:
        return [i for i in self.instruments if i.category == category]


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
    names = {c.name for c in items}
    return Categories(tuple(items), _instruments(path, data.get("instruments"), names))


def _instruments(path: Path, tables, categories: set[str]) -> tuple[Instrument, ...]:
    if tables is None:
        return ()
    if not isinstance(tables, dict):
        raise ConfigError(f"{path}: instruments must be tables: [instruments.NAME]")
    found = []
    for name, table in tables.items():
        where = f"{path}: [instruments.{name}]"
        if not NAME.match(name) or name == UNTAGGED:
            raise ConfigError(f"{where}: an instrument name is lower-case letters, digits and "
                              f"_, and not '{UNTAGGED}'")
        if name in categories:
            raise ConfigError(f"{where}: '{name}' is already a category; give the instrument "
                              f"a name of its own")
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: instruments.{name} must be a table")
        category = table.get("category")
        if category not in categories:
            raise ConfigError(f"{where}: category must be one of the categories of the file "
                              f"({', '.join(sorted(categories))}), got {category!r}")
        for key in ("title", "title_zh"):
            if key in table and not (isinstance(table[key], str) and table[key].strip()):
                raise ConfigError(f"{where}: {key} must be a non-empty string")
        words = name.replace("_", " ")
        title = table.get("title") or words[:1].upper() + words[1:]
        found.append(Instrument(name=name, category=category, title=title,
                                title_zh=table.get("title_zh") or title,
                                description=" ".join(str(table.get("description") or "")
                                                     .split())))
    return tuple(found)
