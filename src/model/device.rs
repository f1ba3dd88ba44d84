//! The CPU engine's device, the one whose numbers are the same bit for bit
//! wherever the same build runs (the GPU engine's is [`super::gpu`]).

use burn::tensor::Device;

/// The CPU device: burn's pure-Rust `flex` backend, which was faster than
/// the deprecated `ndarray` at every size natively and in the browser
/// (round 1, BENCHMARKS.md).
pub fn cpu_device() -> Device {
    Device::flex()
}
