"""Options and set-up shared by the subcommands.

A command module imports what its work needs inside its handler, not at the top: building
the parser (for any command, or for --help) then loads no command's machinery, and
`chipwatch classify` does not pay for the crawler, the store or Datasette."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database

    from tracker.config import Config


class UsageError(Exception):
    """Bad input from the command line; exit status 2."""


LIBRARY_LOGGERS = ("scrapy", "twisted", "py.warnings", "asyncio")


def add_config_options(parser: argparse.ArgumentParser, *, db: bool = True) -> None:
    parser.add_argument("--config", metavar="PATH",
                        help="configuration file (default: $CHIPWATCH_CONFIG, else ./config.toml)")
    if db:
        parser.add_argument("--db", metavar="PATH",
                            help="SQLite database (default: [store] path in the configuration)")


def load_config(args: argparse.Namespace) -> Config:
    """The configuration the command was given; what it accepted but doubts is printed."""
    from tracker import config as config_module

    config = config_module.load(getattr(args, "config", None))
    for warning in config.warnings:
        print(f"chipwatch: warning: {warning}", file=sys.stderr)
    return config


def store_path(args: argparse.Namespace, config: Config) -> Path:
    """The database the command was given (--db, else [store] path); kept on `args` so that
    an error met later can name the file."""
    path = Path(args.db) if getattr(args, "db", None) else config.db_path
    args.store_path = path
    return path


def open_store(args: argparse.Namespace, config: Config, *, create: bool = False,
               read_only: bool = False) -> Database:
    """Open the command's database. Only a command that stores crawls (`create`) makes a
    new one, and says so; the others refuse a path where there is none, so that a mistyped
    --db is an error rather than an empty store that looks like "no news". `read_only`
    commands write nothing and work without write access."""
    from store import StoreError, open_db

    path = store_path(args, config)
    if not path.exists():
        named = "--db" if getattr(args, "db", None) else f"[store] path in {config.origin}"
        if not create:
            raise StoreError(f"{path}: no database here (named by {named}); check the path, "
                             f"or run `chipwatch run` to create one")
        print(f"chipwatch: creating a new database at {path} (named by {named})",
              file=sys.stderr, flush=True)
    return open_db(path, read_only=read_only)


def progress_printer(verbose: bool = False):
    """Relay a crawl child's log lines: its progress always, everything with --verbose."""
    def relay(line: str) -> None:
        progress = " INFO: " in line and not line.startswith(LIBRARY_LOGGERS)
        if verbose or progress:
            print(f"  {line}", file=sys.stderr, flush=True)
    return relay


def add_verbose(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="also show the crawler's own log lines")


def add_window_options(parser: argparse.ArgumentParser) -> None:
    """How far back a one-off crawl of a source reads (`crawl`, `capture`)."""
    parser.add_argument("--since", metavar="YYYY-MM-DD",
                        help="oldest publication date wanted (default: first_run_days back)")
    parser.add_argument("--max-pages", type=int, metavar="N", help="listing pages to read")


def since_of(args: argparse.Namespace, config: Config) -> str:
    """The day `--since` names, else the source's first-run window from today."""
    from datetime import date

    from tracker.config import parse_date
    from tracker.cycle import first_run_since

    if args.since:
        return parse_date(args.since, "--since").isoformat()
    return first_run_since(config, args.source, date.today())
