#!/usr/bin/env bash
# Browser benchmark: ms per training step for each size on both
# engines (CPU: burn flex, simd128; GPU: burn wgpu on SwiftShader's WebGPU, a
# CPU emulation) in one run, in headless Chromium (release build).
# Under SwiftShader the whole benchmark outlasts its 40-min timeout; a part
# is chosen when it is built (tests/browser_bench.rs), e.g. the stacked GPU
# steps alone:
#   OPIMP_BENCH_ENGINES=gpu OPIMP_BENCH_MEMBERS=5 OPIMP_BENCH_SIZES=m,l,xl \
#     OPIMP_BENCH_STEPS=3 scripts/bench-browser.sh
# With OPIMP_BENCH_ENGINES=cpu the build leaves the `gpu` feature out, as
# the shipped CPU worker does (carrying both backends slows the CPU steps).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh test
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
export WASM_BINDGEN_TEST_TIMEOUT=2400
features=(--features gpu)
if [ "${OPIMP_BENCH_ENGINES:-cpu,gpu}" = cpu ]; then features=(); fi
wasm-pack test --release --headless --chrome --chromedriver "$(command -v chromedriver)" -- --locked "${features[@]}" --test browser_bench -- --nocapture 2>&1 | tee target/browser-bench.log | grep -E "BENCH|test result"
