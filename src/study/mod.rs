//! The study's data, shared by the command line and the page: model sizes
//! and identities, the experiment config and its settings, the data an
//! experiment trains and measures on, results and curves, and the job
//! contract (work, events, progress). No burn, no web.

pub mod checkpoint;
pub mod config;
pub mod csv;
pub mod curves;
pub mod engine;
pub mod data;
pub mod event;
pub mod inspection;
pub mod interval;
pub mod jobs;
pub mod key;
pub mod layout;
pub mod preset;
pub mod progress;
pub mod protocol;
pub mod provenance;
pub mod claims;
pub mod results;
pub mod settings;
pub mod size;
pub mod summary;
pub mod validate;
