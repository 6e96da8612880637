"""`chipwatch tags DOC --add CATEGORY --remove CATEGORY`: an analyst's correction of a
document's categories."""

from __future__ import annotations

from .common import UsageError, add_config_options, load_config, open_store


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "tags", help="add or remove a document's categories (an audited correction)",
        description="Correct the classifier for one document: --add gives it a category the "
                    "rules missed, --remove takes away one they gave wrongly. The change is "
                    "recorded with who made it, when and why, is applied every time the "
                    "document is tagged again (including `chipwatch reclassify`), and shows "
                    "in digests and Datasette (the tag's origin is 'analyst'). A document is "
                    "named by its id or by the unique end of it (`2026-16628`).")
    parser.add_argument("document", metavar="DOC")
    parser.add_argument("--add", action="append", default=[], metavar="CATEGORY",
                        help="a category to give it (repeatable)")
    parser.add_argument("--remove", action="append", default=[], metavar="CATEGORY",
                        help="a category to take away (repeatable)")
    parser.add_argument("--relevance", choices=("core", "wider"),
                        help="of an added category: core (chips or Taiwan are its subject, "
                             "the default) or wider")
    parser.add_argument("--why", required=True, metavar="TEXT",
                        help="why: kept with the correction for whoever reads it later")
    parser.add_argument("--by", metavar="NAME",
                        help="who makes the correction (default: your login name)")
    add_config_options(parser)
    parser.set_defaults(handler=handle)


def handle(args) -> int:
    from tracker.config import analyst
    from tracker.corrections import CorrectionError, retag
    from tracker.cycle import classifier_for

    config = load_config(args)
    classifier = classifier_for(config)
    db = open_store(args, config)
    try:
        done = retag(db, args.document, add=args.add, remove=args.remove,
                     relevance=args.relevance, known=config.categories.names,
                     classifier=classifier, who=args.by or analyst(), why=args.why)
    except CorrectionError as exc:
        raise UsageError(str(exc)) from None
    [document] = done.documents
    from store.tags import tags_for

    categories = [tag["category"] for tag in tags_for(db, [document])[document]]
    print(f"{document}: now {', '.join(categories) or 'no category'}; correction "
          f"{done.correction_id}")
    return 0
