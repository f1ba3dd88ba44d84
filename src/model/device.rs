//! The devices the model runs on: the CPU engine's, always, and the GPU
//! engine's where the program is built with the `gpu` feature and the
//! machine (the browser) offers a WebGPU adapter.

use burn::tensor::Device;

/// The CPU device: burn's pure-Rust `flex` backend, which was faster than
/// the deprecated `ndarray` at every size natively and in the browser
/// (round 1, BENCHMARKS.md).
pub fn cpu_device() -> Device {
    Device::flex()
}

/// The GPU device: burn's wgpu backend on the default adapter (WebGPU in a
/// browser, where it must be made asynchronously), or why there is none.
#[cfg(feature = "gpu")]
pub async fn gpu_device() -> Result<Device, String> {
    Device::wgpu_options().init_async().await.map_err(|e| format!("no WebGPU device: {e}"))
}
