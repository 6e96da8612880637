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
    ("Official says Taiwan should move 40% of its chip supply chain to the United States", ""),
    # converting CHIPS grants into a government stake is still pressure to build here
    ("U.S. government takes a 10% equity stake in Intel", ""),
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
    # "chips" in lower case is the product, not the CHIPS programme's guardrails
    ("Using Huawei's AI chips anywhere may violate U.S. rules, BIS warns", ""),
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


def test_a_section_232_notice_from_bis_is_not_an_export_control(classifier):
    doc = {"title": "Notice of Request for Public Comments on Section 232 National Security "
                    "Investigation of Imports of Polysilicon",
           "text": "The Secretary initiated an investigation of imports of polysilicon. "
                   "Interested parties may send written comments to the Bureau of Industry "
                   "and Security.",
           "source": "federal_register",
           "metadata": {"agencies": [{"slug": "industry-and-security-bureau"}]}}
    assert classifier.classify(doc).labels == ["tariff"]


def test_chips_guardrails_are_not_export_controls(classifier):
    text = ("Funding recipients are prohibited from joint research with foreign entities of "
            "concern. A recipient may not expand semiconductor capacity in a foreign country of "
            "concern for ten years.")
    assert labels(classifier, "Preventing the Improper Use of CHIPS Act Funding", text) == [
        "investment_pressure"]


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


def test_a_body_sentence_is_the_evidence_and_the_title_only_when_the_body_adds_nothing(
        classifier):
    title = "Section 232 Investigation of Imports of Copper"
    result = classifier.classify({
        "title": title,
        "text": "The Secretary initiated the investigation. Tariffs may follow."})
    tag = result.tags[0]
    assert tag.evidence == [{"sentence": "Tariffs may follow.", "match": "Tariffs"}]
    assert tag.score > 4  # the title still weighs more than a sentence of the body
    bare = classifier.classify({"title": title, "text": "The Secretary met industry."})
    assert bare.tags[0].evidence == [{"sentence": title, "match": "Section 232"}]


def test_the_sentence_naming_the_amount_or_target_comes_first(classifier):
    text = ("The Department of Commerce announced new export controls today. "
            "The rule adds 27 companies, including SMIC, to the Entity List.")
    tag = classifier.classify({"title": "Commerce acts", "text": text}).tags[0]
    assert tag.category == "export_control"
    assert tag.evidence[0]["sentence"] == (
        "The rule adds 27 companies, including SMIC, to the Entity List.")
    assert len(tag.evidence) == 2


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


# -- keyword traps: each is a rule of its own -------------------------------------------------

@pytest.mark.parametrize("title, text", [
    # tariff-rate quotas for sugar and other farm goods: a routine allocation
    ("Fiscal Year 2027 Tariff-Rate Quota Allocations for Raw Cane Sugar",
     "USTR announces the in-quota quantity of the tariff-rate quota for imported raw cane sugar "
     "and its allocation among supplying countries under the Harmonized Tariff Schedule."),
    ("Tariff-rate quota for certain dairy products", "Import licences for the quota year open."),
    ("農業部公告關稅配額 稻米進口配額分配", ""),
    # Tariff of Tolls: a waterway's schedule of charges
    ("Seaway Regulations and Rules: Tariff of Tolls",
     "The Corporation amends the Tariff of Tolls charged to vessels using the Seaway."),
    # foreign-trade zones: a customs procedure
    ("Foreign-Trade Zone 75, Phoenix, Arizona; Authorization of Production Activity",
     "The Foreign-Trade Zones Board authorized production of semiconductor wafers; duties on "
     "foreign components may be deferred or reduced."),
])
def test_traps_that_are_not_tariffs(classifier, title, text):
    assert "tariff" not in labels(classifier, title, text)
    assert "investment_pressure" not in labels(classifier, title, text)


def test_an_export_rules_de_minimis_clause_is_not_a_tariff(classifier):
    text = ("The rule revises the de minimis provisions of the Export Administration "
            "Regulations: foreign-made items that incorporate more than 25 percent controlled "
            "U.S.-origin content are subject to the EAR.")
    assert labels(classifier, "Revisions to the de minimis rule for foreign-made items",
                  text) == ["export_control"]
    # de minimis as the duty-free treatment of small parcels is a tariff measure
    assert "tariff" in labels(classifier, "Suspending duty-free de minimis treatment",
                              "Low-value shipments will no longer enter duty-free.")


@pytest.mark.parametrize("title, text", [
    ("Commission approves aid for a new fab under the EU Chips Act",
     "The European Commission approved 5 billion euros in state aid under the EU Chips Act for "
     "a foundry joint venture in Dresden, Germany."),
    ("METI approves additional support for a 2nm pilot line",
     "Japan's industry ministry will provide further subsidies to Rapidus for its pilot line in "
     "Hokkaido."),
    ("日本經產省加碼補助熊本二廠", "日本政府將再補助台積電在熊本興建的第二座晶圓廠。"),
    ("台版晶片法案上路 半導體研發支出可抵減營所稅",
     "經濟部表示，產業創新條例第10條之2讓半導體業者的前瞻研發支出可抵減所得稅。"),
])
def test_fabs_subsidised_outside_the_us_are_not_investment_pressure(classifier, title, text):
    assert "investment_pressure" not in labels(classifier, title, text)


@pytest.mark.parametrize("title, text", [
    ("Chipmaker Board of Directors Meeting Resolutions",
     "The Board approved capital appropriations of approximately US$15 billion for capacity "
     "installation and fab construction, and a cash dividend of NT$5.0 per share."),
    ("台積公司董事會決議", "董事會核准資本預算約152億美元，並核准每股配發現金股利新台幣5元。"),
    ("Chipmaker March Revenue Report",
     "The company announced net revenue for March; revenue increased 12 percent from February. "
     "Its Arizona fab ramped up as planned."),
])
def test_board_resolutions_and_revenue_reports_stay_untagged(classifier, title, text):
    assert labels(classifier, title, text) == []


@pytest.mark.parametrize("title, text", [
    ("TSMC Board of Directors Meeting Resolutions",
     "The Board approved a capital injection of not more than US$5 billion in TSMC Arizona, a "
     "wholly-owned subsidiary. It also approved a cash dividend of NT$5.0 per share."),
    ("台積公司董事會決議", "核准對百分之百持股之子公司TSMC Arizona增資不超過50億美元。"),
])
def test_a_board_resolution_committing_capital_to_a_us_fab_is_investment_pressure(
        classifier, title, text):
    assert labels(classifier, title, text) == ["investment_pressure"]


# -- Taiwan's and the mainland's wording --------------------------------------------------------

@pytest.mark.parametrize("title, text, expected", [
    # TSMC's own name
    ("台積公司擴大在美投資 再增三座晶圓廠", "", {"investment_pressure"}),
    # a term written with Taiwan's word finds the mainland's, and the other way round
    ("美国芯片法案拨款到位", "", {"investment_pressure"}),
    ("美國晶片法案撥款到位", "", {"investment_pressure"}),
    # Taiwan's names of frameworks and offices
    ("印太經濟架構供應鏈協定生效", "", {"alliance"}),
    ("台美簽署科學及技術合作協定", "", {"alliance"}),
    ("經貿辦：台美第三輪實體磋商結束", "", {"tariff"}),
    ("投審會核准台積電增資美國子公司", "", {"investment_pressure"}),
    ("經濟部投資審議司核准晶圓廠赴美投資", "", {"investment_pressure"}),
    ("投審會有條件核准晶圓代工廠南京廠擴產", "", {"export_control"}),
    ("美國商務部產業安全局公布新規", "", {"export_control"}),
    ("美国商务部工业和安全局发布新规", "", {"export_control"}),
    ("商務部公布補助護欄規則", "受補助半導體廠十年內不得在受關注國家擴產。",
     {"investment_pressure"}),
    ("国科会：海外设厂技术维持N-1 先进制程根留台湾", "", {"investment_pressure"}),
    ("國科會公告核心關鍵技術清單 半導體製程入列", "", {"export_control"}),
    ("第一次美日半導體協定簽署三十年回顧", "", {"tariff"}),
    ("美商務部啟動半導體 232 調查", "", {"tariff"}),
    ("美商務部啟動半導體232調查", "", {"tariff"}),
    # mainland statements answering a US measure take the measure's category
    ("商务部新闻发言人就美方修订对华半导体出口管制答记者问", "", {"export_control"}),
    ("国台办：民进党当局配合美方对大陆芯片出口管制", "", {"export_control"}),
    ("商务部回应美方对华加征关税", "", {"tariff"}),
    ("国台办：台积电赴美投资是掏空台湾", "", {"investment_pressure"}),
    # a domestic chip alliance is not a US-led coalition
    ("台灣AI晶片聯盟成立 經濟部主導", "", set()),
])
def test_taiwan_and_mainland_wording(classifier, title, text, expected):
    assert set(labels(classifier, title, text)) == expected


def test_one_term_finds_both_sides_words_and_evidence_quotes_the_source():
    classifier = Classifier(load_rules())
    # 記憶體 (Taiwan) and 内存 (mainland) are one word to the rules; the quote is the source's
    doc = {"title": "記憶體出口管制", "text": "美國宣布記憶體晶片出口管制，執行長表示將遵守。"}
    tag = classifier.classify(doc).tags[0]
    assert tag.category == "export_control"
    assert tag.evidence[0]["sentence"] == "美國宣布記憶體晶片出口管制,執行長表示將遵守。"
    assert tag.evidence[0]["match"] == "出口管制"


# -- relevance: chips or Taiwan as the subject ------------------------------------------------

@pytest.mark.parametrize("title, text, category, relevance", [
    ("Notice of Request for Public Comments on Section 232 National Security Investigation of "
     "Imports of Copper", "The Secretary initiated an investigation of imports of copper.",
     "tariff", "wider"),
    ("Notice of Request for Public Comments on Section 232 National Security Investigation of "
     "Imports of Semiconductors", "", "tariff", "core"),
    ("Certain Steel Nails From Taiwan: Final Results of Antidumping Duty Administrative Review",
     "", "tariff", "core"),
    ("Imposing Duties To Address the Synthetic Opioid Supply Chain",
     "The order imposes additional duties on imports from the PRC.", "tariff", "wider"),
    ("Addition of Entities to the Entity List",
     "BIS adds four shipping companies to the Entity List for diverting aircraft parts.",
     "export_control", "wider"),
    ("Addition of Entities to the Entity List",
     "BIS adds four companies to the Entity List for supplying advanced chips to the military.",
     "export_control", "core"),
    ("美國對進口銅課徵232關稅", "", "tariff", "wider"),
    ("美國對台灣加徵對等關稅", "", "tariff", "core"),
])
def test_relevance(classifier, title, text, category, relevance):
    tag = {t.category: t for t in classifier.classify({"title": title, "text": text}).tags}[
        category]
    assert tag.relevance == relevance
    assert bool(tag.relevance_evidence) == (relevance == "core")


def test_relevance_evidence_names_the_sentence_and_the_word(classifier):
    text = ("The Department of Commerce imposed new export controls today. The controls cover "
            "advanced semiconductors and the tools to make them.")
    tag = classifier.classify({"title": "Commerce acts", "text": text}).tags[0]
    assert tag.relevance == "core"
    assert tag.relevance_evidence == [{
        "sentence": "The controls cover advanced semiconductors and the tools to make them.",
        "match": "semiconductors"}]


# -- Taiwan's government wording (the declared sources' documents) ---------------------------

@pytest.mark.parametrize("title, expected", [
    ("貿易署公告輸出管制新規定，限制高階晶片輸往特定國家", "export_control"),
    ("經濟部：出口至華為須申請輸出許可", "export_control"),
    ("MOEA tightens SHTC export rules on advanced chips", "export_control"),
    ("Taiwan adds firms to its Strategic High-Tech Commodities entity list", "export_control"),
    ("投審會核准台積電對美國子公司增資", "investment_pressure"),
    ("行政院經貿談判辦公室說明臺美對等關稅協議", "tariff"),
])
def test_taiwan_government_wording(classifier, title, expected):
    assert expected in labels(classifier, title)


def test_a_preferential_tariff_rate_is_not_a_subsidy(classifier):
    found = labels(classifier, "經濟部：美國232條款半導體關稅 台灣爭取優惠待遇")
    assert found == ["tariff"]
    assert "investment_pressure" in labels(classifier, "美國對在美設廠的晶片業者提供租稅優惠")
