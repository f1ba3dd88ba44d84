//! The GPU engine's device, where the program is built with the `gpu`
//! feature and the machine (the browser) offers a WebGPU adapter. Its
//! numbers are near the CPU engine's, never equal, so this file is not part
//! of the build's fingerprint (build.rs).

use burn::tensor::Device;

/// How many independent blocks burn's fusion search keeps open in one
/// segment of operations (burn's `fusion.beam_search.max_blocks`; its
/// default is 5). With one, the search takes the operations in the order
/// they come. With more it sets aside what it cannot fuse into blocks of
/// their own, but in the layer norms' backward passes it could not put the
/// blocks back in order and ran whole segments unfused (its "[repair]
/// falling back to unfused stream order"). Chosen by counting the kernels
/// of a stacked training step at s (BENCHMARKS.md, "The GPU engine:
/// dispatches per step"): 309 natively with one block against 393 with
/// five; 318 in the browser against 408. `OPIMP_FUSION_MAX_BLOCKS`
/// (natively at run time, in wasm at build time) sets another for that
/// count.
pub const FUSION_MAX_BLOCKS: usize = 1;

/// Sets burn's fusion search for this process before the first fused
/// operation (the device's makers below call it; burn keeps the first
/// setting it is given). A value of `OPIMP_FUSION_MAX_BLOCKS` that is not a
/// positive number is said and left for the default.
fn configure_fusion() {
    use burn::cubecl::config::RuntimeConfig;
    let given = std::env::var("OPIMP_FUSION_MAX_BLOCKS").ok().or(option_env!("OPIMP_FUSION_MAX_BLOCKS").map(str::to_string));
    let blocks = match given.as_deref().map(|v| v.parse::<usize>()) {
        None => FUSION_MAX_BLOCKS,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("OPIMP_FUSION_MAX_BLOCKS={:?} is not a positive number; using {FUSION_MAX_BLOCKS}", given.unwrap_or_default());
            FUSION_MAX_BLOCKS
        }
    };
    let setting = serde_json::json!({ "fusion": { "beam_search": { "max_blocks": blocks } } });
    if let Ok(config) = serde_json::from_value::<burn::BurnConfig>(setting) {
        let _ = burn::BurnConfig::try_set(config);
    }
}

/// The number of blocks burn's fusion search runs with in this process.
pub fn fusion_max_blocks() -> usize {
    burn::runtime_config().fusion().beam_search.max_blocks
}

/// The GPU device: burn's wgpu backend on the default adapter (WebGPU in a
/// browser, where it must be made asynchronously), or why there is none.
pub async fn gpu_device() -> Result<Device, String> {
    configure_fusion();
    Device::wgpu_options().init_async().await.map_err(|e| format!("no WebGPU device: {e}"))
}

/// The GPU device natively (Vulkan on Linux, wgpu's default adapter), for
/// the native GPU benchmark: the device and what it is, or why there is
/// none.
#[cfg(not(target_arch = "wasm32"))]
pub fn gpu_device_native() -> Result<(Device, String), String> {
    configure_fusion();
    let device = Device::wgpu_options().init().map_err(|e| format!("no GPU device: {e}"))?;
    Ok((device, "wgpu's default adapter (Vulkan on Linux)".into()))
}
