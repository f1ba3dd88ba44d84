//! Where a file's numbers came from: the engine that computed them and the
//! build, so that a reader can tell what reproduces them.

use super::engine::Engine;
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

    /// The engine kind that computed the numbers: the GPU engine's records
    /// start with `webgpu` ([`Engine::recorded`]); results any of whose
    /// models it computed count as the GPU's (not exact).
    pub fn computed_on(&self) -> Engine {
        if self.engine.split(" + ").any(|e| e.starts_with("webgpu")) { Engine::Gpu } else { Engine::Cpu }
    }

    /// Records that models computed on `engine` joined these results, which
    /// already held `before` models: the engine's own text when it computed
    /// them all, both texts joined by " + " when engines were mixed.
    pub fn record(&mut self, engine: Engine, before: usize) {
        let text = engine.recorded();
        if before == 0 {
            self.engine = text;
        } else if !self.engine.split(" + ").any(|e| e == text) {
            self.engine = format!("{} + {text}", self.engine);
        }
    }
}

/// `wasm32` or `native`.
pub fn engine_kind() -> &'static str {
    if cfg!(target_arch = "wasm32") { "wasm32" } else { "native" }
}

/// This engine, in words.
pub fn engine() -> String {
    if cfg!(target_arch = "wasm32") {
        "wasm32 simd128 (burn flex)".into()
    } else {
        format!("native {} (burn flex)", std::env::consts::ARCH)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_engine_is_recorded_and_mixing_is_said() {
        let mut p = Provenance::here();
        assert_eq!(p.computed_on(), Engine::Cpu);
        p.record(Engine::Gpu, 0);
        assert_eq!(p.engine, Engine::Gpu.recorded());
        assert_eq!(p.computed_on(), Engine::Gpu);
        assert!(!p.reproducible_here(), "no CPU build takes GPU numbers for its own");
        p.record(Engine::Gpu, 3);
        assert_eq!(p.engine, Engine::Gpu.recorded());
        p.record(Engine::Cpu, 4);
        assert_eq!(p.engine, format!("{} + {}", Engine::Gpu.recorded(), Engine::Cpu.recorded()));
        assert_eq!(p.computed_on(), Engine::Gpu, "mixed results are not exact");
        let mut q = Provenance::here();
        q.record(Engine::Cpu, 0);
        q.record(Engine::Gpu, 1);
        assert_eq!(q.computed_on(), Engine::Gpu);
    }
}
