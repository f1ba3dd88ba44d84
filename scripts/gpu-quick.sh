#!/usr/bin/env bash
# The GPU engine end to end: the quick preset trained on burn's wgpu backend
# in headless Chromium through SwiftShader's WebGPU (a CPU emulation), then
# compared with the shipped results/quick.json (success within 0.03, Op
# within 0.02 nats). Longer than CI allows (over 15 minutes on 2 cores), so
# not part of scripts/test.sh; prints when each work starts.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh test
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-5400}"
wasm-pack test --release --headless --chrome --chromedriver "$(command -v chromedriver)" -- --locked --features gpu --test gpu \
  -- --include-ignored --nocapture 2>&1 | tee target/gpu-quick.log | grep -E "GPU-|test result"
