# Teacher records system -- developer / CI entry points.
#
#   make            venv + front-end assets + compiled translations
#   make run        migrate, load demo data, serve on 127.0.0.1:$${PORT:-5000}
#   make messages   add new _('…') texts of views/ to translations/*/messages.po
#   make test       pytest (PYTEST_ARGS="..." to pass arguments); "no tests" fails
#   make bench      python -m bench
#   make clean      remove generated assets and caches (keeps .venv and instance/)
#   make distclean  clean + remove .venv
#
# DATABASE_URL / TEST_DATABASE_URL are read by the app from the environment;
# the Makefile only passes them through.

SHELL       := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

PYTHON      ?= python3.11
VENV        := .venv
VENV_STAMP  := $(VENV)/.installed
FLASK       = $(VENV)/bin/flask --app app
PYTEST      = $(VENV)/bin/pytest
PYTEST_ARGS ?=

CHROMIUM    := /usr/bin/chromium

.DEFAULT_GOAL := all
.PHONY: all venv install assets translations messages run test bench browser-deps clean distclean help

all: venv assets translations

help:
	@sed -n '1,/^$$/p' $(firstword $(MAKEFILE_LIST)) | sed 's/^# \{0,1\}//'

# ---------------------------------------------------------------- python venv
venv install: $(VENV_STAMP)

$(VENV_STAMP): requirements.txt requirements-dev.txt
	@if [ ! -x $(VENV)/bin/python ]; then \
	  echo "venv: creating $(VENV) with $(PYTHON)"; \
	  $(PYTHON) -m venv $(VENV); \
	fi
	$(VENV)/bin/pip install --disable-pip-version-check -q -r requirements-dev.txt
	@touch $@

# ---------------------------------------------------------- front-end assets
# Copies pinned npm packages into views/static/vendor/ (own content-hash stamp).
assets:
	@bash scripts/build_assets.sh

# --------------------------------------------------------------- translations
# The msgids are the Chinese text, so Chinese needs no catalogue; English is
# translations/en/LC_MESSAGES/messages.po. `translations` compiles every .po to its
# .mo (git-ignored; the app also compiles a missing or stale one when it starts,
# views/i18n.py). `messages` extracts the texts babel.cfg names and adds the new
# ones to every .po with an empty msgstr (tests/test_i18n.py fails until filled).
PYBABEL        = $(VENV)/bin/pybabel
BABEL_KEYWORDS = -k lazy_gettext -k _l

translations: venv
	$(PYBABEL) -q compile -d translations

messages: venv
	$(PYBABEL) -q extract -F babel.cfg $(BABEL_KEYWORDS) --add-location=file --sort-output -w 120 \
	  -o translations/messages.pot .
	$(PYBABEL) -q update -i translations/messages.pot -d translations -w 120 --ignore-obsolete --no-fuzzy-matching
	rm -f translations/messages.pot

# ------------------------------------------------------------------------ run
run: venv assets translations
	$(FLASK) db upgrade
	$(FLASK) demo load
	$(FLASK) serve --host 127.0.0.1 --port $${PORT:-5000}

# ----------------------------------------------------------------------- test
# pytest exit 5 ("no tests collected") is a failure, like any other non-zero.
test: venv assets translations browser-deps
	@set +e; $(PYTEST) -q $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then \
	  echo "make test: FAILED -- pytest collected no tests (exit 5)" >&2; \
	elif [ $$rc -ne 0 ]; then \
	  echo "make test: FAILED -- pytest exit code $$rc" >&2; \
	fi; \
	exit $$rc

# ---------------------------------------------------------------------- bench
bench: venv
	$(VENV)/bin/python -m bench

# -------------------------------------------------- browser (Playwright) deps
# Debian's chromium (Playwright cannot download its own browser here) and a
# CJK font so Chinese text renders in screenshots.
browser-deps:
	@need=""; \
	[ -x $(CHROMIUM) ] || need="$$need chromium"; \
	if ! command -v fc-list >/dev/null 2>&1; then \
	  need="$$need fontconfig fonts-noto-cjk"; \
	elif [ -z "$$(fc-list :lang=zh 2>/dev/null)" ]; then \
	  need="$$need fonts-noto-cjk"; \
	fi; \
	if [ -z "$$need" ]; then \
	  echo "browser-deps: ok ($(CHROMIUM), CJK font present)"; \
	elif [ "$$(id -u)" -eq 0 ]; then \
	  echo "browser-deps: installing$$need"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update; \
	  apt-get install -y --no-install-recommends chromium fonts-noto-cjk $$( [[ "$$need" == *fontconfig* ]] && echo fontconfig ); \
	else \
	  echo "browser-deps: WARNING: missing:$$need -- not root, cannot apt-get install." >&2; \
	  echo "browser-deps: run as root: apt-get update && apt-get install -y --no-install-recommends chromium fonts-noto-cjk" >&2; \
	  echo "browser-deps: browser tests will fail or be skipped until then." >&2; \
	fi

# ---------------------------------------------------------------------- clean
clean:
	rm -rf views/static/vendor views/static/.vendor.tmp.* node_modules \
	       .pytest_cache .hypothesis test-results
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
