#!/usr/bin/env python3
"""One pretraining step of each model size in PyTorch on the CPU, one
thread, against the lab's own step (BENCHMARKS.md, "Side by side with
PyTorch").

The network is the lab's, written again in PyTorch: token and position
embeddings (vocabulary 16, context 20), 2 pre-norm blocks of 4-head
attention with fused Q/K/V and a ReLU feed-forward, dropout 0.1, a final
norm and a head over the 16 tokens, with exactly the lab's parameter counts
(checked). The loss is the cross-entropy of the next token at the last
position, the step AdamW (lr 1e-3, weight decay 0.01), batch 64 windows.
Unlike the lab, the last block here computes every position (PyTorch has no
cheaper way without writing the block by hand), so PyTorch does a little
more arithmetic per step: the ratio is, if anything, in PyTorch's
disfavour by that much (the lab's `Size::forward_macs` gives the saving).

Usage: scripts/torch-bench.py [--steps 60] [--warmup 15] [--threads 1] [--lab] [--browser]
Prints one line per size: median ms per step over --steps timed steps.
With --lab it then runs the lab's own benchmark in the same run (`cargo
bench --bench training`, the pretraining steps of single models, on the
cores this process may use: run it under `taskset -c 0`) and prints both side by side
with their ratio. With --browser it also runs the browser benchmark's CPU
engine on single models (`scripts/bench-browser.sh` with
OPIMP_BENCH_ENGINES=cpu OPIMP_BENCH_MEMBERS=1: a release wasm build
without the gpu feature, as shipped, in headless Chromium) and adds its
column; the build inherits this process's cores too, so under taskset it
is slow to build, not slower to run. Needs torch: PyPI's (`python3 -m venv V && V/bin/pip
install torch`, then run this with V/bin/python) or Debian's python3-torch
(reference BLAS: far slower, see BENCHMARKS.md).
"""
import argparse
import os
import re
import subprocess
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

VOCAB, CONTEXT = 16, 20
SIZES = {"s": (32, 64, 18_832), "m": (56, 112, 54_448), "l": (96, 192, 154_768), "xl": (128, 512, 403_472)}


class Block(nn.Module):
    def __init__(self, d, f, heads, p):
        super().__init__()
        self.heads, self.p = heads, p
        self.norm1, self.norm2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.ff1, self.ff2 = nn.Linear(d, f), nn.Linear(f, d)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(self.norm1(x)).split(d, dim=-1)
        shape = (b, t, self.heads, d // self.heads)
        q, k, v = (z.view(shape).transpose(1, 2) for z in (q, k, v))
        att = F.softmax(q @ k.transpose(-1, -2) / (d // self.heads) ** 0.5, dim=-1)
        att = F.dropout(att, self.p, self.training)
        h = (att @ v).transpose(1, 2).reshape(b, t, d)
        x = x + F.dropout(self.proj(h), self.p, self.training)
        h = self.ff2(F.relu(self.ff1(self.norm2(x))))
        return x + F.dropout(h, self.p, self.training)


class Model(nn.Module):
    def __init__(self, d, f, layers=2, heads=4, p=0.1):
        super().__init__()
        self.tokens, self.positions = nn.Embedding(VOCAB, d), nn.Embedding(CONTEXT, d)
        self.blocks = nn.ModuleList(Block(d, f, heads, p) for _ in range(layers))
        self.norm, self.head = nn.LayerNorm(d), nn.Linear(d, VOCAB)
        self.p = p

    def forward(self, x):
        h = self.tokens(x) + self.positions(torch.arange(x.shape[1]))
        h = F.dropout(h, self.p, self.training)
        for blk in self.blocks:
            h = blk(h)
        return self.head(self.norm(h[:, -1]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--warmup", type=int, default=15)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--lab", action="store_true", help="also time the lab's step (cargo bench) and print the ratios")
    ap.add_argument("--browser", action="store_true", help="also time the lab's step in headless Chromium (wasm, CPU engine) and print the ratios")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    print(f"torch {torch.__version__}, {a.threads} thread(s), batch 64, AdamW", flush=True)
    torch_ms = {}
    for name, (d, f, params) in SIZES.items():
        model = Model(d, f)
        n = sum(p.numel() for p in model.parameters())
        assert n == params, f"{name}: {n} parameters, the lab's model has {params}"
        opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
        model.train()
        x = torch.randint(0, VOCAB, (64, CONTEXT))
        y = torch.randint(0, VOCAB, (64,))
        times = []
        for i in range(a.warmup + a.steps):
            t0 = time.perf_counter()
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            if i >= a.warmup:
                times.append(time.perf_counter() - t0)
        torch_ms[name] = statistics.median(times) * 1000
        print(f"{name}: {torch_ms[name]:.2f} ms per step ({params} parameters)", flush=True)
    lab = lab_ms() if a.lab else {}
    wasm = browser_ms() if a.browser else {}
    if a.lab or a.browser:
        print("| size | PyTorch | the lab (native) | lab / PyTorch | the lab (wasm, Chromium) | wasm / PyTorch |")
        print("|---|---:|---:|---:|---:|---:|")
        for name in SIZES:
            t = torch_ms[name]
            cells = [f"{ms:.2f} ms | {ms / t:.2f}×" if ms is not None else "— | —" for ms in (lab.get(name), wasm.get(name))]
            print(f"| {name} | {t:.2f} ms | {cells[0]} | {cells[1]} |")


def lab_ms():
    """The lab's pretraining step per size (ms, criterion's estimate), on
    the cores this process may use (taskset it to one)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    cmd = ["cargo", "bench", "--locked", "--bench", "training", "--", "pretrain step, batch 64 per member/.* x1$", "--output-format", "bencher"]
    out = subprocess.run(cmd, cwd=root, check=True, capture_output=True, text=True).stdout
    found = {}
    for line in out.splitlines():
        m = re.search(r"per member/(\w+) x1 \.\.\. bench:\s+([\d,]+) ns/iter", line)
        if m:
            found[m.group(1)] = int(m.group(2).replace(",", "")) / 1e6
    return found


def browser_ms():
    """The lab's pretraining step per size in headless Chromium (ms,
    the worker's own benchmark: warm-up until two passes agree, then the
    mean of the timed steps), CPU engine, single models."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, OPIMP_BENCH_ENGINES="cpu", OPIMP_BENCH_MEMBERS="1")
    out = subprocess.run(["scripts/bench-browser.sh"], cwd=root, env=env, check=True, capture_output=True, text=True).stdout
    found = {}
    for line in out.splitlines():
        m = re.search(r"BENCH cpu size (\w+) members 1 ([\d.]+) ms/step", line)
        if m:
            found[m.group(1)] = float(m.group(2))
    return found


if __name__ == "__main__":
    main()
