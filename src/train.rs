//! Pretraining (SCIENCE.md §2) and RL fine-tuning with maintenance (§3).
//!
//! Both are step-wise so that a caller (the CLI's threads, the browser's
//! worker) can report progress between steps. All randomness (data windows,
//! dropout masks, sampled actions, the world's noise) comes from the lab's
//! own seeded generator.

use crate::measure::{Dist, OutcomeModel, Policy, SequenceRule, Table};
use crate::model::{Model, ModelConfig, tokens_tensor};
use crate::rng::{Rng, derive_seed};
use crate::sequence::{self, CONTEXT, OUTCOMES, SuccessSet, VOCAB};
use burn::module::Module;
use burn::optim::{AdamWConfig, GradientsParams};
use burn::tensor::activation::log_softmax;
use burn::tensor::{Device, Tensor, TensorData};
use serde::{Deserialize, Serialize};

/// Pretraining settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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

/// RL fine-tuning settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RlConfig {
    /// RL steps (each also takes one maintenance step).
    pub steps: usize,
    /// Histories per RL step.
    pub batch: usize,
    /// RL learning rate.
    pub lr: f64,
    /// Maintenance (next-token on even-position targets) learning rate.
    pub maintenance_lr: f64,
    /// Windows per maintenance step.
    pub maintenance_batch: usize,
    /// Record the success rate every this many steps.
    pub eval_every: usize,
}

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

/// One point of the RL curve.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RlPoint {
    /// Steps done.
    pub step: usize,
    /// Success rate at temperature 0 on the evaluation histories (exact).
    pub success: f64,
    /// Accuracy predicting outcomes (even-position targets) on held-out
    /// windows: what maintenance keeps alive.
    pub outcome_acc: f64,
}

/// The training and test sequences and the windows evaluated on them.
#[derive(Clone, Debug)]
pub struct Data {
    /// Training sequence.
    pub train: Vec<u8>,
    /// Held-out sequence.
    pub test: Vec<u8>,
    /// Fixed windows (with their targets) from the training sequence.
    pub train_eval: Vec<(Vec<u8>, u8)>,
    /// Fixed windows from the test sequence.
    pub test_eval: Vec<(Vec<u8>, u8)>,
    /// Fixed windows from the test sequence whose target is an outcome.
    pub test_outcome_eval: Vec<(Vec<u8>, u8)>,
    /// Evaluation histories (20 tokens, ending on an even position) from the
    /// test sequence.
    pub histories: Vec<Vec<u8>>,
}

impl Data {
    /// Generates the data from `seed` (shared by every model of a study so
    /// that all are measured on the same histories).
    pub fn new(cfg: &PretrainConfig, eval_histories: usize, eps: f64, seed: u64) -> Self {
        let train = sequence::generate(cfg.train_tokens.max(CONTEXT + 2), derive_seed(seed, 1), eps);
        let test = sequence::generate(cfg.test_tokens.max(CONTEXT + 2), derive_seed(seed, 2), eps);
        let mut rng = Rng::new(derive_seed(seed, 3));
        let train_eval = random_windows(&train, cfg.eval_windows, None, &mut rng);
        let test_eval = random_windows(&test, cfg.eval_windows, None, &mut rng);
        let test_outcome_eval = random_windows(&test, cfg.eval_windows, Some(0), &mut rng);
        // Histories: windows ending on an even position (targets at odd).
        let mut starts: Vec<usize> = (0..test.len() - CONTEXT).filter(|s| (s + CONTEXT) % 2 == 1).collect();
        rng.shuffle(&mut starts);
        let histories = starts
            .iter()
            .take(eval_histories)
            .map(|&s| test[s..s + CONTEXT].to_vec())
            .collect();
        Data {
            train,
            test,
            train_eval,
            test_eval,
            test_outcome_eval,
            histories,
        }
    }
}

/// `n` random windows of `seq` with their next token; with `parity`, only
/// windows whose target position has that parity (0: outcomes).
pub fn random_windows(seq: &[u8], n: usize, parity: Option<usize>, rng: &mut Rng) -> Vec<(Vec<u8>, u8)> {
    (0..n)
        .map(|_| {
            let s = random_start(seq.len(), parity, rng);
            (seq[s..s + CONTEXT].to_vec(), seq[s + CONTEXT])
        })
        .collect()
}

/// A window start whose target (start + 20) has the given parity.
fn random_start(len: usize, parity: Option<usize>, rng: &mut Rng) -> usize {
    let span = (len - CONTEXT) as u64;
    loop {
        let s = rng.below(span) as usize;
        match parity {
            Some(p) if (s + CONTEXT) % 2 != p => continue,
            _ => return s,
        }
    }
}

/// Mean cross-entropy −Σ w log softmax(logits) / B for weights `w` [B, 16]
/// (a one-hot target, or zero rows for examples not reinforced).
fn weighted_nll(logits: Tensor<2>, weights: Tensor<2>) -> Tensor<1> {
    let [b, _] = logits.dims();
    (log_softmax(logits, 1) * weights).sum().neg() / b as f64
}

/// One-hot rows [B, 16] scaled by `w`, as a tensor.
fn one_hot(targets: &[u8], w: &[f32], device: &Device) -> Tensor<2> {
    let mut flat = vec![0f32; targets.len() * VOCAB];
    for (i, (&t, &wi)) in targets.iter().zip(w).enumerate() {
        flat[i * VOCAB + t as usize] = wi;
    }
    Tensor::from_data(TensorData::new(flat, [targets.len(), VOCAB]), device)
}

/// Loss and accuracy of `model` (no dropout) on windows with targets.
pub fn evaluate(model: &Model, windows: &[(Vec<u8>, u8)], device: &Device) -> (f64, f64) {
    let mut loss = 0.0;
    let mut correct = 0usize;
    for chunk in windows.chunks(512) {
        let inputs: Vec<Vec<u8>> = chunk.iter().map(|(w, _)| w.clone()).collect();
        for (logits, (_, target)) in model.logits(&inputs, device).iter().zip(chunk) {
            let max = logits.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
            let lse = max as f64 + logits.iter().map(|&l| ((l - max) as f64).exp()).sum::<f64>().ln();
            loss += lse - logits[*target as usize] as f64;
            let arg = argmax(logits, 0..VOCAB);
            correct += (arg == *target as usize) as usize;
        }
    }
    let n = windows.len().max(1) as f64;
    (loss / n, correct as f64 / n)
}

fn argmax(v: &[f32], range: std::ops::Range<usize>) -> usize {
    // Lowest index on ties, so argmax is deterministic.
    let mut best = range.start;
    for i in range {
        if v[i] > v[best] {
            best = i;
        }
    }
    best
}

/// The seed a trainer with `seed` draws its untrained weights from
/// (`ModelConfig::init`).
pub fn init_seed(seed: u64) -> u64 {
    derive_seed(seed, 10)
}

/// A model that trains itself one step at a time.
pub struct Trainer {
    model: Option<Model>,
    optim: burn::optim::ModuleOptimizer,
    maintenance: burn::optim::ModuleOptimizer,
    rng: Rng,
    device: Device,
    /// Steps done in the current phase.
    pub step: usize,
}

impl Trainer {
    /// A fresh model of `config` with weights from `seed`, on `device` (a
    /// plain device; training runs on its autodiff twin).
    pub fn new(config: &ModelConfig, seed: u64, weight_decay: f64, device: &Device) -> Self {
        let device = device.clone().autodiff();
        let model = config.init(init_seed(seed), &device);
        Self::from_model(model, seed, weight_decay, &device)
    }

    /// Continues training `model` (for RL after pretraining).
    pub fn from_model(model: Model, seed: u64, weight_decay: f64, device: &Device) -> Self {
        let device = device.clone().autodiff();
        let optimizer = || {
            AdamWConfig::new()
                .with_weight_decay(weight_decay as f32)
                .with_epsilon(1e-8)
                .init()
        };
        Trainer {
            model: Some(model.train()),
            optim: optimizer(),
            maintenance: optimizer(),
            rng: Rng::new(derive_seed(seed, 11)),
            device,
            step: 0,
        }
    }

    /// The model as it is now, for evaluation (no autodiff, no dropout).
    pub fn model(&self) -> Model {
        self.model.as_ref().expect("model").valid()
    }

    /// The model to continue training elsewhere.
    pub fn into_model(self) -> Model {
        self.model.expect("model")
    }

    fn descend(&mut self, logits_loss: Tensor<1>, lr: f64, maintenance: bool) {
        let model = self.model.take().expect("model");
        let grads = GradientsParams::from_grads(logits_loss.backward(), &model);
        let optim = if maintenance { &mut self.maintenance } else { &mut self.optim };
        self.model = Some(optim.step(lr, model, grads));
    }

    /// One next-token step on `batch` random windows of `seq`, targets of
    /// any parity (pretraining) or only outcomes (`outcomes_only`, the
    /// maintenance phase). Returns the batch loss.
    pub fn next_token_step(&mut self, seq: &[u8], batch: usize, lr: f64, outcomes_only: bool) -> f64 {
        let windows = random_windows(seq, batch, outcomes_only.then_some(0), &mut self.rng);
        let inputs: Vec<Vec<u8>> = windows.iter().map(|(w, _)| w.clone()).collect();
        let targets: Vec<u8> = windows.iter().map(|(_, t)| *t).collect();
        let model = self.model.as_ref().expect("model");
        let logits = model.forward(tokens_tensor(&inputs, &self.device), Some(&mut self.rng));
        let loss = weighted_nll(logits, one_hot(&targets, &vec![1.0; batch], &self.device));
        let value = loss.clone().into_scalar::<f32>() as f64;
        self.descend(loss, lr, outcomes_only);
        self.step += 1;
        value
    }

    /// One RL step: sample actions at temperature 1 (over 8..15) for `batch`
    /// histories of `seq`, let the rule draw outcomes, and reinforce the
    /// successes (cross-entropy toward the sampled action, divided by the
    /// batch size). Returns the batch's success rate.
    pub fn rl_step(&mut self, seq: &[u8], good: SuccessSet, batch: usize, lr: f64, eps: f64) -> f64 {
        let mut hs = Vec::with_capacity(batch);
        for _ in 0..batch {
            let s = random_start(seq.len(), Some(1), &mut self.rng);
            hs.push(seq[s..s + CONTEXT].to_vec());
        }
        let model = self.model.as_ref().expect("model");
        let logits = model.forward(tokens_tensor(&hs, &self.device), Some(&mut self.rng));
        let values: Vec<f32> = logits
            .clone()
            .into_data()
            .convert::<f32>()
            .try_into_vec::<f32>()
            .expect("f32 logits");
        let mut actions = Vec::with_capacity(batch);
        let mut weights = Vec::with_capacity(batch);
        for (h, row) in hs.iter().zip(values.chunks(VOCAB)) {
            let a = sample_action(row, &mut self.rng);
            let b = sequence::deterministic_outcome(h, a);
            let x = if self.rng.next_f64() < eps { self.rng.below(8) as u8 } else { b };
            actions.push(a);
            weights.push(if good.contains(x) { 1.0 } else { 0.0 });
        }
        let successes: f32 = weights.iter().sum();
        if successes > 0.0 {
            let loss = weighted_nll(logits, one_hot(&actions, &weights, &self.device));
            self.descend(loss, lr, false);
        }
        self.step += 1;
        successes as f64 / batch as f64
    }
}

/// Samples an action 8..15 from logits at temperature 1 (softmax over the
/// action tokens only).
pub fn sample_action(logits: &[f32], rng: &mut Rng) -> u8 {
    let acts = &logits[8..16];
    let max = acts.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
    let w: Vec<f64> = acts.iter().map(|&l| ((l - max) as f64).exp()).collect();
    let total: f64 = w.iter().sum();
    let mut u = rng.next_f64() * total;
    for (i, &wi) in w.iter().enumerate() {
        if u < wi {
            return 8 + i as u8;
        }
        u -= wi;
    }
    15
}

/// A trained network as a policy: argmax over the actions 8..15 (lowest on
/// ties). Histories longer than the context are cut to their last 20 tokens.
pub struct NetworkPolicy<'a> {
    /// The model (evaluation mode).
    pub model: &'a Model,
    /// Its device.
    pub device: &'a Device,
}

impl Policy for NetworkPolicy<'_> {
    fn actions(&self, histories: &[Vec<u8>]) -> Vec<u8> {
        let windows: Vec<Vec<u8>> = histories.iter().map(|h| last_window(h, &[])).collect();
        let mut out = Vec::with_capacity(histories.len());
        for chunk in windows.chunks(1024) {
            for logits in self.model.logits(chunk, self.device) {
                out.push(argmax(&logits, 8..16) as u8);
            }
        }
        out
    }
}

/// A network as a model of the world, for self-evaluation: its predicted
/// distribution over the token after h + [a], renormalised over 0..7.
pub struct NetworkOutcome<'a> {
    /// The model (evaluation mode).
    pub model: &'a Model,
    /// Its device.
    pub device: &'a Device,
}

impl OutcomeModel for NetworkOutcome<'_> {
    fn distributions(&self, histories: &[Vec<u8>], action: u8) -> Vec<Dist> {
        let windows: Vec<Vec<u8>> = histories.iter().map(|h| last_window(h, &[action])).collect();
        let mut out = Vec::with_capacity(histories.len());
        for chunk in windows.chunks(1024) {
            for logits in self.model.logits(chunk, self.device) {
                let max = logits[..OUTCOMES].iter().cloned().fold(f32::NEG_INFINITY, f32::max);
                let mut d = [0.0; OUTCOMES];
                for (x, v) in d.iter_mut().enumerate() {
                    *v = ((logits[x] - max) as f64).exp();
                }
                let total: f64 = d.iter().sum();
                out.push(d.map(|v| v / total));
            }
        }
        out
    }
}

/// The last 20 tokens of `h` followed by `extra`.
fn last_window(h: &[u8], extra: &[u8]) -> Vec<u8> {
    let mut w: Vec<u8> = h.iter().chain(extra).cloned().collect();
    if w.len() > CONTEXT {
        w.drain(..w.len() - CONTEXT);
    }
    w
}

/// Success rate of `model` at temperature 0 on `histories`, exactly, under
/// each success set: the F(G) of the split-history measure.
pub fn success_rates(model: &Model, device: &Device, histories: &[Vec<u8>], tasks: &[SuccessSet], eps: f64) -> Vec<f64> {
    let policy = NetworkPolicy { model, device };
    let table = Table::new(histories, policy.actions(histories), &SequenceRule { eps });
    let f = table.optimized_future();
    tasks.iter().map(|g| g.mass(&f)).collect()
}

/// Number of parameters of a model.
pub fn num_params(model: &Model) -> usize {
    model.num_params()
}
