#!/usr/bin/env bash
# Sets up what the tests need (only what is missing) and runs every test:
#   1. native: the science core, the CLI end to end, training (cargo test),
#      and every shipped model read by NumPy alone (tests/numpy_model.py);
#   2. browser: wasm-bindgen tests in headless Chromium and Firefox, and
#      the GPU engine against the CPU engine in headless Chromium through
#      SwiftShader's WebGPU (webdriver.json adds --enable-unsafe-webgpu);
#   3. end to end: the page built by Trunk; its CPU worker run in Node.js by
#      `opimp sweep --engine wasm` computes the quick preset and it must
#      equal results/quick.json bit for bit; the page served on loopback,
#      driven in headless Chromium through chromedriver (tests/e2e.py).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh test
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
export CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver)}"
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-300}"

echo "== 1/3 native tests (cargo test), and the shipped models read by NumPy"
cargo test --locked
python3 tests/numpy_model.py

echo "== 2/3 browser tests in headless Chromium and headless Firefox (wasm-pack test)"
# One wasm build serves all three runs: built with the GPU engine's feature,
# which adds the wgpu backend beside the CPU one and changes no CPU code.
wasm-pack test --headless --chrome --chromedriver "$CHROMEDRIVER" -- --locked --features gpu --test web --test reproduce --test gpu
wasm-pack test --headless --firefox --geckodriver "$(command -v geckodriver)" -- --locked --features gpu --test web --test reproduce

echo "== 3/3 end-to-end test (trunk build, headless Chromium)"
python3 tests/e2e.py
