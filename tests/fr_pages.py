"""Federal Register API pages for loopback crawls, built from the real results in fixtures:
the envelope (count, description, next_page_url with a search_after_cursor) follows the real
2026 page in federalregister_documents_2026_cursor_trimmed.json."""

from __future__ import annotations

import base64
import json

from tests.conftest import FIXTURES
from tests.loopback import Reply

AGENCIES = ["commerce-department", "industry-and-security-bureau",
            "foreign-assets-control-office"]


def real_results() -> list[dict]:
    path = FIXTURES / "federal_register" / "federalregister_bis_results_2026_trimmed.json"
    return json.loads(path.read_text(encoding="utf-8"))


def page(results: list[dict], count: int, next_cursor_after: dict | None) -> Reply:
    payload = {"description": "Documents from Industry and Security Bureau", "count": count,
               "total_pages": 2, "results": results}
    if next_cursor_after:
        cursor = base64.urlsafe_b64encode(json.dumps(
            [1789344000000, next_cursor_after["document_number"]]).encode()).decode().rstrip("=")
        payload["next_page_url"] = (
            "https://www.federalregister.gov/api/v1/documents?conditions%5Bagencies%5D%5B%5D="
            "industry-and-security-bureau&format=json&order=newest&page=2&per_page=4"
            f"&search_after_cursor={cursor}")
    return Reply(200, json.dumps(payload), content_type="application/json; charset=utf-8")


def two_pages(results: list[dict] | None = None) -> dict[str, Reply]:
    """Routes for a two-page search: /api/v1/documents.json, then the cursor page."""
    results = results if results is not None else real_results()
    first, second = results[:4], results[4:]
    return {
        "/api/v1/documents.json": page(first, len(results), next_cursor_after=first[-1]),
        "/api/v1/documents": page(second, len(results), next_cursor_after=None),
    }
