"""`chipwatch classify [FILE]`: tag JSON lines without touching the store."""

from __future__ import annotations

import argparse
import json
import sys

from tracker.classify import build_classifier

from .common import add_config_options, load_config

EXIT_BAD_INPUT = 2


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "classify", help="tag JSON lines (title, text, optional lang) read from FILE or stdin",
        description="Read JSON lines, each an object with 'title' and 'text' (and optionally "
                    "'lang', 'source', 'doc_type', 'metadata', and 'published' or 'date' to "
                    "date what the text says without a year), from FILE or standard input, "
                    "and write each object back on one line with 'labels' (a list), "
                    "'scores' (category -> number), 'evidence' (category -> sentences, the "
                    "most informative first), 'relevance' (category -> 'core' when chips "
                    "or Taiwan are the subject, 'wider' when not), 'instruments' (names), "
                    "'amounts' ({value, currency, text}), 'rates' ({percent, text}), "
                    "'deadlines' ({kind, date, text}; kind effective, comments_close or "
                    "compliance) and 'actors' (canonical names) added, in order. A line that "
                    "is not such an object is reported on "
                    "standard error with its line number and left out; the other lines are "
                    "still classified, and the exit status is then 2.")
    parser.add_argument("file", nargs="?", metavar="FILE",
                        help="JSON lines to read (default: standard input; '-' also means it)")
    parser.add_argument("--rules", metavar="PATH",
                        help="rules file to use instead of the configured one")
    add_config_options(parser, db=False)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    config = load_config(args)
    classifier = build_classifier(config, rules_path=args.rules)
    name = args.file if args.file and args.file != "-" else "<stdin>"
    if name == "<stdin>":
        stream = sys.stdin.buffer
    else:
        try:
            stream = open(args.file, "rb")
        except OSError as exc:
            print(f"chipwatch: error: {args.file}: cannot be read: {exc.strerror}",
                  file=sys.stderr)
            return EXIT_BAD_INPUT
    bad = 0
    out = sys.stdout
    with stream:
        for number, raw in enumerate(stream, start=1):
            try:
                doc = _parse(raw)
            except ValueError as exc:
                bad += 1
                print(f"chipwatch: {name}:{number}: {exc}; line skipped", file=sys.stderr)
                continue
            if doc is None:
                continue  # a blank line
            result = classifier.classify(doc)
            evidence = {t.category: [e["sentence"] for e in t.evidence] for t in result.tags}
            out.write(json.dumps({**doc, "labels": result.labels, "scores": result.scores,
                                  "evidence": evidence, "relevance": result.relevance,
                                  "instruments": result.instrument_names,
                                  **result.facts.as_dict()},
                                 ensure_ascii=False) + "\n")
    out.flush()
    if bad:
        print(f"chipwatch: {bad} line{'s' if bad != 1 else ''} of {name} could not be "
              f"classified", file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0


def _parse(raw: bytes) -> dict | None:
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text (byte {exc.start + 1})") from None
    if not line.strip():
        return None
    try:
        doc = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(doc, dict):
        raise ValueError(f"expected a JSON object with 'title' and 'text', got "
                         f"{type(doc).__name__ if doc is not None else 'null'}")
    for key in ("title", "text", "lang", "published", "date"):
        if key in doc and doc[key] is not None and not isinstance(doc[key], str):
            raise ValueError(f"'{key}' must be a string, got {type(doc[key]).__name__}")
    if not (doc.get("title") or "").strip() and not (doc.get("text") or "").strip():
        raise ValueError("has neither 'title' nor 'text' to classify")
    return doc
