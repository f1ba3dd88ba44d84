//! The GPU engine's device, where the program is built with the `gpu`
//! feature and the machine (the browser) offers a WebGPU adapter. Its
//! numbers are near the CPU engine's, never equal, so this file is not part
//! of the build's fingerprint (build.rs).

use burn::tensor::Device;

/// The GPU device: burn's wgpu backend on the default adapter (WebGPU in a
/// browser, where it must be made asynchronously), or why there is none.
pub async fn gpu_device() -> Result<Device, String> {
    Device::wgpu_options().init_async().await.map_err(|e| format!("no WebGPU device: {e}"))
}

/// The GPU device natively (Vulkan on Linux, wgpu's default adapter), for
/// the native GPU benchmark: the device and what it is, or why there is
/// none.
#[cfg(not(target_arch = "wasm32"))]
pub fn gpu_device_native() -> Result<(Device, String), String> {
    let device = Device::wgpu_options().init().map_err(|e| format!("no GPU device: {e}"))?;
    Ok((device, "wgpu's default adapter (Vulkan on Linux)".into()))
}
