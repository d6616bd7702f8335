# make run  : set everything up and serve http://127.0.0.1:8000 (SQLite)
# make test : lint, then the whole suite on a throwaway PostgreSQL, then again on SQLite
#             (minus the database-free guest_tools tests, which need not run twice)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PASSWORD ?= multinic
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo_data --password '$(PASSWORD)'
	$(PY) manage.py runserver 127.0.0.1:8000

lint: $(STAMP)
	$(PY) -m ruff check .

test: lint
	$(PY) tools/pgtmp.py --install -- $(PY) -m pytest
	env -u DATABASE_URL $(PY) -m pytest -m "not postgres and not guest_tools"

bench: $(STAMP)
	$(PY) bench/render.py
	env -u DATABASE_URL $(PY) bench/allocation.py
	$(PY) tools/pgtmp.py --install -- $(PY) bench/allocation.py

clean:
	rm -rf $(VENV) db.sqlite3 var .pytest_cache .ruff_cache *.egg-info
