# The two commands of the README: `make serve` and `make test` (`make test-fast` leaves out the slow tests). Both build .venv from scratch when
# it is missing or pyproject.toml changed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The CPU build of torch, from PyTorch's CPU index (as README.md and deploy/Dockerfile install it):
# PyPI's Linux torch pulls several GB of CUDA packages. No retries: where that index cannot be reached
# pip falls back at once to the machine's own configured indexes and wheels instead of retrying each package.
TORCH := torch==2.13.0
TORCH_INDEX := https://download.pytorch.org/whl/cpu
# setuptools tells of every editable install by an import finder (ours: the repository root is the
# package) in a box that reads like an error; it is known here, so it is left out of the install log.
EDITABLE := PYTHONWARNINGS="ignore:Editable installation"

.PHONY: serve test test-fast test-bench test-frameworks test-compat test-ts lint docs deploy-check fuzz check calibrate clean

# `make serve` installs only what serving needs (the server and its client, no extras); every other
# target adds the dev and bench extras on top (the same venv, so serving after testing works too).
$(VENV)/.installed: pyproject.toml client/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --retries 0 --timeout 20 --index-url $(TORCH_INDEX) $(TORCH)
	# The server depends on the light client distribution (mnemo-client, in client/): one pip run
	# installs both, so that pip takes the client from here and never looks for it on an index.
	$(EDITABLE) $(BIN)/pip install --quiet -e ./client -e .
	touch $@

# The bench extra is the harness's own distribution, mnemo-bench (benchmarks/). Here only its
# requirements are installed: the editable server's `mnemo` is the repository root, so
# `mnemo.benchmarks` is imported from this tree (an installed mnemo-bench would put a second `mnemo`
# folder in site-packages, which Python would take for the whole package and hide the server).
# The client is not named again: $(VENV)/.installed has just installed it (editable), which satisfies
# the server's requirement on it without a second build.
$(VENV)/.installed-dev: $(VENV)/.installed benchmarks/requirements.txt
	$(EDITABLE) $(BIN)/pip install --quiet -e '.[dev]' -r benchmarks/requirements.txt
	touch $@

serve: $(VENV)/.installed
	@echo "mnemo: in a second shell, '. $(VENV)/bin/activate' puts mnemo (and mnemo-mcp, mnemo-hook) on PATH"
	$(BIN)/mnemo serve

# Two workers, each taking whole files (a file's session fixtures, e.g. a distilled model or a clone,
# are built once): one pytest process keeps only one of CI's two cores busy.
WORKERS := -n 2 --dist loadfile

test: $(VENV)/.installed-dev
	$(BIN)/pytest -rfE --durations=25 $(WORKERS)

# The edit–test loop: everything but the tests marked `slow` (servers, CLIs, benchmarks end to end).
test-fast: $(VENV)/.installed-dev
	$(BIN)/pytest -rfE -m "not slow" $(WORKERS)

# The benchmark harness's own tests (benchmarks/tests/), apart from the server's suite as the harness is
# apart from the server: same venv and pytest configuration, run by CI beside the benchmark smoke.
test-bench: $(VENV)/.installed-dev
	$(BIN)/pytest -rfE $(WORKERS) benchmarks/tests

# The framework adapters (mnemo_client.langgraph, .langchain, .llama_index, .openai_agents, .pydantic_ai)
# in a venv of their own: the client with every framework extra and pytest, no torch (the tests check),
# against one real `mnemo serve` they start from $(VENV). `make test` does not collect them.
FRAMEWORKS := .venv-frameworks
$(FRAMEWORKS)/.installed: client/pyproject.toml client/tests/requirements.txt
	$(PYTHON) -m venv $(FRAMEWORKS)
	$(FRAMEWORKS)/bin/pip install --quiet --upgrade pip
	$(FRAMEWORKS)/bin/pip install --quiet -e './client[langgraph,langchain,llama-index,openai-agents,pydantic-ai]' \
		-r client/tests/requirements.txt
	touch $@

test-frameworks: $(VENV)/.installed $(FRAMEWORKS)/.installed
	cd client && MNEMO_SERVE=../$(BIN)/mnemo ../$(FRAMEWORKS)/bin/pytest -rfE

# Other servers' protocols (compat/): mem0's, Redis AMS's and Zep's own published clients, at the
# versions compat/tests/requirements.txt and compat/tests/js/package-lock.json pin, in a venv and a
# node_modules of their own, each test file against one real `mnemo serve` started from $(VENV).
# `make test` does not collect them. Needs Node >= 20 and npm for the npm clients.
COMPAT := .venv-compat
$(COMPAT)/.installed: compat/tests/requirements.txt compat/tests/js/package-lock.json
	$(PYTHON) -m venv $(COMPAT)
	$(COMPAT)/bin/pip install --quiet --upgrade pip
	$(COMPAT)/bin/pip install --quiet -r compat/tests/requirements.txt
	cd compat/tests/js && npm ci --no-audit --no-fund --ignore-scripts
	touch $@

test-compat: $(VENV)/.installed $(COMPAT)/.installed
	cd compat/tests && MNEMO_SERVE=../../$(BIN)/mnemo ../../$(COMPAT)/bin/pytest -rfE -p no:cacheprovider
	cd compat/tests/js && MNEMO_SERVE=../../../$(BIN)/mnemo npm test

# The TypeScript client and its adapters (client-ts/, examples/typescript/): installed from the
# committed lockfile, type-checked, linted, and tested against one real `mnemo serve` started from
# $(VENV): the frameworks' own vendored suites under vitest (client-ts/test/vendor/), then node's own
# runner. Needs Node >= 20 and npm.
# `npm ci` (its `prepare` builds dist/) once per lockfile: CI installs it in the background.
# `npm test` runs without its `pretest` (build and link the examples): typecheck has just done both.
TS_MODULES := client-ts/node_modules/.installed
$(TS_MODULES): client-ts/package-lock.json
	cd client-ts && npm ci --no-audit --no-fund
	touch $@

test-ts: $(VENV)/.installed $(TS_MODULES)
	cd client-ts && npm run typecheck && npm run lint
	cd client-ts && MNEMO_SERVE=../$(BIN)/mnemo npm test --ignore-scripts

HISTORY_LABEL := \b(issues?|PR|GH)[ _-]?\#?\d|\bround \d+\b
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	# mypy sees the repository root under its installed name, mnemo (see [tool.mypy]).
	mkdir -p .typecheck && ln -sfn .. .typecheck/mnemo
	$(BIN)/mypy
	$(BIN)/lint-imports
	# Comments say why, not when: an issue number or a journal's round in code is history, which git
	# keeps (Markdown and data files may name them).
	@! git grep -n -I -i -P '$(HISTORY_LABEL)' -- . ':!*.md' ':!*.json' ':!*.jsonl' ':!*.csv' \
		|| { echo "lint: code names an issue or a round (above): say why, not when" >&2; exit 1; }
	# The sync client is generated from the async one: the two must agree.
	$(BIN)/python client/generate_sync_client.py --check

# The docs site (mkdocs.yml, docs/) into site/, strict: a link to a page or an anchor that is not
# there fails it. Its reference pages are written from the settings models and the OpenAPI schema at
# build time (docs/hooks/generated_pages.py); the house's map from the import graph (docs/house.svg).
docs: $(VENV)/.installed-dev
	$(BIN)/python docs/hooks/house_map.py docs/house.svg
	$(BIN)/mkdocs build --strict --quiet

# deploy/: compose.yaml and the Kubernetes manifests validated by their schemas (deploy/check.sh).
deploy-check:
	deploy/check.sh

# Fuzz the OpenAPI schema of a real server on loopback (bounded): no 5xx, no schema violations.
# positive_data_acceptance is left out: some rules cannot be said in a schema (an opaque cursor,
# budget_tokens together with model, fact_key only on semantic memories) and rightly give 4xx.
fuzz: $(VENV)/.installed-dev
	$(BIN)/python -m mnemo.cli.fuzz --examples 25

check: lint test fuzz

# A tiny run of every benchmark (about a minute), so that none of them rots; outputs in .bench-smoke/.
SMOKE := .bench-smoke
bench-smoke: $(VENV)/.installed-dev
	rm -rf $(SMOKE)
	$(BIN)/mnemo bench generate --size 300 --seed 1 --out $(SMOKE)/data
	$(BIN)/mnemo bench quality --memories $(SMOKE)/data/memories.jsonl --queries $(SMOKE)/data/queries.jsonl \
		--k 1,10 --budgets 256,1024 --out $(SMOKE)/quality
	$(BIN)/mnemo bench latency --sizes 2000 --concurrency 1,2 --requests 20 --max-seconds 20 --pool 200 \
		--ann-queries 10 --backend-queries 5 --client-max-size 2000 --out $(SMOKE)/latency
	$(BIN)/mnemo bench build --size 3000 --types episodic --idle-requests 20 --out $(SMOKE)/build
	$(BIN)/mnemo bench ingest --size 200 --out $(SMOKE)/ingest
	$(BIN)/mnemo bench load --duration 3 --clients 4 --out $(SMOKE)/load
	$(BIN)/mnemo bench write --sample 40 --out $(SMOKE)/write
	$(BIN)/mnemo bench load --scenario noisy-neighbour --duration 2 --quiet 1 --rate 2 --out $(SMOKE)/noisy
	$(BIN)/mnemo bench load --scenario big-batch --duration 2 --quiet 1 --rate 2 --batch-items 20 \
		--item-chars 2000 --out $(SMOKE)/big-batch
	$(BIN)/mnemo bench load --scenario flood --duration 2 --rounds 1 --writers 1 --retrievers 2 --out $(SMOKE)/flood
	$(BIN)/mnemo bench explorer --sizes 1000 --runs 1 --pool 200 --out $(SMOKE)/explorer
	$(BIN)/python -m mnemo.benchmarks.quality.repeatability --size 300 --out $(SMOKE)/repeatability

# Refit the confidence model (retrieval/ranking/confidence.json) after a ranking change: stores of every
# size cut from longmemeval-train (every question: the small bands need hundreds of stores before
# a held-out ECE can tell 0.05 from chance), locomo-dev and the LongMemEval dev sets (`mnemo bench scopes`) and
# locomo-dev whole, each through a quality run (budgets unfloored; with a warm embedding cache minutes
# each), then `mnemo bench calibrate`: fitted on the train and locomo sets, judged leave-one-out and on
# the dev stores, the default floor chosen on locomo-dev and the dev stores (benchmarks/JOURNAL.md,
# "Confidence in stores of every size"). The dev sets whole: `mnemo bench quality --unanswerable`.
DATASETS ?= ../shared/datasets
EMBEDDING_CACHE ?= .cache/embeddings
CALIBRATION ?= out/calibrate
EVERY_SIZE = --sizes 1,3,10,30,100 --without-sizes 1,3,10,30,100
calibrate: $(VENV)/.installed-dev
	$(BIN)/mnemo bench scopes --dataset $(DATASETS)/longmemeval-train --per-category 25 $(EVERY_SIZE) \
		--out $(CALIBRATION)/scopes-lme-train
	$(BIN)/mnemo bench scopes --dataset $(DATASETS)/locomo-dev --per-category 12 --out $(CALIBRATION)/scopes-locomo
	$(BIN)/mnemo bench scopes --dataset $(DATASETS)/longmemeval-dev --per-category 3 $(EVERY_SIZE) \
		--out $(CALIBRATION)/scopes-lme-dev
	$(BIN)/mnemo bench scopes --dataset $(DATASETS)/longmemeval-abstention-dev --per-category 10 $(EVERY_SIZE) \
		--out $(CALIBRATION)/scopes-abstention
	for set in $(CALIBRATION)/scopes-lme-train $(CALIBRATION)/scopes-locomo $(DATASETS)/locomo-dev \
			$(CALIBRATION)/scopes-lme-dev $(CALIBRATION)/scopes-abstention; do \
		nice -n 19 $(BIN)/mnemo bench quality --memories $$set/memories.jsonl --queries $$set/queries.jsonl \
			--min-confidence 0 --embedding-cache $(EMBEDDING_CACHE) --out $(CALIBRATION)/q-$$(basename $$set) || exit 1; \
	done
	$(BIN)/mnemo bench calibrate --rows lme-train=$(CALIBRATION)/q-scopes-lme-train/per_query.jsonl:question \
		--rows locomo-scopes=$(CALIBRATION)/q-scopes-locomo/per_query.jsonl:question \
		--rows locomo=$(CALIBRATION)/q-locomo-dev/per_query.jsonl:scope \
		--rows lme-dev=$(CALIBRATION)/q-scopes-lme-dev/per_query.jsonl:question \
		--rows abstention=$(CALIBRATION)/q-scopes-abstention/per_query.jsonl:question \
		--judge-only lme-dev,abstention --floor-on locomo,lme-dev \
		--model-out retrieval/ranking/confidence.json --out $(CALIBRATION)

clean:
	rm -rf $(VENV) $(FRAMEWORKS) .venv-deploy .typecheck .mypy_cache .ruff_cache .pytest_cache $(SMOKE) site \
		client-ts/node_modules client-ts/dist examples/typescript/node_modules
