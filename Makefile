# make run  : set everything up and serve http://127.0.0.1:8000 (SQLite)
# make test : lint, then the whole suite on a throwaway PostgreSQL, then again on SQLite
#             (minus the database-free guest_tools, guest_boot and keystone tests and the
#             browser tests, which need not run twice)
# make screenshots : the dashboard pictures in docs/screenshots/, taken by the browser tests
# make bench : every benchmark, then one table (CRASHES=N server kills, default 200)
# make static : the production deploy step for static files (README, "Production"): collect
#               them into STATIC_ROOT, compile every {% compress %} block, gzip the result
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PASSWORD ?= multinic
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean browser screenshots static keystone guest guest-test

# Debian's Chromium and its driver, for the browser tests (installed when missing; root).
CHROMEDRIVER := /usr/bin/chromedriver

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo_data --password '$(PASSWORD)'
	$(PY) manage.py runserver 127.0.0.1:8000

# STATIC_ROOT: MULTINIC_STATIC_ROOT, else the settings' default. compress writes the CACHE/
# bundles after collectstatic has gzipped what it collected, so they are gzipped on their own.
# Settings with DEBUG off refuse to load without MULTINIC_SECRET_KEY; nothing this step writes
# depends on the key (collectstatic copies files, compressor names its bundles and offline
# manifest by the hash of their content, WhiteNoise gzips), so without one in the environment
# (a build host that holds no secrets) it runs with a throwaway key. With one, that key is
# checked here already. The shell expands it: make would print its value with the command.
STATIC_ROOT := $(or $(MULTINIC_STATIC_ROOT),var/static)
static: $(STAMP)
	export MULTINIC_DEBUG=0 \
	  MULTINIC_SECRET_KEY="$${MULTINIC_SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')}"; \
	$(PY) manage.py collectstatic --noinput && $(PY) manage.py compress --force
	$(PY) -m whitenoise.compress -q '$(STATIC_ROOT)/CACHE'

lint: $(STAMP)
	$(PY) -m ruff check .

$(CHROMEDRIVER):
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver \
	  || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	      apt-get install -y -qq chromium chromium-driver)

browser: $(CHROMEDRIVER)

# Keystone 30 and gunicorn in a venv of their own, for the keystone tests; built once per
# machine and recipe under ~/.cache/multinic-keystone (a minute; instant once built).
keystone:
	bash tools/keystone/setup.sh >/dev/null

# The boot test's Debian 12 guest image, kernel and initrd, built from Debian's packages with
# mmdebstrap (installs qemu-system-x86, mmdebstrap, e2fsprogs and xorriso when missing; root);
# once per machine and recipe under ~/.cache/multinic-guest (about 1.5 minutes, 750 MB).
guest:
	bash tools/guest/setup.sh >/dev/null

# Only the boot test: two real guests from our config drives (about two minutes, warm).
guest-test: $(STAMP) guest
	$(PY) -m pytest -q -m guest_boot tests/system/test_guest_boot.py

test: lint browser keystone guest
	$(PY) tools/pgtmp.py --install -- $(PY) -m pytest
	env -u DATABASE_URL $(PY) -m pytest \
	  -m "not postgres and not guest_tools and not guest_boot and not browser and not fuzz and not keystone"

screenshots: $(STAMP) browser
	MULTINIC_SCREENSHOTS=docs/screenshots $(PY) tools/pgtmp.py --install -- \
	  $(PY) -m pytest -q -m browser tests/dashboard/test_dashboard_browser.py

bench: $(STAMP)
	$(PY) tools/pgtmp.py --install --durable -- $(PY) bench/report.py --crash-repeats $(or $(CRASHES),200)

clean:
	rm -rf $(VENV) db.sqlite3 var .pytest_cache .ruff_cache *.egg-info
