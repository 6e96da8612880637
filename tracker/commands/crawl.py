"""`chipwatch crawl SOURCE`: fetch one source once and print its documents, store nothing."""

from __future__ import annotations

import json
import sys
from datetime import date

from .common import add_config_options, add_verbose, load_config, progress_printer


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "crawl", help="crawl one source and print its documents as JSON lines (no storing)",
        description="Crawl one source once, on this machine, and print its documents as JSON "
                    "lines on standard output, without storing them. Problems go to standard "
                    "error; exit status 1 when the crawl failed.")
    parser.add_argument("source", help="source name, e.g. federal_register")
    parser.add_argument("--since", metavar="YYYY-MM-DD",
                        help="oldest publication date wanted (default: first_run_days back)")
    parser.add_argument("--max-pages", type=int, metavar="N", help="listing pages to read")
    add_config_options(parser, db=False)
    add_verbose(parser)
    parser.set_defaults(handler=handle)


def handle(args) -> int:
    from tracker.config import parse_date
    from tracker.crawl import build_spec, run_crawl
    from tracker.cycle import first_run_since

    config = load_config(args)
    config.source(args.source)  # an unknown name fails here, with a suggestion
    since = (parse_date(args.since, "--since").isoformat() if args.since
             else first_run_since(config, args.source, date.today()))
    spec = build_spec(config, args.source, since=since, max_pages=args.max_pages)
    result = run_crawl(spec, timeout=config.crawl.crawl_timeout,
                       on_log=progress_printer(args.verbose))
    for doc in result.documents:
        print(json.dumps(doc, ensure_ascii=False), flush=True)
    for problem in result.problems:
        print(f"chipwatch: {problem}", file=sys.stderr)
    return 0 if result.status == "ok" else 1
