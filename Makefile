# SafeContact: `make run` to try it, `make test` to check it. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: help install run demo test lint format pytest browser fuzz bench eval clean

help:
	@echo "make run    install, migrate, load the demo organisation, serve on http://127.0.0.1:8000"
	@echo "make test   install, then ruff, mypy and every test (SQLite; PostgreSQL when DATABASE_URL is set)"
	@echo "make lint   ruff and mypy only"
	@echo "make fuzz   the fuzz tests (API, WhatsApp exports, CSV import, inbound mail), 25x longer"
	@echo "make bench  benchmarks (figures printed and written to benchmarks/results/)"
	@echo "make eval   scanner evaluation on ../shared/data"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 12), "SafeContact needs Python 3.12 or newer (found " + sys.version.split()[0] + ")"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "Installing Chromium from Debian for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null \
	    || { echo "Could not install Chromium (apt-get install chromium)"; exit 1; }; \
	fi

run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

pytest: install browser
	@if [ -n "$${DATABASE_URL:-}" ]; then echo "Database: PostgreSQL (DATABASE_URL)"; else echo "Database: SQLite"; fi
	@set +e; $(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc = 5 ]; then echo "pytest collected no tests: that is a failure"; exit 1; fi; exit $$rc

test: lint pytest

# The fuzz tests also run in `make test`, briefly and derandomised; this runs
# them 25 times longer with fresh random inputs. FUZZ_SCALE=N to choose.
FUZZ_SCALE ?= 25
FUZZ_TESTS := safecontact/tests/test_fuzz_api.py safecontact/tests/test_fuzz_chatlogs.py \
	safecontact/tests/test_fuzz_import.py safecontact/contact/tests/test_fuzz_inbound.py
fuzz: install
	FUZZ_SCALE=$(FUZZ_SCALE) $(BIN)/python -m pytest -q -p no:cacheprovider $(FUZZ_TESTS)

bench: install
	$(BIN)/python -m pip install --quiet -e '.[dev,eval]'
	$(BIN)/python benchmarks/run.py

eval: install
	$(BIN)/python -m pip install --quiet -e '.[dev,eval]'
	$(BIN)/python benchmarks/eval_screening.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
