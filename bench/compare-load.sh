#!/usr/bin/env bash
# Runs `logbook-bench --load-url` against two builds of the `logbook` binary
# back to back, each on a fresh database, so a change's effect on concurrent
# ingest is measured in one sitting:
#   bench/compare-load.sh OLD_BINARY NEW_BINARY [DATABASE] [SECONDS]
# DATABASE is `sqlite` (default) or a PostgreSQL server URL
# (postgres://postgres@127.0.0.1:5432/postgres); a database is created on it
# for each run and dropped after. Build the bench first:
#   cargo build --release -p bench
set -euo pipefail
export PGOPTIONS="-c client_min_messages=warning"
old=$1 new=$2 database=${3:-sqlite} seconds=${4:-10}
cd "$(dirname "$0")/.."
bench=target/release/logbook-bench
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

run() {
  local label=$1 binary=$2 port=$3 dir="$work/$1"
  mkdir -p "$dir"
  local url
  if [ "$database" = sqlite ]; then
    url="sqlite://$dir/logbook.db?mode=rwc"
  else
    local name="logbook_compare_${label}_$$"
    psql "$database" -qc "DROP DATABASE IF EXISTS $name" -qc "CREATE DATABASE $name"
    url="${database%/*}/$name"
  fi
  export DATABASE_URL=$url LOGBOOK_DATA_DIR=$dir LOGBOOK_ADDR=127.0.0.1:$port
  local keys=()
  for slug in acme globex initech; do
    "$binary" create-tenant --slug "$slug" >/dev/null 2>&1
    keys+=(--load-key "$("$binary" create-api-key --tenant "$slug" 2>/dev/null | head -1)")
  done
  "$binary" serve >"$dir/server.log" 2>&1 &
  local server=$!
  for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
  echo "== $label ($binary, $database)"
  "$bench" --load-url "http://127.0.0.1:$port" "${keys[@]}" --load-seconds "$seconds"
  kill "$server"; wait "$server" 2>/dev/null || true
  unset DATABASE_URL
  [ "$database" = sqlite ] || psql "$database" -qc "DROP DATABASE IF EXISTS logbook_compare_${label}_$$"
}

run before "$old" 3101
run after "$new" 3102
