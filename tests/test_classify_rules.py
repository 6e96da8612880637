"""The shipped rule table, one rule group at a time: what it must tag and what it must not.
Sentences are written for these tests or taken from US government documents."""

from __future__ import annotations

import pytest

from tracker.classify import Classifier, load_rules


@pytest.fixture(scope="module")
def classifier():
    return Classifier(load_rules())


def labels(classifier, title, text="", **extra):
    return classifier.classify({"title": title, "text": text, **extra}).labels


# -- investment_pressure ----------------------------------------------------------------------

@pytest.mark.parametrize("title, text", [
    ("Implementation of the CHIPS Incentives Program",
     "The CHIPS Program Office seeks information on the design of the incentive programs."),
    ("Company to build a second fab in Arizona",
     "The chipmaker said it will invest $20 billion to build a new fab in Phoenix, Arizona."),
    ("Officials call for onshoring of chip production",
     "The administration wants to bring semiconductor manufacturing back to the United States."),
    ("TSMC Arizona begins production", "The plant is the company's first in the state."),
    # a regular-expression term whose leading word has only three letters ("mov...")
    ("Minister says Taiwan must move half of its chip production to the United States", ""),
])
def test_investment_pressure_positive(classifier, title, text):
    assert "investment_pressure" in labels(classifier, title, text)


@pytest.mark.parametrize("title, text", [
    ("Chipmaker raises investment in its plant in Japan",
     "The company will spend more on its new fab in Kumamoto, Japan."),
    ("Foundry opens a new fab in Singapore", "Volume production starts next year."),
    ("Company reports investment income", "Investment income rose in the quarter."),
])
def test_investment_pressure_negative(classifier, title, text):
    assert "investment_pressure" not in labels(classifier, title, text)


# -- export_control ---------------------------------------------------------------------------

@pytest.mark.parametrize("title, text", [
    ("Additions to the Entity List",
     "In this rule, the Bureau of Industry and Security (BIS) amends the Export Administration "
     "Regulations (EAR) by adding 16 entities to the Entity List."),
    ("Revision to License Review Policy for Advanced Computing Commodities",
     "BIS is revising its license review policy for exports of certain semiconductors."),
    ("Washington weighs new curbs on chip sales",
     "The United States may restrict sales of advanced chips to China."),
    ("Supplier halts shipments to Huawei", "The supplier stopped the orders last week."),
    ("Chip designer told it needs a licence to export its AI accelerators to China", ""),
])
def test_export_control_positive(classifier, title, text):
    assert "export_control" in labels(classifier, title, text)


@pytest.mark.parametrize("title, text", [
    ("Notice of Section 232 investigation of imports of semiconductors",
     "Interested parties may send comments to the Bureau of Industry and Security."),
    ("Chip supply remains restricted by limited capacity",
     "Supply of memory chips is restricted as production capacity is full."),
    ("Company exports more chips", "Exports of chips grew in the quarter."),
])
def test_export_control_negative(classifier, title, text):
    assert "export_control" not in labels(classifier, title, text)


# -- alliance ---------------------------------------------------------------------------------

@pytest.mark.parametrize("title, text", [
    ("Request for Comments on the Indo-Pacific Economic Framework", ""),
    ("Chip 4 working group meets", "Officials discussed an early-warning mechanism."),
    ("U.S.-Taiwan cooperation",
     "Under the auspices of the American Institute in Taiwan (AIT) and the Taipei Economic and "
     "Cultural Representative Office (TECRO), the two sides signed a memorandum of understanding."),
    ("Partners sign chip cooperation memorandum",
     "The United States and Japan agreed to cooperate on semiconductor supply chains."),
])
def test_alliance_positive(classifier, title, text):
    assert "alliance" in labels(classifier, title, text)


@pytest.mark.parametrize("title, text", [
    ("Chipmaker forms alliance with a customer",
     "The foundry and its customer will cooperate on a new product line."),
    ("Company signs a memorandum with a supplier", "The memorandum covers office leases."),
])
def test_alliance_negative(classifier, title, text):
    assert "alliance" not in labels(classifier, title, text)


# -- tariff -----------------------------------------------------------------------------------

@pytest.mark.parametrize("title, text", [
    ("Extending the Modification of the Reciprocal Tariff Rates", ""),
    ("Initiation of Section 301 Investigation", "USTR has initiated an investigation."),
    ("Stainless Steel Sheet and Strip in Coils From Taiwan: Final Results of Antidumping "
     "Duty Administrative Review", ""),
    ("Imposing Duties To Address the Synthetic Opioid Supply Chain", ""),
])
def test_tariff_positive(classifier, title, text):
    assert "tariff" in labels(classifier, title, text)


@pytest.mark.parametrize("title, text", [
    ("Carrier Automated Tariffs", "The Commission amends its rules on carrier automated tariffs."),
    ("Foreign-Trade Zone 75; Notification of Proposed Production Activity",
     "The company proposes duty savings on semiconductor wafers in the zone."),
    ("Certain Semiconductor Devices; Notice of Request for Submissions",
     "The judge issued an initial determination on violation of Section 337."),
])
def test_tariff_negative(classifier, title, text):
    assert "tariff" not in labels(classifier, title, text)


# -- hard negatives ---------------------------------------------------------------------------

@pytest.mark.parametrize("title, text", [
    ("Request for Medicaid and CHIP Payment and Access Commission Nominations",
     "The Children's Health Insurance Program Reauthorization Act of 2009 (CHIPRA) established "
     "MACPAC to review Medicaid and CHIP access and payment policies."),
    ("Chippewa National Forest; Notice of Meeting", "The committee will meet in Minnesota."),
    ("Chipmaker June Revenue Report",
     "The company announced net revenue for June: revenue was up 3 percent from May."),
    ("Memory contract prices to fall 5% next quarter",
     "The research firm expects DRAM contract prices to decline QoQ on high inventory."),
    ("Earthquake leaves fabs unaffected", "Chip plants in the region resumed operation."),
])
def test_hard_negatives_get_no_tag(classifier, title, text):
    assert labels(classifier, title, text) == []


def test_chip_alliance_in_capitals_is_not_masked_as_health_programme(classifier):
    assert "alliance" in labels(classifier, "CHIP 4 talks resume", "Officials met online.")


def test_background_tariff_in_a_price_forecast_is_not_a_tariff_story(classifier):
    text = ("The research firm expects DRAM contract prices to rise 5% QoQ as inventory falls. "
            "Some buyers stocked up ahead of possible tariffs.")
    assert labels(classifier, "DRAM contract prices to rise next quarter", text) == []


# -- Chinese, both scripts --------------------------------------------------------------------

@pytest.mark.parametrize("title, text, category", [
    ("美國擴大出口管制 限制先進晶片銷往中國", "", "export_control"),
    ("美国扩大出口管制 限制先进芯片销往中国", "", "export_control"),
    ("晶片法案補貼到位 亞利桑那廠加速建設", "", "investment_pressure"),
    ("芯片法案补贴到位 亚利桑那厂加速建设", "", "investment_pressure"),
    ("台美日韓晶片聯盟召開工作會議", "", "alliance"),
    ("台美日韩芯片联盟召开工作会议", "", "alliance"),
    ("美國宣布對進口半導體課徵關稅", "", "tariff"),
    ("美国宣布对进口半导体课征关税", "", "tariff"),
])
def test_chinese_traditional_and_simplified(classifier, title, text, category):
    assert labels(classifier, title, text) == [category]


def test_chinese_evidence_keeps_the_script_of_the_source(classifier):
    result = classifier.classify({"title": "經濟部更新出口管制實體清單", "text": ""})
    assert result.tags[0].evidence[0]["sentence"] == "經濟部更新出口管制實體清單"
    assert result.tags[0].evidence[0]["match"] in ("出口管制", "實體清單")


@pytest.mark.parametrize("title", ["台積電二月營收報告", "記憶體合約價下季續跌"])
def test_chinese_hard_negatives(classifier, title):
    assert labels(classifier, title, "") == []


# -- multi-label, evidence, metadata ---------------------------------------------------------

def test_investment_for_tariff_deal_carries_both_labels(classifier):
    text = ("The agreement lowers the tariff on chips from the partner to 15 percent. "
            "In exchange, its chipmakers will invest $250 billion in new fabs in the "
            "United States.")
    result = classifier.classify({"title": "Partners sign semiconductor trade deal", "text": text})
    assert set(result.labels) == {"investment_pressure", "tariff"}


def test_evidence_points_at_the_sentence_that_matched(classifier):
    text = ("The Secretary met industry leaders on Tuesday. They discussed many topics. "
            "BIS will add three companies to the Entity List next week. Lunch was served.")
    result = classifier.classify({"title": "Secretary meets industry leaders", "text": text})
    tag = result.tags[0]
    assert tag.category == "export_control"
    assert tag.evidence[0] == {
        "sentence": "BIS will add three companies to the Entity List next week.",
        "match": "Entity List"}


def test_title_match_is_the_first_evidence(classifier):
    result = classifier.classify({
        "title": "Section 232 Investigation of Imports of Copper",
        "text": "The Secretary initiated the investigation. Tariffs may follow."})
    tag = result.tags[0]
    assert tag.evidence[0]["sentence"] == "Section 232 Investigation of Imports of Copper"
    assert tag.evidence[0]["match"] == "Section 232"
    assert tag.score > 4


def test_metadata_bis_rule_amending_the_ear(classifier):
    doc = {"title": "Revisions to Certain Provisions", "text": "This rule makes corrections.",
           "source": "federal_register", "doc_type": "Rule",
           "metadata": {"agencies": [{"slug": "industry-and-security-bureau",
                                      "name": "Industry and Security Bureau"}],
                        "cfr_references": [{"title": 15, "part": 744}]}}
    result = classifier.classify(doc)
    assert result.labels == ["export_control"]
    assert "15 CFR 744" in result.tags[0].evidence[0]["sentence"]
    assert labels(classifier, doc["title"], doc["text"]) == []


def test_metadata_from_ustr_adds_to_weak_text(classifier):
    doc = {"title": "Request for comments on trade remedies review", "text": "",
           "source": "federal_register",
           "metadata": '{"agencies": [{"slug": "trade-representative-office-of-united-states"}]}'}
    base = classifier.classify({"title": doc["title"]}).scores["tariff"]
    assert classifier.classify(doc).scores["tariff"] == base + 1.5


def test_scores_cover_every_category(classifier):
    result = classifier.classify({"title": "Hello", "text": "Nothing here."})
    assert result.labels == []
    assert result.scores == {"investment_pressure": 0.0, "export_control": 0.0,
                             "alliance": 0.0, "tariff": 0.0}


@pytest.mark.parametrize("title, text", [
    ("Partners agree on a supply chain early-warning mechanism",
     "Officials will share data on shortages of semiconductors."),
    ("台美簽署合作備忘錄 強化半導體供應鏈", ""),
])
def test_alliance_early_warning_and_bilateral_shorthand(classifier, title, text):
    assert "alliance" in labels(classifier, title, text)


def test_patent_licensing_is_not_an_export_control(classifier):
    assert "export_control" not in labels(
        classifier, "Chip designer signs patent licence with a handset maker",
        "The licence covers modem technology.")
