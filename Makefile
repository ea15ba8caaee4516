# zonemap: `make run` serves the app with demo data; `make test` runs the whole suite.
VENV := .venv
ZONEMAP := $(VENV)/bin/zonemap
PYTEST := $(VENV)/bin/pytest
RUFF := $(VENV)/bin/ruff

.PHONY: run test lint unit db-up db-down db-status bootstrap bench

run:
	@scripts/bootstrap.sh run
	@$(ZONEMAP) db up
	@$(ZONEMAP) demo --if-empty
	@$(ZONEMAP) serve

test:
	@scripts/bootstrap.sh test
	@$(ZONEMAP) db up
	REQUIRE_DB=1 REQUIRE_BROWSER=1 $(PYTEST) -q
	$(RUFF) check geo api web tests bench
	$(RUFF) format --check geo api web tests bench
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

unit:
	@scripts/bootstrap.sh run
	$(PYTEST) -q tests/unit

lint:
	$(RUFF) check geo api web tests bench
	$(RUFF) format --check geo api web tests bench
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

db-up:
	@$(ZONEMAP) db up

db-down:
	@$(ZONEMAP) db down

db-status:
	@$(ZONEMAP) db status

bench:
	@scripts/bootstrap.sh test
	@$(ZONEMAP) db up
	$(VENV)/bin/python -m bench.run_all
