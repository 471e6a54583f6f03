#!/usr/bin/env bash
# Retrains the bundled label model (assets/model/labels.bin) on the corpus files listed in
# assets/model/training-files.txt and rebuilds, so the binary embeds the new weights.
# Deterministic: the same files give the same bytes (a contract test checks the shipped
# file against this training). Run after changing the corpus or the rule packs.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(grep -v '^\s*\(#\|$\)' assets/model/training-files.txt)
cargo build --release --locked
target/release/quzheng train-model "${files[@]}" --out assets/model/labels.bin
cargo build --release --locked
