"""chipwatch's Datasette plugin: Chinese-aware ?_search=, a search with nothing to search
for explained, titles that open their document's or event's page, the event's own header on
that page, a page per document (/chipwatch/document?id=...), the columns the reading pages
show (their templates are in templates/), footnotes ready to copy, and Atom feeds that stay
valid when a category has nothing yet.

Datasette turns the search box into a MATCH expression with the SQL function `escape_fts`.
This plugin registers its own `escape_fts` on every connection, after Datasette's
(`trylast`), which rewrites Chinese in either script the way documents were indexed
(see store/search.py); English queries are escaped exactly as before.

datasette-atom 0.9 answers 500 for a query with no rows (it takes the newest `atom_updated`
of nothing); the `.atom` renderer registered here, also `trylast` so it replaces
datasette-atom's, hands rows to datasette-atom and answers an empty, valid feed otherwise.

Nothing is writable: Datasette reads through read-only connections, no canned query writes,
and every request other than GET or HEAD is answered 405 before it reaches Datasette.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from urllib.parse import quote, urlsplit

from datasette import hookimpl
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from store.browse import DATABASE_NAME as DATABASE
from store.browse import NAMES_PLUGIN
from store.citations import event_footnotes
from store.document_page import document_page
from store.search import fts_query, search_problem
from store.week import week_ago
from vocab.languages import language_name
from vocab.sources import sources

LINKED_TITLES = {"reading", "event_reading", "digest_documents"}
# JSON lists shown as words on the reading pages (the JSON and CSV keep them as stored).
LIST_COLUMNS = {"categories", "sources", "languages", "instruments", "actors"}
CSS_URL = f"/-/static-plugins/{__name__}/browse.css"
EVENT_PAGE = f"/{DATABASE}/event"
DOCUMENT_PAGE = f"/{DATABASE}/document"
READ_METHODS = {"GET", "HEAD"}


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def read_only(scope, receive, send):
            if scope["type"] == "http" and scope.get("method", "GET") not in READ_METHODS:
                body = b"chipwatch browse is read-only: only GET and HEAD are accepted\n"
                await send({"type": "http.response.start", "status": 405, "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"allow", b"GET, HEAD"),
                    (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
            await app(scope, receive, send)
        return read_only
    return wrap


@hookimpl
def register_routes():
    return [(f"^{DOCUMENT_PAGE}$", document_view)]


async def document_view(datasette, request):
    """A document's page: title, source, date, every tag with its evidence highlighted, its
    facts, its event and editions, its revisions with what changed, its footnotes."""
    doc_id = request.args.get("id", "").strip()
    page = None
    if doc_id:
        from sqlite_utils import Database

        page = await datasette.get_database(DATABASE).execute_fn(
            lambda conn: document_page(Database(conn), doc_id))
    html = await datasette.render_template(
        "chipwatch-document.html", {"page": page, "doc_id": doc_id, "database": DATABASE,
                                    "names": display_names(datasette)},
        request=request)
    return Response.html(html, status=200 if page else 404)


def display_names(datasette) -> dict[str, dict[str, str]]:
    """The titles of the categories and instruments of the rules file in use, by name
    ("categories", "instruments"); a name not declared there is shown as it is."""
    config = datasette.plugin_config(NAMES_PLUGIN) or {}
    return {"categories": config.get("category_titles", {}),
            "instruments": config.get("instrument_titles", {})}


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["chipwatch_mark"] = mark_match
    env.filters["chipwatch_language"] = language_name
    env.filters["chipwatch_host"] = lambda url: urlsplit(url or "").hostname or url


def mark_match(sentence: str, match: str | None) -> Markup:
    """The sentence, escaped, with the words that matched in <mark> (any case)."""
    sentence = sentence or ""
    at = sentence.lower().find((match or "").lower()) if match else -1
    if at < 0:
        return Markup(escape(sentence))
    end = at + len(match)
    return Markup("{}<mark>{}</mark>{}").format(sentence[:at], sentence[at:end], sentence[end:])


@hookimpl(trylast=True)
def prepare_connection(conn):
    conn.create_function("escape_fts", 1, fts_query, deterministic=True)


@hookimpl
def extra_css_urls():
    return [CSS_URL]  # its rules are scoped by the pages' body classes


def _cell(row, column):
    try:
        return row[column]
    except (KeyError, IndexError):
        return None


def _event_link(event_id, text) -> Markup:
    return Markup('<a href="{}?id={}">{}</a>').format(EVENT_PAGE, int(event_id), escape(text))


def _document_link(doc_id, text) -> Markup:
    return Markup('<a href="{}?id={}">{}</a>').format(DOCUMENT_PAGE, quote(doc_id, safe=""),
                                                     escape(text))


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """Titles link: a document's to its page (/chipwatch/document?id=...), an event's to its
    page (/chipwatch/event?id=N); a URL shows as its host, linking to the source; an event or
    document id opens its page."""
    if table not in LINKED_TITLES and table is not None:
        return None
    event_id = _cell(row, "event_id")
    document_id = _cell(row, "document_id")
    if column == "event_id" and isinstance(value, int):
        return _event_link(value, str(value))
    if column == "document_id" and isinstance(value, str):
        return _document_link(value, value)
    if column in LIST_COLUMNS and isinstance(value, str) and value.startswith("["):
        return _list_cell(column, value, datasette)
    if column == "source" and isinstance(value, str) and value in sources():
        return Markup('<span title="{}">{}</span>').format(value, sources()[value].short)
    if column == "title" and isinstance(value, str):
        if isinstance(document_id, str):
            return _document_link(document_id, value)
        if isinstance(event_id, int):
            return _event_link(event_id, value)
    if column not in ("title", "url"):
        return None
    url = _cell(row, "url")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        return None
    text = value if column == "title" else urlsplit(url).hostname or url
    if not isinstance(text, str):
        return None
    return Markup('<a href="{}" rel="noopener noreferrer">{}</a>').format(url, escape(text))


def _list_cell(column, value, datasette) -> Markup | None:
    """A JSON list as words: sources by their short names, categories and instruments by
    their titles, the rest as stored."""
    try:
        items = json.loads(value)
    except ValueError:
        return None
    if not isinstance(items, list):
        return None
    if column == "sources":
        items = [sources()[i].short if i in sources() else i for i in items]
    elif column in ("categories", "instruments"):
        names = display_names(datasette)[column]  # read only for the cells that show them
        items = [names.get(i, i) for i in items]
    return Markup(escape(", ".join(str(i) for i in items)) if items else "&mdash;")


# What the reading pages show of each row, in order (every column stays in the JSON, the CSV
# and the facets); a canned query's feed columns (atom_*) are never shown.
SHOWN_COLUMNS = {
    "reading": ("title", "date", "source", "language", "categories", "relevance", "evidence"),
    "event_reading": ("title", "date", "latest", "categories", "relevance", "sources",
                      "documents", "evidence"),
}
FEED_COLUMNS = ("atom_id", "atom_title", "atom_updated", "atom_content_html", "atom_link",
                "url", "event_id")


@hookimpl(specname="extra_template_vars")
def reading_template_vars(template, database, table, view_name, request, datasette):
    """The reading pages' columns, and what is wrong with a search that cannot match."""
    if request is None or database != DATABASE:
        return {}
    found = {"chipwatch_shown": SHOWN_COLUMNS.get(table), "chipwatch_feed_columns": FEED_COLUMNS}
    if table == "reading":  # "this week" as everywhere else (store/week.py)
        since = week_ago(datetime.now(timezone.utc))
        found["chipwatch_this_week"] = (f"/{DATABASE}/reading?first_seen__gte={quote(since)}"
                                        "&_sort_desc=first_seen")  # by its index
    search = request.args.get("_search")
    if search is not None:
        found["chipwatch_search_problem"] = search_problem(search)
    return found


@hookimpl
def extra_template_vars(template, database, view_name, request, datasette):
    """On the event page, the event itself: its title, dates, categories and sources."""
    if template != "query-chipwatch-event.html" or request is None:
        return {}

    async def event():
        try:
            event_id = int(request.args.get("id", ""))
        except ValueError:
            return {"chipwatch_event": None}
        result = await datasette.get_database(database).execute(
            "select * from events where id = ?", [event_id])
        row = result.first()
        event = dict(row) if row else None
        for key in ("categories", "sources", "languages"):
            if event:
                event[key] = json.loads(event[key] or "[]")
        citations = None
        if event:
            from sqlite_utils import Database

            citations = await datasette.get_database(database).execute_fn(
                lambda conn: event_footnotes(Database(conn), event_id))
        return {"chipwatch_event": event, "chipwatch_event_id": event_id,
                "chipwatch_citations": citations, "chipwatch_names": display_names(datasette)}
    return event


@hookimpl(trylast=True)
def register_output_renderer(datasette):
    import datasette_atom

    def render(datasette, request, sql, columns, rows, database, table, query_name,
               view_name, data):
        if rows:
            return datasette_atom.render_atom(datasette, request, sql, columns, rows,
                                              database, table, query_name, view_name, data)
        return _empty_feed(datasette, request, database, query_name)

    return {"extension": "atom", "render": render,
            "can_render": datasette_atom.can_render_atom}


def _empty_feed(datasette, request, database, query_name):
    from feedgen.feed import FeedGenerator

    title = "chipwatch"
    if query_name:
        query = (datasette.metadata(database=database) or {}).get("queries", {}).get(query_name)
        if isinstance(query, dict):
            title = query.get("title") or query_name
    feed = FeedGenerator()
    feed.id(request.url)
    feed.title(title)
    feed.link(href=request.url, rel="self")
    feed.updated(datetime.now(timezone.utc))
    return Response(feed.atom_str(pretty=True), status=200,
                    content_type="application/xml; charset=utf-8")
