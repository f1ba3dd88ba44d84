#!/usr/bin/env bash
# Recomputes the results the site ships (results/*.json and the models
# under results/models/) on the wasm engine: the page's own CPU worker run
# in Node.js by `opimp sweep --engine wasm`, one process per core, so that
# every browser reproduces them bit for bit. Resumable: re-running it goes
# on where it stopped (finished models are kept in target/ship/PRESET.json
# after every model, pretrained nets in target/ship/pretrained); a preset's
# file is copied into results/ only once it is whole.
#   scripts/ship.sh [PRESET ...]    every preset by default, in the order
#                                   below (four presets take their models
#                                   from the paper preset's)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
presets=("$@")
[ ${#presets[@]} -gt 0 ] || presets=(quick paper no-maintenance scaling cross impact self)
cargo build --release --locked --bin opimp
opimp=target/release/opimp
./scripts/wasm-worker.sh release
mkdir -p target/ship/pretrained
for preset in "${presets[@]}"; do
  out=target/ship/$preset.json
  extra=()
  case $preset in
    scaling|cross|impact|self) extra=(--reuse target/ship/paper.json) ;;
  esac
  echo "ship: $preset" >&2
  "$opimp" sweep --preset "$preset" --engine wasm --out "$out" --pretrained target/ship/pretrained \
    --models "target/ship/models/$preset" "${extra[@]}" > /dev/null
  # One model per size ships for the look inside a model (seed 0, n4 or
  # the first task); presets that are the paper's settings on fewer models
  # read the paper's (lab::inside::shipped_from).
  python3 - "$preset" <<'PY'
import json, os, shutil, sys
preset = sys.argv[1]
r = json.load(open(f"target/ship/{preset}.json"))
c = r["config"]
if r["failures"] or len(r["models"]) != len(c["sizes"]) * len(c["seeds"]) * len(c["tasks"]):
    sys.exit(f"ship: {preset} is not whole ({len(r['models'])} models, {len(r['failures'])} failures); not shipped")
def ship(src, dst):
    # Whole or not at all: a copy beside it, then one rename.
    shutil.copy(src, dst + ".part")
    os.replace(dst + ".part", dst)
task = "n4" if "n4" in c["tasks"] else c["tasks"][0]
if preset not in ("scaling", "cross", "impact", "self"):
    dest = f"results/models/{preset}"
    part = dest + ".part"
    shutil.rmtree(part, ignore_errors=True)
    os.makedirs(part)
    for size in c["sizes"]:
        name = f"opimp-{size}-seed{c['seeds'][0]}-{task.replace(',', '_')}.safetensors"
        shutil.copy(f"target/ship/models/{preset}/{name}", os.path.join(part, name))
    # The old folder is moved aside before the new one takes its name, so
    # results/models/PRESET is always one whole folder or the other.
    old = dest + ".old"
    shutil.rmtree(old, ignore_errors=True)
    if os.path.exists(dest):
        os.replace(dest, old)
    os.replace(part, dest)
    shutil.rmtree(old, ignore_errors=True)
    print(f"ship: {preset}: {len(c['sizes'])} model files in {dest}", file=sys.stderr)
ship(f"target/ship/{preset}.json", f"results/{preset}.json")
print(f"ship: {preset}: {len(r['models'])} models in results/{preset}.json", file=sys.stderr)
PY
done
"$opimp" claims --results results/paper.json > results/paper-claims.txt.part && mv results/paper-claims.txt.part results/paper-claims.txt
python3 scripts/paper_table.py results/paper.json > results/paper-table.md.part && mv results/paper-table.md.part results/paper-table.md
