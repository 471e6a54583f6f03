#!/usr/bin/env bash
# Runs every test of Quzheng: formatting, lints, Rust unit + contract tests, frontend tests,
# and the real-window end-to-end test. Installs (or names) what it needs first.
#
#   bash scripts/test-all.sh
#
# As root (CI, containers) missing Debian packages are installed with apt-get; otherwise the
# missing ones are named and the script stops.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

say() { printf '\n==> %s\n' "$*"; }

# ---- system packages -------------------------------------------------------------------
PKGS=(pkg-config build-essential libssl-dev libwebkit2gtk-4.1-dev libgtk-3-dev
      libayatana-appindicator3-dev librsvg2-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev
      webkit2gtk-driver xvfb xauth fonts-noto-cjk poppler-utils libxml2-utils sqlite3
      x11-apps imagemagick)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "missing Debian packages: ${missing[*]}" >&2
    echo "install them with: sudo apt-get install ${missing[*]}" >&2
    exit 4
  fi
fi
for tool in cargo rustc node npm; do
  command -v "$tool" >/dev/null || { echo "missing tool: $tool (install Rust and Node.js first)" >&2; exit 4; }
done
rustup component list --installed 2>/dev/null | grep -q rustfmt || rustup component add rustfmt clippy || true

# ---- desktop app (issue 6): the UI first, because src-tauri embeds ui/dist when it compiles
say "ui: npm install + vite build"
# `npm install` (not `npm ci`): npm 11 leaves rollup's optional per-platform packages out of
# the lock file, which `npm ci` then rejects; install still honours the locked versions.
(cd ui && npm install --no-audit --no-fund && npm run build)

# ---- Rust ------------------------------------------------------------------------------
say "cargo fmt --check"
cargo fmt --all -- --check
say "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings
say "cargo test (unit, contract, examples in rule packs)"
cargo test --workspace --locked
say "cargo doc -D warnings"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --locked -p quzheng

# ---- desktop app (issue 6): frontend unit tests, then the real-window e2e -----------------
# The Rust command tests (src-tauri/tests, mock runtime, no display) already ran in the
# workspace `cargo test` above. The e2e makes ONE debug build of the app and reuses it.
say "ui: typecheck, Vitest (mockIPC)"
(cd ui && npm run typecheck && npm test)
say "app: end-to-end under Xvfb (tauri-driver + WebKitWebDriver)"
bash scripts/e2e.sh
# ---- end desktop app ----------------------------------------------------------------------

say "all tests passed"
