//! Where a file's numbers came from: the engine that computed them and the
//! build, so that a reader can tell what reproduces them.

use serde::{Deserialize, Serialize};

/// This build: the crate's version and a fingerprint of every source file
/// and dependency version that decides the numbers (see `build.rs`).
pub const BUILD: &str = env!("OPIMP_BUILD");

/// How a results file was computed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// The engine: native (with the CPU architecture) or wasm32 (with the
    /// runtime, when known).
    pub engine: String,
    /// The build ([`BUILD`] of the program that computed it).
    pub build: String,
    /// How the run was made (a command, the page), free text.
    #[serde(default)]
    pub note: String,
}

impl Provenance {
    /// This program, here.
    pub fn here() -> Self {
        Provenance { engine: engine(), build: BUILD.into(), note: String::new() }
    }

    /// Whether numbers computed here would equal these bit for bit: the
    /// same build and the same kind of engine (wasm arithmetic is the same
    /// on every machine; native arithmetic differs from it).
    pub fn reproducible_here(&self) -> bool {
        self.build == BUILD && self.engine.starts_with(engine_kind())
    }
}

/// `wasm32` or `native`.
pub fn engine_kind() -> &'static str {
    if cfg!(target_arch = "wasm32") { "wasm32" } else { "native" }
}

/// The wasm CPU engine, in words (in a browser, or the page's worker run
/// by `opimp sweep --engine wasm`).
pub const WASM_ENGINE: &str = "wasm32 simd128 (burn flex)";

/// This engine, in words.
pub fn engine() -> String {
    if cfg!(target_arch = "wasm32") {
        WASM_ENGINE.into()
    } else {
        format!("native {} (burn flex)", std::env::consts::ARCH)
    }
}
