//! How the page picks its engine before a long run: where the browser
//! offers a WebGPU adapter and a run would take over a minute, it times a
//! few training steps of the experiment's largest size on each engine and
//! trains on the faster; a tie (within [`TIE`]) or no adapter keeps the
//! CPU's. A visitor who chose an engine (in Settings, or by the link) is
//! never second-guessed.

use crate::study::engine::Engine;
use crate::study::size::Size;

/// Timed steps of each engine.
pub const TRIAL_STEPS: usize = 2;
/// Warm-up steps before them (each engine compiles its kernels on first use).
pub const TRIAL_WARMUP: usize = 1;
/// Runs estimated shorter than this (minutes) are not worth measuring.
pub const WORTH_MEASURING_MIN: f64 = 1.0;
/// The GPU is chosen only when the CPU takes over this many times its time.
pub const TIE: f64 = 1.1;

/// Where the page's choice of engine is.
#[derive(Clone, Debug, PartialEq)]
pub enum Choice {
    /// Not measured yet: the CPU's engine until a long run asks.
    Open,
    /// The visitor chose the engine: never measured.
    Visitor,
    /// Timing the engines on `size`: the CPU's time per step once known.
    Measuring {
        /// The experiment's largest size.
        size: Size,
        /// The CPU's milliseconds per step, once timed.
        cpu_ms: Option<f64>,
    },
    /// Measured.
    Made {
        /// The engine chosen.
        engine: Engine,
        /// The GPU's time per step over the CPU's (infinite where the GPU
        /// could not run).
        ratio: f64,
        /// The size timed.
        size: Size,
    },
}

impl Choice {
    /// The engine the times pick.
    pub fn decide(cpu_ms: f64, gpu_ms: f64) -> Engine {
        if gpu_ms.is_finite() && gpu_ms * TIE < cpu_ms { Engine::Gpu } else { Engine::Cpu }
    }

    /// Whether timing is under way.
    pub fn measuring(&self) -> bool {
        matches!(self, Choice::Measuring { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cpu_stays_unless_the_gpu_is_clearly_faster() {
        assert_eq!(Choice::decide(100.0, 50.0), Engine::Gpu);
        assert_eq!(Choice::decide(100.0, 95.0), Engine::Cpu, "a tie keeps the CPU");
        assert_eq!(Choice::decide(16.0, 5200.0), Engine::Cpu, "SwiftShader");
        assert_eq!(Choice::decide(100.0, f64::INFINITY), Engine::Cpu);
    }
}
