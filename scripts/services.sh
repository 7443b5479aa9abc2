# Throwaway services for tests, sourced by scripts/test and .ci/run.
# start_postgres: a PostgreSQL 15 cluster on a free loopback port, as the postgres user
# (initdb refuses root); exports CONSULT_TEST_PG. stop_services tears everything down.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
CONSULT_SERVICES_DIR=""

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start_postgres() {
  [ -x "$PG_BIN/initdb" ] || { echo "PostgreSQL binaries not found in $PG_BIN" >&2; return 1; }
  CONSULT_SERVICES_DIR=$(mktemp -d /tmp/consult-services.XXXXXX)
  chmod 755 "$CONSULT_SERVICES_DIR"
  local dir="$CONSULT_SERVICES_DIR/pg"
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
  local port; port=$(free_port)
  (cd "$dir" && as_postgres "$PG_BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1) \
    || { cat "$dir/initdb.log" >&2; return 1; }
  # Tests only: no fsync. Never use these settings for benchmarks of durability.
  (cd "$dir" && as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" start >/dev/null) \
    || { cat "$dir/log" >&2; return 1; }
  export CONSULT_TEST_PG="postgres://postgres@127.0.0.1:$port"
  echo "PostgreSQL test cluster on $CONSULT_TEST_PG"
}

stop_services() {
  if [ -n "$CONSULT_SERVICES_DIR" ] && [ -d "$CONSULT_SERVICES_DIR/pg/data" ]; then
    (cd "$CONSULT_SERVICES_DIR/pg" && as_postgres "$PG_BIN/pg_ctl" -D "$CONSULT_SERVICES_DIR/pg/data" -m immediate -w stop >/dev/null 2>&1) || true
  fi
  if [ -n "$CONSULT_SERVICES_DIR" ]; then
    rm -rf "$CONSULT_SERVICES_DIR"
  fi
}
