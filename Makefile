# Gõ Cửa: `make run` serves the app with demo data; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask
export FLASK_APP := app
VENDOR := static/vendor

.PHONY: run serve test setup db assets translations bench load clean

run: setup db
	$(FLASK) demo --if-empty
	@echo "Gõ Cửa: http://127.0.0.1:5000"
	$(FLASK) run --host 127.0.0.1 --port 5000

# A real install: no demo. The first admin comes from `flask users create-admin` (README).
serve: setup db
	$(FLASK) run --host 127.0.0.1 --port 5000

test: setup
	$(VENV)/bin/ruff check .
	$(PY) -m pytest
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "== again on PostgreSQL ($$TEST_DATABASE_URL)"; \
	  GOCUA_TEST_DB=postgresql $(PY) -m pytest; \
	else echo "TEST_DATABASE_URL is not set: the PostgreSQL run is skipped"; fi

setup: $(VENV)/.installed $(VENDOR)/.installed translations

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# Front-end assets from the npm registry, with the committed lock file.
$(VENDOR)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/htmx.org $(VENDOR)/leaflet $(VENDOR)/leaflet.markercluster $(VENDOR)/leaflet-geoman
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.org/
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images $(VENDOR)/leaflet/
	cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js node_modules/leaflet.markercluster/dist/MarkerCluster.css node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css $(VENDOR)/leaflet.markercluster/
	cp node_modules/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.js node_modules/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.css $(VENDOR)/leaflet-geoman/
	touch $@

translations: $(VENV)/.installed
	@$(VENV)/bin/pybabel compile -d translations 2>&1 | grep -v '^compiling' || true

db: setup
	$(FLASK) db upgrade

# The shared benchmarks live beside the project (SHARED=/path/to/shared to run them from elsewhere).
SHARED ?= ../shared

bench: setup
	$(PY) -m pip install --quiet -e '.[bench]'
	mkdir -p .bench-cache
	@echo "== ward: Suggest against OR-Tools and VROOM (cached reference), on the walking network"
	$(PY) $(SHARED)/bench/ward_bench.py --project . --no-solve
	@for suite in public public-large public-through; do \
	  echo "== walks: $$suite (every walk: .bench-cache/walks-$$suite.txt)"; \
	  $(PY) $(SHARED)/bench/walk_bench.py --project . --suite $$suite \
	    --cache .bench-cache/ortools-$$suite.json > .bench-cache/walks-$$suite.txt \
	    || { cat .bench-cache/walks-$$suite.txt; exit 1; }; \
	  tail -n 1 .bench-cache/walks-$$suite.txt; done
	@for script in benchmarks/*.py; do \
	  case $$script in */load.py) continue;; esac; \
	  echo "== $$script"; $(PY) $$script || exit 1; done
	@echo "(the load run is separate: make load)"

# 200 volunteers saving visits under gunicorn, on PostgreSQL and SQLite (LOAD_ARGS=--seconds 20).
load: setup
	$(PY) benchmarks/load.py $(LOAD_ARGS)

clean:
	rm -rf $(VENV) node_modules $(VENDOR) .pytest_cache
