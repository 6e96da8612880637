"""The shipped rules on whole documents of press-release length: leads, quotes, background,
"About ..." footers, forward-looking statements, navigation that slipped through extraction.
Every text here was written for these tests (none is copied from a company or a news outlet);
they follow the shape of the sources chipwatch reads."""

from __future__ import annotations

import pytest

from tracker.classify import Classifier, load_rules


@pytest.fixture(scope="module")
def classifier():
    return Classifier(load_rules())


def page(*paragraphs: str) -> str:
    """Extracted text as the spiders give it: one paragraph a line."""
    return "\n".join(paragraphs)


ABOUT_TSMC = page(
    "About TSMC",
    "TSMC pioneered the pure-play foundry business model and is the world's largest dedicated "
    "semiconductor foundry. The company operates fabs in Taiwan, in Japan through JASM and in "
    "the United States through TSMC Arizona, where it is building advanced fabs with support "
    "from a CHIPS Act award. It also has subsidiaries subject to export control regulations in "
    "several countries.",
    "Forward-Looking Statements",
    "This release contains forward-looking statements subject to risks and uncertainties, "
    "including tariffs, export controls and changes in trade policy.",
    "Media Contact",
    "Corporate Communications, +886-3-000-0000")

REVENUE_REPORT = page(
    "HSINCHU, Taiwan, R.O.C. - TSMC today announced its net revenue for May: on a consolidated "
    "basis, revenue for May was approximately NT$320.5 billion, a decrease of 8.3 percent from "
    "April and an increase of 39.6 percent from May of last year.",
    "Revenue for January through May totaled NT$1,510.2 billion, an increase of 41.1 percent "
    "compared to the same period last year.",
    "The company will report second quarter results at its earnings conference next month.",
    ABOUT_TSMC)

JAPAN_FAB = page(
    "KUMAMOTO, Japan - TSMC and its joint venture partners today announced that the second fab "
    "of Japan Advanced Semiconductor Manufacturing (JASM) in Kumamoto Prefecture will begin "
    "construction this year, raising the total investment in the site to more than US$20 "
    "billion. The Japanese government has pledged subsidies of up to 732 billion yen for the "
    "second fab.",
    "\"We are grateful for the strong support of the Japanese government and of our "
    "customers,\" said the president of JASM. \"The new fab will create more than 1,700 "
    "high-tech jobs.\"",
    "The second fab will produce 6 nanometer and 7 nanometer process technology for automotive, "
    "industrial and consumer applications, with volume production expected by the end of 2027. "
    "Local universities will expand engineering programmes to train technicians for the site.",
    ABOUT_TSMC)

ENTITY_LIST_RELEASE = page(
    "Home | Newsroom | Press Releases | Contact",
    "Skip to main content",
    "WASHINGTON, D.C. - Today, the Department of Commerce's Bureau of Industry and Security "
    "(BIS) added 12 entities to the Entity List for supplying advanced computing chips and "
    "semiconductor manufacturing equipment to military end users in the People's Republic of "
    "China.",
    "The entries impose a license requirement for all items subject to the Export "
    "Administration Regulations, with a license review policy of a presumption of denial.",
    "\"We will not allow our most advanced technology to support the military modernization of "
    "countries of concern,\" said the Under Secretary for Industry and Security. \"These "
    "entities tried to evade our rules through shell companies in third countries.\"",
    "Today's rule builds on the controls on advanced computing items issued in recent years. "
    "Exporters with questions may contact the Office of Exporter Services.",
    "About BIS",
    "The Bureau of Industry and Security advances U.S. national security by ensuring an "
    "effective export control and treaty compliance system and by promoting U.S. leadership in "
    "technology.",
    "Share", "Print", "Email")

PRICE_REPORT = page(
    "TrendForce's latest research indicates that DRAM contract prices are expected to rise by 8 "
    "to 13 percent in the next quarter as suppliers shift capacity to high-bandwidth memory. "
    "Inventory at module makers fell to about eight weeks at the end of the quarter.",
    "PC DRAM prices are expected to rise by 5 to 10 percent QoQ, while server DRAM prices may "
    "climb by as much as 12 percent as cloud providers expand AI server purchases. Mobile DRAM "
    "prices should remain flat because smartphone demand is weak in the first half. Graphics "
    "DRAM prices will rise slightly as new graphics cards launch.",
    "Consumer DRAM faces oversupply as legacy capacity is slow to exit the market. Overall, DRAM "
    "revenue is projected to grow 15 percent QoQ next quarter. Buyers also weigh long-term "
    "uncertainty, such as export controls on advanced memory.",
    "About TrendForce",
    "TrendForce is a global provider of market intelligence on semiconductors, DRAM, NAND "
    "flash, foundries and displays, with research covering tariffs and export controls.")

TARIFF_TALKS_ZH = page(
    "行政院經貿談判辦公室今（3）日表示，台美雙方已完成第五輪實體磋商，就對等關稅稅率、半導體232關稅待遇"
    "及供應鏈合作等議題交換意見。",
    "經貿辦指出，我方爭取將對等關稅降至15%，並與美方就晶片關稅的優惠安排持續協商。政務委員表示，談判團隊"
    "將持續與產業界溝通，確保國內產業的權益。",
    "「我們希望在年底前完成協議，」談判代表說，「雙方的立場已經逐漸接近。」",
    "經濟部將同步推出支持方案，協助受影響的傳統產業因應關稅衝擊。",
    "延伸閱讀",
    "美國擴大晶片出口管制", "台美簽署科學及技術合作協定", "美光獲晶片法案補助",
    "台積電亞利桑那廠量產")

MOFCOM_ZH = page(
    "问：美国商务部日前修订对华半导体出口管制规则，将多家中国实体列入实体清单。请问商务部对此有何评论？",
    "答：中方注意到有关情况。美方泛化国家安全概念，滥用出口管制措施，对中国企业实施恶意封锁和打压，严重违反"
    "市场经济原则和国际经贸规则，严重破坏全球产业链供应链稳定。中方对此坚决反对，将采取必要措施，坚决维护"
    "中国企业的正当权益。",
    "责任编辑：张三",
    "相关新闻",
    "美国宣布对华加征关税", "商务部公布关税配额分配办法")

CHIPS_AWARD = page(
    "WASHINGTON - Today, the Department of Commerce announced that it has awarded Example "
    "Semiconductor up to $1.2 billion in direct funding under the CHIPS Incentives Program to "
    "expand its wafer fab in Sherman, Texas, and to build a new advanced packaging facility in "
    "Arizona. The award will support more than 3,000 construction jobs and 1,500 manufacturing "
    "jobs.",
    "\"This investment will bring leading-edge chip production back to the United States,\" "
    "the Secretary of Commerce said. \"We are proud to expand our manufacturing footprint in "
    "America,\" said the company's CEO.",
    "The company also expects to claim the advanced manufacturing investment credit. The award "
    "is subject to the national security guardrails of the CHIPS and Science Act, which "
    "restrict material expansion of semiconductor capacity in countries of concern for ten "
    "years.",
    "About CHIPS for America",
    "CHIPS for America is part of the Department of Commerce's effort to revitalize the U.S. "
    "semiconductor industry.")

CAPITAL_INJECTION = ("4. Approved a capital injection of not more than US$10 billion in TSMC "
                     "Arizona, a wholly-owned subsidiary of TSMC.")
BOARD_RESOLUTIONS = page(
    "HSINCHU, Taiwan, R.O.C. - TSMC today held a meeting of the Board of Directors, which "
    "passed the following resolutions:",
    "1. Approved capital appropriations of approximately US$15 billion for the installation and "
    "upgrade of advanced technology capacity and fab construction.",
    "2. Approved the issuance of unsecured corporate bonds of no more than NT$60 billion.",
    "3. Approved a cash dividend of NT$5.0 per common share.",
    CAPITAL_INJECTION,
    "5. Approved the promotion of several vice presidents.",
    ABOUT_TSMC)


def test_a_footer_never_tags_a_revenue_report(classifier):
    assert len(REVENUE_REPORT) > 1000
    result = classifier.classify({"title": "TSMC May Revenue Report", "text": REVENUE_REPORT})
    assert result.labels == []
    assert result.scores["investment_pressure"] == 0  # TSMC Arizona is named only in the footer


def test_a_japan_fab_with_a_us_footer_is_not_investment_pressure(classifier):
    result = classifier.classify({"title": "TSMC and partners expand JASM in Kumamoto",
                                  "text": JAPAN_FAB})
    assert "investment_pressure" not in result.labels
    assert "export_control" not in result.labels and "tariff" not in result.labels


def test_an_export_control_release_with_navigation_and_footer(classifier):
    result = classifier.classify({
        "title": "Commerce Adds 12 Entities to the Entity List", "text": ENTITY_LIST_RELEASE})
    assert result.labels == ["export_control"]
    tag = result.tags[0]
    assert tag.evidence[0]["sentence"].startswith(
        "WASHINGTON, D.C. - Today, the Department of Commerce's Bureau of Industry and Security")
    assert tag.relevance == "core"
    assert not any("About BIS" in e["sentence"] for e in tag.evidence)


def test_a_passing_mention_deep_in_a_market_report_does_not_tag(classifier):
    result = classifier.classify({
        "title": "DRAM Contract Prices to Rise 8-13% Next Quarter, Says TrendForce",
        "text": PRICE_REPORT})
    assert result.labels == []


def test_related_headlines_after_a_chinese_article_are_not_its_content(classifier):
    result = classifier.classify({"title": "經貿辦：台美完成第五輪實體磋商",
                                  "text": TARIFF_TALKS_ZH})
    assert result.labels == ["tariff"]
    assert result.relevance == {"tariff": "core"}
    assert "15%" in result.tags[0].evidence[0]["sentence"]  # the sentence naming the rate


def test_a_mainland_reaction_takes_the_measures_category(classifier):
    result = classifier.classify({
        "title": "商务部新闻发言人就美方修订对华半导体出口管制措施答记者问", "text": MOFCOM_ZH})
    assert result.labels == ["export_control"]
    assert "实体清单" in result.tags[0].evidence[0]["sentence"] or \
        "出口管制" in result.tags[0].evidence[0]["sentence"]


def test_a_chips_award_release_names_the_amount(classifier):
    result = classifier.classify({"title": "Commerce Announces CHIPS Incentives Award",
                                  "text": CHIPS_AWARD})
    assert result.labels == ["investment_pressure"]
    tag = result.tags[0]
    assert "$1.2 billion" in tag.evidence[0]["sentence"]
    assert tag.relevance == "core"


def test_a_board_resolution_that_commits_capital_to_a_us_fab(classifier):
    result = classifier.classify({"title": "TSMC Board of Directors Meeting Resolutions",
                                  "text": BOARD_RESOLUTIONS})
    assert result.labels == ["investment_pressure"]
    assert "capital injection" in result.tags[0].evidence[0]["sentence"]
    without = BOARD_RESOLUTIONS.replace(CAPITAL_INJECTION + "\n", "")
    assert without != BOARD_RESOLUTIONS
    assert classifier.classify({"title": "TSMC Board of Directors Meeting Resolutions",
                                "text": without}).labels == []
