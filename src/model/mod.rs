//! The study's model (SCIENCE.md §2) in burn: a stack of encoders trained as
//! one graph, and the devices it runs on.

pub mod device;
#[cfg(feature = "gpu")]
pub mod gpu;
pub mod transformer;

#[cfg(feature = "gpu")]
pub use gpu::gpu_device;
#[cfg(all(feature = "gpu", not(target_arch = "wasm32")))]
pub use gpu::gpu_device_native;
pub use device::cpu_device;
pub use transformer::{Stack, read, tokens_tensor};
