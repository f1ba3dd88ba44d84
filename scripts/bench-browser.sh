#!/usr/bin/env bash
# Browser benchmark: ms per training step for each size on both
# engines (CPU: burn flex, simd128; GPU: burn wgpu on SwiftShader's WebGPU, a
# CPU emulation) in one run, in headless Chromium (release build).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh test
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
export WASM_BINDGEN_TEST_TIMEOUT=2400
wasm-pack test --release --headless --chrome --chromedriver "$(command -v chromedriver)" -- --locked --features gpu --test browser_bench -- --nocapture 2>&1 | tee target/browser-bench.log | grep -E "BENCH|test result"
