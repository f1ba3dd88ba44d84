#!/usr/bin/env bash
# Sets up what the tests need (only what is missing) and runs every test:
# the native science core and CLI tests.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh test
echo "== native tests (cargo test)"
cargo test --locked
