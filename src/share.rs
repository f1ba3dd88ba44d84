//! Every setting of the lab as a URL query, declared once.
//!
//! [`PROPS`] is the one typed list of URL properties: each names its
//! parameter, says what it means, and knows how to read and write its value
//! in a [`LabState`]. [`parse`] and [`serialize`] both walk that list, so a
//! link is an experiment and the two can never disagree. Parsing never
//! fails: each bad or unknown parameter becomes a [`Notice`] naming the
//! value that was used instead.

use crate::experiment::{ExperimentConfig, FORMAT_VERSION, PRESETS};
use crate::model::SIZES;
use crate::sequence::SuccessSet;
use crate::taxonomy::Shape;
use serde::{Deserialize, Serialize};

/// The version links are written with. Version 1 is the first; a link
/// without `v` is read as version 1.
pub const LINK_VERSION: u32 = 1;

/// The misalignment taxonomy's sliders.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaxonomyState {
    /// The task whose G is used.
    pub task: SuccessSet,
    /// Success rate s.
    pub success: f64,
    /// The shape of the outcome distribution.
    pub shape: Shape,
}

/// The differential section's sliders.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DifferentialState {
    /// Scalar C (k in A = P, F = P − (1 − k) A).
    pub k: f64,
    /// J_g, 2x2, row-major.
    pub jg: [f64; 4],
    /// J_h, 2x2, row-major.
    pub jh: [f64; 4],
    /// Spread of P for the Monte Carlo check.
    pub sigma: f64,
}

/// Everything a link holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabState {
    /// The preset the experiment started from.
    pub preset: String,
    /// The experiment.
    pub experiment: ExperimentConfig,
    /// Taxonomy sliders.
    pub taxonomy: TaxonomyState,
    /// Differential sliders.
    pub differential: DifferentialState,
}

impl Default for LabState {
    fn default() -> Self {
        Self::for_preset("quick")
    }
}

impl LabState {
    /// The state a preset link opens.
    pub fn for_preset(preset: &str) -> Self {
        let experiment = ExperimentConfig::preset(preset).expect("known preset");
        LabState {
            preset: preset.to_string(),
            experiment,
            taxonomy: TaxonomyState {
                task: SuccessSet::N6,
                success: 0.85,
                shape: Shape {
                    success_outcomes: 1,
                    failure_outcomes: 1,
                },
            },
            differential: DifferentialState {
                k: 0.5,
                jg: [1.0, 0.0, 0.0, 1.0],
                jh: [0.5, 0.2, 0.1, 0.8],
                sigma: 1.0,
            },
        }
    }
}

/// A parameter that was wrong, and what was used instead.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// The parameter's name as it appeared.
    pub param: String,
    /// Its value as it appeared.
    pub value: String,
    /// What was wrong and what was used instead.
    pub message: String,
}

type Getter = fn(&LabState) -> String;
type Setter = fn(&mut LabState, &str) -> Result<(), String>;

/// One URL property.
pub struct Prop {
    /// The query parameter's name.
    pub name: &'static str,
    /// What it means.
    pub help: &'static str,
    /// Its value in a state.
    pub get: Getter,
    /// Sets it from text, or says why the text is wrong.
    pub set: Setter,
}

fn fmt_f(v: f64) -> String {
    format!("{v}")
}

fn int(text: &str, lo: u64, hi: u64) -> Result<u64, String> {
    let v: u64 = text
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a whole number"))?;
    if (lo..=hi).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{v} is outside {lo}..={hi}"))
    }
}

fn float(text: &str, lo: f64, hi: f64) -> Result<f64, String> {
    let v: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a number"))?;
    if v.is_finite() && v >= lo && v <= hi {
        Ok(v)
    } else {
        Err(format!("{text} is outside [{lo}, {hi}]"))
    }
}

fn floats4(text: &str, lo: f64, hi: f64) -> Result<[f64; 4], String> {
    let parts: Vec<&str> = text.split(',').collect();
    if parts.len() != 4 {
        return Err(format!("'{text}' needs 4 comma-separated numbers"));
    }
    let mut out = [0.0; 4];
    for (o, p) in out.iter_mut().zip(parts) {
        *o = float(p, lo, hi)?;
    }
    Ok(out)
}

fn join_f4(v: &[f64; 4]) -> String {
    v.iter().map(|x| fmt_f(*x)).collect::<Vec<_>>().join(",")
}

macro_rules! int_prop {
    ($name:literal, $help:literal, $($field:ident).+, $lo:expr, $hi:expr) => {
        Prop {
            name: $name,
            help: $help,
            get: |s| s.$($field).+.to_string(),
            set: |s, t| {
                s.$($field).+ = int(t, $lo, $hi)? as _;
                Ok(())
            },
        }
    };
}

macro_rules! float_prop {
    ($name:literal, $help:literal, $($field:ident).+, $lo:expr, $hi:expr) => {
        Prop {
            name: $name,
            help: $help,
            get: |s| fmt_f(s.$($field).+),
            set: |s, t| {
                s.$($field).+ = float(t, $lo, $hi)?;
                Ok(())
            },
        }
    };
}

/// The one list of URL properties, in the order they are read and written.
/// `preset` comes first: it sets every default the others then change.
pub const PROPS: &[Prop] = &[
    Prop {
        name: "preset",
        help: "starting point: quick, paper, scaling, cross, impact or self",
        get: |s| s.preset.clone(),
        set: |s, t| {
            let t = t.trim().to_ascii_lowercase();
            if !PRESETS.contains(&t.as_str()) {
                return Err(format!("unknown preset '{t}' (use {})", PRESETS.join(", ")));
            }
            let keep = (s.taxonomy.clone(), s.differential.clone());
            *s = LabState::for_preset(&t);
            (s.taxonomy, s.differential) = keep;
            Ok(())
        },
    },
    Prop {
        name: "sizes",
        help: "model sizes, comma-separated: s, m, l, xl",
        get: |s| s.experiment.sizes.join(","),
        set: |s, t| {
            let mut sizes = Vec::new();
            for part in t.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let p = part.to_ascii_lowercase();
                if !SIZES.contains(&p.as_str()) {
                    return Err(format!("unknown size '{part}' (use s, m, l, xl)"));
                }
                if !sizes.contains(&p) {
                    sizes.push(p);
                }
            }
            if sizes.is_empty() {
                return Err("no sizes given".into());
            }
            s.experiment.sizes = sizes;
            Ok(())
        },
    },
    Prop {
        name: "seeds",
        help: "model seeds, comma-separated whole numbers (at most 20)",
        get: |s| {
            s.experiment
                .seeds
                .iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(",")
        },
        set: |s, t| {
            let mut seeds = Vec::new();
            for part in t.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let v = int(part, 0, u32::MAX as u64)?;
                if !seeds.contains(&v) {
                    seeds.push(v);
                }
            }
            if seeds.is_empty() || seeds.len() > 20 {
                return Err(format!("{} seeds; give 1 to 20", seeds.len()));
            }
            s.experiment.seeds = seeds;
            Ok(())
        },
    },
    Prop {
        name: "tasks",
        help: "tasks, separated by ';': n2, n4, n6 or outcome lists such as 0,3,5",
        get: |s| {
            s.experiment
                .tasks
                .iter()
                .map(|t| t.name())
                .collect::<Vec<_>>()
                .join(";")
        },
        set: |s, t| {
            let mut tasks = Vec::new();
            for part in t.split(';').map(str::trim).filter(|p| !p.is_empty()) {
                let g = SuccessSet::parse(part)?;
                if !tasks.contains(&g) {
                    tasks.push(g);
                }
            }
            if tasks.is_empty() || tasks.len() > 8 {
                return Err(format!("{} tasks; give 1 to 8", tasks.len()));
            }
            s.experiment.tasks = tasks;
            Ok(())
        },
    },
    int_prop!("steps", "pretraining steps", experiment.pretrain.steps, 0, 200_000),
    int_prop!("batch", "pretraining batch size", experiment.pretrain.batch, 1, 1024),
    float_prop!("lr", "pretraining learning rate", experiment.pretrain.lr, 0.0, 1.0),
    float_prop!("wd", "AdamW weight decay", experiment.pretrain.weight_decay, 0.0, 1.0),
    int_prop!("eval_every", "pretraining evaluation interval (steps)", experiment.pretrain.eval_every, 1, 100_000),
    int_prop!("eval_windows", "windows per loss/accuracy evaluation", experiment.pretrain.eval_windows, 1, 20_000),
    int_prop!("train_tokens", "length of the training sequence", experiment.pretrain.train_tokens, 1000, 5_000_000),
    int_prop!("test_tokens", "length of the held-out sequence", experiment.pretrain.test_tokens, 1000, 5_000_000),
    int_prop!("rl_steps", "RL steps per task", experiment.rl.steps, 0, 200_000),
    int_prop!("rl_batch", "RL batch size", experiment.rl.batch, 1, 1024),
    float_prop!("rl_lr", "RL learning rate", experiment.rl.lr, 0.0, 1.0),
    float_prop!("maint_lr", "maintenance learning rate", experiment.rl.maintenance_lr, 0.0, 1.0),
    int_prop!("maint_batch", "maintenance batch size", experiment.rl.maintenance_batch, 1, 1024),
    int_prop!("rl_eval_every", "RL evaluation interval (steps)", experiment.rl.eval_every, 1, 100_000),
    int_prop!("eval", "histories the measures use", experiment.eval_histories, 1, 20_000),
    float_prop!("eps", "the world's noise rate", experiment.eps, 1e-6, 1.0),
    int_prop!("seed", "seed of the data", experiment.seed, 0, u32::MAX as u64),
    Prop {
        name: "tax_task",
        help: "taxonomy: the task (n2, n4, n6 or a list)",
        get: |s| s.taxonomy.task.name(),
        set: |s, t| {
            s.taxonomy.task = SuccessSet::parse(t)?;
            let (shape, _) = s.taxonomy.shape.clamped(s.taxonomy.task);
            s.taxonomy.shape = shape;
            Ok(())
        },
    },
    float_prop!("tax_s", "taxonomy: success rate", taxonomy.success, 0.0, 1.0),
    Prop {
        name: "tax_succ",
        help: "taxonomy: outcomes of G the successes spread over",
        get: |s| s.taxonomy.shape.success_outcomes.to_string(),
        set: |s, t| {
            let n = int(t, 1, s.taxonomy.task.len() as u64)?;
            s.taxonomy.shape.success_outcomes = n as usize;
            Ok(())
        },
    },
    Prop {
        name: "tax_fail",
        help: "taxonomy: outcomes outside G the failures spread over",
        get: |s| s.taxonomy.shape.failure_outcomes.to_string(),
        set: |s, t| {
            let n = int(t, 1, 8 - s.taxonomy.task.len() as u64)?;
            s.taxonomy.shape.failure_outcomes = n as usize;
            Ok(())
        },
    },
    float_prop!("k", "differential: the scalar system's C", differential.k, 0.01, 3.0),
    Prop {
        name: "jg",
        help: "differential: J_g (2x2, row-major, 4 numbers)",
        get: |s| join_f4(&s.differential.jg),
        set: |s, t| {
            s.differential.jg = floats4(t, -10.0, 10.0)?;
            Ok(())
        },
    },
    Prop {
        name: "jh",
        help: "differential: J_h (2x2, row-major, 4 numbers)",
        get: |s| join_f4(&s.differential.jh),
        set: |s, t| {
            s.differential.jh = floats4(t, -10.0, 10.0)?;
            Ok(())
        },
    },
    float_prop!("sigma", "differential: spread of P", differential.sigma, 0.01, 10.0),
];

/// Decodes `%XX` and `+` in a query component; invalid escapes stay as they
/// are.
pub fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Encodes a value for a query: keeps letters, digits and `-_.~,`.
pub fn encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~,".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Reads a query string (with or without the leading `?`). Never fails:
/// returns the state and a notice for each parameter that was unknown,
/// repeated or invalid, naming the value used instead.
pub fn parse(query: &str) -> (LabState, Vec<Notice>) {
    let query = query.strip_prefix('?').unwrap_or(query);
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut notices = Vec::new();
    for piece in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = piece.split_once('=').unwrap_or((piece, ""));
        let (k, v) = (decode(k), decode(v));
        if pairs.iter().any(|(pk, _)| *pk == k) {
            notices.push(Notice {
                param: k.clone(),
                value: v,
                message: format!("'{k}' is given more than once; the first value was used"),
            });
            continue;
        }
        pairs.push((k, v));
    }
    let mut state = LabState::default();
    for (k, v) in &pairs {
        if k == "v" {
            match v.trim().parse::<u32>() {
                Ok(n) if (1..=LINK_VERSION).contains(&n) => {}
                _ => notices.push(Notice {
                    param: k.clone(),
                    value: v.clone(),
                    message: format!(
                        "link version '{v}' is not one this lab reads (1..={LINK_VERSION}); read as version {LINK_VERSION}"
                    ),
                }),
            }
        } else if !PROPS.iter().any(|p| p.name == k) {
            notices.push(Notice {
                param: k.clone(),
                value: v.clone(),
                message: format!("unknown parameter '{k}' was ignored"),
            });
        }
    }
    for prop in PROPS {
        let Some((k, v)) = pairs.iter().find(|(k, _)| k == prop.name) else {
            continue;
        };
        let before = (prop.get)(&state);
        if let Err(e) = (prop.set)(&mut state, v) {
            notices.push(Notice {
                param: k.clone(),
                value: v.clone(),
                message: format!("{k}: {e}; used {before}"),
            });
        }
    }
    if let Err(e) = state.experiment.check() {
        let fallback = ExperimentConfig::preset(&state.preset).expect("preset");
        notices.push(Notice {
            param: "experiment".into(),
            value: String::new(),
            message: format!("the settings do not fit together ({e}); used the '{}' preset's experiment", state.preset),
        });
        state.experiment = fallback;
    }
    (state, notices)
}

/// Writes a state as a query string (without `?`): the version, the preset,
/// then only the properties that differ from what the preset gives.
pub fn serialize(state: &LabState) -> String {
    let base = {
        let mut b = LabState::for_preset(&state.preset);
        b.preset = state.preset.clone();
        b
    };
    let mut parts = vec![format!("v={LINK_VERSION}")];
    for prop in PROPS {
        let value = (prop.get)(state);
        if prop.name == "preset" || value != (prop.get)(&base) {
            parts.push(format!("{}={}", prop.name, encode(&value)));
        }
    }
    parts.join("&")
}

/// Whether a query names an experiment (a preset or any experiment
/// setting), as opposed to a bare visit.
pub fn names_experiment(query: &str) -> bool {
    let query = query.strip_prefix('?').unwrap_or(query);
    query.split('&').any(|p| {
        let k = decode(p.split('=').next().unwrap_or(""));
        PROPS
            .iter()
            .take_while(|prop| !prop.name.starts_with("tax_"))
            .any(|prop| prop.name == k)
    })
}

const _: () = assert!(FORMAT_VERSION == 1 && LINK_VERSION == 1);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_round_trip() {
        for p in PRESETS {
            let s = LabState::for_preset(p);
            let q = serialize(&s);
            assert_eq!(q, format!("v=1&preset={p}"));
            let (back, notices) = parse(&q);
            assert!(notices.is_empty(), "{notices:?}");
            assert_eq!(back, s);
        }
    }

    #[test]
    fn changes_round_trip() {
        let mut s = LabState::for_preset("paper");
        s.experiment.sizes = vec!["s".into(), "xl".into()];
        s.experiment.seeds = vec![3, 9];
        s.experiment.tasks = vec![SuccessSet::N2, SuccessSet::parse("1,3,5").unwrap()];
        s.experiment.rl.lr = 0.000123;
        s.taxonomy.success = 0.3;
        s.differential.jg = [1.5, -0.25, 0.0, 2.0];
        let q = serialize(&s);
        let (back, notices) = parse(&q);
        assert!(notices.is_empty(), "{q}: {notices:?}");
        assert_eq!(back, s);
    }

    #[test]
    fn bad_parameters_are_named() {
        let (s, n) = parse("?preset=quick&steps=abc&colour=red&sizes=s,huge&eps=0&v=99&steps=5");
        assert_eq!(s.experiment, ExperimentConfig::preset("quick").unwrap());
        let params: Vec<&str> = n.iter().map(|n| n.param.as_str()).collect();
        for p in ["steps", "colour", "sizes", "eps", "v"] {
            assert!(params.contains(&p), "{p} missing from {params:?}");
        }
        let steps = n.iter().find(|n| n.param == "steps" && n.value == "abc").unwrap();
        let used = format!("used {}", ExperimentConfig::preset("quick").unwrap().pretrain.steps);
        assert!(steps.message.contains(&used), "{}", steps.message);
    }

    #[test]
    fn names_experiment_only_for_experiment_settings() {
        assert!(names_experiment("?preset=quick"));
        assert!(names_experiment("steps=10"));
        assert!(!names_experiment("?tax_s=0.5"));
        assert!(!names_experiment(""));
    }

    #[test]
    fn decoding() {
        assert_eq!(decode("a%2Cb+c"), "a,b c");
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz"), "%zz");
        assert_eq!(encode("n2;0,3"), "n2%3B0,3");
    }
}
