#!/usr/bin/env bash
# Registrations per second end to end: wrk → tzrhost (registration facade) → game-sim over the
# real socket protocol, link rows in the game DB (SQLite by default, or MariaDB with
# TZR_BENCH_GAME_DB=mysql://…), idempotency and outbox in the platform SQLite DB.
#   bench/wrk-register.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
conns=${2:-16}
# shellcheck source=bench/common.sh
source bench/common.sh

"$bin" game-sim --port 0 --control-port 0 > "$tmp/sim" 2>/dev/null &
pids+=($!)
sim_port=$(wait_port "$tmp/sim" "game-sim")
TZR_STORAGE__URL="sqlite://$tmp/tzr.db" TZR_GAME_DB__URL="${TZR_BENCH_GAME_DB:-sqlite://$tmp/game.db}" \
  TZR_GAME__PORT="$sim_port" TZR_SERVER__VAR_DIR="$tmp/var" TZR_LOG__ACCESS=false TZR_LOG__LEVEL=warn \
  TZR_GATEWAY__PORT=0 TZR_ORCHESTRATOR__PORT=0 TZR_REGISTRATION__PORT=0 TZR_STATUS__PORT=0 \
  TZR_SERVER__THREADS="${TZR_THREADS:-2}" "$bin" serve > "$tmp/serve" &
pids+=($!)
port=$(wait_port "$tmp/serve" "registration")
[[ -n "$port" ]] || { echo "tzrhost did not start" >&2; exit 1; }
wrk -t1 -c"$conns" -d"${seconds}s" --latency -s bench/register.lua "http://127.0.0.1:$port/register"
