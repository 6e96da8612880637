"""Rebuild the replay's US-government data (federal_register.json, commerce.json, bis.json,
federal_register_full_text/) from the repository's fixtures and the public-domain items of
the evaluation set.

    .venv/bin/python tools/build_replay_data.py [--dev ../shared/eval/dev.jsonl]

Run by maintainers when the fixtures change; the demo itself only reads the JSON files.
Only items whose source is a US government issuer (public domain) are taken from the
evaluation set; TSMC and TrendForce data (tsmc.json, trendforce.json) are written by hand.
"""

from __future__ import annotations

import argparse
import json
import re
from datetime import date, datetime
from pathlib import Path

from parsel import Selector

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
DATA = ROOT / "replay" / "data"
DEFAULT_DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"
FR_FILES = ("federalregister_bis_results_2026_trimmed.json",
            "federalregister_documents_2026_cursor_trimmed.json",
            "federalregister_documents_sample.json",
            "federalregister_documents_by_number_sample.json",
            "fulltext_results_reconstructed.json")
FULL_TEXT = DATA / "federal_register_full_text"
FULL_TEXT_NAME = re.compile(r"^fulltext_([\w-]+)\.(txt|html)$")
# The agencies of the default configuration: results from other agencies are left out (the
# real API would not return them for our search).
FR_AGENCIES = {"commerce-department", "industry-and-security-bureau",
               "international-trade-administration",
               "national-institute-of-standards-and-technology",
               "trade-representative-office-of-united-states",
               "executive-office-of-the-president"}
FR_NUMBER = re.compile(r"/documents/\d{4}/\d{2}/\d{2}/([^/]+)/")


def clean(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def slugify(title: str, limit: int = 80) -> str:
    """A Drupal-style path alias from a title (used where the real one is not known)."""
    words = re.sub(r"[^a-z0-9]+", " ", title.lower().replace("’", "").replace("'", "")).split()
    words = [w for w in words if w not in {"a", "an", "the", "of", "to", "in", "on", "for",
                                           "and", "with", "s"}]
    slug = ""
    for word in words:
        if len(slug) + len(word) + 1 > limit:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug


def read_dev(path: Path, sources: set[str]) -> list[dict]:
    if not path.exists():
        raise SystemExit(f"{path}: not found; pass --dev PATH")
    items = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            item = json.loads(line)
            if item["source"] in sources and re.match(r"^\d{4}-\d{2}-\d{2}$", item["date"]):
                items.append(item)
    return items


# -- Federal Register -------------------------------------------------------------------------


def federal_register(dev: list[dict]) -> list[dict]:
    results: dict[str, dict] = {}
    for name in FR_FILES:
        data = json.loads((FIXTURES / "federal_register" / name).read_text(encoding="utf-8"))
        for result in data if isinstance(data, list) else data["results"]:
            slugs = {a.get("slug") for a in result.get("agencies") or []}
            if slugs and not slugs & FR_AGENCIES:
                continue
            result = dict(result)
            result.pop("excerpts", None)  # search highlights of another query
            provenance = (f"reconstruction ({name}): a document that does not exist, with its "
                          f"full text written in the Register's format" if name.startswith(
                              "fulltext_") else f"real API result ({name})")
            results[result["document_number"]] = {"provenance": provenance, **result}
    for item in dev:
        match = FR_NUMBER.search(item["url"])
        if not match or match.group(1) in results:
            continue
        number = match.group(1)
        results[number] = {
            "provenance": f"real title and abstract ({item['id']} of the evaluation set); "
                          f"envelope fields rebuilt from its URL",
            "document_number": number, "title": item["title"],
            "abstract": item["text"] or None, "publication_date": item["date"],
            "html_url": item["url"],
            "pdf_url": None,
        }
    return sorted(results.values(), key=lambda r: (r["publication_date"], r["document_number"]),
                  reverse=True)


# -- Commerce ---------------------------------------------------------------------------------


def commerce(dev: list[dict]) -> list[dict]:
    items = {}
    for path in sorted((FIXTURES / "commerce").glob("article-*.html")):
        page = Selector(path.read_text(encoding="utf-8"))
        when = page.css("main article time")
        date_text = clean(" ".join(when.css("::text").getall())) if when else ""
        if not date_text:
            continue  # the undated fault case
        canonical = page.css('link[rel=canonical]::attr(href)').get()
        path_part = re.sub(r"^https://www\.commerce\.gov", "", canonical)
        items[path_part] = {
            "provenance": f"reconstruction of a real release (tests/fixtures/commerce/{path.name})",
            "path": path_part,
            "title": clean(" ".join(page.css("main h1 ::text").getall())),
            "datetime": when.attrib.get("datetime"),  # None: the page shows text only
            "date_text": date_text,
            "day": datetime.strptime(date_text, "%B %d, %Y").date().isoformat(),
            "paragraphs": [clean(" ".join(p.css("::text").getall()))
                           for p in page.css(".field--name-body p")],
            "issues": [clean(t) for t in page.css(".field--name-field-issues a::text").getall()],
            "tags": [clean(t) for t in page.css(".field--name-field-tags a::text").getall()],
        }
    known_titles = {i["title"].casefold() for i in items.values()}
    for item in dev:
        if item["source"] != "commerce" or item["title"].casefold() in known_titles:
            continue
        day = date.fromisoformat(item["date"])
        real = re.match(r"^https://www\.commerce\.gov(/news/[^?#]+)$", item["url"])
        path_part = real.group(1) if real else (
            f"/news/press-releases/{day:%Y}/{day:%m}/{slugify(item['title'])}")
        items[path_part] = {
            "provenance": f"real title and published lead ({item['id']} of the evaluation set)"
                          + ("" if real else "; URL path rebuilt from the title"),
            "path": path_part, "title": item["title"],
            "datetime": f"{item['date']}T16:00:00Z",
            "date_text": f"{day:%B} {day.day}, {day:%Y}", "day": item["date"],
            "paragraphs": [item["text"]], "issues": [], "tags": [],
        }
    return sorted(items.values(), key=lambda i: i["day"], reverse=True)


# -- BIS --------------------------------------------------------------------------------------


def bis(dev: list[dict]) -> list[dict]:
    items = {}
    for path in sorted((FIXTURES / "bis").glob("press-release-*.html")):
        page = Selector(path.read_text(encoding="utf-8"))
        header = clean(" ".join(page.css(".press-release-container span::text").getall()))
        match = re.search(r"(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), "
                          r"([A-Z][a-z]+ \d{1,2}, \d{4})", header)
        if not match:
            continue  # the undated fault case
        canonical = page.css('link[rel=canonical]::attr(href)').get() or ""
        slug = canonical.rstrip("/").rsplit("/", 1)[-1]
        title = re.sub(r"\s*\|\s*Bureau of Industry and Security\s*$", "",
                       clean(page.css("title::text").get()))
        day = datetime.strptime(match.group(2), "%B %d, %Y").date()
        items[slug] = {
            "provenance": f"reconstruction of a real release (tests/fixtures/bis/{path.name})",
            "slug": slug, "title": title, "date": day.isoformat(),
            "paragraphs": [clean(" ".join(p.css("::text").getall()))
                           for p in page.css(".press-release-container .prose p")
                           if clean(" ".join(p.css("::text").getall())) != "###"],
            "tags": [clean(t) for t in page.css('.press-release-container a[href*="news="]::text')
                     .getall()],
        }
    for item in dev:
        if item["source"] != "bis":
            continue
        slug = item["url"].rstrip("/").rsplit("/", 1)[-1]
        if slug in items:
            continue
        items[slug] = {
            "provenance": f"real title and published lead ({item['id']} of the evaluation set)",
            "slug": slug, "title": item["title"], "date": item["date"],
            "paragraphs": [item["text"]], "tags": [],
        }
    return sorted(items.values(), key=lambda i: i["date"], reverse=True)


def full_texts(results: list[dict]) -> dict[str, str]:
    """File name -> full text of every replayed result whose text the spider fetches: the
    reconstructions of tests/fixtures/federal_register/, and for a real result the header and
    title in the Government Publishing Office's layout around a note (its text is not kept)."""
    from crawler.spiders.federal_register import full_text_url

    texts = {}
    for path in sorted((FIXTURES / "federal_register").glob("fulltext_*")):
        match = FULL_TEXT_NAME.match(path.name)
        if match:
            texts[f"{match.group(1)}.{match.group(2)}"] = path.read_text(encoding="utf-8")
    for result in results:
        url = full_text_url(result)
        name = url.rsplit("/", 1)[-1] if url else ""
        if not url or name in texts:
            continue
        day = date.fromisoformat(result["publication_date"])
        number = result.get("proclamation_number") or result.get("executive_order_number")
        texts[name] = (
            f"[Federal Register Volume {result.get('volume', '')} ({day:%A}, {day:%B} "
            f"{day.day}, {day:%Y})]\n[Presidential Documents]\n[Pages {result.get('start_page')}"
            f"-{result.get('end_page')}]\nFrom the Federal Register Online via the Government "
            f"Publishing Office [www.gpo.gov]\n[FR Doc No: {result['document_number']}]\n\n\n"
            + (f"                {result.get('subtype', '')} {number} of "
               f"{_long_day(result.get('signing_date'))}\n\n" if number else "")
            + f"{result['title']}\n\n    [The text of this document is not kept in chipwatch's "
              f"replay; read it at {result['html_url']}]\n")
    return texts


def _long_day(value: str | None) -> str:
    day = date.fromisoformat(value) if value else None
    return f"{day:%B} {day.day}, {day:%Y}" if day else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=DEFAULT_DEV,
                        help="the labelled evaluation set (only US-government items are used)")
    args = parser.parse_args(argv)
    dev = read_dev(args.dev, {"federal_register", "commerce", "bis"})
    for name, rows in (("federal_register", federal_register(dev)),
                       ("commerce", commerce(dev)), ("bis", bis(dev))):
        path = DATA / f"{name}.json"
        path.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"{path.relative_to(ROOT)}: {len(rows)} items")
        if name == "federal_register":
            FULL_TEXT.mkdir(exist_ok=True)
            for old in FULL_TEXT.iterdir():
                old.unlink()
            texts = full_texts(rows)
            for file_name, text in texts.items():
                (FULL_TEXT / file_name).write_text(text, encoding="utf-8")
            print(f"{FULL_TEXT.relative_to(ROOT)}: {len(texts)} full texts")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
