"""Events: one policy action and every document about it.

Every document belongs to exactly one event: a document is placed in an event of its own in
the transaction that stores it (`place_documents`), and the linker (tracker/events/) later
joins documents whose evidence says they are about the same action, by writing a new
partition of the documents it looked at (`write_partition`). An event keeps its id while it
lives: when events merge, the one holding most of the documents (its first document first)
keeps its id; when an event splits, the part holding its first document keeps it.

What others read (digests, Datasette, the fact extraction): `get_event`, `event_documents`
(an event's documents with their role, reason and evidence), `event_ids_of` and
`events_of_documents`.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable

from sqlite_utils import Database

from vocab.events import ROLE_ORDER, base_role
from vocab.languages import is_chinese

from .batches import chunks, marks
from .clock import utcnow

# -- placing new documents ------------------------------------------------------------------


def place_documents(db: Database, ids: Iterable[str], *, now: str | None = None) -> list[int]:
    """Give each document that has no event yet an event of its own (role from its source
    and type, reason `lead`). Called in the transaction that stores new documents, so the
    rule "every document belongs to exactly one event" always holds. Returns the new
    events' ids.

    A new document has no tags yet, so its event's summary is written from the document
    alone, in plain SQL: this runs for every document a crawl stores."""
    now = now or utcnow()
    ids = list(ids)
    created: list[int] = []
    conn = db.conn
    for chunk in chunks(ids):
        placed = []
        for doc_id, source, doc_type, text, lang, title, published in conn.execute(
                "select d.id, d.source, d.doc_type, d.text, d.lang, d.title, d.published "
                f"from documents d where d.id in ({marks(chunk)}) and not exists "
                "(select 1 from event_documents e where e.document_id = d.id)", chunk
        ).fetchall():
            day = (published or "")[:10] or None
            event_id = conn.execute(_NEW_EVENT, [
                title, title if is_chinese(lang) else None, doc_id, day, day,
                _json_list(source), _json_list(lang), now, now]).lastrowid
            placed.append((doc_id, event_id, base_role(source, doc_type, text), now))
            created.append(event_id)
        conn.executemany(_LEAD, placed)
    return created


@lru_cache(maxsize=64)
def _json_list(value: str) -> str:
    """[value] as JSON (a few sources and languages, over and over)."""
    return json.dumps([value])


_NEW_EVENT = ("insert into events (title, title_zh, lead_document_id, first_date, last_date, "
              "categories, relevance, sources, languages, document_count, created_at, "
              "updated_at) values (?, ?, ?, ?, ?, '[]', null, ?, ?, 1, ?, ?)")
_LEAD = ("insert into event_documents (document_id, event_id, role, reason, evidence, "
         "linked_to, linker_version, placed_at) values (?, ?, ?, 'lead', '', null, null, ?)")


def place_by_group(db: Database, *, now: str | None = None) -> int:
    """Place every document without an event by its group_key (editions of one story, a
    Federal Register document and its corrections), oldest group first: what the migration
    that introduced events does with an existing store. The linker refines it later."""
    now = now or utcnow()
    rows = list(db.query(
        "select d.id, d.source, d.doc_type, d.text, d.lang, d.published, d.external_id, "
        "coalesce(d.group_key, d.id) as grp from documents d where not exists "
        "(select 1 from event_documents e where e.document_id = d.id) "
        "order by d.published, d.id"))
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[row["grp"]].append(row)
    with db.atomic():
        for members in groups.values():
            event_id = _new_event(db, now)
            members.sort(key=lambda r: (r["lang"] != "en", r["published"] or "", r["id"]))
            lead = members[0]
            for row in members:
                role = base_role(row["source"], row["doc_type"], row["text"])
                reason, evidence, linked_to = "lead", "", None
                if row is not lead:
                    correction = row["external_id"] != lead["external_id"] and \
                        row["external_id"].endswith(lead["external_id"]) and \
                        row["source"] == "federal_register"
                    reason = "correction" if correction else "edition"
                    role = "correction" if correction else (
                        "edition" if row["lang"] != lead["lang"] else role)
                    evidence = f"shares group_key {row['grp']}"
                    linked_to = lead["id"]
                db["event_documents"].insert({
                    "document_id": row["id"], "event_id": event_id, "role": role,
                    "reason": reason, "evidence": evidence, "linked_to": linked_to,
                    "linker_version": None, "placed_at": now})
            refresh_events(db, [event_id], now=now, touched=False)
    return len(rows)


def _new_event(db: Database, now: str) -> int:
    table = db["events"]
    table.insert({"created_at": now, "updated_at": now, "document_count": 0})
    return table.last_pk


# -- what the linker reads and writes ---------------------------------------------------------


LINKING_COLUMNS = ("id, source, external_id, lang, url, title, text, summary, published, "
                   "doc_type, group_key, metadata, instruments, actors")


def documents_for_linking(db: Database, ids: Iterable[str]) -> dict[str, dict]:
    """id -> the fields the linker reads (metadata, instruments and actors decoded)."""
    found: dict[str, dict] = {}
    ids = sorted(set(ids))
    for chunk in chunks(ids):
        for row in db.query(f"select {LINKING_COLUMNS} from documents "
                            f"where id in ({marks(chunk)})", chunk):
            row["metadata"] = json.loads(row["metadata"] or "{}")
            row["instruments"] = json.loads(row["instruments"] or "[]")
            row["actors"] = json.loads(row["actors"] or "[]")
            found[row["id"]] = row
    return found


def unlinked_ids(db: Database, version: str) -> list[str]:
    """Documents the linker of `version` has not looked at (new, changed, or placed by an
    older linker or by the migration)."""
    # written as ranges, so that the index on linker_version finds them in a large store
    return sorted(r["document_id"] for r in db.query(
        "select document_id from event_documents where linker_version is null "
        "or linker_version < ? or linker_version > ?", [version, version]))


def mark_unlinked(db: Database, ids: Iterable[str]) -> None:
    """A changed document is looked at again by the next linking."""
    ids = list(ids)
    for chunk in chunks(ids):
        db.execute(f"update event_documents set linker_version = null "
                   f"where document_id in ({marks(chunk)})", chunk)


def replace_keys(db: Database, keys: dict[str, set[tuple[str, str]]]) -> None:
    """document id -> its (kind, value) keys, replacing what it had."""
    with db.atomic():
        for doc_id, pairs in keys.items():
            db.execute("delete from document_keys where document_id = ?", [doc_id])
            db["document_keys"].insert_all(
                ({"document_id": doc_id, "kind": kind, "value": value}
                 for kind, value in sorted(pairs)), ignore=True)


def sharing_keys(db: Database, ids: Iterable[str],
                 kinds: Iterable[tuple[str, str]]) -> list[dict]:
    """Pairs of documents that share a key value: for each (kind, other_kind) in `kinds`, a
    document of `ids` with a `kind` key and any other document with an `other_kind` key of
    the same value. Rows {document_id, other_id, kind, other_kind, value}."""
    ids = sorted(set(ids))
    found: list[dict] = []
    for kind, other_kind in kinds:
        for chunk in chunks(ids):
            found.extend(db.query(
                "select a.document_id, b.document_id as other_id, a.kind, b.kind as other_kind,"
                " a.value from document_keys a join document_keys b on b.kind = ? and "
                f"b.value = a.value and b.document_id != a.document_id where a.kind = ? and "
                f"a.document_id in ({marks(chunk)})", [other_kind, kind, *chunk]))
    return found


def replace_links(db: Database, ids: Iterable[str], links: Iterable[dict], *, version: str,
                  now: str | None = None) -> None:
    """Forget every link touching `ids` and store `links` ({doc_a, doc_b, reason, strength,
    evidence}; doc_a < doc_b)."""
    now = now or utcnow()
    ids = sorted(set(ids))
    with db.atomic():
        for chunk in chunks(ids):
            db.execute(f"delete from event_links where doc_a in ({marks(chunk)}) "
                       f"or doc_b in ({marks(chunk)})", chunk + chunk)
        db["event_links"].insert_all(
            ({**link, "linker_version": version, "linked_at": now} for link in links),
            replace=True)


def links_touching(db: Database, ids: Iterable[str]) -> list[dict]:
    ids = sorted(set(ids))
    found: dict[tuple[str, str], dict] = {}
    for chunk in chunks(ids):
        for row in db.query(f"select * from event_links where doc_a in ({marks(chunk)}) "
                            f"or doc_b in ({marks(chunk)})", chunk + chunk):
            found[(row["doc_a"], row["doc_b"])] = row
    return [found[key] for key in sorted(found)]


def event_ids_of(db: Database, ids: Iterable[str]) -> dict[str, int]:
    """document id -> its event id."""
    ids = sorted(set(ids))
    found: dict[str, int] = {}
    for chunk in chunks(ids):
        for row in db.query(f"select document_id, event_id from event_documents "
                            f"where document_id in ({marks(chunk)})", chunk):
            found[row["document_id"]] = row["event_id"]
    return found


def members_of(db: Database, event_ids: Iterable[int]) -> dict[int, list[str]]:
    """event id -> its documents' ids."""
    event_ids = sorted(set(event_ids))
    found: dict[int, list[str]] = {event_id: [] for event_id in event_ids}
    for chunk in chunks(event_ids):
        for row in db.query(f"select event_id, document_id from event_documents where "
                            f"event_id in ({marks(chunk)}) order by document_id", chunk):
            found[row["event_id"]].append(row["document_id"])
    return found


def placements(db: Database, ids: Iterable[str]) -> dict[str, dict]:
    """document id -> its event_documents row."""
    ids = sorted(set(ids))
    found: dict[str, dict] = {}
    for chunk in chunks(ids):
        for row in db.query(f"select * from event_documents where document_id in "
                            f"({marks(chunk)})", chunk):
            found[row["document_id"]] = row
    return found


@dataclass
class Placement:
    """Where the linker puts one document: its role, and why it is in the event."""
    document_id: str
    role: str
    reason: str
    evidence: str = ""
    linked_to: str | None = None


@dataclass
class Written:
    kept: list[int] = field(default_factory=list)  # events that kept their id
    created: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)  # merged into another
    changed: list[int] = field(default_factory=list)  # events whose documents changed


def write_partition(db: Database, groups: list[list[Placement]], *, version: str,
                    now: str | None = None) -> Written:
    """Make each group one event. The groups must cover every document of every event they
    touch (the linker looks at whole events). Event ids are kept where they can be: each old
    event goes to the group holding its first document, else the one holding most of its
    documents; a group that gets no old id is a new event."""
    now = now or utcnow()
    all_ids = [p.document_id for group in groups for p in group]
    old = placements(db, all_ids)
    old_events = sorted({row["event_id"] for row in old.values()})
    leads = {row["id"]: row["lead_document_id"] for row in db.query(
        f"select id, lead_document_id from events where id in ({marks(old_events)})",
        old_events)} if old_events else {}
    claims = []
    for index, group in enumerate(groups):
        counts = Counter(old[p.document_id]["event_id"] for p in group
                         if p.document_id in old)
        members = {p.document_id for p in group}
        for event_id, count in counts.items():
            claims.append((leads.get(event_id) not in members, -count, event_id, index))
    claims.sort()
    chosen: dict[int, int] = {}
    taken: set[int] = set()
    for _, _, event_id, index in claims:
        if index not in chosen and event_id not in taken:
            chosen[index] = event_id
            taken.add(event_id)
    written = Written()
    with db.atomic():
        for index, group in enumerate(groups):
            event_id = chosen.get(index)
            if event_id is None:
                event_id = _new_event(db, now)
                written.created.append(event_id)
            else:
                written.kept.append(event_id)
            moved = False
            for p in group:
                before = old.get(p.document_id)
                if before is None or before["event_id"] != event_id:
                    moved = True
                row = {"document_id": p.document_id, "event_id": event_id, "role": p.role,
                       "reason": p.reason, "evidence": p.evidence, "linked_to": p.linked_to,
                       "linker_version": version,
                       "placed_at": now if before is None or before["event_id"] != event_id
                       else before["placed_at"]}
                db["event_documents"].upsert(row, pk="document_id")
            if moved:
                written.changed.append(event_id)
        for event_id in old_events:
            if event_id not in taken:
                left = db.execute("select count(*) from event_documents where event_id = ?",
                                  [event_id]).fetchone()[0]
                if left == 0:
                    db.execute("delete from events where id = ?", [event_id])
                    written.removed.append(event_id)
                else:
                    written.changed.append(event_id)
        refresh_events(db, written.kept + written.created + written.changed, now=now,
                       touched=False, touched_ids=set(written.changed) | set(written.created))
    return written


# -- an event's summary ---------------------------------------------------------------------


def refresh_events(db: Database, event_ids: Iterable[int], *, now: str | None = None,
                   touched: bool = True, touched_ids: set[int] | None = None) -> None:
    """Recompute what an event shows from its documents: title (an English document's, by
    role, then the earliest), Chinese title, dates, categories (strongest first), relevance,
    sources, languages and count. `updated_at` moves for touched events (documents joined or
    left); a change of tags alone does not move it."""
    now = now or utcnow()
    event_ids = sorted(set(event_ids))
    for chunk in chunks(event_ids):
        docs: dict[int, list[dict]] = defaultdict(list)
        for row in db.query(
                "select e.event_id, e.role, d.id, d.source, d.lang, d.title, d.published "
                "from event_documents e join documents d on d.id = e.document_id "
                f"where e.event_id in ({marks(chunk)})", chunk):
            docs[row["event_id"]].append(row)
        member_ids = [d["id"] for rows in docs.values() for d in rows]
        tags: dict[str, list[dict]] = defaultdict(list)
        for part in chunks(member_ids):
            for row in db.query("select document_id, category, score, relevance from "
                                f"document_tags where document_id in ({marks(part)})", part):
                tags[row["document_id"]].append(row)
        for event_id in chunk:
            rows = docs.get(event_id, [])
            if not rows:
                continue
            update = summary(rows, [t for d in rows for t in tags.get(d["id"], [])])
            if touched or (touched_ids is not None and event_id in touched_ids):
                update["updated_at"] = now
            db["events"].update(event_id, update)


def _order(row: dict) -> tuple:
    role = row["role"] if row["role"] in ROLE_ORDER else "document"
    return (ROLE_ORDER.index(role), row["published"] or "9999", row["id"])


def summary(rows: list[dict], tags: list[dict]) -> dict:
    """The columns of an event from its documents ({id, role, source, lang, title,
    published}) and their tags ({category, score, relevance})."""
    english = sorted((r for r in rows if not is_chinese(r["lang"])), key=_order)
    chinese = sorted((r for r in rows if is_chinese(r["lang"])),
                     key=lambda r: (r["lang"] != "zh-Hant", *_order(r)))
    lead = (english or chinese)[0]
    days = sorted((r["published"] or "")[:10] for r in rows if r["published"])
    best: dict[str, float] = {}
    for tag in tags:
        best[tag["category"]] = max(best.get(tag["category"], float("-inf")), tag["score"])
    relevances = {t["relevance"] for t in tags}
    relevance = None
    if "core" in relevances:
        relevance = "core"
    elif relevances == {"wider"}:
        relevance = "wider"
    by_date = sorted(rows, key=lambda r: (r["published"] or "9999", r["id"]))
    return {
        "title": lead["title"],
        "title_zh": chinese[0]["title"] if chinese else None,
        "lead_document_id": lead["id"],
        "first_date": days[0] if days else None,
        "last_date": days[-1] if days else None,
        "categories": json.dumps(sorted(best, key=lambda c: (-best[c], c))),
        "relevance": relevance,
        "sources": json.dumps(list(dict.fromkeys(r["source"] for r in by_date))),
        "languages": json.dumps(list(dict.fromkeys(r["lang"] for r in by_date))),
        "document_count": len(rows),
    }


def refresh_for_documents(db: Database, ids: Iterable[str]) -> None:
    """After tags changed: the events of these documents show their new categories and
    relevance (the same order and rule as `summary`, in one statement per batch)."""
    ids = sorted(set(ids))
    for chunk in chunks(ids):
        db.execute(
            "update events set "
            "categories = (select coalesce(json_group_array(category), '[]') from ("
            "  select t.category, max(t.score) as best from event_documents x join "
            "  document_tags t on t.document_id = x.document_id where x.event_id = events.id "
            "  group by t.category order by best desc, t.category)), "
            "relevance = (select case when sum(t.relevance = 'core') > 0 then 'core' "
            "  when count(*) > 0 and sum(coalesce(t.relevance, '') != 'wider') = 0 "
            "  then 'wider' end from event_documents x join document_tags t "
            "  on t.document_id = x.document_id where x.event_id = events.id) "
            "where id in (select event_id from event_documents where document_id in "
            f"({marks(chunk)}))", chunk)


# -- reading ----------------------------------------------------------------------------------


def get_event(db: Database, event_id: int) -> dict | None:
    row = next(db.query("select * from events where id = ?", [event_id]), None)
    if row:
        for key in ("categories", "sources", "languages"):
            row[key] = json.loads(row[key] or "[]")
    return row


def event_documents(db: Database, event_id: int) -> list[dict]:
    """An event's documents, oldest first: id, source, external_id, lang, url, title,
    published, doc_type, categories, role, reason, evidence, linked_to."""
    rows = list(db.query(
        "select d.id, d.source, d.external_id, d.lang, d.url, d.title, d.published, "
        "d.doc_type, d.categories, e.role, e.reason, e.evidence, e.linked_to, e.placed_at "
        "from event_documents e join documents d on d.id = e.document_id "
        "where e.event_id = ? order by d.published, d.id", [event_id]))
    for row in rows:
        row["categories"] = json.loads(row["categories"] or "[]")
    return rows


def events_of_documents(db: Database, ids: Iterable[str]) -> dict[int, list[dict]]:
    """event id -> every document of the events of these documents (as `event_documents`)."""
    return {event_id: event_documents(db, event_id)
            for event_id in sorted(set(event_ids_of(db, ids).values()))}


def recent_events(db: Database, limit: int = 20) -> list[dict]:
    rows = list(db.query("select * from events order by last_date desc, id desc limit ?",
                         [limit]))
    for row in rows:
        for key in ("categories", "sources", "languages"):
            row[key] = json.loads(row[key] or "[]")
    return rows


def count_events(db: Database) -> int:
    return db["events"].count
