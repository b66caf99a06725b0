#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the test suite: start | stop | url.
# Installs Debian's postgresql-15 when missing. Runs the server as the `postgres` user when we are
# root (PostgreSQL refuses to run as root), listens on 127.0.0.1 only, trusts local connections
# (it holds nothing but test databases).
set -euo pipefail
cmd=${1:-start}
here=$(cd "$(dirname "$0")/.." && pwd)
pgbin=/usr/lib/postgresql/15/bin
# One cluster per checkout, on a port derived from its path, so two clones never collide.
port=${KECHUANG_PG_PORT:-$((54000 + $(printf '%s' "$here" | cksum | cut -d' ' -f1) % 900))}
data=${KECHUANG_PG_DATA:-$here/var/postgres}

as_owner() {
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

ensure_installed() {
  if [ ! -x "$pgbin/initdb" ]; then
    echo "postgres.sh: installing postgresql-15 (Debian package)…" >&2
    sudo_=""; [ "$(id -u)" = 0 ] || sudo_=sudo
    DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -q postgresql-15 >&2 ||
      { $sudo_ apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -q postgresql-15 >&2; }
  fi
}

locate_data_dir() {
  # A fresh `mktemp -d` clone sits under a 0700 directory the postgres user cannot enter:
  # fall back to a per-checkout directory under /tmp in that case.
  mkdir -p "$(dirname "$data")"
  if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$(dirname "$data")"; then
    data=/tmp/kechuang-postgres-$(printf '%s' "$here" | cksum | cut -d' ' -f1)
  fi
}

ensure_data_dir() {
  locate_data_dir
  if [ ! -s "$data/PG_VERSION" ]; then
    mkdir -p "$data"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$data"
    chmod 700 "$data"
    as_owner "$pgbin/initdb" -D "$data" -U kechuang --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The port a running cluster listens on (line 4 of postmaster.pid), else the derived one.
running_port() { sed -n 4p "$data/postmaster.pid" 2>/dev/null || true; }

free_port() {
  # The derived port may be taken (another checkout's cluster, another service): take the next
  # free one, unless KECHUANG_PG_PORT fixed it.
  [ -n "${KECHUANG_PG_PORT:-}" ] && return 0
  local tries=0
  while port_in_use "$port" && [ "$tries" -lt 100 ]; do port=$((port + 1)); tries=$((tries + 1)); done
}

case "$cmd" in
  start)
    ensure_installed
    ensure_data_dir
    if ! as_owner "$pgbin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
      free_port
      as_owner "$pgbin/pg_ctl" -D "$data" -w -t 60 -l "$data/server.log" \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $data -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=${KECHUANG_PG_SHARED_BUFFERS:-512MB} -c max_wal_size=4GB" \
        start >/dev/null
    fi
    running=$(running_port); port=${running:-$port}
    "$pgbin/createdb" -h 127.0.0.1 -p "$port" -U kechuang kechuang 2>/dev/null || true
    echo "postgres://kechuang@127.0.0.1:$port/kechuang"
    ;;
  stop)
    locate_data_dir  # stopping never creates a cluster
    [ -s "$data/PG_VERSION" ] || exit 0
    as_owner "$pgbin/pg_ctl" -D "$data" -m fast stop >/dev/null 2>&1 || true
    ;;
  url)
    locate_data_dir
    running=$(running_port); port=${running:-$port}
    echo "postgres://kechuang@127.0.0.1:$port/kechuang"
    ;;
  *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
