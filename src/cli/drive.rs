//! Running a plan on threads: the command line's side of the job contract.
//! Each thread runs one work at a time, natively or on the wasm engine (a
//! Node.js process running the page's worker); the main thread hands out
//! ready work, takes in every event and tells the caller.

use super::node::{NodeWorker, WorkerFiles};
use crate::experiment::{self, Stopped};
use crate::model::cpu_device;
use crate::study::data::Draws;
use crate::study::event::Event;
use crate::study::jobs::{Handout, Plan, WorkId};
use crate::study::key::ModelKey;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};

/// What a thread reports about its work.
pub enum Report {
    /// An event of a work.
    Event(WorkId, Event),
    /// A work finished.
    Done(WorkId),
    /// A work failed.
    Failed(WorkId, String),
}

/// The engine works run on.
#[derive(Clone, Debug, PartialEq)]
pub enum Runner {
    /// This program's own (native) engine.
    Native,
    /// The page's CPU worker in Node.js: the browser's numbers.
    Wasm(WorkerFiles),
}

/// One thread's engine.
enum Slot {
    Native(burn::tensor::Device),
    Wasm(Box<NodeWorker>),
}

fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "the work panicked".into())
}

/// Runs `plan` on `threads` threads, telling `on` every report after the
/// plan has taken it in, with the models the report makes lost (a failed
/// work's, or those of nets a pretraining did not deliver). `on` returning
/// an error stops the run (running work is cancelled) and returns that
/// error.
pub fn drive(
    plan: &mut Plan,
    draws: Arc<Draws>,
    threads: usize,
    runner: &Runner,
    mut on: impl FnMut(&Plan, Report, Vec<ModelKey>) -> Result<(), String>,
) -> Result<(), String> {
    let config = plan.config().clone();
    // Wasm workers start before any work is handed out, so that a worker
    // that cannot start ends the run at once with its reason.
    let mut slots: Vec<Slot> = Vec::new();
    for _ in 0..threads.max(1) {
        slots.push(match runner {
            Runner::Native => Slot::Native(cpu_device()),
            Runner::Wasm(files) => Slot::Wasm(Box::new(NodeWorker::start(files)?)),
        });
    }
    let stop = Arc::new(AtomicBool::new(false));
    let (report_tx, reports) = mpsc::channel::<(usize, Report)>();
    let mut senders = Vec::new();
    let mut handles = Vec::new();
    for (t, mut slot) in slots.into_iter().enumerate() {
        let (tx, rx) = mpsc::channel::<Handout>();
        senders.push(tx);
        let report_tx = report_tx.clone();
        let (config, draws, stop) = (config.clone(), draws.clone(), stop.clone());
        handles.push(std::thread::spawn(move || {
            for handout in rx {
                let id = handout.id;
                let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    let mut on = |e: Event| !stop.load(Ordering::Relaxed) && report_tx.send((t, Report::Event(id, e))).is_ok();
                    match &mut slot {
                        Slot::Native(device) => {
                            let pretrained = handout.pretrained.as_deref().map(|p| p.as_slice());
                            pollster::block_on(experiment::run(&config, &draws, &handout.work, pretrained, device, &mut on))
                        }
                        Slot::Wasm(worker) => worker.run(&config, handout.clone(), &mut on),
                    }
                }));
                let report = match run {
                    Ok(Ok(())) => Report::Done(id),
                    Ok(Err(Stopped::Cancelled)) => Report::Failed(id, "cancelled".into()),
                    Ok(Err(Stopped::Failed(m))) => Report::Failed(id, m),
                    Err(p) => Report::Failed(id, panic_message(p)),
                };
                if report_tx.send((t, report)).is_err() {
                    return;
                }
            }
        }));
    }
    drop(report_tx);
    let mut idle: Vec<usize> = (0..senders.len()).rev().collect();
    let mut running = 0;
    let mut result = Ok(());
    loop {
        while result.is_ok() && !idle.is_empty() {
            let Some(next) = plan.next() else { break };
            let t = idle.pop().expect("an idle thread");
            senders[t].send(next).map_err(|_| "a training thread stopped".to_string())?;
            running += 1;
        }
        if running == 0 {
            break;
        }
        let Ok((t, report)) = reports.recv() else { break };
        let lost = match &report {
            Report::Event(_, e) => {
                plan.on_event(e);
                Vec::new()
            }
            Report::Done(id) => plan.finish(*id),
            Report::Failed(id, _) => plan.fail(*id),
        };
        if matches!(report, Report::Done(_) | Report::Failed(..)) {
            running -= 1;
            idle.push(t);
        }
        if result.is_ok() {
            if let Err(e) = on(plan, report, lost) {
                stop.store(true, Ordering::Relaxed);
                result = Err(e);
            }
        }
    }
    drop(senders);
    for h in handles {
        let _ = h.join();
    }
    result
}
