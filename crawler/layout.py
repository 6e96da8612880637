"""What a local crawl child's directory holds, one directory per source: the tracker writes
the spec, the child (crawler/run.py) the documents and, when that source's crawl has ended,
the report. Free of Scrapy, so the tracker can read it without starting Scrapy."""

SPEC = "spec.json"
ITEMS = "items.jsonl"  # one document per line, written as each is scraped
REPORT = "stats.json"  # written whole, by renaming: its presence says the crawl has ended
