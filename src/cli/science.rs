//! `opimp generate`, `opimp measure` and `opimp differential`: the science
//! core from the command line.

use super::files::read_text;
use crate::differential::{self, SystemSpec};
use crate::measure::{self, SequenceRule, Table};
use crate::policy::Scripted;
use crate::sequence::{self, SuccessSet};
use clap::Args;
use serde::Serialize;

/// Largest histories file read (bytes).
const MAX_HISTORIES_BYTES: usize = 16 << 20;
/// Largest system description read (bytes).
const MAX_SYSTEM_BYTES: usize = 1 << 20;

#[derive(Args, Debug)]
pub struct GenerateArgs {
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
pub struct MeasureArgs {
    /// File with one history per line (at most 200,000 lines, 16 MB):
    /// comma-separated tokens 0..15, at least 16, the last at an even
    /// position (0..7), alternating parity. `-` reads standard input.
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
pub struct DifferentialArgs {
    /// JSON file: {"jg": [[..]], "jh": [[..]]} (linear, at most 8x8),
    /// {"k": 0.5} (scalar) or {"kind": "saturating", "k": 0.5}; optional
    /// sigma, samples, splits, repeats, seed. `-` reads standard input.
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

pub fn generate(a: GenerateArgs) -> Result<String, String> {
    if !(1..=10_000_000).contains(&a.len) {
        return Err(format!("--len {} is out of range: use 1..=10000000", a.len));
    }
    if !(0.0..=1.0).contains(&a.eps) {
        return Err(format!("--eps {} is out of range: use a number in [0, 1]", a.eps));
    }
    let tokens = sequence::generate(a.len as usize, a.seed, a.eps);
    Ok(tokens.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(","))
}

pub fn measure(a: MeasureArgs) -> Result<String, String> {
    let good = SuccessSet::parse(&a.good).map_err(|e| format!("--good {}: {e}", a.good))?;
    let policy = Scripted::parse(&a.policy, good, a.seed).map_err(|e| format!("--policy: {e}"))?;
    if !(a.eps > 0.0 && a.eps <= 1.0) {
        return Err(format!("--eps {} is out of range: use a number in (0, 1] (at 0 impact can be infinite)", a.eps));
    }
    if a.monte_carlo {
        if !(1..=5000).contains(&a.samples) {
            return Err(format!("--samples {} is out of range: use 1..=5000", a.samples));
        }
        if !(2..=1000).contains(&a.repeats) {
            return Err(format!("--repeats {} is out of range: use 2..=1000", a.repeats));
        }
    }
    let text = read_text(&a.histories, MAX_HISTORIES_BYTES)?;
    let histories = sequence::parse_histories(&text).map_err(|e| format!("{}: {e}", a.histories))?;
    let model = SequenceRule { eps: a.eps };
    let table = Table::new(&histories, measure::Policy::actions(&policy, &histories), &model);
    let m = measure::split_history_from_table(&table, good);
    let mc = a.monte_carlo.then(|| measure::monte_carlo(&table, a.samples, a.repeats, a.seed));
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

pub fn differential(a: DifferentialArgs) -> Result<String, String> {
    let text = read_text(&a.system, MAX_SYSTEM_BYTES)?;
    let spec = SystemSpec::from_json(&text).map_err(|e| format!("{}: {e}", a.system))?;
    let prepared = spec.prepare().map_err(|e| format!("{}: {e}", a.system))?;
    let (jg, jh) = prepared.system.jacobians_at_zero();
    let (form, closed) = differential::closed_form(&jg, &jh).map_err(|e| format!("{}: {e}", a.system))?;
    let mc = differential::monte_carlo(prepared.system.as_ref(), prepared.settings);
    if ![mc.op.mean, mc.op.se, mc.imp.mean, mc.imp.se].iter().all(|v| v.is_finite()) {
        return Err(format!(
            "{}: the Monte Carlo estimate is not finite (the sampled futures do not spread: is J_h singular, or sigma too large?)",
            a.system
        ));
    }
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
