//! The engine chosen by measuring before a long run (`lab::choice`): the
//! CPU's workers time a few steps of the largest size, then a GPU worker
//! does, and the run starts on the faster.

use super::Command;
use crate::lab::choice::{Choice, TRIAL_STEPS, TRIAL_WARMUP, WORTH_MEASURING_MIN};
use crate::lab::page::Page;
use crate::lab::said::{Said, Status};
use crate::lab::workers::{Pending, WebGpu};
use crate::study::engine::Engine;
use crate::study::protocol::WorkerInput;
use crate::study::size::Size;

/// The visitor asked for a run: the engines are timed first where that is
/// worth it, then the run starts.
pub(super) fn request(page: &mut Page) {
    if page.running() {
        return;
    }
    if !page.results.missing().is_empty() && page.live_workers() > 0 && worth_measuring(page) {
        return begin(page);
    }
    super::run::start(page);
}

/// Whether a run should wait for the engines to be timed: the browser
/// offers WebGPU, nobody chose the engine, the CPU's workers run, and the
/// run would take over a minute.
fn worth_measuring(page: &Page) -> bool {
    page.choice == Choice::Open
        && matches!(page.workers.webgpu, WebGpu::Offered(_))
        && page.engine() == Engine::Cpu
        && page.estimate_minutes() > WORTH_MEASURING_MIN
}

/// Starts timing: the CPU's workers first.
fn begin(page: &mut Page) {
    let size = *page.config().sizes.iter().max().expect("an experiment has sizes");
    page.choice = Choice::Measuring { size, cpu_ms: None };
    page.workers.queue(Pending::Trial(size));
    page.status = Status::ChoosingEngine(size);
}

/// The worker input that times `size` on one worker.
pub(super) fn trial_input(size: Size) -> WorkerInput {
    WorkerInput::Bench { sizes: vec![size], members: 1, steps: TRIAL_STEPS, batch: 64, warmup: Some(TRIAL_WARMUP) }
}

/// An engine's time arrived: after the CPU's, a GPU worker times the same
/// steps; after the GPU's, the faster engine trains the run.
pub(super) fn timed(page: &mut Page, ms: f64, cmds: &mut Vec<Command>) {
    let Choice::Measuring { size, cpu_ms } = page.choice.clone() else { return };
    match cpu_ms {
        None => {
            page.choice = Choice::Measuring { size, cpu_ms: Some(ms) };
            page.link.engine = Engine::Gpu;
            cmds.push(Command::Worker(page.workers.pool(Engine::Gpu, page.now)));
            page.workers.queue(Pending::Trial(size));
        }
        Some(cpu) => decide(page, cpu, ms, cmds),
    }
}

/// The GPU could not be timed (no device after all, or its worker died):
/// the CPU trains the run.
pub(super) fn gpu_failed(page: &mut Page, cmds: &mut Vec<Command>) {
    if let Choice::Measuring { cpu_ms, .. } = page.choice.clone() {
        decide(page, cpu_ms.unwrap_or(1.0), f64::INFINITY, cmds);
    }
}

/// Chooses by the two times, says so, and starts the run on the choice.
fn decide(page: &mut Page, cpu_ms: f64, gpu_ms: f64, cmds: &mut Vec<Command>) {
    let Choice::Measuring { size, .. } = page.choice.clone() else { return };
    let engine = Choice::decide(cpu_ms, gpu_ms);
    let ratio = gpu_ms / cpu_ms;
    page.choice = Choice::Made { engine, ratio, size };
    if page.engine() != engine {
        page.link.engine = engine;
        cmds.push(Command::Worker(page.workers.pool(engine, page.now)));
    }
    page.say(Said::EngineMeasured { chosen: engine, ratio, size });
    super::run::start(page);
}
