"""The `chipwatch` command. Each subcommand lives in tracker/commands/<name>.py and exposes
`register(subparsers)`; this module only assembles them and turns known errors into
messages and exit statuses (0 ok, 1 a source or delivery failed, 2 configuration or usage).
It imports only cheap modules: each command loads what it needs when it runs."""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sqlite3
import sys
import threading

from store.errors import StoreError, explain
from tracker.commands.common import UsageError
from vocab.errors import ConfigError

COMMANDS = ["run", "crawl", "backfill", "capture", "classify", "reclassify", "digest", "outbox",
            "daemon", "status", "browse", "demo", "events", "tags", "corrections", "scrapyd",
            "cite"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, or (`only`) the one command about to run: the others' modules
    are then not even imported."""
    parser = argparse.ArgumentParser(
        prog="chipwatch",
        description="Follow US–Taiwan semiconductor policy: crawl official sources, tag "
                    "investment pressure, export controls, alliances and tariffs, store "
                    "everything in SQLite and send digests.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name in [only] if only in COMMANDS else COMMANDS:
        importlib.import_module(f"tracker.commands.{name}").register(subparsers)
    return parser


class Terminated(BaseException):
    """SIGTERM reached a command: unwind like Ctrl-C, so that a crawl child is stopped and
    its run recorded as interrupted (the daemon handles SIGTERM itself)."""


def _terminate(signum, frame):
    raise Terminated()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(only=argv[0] if argv else None)
    args = parser.parse_args(argv)
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if main_thread else None
    try:
        return args.handler(args)
    except (ConfigError, StoreError, UsageError) as exc:
        print(f"chipwatch: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except sqlite3.DatabaseError as exc:  # locked or damaged after it was opened
        print(f"chipwatch: error: {explain(exc, getattr(args, 'store_path', None))}",
              file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("chipwatch: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`chipwatch corrections --jsonl | head`)
        sys.stdout = open(os.devnull, "w")  # nothing more is written to the closed pipe
        return 0
    except Terminated:
        print("chipwatch: stopped by SIGTERM", file=sys.stderr)
        return 128 + signal.SIGTERM
    finally:
        if main_thread and previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
