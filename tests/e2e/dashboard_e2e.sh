#!/usr/bin/env bash
# The dashboard in a real browser against the real server: `tzrhost demo` on free ports (its
# seeded battles, shop snapshots, the dashboard with an admin operator), then web/e2e in Debian's
# Chromium through playwright-core: sign in, every page, numbers shown = the API's, no console
# error, one screenshot per page into ARTIFACTS.
# Usage: dashboard_e2e.sh TZRHOST_BIN SOURCE_DIR ARTIFACTS_DIR
# Exit 77 (skipped) without Chromium or web/node_modules, except under CI=true where that fails.
set -euo pipefail
bin=$1
src=$2
artifacts=$3
missing=""
[[ -x /usr/bin/chromium ]] || missing="Debian's chromium (scripts/setup --servers)"
[[ -d "$src/web/node_modules/playwright-core" && -f "$src/web/dist/index.html" ]] || missing="${missing:+$missing, }web/node_modules and web/dist (scripts/build)"
if [[ -n "$missing" ]]; then
  echo "dashboard e2e: missing $missing" >&2
  [[ "${CI:-}" == true ]] && exit 1
  exit 77
fi

work=$(mktemp -d)
demo_pid=""
cleanup() { [[ -n "$demo_pid" ]] && kill "$demo_pid" 2>/dev/null && wait "$demo_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
read -r gw reg orch status battles shop hub agent < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(8)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')
dir="$work/demo"
export TZR_LOG__ACCESS=false TZR_LOG__LEVEL=warn TZR_GATEWAY__PORT=$gw TZR_REGISTRATION__PORT=$reg TZR_ORCHESTRATOR__PORT=$orch \
  TZR_STATUS__PORT=$status TZR_BATTLES__PORT=$battles TZR_SHOP__PORT=$shop TZR_HUB__PORT=$hub TZR_AGENT__HEALTH_PORT=$agent \
  TZR_DASHBOARD__WEB_DIR="$src/web/dist"
"$bin" demo --dir "$dir" --sim-port 0 > "$work/demo.log" 2>&1 &
demo_pid=$!
for _ in $(seq 300); do
  curl -sf "http://127.0.0.1:$gw/ui/" > /dev/null && curl -sf "http://127.0.0.1:$shop/snapshots/latest?shop_code=moscow" > /dev/null && break
  sleep 0.2
done
curl -sf "http://127.0.0.1:$gw/ui/" > /dev/null || { echo "dashboard e2e: the demo did not start" >&2; tail -20 "$work/demo.log" >&2; exit 1; }
mkdir -p "$artifacts"
cd "$src/web"
TZR_UI_URL="http://127.0.0.1:$gw" TZR_UI_USER=admin TZR_UI_PASSWORD="$(cat "$dir/dashboard.password")" \
  TZR_UI_UNTIL=2025-10-03 TZR_UI_ARTIFACTS="$artifacts" TZR_UI_E2E_WRITE=${TZR_UI_E2E_WRITE:-1} npm run --silent e2e && rc=0 || rc=$?
echo "dashboard e2e: browser run exit $rc" >&2
kill "$demo_pid" 2>/dev/null; wait "$demo_pid" 2>/dev/null && demo_rc=0 || demo_rc=$?
demo_pid=""
echo "dashboard e2e: demo exit $demo_rc" >&2
# The demo must also stop cleanly after serving the browser (a crash at shutdown fails the test).
if [[ $demo_rc -ne 0 ]]; then tail -40 "$work/demo.log" >&2; rc=1; fi
exit $rc
