#!/usr/bin/env python3
"""Summarises a results JSON (from `opimp sweep`, the page's Export JSON or
results/) into the study's headline table: per size and task, the mean over
seeds ± its standard error (SD / sqrt(n)) of the success rate, and the means
of measured and implied Op, Imp and Imp_min; the scripted policies; the
generator's self-optimization; own-task against cross-task |Op − Op_implied|;
and self-evaluation per task."""
import json
import math
import statistics as st
import sys

SIZES = ["s", "m", "l", "xl"]
ORDER = {"n2": 0, "n4": 1, "n6": 2}


def mean_se(xs):
    m = st.mean(xs)
    se = st.stdev(xs) / math.sqrt(len(xs)) if len(xs) > 1 else 0.0
    return m, se


def label(policy):
    kind = policy["kind"]
    if kind == "greedy":
        return f"greedy:{policy['good']}"
    if kind == "constant":
        return f"constant:{policy['action']}"
    if kind == "random":
        return f"random:{policy['seed']}"
    return kind


def corr(xs, ys):
    if len(xs) < 3:
        return float("nan")
    mx, my = st.mean(xs), st.mean(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    return sxy / math.sqrt(sxx * syy) if sxx > 0 and syy > 0 else float("nan")


def main(path):
    r = json.load(open(path))
    if r.get("version") not in (2, 3):
        sys.exit(f"{path}: version {r.get('version')}; convert it first (the page or `opimp export` read version 1)")
    models = r["models"]
    tasks = sorted({m["task"] for m in models}, key=lambda t: ORDER.get(t, 9))
    own = lambda m: next(s for s in m["scores"] if s["task"] == m["task"])
    prov = r["provenance"]
    print(f"{len(models)} models, {len(r.get('failures', []))} failures; computed by {prov['engine']}, build {prov['build']}"
          + (f" ({prov['note']})" if prov.get("note") else "") + "\n")
    print("| size | params | task | seeds | success (mean ± SE) | Op | Op implied | Imp | Imp_min |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|")
    for size in SIZES:
        for task in tasks:
            ms = [m for m in models if m["size"] == size and m["task"] == task]
            if not ms:
                continue
            s, se = mean_se([own(m)["success"] for m in ms])
            print(f"| {size} | {ms[0]['params']:,} | {task} | {len(ms)} | {s:.3f} ± {se:.3f} "
                  f"| {st.mean([m['op'] for m in ms]):.3f} | {st.mean([own(m)['op_implied'] for m in ms]):.3f} "
                  f"| {st.mean([m['imp'] for m in ms]):.3f} | {st.mean([own(m)['imp_min'] for m in ms]):.3f} |")
    print("\nScripted policies (success under each task; Op does not depend on G):\n")
    print("| policy | Op | Imp | " + " | ".join(f"success {t}" for t in tasks) + " |")
    print("|---|---:|---:|" + "---:|" * len(tasks))
    for s in r["scripted"]:
        succ = {x["task"]: x["success"] for x in s["scores"]}
        print(f"| {label(s['policy'])} | {s['op']:.3f} | {s['imp']:.3f} | "
              + " | ".join(f"{succ.get(t, float('nan')):.3f}" for t in tasks) + " |")
    gen = next((s for s in r["scripted"] if s["policy"]["kind"] == "generator"), None)
    if gen:
        above = sum(m["op"] >= gen["op"] for m in models)
        print(f"\nModels at or above the generator's self-optimization ({gen['op']:.3f}): {above} of {len(models)}")
    print("\nCross-objective: mean |Op − Op_implied| under the trained task's G vs under another task's G\n")
    print("| size | own G | other G |")
    print("|---|---:|---:|")
    for size in SIZES:
        ms = [m for m in models if m["size"] == size]
        if not ms:
            continue
        o = [abs(m["op"] - s["op_implied"]) for m in ms for s in m["scores"] if s["task"] == m["task"]]
        x = [abs(m["op"] - s["op_implied"]) for m in ms for s in m["scores"] if s["task"] != m["task"]]
        print(f"| {size} | {st.mean(o):.4f} | {st.mean(x):.4f} |")
    closer = sum(abs(m["op"] - own(m)["op_implied"])
                 < min(abs(m["op"] - s["op_implied"]) for s in m["scores"] if s["task"] != m["task"]) for m in models)
    print(f"\nModels nearer implied = measured under their own G than under every other G: {closer} of {len(models)}")
    print("\nSelf-evaluation per task (mean ± SE over models)\n")
    print("| task | models | self Op | Op | corr(self Op, Op) | self Imp | Imp |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for task in tasks:
        ms = [m for m in models if m["task"] == task]
        so, so_se = mean_se([m["self_op"] for m in ms])
        op, op_se = mean_se([m["op"] for m in ms])
        si, si_se = mean_se([m["self_imp"] for m in ms])
        im, im_se = mean_se([m["imp"] for m in ms])
        c = corr([m["self_op"] for m in ms], [m["op"] for m in ms])
        print(f"| {task} | {len(ms)} | {so:.3f} ± {so_se:.3f} | {op:.3f} ± {op_se:.3f} | {c:.2f} | {si:.3f} ± {si_se:.3f} | {im:.3f} ± {im_se:.3f} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "results/paper.json")
