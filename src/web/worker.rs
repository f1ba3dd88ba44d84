//! The training worker: receives [`WorkerInput`]s, runs jobs with burn, and
//! streams [`WorkerOutput`]s back. A panic is reported as `Failed` for the
//! job it interrupted before the worker dies.

use crate::experiment::{Event, ExperimentConfig, run_job};
use crate::model::{ModelConfig, cpu_device};
use crate::protocol::{WorkerInput, WorkerOutput};
use crate::train::{Data, Trainer};
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

thread_local! {
    /// The job being run, for the panic hook's report.
    static CURRENT: RefCell<Option<(u64, crate::experiment::Job)>> = const { RefCell::new(None) };
    /// The last experiment's data, reused by the next job of the same one.
    static DATA: RefCell<Option<(String, Data)>> = const { RefCell::new(None) };
}

/// Milliseconds from the page's (or worker's) clock.
pub fn now_ms() -> f64 {
    js_sys::Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .and_then(|p| p.dyn_into::<web_sys::Performance>().ok())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

fn post(out: &WorkerOutput) {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let _ = scope.post_message(&JsValue::from_str(&out.to_json()));
}

/// The worker's entry point: installs the panic reporter and the message
/// handler, then says it is ready.
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        if let Some((run, job)) = CURRENT.with(|c| c.borrow().clone()) {
            post(&WorkerOutput::Failed {
                run,
                job,
                message: format!("the worker panicked: {info}"),
            });
        }
    }));
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        match e.data().as_string() {
            Some(text) => handle(&text, &mut |out| post(&out)),
            None => post(&WorkerOutput::Error {
                message: "messages must be JSON text".into(),
            }),
        }
    });
    scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    post(&WorkerOutput::Ready);
}

/// The data of an experiment, generated once per experiment.
fn data_for(config: &ExperimentConfig) -> Data {
    let key = serde_json::to_string(&(
        &config.pretrain.train_tokens,
        &config.pretrain.test_tokens,
        &config.pretrain.eval_windows,
        &config.eval_histories,
        &config.eps.to_bits(),
        &config.seed,
    ))
    .expect("key");
    DATA.with(|d| {
        let mut d = d.borrow_mut();
        if let Some((k, data)) = d.as_ref() {
            if *k == key {
                return data.clone();
            }
        }
        let data = config.data();
        *d = Some((key, data.clone()));
        data
    })
}

/// Handles one message, sending outputs through `out`. Public so tests can
/// drive a worker's logic in-process.
pub fn handle(text: &str, out: &mut dyn FnMut(WorkerOutput)) {
    let input = match WorkerInput::from_json(text) {
        Ok(i) => i,
        Err(message) => return out(WorkerOutput::Error { message }),
    };
    match input {
        WorkerInput::Run { run, config, job } => {
            if let Err(message) = config.check() {
                return out(WorkerOutput::Failed { run, job, message });
            }
            CURRENT.with(|c| *c.borrow_mut() = Some((run, job.clone())));
            let data = data_for(&config);
            let device = cpu_device();
            let mut last_post = 0.0;
            // Both callbacks talk to the page; run_job calls them one at a
            // time, so a RefCell lends `out` to whichever is called.
            let out = RefCell::new(out);
            let mut on = |event: Event| {
                // Steps are many; send one at most every 100 ms (and the
                // last of each phase). Curve points and models always go.
                if let Event::Step { step, total, .. } = &event {
                    let t = now_ms();
                    if step != total && t - last_post < 100.0 {
                        return true;
                    }
                    last_post = t;
                }
                (*out.borrow_mut())(WorkerOutput::Event { run, event });
                true
            };
            // Each fine-tuned model goes to the page as a checkpoint (with
            // the pretrained model it came from) before it is measured.
            let mut keep = |task, model: &crate::model::Model, pretrained: &crate::model::Model| {
                let message = match crate::experiment::trained_checkpoint(&config, &job, task, model, pretrained) {
                    Ok(bytes) => WorkerOutput::Checkpoint {
                        run,
                        job: job.clone(),
                        task,
                        checkpoint: crate::protocol::to_base64(&bytes),
                    },
                    Err(problem) => WorkerOutput::Error {
                        message: format!("the {task} model could not be kept: {problem}"),
                    },
                };
                (*out.borrow_mut())(message);
            };
            let _ = run_job(&config, &job, &data, &device, &mut on, &mut keep);
            CURRENT.with(|c| *c.borrow_mut() = None);
            (*out.borrow_mut())(WorkerOutput::Done { run, job });
        }
        WorkerInput::Measure { run, config, checkpoint } => {
            let job = crate::experiment::Job { size: super::pool::IMPORT.into(), seed: 0 };
            let result = config.check().and_then(|_| {
                let bytes = crate::protocol::from_base64(&checkpoint)?;
                let data = data_for(&config);
                crate::experiment::measure_checkpoint(&config, &bytes, &data, &cpu_device())
            });
            match result {
                Ok(m) => {
                    out(WorkerOutput::Event { run, event: Event::Model(Box::new(m)) });
                    out(WorkerOutput::Done { run, job });
                }
                Err(message) => out(WorkerOutput::Failed { run, job, message }),
            }
        }
        WorkerInput::Bench { sizes, steps, batch } => {
            let device = cpu_device();
            let seq = crate::sequence::generate(50_000, 1, 0.02);
            for size in sizes {
                let Some(cfg) = ModelConfig::preset(&size) else {
                    out(WorkerOutput::Error {
                        message: format!("unknown size '{size}'"),
                    });
                    continue;
                };
                let mut t = Trainer::new(&cfg, 1, 0.01, &device);
                for _ in 0..2 {
                    t.next_token_step(&seq, batch, 1e-3, false);
                }
                let start = now_ms();
                for _ in 0..steps.max(1) {
                    t.next_token_step(&seq, batch, 1e-3, false);
                }
                out(WorkerOutput::BenchResult {
                    size,
                    params: cfg.param_count(),
                    ms_per_step: (now_ms() - start) / steps.max(1) as f64,
                });
            }
            out(WorkerOutput::Done {
                run: u64::MAX,
                job: crate::experiment::Job { size: super::pool::BENCH.into(), seed: 0 },
            });
        }
    }
}
