"""`chipwatch backfill SOURCE --since DATE`: fill history, politely, with progress."""

from __future__ import annotations

from .common import add_config_options, add_verbose, load_config, open_store, progress_printer


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "backfill", help="page back through a source's history and store it",
        description="Page back through one source's listings (or API) to DATE and store "
                    "everything found, with progress on standard error. Safe to repeat: "
                    "stored documents are not duplicated.")
    parser.add_argument("source", help="source name, e.g. federal_register")
    parser.add_argument("--since", required=True, metavar="YYYY-MM-DD",
                        help="oldest publication date to fetch")
    parser.add_argument("--max-pages", type=int, metavar="N",
                        help="stop after N listing pages (default: no limit)")
    add_config_options(parser)
    add_verbose(parser)
    parser.set_defaults(handler=handle)


def handle(args) -> int:
    from tracker.config import parse_date
    from tracker.cycle import crawl_source

    config = load_config(args)
    config.source(args.source)
    since = parse_date(args.since, "--since").isoformat()
    db = open_store(args, config, create=True)
    outcome = crawl_source(config, db, args.source, mode="backfill", since=since,
                           max_pages=args.max_pages, on_log=progress_printer(args.verbose))
    print(outcome.line())
    return 0 if outcome.status == "ok" else 1
