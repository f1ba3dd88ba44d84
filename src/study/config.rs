//! An experiment: one serialisable config holding everything that defines
//! it, and the presets.
//!
//! Every setting is declared once, in [`experiment!`] below: the declaration
//! makes the config's field (with its doc comment), its default, and the
//! [`Setting`] that links, config files, the page's controls and the
//! command line's flags all read and write through. The field's name is the
//! JSON key, the link's query parameter and (with `-` for `_`) the CLI flag;
//! links written before the names were unified are read through
//! [`LINK_ALIASES`].

use super::key::NetKey;
use super::preset::Preset;
use super::settings::{Kind, Setting, SettingValue, no_extra};
use super::size::Size;
use crate::rng::derive_seed;
use crate::sequence::{DEFAULT_EPS, SuccessSet};
use serde::{Deserialize, Serialize};

/// Version of the config format. Versions 1 (the first round's) and 2
/// (pretraining and RL settings in nested objects) are read and converted.
pub const CONFIG_VERSION: u32 = 3;

/// Declares the experiment config, stage by stage (what the page's
/// settings panel groups): each setting's field, type, default, kind (type
/// and bounds), label and state-dependent check, with its doc comment as
/// its help text, and optionally its `absent` value.
macro_rules! experiment {
    ($(
        stage $title:literal {
            $(
                $(#[doc = $doc:literal])+
                $konst:ident $field:ident : $ty:ty = $default:expr, $kind:expr, $label:literal, $extra:expr $(, absent $absent:expr)?;
            )+
        }
    )+) => {
        /// Everything that defines an experiment.
        ///
        /// A file written before a setting existed reads with that
        /// setting's `absent` value (what the lab did before it was a
        /// setting), so adding a setting needs no new format version.
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields, default = "ExperimentConfig::absent")]
        pub struct ExperimentConfig {
            /// Format version ([`CONFIG_VERSION`]).
            pub version: u32,
            $( $( $(#[doc = $doc])+ pub $field: $ty, )+ )+
        }

        impl ExperimentConfig {
            /// The study's full settings for one size, one seed, one task.
            pub fn base() -> Self {
                ExperimentConfig { version: CONFIG_VERSION, $( $( $field: $default, )+ )+ }
            }

            /// The values a file that lacks a setting is read with: each
            /// setting's `absent` value where it has one (what the lab did
            /// before the setting existed), otherwise its default.
            pub fn absent() -> Self {
                ExperimentConfig { version: CONFIG_VERSION, $( $( $field: absent_or!($($absent)?; $default), )+ )+ }
            }
        }

        $( $(
            $(#[doc = $doc])+
            pub static $konst: Setting<ExperimentConfig> = Setting {
                name: stringify!($field),
                label: $label,
                help: help_text(concat!($($doc, " "),+)),
                kind: $kind,
                get: |c| SettingValue::to_value(&c.$field),
                set: |c, v| {
                    if let Some(x) = SettingValue::from_value(v) {
                        c.$field = x;
                    }
                },
                extra: $extra,
            };
        )+ )+

        /// Every experiment setting, in the order links list them.
        pub static EXPERIMENT: &[&Setting<ExperimentConfig>] = &[$( $(&$konst),+ ),+];

        /// The settings by stage of the study, in order.
        pub static STAGES: &[Stage] = &[$( Stage { title: $title, settings: &[$(&$konst),+] } ),+];
    };
}

/// A stage of the study and its settings (a group of the settings panel).
pub struct Stage {
    /// Its title.
    pub title: &'static str,
    /// Its settings, in order.
    pub settings: &'static [&'static Setting<ExperimentConfig>],
}

/// A setting's `absent` value if it declares one, else its default.
macro_rules! absent_or {
    ($absent:expr; $default:expr) => {
        $absent
    };
    (; $default:expr) => {
        $default
    };
}

/// A doc comment as one line of help (the macro joins its lines).
const fn help_text(doc: &'static str) -> &'static str {
    doc
}

experiment! {
    stage "Models" {
        /// model sizes: s, m, l, xl
        SIZES sizes: Vec<Size> = vec![Size::S], Kind::Sizes, "Sizes", no_extra;
        /// model seeds (one model per size and seed)
        SEEDS seeds: Vec<u64> = vec![0], Kind::Seeds { max: 20 }, "Seeds", no_extra;
        /// tasks each pretrained model is fine-tuned on: n2, n4, n6 or outcome
        /// lists such as 0,3,5
        TASKS tasks: Vec<SuccessSet> = vec![SuccessSet::N4], Kind::Tasks { max: 8 }, "Tasks", no_extra;
    }
    stage "Data" {
        /// length of the training sequence (tokens)
        TRAIN_TOKENS train_tokens: usize = 200_000, Kind::Int { lo: 1000, hi: 5_000_000 }, "Training tokens", no_extra;
        /// length of the held-out sequence (the measures' histories come from it)
        TEST_TOKENS test_tokens: usize = 50_000, Kind::Int { lo: 1000, hi: 5_000_000 }, "Test tokens", no_extra;
        /// the world's noise rate eps
        EPS eps: f64 = DEFAULT_EPS, Kind::Float { lo: 1e-6, hi: 1.0 }, "Noise", no_extra;
        /// seed of the data (sequences, evaluation windows and histories); with
        /// one draw per seed, seed k's draw is data_seed + k
        DATA_SEED data_seed: u64 = 2024, Kind::Int { lo: 0, hi: u32::MAX as u64 }, "Data seed", no_extra;
        /// 1: seed k of every size and task learns from, and is measured on,
        /// its own draw of the data (data_seed + k), so a seed is a replicate
        /// over draws as well as weights and sizes compare paired by draw; 0:
        /// every seed shares data_seed's draw (files before this setting)
        DRAW_PER_SEED draw_per_seed: bool = true, Kind::Flag, "One data draw per seed", no_extra, absent false;
    }
    stage "Pretraining" {
        /// AdamW steps of next-token pretraining
        STEPS steps: usize = 3000, Kind::Int { lo: 0, hi: 100_000 }, "Pretraining steps", no_extra;
        /// windows per pretraining step
        BATCH batch: usize = 64, Kind::Int { lo: 1, hi: 1024 }, "Batch", no_extra;
        /// pretraining learning rate
        LR lr: f64 = 1e-3, Kind::Float { lo: 0.0, hi: 1.0 }, "LR", no_extra;
        /// AdamW weight decay (pretraining and RL)
        WEIGHT_DECAY weight_decay: f64 = 0.01, Kind::Float { lo: 0.0, hi: 1.0 }, "Weight decay", no_extra;
        /// 1: pre-norm blocks (x + f(norm(x))); 0: post-norm blocks
        /// (norm(x + f(x))), PyTorch's nn.TransformerEncoderLayer default
        /// (files before this setting were pre-norm)
        NORM_FIRST norm_first: bool = crate::study::size::DEFAULT_NORM_FIRST, Kind::Flag, "Pre-norm blocks", no_extra, absent true;
        /// pretraining steps between loss and accuracy evaluations
        EVAL_EVERY eval_every: usize = 100, Kind::Int { lo: 1, hi: 100_000 }, "Evaluate every", no_extra;
        /// windows in each loss and accuracy evaluation
        EVAL_WINDOWS eval_windows: usize = 1000, Kind::Int { lo: 1, hi: 20_000 }, "Evaluation windows", no_extra;
    }
    stage "RL" {
        /// RL steps per task
        RL_STEPS rl_steps: usize = 1500, Kind::Int { lo: 0, hi: 100_000 }, "RL steps", no_extra;
        /// histories per RL step
        RL_BATCH rl_batch: usize = 64, Kind::Int { lo: 1, hi: 1024 }, "RL batch", no_extra;
        /// RL learning rate
        RL_LR rl_lr: f64 = 3e-4, Kind::Float { lo: 0.0, hi: 1.0 }, "RL LR", no_extra;
        /// 1: the RL loss is the mean cross-entropy over the batch's successes
        /// (PyTorch's cross_entropy(logits[ok], actions[ok])); 0: its sum over
        /// the successes divided by the whole batch (files before this setting)
        RL_MEAN_OVER_SUCCESSES rl_mean_over_successes: bool = true, Kind::Flag, "RL loss: mean over successes", no_extra, absent false;
        /// 1: RL samples its actions from the network with dropout on (the
        /// same pass is reinforced); 0: from the policy itself, without dropout
        SAMPLE_DROPOUT sample_dropout: bool = true, Kind::Flag, "Sample with dropout", no_extra;
        /// RL steps between success-rate evaluations
        RL_EVAL_EVERY rl_eval_every: usize = 100, Kind::Int { lo: 1, hi: 100_000 }, "RL evaluate every", no_extra;
    }
    stage "Maintenance" {
        /// learning rate of the maintenance next-token steps during RL (their
        /// own AdamW state): the RL rate by default, the setting measured to
        /// keep held-out prediction while the model learns its own actions'
        /// consequences best (BENCHMARKS.md, "Maintenance: a world model of
        /// the policy's own actions")
        MAINTENANCE_LR maintenance_lr: f64 = 3e-4, Kind::Float { lo: 0.0, hi: 1.0 }, "Maintenance LR", no_extra;
        /// windows per maintenance step (outcome targets)
        MAINTENANCE_BATCH maintenance_batch: usize = 64, Kind::Int { lo: 1, hi: 1024 }, "Maintenance batch", no_extra;
        /// RL steps between maintenance steps (0: no maintenance); every step
        /// by default
        MAINTENANCE_EVERY maintenance_every: usize = 1, Kind::Int { lo: 0, hi: 1000 }, "Maintenance every", no_extra;
        /// share of maintenance windows taken from the RL phase's own rollouts
        /// (history, sampled action, the outcome the rule drew); the rest are
        /// windows of the pretraining sequence. Half by default: with it
        /// held-out outcome accuracy stays within 0.02 of where pretraining
        /// left it and the model learns the most of its own actions'
        /// consequences (with rollouts alone the first erodes, with
        /// pretraining windows alone the model never sees the second)
        MAINTENANCE_ROLLOUTS maintenance_rollouts: f64 = 0.5, Kind::Float { lo: 0.0, hi: 1.0 }, "Maintenance from rollouts", no_extra;
    }
    stage "Measures" {
        /// histories the measures use (cut from the held-out sequence)
        EVAL_HISTORIES eval_histories: usize = 1000, Kind::Int { lo: 1, hi: 20_000 }, "Histories measured", eval_fits;
    }
}

/// The evaluation histories must fit in the held-out sequence.
fn eval_fits(c: &ExperimentConfig, v: &super::settings::Value) -> Result<(), String> {
    let need = 2 * v.int() as usize + 64;
    if c.test_tokens < need {
        return Err(format!("{} histories need test_tokens of at least {need}", v.int()));
    }
    Ok(())
}

/// Names links used before each setting's link name became its field's
/// name (version 1 links): (old name, setting).
pub static LINK_ALIASES: &[(&str, &Setting<ExperimentConfig>)] = &[
    ("wd", &WEIGHT_DECAY),
    ("eval", &EVAL_HISTORIES),
    ("maint_lr", &MAINTENANCE_LR),
    ("maint_batch", &MAINTENANCE_BATCH),
    ("maint_every", &MAINTENANCE_EVERY),
    ("maint_rollouts", &MAINTENANCE_ROLLOUTS),
    ("seed", &DATA_SEED),
];

impl ExperimentConfig {
    /// A preset's experiment.
    pub fn preset(preset: Preset) -> Self {
        let mut c = Self::base();
        let all_tasks = SuccessSet::tasks().to_vec();
        match preset {
            Preset::Quick => {
                c.steps = 1000;
                c.eval_windows = 500;
                c.train_tokens = 100_000;
                c.test_tokens = 20_000;
                c.rl_steps = 400;
                c.rl_eval_every = 50;
                c.eval_histories = 500;
            }
            Preset::Paper => {
                c.sizes = Size::ALL.to_vec();
                c.seeds = (0..5).collect();
                c.tasks = all_tasks;
            }
            Preset::Scaling => {
                c.sizes = Size::ALL.to_vec();
                c.seeds = vec![0, 1];
            }
            Preset::Cross => {
                c.sizes = vec![Size::S, Size::M];
                c.seeds = vec![0, 1];
                c.tasks = all_tasks;
            }
            Preset::Impact => {
                c.sizes = vec![Size::S, Size::L];
                c.seeds = vec![0, 1];
                c.tasks = all_tasks;
            }
            Preset::SelfEval => {
                c.seeds = vec![0, 1, 2];
                c.tasks = all_tasks;
            }
            Preset::NoMaintenance => {
                c.sizes = vec![Size::S, Size::Xl];
                c.seeds = vec![0, 1];
                c.maintenance_every = 0;
            }
        }
        c
    }

    /// The preset whose experiment this is exactly, if any.
    pub fn which_preset(&self) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| Self::preset(*p) == *self)
    }

    /// Checks every setting against its declaration, naming the first that
    /// is wrong.
    pub fn check(&self) -> Result<(), String> {
        if self.version != CONFIG_VERSION {
            return Err(format!("config version {} is not {CONFIG_VERSION}", self.version));
        }
        EXPERIMENT.iter().try_for_each(|s| s.check(self))
    }

    /// Reads a config from JSON (version 1, 2 or 3) and checks it.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        Self::from_value(value)
    }

    /// Reads a config from a JSON value (version 1, 2 or 3) and checks it.
    pub fn from_value(value: serde_json::Value) -> Result<Self, String> {
        let value = upgrade(value)?;
        let c: ExperimentConfig =
            serde_json::from_value(value).map_err(|e| format!("not an experiment config: {e}"))?;
        c.check()?;
        Ok(c)
    }

    /// The pretrained nets, in a fixed order (size, then seed).
    pub fn nets(&self) -> Vec<NetKey> {
        self.sizes
            .iter()
            .flat_map(|&size| self.seeds.iter().map(move |&seed| NetKey { size, seed }))
            .collect()
    }

    /// Every fine-tuned model, in a fixed order (size, seed, task).
    pub fn models(&self) -> Vec<super::key::ModelKey> {
        self.nets().into_iter().flat_map(|n| self.tasks.iter().map(move |&t| n.on(t))).collect()
    }

    /// The shape of this experiment's models of `size` (its block order).
    pub fn shape(&self, size: Size) -> super::layout::ModelShape {
        size.shape_with(self.norm_first)
    }

    /// Seed of a net's weights and training randomness.
    pub fn model_seed(&self, net: NetKey) -> u64 {
        derive_seed(derive_seed(self.data_seed, 100 + net.size.index() as u64), net.seed)
    }

    /// The seed of the RL run of `net` on `task`.
    pub fn rl_seed(&self, net: NetKey, task: SuccessSet) -> u64 {
        derive_seed(self.model_seed(net), 2000 + task.mask() as u64)
    }
}

/// Brings a config of any version this lab reads to the current one.
///
/// Version 1 (the first round's) trained with maintenance every RL step on
/// the pretraining sequence and sampled actions with dropout on. Version 2
/// kept pretraining and RL settings in nested objects (`pretrain`, `rl`),
/// with the RL ones named without their `rl_` prefix.
pub fn upgrade(mut value: serde_json::Value) -> Result<serde_json::Value, String> {
    let version = value.get("version").and_then(|v| v.as_u64());
    match version {
        Some(1) => {
            if let Some(rl) = value.get_mut("rl").and_then(|r| r.as_object_mut()) {
                rl.entry("maintenance_every").or_insert(1.into());
                rl.entry("maintenance_rollouts").or_insert(0.0.into());
                rl.entry("sample_dropout").or_insert(true.into());
            }
            flatten_v2(&mut value)?;
        }
        Some(2) => flatten_v2(&mut value)?,
        Some(v) if v == CONFIG_VERSION as u64 => {}
        Some(v) => return Err(format!("config version {v} is not one this lab reads (1 to {CONFIG_VERSION})")),
        None => return Err("not an experiment config (no \"version\" field)".into()),
    }
    Ok(value)
}

/// Moves version 2's nested `pretrain` and `rl` settings to the top level
/// under their current names.
fn flatten_v2(value: &mut serde_json::Value) -> Result<(), String> {
    let Some(obj) = value.as_object_mut() else { return Err("not an experiment config (not a JSON object)".into()) };
    let mut take = |section: &str, rename: fn(&str) -> String| -> Result<(), String> {
        match obj.remove(section) {
            Some(serde_json::Value::Object(inner)) => {
                for (k, v) in inner {
                    obj.insert(rename(&k), v);
                }
                Ok(())
            }
            Some(_) => Err(format!("not an experiment config: \"{section}\" is not an object")),
            None => Err(format!("not an experiment config: no \"{section}\" settings")),
        }
    };
    take("pretrain", |k| k.to_string())?;
    take("rl", |k| if k.starts_with("maintenance_") || k == "sample_dropout" { k.to_string() } else { format!("rl_{k}") })?;
    if let Some(seed) = obj.remove("seed") {
        obj.insert("data_seed".into(), seed);
    }
    obj.insert("version".into(), CONFIG_VERSION.into());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_check_and_name_themselves() {
        for p in Preset::ALL {
            let c = ExperimentConfig::preset(p);
            c.check().unwrap();
            assert_eq!(c.which_preset(), Some(p), "{p}");
        }
        let paper = ExperimentConfig::preset(Preset::Paper);
        assert_eq!((paper.nets().len(), paper.models().len()), (20, 60));
    }

    #[test]
    fn every_field_is_a_setting_of_the_same_name() {
        // The JSON keys of a config are its settings' names (and the
        // version), no more and no fewer.
        let json = serde_json::to_value(ExperimentConfig::base()).unwrap();
        let mut keys: Vec<&str> = json.as_object().unwrap().keys().map(|k| k.as_str()).filter(|k| *k != "version").collect();
        let mut names: Vec<&str> = EXPERIMENT.iter().map(|s| s.name).collect();
        keys.sort();
        names.sort();
        assert_eq!(keys, names);
        // Each setting reads back what it writes.
        let mut c = ExperimentConfig::preset(Preset::Cross);
        for s in EXPERIMENT {
            let v = s.read(&c);
            s.write(&mut c, v.clone()).unwrap();
            assert_eq!(s.read(&c), v, "{}", s.name);
        }
        // Old link names lead to settings.
        for (old, s) in LINK_ALIASES {
            assert!(EXPERIMENT.iter().any(|x| x.name == s.name) && *old != s.name);
        }
    }

    #[test]
    fn checks_name_the_setting() {
        let quick = ExperimentConfig::preset(Preset::Quick);
        let mut bad = quick.clone();
        bad.sizes = vec![Size::S, Size::S];
        assert!(bad.check().unwrap_err().contains("sizes: size s is given twice"));
        let mut bad = quick.clone();
        bad.tasks = vec![SuccessSet::N4, SuccessSet::parse("0,2,4,6").unwrap()];
        assert!(bad.check().unwrap_err().contains("task n4 is given twice"));
        let mut bad = quick.clone();
        bad.rl_lr = f64::NAN;
        assert!(bad.check().unwrap_err().contains("rl_lr"));
        let mut bad = quick.clone();
        bad.eps = 0.0;
        assert!(bad.check().unwrap_err().contains("eps"));
        let mut bad = quick.clone();
        bad.steps = 500_000;
        assert!(bad.check().unwrap_err().contains("steps"));
        let mut bad = quick.clone();
        bad.seeds = (0..21).collect();
        assert!(bad.check().unwrap_err().contains("21 seeds"));
        let mut bad = quick;
        bad.eval_histories = 20_000;
        assert!(bad.check().unwrap_err().contains("test_tokens"));
    }

    #[test]
    fn older_configs_are_upgraded() {
        let v2 = serde_json::json!({
            "version": 2, "sizes": ["s", "xl"], "seeds": [0, 1], "tasks": ["n4"],
            "pretrain": {"steps": 3000, "batch": 64, "lr": 0.001, "weight_decay": 0.01, "eval_every": 100,
                         "eval_windows": 1000, "train_tokens": 200000, "test_tokens": 50000},
            "rl": {"steps": 1500, "batch": 64, "lr": 0.0003, "maintenance_lr": 3e-05, "maintenance_batch": 64,
                   "maintenance_every": 0, "maintenance_rollouts": 0.25, "sample_dropout": true, "eval_every": 100},
            "eval_histories": 1000, "eps": 0.02, "seed": 2024
        });
        let c = ExperimentConfig::from_value(v2.clone()).unwrap();
        // What the lab did before those settings existed: one draw shared
        // by every seed, pre-norm blocks, the RL loss over the batch.
        let mut before = ExperimentConfig::preset(Preset::NoMaintenance);
        (before.draw_per_seed, before.norm_first, before.rl_mean_over_successes) = (false, true, false);
        (before.maintenance_lr, before.maintenance_rollouts) = (3e-5, 0.25);
        assert_eq!(c, before);
        // A version 3 file written before them reads the same way, with no
        // new format version.
        let mut v3 = serde_json::to_value(ExperimentConfig::preset(Preset::NoMaintenance)).unwrap();
        for k in ["draw_per_seed", "norm_first", "rl_mean_over_successes"] {
            v3.as_object_mut().unwrap().remove(k);
        }
        let mut absent = ExperimentConfig::preset(Preset::NoMaintenance);
        (absent.draw_per_seed, absent.norm_first, absent.rl_mean_over_successes) = (false, true, false);
        assert_eq!(ExperimentConfig::from_value(v3).unwrap(), absent);
        let mut v1 = v2;
        v1["version"] = 1.into();
        for k in ["maintenance_every", "maintenance_rollouts", "sample_dropout"] {
            v1["rl"].as_object_mut().unwrap().remove(k);
        }
        let c = ExperimentConfig::from_value(v1.clone()).unwrap();
        assert_eq!((c.maintenance_every, c.maintenance_rollouts, c.sample_dropout, c.rl_steps), (1, 0.0, true, 1500));
        v1["version"] = 7.into();
        assert!(ExperimentConfig::from_value(v1).unwrap_err().contains("version 7"));
        assert!(ExperimentConfig::from_json("{}").unwrap_err().contains("version"));
        assert!(ExperimentConfig::from_json("[").unwrap_err().contains("not JSON"));
        assert!(ExperimentConfig::from_json(r#"{"version": 2, "pretrain": 3}"#).unwrap_err().contains("pretrain"));
        let mut extra = serde_json::to_value(ExperimentConfig::preset(Preset::Quick)).unwrap();
        extra["wobble"] = 1.into();
        assert!(ExperimentConfig::from_value(extra).unwrap_err().contains("wobble"));
    }
}
