# Two commands matter: `make run` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000

.PHONY: run test install install-test clean bench

# `make bench`: the reader benchmark on a 100k-testimony SQLite corpus (see benchmarks/README.md).
BENCH_DB ?= sqlite:///$(CURDIR)/benchmarks/out/catalog-100k.sqlite3

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

run: install
	$(BIN)/catalog init
	$(BIN)/catalog seed --if-empty
	$(BIN)/catalog serve --port $(PORT)

# `make test` runs the suite in TEST_WORKERS processes (pytest-xdist; 0 runs it in this one), each
# with its own databases and browser. A file's tests stay in one process, so the SQLite and
# PostgreSQL runs of a PDF test share one render.
TEST_WORKERS ?= 2

test: install-test
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

bench: install
	$(BIN)/python benchmarks/corpus.py --url $(BENCH_DB) --testimonies 100000 --reset
	$(BIN)/python benchmarks/load.py --url $(BENCH_DB)

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
