"""The classifier: a rule table (data, in TOML) that tags documents with the categories it
declares, each tag with its score, evidence and relevance.

The names below are loaded on first use, so that importing this package (for the path of the
default rules, say) does not compile anything.
"""

from __future__ import annotations

from importlib import import_module

from .defaults import DEFAULT_RULES

_EXPORTS = {
    "CORE": "engine", "ENGINE_VERSION": "engine", "WIDER": "engine", "Classifier": "engine",
    "InstrumentTag": "engine", "Result": "engine", "Tag": "engine", "RuleBook": "rules",
    "load_rules": "loading",
}

__all__ = ["DEFAULT_RULES", "build_classifier", *_EXPORTS]


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def build_classifier(config=None, rules_path=None):
    """A classifier from the configuration (tracker.config.Config), or from its [classifier]
    section alone (tracker.configfile.ClassifierSettings), or the defaults; `rules_path`
    overrides the configured rules file. The compiled rules are kept in the user's cache
    directory for the next start."""
    from .cache import user_cache_dir
    from .engine import Classifier
    from .loading import load_rules

    settings = getattr(config, "classifier_settings", config)
    path = rules_path or (settings.rules_path if settings is not None else None)
    kwargs = {}
    if settings is not None:
        kwargs = {"min_score": settings.min_score, "max_evidence": settings.max_evidence}
    return Classifier(load_rules(path, cache_dir=user_cache_dir()), **kwargs)
