#!/usr/bin/env bash
# Create .venv with Python 3.11 and install the pinned dependencies (requirements.lock)
# plus circumspect itself in editable mode. Idempotent: does nothing when the stamp is newer
# than requirements.lock and pyproject.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv
STAMP=$VENV/.installed
if [[ -f $STAMP && $STAMP -nt requirements.lock && $STAMP -nt pyproject.toml && $STAMP -nt setup.py && $STAMP -nt circumspect/names/_core.pyx ]]; then
  exit 0
fi
PY=""
for cand in python3.11 python3; do
  if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    PY=$cand; break
  fi
done
if [[ -z $PY ]]; then
  echo "bootstrap: Python 3.11 is required (python3.11 not found)" >&2
  exit 1
fi
# PyICU builds against the system ICU: make sure its headers are there.
if ! pkg-config --exists icu-uc 2>/dev/null; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    echo "bootstrap: installing libicu-dev and pkg-config for PyICU"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libicu-dev pkg-config >/dev/null
  else
    echo "bootstrap: PyICU needs ICU headers (apt-get install libicu-dev pkg-config)" >&2
  fi
fi
# The compiled core (circumspect/names/_core.pyx, Cython) needs a C compiler and the Python
# headers; CIRCUMSPECT_PURE_PYTHON=1 runs the pure-Python reference instead.
PYINC=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
if ! command -v cc >/dev/null 2>&1 || [[ ! -f $PYINC/Python.h ]]; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    echo "bootstrap: installing build-essential and python3-dev for the compiled core"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq build-essential python3-dev >/dev/null
  else
    echo "bootstrap: the compiled core needs a C compiler and Python headers (apt-get install build-essential python3-dev)" >&2
  fi
fi
[[ -x $VENV/bin/python ]] || "$PY" -m venv "$VENV"
LOG=$VENV/bootstrap.log
pipi() {  # pip install, quiet; on failure show the log and stop
  if ! "$VENV/bin/python" -m pip install "$@" >"$LOG" 2>&1; then
    grep -v "^WARNING: Location" "$LOG" | tail -40 >&2
    echo "bootstrap: pip install $* failed (full log: $LOG)" >&2
    exit 1
  fi
}
pipi --upgrade "pip==26.3" "setuptools==80.9.0" "wheel==0.45.1"
echo "bootstrap: installing pinned dependencies into $VENV (first run takes a few minutes)"
pipi -r requirements.lock
pipi --no-deps --no-build-isolation -e .
touch "$STAMP"
echo "bootstrap: ready"
