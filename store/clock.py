"""The store's one clock format, for every table that records when something happened."""

from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> str:
    """Timestamps in the store: UTC, ISO 8601, second precision."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()
