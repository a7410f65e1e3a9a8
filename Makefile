# The README's two commands: `make demo` and `make test`. Both create .venv when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench mutate clean lock image container-test

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	@$(BIN)/kpibot demo

test: $(STAMP)
	@bash scripts/test-setup.sh
	@$(BIN)/ruff check .
	@$(BIN)/mypy
	@$(BIN)/lint-imports
	@$(BIN)/python scripts/import-cycles.py
	@$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

lint: $(STAMP)
	@$(BIN)/ruff check .
	@$(BIN)/mypy
	@$(BIN)/lint-imports
	@$(BIN)/python scripts/import-cycles.py

bench: $(STAMP)
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# The container (README, "Deploying"): the lock the image installs from, the image, its smoke test.
lock: $(STAMP)
	@bash scripts/lock.sh

image:
	@bash scripts/container-setup.sh && bash scripts/container-base.sh && bash scripts/container-build.sh

container-test: $(STAMP)
	@bash scripts/container-test.sh

# Mutation testing of the scorecard's business rules with the domain tests (tests/scorecard/):
# a fresh copy in mutants/ each time, then the score per file (scripts/mutation-report.py).
MUTATE_JOBS ?= $(shell nproc 2>/dev/null || echo 2)
mutate: $(STAMP)
	@rm -rf mutants && mkdir mutants
	@echo "mutmut: progress in mutants/run.log"
	@$(BIN)/mutmut run --max-children $(MUTATE_JOBS) > mutants/run.log 2>&1 || (tail -c 3000 mutants/run.log; exit 1)
	@$(BIN)/python scripts/mutation-report.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache mutants
