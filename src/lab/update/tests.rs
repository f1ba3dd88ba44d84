//! The page's update, natively: messages in, the state and the commands
//! out, asserted.

use super::*;
use crate::lab::inside::Looking;
use crate::lab::ledger::Phase;
use crate::lab::link::LabState;
use crate::lab::said::{Status, StoreNote, Why};
use crate::lab::store::ExperimentId;
use crate::lab::inside::shipped_models;
use crate::lab::workers::{Pending, Slot, Task, WorkerCommand};
use crate::study::engine::Engine;
use crate::study::jobs::Work;
use crate::study::key::NetKey;
use crate::study::protocol::WorkerInput;
use crate::study::size::Size;
use crate::lab::store::StoreError;
use crate::study::config::ExperimentConfig;
use std::collections::BTreeMap;

fn page(preset: Preset, workers: usize) -> Page {
    let mut link = LabState::for_preset(preset);
    link.experiment.eval_histories = 50;
    link.experiment.test_tokens = 2_000;
    Page::new(link, Vec::new(), workers, 0.0)
}

fn ready(p: &mut Page) -> Vec<Command> {
    let mut cmds = Vec::new();
    for i in 0..p.workers.slots.len() {
        cmds.extend(update(p, Msg::Worker(i, WorkerOutput::Ready { build: "b".into(), engine: p.engine() }), 1.0));
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
            Command::Worker(WorkerCommand::Post(_, WorkerInput::Run { work, .. })) => work.clone(),
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
        [Command::Worker(WorkerCommand::Post(1, WorkerInput::Run { work: Work::Rl { net: n, tasks }, pretrained, .. }))] => {
            assert_eq!((*n, tasks.len(), pretrained.as_deref()), (net, 3, Some(&[9u8][..])));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(p.results.failures.len(), 1);
    assert_eq!(p.results.failures[0].models.len(), 3);
    // Worker 0 dies mid-pretraining: its models are lost, a fresh worker starts.
    let cmds = update(&mut p, Msg::WorkerDied(0, "out of memory".into()), 4.0);
    assert_eq!(cmds, vec![Command::Worker(WorkerCommand::Restart(0))]);
    assert_eq!(p.results.failures.len(), 2);
    assert!(p.messages.iter().any(|m| matches!(m, Said::WorkFailed(_, why) if why.contains("out of memory"))), "{:?}", p.messages);
    // Cancel: the busy worker is restarted, the run is cancelled.
    let cmds = update(&mut p, Msg::Cancel, 5.0);
    assert_eq!(cmds, vec![Command::Worker(WorkerCommand::Restart(1))]);
    assert_eq!(p.run_state(), RunState::Cancelled);
    // Where the two workers' 5 ms went: worker 0 trained 1-4 (then died),
    // worker 1 trained 1-2, measured 2-3 (after its net arrived), trained
    // RL 3-5; the rest (starting up, dead) is idle.
    let ledger = &p.run.as_ref().unwrap().ledger;
    let spent = [Phase::Training, Phase::Measuring, Phase::Idle].map(|ph| ledger.spent(ph));
    assert_eq!(spent, [6.0, 1.0, 3.0]);
}

#[test]
fn a_worker_that_cannot_start_is_given_up_after_a_second_try() {
    let mut p = page(Preset::Quick, 1);
    assert_eq!(update(&mut p, Msg::WorkerDied(0, "bad wasm".into()), 1.0), vec![Command::Worker(WorkerCommand::Restart(0))]);
    assert!(update(&mut p, Msg::WorkerDied(0, "bad wasm".into()), 2.0).is_empty());
    assert_eq!(p.workers.slots[0], Slot::Dead("bad wasm".into()));
    update(&mut p, Msg::Run, 3.0);
    assert!(p.run.is_none());
    assert_eq!(p.status, Status::Unavailable);
    // A worker that never answers is timed out by the clock.
    let mut p = page(Preset::Quick, 1);
    assert!(update(&mut p, Msg::Tick, 10_000.0).is_empty());
    assert_eq!(update(&mut p, Msg::Tick, 31_000.0), vec![Command::Worker(WorkerCommand::Restart(0))]);
}

#[test]
fn imports_are_checked_before_anything_changes() {
    let mut p = page(Preset::Quick, 1);
    ready(&mut p);
    // A 1.2 GB file is refused by its size, before a byte is read.
    update(&mut p, Msg::ImportModel("big.opimp".into(), 1_200_000_000, Err("not read".into())), 0.0);
    assert_eq!(p.messages.last(), Some(&Said::ImportRefused("big.opimp".into(), Why::TooLarge { mb: 1144, max_mb: 8 })));
    assert_eq!(p.workers.take_pending(), None);
    // A checkpoint of a model outside the experiment, or already in it.
    let w = vec![0.5f32; Size::S.params()];
    let t = crate::study::checkpoint::TrainedAs { seed: 7, init_seed: 1, task: SuccessSet::N4 };
    let outside = crate::study::checkpoint::write(Size::S, true, "", Some(t), &[&w, &w]).unwrap();
    update(&mut p, Msg::ImportModel("seven.opimp".into(), outside.len() as u64, Ok(outside)), 0.0);
    assert!(matches!(p.messages.last(), Some(Said::ImportRefused(_, Why::Other(w))) if w.contains("not part of this experiment")), "{:?}", p.messages);
    let t = crate::study::checkpoint::TrainedAs { seed: 0, init_seed: 1, task: SuccessSet::N4 };
    let inside = crate::study::checkpoint::write(Size::S, true, "", Some(t), &[&w, &w]).unwrap();
    let cmds = update(&mut p, Msg::ImportModel("zero.opimp".into(), inside.len() as u64, Ok(inside)), 0.0);
    assert!(matches!(cmds.as_slice(), [Command::Worker(WorkerCommand::Post(0, WorkerInput::Measure { .. }))]), "{cmds:?}");
    // A results file: refused whole when broken, merged when whole.
    let before = p.results.clone();
    update(&mut p, Msg::ImportResults("junk.json".into(), Ok(b"{\"format\":\"opimp-results\"}".to_vec())), 0.0);
    assert_eq!(p.results, before);
    assert!(matches!(p.messages.last(), Some(Said::ImportRefused(name, Why::Other(_))) if name == "junk.json"), "{:?}", p.messages);
    let mut other = measured(Preset::Cross);
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
    big.experiment.test_tokens = 20_000;
    let q = Page::new(big, Vec::new(), 1, 0.0);
    assert!(q.estimate_minutes() > 30.0 * p.estimate_minutes(), "{} vs {}", q.estimate_minutes(), p.estimate_minutes());
}

#[test]
fn settings_are_checked_and_experiments_swap_their_results() {
    let mut p = page(Preset::Quick, 1);
    let steps = crate::lab::link::prop("steps").unwrap();
    update(&mut p, Msg::SetText(steps, "abc".into()), 0.0);
    assert!(matches!(p.messages.last(), Some(Said::SettingRefused { name: "steps", value: Some(v), why, .. }) if v == "abc" && why.contains("not a whole number")), "{:?}", p.messages);
    update(&mut p, Msg::SetText(steps, "500000".into()), 0.0);
    assert!(matches!(p.messages.last(), Some(Said::SettingRefused { name: "steps", why, .. }) if why.contains("outside")), "{:?}", p.messages);
    assert_eq!(p.config().steps, 1000);
    let cmds = update(&mut p, Msg::Set(Prop::Lab(&crate::lab::link::PRESET), Value::Preset(Preset::Paper)), 0.0);
    assert_eq!(cmds, vec![Command::FetchShipped(Preset::Paper)]);
    assert_eq!(p.shipped, Shipped::Loading);
    assert_eq!(p.results.config, *p.config());
    // Its baselines wait for a worker.
    assert!(matches!(p.workers.clone().take_pending(), Some(Pending::Prepare(c)) if c == *p.config()));
    update(&mut p, Msg::AddTask(SuccessSet::parse("1,3").unwrap()), 0.0);
    assert_eq!(p.config().tasks.len(), 4);
    assert_eq!(p.shipped, Shipped::None, "a custom experiment has no shipped results");
    let mut waiting = p.workers.clone();
    assert!(matches!(waiting.take_pending(), Some(Pending::Prepare(c)) if c == *p.config()));
    assert_eq!(waiting.take_pending(), None, "one measurement, of the experiment shown");
}

#[test]
fn a_shipped_file_of_another_experiment_is_named_not_shown() {
    // The preset's settings changed since its file was computed: the page
    // says in which settings they differ and shows nothing of it.
    let mut p = Page::new(LabState::for_preset(Preset::Quick), Vec::new(), 1, 0.0);
    let mut stale = Results::from_json(include_str!("../../../results/quick.json")).unwrap();
    stale.config.rl_steps += 1;
    stale.config.norm_first = !stale.config.norm_first;
    update(&mut p, Msg::Shipped(Preset::Quick, Ok(stale)), 1.0);
    let Shipped::OtherExperiment(mut differ) = p.shipped.clone() else { panic!("{:?}", p.shipped) };
    differ.sort();
    assert_eq!(differ, vec!["norm_first", "rl_steps"]);
    assert!(p.shown().models.is_empty());
    // The same file as computed is shown.
    let shipped = Results::from_json(include_str!("../../../results/quick.json")).unwrap();
    update(&mut p, Msg::Shipped(Preset::Quick, Ok(shipped)), 2.0);
    assert!(matches!(p.shipped, Shipped::Loaded(_)));
}

#[test]
fn the_gpu_engine_starts_its_workers_falls_back_and_is_never_called_equal() {
    use crate::lab::link::{ENGINE, parse, serialize};
    let (link, notices) = parse("?preset=quick&engine=gpu");
    assert!(notices.is_empty(), "{notices:?}");
    let mut p = Page::new(link, Vec::new(), 4, 0.0);
    assert_eq!(p.workers.slots.len(), 1, "one worker for the one GPU");
    let cmds = update(&mut p, Msg::Start { autorun: false }, 0.0);
    assert!(cmds.contains(&Command::Worker(WorkerCommand::Pool { engine: Engine::Gpu, count: 1 })), "{cmds:?}");
    assert!(cmds.contains(&Command::AskWebGpu));
    // No adapter here: the CPU engine takes over, with a notice.
    let no = WorkerOutput::Unavailable { engine: Engine::Gpu, message: "no WebGPU device: no adapter".into() };
    let cmds = update(&mut p, Msg::Worker(0, no), 1.0);
    assert!(cmds.contains(&Command::Worker(WorkerCommand::Pool { engine: Engine::Cpu, count: 4 })), "{cmds:?}");
    assert_eq!((p.engine(), p.link.engine, p.workers.slots.len()), (Engine::Cpu, Engine::Cpu, 4));
    assert!(p.messages.iter().any(|m| matches!(m, Said::EngineUnavailable(Engine::Gpu, why) if why.contains("no WebGPU device"))), "{:?}", p.messages);
    assert!(!serialize(&p.link).contains("engine"), "the link says what runs");
    // A late greeting from the GPU worker is not the new pool's.
    update(&mut p, Msg::Worker(0, WorkerOutput::Ready { build: "b".into(), engine: Engine::Gpu }), 2.0);
    assert!(matches!(p.workers.slots[0], Slot::Starting { .. }));
    // Choosing the GPU starts its worker.
    let cmds = update(&mut p, Msg::Set(Prop::Lab(&ENGINE), Value::Engine(Engine::Gpu)), 3.0);
    assert!(cmds.contains(&Command::Worker(WorkerCommand::Pool { engine: Engine::Gpu, count: 1 })), "{cmds:?}");
    // Reproducing the shipped quick preset on the GPU: the same numbers
    // are near, never equal; numbers off by more than the tolerance differ.
    let shipped = Results::from_json(include_str!("../../../results/quick.json")).unwrap();
    update(&mut p, Msg::Shipped(Preset::Quick, Ok(shipped.clone())), 4.0);
    ready(&mut p);
    update(&mut p, Msg::Run, 5.0);
    let tag = p.run.as_ref().unwrap().tag;
    assert!(matches!(p.workers.slots[0], Slot::Busy(Task::Work(_))));
    // The engine cannot change while the run goes.
    update(&mut p, Msg::Set(Prop::Lab(&ENGINE), Value::Engine(Engine::Cpu)), 5.5);
    assert_eq!((p.engine(), p.link.engine), (Engine::Gpu, Engine::Gpu));
    let same = shipped.models[0].clone();
    let mut off = shipped.models[0].clone();
    let task = off.key.task;
    off.scores.iter_mut().filter(|s| s.task == task).for_each(|s| s.success += 0.05);
    update(&mut p, Msg::Worker(0, WorkerOutput::Event { run: tag, event: Event::Model(Box::new(same.clone())) }), 6.0);
    assert_eq!(p.results.provenance.engine.to_string(), Engine::Gpu.recorded());
    assert_eq!(p.reproduced(&same), Reproduced::Near(0.0));
    assert!(matches!(p.reproduced(&off), Reproduced::Differs(d) if (d - 0.05).abs() < 1e-9), "{:?}", p.reproduced(&off));
}

/// Results of a preset's experiment (shrunk like [`page`]'s) with its
/// baselines measured, as a worker would send them.
fn measured(preset: Preset) -> Results {
    let config = page(preset, 1).config().clone();
    Results::new(config.clone())
}

#[test]
fn a_look_inside_a_shipped_model_fetches_it_then_asks_a_worker() {
    let mut p = Page::new(LabState::for_preset(Preset::Paper), Vec::new(), 1, 0.0);
    ready(&mut p);
    let key = shipped_models(Preset::Paper)[3];
    let cmds = update(&mut p, Msg::InsideModel(key), 0.0);
    assert_eq!(cmds, vec![Command::FetchModel(Preset::Paper, key)]);
    assert_eq!(p.inside.looking, Looking::Fetching);
    let cmds = update(&mut p, Msg::ModelFetched(Preset::Paper, key, Ok(vec![5; 10])), 0.0);
    match cmds.as_slice() {
        [Command::Worker(WorkerCommand::Post(0, WorkerInput::Inspect { history: None, index: 0, checkpoint, .. }))] => assert_eq!(checkpoint, &vec![5; 10]),
        other => panic!("{other:?}"),
    }
    let inspection = crate::study::inspection::Inspection {
        history: vec![0; 20],
        action_probs: [0.125; 8],
        choice: 8,
        predicted: [[0.125; 8]; 8],
        attention: vec![0.05; 20],
    };
    update(&mut p, Msg::Worker(0, WorkerOutput::Inspected { inspection: Box::new(inspection.clone()) }), 0.0);
    assert_eq!(p.inside.looking, Looking::Ready(Box::new(inspection)));
    // Another history: the fetched checkpoint is used again.
    let cmds = update(&mut p, Msg::InsideHistory(HistoryChoice::Evaluation(7)), 0.0);
    assert!(matches!(cmds.as_slice(), [Command::Worker(WorkerCommand::Post(0, WorkerInput::Inspect { index: 7, .. }))]), "{cmds:?}");
    // A failure is shown, not lost.
    update(&mut p, Msg::Worker(0, WorkerOutput::Failed { run: 0, message: "bad checkpoint".into() }), 0.0);
    assert_eq!(p.inside.looking, Looking::Failed("bad checkpoint".into()));
    // A model neither kept nor shipped says so.
    update(&mut p, Msg::InsideModel(ModelKey { seed: 4, ..key }), 0.0);
    assert!(matches!(&p.inside.looking, Looking::Failed(m) if m.contains("no checkpoint")));
    update(&mut p, Msg::InsideHistoryText("1, 2".into()), 0.0);
    assert!(matches!(p.messages.last(), Some(Said::HistoryRefused(why)) if why.contains("at least 20")), "{:?}", p.messages);
}

#[test]
fn baselines_are_measured_in_a_worker_not_in_update() {
    let mut p = page(Preset::Quick, 1);
    update(&mut p, Msg::Start { autorun: false }, 0.0);
    assert!(!p.results.is_measured());
    let cmds = ready(&mut p);
    assert!(matches!(cmds.as_slice(), [Command::Worker(WorkerCommand::Post(0, WorkerInput::Prepare { config }))] if config == p.config()), "{cmds:?}");
    let prepared = measured(Preset::Quick);
    update(&mut p, Msg::Worker(0, WorkerOutput::Prepared { results: Box::new(prepared.clone()) }), 1.0);
    assert_eq!((p.results.scripted.clone(), p.results.baseline.clone()), (prepared.scripted, prepared.baseline));
    assert_eq!(p.workers.slots[0], Slot::Idle);
}

/// A stand-in for the browser's IndexedDB: answers every request the
/// way the shell does, with a quota in bytes. `hold` keeps saves'
/// transactions open until [`FakeDb::commit`].
#[derive(Default)]
struct FakeDb {
    results: BTreeMap<String, String>,
    models: BTreeMap<String, Vec<u8>>,
    quota: usize,
    hold: bool,
    held: Vec<StoreAnswer>,
}

impl FakeDb {
    fn used(&self) -> usize {
        self.results.values().map(|v| v.len()).sum::<usize>() + self.models.values().map(|v| v.len()).sum::<usize>()
    }

    fn fits(&self, extra: usize, replacing: usize) -> bool {
        self.used() + extra - replacing.min(self.used()) <= self.quota
    }

    fn run(&mut self, req: StoreRequest) -> StoreAnswer {
        match req {
            StoreRequest::Open => StoreAnswer::Opened(Ok(())),
            StoreRequest::LoadLibrary => StoreAnswer::Library {
                results: self.results.iter().map(|(k, v)| (ExperimentId(k.clone()), Results::from_json(v))).collect(),
                checkpoints: self
                    .models
                    .keys()
                    .map(|k| {
                        let (id, rest) = k.split_once('/').unwrap();
                        let parts: Vec<&str> = rest.split('/').collect();
                        let key = ModelKey {
                            size: Size::parse(parts[0]).unwrap(),
                            seed: parts[1].parse().unwrap(),
                            task: SuccessSet::parse(parts[2]).unwrap(),
                        };
                        (ExperimentId(id.into()), key)
                    })
                    .collect(),
                error: None,
            },
            StoreRequest::LoadCheckpoints(id, config) => {
                let list = config
                    .models()
                    .into_iter()
                    .filter_map(|k| self.models.get(&id.model_key(k)).map(|b| (k, b.clone())))
                    .collect();
                StoreAnswer::Checkpoints(id, Ok(list))
            }
            StoreRequest::SaveResults(id, json) => {
                let old = self.results.get(&id.0).map_or(0, |v| v.len());
                let ok = self.fits(json.len(), old);
                if ok {
                    self.results.insert(id.0.clone(), json.as_ref().clone());
                }
                StoreAnswer::ResultsSaved(id, json, if ok { Ok(()) } else { Err(StoreError::Quota) })
            }
            StoreRequest::SaveCheckpoint(id, key, bytes) => {
                let k = id.model_key(key);
                let old = self.models.get(&k).map_or(0, |v| v.len());
                let ok = self.fits(bytes.len(), old);
                if ok {
                    self.models.insert(k, bytes.as_ref().clone());
                }
                StoreAnswer::CheckpointSaved(id, key, bytes, if ok { Ok(()) } else { Err(StoreError::Quota) })
            }
            StoreRequest::DropCheckpoints(id) => {
                let prefix = format!("{id}/");
                self.models.retain(|k, _| !k.starts_with(&prefix));
                StoreAnswer::Dropped(id, Ok(()))
            }
            StoreRequest::Clear => {
                self.results.clear();
                self.models.clear();
                StoreAnswer::Cleared(Ok(()))
            }
        }
    }

    /// Runs the storage commands among `cmds` until none is left,
    /// feeding the answers to the page; returns the other commands.
    fn serve(&mut self, p: &mut Page, cmds: Vec<Command>) -> Vec<Command> {
        let mut queue = cmds;
        let mut others = Vec::new();
        while !queue.is_empty() {
            let mut next = Vec::new();
            for c in queue {
                match c {
                    Command::Store(req) => {
                        let is_save = matches!(req, StoreRequest::SaveCheckpoint(..) | StoreRequest::SaveResults(..));
                        let a = self.run(req);
                        if self.hold && is_save {
                            self.held.push(a);
                        } else {
                            next.extend(update(p, Msg::Store(a), 0.0));
                        }
                    }
                    other => others.push(other),
                }
            }
            queue = next;
        }
        others
    }

    /// Completes the held transactions.
    fn commit(&mut self, p: &mut Page) -> Vec<Command> {
        self.hold = false;
        let held = std::mem::take(&mut self.held);
        let mut out = Vec::new();
        for a in held {
            let cmds = update(p, Msg::Store(a), 0.0);
            out.extend(self.serve(p, cmds));
        }
        out
    }
}

/// A fake checkpoint of a model: `n` bytes.
fn blob(n: usize) -> Vec<u8> {
    vec![7; n]
}

/// Trains one model of the page's experiment as a worker would: its
/// checkpoint, then its result.
fn train(p: &mut Page, db: &mut FakeDb, key: ModelKey, bytes: usize) {
    let tag = p.tag;
    use crate::study::results::{Comparisons, ModelResult, OpImp, TaskScore, scored_tasks};
    let o = OpImp { op: 0.1, imp: 0.1, comparison_success: 0.5 };
    let m = ModelResult {
        key,
        params: key.size.params(),
        entropy_optimized: 1.9,
        entropy_split: 2.0,
        op: 0.1,
        imp: 0.2,
        scores: scored_tasks(&p.config().tasks)
            .into_iter()
            .map(|task| TaskScore { task, success: 0.6, split_success: 0.5, op_implied: 0.02, imp_min: 0.02 })
            .collect(),
        pretrained_success: 0.5,
        self_op: 0.0,
        self_imp: 0.1,
        comparisons: Comparisons { fixed: o, random: o, untrained: o, pretrained: o },
        monte_carlo: None,
    };
    let busy = p.workers.slots.iter().position(|w| matches!(w, Slot::Busy(Task::Work(_)))).expect("a busy worker");
    for event in [Event::Trained { key, checkpoint: blob(bytes) }, Event::Model(Box::new(m))] {
        let cmds = update(p, Msg::Worker(busy, WorkerOutput::Event { run: tag, event }), 0.0);
        db.serve(p, cmds);
    }
}

/// A page on `preset` with storage open and baselines measured, one
/// worker running a work of a run.
fn lab(preset: Preset, db: &mut FakeDb) -> Page {
    let mut p = page(preset, 1);
    let cmds = update(&mut p, Msg::Start { autorun: false }, 0.0);
    db.serve(&mut p, cmds);
    let cmds = ready(&mut p);
    db.serve(&mut p, cmds);
    prepare_and_run(&mut p, db);
    p
}

/// The baselines measured by worker 0, then a run started.
fn prepare_and_run(p: &mut Page, db: &mut FakeDb) {
    let config = p.config().clone();
    let cmds = update(p, Msg::Worker(0, WorkerOutput::Prepared { results: Box::new(Results::new(config)) }), 0.0);
    db.serve(p, cmds);
    let cmds = update(p, Msg::Run, 0.0);
    db.serve(p, cmds);
}

fn model(p: &Page, i: usize) -> ModelKey {
    p.config().models()[i]
}

#[test]
fn a_model_retrained_after_clear_keeps_its_checkpoint() {
    let mut db = FakeDb { quota: usize::MAX, ..Default::default() };
    let mut p = lab(Preset::Quick, &mut db);
    let key = model(&p, 0);
    train(&mut p, &mut db, key, 100);
    assert_eq!(db.models.len(), 1);
    assert_eq!(db.results.len(), 1);
    // Clear (after the run), then train the same model again.
    update(&mut p, Msg::Cancel, 0.0);
    let cmds = update(&mut p, Msg::Clear, 0.0);
    db.serve(&mut p, cmds);
    assert!(db.models.is_empty() && db.results.is_empty());
    assert!(p.messages.contains(&Said::Storage(StoreNote::StorageCleared)), "{:?}", p.messages);
    p.workers.slots[0] = Slot::Idle;
    let cmds = update(&mut p, Msg::Run, 0.0);
    db.serve(&mut p, cmds);
    train(&mut p, &mut db, key, 100);
    assert_eq!(db.models.len(), 1, "the retrained model's checkpoint is stored again");
    assert!(p.store.has_checkpoint(&p.experiment_id(), key));
}

#[test]
fn switching_experiments_loads_that_experiments_checkpoints() {
    let mut db = FakeDb { quota: usize::MAX, ..Default::default() };
    let mut p = lab(Preset::Quick, &mut db);
    let quick = p.config().clone();
    let key = model(&p, 0);
    train(&mut p, &mut db, key, 100);
    update(&mut p, Msg::Cancel, 0.0);
    // Another experiment, then a reload: a fresh page on the second one.
    let cmds = update(&mut p, Msg::SetText(crate::lab::link::prop("rl_steps").unwrap(), "300".into()), 0.0);
    db.serve(&mut p, cmds);
    assert_eq!(p.kept_here().count(), 0);
    let mut link = p.link.clone();
    let mut p = Page::new(link.clone(), Vec::new(), 1, 0.0);
    let cmds = update(&mut p, Msg::Start { autorun: false }, 0.0);
    let others = db.serve(&mut p, cmds);
    assert!(others.iter().all(|c| !matches!(c, Command::Store(StoreRequest::LoadCheckpoints(..)))));
    assert_eq!(p.kept_here().count(), 0, "the second experiment has no checkpoints");
    // Back to the first: its checkpoint is read (and only its).
    link.experiment = quick.clone();
    let cmds = update(&mut p, Msg::SetText(crate::lab::link::prop("rl_steps").unwrap(), quick.rl_steps.to_string()), 0.0);
    assert!(cmds.iter().any(|c| matches!(c, Command::Store(StoreRequest::LoadCheckpoints(id, _)) if *id == ExperimentId::of(&quick))), "{cmds:?}");
    db.serve(&mut p, cmds);
    let kept: Vec<ModelKey> = p.kept_here().map(|k| k.key).collect();
    assert_eq!(kept, vec![key]);
    assert_eq!(p.results.models.len(), 1, "its results came back from the library");
}

#[test]
fn a_full_quota_keeps_every_result_and_gives_up_checkpoints_oldest_first() {
    let mut db = FakeDb { quota: usize::MAX, ..Default::default() };
    // Three experiments, each with a stored model, oldest first.
    let mut ids = Vec::new();
    let mut p = lab(Preset::Quick, &mut db);
    for rl_steps in ["401", "402", "403"] {
        let cmds = update(&mut p, Msg::Cancel, 0.0);
        db.serve(&mut p, cmds);
        p.workers.slots[0] = Slot::Idle;
        let cmds = update(&mut p, Msg::SetText(crate::lab::link::prop("rl_steps").unwrap(), rl_steps.into()), 0.0);
        db.serve(&mut p, cmds);
        let cmds = update(&mut p, Msg::SetText(crate::lab::link::prop("seeds").unwrap(), "0,1".into()), 0.0);
        db.serve(&mut p, cmds);
        prepare_and_run(&mut p, &mut db);
        let key = model(&p, 0);
        train(&mut p, &mut db, key, 5_000);
        ids.push(p.experiment_id());
    }
    assert_eq!((db.results.len(), db.models.len()), (3, 3));
    // The quota is now what is used: the next model of the newest
    // experiment does not fit, nor its results.
    db.quota = db.used() + 10;
    p.messages.clear();
    let before = p.results.models.len();
    let tag = p.tag;
    // The newest experiment's second model: a checkpoint that does not fit.
    let second = model(&p, 1);
    let cmds = update(&mut p, Msg::Worker(0, WorkerOutput::Event { run: tag, event: Event::Trained { key: second, checkpoint: blob(3_000) } }), 0.0);
    db.serve(&mut p, cmds);
    // The oldest experiment's checkpoint went, the newest kept its own.
    assert!(!db.models.keys().any(|k| k.starts_with(&ids[0].0)), "{:?}", db.models.keys());
    assert!(db.models.keys().any(|k| k.starts_with(&ids[1].0)));
    assert!(db.models.keys().any(|k| k.starts_with(&ids[2].0)));
    assert_eq!(db.results.len(), 3, "every result kept");
    assert!(p.messages.contains(&Said::Storage(StoreNote::GaveUpCheckpoints { dropped: 1, experiments: 1, kept: 3 })), "{:?}", p.messages);
    assert_eq!(p.results.models.len(), before);
    // Results that do not fit: checkpoints go (oldest experiment
    // first) until they do, and the results are stored.
    db.quota = db.used() + 10;
    let mut grown = p.results.clone();
    grown.provenance.note = "x".repeat(8_000);
    p.results = grown;
    p.messages.clear();
    let cmds = match p.store.save_results(&p.results).unwrap() {
        Some(req) => vec![Command::Store(req)],
        None => panic!("storage is open"),
    };
    db.serve(&mut p, cmds);
    assert!(db.results.get(&ids[2].0).unwrap().contains(&"x".repeat(8_000)), "the results were stored");
    assert_eq!(db.results.len(), 3);
    assert!(!db.models.keys().any(|k| k.starts_with(&ids[1].0)), "the next oldest gave up its checkpoints");
    assert!(p.messages.iter().any(|m| matches!(m, Said::Storage(StoreNote::GaveUpCheckpoints { kept: 3, .. }))), "{:?}", p.messages);
}

#[test]
fn a_save_is_confirmed_only_when_its_transaction_completes() {
    let mut db = FakeDb { quota: usize::MAX, ..Default::default() };
    let mut p = lab(Preset::Quick, &mut db);
    db.hold = true;
    let key = model(&p, 0);
    train(&mut p, &mut db, key, 100);
    let id = p.experiment_id();
    assert!(!p.store.experiments.get(&id).is_some_and(|e| e.checkpoints.contains(&key)), "not confirmed yet");
    assert!(p.store.has_checkpoint(&id, key), "but being saved: not asked twice");
    db.commit(&mut p);
    assert!(p.store.experiments[&id].checkpoints.contains(&key));
    // A refused save is not confirmed, and says so.
    let key2 = ModelKey { seed: 99, ..key };
    let bytes = Arc::new(blob(10));
    let answer = StoreAnswer::CheckpointSaved(id.clone(), key2, bytes, Err(StoreError::Failed { name: "AbortError".into(), message: "aborted".into() }));
    update(&mut p, Msg::Store(answer), 0.0);
    assert!(!p.store.has_checkpoint(&id, key2));
    assert!(matches!(p.messages.last(), Some(Said::Storage(StoreNote::CheckpointNotStored(k, why))) if *k == key2 && why.contains("AbortError")), "{:?}", p.messages);
}

#[test]
fn unavailable_storage_is_said_once_and_work_stays_in_memory() {
    let mut p = page(Preset::Quick, 1);
    update(&mut p, Msg::Start { autorun: false }, 0.0);
    update(&mut p, Msg::Store(StoreAnswer::Opened(Err(StoreError::Unavailable("no IndexedDB".into())))), 0.0);
    assert!(p.messages.iter().any(|m| matches!(m, Said::Storage(StoreNote::StorageUnavailable(why)) if why.contains("no IndexedDB"))), "{:?}", p.messages);
    assert!(p.store.save_results(&measured(Preset::Quick)).unwrap().is_none());
    let cfg: ExperimentConfig = p.config().clone();
    assert!(p.store.save_checkpoint(&cfg, model(&p, 0), &Arc::new(blob(3))).is_none());
}

#[test]
fn only_steps_and_curve_points_wait_for_the_tick() {
    use crate::study::curves::{PretrainPoint, RlPoint};
    let net = NetKey { size: Size::S, seed: 0 };
    let key = ModelKey { size: Size::S, seed: 0, task: SuccessSet::N4 };
    let event = |event| Msg::Worker(1, WorkerOutput::Event { run: 3, event });
    let step = event(Event::Step { step: 10, total: 100, value: 0.5 });
    let pretrain = event(Event::PretrainPoint {
        net,
        point: PretrainPoint { step: 10, train_loss: 1.0, train_acc: 0.5, test_loss: 1.0, test_acc: 0.5 },
    });
    let rl = event(Event::RlPoint { key, point: RlPoint { step: 10, success: 0.5, outcome_acc: 0.9, rollout_acc: None, rollout_own_acc: None, rollout_other_acc: None } });
    for m in [&step, &pretrain, &rl] {
        assert!(m.is_progress(), "{m:?}");
    }
    // What ends a work, gives the page a model, or comes from the user
    // or the clock is shown at once.
    let at_once = [
        event(Event::Trained { key, checkpoint: vec![1] }),
        event(Event::Pretrained { net, checkpoint: vec![1] }),
        Msg::Worker(1, WorkerOutput::Done { run: 3 }),
        Msg::Worker(1, WorkerOutput::Failed { run: 3, message: "x".into() }),
        Msg::Tick,
        Msg::Run,
        Msg::Cancel,
    ];
    for m in &at_once {
        assert!(!m.is_progress(), "{m:?}");
    }
}

/// A paper-sized page in a browser with a WebGPU adapter, its CPU workers
/// ready.
fn with_adapter() -> Page {
    let mut p = page(Preset::Paper, 2);
    update(&mut p, Msg::WebGpu(Ok("swiftshader".into())), 0.0);
    ready(&mut p);
    p
}

/// The trial's time from worker `i`.
fn timed(p: &mut Page, i: usize, ms: f64) -> Vec<Command> {
    let size = Size::Xl;
    let mut cmds = update(p, Msg::Worker(i, WorkerOutput::Bench { size, members: 1, ms_per_step: ms, warmup: 1 }), 0.0);
    cmds.extend(update(p, Msg::Worker(i, WorkerOutput::BenchDone), 0.0));
    cmds
}

#[test]
fn a_long_run_times_each_engine_first_and_trains_on_the_faster() {
    use crate::lab::choice::Choice;
    for (gpu_ms, want) in [(5_200.0, Engine::Cpu), (40.0, Engine::Gpu)] {
        let mut p = with_adapter();
        let cmds = update(&mut p, Msg::Run, 0.0);
        // The CPU's worker times a few steps of the largest size first.
        assert!(matches!(cmds.as_slice(), [Command::Worker(WorkerCommand::Post(0, WorkerInput::Bench { sizes, warmup: Some(_), .. }))] if sizes == &vec![Size::Xl]), "{cmds:?}");
        assert_eq!(p.status, Status::ChoosingEngine(Size::Xl));
        assert!(p.run.is_none() && p.running(), "no run yet; settings wait");
        // Then a GPU worker does.
        let cmds = timed(&mut p, 0, 200.0);
        assert!(cmds.contains(&Command::Worker(WorkerCommand::Pool { engine: Engine::Gpu, count: 1 })), "{cmds:?}");
        let cmds = ready(&mut p);
        assert!(matches!(cmds.as_slice(), [Command::Worker(WorkerCommand::Post(0, WorkerInput::Bench { .. }))]), "{cmds:?}");
        let cmds = timed(&mut p, 0, gpu_ms);
        assert_eq!(p.choice, Choice::Made { engine: want, ratio: gpu_ms / 200.0, size: Size::Xl });
        assert!(p.messages.contains(&Said::EngineMeasured { chosen: want, ratio: gpu_ms / 200.0, size: Size::Xl }), "{:?}", p.messages);
        assert_eq!(p.engine(), want);
        assert_eq!(cmds.contains(&Command::Worker(WorkerCommand::Pool { engine: Engine::Cpu, count: 2 })), want == Engine::Cpu, "{cmds:?}");
        assert!(p.run.as_ref().is_some_and(|r| r.state == crate::lab::page::RunState::Running), "the run starts on the choice");
    }
}

#[test]
fn the_engines_are_not_timed_for_a_short_run_a_visitors_choice_or_without_an_adapter() {
    use crate::lab::choice::Choice;
    // A short run.
    let mut p = page(Preset::Quick, 2);
    update(&mut p, Msg::WebGpu(Ok("swiftshader".into())), 0.0);
    ready(&mut p);
    update(&mut p, Msg::Run, 0.0);
    assert!(p.run.is_some() && p.choice == Choice::Open);
    // No adapter.
    let mut p = page(Preset::Paper, 2);
    update(&mut p, Msg::WebGpu(Err("no adapter".into())), 0.0);
    ready(&mut p);
    update(&mut p, Msg::Run, 0.0);
    assert!(p.run.is_some() && p.choice == Choice::Open);
    // The visitor chose the CPU in Settings.
    let mut p = with_adapter();
    update(&mut p, Msg::Set(Prop::Lab(&crate::lab::link::ENGINE), Value::Engine(Engine::Cpu)), 0.0);
    assert_eq!(p.choice, Choice::Visitor);
    update(&mut p, Msg::Run, 0.0);
    assert!(p.run.is_some());
    // A GPU that turns out unavailable: the CPU trains.
    let mut p = with_adapter();
    update(&mut p, Msg::Run, 0.0);
    timed(&mut p, 0, 200.0);
    let cmds = update(&mut p, Msg::Worker(0, WorkerOutput::Unavailable { engine: Engine::Gpu, message: "no device".into() }), 0.0);
    assert!(cmds.contains(&Command::Worker(WorkerCommand::Pool { engine: Engine::Cpu, count: 2 })), "{cmds:?}");
    assert!(matches!(p.choice, Choice::Made { engine: Engine::Cpu, .. }) && p.run.is_some());
    // Cancelling the timing brings the CPU's workers back and runs nothing.
    let mut p = with_adapter();
    update(&mut p, Msg::Run, 0.0);
    timed(&mut p, 0, 200.0);
    let cmds = update(&mut p, Msg::Cancel, 0.0);
    assert!(cmds.contains(&Command::Worker(WorkerCommand::Pool { engine: Engine::Cpu, count: 2 })), "{cmds:?}");
    assert!(p.run.is_none() && !p.running() && p.choice == Choice::Open);
}
