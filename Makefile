# Every target does its own setup: a .venv is created and the project installed on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
ARGS ?=

.PHONY: run test bench eval clean lint

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP) $@

run: $(STAMP)
	$(BIN)/mlm-siem up $(ARGS)

test: $(TEST_STAMP)
	@bash scripts/system-deps.sh
	$(BIN)/python -m pytest -q $(ARGS)

bench: $(TEST_STAMP)
	$(BIN)/python -m benchmarks $(ARGS)

eval: $(STAMP)
	$(BIN)/mlm-siem eval $(ARGS)

lint: $(TEST_STAMP)
	$(BIN)/pip install -q ruff mypy
	$(BIN)/ruff check core collector detectors dashboard mlm_app simulator mlm_siem

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
