"""The Federal Register spider's parsing, on real API responses."""

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from scrapy.http import Request, TextResponse

from crawler.options import load_options
from crawler.spiders.federal_register import (
    FederalRegisterSpider,
    document_from_result,
    search_query,
    search_term,
)
from tests.conftest import FIXTURES

FR = FIXTURES / "federal_register"


def load(name):
    return json.loads((FR / name).read_text(encoding="utf-8"))


def response(url: str, payload) -> TextResponse:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return TextResponse(url=url, body=body, encoding="utf-8", request=Request(url))


def spider(**spec):
    options = {"base_url": "http://127.0.0.1:9", "agencies": ["industry-and-security-bureau",
               "foreign-assets-control-office", "commerce-department"],
               "terms": ["semiconductor*"], "types": ["RULE"], "per_page": 5, "max_pages": 3}
    options.update(spec.pop("options", {}))
    return FederalRegisterSpider(spec={"source": options, **spec})


def by_number(docs, number):
    return next(d for d in docs if d["external_id"] == number)


def test_query_names_agencies_types_terms_fields_and_since():
    options = load_options("federal_register", {
        "agencies": ["commerce-department", "industry-and-security-bureau"],
        "types": ["RULE", "NOTICE"], "terms": ["chip", "entity list"], "per_page": 100})
    query = parse_qs(search_query(options, since="2026-10-01"))
    assert query["conditions[agencies][]"] == ["commerce-department",
                                               "industry-and-security-bureau"]
    assert query["conditions[type][]"] == ["RULE", "NOTICE"]
    assert query["conditions[term]"] == ['chip | "entity list"']
    assert query["conditions[publication_date][gte]"] == ["2026-10-01"]
    assert query["order"] == ["newest"] and query["per_page"] == ["100"]
    assert "document_number" in query["fields[]"] and "abstract" in query["fields[]"]


def test_search_term_quotes_phrases_but_not_wildcards():
    assert search_term(["semiconductor*", "integrated circuit*", "section 232", " "]) == \
        'semiconductor* | integrated circuit* | "section 232"'


def test_full_result_keeps_what_an_analyst_needs():
    result = next(r for r in load("federalregister_documents_sample.json")["results"]
                  if r["type"] == "Notice" and "Taiwan" in r["title"])
    doc = document_from_result(result)
    assert doc["id"] == f"federal_register:{result['document_number']}"
    assert doc["source"] == "federal_register" and doc["lang"] == "en"
    assert doc["title"] == result["title"]
    assert doc["published"] == result["publication_date"] and doc["date_precision"] == "day"
    assert doc["timezone"] == "America/New_York"
    assert doc["url"] == result["html_url"]
    assert doc["text"] == result["abstract"].strip()
    assert doc["summary"] == (result["action"] or "").strip()
    assert doc["doc_type"] == "Notice"
    assert {"slug": "international-trade-administration",
            "name": "International Trade Administration"} in doc["metadata"]["agencies"]
    assert doc["metadata"]["pdf_url"] == result["pdf_url"]
    assert doc["metadata"]["docket_ids"] == result["docket_ids"]


def test_presidential_document_keeps_subtype_and_order_number():
    result = next(r for r in load("federalregister_documents_sample.json")["results"]
                  if r["type"] == "Presidential Document")
    doc = document_from_result(result)
    assert doc["doc_type"] == "Presidential Document"
    assert doc["metadata"]["subtype"] == result["subtype"]
    for key in ("executive_order_number", "proclamation_number", "signing_date", "president"):
        if result.get(key):
            assert doc["metadata"][key] == result[key]


def test_correction_is_its_own_document_linked_to_the_original():
    results = load("federalregister_bis_results_2026_trimmed.json")
    correction = document_from_result(next(r for r in results
                                           if r["document_number"] == "C1-2026-16628"))
    assert correction["id"] == "federal_register:C1-2026-16628"
    assert correction["group_key"] == "federal_register:2026-16628"
    assert correction["metadata"]["correction_of"] == "2026-16628"
    plain = document_from_result(results[0])
    assert plain["group_key"] == f"federal_register:{results[0]['document_number']}"


def test_parse_yields_documents_and_follows_cursor_on_configured_origin():
    payload = load("federalregister_documents_2026_cursor_trimmed.json")
    s = spider(options={"agencies": []})
    out = list(s.parse(response("http://127.0.0.1:9/api/v1/documents.json?x=1", payload)))
    docs = [o for o in out if isinstance(o, dict)]
    requests = [o for o in out if isinstance(o, Request)]
    assert [d["external_id"] for d in docs] == [r["document_number"] for r in payload["results"]]
    assert len(requests) == 1
    followed = urlsplit(requests[0].url)
    original = urlsplit(payload["next_page_url"])
    assert followed.netloc == "127.0.0.1:9"
    assert (followed.path, followed.query) == (original.path, original.query)
    assert "search_after_cursor=" in followed.query
    assert s.problems == []


def test_paging_stops_at_max_pages():
    payload = load("federalregister_documents_2026_cursor_trimmed.json")
    s = spider(options={"agencies": []}, max_pages=1)
    out = list(s.parse(response("http://127.0.0.1:9/api/v1/documents.json", payload)))
    assert not any(isinstance(o, Request) for o in out)


def test_paging_stops_when_a_page_is_older_than_since():
    payload = load("federalregister_documents_2026_cursor_trimmed.json")
    s = spider(options={"agencies": []}, since="2027-01-01")
    out = list(s.parse(response("http://127.0.0.1:9/api/v1/documents.json", payload)))
    assert not any(isinstance(o, Request) for o in out)


def test_results_from_other_agencies_are_refused_and_reported():
    payload = {"count": 5, "results": load("federalregister_documents_sample.json")["results"]}
    s = spider(options={"agencies": ["industry-and-security-bureau"]})
    docs = [o for o in s.parse(response("http://127.0.0.1:9/api/v1/documents.json", payload))
            if isinstance(o, dict)]
    assert docs and all(any(a["slug"] == "industry-and-security-bureau"
                            for a in d["metadata"]["agencies"]) for d in docs)
    assert len(s.problems) == 1 and "none of the configured agencies" in s.problems[0]


@pytest.mark.parametrize("body, words", [
    (b"<html>Service unavailable</html>", "not JSON"),
    (b'{"errors": ["bad"]}', "no 'results' list"),
    (b'{"results": "nope"}', "no 'results' list"),
])
def test_unusable_responses_are_problems_not_silence(body, words):
    s = spider()
    out = list(s.parse(response("http://127.0.0.1:9/api/v1/documents.json", body)))
    assert not [o for o in out if isinstance(o, dict)]
    assert len(s.problems) == 1 and words in s.problems[0]


def test_an_empty_result_set_is_quiet_not_broken():
    s = spider()
    out = list(s.parse(response("http://127.0.0.1:9/api/v1/documents.json",
                                {"count": 0, "description": "none", "total_pages": 0})))
    assert out == [] and s.problems == []
