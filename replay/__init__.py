"""A replay of the sources on 127.0.0.1, for `chipwatch demo` and the benchmarks.

`pages.py` renders each site's listing and article pages from the data in `data/` (see
`data/README.md` for what is real and what is reconstructed), following the markup each
spider parses; `server.py` serves them, one loopback listener per site, with ETags and
conditional requests, and answers Federal Register API searches from the real results.
"""
