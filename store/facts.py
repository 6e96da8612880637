"""The facts the classifier found in each document, in tables of their own: instruments
(`document_instruments`), amounts (`document_amounts`), rates (`document_rates`), deadlines
(`document_deadlines`) and actors (`document_actors`). `documents.instruments` and
`documents.actors` mirror the names for Datasette's facets, as `documents.categories` does
for tags. Facts are replaced whole each time a document is classified; a document whose
instruments or actors change is looked at again by the next linking (reactions are linked
on them)."""

from __future__ import annotations

import json

from sqlite_utils import Database

from .batches import marks
from .clock import utcnow
from .events import mark_unlinked

FACT_TABLES = ("document_instruments", "document_amounts", "document_rates",
               "document_deadlines", "document_actors")


def set_facts(db: Database, document_id: str, instruments: list[dict], facts: dict,
              version: str, *, now: str | None = None) -> None:
    """Replace a document's facts. `instruments`: [{"instrument", "category", "score",
    "evidence"}]; `facts`: {"amounts": [{"value", "currency", "text", "sentence", "actors"}],
    "rates": [{"percent", "text", "sentence"}], "deadlines": [{"kind", "date", "text",
    "origin"}], "actors": [{"name", "kind", "country", "text"}]}."""
    now = now or utcnow()
    names = {"instruments": json.dumps([i["instrument"] for i in instruments]),
             "actors": json.dumps([a["name"] for a in facts.get("actors", [])],
                                  ensure_ascii=False)}
    before = next(db.query("select instruments, actors from documents where id = ?",
                           [document_id]), None)
    with db.atomic():
        for table in FACT_TABLES:
            db.execute(f"delete from {table} where document_id = ?", [document_id])
        _insert(db, "document_instruments", (
            (document_id, i["instrument"], i["category"], i["score"],
             json.dumps(i.get("evidence", []), ensure_ascii=False), version, now)
            for i in instruments), "instrument, category, score, evidence, "
            "classifier_version, tagged_at")
        _insert(db, "document_amounts", (
            (document_id, n, a["value"], a["currency"], a["text"], a.get("sentence", ""),
             json.dumps(a.get("actors", []), ensure_ascii=False))
            for n, a in enumerate(facts.get("amounts", []), 1)),
            "seq, value, currency, text, sentence, actors")
        _insert(db, "document_rates", (
            (document_id, n, r["percent"], r["text"], r.get("sentence", ""))
            for n, r in enumerate(facts.get("rates", []), 1)), "seq, percent, text, sentence")
        _insert(db, "document_deadlines", (
            (document_id, d["kind"], d["date"], d["text"], d.get("origin", "text"))
            for d in facts.get("deadlines", [])), "kind, date, text, origin", ignore=True)
        _insert(db, "document_actors", (
            (document_id, a["name"], a["kind"], a.get("country", ""), a["text"])
            for a in facts.get("actors", [])), "actor, kind, country, text", ignore=True)
        db.execute("update documents set instruments = ?, actors = ? where id = ?",
                   [names["instruments"], names["actors"], document_id])
        if before is not None and before != names:
            mark_unlinked(db, [document_id])  # reactions are linked on these


def _insert(db: Database, table: str, rows, columns: str, *, ignore: bool = False) -> None:
    """Rows of a fact table, each starting with the document's id (plain statements: a
    cycle writes the facts of every document it classifies)."""
    places = marks(range(columns.count(",") + 2))  # the document's id and each column
    verb = "insert or ignore" if ignore else "insert"
    db.conn.executemany(f"{verb} into {table} (document_id, {columns}) values ({places})", rows)


def facts_for(db: Database, document_ids: list[str]) -> dict[str, dict]:
    """document id -> {"instruments": [names, strongest first], "amounts": [{"value",
    "currency", "text", "sentence"}], "rates": [{"percent", "text", "sentence"}],
    "deadlines": [{"kind", "date", "text"}], "actors": [names]}, in the order found."""
    found = {doc_id: {"instruments": [], "amounts": [], "rates": [], "deadlines": [],
                      "actors": []} for doc_id in document_ids}
    queries = (
        ("instruments", "select document_id, instrument from document_instruments where "
                        "document_id in ({marks}) order by document_id, score desc, instrument"),
        ("amounts", "select document_id, value, currency, text, sentence from document_amounts "
                    "where document_id in ({marks}) order by document_id, seq"),
        ("rates", "select document_id, percent, text, sentence from document_rates where "
                  "document_id in ({marks}) order by document_id, seq"),
        ("deadlines", "select document_id, kind, date, text from document_deadlines where "
                      "document_id in ({marks}) order by document_id, date, kind"),
        ("actors", "select document_id, actor from document_actors where document_id in "
                   "({marks}) order by document_id, rowid"),
    )
    for start in range(0, len(document_ids), 500):
        chunk = document_ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for key, sql in queries:
            for row in db.query(sql.format(marks=marks), chunk):
                doc_id = row.pop("document_id")
                if key in ("instruments", "actors"):  # names only
                    row = row[key[:-1] if key == "instruments" else "actor"]
                found[doc_id][key].append(row)
    return found


def deadlines_between(db: Database, first: str, last: str) -> list[dict]:
    """Deadlines dated from `first` to `last` (ISO dates, both included), soonest first,
    each with its document's id, title, url, source, language, publication and categories
    (decoded)."""
    rows = list(db.query(
        "select x.document_id, x.kind, x.date, x.text, x.origin, d.title, d.url, d.source, "
        "d.lang, d.published, coalesce(d.categories, '[]') as categories "
        "from document_deadlines x join documents d on d.id = x.document_id "
        "where x.date between ? and ? order by x.date, x.kind, d.published, d.id",
        [first, last]))
    for row in rows:
        row["categories"] = json.loads(row["categories"])
    return rows


def amounts_naming(db: Database, actor: str, currency: str = "") -> list[dict]:
    """Amounts stated in a sentence that names `actor`, oldest document first (the canned
    query `actor_amounts` asks the same)."""
    return list(db.query(AMOUNTS_NAMING, {"actor": actor, "currency": currency}))


# One query for Datasette's canned query and for amounts_naming: amounts over time for an
# actor (the actor named in the amount's own sentence), optionally in one currency.
AMOUNTS_NAMING = """select substr(d.published, 1, 10) as date, a.value, a.currency, a.text,
  d.title, d.source, d.lang as language, a.sentence, d.url, a.document_id
from document_amounts a
join documents d on d.id = a.document_id
where exists (select 1 from json_each(a.actors) j where j.value = :actor)
  and (:currency = '' or a.currency = :currency)
order by d.published, a.document_id, a.seq"""


def create_tables(db: Database) -> None:
    """The fact tables (used by the migration)."""
    db["document_instruments"].create(
        {"document_id": str, "instrument": str, "category": str, "score": float,
         "evidence": str, "classifier_version": str, "tagged_at": str},
        pk=("document_id", "instrument"), foreign_keys=[("document_id", "documents", "id")])
    db["document_instruments"].create_index(["instrument"])
    db["document_amounts"].create(
        {"document_id": str, "seq": int, "value": float, "currency": str, "text": str,
         "sentence": str, "actors": str},
        pk=("document_id", "seq"), foreign_keys=[("document_id", "documents", "id")])
    db["document_amounts"].create_index(["currency"])
    db["document_rates"].create(
        {"document_id": str, "seq": int, "percent": float, "text": str, "sentence": str},
        pk=("document_id", "seq"), foreign_keys=[("document_id", "documents", "id")])
    db["document_deadlines"].create(
        {"document_id": str, "kind": str, "date": str, "text": str, "origin": str},
        pk=("document_id", "kind", "date"), foreign_keys=[("document_id", "documents", "id")])
    db["document_deadlines"].create_index(["date"])
    db["document_actors"].create(
        {"document_id": str, "actor": str, "kind": str, "country": str, "text": str},
        pk=("document_id", "actor"), foreign_keys=[("document_id", "documents", "id")])
    db["document_actors"].create_index(["actor"])
    db["documents"].add_column("instruments", str)  # JSON array of instrument names
    db["documents"].add_column("actors", str)  # JSON array of actor names
