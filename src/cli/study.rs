//! `opimp train`, `opimp sweep` and `opimp export`: the study from the
//! command line, with progress bars and ETAs, every core, and results files
//! that survive an interruption.

use super::drive::{Report, Runner, drive};
use super::overrides::Overrides;
use super::files::{Lock, may_overwrite, read_bytes, read_text, same_file, write_atomically};
use crate::experiment::checkpoints::{pretrained_file_name, read_pretrained};
use crate::study::key::NetKey;
use crate::study::config::ExperimentConfig;
use crate::study::event::Event;
use crate::study::jobs::{Plan, Widths};
use crate::study::key::ModelKey;
use crate::study::preset::Preset;
use crate::study::progress::Progress;
use crate::study::results::{Failure, Results};
use crate::study::size::Size;
use crate::study::validate::MAX_RESULTS_BYTES;
use crate::sequence::SuccessSet;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use std::sync::Arc;

#[derive(Args, Debug)]
pub struct TrainArgs {
    /// Model size: s (18,832 parameters), m (54,448), l (154,768), xl (403,472).
    #[arg(long, default_value = "s")]
    size: String,
    /// Model seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Task: n2, n4, n6 or a list of outcomes such as 0,2,4,6.
    #[arg(long, default_value = "n4")]
    task: String,
    /// Start from a preset's settings (default: the paper's).
    #[arg(long, default_value = "paper")]
    preset: String,
    /// Any experiment setting but sizes, seeds and tasks.
    #[command(flatten)]
    set: Overrides<false>,
    /// Print the results as JSON (the format `sweep` writes).
    #[arg(long)]
    json: bool,
    /// Also save the fine-tuned model, with the pretrained model it started
    /// from, as a checkpoint file (the page's Import model measures it).
    #[arg(long)]
    save_model: Option<String>,
    /// Replace an existing --save-model file that is not a checkpoint.
    #[arg(long)]
    force: bool,
}

#[derive(Args, Debug)]
pub struct SweepArgs {
    /// A preset: quick, paper, scaling, cross, impact, self, no-maintenance.
    #[arg(long, conflicts_with = "config")]
    preset: Option<String>,
    /// An experiment config as JSON (see `opimp sweep --print-config`).
    #[arg(long)]
    config: Option<String>,
    /// Where to write the results JSON (rewritten after every model;
    /// re-running the same sweep resumes it).
    #[arg(long)]
    out: Option<String>,
    /// Worker threads (default: every core).
    #[arg(long)]
    threads: Option<usize>,
    /// Replace an existing --out file of a different experiment or kind.
    #[arg(long)]
    force: bool,
    /// Print the experiment config as JSON and exit.
    #[arg(long)]
    print_config: bool,
    /// Any experiment setting, over the preset's or the config file's.
    #[command(flatten)]
    set: Overrides<true>,
    /// Keep each pretrained net (and its pretraining curve) in this folder,
    /// and start RL from the nets kept there instead of pretraining again
    /// when this build, the pretraining settings and the data seed are the
    /// same: sweeps that differ only in their RL settings share one
    /// pretraining.
    #[arg(long)]
    pretrained: Option<String>,
    /// Write each fine-tuned model's checkpoint into this folder as it
    /// finishes (named as the page names a downloaded model), e.g. for the
    /// models the site ships for its look inside a model.
    #[arg(long)]
    models: Option<String>,
    /// The engine: native (this program's, fastest; near the browser's
    /// numbers) or wasm (the page's own worker in Node.js, one process per
    /// thread: the browser's numbers bit for bit, as results/ is made).
    #[arg(long, default_value = "native", value_parser = ["native", "wasm"])]
    engine: String,
    /// With --engine wasm: the folder holding the page's CPU worker
    /// (worker.js and worker_bg.wasm from scripts/wasm-worker.sh, or a
    /// built page's folder).
    #[arg(long, default_value = super::node::DEFAULT_DIR)]
    worker: String,
    /// Take finished models from this results file where they are this
    /// experiment's models by construction: the same build and engine, the
    /// same settings but for the lists of sizes, seeds and tasks, and the
    /// same tasks scored (their numbers are then exactly what running them
    /// again would give). Their curves come with them.
    #[arg(long)]
    reuse: Option<String>,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// A results JSON file (from `opimp sweep`, `opimp train --json` or the page).
    #[arg(long)]
    results: String,
    /// Write CSV here instead of standard output.
    #[arg(long)]
    out: Option<String>,
    /// Replace an existing --out file that is not this lab's CSV.
    #[arg(long)]
    force: bool,
}

/// Prints a line above the progress bar, or on stderr when there is no
/// terminal to draw the bar on.
fn log(pb: &ProgressBar, line: String) {
    if pb.is_hidden() { eprintln!("{line}") } else { pb.println(line) }
}

fn bar() -> ProgressBar {
    let pb = ProgressBar::new(1000);
    pb.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] [{bar:30}] {percent:>3}% ETA {eta_precise} {msg}")
            .expect("template")
            .progress_chars("=> "),
    );
    pb
}

fn preset(name: &str) -> Result<Preset, String> {
    Preset::parse(name).map_err(|e| format!("--preset: {e}"))
}

fn is_checkpoint(bytes: &[u8]) -> bool {
    crate::study::checkpoint::looks_like_one(bytes)
}

/// Runs a plan, keeping `results` up to date (models, curves, failures)
/// and drawing a progress bar; `after` runs after each model or failure.
/// With `keep`, returns the fine-tuned models' checkpoints.
#[allow(clippy::too_many_arguments)]
fn run_plan(
    plan: &mut Plan,
    results: &mut Results,
    threads: usize,
    runner: &Runner,
    keep_checkpoints: bool,
    pretrained_dir: Option<&str>,
    models_dir: Option<&str>,
    mut after: impl FnMut(&Results) -> Result<(), String>,
) -> Result<Vec<(ModelKey, Vec<u8>)>, String> {
    let config = results.config.clone();
    let draws = Arc::new(crate::study::data::Draws::new(&config));
    let pb = bar();
    let mut progress = Progress::new(plan.total_units(), crate::clock::now_ms());
    let n_works = plan.works().count();
    let mut finished = 0;
    let mut keep: Vec<(ModelKey, Vec<u8>)> = Vec::new();
    drive(plan, draws, threads, runner, |plan, report, lost| {
        let mut changed = false;
        match report {
            Report::Event(id, Event::Step { step, total, .. }) => {
                progress.step(id, plan.units(id), step, total);
                pb.set_message(format!("{} ({step}/{total})", plan.work(id)));
            }
            Report::Event(_, Event::PretrainPoint { net, point }) => results.curves.push_pretrain(net, point),
            Report::Event(_, Event::RlPoint { key, point }) => results.curves.push_rl(key, point),
            Report::Event(_, Event::Trained { key, checkpoint }) => {
                if let Some(dir) = models_dir {
                    let path = std::path::Path::new(dir).join(key.file_name());
                    write_atomically(&path.to_string_lossy(), &checkpoint).map_err(|e| format!("--models: {e}"))?;
                }
                if keep_checkpoints {
                    keep.push((key, checkpoint));
                }
            }
            Report::Event(_, Event::Pretrained { net, checkpoint }) => {
                if let Some(dir) = pretrained_dir {
                    keep_pretrained(dir, &config, net, &checkpoint, results)?;
                }
            }
            Report::Event(_, Event::Model(m)) => {
                let o = m.own();
                log(&pb, format!(
                    "finished {}: success {:.3}, Op {:.3} (implied {:.3}), Imp {:.3} (min {:.3})",
                    m.key, o.success, m.op, o.op_implied, m.imp, o.imp_min
                ));
                let mut candidate = results.clone();
                candidate.add(vec![*m.clone()]);
                match candidate.validate() {
                    Ok(()) => *results = candidate,
                    Err(e) => results.failures.push(Failure { models: vec![m.key], message: format!("its numbers were not usable: {e}") }),
                }
                changed = true;
            }
            Report::Done(id) => {
                progress.finish(id, plan.units(id));
                finished += 1;
            }
            Report::Failed(id, message) => {
                progress.finish(id, plan.units(id));
                finished += 1;
                log(&pb, format!("FAILED {}: {message}", plan.work(id)));
            }
        }
        if !lost.is_empty() {
            results.failures.retain(|f| f.models.iter().all(|k| !lost.contains(k)));
            results.failures.push(Failure { models: lost, message: "its work failed (see above)".into() });
            changed = true;
        }
        pb.set_position((progress.fraction() * 1000.0) as u64);
        pb.set_prefix(format!("{finished}/{n_works}"));
        if changed { after(results) } else { Ok(()) }
    })?;
    pb.finish_and_clear();
    Ok(keep)
}

/// Writes a pretrained net and its pretraining curve into `dir`.
fn keep_pretrained(dir: &str, config: &ExperimentConfig, net: NetKey, checkpoint: &[u8], results: &Results) -> Result<(), String> {
    let path = std::path::Path::new(dir).join(pretrained_file_name(config, net));
    let points = results.curves.net(net).map(|c| c.points.clone()).unwrap_or_default();
    let curve = serde_json::to_vec(&points).map_err(|e| e.to_string())?;
    let curve_path = path.with_extension("curve.json");
    write_atomically(&curve_path.to_string_lossy(), &curve).map_err(|e| format!("--pretrained: {e}"))?;
    write_atomically(&path.to_string_lossy(), checkpoint).map_err(|e| format!("--pretrained: {e}"))
}

/// Supplies the plan with the nets kept in `dir` for this experiment's
/// pretraining (and their curves to the results); returns how many.
fn reuse_pretrained(dir: &str, plan: &mut Plan, results: &mut Results) -> Result<usize, String> {
    let config = plan.config().clone();
    let mut found = 0;
    for net in plan.nets_to_pretrain() {
        let path = std::path::Path::new(dir).join(pretrained_file_name(&config, net));
        if !path.exists() {
            continue;
        }
        let name = path.to_string_lossy().into_owned();
        let bytes = read_bytes(&name, crate::study::checkpoint::MAX_CHECKPOINT_BYTES)?;
        read_pretrained(&config, net, &bytes).map_err(|e| format!("{name}: {e}"))?;
        let curve_name = path.with_extension("curve.json").to_string_lossy().into_owned();
        let curve = read_text(&curve_name, 1 << 20)?;
        let points: Vec<crate::study::curves::PretrainPoint> =
            serde_json::from_str(&curve).map_err(|e| format!("{curve_name}: not a pretraining curve: {e}"))?;
        for p in points {
            results.curves.push_pretrain(net, p);
        }
        plan.supply(net, bytes);
        found += 1;
    }
    Ok(found)
}

fn file_name(path: &str) -> String {
    std::path::Path::new(path).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.to_string())
}

/// Takes into `results` the finished models of `path` that are models of
/// `results`' experiment by construction (see `--reuse`), with their RL
/// curves and their nets' pretraining curves; returns how many.
fn reuse_models(path: &str, results: &mut Results) -> Result<usize, String> {
    let text = read_text(path, MAX_RESULTS_BYTES)?;
    let other = Results::from_json(&text).map_err(|e| format!("--reuse {path}: {e}"))?;
    if other.provenance.build != results.provenance.build || other.provenance.engine != results.provenance.engine {
        return Err(format!(
            "--reuse {path}: computed by {} ({}), this run is {} ({}): its numbers are not this run's",
            other.provenance.build, other.provenance.engine, results.provenance.build, results.provenance.engine
        ));
    }
    let same_but_lists = |c: &ExperimentConfig| {
        let mut c = c.clone();
        (c.sizes, c.seeds, c.tasks) = (Vec::new(), Vec::new(), Vec::new());
        c
    };
    let scored = |c: &ExperimentConfig| crate::study::results::scored_tasks(&c.tasks);
    if same_but_lists(&other.config) != same_but_lists(&results.config) || scored(&other.config) != scored(&results.config) {
        return Err(format!("--reuse {path}: its experiment differs in more than its sizes, seeds and tasks"));
    }
    let wanted = results.missing();
    let taken: Vec<_> = other.models.into_iter().filter(|m| wanted.contains(&m.key)).collect();
    for m in &taken {
        if let Some(c) = other.curves.model(m.key) {
            for p in &c.points {
                results.curves.push_rl(m.key, p.clone());
            }
        }
        if results.curves.net(m.key.net()).is_none() {
            if let Some(c) = other.curves.net(m.key.net()) {
                for p in &c.points {
                    results.curves.push_pretrain(m.key.net(), p.clone());
                }
            }
        }
    }
    let n = taken.len();
    results.add(taken);
    Ok(n)
}

/// A human summary of results: one line per model, then the scripted
/// policies under the experiment's first task.
pub fn summary(r: &Results) -> String {
    let mut lines = vec![format!(
        "{:<4} {:>4} {:<8} {:>7} {:>7} {:>7} {:>9} {:>7} {:>7} {:>8} {:>8}",
        "size", "seed", "task", "params", "success", "Op", "Op_impl", "Imp", "Imp_min", "self Op", "self Imp"
    )];
    for m in &r.models {
        let o = m.own();
        lines.push(format!(
            "{:<4} {:>4} {:<8} {:>7} {:>7.3} {:>7.3} {:>9.3} {:>7.3} {:>7.3} {:>8.3} {:>8.3}",
            m.key.size, m.key.seed, m.key.task.name(), m.params, o.success, m.op, o.op_implied, m.imp, o.imp_min, m.self_op, m.self_imp
        ));
    }
    let first = r.config.tasks[0];
    for s in &r.scripted {
        let o = s.score(first);
        lines.push(format!(
            "{:<18} {:>7} {:>7.3} {:>7.3} {:>9.3} {:>7.3}  (scripted; success and theory under {})",
            s.policy.label(), "", o.success, s.op, o.op_implied, s.imp, o.task
        ));
    }
    for f in &r.failures {
        let models: Vec<String> = f.models.iter().map(|k| k.to_string()).collect();
        lines.push(format!("FAILED {}: {}", models.join(", "), f.message));
    }
    lines.join("\n")
}

/// Trains one model (pretraining, RL, every measure) and returns the
/// results (JSON or a summary).
pub fn train(a: TrainArgs) -> Result<String, String> {
    let mut config = ExperimentConfig::preset(preset(&a.preset)?);
    let size = Size::parse(&a.size).map_err(|e| format!("--size: {e}"))?;
    let task = SuccessSet::parse(&a.task).map_err(|e| format!("--task {}: {e}", a.task))?;
    config.sizes = vec![size];
    config.seeds = vec![a.seed];
    config.tasks = vec![task];
    a.set.apply(&mut config)?;
    if let Some(path) = &a.save_model {
        // Fail before hours of training, not after.
        may_overwrite(path, "an opimp checkpoint", a.force, is_checkpoint).map_err(|e| format!("--save-model: {e}"))?;
    }
    let mut results = Results::new(config.clone());
    results.provenance.note = "opimp train".into();
    let mut plan = Plan::new(&config, &config.models(), Widths::here());
    let kept = run_plan(&mut plan, &mut results, 1, &Runner::Native, a.save_model.is_some(), None, None, |_| Ok(()))?;
    if let Some(path) = a.save_model {
        let bytes = kept.into_iter().next().map(|(_, b)| b).ok_or("the model was not trained")?;
        write_atomically(&path, &bytes).map_err(|e| format!("--save-model: {e}"))?;
        eprintln!("saved the fine-tuned model to {path}");
    }
    if !results.failures.is_empty() {
        return Err(format!("training failed: {}", results.failures[0].message));
    }
    if a.json { results.to_json() } else { Ok(summary(&results)) }
}

/// Runs a study on every core, writing the results after every finished
/// model; re-running the same sweep resumes it.
pub fn sweep(a: SweepArgs) -> Result<String, String> {
    let mut config = match (&a.preset, &a.config) {
        (Some(p), None) => ExperimentConfig::preset(preset(p)?),
        (None, Some(path)) => {
            let text = read_text(path, 1 << 20)?;
            ExperimentConfig::from_json(&text).map_err(|e| format!("{path}: {e}"))?
        }
        _ => return Err("give --preset NAME or --config FILE".into()),
    };
    a.set.apply(&mut config)?;
    if a.print_config {
        return serde_json::to_string_pretty(&config).map_err(|e| e.to_string());
    }
    let out = a.out.ok_or("--out FILE is required (the results are written there)")?;
    let threads = match a.threads {
        Some(0) => return Err("--threads 0: use at least 1".into()),
        Some(n) if n > 64 => return Err(format!("--threads {n}: use at most 64")),
        Some(n) => n,
        None => std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
    };
    let runner = match a.engine.as_str() {
        "wasm" => Runner::Wasm(super::node::WorkerFiles::find(&a.worker)?),
        _ => Runner::Native,
    };
    let _lock = Lock::take(&out)?;
    let mut results = Results::new(config.clone());
    results.provenance.note = format!("opimp sweep, {threads} thread(s)");
    if let Runner::Wasm(_) = runner {
        results.provenance.engine = crate::study::provenance::Engines::one(crate::study::provenance::Computed::Wasm);
        results.provenance.note = format!("opimp sweep --engine wasm: the page's worker in Node.js, {threads} process(es)");
    }
    if std::path::Path::new(&out).exists() {
        let old = read_text(&out, MAX_RESULTS_BYTES).and_then(|t| Results::from_json(&t));
        match old {
            Ok(old) if old.config == config && old.provenance.build != results.provenance.build && !a.force => {
                return Err(format!(
                    "{out} holds results of this experiment computed by another build ({}, this is {}): resuming would mix their numbers; use another --out, or --force to start again",
                    old.provenance.build, results.provenance.build
                ));
            }
            Ok(old) if old.config == config && old.provenance.build == results.provenance.build => {
                let n = old.models.len();
                results.curves = old.curves;
                results.add(old.models);
                if n > 0 {
                    eprintln!("{out}: resuming, {n} models already finished");
                }
            }
            Ok(_) if !a.force => {
                return Err(format!("{out} holds results of a different experiment; use another --out, or --force to replace it"));
            }
            Err(e) if !a.force => {
                return Err(format!("{out} exists and is not a results file ({e}); use another --out, or --force to replace it"));
            }
            _ => {}
        }
    }
    let write = |r: &Results| -> Result<(), String> { write_atomically(&out, r.to_json()?.as_bytes()) };
    write(&results)?;
    if let Some(path) = &a.reuse {
        let n = reuse_models(path, &mut results)?;
        eprintln!("{path}: took {n} finished model(s) of this experiment from it");
        if n > 0 {
            results.provenance.note.push_str(&format!("; {n} model(s) taken from {} (same build, engine and settings)", file_name(path)));
        }
    }
    let widths = if let Runner::Wasm(_) = runner { Widths::WASM } else { Widths::here() };
    let mut plan = Plan::new(&config, &results.missing(), widths);
    if let Some(dir) = &a.pretrained {
        std::fs::create_dir_all(dir).map_err(|e| format!("--pretrained {dir}: {e}"))?;
        let found = reuse_pretrained(dir, &mut plan, &mut results)?;
        if found > 0 {
            eprintln!("{dir}: starting RL from {found} pretrained net(s) kept there");
        }
    }
    if let Some(dir) = &a.models {
        std::fs::create_dir_all(dir).map_err(|e| format!("--models {dir}: {e}"))?;
    }
    run_plan(&mut plan, &mut results, threads, &runner, false, a.pretrained.as_deref(), a.models.as_deref(), write)?;
    write(&results)?;
    eprintln!("wrote {} models to {out}", results.models.len());
    Ok(summary(&results))
}

#[derive(Args, Debug)]
pub struct ClaimsArgs {
    /// A results JSON file.
    #[arg(long)]
    results: String,
    /// Print the claims as JSON.
    #[arg(long)]
    json: bool,
}

/// Evaluates the post's claims on a results file.
pub fn claims(a: ClaimsArgs) -> Result<String, String> {
    let text = read_text(&a.results, MAX_RESULTS_BYTES)?;
    let r = Results::from_json(&text).map_err(|e| format!("{}: {e}", a.results))?;
    let claims = crate::study::claims::evaluate(&r);
    if a.json {
        let list: Vec<serde_json::Value> = claims
            .iter()
            .map(|c| {
                let need = match &c.verdict {
                    crate::study::claims::Verdict::NotEnough(n) => Some(n.clone()),
                    _ => None,
                };
                let effects: Vec<serde_json::Value> = c
                    .effects
                    .iter()
                    .map(|e| {
                        serde_json::json!({
                            "what": e.what, "value": e.estimate.value, "lo": e.estimate.lo, "hi": e.estimate.hi,
                            "seeds": e.estimate.n, "interval": e.estimate.method.describe(), "claim": e.side.show(),
                            "verdict": e.verdict.word(),
                        })
                    })
                    .collect();
                serde_json::json!({
                    "id": c.id.name(), "claim": c.text, "verdict": c.verdict.word(), "test": c.test,
                    "effects": effects, "context": c.context, "needs": need,
                })
            })
            .collect();
        return serde_json::to_string_pretty(&list).map_err(|e| e.to_string());
    }
    eprintln!("{} models in {} ({}); 95% intervals over seeds", r.models.len(), a.results, r.provenance.engine);
    let out: Vec<String> = claims
        .iter()
        .map(|c| {
            let detail = match &c.verdict {
                crate::study::claims::Verdict::NotEnough(n) => format!("needs {n}"),
                _ => c.numbers(),
            };
            format!("[{}] {} — {detail}", c.verdict.word(), c.text)
        })
        .collect();
    Ok(out.join("\n"))
}

/// Converts a results file to CSV.
pub fn export(a: ExportArgs) -> Result<String, String> {
    let text = read_text(&a.results, MAX_RESULTS_BYTES)?;
    let r = Results::from_json(&text).map_err(|e| format!("{}: {e}", a.results))?;
    let csv = r.to_csv();
    match a.out {
        Some(path) => {
            if same_file(&path, &a.results) {
                return Err(format!("--out {path} is the results file itself; choose another file"));
            }
            let header = csv.lines().next().unwrap_or_default().to_string();
            may_overwrite(&path, "this lab's CSV", a.force, |b| b.starts_with(header.as_bytes()))
                .map_err(|e| format!("--out: {e}"))?;
            write_atomically(&path, csv.as_bytes())?;
            Ok(String::new())
        }
        None => Ok(csv.trim_end().to_string()),
    }
}
