# Content Partnerships Helpdesk — the two commands a newcomer needs:
#   make run    set up on first use and serve the app with the local OAuth stand-in
#   make test   the whole test suite (set up on first use)

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

.PHONY: run test lint setup translations compile-translations demo clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(BIN)/.installed compile-translations

compile-translations: $(BIN)/.installed
	$(BIN)/pybabel compile --statistics -d translations

## translations: extract messages, update every catalogue, compile
translations: $(BIN)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --add-comments=Translators: \
		--sort-by-file --project="Content Partnerships Helpdesk" -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching
	$(MAKE) compile-translations

run: setup
	mkdir -p instance
	$(DEV_ENV) $(BIN)/flask --app app db upgrade
	$(DEV_ENV) $(BIN)/flask --app app demo load
	$(DEV_ENV) PORT=$(PORT) STANDIN_PORT=$(STANDIN_PORT) $(BIN)/python -m app.devserver

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(BIN)/.installed
	$(BIN)/ruff check app bot standin tests
	$(BIN)/mypy

clean:
	rm -rf $(VENV) instance translations/*/LC_MESSAGES/*.mo

## bench: the benchmark (not part of `make test`); writes bench/results.json and .md.
##        BENCH_SCALE=0.1 for a quick run; see bench/README.md for the other knobs.
.PHONY: bench
bench: setup
	$(BIN)/python -m bench.run
