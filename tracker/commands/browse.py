"""`chipwatch browse`: the store in Datasette, read-only, on 127.0.0.1 by default."""

from __future__ import annotations

import argparse
import socket
import sys

from .common import UsageError, add_config_options, load_config, store_path


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "browse", help="browse and search the store in Datasette (read-only)",
        description="Serve the store with Datasette: documents and events newest first "
                    "with facets by category, source, language and month; a page per "
                    "document (tags and evidence, facts, event, editions, revisions, "
                    "footnotes to copy); search in English and Chinese (either script); "
                    "category pages with Atom feeds; a timeline. Nothing can be changed "
                    "through the web. Stop with Ctrl-C.")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=port_number, default=8001, help="port (default 8001)")
    parser.add_argument("--replica", action="store_true",
                        help="serve a copy restored from the Litestream replica as it is "
                             "(immutable: never migrated or written); restart to serve a "
                             "newer copy")
    add_config_options(parser)
    parser.set_defaults(handler=handle)


def port_number(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError(f"{text!r}: give a port between 1 and 65535")
    return port


def handle(args) -> int:
    from store import StoreError
    from tracker.browse import is_loopback, serve

    config = load_config(args)
    path = store_path(args, config)
    if args.replica and not path.is_file():
        raise UsageError(f"{path}: no replica here; restore one first (litestream restore "
                         f"-o {path} REPLICA_URL, or deploy/refresh-replica.sh)")
    if not path.exists():
        named = "--db" if args.db else f"[store] path in {config.origin}"
        raise StoreError(f"{path}: no database here (named by {named}); check the path, or "
                         f"run `chipwatch run` to create one")
    if not is_loopback(args.host):
        print(f"chipwatch: warning: listening on {args.host}: anyone who can reach this "
              f"address can read the store", file=sys.stderr)
    try:
        with socket.create_server((args.host, args.port)):
            pass
    except OSError as exc:
        print(f"chipwatch: error: cannot listen on {args.host}:{args.port}: {exc.strerror}; "
              f"choose another --port or --host", file=sys.stderr)
        return 2
    print(f"chipwatch: serving {path} at http://{args.host}:{args.port}/ (Ctrl-C to stop)",
          file=sys.stderr, flush=True)
    serve(path, host=args.host, port=args.port, categories=config.categories,
          replica=args.replica)
    return 0
