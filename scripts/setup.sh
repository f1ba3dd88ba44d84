#!/usr/bin/env bash
# Installs what the lab needs, each tool only when it is missing or the wrong
# version, from the package registries (crates.io, npm, Debian).
#   scripts/setup.sh serve   what building and serving the page needs
#   scripts/setup.sh test    that, plus what the browser tests need
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-test}"
case "$what" in
  test|serve) ;;
  *) echo "usage: scripts/setup.sh test|serve" >&2; exit 2 ;;
esac

WASM_BINDGEN_VERSION=0.2.130
TRUNK_VERSION=0.21.14
WASM_PACK_VERSION=0.15.1
GECKODRIVER_VERSION=0.37.1

say() { echo "setup: $*" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

if ! have cargo; then
  say "cargo is missing: install Rust 1.95 with rustup first (https://rustup.rs)"
  exit 1
fi

# Tools built by cargo install: a lighter release profile makes them build
# in about half the time (their speed does not matter here), and one build
# directory for all of them builds the dependencies they share (tokio,
# serde, clap, ...) once instead of once per tool.
cargo_install() {
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_DEBUG=false \
    cargo install --target-dir "$PWD/target/tools" "$@"
}

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (several minutes)"
  cargo_install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION" --force
fi

if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (several minutes)"
  cargo_install --locked trunk --version "$TRUNK_VERSION" --force
fi

if ! have npm; then
  say "installing Node.js and npm from Debian"
  apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
fi
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -f node_modules/plotly.js-basic-dist-min/plotly-basic.min.js ] \
   || [ ! -f node_modules/axe-core/axe.min.js ] \
   || [ "$(node_modules/.bin/wasm-opt --version 2>/dev/null | awk '{print $3}')" != "132" ]; then
  say "installing wasm-opt (binaryen 132) plotly.js (basic bundle) and axe-core from npm"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ "$what" = test ]; then
  if [ "$(wasm-pack --version 2>/dev/null)" != "wasm-pack $WASM_PACK_VERSION" ]; then
    say "installing wasm-pack $WASM_PACK_VERSION (several minutes)"
    cargo_install --locked wasm-pack --version "$WASM_PACK_VERSION" --force
  fi
  if ! have chromium || ! have chromedriver || ! have firefox-esr; then
    say "installing Chromium, ChromeDriver and Firefox ESR from Debian"
    apt-get update -qq && apt-get install -y -qq chromium chromium-driver firefox-esr >/dev/null
  fi
  if ! have qemu-x86_64; then
    say "installing QEMU's user mode from Debian (an AVX2 CPU for tests/caches.rs)"
    apt-get update -qq && apt-get install -y -qq qemu-user >/dev/null
  fi
  if ! python3 -c "import numpy" 2>/dev/null; then
    say "installing NumPy from PyPI (tests/numpy_model.py reads the shipped models with it)"
    python3 -m pip install -q --disable-pip-version-check "numpy==2.2.6"
  fi
  if [ "$(geckodriver --version 2>/dev/null | head -1 | awk '{print $2}')" != "$GECKODRIVER_VERSION" ]; then
    say "installing geckodriver $GECKODRIVER_VERSION (a few minutes)"
    cargo_install --locked geckodriver --version "$GECKODRIVER_VERSION" --force
  fi
fi
# The page's builds run offline (Trunk.toml): fetch every locked crate now,
# including the GPU worker's, which no earlier build may have downloaded.
if ! cargo fetch --locked --quiet; then
  say "could not fetch the locked crates from crates.io"
  exit 1
fi
say "ready ($what)"
