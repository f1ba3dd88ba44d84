//! The page's one update function: a message in, the next state and the
//! effects to run out. Pure: every effect (posting to workers, restarting
//! them, fetching files, storage, downloads, the clipboard) is a
//! [`Command`] the web shell runs, and its answer comes back as a [`Msg`].

use super::inside::{HistoryChoice, Looking, parse_history, shipped_models};
use super::ledger::{Ledger, Phase};
use super::link::{LabState, Prop};
use super::page::*;
use super::said::{Said, Status, Why};
use super::store::{ExperimentId, StoreAnswer, StoreRequest};
use crate::sequence::SuccessSet;
use crate::study::checkpoint::{self, MAX_CHECKPOINT_BYTES};
use crate::study::engine::Engine;
use crate::study::event::Event;
use crate::study::jobs::{Plan, Work, WorkId};
use crate::study::key::{ModelKey, NetKey};
use crate::study::preset::Preset;
use crate::study::progress::Progress;
use crate::study::results::{Failure, Results};
use crate::study::settings::Value;
use crate::study::size::Size;
use crate::study::protocol::{WorkerInput, WorkerOutput};
use std::sync::Arc;

/// A file the page offers for download.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Export {
    /// The shown results as JSON (the format `opimp sweep` writes).
    Json,
    /// The shown results as CSV, one row per model.
    Csv,
}

/// Everything that can happen to the page.
#[derive(Clone, Debug)]
pub enum Msg {
    /// The page has mounted: open storage, fetch what the site ships,
    /// measure the baselines. `autorun`: the link names a custom
    /// experiment, to run once stored results are in if it is short.
    Start {
        /// Whether to run a short custom experiment the link names.
        autorun: bool,
    },
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
    /// The browser said whether it offers WebGPU: the adapter, or why not.
    WebGpu(Result<String, String>),
    /// A worker said something (its first word: Ready, or Unavailable).
    Worker(usize, WorkerOutput),
    /// A worker died or could not start.
    WorkerDied(usize, String),
    /// A results file was chosen (its name and bytes, or why it was unreadable).
    ImportResults(String, Result<Vec<u8>, String>),
    /// A model file was chosen (its name, its size in bytes, its bytes or why unreadable).
    ImportModel(String, u64, Result<Vec<u8>, String>),
    /// The shipped results of a preset arrived (or failed to).
    Shipped(Preset, Result<Results, String>),
    /// Storage answered.
    Store(StoreAnswer),
    /// Look inside a model: pick it.
    InsideModel(ModelKey),
    /// Look inside a model: pick the history.
    InsideHistory(HistoryChoice),
    /// Look inside a model: a typed history.
    InsideHistoryText(String),
    /// A shipped checkpoint arrived (or could not be fetched).
    ModelFetched(Preset, ModelKey, Result<Vec<u8>, String>),
    /// Download the shown results.
    Export(Export),
    /// Download a kept model's checkpoint.
    SaveModel(ModelKey),
    /// Copy the link to the clipboard.
    CopyLink,
    /// The clipboard answered: the address copied, or why not.
    Copied(Result<String, String>),
    /// A download was offered, or why not (the file's name).
    Downloaded(String, Result<(), String>),
    /// The clock ticked.
    Tick,
    /// Something to tell the user.
    Say(String),
    /// The link notices were read.
    DismissNotices,
    /// The messages were read.
    DismissMessages,
}

impl Msg {
    /// Whether the message only moves a run along: a training step or a
    /// curve point. The page shows these with the next tick of the clock (at
    /// most a second later) instead of redrawing for each: a worker reports
    /// up to ten steps a second and a stack of five nets five points at once,
    /// and every redraw is time the page's thread takes from the workers on
    /// the same cores (BENCHMARKS.md, "Responsiveness during a run").
    pub fn is_progress(&self) -> bool {
        matches!(
            self,
            Msg::Worker(_, WorkerOutput::Event { event: Event::Step { .. } | Event::PretrainPoint { .. } | Event::RlPoint { .. }, .. })
        )
    }
}

/// An effect for the web shell to run.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Post a message to a worker.
    Post(usize, WorkerInput),
    /// Terminate a worker and start a fresh one.
    Restart(usize),
    /// Ask the browser whether it offers WebGPU (answered by [`Msg::WebGpu`]).
    AskWebGpu,
    /// Terminate every worker and start `count` workers of `engine`.
    Workers {
        /// The engine.
        engine: Engine,
        /// How many.
        count: usize,
    },
    /// Fetch the results the site ships for a preset.
    FetchShipped(Preset),
    /// Fetch a checkpoint the site ships for a preset (answered by
    /// [`Msg::ModelFetched`]).
    FetchModel(Preset, ModelKey),
    /// Ask storage something (answered by [`Msg::Store`]).
    Store(StoreRequest),
    /// Offer a file for download (answered by [`Msg::Downloaded`]).
    Download {
        /// The file's name.
        name: String,
        /// Its type.
        mime: &'static str,
        /// Its bytes.
        bytes: Arc<Vec<u8>>,
    },
    /// Copy the page's address with this query to the clipboard (answered
    /// by [`Msg::Copied`]).
    CopyLink(String),
}

/// The next state and the effects to run.
pub fn update(page: &mut Page, msg: Msg, now: f64) -> Vec<Command> {
    page.now = now;
    let mut cmds = Vec::new();
    match msg {
        Msg::Start { autorun } => {
            page.autorun = autorun;
            cmds.push(Command::Workers { engine: page.engine, count: page.workers.len() });
            cmds.push(Command::AskWebGpu);
            cmds.push(Command::Store(StoreRequest::Open));
            arrive(page, &mut cmds);
        }
        Msg::Set(prop, value) => set(page, prop, Ok(value), &mut cmds),
        Msg::SetText(prop, text) => match prop.parse(&text) {
            Ok(v) => set(page, prop, Ok(v), &mut cmds),
            Err(why) => set(page, prop, Err((text, why)), &mut cmds),
        },
        Msg::AddTask(g) => {
            let mut tasks = page.config().tasks.clone();
            if tasks.contains(&g) {
                page.say(Said::TaskAlreadyThere(g));
            } else {
                tasks.push(g);
                set(page, Prop::Experiment(&crate::study::config::TASKS), Ok(Value::Tasks(tasks)), &mut cmds);
            }
        }
        Msg::Run => start_run(page),
        Msg::Cancel => cancel(page, &mut cmds),
        Msg::Clear => clear(page, &mut cmds),
        Msg::Benchmark => {
            if page.running() {
                page.say(Said::BenchWaits);
            } else if !page.pending.contains(&Pending::Bench) && !page.workers.contains(&Slot::Busy(Task::Bench)) {
                page.pending.push(Pending::Bench);
                page.say(Said::BenchStarted);
            }
        }
        Msg::WebGpu(answer) => {
            page.webgpu = match answer {
                Ok(adapter) => WebGpu::Offered(adapter),
                Err(why) => WebGpu::Absent(why),
            };
        }
        Msg::Worker(i, out) => worker_output(page, i, out, &mut cmds),
        Msg::WorkerDied(i, message) => worker_died(page, i, message, &mut cmds),
        Msg::ImportResults(name, bytes) => import_results(page, &name, bytes, &mut cmds),
        Msg::ImportModel(name, size, bytes) => import_model(page, name, size, bytes),
        Msg::Shipped(preset, result) => {
            if page.preset() == Some(preset) {
                page.shipped = match result {
                    Ok(r) if r.config == *page.config() => {
                        // The shipped file carries the baselines measured
                        // on the same histories.
                        page.results.take_baselines(&r);
                        Shipped::Loaded(Box::new(r))
                    }
                    Ok(_) => Shipped::Failed("the shipped file is of another experiment".into()),
                    Err(e) => Shipped::Failed(e),
                };
            }
        }
        Msg::Store(answer) => store_answer(page, answer, &mut cmds),
        Msg::InsideModel(key) => {
            page.inside.model = Some(key);
            look(page, &mut cmds);
        }
        Msg::InsideHistory(h) => {
            page.inside.history = h;
            look(page, &mut cmds);
        }
        Msg::InsideHistoryText(text) => match parse_history(&text) {
            Ok(h) => {
                page.inside.history = HistoryChoice::Typed(h);
                look(page, &mut cmds);
            }
            Err(e) => page.say(Said::HistoryRefused(e)),
        },
        Msg::ModelFetched(preset, key, result) => match result {
            Ok(bytes) => {
                page.fetched.retain(|(p, k, _)| !(*p == preset && *k == key));
                page.fetched.push((preset, key, Arc::new(bytes)));
                look(page, &mut cmds);
            }
            Err(e) => {
                if page.inside.model == Some(key) {
                    page.inside.looking = Looking::Failed(format!("the shipped checkpoint of {key} could not be fetched ({e})"));
                }
            }
        },
        Msg::Export(format) => {
            let shown = page.shown();
            let (name, mime, bytes) = match format {
                Export::Json => ("opimp-results.json", "application/json", shown.to_json().map(String::into_bytes)),
                Export::Csv => ("opimp-results.csv", "text/csv", Ok(shown.to_csv().into_bytes())),
            };
            match bytes {
                Ok(b) => cmds.push(Command::Download { name: name.into(), mime, bytes: Arc::new(b) }),
                Err(e) => page.say(Said::NotWritten(name.into(), e)),
            }
        }
        Msg::SaveModel(key) => {
            let kept = page.kept_here().find(|k| k.key == key).map(|k| k.checkpoint.clone());
            match kept {
                Some(bytes) => cmds.push(Command::Download { name: key.file_name(), mime: "application/octet-stream", bytes }),
                None => page.say(Said::CheckpointNotKept(key)),
            }
        }
        Msg::CopyLink => cmds.push(Command::CopyLink(super::link::serialize(&page.link))),
        Msg::Copied(Ok(url)) => page.say(Said::LinkCopied(url)),
        Msg::Copied(Err(e)) => page.say(Said::LinkNotCopied(e)),
        Msg::Downloaded(_, Ok(())) => {}
        Msg::Downloaded(name, Err(e)) => page.say(Said::NotSaved(name, e)),
        Msg::Tick => {
            for i in 0..page.workers.len() {
                if let Slot::Starting { since, .. } = page.workers[i] {
                    if now - since > START_TIMEOUT_S * 1000.0 {
                        worker_died(page, i, format!("it did not start within {START_TIMEOUT_S:.0} s"), &mut cmds);
                    }
                }
            }
        }
        Msg::Say(m) => page.say(Said::Text(m)),
        Msg::DismissNotices => page.notices.clear(),
        Msg::DismissMessages => page.messages.clear(),
    }
    dispatch(page, &mut cmds);
    cmds
}

/// Writes a property; a change of experiment swaps in its results.
fn set(page: &mut Page, prop: Prop, value: Result<Value, (String, String)>, cmds: &mut Vec<Command>) {
    let value = match value {
        Ok(v) => v,
        Err((text, why)) => {
            let kept = prop.read_text(&page.link);
            return page.say(Said::SettingRefused { name: prop.name(), value: Some(text), why, kept });
        }
    };
    let engine = prop.name() == super::link::ENGINE.name;
    if (prop.is_experiment() || engine) && page.running() {
        page.say(Said::SettingWaits(prop.label()));
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
            if page.link.engine != page.engine {
                switch_engine(page, page.link.engine, cmds);
            }
        }
        Err(e) => page.say(Said::SettingRefused { name: prop.name(), value: None, why: e, kept: before }),
    }
}

/// Starts the workers of another engine (no run is going).
fn switch_engine(page: &mut Page, engine: Engine, cmds: &mut Vec<Command>) {
    page.engine = engine;
    let count = workers_for(engine, page.cores);
    page.workers = (0..count).map(|_| Slot::Starting { since: page.now, tries: 1 }).collect();
    page.worker_build = None;
    // Work that was waiting for a worker waits for the new ones.
    cmds.push(Command::Workers { engine, count });
    page.say(Said::Engine(engine));
}

/// After the experiment changed: file the old results in the library and
/// take the new experiment's from it, and ask for what it needs.
fn switch_experiment(page: &mut Page, cmds: &mut Vec<Command>) {
    let config = page.config().clone();
    if page.results.config != config {
        let old = std::mem::replace(&mut page.results, Results::unmeasured(config.clone()));
        if has_content(&old) {
            page.library.retain(|r| r.config != old.config);
            page.library.push(old);
            if page.library.len() > LIBRARY {
                page.library.remove(0);
            }
        }
        if let Some(i) = page.library.iter().position(|r| r.config == config) {
            page.results = page.library.remove(i);
        }
        if !page.running() {
            page.run = None;
        }
        page.inside = super::inside::Inside::default();
        // Checkpoints of other experiments stay in memory only until
        // storage holds them.
        let store = &page.store;
        let id = ExperimentId::of(&config);
        page.kept.retain(|k| k.experiment == id || !store.has_checkpoint(&k.experiment, k.key));
    }
    arrive(page, cmds);
}

/// What a newly shown experiment needs: its shipped results, its baselines
/// measured, its stored checkpoints.
fn arrive(page: &mut Page, cmds: &mut Vec<Command>) {
    page.shipped = match page.preset() {
        Some(p) => {
            cmds.push(Command::FetchShipped(p));
            Shipped::Loading
        }
        None => Shipped::None,
    };
    if !page.results.is_measured() {
        let config = page.config().clone();
        page.pending.retain(|p| !matches!(p, Pending::Prepare(_)));
        page.pending.push(Pending::Prepare(config));
    }
    load_checkpoints(page, cmds);
}

/// Asks storage for the current experiment's checkpoints, if it holds any
/// not in memory.
fn load_checkpoints(page: &mut Page, cmds: &mut Vec<Command>) {
    let id = page.experiment_id();
    let Some(stored) = page.store.experiments.get(&id) else { return };
    let missing = stored.checkpoints.iter().any(|key| !page.kept.iter().any(|k| k.experiment == id && k.key == *key));
    if page.store.is_open() && missing {
        cmds.push(Command::Store(StoreRequest::LoadCheckpoints(id, page.config().clone())));
    }
}

/// Whether results hold anything trained or imported.
fn has_content(r: &Results) -> bool {
    !r.models.is_empty() || !r.failures.is_empty() || !r.curves.pretrain.is_empty()
}

/// Asks for the look inside the picked model on the picked history: its
/// checkpoint (kept here, or shipped and fetched), then a worker.
fn look(page: &mut Page, cmds: &mut Vec<Command>) {
    let Some(key) = page.inside.model else {
        page.inside.looking = Looking::Idle;
        return;
    };
    let kept = page.kept_here().find(|k| k.key == key).map(|k| k.checkpoint.clone());
    let preset = page.preset();
    let fetched = preset.and_then(|p| page.fetched.iter().find(|(fp, k, _)| *fp == p && *k == key).map(|(_, _, b)| b.clone()));
    let checkpoint = match (kept, fetched, preset) {
        (Some(b), _, _) | (None, Some(b), _) => b,
        (None, None, Some(p)) if shipped_models(p).contains(&key) => {
            page.inside.looking = Looking::Fetching;
            cmds.push(Command::FetchModel(p, key));
            return;
        }
        _ => {
            page.inside.looking = Looking::Failed(format!("no checkpoint of {key} is kept here (train it, or pick a shipped model)"));
            return;
        }
    };
    page.pending.retain(|p| !matches!(p, Pending::Inspect { .. }));
    page.pending.push(Pending::Inspect { checkpoint, history: page.inside.history.clone() });
    page.inside.looking = Looking::Computing;
}

/// Stores the current experiment's results (when there is something to
/// store and its baselines are measured).
fn save_results(page: &mut Page, cmds: &mut Vec<Command>) {
    if !page.results.is_measured() || !has_content(&page.results) {
        return;
    }
    match page.store.save_results(&page.results) {
        Ok(Some(req)) => cmds.push(Command::Store(req)),
        Ok(None) => {}
        Err(e) => page.say(e),
    }
}

fn clear(page: &mut Page, cmds: &mut Vec<Command>) {
    if page.running() {
        return page.say(Said::ClearWaits);
    }
    page.library.clear();
    page.kept.clear();
    let config = page.config().clone();
    let mut fresh = Results::unmeasured(config);
    fresh.take_baselines(&page.results);
    page.results = fresh;
    page.run = None;
    if let Some(req) = page.store.clear() {
        cmds.push(Command::Store(req));
    } else {
        page.say(Said::ClearedHere);
    }
    arrive(page, cmds);
}

fn store_answer(page: &mut Page, answer: StoreAnswer, cmds: &mut Vec<Command>) {
    let mut library = None;
    let mut checkpoints = None;
    let mut storage_settled = false;
    match &answer {
        StoreAnswer::Library { results, .. } => {
            library = Some(results.iter().filter_map(|(_, r)| r.as_ref().ok().cloned()).collect::<Vec<_>>());
            storage_settled = true;
        }
        StoreAnswer::Opened(Err(_)) => storage_settled = true,
        StoreAnswer::Checkpoints(id, Ok(list)) => checkpoints = Some((id.clone(), list.clone())),
        _ => {}
    }
    let reaction = page.store.answer(answer);
    for m in reaction.say {
        page.say(m);
    }
    cmds.extend(reaction.requests.into_iter().map(Command::Store));
    if let Some(list) = library {
        let config = page.config().clone();
        let mine = !has_content(&page.results);
        for r in list {
            if r.config == config {
                if mine && !page.running() {
                    page.results = r;
                }
            } else if !page.library.iter().any(|x| x.config == r.config) {
                page.library.push(r);
            }
        }
        load_checkpoints(page, cmds);
    }
    if let Some((id, list)) = checkpoints {
        let models = page.config().models();
        for (key, bytes) in list {
            if id == page.experiment_id() && models.contains(&key) && !page.kept.iter().any(|k| k.experiment == id && k.key == key) {
                page.kept.push(KeptModel { experiment: id.clone(), key, checkpoint: Arc::new(bytes) });
            }
        }
    }
    if storage_settled && std::mem::take(&mut page.autorun) {
        autorun(page);
    }
}

/// A link that names a custom experiment runs it when it is short.
fn autorun(page: &mut Page) {
    let missing = page.results.missing().len();
    if page.preset().is_some() || missing == 0 {
        return;
    }
    let minutes = page.estimate_minutes();
    if minutes <= 10.0 {
        start_run(page);
    } else {
        page.say(Said::LongExperiment(minutes));
    }
}

fn start_run(page: &mut Page) {
    if page.running() {
        return;
    }
    if page.live_workers() == 0 {
        page.status = Status::Unavailable;
        return;
    }
    let missing = page.results.missing();
    if missing.is_empty() {
        page.status = Status::AllTrained(page.results.models.len());
        return;
    }
    let reproducing = page.showing_shipped();
    let plan = Plan::new(page.config(), &missing, widths_for(page.engine));
    let nets: Vec<NetKey> = plan
        .works()
        .filter_map(|(_, w, _)| match w {
            Work::Pretrain { size, seeds } => Some(seeds.iter().map(|&seed| NetKey { size: *size, seed }).collect::<Vec<_>>()),
            _ => None,
        })
        .flatten()
        .collect();
    page.results.curves.forget(&nets);
    page.results.failures.retain(|f| f.models.iter().all(|k| !missing.contains(k)));
    page.tag += 1;
    let n = missing.len();
    page.status = Status::Training { reproducing, models: n, workers: page.live_workers() };
    let ledger = Ledger::new(page.workers.len(), page.now);
    page.run = Some(Run { tag: page.tag, progress: Progress::new(plan.total_units(), page.now), plan, state: RunState::Running, ended: None, reproducing, ledger });
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
        run.end(RunState::Cancelled, page.now);
    }
    page.status = Status::Cancelled(stopped, kept);
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
        WorkerOutput::Ready { build, engine } => {
            // A late greeting from a worker of the engine before is not this pool's.
            if engine == page.engine && matches!(page.workers.get(i), Some(Slot::Starting { .. })) {
                page.workers[i] = Slot::Idle;
                page.worker_build = Some(build);
            }
        }
        WorkerOutput::Unavailable { engine, message } => {
            let busy = page.workers.iter().any(|w| matches!(w, Slot::Busy(_)));
            if engine == page.engine && engine != Engine::Cpu && !busy {
                page.say(Said::EngineUnavailable(engine, message));
                page.link.engine = Engine::Cpu;
                switch_engine(page, Engine::Cpu, cmds);
            }
        }
        WorkerOutput::Event { run, event } => match task {
            Some(Slot::Busy(Task::Measure(name))) => {
                if let Event::Model(m) = event {
                    let key = m.key;
                    if page.results.has(key) {
                        page.say(Said::ImportRefused(name, Why::AlreadyThere(key)));
                    } else {
                        let mut candidate = page.results.clone();
                        super::computed::record(&mut candidate.provenance, page.engine, candidate.models.len());
                        candidate.add(vec![*m]);
                        match candidate.validate_parts() {
                            Ok(()) => {
                                page.results = candidate;
                                page.say(Said::ModelImported(name, key));
                                save_results(page, cmds);
                            }
                            Err(e) => page.say(Said::ImportRefused(name, Why::Other(e))),
                        }
                    }
                }
            }
            Some(Slot::Busy(Task::Work(id))) if Some(run) == tag => {
                // A work's models are trained: what follows is measuring them.
                if matches!(event, Event::Trained { .. } | Event::Pretrained { .. }) {
                    enter(page, i, Phase::Measuring);
                }
                run_event(page, id, event, cmds)
            }
            _ => {}
        },
        WorkerOutput::Done { run } => {
            page.workers[i] = Slot::Idle;
            if let Some(Slot::Busy(Task::Work(id))) = task {
                if Some(run) == tag {
                    enter(page, i, Phase::Idle);
                    finish_work(page, id, None, cmds);
                }
            } else if let Some(Slot::Busy(Task::Measure(_))) = task {
                page.status = Status::Measured;
            }
        }
        WorkerOutput::Failed { run, message } => {
            // A worker that failed may be broken: start a fresh one.
            enter(page, i, Phase::Idle);
            restart(page, i, cmds);
            match task {
                Some(Slot::Busy(Task::Work(id))) if Some(run) == tag => finish_work(page, id, Some(message), cmds),
                Some(Slot::Busy(Task::Measure(name))) => page.say(Said::ImportRefused(name, Why::Other(message))),
                Some(Slot::Busy(Task::Prepare)) => page.say(Said::BaselinesFailed(message)),
                Some(Slot::Busy(Task::Inspect)) => page.inside.looking = Looking::Failed(message),
                _ => {}
            }
        }
        WorkerOutput::Inspected { inspection } => {
            page.workers[i] = Slot::Idle;
            page.inside.looking = Looking::Ready(inspection);
        }
        WorkerOutput::Prepared { results } => {
            page.workers[i] = Slot::Idle;
            if results.config == page.results.config && !page.results.is_measured() {
                page.results.take_baselines(&results);
                save_results(page, cmds);
            }
        }
        WorkerOutput::Bench { size, members, ms_per_step, warmup } => {
            page.bench.retain(|b| !(b.size == size && b.members == members));
            page.bench.push(BenchFigure { size, members, ms_per_step });
            page.say(Said::BenchFigure { size, members, engine: page.engine, ms_per_step, warmup });
        }
        WorkerOutput::BenchDone => page.workers[i] = Slot::Idle,
        WorkerOutput::Error { message } => page.say(Said::WorkerConfused(message)),
    }
}

fn run_event(page: &mut Page, id: WorkId, event: Event, cmds: &mut Vec<Command>) {
    let Some(run) = page.run.as_mut() else { return };
    run.plan.on_event(&event);
    match event {
        Event::Step { step, total, .. } => {
            let units = run.plan.units(id);
            run.progress.step(id, units, step, total);
            page.status = Status::Step(run.plan.work(id).to_string(), step, total);
        }
        Event::PretrainPoint { net, point } => page.results.curves.push_pretrain(net, point),
        Event::RlPoint { key, point } => page.results.curves.push_rl(key, point),
        Event::Pretrained { .. } => {}
        Event::Trained { key, checkpoint } => {
            let experiment = page.experiment_id();
            let checkpoint = Arc::new(checkpoint);
            page.kept.retain(|k| !(k.experiment == experiment && k.key == key));
            page.kept.push(KeptModel { experiment, key, checkpoint: checkpoint.clone() });
            let config = page.config().clone();
            if let Some(req) = page.store.save_checkpoint(&config, key, &checkpoint) {
                cmds.push(Command::Store(req));
            }
        }
        Event::Model(m) => {
            let key = m.key;
            let mut candidate = page.results.clone();
            super::computed::record(&mut candidate.provenance, page.engine, candidate.models.len());
            candidate.add(vec![*m]);
            match candidate.validate_parts() {
                Ok(()) => page.results = candidate,
                Err(e) => page.results.failures.push(Failure { models: vec![key], message: format!("its numbers were not usable: {e}") }),
            }
            save_results(page, cmds);
        }
    }
}

/// Worker `i` enters `phase` of the current run's time (if a run is on).
fn enter(page: &mut Page, i: usize, phase: Phase) {
    let now = page.now;
    if let Some(run) = page.run.as_mut() {
        run.ledger.enter(i, phase, now);
    }
}

/// A work of the run ended (failed, with a message).
fn finish_work(page: &mut Page, id: WorkId, failure: Option<String>, cmds: &mut Vec<Command>) {
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
        page.say(Said::WorkFailed(work, message.clone()));
        save_results(page, cmds);
    }
    let run = page.run.as_mut().expect("run");
    if run.state == RunState::Running && run.plan.is_finished() {
        run.end(RunState::Done, page.now);
        let time = run.ledger.describe();
        let secs = (page.now - run.progress.started) / 1000.0;
        let reproduced = run.reproducing.then(|| {
            let marks: Vec<Reproduced> = page.results.models.iter().map(|m| page.reproduced(m)).collect();
            let good = marks.iter().filter(|m| matches!(m, Reproduced::Equal | Reproduced::Near(_))).count();
            (good, marks.len(), page.engine)
        });
        let (models, failures) = (page.results.models.len(), page.results.failures.len());
        page.status = Status::Done { models, failures, seconds: secs, reproduced, time };
    }
}

fn worker_died(page: &mut Page, i: usize, message: String, cmds: &mut Vec<Command>) {
    let Some(slot) = page.workers.get(i).cloned() else { return };
    match slot {
        Slot::Starting { tries, .. } if tries >= 2 => {
            page.workers[i] = Slot::Dead(message.clone());
            page.say(Said::WorkerNotStarted(message.clone(), page.live_workers()));
            if page.live_workers() == 0 {
                if let Some(run) = page.run.as_mut().filter(|r| r.state == RunState::Running) {
                    run.end(RunState::Cancelled, page.now);
                }
                page.status = Status::Unavailable;
            }
        }
        Slot::Starting { .. } => restart(page, i, cmds),
        Slot::Busy(Task::Work(id)) => {
            enter(page, i, Phase::Idle);
            restart(page, i, cmds);
            if page.running() {
                finish_work(page, id, Some(format!("the worker died: {message}")), cmds);
            }
        }
        Slot::Busy(Task::Measure(name)) => {
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
                let config = page.config().clone();
                page.pending.push(Pending::Prepare(config));
            }
        }
        Slot::Busy(Task::Bench) | Slot::Idle => restart(page, i, cmds),
        Slot::Dead(_) => {}
    }
}

fn import_results(page: &mut Page, name: &str, bytes: Result<Vec<u8>, String>, cmds: &mut Vec<Command>) {
    if page.running() {
        page.say(Said::ImportRefused(name.to_string(), Why::RunGoing));
        return;
    }
    let parsed = bytes
        .and_then(|b| String::from_utf8(b).map_err(|_| "the file is not text".to_string()))
        .and_then(|t| Results::from_json(&t));
    let r = match parsed {
        Ok(r) => r,
        Err(e) => return page.say(Said::ImportRefused(name.to_string(), Why::Other(e))),
    };
    let n = r.models.len();
    if r.config != *page.config() {
        // Checked before anything changes: the merge below cannot fail.
        page.link.experiment = r.config.clone();
        // A study run with a preset's settings links as that preset.
        if let Some(p) = r.config.which_preset() {
            page.link.preset = p;
        }
        switch_experiment(page, cmds);
    }
    if !has_content(&page.results) {
        let mut r = r;
        if !r.is_measured() {
            r.take_baselines(&page.results);
        }
        page.results = r;
    } else if let Err(e) = page.results.merge(r) {
        return page.say(Said::ImportRefused(name.to_string(), Why::Other(e)));
    }
    page.say(Said::ResultsImported(name.to_string(), n));
    save_results(page, cmds);
}

fn import_model(page: &mut Page, name: String, size: u64, bytes: Result<Vec<u8>, String>) {
    if page.running() {
        return page.say(Said::ImportRefused(name.to_string(), Why::RunGoing));
    }
    if size > MAX_CHECKPOINT_BYTES as u64 {
        return page.say(Said::ImportRefused(name, Why::TooLarge { mb: size >> 20, max_mb: (MAX_CHECKPOINT_BYTES >> 20) as u64 }));
    }
    let checked = bytes.and_then(|b| {
        let (header, _) = checkpoint::read_header(&b)?;
        let key = header.model().ok_or("this checkpoint does not say how it was trained")?;
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
            page.status = Status::Measuring(name.clone());
        }
        Err(e) => page.say(Said::ImportRefused(name, Why::Other(e))),
    }
}

/// Hands waiting work to idle workers: measuring baselines, the benchmark
/// and imports first, then the run's ready work.
fn dispatch(page: &mut Page, cmds: &mut Vec<Command>) {
    for i in 0..page.workers.len() {
        if page.workers[i] != Slot::Idle {
            continue;
        }
        // A measurement of baselines no longer needed is dropped.
        let current = page.results.config.clone();
        let needed = !page.results.is_measured();
        page.pending.retain(|p| !matches!(p, Pending::Prepare(c) if *c != current || !needed));
        if !page.pending.is_empty() {
            let (task, input) = match page.pending.remove(0) {
                Pending::Prepare(config) => (Task::Prepare, WorkerInput::Prepare { config }),
                Pending::Inspect { checkpoint, history } => {
                    let (history, index) = match history {
                        HistoryChoice::Evaluation(i) => (None, i),
                        HistoryChoice::Typed(h) => (Some(h), 0),
                    };
                    (Task::Inspect, WorkerInput::Inspect { config: page.config().clone(), history, index, checkpoint: checkpoint.as_ref().clone() })
                }
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
        let Some(h) = run.plan.next() else { continue };
        run.ledger.enter(i, Phase::Training, page.now);
        page.workers[i] = Slot::Busy(Task::Work(h.id));
        let pretrained = h.pretrained.map(|p| p.as_ref().clone());
        cmds.push(Command::Post(i, WorkerInput::Run { run: run.tag, config, work: h.work, pretrained }));
    }
}

#[cfg(test)]
mod tests;
