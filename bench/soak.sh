#!/usr/bin/env bash
# Soak: every service of `tzrhost demo` in one process (embedded SQLite, the site hub and agent,
# the shop crawler), with `tzrhost game-sim` as its game server in a process of its own — a game
# server keeps every account it creates, so its memory grows with the players registered and is
# reported apart from the services' — under mixed load in rounds:
#   wrk → gateway GET /api/server/status          (cached status, rate limits on)
#   wrk → gateway POST /api/register              (new players end to end: game-sim ADDUSER, game DB)
#   wrk → hub /proxy/server-status                (signed jobs hub → agent → orchestrator and back)
#   wrk → shop GET /snapshots/list                (while the crawler snapshots every 30 s)
#   tzrhost ingest of a fresh synthetic batch      (into the same store the battles API serves)
# Each round prints the request rates, the ingest rate, the services' RSS and the simulator's. It
# fails (exit 1) when the last round's rates fall below 70 % of the first round's, or the
# services' RSS grows by more than 15 % + 32 MiB from the end of round 2 (after the caches and
# pools have warmed) to the end.
#   bench/soak.sh [rounds] [seconds-per-round]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-10}
seconds=${2:-30}
# shellcheck source=bench/common.sh
source bench/common.sh

read -r gw reg orch status battles shop hub agent game control < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(10)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')
dir="$tmp/demo"
export TZR_LOG__ACCESS=false TZR_LOG__LEVEL=warn TZR_SERVER__VAR_DIR="$dir" TZR_STORAGE__URL="sqlite://$dir/tzr.db"
export TZR_GATEWAY__PORT=$gw TZR_REGISTRATION__PORT=$reg TZR_ORCHESTRATOR__PORT=$orch TZR_STATUS__PORT=$status \
  TZR_BATTLES__PORT=$battles TZR_SHOP__PORT=$shop TZR_HUB__PORT=$hub TZR_AGENT__HEALTH_PORT=$agent
# The gateway's limits stay on but high enough for one load generator on loopback.
export TZR_GATEWAY__STATUS_IP_PER_MIN=1000000 TZR_GATEWAY__STATUS_IP_BURST=1000000 \
  TZR_GATEWAY__REGISTER_IP_PER_MIN=1000000 TZR_GATEWAY__REGISTER_IP_BURST=1000000 \
  TZR_GATEWAY__REGISTER_KEY_PER_MIN=1000000 TZR_GATEWAY__REGISTER_KEY_BURST=1000000
mkdir -p "$dir/battle-logs"
"$bin" game-sim --port "$game" --control-port "$control" --battles-dir "$dir/battle-logs" > "$tmp/sim.log" 2>&1 &
sim_pid=$!
pids+=("$sim_pid")
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$control/health" > /dev/null && break; sleep 0.1; done
"$bin" demo --dir "$dir" --game-server "127.0.0.1:$game" > "$tmp/demo.log" 2>&1 &
demo_pid=$!
pids+=("$demo_pid")
for _ in $(seq 300); do [[ -f "$dir/gateway.key" && -f "$dir/hub.key" ]] && curl -sf "http://127.0.0.1:$agent/ready" > /dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$agent/ready" > /dev/null || { echo "soak: the demo did not get ready" >&2; tail -20 "$tmp/demo.log" >&2; exit 1; }
gw_key=$(cat "$dir/gateway.key")
hub_key=$(cat "$dir/hub.key")

rate() { awk '/Requests\/sec/ {printf "%d", $2}' "$1"; }
non2xx() { awk '/Non-2xx/ {print $NF}' "$1" | tail -1; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/${1:-$demo_pid}/status"; }

printf '%-5s %10s %10s %10s %10s %12s %10s %10s %s\n' round status/s register/s bridge/s shop/s ingest/s RSS_MiB sim_MiB errors
first=() last=() rss2=0 rss_end=0
for r in $(seq "$rounds"); do
  batch="$tmp/batch-$r"
  # Fresh battle ids, logins and Telegram ids per round, so nothing repeats an earlier round.
  "$bin" battles synth --players 60 --days 1 --seed "$r" --first-id $((10000000 + r * 100000)) --max 3000 --out "$batch" > /dev/null
  sed "s|math.random(100000, 999999)|math.random(100000, 999999) + $r * 1000000|; s|\"/register\"|\"/api/register\"|; s|\[\"Content-Type\"\] = \"application/json\"|[\"Content-Type\"] = \"application/json\", [\"X-API-Key\"] = \"$gw_key\"|; s|^function setup(|function setup_request(|; s|^function response(|function unused_response(|; s|^function done(|function report(|" \
    bench/register.lua > "$tmp/register.lua"
  cat bench/statuses.lua >> "$tmp/register.lua"
  wrk -t1 -c8 -d"${seconds}s" -s bench/statuses.lua "http://127.0.0.1:$gw/api/server/status" > "$tmp/w-status" &
  w1=$!
  wrk -t1 -c4 -d"${seconds}s" -s "$tmp/register.lua" "http://127.0.0.1:$gw/api/register" > "$tmp/w-register" &
  w2=$!
  wrk -t1 -c8 -d"${seconds}s" -s bench/statuses.lua -H "X-API-Key: $hub_key" "http://127.0.0.1:$hub/proxy/server-status" > "$tmp/w-bridge" &
  w3=$!
  wrk -t1 -c2 -d"${seconds}s" -s bench/statuses.lua "http://127.0.0.1:$shop/snapshots/list?shop_code=moscow" > "$tmp/w-shop" &
  w4=$!
  start=$(date +%s.%N)
  "$bin" ingest --quiet "$batch" > "$tmp/ingest-$r" 2>&1
  ingest_s=$(python3 -c "import time; print(max(time.time() - $start, 0.001))")
  files=$(find "$batch" -name '*.tzb' | wc -l)
  wait "$w1" "$w2" "$w3" "$w4"
  rm -rf "$batch"
  rates=("$(rate "$tmp/w-status")" "$(rate "$tmp/w-register")" "$(rate "$tmp/w-bridge")" "$(rate "$tmp/w-shop")"
         "$(python3 -c "print(int($files / $ingest_s))")")
  errors=0
  for f in status register bridge shop; do
    n=$(non2xx "$tmp/w-$f"); errors=$((errors + ${n:-0}))
    [[ -z "$n" ]] || echo "soak: $f: $n non-2xx answers ($(grep '^statuses:' "$tmp/w-$f"))" >&2
  done
  grep -q 'failed 0' "$tmp/ingest-$r" || errors=$((errors + 1))
  rss=$(rss_kb)
  printf '%-5s %10s %10s %10s %10s %12s %10s %10s %s\n' "$r" "${rates[@]}" $((rss / 1024)) $(($(rss_kb "$sim_pid") / 1024)) "$errors"
  [[ $r -eq 1 ]] && first=("${rates[@]}")
  [[ $r -eq 2 ]] && rss2=$rss
  last=("${rates[@]}")
  rss_end=$rss
  [[ $errors -eq 0 ]] || { echo "soak: round $r had $errors non-2xx answers or failed ingests" >&2; exit 1; }
done

status=0
names=(status register bridge shop ingest)
for i in "${!names[@]}"; do
  if (( last[i] * 10 < first[i] * 7 )); then echo "soak: ${names[i]} fell from ${first[i]}/s to ${last[i]}/s" >&2; status=1; fi
done
if (( rounds >= 3 && rss_end > rss2 * 115 / 100 + 32768 )); then
  echo "soak: RSS grew from $((rss2 / 1024)) MiB (round 2) to $((rss_end / 1024)) MiB" >&2; status=1
fi
stored=$(curl -s "http://127.0.0.1:$battles/battles/ingest/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["battles"])' 2>/dev/null || echo "?")
players=$(sqlite3 "$dir/game.db" 'SELECT COUNT(*) FROM tgplayers' 2>/dev/null || echo "?")
snapshots=$(sqlite3 "$dir/tzr.db" 'SELECT COUNT(*) FROM shop_snapshots' 2>/dev/null || echo "?")
echo "soak: $rounds rounds of ${seconds}s; battles stored $stored, players linked $players, shop snapshots $snapshots;" \
  "RSS $((rss2 / 1024)) MiB after round 2, $((rss_end / 1024)) MiB at the end: $([[ $status -eq 0 ]] && echo PASS || echo FAIL)"
exit $status
