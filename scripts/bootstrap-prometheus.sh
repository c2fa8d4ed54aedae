#!/usr/bin/env bash
# Puts Prometheus (`prometheus`, `promtool`) into the tools folder ($ROTOR_TOOLS_DIR, else the
# project's git-ignored `tools/bin`): the metrics test scrapes a stack with a real Prometheus and
# `promtool` checks deploy/prometheus/alerts.yml.
#
# Debian's `prometheus` package is downloaded with `apt-get download` (no root needed when the
# package lists are there; as root, `apt-get update` is run once if they are not) and unpacked
# in a scratch folder; only the two binaries are kept. Idempotent: with both present it does
# nothing. A `prometheus` already on PATH is used as it is (ROTOR_BOOTSTRAP_FORCE=1 installs
# the package's anyway).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${ROTOR_TOOLS_DIR:-$root/tools/bin}"

log() { printf 'bootstrap-prometheus: %s\n' "$*" >&2; }

mkdir -p "$bin"
if [ -x "$bin/prometheus" ] && [ -x "$bin/promtool" ]; then
  exit 0
fi
if [ -z "${ROTOR_BOOTSTRAP_FORCE:-}" ] && command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
  ln -sf "$(command -v prometheus)" "$bin/prometheus"
  ln -sf "$(command -v promtool)" "$bin/promtool"
  exit 0
fi
command -v apt-get >/dev/null 2>&1 && command -v dpkg-deb >/dev/null 2>&1 || {
  log "apt-get and dpkg-deb are needed to fetch Debian's prometheus package; install Prometheus (prometheus, promtool) into $bin or on PATH yourself"
  exit 1
}

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"
log "downloading Debian's prometheus package (about 30 MB)"
if ! apt-get download prometheus >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq >/dev/null
    apt-get download prometheus >/dev/null
  else
    log "apt-get download prometheus failed; run 'sudo apt-get update' and re-run, or install Prometheus into $bin yourself"
    exit 1
  fi
fi
dpkg-deb -x prometheus_*.deb unpacked
install -m 0755 unpacked/usr/bin/prometheus "$bin/prometheus"
install -m 0755 unpacked/usr/bin/promtool "$bin/promtool"
log "ready: $("$bin/prometheus" --version 2>&1 | head -n 1)"
