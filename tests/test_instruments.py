"""Instruments under the categories, declared in the rules file: one test per instrument in
English and Chinese, what an instrument implies, and how the rest of chipwatch reads them.
Sentences are written for these tests or taken from US government documents."""

from __future__ import annotations

import pytest

from tracker.classify import DEFAULT_RULES, Classifier, load_rules
from vocab.categories import read_categories
from vocab.errors import ConfigError

REQUIRED = {
    "export_control": {"entity_list", "fdpr", "advanced_computing", "validated_end_user",
                       "enforcement_penalties", "taiwan_export_controls"},
    "investment_pressure": {"chips_awards", "chips_guardrails", "us_fab_pledges",
                            "onshoring_demands"},
    "alliance": {"chip4", "eppd", "ttic", "ipef", "pax_silica", "st_agreements",
                 "supply_chain_dialogues"},
    "tariff": {"section_232", "section_301", "reciprocal_tariffs", "ad_cvd",
               "tariff_agreements"},
}


@pytest.fixture(scope="module")
def classifier():
    return Classifier(load_rules())


def instruments(classifier, title, text="", **extra) -> list[str]:
    return classifier.classify({"title": title, "text": text, **extra}).instrument_names


def test_the_rules_file_declares_at_least_the_instruments_the_papers_use():
    known = read_categories(DEFAULT_RULES)
    for category, names in REQUIRED.items():
        assert names <= {i.name for i in known.instruments_of(category)}, category


def test_every_instrument_has_english_and_chinese_titles():
    for instrument in read_categories(DEFAULT_RULES).instruments:
        assert instrument.title and instrument.title_zh, instrument.name
        assert instrument.title != instrument.name


@pytest.mark.parametrize("title, text, instrument", [
    ("Additions to the Entity List",
     "In this rule, BIS amends the EAR by adding 16 entities to the Entity List.",
     "entity_list"),
    ("美國將華為等70家公司列入實體清單", "", "entity_list"),
    ("美国将华为列入实体清单", "", "entity_list"),
    ("Implementation of Additional Export Controls",
     "This rule expands the scope of foreign-produced items subject to license requirements "
     "for twenty-eight entities on the Entity List.", "fdpr"),
    ("美國商務部修改外國直接產品規則", "", "fdpr"),
    ("Revision to License Review Policy for Advanced Computing Commodities",
     "BIS is revising its license review policy for exports of certain semiconductors to "
     "China, from a presumption of denial to a case-by-case review.", "advanced_computing"),
    ("Commerce rescinds the AI Diffusion Rule",
     "The rule would have restricted exports of advanced AI chips.", "advanced_computing"),
    ("美國擴大管制AI晶片出口", "", "advanced_computing"),
    ("Export Controls on Semiconductor Manufacturing Items",
     "The rule controls semiconductor manufacturing equipment exported to China.",
     "sme_controls"),
    ("Revocation of Validated End-User Authorizations in the People's Republic of China",
     "BIS removes Samsung and SK hynix from the VEU list.", "validated_end_user"),
    ("台積電南京廠VEU資格遭撤銷", "", "validated_end_user"),
    ("Cadence agrees to plead guilty and pay over $140 million for illegal exports",
     "The company sold EDA tools to a university on the Entity List.",
     "enforcement_penalties"),
    ("Order Renewing Temporary Denial of Export Privileges", "", "enforcement_penalties"),
    ("經濟部國際貿易署將華為、中芯列入戰略性高科技貨品實體管理名單", "",
     "taiwan_export_controls"),
    ("Taiwan adds Huawei and SMIC to export control entity list", "",
     "taiwan_export_controls"),
    ("TSMC Arizona and Commerce Announce up to US$6.6 Billion in CHIPS Act Direct Funding",
     "", "chips_awards"),
    ("晶片法案補助美光", "", "chips_awards"),
    ("Preventing the Improper Use of CHIPS Act Funding",
     "The rule amends the definition of material expansion in the national security "
     "guardrails.", "chips_guardrails"),
    ("美國商務部公布晶片法案國家安全護欄規則", "", "chips_guardrails"),
    ("TSMC to invest additional US$100 billion in the United States",
     "The chipmaker will build three new fabs in Arizona.", "us_fab_pledges"),
    ("台積電宣布加碼在美投資1000億美元", "新廠將設於美國亞利桑那州，生產先進晶片。",
     "us_fab_pledges"),
    ("Commerce Secretary: Trump plans to relocate semiconductor manufacturing back to the "
     "United States", "", "onshoring_demands"),
    ("美國要求晶片產能移至美國", "", "onshoring_demands"),
    ("Japan, U.S., S. Korea, Taiwan launch 'Chip 4' talks for supply chain", "", "chip4"),
    ("台美日韓晶片聯盟召開正式會議", "", "chip4"),
    ("Taiwan, U.S. hold 4th Economic Prosperity Partnership Dialogue", "", "eppd"),
    ("台美經濟繁榮夥伴對話第五屆會議", "", "eppd"),
    ("Taiwan and US establish the Technology Trade and Investment Collaboration", "", "ttic"),
    ("美台科技貿易暨投資合作架構第二次會議", "", "ttic"),
    ("Request for Comments on the Indo-Pacific Economic Framework", "", "ipef"),
    ("印太經濟架構供應鏈協定生效", "", "ipef"),
    ("Partners sign the Pax Silica declaration on AI supply chains", "", "pax_silica"),
    ("US and Taiwan sign Science and Technology Agreement", "", "st_agreements"),
    ("美台簽署科學及技術合作協定", "", "st_agreements"),
    ("Request for Comments on Promoting Supply Chain Resilience",
     "USTR seeks comments on supply chain resilience with allies and partners.",
     "supply_chain_dialogues"),
    ("Chip 4 working group agrees on early warning for the semiconductor supply chain", "",
     "supply_chain_dialogues"),
    ("Notice of Request for Public Comments on Section 232 National Security Investigation "
     "of Imports of Semiconductors", "", "section_232"),
    ("美國對進口晶片課徵232國安關稅", "", "section_232"),
    ("Adjusting Imports of Steel Into the United States", "", "section_232"),
    ("USTR Initiates Section 301 Investigation on China's Semiconductor Industry", "",
     "section_301"),
    ("Modifying Reciprocal Tariff Rates To Reflect Trading Partner Retaliation", "",
     "reciprocal_tariffs"),
    ("美國對台灣加徵32%對等關稅", "", "reciprocal_tariffs"),
    ("Stainless Steel Sheet and Strip in Coils From Taiwan: Final Results of Antidumping "
     "Duty Administrative Review", "The dumping margin for the period is 4.5 percent.",
     "ad_cvd"),
    ("Implementing Certain Tariff-Related Elements of the United States-Japan Agreement", "",
     "tariff_agreements"),
    ("台美簽署對等貿易協定 半導體關稅降至15%", "", "tariff_agreements"),
])
def test_each_instrument(classifier, title, text, instrument):
    assert instrument in instruments(classifier, title, text)


@pytest.mark.parametrize("title, text", [
    ("TSMC August 2019 Revenue Report", "Revenue was NT$106.12 billion."),
    ("TSMC to increase investment in chip plant in Japan's Kumamoto",
     "The company will raise its capital spending for the plant in Japan to $8.6 billion."),
    ("Request for Medicaid and CHIP Payment and Access Commission (MACPAC) Nominations",
     "The Children's Health Insurance Program Reauthorization Act established MACPAC."),
    ("Publication of 2024 Tariff Rate Quota Quantity Limitations",
     "The changes are applicable as of January 1, 2024."),
])
def test_no_instrument_for_the_traps(classifier, title, text):
    assert instruments(classifier, title, text) == []


def test_an_instrument_implies_its_category(tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text('''
[categories.export_control]
[[categories.export_control.rules]]
terms = ["export control*"]
weight = 4

[instruments.entity_list]
category = "export_control"
title = "Entity List"
title_zh = "實體清單"
[[instruments.entity_list.rules]]
terms = ["Entity List"]
weight = 4
''', encoding="utf-8")
    result = Classifier(load_rules(rules)).classify(
        {"title": "Four companies added", "text": "BIS adds four firms to the Entity List."})
    assert result.instrument_names == ["entity_list"]
    assert result.labels == ["export_control"]  # given by the instrument alone
    assert result.tags[0].evidence[0]["match"] == "Entity List"
    assert result.instruments[0].evidence[0]["sentence"] == \
        "BIS adds four firms to the Entity List."


def test_an_exclusion_vetoing_a_category_vetoes_its_instruments(tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text('''
[categories.tariff]
[[categories.tariff.rules]]
terms = ["tariff*"]
weight = 4

[instruments.section_232]
category = "tariff"
[[instruments.section_232.rules]]
terms = ["Section 232"]
weight = 4

[[exclude]]
terms = ["foreign-trade zone"]
effect = "veto"
categories = ["tariff"]
''', encoding="utf-8")
    classifier = Classifier(load_rules(rules))
    vetoed = classifier.classify({"title": "Section 232 goods in a foreign-trade zone"})
    assert vetoed.instrument_names == [] and vetoed.labels == []
    assert classifier.classify({"title": "Section 232 on copper"}).instrument_names == \
        ["section_232"]


@pytest.mark.parametrize("table, expected", [
    ('[instruments.x]\ncategory = "nope"\n[[instruments.x.rules]]\nterms = ["a"]\nweight = 1',
     "category must be one of the categories"),
    ('[instruments.export_control]\ncategory = "export_control"',
     "is already a category"),
    ('[instruments.x]\ncategory = "export_control"\ntitle = ""', "title must be a non-empty"),
])
def test_instrument_mistakes_are_named_when_categories_are_read(tmp_path, table, expected):
    rules = tmp_path / "rules.toml"
    rules.write_text('[categories.export_control]\n' + table + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=expected):
        read_categories(rules)


def test_an_instrument_without_rules_is_refused_by_the_compiler(tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text('[categories.tariff]\n[instruments.quiet]\ncategory = "tariff"\n',
                     encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[instruments.quiet\]: an instrument needs"):
        load_rules(rules)


def test_a_rule_mistake_names_the_instrument(tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text('[categories.tariff]\n[instruments.x]\ncategory = "tariff"\n'
                     '[[instruments.x.rules]]\nname = "bad"\nterms = ["a"]\nweight = -1\n',
                     encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[instruments.x\] rule 'bad': weight"):
        load_rules(rules)


def test_categories_and_instruments_are_read_without_compiling():
    known = read_categories(DEFAULT_RULES)
    assert known.instrument("entity_list").title == "Entity List"
    assert known.instrument("entity_list").title_zh == "實體清單"
    assert known.instrument("entity_list").category == "export_control"
    assert known.instrument("gone_now").title == "Gone now"  # a name no longer declared
