"""One vocabulary: a source, a category or a language is declared once and everything else
derives from it. An analyst's own rules file with a new category works end to end."""

from __future__ import annotations

import asyncio
import json

import pytest

from store import open_db
from store.documents import upsert_documents
from tests.conftest import chipwatch, write_config
from tracker import config as config_module
from tracker.browse import make_datasette
from tracker.classify import DEFAULT_RULES
from vocab.categories import read_categories
from vocab.sources import sources

pytestmark = pytest.mark.timeout(180)

# A category of the analyst's own: the subsidy race between governments over chip fabs.
OWN_CATEGORY = """

[categories.subsidy_race]
title = "Subsidy race"
title_zh = "補貼競賽"
singular = "subsidy race item"
plural = "subsidy race items"
description = "Governments outbidding each other with subsidies for chip fabs."

[[categories.subsidy_race.rules]]
name = "subsidy race"
terms = ["subsidy race", "subsidy war", "補貼競賽", "补贴竞赛"]
weight = 5
"""


@pytest.fixture
def own_rules(tmp_path):
    path = tmp_path / "my-rules.toml"
    path.write_text(DEFAULT_RULES.read_text(encoding="utf-8") + OWN_CATEGORY, encoding="utf-8")
    return path


def test_a_new_category_is_classified_filtered_on_and_named_in_the_digest(tmp_path, own_rules):
    out = tmp_path / "out"
    config = write_config(tmp_path, {}, extra=f"""
        [classifier]
        rules = "{own_rules}"

        [alerts.file]
        directory = "{out}"
        categories = ["subsidy_race"]
        """)
    line = {"title": "Europe and Asia enter a subsidy race for chip fabs", "text": ""}
    done = chipwatch("classify", "--config", str(config), input=json.dumps(line) + "\n")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["labels"] == ["subsidy_race"]

    db = open_db(tmp_path / "chipwatch.db")
    upsert_documents(db, [
        {"id": "commerce:race", "source": "commerce", "external_id": "race", "lang": "en",
         "url": "https://www.commerce.gov/news/press-releases/2026/03/race",
         "title": "Europe and Asia enter a subsidy race for chip fabs", "text": "",
         "published": "2026-03-02", "metadata": {}},
        {"id": "commerce:other", "source": "commerce", "external_id": "other", "lang": "en",
         "url": "https://www.commerce.gov/news/press-releases/2026/03/other",
         "title": "Additions to the Entity List", "text": "", "published": "2026-03-02",
         "metadata": {}}])
    db.close()
    assert chipwatch("reclassify", "--config", str(config)).returncode == 0
    done = chipwatch("digest", "--config", str(config), "--channel", "file")
    assert done.returncode == 0, done.stderr
    [text] = [p.read_text(encoding="utf-8") for p in out.glob("*.txt")]
    assert "Subsidy race (1)" in text
    assert "1 subsidy race item" in text
    assert "Europe and Asia enter a subsidy race for chip fabs" in text
    assert "Additions to the Entity List" not in text  # export_control: not this channel's


def test_the_new_category_has_its_canned_query_and_feed(tmp_path, own_rules):
    config = config_module.parse({"classifier": {"rules": str(own_rules)}},
                                 tmp_path / "config.toml")
    assert config.categories.names[-1] == "subsidy_race"
    open_db(tmp_path / "chipwatch.db").close()
    ds = make_datasette(tmp_path / "chipwatch.db", config.categories)

    async def get(path):
        return await ds.client.get(path)

    page = asyncio.run(get("/chipwatch/subsidy_race.json"))
    assert page.status_code == 200 and page.json()["ok"]
    feed = asyncio.run(get("/chipwatch/subsidy_race.atom"))
    assert feed.status_code == 200 and b"Subsidy race, newest first" in feed.content


def test_a_channel_cannot_name_a_category_its_rules_file_lacks(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[alerts.file]\ncategories = ["subsidy_race"]\n', encoding="utf-8")
    done = chipwatch("status", "--config", str(path), "--db", str(tmp_path / "x.db"))
    assert done.returncode == 2
    assert "[alerts.file] categories[0]: 'subsidy_race' is not allowed" in done.stderr


def test_sources_come_from_the_registry_everywhere():
    names = list(sources())
    config = config_module.defaults()
    assert [name for name, _ in config.sources.items()] == names
    for name, entry in sources().items():
        options = config.source(name)
        assert options.base_url == entry.base_url
        assert options.max_pages == entry.max_pages
        assert options.stale_after_days == entry.stale_after_days


def test_the_shipped_categories_have_display_names_in_both_languages():
    shipped = read_categories(DEFAULT_RULES)
    assert shipped.names == ["investment_pressure", "export_control", "alliance", "tariff"]
    assert [c.title for c in shipped.items] == ["Investment pressure", "Export controls",
                                               "Alliances", "Tariffs"]
    assert all(c.title_zh != c.title for c in shipped.items)
    assert shipped.get("export_control").counted(2) == "2 export controls"


def test_spiders_yield_exactly_the_one_document_shape():
    from crawler.items import make_document
    from vocab.documents import DOCUMENT_FIELDS

    doc = make_document(source="bis", external_id="https://www.bis.gov/press-release/x",
                        lang="en", url="https://www.bis.gov/press-release/x", title="A title",
                        published="2026-03-02")
    assert tuple(doc) == DOCUMENT_FIELDS
