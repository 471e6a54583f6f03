#!/usr/bin/env bash
# Cold start of the desktop app to an interactive unlock screen, timed WITHOUT WebDriver:
# starts the binary RUNS times under Xvfb on an existing vault. The UI calls `ui_ready` once
# the unlock screen is painted and its passphrase field has the focus (two animation frames
# after it is built); with QUZHENG_READY_EXIT set the shell then prints
# `quzheng-ready unlock <unix ms>` and quits. Time = that mark − the launch time.
#
#   bash scripts/coldstart.sh [APP] [RUNS]     (default: target/release/quzheng-app, 7)
#
# Needs the UI built into the binary (ui/dist at compile time), Xvfb, and the quzheng CLI
# (target/release or target/debug) to create the vault. The OS file cache is warm after the
# first run; every run is a new process, a new webview and a new vault read.
set -euo pipefail
cd "$(dirname "$0")/.."
APP=${1:-target/release/quzheng-app}
RUNS=${2:-7}
[ -x "$APP" ] || { echo "no app binary at $APP (cargo build --release -p quzheng-app)" >&2; exit 4; }
# The newer of the two CLI builds (an old one may predate commands the vault needs).
CLI=target/debug/quzheng
if [ -x target/release/quzheng ] && { [ ! -x "$CLI" ] || [ target/release/quzheng -nt "$CLI" ]; }; then
  CLI=target/release/quzheng
fi
[ -x "$CLI" ] || { echo "no quzheng CLI in target/ (cargo build)" >&2; exit 4; }

WORK=$(mktemp -d)
cleanup() { [ -n "${XVFB_PID:-}" ] && kill "$XVFB_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
export QUZHENG_VAULT=$WORK/vault.qz
QUZHENG_PASSPHRASE=coldstart QUZHENG_TEST_FAST_KDF=1 "$CLI" init >/dev/null
# shellcheck source=lib/xvfb.sh
. "$(dirname "$0")/lib/xvfb.sh"
start_xvfb 80 "$WORK/xvfb.log"

times=()
for i in $(seq 1 "$RUNS"); do
  start=$(date +%s%3N)
  line=$(QUZHENG_READY_EXIT=1 timeout 60 "$APP" 2>>"$WORK/app.log" | grep -m1 '^quzheng-ready' || true)
  [ -n "$line" ] || { echo "run $i: no ready mark within 60 s" >&2; tail -n 20 "$WORK/app.log" >&2; exit 1; }
  ms=$(( ${line##* } - start ))
  times+=("$ms")
  echo "run $i: ${ms} ms"
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
min=$(echo "$sorted" | head -1); max=$(echo "$sorted" | tail -1)
median=$(echo "$sorted" | sed -n "$(( (RUNS + 1) / 2 ))p")
echo "cold start to the interactive unlock screen ($APP, $RUNS runs): min ${min} ms, median ${median} ms, max ${max} ms"
