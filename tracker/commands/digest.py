"""`chipwatch digest`: make a digest now for each enabled channel and deliver it."""

from __future__ import annotations

import sys
from datetime import datetime, timezone

from .common import add_config_options, load_config, open_store


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "digest", help="make a digest now for each enabled channel and deliver it",
        description="Make a digest now for each enabled alert channel (or only --channel "
                    "NAME) from the documents not yet in one of that channel's digests, queue "
                    "it in the outbox and deliver it. Running it again sends nothing new. "
                    "Exit status 0 when everything was delivered, 1 when a delivery failed "
                    "or will be retried, 2 for configuration errors.")
    parser.add_argument("--channel", action="append", metavar="NAME",
                        help="only this channel: the name of its [alerts.NAME] table (repeatable)")
    parser.add_argument("--dry-run", action="store_true",
                        help="render each digest as text on standard output; mark and send "
                             "nothing")
    add_config_options(parser)
    parser.set_defaults(handler=handle)


def handle(args) -> int:
    from alerts.service import digest_now
    from tracker.config import ConfigError

    config = load_config(args)
    names = args.channel or list(config.channels())
    for name in names:
        if not config.channel(name).enabled:  # unknown names fail here, with a suggestion
            raise ConfigError(f"alert channel '{name}' is disabled ([alerts.{name}] enabled = "
                              f"false); enable it in config.toml to make its digest")
    db = open_store(args, config)
    now = datetime.now(timezone.utc)
    report = digest_now(config, db, now, names, dry_run=args.dry_run)
    if args.dry_run:
        for made in report.made:
            print(f"--- {made.channel}: {made.digest_id} (dry run, {made.documents} "
                  f"documents; nothing marked or sent)")
            print(made.payload["text"])
        return 0
    for line in report.lines(skip=tuple(config.channels_of_kind("stdout")), existing=True):
        print(line, file=sys.stderr)
    return 0 if report.ok else 1

