#!/usr/bin/env bash
# Reruns the evidence of docs/reliability.md: fault scenarios, process kills, the PostgreSQL
# restart, the malformed-input table, the fuzz replay and the security tests.
#   scripts/reliability.sh              the tests (about two minutes once built)
#   scripts/reliability.sh --fuzz 300   and then each cargo-fuzz target for 300 s
# Needs PostgreSQL (DATABASE_URL, default the local server, started if down), Chromium and
# chromedriver (see .ci/run), and root for the PostgreSQL restart (pg_createcluster).
set -euo pipefail
cd "$(dirname "$0")/.."

fuzz_secs=""
if [[ "${1:-}" == "--fuzz" ]]; then
  fuzz_secs="${2:?--fuzz needs a number of seconds per target}"
fi

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export SEQURA_BC_REQUIRE_POSTGRES=1
export SEQURA_BC_REQUIRE_BROWSER=1

cargo test -p sequra-bc --test it -- --nocapture \
  faults:: crash:: bad_input fuzz_replay \
  cross_store csrf_framing framing_browser secrets_in_logs constant_time
cargo test -p sandbox --test it control_panel::csrf

if [[ -n "$fuzz_secs" ]]; then
  command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
  cd fuzz
  for t in sequra_notification bigcommerce_webhook signed_payload_jwt admin_forms; do
    RUSTC_BOOTSTRAP=1 cargo fuzz run "$t" --sanitizer none -- -max_total_time="$fuzz_secs"
  done
fi
