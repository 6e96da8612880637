"""Linking TrendForce's English and Chinese editions (different ids) by day and title."""

from __future__ import annotations

from crawler.items import make_document
from store import documents as doc_store
from store import open_db
from tracker.editions import link_editions, match_editions, score, title_tokens

SSD_EN = ("Higher Prices and Shipments Drive Top Five Enterprise SSD Vendors’ Revenue to Nearly "
          "US$37.59 Billion in 2Q26, Says TrendForce")
SSD_CN = "价格与出货双升，2Q26前五大企业级SSD品牌营收逼近375.9亿美元"
RACK_EN = ("NVIDIA’s AI Rack Transition Accelerates; NVL72 Output Value to Exceed US$710 Billion "
           "in 2027, Says TrendForce")
RACK_CN = "NVIDIA AI机柜转换加速，2027年NVL72产值将超过7,100亿美元"
MEM_EN = ("Memory Prices Soar; DRAM and NAND Flash to Account for 68% of Major CSP CapEx in 2027, "
          "Says TrendForce")
MEM_CN = "存储器价格飙涨，2027年DRAM与NAND Flash将占主要CSP资本支出68%"


def doc(doc_id, lang, title, published="2026-08-28"):
    return {"id": doc_id, "lang": lang, "title": title, "published": published,
            "group_key": doc_id}


def test_tokens_keep_what_survives_translation():
    assert title_tokens(RACK_CN) == {"nvidia": 1.0, "ai": 1.0, "2027": 0.5, "nvl72": 1.0,
                                     "7100": 1.0}
    assert "says" not in title_tokens(RACK_EN) and "trendforce" not in title_tokens(RACK_EN)
    assert title_tokens("ＨＢＭ３Ｅ　ＵＳ＄１２") == {"hbm3e": 1.0, "12": 1.0}  # full-width forms
    assert score(SSD_EN, SSD_CN) == 2.0  # 2Q26, SSD
    assert score(MEM_EN, MEM_CN) == 5.5
    assert score(RACK_EN, MEM_CN) == 0.5  # only the year


def test_each_chinese_edition_finds_its_english_edition_on_the_same_day():
    docs = [doc("en1", "en", RACK_EN), doc("en2", "en", MEM_EN),
            doc("cn1", "zh-Hans", MEM_CN), doc("cn2", "zh-Hans", RACK_CN)]
    links = match_editions(docs)
    assert {(link.lead_id, link.other_id, link.group_key) for link in links} == {
        ("en1", "cn2", "en1"), ("en2", "cn1", "en2")}


def test_different_days_are_never_linked():
    assert match_editions([doc("en", "en", MEM_EN, "2026-08-25"),
                           doc("cn", "zh-Hans", MEM_CN, "2026-08-26")]) == []


def test_weak_or_tied_evidence_links_nothing():
    # one shared token is not enough
    assert match_editions([doc("en", "en", "TrendForce Reports on HBM Supply"),
                           doc("cn", "zh-Hans", "集邦咨询：HBM 供应")]) == []
    # two English editions equally close: a tie is left unlinked
    assert match_editions([doc("en1", "en", "DRAM and NAND Outlook"),
                           doc("en2", "en", "NAND and DRAM Prices"),
                           doc("cn", "zh-Hans", "DRAM与NAND展望")]) == []


def stored(doc_id_number, lang, title, day):
    return make_document(source="trendforce", external_id=doc_id_number, lang=lang,
                         url=f"https://www.trendforce.com/presscenter/news/{doc_id_number}.html",
                         title=title, published=day)


def test_link_editions_sets_the_shared_group_key_in_the_store(tmp_path):
    db = open_db(tmp_path / "chipwatch.db")
    docs = [stored("20260828-13204", "en", RACK_EN, "2026-08-28"),
            stored("20260828-13205", "zh-Hans", RACK_CN, "2026-08-28"),
            stored("20260827-13202", "en", "SEMCO Leads 4Q26 OEM Price Hikes", "2026-08-27")]
    changed: list[str] = []
    doc_store.upsert_documents(db, docs, changed_ids=changed)
    links = link_editions(db, "trendforce", changed)
    assert [(link.lead_id, link.other_id) for link in links] == [
        ("trendforce:20260828-13204", "trendforce:20260828-13205:zh-Hans")]
    cn = doc_store.get_document(db, "trendforce:20260828-13205:zh-Hans")
    assert cn["group_key"] == "trendforce:20260828-13204"
    assert doc_store.get_document(db, "trendforce:20260827-13202")["group_key"] == \
        "trendforce:20260827-13202"
    # idempotent, and a source whose editions share ids is left alone
    link_editions(db, "trendforce", changed)
    assert doc_store.get_document(db, "trendforce:20260828-13205:zh-Hans")["group_key"] == \
        "trendforce:20260828-13204"
    assert link_editions(db, "tsmc", changed) == []
    db.close()
