"""Linking documents into events, after each crawl's classification, deterministically and
incrementally.

1. The documents to link (new, changed, or looked at by an older linker) get their keys
   (identifiers, titles, dates; see the evidence modules), stored in document_keys.
2. Every pair of documents sharing a key is asked of each kind of evidence; a candidate
   survives only if it is not tied with another (`accept`). A link between two documents is
   a function of the two and of their other candidates, so it is recomputed for every pair
   that has one of the linked documents, or one of their candidates, on a side: links never
   depend on the order documents arrived in.
3. The events touched are rebuilt as the connected documents: an analyst's "together" first,
   then links strongest first, never joining documents an analyst kept apart.
4. Each document's reason is the link through which the strongest path from the event's lead
   document reaches it (its role follows: a correction, an edition).
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable

from sqlite_utils import Database

from store import corrections as correction_store
from store import events as event_store
from store.events import Placement, summary
from store.tags import all_document_ids
from vocab.events import ROLE_ORDER

from . import groups, identifiers, reactions, releases, rules
from .docs import Doc
from .evidence import Candidate, Found

# Bump when what the linker decides changes: every document is then looked at again.
LINKER_VERSION = "events-2"  # 2: Taiwan's reactions
EVIDENCE = (groups, identifiers, releases, rules, reactions)
BATCH = 2000  # documents linked at once
# In the path that explains a document's place, an analyst's "together" is taken only where
# no evidence reaches it (the evidence is worth showing); in building events it comes first.
ANALYST_EXPLAINS = 0.0


@dataclass
class LinkReport:
    documents: int = 0  # documents looked at
    links: int = 0  # links kept among them
    events: int = 0  # events rebuilt
    created: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)

    def line(self) -> str:
        return (f"{self.documents} document{'s' if self.documents != 1 else ''} linked; "
                f"{self.events} event{'s' if self.events != 1 else ''} rebuilt "
                f"({len(self.created)} new, {len(self.removed)} merged away)")


def _kind_pairs() -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for module in EVIDENCE:
        for kind, other in module.KEY_PAIRS:
            for pair in ((kind, other), (other, kind)):
                if pair not in pairs:
                    pairs.append(pair)
    return pairs


def document_keys(doc: Doc) -> set[tuple[str, str]]:
    keys: set[tuple[str, str]] = set()
    for module in EVIDENCE:
        keys |= module.keys(doc)
    return keys


def _neighbours(db: Database, ids: Iterable[str]) -> dict[tuple[str, str], set]:
    """(a, b) with a < b -> the (a's kind, b's kind, value) they share, for every pair with a
    document of `ids` on one side."""
    shared: dict[tuple[str, str], set] = defaultdict(set)
    for row in event_store.sharing_keys(db, ids, _kind_pairs()):
        one, other = row["document_id"], row["other_id"]
        if one < other:
            shared[(one, other)].add((row["kind"], row["other_kind"], row["value"]))
        else:
            shared[(other, one)].add((row["other_kind"], row["kind"], row["value"]))
    return shared


def _touching(pairs: Iterable[tuple[str, str]]) -> set[str]:
    return {doc_id for pair in pairs for doc_id in pair}


def link_documents(db: Database, ids: Iterable[str], *, now: str | None = None) -> LinkReport:
    """Link these documents (and whatever their links touch) into events."""
    ids = sorted(set(ids))
    if not ids:
        return LinkReport()
    before = _touching(_neighbours(db, ids))  # partners by the keys they had
    rows = event_store.documents_for_linking(db, ids)
    event_store.replace_keys(db, {doc_id: document_keys(Doc.from_row(row))
                                  for doc_id, row in rows.items()})
    looked_at = set(ids) | before | _touching(_neighbours(db, ids))
    shared = _neighbours(db, looked_at)
    wider = _touching(shared) - looked_at
    shared.update(_neighbours(db, wider))  # the partners' other candidates, for ties
    docs = {doc_id: Doc.from_row(row) for doc_id, row in
            event_store.documents_for_linking(db, _touching(shared) | looked_at).items()}
    found = Found(_candidates(shared, docs), docs, judge=_judge)
    links = _accepted(found, looked_at)
    event_store.replace_links(db, looked_at, links, version=LINKER_VERSION, now=now)
    return _rebuild(db, looked_at, now=now, report=LinkReport(documents=len(ids),
                                                                 links=len(links)))


def relink_all(db: Database, *, now: str | None = None,
               on_progress: Callable[[int, int], None] | None = None) -> LinkReport:
    """Link every stored document again (after the linker changed, or on request)."""
    ids = all_document_ids(db)
    return _in_batches(db, ids, now=now, on_progress=on_progress)


def link_pending(db: Database, *, now: str | None = None,
                 on_progress: Callable[[int, int], None] | None = None) -> LinkReport:
    """Link what this linker has not looked at yet: new and changed documents, and every
    document after the linker changed."""
    return _in_batches(db, event_store.unlinked_ids(db, LINKER_VERSION), now=now,
                       on_progress=on_progress)


def _in_batches(db: Database, ids: list[str], *, now: str | None,
                on_progress: Callable[[int, int], None] | None) -> LinkReport:
    """A large store is linked a batch at a time, so that only a batch and its neighbours
    are read at once. The result does not depend on the batches: each one recomputes every
    link touching its documents or their partners, old and new."""
    total = LinkReport()
    for start in range(0, len(ids), BATCH):
        report = link_documents(db, ids[start:start + BATCH], now=now)
        total.documents += report.documents
        total.links += report.links
        total.events += report.events
        total.created += report.created
        total.removed += report.removed
        total.changed = sorted(set(total.changed) | set(report.changed))
        if on_progress:
            on_progress(min(start + BATCH, len(ids)), len(ids))
    return total


def _candidates(shared: dict[tuple[str, str], set], docs: dict[str, Doc]) -> list[Candidate]:
    found: list[Candidate] = []
    for (a, b), keys in sorted(shared.items()):
        if a not in docs or b not in docs:
            continue
        for module in EVIDENCE:
            kinds = set(module.KEY_PAIRS) | {(y, x) for x, y in module.KEY_PAIRS}
            mine = {item for item in keys if (item[0], item[1]) in kinds}
            if mine:
                found.extend(module.find(docs[a], docs[b], mine))
    return found


_ACCEPT = {"correction": groups, "edition": groups, "fr_number": identifiers,
           "fr_citation": identifiers, "rin": identifiers, "docket": identifiers,
           "same_release": releases, "title_window": releases, "names_rule": rules,
           "describes_rule": rules, "reaction": reactions}


def _judge(item: Candidate, found: Found) -> bool:
    return _ACCEPT[item.reason].accept(item, found)


def _accepted(found: Found, looked_at: set[str]) -> list[dict]:
    """The strongest surviving candidate of each pair touching `looked_at`."""
    best: dict[tuple[str, str], Candidate] = {}
    seen: set[Candidate] = set()
    for doc_id in sorted(looked_at):
        for item in found.by_doc.get(doc_id, []):
            if item in seen:
                continue
            seen.add(item)
            if not _judge(item, found):
                continue
            current = best.get((item.a, item.b))
            if current is None or (item.strength, item.reason) > (current.strength,
                                                                   current.reason):
                best[(item.a, item.b)] = item
    return [{"doc_a": c.a, "doc_b": c.b, "reason": c.reason, "strength": c.strength,
             "evidence": c.evidence} for _, c in sorted(best.items())]


# -- events from links -----------------------------------------------------------------------


def _closure(db: Database, start: set[str]) -> tuple[set[str], list[dict], list[dict]]:
    """The documents of every event that `start` or their links and constraints reach, with
    the links and constraints among them."""
    docs: set[str] = set()
    frontier = set(start)
    links: dict[tuple[str, str], dict] = {}
    constraints: dict[tuple[str, str], dict] = {}
    while frontier:
        docs |= frontier
        reached: set[str] = set()
        events = event_store.event_ids_of(db, frontier)
        for members in event_store.members_of(db, events.values()).values():
            reached.update(members)
        for row in event_store.links_touching(db, frontier):
            links[(row["doc_a"], row["doc_b"])] = row
            reached.update((row["doc_a"], row["doc_b"]))
        for row in correction_store.constraints_touching(db, frontier):
            constraints[(row["doc_a"], row["doc_b"])] = row
            if row["kind"] == "together":
                reached.update((row["doc_a"], row["doc_b"]))
        frontier = reached - docs
    return docs, list(links.values()), list(constraints.values())


class _Components:
    """Union-find that refuses to join documents kept apart."""

    def __init__(self, docs: Iterable[str], apart: list[tuple[str, str]]):
        self.parent = {d: d for d in docs}
        self.members = {d: {d} for d in self.parent}
        self.apart: dict[str, set[str]] = defaultdict(set)
        for a, b in apart:
            self.apart[a].add(b)
            self.apart[b].add(a)

    def find(self, doc: str) -> str:
        while self.parent[doc] != doc:
            self.parent[doc] = self.parent[self.parent[doc]]
            doc = self.parent[doc]
        return doc

    def join(self, a: str, b: str) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if any(self.apart[m] & self.members[rb] for m in self.members[ra]):
            return False
        if ra > rb:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.members[ra] |= self.members.pop(rb)
        return True

    def groups(self) -> list[set[str]]:
        return [self.members[root] for root in sorted(self.members)]


def _rebuild(db: Database, start: set[str], *, now: str | None,
             report: LinkReport) -> LinkReport:
    docs, links, constraints = _closure(db, start)
    apart = [(c["doc_a"], c["doc_b"]) for c in constraints if c["kind"] == "apart"]
    together = sorted((c for c in constraints if c["kind"] == "together"
                       and c["doc_a"] in docs and c["doc_b"] in docs),
                      key=lambda c: (c["correction_id"], c["doc_a"], c["doc_b"]))
    components = _Components(docs, apart)
    for c in together:
        components.join(c["doc_a"], c["doc_b"])
    used: list[dict] = []
    for link in sorted(links, key=lambda r: (-r["strength"], r["doc_a"], r["doc_b"])):
        if link["doc_a"] in docs and link["doc_b"] in docs and \
                components.join(link["doc_a"], link["doc_b"]):
            used.append(link)
    rows = event_store.documents_for_linking(db, docs)
    placed = [_placements(group, rows, used, together, constraints)
              for group in components.groups()]
    written = event_store.write_partition(db, placed, version=LINKER_VERSION, now=now)
    report.events = len(placed)
    report.created, report.removed = written.created, written.removed
    report.changed = sorted(set(written.changed))
    return report


def _lead(group: set[str], rows: dict[str, dict]) -> str:
    members = [{**rows[d], "role": Doc.from_row(rows[d]).role} for d in group]
    return summary(members, [])["lead_document_id"]


def _placements(group: set[str], rows: dict[str, dict], links: list[dict],
                together: list[dict], constraints: list[dict]) -> list[Placement]:
    """Each document's role and reason: the edge by which the strongest path from the lead
    reaches it."""
    lead = _lead(group, rows)
    edges: dict[str, list[tuple[float, str, str, str]]] = defaultdict(list)
    for link in links:
        if link["doc_a"] in group and link["doc_b"] in group:
            for x, y in ((link["doc_a"], link["doc_b"]), (link["doc_b"], link["doc_a"])):
                edges[x].append((link["strength"], y, link["reason"], link["evidence"]))
    for c in together:
        if c["doc_a"] in group and c["doc_b"] in group:
            reason = "analyst_split" if c["correction"] == "split" else "analyst_merge"
            evidence = _by_analyst(c)
            for x, y in ((c["doc_a"], c["doc_b"]), (c["doc_b"], c["doc_a"])):
                edges[x].append((ANALYST_EXPLAINS, y, reason, evidence))
    order = {doc_id: index for index, doc_id in enumerate(sorted(group))}
    reached: dict[str, tuple[str, str, str | None]] = {lead: ("lead", "", None)}
    heap: list[tuple] = []

    def push(doc_id: str) -> None:
        for strength, other, reason, evidence in edges[doc_id]:
            if other not in reached:
                heapq.heappush(heap, (-strength, order[other], order[doc_id], other, doc_id,
                                      reason, evidence))

    push(lead)
    while heap:
        _, _, _, doc_id, via, reason, evidence = heapq.heappop(heap)
        if doc_id in reached:
            continue
        reached[doc_id] = (reason, evidence, via)
        push(doc_id)
    splits = [c for c in constraints if c["kind"] == "apart" and c["correction"] == "split"]
    roles: dict[str, str] = {}
    for doc_id, (reason, _, via) in reached.items():  # in path order: `via` comes first
        roles[doc_id] = _role(Doc.from_row(rows[doc_id]), doc_id == lead, reason,
                              roles.get(via, ""))
    placements = []
    for doc_id in sorted(group, key=lambda d: (d != lead, order[d])):
        doc = Doc.from_row(rows[doc_id])
        reason, evidence, via = reached.get(doc_id, ("lead", "", None))
        split = next((c for c in splits if doc_id in (c["doc_a"], c["doc_b"])), None)
        if doc_id == lead and split:  # the first document of a part an analyst split off
            reason, evidence = "analyst_split", _by_analyst(split)
        role = roles.get(doc_id) or doc.role
        placements.append(Placement(doc_id, role if role in ROLE_ORDER else "document",
                                    reason, evidence, via))
    return placements


def _role(doc: Doc, is_lead: bool, reason: str, via_role: str) -> str:
    """A correction, an edition, a reaction (and a reaction's other editions), or the
    document's own role."""
    if reason == "correction" and doc.is_correction:
        return "correction"
    if reason == "reaction" and reactions.is_statement(doc):
        return "reaction"
    if reason == "edition" and not is_lead:
        return "reaction" if via_role == "reaction" else "edition"
    return doc.role


def _by_analyst(constraint: dict) -> str:
    verb = "split off" if constraint["correction"] == "split" else "merged"
    return (f"{verb} by {constraint['who']} on {constraint['at'][:10]} (correction "
            f"{constraint['correction_id']}): {constraint['why']}")
