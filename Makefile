# The two commands: `make run` serves the app with the seed loaded on a real Neo4j;
# `make test` runs the whole suite. Both first install the system packages they need
# (scripts/prerequisites.sh: apt-get as root, else the one command to run), then create
# .venv and install the package: `make run` its runtime dependencies only, `make test`
# the [test] extras too (each with its own stamp, redone when pyproject.toml changes).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
RUN_STAMP  := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
PYTEST_ARGS ?=

.PHONY: run test test-fast setup setup-run prerequisites-run prerequisites-test neo4j lint typecheck clean bench-search bench-api bench-api-growth bench-api-inprocess bench-faults bench-load

prerequisites-run:
	@PYTHON=$(PYTHON) scripts/prerequisites.sh run

prerequisites-test:
	@PYTHON=$(PYTHON) scripts/prerequisites.sh test

$(RUN_STAMP): pyproject.toml
	@test -x $(BIN)/python || { echo "Creating $(VENV)"; $(PYTHON) -m venv $(VENV); }
	@echo "Installing the package and its runtime dependencies into $(VENV)"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	@touch $(RUN_STAMP)

$(TEST_STAMP): $(RUN_STAMP)
	@echo "Installing the test extras into $(VENV)"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(TEST_STAMP)

# The runtime only (make run); `setup` is the developer's: the test extras too.
setup-run: $(RUN_STAMP)
setup: $(TEST_STAMP)

# Resolve Neo4j with Maven and start it (skipped when NEO4J_URI points elsewhere).
neo4j: prerequisites-run setup-run
	@if [ -z "$$NEO4J_URI" ]; then $(BIN)/kb neo4j start; fi

# `kb serve` starts Neo4j itself (and says so), applies the schema, seeds an empty graph
# and prints the URL; Ctrl-C stops the app and leaves Neo4j running for the next start.
run: prerequisites-run setup-run
	@$(BIN)/kb serve

test: prerequisites-test setup
	$(BIN)/pytest $(PYTEST_ARGS)

# The fast tier: the tests that need no Neo4j and no Java (parsing, validation, limits,
# cost, ordering, layers), in seconds.
test-fast: setup
	$(BIN)/pytest -m fast $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check kb tests
	$(BIN)/ruff format --check kb tests

typecheck: setup
	$(BIN)/mypy kb
	$(BIN)/mypy tests

# Search benchmark (Whoosh beside Neo4j full-text): writes bench/README.md. It wipes the
# graph it uses, so it runs on its own managed Neo4j under .kb-bench/.
bench-search: setup
	KB_DATA_DIR=$${KB_BENCH_DATA_DIR:-$(CURDIR)/.kb-bench} $(BIN)/python bench/search/run.py

# API benchmark: a real `kb serve` (response cache off and on) beside the Neo4j GraphQL
# Library on Apollo Server (npm ci into bench/api/peer) and hand-written Cypher, one load
# generator (autocannon) for both, at 1x, 10x and 100x the seed (BENCH_API_SCALE=1 for
# less); ~12 min. Writes bench/api/README.md. Wipes its own managed Neo4j under .kb-bench/.
bench-api: setup
	KB_DATA_DIR=$${KB_BENCH_DATA_DIR:-$(CURDIR)/.kb-bench} $(BIN)/python bench/api/compare.py --scale $${BENCH_API_SCALE:-1,10,100}

# The growth of the paged and nested reads from 1x to 100x the seed (issue 13 item 4), fairly:
# both graphs at once (two managed Neo4j under .kb-bench/growth-*x, each with its `kb serve` and
# peer), their cells interleaved round by round; ~15 min. Writes bench/api/README.md.
bench-api-growth: setup
	KB_DATA_DIR=$${KB_BENCH_DATA_DIR:-$(CURDIR)/.kb-bench} $(BIN)/python bench/api/compare.py --growth $${BENCH_API_GROWTH:-1,100} --rounds 5 --seconds 3

# The in-process variant (one nested read, ASGI without network, cache off and on).
bench-api-inprocess: setup
	KB_DATA_DIR=$${KB_BENCH_DATA_DIR:-$(CURDIR)/.kb-bench} $(BIN)/python bench/api/run.py

# Expensive requests beside a simple read (real `kb serve` on 127.0.0.1, 8 clients, bounded
# phases): writes bench/faults/README.md. Reads only; seeds its own Neo4j under .kb-bench/ if empty.
bench-faults: setup
	KB_DATA_DIR=$${KB_BENCH_DATA_DIR:-$(CURDIR)/.kb-bench} $(BIN)/python bench/faults/expensive.py

# Load benchmark (16 readers + 1 writer against a real `kb serve` for 60 s, the baseline
# commit and the working tree): RSS and open files before and after; writes
# bench/load/README.md. Wipes the graph of its own managed Neo4j under .kb-bench/.
bench-load: setup
	KB_DATA_DIR=$${KB_BENCH_DATA_DIR:-$(CURDIR)/.kb-bench} $(BIN)/python bench/load/run.py $(BENCH_ARGS)

clean:
	-$(BIN)/kb neo4j stop
	rm -rf $(VENV) .kb-data .pytest_cache
