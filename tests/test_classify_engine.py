"""The engine and the rules file format, on small rule files written for each test; and
the errors a broken rules file gives."""

from __future__ import annotations

import textwrap

import pytest

from tracker.classify import ENGINE_VERSION, Classifier, build_classifier, load_rules
from tracker.classify.text import prepare, split_sentences
from tracker.config import ConfigError, parse


def book(tmp_path, body: str, name: str = "rules.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def classify(path, title, text="", **kw):
    return Classifier(load_rules(path), **kw).classify({"title": title, "text": text})


BASIC = """
    [vocab]
    chip = ["chip", "chips", "semiconductor*", "晶片"]

    [categories.export_control]
    [[categories.export_control.rules]]
    name = "control with chip"
    terms = ["restrict*", "管制"]
    with = ["@chip"]
    weight = 3
"""


def test_co_occurrence_in_the_same_sentence(tmp_path):
    path = book(tmp_path, BASIC)
    assert classify(path, "New rules restrict chip exports").labels == ["export_control"]
    assert classify(path, "New rules restrict exports", "Chips are fine.").labels == []


def test_co_occurrence_within_document(tmp_path):
    path = book(tmp_path, BASIC.replace('weight = 3', 'weight = 3\nwithin = "document"'))
    assert classify(path, "New rules restrict exports", "Chips are named.").labels == [
        "export_control"]


def test_without_drops_a_sentence(tmp_path):
    path = book(tmp_path, BASIC.replace('weight = 3', 'weight = 3\nwithin = "sentence"\n'
                                        'without = ["supply"]'))
    assert classify(path, "Supply of chips is restricted").labels == []


def test_words_match_whole_words_only(tmp_path):
    path = book(tmp_path, BASIC)
    assert classify(path, "Restrictions on Chippewa lands").labels == []
    assert classify(path, "Restrictions on semiconductors").labels == ["export_control"]


def test_term_forms(tmp_path):
    path = book(tmp_path, """
        [categories.tariff]
        [[categories.tariff.rules]]
        terms = ["anti-dumping", "impose* ... duties", "re:section\\\\s+2\\\\d\\\\d", "case:TRQ"]
        weight = 3
    """)
    for title in ("Antidumping order", "anti dumping order", "Anti-dumping order",
                  "US imposes new import duties", "Section 232 report", "A TRQ notice"):
        assert classify(path, title).labels == ["tariff"], title
    assert classify(path, "A trq notice").labels == []
    assert classify(path, "imposes many rules and then some more on duties").labels == []


def test_mask_penalty_and_veto(tmp_path):
    rules = """
        [[exclude]]
        name = "health"
        terms = ["case:CHIP"]
        effect = "mask"
        [[exclude]]
        name = "market"
        terms = ["price forecast"]
        effect = "penalty"
        penalty = 2
        [[exclude]]
        name = "zone"
        terms = ["trade zone"]
        effect = "veto"
        categories = ["tariff"]

        [categories.tariff]
        [[categories.tariff.rules]]
        terms = ["tariff*", "chip"]
        weight = 3
    """
    path = book(tmp_path, rules)
    assert classify(path, "Medicaid and CHIP").labels == []
    assert classify(path, "New chip tariff").labels == ["tariff"]
    result = classify(path, "Tariffs loom", "A price forecast.")
    assert result.scores["tariff"] == pytest.approx(4.5 - 2)
    assert classify(path, "Tariffs in the trade zone").labels == []


def test_title_factor_and_repeat_bonus(tmp_path):
    path = book(tmp_path, """
        [settings]
        title_factor = 2
        repeat_bonus = 0.5
        repeat_cap = 1
        [categories.tariff]
        [[categories.tariff.rules]]
        terms = ["tariff*"]
        weight = 3
    """)
    assert classify(path, "Tariffs").scores["tariff"] == 6
    assert classify(path, "News", "Tariffs. More tariffs. Even more tariffs.").scores[
        "tariff"] == 3 + 1.5
    assert classify(path, "News", "Tariffs.", min_score=5).labels == []


def test_category_threshold_overrides_min_score(tmp_path):
    path = book(tmp_path, BASIC.replace("[categories.export_control]\n",
                                        "[categories.export_control]\nthreshold = 10\n"))
    assert classify(path, "New rules restrict chip exports").labels == []


def test_version_follows_the_rules_and_settings(tmp_path):
    path = book(tmp_path, BASIC)
    first = Classifier(load_rules(path)).version
    assert Classifier(load_rules(path)).version == first
    assert Classifier(load_rules(path), min_score=4).version != first
    path.write_text(path.read_text() + "\n# a comment\n")
    assert Classifier(load_rules(path)).version != first
    assert first.startswith(f"{ENGINE_VERSION}+")


def test_config_section_points_at_an_analysts_rules(tmp_path):
    path = book(tmp_path, BASIC, "mine.toml")
    config = parse({"classifier": {"rules": "mine.toml", "min_score": 2}},
                   origin=tmp_path / "config.toml")
    classifier = build_classifier(config)
    assert classifier.book.path == path
    assert classifier.min_score == 2
    with pytest.raises(ConfigError, match=r"\[classifier\] min_score"):
        parse({"classifier": {"min_score": 0}}, origin=tmp_path / "config.toml")


def test_sentences_split_on_english_and_chinese_stops():
    text = "The U.S. Department acted. Sen. Smith spoke on Jan. 5 at noon! 美方宣布。台方回應。"
    spans = split_sentences(text)
    assert [text[s:e].strip() for s, e in spans] == [
        "The U.S. Department acted.", "Sen. Smith spoke on Jan. 5 at noon!", "美方宣布。",
        "台方回應。"]


def test_prepare_folds_full_width_and_traditional():
    doc = prepare("ＣＨＩＰＳ法案", "臺灣半導體")
    assert doc.display == "CHIPS法案\n臺灣半導體"
    assert doc.match == "CHIPS法案\n台湾半导体"


# -- errors in a rules file -------------------------------------------------------------------

@pytest.mark.parametrize("body, expected", [
    ("[categories.tariff]\n[[categories.tariff.rules]]\nname = \"duties\"\n"
     "terms = [\"re:(unclosed\"]\nweight = 2\n",
     r"\[categories.tariff\] rule 'duties': terms: term 're:\(unclosed' is not a valid "
     r"regular expression"),
    ("[categories.tariff]\n[[categories.tariff.rules]]\nname = \"duties\"\n"
     "terms = [\"tariff\"]\nweight = -1\n",
     r"\[categories.tariff\] rule 'duties': weight: input should be greater than 0"),
    ("[categories.tariff]\n[[categories.tariff.rules]]\nname = \"duties\"\n"
     "terms = [\"tariff\"]\nweight = 2\nwith = [\"@nothing\"]\n",
     r"rule 'duties': with: '@nothing' names no \[vocab\] list"),
    ("[categories.tariff]\n[[categories.tariff.rules]]\nname = \"duties\"\n"
     "terms = [\"tariff\"]\nweight = 2\nwhithin = \"document\"\n",
     r"rule 'duties': whithin: unknown key"),
    ("[categories.tariff]\n[[categories.tariff.rules]]\nname = \"duties\"\n"
     "terms = [\"\"]\nweight = 2\n", r"rule 'duties': terms: an empty term"),
    ("[[exclude]]\nname = \"x\"\nterms = [\"a\"]\neffect = \"penalty\"\n"
     "[categories.tariff]\n", r"\[\[exclude\]\] 'x': effect = \"penalty\" needs a penalty"),
    ("[[exclude]]\nname = \"x\"\nterms = [\"a\"]\neffect = \"veto\"\ncategories = [\"tarif\"]\n"
     "[categories.tariff]\n", r"\[\[exclude\]\] 'x': unknown category 'tarif'"),
    ("[categories.export_control]\n[[categories.export_control.metadata]]\nname = \"bis\"\n"
     "cfr = [\"title 15\"]\nweight = 2\n", r"metadata rule 'bis': cfr: 'title 15' is not a CFR"),
    ("categories = 3\n", r"categories"),
    ("[categories.tariff\n", r"not valid TOML"),
])
def test_rules_file_errors_name_file_rule_and_problem(tmp_path, body, expected):
    path = book(tmp_path, body, "broken.toml")
    with pytest.raises(ConfigError, match=expected) as caught:
        load_rules(path)
    assert str(path) in str(caught.value)


def test_missing_rules_file(tmp_path):
    with pytest.raises(ConfigError, match="rules file not found"):
        load_rules(tmp_path / "absent.toml")
