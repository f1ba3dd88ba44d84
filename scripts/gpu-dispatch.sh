#!/usr/bin/env bash
# Counts what a GPU training step asks of the device (kernel dispatches,
# uploads, reads back, submissions, copies) for each size alone and as a
# stack of five, in headless Chromium through SwiftShader's WebGPU
# (tests/gpu_dispatch.rs). SwiftShader is a CPU emulation: the counts are
# the device's, the times mean nothing. OPIMP_DISPATCH_SIZES=s,m,l,xl picks
# the sizes (s,xl by default); the log also has one step split into its
# phases (forward, backward, AdamW; PHASES lines). The "before" column of BENCHMARKS.md was
# counted on a copy of the tree whose Cargo.toml has `gpu = ["burn/wgpu"]`
# (no fusion), with OPIMP_UNLOCKED=1 (the lock file then differs) and
# OPIMP_DISPATCH_READ_EACH=1 (the loss read back after every step, as the
# trainer did then).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh test
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
export WASM_BINDGEN_TEST_TIMEOUT=1800
locked=(--locked)
[ "${OPIMP_UNLOCKED:-}" = 1 ] && locked=()
wasm-pack test --headless --chrome --chromedriver "$(command -v chromedriver)" -- "${locked[@]}" --features gpu --test gpu_dispatch -- --nocapture 2>&1 \
  | tee target/gpu-dispatch.log | grep -E "FUSION|DISPATCH|PHASES|test result"
