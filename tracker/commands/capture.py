"""`chipwatch capture SOURCE`: crawl a source once and keep everything it fetched, with a
README saying when and from where, as a fixture set the replay can serve."""

from __future__ import annotations

import json
import platform
import sys
from datetime import datetime, timezone
from pathlib import Path

from vocab.captures import INDEX, MANIFEST

from .common import (
    UsageError,
    add_config_options,
    add_verbose,
    add_window_options,
    load_config,
    progress_printer,
    since_of,
)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "capture", help="crawl one source and keep every response as a fixture set",
        description="Crawl one source once as a first routine crawl would (its configured "
                    "sites, politeness and limits; nothing stored is skipped, no HTTP cache) "
                    "and keep everything it fetched: each request, its status, headers and "
                    "body, in DIR, with a README saying when and from where it was taken. "
                    "The replay serves such a directory back (replay/capture.py) and the "
                    "tests can run the spiders on it. Exit status 1 when the crawl failed "
                    "(what was fetched is kept all the same).")
    parser.add_argument("source", help="source name, e.g. tw_president")
    parser.add_argument("--out", metavar="DIR", type=Path,
                        help="where to write the capture (default: captures/SOURCE-UTCTIME); "
                             "it must not exist yet or be empty")
    add_window_options(parser)
    add_config_options(parser, db=False)
    add_verbose(parser)
    parser.set_defaults(handler=handle)


def handle(args) -> int:
    from tracker.crawl import build_spec, run_crawl

    config = load_config(args)
    config.source(args.source)  # an unknown name fails here, with a suggestion
    taken = datetime.now(timezone.utc)
    out: Path = args.out or Path("captures") / f"{args.source}-{taken:%Y%m%dT%H%M%SZ}"
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(f"{out} already exists and is not an empty directory; a capture "
                         f"never overwrites files: choose another --out")
    since = since_of(args, config)
    spec = build_spec(config, args.source, since=since, max_pages=args.max_pages)
    spec["crawl"]["http_cache"] = False  # every response fresh from the site
    out.mkdir(parents=True, exist_ok=True)
    spec["capture"] = str(out.resolve())
    result = run_crawl(spec, timeout=config.crawl.crawl_timeout,
                       on_log=progress_printer(args.verbose))
    exchanges = _exchanges(out)
    manifest = {
        "source": args.source, "taken": taken.isoformat(timespec="seconds"),
        "sites": {key: value for key, value in spec["source"].items()
                  if key.startswith("base_url")},
        "since": since, "max_pages": spec["max_pages"], "user_agent": spec["crawl"]["user_agent"],
        "machine": platform.node(), "chipwatch": _version(), "status": result.status,
        "problems": result.problems, "documents": len(result.documents),
        "exchanges": len(exchanges),
    }
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n",
                                encoding="utf-8")
    (out / "README.md").write_text(readme(manifest, exchanges), encoding="utf-8")
    print(f"{args.source}: {len(exchanges)} responses kept in {out} ({len(result.documents)} "
          f"documents read from them, {result.status})")
    for problem in result.problems:
        print(f"chipwatch: {problem}", file=sys.stderr)
    return 0 if result.status == "ok" else 1


def _exchanges(out: Path) -> list[dict]:
    index = out / INDEX
    if not index.exists():
        return []
    return [json.loads(line) for line in index.read_text(encoding="utf-8").splitlines() if line]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("chipwatch")
    except PackageNotFoundError:
        return "unknown"


def readme(manifest: dict, exchanges: list[dict]) -> str:
    """What the capture is, when and from where it was taken, and what each file holds."""
    from vocab.sources import get_source

    entry = get_source(manifest["source"])
    sites = "\n".join(f"- `{key}` = {url}" + (" (the site itself)" if url == entry.sites.get(key)
                                               else " (not the real site: a mirror or a replay)")
                      for key, url in manifest["sites"].items())
    rows = "\n".join(f"| {e['n']} | {e['method']} | {e['url']} | {e['status']} | "
                     f"{(e['headers'].get('Content-Type') or [''])[0]} | `{e['body']}` |"
                     for e in exchanges)
    problems = "\n".join(f"- {p}" for p in manifest["problems"]) or "- none"
    return f"""# Capture of `{manifest['source']}` ({entry.title})

Taken {manifest['taken']} (UTC) on the machine `{manifest['machine']}` by `chipwatch capture`
(chipwatch {manifest['chipwatch']}), crawling as a first routine crawl would: items published
since {manifest['since']}, listing or feed pages read: at most {manifest['max_pages']}, no HTTP
cache, user agent `{manifest['user_agent']}`. The crawl ended **{manifest['status']}** with
{manifest['documents']} documents read from {manifest['exchanges']} responses.

These are the sites' own responses, as they were sent: a **real capture** when the origins
below are the real sites. Bodies decompressed from gzip or deflate are kept decoded (the
Content-Encoding header is left out); cookies are not kept. Third-party text (company and
news sites) may be kept here for a test run, but must not be committed to chipwatch.

Origins crawled:

{sites}

Problems the crawl recorded:

{problems}

To run the spiders on it: `ReplayServer(capture=DIR)` (replay/server.py) serves it on
127.0.0.1; point the source's origins at that server and crawl with
`--since {manifest['since']} --max-pages {manifest['max_pages']}` (an API's query names the
day it starts from). Kept under
`tests/fixtures/{manifest['source']}/capture-*/`, `make test` does so (tests/test_capture.py).

Files: `{INDEX}` (one exchange a line: method, URL, the origin's configuration key, status,
headers, body file), `bodies/` (the bodies, numbered in the order received),
`{MANIFEST}` (what this README says, as data).

| # | method | URL | status | content type | body |
| --- | --- | --- | --- | --- | --- |
{rows}
"""
