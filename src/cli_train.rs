//! `opimp train`, `opimp sweep` and `opimp export`: the study from the
//! command line, with progress bars, every core, and results that survive an
//! interruption.

use crate::cli::read_text;
use crate::experiment::{self, Event, ExperimentConfig, Failure, Job, Results, run_job};
use crate::model::{ModelConfig, cpu_device};
use crate::sequence::SuccessSet;
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::VecDeque;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

/// Prints a line above the progress bar, or on stderr when there is no
/// terminal to draw the bar on.
fn log(pb: &ProgressBar, line: String) {
    if pb.is_hidden() {
        eprintln!("{line}");
    } else {
        pb.println(line);
    }
}

fn bar(total: u64) -> ProgressBar {
    let pb = ProgressBar::new(total);
    pb.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] [{bar:30}] {percent:>3}% ETA {eta_precise} {msg}",
        )
        .expect("template")
        .progress_chars("=> "),
    );
    pb
}

/// Trains one model and returns the results (JSON or a summary).
#[allow(clippy::too_many_arguments)]
pub fn train(
    size: String,
    seed: u64,
    task: String,
    preset: String,
    steps: Option<usize>,
    rl_steps: Option<usize>,
    eval_histories: Option<usize>,
    json: bool,
    save_model: Option<String>,
) -> Result<String, String> {
    let mut config = ExperimentConfig::preset(&preset).ok_or_else(|| {
        format!("--preset {preset}: unknown preset; use {}", experiment::PRESETS.join(", "))
    })?;
    if ModelConfig::preset(&size).is_none() {
        return Err(format!("--size {size}: unknown size; use s, m, l or xl"));
    }
    let task = SuccessSet::parse(&task).map_err(|e| format!("--task {task}: {e}"))?;
    config.sizes = vec![size.clone()];
    config.seeds = vec![seed];
    config.tasks = vec![task];
    if let Some(s) = steps {
        config.pretrain.steps = s;
    }
    if let Some(s) = rl_steps {
        config.rl.steps = s;
    }
    if let Some(n) = eval_histories {
        config.eval_histories = n;
    }
    config.check()?;
    if let Some(path) = &save_model {
        // Fail before hours of training, not after.
        std::fs::write(path, b"").map_err(|e| format!("--save-model {path}: {e}"))?;
    }
    let device = cpu_device();
    let data = config.data();
    let job = Job { size: size.clone(), seed };
    let pb = bar(config.job_steps() as u64);
    let mut on = |e: Event| {
        match e {
            Event::Step { done, phase, .. } => {
                pb.set_position(done as u64);
                pb.set_message(format!("{size} seed {seed}: {}", phase_name(&phase)));
            }
            Event::Pretrain(_, p) => log(&pb, format!(
                "pretrain step {:>6}: train loss {:.3} acc {:.3} | test loss {:.3} acc {:.3}",
                p.step, p.train_loss, p.train_acc, p.test_loss, p.test_acc
            )),
            Event::Rl(_, g, p) => log(&pb, format!(
                "RL {g} step {:>6}: success {:.3} | outcome accuracy {:.3}",
                p.step, p.success, p.outcome_acc
            )),
            Event::Model(_) => {}
        }
        true
    };
    let mut checkpoint = Ok(Vec::new());
    let mut keep = |g: SuccessSet, m: &crate::model::Model, pretrained: &crate::model::Model| {
        checkpoint = experiment::trained_checkpoint(&config, &job, g, m, pretrained);
    };
    let models = run_job(&config, &job, &data, &device, &mut on, &mut keep)
        .map_err(|_| "cancelled".to_string())?;
    pb.finish_and_clear();
    if let Some(path) = save_model {
        std::fs::write(&path, checkpoint?).map_err(|e| format!("--save-model {path}: {e}"))?;
        eprintln!("saved the fine-tuned model to {path}");
    }
    let mut results = Results::new(config, &data);
    results.add(models);
    if json {
        serde_json::to_string(&results).map_err(|e| e.to_string())
    } else {
        Ok(summary(&results))
    }
}

fn phase_name(p: &experiment::Phase) -> String {
    match p {
        experiment::Phase::Pretrain => "pretraining".into(),
        experiment::Phase::Rl(g) => format!("RL on {g}"),
        experiment::Phase::Measure(g) => format!("measuring {g}"),
    }
}

/// A human summary of results: one line per model.
pub fn summary(r: &Results) -> String {
    let mut lines = vec![format!(
        "{:<4} {:>4} {:<8} {:>7} {:>7} {:>7} {:>9} {:>7} {:>7} {:>8} {:>8}",
        "size", "seed", "task", "params", "success", "Op", "Op_impl", "Imp", "Imp_min", "self Op", "self Imp"
    )];
    for m in &r.models {
        let o = m.own();
        lines.push(format!(
            "{:<4} {:>4} {:<8} {:>7} {:>7.3} {:>7.3} {:>9.3} {:>7.3} {:>7.3} {:>8.3} {:>8.3}",
            m.size, m.seed, m.task.name(), m.params, o.success, m.op, o.op_implied, m.imp, o.imp_min, m.self_op, m.self_imp
        ));
    }
    let first = r.config.tasks[0];
    for s in &r.scripted {
        let o = s.scores.iter().find(|t| t.task == first).unwrap_or(&s.scores[0]);
        lines.push(format!(
            "{:<18} {:>7} {:>7.3} {:>7.3} {:>9.3} {:>7.3}  (scripted; success and theory under {})",
            s.name, "", o.success, s.op, o.op_implied, s.imp, o.task
        ));
    }
    lines.join("\n")
}

/// Runs a study on every core, writing results after every finished job.
pub fn sweep(
    preset: Option<String>,
    config_path: Option<String>,
    out: Option<String>,
    threads: Option<usize>,
    force: bool,
    print_config: bool,
) -> Result<String, String> {
    let config = match (&preset, &config_path) {
        (Some(p), None) => ExperimentConfig::preset(p)
            .ok_or_else(|| format!("--preset {p}: unknown preset; use {}", experiment::PRESETS.join(", ")))?,
        (None, Some(path)) => {
            let text = read_text(path)?;
            let c: ExperimentConfig =
                serde_json::from_str(&text).map_err(|e| format!("{path}: not an experiment config: {e}"))?;
            c.check().map_err(|e| format!("{path}: {e}"))?;
            c
        }
        _ => return Err("give --preset NAME or --config FILE".into()),
    };
    config.check()?;
    if print_config {
        return serde_json::to_string_pretty(&config).map_err(|e| e.to_string());
    }
    let out = out.ok_or("--out FILE is required (the results are written there)")?;
    let threads = match threads {
        Some(0) => return Err("--threads 0: use at least 1".into()),
        Some(n) => n,
        None => std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
    };
    let data = config.data();
    let mut results = Results::new(config.clone(), &data);
    if let Ok(text) = std::fs::read_to_string(&out) {
        match Results::from_json(&text) {
            Ok(old) if old.config == config => {
                let n = old.models.len();
                results.add(old.models);
                if n > 0 {
                    eprintln!("{out}: resuming, {n} models already finished");
                }
            }
            Ok(_) if !force => {
                return Err(format!(
                    "{out} holds results of a different experiment; use another --out, or --force to overwrite it"
                ));
            }
            Err(e) if !force && !text.trim().is_empty() => {
                return Err(format!("{out} exists and is not a results file ({e}); use --force to overwrite it"));
            }
            _ => {}
        }
    }
    write_atomically(&out, &results)?;
    let jobs: VecDeque<Job> = config.jobs().into_iter().filter(|j| !results.has_job(j)).collect();
    let cost = |j: &Job| ExperimentConfig::step_cost(&j.size);
    let total: f64 = jobs.iter().map(|j| cost(j) * config.job_steps() as f64).sum();
    let n_jobs = jobs.len();
    let pb = bar((total * 10.0) as u64);
    pb.set_message(format!("0/{n_jobs} models of {} sizes", config.sizes.len()));
    let queue = Arc::new(Mutex::new(jobs));
    let (tx, rx) = mpsc::channel::<(Job, Option<Event>, Option<String>)>();
    let data = Arc::new(data);
    let mut handles = Vec::new();
    for _ in 0..threads.min(n_jobs.max(1)) {
        let queue = queue.clone();
        let tx = tx.clone();
        let config = config.clone();
        let data = data.clone();
        handles.push(std::thread::spawn(move || {
            let device = cpu_device();
            loop {
                let Some(job) = queue.lock().expect("queue").pop_front() else { break };
                let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    let mut on = |e: Event| tx.send((job.clone(), Some(e), None)).is_ok();
                    run_job(&config, &job, &data, &device, &mut on, &mut |_, _, _| {})
                }));
                let msg = match run {
                    Ok(Ok(_)) => None,
                    Ok(Err(_)) => return,
                    Err(p) => Some(
                        p.downcast_ref::<String>()
                            .cloned()
                            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                            .unwrap_or_else(|| "the job panicked".into()),
                    ),
                };
                // None, None marks the job's end.
                if tx.send((job.clone(), None, msg)).is_err() {
                    return;
                }
            }
        }));
    }
    drop(tx);
    let mut done_units = 0.0;
    let mut finished = 0;
    let mut last_step: std::collections::HashMap<Job, usize> = Default::default();
    for (job, event, failure) in rx {
        match (event, failure) {
            (Some(Event::Step { done, .. }), _) => {
                let prev = last_step.insert(job.clone(), done).unwrap_or(0);
                done_units += (done - prev) as f64 * cost(&job);
                pb.set_position((done_units * 10.0) as u64);
            }
            (Some(Event::Model(m)), _) => {
                log(&pb, format!(
                    "finished {} seed {} {}: success {:.3}, Op {:.3} (implied {:.3}), Imp {:.3} (min {:.3})",
                    m.size, m.seed, m.task, m.own().success, m.op, m.own().op_implied, m.imp, m.own().imp_min
                ));
                results.add(vec![*m]);
                write_atomically(&out, &results)?;
            }
            (Some(_), _) => {}
            (None, failure) => {
                finished += 1;
                if let Some(message) = failure {
                    log(&pb, format!("FAILED {} seed {}: {message}", job.size, job.seed));
                    results.failures.push(Failure { job: job.clone(), message });
                    write_atomically(&out, &results)?;
                }
                pb.set_message(format!("{finished}/{n_jobs} models"));
            }
        }
    }
    for h in handles {
        let _ = h.join();
    }
    pb.finish_and_clear();
    eprintln!("wrote {} models to {out}", results.models.len());
    Ok(summary(&results))
}

/// Writes results to a temporary file and renames it over `path`, so an
/// interruption never leaves a half-written file.
fn write_atomically(path: &str, results: &Results) -> Result<(), String> {
    let text = serde_json::to_string(results).map_err(|e| e.to_string())?;
    let tmp = format!("{path}.tmp");
    std::fs::write(&tmp, text).map_err(|e| format!("cannot write {tmp}: {e}"))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("cannot write {path}: {e}"))
}

/// Converts a results file to CSV.
pub fn export(results: String, out: Option<String>) -> Result<String, String> {
    let text = read_text(&results)?;
    let r = Results::from_json(&text).map_err(|e| format!("{results}: {e}"))?;
    let csv = r.to_csv();
    match out {
        Some(path) => {
            std::fs::write(&path, csv).map_err(|e| format!("cannot write {path}: {e}"))?;
            Ok(String::new())
        }
        None => Ok(csv.trim_end().to_string()),
    }
}
