#!/usr/bin/env python3
"""Summarises a results JSON written by `opimp sweep` (or the page's Export
JSON) into the study's headline table: per size and task, the mean success
rate, measured and implied Op, Imp and Imp_min over seeds; the scripted
generator's self-optimization; and, for each model, how far measured Op is
from implied Op under its own task's G and under the other tasks' G."""
import json
import statistics as st
import sys

SIZES = ["s", "m", "l", "xl"]


def main(path):
    r = json.load(open(path))
    models = r["models"]
    tasks = sorted({m["task"] for m in models}, key=lambda t: {"n2": 0, "n4": 1, "n6": 2}.get(t, 9))
    print(f"{len(models)} models, {len(r.get('failures', []))} failures\n")
    print("| size | params | task | seeds | success | Op | Op implied | Imp | Imp_min |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|")
    for size in SIZES:
        for task in tasks:
            ms = [m for m in models if m["size"] == size and m["task"] == task]
            if not ms:
                continue
            own = [next(s for s in m["scores"] if s["task"] == task) for m in ms]
            mean = lambda xs: st.mean(xs)
            sd = lambda xs: st.stdev(xs) if len(xs) > 1 else 0.0
            succ = [o["success"] for o in own]
            print(f"| {size} | {ms[0]['params']:,} | {task} | {len(ms)} | {mean(succ):.3f} ± {sd(succ):.3f} "
                  f"| {mean([m['op'] for m in ms]):.3f} | {mean([o['op_implied'] for o in own]):.3f} "
                  f"| {mean([m['imp'] for m in ms]):.3f} | {mean([o['imp_min'] for o in own]):.3f} |")
    print("\nScripted policies (success under each task; Op does not depend on G):\n")
    print("| policy | Op | Imp | " + " | ".join(f"success {t}" for t in tasks) + " |")
    print("|---|---:|---:|" + "---:|" * len(tasks))
    for s in r["scripted"]:
        succ = {x["task"]: x["success"] for x in s["scores"]}
        print(f"| {s['name']} | {s['op']:.3f} | {s['imp']:.3f} | "
              + " | ".join(f"{succ.get(t, float('nan')):.3f}" for t in tasks) + " |")
    gen = next((s for s in r["scripted"] if s["name"] == "generator"), None)
    if gen:
        above = sum(m["op"] > gen["op"] for m in models)
        print(f"\nModels whose Op exceeds the generator's self-optimization ({gen['op']:.3f}): {above} of {len(models)}")
    print("\nCross-objective: mean |Op − Op_implied| under the trained task's G vs under another task's G\n")
    print("| size | own G | other G |")
    print("|---|---:|---:|")
    for size in SIZES:
        ms = [m for m in models if m["size"] == size]
        if not ms:
            continue
        own = [abs(m["op"] - s["op_implied"]) for m in ms for s in m["scores"] if s["task"] == m["task"]]
        other = [abs(m["op"] - s["op_implied"]) for m in ms for s in m["scores"] if s["task"] != m["task"]]
        print(f"| {size} | {st.mean(own):.4f} | {st.mean(other):.4f} |")
    closer = sum(
        abs(m["op"] - next(s for s in m["scores"] if s["task"] == m["task"])["op_implied"])
        < min(abs(m["op"] - s["op_implied"]) for s in m["scores"] if s["task"] != m["task"])
        for m in models)
    print(f"\nModels nearer implied = measured under their own G than under every other G: {closer} of {len(models)}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "paper.json")
