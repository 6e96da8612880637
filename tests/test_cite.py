"""`chipwatch cite ID`: footnotes in the papers' two forms, through the real command, over a
store of real Federal Register documents and made-up editions of one release."""

from __future__ import annotations

import pytest

from store.events import event_ids_of
from tests import browse_demo
from tests.conftest import chipwatch, write_config
from vocab.citations import cited_date, footnote, outlet
from vocab.sources import sources

FR_URL = ("https://www.federalregister.gov/documents/2026/08/24/2026-17231/"
          "revisions-to-the-entity-list")
PUBLISHED = "2026-03-05"


def edition(lang: str, title: str) -> dict:
    """A made-up release of the TSMC newsroom in three editions (neutral filler)."""
    doc = browse_demo.synthetic("9001", "tsmc", lang, title, "Filler text for a test.",
                                f"{PUBLISHED}T18:00:00+08:00",
                                url=f"https://pr.tsmc.com/{lang}/news/9001")
    doc["group_key"] = "tsmc:9001"
    doc["id"] = "tsmc:9001" if lang == "en" else f"tsmc:9001:{lang}"
    return doc


EDITIONS = [edition("en", "Test release of the board"), edition("zh-Hant", "測試董事會決議"),
            edition("zh-Hans", "测试董事会决议")]
LONE_CHINESE = browse_demo.synthetic("zh-9", "tw_moea", "zh-Hant", "測試經濟部新聞",
                                     "測試用的文字。", "2026-02-01",
                                     url="https://www.moea.gov.tw/test/9")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cite")
    db = browse_demo.build(tmp / "chipwatch.db", extra=[*EDITIONS, LONE_CHINESE])
    events = event_ids_of(db, ["tsmc:9001", "tsmc:9001:zh-Hant", "tsmc:9001:zh-Hans",
                               "federal_register:2026-17231"])
    db.close()
    return {"db": tmp / "chipwatch.db", "config": write_config(tmp, {}), "events": events}


def cite(store, *args):
    return chipwatch("cite", *args, "--config", str(store["config"]), "--db", str(store["db"]))


def test_a_federal_register_rule_in_both_forms(store):
    result = cite(store, "federal_register:2026-17231")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"“Revisions to the Entity List,” Federal Register, August 24, 2026, {FR_URL}.",
        f"《Revisions to the Entity List》，美國聯邦公報，2026年8月24日，{FR_URL}。",
    ]


def test_each_language_alone_and_the_end_of_an_id(store):
    english = cite(store, "2026-17231", "--lang", "en")
    chinese = cite(store, "2026-17231", "--lang", "zh")
    assert english.returncode == chinese.returncode == 0
    assert english.stdout.startswith("“Revisions to the Entity List,” Federal Register,")
    assert chinese.stdout.startswith("《Revisions to the Entity List》，美國聯邦公報，")
    assert len(english.stdout.splitlines()) == len(chinese.stdout.splitlines()) == 1


def test_an_edition_is_cited_in_its_own_language(store):
    # the events link the three editions of one release
    assert len({store["events"][d] for d in ("tsmc:9001", "tsmc:9001:zh-Hant",
                                             "tsmc:9001:zh-Hans")}) == 1
    from_english = cite(store, "tsmc:9001").stdout.splitlines()
    from_chinese = cite(store, "tsmc:9001:zh-Hans").stdout.splitlines()
    assert from_english[0] == ("“Test release of the board,” TSMC, March 5, 2026, "
                               "https://pr.tsmc.com/en/news/9001.")
    # Traditional, Taiwan's script, is the Chinese edition cited for an English document
    assert from_english[1] == ("《測試董事會決議》，台積公司，2026年3月5日，"
                               "https://pr.tsmc.com/zh-Hant/news/9001。")
    # a Simplified document is cited as itself, its outlet in Simplified characters
    assert from_chinese[1] == ("《测试董事会决议》，台积公司，2026年3月5日，"
                               "https://pr.tsmc.com/zh-Hans/news/9001。")
    assert from_chinese[0] == from_english[0]


def test_an_event_is_cited_as_its_lead_document(store):
    event_id = store["events"]["tsmc:9001"]
    for given in (str(event_id), f"event:{event_id}"):
        result = cite(store, given)
        assert result.returncode == 0, result.stderr
        assert result.stdout == cite(store, "tsmc:9001").stdout


def test_a_chinese_document_without_an_english_edition(store):
    lines = cite(store, "tw_moea:zh-9").stdout.splitlines()
    assert lines == ["“測試經濟部新聞,” Ministry of Economic Affairs, February 1, 2026, "
                     "https://www.moea.gov.tw/test/9.",
                     "《測試經濟部新聞》，經濟部，2026年2月1日，https://www.moea.gov.tw/test/9。"]


@pytest.mark.parametrize("given, words", [
    ("nothing-like-this", "no document or event 'nothing-like-this'"),
    ("99999", "there is no event 99999"),
    ("2026-16628", "did you mean one of"),  # the end of a rule's id and its correction's
])
def test_an_unknown_id_is_refused_with_exit_status_2(store, given, words):
    result = cite(store, given)
    assert result.returncode == 2
    assert words in result.stderr and result.stdout == ""


def test_a_bad_language_and_help():
    bad = chipwatch("cite", "1", "--lang", "fr")
    assert bad.returncode == 2 and "invalid choice: 'fr'" in bad.stderr
    helped = chipwatch("cite", "--help")
    assert helped.returncode == 0 and "《標題》" in helped.stdout


def test_every_source_names_its_outlet_in_both_languages():
    for name, source in sources().items():
        assert set(source.cite) == {"en", "zh"}, f"{name} has no cite names"
    assert outlet("commerce", "zh") == "美國商務部"
    assert outlet("tw_president", "en").startswith("Office of the President")
    assert outlet("commerce", "zh", "zh-Hans") == "美国商务部"


def test_dates_and_titles_that_end_in_punctuation():
    assert cited_date("2026-10-06T18:12:00+08:00", "en") == "October 6, 2026"
    assert cited_date("2026-10-06", "zh") == "2026年10月6日"
    assert cited_date(None, "en") == "n.d." and cited_date("", "zh") == "日期不詳"
    assert footnote("en", title="Why now?", source="bis", published="2025-01-02",
                    url="https://www.bis.gov/x").startswith("“Why now?” Bureau of Industry")
