# Two commands set everything up: `make run` and `make test` (`make demo` works offline).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run demo test lint install browser bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## One full cycle against the live sites: crawl, store, print the digest.
run: $(STAMP)
	$(BIN)/chipwatch run

## One full cycle of every source against a bundled replay on 127.0.0.1 (no internet
## needed): crawl, store into data/demo/chipwatch.db, classify, print the digest.
demo: $(STAMP)
	$(BIN)/chipwatch demo

## Debian's chromium for the browser tests of `chipwatch browse`, installed when missing and
## apt-get can be used (root, as in CI); otherwise those tests skip and say why.
browser:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
		|| echo "warning: could not install chromium; the browser tests will skip"; \
	else echo "note: no chromium and no root apt-get; the browser tests will skip"; fi

## The linter, then the whole test suite (no test reaches the internet).
test: $(STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

## The linter alone.
lint: $(STAMP)
	$(BIN)/ruff check .

## The speed benchmarks, each figure a ratio to a floor measured in the same run (a bare
## interpreter, a Scrapy crawl that fetches nothing, the plain SQLite query, one regular-
## expression pass). The pages are measured on a synthetic store of BENCH_DOCS documents,
## built once into BENCH_DIR and reused (a million took about 15 minutes to build on two
## cores); `make bench BENCH_DOCS=10000` is a quick run.
BENCH_DOCS ?= 1000000
BENCH_DIR  ?= $(HOME)/.cache/chipwatch/bench
BENCH_RUNS ?= 5
bench: $(STAMP)
	@echo "== start-up (bench/startup.py)"
	$(BIN)/python bench/startup.py --runs $(BENCH_RUNS)
	@echo "== ingest (bench/ingest.py)"
	$(BIN)/python bench/ingest.py --documents 20000 --runs 3
	@echo "== a cycle against its slowest source (bench/replay_cycle.py --versus-slowest)"
	$(BIN)/python bench/replay_cycle.py --versus-slowest --runs $(BENCH_RUNS)
	@echo "== pages at $(BENCH_DOCS) documents (bench/pages.py)"
	$(BIN)/python bench/pages.py --docs $(BENCH_DOCS) --dir $(BENCH_DIR) --runs $(BENCH_RUNS)
	@echo "== classifier throughput (bench/classify.py)"
	$(BIN)/python bench/classify.py --seconds 2 | sed -n '/^Throughput/,$$p'

clean:
	rm -rf $(VENV) build *.egg-info
