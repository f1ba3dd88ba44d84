//! The study's model (SCIENCE.md §2) in burn: a stack of encoders trained as
//! one graph.

pub mod transformer;

pub use transformer::{Stack, cpu_device, read, tokens_tensor};
