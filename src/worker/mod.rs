//! The training worker: the handler of the page's messages
//! ([`crate::study::protocol`]), with burn, which runs the same way in a Web
//! Worker ([`wasm`]), in Node.js (`opimp sweep --engine wasm`) and in a test.

pub mod handler;
#[cfg(target_arch = "wasm32")]
pub mod wasm;
