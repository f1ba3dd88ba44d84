#!/usr/bin/env bash
# Shows that the GPU engine's tests guard the fused kernels: on a copy of
# the tree whose burn-cubecl-fusion computes the fused square root as |x|
# (one fused op made wrong; a [patch] to a patched copy of the crate),
# tests/gpu.rs in headless Chromium through SwiftShader must fail (the
# logits and the AdamW step both leave the CPU engine's). Exits 0 when
# they fail, 1 when they pass. Takes a wasm build with the whole wgpu
# stack (about 20 minutes here). BENCHMARKS.md, "The GPU engine:
# dispatches per step", has its last output.
set -uo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh test >/dev/null
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
export WASM_BINDGEN_TEST_TIMEOUT=1800
work=target/fusion-mutant
crate=$(ls -d "$HOME"/.cargo/registry/src/*/burn-cubecl-fusion-0.22.1 | head -1)
rm -rf "$work" && mkdir -p "$work"
git worktree remove --force "$work/tree" 2>/dev/null
git worktree add -q --detach "$work/tree" HEAD
cp -r "$crate" "$work/fusion"
sed -i 's|FuseOp::Sqrt(op) => sqrt::<E, N>|FuseOp::Sqrt(op) => abs::<E, N>|' "$work/fusion/src/engine/codegen/kernel.rs"
grep -q 'FuseOp::Sqrt(op) => abs::<E, N>' "$work/fusion/src/engine/codegen/kernel.rs" || { echo "mutant: the fused sqrt was not found"; exit 2; }
sed -i "s|^\[patch.crates-io\]|[patch.crates-io]\nburn-cubecl-fusion = { path = \"$PWD/$work/fusion\" }|" "$work/tree/Cargo.toml"
ln -s "$PWD/node_modules" "$work/tree/node_modules"
(cd "$work/tree" && CARGO_TARGET_DIR="$PWD/../../fusion-mutant-target" wasm-pack test --headless --chrome --chromedriver "$(command -v chromedriver)" -- --features gpu --test gpu 2>&1) \
  | tee "$work/log" | grep -E "^test |test result|panicked at|differ|vs " | head -20
git worktree remove --force "$work/tree"
if grep -q "test result: FAILED" "$work/log"; then echo "mutant: the GPU tests fail with the fused sqrt made wrong, as they must"; exit 0; fi
echo "mutant: the GPU tests PASSED with a wrong fused op"; exit 1
