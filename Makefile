# Park: `make run` serves the demo base; `make test` runs the whole suite (on PostgreSQL too
# when PARK_TEST_DATABASE_URL is set). Both set everything up on a fresh clone.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PARK := $(VENV)/bin/park
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test test-browser test-cluster bench bench-all messages clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Park needs Python 3.11 or newer")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

run: install
	$(PARK) db upgrade
	$(PARK) demo load
	@echo "Park is serving on http://127.0.0.1:8000 (Ctrl-C stops it)"
	$(PARK) serve --host 127.0.0.1 --port 8000

test: install
	$(PY) -m pytest
	@if [ -n "$$PARK_TEST_DATABASE_URL" ]; then \
		echo "== the same suite on PostgreSQL ($$PARK_TEST_DATABASE_URL) =="; \
		PARK_TEST_BACKEND=postgres $(PY) -m pytest; \
	fi

test-browser: install
	$(PY) -m pytest -m browser tests/browser

# Benchmarks, not tests. `make bench` (a few minutes): Park against the bare floor (PostgreSQL
# when PARK_BENCH_DATABASE_URL or PARK_TEST_DATABASE_URL names a server, and SQLite) and the
# hardest allocation round. BENCH=--full: 10 s runs and 10^6 stored bookings.
# `make bench-all` also runs the 1,000,000-booking availability and report benchmarks.
BENCH ?= --quick

bench: install
	@echo "== tests/bench/bench_vs_floor.py $(BENCH)"; $(PY) tests/bench/bench_vs_floor.py $(BENCH)
	@echo "== tests/bench/bench_allocation.py --shape nested"; $(PY) tests/bench/bench_allocation.py --shape nested

bench-all: bench
	@for script in tests/bench/bench_availability.py tests/bench/bench_reports.py tests/bench/bench_allocation.py; do \
		echo "== $$script"; $(PY) $$script || exit 1; done

messages: install
	$(PY) -m park.shared.i18n

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis park.db park.db-wal park.db-shm park.db-writer var

# Park as a cluster in network namespaces (root; Debian's etcd-server, patroni, haproxy, redis-server).
# About three minutes; kept out of `make test`.
test-cluster: install
	$(PY) tests/cluster/harness.py
