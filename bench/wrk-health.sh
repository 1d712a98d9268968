#!/usr/bin/env bash
# Throughput of GET /health with keep-alive, measured by wrk against a local `tzrhost serve`.
#   bench/wrk-health.sh [seconds] [connections]
# Uses build/default/src/tzrhost, a temporary SQLite database, access log off, on a free port.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
conns=${2:-64}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
TZR_STORAGE__URL="sqlite://$tmp/tzr.db" TZR_GATEWAY__PORT=0 TZR_LOG__ACCESS=false TZR_LOG__LEVEL=warn \
  TZR_SERVER__THREADS="${TZR_THREADS:-2}" build/default/src/tzrhost serve > "$tmp/out" &
pid=$!
for _ in $(seq 100); do grep -q 'listening on' "$tmp/out" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/.*gateway listening on http:\/\/[^:]*:\([0-9]*\).*/\1/p' "$tmp/out")
[[ -n "$port" ]] || { echo "tzrhost did not start" >&2; exit 1; }
# wrk gets one thread: the machine has two cores and the server needs them.
wrk -t1 -c"$conns" -d"${seconds}s" --latency "http://127.0.0.1:$port/health"
