"""The pages made for reading, through Datasette's own app (ds.client): a document's page
(tags, evidence, facts, event, editions, revisions, footnotes), the category pages, a search
with nothing to search for, and "this week" meaning the same on the pages and in `status`.
The browser sees the same pages in test_browse_chromium.py."""

from __future__ import annotations

import asyncio
import re
from datetime import date, timedelta
from html import unescape
from urllib.parse import quote

import pytest

from store.documents import upsert_documents
from tests import browse_demo
from tests.conftest import chipwatch, write_config
from tracker.browse import make_datasette

RULE = "federal_register:2026-17231"


def edition(lang: str, title: str) -> dict:
    """A made-up release of the TSMC newsroom in three editions (neutral filler)."""
    doc = browse_demo.synthetic("9001", "tsmc", lang, title, "Filler text for a test.",
                                "2026-03-05", url=f"https://pr.tsmc.com/{lang}/news/9001")
    doc["group_key"] = "tsmc:9001"
    doc["id"] = "tsmc:9001" if lang == "en" else f"tsmc:9001:{lang}"
    return doc


EDITIONS = [edition("en", "Test release of the board"), edition("zh-Hant", "測試董事會決議"),
            edition("zh-Hans", "测试董事会决议")]
# Published years ago, first seen an hour ago: this week's news, as "this week" counts.
OLD_BUT_NEW = browse_demo.synthetic("old-1", "commerce", "en", "Test release found late",
                                    "A release from long ago that chipwatch found only now.",
                                    "2019-05-01")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reading")
    path = tmp / "chipwatch.db"
    # the Federal Register documents published in the last days, but first seen long ago
    db = browse_demo.build(path, newest=date.today() - timedelta(days=1),
                           extra=[*EDITIONS, OLD_BUT_NEW],
                           extra_tags={"old-1": [("investment_pressure", 2.0, "release")]})
    rule = next(db.query("select * from documents where id = ?", [RULE]))
    upsert_documents(db, [{**rule, "text": rule["text"] + "\nA sentence added later."}])
    db.close()
    config = write_config(tmp, {})
    fixed = chipwatch("tags", "2026-17230", "--add", "tariff", "--why", "A test correction",
                      "--by", "tester", "--config", str(config), "--db", str(path))
    assert fixed.returncode == 0, fixed.stderr
    return {"path": path, "config": config}


@pytest.fixture(scope="module")
def ds(store):
    return make_datasette(store["path"])


def get(ds, path):
    return asyncio.run(ds.client.get(path))


def document(ds, doc_id):
    response = get(ds, f"/chipwatch/document?id={quote(doc_id, safe='')}")
    assert response.status_code == 200, response.text[-2000:]
    return response.text


def test_a_document_page_shows_everything_about_it(ds):
    html = document(ds, RULE)
    assert "Revisions to the Entity List</h1>" in html
    assert "<strong>Federal Register</strong>" in html
    assert re.search(r"<mark>Entity List</mark>", html, re.I)  # the evidence, marked
    assert "score 3.00" in html and "relevance <strong>core</strong>" in html
    assert "“Revisions to the Entity List,” Federal Register," in html
    assert "《Revisions to the Entity List》，美國聯邦公報，" in html
    assert re.search(r'href="/chipwatch/event\?id=\d+">its event', html)


def test_a_revision_shows_what_changed(ds):
    html = document(ds, RULE)
    revisions = html[html.index("<h2>Revisions</h2>"):html.index("<h2>Text</h2>")]
    assert "Revision 2 (now)" in revisions and "text changed" in revisions
    assert '<span class="chipwatch-added">+A sentence added later.</span>' in revisions
    assert "revision 2" in html  # in the document's own line


def test_an_analysts_tag_correction_is_in_its_history(ds):
    html = document(ds, "federal_register:2026-17230")
    assert "Tag corrections" in html
    assert "tester: added tariff" in html and "A test correction" in html
    assert "given by an analyst" in html  # the tag it gave
    revisions = html[html.index("<h2>Revisions</h2>"):html.index("<h2>Text</h2>")]
    assert "categories changed" in revisions  # the re-tag is a revision of its own
    assert "Categories: added <ins>tariff</ins>" in revisions


def test_editions_link_each_other_and_each_is_cited_in_its_language(ds):
    html = document(ds, "tsmc:9001")
    editions = html[html.index("<h2>Editions</h2>"):html.index("<h2>Revisions</h2>")]
    for other in ("tsmc%3A9001%3Azh-Hant", "tsmc%3A9001%3Azh-Hans"):
        assert f'/chipwatch/document?id={other}"' in editions
    assert ("《測試董事會決議》，台積公司，2026年3月5日，"
            "https://pr.tsmc.com/zh-Hant/news/9001。") in html
    assert "“Test release of the board,” TSMC, March 5, 2026," in html


def test_an_unknown_document_is_a_404_that_says_where_to_look(ds):
    response = get(ds, "/chipwatch/document?id=nothing%3Ahere")
    assert response.status_code == 404
    assert "There is no document" in response.text and "/chipwatch/reading" in response.text


def test_an_event_page_shows_its_footnotes(ds):
    html = document(ds, RULE)
    event_href = re.search(r'href="(/chipwatch/event\?id=\d+)">its event', html).group(1)
    page = get(ds, event_href).text
    assert "“Revisions to the Entity List,” Federal Register," in page
    assert "《Revisions to the Entity List》" in page


def test_the_category_pages_read_like_lists_and_stay_feeds(ds):
    page = get(ds, "/chipwatch/export_control")
    assert page.status_code == 200
    assert "Custom SQL query" not in page.text and 'id="sql-query"' not in page.text
    headers = re.findall(r'<th class="col-([\w-]+)"', page.text)
    assert "title" in headers and not [h for h in headers if h.startswith("atom")]
    assert re.search(r'<a href="/chipwatch/event\?id=\d+">Revisions to the Entity List</a>',
                     page.text)
    data = get(ds, "/chipwatch/export_control.json?_shape=array").json()
    assert data and "atom_id" in data[0]  # the feed's columns are still there for the feed
    assert get(ds, "/chipwatch/export_control?_hide_sql=0").status_code == 200


@pytest.mark.parametrize("query", ['"', '""', "-", "“"])
def test_a_search_with_nothing_to_search_for_is_explained(ds, query):
    page = get(ds, f"/chipwatch/reading?_search={quote(query)}")
    assert page.status_code == 200
    assert "Invalid SQL" not in page.text
    assert "Nothing to search for." in page.text and "no words to search for" in page.text
    data = get(ds, f"/chipwatch/reading.json?_search={quote(query)}&_shape=array")
    assert data.status_code == 200 and data.json() == []


def test_a_word_left_out_of_a_search_is_said(ds):
    page = get(ds, f"/chipwatch/reading?_search={quote('entity -')}")
    assert "Invalid SQL" not in page.text and "was left out of the search" in page.text
    assert "Revisions to the Entity List" in page.text


def test_this_week_is_what_was_first_seen_in_the_last_seven_days_everywhere(ds, store):
    week = get(ds, "/chipwatch/this_week.json?_shape=array").json()
    titles = {row["title"] for row in week}
    # found an hour ago though published in 2019: this week's; published yesterday but
    # first seen in October: not
    assert "Test release found late" in titles
    assert not [t for t in titles if "Entity List" in t]
    status = chipwatch("status", "--config", str(store["config"]), "--db", str(store["path"]))
    assert status.returncode == 0, status.stderr
    cells = [re.split(r"\s{2,}", line.strip()) for line in status.stdout.splitlines()]
    this_week = {row[0]: int(row[4]) for row in cells
                 if row[0] in ("federal_register", "commerce")}
    assert this_week == {"federal_register": 0, "commerce": 1}
    # and the reading view's first_seen says the same of each document
    rows = get(ds, "/chipwatch/reading.json?_shape=array&_size=max&source=commerce").json()
    assert [r["first_seen"] >= r["published"] for r in rows] == [True]


def test_the_reading_pages_this_week_link_lists_what_status_counts(ds, store):
    page = get(ds, "/chipwatch/reading").text
    link = re.search(r'href="(/chipwatch/reading\?first_seen__gte=[^"]+)"[^>]*>this week<',
                     page).group(1)
    link = unescape(link)
    listed = get(ds, link.replace("/reading?", "/reading.json?_shape=array&_size=max&")).json()
    expected = {d["id"] for d in [*EDITIONS, OLD_BUT_NEW]}
    assert {r["document_id"] for r in listed} == expected
    status = chipwatch("status", "--config", str(store["config"]), "--db", str(store["path"]))
    cells = [re.split(r"\s{2,}", line.strip()) for line in status.stdout.splitlines()[1:]]
    counted = sum(int(row[4]) for row in cells if len(row) >= 5 and row[4].isdigit())
    assert counted == len(expected)


def test_categories_and_instruments_are_shown_by_their_names(ds):
    """Named as the rules file names them; the key stays in the link and its tooltip."""
    html = document(ds, RULE)
    assert re.search(r'categories__arraycontains=export_control" title="export_control">'
                     r'Export controls</a>', html)
    assert not re.search(r">\s*export_control\s*<", html)
    event_href = re.search(r'href="(/chipwatch/event\?id=\d+)">its event', html).group(1)
    header = get(ds, event_href).text
    assert re.search(r"&middot; Export controls(, [A-Z][^&<]*)? &middot;", header), header[:3000]
    reading = get(ds, "/chipwatch/reading?document_id=" + quote(RULE, safe="")).text
    cells = re.findall(r'<td class="col-categories[^"]*"[^>]*>([^<]*)</td>', reading)
    assert cells and "Export controls" in cells[0], reading[-3000:]
    assert "export_control" not in cells[0]
