"""The classifier: a rule table (data, in TOML) that tags documents with investment_pressure,
export_control, alliance and tariff, each tag with its score, evidence and relevance."""

from .engine import CORE, ENGINE_VERSION, WIDER, Classifier, Result, Tag
from .rules import DEFAULT_RULES, RuleBook, load_rules

__all__ = ["CORE", "DEFAULT_RULES", "ENGINE_VERSION", "WIDER", "Classifier", "Result",
           "RuleBook", "Tag", "load_rules", "build_classifier"]


def build_classifier(config=None, rules_path=None) -> Classifier:
    """A classifier from the configuration's [classifier] section (or the defaults);
    `rules_path` overrides the configured rules file. The compiled rules are kept in the
    user's cache directory for the next start."""
    from .cache import user_cache_dir

    settings = getattr(config, "classifier", None)
    path = rules_path or (config.rules_path if config is not None else None)
    kwargs = {}
    if settings is not None:
        kwargs = {"min_score": settings.min_score, "max_evidence": settings.max_evidence}
    return Classifier(load_rules(path, cache_dir=user_cache_dir()), **kwargs)
