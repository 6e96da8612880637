"""`chipwatch daemon`: run on the configured schedule until stopped."""

from __future__ import annotations

from pathlib import Path

from .common import UsageError, add_config_options, load_config


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "daemon", help="run crawls, digests and deliveries on the configured schedule",
        description="Run chipwatch as a long-lived process: crawl each source on its "
                    "schedule (each crawl in a child process with a timeout), classify, "
                    "deliver digests and urgent alerts, retry the outbox and announce when a "
                    "source breaks or recovers. After downtime, sources whose last success "
                    "is older than their interval are crawled at start. SIGTERM or Ctrl-C "
                    "stops cleanly (exit 0); a second signal stops at once. Logs go to "
                    "standard error.")
    add_config_options(parser)
    parser.set_defaults(handler=handle)


def handle(args) -> int:
    from tracker.daemon import Daemon, DaemonBusy, configure_logging

    config = load_config(args)
    db_path = Path(args.db) if args.db else config.db_path
    configure_logging()
    from tracker.delivery import announce_health, deliver_due
    try:
        return Daemon(config, db_path, deliver=deliver_due, announce=announce_health).run()
    except DaemonBusy as exc:
        raise UsageError(str(exc)) from None
