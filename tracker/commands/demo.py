"""`chipwatch demo`: one full cycle of every source against a replay on 127.0.0.1."""

from __future__ import annotations

import argparse
import errno
import shutil
import sys
import time
from datetime import date, datetime, timezone
from datetime import time as clock_time
from pathlib import Path

from .common import UsageError, add_verbose, progress_printer

DEFAULT_DB = Path("data/demo/chipwatch.db")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "demo", help="run one full cycle of every source against a bundled offline replay",
        description="Start a replay of every source on 127.0.0.1 (recorded and "
                    "reconstructed pages and feeds shipped with chipwatch, no internet "
                    "needed), crawl "
                    "every source once through the normal cycle into a fresh demo database, "
                    "classify, print one line per source and the digest, then say how to "
                    "browse the result. The demo's configuration is written beside the "
                    "database (demo.toml). --again runs the cycle once more on the same "
                    "database, to show that nothing already stored is fetched again.")
    parser.add_argument("--db", metavar="PATH", type=Path, default=DEFAULT_DB,
                        help=f"the demo database (default: {DEFAULT_DB}); an existing file "
                             f"is replaced only if an earlier demo made it")
    parser.add_argument("--again", action="store_true",
                        help="keep the demo database and run the cycle again on it")
    parser.add_argument("--as-of", metavar="YYYY-MM-DD", type=_day,
                        help="make the digest as if on that day (noon UTC): its deadlines "
                             "section counts from it. The replayed documents are from "
                             "2019 to 2026 and their deadlines are past; 2024-01-01 shows "
                             "the ones the Federal Register's own fields give")
    add_verbose(parser)
    parser.set_defaults(handler=handle)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; write it as YYYY-MM-DD") \
            from None


def demo_paths(db_path: Path) -> tuple[Path, Path]:
    """(configuration file, HTTP cache directory) of a demo database."""
    return db_path.parent / "demo.toml", db_path.parent / "httpcache"


def _is_demo_db(db_path: Path, config_path: Path) -> bool:
    from replay import demo_config
    from tracker import config as config_module

    if not demo_config.is_demo_config(config_path):
        return False
    try:
        return Path(config_module.load(config_path).db_path).resolve() == db_path.resolve()
    except config_module.ConfigError:
        return False


def prepare(db_path: Path, again: bool) -> dict[str, int]:
    """Check and clear the demo's files; the replay ports to reuse (for --again)."""
    from replay import demo_config
    from tracker import config as config_module

    config_path, cache_dir = demo_paths(db_path)
    demo_made = _is_demo_db(db_path, config_path)
    if again:
        if not (db_path.exists() and demo_made):
            raise UsageError(f"{db_path}: no demo database to run again; run `chipwatch demo"
                             f"{'' if db_path == DEFAULT_DB else ' --db ' + str(db_path)}` first")
        return demo_config.ports_of(config_module.load(config_path))
    if db_path.exists() and not demo_made:
        raise UsageError(f"{db_path} exists and was not made by `chipwatch demo` (no "
                         f"{config_path.name} beside it naming it); the demo never "
                         f"overwrites a real database. Choose another path with --db")
    for path in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        path.unlink(missing_ok=True)
    shutil.rmtree(cache_dir, ignore_errors=True)
    return {}


def handle(args) -> int:
    from alerts.service import deliver_due
    from replay import demo_config
    from replay.server import ReplayServer
    from store import open_db
    from tracker import config as config_module
    from tracker.cycle import run_cycle

    db_path: Path = args.db
    ports = prepare(db_path, args.again)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    config_path, cache_dir = demo_paths(db_path)
    started = time.monotonic()
    try:
        replay = ReplayServer(ports)
    except OSError as exc:
        if exc.errno not in (errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EACCES):
            raise
        raise UsageError(f"cannot start the replay on 127.0.0.1 ({exc.strerror}); with "
                         f"--again the ports of the first run must be free") from None
    with replay:
        config_path.write_text(demo_config.render(replay.base_urls, db_path.resolve(),
                                                  cache_dir.resolve()), encoding="utf-8")
        config = config_module.load(config_path)
        into = "second cycle into" if args.again else "first cycle into a new database at"
        print(f"chipwatch demo: replaying {len(replay.sites) + 1} sites on 127.0.0.1 "
              f"(no internet needed); {into} {db_path}", flush=True)
        db = open_db(db_path)
        outcomes = run_cycle(config, db, on_outcome=lambda o: print(o.line(), flush=True),
                             on_log=progress_printer(args.verbose))
        traffic = replay.take_traffic()
        links_to_real_sites(db, replay.base_urls)
    print(flush=True)
    now = datetime.now(timezone.utc)
    if args.as_of:
        now = datetime.combine(args.as_of, clock_time(12, 0), tzinfo=timezone.utc)
        print(f"The digest is made as if on {args.as_of.isoformat()} (--as-of).", flush=True)
    report = deliver_due(config, db, now, out=sys.stdout)
    for line in report.lines(skip=tuple(config.channels_of_kind("stdout"))):
        print(line, flush=True)
    print(flush=True)
    summarise(db, traffic, time.monotonic() - started)
    print("Links point at the sources' real sites; each document's text is on its page in "
          "`chipwatch browse`.")
    print(f"\nBrowse the result:    chipwatch browse --db {db_path}")
    print("Run the cycle again:  chipwatch demo --again"
          + ("" if db_path == DEFAULT_DB else f" --db {db_path}"))
    print(f"The demo's settings:  {config_path}")
    db.close()
    return 0 if report.ok and all(o.status == "ok" for o in outcomes) else 1


def links_to_real_sites(db, base_urls: dict[str, str]) -> int:
    """Point the documents' links at the sites the replay stood in for (the registry's
    origins), as a real crawl would have stored them: the replay is gone once the demo ends.
    The text of each document stays readable offline on its page in `chipwatch browse`."""
    from replay.sites import replayed_sites
    from store.origins import move_origin
    from vocab.sources import sources

    return sum(move_origin(db, source, base_urls[site], sources()[source].sites[key])
               for site, (source, key) in replayed_sites().items() if site in base_urls)


def summarise(db, traffic, seconds: float) -> None:
    from store.events import count_events
    from store.summary import documents_by_category, documents_by_source_language

    rows = documents_by_source_language(db)
    total = sum(r["documents"] for r in rows)
    print(f"Stored: {total} documents in {count_events(db)} events")
    for row in rows:
        print(f"  {row['source']:<23} {row['lang']:<8} {row['documents']:>3} documents, "
              f"{row['tagged']:>3} tagged")
    categories = documents_by_category(db)
    if categories:
        print("Tags:   " + ", ".join(f"{name} {count}" for name, count in categories.items()))
    print(f"Replay: {traffic.total} requests ({traffic.count('article')} article pages, "
          f"{traffic.count('listing')} listing pages, {traffic.count('feed')} feeds, "
          f"{traffic.count('api')} API searches, {traffic.count('fulltext')} full texts, "
          f"{traffic.not_modified} answered 304 Not Modified), {traffic.bytes_sent:,} bytes "
          f"sent, in {seconds:.1f} s")
