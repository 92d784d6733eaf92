#!/usr/bin/env bash
# Reruns the reliability and security evidence of docs/reliability.md: fault scenarios,
# process kills, PostgreSQL restart. Needs PostgreSQL at DATABASE_URL (default: the local
# server, started if it is down); the PostgreSQL restart scenario needs root
# (pg_createcluster).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export SEQURA_BC_REQUIRE_POSTGRES=1

cargo test -p sequra-bc --test it -- faults:: crash::
