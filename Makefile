# circumspect: two commands for a fresh machine
#   make demo   bootstrap .venv, then run the main job offline on bundled demo data
#   make test   bootstrap .venv, lint and type-check, start services, run the whole suite
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_HOME ?= $(CURDIR)/.demo
PYTEST_ARGS ?=

.PHONY: demo test check lint typecheck layers bench bootstrap clean

$(STAMP): requirements.lock pyproject.toml setup.py circumspect/names/_core.pyx scripts/bootstrap.sh
	@scripts/bootstrap.sh

bootstrap: $(STAMP)

demo: $(STAMP)
	CIRCUMSPECT_HOME=$(DEMO_HOME) $(BIN)/circumspect demo --out $(DEMO_HOME)/out

lint: $(STAMP)
	$(BIN)/ruff check circumspect tests benchmarks scripts
	$(BIN)/ruff format --check circumspect tests benchmarks scripts

typecheck: $(STAMP)
	$(BIN)/mypy --strict circumspect

layers: $(STAMP)
	$(BIN)/lint-imports

check: lint typecheck layers

test: $(STAMP) check
	@eval "$$(scripts/services.sh)"; \
	$(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS); rc=$$?; \
	if [[ $$rc == 5 ]]; then echo "pytest collected no tests: failing" >&2; exit 1; fi; exit $$rc

bench: $(STAMP)
	@eval "$$(scripts/services.sh)"; $(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .demo .pytest_cache .mypy_cache .ruff_cache
