//! The settings of the study's two training phases: pretraining and RL
//! fine-tuning with maintenance.

use serde::{Deserialize, Serialize};

/// Pretraining settings (SCIENCE.md §2).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PretrainConfig {
    /// AdamW steps.
    pub steps: usize,
    /// Windows per step.
    pub batch: usize,
    /// Learning rate.
    pub lr: f64,
    /// AdamW weight decay.
    pub weight_decay: f64,
    /// Evaluate train/test loss and accuracy every this many steps.
    pub eval_every: usize,
    /// Windows in each evaluation set.
    pub eval_windows: usize,
    /// Length of the training sequence (tokens).
    pub train_tokens: usize,
    /// Length of the held-out test sequence (tokens).
    pub test_tokens: usize,
}

/// RL fine-tuning settings (SCIENCE.md §3).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RlConfig {
    /// RL steps.
    pub steps: usize,
    /// Histories per RL step.
    pub batch: usize,
    /// RL learning rate.
    pub lr: f64,
    /// Maintenance (next-token on outcome targets) learning rate.
    pub maintenance_lr: f64,
    /// Windows per maintenance step.
    pub maintenance_batch: usize,
    /// RL steps between maintenance steps (0: none).
    pub maintenance_every: usize,
    /// Share of maintenance windows from the RL rollouts (history, sampled
    /// action, the outcome the rule drew); the rest come from the
    /// pretraining sequence.
    pub maintenance_rollouts: f64,
    /// Whether actions are sampled with dropout on (the reinforced pass
    /// itself) rather than from the policy without dropout.
    pub sample_dropout: bool,
    /// Record the success rate every this many steps.
    pub eval_every: usize,
}
