//! Each setting declared once: its name in links, its label and help in the
//! page, its type and bounds, and where it lives.
//!
//! A [`Setting`] reads and writes one field of a state `S` (an experiment
//! config here, the page's link state in [`crate::lab`]). Parsing a link,
//! checking a config file and the page's controls all go through the same
//! declaration, so they accept exactly the same values.

use super::config::{CONFIG_VERSION, ExperimentConfig};
use super::size::Size;
use crate::sequence::SuccessSet;
use std::fmt::Write as _;

/// A setting's type and bounds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// A whole number in `lo..=hi`.
    Int {
        /// Smallest allowed.
        lo: u64,
        /// Largest allowed.
        hi: u64,
    },
    /// A finite number in `[lo, hi]`.
    Float {
        /// Smallest allowed.
        lo: f64,
        /// Largest allowed.
        hi: f64,
    },
    /// On or off (`1`/`0`, `true`/`false`).
    Flag,
    /// Model sizes, comma-separated, each at most once.
    Sizes,
    /// Whole numbers (seeds), comma-separated, each at most once.
    Seeds {
        /// At most this many.
        max: usize,
    },
    /// Success sets separated by `;`, each at most once.
    Tasks {
        /// At most this many.
        max: usize,
    },
    /// One success set.
    Task,
    /// Four numbers in `[lo, hi]`, comma-separated (a 2x2 matrix, row-major).
    Floats4 {
        /// Smallest allowed.
        lo: f64,
        /// Largest allowed.
        hi: f64,
    },
    /// Names from a fixed list, comma-separated, each at most once.
    Names {
        /// The names allowed.
        allowed: &'static [&'static str],
    },
    /// One name from a fixed list.
    Choice {
        /// The names allowed.
        allowed: &'static [&'static str],
    },
}

/// A setting's value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A whole number.
    Int(u64),
    /// A number.
    Float(f64),
    /// On or off.
    Flag(bool),
    /// Sizes.
    Sizes(Vec<Size>),
    /// Seeds.
    Seeds(Vec<u64>),
    /// Success sets.
    Tasks(Vec<SuccessSet>),
    /// A success set.
    Task(SuccessSet),
    /// Four numbers.
    Floats4([f64; 4]),
    /// Names.
    Names(Vec<String>),
}

impl Value {
    /// The whole number (0 for another kind).
    pub fn int(&self) -> u64 {
        match self {
            Value::Int(v) => *v,
            _ => 0,
        }
    }
    /// The number (NaN for another kind).
    pub fn float(&self) -> f64 {
        match self {
            Value::Float(v) => *v,
            _ => f64::NAN,
        }
    }
    /// The flag (false for another kind).
    pub fn flag(&self) -> bool {
        matches!(self, Value::Flag(true))
    }
}

/// One setting of a state `S`.
pub struct Setting<S: 'static> {
    /// Its name in links (the query parameter).
    pub name: &'static str,
    /// Its label in the page.
    pub label: &'static str,
    /// What it means.
    pub help: &'static str,
    /// Its type and bounds.
    pub kind: Kind,
    /// Reads it.
    pub get: fn(&S) -> Value,
    /// Writes it (the value has been checked).
    pub set: fn(&mut S, Value),
    /// Bounds that depend on the rest of the state (none for most).
    pub extra: fn(&S, &Value) -> Result<(), String>,
}

/// No bounds beyond the kind's.
pub fn no_extra<S>(_: &S, _: &Value) -> Result<(), String> {
    Ok(())
}

fn fmt_float(v: f64) -> String {
    format!("{v}")
}

fn parse_int(text: &str, lo: u64, hi: u64) -> Result<u64, String> {
    let v: u64 = text.trim().parse().map_err(|_| format!("'{}' is not a whole number", text.trim()))?;
    if (lo..=hi).contains(&v) { Ok(v) } else { Err(format!("{v} is outside {lo}..={hi}")) }
}

fn parse_float(text: &str, lo: f64, hi: f64) -> Result<f64, String> {
    let v: f64 = text.trim().parse().map_err(|_| format!("'{}' is not a number", text.trim()))?;
    check_float(v, lo, hi)?;
    Ok(v)
}

fn check_float(v: f64, lo: f64, hi: f64) -> Result<(), String> {
    if v.is_finite() && v >= lo && v <= hi { Ok(()) } else { Err(format!("{v} is outside [{lo}, {hi}]")) }
}

fn parts(text: &str, sep: char) -> impl Iterator<Item = &str> {
    text.split(sep).map(str::trim).filter(|p| !p.is_empty())
}

impl<S> Setting<S> {
    /// Reads the setting from text, checking its kind's bounds.
    pub fn parse(&self, text: &str) -> Result<Value, String> {
        let v = match self.kind {
            Kind::Int { lo, hi } => Value::Int(parse_int(text, lo, hi)?),
            Kind::Float { lo, hi } => Value::Float(parse_float(text, lo, hi)?),
            Kind::Flag => match text.trim().to_ascii_lowercase().as_str() {
                "1" | "true" | "on" | "yes" => Value::Flag(true),
                "0" | "false" | "off" | "no" => Value::Flag(false),
                other => return Err(format!("'{other}' is not 1 or 0")),
            },
            Kind::Sizes => Value::Sizes(parts(text, ',').map(Size::parse).collect::<Result<_, _>>()?),
            Kind::Seeds { .. } => {
                Value::Seeds(parts(text, ',').map(|p| parse_int(p, 0, u32::MAX as u64)).collect::<Result<_, _>>()?)
            }
            Kind::Tasks { .. } => Value::Tasks(parts(text, ';').map(SuccessSet::parse).collect::<Result<_, _>>()?),
            Kind::Task => Value::Task(SuccessSet::parse(text)?),
            Kind::Floats4 { lo, hi } => {
                let ps: Vec<&str> = text.split(',').collect();
                if ps.len() != 4 {
                    return Err(format!("'{text}' needs 4 comma-separated numbers"));
                }
                let mut out = [0.0; 4];
                for (o, p) in out.iter_mut().zip(ps) {
                    *o = parse_float(p, lo, hi)?;
                }
                Value::Floats4(out)
            }
            Kind::Names { .. } => Value::Names(parts(text, ',').map(|p| p.to_ascii_lowercase()).collect()),
            Kind::Choice { .. } => Value::Names(vec![text.trim().to_ascii_lowercase()]),
        };
        self.check_kind(&v)?;
        Ok(v)
    }

    /// Checks a value against the kind's bounds.
    pub fn check_kind(&self, v: &Value) -> Result<(), String> {
        fn unique<T: PartialEq + std::fmt::Display>(items: &[T], what: &str) -> Result<(), String> {
            for (i, x) in items.iter().enumerate() {
                if items[..i].contains(x) {
                    return Err(format!("{what} {x} is given twice"));
                }
            }
            Ok(())
        }
        match (self.kind, v) {
            (Kind::Int { lo, hi }, Value::Int(x)) => {
                if (lo..=hi).contains(x) { Ok(()) } else { Err(format!("{x} is outside {lo}..={hi}")) }
            }
            (Kind::Float { lo, hi }, Value::Float(x)) => check_float(*x, lo, hi),
            (Kind::Flag, Value::Flag(_)) => Ok(()),
            (Kind::Sizes, Value::Sizes(xs)) => {
                if xs.is_empty() {
                    return Err("no sizes given".into());
                }
                unique(xs, "size")
            }
            (Kind::Seeds { max }, Value::Seeds(xs)) => {
                if xs.is_empty() || xs.len() > max {
                    return Err(format!("{} seeds; give 1 to {max}", xs.len()));
                }
                if let Some(x) = xs.iter().find(|&&x| x > u32::MAX as u64) {
                    return Err(format!("seed {x} is outside 0..={}", u32::MAX));
                }
                unique(xs, "seed")
            }
            (Kind::Tasks { max }, Value::Tasks(xs)) => {
                if xs.is_empty() || xs.len() > max {
                    return Err(format!("{} tasks; give 1 to {max}", xs.len()));
                }
                unique(xs, "task")
            }
            (Kind::Task, Value::Task(_)) => Ok(()),
            (Kind::Floats4 { lo, hi }, Value::Floats4(xs)) => xs.iter().try_for_each(|&x| check_float(x, lo, hi)),
            (Kind::Names { allowed }, Value::Names(xs)) => {
                for x in xs {
                    if !allowed.contains(&x.as_str()) {
                        return Err(format!("unknown name '{x}' (use {})", allowed.join(", ")));
                    }
                }
                unique(xs, "name")
            }
            (Kind::Choice { allowed }, Value::Names(xs)) => match xs.as_slice() {
                [x] if allowed.contains(&x.as_str()) => Ok(()),
                _ => Err(format!("'{}' is not one of {}", xs.join(","), allowed.join(", "))),
            },
            (kind, v) => Err(format!("{v:?} is not a {kind:?}")),
        }
    }

    /// Writes a value as link text (what [`parse`](Self::parse) reads back).
    pub fn format(&self, v: &Value) -> String {
        match v {
            Value::Int(x) => x.to_string(),
            Value::Float(x) => fmt_float(*x),
            Value::Flag(x) => if *x { "1" } else { "0" }.into(),
            Value::Sizes(xs) => xs.iter().map(|s| s.name()).collect::<Vec<_>>().join(","),
            Value::Seeds(xs) => xs.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(","),
            Value::Tasks(xs) => xs.iter().map(|t| t.name()).collect::<Vec<_>>().join(";"),
            Value::Task(t) => t.name(),
            Value::Floats4(xs) => xs.iter().map(|x| fmt_float(*x)).collect::<Vec<_>>().join(","),
            Value::Names(xs) => xs.join(","),
        }
    }

    /// The setting's value in a state.
    pub fn read(&self, s: &S) -> Value {
        (self.get)(s)
    }

    /// The setting's value in a state, as link text.
    pub fn read_text(&self, s: &S) -> String {
        self.format(&(self.get)(s))
    }

    /// Checks a value (kind and state-dependent bounds) and writes it, or
    /// says why it was refused (the state is then unchanged).
    pub fn write(&self, s: &mut S, v: Value) -> Result<(), String> {
        self.check_kind(&v)?;
        (self.extra)(s, &v)?;
        (self.set)(s, v);
        Ok(())
    }

    /// Checks the setting's current value in a state.
    pub fn check(&self, s: &S) -> Result<(), String> {
        let v = (self.get)(s);
        self.check_kind(&v).and_then(|_| (self.extra)(s, &v)).map_err(|e| format!("{}: {e}", self.name))
    }

    /// The bounds, in words, for help texts.
    pub fn bounds(&self) -> String {
        let mut out = String::new();
        let _ = match self.kind {
            Kind::Int { lo, hi } => write!(out, "{lo}..={hi}"),
            Kind::Float { lo, hi } => write!(out, "[{lo}, {hi}]"),
            Kind::Flag => write!(out, "1 or 0"),
            Kind::Sizes => write!(out, "s, m, l, xl"),
            Kind::Seeds { max } => write!(out, "1 to {max} whole numbers"),
            Kind::Tasks { max } => write!(out, "1 to {max} of n2, n4, n6 or outcome lists"),
            Kind::Task => write!(out, "n2, n4, n6 or an outcome list"),
            Kind::Floats4 { lo, hi } => write!(out, "4 numbers in [{lo}, {hi}]"),
            Kind::Names { allowed } => write!(out, "any of {}", allowed.join(", ")),
            Kind::Choice { allowed } => write!(out, "one of {}", allowed.join(", ")),
        };
        out
    }
}

impl ExperimentConfig {
    /// Checks every setting against its declaration, naming the first that
    /// is wrong.
    pub fn check(&self) -> Result<(), String> {
        if self.version != CONFIG_VERSION {
            return Err(format!("config version {} is not {CONFIG_VERSION}", self.version));
        }
        for s in EXPERIMENT {
            s.check(self)?;
        }
        Ok(())
    }
}

macro_rules! int_setting {
    ($name:literal, $label:literal, $help:literal, $($field:ident).+, $lo:expr, $hi:expr) => {
        Setting {
            name: $name,
            label: $label,
            help: $help,
            kind: Kind::Int { lo: $lo, hi: $hi },
            get: |c: &ExperimentConfig| Value::Int(c.$($field).+ as u64),
            set: |c: &mut ExperimentConfig, v| c.$($field).+ = v.int() as _,
            extra: no_extra,
        }
    };
}

macro_rules! float_setting {
    ($name:literal, $label:literal, $help:literal, $($field:ident).+, $lo:expr, $hi:expr) => {
        Setting {
            name: $name,
            label: $label,
            help: $help,
            kind: Kind::Float { lo: $lo, hi: $hi },
            get: |c: &ExperimentConfig| Value::Float(c.$($field).+),
            set: |c: &mut ExperimentConfig, v| c.$($field).+ = v.float(),
            extra: no_extra,
        }
    };
}

/// Model sizes.
pub static SIZES: Setting<ExperimentConfig> = Setting {
    name: "sizes",
    label: "Sizes",
    help: "model sizes, comma-separated: s, m, l, xl",
    kind: Kind::Sizes,
    get: |c| Value::Sizes(c.sizes.clone()),
    set: |c, v| {
        if let Value::Sizes(mut xs) = v {
            xs.sort();
            c.sizes = xs;
        }
    },
    extra: no_extra,
};

/// Model seeds.
pub static SEEDS: Setting<ExperimentConfig> = Setting {
    name: "seeds",
    label: "Seeds",
    help: "model seeds, comma-separated whole numbers (one model per size and seed)",
    kind: Kind::Seeds { max: 20 },
    get: |c| Value::Seeds(c.seeds.clone()),
    set: |c, v| {
        if let Value::Seeds(xs) = v {
            c.seeds = xs;
        }
    },
    extra: no_extra,
};

/// Tasks.
pub static TASKS: Setting<ExperimentConfig> = Setting {
    name: "tasks",
    label: "Tasks",
    help: "tasks each pretrained model is fine-tuned on, separated by ';': n2, n4, n6 or outcome lists such as 0,3,5",
    kind: Kind::Tasks { max: 8 },
    get: |c| Value::Tasks(c.tasks.clone()),
    set: |c, v| {
        if let Value::Tasks(xs) = v {
            c.tasks = xs;
        }
    },
    extra: no_extra,
};

/// Pretraining steps.
pub static STEPS: Setting<ExperimentConfig> =
    int_setting!("steps", "Pretraining steps", "AdamW steps of next-token pretraining", pretrain.steps, 0, 100_000);
/// Pretraining batch.
pub static BATCH: Setting<ExperimentConfig> =
    int_setting!("batch", "Batch", "windows per pretraining step", pretrain.batch, 1, 1024);
/// Pretraining learning rate.
pub static LR: Setting<ExperimentConfig> =
    float_setting!("lr", "LR", "pretraining learning rate", pretrain.lr, 0.0, 1.0);
/// Weight decay.
pub static WD: Setting<ExperimentConfig> =
    float_setting!("wd", "Weight decay", "AdamW weight decay", pretrain.weight_decay, 0.0, 1.0);
/// Pretraining evaluation interval.
pub static EVAL_EVERY: Setting<ExperimentConfig> = int_setting!(
    "eval_every",
    "Evaluate every",
    "pretraining steps between loss and accuracy evaluations",
    pretrain.eval_every,
    1,
    100_000
);
/// Evaluation windows.
pub static EVAL_WINDOWS: Setting<ExperimentConfig> = int_setting!(
    "eval_windows",
    "Evaluation windows",
    "windows in each loss and accuracy evaluation",
    pretrain.eval_windows,
    1,
    20_000
);
/// Training sequence length.
pub static TRAIN_TOKENS: Setting<ExperimentConfig> = int_setting!(
    "train_tokens",
    "Training tokens",
    "length of the training sequence",
    pretrain.train_tokens,
    1000,
    5_000_000
);
/// Test sequence length.
pub static TEST_TOKENS: Setting<ExperimentConfig> = int_setting!(
    "test_tokens",
    "Test tokens",
    "length of the held-out sequence (the measures' histories come from it)",
    pretrain.test_tokens,
    1000,
    5_000_000
);
/// RL steps.
pub static RL_STEPS: Setting<ExperimentConfig> =
    int_setting!("rl_steps", "RL steps", "RL steps per task", rl.steps, 0, 100_000);
/// RL batch.
pub static RL_BATCH: Setting<ExperimentConfig> =
    int_setting!("rl_batch", "RL batch", "histories per RL step", rl.batch, 1, 1024);
/// RL learning rate.
pub static RL_LR: Setting<ExperimentConfig> = float_setting!("rl_lr", "RL LR", "RL learning rate", rl.lr, 0.0, 1.0);
/// Maintenance learning rate.
pub static MAINT_LR: Setting<ExperimentConfig> = float_setting!(
    "maint_lr",
    "Maintenance LR",
    "learning rate of the maintenance next-token steps during RL",
    rl.maintenance_lr,
    0.0,
    1.0
);
/// Maintenance batch.
pub static MAINT_BATCH: Setting<ExperimentConfig> = int_setting!(
    "maint_batch",
    "Maintenance batch",
    "windows per maintenance step",
    rl.maintenance_batch,
    1,
    1024
);
/// Maintenance frequency.
pub static MAINT_EVERY: Setting<ExperimentConfig> = int_setting!(
    "maint_every",
    "Maintenance every",
    "RL steps between maintenance steps (0: no maintenance)",
    rl.maintenance_every,
    0,
    1000
);
/// Share of maintenance windows taken from the RL rollouts.
pub static MAINT_ROLLOUTS: Setting<ExperimentConfig> = float_setting!(
    "maint_rollouts",
    "Maintenance from rollouts",
    "share of maintenance windows taken from the RL phase's own rollouts (the rest from the pretraining sequence)",
    rl.maintenance_rollouts,
    0.0,
    1.0
);
/// Whether RL samples its actions with dropout on.
pub static SAMPLE_DROPOUT: Setting<ExperimentConfig> = Setting {
    name: "sample_dropout",
    label: "Sample with dropout",
    help: "1: RL samples its actions from the network with dropout on (the same pass is reinforced); 0: from the policy itself, without dropout",
    kind: Kind::Flag,
    get: |c| Value::Flag(c.rl.sample_dropout),
    set: |c, v| c.rl.sample_dropout = v.flag(),
    extra: no_extra,
};
/// RL evaluation interval.
pub static RL_EVAL_EVERY: Setting<ExperimentConfig> = int_setting!(
    "rl_eval_every",
    "RL evaluate every",
    "RL steps between success-rate evaluations",
    rl.eval_every,
    1,
    100_000
);
/// Evaluation histories.
pub static EVAL: Setting<ExperimentConfig> = Setting {
    name: "eval",
    label: "Histories measured",
    help: "histories the measures use (cut from the held-out sequence)",
    kind: Kind::Int { lo: 1, hi: 20_000 },
    get: |c| Value::Int(c.eval_histories as u64),
    set: |c, v| c.eval_histories = v.int() as usize,
    extra: |c, v| {
        let need = 2 * v.int() as usize + 64;
        if c.pretrain.test_tokens < need {
            return Err(format!("{} histories need test_tokens of at least {need}", v.int()));
        }
        Ok(())
    },
};
/// The world's noise.
pub static EPS: Setting<ExperimentConfig> =
    float_setting!("eps", "Noise", "the world's noise rate eps", eps, 1e-6, 1.0);
/// The data seed.
pub static SEED: Setting<ExperimentConfig> = int_setting!(
    "seed",
    "Data seed",
    "seed of the data (sequences, evaluation windows and histories)",
    seed,
    0,
    u32::MAX as u64
);

/// Every experiment setting, in the order links list them.
pub static EXPERIMENT: [&Setting<ExperimentConfig>; 23] = [
    &SIZES,
    &SEEDS,
    &TASKS,
    &STEPS,
    &BATCH,
    &LR,
    &WD,
    &EVAL_EVERY,
    &EVAL_WINDOWS,
    &TRAIN_TOKENS,
    &TEST_TOKENS,
    &RL_STEPS,
    &RL_BATCH,
    &RL_LR,
    &MAINT_LR,
    &MAINT_BATCH,
    &MAINT_EVERY,
    &MAINT_ROLLOUTS,
    &SAMPLE_DROPOUT,
    &RL_EVAL_EVERY,
    &EVAL,
    &EPS,
    &SEED,
];
