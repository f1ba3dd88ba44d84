#!/usr/bin/env bash
# Builds the page's CPU training worker (the Web Worker's wasm, the same
# code the page runs) for `opimp sweep --engine wasm`, which runs it in
# Node.js: target/wasm-worker/worker.js and worker_bg.wasm.
#   scripts/wasm-worker.sh [PROFILE]   release by default; web-release is
#                                      the page's own (slower to build)
# Any profile gives the same numbers (no fast-math in Rust or wasm-opt;
# wasm arithmetic is exact); the profile changes only the speed.
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-release}"
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
if ! command -v wasm-bindgen >/dev/null; then
  echo "wasm-worker: wasm-bindgen is missing: run scripts/setup.sh serve first" >&2
  exit 1
fi
cargo build --locked --target wasm32-unknown-unknown --profile "$profile" --bin worker
dir="$profile"
[ "$profile" = dev ] && dir=debug
mkdir -p target/wasm-worker.tmp
wasm-bindgen --target no-modules --no-typescript --out-dir target/wasm-worker.tmp --out-name worker \
  "target/wasm32-unknown-unknown/$dir/worker.wasm"
rm -rf target/wasm-worker
mv target/wasm-worker.tmp target/wasm-worker
echo "wasm-worker: built target/wasm-worker ($profile)" >&2
