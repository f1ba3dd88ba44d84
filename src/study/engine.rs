//! Which engine computes a run: burn's CPU backend (flex), whose numbers
//! are the same bit for bit wherever the same build runs in wasm, or its
//! GPU backend (wgpu, WebGPU in a browser), whose numbers are near the
//! CPU's but not equal (the GPU sums in its own order).

use serde::{Deserialize, Serialize};

/// The engine a page's workers train and measure on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Engine {
    /// burn's flex backend on the CPU: the same numbers bit for bit.
    #[default]
    Cpu,
    /// burn's wgpu backend on the GPU (WebGPU): near numbers.
    Gpu,
}

impl Engine {
    /// Both, in the order the page offers them.
    pub const ALL: [Engine; 2] = [Engine::Cpu, Engine::Gpu];

    /// Its name in links (`engine=cpu|gpu`).
    pub fn name(self) -> &'static str {
        match self {
            Engine::Cpu => "cpu",
            Engine::Gpu => "gpu",
        }
    }

    /// The name in a link.
    pub fn parse(text: &str) -> Result<Engine, String> {
        let t = text.trim().to_ascii_lowercase();
        Engine::ALL.into_iter().find(|e| e.name() == t).ok_or_else(|| format!("'{}' is not an engine (use cpu or gpu)", text.trim()))
    }

    /// `CPU` or `GPU`.
    pub fn short(self) -> &'static str {
        match self {
            Engine::Cpu => "CPU",
            Engine::Gpu => "GPU",
        }
    }

    /// What a visitor is told about its numbers.
    pub fn label(self) -> &'static str {
        match self {
            Engine::Cpu => "CPU, bit for bit",
            Engine::Gpu => "GPU (WebGPU), near",
        }
    }

    /// Whether the same build on this engine gives the same numbers bit for
    /// bit on every machine.
    pub fn is_exact(self) -> bool {
        self == Engine::Cpu
    }

    /// The engine as results record it ([`super::provenance::Provenance`]'s
    /// `engine`), for the wasm32 build: the CPU engine is
    /// [`super::provenance::engine`]'s text; the GPU engine names WebGPU so
    /// that no CPU build takes its numbers for its own.
    pub fn recorded(self) -> String {
        match self {
            Engine::Cpu => super::provenance::engine(),
            Engine::Gpu => super::provenance::WEBGPU_ENGINE.into(),
        }
    }
}

impl std::fmt::Display for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How close the GPU engine's numbers must come to the CPU engine's (or to
/// shipped results) to be called near: a model's success rate within
/// [`NEAR_SUCCESS`] and its Op within [`NEAR_OP`] nats.
pub const NEAR_SUCCESS: f64 = 0.03;
/// See [`NEAR_SUCCESS`].
pub const NEAR_OP: f64 = 0.02;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_bad_names_are_named() {
        for e in Engine::ALL {
            assert_eq!(Engine::parse(e.name()), Ok(e));
        }
        assert_eq!(Engine::parse(" GPU "), Ok(Engine::Gpu));
        assert!(Engine::parse("tpu").unwrap_err().contains("'tpu'"));
        assert!(Engine::Cpu.is_exact() && !Engine::Gpu.is_exact());
        assert_ne!(super::super::provenance::Computed::parse(&Engine::Gpu.recorded()), super::super::provenance::Computed::here());
    }
}
