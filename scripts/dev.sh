#!/usr/bin/env bash
# Gulf Watch developer entry point.
#   bash scripts/dev.sh run    set up .venv (first time) and start the app
#   bash scripts/dev.sh test   set up .venv + a Chromium (first time) and run the whole test suite
# Environment: PYTHON (default python3, needs ≥ 3.11), GULFWATCH_CHROMIUM (a Chromium binary).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
VENV=.venv

need_python() {
  if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
    echo "Gulf Watch needs Python ≥ 3.11 (found: $("$PY" --version 2>&1 || echo none)). Set PYTHON=..." >&2
    exit 1
  fi
}

venv() {  # $1 = requirements file
  need_python
  if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV" || { echo "Could not create a virtual environment (Debian/Ubuntu: apt install python3-venv)." >&2; exit 1; }
  fi
  local stamp="$VENV/.installed-$(basename "$1")"
  if [ ! -f "$stamp" ] || [ "$1" -nt "$stamp" ] || [ requirements.txt -nt "$stamp" ]; then
    "$VENV/bin/python" -m pip install --disable-pip-version-check -q -r "$1"
    touch "$stamp"
  fi
}

find_chromium() {
  if [ -n "${GULFWATCH_CHROMIUM:-}" ]; then return 0; fi
  for c in /usr/bin/chromium /usr/bin/chromium-browser; do
    if [ -x "$c" ]; then export GULFWATCH_CHROMIUM=$c; return 0; fi
  done
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "Installing Debian's chromium for the browser tests…" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >&2 \
      && [ -x /usr/bin/chromium ] && export GULFWATCH_CHROMIUM=/usr/bin/chromium && return 0
  fi
  echo "No system Chromium; asking Playwright for its own build…" >&2
  "$VENV/bin/python" -m playwright install chromium >&2   # leaves GULFWATCH_CHROMIUM unset: Playwright's own
}

case "${1:-}" in
  run)
    shift
    venv requirements.txt
    exec "$VENV/bin/python" -m streamlit run app.py "$@"
    ;;
  test)
    shift
    venv requirements-test.txt
    find_chromium
    # validate the data; with the founding article beside the clone, also prove every quote verbatim
    seed=${GULFWATCH_SEED_TEXT:-$(ls ../shared/seed/000_*.txt 2>/dev/null | head -n 1 || true)}
    if [ -n "$seed" ] && [ -f "$seed" ]; then
      "$VENV/bin/python" -m layers check --source-text "bloomberg-2024-06-03=$seed"
    else
      "$VENV/bin/python" -m layers check
    fi
    exec "$VENV/bin/python" -m pytest "$@"
    ;;
  *)
    echo "usage: bash scripts/dev.sh run|test [args]" >&2
    exit 2
    ;;
esac
