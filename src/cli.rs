//! The native command line, `opimp`. Every error is one line on stderr and
//! exit code 2; nothing panics on bad input.

use crate::differential::{self, SystemSpec};
use crate::measure::{self, SequenceRule, Table};
use crate::policy::Scripted;
use crate::sequence::{self, SuccessSet};
use clap::{Args, Parser, Subcommand};
use serde::Serialize;
use std::io::Write;

/// Measure how much a policy narrows the future (optimization) and how far
/// it moves it (impact), on the study's sequence.
#[derive(Parser, Debug)]
#[command(name = "opimp", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print N tokens of the sequence, comma-separated on one line.
    #[command(allow_negative_numbers = true)]
    Generate(GenerateArgs),
    /// Measure Op, Imp and their theoretical values for a scripted policy.
    #[command(allow_negative_numbers = true)]
    Measure(MeasureArgs),
    /// Differential Op and Imp of a system given as JSON: closed form and
    /// Monte Carlo.
    #[command(allow_negative_numbers = true)]
    Differential(DifferentialArgs),
    /// Pretrain, fine-tune and measure one model; print the results.
    #[command(allow_negative_numbers = true)]
    Train(TrainArgs),
    /// Run a whole study (a preset or a config file) on every core and write
    /// the results JSON the page imports. Re-running resumes.
    #[command(allow_negative_numbers = true)]
    Sweep(SweepArgs),
    /// Convert a results JSON file to CSV (one row per model and per
    /// scripted policy).
    Export(ExportArgs),
}

#[derive(Args, Debug)]
struct TrainArgs {
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
    /// Pretraining steps (overrides the preset).
    #[arg(long)]
    steps: Option<usize>,
    /// RL steps (overrides the preset).
    #[arg(long)]
    rl_steps: Option<usize>,
    /// Measure on this many histories (overrides the preset).
    #[arg(long)]
    eval_histories: Option<usize>,
    /// Print the results as JSON (the format `sweep` writes).
    #[arg(long)]
    json: bool,
    /// Also save the fine-tuned model, with the pretrained model it started
    /// from, as a checkpoint file (the page's Import model measures it).
    #[arg(long)]
    save_model: Option<String>,
}

#[derive(Args, Debug)]
struct SweepArgs {
    /// A preset: quick, paper, scaling, cross, impact, self.
    #[arg(long, conflicts_with = "config")]
    preset: Option<String>,
    /// An experiment config as JSON (see `opimp sweep --print-config`).
    #[arg(long)]
    config: Option<String>,
    /// Where to write the results JSON (rewritten after every model).
    #[arg(long)]
    out: Option<String>,
    /// Worker threads (default: every core).
    #[arg(long)]
    threads: Option<usize>,
    /// Overwrite an existing results file of a different experiment.
    #[arg(long)]
    force: bool,
    /// Print the experiment config as JSON and exit.
    #[arg(long)]
    print_config: bool,
}

#[derive(Args, Debug)]
struct ExportArgs {
    /// A results JSON file (from `opimp sweep`, `opimp train --json` or the page).
    #[arg(long)]
    results: String,
    /// Write CSV here instead of standard output.
    #[arg(long)]
    out: Option<String>,
}

#[derive(Args, Debug)]
struct GenerateArgs {
    /// Number of tokens (1..=10000000).
    #[arg(long)]
    len: u64,
    /// RNG seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Noise rate in [0, 1].
    #[arg(long, default_value_t = sequence::DEFAULT_EPS)]
    eps: f64,
}

#[derive(Args, Debug)]
struct MeasureArgs {
    /// File with one history per line: comma-separated tokens 0..15, at least
    /// 16, the last at an even position (0..7), alternating parity.
    #[arg(long)]
    histories: String,
    /// greedy, generator, constant:N (N in 8..15), random or random:SEED.
    #[arg(long)]
    policy: String,
    /// Success set: n2, n4, n6 or a list such as 0,2,4,6.
    #[arg(long)]
    good: String,
    /// Noise rate of the world, in (0, 1].
    #[arg(long, default_value_t = sequence::DEFAULT_EPS)]
    eps: f64,
    /// Also run the post's Monte Carlo estimator.
    #[arg(long)]
    monte_carlo: bool,
    /// Histories drawn per Monte Carlo repeat (1..=5000).
    #[arg(long, default_value_t = 200)]
    samples: usize,
    /// Monte Carlo repeats (2..=1000).
    #[arg(long, default_value_t = 10)]
    repeats: usize,
    /// Seed for the Monte Carlo estimator and for a bare `random` policy.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

#[derive(Args, Debug)]
struct DifferentialArgs {
    /// JSON file: {"jg": [[..]], "jh": [[..]]} (linear), {"k": 0.5} (scalar)
    /// or {"kind": "saturating", "k": 0.5}; optional sigma, samples, splits,
    /// repeats, seed. `-` reads standard input.
    #[arg(long)]
    system: String,
}

/// The JSON `opimp measure` prints: exactly these keys, in nats.
#[derive(Serialize, Debug)]
pub struct MeasureOutput {
    pub success: f64,
    pub split_success: f64,
    pub entropy_optimized: f64,
    pub entropy_split: f64,
    pub op: f64,
    pub op_implied: f64,
    pub imp: f64,
    pub imp_min: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mc_op: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mc_op_se: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mc_imp: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mc_imp_se: Option<f64>,
}

/// Runs the command line; returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion)
                || e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            {
                let _ = e.print();
                return if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                    2
                } else {
                    0
                };
            }
            // clap's message spans lines (a list of missing arguments, a
            // tip, usage); keep what comes before "Usage:" on one line.
            let text = e.render().to_string();
            let message = text
                .lines()
                .take_while(|l| !l.starts_with("Usage:"))
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with("tip:"))
                .collect::<Vec<_>>()
                .join(" ");
            let message = message.trim_start_matches("error: ");
            eprintln!("opimp: {message} (see opimp --help)");
            return 2;
        }
    };
    let result = match cli.command {
        Command::Generate(a) => generate(a),
        Command::Measure(a) => measure(a),
        Command::Differential(a) => differential(a),
        Command::Train(a) => crate::cli_train::train(a.size, a.seed, a.task, a.preset, a.steps, a.rl_steps, a.eval_histories, a.json, a.save_model),
        Command::Sweep(a) => crate::cli_train::sweep(a.preset, a.config, a.out, a.threads, a.force, a.print_config),
        Command::Export(a) => crate::cli_train::export(a.results, a.out),
    };
    match result {
        Ok(text) if text.is_empty() => 0,
        Ok(text) => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (opimp ... | head) is not an error worth a panic.
            let _ = writeln!(out, "{text}");
            0
        }
        Err(msg) => {
            eprintln!("opimp: {}", msg.replace('\n', " "));
            2
        }
    }
}

fn generate(a: GenerateArgs) -> Result<String, String> {
    if !(1..=10_000_000).contains(&a.len) {
        return Err(format!("--len {} is out of range: use 1..=10000000", a.len));
    }
    if !(0.0..=1.0).contains(&a.eps) {
        return Err(format!("--eps {} is out of range: use a number in [0, 1]", a.eps));
    }
    let tokens = sequence::generate(a.len as usize, a.seed, a.eps);
    Ok(tokens
        .iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .join(","))
}

/// Reads a text file, naming it in the error.
pub fn read_text(path: &str) -> Result<String, String> {
    if path == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        return Ok(s);
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    String::from_utf8(bytes).map_err(|_| format!("{path} is not UTF-8 text"))
}

fn measure(a: MeasureArgs) -> Result<String, String> {
    let good = SuccessSet::parse(&a.good).map_err(|e| format!("--good {}: {e}", a.good))?;
    let policy = Scripted::parse(&a.policy, good, a.seed).map_err(|e| format!("--policy: {e}"))?;
    if !(a.eps > 0.0 && a.eps <= 1.0) {
        return Err(format!(
            "--eps {} is out of range: use a number in (0, 1] (at 0 impact can be infinite)",
            a.eps
        ));
    }
    if a.monte_carlo {
        if !(1..=5000).contains(&a.samples) {
            return Err(format!("--samples {} is out of range: use 1..=5000", a.samples));
        }
        if !(2..=1000).contains(&a.repeats) {
            return Err(format!("--repeats {} is out of range: use 2..=1000", a.repeats));
        }
    }
    let text = read_text(&a.histories)?;
    let histories = sequence::parse_histories(&text).map_err(|e| format!("{}: {e}", a.histories))?;
    let model = SequenceRule { eps: a.eps };
    let table = Table::new(&histories, measure::Policy::actions(&policy, &histories), &model);
    let m = measure::split_history_from_table(&table, good);
    let mc = a
        .monte_carlo
        .then(|| measure::monte_carlo(&table, a.samples, a.repeats, a.seed));
    let out = MeasureOutput {
        success: m.success,
        split_success: m.split_success,
        entropy_optimized: m.entropy_optimized,
        entropy_split: m.entropy_split,
        op: m.op,
        op_implied: m.op_implied,
        imp: m.imp,
        imp_min: m.imp_min,
        mc_op: mc.map(|m| m.op.mean),
        mc_op_se: mc.map(|m| m.op.se),
        mc_imp: mc.map(|m| m.imp.mean),
        mc_imp_se: mc.map(|m| m.imp.se),
    };
    serde_json::to_string(&out).map_err(|e| e.to_string())
}

fn differential(a: DifferentialArgs) -> Result<String, String> {
    let text = read_text(&a.system)?;
    let spec = SystemSpec::from_json(&text).map_err(|e| format!("{}: {e}", a.system))?;
    let prepared = spec.prepare().map_err(|e| format!("{}: {e}", a.system))?;
    let (jg, jh) = prepared.system.jacobians_at_zero();
    let (form, closed) = differential::closed_form(&jg, &jh)?;
    let mc = differential::monte_carlo(prepared.system.as_ref(), prepared.settings);
    let out = serde_json::json!({
        "kind": prepared.kind,
        "form": form,
        "closed_form": { "op": closed.op, "imp": closed.imp },
        "monte_carlo": {
            "op": mc.op.mean, "op_se": mc.op.se,
            "imp": mc.imp.mean, "imp_se": mc.imp.se,
        },
        "settings": prepared.settings,
    });
    Ok(out.to_string())
}
