"""`chipwatch scrapyd deploy`: package the spiders as a Scrapyd egg and upload it."""

from __future__ import annotations

import tempfile
from pathlib import Path

from .common import UsageError, add_config_options, load_config


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "scrapyd", help="deploy chipwatch's spiders to the Scrapyd servers of [crawl]",
        description="Work with the Scrapyd servers that crawl when [crawl] backend = "
                    "\"scrapyd\". `chipwatch scrapyd deploy` builds an egg of chipwatch's "
                    "spiders (a Scrapy project whose settings module is "
                    "crawler.scrapyd_settings) and uploads it to every server in "
                    "scrapyd_urls through addversion.json.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    deploy = actions.add_parser(
        "deploy", help="build the spiders' egg and upload it to every Scrapyd server",
        description="Build an egg of chipwatch's spiders (the crawler and its vocabulary; "
                    "its version is this chipwatch's version and a digest of the code, the "
                    "version the daemon schedules) and upload it to each server in [crawl] "
                    "scrapyd_urls as project scrapyd_project, then check that each lists a "
                    "spider for every source. Run it after installing or upgrading "
                    "chipwatch. Exit status 0 when every server took it, 1 when any did not "
                    "(each is named, with why), 2 for configuration errors.")
    deploy.add_argument("--url", action="append", metavar="URL",
                        help="deploy to this server instead of those in the configuration "
                             "(repeatable)")
    deploy.add_argument("--egg", metavar="PATH", type=Path,
                        help="only build the egg and write it to PATH (a file or a "
                             "directory); upload nothing")
    add_config_options(deploy, db=False)
    deploy.set_defaults(handler=handle_deploy)


def handle_deploy(args) -> int:
    from crawler.options import CrawlSettings
    from tracker.scrapyd_crawls import servers_of
    from tracker.scrapyd_deploy import DeployError, build_egg, deploy, egg_version

    config = load_config(args)
    settings = config.crawl
    if args.url:
        try:
            urls = CrawlSettings(scrapyd_urls=args.url).scrapyd_urls
        except ValueError as exc:
            raise UsageError(f"--url: {_first_error(exc)}") from None
        settings = settings.model_copy(update={"scrapyd_urls": urls})
    if not args.egg and not settings.scrapyd_urls:
        raise UsageError("no Scrapyd server to deploy to: set [crawl] scrapyd_urls in the "
                         "configuration, or name one with --url")
    with tempfile.TemporaryDirectory(prefix="chipwatch-deploy-") as tmp:
        print(f"building the egg of chipwatch's spiders (version {egg_version()})", flush=True)
        try:
            egg = build_egg(Path(tmp))
        except DeployError as exc:
            raise UsageError(str(exc)) from None
        if args.egg:
            target = args.egg / egg.name if args.egg.is_dir() else args.egg
            try:
                target.write_bytes(egg.read_bytes())
            except OSError as exc:
                raise UsageError(f"--egg {args.egg}: cannot write the egg there: "
                                 f"{exc.strerror}") from None
            print(f"wrote {target} ({target.stat().st_size:,} bytes)")
            return 0
        data = egg.read_bytes()
    servers = servers_of(settings, timeout=30)
    outcomes = deploy(servers, settings.scrapyd_project, data, egg_version())
    for outcome in outcomes:
        print(("deployed " if outcome.ok else "FAILED   ") + outcome.message, flush=True)
    return 0 if all(outcome.ok for outcome in outcomes) else 1


def _first_error(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        return str(errors()[0]["ctx"]["error"]) if errors()[0].get("ctx") else str(exc)
    return str(exc)
