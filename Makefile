# Two commands for a fresh machine with only Python 3.10+:
#   make demo   - the main demo (replays recorded traffic offline; live with OPENROUTER_API_KEY)
#   make test   - the whole test suite (offline, on recorded cassettes)
# Each creates its own virtual environment and installs what it needs.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: demo test lint typecheck check record cassettes bench bench-scale clean unasync catalog-snapshot

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(BIN)/uv: $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv

$(STAMP): $(BIN)/uv pyproject.toml
	VIRTUAL_ENV=$(VENV) $(BIN)/uv pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m demo

test: $(STAMP)
	$(BIN)/coverage run -m pytest -q
	$(BIN)/coverage report --fail-under=90

lint: $(STAMP)
	$(BIN)/ruff check shared langchain_openrouter llama_index_openrouter tests demo benchmarks scripts
	$(BIN)/ruff format --check shared langchain_openrouter llama_index_openrouter tests demo benchmarks scripts
	$(BIN)/python scripts/unasync.py --check
	PYTHONPATH=shared $(BIN)/lint-imports

# The sync client is generated from the async one (shared/openrouter_core/_async/).
unasync: $(STAMP)
	$(BIN)/python scripts/unasync.py

# Rebuild the catalog snapshot bundled in the wheel, from a saved /models reply
# (CATALOG=path; default: the reference copy beside the checkout) or, with
# CATALOG=live, from OpenRouter's public /models.
CATALOG ?= ../shared/reference/catalog/models.json
CATALOG_DATE ?= $(if $(filter ../shared/reference/catalog/models.json,$(CATALOG)),2026-03-11T20:24:31Z)
catalog-snapshot: $(STAMP)
	$(BIN)/python scripts/build_catalog_snapshot.py $(if $(filter live,$(CATALOG)),,--from $(CATALOG)) $(if $(CATALOG_DATE),--date $(CATALOG_DATE))

typecheck: $(STAMP)
	$(BIN)/mypy

check: test lint typecheck

# Re-record every cassette against the live API (needs OPENROUTER_API_KEY).
record: $(STAMP)
	@test -n "$$OPENROUTER_API_KEY" || (echo "OPENROUTER_API_KEY is not set: cannot record live" && exit 1)
	OPENROUTER_RECORD_MODE=all $(BIN)/python -m pytest -q -p no:randomly

# Re-author every cassette against the local emulator (no key, no network).
cassettes: $(STAMP)
	OPENROUTER_RECORD_MODE=all OPENROUTER_EMULATE=1 $(BIN)/python -m pytest -q

# Speed, side by side with the peers (own virtual environments under .bench-venvs/).
BENCH := .bench-venvs/main/bin/python
# Stamps, not the interpreters: a venv's bin/python is a symlink whose timestamp is the
# system interpreter's, which would make every run reinstall.
BENCH_STAMP := .bench-venvs/main/.installed
PEER_STAMP := .bench-venvs/peer/.installed

$(BENCH_STAMP): $(BIN)/uv pyproject.toml
	$(PYTHON) -m venv .bench-venvs/main
	VIRTUAL_ENV=.bench-venvs/main $(BIN)/uv pip install --quiet --compile-bytecode -e ".[all]" langchain-openai llama-index-llms-openrouter
	touch $@

$(PEER_STAMP): $(BIN)/uv
	$(PYTHON) -m venv .bench-venvs/peer
	VIRTUAL_ENV=.bench-venvs/peer $(BIN)/uv pip install --quiet --compile-bytecode langchain-openrouter
	touch $@

# BASELINE=<git rev> also measures that commit's code in the same rounds (and checks
# that no adapter/floor ratio got worse than it).
bench: $(BENCH_STAMP) $(PEER_STAMP)
	$(BENCH) -m benchmarks.bench $(if $(BASELINE),--baseline $(BASELINE))

# Ray Data pipelines under one shared rate limit (Ray comes with the test extra).
bench-scale: $(STAMP)
	$(BIN)/python -m benchmarks.scale

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage
