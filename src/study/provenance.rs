//! Where a file's numbers came from: the engines that computed them and
//! the build, so that a reader can tell what reproduces them.

use serde::{Deserialize, Serialize};
use std::fmt;

/// This build: the crate's version and a fingerprint of every source file
/// and dependency version that decides the numbers (see `build.rs`).
pub const BUILD: &str = env!("OPIMP_BUILD");

/// The wasm CPU engine, in words (in a browser, or the page's worker run
/// by `opimp sweep --engine wasm`).
pub const WASM_ENGINE: &str = "wasm32 simd128 (burn flex)";
/// The GPU engine, in words.
pub const WEBGPU_ENGINE: &str = "webgpu (burn wgpu)";

/// An engine that computed numbers, as results files record it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Computed {
    /// burn's flex backend in wasm32 (a browser, or Node.js): the same
    /// numbers on every machine.
    Wasm,
    /// burn's flex backend natively, on this CPU architecture.
    Native(String),
    /// burn's wgpu backend on WebGPU: near numbers.
    WebGpu,
    /// Anything else a file says (read back as it was written).
    Other(String),
}

impl Computed {
    /// The engine from its recorded text.
    pub fn parse(text: &str) -> Computed {
        let text = text.trim();
        if text == WASM_ENGINE {
            Computed::Wasm
        } else if text == WEBGPU_ENGINE {
            Computed::WebGpu
        } else if let Some(arch) = text.strip_prefix("native ").and_then(|t| t.strip_suffix(" (burn flex)")) {
            Computed::Native(arch.to_string())
        } else {
            Computed::Other(text.to_string())
        }
    }

    /// This program's own engine.
    pub fn here() -> Computed {
        if cfg!(target_arch = "wasm32") { Computed::Wasm } else { Computed::Native(std::env::consts::ARCH.into()) }
    }
}

impl fmt::Display for Computed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Computed::Wasm => f.write_str(WASM_ENGINE),
            Computed::Native(arch) => write!(f, "native {arch} (burn flex)"),
            Computed::WebGpu => f.write_str(WEBGPU_ENGINE),
            Computed::Other(t) => f.write_str(t),
        }
    }
}

/// The engines that computed a file's numbers, each once, in the order
/// they joined (the file writes them joined by " + ").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub struct Engines(pub Vec<Computed>);

impl From<String> for Engines {
    fn from(text: String) -> Self {
        Engines(text.split(" + ").map(Computed::parse).collect())
    }
}

impl From<Engines> for String {
    fn from(e: Engines) -> String {
        e.to_string()
    }
}

impl fmt::Display for Engines {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(Computed::to_string).collect();
        f.write_str(&parts.join(" + "))
    }
}

impl Engines {
    /// One engine.
    pub fn one(c: Computed) -> Self {
        Engines(vec![c])
    }

    /// Whether every number was computed by `c` alone.
    pub fn only(&self, c: &Computed) -> bool {
        self.0.len() == 1 && self.0[0] == *c
    }

    /// Whether the GPU engine computed any of the numbers.
    pub fn any_gpu(&self) -> bool {
        self.0.contains(&Computed::WebGpu)
    }
}

/// How a results file was computed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// The engines: native (with the CPU architecture), wasm32, or WebGPU.
    pub engine: Engines,
    /// The build ([`BUILD`] of the program that computed it).
    pub build: String,
    /// How the run was made (a command, the page), free text.
    #[serde(default)]
    pub note: String,
}

impl Provenance {
    /// This program, here.
    pub fn here() -> Self {
        Provenance { engine: Engines::one(Computed::here()), build: BUILD.into(), note: String::new() }
    }

    /// Whether numbers computed here would equal these bit for bit: the
    /// same build and this program's engine alone (wasm arithmetic is the
    /// same on every machine; native arithmetic differs from it).
    pub fn reproducible_here(&self) -> bool {
        self.build == BUILD && self.engine.only(&Computed::here())
    }
}

/// This engine, in words.
pub fn engine() -> String {
    Computed::here().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engines_read_back_as_they_were_written() {
        for text in [WASM_ENGINE, "native x86_64 (burn flex)", "webgpu (burn wgpu) + wasm32 simd128 (burn flex)", "native (a version 1 file; engine not recorded)"] {
            let e = Engines::from(text.to_string());
            assert_eq!(e.to_string(), text);
        }
        let mixed = Engines::from(format!("{WEBGPU_ENGINE} + {WASM_ENGINE}"));
        assert_eq!(mixed.0, vec![Computed::WebGpu, Computed::Wasm]);
        assert!(mixed.any_gpu() && !mixed.only(&Computed::Wasm));
        assert_eq!(Computed::parse("native aarch64 (burn flex)"), Computed::Native("aarch64".into()));
        let json = serde_json::to_string(&Provenance { engine: mixed, build: "b".into(), note: String::new() }).unwrap();
        assert!(json.contains("\"engine\":\"webgpu (burn wgpu) + wasm32 simd128 (burn flex)\""), "{json}");
    }
}
