"""Full-text search in the store: English, and Chinese in either script, inside sentences."""

import pytest

from store.documents import upsert_documents
from store.search import (
    FTS_TABLE,
    INDEX_ROWS,
    NOTHING,
    fts_query,
    index_text,
    reindex_all,
    search_ids,
    search_problem,
)


def doc(doc_id, title, text, lang="zh-Hant", source="tsmc"):
    return {"id": doc_id, "source": source, "external_id": doc_id, "lang": lang,
            "url": f"http://127.0.0.1/{doc_id}", "title": title, "text": text,
            "published": "2026-11-01"}


DOCS = [
    doc("hant", "董事會決議公告",
        "公司表示，美國商務部宣布新的出口管制規定，並對部分產品課徵關稅。"),
    doc("hans", "市场观察", "报告指出，关税调整将影响明年的出货。", lang="zh-Hans",
        source="trendforce"),
    doc("en", "Revisions to the Entity List", "This rule adds entities under export controls.",
        lang="en", source="federal_register"),
    doc("other", "DRAM价格", "内存价格上涨，出口稳定，管理层表示乐观。", lang="zh-Hans",
        source="trendforce"),
]


def test_chinese_words_are_indexed_as_overlapping_pairs_in_simplified():
    assert index_text("出口管制規定") == " 出口 口管 管制 制规 规定 定 "
    assert index_text("TSMC台積電") == "TSMC 台积 积电 电 "
    assert index_text("Entity List") == "Entity List"


def test_queries_become_phrases_of_pairs_in_either_script():
    assert fts_query("關稅") == fts_query("关税") == '"关税"'
    assert fts_query("出口管制") == '"出口 口管 管制"'
    assert fts_query("export control") == '"export" "control"'
    assert fts_query('"entity list" 關稅') == '"entity list" "关税"'
    assert fts_query("稅") == '"税" *'
    assert fts_query('unbalanced "quote') == '"unbalanced" "quote"'
    assert fts_query("tariff -") == '"tariff"'  # no document can contain a lone "-"


@pytest.mark.parametrize("query", ['"', '""', "   ", "-", "* ( )", "“"])
def test_nothing_to_search_for_matches_nothing_and_says_why(db, query):
    upsert_documents(db, DOCS)
    assert fts_query(query) == NOTHING
    assert search_ids(db, query) == []
    db.execute(f"select count(*) from {FTS_TABLE} where {FTS_TABLE} match ?",
               [fts_query(query)]).fetchone()  # a valid expression: no error
    assert "no words to search for" in search_problem(query)


def test_a_search_that_can_match_has_no_problem():
    assert search_problem("關稅") is None and search_problem('"entity list"') is None
    assert search_problem('unbalanced "quote') is None
    assert "“-” has no letters or digits" in search_problem("tariff -")


def test_two_character_words_are_found_in_both_scripts(db):
    upsert_documents(db, DOCS)
    assert set(search_ids(db, "關稅")) == {"hant", "hans"}
    assert set(search_ids(db, "关税")) == {"hant", "hans"}


def test_a_word_inside_a_sentence_is_found_and_near_misses_are_not(db):
    upsert_documents(db, DOCS)
    assert search_ids(db, "出口管制") == ["hant"]
    # "出口" alone appears in two documents; "管制" follows it only in one
    assert set(search_ids(db, "出口")) == {"hant", "other"}
    assert search_ids(db, "出口管制 規定") == ["hant"]
    assert search_ids(db, "管制规定") == ["hant"]


def test_english_search_is_stemmed(db):
    upsert_documents(db, DOCS)
    assert search_ids(db, "export control") == ["en"]
    assert search_ids(db, "entity") == ["en"]
    assert search_ids(db, "tariffs") == []


def test_a_changed_document_is_reindexed_and_nothing_is_duplicated(db):
    upsert_documents(db, DOCS)
    changed = {**DOCS[1], "text": "报告讨论半导体补贴。"}
    counts = upsert_documents(db, [changed, DOCS[0]])
    assert (counts.new, counts.changed) == (0, 1)
    assert set(search_ids(db, "关税")) == {"hant"}
    assert search_ids(db, "補貼") == ["hans"]
    assert db["document_search"].count == len(DOCS)
    assert reindex_all(db) == len(DOCS)
    assert db["document_search"].count == len(DOCS)
    assert set(search_ids(db, "关税")) == {"hant"}


def test_the_migration_indexes_documents_stored_before_it(tmp_path):
    import sqlite3

    from sqlite_utils import Database

    from store import open_db
    from store.schema import migrations

    path = tmp_path / "old.db"
    old = Database(sqlite3.connect(str(path)))
    migrations.apply(old, stop_before="m004_search")
    assert "document_search" not in old.table_names()
    for d in DOCS:
        old["documents"].insert({"id": d["id"], "source": d["source"],
                                 "external_id": d["external_id"], "lang": d["lang"],
                                 "url": d["url"], "title": d["title"], "text": d["text"],
                                 "published": d["published"], "content_hash": "x"})
    old.close()
    db = open_db(path)
    try:
        assert set(search_ids(db, "關稅")) == {"hant", "hans"}
        assert {r["title"] for r in db.query("select title from reading")} == {
            d["title"] for d in DOCS}
    finally:
        db.close()


def test_a_large_batch_and_a_document_twice_in_it_are_indexed_as_stored(db):
    many = [doc(f"n{i}", f"第{i}號公告", "美國宣布新的出口管制規定。" if i % 2 else "關稅調整。")
            for i in range(2 * INDEX_ROWS + 5)]  # more than one statement's rows
    twice = doc("twice", "第一版", "半導體補助。")
    counts = upsert_documents(db, [twice, *many, {**twice, "text": "記憶體價格上漲。"}])
    assert (counts.new, counts.changed) == (len(many) + 1, 1)
    assert search_ids(db, "記憶體") == ["twice"] and search_ids(db, "補助") == []
    assert len(search_ids(db, "出口管制", limit=1000)) == INDEX_ROWS + 2
    assert len(search_ids(db, "关税", limit=1000)) == INDEX_ROWS + 3
    assert db["document_search"].count == len(many) + 1
    db.execute(f"insert into {FTS_TABLE} ({FTS_TABLE}, rank) values ('integrity-check', 1)")
