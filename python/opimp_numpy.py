"""Reads an opimp model file (safetensors) and runs the model with NumPy.

    import opimp_numpy as op
    meta, tensors = op.load("opimp-xl-seed0-n4.safetensors")
    logits = op.forward(meta, tensors, windows)     # windows: int [B, 20]
    actions = 8 + logits[:, 8:16].argmax(axis=1)    # temperature 0

The file holds the fine-tuned model ("model.*") and the pretrained model
it started from ("pretrained.*"); its metadata gives the architecture.
Linear weights are [in, out] (y = x W + b). An encoder reads the previous
20 tokens (0..15) and gives logits over the next token.
"""
import json
import struct

import numpy as np


def load(path):
    """The file's metadata (a dict of strings) and its tensors (float32)."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    meta = header.pop("__metadata__")
    start = 8 + n
    tensors = {
        name: np.frombuffer(data[start + t["data_offsets"][0] : start + t["data_offsets"][1]], dtype="<f4").reshape(t["shape"])
        for name, t in header.items()
    }
    return meta, tensors


def _norm(x, gain, bias):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-5) * gain + bias


def forward(meta, tensors, windows, record="model"):
    """Logits [B, 16] for the token after each window (no dropout), in
    float64: pre-norm blocks x + f(norm(x)) or post-norm norm(x + f(x)) as
    the metadata's norm_first says, then a final norm and the head."""
    p = lambda name: tensors[f"{record}.{name}"].astype(np.float64)
    windows = np.asarray(windows, dtype=np.int64)
    b, t = windows.shape
    d, heads = int(meta["d_model"]), int(meta["n_heads"])
    pre = meta["norm_first"] == "true"
    x = p("tokens")[windows] + p("positions")[:t]
    for i in range(int(meta["n_layers"])):
        at = lambda name: p(f"blocks.{i}.{name}")
        h = _norm(x, at("norm1.gain"), at("norm1.bias")) if pre else x
        qkv = h @ at("qkv.weight") + at("qkv.bias")
        q, k, v = (qkv[..., j * d : (j + 1) * d].reshape(b, t, heads, d // heads).transpose(0, 2, 1, 3) for j in range(3))
        scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(d // heads)
        w = np.exp(scores - scores.max(-1, keepdims=True))
        w /= w.sum(-1, keepdims=True)
        att = (w @ v).transpose(0, 2, 1, 3).reshape(b, t, d)
        x = x + att @ at("proj.weight") + at("proj.bias")
        if not pre:
            x = _norm(x, at("norm1.gain"), at("norm1.bias"))
        h = _norm(x, at("norm2.gain"), at("norm2.bias")) if pre else x
        x = x + np.maximum(h @ at("ff1.weight") + at("ff1.bias"), 0.0) @ at("ff2.weight") + at("ff2.bias")
        if not pre:
            x = _norm(x, at("norm2.gain"), at("norm2.bias"))
    x = _norm(x[:, -1], p("norm.gain"), p("norm.bias"))
    return x @ p("head.weight") + p("head.bias")
