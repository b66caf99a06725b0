# Kechuang: `make demo` sets everything up and serves the app; `make test` runs the whole suite.
# Works on a fresh Debian machine: installs Debian packages when missing, a venv from the lock
# file, the front-end assets from the npm registry.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
VAR := var
VENDOR := kechuang/core/static/vendor
DEB_PACKAGES := chromium fonts-noto-cjk postgresql-15 libreoffice-writer-nogui
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# The demo: plain HTTP on the loopback, a key generated once per checkout.
DEMO_ENV = KECHUANG_HTTPS=0 KECHUANG_SECRET_KEY="$$(cat $(VAR)/secret-key)" KECHUANG_ALLOWED_HOSTS=127.0.0.1,localhost

.PHONY: help demo test lint format bench system venv assets lock db-start db-stop clean

help:
	@echo "make demo   安装依赖、载入南阳参考数据与演示数据，在 http://127.0.0.1:$(PORT) 启动平台"
	@echo "make test   代码检查 + SQLite 与 PostgreSQL 上的全部测试 + 浏览器测试"
	@echo "make bench  性能基准（结果写入 bench/results/*.json）"
	@echo "make lock   依赖变更后重新生成 requirements.lock"

# --- installation -------------------------------------------------------------------------
system: $(VAR)/.system-ok
$(VAR)/.system-ok:
	@mkdir -p $(VAR)
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	command -v $(PYTHON) >/dev/null || missing="$$missing python3 python3-venv"; \
	if [ -n "$$missing" ]; then \
	  echo "安装系统软件包:$$missing"; \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $$missing; \
	fi
	@touch $@

venv: $(VENV)/.installed
$(VENV)/.installed: requirements.lock pyproject.toml | system
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.lock
	@touch $@

lock:
	$(PY) -m pip install -q uv && $(VENV)/bin/uv pip compile -q pyproject.toml --extra dev -o requirements.lock

assets: $(VENDOR)/.installed
$(VENDOR)/.installed: package.json package-lock.json | system
	npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(VENDOR)/bootstrap $(VENDOR)/htmx $(VENDOR)/echarts
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map \
	   node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map $(VENDOR)/bootstrap/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts/
	@touch $@

$(VAR)/secret-key:
	@mkdir -p $(VAR) && umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

# What `manage.py` reads when no key is set, so the README's commands work after `make demo`
# (kechuang/demo_env.py); gunicorn never reads it.
$(VAR)/demo.env: $(VAR)/secret-key
	@umask 077 && printf 'KECHUANG_HTTPS=0\nKECHUANG_SECRET_KEY=%s\nKECHUANG_ALLOWED_HOSTS=127.0.0.1,localhost\n' "$$(cat $<)" > $@

# --- the two commands ---------------------------------------------------------------------
demo: venv assets $(VAR)/secret-key $(VAR)/demo.env
	@export $(DEMO_ENV); \
	$(PY) manage.py migrate --noinput -v0 && \
	$(PY) manage.py collectstatic --noinput -v0 && \
	$(PY) manage.py load_reference && \
	$(PY) manage.py load_plan && \
	$(PY) manage.py load_demo && \
	$(PY) manage.py load_tier_rules && \
	$(PY) manage.py screen_enterprises --years 2022-2025 --if-empty && \
	echo "科创平台：http://127.0.0.1:$(PORT)  （用上面的 admin 账户登录；Ctrl+C 停止）" && \
	exec ./scripts/serve.sh $(PY) $(VENV)/bin/gunicorn $(PORT)

test: venv assets lint
	$(PY) manage.py check --deploy --fail-level WARNING --settings=kechuang.settings_deploy_check
	@echo "== SQLite =="
	$(PY) -m pytest -q -m "not browser" -p no:cacheprovider -n 2
	@echo "== PostgreSQL 15 =="
	@url=$$(./scripts/postgres.sh start) && \
	KECHUANG_DATABASE_URL=$$url $(PY) -m pytest -q -m "not browser" -p no:cacheprovider -n 2
	@echo "== Browser (Debian chromium via Playwright) =="
	$(PY) -m pytest -q -m browser -p no:cacheprovider

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Benchmarks with a database run on SQLite, then on PostgreSQL 15 (the cluster `make test` uses,
# databases kechuang_bench / kechuang_import / kechuang_concurrency / kechuang_load);
# results in bench/results/{sqlite,postgresql}/. matching_scale builds 1,000,000 documents.
BENCH_PURE := assignment matching matching_scale screening
BENCH_DB := generate import concurrency org_list progress screening_run policies load
bench: venv
	@mkdir -p $(VAR)/bench
	@for b in $(BENCH_PURE); do $(PY) bench/bench_$$b.py || exit 1; done
	@echo "== SQLite =="
	@for b in $(BENCH_DB); do KECHUANG_BENCH_DB=sqlite $(PY) bench/bench_$$b.py || exit 1; done
	@echo "== PostgreSQL 15 =="
	@url=$$(./scripts/postgres.sh start) && \
	for b in $(BENCH_DB); do KECHUANG_BENCH_DB=postgresql KECHUANG_BENCH_PG_URL=$$url $(PY) bench/bench_$$b.py || exit 1; done

db-start:
	@./scripts/postgres.sh start
db-stop:
	@./scripts/postgres.sh stop

clean:
	./scripts/postgres.sh stop || true
	rm -rf $(VENV) node_modules $(VENDOR) $(VAR)
