# The two commands: `make run` and `make test`. Everything else is for developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DJANGO_SETTINGS_MODULE := autocrea.settings

.PHONY: run test check format venv vnu demo clean

$(STAMP): requirements.txt requirements-dev.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

## make run: create the venv, migrate SQLite, load demo data, serve on http://127.0.0.1:8000
run: $(STAMP)
	DEBUG=true $(BIN)/python manage.py migrate --no-input
	DEBUG=true $(BIN)/python manage.py seed_demo
	DEBUG=true SUMMARIES_REFRESH_ON_READ=true $(BIN)/python manage.py runserver 127.0.0.1:8000

## make test: the whole suite (SQLite; PostgreSQL too when DATABASE_URL points to one)
test: $(STAMP)
	$(BIN)/python -m pytest -q

## make check: lint, format check, import directions, migrations up to date, types, templates, translations compiled
check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo
	$(BIN)/bandit -c pyproject.toml -r autocrea scripts -q
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run
	DEBUG=true $(BIN)/mypy autocrea/pathways/services.py autocrea/coaching/services autocrea/accounts/access.py autocrea/reporting autocrea/operations
	$(BIN)/djlint autocrea/templates --lint
	$(BIN)/python scripts/check_translations.py

## make vnu: the Nu Html Checker for tests/test_html_validity.py (needs npm and java; CI installs it)
VNU_VERSION := 26.9.27
vnu:
	test -f .cache/vnu/node_modules/vnu-jar/build/dist/vnu.jar || npm install --silent --no-audit --no-fund --prefix .cache/vnu vnu-jar@$(VNU_VERSION)

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 var .cache
