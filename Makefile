# IJlucht: the two commands a newcomer needs are `make up` and `make test` (see README.md).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: up down status test lint install services services-stop bench clean

## up: install what is missing, start services, ingest, API, dashboard and the demo fleet; print the URLs
up: install
	$(VENV)/bin/ijlucht up

## down: stop everything `make up` started (data stays in .state/)
down:
	@if [ -x $(VENV)/bin/ijlucht ]; then $(VENV)/bin/ijlucht down; else bash deploy/local/services.sh stop; fi

status:
	-$(VENV)/bin/ijlucht status

## test: ruff, then the whole pytest suite against real PostgreSQL+TimescaleDB, Mosquitto, MicroPython, Chromium
test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest

## bench: ingest (throughput, then a QoS 0 flood with PostgreSQL down), API, dashboard, restore, reference-data and trend benchmarks on their own private services; prints figures, asserts no times
bench: install
	bash deploy/local/install.sh bench
	$(PY) bench/ingest/run.py
	$(PY) bench/ingest/run.py --flood 1000000
	$(PY) bench/api/run.py
	$(PY) -m bench.dashboard.bench_map
	$(PY) bench/deploy/restore.py
	$(PY) bench/reference/run.py
	$(PY) bench/trend/run.py

lint: $(STAMP)
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

## install: Debian packages (PostgreSQL, TimescaleDB, Mosquitto, Chromium) and the Python environment
install: $(STAMP)
	bash deploy/local/install.sh

$(STAMP): pyproject.toml
	bash deploy/local/install.sh python
	touch $(STAMP)

services: install
	bash deploy/local/services.sh start

services-stop:
	bash deploy/local/services.sh stop

clean: down
	rm -rf .state $(VENV)
