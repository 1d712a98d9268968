#!/usr/bin/env bash
# The public gateway under wrk: `status` (GET /api/server/status, cached) or `register`
# (POST /api/register with an API key, end to end against game-sim).
#   bench/wrk-gateway.sh status|register [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-status}
seconds=${2:-10}
conns=${3:-64}
# shellcheck source=bench/common.sh
source bench/common.sh
key=$("$bin" keygen | cut -d: -f2)

"$bin" game-sim --port 0 --control-port 0 > "$tmp/sim" 2>/dev/null &
pids+=($!)
sim_port=$(wait_port "$tmp/sim" "game-sim")
TZR_STORAGE__URL="sqlite://$tmp/tzr.db" TZR_GAME_DB__URL="sqlite://$tmp/game.db" TZR_GAME_DB__SEED_CONSTANTS=true \
  TZR_GAME__PORT="$sim_port" TZR_SERVER__VAR_DIR="$tmp/var" TZR_LOG__ACCESS=false TZR_LOG__LEVEL=error \
  TZR_GATEWAY__PORT=0 TZR_ORCHESTRATOR__PORT=0 TZR_REGISTRATION__PORT=0 TZR_STATUS__PORT=0 \
  TZR_GATEWAY__API_KEYS="bench:$key" TZR_GATEWAY__STATUS_IP_PER_MIN=1000000 TZR_GATEWAY__STATUS_IP_BURST=1000000 \
  TZR_GATEWAY__REGISTER_IP_PER_MIN=1000000 TZR_GATEWAY__REGISTER_IP_BURST=1000000 \
  TZR_GATEWAY__REGISTER_KEY_PER_MIN=1000000 TZR_GATEWAY__REGISTER_KEY_BURST=1000000 \
  TZR_SERVER__THREADS="${TZR_THREADS:-2}" "$bin" serve > "$tmp/serve" &
pids+=($!)
port=$(wait_port "$tmp/serve" "gateway")
[[ -n "$port" ]] || { echo "tzrhost did not start" >&2; exit 1; }
if [[ "$what" == register ]]; then
  sed "s|\"/register\"|\"/api/register\"|; s|\[\"Content-Type\"\] = \"application/json\"|[\"Content-Type\"] = \"application/json\", [\"X-API-Key\"] = \"$key\"|" \
    bench/register.lua > "$tmp/register.lua"
  wrk -t1 -c"$conns" -d"${seconds}s" --latency -s "$tmp/register.lua" "http://127.0.0.1:$port/api/register"
else
  wrk -t1 -c"$conns" -d"${seconds}s" --latency "http://127.0.0.1:$port/api/server/status"
fi
