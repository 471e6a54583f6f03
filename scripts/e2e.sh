#!/usr/bin/env bash
# Real-window end-to-end test of the desktop app under Xvfb, driven through tauri-driver +
# WebKitWebDriver (Debian webkit2gtk-driver). Builds the UI and ONE debug build of the app,
# then runs scripts/e2e/run.mjs and checks the saved pack with `quzheng verify`.
# Screenshots go to docs/images/app-*.png.
#
#   bash scripts/e2e.sh            (called by scripts/test-all.sh)
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
mkdir -p "$WORK/out" docs/images

export QUZHENG_VAULT=$WORK/vault.qz
export QUZHENG_E2E_OPEN_FILES=$FIXTURE
export QUZHENG_E2E_SAVE_DIR=$WORK/out
export QUZHENG_TEST_FAST_KDF=1
export LIBGL_ALWAYS_SOFTWARE=1 WEBKIT_DISABLE_COMPOSITING_MODE=1 NO_AT_BRIDGE=1

if [ -z "${DISPLAY:-}" ]; then
  DISP=:$((90 + RANDOM % 9))
  Xvfb "$DISP" -screen 0 1400x1000x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
  XVFB_PID=$!
  export DISPLAY=$DISP
  sleep 1
fi
PORT=${E2E_PORT:-4444}
"$TAURI_DRIVER" --port "$PORT" --native-driver /usr/bin/WebKitWebDriver >"$WORK/driver.log" 2>&1 &
DRIVER_PID=$!
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$PORT/status" >/dev/null 2>&1 && break; sleep 0.2; done

say "driving the app"
if ! WEBDRIVER_URL="http://127.0.0.1:$PORT" node scripts/e2e/run.mjs "$APP" "$WORK/out" "$ROOT/docs/images"; then
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
