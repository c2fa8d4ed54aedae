#!/usr/bin/env bash
# Makes sure the headless browser the console's tests drive is installed: Debian's `chromium`
# and `chromium-driver` (the WebDriver server the tests talk to).
#
# Already on PATH: nothing to do (well under a second). Missing: installed with apt-get when this
# machine allows it (root and apt-get present); otherwise the script fails saying what to install.
# The tests look for the same two binaries (ROTOR_CHROMIUM / ROTOR_CHROMEDRIVER override them).
set -euo pipefail

log() { printf 'bootstrap-browser: %s\n' "$*" >&2; }

have() { command -v "$1" >/dev/null 2>&1; }

browser="${ROTOR_CHROMIUM:-}"
driver="${ROTOR_CHROMEDRIVER:-}"
if { [ -n "$browser" ] && [ -x "$browser" ] || have chromium; } &&
   { [ -n "$driver" ] && [ -x "$driver" ] || have chromedriver; }; then
  exit 0
fi

if [ "$(id -u)" = 0 ] && have apt-get; then
  log "installing Debian's chromium and chromium-driver for the console's browser tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
  have chromium && have chromedriver || {
    log "apt-get ran but chromium or chromedriver is still not on PATH"
    exit 1
  }
  log "ready: $(chromium --version 2>/dev/null | head -n 1)"
  exit 0
fi

log "the console's browser tests need Chromium and its WebDriver: install Debian's 'chromium' and"
log "'chromium-driver' (sudo apt-get install chromium chromium-driver), or put 'chromium' and"
log "'chromedriver' on PATH (or set ROTOR_CHROMIUM and ROTOR_CHROMEDRIVER), then re-run"
exit 1
