//! Training curves: the pretraining curves of each net and the RL curve of
//! each fine-tuned model, one shape whether a run is live or finished.

use super::key::{ModelKey, NetKey};
use serde::{Deserialize, Serialize};

/// One point of the pretraining curves.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PretrainPoint {
    /// Steps done.
    pub step: usize,
    /// Cross-entropy on the training evaluation windows (nats).
    pub train_loss: f64,
    /// Next-token accuracy there.
    pub train_acc: f64,
    /// Cross-entropy on held-out windows.
    pub test_loss: f64,
    /// Accuracy on held-out windows.
    pub test_acc: f64,
}

/// One point of an RL curve.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RlPoint {
    /// Steps done.
    pub step: usize,
    /// Success rate at temperature 0 on the evaluation histories (exact).
    pub success: f64,
    /// Accuracy predicting outcomes (even-position targets) on held-out
    /// windows of the sequence: the world model maintenance keeps alive.
    pub outcome_acc: f64,
    /// Accuracy predicting outcomes on held-out rollout windows: an
    /// evaluation history, the policy's action sampled at temperature 1,
    /// the outcome the rule drew. What self-evaluation reads (absent in
    /// files written before it was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollout_acc: Option<f64>,
    /// The same accuracy on the rollout windows whose action is the
    /// sequence's own (the action its rule gives after the history), none
    /// where no sampled action was (or in files before it was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollout_own_acc: Option<f64>,
    /// On the rollout windows whose action is another: whether the model
    /// knows the consequences of actions the sequence never takes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollout_other_acc: Option<f64>,
}

/// The pretraining curves of one net.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetCurve {
    /// The net.
    #[serde(flatten)]
    pub net: NetKey,
    /// Its points, by step.
    pub points: Vec<PretrainPoint>,
}

/// The RL curve of one fine-tuned model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RlCurve {
    /// The model.
    #[serde(flatten)]
    pub key: ModelKey,
    /// Its points, by step.
    pub points: Vec<RlPoint>,
}

/// Every curve of an experiment.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Curves {
    /// Pretraining curves, one per net.
    pub pretrain: Vec<NetCurve>,
    /// RL curves, one per fine-tuned model.
    pub rl: Vec<RlCurve>,
}

impl Curves {
    /// Adds a pretraining point (a point at step 0 starts the curve afresh).
    pub fn push_pretrain(&mut self, net: NetKey, point: PretrainPoint) {
        let restart = point.step == 0;
        match self.pretrain.iter_mut().find(|c| c.net == net) {
            Some(c) if restart => c.points = vec![point],
            Some(c) => c.points.push(point),
            None => self.pretrain.push(NetCurve { net, points: vec![point] }),
        }
        self.pretrain.sort_by_key(|c| c.net);
    }

    /// Adds an RL point (a point at step 0 starts the curve afresh).
    pub fn push_rl(&mut self, key: ModelKey, point: RlPoint) {
        let restart = point.step == 0;
        match self.rl.iter_mut().find(|c| c.key == key) {
            Some(c) if restart => c.points = vec![point],
            Some(c) => c.points.push(point),
            None => self.rl.push(RlCurve { key, points: vec![point] }),
        }
        self.rl.sort_by_key(|c| c.key);
    }

    /// The pretraining curve of a net.
    pub fn net(&self, net: NetKey) -> Option<&NetCurve> {
        self.pretrain.iter().find(|c| c.net == net)
    }

    /// The RL curve of a model.
    pub fn model(&self, key: ModelKey) -> Option<&RlCurve> {
        self.rl.iter().find(|c| c.key == key)
    }

    /// Forgets the curves of nets (and their models) about to be trained again.
    pub fn forget(&mut self, nets: &[NetKey]) {
        self.pretrain.retain(|c| !nets.contains(&c.net));
        self.rl.retain(|c| !nets.contains(&c.key.net()));
    }

    /// Takes in another experiment's curves, replacing curves of the same
    /// nets and models.
    pub fn merge(&mut self, other: &Curves) {
        for c in &other.pretrain {
            self.pretrain.retain(|x| x.net != c.net);
            self.pretrain.push(c.clone());
        }
        for c in &other.rl {
            self.rl.retain(|x| x.key != c.key);
            self.rl.push(c.clone());
        }
        self.pretrain.sort_by_key(|c| c.net);
        self.rl.sort_by_key(|c| c.key);
    }
}
