# Yuqian Map — the two commands:
#   make run    set up and serve the web map and API on the shipped geodata/ (http://127.0.0.1:8080)
#   make test   set up and run every test (what .ci/run runs)
# Everything the targets need is installed by them; see README.md.

SHELL := /bin/bash
ADDR ?= 127.0.0.1:8080
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test setup-python test-rust test-python check fmt lint

run:
	cargo build --release
	./target/release/yuqian check geodata
	./target/release/yuqian serve --addr $(ADDR) --data geodata --web web

$(VENV)/.installed: tools/requirements.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r tools/requirements.txt
	touch $@

setup-python: $(VENV)/.installed

test-rust:
	cargo build --locked
	cargo nextest run --locked --no-fail-fast

test-python: setup-python
	$(PY) -m pytest -q tests/geodata

check:
	cargo run --quiet -- check geodata

test: test-rust test-python

fmt:
	cargo fmt

lint:
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
