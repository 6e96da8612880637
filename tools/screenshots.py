"""Take the screenshots of `chipwatch browse` in docs/ with headless Chromium.

Two stores, each served by the real `chipwatch browse` on 127.0.0.1:

- the store of `python -m tests.browse_demo` (real Federal Register documents, public domain,
  and made-up filler), dated so that its newest documents are recent: the reading view
  (docs/browse.png), the events (events.png), a category page (category.png) and a search
  with nothing to search for (bad-search.png);
- the store of `chipwatch demo` (every source replayed): the page of a Department of
  Commerce release (document.png: US government text), the event of BIS's release of
  17 October 2023 and its rules (event.png), and the timeline (timeline.png).

    .venv/bin/python tools/screenshots.py
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
sys.path.insert(0, str(ROOT))

from store import open_db  # noqa: E402
from tests import browse_demo  # noqa: E402

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars", "--virtual-time-budget=8000"]
COMMERCE_RELEASE = ("commerce:%news/press-releases/2024/04/"
                    "biden-harris-administration-announces-preliminary-terms-tsmc-expanding")
BIS_RELEASE = "bis:%commerce-strengthens-restrictions-advanced-computing-semiconductors%"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def browse(db_path: Path, config: Path):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tracker.cli", "browse", "--config", str(config), "--db",
         str(db_path), "--port", str(port)], cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/-/versions.json", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"chipwatch browse did not start on {url}") from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def shoot(chromium: str, tmp: Path, url: str, name: str, height: int) -> None:
    target = DOCS / name
    subprocess.run([chromium, *FLAGS, f"--user-data-dir={tmp / ('profile-' + name)}",
                    f"--window-size=1400,{height}", f"--screenshot={target}", url],
                   check=True, capture_output=True, timeout=90)
    print(f"{target.relative_to(ROOT)}  <- {url}")


def one_id(db_path: Path, pattern: str) -> str:
    db = open_db(db_path)
    try:
        [row] = list(db.query("select id from documents where id like ?", [pattern]))
        return row["id"]
    finally:
        db.close()


def event_of(db_path: Path, doc_id: str) -> int:
    db = open_db(db_path)
    try:
        return next(db.query("select event_id from event_documents where document_id = ?",
                             [doc_id]))["event_id"]
    finally:
        db.close()


def main() -> int:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("no chromium on PATH (`make browser` installs Debian's)")
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        config = tmp / "config.toml"
        config.write_text(f'[store]\npath = "{tmp / "unused.db"}"\n', encoding="utf-8")
        fr_db = tmp / "fr" / "chipwatch.db"
        fr_db.parent.mkdir()
        recent = (date.today() - timedelta(days=1)).isoformat()
        browse_demo.build(fr_db, newest=date.today() - timedelta(days=30),
                          extra=browse_demo.synthetic_documents(recent),
                          extra_tags=browse_demo.SYNTHETIC_TAGS).close()
        demo_db = tmp / "demo" / "chipwatch.db"
        subprocess.run([sys.executable, "-m", "tracker.cli", "demo", "--db", str(demo_db)],
                       cwd=ROOT, check=True, capture_output=True, timeout=300)
        with browse(fr_db, config) as url:
            shoot(chromium, tmp, f"{url}/chipwatch/reading", "browse.png", 1100)
            shoot(chromium, tmp, f"{url}/chipwatch/event_reading", "events.png", 1000)
            shoot(chromium, tmp, f"{url}/chipwatch/export_control", "category.png", 800)
            shoot(chromium, tmp, f"{url}/chipwatch/reading?_search=%22", "bad-search.png", 560)
        release = one_id(demo_db, COMMERCE_RELEASE)
        event = event_of(demo_db, one_id(demo_db, BIS_RELEASE))
        with browse(demo_db, demo_db.parent / "demo.toml") as url:
            shoot(chromium, tmp, f"{url}/chipwatch/document?id={quote(release, safe='')}",
                  "document.png", 1750)
            shoot(chromium, tmp, f"{url}/chipwatch/event?id={event}", "event.png", 1000)
            shoot(chromium, tmp, f"{url}/-/dashboards/timeline", "timeline.png", 1000)
    return 0


if __name__ == "__main__":
    sys.exit(main())
