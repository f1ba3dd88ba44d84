//! Which engine computed the results a page holds, as their provenance
//! records it: the GPU engine's models make the results near, never exact,
//! however many CPU models they sit beside.

use crate::study::engine::Engine;
use crate::study::provenance::{Computed, Engines, Provenance};

/// The engine kind that computed the numbers: results any of whose models
/// the GPU engine computed count as the GPU's (not exact).
pub fn computed_on(p: &Provenance) -> Engine {
    if p.engine.any_gpu() { Engine::Gpu } else { Engine::Cpu }
}

/// What the page's `engine` records.
fn recorded(engine: Engine) -> Computed {
    match engine {
        Engine::Cpu => Computed::here(),
        Engine::Gpu => Computed::WebGpu,
    }
}

/// Records that models computed on `engine` joined results that already
/// held `before` models: that engine alone when it computed them all, each
/// engine once when they were mixed.
pub fn record(p: &mut Provenance, engine: Engine, before: usize) {
    let c = recorded(engine);
    if before == 0 {
        p.engine = Engines::one(c);
    } else if !p.engine.0.contains(&c) {
        p.engine.0.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_engine_is_recorded_and_mixing_is_said() {
        let mut p = Provenance::here();
        assert_eq!(computed_on(&p), Engine::Cpu);
        record(&mut p, Engine::Gpu, 0);
        assert_eq!(p.engine, Engines::one(Computed::WebGpu));
        assert_eq!(computed_on(&p), Engine::Gpu);
        assert!(!p.reproducible_here(), "no CPU build takes GPU numbers for its own");
        record(&mut p, Engine::Gpu, 3);
        assert_eq!(p.engine, Engines::one(Computed::WebGpu));
        record(&mut p, Engine::Cpu, 4);
        assert_eq!(p.engine.0, vec![Computed::WebGpu, Computed::here()]);
        assert_eq!(computed_on(&p), Engine::Gpu, "mixed results are not exact");
        let mut q = Provenance::here();
        record(&mut q, Engine::Cpu, 0);
        record(&mut q, Engine::Gpu, 1);
        assert_eq!(computed_on(&q), Engine::Gpu);
    }
}
