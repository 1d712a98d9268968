#!/usr/bin/env bash
# Signed get_server_status jobs through the whole bridge on loopback:
#   wrk → site hub (/proxy/server-status) → WebSocket → agent → orchestrator (/internal/constants)
# and back, each job HMAC-signed both ways. Prints wrk's figures and the agent's RSS at idle and
# right after the load.
#   bench/wrk-bridge.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
conns=${2:-32}
# shellcheck source=bench/common.sh
source bench/common.sh
key=$("$bin" keygen | cut -d: -f2)
secrets=(TZR_BRIDGE__HMAC_SECRET="$("$bin" keygen --kind hmac)" TZR_BRIDGE__AES_KEY="$("$bin" keygen --kind aes)"
         TZR_BRIDGE__JWT_SECRET="$("$bin" keygen --kind hmac)" TZR_LOG__ACCESS=false TZR_LOG__LEVEL=error
         TZR_SERVER__VAR_DIR="$tmp/var" TZR_ADMIN__TOKEN=bench-admin-token-0123456789)

env "${secrets[@]}" TZR_STORAGE__URL="sqlite://$tmp/tzr.db" TZR_GAME_DB__URL="sqlite://$tmp/game.db" \
  TZR_GAME_DB__SEED_CONSTANTS=true TZR_GATEWAY__ENABLED=false TZR_STATUS__ENABLED=false TZR_BATTLES__ENABLED=false \
  TZR_SHOP__ENABLED=false TZR_REGISTRATION__PORT=0 TZR_ORCHESTRATOR__PORT=0 "$bin" serve > "$tmp/serve" &
pids+=($!)
orchestrator=$(wait_port "$tmp/serve" "orchestrator")
env "${secrets[@]}" TZR_STORAGE__URL="sqlite://$tmp/hub.db" TZR_HUB__PORT=0 TZR_HUB__API_KEYS="bench:$key" \
  TZR_SERVER__THREADS="${TZR_THREADS:-2}" "$bin" site-hub > "$tmp/hub" &
pids+=($!)
hub=$(wait_port "$tmp/hub" "hub")
env "${secrets[@]}" TZR_STORAGE__URL="sqlite://$tmp/agent.db" TZR_AGENT__HEALTH_PORT=0 TZR_SERVER__THREADS=1 \
  TZR_AGENT__SITE_URL="ws://127.0.0.1:$hub/ws/pull" TZR_AGENT__STATUS_URL="http://127.0.0.1:$orchestrator/internal/constants" \
  TZR_AGENT__MAX_CONCURRENT_JOBS=64 "$bin" agent > "$tmp/agent" &
agent_pid=$!
pids+=($agent_pid)
wait_port "$tmp/agent" "agent" > /dev/null
for _ in $(seq 50); do curl -sf -H "X-API-Key: $key" "http://127.0.0.1:$hub/proxy/server-status" > /dev/null && break; sleep 0.1; done
rss() { awk '/VmRSS/ {r=$2} /RssAnon/ {a=$2} END {print r " kB (private " a " kB, the rest shared library pages)"}' "/proc/$agent_pid/status"; }
echo "agent RSS at idle: $(rss)"
wrk -t1 -c"$conns" -d"${seconds}s" --latency -H "X-API-Key: $key" "http://127.0.0.1:$hub/proxy/server-status"
echo "agent RSS after the load: $(rss) (peak $(awk '/VmHWM/ {print $2 " kB"}' "/proc/$agent_pid/status"))"
