//! The workers' side: what a worker says (ready, unavailable, events of its
//! task, done, failed, its answers), a worker that dies or never starts,
//! and handing waiting work to free workers.

use super::Command;
use super::files::save_results;
use super::run::{enter, event, finish_work};
use super::settings::switch_engine;
use crate::lab::inside::{HistoryChoice, Looking};
use crate::lab::ledger::Phase;
use crate::lab::page::{BenchFigure, Page, RunState};
use crate::lab::said::{Said, Status, Why};
use crate::lab::workers::{Pending, START_TIMEOUT_S, Slot, Task, WebGpu};
use crate::study::engine::Engine;
use crate::study::event::Event;
use crate::study::key::ModelKey;
use crate::study::protocol::{WorkerInput, WorkerOutput};
use crate::study::size::Size;

/// Restarts worker `i`.
fn restart(page: &mut Page, i: usize, cmds: &mut Vec<Command>) {
    cmds.push(Command::Worker(page.workers.restart(i, page.now)));
}

/// The benchmark, unless a run is going or it is already asked for.
pub(super) fn benchmark(page: &mut Page) {
    if page.running() {
        page.say(Said::BenchWaits);
    } else if !page.workers.bench_asked() {
        page.workers.queue(Pending::Bench);
        page.say(Said::BenchStarted);
    }
}

/// The browser said whether it offers WebGPU.
pub(super) fn webgpu(page: &mut Page, answer: Result<String, String>) {
    page.workers.webgpu = match answer {
        Ok(adapter) => WebGpu::Offered(adapter),
        Err(why) => WebGpu::Absent(why),
    };
}

/// The clock ticked: a worker that has not started in time is given up on.
pub(super) fn tick(page: &mut Page, cmds: &mut Vec<Command>) {
    for i in page.workers.overdue(page.now) {
        died(page, i, format!("it did not start within {START_TIMEOUT_S:.0} s"), cmds);
    }
}

/// Worker `i` said something.
pub(super) fn output(page: &mut Page, i: usize, out: WorkerOutput, cmds: &mut Vec<Command>) {
    let task = page.workers.task(i).cloned();
    match out {
        // A late greeting from a worker of the engine before is not this pool's.
        WorkerOutput::Ready { build, engine } if engine == page.engine() => page.workers.ready(i, build),
        WorkerOutput::Ready { .. } => {}
        WorkerOutput::Unavailable { engine, message } => unavailable(page, engine, message, cmds),
        WorkerOutput::Event { run, event } => task_event(page, i, task, run, event, cmds),
        WorkerOutput::Done { run } => done(page, i, task, run, cmds),
        WorkerOutput::Failed { run, message } => failed(page, i, task, run, message, cmds),
        WorkerOutput::Inspected { inspection } => {
            page.workers.free(i);
            page.inside.looking = Looking::Ready(inspection);
        }
        WorkerOutput::Prepared { results } => {
            page.workers.free(i);
            if results.config == page.results.config && !page.results.is_measured() {
                page.results.take_baselines(&results);
                save_results(page, cmds);
            }
        }
        WorkerOutput::Bench { ms_per_step, .. } if task == Some(Task::Trial) => super::choice::timed(page, ms_per_step, cmds),
        WorkerOutput::Bench { size, members, ms_per_step, warmup } => {
            page.bench.retain(|b| !(b.size == size && b.members == members));
            page.bench.push(BenchFigure { size, members, ms_per_step });
            page.say(Said::BenchFigure { size, members, engine: page.engine(), ms_per_step, warmup });
        }
        WorkerOutput::BenchDone => page.workers.free(i),
        WorkerOutput::Error { message } => page.say(Said::WorkerConfused(message)),
    }
}

/// The engine the link asked for cannot run here: the CPU's workers start.
fn unavailable(page: &mut Page, engine: Engine, message: String, cmds: &mut Vec<Command>) {
    if page.choice.measuring() && engine == Engine::Gpu {
        return super::choice::gpu_failed(page, cmds);
    }
    if engine == page.engine() && engine != Engine::Cpu && !page.workers.any_busy() {
        page.say(Said::EngineUnavailable(engine, message));
        switch_engine(page, Engine::Cpu, cmds);
    }
}

/// The tag of the run going, if any.
fn tag(page: &Page) -> Option<u64> {
    page.run.as_ref().map(|r| r.tag)
}

/// An event of worker `i`'s task: a run's work, or an imported model measured.
fn task_event(page: &mut Page, i: usize, task: Option<Task>, run: u64, e: Event, cmds: &mut Vec<Command>) {
    match task {
        Some(Task::Measure(_, name)) => {
            if let Event::Model(m) = e {
                imported(page, name, *m, cmds);
            }
        }
        Some(Task::Work(id)) if Some(run) == tag(page) => {
            // A work's models are trained: what follows is measuring them.
            if matches!(e, Event::Trained { .. } | Event::Pretrained { .. }) {
                enter(page, i, Phase::Measuring);
            }
            event(page, id, e, cmds)
        }
        _ => {}
    }
}

/// An imported model, measured: accepted into the results, or refused.
fn imported(page: &mut Page, name: String, m: crate::study::results::ModelResult, cmds: &mut Vec<Command>) {
    let key: ModelKey = m.key;
    if page.results.has(key) {
        return page.say(Said::ImportRefused(name, Why::AlreadyThere(key)));
    }
    match page.accept(m) {
        Ok(()) => {
            page.say(Said::ModelImported(name, key));
            save_results(page, cmds);
        }
        Err(e) => page.say(Said::ImportRefused(name, Why::Other(e))),
    }
}

/// Worker `i` finished its task.
fn done(page: &mut Page, i: usize, task: Option<Task>, run: u64, cmds: &mut Vec<Command>) {
    page.workers.free(i);
    match task {
        Some(Task::Work(id)) if Some(run) == tag(page) => {
            enter(page, i, Phase::Idle);
            finish_work(page, id, None, cmds);
        }
        Some(Task::Measure(..)) => page.status = Status::Measured,
        _ => {}
    }
}

/// Worker `i`'s task failed; the worker may be broken and starts afresh.
fn failed(page: &mut Page, i: usize, task: Option<Task>, run: u64, message: String, cmds: &mut Vec<Command>) {
    enter(page, i, Phase::Idle);
    restart(page, i, cmds);
    match task {
        Some(Task::Work(id)) if Some(run) == tag(page) => finish_work(page, id, Some(message), cmds),
        Some(Task::Measure(_, name)) => page.say(Said::ImportRefused(name, Why::Other(message))),
        Some(Task::Prepare) => page.say(Said::BaselinesFailed(message)),
        Some(Task::Inspect) => page.inside.looking = Looking::Failed(message),
        _ => {}
    }
}

/// Worker `i` died or could not start.
pub(super) fn died(page: &mut Page, i: usize, message: String, cmds: &mut Vec<Command>) {
    if page.choice.measuring() && page.engine() == Engine::Gpu {
        // The GPU's worker could not be timed: the CPU trains the run.
        return super::choice::gpu_failed(page, cmds);
    }
    let Some(slot) = page.workers.slots.get(i).cloned() else { return };
    match slot {
        Slot::Starting { tries, .. } if tries >= 2 => {
            page.workers.bury(i, message.clone());
            page.say(Said::WorkerNotStarted(message, page.live_workers()));
            if page.live_workers() == 0 {
                if let Some(run) = page.run.as_mut().filter(|r| r.state == RunState::Running) {
                    run.end(RunState::Cancelled, page.now);
                }
                page.status = Status::Unavailable;
            }
        }
        Slot::Busy(Task::Work(id)) => {
            enter(page, i, Phase::Idle);
            restart(page, i, cmds);
            if page.running() {
                finish_work(page, id, Some(format!("the worker died: {message}")), cmds);
            }
        }
        Slot::Busy(Task::Measure(_, name)) => {
            restart(page, i, cmds);
            page.say(Said::ImportRefused(name, Why::Other(format!("the worker died ({message})"))));
        }
        Slot::Busy(Task::Inspect) => {
            restart(page, i, cmds);
            page.inside.looking = Looking::Failed(format!("the worker died ({message})"));
        }
        Slot::Busy(Task::Prepare) => {
            restart(page, i, cmds);
            // Measure again on the fresh worker.
            if !page.results.is_measured() {
                page.workers.queue(Pending::Prepare(page.config().clone()));
            }
        }
        Slot::Starting { .. } | Slot::Busy(Task::Bench | Task::Trial) | Slot::Idle => restart(page, i, cmds),
        Slot::Dead(_) => {}
    }
}

/// A waiting work's task and the message that asks a worker for it.
fn input_for(page: &Page, p: Pending) -> (Task, WorkerInput) {
    match p {
        Pending::Prepare(config) => (Task::Prepare, WorkerInput::Prepare { config }),
        Pending::Inspect { checkpoint, history } => {
            let (history, index) = match history {
                HistoryChoice::Evaluation(i) => (None, i),
                HistoryChoice::Typed(h) => (Some(h), 0),
            };
            (Task::Inspect, WorkerInput::Inspect { config: page.config().clone(), history, index, checkpoint: checkpoint.as_ref().clone() })
        }
        Pending::Trial(size) => (Task::Trial, super::choice::trial_input(size)),
        Pending::Bench => (Task::Bench, WorkerInput::Bench { sizes: Size::ALL.to_vec(), members: 1, steps: 10, batch: 64, warmup: None }),
        Pending::Measure { key, name, bytes } => {
            (Task::Measure(key, name), WorkerInput::Measure { run: 0, config: page.config().clone(), checkpoint: bytes.as_ref().clone() })
        }
    }
}

/// Hands waiting work to idle workers: measuring baselines, the benchmark
/// and imports first, then the run's ready work.
pub(super) fn dispatch(page: &mut Page, cmds: &mut Vec<Command>) {
    for i in page.workers.idle() {
        // A measurement of baselines no longer needed is dropped.
        let (current, needed) = (page.results.config.clone(), !page.results.is_measured());
        page.workers.drop_prepare_unless(|c| *c == current && needed);
        if let Some(p) = page.workers.take_pending() {
            let (task, input) = input_for(page, p);
            cmds.push(Command::Worker(page.workers.post(i, task, input)));
            continue;
        }
        let config = page.config().clone();
        let Some(run) = page.run.as_mut().filter(|r| r.state == RunState::Running) else { continue };
        let Some(h) = run.plan.next() else { continue };
        run.ledger.enter(i, Phase::Training, page.now);
        let pretrained = h.pretrained.map(|p| p.as_ref().clone());
        let input = WorkerInput::Run { run: run.tag, config, work: h.work, pretrained };
        cmds.push(Command::Worker(page.workers.post(i, Task::Work(h.id), input)));
    }
}
