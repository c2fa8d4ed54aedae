# Rotor's two commands on a fresh machine: `make demo` and `make test`.
# Both install what they need first (Rust crates via cargo, nats-server and OpenBao via
# scripts/bootstrap.sh into the git-ignored tools/ folder; `make test` also Chromium and its
# WebDriver via scripts/bootstrap-browser.sh).

CARGO ?= cargo
export ROTOR_TOOLS_DIR := $(CURDIR)/tools/bin
export PATH := $(CURDIR)/tools/bin:$(PATH)

.PHONY: demo test bootstrap build lint fmt bench clean screenshots

bootstrap:
	@./scripts/bootstrap.sh

build: bootstrap
	$(CARGO) build --workspace --bins

## The main job: a local stack, a simulated 24-device fabric, a real rotation, the result.
demo: build
	$(CARGO) run --quiet -p rotor-cli -- demo

## The whole test suite (real NATS, real OpenBao, the simulator over real SSH, headless Chromium
## for the web console: scripts/bootstrap-browser.sh installs it or says what to install).
test: bootstrap
	@./scripts/bootstrap-browser.sh
	$(CARGO) build --workspace --all-targets
	@if $(CARGO) nextest --version >/dev/null 2>&1; then \
		$(CARGO) nextest run --workspace --no-fail-fast; \
	else \
		$(CARGO) test --workspace --no-fail-fast; \
	fi
	$(CARGO) test --workspace --doc

## Refresh the console's screenshots in docs/console/ (the browser test, writing there).
screenshots: bootstrap
	@./scripts/bootstrap-browser.sh
	ROTOR_SCREENSHOT_DIR=docs/console $(CARGO) test -p rotor-e2e --test console -- an_operator_rotates

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

## Benchmarks: figures, not pass/fail (see docs/performance.md).
bench: bootstrap
	$(CARGO) build --release --workspace --bins
	$${CARGO_TARGET_DIR:-target}/release/rotor-bench $(BENCH_ARGS)

clean:
	$(CARGO) clean
	rm -rf tools
