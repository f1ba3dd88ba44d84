//! The study's model (SCIENCE.md §2) in burn: a stack of encoders trained as
//! one graph, and the devices it runs on.

pub mod device;
pub mod transformer;

#[cfg(feature = "gpu")]
pub use device::gpu_device;
pub use device::cpu_device;
pub use transformer::{Stack, read, tokens_tensor};
