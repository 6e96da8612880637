"""The engine and the rules file format, on small rule files written for each test; and
the errors a broken rules file gives."""

from __future__ import annotations

import pickle
import textwrap

import pytest

from tracker.classify import ENGINE_VERSION, Classifier, build_classifier, load_rules
from tracker.classify.cache import KEEP
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


# -- the compiled-rules cache -------------------------------------------------------------------

def test_compiled_rules_are_kept_and_reused(tmp_path):
    path = book(tmp_path, BASIC)
    cache_dir = tmp_path / "cache"
    first = load_rules(path, cache_dir=cache_dir)
    entries = list(cache_dir.glob("rules-*.pickle"))
    assert len(entries) == 1
    again = load_rules(path, cache_dir=cache_dir)
    assert again is not first and again.digest == first.digest and again.path == path
    doc = {"title": "New rules restrict chip exports", "text": ""}
    assert Classifier(again).classify(doc) == Classifier(first).classify(doc)
    # the cached form is what is used: a changed entry shows (and proves the cache is read)
    entries[0].write_bytes(pickle.dumps(again.__class__(
        path, again.digest, again.settings, {}, [], again.index)))
    assert load_rules(path, cache_dir=cache_dir).categories == {}
    # a changed rules file is compiled again, under a key of its own
    path.write_text(path.read_text() + "\n# edited\n", encoding="utf-8")
    edited = load_rules(path, cache_dir=cache_dir)
    assert "export_control" in edited.categories
    assert len(list(cache_dir.glob("rules-*.pickle"))) == 2


def test_a_damaged_or_unwritable_cache_is_compiled_around(tmp_path):
    path = book(tmp_path, BASIC)
    cache_dir = tmp_path / "cache"
    load_rules(path, cache_dir=cache_dir)
    (entry,) = cache_dir.glob("rules-*.pickle")
    entry.write_bytes(b"not a pickle")
    assert "export_control" in load_rules(path, cache_dir=cache_dir).categories
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache directory should be")
    assert "export_control" in load_rules(path, cache_dir=blocked / "cache").categories


def test_a_broken_rules_file_is_never_cached(tmp_path):
    path = book(tmp_path, "[categories.tariff]\n[[categories.tariff.rules]]\nterms = [\"re:(\"]\n"
                          "weight = 1\n")
    cache_dir = tmp_path / "cache"
    for _ in range(2):
        with pytest.raises(ConfigError, match="not a valid regular expression"):
            load_rules(path, cache_dir=cache_dir)
    assert not list(cache_dir.glob("rules-*.pickle"))


def test_old_entries_are_pruned(tmp_path):
    cache_dir = tmp_path / "cache"
    for n in range(KEEP + 3):
        load_rules(book(tmp_path, BASIC + f"\n# version {n}\n"), cache_dir=cache_dir)
    assert len(list(cache_dir.glob("rules-*.pickle"))) == KEEP


# -- evidence, relevance and boilerplate on small rule files ----------------------------------

EXTRAS = BASIC + """
    [vocab.amount]
    [evidence]
    informative = ["re:\\\\d+ companies"]
    bonus = 1.0
    [relevance]
    core = ["@chip", "Taiwan"]
    [boilerplate]
    footer = ["About Acme"]
    navigation = ["Home", "Share"]
""".replace("[vocab.amount]\n", "")


def test_evidence_prefers_the_body_and_the_sentence_naming_a_target(tmp_path):
    path = book(tmp_path, EXTRAS)
    text = ("Officials restrict chip sales. They restrict chip tools too, naming 12 companies. "
            "Lunch was served.")
    tag = classify(path, "Washington to restrict chip exports", text).tags[0]
    assert [e["sentence"] for e in tag.evidence] == [
        "They restrict chip tools too, naming 12 companies.", "Officials restrict chip sales."]
    bare = classify(path, "Washington to restrict chip exports", "Lunch was served.").tags[0]
    assert [e["sentence"] for e in bare.evidence] == ["Washington to restrict chip exports"]


def test_relevance_is_core_only_when_a_core_term_is_the_subject(tmp_path):
    path = book(tmp_path, EXTRAS.replace('with = ["@chip"]', ""))
    assert classify(path, "New rules restrict chip exports").tags[0].relevance == "core"
    wider = classify(path, "New rules restrict exports of copper").tags[0]
    assert (wider.relevance, wider.relevance_evidence) == ("wider", [])
    taiwan = classify(path, "Rules restrict exports", "Taiwan said it would comply.").tags[0]
    assert taiwan.relevance == "core"
    assert taiwan.relevance_evidence == [{"sentence": "Taiwan said it would comply.",
                                          "match": "Taiwan"}]
    # without a [relevance] table every tag is core
    plain = book(tmp_path, BASIC.replace('with = ["@chip"]', ""), "plain.toml")
    assert classify(plain, "New rules restrict exports of copper").tags[0].relevance == "core"


def test_a_footer_and_navigation_never_tag(tmp_path):
    path = book(tmp_path, EXTRAS)
    footer = ("Acme opened a new office. Staff moved in on Monday.\n"
              "About Acme\nAcme makes chips and has to restrict chip sales to some buyers.")
    assert classify(path, "Acme opens an office", footer).labels == []
    # the same sentence in the body does tag
    assert classify(path, "Acme opens an office", footer.replace("About Acme\n", "")).labels \
        == ["export_control"]
    menu = ("Home\nShare\nRestrict chip exports\nTariffs\n"
            "Acme opened a new office in the city, the company said on Monday.")
    assert classify(path, "Acme opens an office", menu).labels == []
    row = ("Acme opened a new office in the city, the company said on Monday.\n"
           "News | Restrict chip exports | Contact us")
    assert classify(path, "Acme opens an office", row).labels == []


def test_a_list_in_the_middle_of_a_body_is_not_navigation(tmp_path):
    path = book(tmp_path, EXTRAS)
    text = ("The agency announced three measures on Monday, as follows.\n"
            "- restrict chip exports\n- restrict chip tools\n- review licences\n- more audits\n"
            "The measures take effect next month, the agency said.")
    assert classify(path, "Agency acts", text).labels == ["export_control"]


def test_a_first_mention_deep_in_a_long_body_counts_less(tmp_path):
    path = book(tmp_path, BASIC + "\n[settings]\nlead_sentences = 2\ndepth_factor = 0.5\n")
    filler = "The weather was fine. " * 3
    early = classify(path, "News", "Officials restrict chip sales. " + filler)
    deep = classify(path, "News", filler + "Officials restrict chip sales.")
    assert early.scores["export_control"] == 3 and early.labels == ["export_control"]
    assert deep.scores["export_control"] == 1.5 and deep.labels == []


def test_new_tables_report_their_mistakes(tmp_path):
    cases = [
        ('[relevance]\ncore = ["@nothing"]\n[categories.tariff]\n',
         r"\[relevance\]: core: '@nothing' names no \[vocab\] list"),
        ("[settings]\ndepth_factor = 2\n[categories.tariff]\n",
         r"\[settings\] depth_factor: input should be less than or equal to 1"),
        ('[evidence]\nbonus = -1\n[categories.tariff]\n', r"\[evidence\] bonus"),
        ('[boilerplate]\nfooters = ["x"]\n[categories.tariff]\n',
         r"\[boilerplate\] footers: unknown key"),
        ('[vocab]\na = ["@b"]\nb = ["@a"]\n[categories.tariff]\n[[categories.tariff.rules]]\n'
         'terms = ["@a"]\nweight = 1\n', r"lists name each other in a circle: @a -> @b -> @a"),
    ]
    for body, expected in cases:
        path = book(tmp_path, body, "broken.toml")
        with pytest.raises(ConfigError, match=expected):
            load_rules(path)


def test_a_vocab_list_may_name_another(tmp_path):
    path = book(tmp_path, BASIC.replace(
        'chip = ["chip", "chips", "semiconductor*", "晶片"]',
        'chip = ["chip", "chips", "@tools"]\n    tools = ["lithography"]'))
    assert classify(path, "New rules restrict lithography exports").labels == ["export_control"]


def test_chinese_terms_match_either_sides_word(tmp_path):
    path = book(tmp_path, BASIC)  # the rule's chip term is written 晶片 (Taiwan)
    for title in ("管制晶片出口", "管制芯片出口"):
        assert classify(path, title).labels == ["export_control"], title


def test_a_very_long_sentence_is_quoted_around_the_match_in_whole_words(tmp_path):
    path = book(tmp_path, BASIC)
    words = " ".join(f"word{n}" for n in range(150))
    tag = classify(path, "News", f"{words} officials restrict chip sales {words}.").tags[0]
    quote = tag.evidence[0]["sentence"]
    assert quote.startswith("…word") and quote.endswith("…") and len(quote) <= 402
    assert "officials restrict chip sales" in quote
    assert all(w.startswith("word") or w in ("officials", "restrict", "chip", "sales")
               for w in quote.strip("…").split())
