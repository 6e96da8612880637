"""The files of a capture (`chipwatch capture`), declared once: the crawler writes them, the
replay serves them back, the command describes them."""

INDEX = "exchanges.jsonl"  # one exchange a line: method, URL, site key, status, headers, body
BODIES = "bodies"  # the bodies, numbered in the order they were received
MANIFEST = "capture.json"  # when, where from and with what outcome the capture was taken
