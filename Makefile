# Two commands set everything up on a fresh machine: `make run` and `make test`.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: install run test lint format lock system-deps

# Debian packages the app needs beyond Python: Pango and fonts for WeasyPrint (PDFs) and
# Chromium for the browser tests (browsers cannot be downloaded). Installed when missing
# and we are root; otherwise we say what is missing.
DEBIAN_PACKAGES := chromium libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core

install: $(VENV)/.installed

$(VENV)/.installed: requirements.lock
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	touch $@

run: install system-deps
	$(BIN)/python scripts/run.py --port $(PORT)

system-deps:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian packages: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Missing Debian packages (install them with apt-get): $$missing"; \
	  fi; \
	fi

# The whole suite, then the date-sensitive tests again with the clock moved one and three years
# ahead (FORLOEB_CLOCK_SHIFT_DAYS, see tests/conftest.py), so the app, the rules and the demo cannot
# expire with the calendar: the demo and the rules in both runs, every other app in one of them (to
# keep the time down); the browser journeys, the authorization matrix and the benchmarks are not shifted.
# Make stops at the first failing run; the last run's summary closes the output.
CLOCK_TESTS_1Y := tests/demo tests/followup tests/cases tests/plans tests/outcomes
CLOCK_TESTS_3Y := tests/demo tests/followup tests/rehab tests/interchange tests/supervision tests/outcomes

test: install system-deps
	$(BIN)/python -m pytest
	FORLOEB_CLOCK_SHIFT_DAYS=365 $(BIN)/python -m pytest $(CLOCK_TESTS_1Y)
	FORLOEB_CLOCK_SHIFT_DAYS=1095 $(BIN)/python -m pytest $(CLOCK_TESTS_3Y)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

lock: install
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe -o requirements.lock requirements.in
