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
TRAINING_INPUTS := config.yml domain.yml $(shell find data -name '*.yml') $(wildcard components/*.py)

# Quiet by default: a green `make test` prints a line or two per tier, a red one ends with the failure.
# TensorFlow's C++ start-up chatter off (errors still show); pytest prints its dots, the summary line and
# any failure; pytest.ini ignores the known third-party warnings and --disable-warnings drops the warnings summary.
export TF_CPP_MIN_LOG_LEVEL ?= 2
PYTEST := $(PY) -m pytest -q --no-header --disable-warnings
MAKEFLAGS += --no-print-directory
# This machine's pip configuration names wheel folders that may not exist; pip says so on every install.
PIP_QUIET := 2>&1 | { grep -v "^WARNING: Location" || true; }

.PHONY: lint integration stack evaluations test-reliability run run-cluster cluster-deps deploy-check test-cluster test unit fuzz fuzz-deps browser validate test-nlu test-meds meds-dev test-crisis crisis-dev test-stories crossval bench profile train lexicon browser-deps clean

run: $(VENV_STAMP) $(MODEL)
	$(PY) -m bot db upgrade
	$(PY) -m bot.runner

# The scaled profile (docs/scaling.md): nginx + several Rasa, action and web processes under supervisor,
# state in PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379). Sizes: CLUSTER_* settings (bot/cluster.py).
run-cluster: $(VENV_STAMP) $(MODEL) cluster-deps
	$(PY) -m bot.cluster

# Debian's nginx for the cluster's load balancer (we run our own nginx process, never the system service).
cluster-deps:
	@if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && { $$SUDO apt-get install -y -qq nginx-light >/dev/null || $$SUDO apt-get install -y -qq nginx >/dev/null; }; \
	fi

# deploy/: `docker compose config` (or Debian's docker-compose) and the Kubernetes manifests against the
# schemas, with kubernetes-validate in its own venv (it needs jsonschema 4, Rasa pins 3.2).
DEPLOY_VENV := var/deploy-venv
$(DEPLOY_VENV)/.installed: deploy/requirements-check.txt
	$(PYTHON) -m venv $(DEPLOY_VENV)
	$(DEPLOY_VENV)/bin/pip install --quiet -r deploy/requirements-check.txt
	touch $@

deploy-check: $(VENV_STAMP) $(DEPLOY_VENV)/.installed
	$(PY) -m bot.cluster render-deploy --check
	@if docker compose version >/dev/null 2>&1; then RASA_AUTH_TOKEN=check ACTION_SERVER_TOKEN=check DB_PASSWORD=check docker compose -f deploy/compose.yml config --quiet; \
	elif command -v docker-compose >/dev/null; then RASA_AUTH_TOKEN=check ACTION_SERVER_TOKEN=check DB_PASSWORD=check docker-compose -f deploy/compose.yml config --quiet; \
	else if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; $$SUDO apt-get install -y -qq docker-compose >/dev/null && \
	  RASA_AUTH_TOKEN=check ACTION_SERVER_TOKEN=check DB_PASSWORD=check docker-compose -f deploy/compose.yml config --quiet; fi
	$(DEPLOY_VENV)/bin/kubernetes-validate --strict --quiet --kubernetes-version 1.30 deploy/k8s/*.yml
	@echo "deploy/: compose file and Kubernetes manifests are valid"

# Setup side by side (the two virtualenvs); lint and the tiers that need no model first (a broken rule fails in
# about a minute, before training); then the data check beside training; then the tiers one at a time: each
# tier either measures the machine or keeps it busy (running them side by side was measured slower: 8:00 vs 7:41).
test: browser-deps cluster-deps
	@$(MAKE) -j2 $(VENV_STAMP) $(FUZZ_STAMP)
	@$(MAKE) lint unit integration
	@$(MAKE) -j2 validate $(MODEL)
	@$(MAKE) stack test-reliability test-cluster browser evaluations

# The tiers without timing assertions (fuzz with Hypothesis deadlines off, and the held-out evaluations), three
# at a time: each is mostly one core, and this keeps `make test` within 25 minutes on a 2-core machine.
evaluations: $(VENV_STAMP) $(MODEL) $(FUZZ_STAMP)
	@$(MAKE) -j3 --output-sync=target fuzz test-stories test-nlu test-meds test-crisis

$(VENV_STAMP): requirements.lock requirements.txt
	@test -n "$(PYTHON)" || { echo "error: Python 3.10 is required (Rasa 3.6 supports 3.8-3.10): put python3.10 on PATH, install it with pyenv, or pass PYTHON=/path/to/python3.10" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' || { echo "error: $(PYTHON) is not Python 3.10 (Rasa 3.6 supports 3.8-3.10); pass PYTHON=/path/to/python3.10" >&2; exit 1; }
	@$(PYTHON) -m venv $(VENV)
	@echo "== setup: $(VENV) (pip install -r requirements.lock)"
	@set -o pipefail; $(PY) -m pip install --quiet --upgrade "pip==24.0" $(PIP_QUIET)
	@# --no-compile: byte-compiling all 2.7 GB up front took 37 s; the modules the project imports compile on first use
	@set -o pipefail; $(PY) -m pip install --quiet --no-compile -r requirements.lock $(PIP_QUIET)
	@touch $(VENV_STAMP)

# Rasa's own fingerprinting would also skip an unchanged model; make skips even loading Rasa.
$(MODEL): $(VENV_STAMP) $(TRAINING_INPUTS)
	@echo "== training: $(MODEL) (log: reports/train.log)"
	@mkdir -p reports
	@$(RASA) train --fixed-model-name screening --out models --quiet > reports/train.log 2>&1 || \
	  { tail -n 40 reports/train.log; echo "training failed: the whole log is reports/train.log" >&2; exit 1; }
	@touch $(MODEL)

train: $(MODEL)

# Regenerates the lexicon from bot/screening/lexicon_data/*.yml and the pinned vocabulary (generation-time packages only).
LEXICON_VOCAB := .cache/lexicon-vocab
$(LEXICON_VOCAB)/.installed: requirements-lexicon.txt
	$(PY) -m pip install --quiet --no-deps --require-hashes --target $(LEXICON_VOCAB) -r requirements-lexicon.txt
	touch $@

lexicon: $(VENV_STAMP) $(LEXICON_VOCAB)/.installed
	$(PY) scripts/generate_lexicon_data.py --vocab-dir $(LEXICON_VOCAB)

# Medication recognition scored through Lexicon.parse_medication_answer (the actions' path); fails below its floors.
test-meds: $(VENV_STAMP)
	@test -f tests/medications_holdout.yml || { echo "error: tests/medications_holdout.yml is missing (the held-out medication list, written by someone else)" >&2; exit 1; }
	@$(PY) scripts/medication_eval.py tests/medications_holdout.yml --report reports/medications_holdout.md

meds-dev: $(VENV_STAMP)
	$(PY) scripts/medication_eval.py tests/medications_dev.yml --report reports/medications_dev.md

# Debian's Chromium for the browser tests (Playwright's own browser download cannot work here).
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi; \
	fi

validate: $(VENV_STAMP)
	@echo "== validate: rasa data validate (log: reports/validate.log)"
	@mkdir -p reports
	@$(RASA) data validate --fail-on-warnings --quiet > reports/validate.log 2>&1 || \
	  { tail -n 60 reports/validate.log >&2; echo "validate failed: the whole log is reports/validate.log" >&2; exit 1; }

# The tiers (tests/README.md): unit needs nothing running and no model; integration needs PostgreSQL and Redis on
# loopback (it starts its own SMTP and webhook receivers and web apps); stack starts the real Rasa stack.
# Two workers, each module whole on one (--dist loadfile: module fixtures made once; PostgreSQL tests each
# have their own schema). Measured 2026-12-03 with other jobs sharing the 2 cores (load 4-6): unit 1330 tests in
# 1 min 34 s (73 s of CPU: about 40 s on an idle machine; each worker imports Rasa once), integration 139 tests
# in 6 min 17 s (249 s of CPU).
unit: $(VENV_STAMP)
	@echo "== unit: tests/unit"
	@$(PYTEST) -n 2 --dist loadfile tests/unit

# Code checks (pyproject.toml; docs/architecture.md): ruff, mypy on bot/ and actions/, the import contracts and
# no import cycles. Each prints one line when clean, everything when not; about 15 s.
lint: $(VENV_STAMP)
	@echo "== lint: ruff, mypy, import contracts, import cycles"
	@$(PY) -m ruff check --quiet . && echo "ruff: clean"
	@$(PY) -m ruff format --check --quiet . && echo "ruff format: clean"
	@$(PY) -m mypy bot actions
	@out=$$($(VENV)/bin/lint-imports --no-logo 2>&1) && echo "$$out" | tail -n 1 || { echo "$$out"; exit 1; }
	@$(PY) scripts/check_import_cycles.py

integration: $(VENV_STAMP)
	@echo "== integration: tests/integration (PostgreSQL, Redis, SMTP, web app, CLI)"
	@$(PYTEST) -n 2 --dist loadfile tests/integration

stack: $(VENV_STAMP) $(MODEL)
	@echo "== stack: tests/stack (the real Rasa stack)"
	@$(PYTEST) -n 2 --dist loadfile tests/stack --ignore=tests/stack/test_reliability.py --ignore=tests/stack/test_cluster.py

# Load and faults against the `make run` stack (tests/stack/test_reliability.py, docs/reliability.md), about 5 minutes
# on this machine (4 min 26 s on 2026-12-03); part of `make test`.
test-reliability: $(VENV_STAMP) $(MODEL)
	@echo "== reliability: tests/stack/test_reliability.py"
	@$(PYTEST) tests/stack/test_reliability.py

# The cluster profile for real (nginx, supervisor, PostgreSQL, Redis) on free ports: 200 whole screenings, again
# with a Rasa server SIGKILLed, one notification per lead; 7 min 10 s on 2026-12-03; part of `make test`.
# Without PostgreSQL, Redis or nginx its tests skip with the reason, except under CI=true (.ci/run), where they fail.
test-cluster: $(VENV_STAMP) $(MODEL) cluster-deps
	@echo "== cluster: tests/stack/test_cluster.py"
	@$(PYTEST) tests/stack/test_cluster.py -m cluster

# Schemathesis needs newer jsonschema/attrs than Rasa 3.6 allows: its own virtualenv, never .venv.
FUZZ_VENV := .venv-fuzz
FUZZ_STAMP := $(FUZZ_VENV)/.installed
$(FUZZ_STAMP): requirements-fuzz.txt
	@test -n "$(PYTHON)" || { echo "error: Python 3.10 is required for $(FUZZ_VENV)" >&2; exit 1; }
	@echo "== setup: $(FUZZ_VENV) (pip install -r requirements-fuzz.txt)"
	@$(PYTHON) -m venv $(FUZZ_VENV)
	@set -o pipefail; $(FUZZ_VENV)/bin/pip install --quiet -r requirements-fuzz.txt $(PIP_QUIET)
	@touch $(FUZZ_STAMP)

fuzz-deps: $(FUZZ_STAMP)

# Hypothesis property tests of the parsers and the relay, then schemathesis on docs/openapi.yaml (~1 min).
fuzz: $(VENV_STAMP) $(FUZZ_STAMP)
	@echo "== fuzz: tests/fuzz"
	@$(PYTEST) tests/fuzz

# Playwright's sync API keeps an event loop running, so the staff pages and the widget run in their own pytest processes.
browser: $(VENV_STAMP) $(MODEL) browser-deps
	@echo "== browser: tests/browser"
	@$(PYTEST) tests/browser/test_staff_browser.py
	@$(PYTEST) tests/browser --ignore=tests/browser/test_staff_browser.py

# Scores the NLU part of the trained model on tests/nlu_holdout.yml and fails below the floors.
# The evaluations print their verdict on stdout; importing Rasa and TensorFlow warns a lot on stderr, which goes to
# reports/*.stderr.log (its end is shown when the evaluation fails).
test-nlu: $(VENV_STAMP) $(MODEL)
	@mkdir -p reports
	@$(PY) scripts/nlu_eval.py --model $(MODEL) 2> reports/nlu.stderr.log || \
	  { tail -n 30 reports/nlu.stderr.log >&2; exit 1; }

# Crisis detection of the trained model (patterns + classifier) on the held-out crisis set, kept apart
# from the code it tests; floors (recall, false alarms) at the top of scripts/crisis_eval.py.
CRISIS_HOLDOUT := tests/crisis_holdout.yml
# Gate at what the held-out set measured with the model trained from this data on 2026-12-03, 18:21 UTC
# (recall 0.931, false alarms 0.063; before the fourth training author 0.917 and 0.056; on 2026-11-22 0.884
# and 0.133). Recall first: the fourth author bought 3 more caught crisis messages for 1 more false alarm,
# which still gets 988 and 911 with "if I misread you, we can carry on". The target (issue 10) is recall 0.97
# and false alarms 0.03, not yet met: the report prints both. Raise these as detection improves.
CRISIS_MIN_RECALL ?= 0.93
CRISIS_MAX_FALSE_ALARM ?= 0.065
test-crisis: $(VENV_STAMP) $(MODEL)
	@test -f $(CRISIS_HOLDOUT) || { echo "error: $(CRISIS_HOLDOUT) is missing; it is the held-out crisis set (kept out of the code authors' hands). Put it there and run make test-crisis again (make crisis-dev scores the dev set)." >&2; exit 1; }
	@mkdir -p reports
	@$(PY) scripts/crisis_eval.py $(CRISIS_HOLDOUT) --model $(MODEL) --report reports/crisis_holdout.md \
	  --min-recall $(CRISIS_MIN_RECALL) --max-false-alarm $(CRISIS_MAX_FALSE_ALARM) 2> reports/crisis_holdout.stderr.log || \
	  { tail -n 30 reports/crisis_holdout.stderr.log >&2; exit 1; }

# The same on the dev set used to choose the classifier bar.
crisis-dev: $(VENV_STAMP) $(MODEL)
	$(PY) scripts/crisis_eval.py tests/crisis_dev.yml --model $(MODEL) --report reports/crisis_dev.md

# Rasa's own output goes to reports/stories.log; a failure prints its end and where the failed stories are.
test-stories: $(VENV_STAMP) $(MODEL)
	@mkdir -p reports
	@$(RASA) test core --model $(MODEL) --stories tests/test_stories.yml --fail-on-prediction-errors --out reports/stories \
	  --quiet > reports/stories.log 2>&1 || { tail -n 40 reports/stories.log; \
	  echo "stories (test_stories.yml): FAIL: see reports/stories/failed_test_stories.yml and reports/stories.log" >&2; exit 1; }
	@echo "stories (test_stories.yml): PASS; report reports/stories/"

crossval: $(VENV_STAMP)
	$(RASA) test nlu --cross-validation --folds 5 --out reports/crossval

bench: $(VENV_STAMP) $(MODEL) cluster-deps
	$(PY) scripts/bench.py

# py-spy on the Rasa server, Rasa's stock endpoints beside ours, and the starter bot: reports/profile.md.
profile: $(VENV_STAMP) $(MODEL)
	$(PY) scripts/profile_turns.py

clean:
	rm -rf models var reports/tmp .pytest_cache
