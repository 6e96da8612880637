"""`chipwatch run`: one full cycle, then the alerts that are due."""

from __future__ import annotations

import sys
from datetime import datetime, timezone

from .common import add_config_options, add_verbose, load_config, open_store, progress_printer


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "run", help="crawl every enabled source once, store, deliver the alerts that are due",
        description="Crawl every enabled source once (each in its own process), store what "
                    "came back and print one line per source. Then deliver alerts: urgent "
                    "alerts found by this cycle, digests waiting for a retry, and each "
                    "channel's daily digest once its time today has passed (the stdout "
                    "channel prints a digest of what is new after every run). Exit status 0 "
                    "when every source and delivery succeeded, 1 when any failed (the rest "
                    "is still stored and sent), 2 for configuration errors.")
    parser.add_argument("--source", action="append", metavar="NAME",
                        help="crawl only this source (repeatable)")
    parser.add_argument("--no-digest", action="store_true",
                        help="deliver no alerts or digests this time (documents wait for the "
                             "next)")
    add_config_options(parser)
    add_verbose(parser)
    parser.set_defaults(handler=handle)


def handle(args) -> int:
    from alerts.service import deliver_due
    from tracker.cycle import run_cycle

    config = load_config(args)
    for name in args.source or []:
        config.source(name)  # unknown names fail early, with a suggestion
    db = open_store(args, config, create=True)
    outcomes = run_cycle(config, db, sources=args.source,
                         on_outcome=lambda o: print(o.line(), flush=True),
                         on_log=progress_printer(args.verbose))
    delivered = True
    if not args.no_digest:
        print(flush=True)
        report = deliver_due(config, db, datetime.now(timezone.utc), out=sys.stdout)
        for line in report.lines(skip=tuple(config.channels_of_kind("stdout"))):
            print(line, flush=True)
        delivered = report.ok
    return 0 if delivered and all(o.status == "ok" for o in outcomes) else 1
