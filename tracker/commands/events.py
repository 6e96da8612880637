"""`chipwatch events`: list events, show one, and correct the linker (merge, split), or link
everything again."""

from __future__ import annotations

import sys

from .common import UsageError, add_config_options, load_config, open_store


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "events", help="list events, show one, merge or split them, or link again",
        description="An event is one policy action and every document about it (a BIS "
                    "release, its Federal Register rule and correction, the editions of a "
                    "TSMC story). `chipwatch events` lists the newest; `events show ID` "
                    "shows one with each document's role and the evidence that linked it; "
                    "`events merge ID ID...` and `events split ID DOC...` correct the "
                    "linker (audited, and kept through every later linking); `events "
                    "relink` links every document again.")
    parser.add_argument("--limit", type=int, default=20, metavar="N",
                        help="how many events to list (default 20)")
    add_config_options(parser)
    parser.set_defaults(handler=handle_list)
    actions = parser.add_subparsers(dest="action", metavar="ACTION")

    show = actions.add_parser(
        "show", help="one event with its documents, roles and evidence",
        description="Show an event: its title, dates, categories and sources, then each of "
                    "its documents with its role, the reason it was linked and the evidence.")
    show.add_argument("event", type=int, metavar="ID")
    add_config_options(show)
    show.set_defaults(handler=handle_show)

    merge_parser = actions.add_parser(
        "merge", help="put the documents of several events in one event",
        description="Merge events the linker kept apart: every document of the named events "
                    "goes into one event (the one holding most documents keeps its id), and "
                    "stays there through every later linking. The correction is recorded "
                    "with who made it, when and why (see `chipwatch corrections`).")
    merge_parser.add_argument("events", type=int, nargs="+", metavar="ID",
                              help="two or more event ids")
    _audit_options(merge_parser)
    merge_parser.set_defaults(handler=handle_merge)

    split_parser = actions.add_parser(
        "split", help="move documents out of an event into one of their own",
        description="Split documents the linker joined wrongly out of an event: the named "
                    "documents become an event of their own and are kept apart from the "
                    "event's other documents through every later linking. A document is "
                    "named by its id or by the unique end of it (`2026-16628`). Recorded "
                    "with who, when and why.")
    split_parser.add_argument("event", type=int, metavar="ID")
    split_parser.add_argument("documents", nargs="+", metavar="DOC",
                              help="the documents to move out")
    _audit_options(split_parser)
    split_parser.set_defaults(handler=handle_split)

    relink = actions.add_parser(
        "relink", help="link every stored document into events again",
        description="Link every stored document again from its evidence (and analysts' "
                    "corrections), as after a change of the linker. The cycle links new "
                    "documents by itself; this is for when you want to see the whole store "
                    "linked again.")
    add_config_options(relink)
    relink.set_defaults(handler=handle_relink)


def _audit_options(parser) -> None:
    parser.add_argument("--why", required=True, metavar="TEXT",
                        help="why: kept with the correction for whoever reads it later")
    parser.add_argument("--by", metavar="NAME",
                        help="who makes the correction (default: your login name)")
    add_config_options(parser)


def _store(args):
    config = load_config(args)
    return open_store(args, config)


def handle_list(args) -> int:
    from store import events as event_store

    db = _store(args)
    rows = event_store.recent_events(db, max(args.limit, 1))
    total = event_store.count_events(db)
    print(f"{total} events; the {len(rows)} with the newest documents:")
    for row in rows:
        span = row["first_date"] if row["first_date"] == row["last_date"] else \
            f"{row['first_date']} to {row['last_date']}"
        categories = ", ".join(row["categories"]) or "no category"
        print(f"{row['id']:>6}  {span}  {row['document_count']} doc"
              f"{'s' if row['document_count'] != 1 else ' '}  [{categories}]  {row['title']}")
    return 0


def handle_show(args) -> int:
    from store import events as event_store

    db = _store(args)
    event = event_store.get_event(db, args.event)
    if event is None:
        raise UsageError(f"no event {args.event}; `chipwatch events` lists them")
    print(f"Event {event['id']}: {event['title']}")
    if event["title_zh"]:
        print(f"  {event['title_zh']}")
    print(f"  {event['first_date']} to {event['last_date']} | {event['document_count']} "
          f"documents | categories: {', '.join(event['categories']) or 'none'} | relevance: "
          f"{event['relevance'] or 'not known'} | sources: {', '.join(event['sources'])}")
    for doc in event_store.event_documents(db, args.event):
        print(f"\n  {doc['id']}")
        print(f"    {doc['role']}, {(doc['published'] or '')[:10]}, {doc['lang']}: "
              f"{doc['title']}")
        print(f"    {doc['url']}")
        reason = doc["reason"] + (f": {doc['evidence']}" if doc["evidence"] else "")
        print(f"    why here: {reason}")
    return 0


def handle_merge(args) -> int:
    from tracker.config import analyst
    from tracker.corrections import CorrectionError, merge

    db = _store(args)
    try:
        done = merge(db, args.events, who=args.by or analyst(), why=args.why)
    except CorrectionError as exc:
        raise UsageError(str(exc)) from None
    print(f"merged events {', '.join(map(str, args.events))} into event {done.event_id} "
          f"({len(done.documents)} documents); correction {done.correction_id}")
    return 0


def handle_split(args) -> int:
    from tracker.config import analyst
    from tracker.corrections import CorrectionError, split

    db = _store(args)
    try:
        done = split(db, args.event, args.documents, who=args.by or analyst(), why=args.why)
    except CorrectionError as exc:
        raise UsageError(str(exc)) from None
    print(f"split {len(done.documents)} document{'s' if len(done.documents) != 1 else ''} "
          f"out of event {args.event} into event {done.event_id}; correction "
          f"{done.correction_id}")
    return 0


def handle_relink(args) -> int:
    from store import events as event_store
    from tracker.events import relink_all

    db = _store(args)
    print("linking every stored document again", file=sys.stderr, flush=True)

    def progress(done: int, total: int) -> None:
        print(f"  {done}/{total} documents", file=sys.stderr, flush=True)
    report = relink_all(db, on_progress=progress)
    print(f"{report.line()}; {event_store.count_events(db)} events in all")
    return 0
