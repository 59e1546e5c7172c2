# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8080
DB ?= avroll.db
AGENT_STATE ?= .avroll-agent
URL := http://$(HOST):$(PORT)

.PHONY: install run test test-windows lint typecheck bench clean

install: $(VENV)/.installed

# Reinstalled whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[collector,dev]'
	touch $@

# Stops at once when the port is taken (a collector already running: PORT=8081 picks another).
# Loads the example units into an empty database, starts the collector (on a new database
# it creates `admin`: its password is printed once, or, when the output is not a terminal,
# written to $(DB).admin-password, mode 0600), sends this machine's report with the real
# agent (enrolled on the first run with a one-time token, revoked right after; credential
# kept in $(AGENT_STATE)/), keeps serving.
run: install
	@$(BIN)/python -m collector.cli.port_free $(HOST) $(PORT)
	@$(BIN)/avroll units import collector/data/dong_thap_2021_units.csv --if-empty --db $(DB)
	@$(BIN)/avroll serve --host $(HOST) --port $(PORT) --db $(DB) & server=$$!; \
	trap 'kill $$server 2>/dev/null' INT TERM EXIT; \
	$(BIN)/python -m collector.cli.wait_ready $(URL) $$server || exit 1; \
	$(BIN)/python -m collector.cli.enroll_here $(URL) $(DB) $(AGENT_STATE); \
	echo; echo "avroll is running: open $(URL)/ in a browser and log in (Ctrl-C stops it)."; \
	echo "Other commands: .venv/bin/avroll --help (or first: . .venv/bin/activate)"; \
	wait $$server

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy over shared/, collector/store/ and collector/counting/ ([tool.mypy] in pyproject.toml).
typecheck: install
	$(BIN)/mypy

# The Windows stage (build/wine/stage.py) runs after the suite whenever Wine can be set up
# (it says why when it cannot); `make test-windows` runs it alone, and fails where it cannot.
test: lint typecheck
	$(BIN)/python -m pytest
	$(BIN)/python build/wine/stage.py run --if-possible

test-windows: install
	$(BIN)/python build/wine/stage.py run

bench: install
	$(BIN)/python -m tests.bench

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache .mypy_cache $(AGENT_STATE) .wine-stage
