"""What a replayed address answers (`Page`), and the replay's data files: shared by the
renderers (replay/pages.py, replay/declared.py), captures served back (replay/capture.py)
and the server."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Page:
    body: bytes
    kind: str  # listing | feed | article | captured
    content_type: str = HTML
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()  # more headers to send (a redirect's Location)


def load(name: str):
    """The items of data/<name>.json."""
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
