//! A study's results: every number the study plots about each fine-tuned
//! model and each scripted policy, with the curves and where the numbers
//! came from. What `opimp sweep` writes, the site ships and the page
//! imports.

use super::config::ExperimentConfig;
use super::curves::Curves;
use super::key::ModelKey;
use super::provenance::Provenance;
use crate::measure::{self, Dist, MonteCarlo, SequenceRule, Table};
use crate::policy::Scripted;
use crate::sequence::SuccessSet;
use serde::{Deserialize, Serialize};

/// Marks a results file as this lab's.
pub const RESULTS_FORMAT: &str = "opimp-results";
/// Version of the results format (files of versions 1 and 2 are converted
/// on load; version 3 carries the flat config of [`super::config`]).
pub const RESULTS_VERSION: u32 = 3;

/// Success and theory under one success set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskScore {
    /// The success set.
    pub task: SuccessSet,
    /// s = F(G).
    pub success: f64,
    /// s' under split histories.
    pub split_success: f64,
    /// Op_implied(s, p).
    pub op_implied: f64,
    /// Imp_min(s, s').
    pub imp_min: f64,
}

/// Op and Imp against one comparison future.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpImp {
    /// Optimization, nats.
    pub op: f64,
    /// Impact, nats.
    pub imp: f64,
    /// Success rate in the comparison future (trained task).
    pub comparison_success: f64,
}

/// Op and Imp against the comparison futures other than split histories.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparisons {
    /// Every history gets action 8 (the lab's "do nothing" token).
    pub fixed: OpImp,
    /// Every history gets a uniformly random action.
    pub random: OpImp,
    /// Every history gets the untrained model's action.
    pub untrained: OpImp,
    /// Every history gets the pretrained (not fine-tuned) model's action.
    pub pretrained: OpImp,
}

/// Everything the study plots about one fine-tuned model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelResult {
    /// Which model.
    #[serde(flatten)]
    pub key: ModelKey,
    /// Trainable parameters.
    pub params: usize,
    /// H(F), nats.
    pub entropy_optimized: f64,
    /// H(F'|P''), nats.
    pub entropy_split: f64,
    /// Measured Op (split histories), nats. Does not depend on G.
    pub op: f64,
    /// Measured Imp (split histories), nats. Does not depend on G.
    pub imp: f64,
    /// Success and theory under every study task (and the trained task):
    /// cross-objective evaluation.
    pub scores: Vec<TaskScore>,
    /// Success of the pretrained model on the trained task, before RL.
    pub pretrained_success: f64,
    /// Op estimated with the model's own predictions as the world.
    pub self_op: f64,
    /// Imp estimated with the model's own predictions.
    pub self_imp: f64,
    /// Other comparison futures.
    pub comparisons: Comparisons,
    /// The post's Monte Carlo estimate (10 repeats of 200 histories; none
    /// in files converted from version 1).
    #[serde(default)]
    pub monte_carlo: Option<MonteCarlo>,
}

impl ModelResult {
    /// The score under the trained task (present in every checked result).
    pub fn own(&self) -> &TaskScore {
        self.score(self.key.task).unwrap_or(&self.scores[0])
    }

    /// The score under a success set, if measured.
    pub fn score(&self, g: SuccessSet) -> Option<&TaskScore> {
        self.scores.iter().find(|s| s.task == g)
    }
}

/// A scripted policy measured on the same histories.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScriptedResult {
    /// The policy.
    pub policy: Scripted,
    /// Measured Op.
    pub op: f64,
    /// Measured Imp.
    pub imp: f64,
    /// Scores under every study task.
    pub scores: Vec<TaskScore>,
}

impl ScriptedResult {
    /// The score under a success set, or the first one.
    pub fn score(&self, g: SuccessSet) -> &TaskScore {
        self.scores.iter().find(|s| s.task == g).unwrap_or(&self.scores[0])
    }
}

/// Models that did not come (a panic, a worker that died).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    /// The models the failed work would have produced.
    pub models: Vec<ModelKey>,
    /// What went wrong.
    pub message: String,
}

/// The outcome distribution with no responsive policy: every history gets
/// a uniformly random action (SCIENCE.md §4: the real baseline beside the
/// flat one the theory assumes).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    /// The outcome distribution.
    pub future: Dist,
    /// Its entropy, nats (ln 8 = 2.079 for the flat future).
    pub entropy: f64,
}

impl Baseline {
    /// The baseline on `histories`.
    pub fn measure(histories: &[Vec<u8>], eps: f64) -> Self {
        let mut table = Table::new(histories, vec![8; histories.len()], &SequenceRule { eps });
        table.fill_all(histories, &SequenceRule { eps });
        let mut future = [0.0; 8];
        for a in 8..16u8 {
            for (f, p) in future.iter_mut().zip(table.future_under(a)) {
                *f += p / 8.0;
            }
        }
        Baseline { entropy: measure::entropy(&future), future }
    }

    /// Op implied by success rate `s` on `g` when, without a responsive
    /// policy, outcomes follow this baseline rather than the flat future:
    /// H(B) − H(F*), F* spreading s over G and 1 − s over the rest in
    /// proportion to B.
    pub fn op_implied(&self, s: f64, g: SuccessSet) -> f64 {
        crate::taxonomy::implied_against(&self.future, s, g)
    }

}

/// A study's results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Results {
    /// Always `opimp-results`.
    pub format: String,
    /// Format version ([`RESULTS_VERSION`]).
    pub version: u32,
    /// The experiment.
    pub config: ExperimentConfig,
    /// How and by what the numbers were computed.
    pub provenance: Provenance,
    /// The outcome distribution without a responsive policy, on the
    /// evaluation histories.
    pub baseline: Baseline,
    /// Finished models, ordered by size, seed, task.
    pub models: Vec<ModelResult>,
    /// Scripted policies on the same histories.
    pub scripted: Vec<ScriptedResult>,
    /// Training curves.
    pub curves: Curves,
    /// Work that failed.
    pub failures: Vec<Failure>,
}

impl Results {
    /// Empty results for a config, with the scripted baselines measured.
    pub fn new(config: ExperimentConfig) -> Self {
        let mut r = Self::unmeasured(config);
        r.measure_baselines();
        r
    }

    /// Empty results for a config whose baselines are not measured yet
    /// (the page measures them in a worker, see [`Self::is_measured`]): no
    /// scripted policies, and the flat future the theory assumes as the
    /// baseline until the real one is measured.
    pub fn unmeasured(config: ExperimentConfig) -> Self {
        Results {
            format: RESULTS_FORMAT.into(),
            version: RESULTS_VERSION,
            baseline: Baseline { future: [0.125; 8], entropy: (8f64).ln() },
            config,
            provenance: Provenance::here(),
            models: Vec::new(),
            scripted: Vec::new(),
            curves: Curves::default(),
            failures: Vec::new(),
        }
    }

    /// Measures the scripted policies and the real baseline on the
    /// evaluation histories of every draw, pooled.
    pub fn measure_baselines(&mut self) {
        let histories = self.config.pooled_histories();
        self.scripted = scripted_baselines(&histories, &self.config);
        self.baseline = Baseline::measure(&histories, self.config.eps);
    }

    /// Whether the scripted policies and the baseline are measured.
    pub fn is_measured(&self) -> bool {
        !self.scripted.is_empty()
    }

    /// Takes the measured baselines of `other` (results of the same
    /// experiment).
    pub fn take_baselines(&mut self, other: &Results) {
        if other.config == self.config && other.is_measured() {
            self.scripted = other.scripted.clone();
            self.baseline = other.baseline.clone();
        }
    }

    /// Adds finished models (replacing any of the same key, and any failure
    /// that named it) and keeps the order fixed.
    pub fn add(&mut self, models: Vec<ModelResult>) {
        for m in models {
            self.models.retain(|x| x.key != m.key);
            for f in &mut self.failures {
                f.models.retain(|k| *k != m.key);
            }
            self.models.push(m);
        }
        self.failures.retain(|f| !f.models.is_empty());
        self.models.sort_by_key(|m| m.key);
    }

    /// The result of a model, if finished.
    pub fn model(&self, key: ModelKey) -> Option<&ModelResult> {
        self.models.iter().find(|m| m.key == key)
    }

    /// Whether a model is finished.
    pub fn has(&self, key: ModelKey) -> bool {
        self.model(key).is_some()
    }

    /// The config's models that are not finished yet.
    pub fn missing(&self) -> Vec<ModelKey> {
        self.config.models().into_iter().filter(|k| !self.has(*k)).collect()
    }

    /// Takes in another file's results of the same experiment (models,
    /// curves, failures), replacing what names the same model. Refused for
    /// another experiment.
    pub fn merge(&mut self, other: Results) -> Result<usize, String> {
        if other.config != self.config {
            return Err("the results are of a different experiment".into());
        }
        let n = other.models.len();
        self.curves.merge(&other.curves);
        self.add(other.models);
        for f in other.failures {
            if f.models.iter().all(|k| !self.has(*k)) {
                self.failures.push(f);
            }
        }
        Ok(n)
    }
}

/// The study's three tasks plus `extra` if not among them.
pub fn scored_tasks(extra: &[SuccessSet]) -> Vec<SuccessSet> {
    let mut v = SuccessSet::tasks().to_vec();
    for &t in extra {
        if !v.contains(&t) {
            v.push(t);
        }
    }
    v
}

/// Split-history measures under the first task, and scores under each.
pub fn scores(table: &Table, tasks: &[SuccessSet]) -> (measure::Measures, Vec<TaskScore>) {
    let all: Vec<measure::Measures> = tasks.iter().map(|&g| measure::split_history_from_table(table, g)).collect();
    let scores = tasks
        .iter()
        .zip(&all)
        .map(|(&task, m)| TaskScore {
            task,
            success: m.success,
            split_success: m.split_success,
            op_implied: m.op_implied,
            imp_min: m.imp_min,
        })
        .collect();
    (all.into_iter().next().expect("at least one task"), scores)
}

/// The scripted policies the page and the CLI measure beside the models:
/// greedy on each scored task, the generator, a constant, a random policy.
pub fn scripted_policies(config: &ExperimentConfig) -> Vec<Scripted> {
    let mut out: Vec<Scripted> = scored_tasks(&config.tasks).into_iter().map(|good| Scripted::Greedy { good }).collect();
    out.extend([Scripted::Generator, Scripted::Constant { action: 8 }, Scripted::Random { seed: 0 }]);
    out
}

/// Op, Imp and scores of the scripted policies on `histories`.
pub fn scripted_baselines(histories: &[Vec<u8>], config: &ExperimentConfig) -> Vec<ScriptedResult> {
    let tasks = scored_tasks(&config.tasks);
    let rule = SequenceRule { eps: config.eps };
    scripted_policies(config)
        .into_iter()
        .map(|policy| {
            let table = Table::new(histories, measure::Policy::actions(&policy, histories), &rule);
            let (m, scores) = scores(&table, &tasks);
            ScriptedResult { policy, op: m.op, imp: m.imp, scores }
        })
        .collect()
}
