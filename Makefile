# Two commands do everything: `make run` and `make test`. Other targets are steps of those.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.stamp-installed
LINT_DIRS := $(wildcard search_api sitebuild devtools scripts tests hooks)
export NO_MKDOCS_2_WARNING := 1
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
# Python writes each module's bytecode on first import and reuses it after. This machine's
# environment sets PYTHONDONTWRITEBYTECODE, and uv installs no .pyc files, so every process
# compiled torch, transformers and MkDocs from source again: 14.8 s to import sentence-transformers
# instead of 6.0 s.
unexport PYTHONDONTWRITEBYTECODE
UV_PIN := uv==0.13.9
TORCH := $(shell grep -E '^torch==' requirements.txt)
# pytest-xdist workers: one per core. The real-model, browser and server tests share one app,
# one browser and one set of servers per worker.
TEST_WORKERS ?= auto
# Where this machine keeps wheels that are not on the index (the CPU build of torch). pip reads it
# from its own config; uv has to be told.
WHEELS := $(firstword $(wildcard /opt/wheels))
# pip's index warnings about local mirror folders are noise, not errors.
QUIET_PIP := 2> >(grep -v "is ignored: it is neither" >&2)


.PHONY: help setup browser services packages site onnx index run serve-prod test check lint bench load weight links eval readability clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml package.json package-lock.json
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	@echo "Setting up .venv (the pinned requirements, about 15 s)..."
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# uv installs the same pinned wheels as pip, many at once: about 10 s where pip took 100 s.
	$(BIN)/pip install -q $(UV_PIN) $(QUIET_PIP)
	# torch first, pinned: the CPU wheel on this disk. Otherwise a CUDA build would come with it.
	$(if $(WHEELS),$(BIN)/uv pip install -q --python $(BIN)/python --find-links $(WHEELS) $(TORCH),$(BIN)/pip install -q $(TORCH) $(QUIET_PIP))
	$(BIN)/uv pip install -q --python $(BIN)/python -r requirements.txt -r requirements-dev.txt
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	# Mermaid, pinned in package-lock.json, so diagrams render without a CDN.
	npm ci --no-audit --no-fund --silent
	touch $@

setup: $(STAMP) ## Create .venv and install the pinned requirements

# Debian's packages the browser and server tests use; each check is cheap, so a machine that has
# them runs no apt-get at all.
APT_INSTALL := apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q
BROWSER_PACKAGES := chromium
SERVICE_PACKAGES := postgresql redis-server nginx openssl
HAVE_BROWSER := command -v chromium >/dev/null
HAVE_SERVICES := { compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null && command -v redis-server >/dev/null \
	&& { command -v nginx || test -x /usr/sbin/nginx; } >/dev/null && command -v openssl >/dev/null; }

browser: ## Install Debian's chromium for the browser tests if it is missing
	@$(HAVE_BROWSER) || { $(APT_INSTALL) $(BROWSER_PACKAGES); }

services: ## Install Debian's PostgreSQL, Redis and nginx if missing (tests and `make load` start their own on loopback)
	@$(HAVE_SERVICES) || { $(APT_INSTALL) $(SERVICE_PACKAGES); }

packages: ## What `make browser` and `make services` install, in one apt-get (`make test` runs it beside the build)
	@want=""; $(HAVE_BROWSER) || want=" $(BROWSER_PACKAGES)"; $(HAVE_SERVICES) || want="$$want $(SERVICE_PACKAGES)"; \
	if [ -n "$$want" ]; then \
		echo "Installing$$want from Debian while the rest builds (log: kb/build/apt.log)..."; mkdir -p kb/build; \
		{ $(APT_INSTALL) $$want; } > kb/build/apt.log 2>&1 || { tail -n 20 kb/build/apt.log; exit 1; }; \
		echo "Installed$$want."; \
	fi

site: $(STAMP) ## Build the static site into site/ (skipped when no source changed)
	$(BIN)/sophub build-site --if-stale

onnx: $(STAMP) ## Export the model to ONNX and check it against torch (skipped when a checked export is there)
	$(BIN)/sophub export-onnx --if-missing

# The site (MkDocs, one core) and the ONNX export (torch) need different things, so they run at once
# (under `make test` they share its job slots).
index: $(STAMP) ## Build the site and the ONNX export at once, then the search index and chatbot vectors (new texts only)
	$(MAKE) --no-print-directory $(if $(findstring jobserver,$(MAKEFLAGS)),,-j2) site onnx
	$(BIN)/sophub build-index --if-stale

run: $(STAMP) ## Set up, build and serve the site and API on http://127.0.0.1:8000 (a missing index builds in the background)
	$(BIN)/sophub serve --build

serve-prod: index ## Serve site + API with gunicorn (gunicorn.conf.py: a worker per core, preload)
	$(BIN)/gunicorn -c gunicorn.conf.py search_api.wsgi:app

eval: index ## Print search (and chatbot) quality figures; rewrite the "How search works" page
	$(BIN)/python scripts/eval_search.py --variants --write-page
	$(BIN)/python scripts/eval_ask.py
	$(BIN)/python scripts/eval_blind.py --write-page

bench: index ## Print latency, throughput, memory and index build figures
	$(BIN)/python scripts/bench.py

load: index services ## Load-test gunicorn at 1-64 clients, then nginx + two servers sharing Redis and PostgreSQL (about 2 minutes)
	$(BIN)/python scripts/load.py
	$(BIN)/python scripts/load_cluster.py

weight: index browser ## Print each page type's transfer size and requests, measured in chromium
	$(BIN)/python scripts/page_weight.py

links: site ## Check every internal link and anchor of the built site; list external links
	$(BIN)/python scripts/linkcheck.py

readability: site ## Print each page's readability and the site-wide medians
	$(BIN)/python scripts/readability.py

lint: $(STAMP) ## Check style with ruff
	$(BIN)/ruff check $(LINT_DIRS)
	$(BIN)/ruff format --check $(LINT_DIRS)

check: lint ## Lint, then the fast tests only (fake encoder; no built site, model, browser or server)
	$(BIN)/pytest -q -n $(TEST_WORKERS) -m "not model and not site and not browser and not server"

# apt-get waits on the network and the disk while the build uses the CPU, so they run side by side.
test: ## Set up, build, then run every test (one pytest-xdist worker per core)
	$(MAKE) --no-print-directory -j3 index packages lint
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup --durations=20

clean: ## Remove built files (site, index); keeps .venv
	rm -rf site kb/index kb/build
