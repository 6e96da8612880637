"""Documents for the event tests, from the replay's US-government data (replay/data): Federal
Register results turned into documents by the spider's own function, and Commerce and BIS
releases stored the way their spiders store them (id from the canonical URL, the body's
paragraphs, the release day)."""

from __future__ import annotations

import json
from functools import lru_cache

from crawler.items import make_document
from crawler.spiders.federal_register import document_from_result
from replay.page import DATA
from store.documents import upsert_documents

RELEASE_HOSTS = {"commerce": "https://www.commerce.gov", "bis": "https://www.bis.gov"}


@lru_cache(maxsize=None)
def _data(name: str):
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


def fr(number: str, **changes) -> dict:
    """The Federal Register document `number` of the replay, as the spider makes it."""
    [result] = [r for r in _data("federal_register") if r["document_number"] == number]
    result = {k: v for k, v in {**result, **changes}.items() if k != "provenance"}
    return document_from_result(result)


def release(source: str, key: str, **changes) -> dict:
    """A Commerce or BIS release of the replay whose path or slug contains `key`."""
    [item] = [i for i in _data(source) if key in i.get("path", i.get("slug", ""))]
    path = item["path"] if source == "commerce" else f"/press-release/{item['slug']}"
    url = RELEASE_HOSTS[source] + path
    doc = make_document(source=source, external_id=url, lang="en", url=url,
                        title=item["title"], text="\n\n".join(item["paragraphs"]),
                        published=item.get("day") or item.get("date"),
                        doc_type="Press Release")
    return {**doc, **changes}


def written(doc_id: str, source: str, title: str, text: str, published: str, **more) -> dict:
    """A document written for a test (neutral wording, no source's real text)."""
    return {"id": doc_id, "source": source, "external_id": doc_id.split(":", 1)[1],
            "lang": more.pop("lang", "en"), "url": f"https://example.org/{doc_id}",
            "title": title, "text": text, "published": published, "date_precision": "day",
            "doc_type": more.pop("doc_type", ""), "group_key": more.pop("group_key", None),
            "metadata": more.pop("metadata", {}), **more}


def store(db, *docs: dict) -> list[str]:
    upsert_documents(db, list(docs))
    return [d["id"] for d in docs]
