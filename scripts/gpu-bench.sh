#!/usr/bin/env bash
# The GPU engine's training steps on this machine's GPU, natively (wgpu on
# Vulkan), with the CPU engine timed beside it in the same run
# (benches/gpu.rs). Builds on any Linux machine; running it needs a GPU and
# its Vulkan loader (Debian: libvulkan1 and the GPU's driver).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --locked --features gpu --bench gpu
