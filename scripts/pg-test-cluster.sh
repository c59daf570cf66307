#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL cluster for the store tests (RAMPART_TEST_PG_URL).
#   scripts/pg-test-cluster.sh start DIR   -> prints postgres://rampart@127.0.0.1:PORT/rampart
#   scripts/pg-test-cluster.sh stop DIR    -> stops the server and removes DIR
# Uses the Debian server packages (apt-get install postgresql). Only the URL goes to stdout.
set -euo pipefail

MARKER=.rampart-pg-test-cluster

die() {
  echo "pg-test-cluster: $*" >&2
  exit 1
}

usage() {
  echo "usage: $0 start|stop DIR" >&2
  exit 2
}

find_bindir() {
  local bindir
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [[ -n "$bindir" && -x "$bindir/initdb" && -x "$bindir/pg_ctl" ]] ||
    die "no PostgreSQL server found under /usr/lib/postgresql (apt-get install -y postgresql)"
  echo "$bindir"
}

# PostgreSQL refuses to run as root: run it as the postgres system user instead.
as_server_user() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start() {
  local dir=$1 bindir port attempt
  bindir=$(find_bindir)
  [[ ! -e "$dir" || -z "$(ls -A "$dir")" ]] || die "$dir exists and is not empty"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  touch "$dir/$MARKER"
  if [[ $(id -u) -eq 0 ]]; then
    chown -R postgres: "$dir"
    runuser -u postgres -- test -w "$dir" ||
      die "the postgres user cannot reach $dir: make its parent folders world-searchable (chmod o+x)"
  fi
  cd "$dir"
  as_server_user "$bindir/initdb" -D "$dir/data" -U rampart --auth=trust --encoding=UTF8 \
    --locale=C >"$dir/initdb.log" 2>&1 || die "initdb failed; see $dir/initdb.log"
  # A throwaway cluster: durability is traded for speed.
  cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
  for attempt in 1 2 3 4 5 6 7 8 9 10; do
    port=$((20000 + RANDOM % 30000))
    port_in_use "$port" && continue
    if as_server_user "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-p $port" start >&2; then
      as_server_user "$bindir/createdb" -h 127.0.0.1 -p "$port" -U rampart rampart >&2 ||
        die "createdb failed"
      echo "$port" >"$dir/port"
      echo "postgres://rampart@127.0.0.1:$port/rampart"
      return 0
    fi
    echo "pg-test-cluster: start on port $port failed (attempt $attempt), retrying" >&2
  done
  die "could not start PostgreSQL; see $dir/server.log"
}

stop() {
  local dir=$1 bindir
  [[ -d "$dir" ]] || return 0
  [[ -f "$dir/$MARKER" ]] || die "$dir was not made by this script; not removing it"
  bindir=$(find_bindir)
  cd "$dir"
  if [[ -f "$dir/data/postmaster.pid" ]]; then
    as_server_user "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || die "pg_ctl stop failed"
  fi
  cd /
  rm -rf "$dir"
}

[[ $# -eq 2 ]] || usage
case "$1" in
  start) start "$2" ;;
  stop) stop "$2" ;;
  *) usage ;;
esac
