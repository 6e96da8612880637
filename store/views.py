"""SQL views made for reading in Datasette. Each constant is the view as one migration
created it: to change a view, add a new constant and a migration that drops and re-creates it.
"""

# One row per document, newest first, with its strongest tag and the sentence behind it.
# `rowid` is the document's row in document_search: Datasette's ?_search= matches it against
# document_search_fts.
READING_V1 = """
create view reading as
select
  d.title,
  d.url,
  d.source,
  d.lang as language,
  substr(d.published, 1, 10) as date,
  d.published,
  coalesce(d.categories, '[]') as categories,
  t.category as top_category,
  round(t.score, 2) as score,
  json_extract(t.evidence, '$[0].sentence') as evidence,
  d.doc_type,
  d.id as document_id,
  s.id as rowid
from documents d
left join document_search s on s.document_id = d.id
left join document_tags t on t.document_id = d.id and t.category = (
  select t2.category from document_tags t2 where t2.document_id = d.id
  order by t2.score desc, t2.category limit 1)
"""

# The same rows as READING_V1, but read from document_search first: Datasette's ?_search=
# filters on `rowid in (select rowid from document_search_fts where ... match ...)`, and
# with documents on the left of a LEFT JOIN SQLite had to read every document to find the
# matching ones; now it looks up only the matches (every stored document has its row in
# document_search: store.documents.upsert_documents writes both in one transaction).
READING_V2 = READING_V1.replace(
    "from documents d\nleft join document_search s on s.document_id = d.id",
    "from document_search s\njoin documents d on d.id = s.document_id")

# Each source's latest finished crawl, what it found, and how long it has been failing.
SOURCE_HEALTH_V1 = """
create view source_health as
select
  r.source,
  case
    when r.status in ('failed', 'interrupted') then 'broken'
    when coalesce(r.documents_new, 0) + coalesce(r.documents_changed, 0) = 0 then 'quiet'
    else 'ok'
  end as health,
  r.status as last_status,
  r.started as last_run,
  r.finish_reason as last_finish_reason,
  r.documents_seen as last_documents_seen,
  r.documents_new as last_documents_new,
  r.error_count as last_error_count,
  json_extract(r.errors, '$[0]') as last_error,
  (select max(o.started) from crawl_runs o
    where o.source = r.source and o.status = 'ok') as last_ok,
  (select count(*) from crawl_runs f
    where f.source = r.source and f.status in ('failed', 'interrupted')
      and f.started > coalesce((select max(o.started) from crawl_runs o
                                where o.source = r.source and o.status = 'ok'), '')
  ) as failures_since_ok,
  (select count(*) from documents d where d.source = r.source) as documents,
  (select max(d.published) from documents d where d.source = r.source) as newest_published
from crawl_runs r
where r.id = (select x.id from crawl_runs x where x.source = r.source and x.status != 'running'
              order by x.started desc, x.id desc limit 1)
"""

# One row per (document, category) with the columns datasette-atom turns into a feed entry.
# Scraped text is HTML-escaped here; datasette-atom also cleans it with bleach.
FEED_ENTRIES_V1 = """
create view feed_entries as
select
  t.category,
  d.id as document_id,
  d.source,
  d.lang as language,
  substr(d.published, 1, 10) as date,
  d.published,
  round(t.score, 2) as score,
  json_extract(t.evidence, '$[0].sentence') as evidence,
  'urn:chipwatch:' || t.category || ':' || d.id as atom_id,
  d.title as atom_title,
  case
    when length(d.published) = 10 then d.published || 'T00:00:00+00:00'
    when d.published like '%Z' or d.published glob '*[+-][0-9][0-9]:[0-9][0-9]'
      then d.published
    else d.published || '+00:00'
  end as atom_updated,
  '<p>' || replace(replace(replace(
      coalesce(json_extract(t.evidence, '$[0].sentence'), ''),
      '&', '&amp;'), '<', '&lt;'), '>', '&gt;') || '</p>'
    || '<p>' || d.source || ' · ' || substr(d.published, 1, 10) || ' · '
    || t.category || ' ' || round(t.score, 2) || '</p>' as atom_content_html,
  d.url as atom_link
from document_tags t
join documents d on d.id = t.document_id
where d.published is not null
"""

# READING_V2 with the document's event and the relevance of its strongest tag ("core" when
# chips or Taiwan are its subject, "wider" otherwise).
READING_V3 = READING_V2.replace(
    "  d.doc_type,\n",
    "  t.relevance,\n  d.doc_type,\n  ed.event_id,\n  ed.role,\n").replace(
    "left join document_tags t on t.document_id = d.id",
    "left join event_documents ed on ed.document_id = d.id\n"
    "left join document_tags t on t.document_id = d.id")

# One row per event, newest activity first: the event's title (English preferred, the Chinese
# one beside it), its dates, categories, sources and languages (JSON arrays, for facets), how
# many documents it has, and the strongest tag's sentence among its documents.
EVENT_READING_V1 = """
create view event_reading as
select
  e.title,
  e.title_zh,
  e.first_date as date,
  e.last_date as latest,
  coalesce(e.categories, '[]') as categories,
  e.relevance,
  e.sources,
  e.languages,
  e.document_count as documents,
  (select json_extract(t.evidence, '$[0].sentence')
     from event_documents x join document_tags t on t.document_id = x.document_id
     where x.event_id = e.id order by t.score desc, t.document_id limit 1) as evidence,
  e.lead_document_id,
  e.id as event_id
from events e
"""

# One row per (event, category) with the columns datasette-atom turns into a feed entry; an
# event that gains a document is updated (atom_updated moves), not a new entry.
EVENT_FEED_ENTRIES_V1 = """
create view event_feed_entries as
select
  c.value as category,
  e.id as event_id,
  e.title,
  e.first_date as date,
  e.last_date as latest,
  e.sources,
  e.languages,
  e.relevance,
  e.document_count as documents,
  (select json_extract(t.evidence, '$[0].sentence')
     from event_documents x join document_tags t on t.document_id = x.document_id
     where x.event_id = e.id and t.category = c.value
     order by t.score desc, t.document_id limit 1) as evidence,
  (select round(max(t.score), 2)
     from event_documents x join document_tags t on t.document_id = x.document_id
     where x.event_id = e.id and t.category = c.value) as score,
  (select d.url from documents d where d.id = e.lead_document_id) as url,
  'urn:chipwatch:event:' || e.id || ':' || c.value as atom_id,
  e.title as atom_title,
  case
    when length(e.last_date) = 10 then e.last_date || 'T00:00:00+00:00'
    else e.last_date
  end as atom_updated,
  '<p>' || replace(replace(replace(coalesce((select json_extract(t.evidence, '$[0].sentence')
     from event_documents x join document_tags t on t.document_id = x.document_id
     where x.event_id = e.id and t.category = c.value
     order by t.score desc, t.document_id limit 1), ''),
      '&', '&amp;'), '<', '&lt;'), '>', '&gt;') || '</p>'
    || '<p>' || e.document_count || ' document' || case when e.document_count = 1 then ''
       else 's' end || ' · ' || replace(replace(replace(coalesce(e.sources, ''), '[', ''),
       ']', ''), '"', '') || ' · ' || e.first_date || '</p>' as atom_content_html,
  (select d.url from documents d where d.id = e.lead_document_id) as atom_link
from events e, json_each(coalesce(e.categories, '[]')) c
where e.first_date is not null
"""

# Every document one digest covered, most important first: where a digest too large for one
# message links to (alerts/bound.py), filtered by `digest_id`.
DIGEST_DOCUMENTS_V1 = """
create view digest_documents as
select
  m.digest_id,
  m.channel,
  d.id as document_id,
  d.title,
  d.url,
  d.source,
  d.lang as language,
  substr(d.published, 1, 10) as date,
  (select t.category from document_tags t where t.document_id = d.id
   order by t.score desc, t.category limit 1) as category,
  (select round(max(t.score), 2) from document_tags t where t.document_id = d.id) as score
from digest_marks m
join documents d on d.id = m.document_id
"""

# READING_V3 with the names of the document's instruments and actors (JSON arrays, facets).
READING_V4 = READING_V3.replace(
    "  coalesce(d.categories, '[]') as categories,\n",
    "  coalesce(d.categories, '[]') as categories,\n"
    "  coalesce(d.instruments, '[]') as instruments,\n"
    "  coalesce(d.actors, '[]') as actors,\n")

# The rows of READING_V4, its columns in reading order (what the reading page shows first),
# with the month of publication (a compact facet: one value per month, not per day) and
# when chipwatch first saw the document (what "this week" counts, store/week.py).
READING_V5 = """
create view reading as
select
  d.title,
  substr(d.published, 1, 10) as date,
  d.source,
  d.lang as language,
  coalesce(d.categories, '[]') as categories,
  t.relevance,
  json_extract(t.evidence, '$[0].sentence') as evidence,
  substr(d.published, 1, 7) as month,
  d.first_seen,
  d.url,
  d.published,
  coalesce(d.instruments, '[]') as instruments,
  coalesce(d.actors, '[]') as actors,
  t.category as top_category,
  round(t.score, 2) as score,
  d.doc_type,
  ed.event_id,
  ed.role,
  d.id as document_id,
  s.id as rowid
from document_search s
join documents d on d.id = s.document_id
left join event_documents ed on ed.document_id = d.id
left join document_tags t on t.document_id = d.id and t.category = (
  select t2.category from document_tags t2 where t2.document_id = d.id
  order by t2.score desc, t2.category limit 1)
"""

# EVENT_FEED_ENTRIES_V1 read from event_categories (store/counts.py), indexed by category
# and latest date: a category's feed or this week's events are found by index instead of
# unpacking every event's categories. The tags of an event's documents are found from the
# event (`+t.category` keeps SQLite from reading every tag of the category instead), and the
# columns a feed sorts on are the index's own.
EVENT_FEED_ENTRIES_V2 = EVENT_FEED_ENTRIES_V1.replace(
    "  c.value as category,\n  e.id as event_id,\n", "  c.category,\n  c.event_id,\n").replace(
    "  e.last_date as latest,\n", "  c.latest,\n").replace(
    "t.category = c.value", "+t.category = c.category").replace(
    "':' || c.value as atom_id", "':' || c.category as atom_id").replace(
    "from events e, json_each(coalesce(e.categories, '[]')) c\n",
    "from event_categories c join events e on e.id = c.event_id\n")
