"""HTML rendering of a digest through a Jinja2 template with autoescaping: every piece of
scraped text (titles, evidence, errors) is escaped; only the template's own markup is not."""

from __future__ import annotations

from functools import lru_cache

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from vocab.links import is_web_url
from vocab.sources import source_title

from .digest import CHANGES_HEADING, NO_DEADLINES, WIDER_HEADING, WIDER_NOTE, Digest


def highlight(sentence: str, match: str) -> Markup:
    """The sentence, escaped, with the first occurrence of `match` in <mark>."""
    at = sentence.lower().find(match.lower()) if match else -1
    if at < 0:
        return escape(sentence)
    end = at + len(match)
    return escape(sentence[:at]) + Markup("<mark>") + escape(sentence[at:end]) + \
        Markup("</mark>") + escape(sentence[end:])


def safe_href(url: str) -> str:
    """Only web links become links; anything else (javascript:, data:) is shown as text."""
    return url if is_web_url(url) else ""


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(loader=PackageLoader("alerts", "templates"),
                      autoescape=select_autoescape(["html"], default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(highlight=highlight, source_title=source_title, safe_href=safe_href)
    return env


def render_html(digest: Digest) -> str:
    return _environment().get_template("digest.html").render(
        digest=digest, wider_heading=WIDER_HEADING, wider_note=WIDER_NOTE,
        changes_heading=CHANGES_HEADING,
        no_deadlines=NO_DEADLINES)
