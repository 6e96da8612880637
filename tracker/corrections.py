"""Analysts' corrections, applied: merging events, splitting documents out of one, adding and
removing a document's categories. Each is audited (who, when, why) and kept as data the linker
and the classifier obey from then on (store/corrections.py), so a correction survives every
later linking and `chipwatch reclassify`. Corrections can be exported as labelled pairs and
labels, to measure the linker and the classifier against."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from sqlite_utils import Database

from store import corrections as correction_store
from store import events as event_store
from store.documents import document_titles, get_document, ids_ending_with
from tracker.classify.apply import tag_documents
from tracker.events import link_documents


class CorrectionError(ValueError):
    """A correction that cannot be made as asked; the message says why and what to do."""


@dataclass
class Done:
    correction_id: int
    event_id: int | None  # the event the documents are in now
    documents: list[str]


def _event_members(db: Database, event_ids: list[int]) -> dict[int, list[str]]:
    members = event_store.members_of(db, event_ids)
    missing = [str(e) for e, docs in members.items() if not docs]
    if missing:
        raise CorrectionError(f"no event {', '.join(missing)}; `chipwatch events` lists them "
                              f"(an event merged into another keeps the other's id)")
    return members


def merge(db: Database, event_ids: list[int], *, who: str, why: str) -> Done:
    """Put every document of these events in one event, whatever the evidence says."""
    event_ids = list(dict.fromkeys(event_ids))
    if len(event_ids) < 2:
        raise CorrectionError("name at least two different events to merge")
    members = _event_members(db, event_ids)
    documents = [doc for event_id in event_ids for doc in members[event_id]]
    titles = {event_id: (event_store.get_event(db, event_id) or {}).get("title")
              for event_id in event_ids}
    with db.atomic():
        correction_id = correction_store.record(
            db, kind="merge", who=who, why=why, event_ids=event_ids, document_ids=documents,
            detail={"events": {str(e): members[e] for e in event_ids},
                    "titles": {str(e): t for e, t in titles.items()}})
        correction_store.keep_together(db, documents, correction_id)
    link_documents(db, documents)
    return Done(correction_id, event_store.event_ids_of(db, documents[:1]).get(documents[0]),
                documents)


def split(db: Database, event_id: int, documents: list[str], *, who: str, why: str) -> Done:
    """Move these documents of an event into an event of their own, kept apart from the
    event's other documents."""
    members = _event_members(db, [event_id])[event_id]
    documents = [resolve_document(members, doc) for doc in dict.fromkeys(documents)]
    rest = [doc for doc in members if doc not in documents]
    if not documents:
        raise CorrectionError("name the documents to split off")
    if not rest:
        raise CorrectionError(f"these are all the documents of event {event_id}; name only "
                              f"those to move out")
    with db.atomic():
        correction_id = correction_store.record(
            db, kind="split", who=who, why=why, event_ids=[event_id], document_ids=documents,
            detail={"event": event_id, "split_off": documents, "rest": rest})
        correction_store.keep_apart(db, documents, rest, correction_id)
        if len(documents) > 1:
            correction_store.keep_together(db, documents, correction_id)
    link_documents(db, members)
    return Done(correction_id, event_store.event_ids_of(db, documents[:1]).get(documents[0]),
                documents)


def resolve_document(candidates: list[str], given: str) -> str:
    """A document named by its id, or by the end of it when that is unique among
    `candidates` (`2026-16628`, `press-release/some-slug`)."""
    if given in candidates:
        return given
    matches = [doc for doc in candidates if doc.endswith(given) or doc.endswith(f":{given}")]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise CorrectionError(f"'{given}' is not a document of this event; its documents "
                              f"are: {', '.join(candidates)}")
    raise CorrectionError(f"'{given}' names several documents ({', '.join(matches)}); give "
                          f"the whole id")


def retag(db: Database, document_id: str, *, add: list[str], remove: list[str],
          relevance: str | None, known: list[str], classifier, who: str, why: str) -> Done:
    """Add and remove categories of a document, then tag it again with the rules and every
    correction it has."""
    if get_document(db, document_id) is None:
        found = ids_ending_with(db, document_id)
        if len(found) != 1:
            hint = f"; did you mean one of: {', '.join(found)}" if found else \
                "; the `reading` page in `chipwatch browse` shows each document's id"
            raise CorrectionError(f"no document '{document_id}'{hint}")
        document_id = found[0]
    unknown = [c for c in add + remove if c not in known]
    if unknown:
        raise CorrectionError(f"unknown categor{'ies' if len(unknown) > 1 else 'y'} "
                              f"{', '.join(unknown)}; the rules file declares: "
                              f"{', '.join(known)}")
    both = set(add) & set(remove)
    if both:
        raise CorrectionError(f"{', '.join(sorted(both))} is both added and removed")
    if not add and not remove:
        raise CorrectionError("say what to change: --add CATEGORY and/or --remove CATEGORY")
    with db.atomic():
        correction_id = correction_store.record(
            db, kind="tags", who=who, why=why, document_ids=[document_id],
            detail={"add": add, "remove": remove, "relevance": relevance})
        correction_store.override_tags(db, document_id, add=add, remove=remove,
                                       relevance=relevance, correction_id=correction_id)
    tag_documents(db, classifier, [document_id])
    return Done(correction_id, event_store.event_ids_of(db, [document_id]).get(document_id),
                [document_id])


def labelled(db: Database) -> list[dict]:
    """Every correction as labelled data: pairs of documents that are (a merge, the documents
    split off together) or are not (a split) one event, and categories a document has (an
    added tag) or has not (a removed one). Each with the correction's id, who, when, why."""
    titles = document_titles(db)
    out: list[dict] = []
    for row in correction_store.listing(db):
        audit = {"correction": row["id"], "who": row["who"], "at": row["at"], "why": row["why"]}
        detail = row["detail"] or {}
        if row["kind"] == "merge":
            groups = list((detail.get("events") or {}).values())
            for i, first in enumerate(groups):
                for second in groups[i + 1:]:
                    out += [_pair(a, b, True, titles, audit) for a in first for b in second]
        elif row["kind"] == "split":
            gone, rest = detail.get("split_off", []), detail.get("rest", [])
            out += [_pair(a, b, False, titles, audit) for a in gone for b in rest]
            out += [_pair(a, b, True, titles, audit) for a, b in combinations(gone, 2)]
        elif row["kind"] == "tags":
            [document] = row["document_ids"]
            for category in detail.get("add", []):
                out.append({"kind": "category", "document": document,
                            "title": titles.get(document), "category": category,
                            "label": True, **audit})
            for category in detail.get("remove", []):
                out.append({"kind": "category", "document": document,
                            "title": titles.get(document), "category": category,
                            "label": False, **audit})
    return out


def _pair(a: str, b: str, same: bool, titles: dict, audit: dict) -> dict:
    return {"kind": "same_event", "a": a, "b": b, "a_title": titles.get(a),
            "b_title": titles.get(b), "label": same, **audit}
