"""The sites the replay serves, derived from the source registry: one per origin a source
is configured with (`base_url`, and e.g. TrendForce's `base_url_zh`)."""

from __future__ import annotations

from vocab.sources import sources


def site_id(source: str, key: str) -> str:
    """`trendforce` for a source's base_url, `trendforce.base_url_zh` for another origin."""
    return source if key == "base_url" else f"{source}.{key}"


def replayed_sites() -> dict[str, tuple[str, str]]:
    """site id -> (source, configuration key of its origin), in registry order."""
    return {site_id(name, key): (name, key)
            for name, entry in sources().items() for key in entry.sites}
