# Sourced by the wrk scripts: a temporary folder, background processes stopped on exit, and
# wait_port FILE NAME, which waits for "tzrhost: NAME listening on …" in FILE and prints the port.
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
bin=build/default/src/tzrhost
tmp=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$tmp"' EXIT
wait_port() { for _ in $(seq 100); do grep -q "$2 listening on" "$1" 2>/dev/null && break; sleep 0.1; done
  sed -n "s/.*$2 listening on [a-z]*:\/\/[^:]*:\([0-9]*\).*/\1/p" "$1" | head -1; }
