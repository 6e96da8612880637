"""Facts the classifier extracts: amounts, rates, deadlines and actors, in English,
Traditional and Simplified Chinese, and the traps that are never amounts. Sentences are
written for these tests or taken from US government documents; the Federal Register fields
come from the real API results in tests/fixtures/federal_register/."""

from __future__ import annotations

import json

import pytest

from crawler.spiders.federal_register import document_from_result
from tests.conftest import FIXTURES
from tracker.classify import Classifier, load_rules


@pytest.fixture(scope="module")
def classifier():
    return Classifier(load_rules())


def facts(classifier, title, text="", **extra) -> dict:
    return classifier.classify({"title": title, "text": text, **extra}).facts.as_dict()


def amounts(classifier, title, text="", **extra) -> list[tuple]:
    return [(a["value"], a["currency"]) for a in facts(classifier, title, text, **extra)["amounts"]]


# -- amounts ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, value, currency", [
    ("TSMC Arizona will receive up to US$6.6 billion in direct funding.", 6.6e9, "USD"),
    ("The company pledged $100bn more for chip plants.", 1e11, "USD"),
    ("The award of $407 million supports packaging.", 4.07e8, "USD"),
    ("It committed US$ 65 billion to Phoenix.", 6.5e10, "USD"),
    ("Revenue was NT$1.2 trillion last year.", 1.2e12, "TWD"),
    ("Consolidated revenue totaled NT$1,069.99 billion.", 1.06999e12, "TWD"),
    ("The EU package amounts to €43 billion.", 4.3e10, "EUR"),
    ("The fine exceeds $140M.", 1.4e8, "USD"),
    ("Shipments reached US$29.55B in value.", 2.955e10, "USD"),
    ("The plan costs 43 billion euros.", 4.3e10, "EUR"),
    ("The Kumamoto subsidy is 732 billion yen.", 7.32e11, "JPY"),
    ("Investors raised 5 billion New Taiwan dollars.", 5e9, "TWD"),
    ("台積公司宣布有意增加在美投資金額至1650億美元", 1.65e11, "USD"),
    ("台积公司宣布有意增加在美投资金额至1650亿美元", 1.65e11, "USD"),
    ("經濟部核准新台幣3,000億元的投資案", 3e11, "TWD"),
    ("经济部核准新台币3,000亿元的投资案", 3e11, "TWD"),
    ("美國建議國會支持至少400亿美元的投資", 4e10, "USD"),
    ("台積公司今日宣布有意在美國增加投資一千億美元。", 1e11, "USD"),
    ("台积公司今日宣布有意在美国增加投资一千亿美元。", 1e11, "USD"),
    ("環球晶已獲得2億多美元補助", 2e8, "USD"),
    ("補助金額為美金66億", 6.6e9, "USD"),
    ("日本補助7320億日圓", 7.32e11, "JPY"),
    ("2月合併營收約為2600.9億元(新台幣,下同)", 2.6009e11, "TWD"),
])
def test_an_amount_in_each_form(classifier, text, value, currency):
    found = amounts(classifier, text)
    assert (pytest.approx(value), currency) in [(pytest.approx(v), c) for v, c in found]
    assert found == [(pytest.approx(value), currency)]


def test_the_text_an_amount_came_from_is_the_sources_own(classifier):
    found = facts(classifier, "台積公司宣布有意增加在美投資金額至1650億美元")["amounts"]
    assert found == [{"value": 165000000000, "currency": "USD", "text": "1650億美元"}]


def test_a_figure_continues_the_currency_before_it(classifier):
    found = amounts(classifier, "TSMC's US commitment went from US$12bn to 65bn to 165bn.")
    assert found == [(1.2e10, "USD"), (6.5e10, "USD"), (1.65e11, "USD")]


def test_two_currencies_in_one_sentence(classifier):
    found = amounts(classifier, "法案包括為美國半導體生產提供527億美元（約4110億港元）補貼")
    assert found == [(5.27e10, "USD"), (4.11e11, "HKD")]


@pytest.mark.parametrize("text", [
    "In 2024 the company built a second fab.",  # a year
    "See Federal Register document 2026-16628 and its correction C1-2026-16628.",
    "The license requirement of 15 CFR 744.11 applies; see also 15 CFR 730-774.",
    "For more, call the press office at (202) 482-4811 or 202-482-2721.",  # a phone number
    "The chip holds 500 billion transistors.",  # a count, not money
    "台積電指甲大的晶片塞進500億電晶體",  # the same in Chinese
    "該公司2025年第4季日賺逾56億",  # no currency named
    "營收數千萬元",  # vague, and a bare 元 with no currency named
    "Notice 2024-00190; Docket No. 231222-9999; RIN 0694-AJ19.",
])
def test_traps_are_never_amounts(classifier, text):
    assert amounts(classifier, text) == []


def test_a_media_contact_footer_is_not_read_for_amounts(classifier):
    text = ("The award totals $6.6 billion.\n\nMedia Contact: Office of Public Affairs, "
            "$5 per copy, (202) 482-4883")
    assert amounts(classifier, "CHIPS award", text) == [(6.6e9, "USD")]


# -- rates ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, percents", [
    ("The United States is levying a 25% tariff on a narrow category of semiconductors.",
     [25]),
    ("The duty rate will be 25 percent on covered imports.", [25]),
    ("Tariffs on Taiwanese semiconductor products will be reduced from 20 % to 15 %.",
     [20, 15]),
    ("A dumping margin of 4.52 per cent was found.", [4.52]),
    ("美國對台灣加徵20%關稅", [20]),
    ("美国对台湾地区加征32%对等关税", [32]),
    ("關稅稅率為百分之二十", [20]),
    ("关税税率为百分之二十五点五", [25.5]),
    ("川普表示全球關稅的水準將從10%調高至15%", [10, 15]),
])
def test_a_rate_in_each_form(classifier, text, percents):
    found = facts(classifier, text)["rates"]
    assert [r["percent"] for r in found] == pytest.approx(percents)


@pytest.mark.parametrize("text", [
    "Revenue increased 25.2 percent from July 2019.",
    "TSMC's share of the foundry market rose to 71%.",
    "營收年增43.1%，創歷年同期新高",
    "The tariff-rate quota for sugar was filled in 2024 by 80 percentage points.",
])
def test_percentages_that_are_not_tariff_rates(classifier, text):
    assert facts(classifier, text)["rates"] == []


# -- deadlines --------------------------------------------------------------------------------

@pytest.mark.parametrize("text, published, expected", [
    ("The final rule is effective March 1, 2026.", "2026-01-10",
     [("effective", "2026-03-01")]),
    ("Announcing that, effective January 15, 2026, the United States is levying a tariff.",
     "2026-01-14", [("effective", "2026-01-15")]),
    ("BIS added 38 affiliates to the Entity List in its final rule, effective August 17.",
     "2020-08-17", [("effective", "2020-08-17")]),
    ("The rule takes effect on Jan. 16.", "2025-01-15", [("effective", "2025-01-16")]),
    ("Comments must be received by February 2, 2026.", "2026-01-02",
     [("comments_close", "2026-02-02")]),
    ("Written comments are due on or before 5 p.m. ET on March 3, 2026.", "2026-02-01",
     [("comments_close", "2026-03-03")]),
    ("Companies must comply with the new requirements by June 30, 2026.", "2026-01-02",
     [("compliance", "2026-06-30")]),
    ("新規將自2026年2月1日起生效。", "2026-01-20", [("effective", "2026-02-01")]),
    ("新规将自2026年2月1日起生效。", "2026-01-20", [("effective", "2026-02-01")]),
    ("新措施將於3月1日起實施", "2026-02-10", [("effective", "2026-03-01")]),
    ("公眾意見徵詢至2026年3月1日截止", "2026-01-10", [("comments_close", "2026-03-01")]),
    ("业者须于2026年3月1日前提交意见", "2026-01-10", [("comments_close", "2026-03-01")]),
])
def test_deadlines_from_the_text(classifier, text, published, expected):
    found = facts(classifier, text, published=published)["deadlines"]
    assert [(d["kind"], d["date"]) for d in found] == expected


def test_a_date_that_is_not_a_deadline(classifier):
    text = ("On October 7, 2022, BIS released an interim final rule. An effective way to "
            "reach the public is a webinar on March 3, 2026.")
    assert facts(classifier, text, published="2026-01-02")["deadlines"] == []


def test_a_year_less_date_with_no_publication_date_is_left_out(classifier):
    assert facts(classifier, "The rule takes effect on August 17.")["deadlines"] == []


def _fixture_results(name: str) -> list[dict]:
    with open(FIXTURES / "federal_register" / name, encoding="utf-8") as fh:
        return json.load(fh)["results"]


def test_deadlines_from_the_federal_registers_own_fields(classifier):
    # Real API results: a final rule with effective_on, notices with a `dates` field.
    by_number = {r["document_number"]: document_from_result(r)
                 for r in _fixture_results("federalregister_documents_sample.json")}
    rule = classifier.classify(by_number["2023-27783"]).facts.as_dict()["deadlines"]
    assert rule == [{"kind": "effective", "date": "2024-02-01",
                     "text": "Federal Register effective_on: 2024-02-01"}]
    notice = classifier.classify(by_number["2024-00086"]).facts.as_dict()["deadlines"]
    assert notice == [{"kind": "effective", "date": "2024-01-08",
                       "text": "Applicable January 8, 2024."}]
    nominations = classifier.classify(by_number["2024-00190"]).facts.as_dict()["deadlines"]
    assert nominations == []  # nominations received by a date: not one of the three kinds


def test_effective_on_and_a_later_comment_date_from_metadata(classifier):
    doc = {"title": "Export Controls on Semiconductor Manufacturing Items", "text": "",
           "metadata": {"effective_on": "2026-12-10", "comments_close_on": "2027-01-15"}}
    found = classifier.classify(doc).facts.as_dict()["deadlines"]
    assert [(d["kind"], d["date"]) for d in found] == [("effective", "2026-12-10"),
                                                     ("comments_close", "2027-01-15")]


# -- actors -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, actor", [
    ("TSMC announced a new fab.", "TSMC"),
    ("Taiwan Semiconductor Manufacturing Co. said on Tuesday.", "TSMC"),
    ("台積電宣布在美設廠", "TSMC"),
    ("台积电宣布在美设厂", "TSMC"),
    ("台積公司董事會決議", "TSMC"),
    ("Nvidia may resume sales.", "Nvidia"),
    ("輝達恢復銷售", "Nvidia"),
    ("英伟达恢复销售", "Nvidia"),
    ("The Bureau of Industry and Security amends the EAR.", "BIS"),
    ("美國商務部產業安全局公布新規", "BIS"),
    ("美国商务部工业和安全局发布新规", "BIS"),
    ("經濟部證實新增實體", "MOEA"),
    ("经济部证实新增实体", "MOEA"),
    ("行政院經貿談判辦公室完成第四輪磋商", "Office of Trade Negotiations"),
    ("經貿辦表示", "Office of Trade Negotiations"),
    ("The Office of Trade Negotiations said talks continue.", "Office of Trade Negotiations"),
    ("USTR initiated a Section 301 investigation.", "USTR"),
    ("国台办回应美方", "Taiwan Affairs Office"),
])
def test_actors_by_their_aliases(classifier, text, actor):
    assert actor in facts(classifier, text)["actors"]


def test_chinas_ministry_of_commerce_is_not_the_us_department(classifier):
    assert facts(classifier, "商务部宣布对美国出口管制反制")["actors"] == ["MOFCOM"]
    assert facts(classifier, "美国商务部宣布新规")["actors"] == ["Department of Commerce"]
    assert facts(classifier, "美商務部宣布新規")["actors"] == ["Department of Commerce"]


@pytest.mark.parametrize("text, actors", [
    ("Commerce adds 12 firms to the Entity List.", ["Department of Commerce"]),
    ("The U.S. Chamber of Commerce welcomed the rule.", []),
    ("China's Ministry of Commerce announced countermeasures.", ["MOFCOM"]),
    ("Cross-border e-commerce and commerce in general grew.", []),
])
def test_commerce_alone_names_the_us_department_only_where_it_is_one(classifier, text,
                                                                     actors):
    assert facts(classifier, text)["actors"] == actors


@pytest.mark.parametrize("word", ["bis", "ait", "Ait"])
def test_acronyms_that_are_words_match_only_in_capitals(classifier, word):
    assert facts(classifier, f"They {word} the rule.")["actors"] == []


def test_eccns_and_cfr_parts_are_actors(classifier):
    text = ("BIS controls items classified under ECCNs 3A090 and 4A090, and 3B001 "
            "equipment, under 15 CFR 744.23 and 15 C.F.R. part 734.")
    found = facts(classifier, "Export controls on advanced computing chips", text)["actors"]
    assert found == ["BIS", "ECCN 3A090", "ECCN 4A090", "ECCN 3B001", "15 CFR 744",
                     "15 CFR 734"]


def test_cfr_parts_from_the_federal_registers_cfr_references(classifier):
    result = _fixture_results("federalregister_documents_sample.json")[0]  # 2023-27783
    doc = document_from_result(result)
    assert "46 CFR 520" in classifier.classify(doc).facts.as_dict()["actors"]


def test_amounts_know_the_actors_of_their_sentence(classifier):
    result = classifier.classify({
        "title": "TSMC expands in Arizona",
        "text": "TSMC will invest US$100 billion more. Samsung received $4.745 billion."})
    by_value = {a.value: a.actors for a in result.facts.amounts}
    assert by_value == {1e11: ["TSMC"], 4.745e9: ["Samsung"]}


def test_extraction_can_be_turned_off():
    quiet = Classifier(load_rules(), extract=False)
    assert quiet.classify({"title": "TSMC pledges US$100 billion"}).facts is None
