#!/usr/bin/env bash
# Start (and, as root with apt, install) what the test suite needs: PostgreSQL, Java for
# Spark, Chromium for browser tests. Idempotent. Prints `export VAR=...` lines for eval:
#   eval "$(scripts/services.sh)"
# Progress goes to stderr. Where a component cannot be had, its tests skip with a reason
# (and fail in CI, where CIRCUMSPECT_REQUIRE_ALL=1).
set -uo pipefail
log() { echo "services: $*" >&2; }
can_install() { [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; }
APT_UPDATED=0
apt_install() {
  can_install || return 1
  if [[ $APT_UPDATED == 0 ]]; then apt-get update -qq >>/tmp/circumspect-apt.log 2>&1 || true; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >>/tmp/circumspect-apt.log 2>&1
}

# --- PostgreSQL -------------------------------------------------------------------------
PG_PORT=${CIRCUMSPECT_PG_PORT:-54329}
PG_DIR=${CIRCUMSPECT_PG_DIR:-/tmp/circumspect-pg}
pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [[ -x $d/initdb ]] && { echo "$d"; return 0; }; done
  return 1
}
BIN=$(pg_bin) || { log "installing PostgreSQL"; apt_install postgresql >/dev/null; BIN=$(pg_bin); } || BIN=""
if [[ -n $BIN ]]; then
  RUNAS=()
  if [[ $(id -u) == 0 ]]; then
    id postgres >/dev/null 2>&1 || useradd -r -m postgres
    RUNAS=(runuser -u postgres --)
  fi
  mkdir -p "$PG_DIR"; [[ $(id -u) == 0 ]] && chown postgres "$PG_DIR"
  if [[ ! -f $PG_DIR/PG_VERSION ]]; then
    log "initdb $PG_DIR"
    "${RUNAS[@]}" "$BIN/initdb" -D "$PG_DIR" -A trust -U postgres >/dev/null 2>&1 || log "initdb failed"
  fi
  if ! "${RUNAS[@]}" "$BIN/pg_ctl" -D "$PG_DIR" status >/dev/null 2>&1; then
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    "${RUNAS[@]}" "$BIN/pg_ctl" -D "$PG_DIR" -l "$PG_DIR/server.log" -w \
      -o "-p $PG_PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null 2>&1 \
      || log "PostgreSQL failed to start (see $PG_DIR/server.log)"
  fi
  if "${RUNAS[@]}" "$BIN/pg_ctl" -D "$PG_DIR" status >/dev/null 2>&1; then
    echo "export CIRCUMSPECT_TEST_PG_URL=postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
  fi
else
  log "PostgreSQL not available: its tests will skip"
fi

# --- Java (for PySpark) --------------------------------------------------------------------
if ! command -v java >/dev/null 2>&1; then
  log "installing Java"; apt_install openjdk-17-jre-headless >/dev/null || log "Java not available: Spark tests will skip"
fi
if command -v java >/dev/null 2>&1 && [[ -z ${JAVA_HOME:-} ]]; then
  echo "export JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
fi

# --- Chromium (browser tests) --------------------------------------------------------------
if ! command -v chromium >/dev/null 2>&1; then
  log "installing Chromium"; apt_install chromium chromium-driver >/dev/null || log "Chromium not available: browser tests will skip"
fi
if command -v chromium >/dev/null 2>&1; then
  echo "export CIRCUMSPECT_CHROMIUM=$(command -v chromium)"
fi
exit 0
