//! opimp: measuring the optimization and impact of trained policies.
//!
//! The science core (no web, no burn): the study's [`sequence`], the
//! split-history [`measure`]s, [`policy`] scripts, the misalignment
//! [`taxonomy`] and [`differential`] optimization. Everything here builds
//! natively and for `wasm32-unknown-unknown`.

pub mod differential;
pub mod experiment;
pub mod linalg;
pub mod measure;
pub mod model;
pub mod policy;
pub mod protocol;
pub mod rng;
pub mod sequence;
pub mod share;
pub mod taxonomy;
pub mod train;

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
#[cfg(not(target_arch = "wasm32"))]
pub mod cli_train;

#[cfg(target_arch = "wasm32")]
pub mod web;
