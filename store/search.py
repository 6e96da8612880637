"""Full-text search that works for English and for Chinese in either script.

SQLite's tokenizers glue a run of Chinese characters into one token, so a word inside a
sentence is never found. Before indexing, Chinese text is therefore rewritten: Traditional is
converted to Simplified (OpenCC's t2s tables, offline), and each run of ideographs becomes its
overlapping character pairs plus its last character ("出口管制規定" -> "出口 口管 管制 制规
规定 定"). A query goes through the same rewriting and becomes a phrase of pairs, so any
Chinese word of two or more characters is found wherever it stands in a sentence, typed in
either script; a single character is found as a prefix. Latin text is left as it is and
indexed with the Porter stemmer. A query term is also widened to its other forms: the other
side of the Strait's word (晶片 also finds 芯片) and, when it names an actor of
vocab/actors.toml, every alias of that actor (台積電 also finds 台積公司 and TSMC).

The rewritten text lives in `document_search` (one row per document), indexed by the FTS5
table `document_search_fts`, which sqlite-utils' triggers keep in step with it. The write
path (`store.documents.upsert_documents`) calls `index_documents` for every new or changed
document.
"""

from __future__ import annotations

import re
import unicodedata
from operator import add
from typing import Iterable

from sqlite_utils import Database

from vocab.actors import alias_forms
from vocab.text import HAN_RUN, has_han, regional_forms, to_simplified

SEARCH_TABLE = "document_search"
FTS_TABLE = "document_search_fts"

# How Datasette splits a search box into terms: whitespace, or a "quoted phrase".
_QUERY_BITS = re.compile(r'\s+|(".*?")')


def _pairs(run: str, *, closing_char: bool) -> str:
    if len(run) == 1:
        return run
    tokens = [run[i:i + 2] for i in range(len(run) - 1)]
    if closing_char:
        tokens.append(run[-1])
    return " ".join(tokens)


# The text split into what is not Chinese and runs of ideographs, alternately.
_HAN_RUNS = re.compile(f"({HAN_RUN.pattern})")


def index_text(text: str | None) -> str:
    """The searchable form of a title or body: each run of ideographs as its pairs and last
    character, set apart by spaces."""
    if not text or text.isascii():  # nothing to rewrite (most English documents)
        return text or ""
    parts = _HAN_RUNS.split(to_simplified(unicodedata.normalize("NFKC", text)))
    # runs are every second part; one list pass, not a call per run (this is most of the
    # rewriting's time in a Chinese document)
    parts[1::2] = [f" {' '.join(map(add, run, run[1:]))} {run[-1]} " if len(run) > 1
                   else f" {run} " for run in parts[1::2]]
    return "".join(parts)


def _phrase(text: str) -> str:
    """Text (already folded) as an FTS5 phrase, or a prefix for one Chinese character."""
    runs = HAN_RUN.findall(text)
    rewritten = HAN_RUN.sub(lambda m: f" {_pairs(m.group(0), closing_char=False)} ", text)
    phrase = '"' + " ".join(rewritten.split()).replace('"', '""') + '"'
    if len(runs) == 1 and runs[0] == text.strip() and len(runs[0]) == 1:
        return phrase + " *"
    return phrase


def _query_term(term: str) -> str:
    """One term or phrase of a query as an FTS5 expression: the phrase, or any of its forms
    when it has others: every alias of the actor it names (台積電: 台積公司, TSMC) and the
    other side of the Strait's word for it (晶片: 芯片)."""
    text = to_simplified(unicodedata.normalize("NFKC", term)).strip()
    forms = [text]
    if has_han(text):
        forms += [f for f in regional_forms(text) if f not in forms]
    for form in list(forms):
        forms += [f for f in alias_forms(form) if f not in forms]
    phrases = list(dict.fromkeys(_phrase(form) for form in forms))
    if len(phrases) == 1:
        return phrases[0]
    return "(" + " OR ".join(phrases) + ")"


# What matches nothing and is still a valid MATCH expression (an empty one is an error).
NOTHING = '""'
# A term is searchable only with a letter or digit in it: the tokenizer drops the rest.
_WORDY = re.compile(r"\w")


def _terms(query: str) -> list[str]:
    """The words and "quoted phrases" of a search box (an unpaired quote closed at the end)."""
    query = query or ""
    if query.count('"') % 2:
        query += '"'
    terms = []
    for bit in _QUERY_BITS.split(query):
        if not bit or bit == '""':
            continue
        inner = bit[1:-1] if len(bit) >= 2 and bit[0] == bit[-1] == '"' else bit
        if inner.strip():
            terms.append(inner)
    return terms


def fts_query(query: str) -> str:
    """An analyst's search box -> an FTS5 MATCH expression: every term must appear; a
    "quoted phrase" must appear as written. Same splitting as Datasette's escape_fts. Terms
    without a letter or digit are left out (no document can contain them); a box with
    nothing else (a lone `"`) gives an expression that matches nothing, never an invalid
    one. `search_problem` says which and why."""
    terms = [_query_term(term) for term in _terms(query) if _WORDY.search(term)]
    if not terms:
        return NOTHING
    # FTS5 reads a space between phrases as AND, but not next to a (group): spell it out
    return (" AND " if any(t.startswith("(") for t in terms) else " ").join(terms)


def search_problem(query: str) -> str | None:
    """Why a search box finds nothing whatever the store holds, in words for the person who
    typed it; None when it is a search that can match."""
    terms = _terms(query)
    if terms and all(_WORDY.search(term) for term in terms):
        return None
    shown = (query or "").strip()
    what = f"“{shown}” has" if shown else "The search box has"
    if terms and any(_WORDY.search(term) for term in terms):
        unsearchable = ", ".join(f"“{t}”" for t in terms if not _WORDY.search(t))
        return (f"{unsearchable} has no letters or digits and was left out of the search "
                f"(no document can contain it); the other words were searched.")
    return (f"{what} no words to search for: punctuation and quotes alone are not "
            f"searched. Type words in English or Chinese (either script); put \"quotes\" "
            f"around words that must appear together.")


def _body(doc: dict) -> str:
    summary, text = doc.get("summary") or "", doc.get("text") or ""
    if summary and summary not in text:
        return f"{summary}\n{text}"
    return text


# Rows written by one statement. FTS5 writes the terms it holds in memory to the index as a
# new segment at the end of every statement that opens a statement journal, as a write that
# fires triggers does: one statement for many rows is one segment, not one per row (fewer
# segments to write and merge; under 999 parameters).
INDEX_ROWS = 300


def index_documents(db: Database, docs: Iterable[dict]) -> int:
    """Write (or rewrite) the searchable form of documents ({"id", "title", "text",
    "summary"}). Call inside the transaction that wrote them, after its other writes: any
    statement with a journal after it would write the index's pending terms early."""
    rows = [(doc["id"], index_text(doc.get("title")), index_text(_body(doc))) for doc in docs]
    for start in range(0, len(rows), INDEX_ROWS):
        part = rows[start:start + INDEX_ROWS]
        db.conn.execute(
            f"insert into {SEARCH_TABLE} (document_id, title, body) values "
            + ", ".join(["(?, ?, ?)"] * len(part))
            + " on conflict(document_id) do update set title = excluded.title, "
            "body = excluded.body", [value for row in part for value in row])
    return len(rows)


def reindex_all(db: Database, batch: int = 500) -> int:
    """Rebuild the searchable form of every document (after a change to the rewriting)."""
    count = 0
    offset = 0
    with db.atomic():
        while True:
            rows = list(db.query("select id, title, text, summary from documents "
                                 "order by id limit ? offset ?", [batch, offset]))
            if not rows:
                break
            count += index_documents(db, rows)
            offset += batch
    return count


def search_ids(db: Database, query: str, limit: int = 50) -> list[str]:
    """Document ids matching `query`, best match first (for the command line and tests)."""
    match = fts_query(query)
    if match == NOTHING:
        return []
    return [r["document_id"] for r in db.query(
        f"select s.document_id from {FTS_TABLE} f join {SEARCH_TABLE} s on s.id = f.rowid "
        f"where {FTS_TABLE} match ? order by f.rank limit ?", [match, limit])]


def create_search(db: Database) -> None:
    """The search table and its FTS5 index (used by the migration)."""
    db[SEARCH_TABLE].create(
        {"id": int, "document_id": str, "title": str, "body": str},
        pk="id", foreign_keys=[("document_id", "documents", "id")])
    db[SEARCH_TABLE].create_index(["document_id"], unique=True)
    db[SEARCH_TABLE].enable_fts(["title", "body"], fts_version="FTS5", tokenize="porter",
                                create_triggers=True)
