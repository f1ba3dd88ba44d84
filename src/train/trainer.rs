//! Training a stack of models as one graph: each member draws its own data
//! and dropout masks from its own generator, the members' losses are summed
//! (so each member's gradient is its own), and AdamW updates every weight
//! element by element, so member i trains exactly as it would alone.

use super::network::last_window;
use crate::math;
use crate::model::{Stack, read, tokens_tensor};
use crate::rng::Rng;
use crate::sequence::{self, CONTEXT, SuccessSet, VOCAB};
use crate::study::data::{Window, random_start, random_windows};
use crate::study::layout::ModelShape;
use burn::module::Module;
use burn::optim::{AdamWConfig, GradientsParams};
use burn::tensor::activation::log_softmax;
use burn::tensor::{Device, Tensor, TensorData};

/// One RL example: a history, the sampled action, the outcome the rule drew.
#[derive(Clone, Debug, PartialEq)]
pub struct Rollout {
    /// The history (20 tokens, ending on an outcome).
    pub history: Vec<u8>,
    /// The sampled action (8..15).
    pub action: u8,
    /// The outcome the rule drew (0..7).
    pub outcome: u8,
}

impl Rollout {
    /// The next-token window this rollout gives: the last 20 tokens of the
    /// history and action, and the outcome after them.
    pub fn window(&self) -> Window {
        (last_window(&self.history, &[self.action]), self.outcome)
    }
}

/// The members' results of one RL step.
#[derive(Clone, Debug)]
pub struct RlStep {
    /// Each member's batch success rate.
    pub success: Vec<f64>,
    /// Each member's rollouts.
    pub rollouts: Vec<Vec<Rollout>>,
}

/// A stack of models that trains itself one step at a time.
pub struct Trainer {
    stack: Option<Stack>,
    optim: burn::optim::ModuleOptimizer,
    maintenance: burn::optim::ModuleOptimizer,
    rngs: Vec<Rng>,
    /// The autodiff device training runs on.
    device: Device,
    /// The plain device (sampling without dropout runs there).
    plain: Device,
}

/// Cross-entropy −Σ w log softmax(logits) / n_i of each member i, for
/// weights `w` [M, B, 16] (a one-hot target, or zero rows for examples not
/// reinforced) and divisors `n` (the batch size for a mean over the batch,
/// the member's count of reinforced examples for a mean over those): [M].
fn weighted_nll(logits: Tensor<3>, weights: Tensor<3>, divisors: &[f32]) -> Tensor<1> {
    let [m, _, _] = logits.dims();
    let device = logits.device();
    let sums = (log_softmax(logits, 2) * weights).sum_dim(2).sum_dim(1).reshape([m]).neg();
    if divisors.iter().all(|&d| d == divisors[0]) {
        // One divisor (every member's batch): a scalar division, as before
        // the divisor was per member, so that the same numbers come out.
        return sums / divisors[0] as f64;
    }
    sums / Tensor::<1>::from_data(TensorData::new(divisors.to_vec(), [m]), &device)
}

/// One-hot rows [M, B, 16] scaled by `w`.
fn one_hot(targets: &[Vec<u8>], w: &[Vec<f32>], device: &Device) -> Tensor<3> {
    let (m, b) = (targets.len(), targets[0].len());
    let mut flat = vec![0f32; m * b * VOCAB];
    for (i, (ts, ws)) in targets.iter().zip(w).enumerate() {
        for (j, (&t, &wj)) in ts.iter().zip(ws).enumerate() {
            flat[(i * b + j) * VOCAB + t as usize] = wj;
        }
    }
    Tensor::from_data(TensorData::new(flat, [m, b, VOCAB]), device)
}

async fn values(t: Tensor<1>) -> Vec<f64> {
    read(t).await.into_iter().map(|v| v as f64).collect()
}

/// Each member's batch loss of a step, left on the device until read: on a
/// GPU a read waits for the device, so a run reads it only when it reports.
pub struct Losses(Tensor<1>);

impl Losses {
    /// The losses (waits for the device).
    pub async fn read(self) -> Vec<f64> {
        values(self.0).await
    }
}

/// Samples an action 8..15 from logits at temperature 1 (softmax over the
/// action tokens only).
pub fn sample_action(logits: &[f32], rng: &mut Rng) -> u8 {
    let acts = &logits[8..16];
    let max = acts.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
    let w: Vec<f64> = acts.iter().map(|&l| math::exp((l - max) as f64)).collect();
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

/// The outcome the rule draws after history `h` and action `a`: its
/// deterministic outcome, or with probability `eps` a uniform one.
pub fn draw_outcome(h: &[u8], a: u8, eps: f64, rng: &mut Rng) -> u8 {
    let b = sequence::deterministic_outcome(h, a);
    if rng.next_f64() < eps { rng.below(sequence::OUTCOMES as u64) as u8 } else { b }
}

impl Trainer {
    /// Fresh members of `shape`, member i's weights drawn from
    /// `init_seeds[i]` and its training randomness from `seeds[i]`, on
    /// `device` (a plain device; training runs on its autodiff twin).
    pub fn new(shape: &ModelShape, init_seeds: &[u64], seeds: &[u64], weight_decay: f64, device: &Device) -> Self {
        Self::from_stack(Stack::init(shape, init_seeds, device), seeds, weight_decay, device)
    }

    /// Continues training `stack` (for RL after pretraining), member i
    /// drawing its randomness from `seeds[i]`.
    pub fn from_stack(stack: Stack, seeds: &[u64], weight_decay: f64, device: &Device) -> Self {
        assert_eq!(stack.members(), seeds.len(), "one seed per member");
        let plain = device.clone();
        let device = device.clone().autodiff();
        let optimizer = || AdamWConfig::new().with_weight_decay(weight_decay as f32).with_epsilon(1e-8).init();
        Trainer {
            stack: Some(stack.fork(&device).train()),
            optim: optimizer(),
            maintenance: optimizer(),
            rngs: seeds.iter().map(|&s| Rng::new(s)).collect(),
            device,
            plain,
        }
    }

    /// Number of members.
    pub fn members(&self) -> usize {
        self.rngs.len()
    }

    /// The stack as it is now, for evaluation (no autodiff, no dropout).
    pub fn stack(&self) -> Stack {
        self.stack.as_ref().expect("stack").valid()
    }

    /// Member `i`'s generator (maintenance draws its windows from it).
    pub fn rng(&mut self, i: usize) -> &mut Rng {
        &mut self.rngs[i]
    }

    fn descend(&mut self, loss: Tensor<1>, lr: f64, maintenance: bool) {
        let stack = self.stack.take().expect("stack");
        let grads = GradientsParams::from_grads(loss.sum().backward(), &stack);
        let optim = if maintenance { &mut self.maintenance } else { &mut self.optim };
        self.stack = Some(optim.step(lr, stack, grads));
    }

    /// Next-token steps on windows with targets (`windows[i]` for member i,
    /// all of one count): a forward pass with dropout, each member's mean
    /// cross-entropy, one AdamW step. Returns each member's batch loss.
    fn next_token(&mut self, windows: &[Vec<Window>], lr: f64, maintenance: bool) -> Losses {
        let m = self.members();
        let inputs: Vec<&Vec<u8>> = windows.iter().flat_map(|ws| ws.iter().map(|(w, _)| w)).collect();
        let targets: Vec<Vec<u8>> = windows.iter().map(|ws| ws.iter().map(|(_, t)| *t).collect()).collect();
        let ones: Vec<Vec<f32>> = targets.iter().map(|t| vec![1.0; t.len()]).collect();
        let stack = self.stack.as_ref().expect("stack");
        let logits = stack.forward(tokens_tensor(&inputs, m, &self.device), Some(&mut self.rngs));
        let divisors: Vec<f32> = targets.iter().map(|t| t.len() as f32).collect();
        let loss = weighted_nll(logits, one_hot(&targets, &ones, &self.device), &divisors);
        let out = Losses(loss.clone().detach());
        self.descend(loss, lr, maintenance);
        out
    }

    /// One pretraining step: member i draws `batch` random windows of its
    /// sequence `seqs[i]` (targets of either parity) from its generator.
    /// Returns each member's batch loss.
    pub fn pretrain_step(&mut self, seqs: &[&[u8]], batch: usize, lr: f64) -> Losses {
        assert_eq!(seqs.len(), self.members(), "one sequence per member");
        let windows: Vec<Vec<Window>> = self.rngs.iter_mut().zip(seqs).map(|(r, seq)| random_windows(seq, batch, None, r)).collect();
        self.next_token(&windows, lr, false)
    }

    /// One maintenance step (its own AdamW state): member i trains on
    /// `windows[i]` (outcome targets). Returns each member's batch loss.
    pub fn maintenance_step(&mut self, windows: &[Vec<Window>], lr: f64) -> Losses {
        self.next_token(windows, lr, true)
    }

    /// One RL step: member i samples actions at temperature 1 (over 8..15)
    /// for `batch` histories of `seq`, the rule draws outcomes (noise
    /// `eps`), and successes under `tasks[i]` are reinforced: cross-entropy
    /// toward the sampled action, averaged over the successes with
    /// `mean_over_successes` (PyTorch's `cross_entropy(logits[ok],
    /// actions[ok])`; no step without a success), otherwise summed over them
    /// and divided by the batch size. With `sample_dropout` the actions come
    /// from the same dropout pass that is reinforced; without, from the
    /// policy itself (no dropout), and the reinforced pass draws its own
    /// masks.
    #[allow(clippy::too_many_arguments)]
    pub async fn rl_step(
        &mut self,
        seq: &[u8],
        tasks: &[SuccessSet],
        batch: usize,
        lr: f64,
        eps: f64,
        sample_dropout: bool,
        mean_over_successes: bool,
    ) -> RlStep {
        let m = self.members();
        assert_eq!(tasks.len(), m, "one task per member");
        let hs: Vec<Vec<Vec<u8>>> = self
            .rngs
            .iter_mut()
            .map(|r| {
                (0..batch)
                    .map(|_| {
                        let s = random_start(seq.len(), Some(1), r);
                        seq[s..s + CONTEXT].to_vec()
                    })
                    .collect()
            })
            .collect();
        let inputs: Vec<&Vec<u8>> = hs.iter().flatten().collect();
        let tokens = tokens_tensor(&inputs, m, &self.device);
        let stack = self.stack.as_ref().expect("stack");
        let (logits, sampling) = if sample_dropout {
            let logits = stack.forward(tokens.clone(), Some(&mut self.rngs));
            (Some(logits.clone()), logits.detach())
        } else {
            (None, stack.valid().forward(tokens_tensor(&inputs, m, &self.plain), None))
        };
        let values: Vec<f32> = read(sampling).await;
        let mut success = Vec::with_capacity(m);
        let mut rollouts = Vec::with_capacity(m);
        let mut actions = Vec::with_capacity(m);
        let mut weights = Vec::with_capacity(m);
        for (i, rows) in values.chunks(batch * VOCAB).enumerate() {
            let rng = &mut self.rngs[i];
            let mut rs = Vec::with_capacity(batch);
            let (mut acts, mut ws) = (Vec::with_capacity(batch), Vec::with_capacity(batch));
            for (h, row) in hs[i].iter().zip(rows.chunks(VOCAB)) {
                let a = sample_action(row, rng);
                let x = draw_outcome(h, a, eps, rng);
                acts.push(a);
                ws.push(if tasks[i].contains(x) { 1.0 } else { 0.0 });
                rs.push(Rollout { history: h.clone(), action: a, outcome: x });
            }
            success.push(ws.iter().sum::<f32>() as f64 / batch as f64);
            actions.push(acts);
            weights.push(ws);
            rollouts.push(rs);
        }
        let logits = match logits {
            Some(l) => l,
            None => {
                let stack = self.stack.as_ref().expect("stack");
                stack.forward(tokens, Some(&mut self.rngs))
            }
        };
        let divisors: Vec<f32> = weights
            .iter()
            .map(|w| if mean_over_successes { w.iter().sum::<f32>().max(1.0) } else { batch as f32 })
            .collect();
        let loss = weighted_nll(logits, one_hot(&actions, &weights, &self.device), &divisors);
        self.descend(loss, lr, false);
        RlStep { success, rollouts }
    }
}
