"""The actors of the field (companies, agencies, governments) and their aliases in English
and Chinese: `actors.toml`, read once.

The classifier compiles the aliases into terms and names each document's actors; search reads
the same table so that a query for one alias finds documents written with another. ECCNs and
CFR parts are actors too, but found by their shape (tracker/classify/facts/actors.py), not
listed here.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .errors import ConfigError
from .text import has_han, regional_forms

TABLE = "actors.toml"
KINDS = ("company", "government")
KEY = re.compile(r"^[a-z][a-z0-9_]*$")
FIELDS = {"name", "name_zh", "kind", "country", "aliases"}


@dataclass(frozen=True)
class Actor:
    key: str
    name: str  # the canonical name chipwatch prints
    name_zh: str
    kind: str  # company | government
    country: str
    aliases: tuple[str, ...]  # as written in the table ("case:" and "re:" allowed)


def table_bytes() -> bytes:
    """The table as shipped (part of the classifier's version: a new alias re-tags)."""
    return resources.files(__package__).joinpath(TABLE).read_bytes()


@lru_cache(maxsize=1)
def actors() -> dict[str, Actor]:
    """Every actor, in the table's order."""
    data = tomllib.loads(table_bytes().decode("utf-8"))
    tables = data.get("actors")
    if not isinstance(tables, dict) or not tables:
        raise ConfigError(f"vocab/{TABLE}: declares no [actors.KEY] table")
    found: dict[str, Actor] = {}
    names: dict[str, str] = {}
    for key, table in tables.items():
        actor = _actor(key, table)
        if actor.name in names:
            raise ConfigError(f"vocab/{TABLE} [actors.{key}]: the name {actor.name!r} is "
                              f"already [actors.{names[actor.name]}]'s")
        names[actor.name] = key
        found[key] = actor
    return found


def by_name(name: str) -> Actor | None:
    return next((a for a in actors().values() if a.name == name), None)


def _actor(key: str, table) -> Actor:
    where = f"vocab/{TABLE} [actors.{key}]"
    if not KEY.match(key) or not isinstance(table, dict):
        raise ConfigError(f"{where}: a key is lower-case letters, digits and _, and a table")
    if set(table) != FIELDS:
        unknown, missing = set(table) - FIELDS, FIELDS - set(table)
        raise ConfigError(f"{where}: unknown keys {sorted(unknown)}" if unknown
                          else f"{where}: missing keys {sorted(missing)}")
    if table["kind"] not in KINDS:
        raise ConfigError(f"{where}: kind must be one of {list(KINDS)}")
    aliases = table["aliases"]
    if not isinstance(aliases, list) or not aliases or not all(
            isinstance(a, str) and a.strip() for a in aliases):
        raise ConfigError(f"{where}: aliases must be a list of non-empty strings")
    return Actor(key=key, name=table["name"], name_zh=table["name_zh"], kind=table["kind"],
                 country=table["country"], aliases=tuple(aliases))


# -- search ------------------------------------------------------------------------------------


# The Chinese a regular expression's matches start with, after any look-behind.
_REGEX_LEAD = re.compile(r"(?:\(\?<!?[^()]*\))*([\u3400-\u9fff]{2,})")


def _folded(alias: str) -> tuple[str, bool] | None:
    """An alias as search compares it (Chinese in Simplified, Latin in lower case unless the
    case matters), and whether the case matters. A regular expression counts by the Chinese
    its matches start with ("re:经济部(?!门)" is 经济部); None when it has none."""
    if alias.startswith("re:"):
        lead = _REGEX_LEAD.match(alias[3:])
        return (lead.group(1), True) if lead else None
    if alias.startswith("case:"):
        return alias[5:], True
    return " ".join(alias.split()).lower(), False


@lru_cache(maxsize=1)
def _search_table() -> dict[str, tuple[str, ...]]:
    """Each alias form -> every form of the same actor's aliases."""
    table: dict[str, tuple[str, ...]] = {}
    for actor in actors().values():
        forms: list[str] = []
        for alias in actor.aliases:
            folded = _folded(alias)
            if folded is None:
                continue
            text = folded[0]
            for form in (regional_forms(text) if has_han(text) else [text]):
                if form not in forms:
                    forms.append(form)
        for alias in actor.aliases:
            folded = _folded(alias)
            if folded is None:
                continue
            keys = regional_forms(folded[0]) if has_han(folded[0]) else [folded[0]]
            for key in keys:
                table[key if folded[1] or has_han(key) else key.lower()] = tuple(forms)
    return table


def alias_forms(term: str) -> list[str]:
    """The aliases of the actor that `term` names (Chinese already folded to Simplified;
    English in any case, acronyms that are also words in the case written), as search
    expands a query; [] when `term` names no actor."""
    text = " ".join(term.split())
    table = _search_table()
    found = table.get(text) or table.get(text.lower())
    return list(found) if found else []
