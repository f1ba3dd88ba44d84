#!/usr/bin/env bash
# Installs what the lab needs, each tool only when it is missing or the wrong
# version. Usage: scripts/setup.sh test|serve
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-test}"

need_rust() {
  if ! command -v cargo >/dev/null; then
    echo "cargo is missing: install Rust 1.95 (rustup) first" >&2
    exit 1
  fi
}

need_rust
case "$what" in
  test|serve) ;;
  *) echo "usage: scripts/setup.sh test|serve" >&2; exit 2 ;;
esac
