# The academy's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= lms.settings.dev

.PHONY: run test install lock migrate seed messages check clean fonts bench lint

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11+ is needed" or 0)'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Installs exactly what requirements.lock pins; re-runs only when it changes.
$(VENV)/.installed: requirements.lock pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

install: $(VENV)/.installed

# Re-pin the whole dependency tree from pyproject.toml.
lock: | $(PY)
	$(PY) -m pip install --quiet --upgrade -e '.[test]'
	$(PY) -m pip freeze --exclude-editable > requirements.lock

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo --if-empty

# Certificates embed a TrueType Chinese font (docs/decisions/0020): install
# Debian's WenQuanYi Micro Hei when root can, otherwise say how.
fonts:
	@if command -v fc-list >/dev/null && fc-list :lang=zh file | grep -qiE '\.tt[fc]'; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing a Chinese TrueType font for certificates (fonts-wqy-microhei)"; \
	  apt-get install -y -qq --no-install-recommends fonts-wqy-microhei fontconfig >/dev/null || \
	  (apt-get update -qq && apt-get install -y -qq --no-install-recommends fonts-wqy-microhei fontconfig >/dev/null) || \
	  echo "Could not install fonts-wqy-microhei; certificates will use a built-in font that is not embedded."; \
	else \
	  echo "No Chinese TrueType font found: certificate PDFs will use a built-in font that is not embedded."; \
	  echo "Install one with: sudo apt-get install fonts-wqy-microhei (or set CERTIFICATES_FONT_PATH to a .ttf/.ttc)."; \
	fi

run: fonts seed
	$(PY) manage.py run_academy --host $(HOST) --port $(PORT)

test: install node_modules/.installed
	DJANGO_SETTINGS_MODULE=lms.settings.test $(PY) -m pytest $(PYTEST_ARGS)

# Every benchmark in bench/, then one table of figures against their budgets
# (docs/performance.md); QUICK=1 for smaller sizes, ONLY="load dashboard"
# for some. The PostgreSQL benches drop and recreate their own databases,
# named $(BENCH_DATABASE_URL)_dash, _lesson and _load; BENCH_BROKER_URL names
# the Redis the Celery benches empty and use.
BENCH_DATABASE_URL ?= postgres://postgres:postgres@127.0.0.1:5432/lms_bench
bench: install
	$(PY) bench/run_all.py --database-url $(BENCH_DATABASE_URL) $(if $(QUICK),--quick) \
	  $(if $(BENCH_BROKER_URL),--broker-url $(BENCH_BROKER_URL)) $(if $(ONLY),--only $(ONLY))

# axe-core, which the browser tests run inside pages to check accessibility.
# Without npm the accessibility tests say so (and fail under
# LMS_REQUIRE_SERVICES=1); the academy itself needs nothing from npm.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the accessibility checks will not run (apt-get install npm)"; fi

# Rebuild the translation catalogues after changing user-facing strings.
messages: install
	set -e; for app in lms lms/privacy courses certificates mentors themes; do \
	  mkdir -p $$app/locale; \
	  (cd $$app && $(CURDIR)/$(PY) $(CURDIR)/manage.py makemessages -l zh_Hans -l en --no-obsolete \
	    --ignore 'tests/*' --ignore 'privacy/*'); done
	$(PY) manage.py compilemessages --ignore '.venv'

# The import contracts between the apps and lms's layers (pyproject.toml,
# [tool.importlinter]; docs/decisions/0090). make test checks them too.
lint: install
	$(BIN)/lint-imports

check: install
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

clean:
	rm -rf var static media
