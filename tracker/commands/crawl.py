"""`chipwatch crawl SOURCE`: fetch one source once and print its documents, store nothing."""

from __future__ import annotations

import json
import sys

from .common import (
    add_config_options,
    add_verbose,
    add_window_options,
    load_config,
    progress_printer,
    since_of,
)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "crawl", help="crawl one source and print its documents as JSON lines (no storing)",
        description="Crawl one source once, on this machine, and print its documents as JSON "
                    "lines on standard output, without storing them. Problems go to standard "
                    "error; exit status 1 when the crawl failed.")
    parser.add_argument("source", help="source name, e.g. federal_register")
    add_window_options(parser)
    add_config_options(parser, db=False)
    add_verbose(parser)
    parser.set_defaults(handler=handle)


def handle(args) -> int:
    from tracker.crawl import build_spec, run_crawl

    config = load_config(args)
    config.source(args.source)  # an unknown name fails here, with a suggestion
    since = since_of(args, config)
    spec = build_spec(config, args.source, since=since, max_pages=args.max_pages)
    result = run_crawl(spec, timeout=config.crawl.crawl_timeout,
                       on_log=progress_printer(args.verbose))
    for doc in result.documents:
        print(json.dumps(doc, ensure_ascii=False), flush=True)
    for problem in result.problems:
        print(f"chipwatch: {problem}", file=sys.stderr)
    return 0 if result.status == "ok" else 1
