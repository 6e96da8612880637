"""`chipwatch status`: sources and their health, the next jobs, the outbox."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from .common import add_config_options, load_config, open_store


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "status", help="show each source's health, the next scheduled jobs, each alert "
                       "channel and the outbox",
        description="Show a table of sources (health, last success, last error, documents "
                    "in total and this week: first seen in the last seven days, as on "
                    "every page of `chipwatch browse`), the Scrapyd servers when crawls run "
                    "there (up or down, how busy, whether this chipwatch's spiders are "
                    "deployed), when each source is next due to be crawled, each alert "
                    "channel (its kind, schedule, filter, digests sent, waiting and failed, the "
                    "last one sent and its last error), and the outbox. Health is ok, quiet, "
                    "stale, broken or disabled, judged from the recorded crawl runs.")
    add_config_options(parser)
    parser.set_defaults(handler=handle)


def handle(args) -> int:
    from store import outbox
    from store.health import last_success_time
    from tracker import health
    from tracker.schedule import first_runs

    config = load_config(args)
    db = open_store(args, config, read_only=True)
    now = datetime.now(timezone.utc)
    zone = config.daemon.timezone
    rows = [("source", "health", "last success", "docs", "this week", "last error")]
    for source, _ in config.sources.items():
        verdict = health.assess(config, db, source, now)
        facts = verdict.facts
        success = facts["last_success"]
        failure = facts["last_failure"]
        error = failure["errors"][0] if failure and failure["errors"] else ""
        error = error.removeprefix(f"{source}: ")
        rows.append((source, verdict.health, _when(success and success["started"], zone),
                     str(facts["documents_total"]), str(facts["documents_this_week"]),
                     _clip(error, 70)))
    print(_table(rows))
    print()
    if config.crawl.backend == "scrapyd":
        from tracker.scrapyd_crawls import describe_servers

        print(f"crawl servers (Scrapyd, project {config.crawl.scrapyd_project}):")
        for line in describe_servers(config.crawl):
            print(f"  {line}")
        print()
    last = {s: _parse(last_success_time(db, s)) for s in config.sources.enabled()}
    plan = first_runs(config, last, now)
    print("next crawls:")
    for source, when in sorted(plan.items(), key=lambda item: item[1]):
        due = "due now" if when <= now + timedelta(minutes=1) else _when(when.isoformat(), zone)
        print(f"  {source:<23} {due}")
    print()
    print("alert channels:")
    print(_channels(config, outbox.channel_summary(db), zone))
    print()
    waiting = outbox.listing(db)
    counts = {status: sum(1 for r in waiting if r["status"] == status)
              for status in outbox.OPEN_STATUSES}
    print("outbox: " + ", ".join(f"{n} {status}" for status, n in counts.items()))
    for row in waiting:
        error = f": {_clip(row['last_error'], 70)}" if row["last_error"] else ""
        print(f"  {row['status']:<8} {row['id']}{error}")
    return 0


def _channels(config, summary: dict, zone: ZoneInfo) -> str:
    rows = [("  channel", "kind", "schedule", "filter", "sent", "waiting", "failed",
             "last sent")]
    errors = []
    for name, channel in config.channels(enabled_only=False).items():
        counts = summary.get(name, {})
        schedule = channel.schedule if channel.enabled else "disabled"
        rows.append((f"  {name}", channel.kind, schedule, _clip(_filter(channel), 50),
                     str(counts.get("sent", 0)),
                     str(counts.get("pending", 0) + counts.get("sending", 0)),
                     str(counts.get("failed", 0)), _when(counts.get("last_sent"), zone)))
        if counts.get("last_error"):
            errors.append(f"  {name}: {_clip(counts['last_error'], 100)}")
    return _table(rows) + ("\n" + "\n".join(errors) if errors else "")


def _filter(channel) -> str:
    """A channel's filter in a few words: 'export_control; bis; keywords 2'."""
    parts = [",".join(channel.categories) if channel.categories else "all categories"]
    for key in ("sources", "languages", "instruments", "actors"):
        values = getattr(channel, key)
        if values:
            parts.append(",".join(values))
    if channel.relevance != "any":
        parts.append(channel.relevance)
    if channel.keywords:
        parts.append("keywords " + ",".join(channel.keywords))
    if channel.exclude_keywords:
        parts.append("not " + ",".join(channel.exclude_keywords))
    return "; ".join(parts)


def _parse(ts):
    return datetime.fromisoformat(ts) if ts else None


def _when(ts: str | None, zone: ZoneInfo) -> str:
    if not ts:
        return "never"
    return datetime.fromisoformat(ts).astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(rows: list[tuple]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
                     for row in rows)
