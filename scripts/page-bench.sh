#!/usr/bin/env bash
# Times the page's own computing (examples/page_bench.rs: read the paper
# preset's results, decide every claim, build every figure, every reading)
# as wasm in Node.js, once per cargo profile given, side by side:
#   scripts/page-bench.sh [PROFILE ...]     web-release app-release by default
# (web-release: the workers' profile, opt-level 3; app-release: the page's,
# built for size.) Needs the wasm32 target and wasm-bindgen (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
profiles=("$@")
[ ${#profiles[@]} -gt 0 ] || profiles=(web-release app-release)
for p in "${profiles[@]}"; do
  cargo build --locked --quiet --target wasm32-unknown-unknown --profile "$p" --example page_bench
  out=target/page-bench/$p
  mkdir -p "$out"
  wasm-bindgen --target nodejs --no-typescript --out-dir "$out" "target/wasm32-unknown-unknown/$p/examples/page_bench.wasm"
  echo "== $p ($(gzip -9c "$out/page_bench_bg.wasm" | wc -c) bytes gzipped, before wasm-opt)"
  node "$out/page_bench.js" | sed 's/^PAGE //'
done
