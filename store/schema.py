"""The schema, as sqlite-utils migrations. Append new migrations; never edit applied ones."""

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("chipwatch")


@migrations()
def m001_documents(db: Database) -> None:
    db["documents"].create(
        {
            "id": str,  # source:identity, stable across runs
            "source": str,
            "external_id": str,
            "lang": str,
            "url": str,
            "title": str,
            "text": str,
            "summary": str,
            "dateline": str,
            "published": str,  # ISO date or date-time, as precise as the source gives it
            "date_precision": str,  # "day" | "datetime"
            "timezone": str,  # the source's zone, e.g. America/New_York
            "doc_type": str,
            "group_key": str,  # links editions of one story, or a correction to its document
            "metadata": str,  # JSON: the source's own fields
            "content_hash": str,
            "revision": int,
            "first_seen": str,
            "last_seen": str,
            "changed_at": str,
        },
        pk="id",
        not_null={"source", "external_id", "lang", "url", "title", "content_hash"},
    )
    db["documents"].create_index(["source", "published"])
    db["documents"].create_index(["group_key"])
    db["documents"].create_index(["first_seen"])

    # The content a document had before each recorded change.
    db["document_revisions"].create(
        {
            "document_id": str,
            "revision": int,
            "recorded_at": str,
            "content_hash": str,
            "title": str,
            "text": str,
            "published": str,
            "metadata": str,
        },
        pk=("document_id", "revision"),
        foreign_keys=[("document_id", "documents", "id")],
    )

    db["crawl_runs"].create(
        {
            "id": int,
            "source": str,
            "kind": str,  # routine | backfill
            "started": str,
            "finished": str,
            "status": str,  # running | ok | failed | interrupted
            "finish_reason": str,
            "pages_fetched": int,
            "bytes_received": int,
            "documents_seen": int,
            "documents_new": int,
            "documents_changed": int,
            "error_count": int,
            "errors": str,  # JSON list of sentences a person can act on
            "stats": str,  # JSON: Scrapy's own stats for the crawl
        },
        pk="id",
    )
    db["crawl_runs"].create_index(["source", "started"])

    # Which documents have been shown in which channel's digest (stdout until alerts grow).
    db["digest_marks"].create(
        {"channel": str, "document_id": str, "digest_id": str, "marked_at": str},
        pk=("channel", "document_id"),
        foreign_keys=[("document_id", "documents", "id")],
    )


@migrations()
def m002_tags(db: Database) -> None:
    # One row per (document, category) the classifier gave; evidence is a JSON list of
    # {"sentence": ..., "match": ...}. `documents.categories` mirrors the set for facets.
    db["document_tags"].create(
        {
            "document_id": str,
            "category": str,
            "score": float,
            "evidence": str,
            "classifier_version": str,
            "tagged_at": str,
        },
        pk=("document_id", "category"),
        foreign_keys=[("document_id", "documents", "id")],
    )
    db["document_tags"].create_index(["category"])
    db["documents"].add_column("categories", str)  # JSON array, [] when classified as none
    db["documents"].add_column("classifier_version", str)


@migrations()
def m003_outbox(db: Database) -> None:
    # One row per digest: created once per channel and period, in the same transaction that
    # writes its digest_marks (digest_marks.digest_id = outbox.id). The payload is rendered
    # once, so a retry sends exactly what the first attempt sent (same Message-ID).
    db["outbox"].create(
        {
            "id": str,  # channel:kind:period, e.g. email:daily:2026-03-02
            "channel": str,
            "kind": str,  # daily | cycle | manual | urgent
            "period": str,
            "created_at": str,
            "status": str,  # pending | sending | sent | failed | empty (nothing to send)
            "attempts": int,
            "next_attempt": str,  # UTC; a pending row is sent once this has passed
            "sending_since": str,  # set with status sending; a stale one was interrupted
            "parts_sent": int,  # Slack: messages already accepted, skipped on a retry
            "last_error": str,
            "sent_at": str,
            "document_count": int,
            "payload": str,  # JSON: subject, text, html, slack messages, message_id
        },
        pk="id",
        not_null={"channel", "kind", "period", "status"},
        defaults={"attempts": 0, "parts_sent": 0, "document_count": 0},
    )
    db["outbox"].create_index(["status", "next_attempt"])
    db["outbox"].create_index(["channel", "created_at"])


@migrations()
def m004_search(db: Database) -> None:
    # Bilingual full-text search (see store/search.py) and the views Datasette shows.
    from . import search, views

    search.create_search(db)
    search.reindex_all(db)
    db.execute(views.READING_V1)
    db.execute(views.SOURCE_HEALTH_V1)
    db.execute(views.FEED_ENTRIES_V1)


@migrations()
def m005_health_verdicts(db: Database) -> None:
    # The daemon's last health verdict per source (ok, quiet, stale, broken, disabled), so
    # that only a change of health is announced.
    db["health_verdicts"].create(
        {"source": str, "health": str, "detail": str, "since": str, "checked_at": str},
        pk="source",
    )


@migrations()
def m006_scale(db: Database) -> None:
    # What a million documents need: a search reads only the matching documents (see
    # views.READING_V2), the reading view and the digest's window go by index, not by a
    # scan of every document.
    from . import views

    db.execute("drop view if exists reading")
    db.execute(views.READING_V2)
    db["documents"].create_index(["published"], if_not_exists=True)


@migrations()
def m007_run_pid(db: Database) -> None:
    # The process that runs a crawl, so a run left 'running' by a process that died can be
    # told from one still in progress in another process.
    db["crawl_runs"].add_column("pid", int)


@migrations()
def m008_tag_relevance(db: Database) -> None:
    # Whether chips, chipmaking, the chip industry's companies or Taiwan are a tag's subject
    # ("core") or not ("wider": a tariff on copper), and the sentence that showed it (JSON
    # like `evidence`). Tags written before this are NULL until reclassified.
    db["document_tags"].add_column("relevance", str)
    db["document_tags"].add_column("relevance_evidence", str)


@migrations()
def m009_events(db: Database) -> None:
    # Events: one policy action and every document about it (see store/events.py). Each
    # document belongs to exactly one event (event_documents' key is the document); a link
    # between two documents records why it was made (event_links); the identifiers and
    # titles the linker compares are kept per document (document_keys). Analysts' corrections
    # are audited (corrections) and kept as constraints the linker obeys (event_constraints)
    # and tag changes the classifier's output is adjusted by (tag_overrides).
    from . import events, views

    db["events"].create(
        {
            "id": int,
            "title": str,  # of an English document where there is one
            "title_zh": str,  # of a Chinese document, when the event has one
            "lead_document_id": str,  # the document the title comes from
            "first_date": str,  # the earliest publication day of its documents (ISO)
            "last_date": str,  # the latest
            "categories": str,  # JSON: its documents' categories, strongest first
            "relevance": str,  # core | wider (every tag wider) | null (no tag)
            "sources": str,  # JSON list
            "languages": str,  # JSON list
            "document_count": int,
            "created_at": str,
            "updated_at": str,  # when a document last joined or left it
        },
        pk="id",
    )
    db["events"].create_index(["last_date"])
    db["event_documents"].create(
        {
            "document_id": str,
            "event_id": int,
            "role": str,  # vocab/events.py ROLES
            "reason": str,  # vocab/events.py REASONS: why it is in this event
            "evidence": str,  # what showed it, as a sentence a person can check
            "linked_to": str,  # the document it was linked to (null for the lead)
            "linker_version": str,  # null: placed by the store, not yet linked
            "placed_at": str,
        },
        pk="document_id",
        foreign_keys=[("document_id", "documents", "id"), ("event_id", "events", "id")],
    )
    db["event_documents"].create_index(["event_id"])
    db["event_documents"].create_index(["linker_version"])  # what the next cycle links
    db["event_links"].create(
        {
            "doc_a": str,  # the smaller id of the pair
            "doc_b": str,
            "reason": str,
            "strength": float,  # which link wins when constraints forbid some
            "evidence": str,
            "linker_version": str,
            "linked_at": str,
        },
        pk=("doc_a", "doc_b"),
        foreign_keys=[("doc_a", "documents", "id"), ("doc_b", "documents", "id")],
    )
    db["event_links"].create_index(["doc_b"])
    db["document_keys"].create(
        {"document_id": str, "kind": str, "value": str},
        pk=("document_id", "kind", "value"),
        foreign_keys=[("document_id", "documents", "id")],
    )
    db["document_keys"].create_index(["kind", "value"])
    db["corrections"].create(
        {
            "id": int,
            "kind": str,  # merge | split | tags
            "who": str,
            "at": str,  # UTC
            "why": str,
            "event_ids": str,  # JSON: the events it was made on
            "document_ids": str,  # JSON: the documents it concerns
            "detail": str,  # JSON: what changed (categories added and removed, ...)
        },
        pk="id",
    )
    db["event_constraints"].create(
        {
            "doc_a": str,
            "doc_b": str,
            "kind": str,  # together | apart
            "correction_id": int,
        },
        pk=("doc_a", "doc_b"),
        foreign_keys=[("correction_id", "corrections", "id")],
    )
    db["event_constraints"].create_index(["doc_b"])
    db["tag_overrides"].create(
        {
            "document_id": str,
            "category": str,
            "action": str,  # add | remove
            "relevance": str,  # of an added tag: core | wider
            "correction_id": int,
        },
        pk=("document_id", "category"),
        foreign_keys=[("document_id", "documents", "id"), ("correction_id", "corrections", "id")],
    )
    # Who gave a tag: the classifier, or an analyst's correction.
    db["document_tags"].add_column("origin", str)
    db.execute("drop view if exists reading")
    db.execute(views.READING_V3)
    db.execute(views.EVENT_READING_V1)
    db.execute(views.EVENT_FEED_ENTRIES_V1)
    events.place_by_group(db)


@migrations()
def m011_digest_lists_and_notices(db: Database) -> None:
    # A digest too large for one message links to its full list (the digest_documents view,
    # found by digest_id); a source's health notice is sent once per change and at most once
    # per [daemon] health_notice_interval: what was last announced, and when.
    from . import views

    db["digest_marks"].create_index(["digest_id"], if_not_exists=True)
    db.execute(views.DIGEST_DOCUMENTS_V1)
    db["health_verdicts"].add_column("announced", str)
    db["health_verdicts"].add_column("announced_at", str)


@migrations()
def m010_facts(db: Database) -> None:
    # What each document states, in tables of their own (see store/facts.py): its
    # instruments, amounts, rates, deadlines and actors, written with its tags; and the
    # reading view gains the instrument and actor names to facet on. Documents classified
    # before this have no facts until `chipwatch reclassify`.
    from . import facts, views

    facts.create_tables(db)
    db.execute("drop view if exists reading")
    db.execute(views.READING_V4)


@migrations()
def m012_revisions_and_channel_marks(db: Database) -> None:
    # A revision is what a document was before a change of its content (a release edited) or
    # of its categories (re-tagged after a rules correction): `document_revisions` keeps the
    # whole earlier state, so that any two revisions can be compared (store/revisions.py).
    # `change` says what moved ("content" or "tags"). Each channel's mark of a document
    # keeps the revision it showed, so that the next digest can say what changed since.
    db["document_revisions"].add_column("summary", str)
    db["document_revisions"].add_column("categories", str)  # JSON list, as documents has it
    db["document_revisions"].add_column("change", str)  # content | tags
    db.execute("update document_revisions set change = 'content' where change is null")
    db["document_revisions"].create_index(["recorded_at"], if_not_exists=True)
    db["digest_marks"].add_column("revision", int)
    db.execute("update digest_marks set revision = (select revision from documents "
               "where documents.id = digest_marks.document_id)")


@migrations()
def m013_reading_pages(db: Database) -> None:
    # The reading view's columns in reading order, with the month of publication (facet)
    # and first_seen (what "this week" counts); same rows as before.
    from . import views

    db.execute("drop view if exists reading")
    db.execute(views.READING_V5)


@migrations()
def m014_browse_counts(db: Database) -> None:
    # Pages that stay quick at a million documents: facet values, row counts and the
    # timeline read from counts kept by triggers, category feeds from an index of the
    # events' categories (store/counts.py).
    from . import counts, views

    counts.create(db)
    db.execute("drop view if exists event_feed_entries")
    db.execute(views.EVENT_FEED_ENTRIES_V2)


@migrations()
def m015_planner_statistics(db: Database) -> None:
    # The planner's statistics, which the cycle keeps in step from now on (store/statistics.py)
    from . import statistics

    statistics.analyse(db)


@migrations()
def m016_no_search_index_statistics(db: Database) -> None:
    # The statistics m015 took of the full-text index's own tables, in a new store nearly
    # empty, made every write to the search index scan it whole (store/statistics.py).
    from . import statistics

    statistics.forget_search_index(db)


@migrations()
def m017_counts_by_batch(db: Database) -> None:
    # A crawl's batch of new documents and their events is counted in one statement per
    # count, not by a trigger per row: the insert triggers step aside while a writer holds
    # them (`counts_held`, see store/counts.py). Same counts.
    from . import counts

    counts.hold_inserts(db)
