# Two commands for a fresh machine: `make run` (talk to the skill) and `make test` (the whole suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint typecheck clean

run: $(STAMP)
	@$(BIN)/closer chat

test: $(STAMP)
	$(BIN)/ruff check lambda tests
	$(BIN)/mypy
	$(BIN)/pytest

$(STAMP): pyproject.toml lambda/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r lambda/requirements.txt -e '.[dev]'
	@touch $@

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .closer
