//! The page's one update function: a message in, the next state and the
//! effects to run out. Pure: the web shell runs the effects (posting to
//! workers, restarting them, fetching files) and feeds their answers back
//! as messages.

use super::link::{LabState, Prop};
use super::page::*;
use crate::model::checkpoint::{self, MAX_CHECKPOINT_BYTES};
use crate::sequence::SuccessSet;
use crate::study::event::Event;
use crate::study::jobs::{Order, Plan, WorkId};
use crate::study::key::ModelKey;
use crate::study::preset::Preset;
use crate::study::progress::{Progress, fmt_duration};
use crate::study::results::{Failure, Results};
use crate::study::settings::{self, Value};
use crate::study::size::Size;
use crate::worker::protocol::{WorkerInput, WorkerOutput};
use std::sync::Arc;

/// Everything that can happen to the page.
#[derive(Clone, Debug)]
pub enum Msg {
    /// A control set a property to a value.
    Set(Prop, Value),
    /// A control set a property from text.
    SetText(Prop, String),
    /// Adds a custom task (success set) to the experiment.
    AddTask(SuccessSet),
    /// Train the experiment's missing models (or reproduce the shipped ones).
    Run,
    /// Stop the run, keeping finished models.
    Cancel,
    /// Forget every stored result and kept model.
    Clear,
    /// Time training steps in this browser.
    Benchmark,
    /// A worker has loaded (its build).
    WorkerReady(usize, String),
    /// A worker said something.
    Worker(usize, WorkerOutput),
    /// A worker died or could not start.
    WorkerDied(usize, String),
    /// A results file was chosen (its name and bytes, or why it was unreadable).
    ImportResults(String, Result<Vec<u8>, String>),
    /// A model file was chosen (its name, its size in bytes, its bytes or why unreadable).
    ImportModel(String, u64, Result<Vec<u8>, String>),
    /// The shipped results of a preset arrived (or failed to).
    Shipped(Preset, Result<Results, String>),
    /// The stored library arrived (and what could not be read of it).
    Library(Vec<Results>, Option<String>),
    /// A kept model's checkpoint arrived from storage.
    Kept(ModelKey, Arc<Vec<u8>>),
    /// The clock ticked.
    Tick,
    /// Something to tell the user.
    Say(String),
    /// The link notices were read.
    DismissNotices,
    /// The messages were read.
    DismissMessages,
}

/// An effect for the web shell to run.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Post a message to a worker.
    Post(usize, WorkerInput),
    /// Terminate a worker and start a fresh one.
    Restart(usize),
    /// Fetch the results the site ships for a preset.
    FetchShipped(Preset),
}

/// The next state and the effects to run.
pub fn update(page: &mut Page, msg: Msg, now: f64) -> Vec<Command> {
    page.now = now;
    let mut cmds = Vec::new();
    match msg {
        Msg::Set(prop, value) => set(page, prop, Ok(value), &mut cmds),
        Msg::SetText(prop, text) => {
            let parsed = prop.parse(&text).map_err(|e| (text, e));
            match parsed {
                Ok(v) => set(page, prop, Ok(v), &mut cmds),
                Err((text, e)) => set(page, prop, Err(format!("{} = {text} was not used: {e}", prop.name())), &mut cmds),
            }
        }
        Msg::AddTask(g) => {
            let mut tasks = page.config().tasks.clone();
            if tasks.contains(&g) {
                page.say(format!("The experiment already has the task {g}."));
            } else {
                tasks.push(g);
                set(page, Prop::Experiment(&settings::TASKS), Ok(Value::Tasks(tasks)), &mut cmds);
            }
        }
        Msg::Run => start_run(page),
        Msg::Cancel => cancel(page, &mut cmds),
        Msg::Clear => {
            if page.running() {
                page.say("Clearing waits for the run to end (cancel it first).");
            } else {
                page.library.clear();
                page.kept.clear();
                let config = page.config().clone();
                page.results = Results::new(config.clone(), &config.data());
                page.run = None;
                page.say("Stored results and kept models cleared.");
            }
        }
        Msg::Benchmark => {
            if page.running() {
                page.say("The benchmark waits for the run to finish (it would slow it down and be slowed by it).");
            } else if !page.pending.contains(&Pending::Bench) && !page.workers.contains(&Slot::Busy(Task::Bench)) {
                page.pending.push(Pending::Bench);
                page.say("Benchmark: warming up until the time per step settles, then timing 10 steps (batch 64) of each size on one worker…");
            }
        }
        Msg::WorkerReady(i, build) => {
            if let Some(slot) = page.workers.get_mut(i) {
                *slot = Slot::Idle;
                page.worker_build = Some(build);
            }
        }
        Msg::Worker(i, out) => worker_output(page, i, out, &mut cmds),
        Msg::WorkerDied(i, message) => worker_died(page, i, message, &mut cmds),
        Msg::ImportResults(name, bytes) => import_results(page, &name, bytes, &mut cmds),
        Msg::ImportModel(name, size, bytes) => import_model(page, name, size, bytes),
        Msg::Shipped(preset, result) => {
            if page.preset() == Some(preset) {
                page.shipped = match result {
                    Ok(r) if r.config == *page.config() => Shipped::Loaded(Box::new(r)),
                    Ok(_) => Shipped::Failed("the shipped file is of another experiment".into()),
                    Err(e) => Shipped::Failed(e),
                };
            }
        }
        Msg::Library(list, note) => {
            if let Some(n) = note {
                page.say(n);
            }
            let config = page.config().clone();
            // The current experiment's stored results, unless it already has its own.
            let mine = page.results.models.is_empty();
            page.library = list.into_iter().filter(|r| r.config != config || mine).collect();
            if page.results.models.is_empty() && !page.running() {
                if let Some(i) = page.library.iter().position(|r| r.config == config) {
                    page.results = page.library.remove(i);
                }
            }
        }
        Msg::Kept(key, bytes) => {
            if page.config().models().contains(&key) && !page.kept.iter().any(|k| k.key == key) {
                page.kept.push(KeptModel { key, checkpoint: bytes });
            }
        }
        Msg::Tick => {
            for i in 0..page.workers.len() {
                if let Slot::Starting { since, .. } = page.workers[i] {
                    if now - since > START_TIMEOUT_S * 1000.0 {
                        worker_died(page, i, format!("it did not start within {START_TIMEOUT_S:.0} s"), &mut cmds);
                    }
                }
            }
        }
        Msg::Say(m) => page.say(m),
        Msg::DismissNotices => page.notices.clear(),
        Msg::DismissMessages => page.messages.clear(),
    }
    dispatch(page, &mut cmds);
    cmds
}

/// Writes a property; a change of experiment swaps in its results.
fn set(page: &mut Page, prop: Prop, value: Result<Value, String>, cmds: &mut Vec<Command>) {
    let value = match value {
        Ok(v) => v,
        Err(message) => {
            page.say(format!("{message}; kept {}", prop.read_text(&page.link)));
            return;
        }
    };
    if prop.is_experiment() && page.running() {
        page.say(format!("{} can change once the run ends (cancel it first).", prop.label()));
        return;
    }
    let before = prop.read_text(&page.link);
    let mut link: LabState = page.link.clone();
    match prop.write(&mut link, value) {
        Ok(()) => {
            let changed = link.experiment != page.link.experiment;
            page.link = link;
            if changed {
                switch_experiment(page, cmds);
            }
        }
        Err(e) => page.say(format!("{} was not used: {e}; kept {before}", prop.name())),
    }
}

/// After the experiment changed: file the old results in the library and
/// take the new experiment's from it, and ask for what the site ships.
pub fn switch_experiment(page: &mut Page, cmds: &mut Vec<Command>) {
    let config = page.config().clone();
    if page.results.config != config {
        let old = std::mem::replace(&mut page.results, Results::new(config.clone(), &config.data()));
        if !old.models.is_empty() || !old.curves.pretrain.is_empty() {
            page.library.retain(|r| r.config != old.config);
            page.library.push(old);
            if page.library.len() > LIBRARY {
                page.library.remove(0);
            }
        }
        if let Some(i) = page.library.iter().position(|r| r.config == config) {
            page.results = page.library.remove(i);
        }
        page.kept.retain(|k| config.models().contains(&k.key));
        if !page.running() {
            page.run = None;
        }
    }
    page.shipped = match page.preset() {
        Some(p) => {
            cmds.push(Command::FetchShipped(p));
            Shipped::Loading
        }
        None => Shipped::None,
    };
}

fn start_run(page: &mut Page) {
    if page.running() {
        return;
    }
    if page.live_workers() == 0 {
        page.say("Training is unavailable: no worker could start in this browser.");
        return;
    }
    let missing = page.results.missing();
    if missing.is_empty() {
        page.status = format!(
            "Every model of this experiment is already trained ({} models); change a setting or clear the results to train again.",
            page.results.models.len()
        );
        return;
    }
    let reproducing = page.showing_shipped();
    let plan = Plan::new(page.config(), &missing);
    let nets: Vec<_> = plan
        .works()
        .filter_map(|(_, w, _)| match w {
            crate::study::jobs::Work::Pretrain { size, seeds } => Some(seeds.iter().map(|&seed| crate::study::key::NetKey { size: *size, seed }).collect::<Vec<_>>()),
            _ => None,
        })
        .flatten()
        .collect();
    page.results.curves.forget(&nets);
    page.results.failures.retain(|f| f.models.iter().all(|k| !missing.contains(k)));
    page.tag += 1;
    let n = missing.len();
    page.status = format!(
        "{} {n} model(s) on {} worker(s)…",
        if reproducing { "Reproducing the shipped results: training" } else { "Training" },
        page.live_workers()
    );
    page.run = Some(Run { tag: page.tag, progress: Progress::new(plan.total_units(), page.now), plan, state: RunState::Running, ended: None, reproducing });
}

fn cancel(page: &mut Page, cmds: &mut Vec<Command>) {
    if !page.running() {
        return;
    }
    let mut stopped = 0;
    for i in 0..page.workers.len() {
        if matches!(page.workers[i], Slot::Busy(Task::Work(_))) {
            restart(page, i, cmds);
            stopped += 1;
        }
    }
    let kept = page.results.models.len();
    if let Some(run) = &mut page.run {
        run.state = RunState::Cancelled;
        run.ended = Some(page.now);
    }
    page.status = format!("Cancelled: {stopped} running work(s) stopped; {kept} finished model(s) kept.");
}

fn restart(page: &mut Page, i: usize, cmds: &mut Vec<Command>) {
    let tries = match page.workers[i] {
        Slot::Starting { tries, .. } => tries + 1,
        _ => 1,
    };
    page.workers[i] = Slot::Starting { since: page.now, tries };
    cmds.push(Command::Restart(i));
}

fn worker_output(page: &mut Page, i: usize, out: WorkerOutput, cmds: &mut Vec<Command>) {
    let tag = page.run.as_ref().map(|r| r.tag);
    let task = page.workers.get(i).cloned();
    match out {
        WorkerOutput::Ready { build } => {
            page.workers[i] = Slot::Idle;
            page.worker_build = Some(build);
        }
        WorkerOutput::Event { run, event } => match task {
            Some(Slot::Busy(Task::Measure(name))) => {
                if let Event::Model(m) = event {
                    let key = m.key;
                    if page.results.has(key) {
                        page.say(format!("Import of {name} refused: {key} is already in the results (clear them first). Nothing was changed."));
                    } else {
                        let mut candidate = page.results.clone();
                        candidate.add(vec![*m]);
                        match candidate.validate() {
                            Ok(()) => {
                                page.results = candidate;
                                page.say(format!("Imported {name}: {key}, measured on this experiment's histories."));
                            }
                            Err(e) => page.say(format!("Import of {name} refused: {e}. Nothing was changed.")),
                        }
                    }
                }
            }
            Some(Slot::Busy(Task::Work(id))) if Some(run) == tag => run_event(page, id, event),
            _ => {}
        },
        WorkerOutput::Done { run } => {
            page.workers[i] = Slot::Idle;
            if let Some(id) = work_of_task(&task) {
                if Some(run) == tag {
                    finish_work(page, id, None);
                }
            } else if let Some(Slot::Busy(Task::Measure(_))) = task {
                page.status = "The imported model is measured.".into();
            }
        }
        WorkerOutput::Failed { run, message } => {
            // A worker that failed may be broken: start a fresh one.
            restart(page, i, cmds);
            match task {
                Some(Slot::Busy(Task::Work(id))) if Some(run) == tag => finish_work(page, id, Some(message)),
                Some(Slot::Busy(Task::Measure(name))) => page.say(format!("Model import refused: {name}: {message}. Nothing was changed.")),
                _ => {}
            }
        }
        WorkerOutput::Bench { size, members, ms_per_step, warmup } => {
            page.bench.retain(|b| !(b.size == size && b.members == members));
            page.bench.push(BenchFigure { size, members, ms_per_step });
            page.say(format!(
                "Benchmark: size {size} ({} parameters), {members} model(s) as one stack: {ms_per_step:.1} ms per step ({:.1} ms per model-step; settled after {warmup} warm-up steps)",
                crate::study::size::group_digits(size.params()),
                ms_per_step / members as f64
            ));
        }
        WorkerOutput::BenchDone => page.workers[i] = Slot::Idle,
        WorkerOutput::Error { message } => page.say(format!("A worker could not read a message: {message}")),
    }
}

fn work_of_task(task: &Option<Slot>) -> Option<WorkId> {
    match task {
        Some(Slot::Busy(Task::Work(id))) => Some(*id),
        _ => None,
    }
}

fn run_event(page: &mut Page, id: WorkId, event: Event) {
    let Some(run) = page.run.as_mut() else { return };
    run.plan.on_event(&event);
    match event {
        Event::Step { step, total, .. } => {
            let units = run.plan.units(id);
            run.progress.step(id, units, step, total);
            page.status = format!("{}: step {step} of {total}", run.plan.work(id));
        }
        Event::PretrainPoint { net, point } => page.results.curves.push_pretrain(net, point),
        Event::RlPoint { key, point } => page.results.curves.push_rl(key, point),
        Event::Pretrained { .. } => {}
        Event::Trained { key, checkpoint } => {
            page.kept.retain(|k| k.key != key);
            page.kept.push(KeptModel { key, checkpoint: Arc::new(checkpoint) });
        }
        Event::Model(m) => {
            let key = m.key;
            let mut candidate = page.results.clone();
            candidate.add(vec![*m]);
            match candidate.validate() {
                Ok(()) => page.results = candidate,
                Err(e) => page.results.failures.push(Failure { models: vec![key], message: format!("its numbers were not usable: {e}") }),
            }
        }
    }
}

/// A work of the run ended (failed, with a message).
fn finish_work(page: &mut Page, id: WorkId, failure: Option<String>) {
    let Some(run) = page.run.as_mut() else { return };
    let lost = match &failure {
        None => run.plan.finish(id),
        Some(_) => run.plan.fail(id),
    };
    let units = run.plan.units(id);
    run.progress.finish(id, units);
    let work = run.plan.work(id).to_string();
    if !lost.is_empty() {
        let message = failure.clone().unwrap_or_else(|| "its pretrained net did not arrive".into());
        page.results.failures.retain(|f| f.models.iter().all(|k| !lost.contains(k)));
        page.results.failures.push(Failure { models: lost, message: message.clone() });
        page.say(format!("{work} failed: {message}"));
    }
    let run = page.run.as_mut().expect("run");
    if run.state == RunState::Running && run.plan.is_finished() {
        run.state = RunState::Done;
        run.ended = Some(page.now);
        let secs = (page.now - run.progress.started) / 1000.0;
        let (n, failed) = (page.results.models.len(), page.results.failures.len());
        let mut status = if failed == 0 {
            format!("Done: {n} model(s) trained and measured in {}.", fmt_duration(secs))
        } else {
            format!("Done in {}: {n} model(s) measured, {failed} failure(s) (see messages).", fmt_duration(secs))
        };
        if run.reproducing {
            let marks: Vec<Reproduced> = page.results.models.iter().map(|m| page.reproduced(m)).collect();
            let equal = marks.iter().filter(|m| **m == Reproduced::Equal).count();
            status.push_str(&format!(" {equal} of {} equal the shipped numbers bit for bit.", marks.len()));
        }
        page.status = status;
    }
}

fn worker_died(page: &mut Page, i: usize, message: String, cmds: &mut Vec<Command>) {
    let Some(slot) = page.workers.get(i).cloned() else { return };
    match slot {
        Slot::Starting { tries, .. } if tries >= 2 => {
            page.workers[i] = Slot::Dead(message.clone());
            page.say(format!("A training worker could not start ({message}); {} worker(s) left.", page.live_workers()));
            if page.live_workers() == 0 {
                if let Some(run) = page.run.as_mut().filter(|r| r.state == RunState::Running) {
                    run.state = RunState::Cancelled;
                    run.ended = Some(page.now);
                }
                page.status = "Training is unavailable: no worker could start in this browser.".into();
            }
        }
        Slot::Starting { .. } => restart(page, i, cmds),
        Slot::Busy(Task::Work(id)) => {
            restart(page, i, cmds);
            if page.running() {
                finish_work(page, id, Some(format!("the worker died: {message}")));
            }
        }
        Slot::Busy(Task::Measure(name)) => {
            restart(page, i, cmds);
            page.say(format!("Model import refused: {name}: the worker died ({message}). Nothing was changed."));
        }
        Slot::Busy(Task::Bench) | Slot::Idle => restart(page, i, cmds),
        Slot::Dead(_) => {}
    }
}

fn import_results(page: &mut Page, name: &str, bytes: Result<Vec<u8>, String>, cmds: &mut Vec<Command>) {
    if page.running() {
        page.say(format!("Import of {name} refused: a run is going; cancel it first. Nothing was changed."));
        return;
    }
    let parsed = bytes
        .and_then(|b| String::from_utf8(b).map_err(|_| "the file is not text".to_string()))
        .and_then(|t| Results::from_json(&t));
    let r = match parsed {
        Ok(r) => r,
        Err(e) => return page.say(format!("Import refused: {name}: {e}. Nothing was changed.")),
    };
    let n = r.models.len();
    if r.config != *page.config() {
        page.link.experiment = r.config.clone();
        // A study run with a preset's settings links as that preset.
        if let Some(p) = r.config.which_preset() {
            page.link.preset = p;
        }
        switch_experiment(page, cmds);
    }
    if page.results.models.is_empty() && page.results.curves.pretrain.is_empty() {
        page.results = r;
    } else if let Err(e) = page.results.merge(r) {
        return page.say(format!("Import refused: {name}: {e}. Nothing was changed."));
    }
    page.say(format!("Imported {n} model(s) from {name} (merged with this experiment's results)."));
}

fn import_model(page: &mut Page, name: String, size: u64, bytes: Result<Vec<u8>, String>) {
    if page.running() {
        return page.say(format!("Import of {name} refused: a run is going; cancel it first. Nothing was changed."));
    }
    if size > MAX_CHECKPOINT_BYTES as u64 {
        return page.say(format!(
            "Import of {name} refused: it is {} MB; a checkpoint is at most {} MB. Nothing was changed.",
            size >> 20,
            MAX_CHECKPOINT_BYTES >> 20
        ));
    }
    let checked = bytes.and_then(|b| {
        let (header, _) = checkpoint::read(&b)?;
        let key = crate::experiment::checkpoints::key_of(&header).ok_or("this checkpoint does not say how it was trained")?;
        if !page.config().models().contains(&key) {
            return Err(format!("the model ({key}) is not part of this experiment: add its size, seed and task first"));
        }
        if page.results.has(key) {
            return Err(format!("{key} is already in the results (clear them first)"));
        }
        Ok(b)
    });
    match checked {
        Ok(b) => {
            page.pending.push(Pending::Measure { name: name.clone(), bytes: Arc::new(b) });
            page.status = format!("Measuring the model in {name}…");
        }
        Err(e) => page.say(format!("Import of {name} refused: {e}. Nothing was changed.")),
    }
}

/// Hands waiting work to idle workers: the benchmark and imports first,
/// then the run's ready work.
fn dispatch(page: &mut Page, cmds: &mut Vec<Command>) {
    for i in 0..page.workers.len() {
        if page.workers[i] != Slot::Idle {
            continue;
        }
        if !page.pending.is_empty() {
            let (task, input) = match page.pending.remove(0) {
                Pending::Bench => (Task::Bench, WorkerInput::Bench { sizes: Size::ALL.to_vec(), members: 1, steps: 10, batch: 64 }),
                Pending::Measure { name, bytes } => (
                    Task::Measure(name),
                    WorkerInput::Measure { run: 0, config: page.config().clone(), checkpoint: bytes.as_ref().clone() },
                ),
            };
            page.workers[i] = Slot::Busy(task);
            cmds.push(Command::Post(i, input));
            continue;
        }
        let config = page.config().clone();
        let Some(run) = page.run.as_mut().filter(|r| r.state == RunState::Running) else { continue };
        let Some((id, order)) = run.plan.next() else { continue };
        let work = order.work();
        let pretrained = match order {
            Order::Rl { pretrained, .. } => pretrained.as_ref().clone(),
            Order::Pretrain { .. } => Vec::new(),
        };
        page.workers[i] = Slot::Busy(Task::Work(id));
        cmds.push(Command::Post(i, WorkerInput::Run { run: run.tag, config, work, pretrained }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::jobs::Work;
    use crate::study::key::NetKey;

    fn page(preset: Preset, workers: usize) -> Page {
        let mut link = LabState::for_preset(preset);
        link.experiment.eval_histories = 50;
        link.experiment.pretrain.test_tokens = 2_000;
        Page::new(link, Vec::new(), workers, 0.0)
    }

    fn ready(p: &mut Page) -> Vec<Command> {
        let mut cmds = Vec::new();
        for i in 0..p.workers.len() {
            cmds.extend(update(p, Msg::WorkerReady(i, "b".into()), 1.0));
        }
        cmds
    }

    #[test]
    fn a_run_hands_out_pretraining_then_rl_as_nets_arrive() {
        let mut p = page(Preset::Cross, 2);
        assert!(update(&mut p, Msg::Run, 0.0).is_empty(), "no worker is ready yet");
        let cmds = ready(&mut p);
        // Two pretraining works (sizes m and s), one per worker.
        let works: Vec<Work> = cmds
            .iter()
            .map(|c| match c {
                Command::Post(_, WorkerInput::Run { work, .. }) => work.clone(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(works, vec![Work::Pretrain { size: Size::M, seeds: vec![0, 1] }, Work::Pretrain { size: Size::S, seeds: vec![0, 1] }]);
        let tag = p.run.as_ref().unwrap().tag;
        // Worker 1 delivers s seed 0; it is busy, so the RL work waits.
        let net = NetKey { size: Size::S, seed: 0 };
        let cmds = update(&mut p, Msg::Worker(1, WorkerOutput::Event { run: tag, event: Event::Pretrained { net, checkpoint: vec![9] } }), 2.0);
        assert!(cmds.is_empty());
        // A late message of another run is ignored.
        update(&mut p, Msg::Worker(1, WorkerOutput::Event { run: tag + 5, event: Event::Pretrained { net: NetKey { size: Size::S, seed: 1 }, checkpoint: vec![1] } }), 2.0);
        // Worker 1 finishes: seed 1 never arrived, so its RL work is lost;
        // seed 0's RL work starts on worker 1 with its net's checkpoint.
        let cmds = update(&mut p, Msg::Worker(1, WorkerOutput::Done { run: tag }), 3.0);
        match cmds.as_slice() {
            [Command::Post(1, WorkerInput::Run { work: Work::Rl { net: n, tasks }, pretrained, .. })] => {
                assert_eq!((*n, tasks.len(), pretrained.as_slice()), (net, 3, &[9u8][..]));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(p.results.failures.len(), 1);
        assert_eq!(p.results.failures[0].models.len(), 3);
        // Worker 0 dies mid-pretraining: its models are lost, a fresh worker starts.
        let cmds = update(&mut p, Msg::WorkerDied(0, "out of memory".into()), 4.0);
        assert_eq!(cmds, vec![Command::Restart(0)]);
        assert_eq!(p.results.failures.len(), 2);
        assert!(p.messages.iter().any(|m| m.contains("out of memory")), "{:?}", p.messages);
        // Cancel: the busy worker is restarted, the run is cancelled.
        let cmds = update(&mut p, Msg::Cancel, 5.0);
        assert_eq!(cmds, vec![Command::Restart(1)]);
        assert_eq!(p.run_state(), RunState::Cancelled);
    }

    #[test]
    fn a_worker_that_cannot_start_is_given_up_after_a_second_try() {
        let mut p = page(Preset::Quick, 1);
        assert_eq!(update(&mut p, Msg::WorkerDied(0, "bad wasm".into()), 1.0), vec![Command::Restart(0)]);
        assert!(update(&mut p, Msg::WorkerDied(0, "bad wasm".into()), 2.0).is_empty());
        assert_eq!(p.workers[0], Slot::Dead("bad wasm".into()));
        update(&mut p, Msg::Run, 3.0);
        assert!(p.run.is_none());
        assert!(p.messages.last().unwrap().contains("no worker"), "{:?}", p.messages);
        // A worker that never answers is timed out by the clock.
        let mut p = page(Preset::Quick, 1);
        assert!(update(&mut p, Msg::Tick, 10_000.0).is_empty());
        assert_eq!(update(&mut p, Msg::Tick, 31_000.0), vec![Command::Restart(0)]);
    }

    #[test]
    fn imports_are_checked_before_anything_changes() {
        let mut p = page(Preset::Quick, 1);
        ready(&mut p);
        // A 1.2 GB file is refused by its size, before a byte is read.
        update(&mut p, Msg::ImportModel("big.opimp".into(), 1_200_000_000, Err("not read".into())), 0.0);
        assert!(p.messages.last().unwrap().contains("at most 8 MB"), "{:?}", p.messages);
        assert!(p.pending.is_empty());
        // A checkpoint of a model outside the experiment, or already in it.
        let shape = Size::S.shape();
        let w = crate::model::transformer::init_weights(&shape, 1);
        let t = crate::model::checkpoint::TrainedAs { seed: 7, init_seed: 1, task: SuccessSet::N4 };
        let outside = crate::model::checkpoint::write(Size::S, "", Some(t), &[&w, &w]).unwrap();
        update(&mut p, Msg::ImportModel("seven.opimp".into(), outside.len() as u64, Ok(outside)), 0.0);
        assert!(p.messages.last().unwrap().contains("not part of this experiment"), "{:?}", p.messages);
        let t = crate::model::checkpoint::TrainedAs { seed: 0, init_seed: 1, task: SuccessSet::N4 };
        let inside = crate::model::checkpoint::write(Size::S, "", Some(t), &[&w, &w]).unwrap();
        let cmds = update(&mut p, Msg::ImportModel("zero.opimp".into(), inside.len() as u64, Ok(inside)), 0.0);
        assert!(matches!(cmds.as_slice(), [Command::Post(0, WorkerInput::Measure { .. })]), "{cmds:?}");
        // A results file: refused whole when broken, merged when whole.
        let before = p.results.clone();
        update(&mut p, Msg::ImportResults("junk.json".into(), Ok(b"{\"format\":\"opimp-results\"}".to_vec())), 0.0);
        assert_eq!(p.results, before);
        assert!(p.messages.last().unwrap().contains("Import refused"), "{:?}", p.messages);
        let mut other = page(Preset::Cross, 1).results;
        other.provenance.note = "from a file".into();
        update(&mut p, Msg::Worker(0, WorkerOutput::Done { run: 0 }), 0.0);
        update(&mut p, Msg::ImportResults("cross.json".into(), Ok(other.to_json().unwrap().into_bytes())), 0.0);
        assert_eq!(p.config(), &other.config);
        assert_eq!(p.results.provenance.note, "from a file");
        // The link the page writes for it reads back.
        let (back, notices) = crate::lab::link::parse(&crate::lab::link::serialize(&p.link));
        assert!(notices.is_empty() && back == p.link, "{notices:?}");
    }

    #[test]
    fn run_time_estimates_count_every_pass() {
        let p = page(Preset::Quick, 1);
        let (mut big, _) = crate::lab::link::parse("?preset=quick&batch=1024&eval_every=1&eval_windows=20000&eval=5000");
        big.experiment.pretrain.test_tokens = 20_000;
        let q = Page::new(big, Vec::new(), 1, 0.0);
        assert!(q.estimate_minutes() > 30.0 * p.estimate_minutes(), "{} vs {}", q.estimate_minutes(), p.estimate_minutes());
    }

    #[test]
    fn stored_results_come_back() {
        let mut p = page(Preset::Quick, 1);
        let mut stored = p.results.clone();
        stored.provenance.note = "stored".into();
        let mut other = page(Preset::Cross, 1).results;
        other.provenance.note = "other".into();
        update(&mut p, Msg::Library(vec![other.clone(), stored.clone()], None), 0.0);
        assert_eq!(p.results, stored);
        assert_eq!(p.library, vec![other]);
    }

    #[test]
    fn settings_are_checked_and_experiments_swap_their_results() {
        let mut p = page(Preset::Quick, 1);
        let steps = crate::lab::link::prop("steps").unwrap();
        update(&mut p, Msg::SetText(steps, "abc".into()), 0.0);
        assert!(p.messages.last().unwrap().contains("not a whole number"), "{:?}", p.messages);
        update(&mut p, Msg::SetText(steps, "500000".into()), 0.0);
        assert!(p.messages.last().unwrap().contains("outside"), "{:?}", p.messages);
        assert_eq!(p.config().pretrain.steps, 1000);
        let cmds = update(&mut p, Msg::Set(Prop::Lab(&crate::lab::link::PRESET), Value::Names(vec!["paper".into()])), 0.0);
        assert_eq!(cmds, vec![Command::FetchShipped(Preset::Paper)]);
        assert_eq!(p.shipped, Shipped::Loading);
        assert_eq!(p.results.config, *p.config());
        update(&mut p, Msg::AddTask(SuccessSet::parse("1,3").unwrap()), 0.0);
        assert_eq!(p.config().tasks.len(), 4);
        assert_eq!(p.shipped, Shipped::None, "a custom experiment has no shipped results");
    }
}
