# The two commands of the README: `make serve` and `make test`. Both build .venv from scratch when
# it is missing or pyproject.toml changed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The CPU build of torch: an unpinned torch would pull several GB of CUDA packages.
TORCH := torch==2.13.0

.PHONY: serve test lint fuzz check clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet $(TORCH)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

serve: $(VENV)/.installed
	$(BIN)/mnemo serve

test: $(VENV)/.installed
	$(BIN)/pytest -q

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# Fuzz the OpenAPI schema of a real server on loopback (bounded): no 5xx, no schema violations.
# positive_data_acceptance is left out: some rules cannot be said in a schema (an opaque cursor,
# budget_tokens together with model, fact_key only on semantic memories) and rightly give 4xx.
fuzz: $(VENV)/.installed
	$(BIN)/python -m cli.fuzz --examples 25

check: lint test fuzz

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
