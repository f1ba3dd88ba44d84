//! opimp: measuring the optimization and impact of trained policies.
//!
//! The modules follow the data: the [`clock`]; the science core (no burn,
//! no web) — [`rng`], [`math`], the study's [`sequence`], the split-history
//! [`measure`]s, scripted [`policy`]s, the misalignment [`taxonomy`],
//! [`differential`] optimization with [`linalg`]; the [`study`]'s shared
//! data (sizes, configs, results, the job contract and the page ↔ worker
//! protocol; no burn, no web); then,
//! with burn, the [`model`], its [`train`]ing, running the study's work
//! ([`experiment`]) and the training [`worker`]; the page's state
//! ([`lab`], no burn, no web); the study's [`figures`] (plotly charts
//! and their tables, no burn, no web); and the two front ends, the command line
//! (`cli`, native) and the page (`web`, wasm).

pub mod clock;
pub mod math;
pub mod rng;

pub mod differential;
pub mod linalg;
pub mod measure;
pub mod policy;
pub mod sequence;
pub mod taxonomy;

pub mod study;

pub mod experiment;
pub mod model;
pub mod train;
pub mod worker;

pub mod lab;

pub mod figures;

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
#[cfg(target_arch = "wasm32")]
pub mod web;
