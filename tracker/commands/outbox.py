"""`chipwatch outbox`: the digests not delivered yet, and `outbox retry` to send them now."""

from __future__ import annotations

import sys
from datetime import datetime, timezone

from .common import add_config_options, load_config, open_store


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "outbox", help="list digests pending or failed, with their last error; 'retry' sends now",
        description="List the digests that are not delivered yet (pending, being sent, or "
                    "failed) with their last error; exit status 1 when any failed. `chipwatch "
                    "outbox retry` makes failed and waiting digests due now and sends them.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    retry = actions.add_parser(
        "retry", help="send failed and waiting digests now",
        description="Make every failed digest, and every pending one waiting out a back-off "
                    "or quiet hours, due now, then send them. A digest left 'sending' by a "
                    "process that died is taken up once its 15-minute lease has passed; "
                    "within the lease (it is being sent, or went out without an answer and "
                    "may have arrived) it is left alone and said so. Exit status 0 when all "
                    "were delivered, 1 otherwise.")
    retry.add_argument("--channel", action="append", metavar="NAME",
                       help="only this channel (repeatable)")
    add_config_options(retry)
    retry.set_defaults(handler=handle_retry)
    parser.add_argument("--all", action="store_true", help="also list delivered digests")
    add_config_options(parser)
    parser.set_defaults(handler=handle_list)


def handle_list(args) -> int:
    from store import outbox

    config = load_config(args)
    db = open_store(args, config, read_only=True)
    statuses = outbox.OPEN_STATUSES + (("sent", "empty") if args.all else ())
    rows = outbox.listing(db, statuses=statuses)
    if not rows:
        print("outbox: nothing waiting; every digest was delivered")
        return 0
    for row in rows:
        when = (f"next attempt {row['next_attempt']}" if row["status"] == "pending"
                else f"sent {row['sent_at']}" if row["status"] == "sent" else "")
        tries = f"{row['attempts']} attempt{'s' if row['attempts'] != 1 else ''}"
        print(f"{row['status']:<8} {row['id']}  {row['document_count']} documents, {tries}"
              + (f", {when}" if when else ""))
        if row["last_error"] and row["status"] != "sent":
            print(f"         last error: {row['last_error']}")
    return 1 if any(r["status"] == "failed" for r in rows) else 0


def handle_retry(args) -> int:
    from alerts.sender import retry_now

    config = load_config(args)
    for name in args.channel or []:
        config.channel(name)
    db = open_store(args, config)
    ids, deliveries = retry_now(config, db, datetime.now(timezone.utc), channels=args.channel)
    if not ids and not deliveries:
        print("outbox: nothing to retry")
        return 0
    for delivery in deliveries:
        stdout_channels = config.channels_of_kind("stdout")
        print(delivery.line(),
              file=sys.stderr if delivery.channel in stdout_channels else sys.stdout)
    return 0 if all(d.status == "sent" for d in deliveries) else 1
