"""`chipwatch reclassify`: re-tag stored documents after the rules change."""

from __future__ import annotations

import argparse
import sys
import time

from .common import add_config_options, load_config, open_store


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "reclassify", help="re-tag stored documents with the current rules",
        description="Classify stored documents again with the current rules and report how "
                    "many documents' categories changed. By default only documents tagged by "
                    "another classifier version (or never tagged) are done; --all re-tags "
                    "every document. Progress goes to standard error.")
    parser.add_argument("--all", action="store_true",
                        help="re-tag every document, even those tagged by this version")
    add_config_options(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from store import tags as tag_store
    from tracker.classify.apply import tag_documents
    from tracker.cycle import classifier_for

    config = load_config(args)
    classifier = classifier_for(config)
    db = open_store(args, config)
    ids = tag_store.all_document_ids(db) if args.all else tag_store.unclassified_ids(
        db, classifier.version)
    if not ids:
        total = db["documents"].count
        print(f"nothing to do: all {total} stored documents are tagged by classifier "
              f"{classifier.version} (use --all to re-tag them anyway)")
        return 0
    print(f"re-tagging {len(ids)} documents with classifier {classifier.version}",
          file=sys.stderr, flush=True)
    report = tag_documents(db, classifier, ids, on_progress=_progress(len(ids)))
    print(f"classifier {classifier.version}: {report.line()}")
    return 0


def _progress(total: int):
    last = [0.0]

    def show(done: int, _total: int) -> None:
        now = time.monotonic()
        if done == total or now - last[0] >= 1.0:
            last[0] = now
            print(f"  {done}/{total} documents ({100 * done // max(total, 1)}%)",
                  file=sys.stderr, flush=True)
    return show
