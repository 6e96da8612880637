"""`chipwatch classify [FILE]`: tag JSON lines without touching the store."""

from __future__ import annotations

import argparse
import json
import sys

from .common import add_config_options, load_config

EXIT_BAD_INPUT = 2
DEFAULT_MAX_LINE_MB = 10
CHUNK = 1 << 20


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
                    "still classified, and the exit status is then 2. A line longer than "
                    "--max-line-mb is reported and skipped without being held in memory; "
                    "of a document's text the first million characters are classified.")
    parser.add_argument("file", nargs="?", metavar="FILE",
                        help="JSON lines to read (default: standard input; '-' also means it)")
    parser.add_argument("--rules", metavar="PATH",
                        help="rules file to use instead of the configured one")
    parser.add_argument("--max-line-mb", type=positive_mb, default=DEFAULT_MAX_LINE_MB,
                        metavar="N", help=f"skip (and report) input lines longer than N "
                                          f"megabytes (default {DEFAULT_MAX_LINE_MB})")
    add_config_options(parser, db=False)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from tracker.classify import build_classifier
    from tracker.configfile import classifier_settings

    # Only [classifier] is read; the whole file is validated when that section needs it.
    settings = classifier_settings(args.config) or load_config(args)
    classifier = build_classifier(settings, rules_path=args.rules)
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
    limit = int(args.max_line_mb * 1024 * 1024)
    with stream:
        for number, raw in enumerate(bounded_lines(stream, limit), start=1):
            try:
                if raw is None:
                    raise ValueError(f"longer than {args.max_line_mb:g} MB (--max-line-mb)")
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


def positive_mb(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value <= 4096:
        raise argparse.ArgumentTypeError(f"{text!r}: give a number of megabytes above 0")
    return value


def bounded_lines(stream, limit: int):
    """The lines of a binary stream, each read up to `limit` bytes: a longer line is
    yielded as None and the rest of it read through in chunks, never held whole."""
    while True:
        raw = stream.readline(limit + 1)
        if not raw:
            return
        if len(raw) > limit and not raw.endswith(b"\n"):
            while True:
                rest = stream.readline(CHUNK)
                if not rest or rest.endswith(b"\n"):
                    break
            yield None
            continue
        yield raw


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
