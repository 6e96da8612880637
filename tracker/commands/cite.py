"""`chipwatch cite ID`: a document or an event as a footnote, in English and/or Chinese."""

from __future__ import annotations

from .common import UsageError, add_config_options, load_config, open_store

LANGUAGE_CHOICES = ("en", "zh", "both")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "cite", help="print a footnote citing a document or an event",
        description="Print the footnote a paper cites a document or an event with: in "
                    "English, “Title,” Outlet, Month D, YYYY, URL. and in Chinese, "
                    "《標題》，機構，YYYY年M月D日，URL。 The outlet is named as the papers name it "
                    "(U.S. Department of Commerce / 美國商務部, TSMC / 台積公司, 總統府...; "
                    "the `cite` key of each source in vocab/sources.toml). A footnote in the "
                    "other language cites the document's edition in that language when there "
                    "is one. An event is cited as its lead document. The document and event "
                    "pages of `chipwatch browse` show the same footnotes.")
    parser.add_argument("id", metavar="ID",
                        help="a document id (federal_register:2026-17231, or the unique end "
                             "of one: 2026-17231) or an event number (12, or event:12)")
    parser.add_argument("--lang", choices=LANGUAGE_CHOICES, default="both",
                        help="en, zh, or both (the default: English first, one per line)")
    add_config_options(parser)
    parser.set_defaults(handler=handle)


def handle(args) -> int:
    from store.citations import NotFound, document_footnotes, event_footnotes, resolve

    config = load_config(args)
    db = open_store(args, config, read_only=True)
    try:
        try:
            kind, found = resolve(db, args.id)
        except NotFound as exc:
            raise UsageError(f"{exc} (in {args.store_path})") from None
        notes = event_footnotes(db, found) if kind == "event" else document_footnotes(db, found)
        if notes is None:
            raise UsageError(f"event {found} has no documents to cite")
    finally:
        db.close()
    languages = ("en", "zh") if args.lang == "both" else (args.lang,)
    for language in languages:
        print(notes[language])
    return 0
