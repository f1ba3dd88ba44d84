//! The page's training workers: one per core less one (at least one), each
//! running one job at a time. A worker that panics or dies is reported, its
//! job marked failed, and a fresh worker takes its place; cancelling
//! terminates the busy workers (finished models were already delivered).

use crate::experiment::{Event, ExperimentConfig, Job};
use crate::protocol::{WorkerInput, WorkerOutput};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker};

/// The job name a benchmark occupies a worker with.
pub const BENCH: &str = "bench";

/// The job name measuring an imported checkpoint occupies a worker with.
pub const IMPORT: &str = "import";

/// Where the worker's loader is, relative to the page.
pub const WORKER_URL: &str = "./worker_loader.js";

/// What the pool tells the page.
#[derive(Clone, Debug)]
pub enum PoolEvent {
    /// Progress of a job.
    Event(Event),
    /// A job started on a worker.
    Started(Job),
    /// A fine-tuned model's checkpoint (base64), to keep.
    Checkpoint(Job, crate::sequence::SuccessSet, String),
    /// A job finished.
    Done(Job),
    /// A job failed; the message says why.
    Failed(Job, String),
    /// Every job of the run is done or failed.
    Finished,
    /// A benchmark figure.
    Bench {
        /// Size.
        size: String,
        /// Parameters.
        params: usize,
        /// Milliseconds per step.
        ms_per_step: f64,
    },
    /// The pool itself has a problem (no worker could start).
    Problem(String),
}

enum SlotState {
    Starting,
    Idle,
    Busy(Job),
}

struct Slot {
    worker: Worker,
    state: SlotState,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

struct Inner {
    slots: Vec<Option<Slot>>,
    queue: VecDeque<Job>,
    config: Option<ExperimentConfig>,
    run: u64,
    active: usize,
    listener: Rc<dyn Fn(PoolEvent)>,
    pending_bench: Option<WorkerInput>,
    pending_measure: Option<WorkerInput>,
}

/// A pool of training workers.
#[derive(Clone)]
pub struct Pool {
    inner: Rc<RefCell<Inner>>,
}

/// One worker per core less one, at least one.
pub fn default_size() -> usize {
    let cores = web_sys::window()
        .map(|w| w.navigator().hardware_concurrency())
        .unwrap_or(2.0) as usize;
    cores.saturating_sub(1).clamp(1, 16)
}

impl Pool {
    /// A pool of `size` workers reporting to `listener`. Workers start at
    /// once so that their wasm is loaded before the first run.
    pub fn new(size: usize, listener: Rc<dyn Fn(PoolEvent)>) -> Self {
        let pool = Pool {
            inner: Rc::new(RefCell::new(Inner {
                slots: (0..size.max(1)).map(|_| None).collect(),
                queue: VecDeque::new(),
                config: None,
                run: 0,
                active: 0,
                listener,
                pending_bench: None,
                pending_measure: None,
            })),
        };
        for i in 0..size.max(1) {
            pool.spawn(i);
        }
        pool
    }

    /// Number of workers.
    pub fn size(&self) -> usize {
        self.inner.borrow().slots.len()
    }

    /// Whether a run is going.
    pub fn running(&self) -> bool {
        self.inner.borrow().active > 0
    }

    fn emit(&self, e: PoolEvent) {
        let listener = self.inner.borrow().listener.clone();
        listener(e);
    }

    fn spawn(&self, i: usize) {
        let worker = match Worker::new(WORKER_URL) {
            Ok(w) => w,
            Err(e) => {
                self.emit(PoolEvent::Problem(format!(
                    "cannot start a training worker ({e:?}); training is unavailable in this browser"
                )));
                return;
            }
        };
        let me = self.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let text = e.data().as_string().unwrap_or_default();
            me.on_output(i, WorkerOutput::from_json(&text));
        });
        let me = self.clone();
        let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |e: ErrorEvent| {
            e.prevent_default();
            me.on_death(i, format!("the worker died: {}", e.message()));
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        self.inner.borrow_mut().slots[i] = Some(Slot {
            worker,
            state: SlotState::Starting,
            _on_message: on_message,
            _on_error: on_error,
        });
    }

    /// Starts running every job of `config` not in `skip`; jobs are handed
    /// to idle workers one at a time.
    pub fn run(&self, config: ExperimentConfig, jobs: Vec<Job>) {
        {
            let mut inner = self.inner.borrow_mut();
            inner.run += 1;
            inner.active = jobs.len();
            inner.queue = jobs.into_iter().collect();
            inner.config = Some(config);
        }
        if self.inner.borrow().active == 0 {
            self.emit(PoolEvent::Finished);
        }
        self.dispatch();
    }

    /// Times training steps on one worker.
    pub fn bench(&self, sizes: Vec<String>, steps: usize, batch: usize) {
        self.inner.borrow_mut().pending_bench = Some(WorkerInput::Bench { sizes, steps, batch });
        self.dispatch();
    }

    /// Measures a checkpoint (base64) on `config`'s histories, as a run of
    /// one job named [`IMPORT`]: a `Model` event then `Done`, or `Failed`
    /// with what is wrong with the file. Refused while a run is going.
    pub fn measure(&self, config: ExperimentConfig, checkpoint: String) -> bool {
        if self.running() {
            return false;
        }
        {
            let mut inner = self.inner.borrow_mut();
            inner.run += 1;
            inner.active = 1;
            inner.queue.clear();
            inner.pending_measure = Some(WorkerInput::Measure {
                run: inner.run,
                config,
                checkpoint,
            });
        }
        self.dispatch();
        true
    }

    fn dispatch(&self) {
        loop {
            let mut inner = self.inner.borrow_mut();
            let Some(i) = inner
                .slots
                .iter()
                .position(|s| matches!(s, Some(Slot { state: SlotState::Idle, .. })))
            else {
                return;
            };
            if let Some(bench) = inner.pending_bench.take() {
                let slot = inner.slots[i].as_mut().expect("slot");
                let _ = slot.worker.post_message(&JsValue::from_str(&bench.to_json()));
                slot.state = SlotState::Busy(Job { size: BENCH.into(), seed: 0 });
                continue;
            }
            if let Some(measure) = inner.pending_measure.take() {
                let slot = inner.slots[i].as_mut().expect("slot");
                let _ = slot.worker.post_message(&JsValue::from_str(&measure.to_json()));
                slot.state = SlotState::Busy(Job { size: IMPORT.into(), seed: 0 });
                continue;
            }
            let Some(job) = inner.queue.pop_front() else { return };
            let msg = WorkerInput::Run {
                run: inner.run,
                config: inner.config.clone().expect("config"),
                job: job.clone(),
            };
            let slot = inner.slots[i].as_mut().expect("slot");
            let _ = slot.worker.post_message(&JsValue::from_str(&msg.to_json()));
            slot.state = SlotState::Busy(job.clone());
            drop(inner);
            self.emit(PoolEvent::Started(job));
        }
    }

    fn on_output(&self, i: usize, out: Result<WorkerOutput, String>) {
        let run = self.inner.borrow().run;
        match out {
            Ok(WorkerOutput::Ready) => {
                if let Some(slot) = self.inner.borrow_mut().slots[i].as_mut() {
                    slot.state = SlotState::Idle;
                }
                self.dispatch();
            }
            Ok(WorkerOutput::Event { run: r, event }) if r == run => self.emit(PoolEvent::Event(event)),
            Ok(WorkerOutput::Checkpoint { run: r, job, task, checkpoint }) if r == run => {
                self.emit(PoolEvent::Checkpoint(job, task, checkpoint))
            }
            Ok(WorkerOutput::Checkpoint { .. }) => {}
            Ok(WorkerOutput::Done { run: r, job }) => {
                if let Some(slot) = self.inner.borrow_mut().slots[i].as_mut() {
                    slot.state = SlotState::Idle;
                }
                if r == run && job.size != BENCH {
                    self.finish_job(PoolEvent::Done(job));
                }
                self.dispatch();
            }
            Ok(WorkerOutput::Failed { run: r, job, message }) => {
                // The worker is unusable after a panic: replace it.
                self.replace(i);
                if r == run {
                    self.finish_job(PoolEvent::Failed(job, message));
                }
            }
            Ok(WorkerOutput::BenchResult { size, params, ms_per_step }) => {
                self.emit(PoolEvent::Bench { size, params, ms_per_step })
            }
            Ok(WorkerOutput::Error { message }) => self.emit(PoolEvent::Problem(message)),
            Ok(WorkerOutput::Event { .. }) => {}
            Err(message) => self.emit(PoolEvent::Problem(message)),
        }
    }

    fn finish_job(&self, e: PoolEvent) {
        let finished = {
            let mut inner = self.inner.borrow_mut();
            inner.active = inner.active.saturating_sub(1);
            inner.active == 0
        };
        self.emit(e);
        if finished {
            self.emit(PoolEvent::Finished);
        }
    }

    fn replace(&self, i: usize) {
        let old = self.inner.borrow_mut().slots[i].take();
        if let Some(slot) = old {
            slot.worker.terminate();
        }
        self.spawn(i);
    }

    fn on_death(&self, i: usize, message: String) {
        let job = match self.inner.borrow().slots[i].as_ref().map(|s| &s.state) {
            Some(SlotState::Busy(job)) => Some(job.clone()),
            _ => None,
        };
        self.replace(i);
        match job {
            Some(job) if job.size != BENCH => self.finish_job(PoolEvent::Failed(job, message)),
            _ => self.emit(PoolEvent::Problem(message)),
        }
    }

    /// Stops the run: terminates busy workers and drops queued jobs.
    /// Returns how many jobs were stopped or dropped.
    pub fn cancel(&self) -> usize {
        let busy: Vec<usize> = {
            let mut inner = self.inner.borrow_mut();
            inner.run += 1;
            inner.queue.clear();
            inner.pending_measure = None;
            inner.active = 0;
            inner
                .slots
                .iter()
                .enumerate()
                .filter(|(_, s)| matches!(s, Some(Slot { state: SlotState::Busy(_), .. })))
                .map(|(i, _)| i)
                .collect()
        };
        for &i in &busy {
            self.replace(i);
        }
        busy.len()
    }
}
