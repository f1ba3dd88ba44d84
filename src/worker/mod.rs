//! The training worker: the page ↔ worker messages ([`protocol`], no burn)
//! and their handler ([`handler`], burn), which runs the same way in a Web
//! Worker ([`wasm`]) and in a test.

pub mod handler;
pub mod protocol;
#[cfg(target_arch = "wasm32")]
pub mod wasm;
