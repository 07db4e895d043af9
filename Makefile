# Content Partnerships Helpdesk — the two commands a newcomer needs:
#   make run    set up on first use and serve the app with the local OAuth stand-in
#   make test   the whole test suite (set up on first use)
# Both first install the Debian packages that pip and npm cannot (`make system`, the list in
# dev/system-packages.sh; as root it installs them, otherwise it prints the command to run).
# `make doctor` lists them, found or missing, with their versions.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
STANDIN_PORT ?= 5010

# Development settings for `make run` (production needs real ones; see README).
DEV_ENV := HELPDESK_ENV=development \
	SECRET_KEY=dev-only-not-secret \
	OAUTH_MWURI=http://127.0.0.1:$(STANDIN_PORT)/w/index.php \
	OAUTH_CONSUMER_KEY=local-dev-consumer \
	OAUTH_CONSUMER_SECRET=local-dev-consumer-secret-0123456789 \
	HELPDESK_ADMINS="Admin Demo" \
	HELPDESK_URL=http://127.0.0.1:$(PORT)

.PHONY: run test lint setup system doctor translations compile-translations demo clean

## system: install the Debian packages that are missing (quiet when none is)
system:
	@bash dev/system-packages.sh

## doctor: each system dependency, found or missing, with its version
doctor:
	@bash dev/system-packages.sh --check

# python3-venv, npm and the rest come first (order-only: they do not make these stale).
$(BIN)/.installed: requirements.txt requirements-dev.txt | system
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# axe-core for the browser tests' accessibility checks (package.json pins it).
node_modules/.installed: package.json package-lock.json | system
	npm ci --no-audit --no-fund --silent
	touch $@

setup: system $(BIN)/.installed node_modules/.installed compile-translations

compile-translations: $(BIN)/.installed
	$(BIN)/pybabel compile --statistics -d translations

## translations: extract messages, update every catalogue, compile
translations: $(BIN)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 \
		--add-comments=Translators: \
		--sort-by-file --project="Content Partnerships Helpdesk" -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching
	$(MAKE) compile-translations

run: system setup
	mkdir -p instance
	$(DEV_ENV) $(BIN)/flask --app app db upgrade
	$(DEV_ENV) $(BIN)/flask --app app demo load
	$(DEV_ENV) PORT=$(PORT) STANDIN_PORT=$(STANDIN_PORT) $(BIN)/python -m dev.devserver

test: system setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(BIN)/.installed
	$(BIN)/ruff check app bot dev tests
	$(BIN)/mypy

## audit: bandit (fails on any high-severity finding) and pip-audit (fails on any
##        known vulnerability in the installed dependencies)
.PHONY: audit
audit: $(BIN)/.installed
	$(BIN)/bandit -q -r app bot dev/standin --severity-level high
	$(BIN)/python .ci/dependency_audit.py

clean:
	rm -rf $(VENV) node_modules instance translations/*/LC_MESSAGES/*.mo

## bench: the benchmark (not part of `make test`); writes bench/results.json and .md.
##        BENCH_SCALE=0.1 for a quick run; see dev/bench/README.md for the other knobs.
.PHONY: bench
bench: setup
	$(BIN)/python -m dev.bench.run

## screenshots: PNGs of the main pages in docs/screenshots/ (shown in README.md), taken
##              with Debian's chromium on the demo data
.PHONY: screenshots
screenshots: setup
	$(BIN)/python -m tests.browser.screenshots
