#!/usr/bin/env bash
# Sets up what the lab needs (only what is missing), builds the page for
# release and serves it on a loopback port. PORT=8080 by default.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh serve
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
PORT="${PORT:-8080}"
echo "serve: building the page (release, first build takes about 15 minutes on 2 cores)" >&2
trunk build --release --cargo-profile web-release --dist dist
echo
echo "  opimp is served at http://127.0.0.1:$PORT/   (Ctrl-C stops it)"
echo "  try http://127.0.0.1:$PORT/?preset=quick"
echo
exec python3 -m http.server "$PORT" --bind 127.0.0.1 --directory dist
