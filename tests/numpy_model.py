#!/usr/bin/env python3
"""The shipped models read by NumPy alone: every model file under
results/models/ (safetensors) loaded with python/opimp_numpy.py, run on its
experiment's evaluation histories, gives the lab's logits within 1e-5 and
exactly its actions at temperature 0 (the lab's own numbers from `opimp
logits`, the native engine)."""
import glob
import json
import os
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))
import opimp_numpy  # noqa: E402


def main():
    opimp = os.path.join(ROOT, "target", "debug", "opimp")
    files = sorted(glob.glob(os.path.join(ROOT, "results", "models", "*", "*.safetensors")))
    assert files, "no shipped model files under results/models/"
    worst = 0.0
    for path in files:
        preset = os.path.basename(os.path.dirname(path))
        lab = json.loads(subprocess.run([opimp, "logits", "--model", path, "--preset", preset], check=True, capture_output=True, text=True).stdout)
        meta, tensors = opimp_numpy.load(path)
        logits = opimp_numpy.forward(meta, tensors, np.array(lab["histories"]))
        mine = np.array(lab["logits"], dtype=np.float64)
        diff = float(np.abs(logits - mine).max())
        actions = 8 + logits[:, 8:16].argmax(axis=1)
        assert diff <= 1e-5, f"{path}: NumPy's logits differ from the lab's by {diff:.2e}"
        assert (actions == np.array(lab["actions"])).all(), f"{path}: NumPy's temperature-0 actions differ from the lab's"
        worst = max(worst, diff)
    print(f"numpy: {len(files)} shipped models read with NumPy alone; logits within {worst:.1e} of the lab's on "
          f"{len(lab['histories'])} evaluation histories each, every temperature-0 action the same")


if __name__ == "__main__":
    main()
