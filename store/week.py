"""What "this week" means wherever chipwatch says it (`chipwatch status`, the "This week"
page and the reading view's week links in Datasette): what chipwatch first saw in the last
seven days (UTC), by `documents.first_seen`; an event is this week's when one of its
documents is. It is the news an analyst has not read yet, as the digests count it: a
release published last month but found today is this week's, and the replayed documents of
`chipwatch demo`, published years ago, are this week's after a demo."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

THIS_WEEK_DAYS = 7

# The same boundary in SQLite, for queries run when a page loads (Datasette's canned queries):
# first_seen is written as YYYY-MM-DDTHH:MM:SS+00:00 (store.db.utcnow).
WEEK_AGO_SQL = f"strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now', '-{THIS_WEEK_DAYS} days')"


def week_ago(now: datetime) -> str:
    """The start of the week that ends at `now`, as first_seen is written."""
    start = now.astimezone(timezone.utc) - timedelta(days=THIS_WEEK_DAYS)
    return start.replace(microsecond=0).isoformat()
