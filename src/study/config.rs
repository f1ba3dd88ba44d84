//! An experiment: one serialisable config holding everything that defines
//! it, and the presets. Its check lives with the settings' declarations
//! ([`super::settings`]), which links and the page's controls use too.

use super::key::NetKey;
use super::phases::{PretrainConfig, RlConfig};
use super::preset::Preset;
use super::size::Size;
use crate::rng::derive_seed;
use crate::sequence::{DEFAULT_EPS, SuccessSet};
use serde::{Deserialize, Serialize};

/// Version of the config format. Version 1 (the first round's) is read and
/// converted: its RL settings get the values that version trained with.
pub const CONFIG_VERSION: u32 = 2;

/// Everything that defines an experiment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExperimentConfig {
    /// Format version ([`CONFIG_VERSION`]).
    pub version: u32,
    /// Model sizes.
    pub sizes: Vec<Size>,
    /// Model seeds (one model per size and seed).
    pub seeds: Vec<u64>,
    /// Tasks each pretrained model is fine-tuned on.
    pub tasks: Vec<SuccessSet>,
    /// Pretraining settings.
    pub pretrain: PretrainConfig,
    /// RL settings.
    pub rl: RlConfig,
    /// Histories the measures are computed on.
    pub eval_histories: usize,
    /// The world's noise rate.
    pub eps: f64,
    /// Seed of the data (sequences, evaluation windows and histories).
    pub seed: u64,
}

impl ExperimentConfig {
    /// The study's full settings for one size, one seed, one task.
    pub fn base() -> Self {
        ExperimentConfig {
            version: CONFIG_VERSION,
            sizes: vec![Size::S],
            seeds: vec![0],
            tasks: vec![SuccessSet::N4],
            pretrain: PretrainConfig {
                steps: 3000,
                batch: 64,
                lr: 1e-3,
                weight_decay: 0.01,
                eval_every: 100,
                eval_windows: 1000,
                train_tokens: 200_000,
                test_tokens: 50_000,
            },
            rl: RlConfig {
                steps: 1500,
                batch: 64,
                lr: 3e-4,
                maintenance_lr: 3e-5,
                maintenance_batch: 64,
                // Chosen by measurement (BENCHMARKS.md, "RL cost, kept
                // faithful"): maintenance on the RL rollouts brings
                // self-evaluation near the measured values; every second
                // step costs a quarter less than every step and keeps the
                // study's results.
                maintenance_every: 2,
                maintenance_rollouts: 1.0,
                sample_dropout: true,
                eval_every: 100,
            },
            eval_histories: 1000,
            eps: DEFAULT_EPS,
            seed: 2024,
        }
    }

    /// A preset's experiment.
    pub fn preset(preset: Preset) -> Self {
        let mut c = Self::base();
        let all_tasks = SuccessSet::tasks().to_vec();
        match preset {
            Preset::Quick => {
                c.pretrain.steps = 1000;
                c.pretrain.eval_every = 100;
                c.pretrain.eval_windows = 500;
                c.pretrain.train_tokens = 100_000;
                c.pretrain.test_tokens = 20_000;
                c.rl.steps = 400;
                c.rl.eval_every = 50;
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
        }
        c
    }

    /// The preset whose experiment this is exactly, if any.
    pub fn which_preset(&self) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| Self::preset(*p) == *self)
    }

    /// Reads a config from JSON (version 1 or 2) and checks it.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        Self::from_value(value)
    }

    /// Reads a config from a JSON value (version 1 or 2) and checks it.
    pub fn from_value(mut value: serde_json::Value) -> Result<Self, String> {
        let version = value.get("version").and_then(|v| v.as_u64());
        match version {
            Some(1) => upgrade_v1(&mut value),
            Some(v) if v == CONFIG_VERSION as u64 => {}
            Some(v) => return Err(format!("config version {v} is not one this lab reads (1 or {CONFIG_VERSION})")),
            None => return Err("not an experiment config (no \"version\" field)".into()),
        }
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

    /// Seed of a net's weights and training randomness.
    pub fn model_seed(&self, net: NetKey) -> u64 {
        derive_seed(derive_seed(self.seed, 100 + net.size.index() as u64), net.seed)
    }

    /// The seed of the RL run of `net` on `task`.
    pub fn rl_seed(&self, net: NetKey, task: SuccessSet) -> u64 {
        derive_seed(self.model_seed(net), 2000 + task.mask() as u64)
    }
}

/// Fills a version 1 config with what that version trained with:
/// maintenance every RL step on the pretraining sequence, actions sampled
/// with dropout on.
fn upgrade_v1(value: &mut serde_json::Value) {
    value["version"] = CONFIG_VERSION.into();
    if let Some(rl) = value.get_mut("rl").and_then(|r| r.as_object_mut()) {
        rl.entry("maintenance_every").or_insert(1.into());
        rl.entry("maintenance_rollouts").or_insert(0.0.into());
        rl.entry("sample_dropout").or_insert(true.into());
    }
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
    fn checks_name_the_setting() {
        let quick = ExperimentConfig::preset(Preset::Quick);
        let mut bad = quick.clone();
        bad.sizes = vec![Size::S, Size::S];
        assert!(bad.check().unwrap_err().contains("sizes: size s is given twice"));
        let mut bad = quick.clone();
        bad.tasks = vec![SuccessSet::N4, SuccessSet::parse("0,2,4,6").unwrap()];
        assert!(bad.check().unwrap_err().contains("task n4 is given twice"));
        let mut bad = quick.clone();
        bad.rl.lr = f64::NAN;
        assert!(bad.check().unwrap_err().contains("rl_lr"));
        let mut bad = quick.clone();
        bad.eps = 0.0;
        assert!(bad.check().unwrap_err().contains("eps"));
        let mut bad = quick.clone();
        bad.pretrain.steps = 500_000;
        assert!(bad.check().unwrap_err().contains("steps"));
        let mut bad = quick.clone();
        bad.seeds = (0..21).collect();
        assert!(bad.check().unwrap_err().contains("21 seeds"));
        let mut bad = quick;
        bad.eval_histories = 20_000;
        assert!(bad.check().unwrap_err().contains("test_tokens"));
    }

    #[test]
    fn version_1_configs_are_upgraded() {
        let mut v = serde_json::to_value(ExperimentConfig::preset(Preset::Paper)).unwrap();
        v["version"] = 1.into();
        for k in ["maintenance_every", "maintenance_rollouts", "sample_dropout"] {
            v["rl"].as_object_mut().unwrap().remove(k);
        }
        let c = ExperimentConfig::from_value(v.clone()).unwrap();
        assert_eq!((c.rl.maintenance_every, c.rl.maintenance_rollouts, c.rl.sample_dropout), (1, 0.0, true));
        v["version"] = 7.into();
        assert!(ExperimentConfig::from_value(v).unwrap_err().contains("version 7"));
        assert!(ExperimentConfig::from_json("{}").unwrap_err().contains("version"));
        assert!(ExperimentConfig::from_json("[").unwrap_err().contains("not JSON"));
        let mut extra = serde_json::to_value(ExperimentConfig::preset(Preset::Quick)).unwrap();
        extra["wobble"] = 1.into();
        assert!(ExperimentConfig::from_value(extra).unwrap_err().contains("wobble"));
    }
}
