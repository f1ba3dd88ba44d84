#!/usr/bin/env bash
# Sets up what the lab needs (only what is missing) and serves it locally.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh serve
cargo build --release --locked --bin opimp
echo "The page arrives with the browser issue; the native lab is ready:"
echo "  target/release/opimp --help"
