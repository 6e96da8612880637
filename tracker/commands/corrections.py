"""`chipwatch corrections`: every analyst's correction, or (--jsonl) the same as labelled
data to measure the linker and the classifier against."""

from __future__ import annotations

import json

from .common import add_config_options, load_config, open_store


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "corrections", help="list analysts' corrections, or export them as labelled data",
        description="List every correction made with `chipwatch events merge`, `events "
                    "split` and `chipwatch tags`, oldest first, with who made it, when and "
                    "why. --jsonl writes them as labelled data instead, one JSON object a "
                    "line: pairs of documents that are (\"label\": true) or are not one event "
                    "(\"kind\": \"same_event\"), and categories a document has or has not "
                    "(\"kind\": \"category\"), each with the correction's id, who, at and why.")
    parser.add_argument("--jsonl", action="store_true",
                        help="write labelled pairs and categories as JSON lines")
    add_config_options(parser)
    parser.set_defaults(handler=handle)


def handle(args) -> int:
    from store import corrections as correction_store
    from tracker.corrections import labelled

    config = load_config(args)
    db = open_store(args, config)
    if args.jsonl:
        for line in labelled(db):
            print(json.dumps(line, ensure_ascii=False))
        return 0
    rows = correction_store.listing(db)
    if not rows:
        print("no corrections yet")
        return 0
    for row in rows:
        print(f"{row['id']:>4}  {row['at']}  {row['who']}  {row['kind']}: {_what(row)}")
        print(f"      why: {row['why']}")
    return 0


def _what(row: dict) -> str:
    detail = row["detail"] or {}
    if row["kind"] == "merge":
        return f"events {', '.join(map(str, row['event_ids']))} merged"
    if row["kind"] == "split":
        return (f"{', '.join(detail.get('split_off', []))} split out of event "
                f"{detail.get('event')}")
    changes = [f"+{c}" for c in detail.get("add", [])] + \
        [f"-{c}" for c in detail.get("remove", [])]
    return f"{', '.join(row['document_ids'])} {' '.join(changes)}"
