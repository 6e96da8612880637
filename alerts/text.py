"""Plain-text rendering of a digest."""

from __future__ import annotations

from collections import defaultdict

SOURCE_NAMES = {
    "federal_register": "Federal Register",
    "commerce": "Department of Commerce",
    "bis": "Bureau of Industry and Security",
    "tsmc": "TSMC newsroom",
    "trendforce": "TrendForce",
}


def render_by_source(documents: list[dict], *, title: str = "chipwatch digest") -> str:
    """Documents grouped by source, each with date, title and link."""
    if not documents:
        return f"{title}: nothing new.\n"
    groups: dict[str, list[dict]] = defaultdict(list)
    for doc in documents:
        groups[doc["source"]].append(doc)
    lines = [f"{title}: {len(documents)} new document{'s' if len(documents) != 1 else ''}", ""]
    for source in sorted(groups, key=lambda s: (-len(groups[s]), s)):
        docs = groups[source]
        lines.append(f"{SOURCE_NAMES.get(source, source)} ({len(docs)})")
        for doc in docs:
            date = (doc.get("published") or "")[:10]
            lang = "" if doc.get("lang") == "en" else f" [{doc['lang']}]"
            lines.append(f"  {date}  {doc['title']}{lang}")
            lines.append(f"              {doc['url']}")
        lines.append("")
    return "\n".join(lines)
