# Two commands do all set-up on a fresh clone: `make test` and `make demo`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: test test-postgres demo install clean chromium

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

.env:
	cp .env.example .env

# Headless Chromium for the browser tests (tests/browser): Debian's package, installed only when missing and
# we are root (CI); otherwise the browser tests skip and say why.
chromium:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } || echo "chromium not installed: browser tests will be skipped"

# The whole suite on the embedded default (SQLite, database broker): no server needed.
test: $(BIN)/.installed chromium
	$(BIN)/pytest -q

# The same suite against PostgreSQL (the production database).
test-postgres: $(BIN)/.installed chromium
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(BIN)/pytest -q

# Set up, start the sandbox, the console and the worker cluster, and stream realistic changes.
demo: $(BIN)/.installed .env
	$(BIN)/python manage.py demo

clean:
	rm -rf $(VENV) var .pytest_cache
