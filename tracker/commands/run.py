"""`chipwatch run`: one full cycle."""

from __future__ import annotations

import sys

from alerts.text import render_by_source
from store import digests
from store.db import utcnow
from tracker.cycle import run_cycle

from .common import add_config_options, add_verbose, load_config, open_store, progress_printer

STDOUT_CHANNEL = "stdout"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "run", help="crawl every enabled source once, store, print a digest",
        description="Crawl every enabled source once (each in its own process), store what "
                    "came back, print one line per source, then a digest of the documents "
                    "new since the last digest. Exit status 0 when every source succeeded, "
                    "1 when any failed (the others are still stored), 2 for configuration "
                    "errors.")
    parser.add_argument("--source", action="append", metavar="NAME",
                        help="crawl only this source (repeatable)")
    parser.add_argument("--no-digest", action="store_true", help="do not print the digest")
    add_config_options(parser)
    add_verbose(parser)
    parser.set_defaults(handler=handle)


def handle(args) -> int:
    config = load_config(args)
    for name in args.source or []:
        config.source(name)  # unknown names fail early, with a suggestion
    db = open_store(args, config)
    outcomes = run_cycle(config, db, sources=args.source,
                         on_outcome=lambda o: print(o.line(), flush=True),
                         on_log=progress_printer(args.verbose))
    if not args.no_digest:
        print_digest(db)
    return 0 if all(o.status == "ok" for o in outcomes) else 1


def print_digest(db) -> None:
    docs = digests.undigested(db, STDOUT_CHANNEL)
    print()
    print(render_by_source(docs), end="")
    if docs:
        digests.mark_digested(db, STDOUT_CHANNEL, [d["id"] for d in docs],
                              digest_id=f"{STDOUT_CHANNEL}:{utcnow()}")
    sys.stdout.flush()
