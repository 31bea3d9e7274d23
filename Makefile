# Yuqian Map — the two commands:
#   make run    set up and serve the web map and API on the shipped geodata/ (http://127.0.0.1:8080)
#   make test   set up and run every test (what .ci/run runs)
# Everything the targets need is installed by them; see README.md.

SHELL := /bin/bash
ADDR ?= 127.0.0.1:8080
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test setup-fonts setup-system setup-python setup-web test-rust test-python test-ogc test-browser test-cluster check fmt lint

# Debian packages the tests use: osmium-tool builds the .osm.pbf fixture of the OSM importer;
# gpsbabel reads back the GPX export; gdal-bin (ogrinfo, ogr2ogr) is a real client of /ogc;
# fonts-noto-cjk is what the static maps (/api/static.png) write Chinese labels with;
# PostgreSQL 15 with PostGIS 3 holds the data versions and saved loops of replicas (tests start
# a throwaway cluster with tools/pg/throwaway.sh), HAProxy is the load balancer of the replica
# cluster (tools/cluster/) and wrk its read load.
APT_PACKAGES := osmium-tool gpsbabel gdal-bin fonts-noto-cjk postgresql-15 postgresql-15-postgis-3 haproxy wrk
FONT_PACKAGES := fonts-noto-cjk
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# $(call apt_install,PACKAGES): installs those of PACKAGES that are missing (apt-get update first).
apt_install = @missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

setup-fonts:
	$(call apt_install,$(FONT_PACKAGES))

setup-system:
	$(call apt_install,$(APT_PACKAGES))

run: setup-fonts setup-web
	cargo build --release
	./target/release/yuqian check geodata
	./target/release/yuqian serve --addr $(ADDR) --data geodata --web web

$(VENV)/.installed: tools/requirements.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r tools/requirements.txt
	touch $@

setup-python: $(VENV)/.installed

test-rust: setup-system setup-python
	cargo build --locked
	YUQIAN_PYTHON=$(CURDIR)/$(PY) cargo nextest run --locked --no-fail-fast

setup-web:
	web/setup.sh

# The browser tests drive Debian's chromium against the debug server binary built by test-rust.
test-browser: test-rust
	web/setup.sh --test
	node --test --test-concurrency=1 tests/browser/*.test.js

test-python: setup-python
	$(PY) -m pytest -q tests/geodata

check:
	cargo run --quiet -- check geodata

# OGC API – Features through real clients (GDAL, OWSLib) against the debug server binary.
test-ogc: test-rust
	$(PY) -m pytest -q tests/ogc

# Three replicas over PostgreSQL behind HAProxy (tools/cluster/up.sh), under failures.
test-cluster: test-rust
	$(PY) -m pytest -q tests/cluster

test: test-rust test-python test-ogc test-cluster test-browser

fmt:
	cargo fmt

lint:
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
