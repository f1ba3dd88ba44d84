#!/usr/bin/env python3
"""Probes of the study's fidelity (BENCHMARKS.md, "Maintenance and the size
effect"): a small study (by default sizes s and xl, seeds 0-2, task n4, the
paper's steps) run natively with some settings changed, and one table row
per probe read back from its results file.

    scripts/probe.py run NAME [--bin PATH] [--set rl.maintenance_every=1 ...]
                     [--sizes s,xl] [--seeds 0,1,2] [--tasks n4]
                     [--pretrained DIR] [--threads 2] [--dir target/probes]
    scripts/probe.py table FILE.json [FILE.json ...]

`run` writes target/probes/NAME.json (and NAME.config.json) with `opimp
sweep --config`; a results file of the first round (format version 1, the
build at commit 8a91047) reads as well as today's. `--pretrained DIR` makes
probes that differ only in RL settings share one pretraining (today's build
only). `table` prints, per probe and size: the mean final success (± its
standard error over seeds), the slope of the success curve over the last
700 RL steps (per 1,000 steps), held-out outcome accuracy at the start and
end of RL (natural windows; and rollout windows where recorded) with the
largest single loss, and the mean self-estimated Op and its error (self Op
minus measured Op)."""

import argparse
import json
import math
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def mean(xs):
    return sum(xs) / len(xs) if xs else float("nan")


def se(xs):
    if len(xs) < 2:
        return float("nan")
    m = mean(xs)
    return math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1) / len(xs))


def slope(points, last):
    """Least-squares slope of success over the points in the last `last` steps, per 1,000 steps."""
    end = points[-1]["step"]
    ps = [p for p in points if p["step"] >= end - last]
    if len(ps) < 2:
        return float("nan")
    xs = [p["step"] for p in ps]
    ys = [p["success"] for p in ps]
    mx, my = mean(xs), mean(ys)
    num = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    den = sum((x - mx) ** 2 for x in xs)
    return 1000.0 * num / den


def set_path(config, path, value):
    keys = path.split(".")
    at = config
    for k in keys[:-1]:
        at = at[k]
    if keys[-1] not in at:
        sys.exit(f"probe: no setting {path} in the config")
    old = at[keys[-1]]
    if isinstance(old, bool):
        at[keys[-1]] = value in ("1", "true")
    elif isinstance(old, int):
        at[keys[-1]] = int(value)
    elif isinstance(old, float):
        at[keys[-1]] = float(value)
    else:
        at[keys[-1]] = value


def run(a):
    os.makedirs(a.dir, exist_ok=True)
    base = subprocess.run([a.bin, "sweep", "--preset", "paper", "--print-config"], check=True, capture_output=True, text=True).stdout
    config = json.loads(base)
    config["sizes"] = a.sizes.split(",")
    config["seeds"] = [int(s) for s in a.seeds.split(",")]
    config["tasks"] = a.tasks.split(";")
    for kv in a.set or []:
        k, v = kv.split("=", 1)
        set_path(config, k, v)
    cfg = os.path.join(a.dir, a.name + ".config.json")
    out = os.path.join(a.dir, a.name + ".json")
    with open(cfg, "w") as f:
        json.dump(config, f, indent=1)
    cmd = [a.bin, "sweep", "--config", cfg, "--out", out, "--threads", str(a.threads)]
    if a.pretrained:
        cmd += ["--pretrained", a.pretrained]
    print("probe:", " ".join(cmd), file=sys.stderr, flush=True)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    table_of([out])


def models_and_curves(r):
    """(key, final success, self Op, Op, RL curve points) per model, either format."""
    out = []
    curves = {}
    for c in r.get("curves", {}).get("rl", []):
        curves[(c["size"], c["seed"], c["task"])] = c["points"]
    for m in r["models"]:
        if "key" in m:
            k = m["key"]
            key = (k["size"], k["seed"], k["task"])
        else:
            key = (m["size"], m["seed"], m["task"])
        own = next(s for s in m["scores"] if s["task"] == key[2])
        points = m.get("rl") or curves.get(key, [])
        out.append((key, own["success"], m["self_op"], m["op"], points))
    return out


def rows(path):
    r = json.load(open(path))
    name = os.path.basename(path).removesuffix(".json")
    by_size = {}
    for key, success, self_op, op, points in models_and_curves(r):
        by_size.setdefault((key[2], key[0]), []).append((success, self_op, op, points))
    order = ["s", "m", "l", "xl"]
    out = []
    for task, size in sorted(by_size, key=lambda k: (k[0], order.index(k[1]))):
        ms = by_size[(task, size)]
        succ = [m[0] for m in ms]
        slopes = [slope(m[3], 700) for m in ms if m[3]]
        start = [m[3][0]["outcome_acc"] for m in ms if m[3]]
        end = [m[3][-1]["outcome_acc"] for m in ms if m[3]]
        worst = min((e - s for s, e in zip(start, end)), default=float("nan"))
        r_start = [m[3][0].get("rollout_acc") for m in ms if m[3] and m[3][0].get("rollout_acc") is not None]
        r_end = [m[3][-1].get("rollout_acc") for m in ms if m[3] and m[3][-1].get("rollout_acc") is not None]
        rollout = f"{mean(r_start):.3f} → {mean(r_end):.3f}" if r_start else "—"
        out.append(
            f"| {name} | {task} | {size} | {len(ms)} | {mean(succ):.3f} ± {se(succ):.3f} | {mean(slopes):+.3f} "
            f"| {mean(start):.3f} → {mean(end):.3f} ({mean(end) - mean(start):+.3f}; worst {worst:+.3f}) "
            f"| {rollout} | {mean([m[1] for m in ms]):+.3f} | {mean([m[1] - m[2] for m in ms]):+.3f} |"
        )
    return out


HEADER = (
    "| probe | task | size | models | success at the end | slope, last 700 steps (per 1,000) "
    "| outcome accuracy, start → end (change; worst model) | rollout-window accuracy, start → end "
    "| self Op | self Op − Op |\n|---|---|---|---:|---:|---:|---|---|---:|---:|"
)


def table_of(paths):
    print(HEADER)
    for p in paths:
        for row in rows(p):
            print(row)
    print()
    print(SPLIT_HEADER)
    for p in paths:
        for row in split_rows(p):
            print(row)


SPLIT_HEADER = (
    "| probe | size | held-out next-token accuracy after pretraining | success | xl − s (paired by seed) "
    "| outcome accuracy, start → end | rollout windows, start → end | own action | other actions |\n"
    "|---|---|---:|---:|---:|---|---|---|---|"
)


def split_rows(path):
    """Per probe and size: pretraining's held-out accuracy, success, the
    size effect paired by seed, and held-out outcome accuracy on natural
    windows, on rollout windows, and on rollout windows split by whether
    the sampled action was the sequence's own (the rule's)."""
    r = json.load(open(path))
    name = os.path.basename(path).removesuffix(".json")
    pre = {(c["size"], c["seed"]): c["points"][-1]["test_acc"] for c in r.get("curves", {}).get("pretrain", []) if c["points"]}
    rl = {(c["size"], c["seed"], c["task"]): c["points"] for c in r.get("curves", {}).get("rl", [])}
    success = {}
    for m in r["models"]:
        k = (m["size"], m["seed"], m["task"])
        success[k] = next(s for s in m["scores"] if s["task"] == k[2])["success"]
    sizes = [z for z in ["s", "m", "l", "xl"] if any(k[0] == z for k in success)]
    seeds = sorted({k[1] for k in success})
    diffs = [success[("xl", sd, t)] - success[("s", sd, t)] for (z, sd, t) in success if z == "s" and ("xl", sd, t) in success]
    out = []
    for z in sizes:
        keys = [k for k in success if k[0] == z]
        def change(field):
            pts = [rl[k] for k in keys if k in rl and rl[k][0].get(field) is not None and rl[k][-1].get(field) is not None]
            if not pts:
                return "—"
            a, b = mean([p[0][field] for p in pts]), mean([p[-1][field] for p in pts])
            return f"{a:.3f} → {b:.3f} ({b - a:+.3f})"
        acc = [pre[(z, sd)] for sd in seeds if (z, sd) in pre]
        succ = [success[k] for k in keys]
        effect = f"{mean(diffs):+.3f} ± {se(diffs):.3f}" if diffs and z == "xl" else ""
        out.append(
            f"| {name} | {z} | {mean(acc):.3f} | {mean(succ):.3f} ± {se(succ):.3f} | {effect} | {change('outcome_acc')} "
            f"| {change('rollout_acc')} | {change('rollout_own_acc')} | {change('rollout_other_acc')} |"
        )
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("name")
    r.add_argument("--bin", default=os.path.join(ROOT, "target/release/opimp"))
    r.add_argument("--set", action="append")
    r.add_argument("--sizes", default="s,xl")
    r.add_argument("--seeds", default="0,1,2")
    r.add_argument("--tasks", default="n4")
    r.add_argument("--pretrained")
    r.add_argument("--threads", type=int, default=2)
    r.add_argument("--dir", default=os.path.join(ROOT, "target/probes"))
    t = sub.add_parser("table")
    t.add_argument("files", nargs="+")
    a = ap.parse_args()
    if a.cmd == "run":
        run(a)
    else:
        table_of(a.files)


if __name__ == "__main__":
    main()
