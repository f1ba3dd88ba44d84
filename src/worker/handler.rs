//! The worker's work: one message in, outputs out. The same function serves
//! the Web Worker ([`super::wasm`]) and in-process tests.

use crate::clock::now_ms;
use crate::study::protocol::{WorkerInput, WorkerOutput};
use crate::experiment::{self, Stopped};
use crate::study::config::ExperimentConfig;
use crate::study::data::Draws;
use crate::study::engine::Engine;
use burn::tensor::Device;

use crate::study::provenance::BUILD;
use crate::study::results::Results;
use crate::train::Trainer;
use std::cell::RefCell;
use std::sync::Arc;

thread_local! {
    /// The last experiment's draws of the data, reused by the next work of
    /// the same one.
    static DRAWS: RefCell<Option<Arc<Draws>>> = const { RefCell::new(None) };
}

/// The greeting a worker sends once its wasm has loaded and its device
/// is made.
pub fn ready(engine: Engine) -> WorkerOutput {
    WorkerOutput::Ready { build: BUILD.into(), engine }
}

/// The draws of an experiment's data, each generated once per experiment.
fn draws_for(config: &ExperimentConfig) -> Arc<Draws> {
    DRAWS.with(|d| {
        let mut d = d.borrow_mut();
        match d.as_ref() {
            Some(draws) if draws.serve(config) => draws.clone(),
            _ => {
                let draws = Arc::new(Draws::new(config));
                *d = Some(draws.clone());
                draws
            }
        }
    })
}

/// Warm-up steps until the engine has optimised the code: `given` steps,
/// or rounds of 5 steps until two rounds in a row agree within 5% (at most
/// 100). Returns how many steps it took.
async fn warm_up(t: &mut Trainer, seqs: &[&[u8]], batch: usize, given: Option<usize>) -> usize {
    if let Some(n) = given {
        for _ in 0..n {
            t.pretrain_step(seqs, batch, 1e-3).read().await;
        }
        return n;
    }
    let mut warmup = 0;
    let mut last = f64::INFINITY;
    loop {
        let start = now_ms();
        for _ in 0..5 {
            t.pretrain_step(seqs, batch, 1e-3).read().await;
        }
        let per = (now_ms() - start) / 5.0;
        warmup += 5;
        if (per - last).abs() <= 0.05 * per || warmup >= 100 {
            return warmup;
        }
        last = per;
    }
}

/// Handles one message on `device` (the worker's engine's), sending
/// outputs through `out`.
pub async fn handle(input: WorkerInput, device: &Device, out: &mut dyn FnMut(WorkerOutput)) {
    match input {
        WorkerInput::Run { run, config, work, pretrained } => {
            if let Err(message) = config.check() {
                return out(WorkerOutput::Failed { run, message });
            }
            let draws = draws_for(&config);
            let mut last_step = f64::NEG_INFINITY;
            let mut on = |event: crate::study::event::Event| {
                // Steps are many: send one at most every 100 ms (and the last).
                if let crate::study::event::Event::Step { step, total, .. } = &event {
                    let t = now_ms();
                    if step != total && t - last_step < 100.0 {
                        return true;
                    }
                    last_step = t;
                }
                out(WorkerOutput::Event { run, event });
                true
            };
            match experiment::run(&config, &draws, &work, pretrained.as_deref(), device, &mut on).await {
                Ok(()) => out(WorkerOutput::Done { run }),
                Err(Stopped::Failed(message)) => out(WorkerOutput::Failed { run, message }),
                Err(Stopped::Cancelled) => out(WorkerOutput::Failed { run, message: "cancelled".into() }),
            }
        }
        WorkerInput::Measure { run, config, checkpoint } => {
            let result = match config.check() {
                Ok(()) => experiment::checkpoints::measure_checkpoint(&config, &checkpoint, &draws_for(&config), device).await,
                Err(e) => Err(e),
            };
            match result {
                Ok(m) => {
                    out(WorkerOutput::Event { run, event: crate::study::event::Event::Model(Box::new(m)) });
                    out(WorkerOutput::Done { run });
                }
                Err(message) => out(WorkerOutput::Failed { run, message }),
            }
        }
        WorkerInput::Inspect { config, history, index, checkpoint } => {
            let result = config.check().and_then(|_| {
                let history = match history {
                    Some(h) => h,
                    None => {
                        // The evaluation histories of the model's own draw.
                        let seed = crate::study::checkpoint::read_header(&checkpoint)
                            .ok()
                            .and_then(|(h, _)| h.trained.map(|t| t.seed))
                            .unwrap_or(config.seeds[0]);
                        let data = draws_for(&config).of(seed);
                        data.histories.get(index).cloned().ok_or_else(|| format!("there is no evaluation history {index}"))?
                    }
                };
                Ok(history)
            });
            let result = match result {
                Ok(history) => experiment::inspect::inspect(&checkpoint, &history, device).await,
                Err(e) => Err(e),
            };
            match result {
                Ok(inspection) => out(WorkerOutput::Inspected { inspection: Box::new(inspection) }),
                Err(message) => out(WorkerOutput::Failed { run: 0, message }),
            }
        }
        WorkerInput::Prepare { config } => match config.check() {
            Ok(()) => out(WorkerOutput::Prepared { results: Box::new(Results::new(config.clone())) }),
            Err(message) => out(WorkerOutput::Failed { run: 0, message }),
        },
        WorkerInput::Bench { sizes, members, steps, batch, warmup } => {
            let seq = crate::sequence::generate(50_000, 1, 0.02);
            let (members, steps, batch) = (members.clamp(1, 16), steps.clamp(1, 200), batch.clamp(1, 1024));
            for size in sizes {
                let seeds: Vec<u64> = (0..members as u64).collect();
                let mut t = Trainer::new(&size.shape(), &seeds, &seeds, 0.01, device);
                let seqs = vec![seq.as_slice(); members];
                let warmed = warm_up(&mut t, &seqs, batch, warmup).await;
                let start = now_ms();
                for _ in 0..steps {
                    t.pretrain_step(&seqs, batch, 1e-3).read().await;
                }
                out(WorkerOutput::Bench { size, members, ms_per_step: (now_ms() - start) / steps as f64, warmup: warmed });
            }
            out(WorkerOutput::BenchDone);
        }
    }
}
