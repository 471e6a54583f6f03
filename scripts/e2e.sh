#!/usr/bin/env bash
# Real-window end-to-end test of the desktop app under Xvfb, driven through tauri-driver +
# WebKitWebDriver (Debian webkit2gtk-driver). Builds the UI and ONE debug build of the app,
# then runs scripts/e2e/run.mjs and checks the saved pack with `quzheng verify`.
# Screenshots go to target/e2e-shots/app-*.png (xwd + ImageMagick are the fallback when
# WebDriver does not answer a screenshot request).
#
#   bash scripts/e2e.sh            (called by scripts/test-all.sh)
#   E2E_SKIP_BUILD=1 reuses the binaries; screenshots go to target/e2e-shots, or to
#   E2E_SHOT_DIR=DIR (E2E_SHOT_DIR=docs/images refreshes the README's screenshots);
#   E2E_NO_NUDGE=1 shows why screenshots hung (see run.mjs, NUDGE).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
say() { printf '\n==> %s\n' "$*"; }

FIXTURE=${E2E_FIXTURE:-$ROOT/tests/fixtures/sbr/chinese-collection.xml}
[ -f "$FIXTURE" ] || { echo "e2e fixture missing: $FIXTURE" >&2; exit 4; }

if ! command -v tauri-driver >/dev/null && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
  say "installing tauri-driver (cached in ~/.cargo/bin afterwards)"
  cargo install tauri-driver --locked
fi
TAURI_DRIVER=$(command -v tauri-driver || echo "$HOME/.cargo/bin/tauri-driver")

if [ -z "${E2E_SKIP_BUILD:-}" ]; then   # E2E_SKIP_BUILD=1: reuse target/debug binaries
  say "building the UI"
  (cd ui && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run build)
  say "building the app and the CLI (debug)"
  # The same cargo invocation as the workspace tests in test-all.sh (same features, so
  # tauri's `test` feature too): when those ran first, this builds nothing new.
  cargo test --workspace --locked --no-run
fi
APP=$ROOT/target/debug/quzheng-app
CLI=$ROOT/target/debug/quzheng

WORK=$(mktemp -d)
cleanup() {
  for p in ${DRIVER_PID:-} ${XVFB_PID:-}; do kill "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
SHOTS=${E2E_SHOT_DIR:-$ROOT/target/e2e-shots}
mkdir -p "$WORK/out" "$SHOTS"

export QUZHENG_TEST_FAST_KDF=1
# A second backup with another creditor, so the Creditors screen has something to merge.
SECOND=$WORK/second-creditor.xml
cat >"$SECOND" <<'XML'
<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>
<smses count="2">
  <sms protocol="0" address="10690005678" date="1773118800000" type="1" subject="null" body="【快贷】您的借款已逾期，今天不还款就通知你的亲友和单位" toa="null" sc_toa="null" service_center="null" read="1" status="-1" locked="0" date_sent="0" sub_id="1" readable_date="" contact_name="(Unknown)" />
  <sms protocol="0" address="10690005678" date="1773190800000" type="1" subject="null" body="【快贷】最后通知：再不还钱就上门找你" toa="null" sc_toa="null" service_center="null" read="1" status="-1" locked="0" date_sent="0" sub_id="1" readable_date="" contact_name="(Unknown)" />
</smses>
XML
# What the CLI lists for the same files: the overview numbers the app must show.
(export QUZHENG_VAULT=$WORK/expect.qz QUZHENG_PASSPHRASE=e2e
 "$CLI" init >/dev/null && "$CLI" import "$FIXTURE" "$SECOND" >/dev/null &&
 "$CLI" messages --format jsonl >"$WORK/expect.jsonl")
export E2E_EXPECT_JSONL=$WORK/expect.jsonl

export QUZHENG_VAULT=$WORK/vault.qz
export QUZHENG_E2E_OPEN_FILES=$FIXTURE:$SECOND
export QUZHENG_E2E_SAVE_DIR=$WORK/out

# shellcheck source=lib/xvfb.sh
. "$ROOT/scripts/lib/xvfb.sh"
start_xvfb 90 "$WORK/xvfb.log"
PORT=${E2E_PORT:-4444}
"$TAURI_DRIVER" --port "$PORT" --native-driver /usr/bin/WebKitWebDriver >"$WORK/driver.log" 2>&1 &
DRIVER_PID=$!
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$PORT/status" >/dev/null 2>&1 && break; sleep 0.2; done

say "driving the app"
if ! WEBDRIVER_URL="http://127.0.0.1:$PORT" node scripts/e2e/run.mjs "$APP" "$WORK/out" "$SHOTS"; then
  echo "--- tauri-driver log ---" >&2; tail -n 40 "$WORK/driver.log" >&2
  exit 1
fi

say "checking the saved pack with quzheng verify"
PDF=$WORK/out/quzheng-evidence.pdf
[ -s "$PDF" ] || { echo "no PDF was saved" >&2; exit 1; }
OUT=$("$CLI" verify "$PDF")
echo "$OUT"
echo "$OUT" | grep -q intact || { echo "verify did not say intact" >&2; exit 1; }
say "e2e passed"
