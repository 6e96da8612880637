"""chipwatch's Datasette plugin: Chinese-aware ?_search=, titles that link to the source or
to their event's page, the event's own header on that page, and Atom feeds that stay valid
when a category has nothing yet.

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
from urllib.parse import urlsplit

from datasette import hookimpl
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from store.search import fts_query

LINKED_TITLES = {"reading", "event_reading"}
CSS_URL = f"/-/static-plugins/{__name__}/browse.css"
EVENT_PAGE = "/chipwatch/event"
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


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """Titles link: an event's to its page (/chipwatch/event?id=N), a document's to where it
    was published; a URL shows as its host; an event id opens the event's page."""
    if table not in LINKED_TITLES and table is not None:
        return None
    event_id = _cell(row, "event_id")
    if column == "event_id" and isinstance(value, int):
        return _event_link(value, str(value))
    if column == "title" and isinstance(value, str) and isinstance(event_id, int) and \
            table != "reading":
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
        return {"chipwatch_event": event, "chipwatch_event_id": event_id}
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
