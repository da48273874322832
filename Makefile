# Two commands: `make run` and `make test`. Everything else is for developers.
SHELL := /bin/bash
export RASA_TELEMETRY_ENABLED := false
export PYTHONPATH := $(CURDIR)
# endpoints.yml reads these; bot/runner.py sets its own, these cover `rasa test`/`rasa shell` from make.
export TRACKER_DB ?= $(CURDIR)/var/tracker.db
export ACTION_ENDPOINT_URL ?= http://127.0.0.1:5055/webhook
export ACTION_SERVER_TOKEN ?= $(shell sed -n 's/^ACTION_SERVER_TOKEN=//p' .env 2>/dev/null)

# A Python 3.10 (Rasa 3.6 supports 3.8-3.10): PYTHON=..., else python3.10 on PATH, else pyenv's 3.10.
PYTHON ?= $(shell for c in python3.10 $$(pyenv root 2>/dev/null)/versions/3.10*/bin/python3.10; do \
	if $$c -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; then command -v $$c; break; fi; done)
VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
VENV_STAMP := $(VENV)/.installed
MODEL := models/screening.tar.gz
TRAINING_INPUTS := config.yml domain.yml $(wildcard data/*.yml) $(wildcard components/*.py)

.PHONY: run test unit fuzz fuzz-deps browser validate test-nlu test-stories crossval bench train lexicon browser-deps clean

run: $(VENV_STAMP) $(MODEL)
	$(PY) -m bot.runner

test: $(VENV_STAMP) browser-deps validate $(MODEL) unit fuzz browser test-stories test-nlu

$(VENV_STAMP): requirements.lock requirements.txt
	@test -n "$(PYTHON)" || { echo "error: Python 3.10 is required (Rasa 3.6 supports 3.8-3.10): put python3.10 on PATH, install it with pyenv, or pass PYTHON=/path/to/python3.10" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' || { echo "error: $(PYTHON) is not Python 3.10 (Rasa 3.6 supports 3.8-3.10); pass PYTHON=/path/to/python3.10" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip==24.0"
	$(PY) -m pip install --quiet -r requirements.lock
	touch $(VENV_STAMP)

# Rasa's own fingerprinting would also skip an unchanged model; make skips even loading Rasa.
$(MODEL): $(VENV_STAMP) $(TRAINING_INPUTS)
	$(RASA) train --fixed-model-name screening --out models --quiet
	touch $(MODEL)

train: $(MODEL)

lexicon: $(VENV_STAMP)
	$(PY) scripts/generate_lexicon_data.py

# Debian's Chromium for the browser tests (Playwright's own browser download cannot work here).
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi; \
	fi

validate: $(VENV_STAMP)
	$(RASA) data validate --fail-on-warnings --quiet

# Playwright's sync API keeps an event loop running, so browser tests run in their own pytest processes.
unit: $(VENV_STAMP) $(MODEL)
	$(PY) -m pytest -q tests --ignore=tests/browser --ignore=tests/test_staff_browser.py --ignore=tests/fuzz

# Schemathesis needs newer jsonschema/attrs than Rasa 3.6 allows: its own virtualenv, never .venv.
FUZZ_VENV := .venv-fuzz
FUZZ_STAMP := $(FUZZ_VENV)/.installed
$(FUZZ_STAMP): requirements-fuzz.txt
	@test -n "$(PYTHON)" || { echo "error: Python 3.10 is required for $(FUZZ_VENV)" >&2; exit 1; }
	$(PYTHON) -m venv $(FUZZ_VENV)
	$(FUZZ_VENV)/bin/pip install --quiet -r requirements-fuzz.txt
	touch $(FUZZ_STAMP)

fuzz-deps: $(FUZZ_STAMP)

# Hypothesis property tests of the parsers and the relay, then schemathesis on docs/openapi.yaml (~1 min).
fuzz: $(VENV_STAMP) $(FUZZ_STAMP)
	$(PY) -m pytest -q tests/fuzz

browser: $(VENV_STAMP) $(MODEL) browser-deps
	$(PY) -m pytest -q tests/test_staff_browser.py
	$(PY) -m pytest -q tests/browser

# Scores the NLU part of the trained model on tests/nlu_holdout.yml and fails below the floors.
test-nlu: $(VENV_STAMP) $(MODEL)
	$(PY) scripts/nlu_eval.py --model $(MODEL)

test-stories: $(VENV_STAMP) $(MODEL)
	$(RASA) test core --model $(MODEL) --stories tests/test_stories.yml --fail-on-prediction-errors --out reports/stories --quiet

crossval: $(VENV_STAMP)
	$(RASA) test nlu --cross-validation --folds 5 --out reports/crossval

bench: $(VENV_STAMP) $(MODEL)
	$(PY) scripts/bench.py

clean:
	rm -rf models var reports/tmp .pytest_cache
