"""Packaging chipwatch's spiders for Scrapyd and uploading them (`chipwatch scrapyd deploy`).

The egg is a standard Scrapy project: the packages a crawl imports (crawler/ and the
vocabulary under it), with `crawler.scrapyd_settings` as its settings module, named in the
egg's `scrapy` entry point (what scrapy.cfg's [settings] names in a checkout). It is built
with setuptools' bdist_egg from a copy of those packages in a temporary directory.

Its version is a digest of what it holds, so the daemon schedules exactly the code it runs
itself (`_version`): a worker without it refuses the job, and the run says to deploy.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import crawler
import vocab
from tracker.scrapyd_api import ScrapydError, ScrapydServer
from vocab.sources import source_names

PACKAGES = (crawler, vocab)  # what a crawl job imports; nothing above the crawler
SETTINGS_MODULE = "crawler.scrapyd_settings"
DATA_FILES = ("*.toml", "*.json", "*.txt")


class DeployError(Exception):
    """The egg could not be built; the message says why."""


def package_files() -> list[tuple[str, Path]]:
    """(path inside the egg, file) for every module and data file of the packages."""
    files = []
    for package in PACKAGES:
        root = Path(package.__file__).parent
        for path in sorted(root.rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts:
                continue
            if path.suffix == ".py" or any(path.match(p) for p in DATA_FILES):
                files.append(((Path(root.name) / path.relative_to(root)).as_posix(), path))
    return files


@lru_cache(maxsize=1)
def egg_version() -> str:
    """chipwatch's version and a digest of the packaged files, written as Scrapyd stores
    versions (letters, digits, '_' and '-')."""
    digest = hashlib.sha256()
    for name, path in package_files():
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return re.sub(r"[^A-Za-z0-9_-]", "_", f"{_release()}-{digest.hexdigest()[:12]}")


def build_egg(directory: Path) -> Path:
    """Build the egg into `directory`; its path."""
    try:
        import setuptools  # noqa: F401 (bdist_egg is setuptools')
    except ImportError:
        raise DeployError("building the egg needs setuptools (below 81, which still has "
                          "bdist_egg): pip install 'chipwatch[scrapyd]'") from None
    with tempfile.TemporaryDirectory(prefix="chipwatch-egg-") as tmp:
        source = Path(tmp) / "project"
        for name, path in package_files():
            target = source / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        (source / "setup.py").write_text(_setup_py(), encoding="utf-8")
        (source / "scrapy.cfg").write_text(
            f"[settings]\ndefault = {SETTINGS_MODULE}\n", encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "setup.py", "--quiet", "bdist_egg", "--dist-dir", str(tmp)],
            cwd=source, capture_output=True, text=True, timeout=300)
        eggs = list(Path(tmp).glob("*.egg"))
        if done.returncode or len(eggs) != 1:
            tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
            raise DeployError(f"setuptools could not build the egg (exit {done.returncode}):"
                              f"\n{tail}")
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / f"chipwatch-{egg_version()}.egg"
        shutil.copyfile(eggs[0], target)
    return target


@dataclass
class Deployed:
    url: str
    ok: bool
    message: str


def deploy(servers: list[ScrapydServer], project: str, egg: bytes, version: str) -> list[Deployed]:
    """Upload the egg to every server and check each lists every source's spider."""
    expected = set(source_names())
    outcomes = []
    for server in servers:
        try:
            server.add_version(project, version, egg)
            spiders = set(server.list_spiders(project, version))
        except ScrapydError as exc:
            outcomes.append(Deployed(server.url, False, str(exc)))
            continue
        missing = sorted(expected - spiders)
        if missing:
            outcomes.append(Deployed(server.url, False,
                                     f"{server.url}: the egg was stored but the server lists "
                                     f"no spider for {', '.join(missing)}; its log says why "
                                     f"(a missing library on the worker, usually)"))
        else:
            outcomes.append(Deployed(server.url, True,
                                     f"{server.url}: project {project} version {version}, "
                                     f"{len(spiders)} spiders"))
    return outcomes


def _release() -> str:
    try:
        return importlib.metadata.version("chipwatch")
    except importlib.metadata.PackageNotFoundError:
        return "0"


def _setup_py() -> str:
    return textwrap.dedent(f"""\
        from setuptools import find_packages, setup

        setup(
            name="chipwatch-crawler",
            version="{_release()}",
            packages=find_packages(),
            package_data={{"": {list(DATA_FILES)!r}}},
            entry_points={{"scrapy": ["settings = {SETTINGS_MODULE}"]}},
            zip_safe=True,
        )
        """)
