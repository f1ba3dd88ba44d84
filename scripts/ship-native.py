#!/usr/bin/env python3
"""Computes the shipped results of the presets too long for a tab, natively:
`opimp sweep --preset P --threads 2` with the release build, the paper
preset first (its pretrained nets are kept and reused by every preset on
the same pretraining settings), then each other preset. Each file is
written to results/P.json whole or not at all, with a note saying the
command and how long it took; the checkpoints the page's look inside a
model uses are copied for the presets that ship their own
(results/models/P/), and results/paper-table.md is regenerated.

Usage: scripts/ship-native.py [--preset NAME ...] [--work DIR]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NATIVE = ["paper", "scaling", "no-maintenance", "impact", "cross", "self"]
# Presets whose look inside a model uses their own checkpoints (the others
# share the paper preset's: lab::inside::shipped_from).
OWN_MODELS = {"paper", "no-maintenance"}


def atomic_write(path, data):
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def with_note(raw, note):
    """The results file's bytes with its provenance note replaced (every
    other byte, every number, kept as the program wrote it)."""
    r = json.loads(raw)
    old = json.dumps(r["provenance"]["note"], ensure_ascii=False)
    key = '"note":' + old
    if raw.count(key) != 1:
        raise RuntimeError(f"the provenance note is not where it was expected ({key})")
    return raw.replace(key, '"note":' + json.dumps(note, ensure_ascii=False))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", action="append", choices=NATIVE)
    ap.add_argument("--work", default=os.path.join(ROOT, "target", "native-ship"))
    args = ap.parse_args()
    presets = args.preset or NATIVE
    subprocess.run(["cargo", "build", "--release", "--locked", "--bin", "opimp"], cwd=ROOT, check=True)
    opimp = os.path.join(ROOT, "target", "release", "opimp")
    os.makedirs(args.work, exist_ok=True)
    for preset in presets:
        out = os.path.join(args.work, f"{preset}.json")
        models = os.path.join(args.work, "models", preset)
        command = ["sweep", "--preset", preset, "--threads", "2"]
        started = time.time()
        subprocess.run([opimp, *command, "--out", out, "--pretrained", os.path.join(args.work, "pretrained"),
                        "--models", models, "--force"], cwd=ROOT, check=True)
        minutes = (time.time() - started) / 60
        note = f"opimp {' '.join(command)}, natively on 2 cores ({minutes:.1f} min; scripts/ship-native.py)"
        raw = open(out, encoding="utf-8").read()
        atomic_write(os.path.join(ROOT, "results", f"{preset}.json"), with_note(raw, note).encode("utf-8"))
        if preset in OWN_MODELS:
            r = json.loads(raw)
            task = "n4" if "n4" in r["config"]["tasks"] else r["config"]["tasks"][0]
            folder = os.path.join(ROOT, "results", "models", preset)
            os.makedirs(folder, exist_ok=True)
            for size in r["config"]["sizes"]:
                name = f"opimp-{size}-seed{r['config']['seeds'][0]}-{task}.opimp"
                atomic_write(os.path.join(folder, name), open(os.path.join(models, name), "rb").read())
        if preset == "paper":
            table = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "paper_table.py"), os.path.join(ROOT, "results", "paper.json")],
                                   cwd=ROOT, check=True, capture_output=True, text=True).stdout
            atomic_write(os.path.join(ROOT, "results", "paper-table.md"), table.encode("utf-8"))
        print(f"ship-native: {preset} in {minutes:.1f} min -> results/{preset}.json", flush=True)


if __name__ == "__main__":
    main()
