//! The training workers: one slot per worker (starting, ready, busy with a
//! task, dead), the work waiting for a free one, whether the browser offers
//! WebGPU, and the workers' build. Its commands are what the shell does to
//! the workers; what they answer comes back as messages.

use super::inside::HistoryChoice;
use crate::study::config::ExperimentConfig;
use crate::study::engine::Engine;
use crate::study::jobs::{Widths, WorkId};
use crate::study::key::ModelKey;
use crate::study::protocol::WorkerInput;
use std::sync::Arc;

/// Seconds a worker may take to say it is ready.
pub const START_TIMEOUT_S: f64 = 30.0;

/// What a worker is doing.
#[derive(Clone, Debug, PartialEq)]
pub enum Task {
    /// A work of the run.
    Work(WorkId),
    /// Measuring an imported checkpoint (the model it holds, the file's name).
    Measure(ModelKey, String),
    /// The benchmark.
    Bench,
    /// Timing an engine before a long run.
    Trial,
    /// Measuring an experiment's baselines.
    Prepare,
    /// Looking inside a model.
    Inspect,
}

/// A training worker.
#[derive(Clone, Debug, PartialEq)]
pub enum Slot {
    /// Loading its wasm (since when, how many times it was started).
    Starting {
        /// When it was started (ms).
        since: f64,
        /// Starts so far.
        tries: u32,
    },
    /// Ready for work.
    Idle,
    /// Working.
    Busy(Task),
    /// Could not start; the reason.
    Dead(String),
}

/// Work waiting for a free worker.
#[derive(Clone, Debug, PartialEq)]
pub enum Pending {
    /// Measure the scripted policies and the baseline of an experiment
    /// (generating its data is too slow for the page's own thread).
    Prepare(ExperimentConfig),
    /// Look inside a model on one history.
    Inspect {
        /// The model's checkpoint.
        checkpoint: Arc<Vec<u8>>,
        /// The history.
        history: HistoryChoice,
    },
    /// Measure a checkpoint.
    Measure {
        /// The model it holds.
        key: ModelKey,
        /// The file's name.
        name: String,
        /// Its bytes.
        bytes: Arc<Vec<u8>>,
    },
    /// Time training steps.
    Bench,
    /// Time a few training steps of one size (the engine's trial).
    Trial(crate::study::size::Size),
}

/// Whether the browser offers WebGPU (asked once the page has started).
#[derive(Clone, Debug, PartialEq)]
pub enum WebGpu {
    /// Not known yet.
    Unknown,
    /// An adapter is there (what the browser says it is).
    Offered(String),
    /// None, and why.
    Absent(String),
}

/// What the shell does to the workers.
#[derive(Clone, Debug, PartialEq)]
pub enum WorkerCommand {
    /// Post a message to a worker.
    Post(usize, WorkerInput),
    /// Terminate a worker and start a fresh one.
    Restart(usize),
    /// Terminate every worker and start `count` workers of `engine`.
    Pool {
        /// The engine.
        engine: Engine,
        /// How many.
        count: usize,
    },
}

/// How many workers an engine runs with `cores` cores: one per core on the
/// CPU; one on the GPU (the device is one, and a second worker would only
/// queue on it).
pub fn workers_for(engine: Engine, cores: usize) -> usize {
    match engine {
        Engine::Cpu => cores.max(1),
        Engine::Gpu => 1,
    }
}

/// How wide the page's stacks are on an engine: the wasm CPU engine's
/// measured widths, or the GPU's whole stacks.
pub fn widths_for(engine: Engine) -> Widths {
    match engine {
        Engine::Cpu => Widths::WASM,
        Engine::Gpu => Widths::GPU,
    }
}

/// The page's training workers.
#[derive(Clone, Debug)]
pub struct Workers {
    /// One slot per worker.
    pub slots: Vec<Slot>,
    /// The browser's cores (workers for the CPU engine).
    cores: usize,
    /// Whether the browser offers WebGPU.
    pub webgpu: WebGpu,
    /// The workers' build, once one has said it.
    pub build: Option<String>,
    /// Work waiting for a free worker, first first.
    pending: Vec<Pending>,
}

impl Workers {
    /// The workers of `engine` with `cores` cores, all starting at `now`.
    pub fn new(engine: Engine, cores: usize, now: f64) -> Self {
        let cores = cores.max(1);
        Workers { slots: starting(workers_for(engine, cores), now), cores, webgpu: WebGpu::Unknown, build: None, pending: Vec::new() }
    }

    /// A fresh pool for `engine` (the shell's command to start it).
    pub fn pool(&mut self, engine: Engine, now: f64) -> WorkerCommand {
        let count = workers_for(engine, self.cores);
        self.slots = starting(count, now);
        self.build = None;
        WorkerCommand::Pool { engine, count }
    }

    /// The command that starts the current pool (the page's first).
    pub fn start(&self, engine: Engine) -> WorkerCommand {
        WorkerCommand::Pool { engine, count: self.slots.len() }
    }

    /// Worker `i` starts again (a failed or cancelled worker).
    pub fn restart(&mut self, i: usize, now: f64) -> WorkerCommand {
        let tries = match self.slots[i] {
            Slot::Starting { tries, .. } => tries + 1,
            _ => 1,
        };
        self.slots[i] = Slot::Starting { since: now, tries };
        WorkerCommand::Restart(i)
    }

    /// Worker `i` said it is ready (its build); a late greeting of a worker
    /// of another pool is ignored.
    pub fn ready(&mut self, i: usize, build: String) {
        if matches!(self.slots.get(i), Some(Slot::Starting { .. })) {
            self.slots[i] = Slot::Idle;
            self.build = Some(build);
        }
    }

    /// Worker `i` is free again (a late word from a worker of a pool
    /// replaced since frees nothing).
    pub fn free(&mut self, i: usize) {
        if let Some(s @ Slot::Busy(_)) = self.slots.get_mut(i) {
            *s = Slot::Idle;
        }
    }

    /// Worker `i` could not start after its second try.
    pub fn bury(&mut self, i: usize, why: String) {
        self.slots[i] = Slot::Dead(why);
    }

    /// Workers that can take work (not dead).
    pub fn live(&self) -> usize {
        self.slots.iter().filter(|s| !matches!(s, Slot::Dead(_))).count()
    }

    /// What worker `i` is doing.
    pub fn task(&self, i: usize) -> Option<&Task> {
        match self.slots.get(i) {
            Some(Slot::Busy(t)) => Some(t),
            _ => None,
        }
    }

    /// Whether any worker is busy.
    pub fn any_busy(&self) -> bool {
        self.slots.iter().any(|s| matches!(s, Slot::Busy(_)))
    }

    /// Workers still starting after [`START_TIMEOUT_S`].
    pub fn overdue(&self, now: f64) -> Vec<usize> {
        (0..self.slots.len())
            .filter(|&i| matches!(self.slots[i], Slot::Starting { since, .. } if now - since > START_TIMEOUT_S * 1000.0))
            .collect()
    }

    /// Queues work for the next free worker; a benchmark or a baselines'
    /// measure already asked for is not asked for twice, and a look
    /// inside replaces the one waiting.
    pub fn queue(&mut self, p: Pending) {
        match &p {
            Pending::Bench if self.bench_asked() => return,
            Pending::Prepare(_) => self.pending.retain(|q| !matches!(q, Pending::Prepare(_))),
            Pending::Inspect { .. } => self.pending.retain(|q| !matches!(q, Pending::Inspect { .. })),
            _ => {}
        }
        self.pending.push(p);
    }

    /// Whether the benchmark waits or runs.
    pub fn bench_asked(&self) -> bool {
        self.pending.contains(&Pending::Bench) || self.slots.contains(&Slot::Busy(Task::Bench))
    }

    /// Drops a waiting baselines' measure that is no longer needed.
    pub fn drop_prepare_unless(&mut self, needed: impl Fn(&ExperimentConfig) -> bool) {
        self.pending.retain(|p| !matches!(p, Pending::Prepare(c) if !needed(c)));
    }

    /// The first waiting work, taken.
    pub fn take_pending(&mut self) -> Option<Pending> {
        (!self.pending.is_empty()).then(|| self.pending.remove(0))
    }

    /// Idle workers, lowest first.
    pub fn idle(&self) -> Vec<usize> {
        (0..self.slots.len()).filter(|&i| self.slots[i] == Slot::Idle).collect()
    }

    /// Worker `i` takes `task`: the command that posts its input.
    pub fn post(&mut self, i: usize, task: Task, input: WorkerInput) -> WorkerCommand {
        self.slots[i] = Slot::Busy(task);
        WorkerCommand::Post(i, input)
    }
}

fn starting(n: usize, now: f64) -> Vec<Slot> {
    (0..n).map(|_| Slot::Starting { since: now, tries: 1 }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workers_start_time_out_and_take_work_in_order() {
        let mut w = Workers::new(Engine::Cpu, 3, 0.0);
        assert_eq!(w.start(Engine::Cpu), WorkerCommand::Pool { engine: Engine::Cpu, count: 3 });
        w.ready(0, "b".into());
        assert_eq!((w.idle(), w.build.as_deref()), (vec![0], Some("b")));
        assert_eq!(w.overdue(START_TIMEOUT_S * 1000.0 + 1.0), vec![1, 2]);
        assert_eq!(w.restart(1, 10.0), WorkerCommand::Restart(1));
        assert_eq!(w.slots[1], Slot::Starting { since: 10.0, tries: 2 });
        w.bury(2, "no wasm".into());
        assert_eq!(w.live(), 2);
        w.queue(Pending::Bench);
        w.queue(Pending::Bench);
        assert!(w.bench_asked());
        assert_eq!(w.take_pending(), Some(Pending::Bench));
        assert_eq!(w.take_pending(), None);
        let cmd = w.post(0, Task::Bench, WorkerInput::Bench { sizes: vec![], members: 1, steps: 1, batch: 1, warmup: None });
        assert!(matches!(cmd, WorkerCommand::Post(0, _)));
        assert_eq!((w.task(0), w.idle()), (Some(&Task::Bench), vec![]));
        // The GPU runs one worker.
        assert_eq!(w.pool(Engine::Gpu, 20.0), WorkerCommand::Pool { engine: Engine::Gpu, count: 1 });
        assert_eq!(w.build, None);
    }
}
