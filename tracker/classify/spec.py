"""The shape of a rules file, checked with pydantic, and the wording of its errors. Imported
only when a rules file has to be compiled (not when its compiled form is cached)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from vocab.errors import ConfigError


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class RuleSpec(_Spec):
    name: str | None = None
    terms: list[str] = Field(min_length=1)
    weight: float = Field(gt=0)
    with_: list[str] = Field(default_factory=list, alias="with")
    without: list[str] = Field(default_factory=list)
    within: Literal["sentence", "document"] = "sentence"
    case_sensitive: bool = False


class MetadataSpec(_Spec):
    name: str | None = None
    weight: float = Field(gt=0)
    source: list[str] = Field(default_factory=list)
    doc_type: list[str] = Field(default_factory=list)
    agencies: list[str] = Field(default_factory=list)
    cfr: list[str] = Field(default_factory=list)
    action: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _some_condition(self):
        if not (self.source or self.doc_type or self.agencies or self.cfr or self.action):
            raise ValueError("a metadata rule needs at least one of source, doc_type, "
                             "agencies, cfr or action")
        return self


class CategorySpec(_Spec):
    # Display names (read by vocab/categories.py for digests, pages and configuration).
    title: str | None = None
    title_zh: str | None = None
    singular: str | None = None
    plural: str | None = None
    description: str = ""
    threshold: float | None = Field(None, gt=0)
    rules: list[RuleSpec] = Field(default_factory=list)
    metadata: list[MetadataSpec] = Field(default_factory=list)


class InstrumentSpec(_Spec):
    """An instrument under a category: rules like a category's, and the category it implies."""

    category: str
    title: str | None = None
    title_zh: str | None = None
    description: str = ""
    threshold: float | None = Field(None, gt=0)
    rules: list[RuleSpec] = Field(default_factory=list)
    metadata: list[MetadataSpec] = Field(default_factory=list)


class ExclusionSpec(_Spec):
    name: str | None = None
    terms: list[str] = Field(min_length=1)
    effect: Literal["mask", "penalty", "veto"]
    penalty: float | None = Field(None, gt=0)
    categories: list[str] | None = None
    case_sensitive: bool = False

    @model_validator(mode="after")
    def _penalty_given(self):
        if self.effect == "penalty" and self.penalty is None:
            raise ValueError("effect = \"penalty\" needs a penalty (a positive number)")
        if self.effect != "penalty" and self.penalty is not None:
            raise ValueError(f"penalty only applies to effect = \"penalty\", not "
                             f"\"{self.effect}\"")
        return self


class SettingsSpec(_Spec):
    title_factor: float = Field(1.5, ge=1)
    repeat_bonus: float = Field(0.25, ge=0)
    repeat_cap: int = Field(2, ge=0)
    lead_sentences: int = Field(8, ge=1)
    depth_factor: float = Field(0.7, gt=0, le=1)


class EvidenceSpec(_Spec):
    informative: list[str] = Field(default_factory=list)
    bonus: float = Field(1.0, ge=0)
    position_decay: float = Field(0.05, ge=0, le=0.5)


class RelevanceSpec(_Spec):
    core: list[str] = Field(default_factory=list)
    lead: int = Field(3, ge=0)


class FactsSpec(_Spec):
    rate_context: list[str] = Field(default_factory=list)


class BoilerplateSpec(_Spec):
    footer: list[str] = Field(default_factory=list)
    navigation: list[str] = Field(default_factory=list)


class RulesFileSpec(_Spec):
    format: Literal[1] = 1
    settings: SettingsSpec = SettingsSpec()
    evidence: EvidenceSpec = EvidenceSpec()
    relevance: RelevanceSpec = RelevanceSpec()
    boilerplate: BoilerplateSpec = BoilerplateSpec()
    facts: FactsSpec = FactsSpec()
    vocab: dict[str, list[str]] = Field(default_factory=dict)
    exclude: list[ExclusionSpec] = Field(default_factory=list)
    categories: dict[str, CategorySpec] = Field(min_length=1)
    instruments: dict[str, InstrumentSpec] = Field(default_factory=dict)


def read_spec(path: Path, data: bytes) -> RulesFileSpec:
    """A rules file's bytes, parsed and checked; any mistake is a ConfigError naming the file,
    the rule and the problem."""
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: rules file is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: rules file is not valid TOML: {exc}") from None
    try:
        return RulesFileSpec(**raw)
    except ValidationError as exc:
        raise ConfigError(_describe(path, raw, exc)) from None


# -- error wording ---------------------------------------------------------------------------


def _describe(path: Path, raw: dict, exc: ValidationError) -> str:
    lines = [f"{path}: invalid rules file"]
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        lines.append(f"  {_where(raw, loc)}: {_reason(err)}")
    return "\n".join(lines)


def _where(raw: dict, loc: list[str]) -> str:
    """('categories', 'tariff', 'rules', '2', 'weight') -> [categories.tariff] rule 'x': weight"""
    if len(loc) >= 4 and loc[0] in ("categories", "instruments") \
            and loc[2] in ("rules", "metadata") and loc[3].isdigit():
        table, cat, kind, index = loc[0], loc[1], loc[2], int(loc[3])
        try:
            name = raw[table][cat][kind][index].get("name")
        except (KeyError, IndexError, TypeError, AttributeError):
            name = None
        label = "rule" if kind == "rules" else "metadata rule"
        rule = f"'{name}'" if name else f"{kind}[{index}]"
        rest = ".".join(_key(p) for p in loc[4:])
        return f"[{table}.{cat}] {label} {rule}" + (f": {rest}" if rest else "")
    if len(loc) >= 2 and loc[0] == "exclude" and loc[1].isdigit():
        index = int(loc[1])
        try:
            name = raw["exclude"][index].get("name")
        except (KeyError, IndexError, TypeError, AttributeError):
            name = None
        rest = ".".join(_key(p) for p in loc[2:])
        return f"[[exclude]] {repr(name) if name else f'#{index + 1}'}" + (
            f": {rest}" if rest else "")
    if len(loc) >= 2 and loc[0] in ("categories", "instruments"):
        rest = ".".join(_key(p) for p in loc[2:])
        return f"[{loc[0]}.{loc[1]}]" + (f" {rest}" if rest else "")
    if len(loc) >= 2 and loc[0] in ("settings", "evidence", "relevance", "boilerplate",
                                    "facts"):
        return f"[{loc[0]}] " + ".".join(_key(p) for p in loc[1:])
    return ".".join(_key(p) for p in loc) or "(top level)"


def _key(part: str) -> str:
    return "with" if part == "with_" else part


def _reason(err: dict) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "missing (required)"
    if kind == "value_error":
        return str(err["ctx"]["error"])
    if kind == "literal_error":
        return f"'{err['input']}' is not allowed; choose one of {err['ctx']['expected']}"
    got = err.get("input")
    shown = f" (got {got!r})" if not isinstance(got, (dict, list)) else ""
    return f"{err['msg'].lower()}{shown}"
