#!/usr/bin/env bash
# Checks deploy/ against the built binary: the systemd units pass `systemd-analyze verify`, every
# TZR_* variable and `serve --only` name the files use exists in the config schema, and every
# metric the alert rules query is one the source exports.
# Usage: check_deploy_files.sh TZRHOST_BIN SOURCE_DIR
set -euo pipefail
bin=$1
src=$2
deploy=$src/deploy
fail=0
err() { echo "deploy check: $*" >&2; fail=1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. systemd units, with the binary path pointed at the built binary (verify wants it to exist).
units=()
for u in "$deploy"/systemd/*.service; do
  name=$(basename "$u")
  sed "s#/usr/local/bin/tzrhost#$bin#g" "$u" > "$work/$name"
  if [[ $name == *@.service ]]; then
    for inst in gateway orchestrator registration status battles shop; do
      cp "$work/$name" "$work/${name%@.service}@$inst.service"
      units+=("$work/${name%@.service}@$inst.service")
    done
  else
    units+=("$work/$name")
  fi
done
if ! out=$(systemd-analyze verify "${units[@]}" 2>&1) || [[ -n $out ]]; then
  err "systemd-analyze verify: $out"
fi

# 2. Every TZR_<SECTION>__<KEY>[_FILE] the files set is a key of the schema.
"$bin" config example > "$work/example.toml"
keys=$(awk '/^\[/{gsub(/[\[\]]/,""); s=$0} /^#? ?[a-z_]+ = /{sub(/^# ?/,""); print s "." $1}' "$work/example.toml" | sort -u)
for var in $(grep -rhoE 'TZR_[A-Z0-9_]+__[A-Z0-9_]+' "$deploy" | sort -u); do
  key=$(echo "${var#TZR_}" | sed -E 's/_FILE$//; s/__/./' | tr 'A-Z' 'a-z')
  grep -qx "$key" <<<"$keys" || err "$var names no config key ($key)"
done

# 3. Every `serve --only NAME` (compose) and unit instance is accepted by the binary.
for name in $(grep -hoE '"--only", "[a-z,]+"' "$deploy/compose.yml" | sed -E 's/.*"([a-z,]+)"$/\1/' | sort -u) \
            gateway orchestrator registration status battles shop; do
  # A storage URL nothing can open makes an accepted --only stop right after it (exit 1, not 2).
  if e=$(TZR_STORAGE__URL="nosuch://x" timeout 10 "$bin" serve --only "$name" 2>&1 >/dev/null); then
    err "serve --only $name started with an unusable storage URL"
  elif grep -q "unknown service" <<<"$e"; then
    err "serve --only $name refused: $e"
  fi
done

# 4. Alert rules only query metrics the program exports.
for metric in $(grep -hoE '\btzr_[a-z_]+' "$deploy/prometheus/alerts.yml" | sed -E 's/_(bucket|count|sum)$//' | sort -u); do
  grep -rqF "\"$metric\"" "$src/src" || err "alerts.yml uses $metric, which no source file exports"
done

[[ $fail -eq 0 ]] && echo "deploy check: all passed"
exit $fail
