"""Federal Register API (SOURCES.md §1): the structured backbone of chipwatch.

Queries /api/v1/documents.json with the configured agencies, terms and types, newest first,
with explicit fields[], and follows the API's own next_page_url (its path and query on the
configured base URL). A routine crawl asks only for documents published since the newest
stored one, less a few days of overlap.

Where the title and abstract cannot decide the tags, the document's full text is fetched
(SOURCES-NEW.md §9): presidential documents (they have no abstract) and rules amending the
Export Administration Regulations, 15 CFR parts 730-774 (an Entity List rule names its
entities only in its body). The text comes from `raw_text_url`, else `body_html_url`, on the
configured base URL; an Entity List rule's additions, removals and revisions are kept in
the document's metadata (`entity_list`). A full text that cannot be fetched leaves the
document with its abstract, and the run records why.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import scrapy

from crawler.faults import describe_failure, short_url
from crawler.fr_text import entity_list_changes, full_text
from crawler.items import make_document
from crawler.options import FederalRegisterOptions
from crawler.spiders.base import ChipwatchSpider
from crawler.urls import canonical_url, same_origin_path
from vocab.text import clean_text

FIELDS = (
    "document_number", "title", "type", "subtype", "abstract", "action", "agencies",
    "publication_date", "effective_on", "comments_close_on", "cfr_references", "docket_ids",
    "regulation_id_numbers", "html_url", "pdf_url", "correction_of", "corrections",
    "executive_order_number", "presidential_document_number", "proclamation_number",
    "signing_date", "citation", "significant", "dates", "topics", "president",
    "raw_text_url", "body_html_url",
)
CORRECTION = re.compile(r"^C\d+-")
EAR = (15, 730, 774)  # the Export Administration Regulations: 15 CFR parts 730-774


def search_query(options: FederalRegisterOptions, since: str | None) -> str:
    """The query string of a documents.json search, brackets encoded as the API does."""
    params: list[tuple[str, str]] = []
    for slug in options.agencies:
        params.append(("conditions[agencies][]", slug))
    for kind in options.types:
        params.append(("conditions[type][]", kind))
    term = search_term(options.terms)
    if term:
        params.append(("conditions[term]", term))
    if since:
        params.append(("conditions[publication_date][gte]", since))
    params += [("order", "newest"), ("per_page", str(options.per_page))]
    params += [("fields[]", field) for field in FIELDS]
    return urlencode(params)


def search_term(terms: list[str]) -> str:
    """Any of the terms: the API's full-text search takes `a | b`; phrases are quoted."""
    quoted = [f'"{t}"' if " " in t and not t.endswith("*") else t for t in terms if t.strip()]
    return " | ".join(quoted)


class FederalRegisterSpider(ChipwatchSpider):
    name = "federal_register"

    def __init__(self, spec: dict | None = None, **kwargs):
        super().__init__(spec, **kwargs)
        self.base_url = self.options.base_url
        self.wanted_agencies = set(self.options.agencies)
        self.pages = 0
        self.total_results = 0

    async def start(self):
        url = f"{self.base_url}/api/v1/documents.json?{search_query(self.options, self.since)}"
        yield scrapy.Request(url, callback=self.parse, errback=self.errback)

    def parse(self, response):
        self.pages += 1
        where = f"{self.name}: {short_url(response.url)}"
        try:
            payload = json.loads(response.text)
        except ValueError:
            self.problem(f"{where}: the API answered with something that is not JSON; the API "
                         f"may have changed or be failing")
            return
        if not isinstance(payload, dict) or not isinstance(
                payload.get("results", [] if payload.get("count") == 0 else None), list):
            self.problem(f"{where}: the JSON has no 'results' list; the API format may have "
                         f"changed")
            return
        results = payload.get("results") or []
        self.total_results += len(results)
        self.progress(f"page {self.pages}: {len(results)} documents "
                      f"({self.total_results} of {payload.get('count', '?')})")
        foreign = 0
        for result in results:
            if not self._from_wanted_agency(result):
                foreign += 1
                continue
            doc = self.make(document_from_result, result, page=response.url)
            if doc and full_text_url(result):
                yield self.full_text_request(doc, full_text_url(result))
            elif doc:
                yield doc
        if foreign:
            self.problem(f"{where}: {foreign} of {len(results)} results carry none of the "
                         f"configured agencies; the API may have ignored the agency filter")
        next_url = payload.get("next_page_url")
        if next_url and results and not self._page_limit_reached():
            if self.since and all((r.get("publication_date") or "") < self.since
                                  for r in results):
                return
            yield scrapy.Request(same_origin_path(next_url, self.base_url),
                                 callback=self.parse, errback=self.errback)

    def full_text_request(self, doc: dict, url: str) -> scrapy.Request:
        return scrapy.Request(same_origin_path(url, self.base_url),
                              callback=self.parse_full_text, errback=self.full_text_failed,
                              cb_kwargs={"doc": doc})

    def parse_full_text(self, response, doc: dict):
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        text = full_text(response.body, content_type)
        if not text.strip():
            self.problem(f"{self.name}: {short_url(response.url)}: the full text of "
                         f"{doc['external_id']} is empty; the document keeps its abstract")
            yield doc
            return
        yield with_full_text(doc, text, short_url(response.url))

    def full_text_failed(self, failure):
        """The document is still stored, with its abstract; the run says what is missing."""
        doc = failure.request.cb_kwargs["doc"]
        self.problem(f"{self.name}: {short_url(failure.request.url)}: the full text of "
                     f"{doc['external_id']} could not be fetched ({describe_failure(failure)}); "
                     f"the document keeps its abstract and is read again next time")
        yield doc

    def _page_limit_reached(self) -> bool:
        return self.max_pages is not None and self.pages >= self.max_pages

    def _from_wanted_agency(self, result: dict) -> bool:
        agencies = result.get("agencies")
        if not agencies or not self.wanted_agencies:
            return True
        return any(a.get("slug") in self.wanted_agencies for a in agencies if isinstance(a, dict))


def full_text_url(result: dict) -> str | None:
    """Where a result's full text is, when it decides the tags: presidential documents and
    rules amending 15 CFR 730-774."""
    presidential = result.get("type") == "Presidential Document"
    title, first, last = EAR
    amends_ear = result.get("type") in ("Rule", "Proposed Rule") and any(
        _int(ref.get("title")) == title and first <= (_int(ref.get("part")) or 0) <= last
        for ref in result.get("cfr_references") or [] if isinstance(ref, dict))
    if not (presidential or amends_ear):
        return None
    return result.get("raw_text_url") or result.get("body_html_url") or None


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def with_full_text(doc: dict, text: str, source_url: str) -> dict:
    """`doc` with its full text as its text (the abstract kept in metadata) and, for an
    Entity List rule, the entities it adds, removes and revises."""
    metadata = dict(doc["metadata"])
    if doc["text"]:
        metadata["abstract"] = doc["text"]
    metadata["full_text_url"] = source_url
    changes = entity_list_changes(text)
    if changes:
        metadata["entity_list"] = changes
    return {**doc, "text": clean_text(text), "metadata": metadata}


def document_from_result(result: dict, page: str | None = None) -> dict:
    """One API result -> one document."""
    number = (result.get("document_number") or "").strip()
    html_url = result.get("html_url") or (
        f"https://www.federalregister.gov/d/{number}" if number else "")
    agencies = [
        {"slug": a.get("slug"), "name": a.get("name") or a.get("raw_name")}
        for a in result.get("agencies") or [] if isinstance(a, dict)
    ]
    metadata = {
        key: result.get(key) for key in (
            "subtype", "action", "effective_on", "comments_close_on", "cfr_references",
            "docket_ids", "regulation_id_numbers", "pdf_url", "correction_of", "corrections",
            "executive_order_number", "presidential_document_number", "proclamation_number",
            "signing_date", "citation", "significant", "dates", "topics", "president",
        ) if result.get(key) not in (None, [], {}, "")
    }
    metadata["agencies"] = agencies
    corrected = CORRECTION.sub("", number)
    if corrected != number:
        metadata.setdefault("correction_of", corrected)
    return make_document(
        source="federal_register",
        external_id=number,
        lang="en",
        url=canonical_url(html_url) if html_url else "",
        title=result.get("title") or "",
        published=result.get("publication_date") or "",
        text=result.get("abstract") or "",
        summary=result.get("action") or "",
        doc_type=result.get("type") or "",
        group_key=f"federal_register:{corrected}",
        metadata=metadata,
        page=page,
    )
