# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run test lint translations seed-county bench bench-import bench-province load mutate clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# Serve the demo on http://127.0.0.1:5000/ (SQLite in instance/ unless DATABASE_URL is set).
run: install
	$(FLASK) db upgrade
	DEMO_MODE=1 $(FLASK) seed demo --if-empty
	@echo "请在浏览器中打开 http://$(HOST):$(PORT)/ ，用上面的演示账号登录（换端口：make run PORT=8080）。"
	@echo "Open http://$(HOST):$(PORT)/ and sign in with a demo account above (another port: make run PORT=8080)."
	DEMO_MODE=1 $(FLASK) run --host $(HOST) --port $(PORT)

# The whole suite on SQLite, or on the database server named by TEST_DATABASE_URL.
test: install
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .

# After changing user-facing text: extract, merge into the catalogue, compile.
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 -o /tmp/children-home.pot .
	$(BIN)/pybabel update -i /tmp/children-home.pot -d admin_app/translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d admin_app/translations
	$(BIN)/pybabel compile -D admin -d admin_app/translations

# Curated mutants of the data-protecting rules, one at a time against the suite, into
# TESTING.md (not in CI, not in `make test`; about half an hour). MUTATE_ARGS: see
# `tests/mutation/run.py --help` (-k stock, --quick, --jobs 2).
mutate: install
	$(BIN)/python tests/mutation/run.py $(MUTATE_ARGS)

# A county-sized database (200 Homes, 40,000 children) in instance/county.db.
seed-county: install
	rm -f instance/county.db
	DATABASE_URL=sqlite:///$(CURDIR)/instance/county.db $(FLASK) db upgrade
	DATABASE_URL=sqlite:///$(CURDIR)/instance/county.db $(FLASK) seed demo --homes 200 --children 40000

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# County-scale figures into BENCHMARKS.md (SQLite; PostgreSQL too with BENCH_DATABASE_URL).
bench: install
	$(BIN)/python bench/run.py

# Only the 40,000-row roster import (a few minutes).
bench-import: install
	$(BIN)/python bench/run.py --only import

# A province's million children (3,000 Homes) on PostgreSQL against the 100,000-child county
# (PROVINCE_DATABASE_URL, BENCH_DATABASE_URL; seeded once, then kept: about an hour and
# 15 GB the first time). Figures into BENCHMARKS.md.
bench-province: install
	$(BIN)/python bench/province.py

# 50 users of mixed roles against two gunicorn instances on PostgreSQL (127.0.0.1 only);
# needs PostgreSQL and redis running. Figures into BENCHMARKS.md.
load: install
	$(BIN)/pip install --quiet -e ".[dev,load]"
	$(BIN)/python bench/load.py
