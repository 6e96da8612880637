"""The shape of a document, declared once: the fields every spider yields and the store
keeps (the store adds its own bookkeeping: content hash, revision, when it was seen, tags)."""

DOCUMENT_FIELDS = (
    "id",  # source:identity (plus :lang for editions other than English), stable across runs
    "source",  # a name from the source registry
    "external_id",  # the source's own identity: a document number, a news id, a canonical URL
    "lang",  # en, zh-Hant or zh-Hans
    "url",  # where it was published (canonical)
    "title",
    "text",  # the body, paragraphs separated by blank lines
    "summary",  # a listing teaser, an abstract's action line
    "dateline",  # "WASHINGTON, D.C.", kept apart from the text
    "published",  # ISO date or date-time, as precise as the source gives it
    "date_precision",  # day | datetime
    "timezone",  # the source's zone: America/New_York or Asia/Taipei
    "doc_type",
    "group_key",  # links the editions of one story, or a correction to its document
    "metadata",  # the source's own fields (a dict; JSON in the store)
)
