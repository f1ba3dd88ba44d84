//! Which engine computed the results a page holds, as their provenance
//! records it: the GPU engine's models are recorded as `webgpu`
//! ([`Engine::recorded`]) and make the results near, never exact, however
//! many CPU models they sit beside.

use crate::study::engine::Engine;
use crate::study::provenance::Provenance;

/// The engine kind that computed the numbers: results any of whose models
/// the GPU engine computed count as the GPU's (not exact).
pub fn computed_on(p: &Provenance) -> Engine {
    if p.engine.split(" + ").any(|e| e.starts_with("webgpu")) { Engine::Gpu } else { Engine::Cpu }
}

/// Records that models computed on `engine` joined results that already
/// held `before` models: the engine's own text when it computed them all,
/// both texts joined by " + " when engines were mixed.
pub fn record(p: &mut Provenance, engine: Engine, before: usize) {
    let text = engine.recorded();
    if before == 0 {
        p.engine = text;
    } else if !p.engine.split(" + ").any(|e| e == text) {
        p.engine = format!("{} + {text}", p.engine);
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
        assert_eq!(p.engine, Engine::Gpu.recorded());
        assert_eq!(computed_on(&p), Engine::Gpu);
        assert!(!p.reproducible_here(), "no CPU build takes GPU numbers for its own");
        record(&mut p, Engine::Gpu, 3);
        assert_eq!(p.engine, Engine::Gpu.recorded());
        record(&mut p, Engine::Cpu, 4);
        assert_eq!(p.engine, format!("{} + {}", Engine::Gpu.recorded(), Engine::Cpu.recorded()));
        assert_eq!(computed_on(&p), Engine::Gpu, "mixed results are not exact");
        let mut q = Provenance::here();
        record(&mut q, Engine::Cpu, 0);
        record(&mut q, Engine::Gpu, 1);
        assert_eq!(computed_on(&q), Engine::Gpu);
    }
}
