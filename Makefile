# One command per chore. `make run` and `make test` do all set-up on a fresh machine.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint fmt typecheck pytest migrate demo bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/daiban run

demo: $(VENV)/.installed
	$(BIN)/daiban demo --once

migrate: $(VENV)/.installed
	$(BIN)/daiban db upgrade

test: $(VENV)/.installed-dev lint typecheck pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

pytest: $(VENV)/.installed-dev
	$(BIN)/pytest

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/eval_classifier.py
	$(BIN)/python bench/bench_classifier.py
	$(BIN)/python bench/bench_sweep.py --db sqlite
	$(BIN)/python bench/bench_dispatch.py --db sqlite --messages 10000
	$(BIN)/python bench/bench_intake_api.py --db sqlite

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
