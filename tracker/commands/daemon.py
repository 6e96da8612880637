"""`chipwatch daemon`: run on the configured schedule until stopped."""

from __future__ import annotations

import logging

from .common import UsageError, add_config_options, load_config, store_path


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
    from tracker.writable import unwritable

    config = load_config(args)
    db_path = store_path(args, config)
    problems = unwritable(config.writable_paths(db_path))
    if problems:
        raise UsageError("the daemon cannot write where the configuration says:\n  "
                         + "\n  ".join(problems) + "\nunder systemd, put these under "
                         "StateDirectory= (/var/lib/chipwatch) or CacheDirectory= "
                         "(/var/cache/chipwatch); see deploy/chipwatch.service")
    configure_logging()
    if not db_path.exists():  # the daemon stores crawls: it makes its database, and says so
        logging.getLogger("chipwatch.daemon").info("creating a new database at %s", db_path)
    from tracker.delivery import announce_health, deliver_due
    try:
        return Daemon(config, db_path, deliver=deliver_due, announce=announce_health).run()
    except DaemonBusy as exc:
        raise UsageError(str(exc)) from None
