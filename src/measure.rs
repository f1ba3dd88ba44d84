//! Measuring optimization and impact with split histories (SCIENCE.md §4).
//!
//! A policy acts once on each history h (its action a = pi(h) at temperature
//! 0); the world then draws the outcome x in 0..7 from P(x | h, a).
//!
//! ```text
//! F(x)       = (1/N) sum_h P(x | h, pi(h))          the optimized future
//! F'_a(x)    = (1/N) sum_h P(x | h, a)              everyone gets action a
//! H(F'|P'')  = (1/N) sum_h' H(F'_{pi(h')})          split-history entropy
//! Op         = H(F'|P'') - H(F)
//! Imp        = (1/N) sum_h' KL(F || F'_{pi(h')})
//! s = F(G),  s' = (1/N) sum_h' F'_{pi(h')}(G)
//! ```
//!
//! F'_a depends on h' only through its action, so the exact estimator asks
//! the outcome model for N x (distinct actions) distributions, not N^2.

use crate::rng::{Rng, derive_seed};
use crate::sequence::{OUTCOMES, SuccessSet, outcome_distribution};
use serde::{Deserialize, Serialize};

/// A distribution over the outcomes 0..7.
pub type Dist = [f64; OUTCOMES];

/// A policy at temperature 0: one action (8..15) per history.
pub trait Policy {
    /// The action for each history, in order. `histories[i]` ends on an even
    /// position; the result has one token in 8..15 per history.
    fn actions(&self, histories: &[Vec<u8>]) -> Vec<u8>;
}

/// What the world (or a model of it) does after an action: P(x | h, a).
pub trait OutcomeModel {
    /// P(x | h, a) for every history and one action `a` (8..15): shape
    /// [N][8], each row a distribution over 0..7.
    fn distributions(&self, histories: &[Vec<u8>], action: u8) -> Vec<Dist>;
}

/// The exact outcome distribution of the sequence rule with noise `eps`.
#[derive(Clone, Copy, Debug)]
pub struct SequenceRule {
    /// Noise rate (the study's is 0.02).
    pub eps: f64,
}

impl OutcomeModel for SequenceRule {
    fn distributions(&self, histories: &[Vec<u8>], action: u8) -> Vec<Dist> {
        histories
            .iter()
            .map(|h| outcome_distribution(h, action, self.eps))
            .collect()
    }
}

/// Entropy in nats, with 0 ln 0 = 0.
pub fn entropy(p: &Dist) -> f64 {
    -p.iter()
        .filter(|&&v| v > 0.0)
        .map(|&v| v * crate::math::ln(v))
        .sum::<f64>()
}

/// KL(p || q) in nats; terms with p = 0 are 0; p > 0 where q = 0 gives +inf.
pub fn kl(p: &Dist, q: &Dist) -> f64 {
    let mut total = 0.0;
    for (&a, &b) in p.iter().zip(q) {
        if a > 0.0 {
            if b <= 0.0 {
                return f64::INFINITY;
            }
            total += a * crate::math::ln(a / b);
        }
    }
    total.max(0.0)
}

/// Binary KL divergence `s ln(s/q) + (1-s) ln((1-s)/(1-q))`, with the edge
/// cases defined so that nothing is NaN: s and q are clamped to [0, 1]; a
/// term whose weight (s or 1-s) is 0 is 0; a term with positive weight and
/// zero reference (q = 0 or q = 1) is +inf.
pub fn binary_kl(s: f64, q: f64) -> f64 {
    let s = if s.is_nan() { 0.0 } else { s.clamp(0.0, 1.0) };
    let q = if q.is_nan() { 0.0 } else { q.clamp(0.0, 1.0) };
    let term = |w: f64, r: f64| -> f64 {
        if w <= 0.0 {
            0.0
        } else if r <= 0.0 {
            f64::INFINITY
        } else {
            w * crate::math::ln(w / r)
        }
    };
    (term(s, q) + term(1.0 - s, 1.0 - q)).max(0.0)
}

/// The optimization theory predicts from the success rate s on a task whose
/// chance rate is p = |G|/8: `s ln(s/p) + (1-s) ln((1-s)/(1-p))`.
pub fn op_implied(s: f64, p: f64) -> f64 {
    binary_kl(s, p)
}

/// The least impact consistent with success rates s (in F) and s' (in F'):
/// `s ln(s/s') + (1-s) ln((1-s)/(1-s'))`.
pub fn imp_min(s: f64, s_split: f64) -> f64 {
    binary_kl(s, s_split)
}

/// Everything the split-history (or another comparison) measure gives.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Measures {
    /// s = F(G).
    pub success: f64,
    /// s' = success rate in the comparison future.
    pub split_success: f64,
    /// H(F), nats.
    pub entropy_optimized: f64,
    /// H(F'|P'') (or H(F') for a single comparison future), nats.
    pub entropy_split: f64,
    /// Op = H(F'|P'') - H(F), nats.
    pub op: f64,
    /// Op_implied(s, p), nats.
    pub op_implied: f64,
    /// Imp, nats (+inf if F' gives zero probability to an outcome F has).
    pub imp: f64,
    /// Imp_min(s, s'), nats.
    pub imp_min: f64,
    /// The optimized future F over 0..7.
    pub future: Dist,
    /// The comparison future averaged over h' (what F would be "without" the
    /// policy's responsiveness).
    pub comparison: Dist,
}

/// The policy's actions and the outcome model's distributions for every
/// history under every action the policy used: the inputs all estimators
/// share.
pub struct Table {
    /// pi(h) for each history.
    pub actions: Vec<u8>,
    /// `rows[a - 8]` is Some([N][8]) when action a is used (or requested).
    pub rows: [Option<Vec<Dist>>; 8],
}

impl Table {
    /// Builds the table: asks the outcome model once per distinct action.
    pub fn new(histories: &[Vec<u8>], actions: Vec<u8>, model: &dyn OutcomeModel) -> Self {
        let mut rows: [Option<Vec<Dist>>; 8] = Default::default();
        for &a in &actions {
            let slot = &mut rows[(a - 8) as usize];
            if slot.is_none() {
                *slot = Some(model.distributions(histories, a));
            }
        }
        Table { actions, rows }
    }

    /// Ensures the rows of every action are present (for comparisons that
    /// use actions the policy did not).
    pub fn fill_all(&mut self, histories: &[Vec<u8>], model: &dyn OutcomeModel) {
        for a in 8..16u8 {
            let slot = &mut self.rows[(a - 8) as usize];
            if slot.is_none() {
                *slot = Some(model.distributions(histories, a));
            }
        }
    }

    /// Number of histories.
    pub fn len(&self) -> usize {
        self.actions.len()
    }

    /// True when there are no histories.
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    /// P(x | h_i, a).
    pub fn p(&self, i: usize, a: u8) -> &Dist {
        &self.rows[(a - 8) as usize].as_ref().expect("action row")[i]
    }

    /// F: the mean over histories of P(x | h, pi(h)).
    pub fn optimized_future(&self) -> Dist {
        let mut f = [0.0; OUTCOMES];
        for (i, &a) in self.actions.iter().enumerate() {
            add(&mut f, self.p(i, a));
        }
        scale(&mut f, 1.0 / self.len() as f64);
        f
    }

    /// F'_a: the mean over histories of P(x | h, a).
    pub fn future_under(&self, a: u8) -> Dist {
        let mut f = [0.0; OUTCOMES];
        for i in 0..self.len() {
            add(&mut f, self.p(i, a));
        }
        scale(&mut f, 1.0 / self.len() as f64);
        f
    }

    /// How many histories get each action: `counts[a - 8]`.
    pub fn action_counts(&self) -> [usize; 8] {
        let mut c = [0; 8];
        for &a in &self.actions {
            c[(a - 8) as usize] += 1;
        }
        c
    }
}

fn add(acc: &mut Dist, p: &Dist) {
    for (a, b) in acc.iter_mut().zip(p) {
        *a += b;
    }
}

fn scale(acc: &mut Dist, k: f64) {
    for a in acc.iter_mut() {
        *a *= k;
    }
}

/// The exact split-history measures for `policy` on `histories` under the
/// outcome model `model` (the sequence rule, or a network's own predictions
/// for self-evaluation) and success set `g`. Cost: N x distinct actions
/// outcome-model rows.
pub fn split_history(
    histories: &[Vec<u8>],
    policy: &dyn Policy,
    model: &dyn OutcomeModel,
    g: SuccessSet,
) -> Measures {
    let table = Table::new(histories, policy.actions(histories), model);
    split_history_from_table(&table, g)
}

/// [`split_history`] on a prepared table (so several success sets can share
/// one set of model evaluations).
pub fn split_history_from_table(table: &Table, g: SuccessSet) -> Measures {
    assert!(!table.is_empty(), "split_history needs at least one history");
    let n = table.len() as f64;
    let f = table.optimized_future();
    let h_f = entropy(&f);
    let counts = table.action_counts();
    let (mut h_split, mut imp, mut s_split) = (0.0, 0.0, 0.0);
    let mut comparison = [0.0; OUTCOMES];
    for (k, &c) in counts.iter().enumerate() {
        if c == 0 {
            continue;
        }
        let w = c as f64 / n;
        let fa = table.future_under(k as u8 + 8);
        h_split += w * entropy(&fa);
        imp += w * kl(&f, &fa);
        s_split += w * g.mass(&fa);
        for (acc, v) in comparison.iter_mut().zip(&fa) {
            *acc += w * v;
        }
    }
    finish(f, h_f, comparison, h_split, imp, s_split, g)
}

fn finish(
    f: Dist,
    h_f: f64,
    comparison: Dist,
    h_cmp: f64,
    imp: f64,
    s_cmp: f64,
    g: SuccessSet,
) -> Measures {
    let s = g.mass(&f).clamp(0.0, 1.0);
    let s_cmp = s_cmp.clamp(0.0, 1.0);
    Measures {
        success: s,
        split_success: s_cmp,
        entropy_optimized: h_f,
        entropy_split: h_cmp,
        op: h_cmp - h_f,
        op_implied: op_implied(s, g.chance()),
        imp,
        imp_min: imp_min(s, s_cmp),
        future: f,
        comparison,
    }
}

/// Comparison futures other than split histories (SCIENCE.md §4).
#[derive(Clone, Copy)]
pub enum Comparison<'a> {
    /// Every history gets the same "do nothing" action (8..15).
    Fixed(u8),
    /// Every history gets a uniformly random action: F' = mean_a F'_a.
    UniformRandom,
    /// Every history gets another policy's action (the untrained or the
    /// pretrained-only model, say): F'(x) = mean_h P(x | h, pi'(h)).
    Policy(&'a dyn Policy),
}

/// Op, Imp and s' against a single comparison future F' instead of split
/// histories: `Op = H(F') - H(F)`, `Imp = KL(F || F')`, `s' = F'(G)`.
pub fn against(
    histories: &[Vec<u8>],
    policy: &dyn Policy,
    model: &dyn OutcomeModel,
    g: SuccessSet,
    comparison: Comparison<'_>,
) -> Measures {
    against_actions(histories, policy.actions(histories), model, g, comparison)
}

/// [`against`] for a policy whose actions on `histories` are already known.
pub fn against_actions(
    histories: &[Vec<u8>],
    actions: Vec<u8>,
    model: &dyn OutcomeModel,
    g: SuccessSet,
    comparison: Comparison<'_>,
) -> Measures {
    let mut table = Table::new(histories, actions, model);
    let f = table.optimized_future();
    let cmp: Dist = match comparison {
        Comparison::Fixed(a) => {
            assert!((8..16).contains(&a), "a fixed action is in 8..15");
            if table.rows[(a - 8) as usize].is_none() {
                table.rows[(a - 8) as usize] = Some(model.distributions(histories, a));
            }
            table.future_under(a)
        }
        Comparison::UniformRandom => {
            table.fill_all(histories, model);
            let mut acc = [0.0; OUTCOMES];
            for a in 8..16u8 {
                add(&mut acc, &table.future_under(a));
            }
            scale(&mut acc, 1.0 / 8.0);
            acc
        }
        Comparison::Policy(other) => {
            let other_table = Table::new(histories, other.actions(histories), model);
            other_table.optimized_future()
        }
    };
    let h_f = entropy(&f);
    finish(f, h_f, cmp, entropy(&cmp), kl(&f, &cmp), g.mass(&cmp), g)
}

/// A Monte Carlo estimate: mean and standard error over repeats.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// Mean over repeats.
    pub mean: f64,
    /// Standard error of the mean (sample standard deviation / sqrt(R)).
    pub se: f64,
}

impl Estimate {
    /// Mean and standard error of the values (at least two).
    pub fn of(values: &[f64]) -> Self {
        let r = values.len() as f64;
        let mean = values.iter().sum::<f64>() / r;
        let var = if values.len() > 1 {
            values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (r - 1.0)
        } else {
            0.0
        };
        Estimate {
            mean,
            se: (var / r).sqrt(),
        }
    }
}

/// The post's Monte Carlo estimates of Op and Imp.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct MonteCarlo {
    /// Op estimate.
    pub op: Estimate,
    /// Imp estimate.
    pub imp: Estimate,
    /// Histories per repeat.
    pub samples: usize,
    /// Repeats.
    pub repeats: usize,
}

/// The post's Monte Carlo split-history estimator. Each repeat draws
/// `samples` histories (with replacement) from the set, samples one outcome
/// per history under the policy's action (plug-in entropy of the counts is
/// H(F)), and for each drawn h' samples one outcome per drawn history under
/// pi(h') (plug-in entropy of those counts, averaged over h', is H(F'|P'')).
/// Imp is the mean over h' of KL(F_counts || F'_counts), where the comparison
/// counts get a pseudo-count of 1/2 per outcome (Krichevsky–Trofimov) so that
/// an outcome never sampled does not make the divergence infinite. Plug-in
/// entropies are biased low by about (outcomes seen - 1) / (2 samples);
/// the bias mostly cancels in Op.
pub fn monte_carlo(table: &Table, samples: usize, repeats: usize, seed: u64) -> MonteCarlo {
    assert!(samples > 0 && repeats > 0 && !table.is_empty());
    let mut ops = Vec::with_capacity(repeats);
    let mut imps = Vec::with_capacity(repeats);
    for r in 0..repeats {
        let mut rng = Rng::new(derive_seed(seed, r as u64));
        let idx: Vec<usize> = (0..samples)
            .map(|_| rng.below(table.len() as u64) as usize)
            .collect();
        let mut counts = [0u32; OUTCOMES];
        for &i in &idx {
            counts[sample(&mut rng, table.p(i, table.actions[i]))] += 1;
        }
        let f = normalise(&counts, 0.0);
        let h_f = entropy(&f);
        let (mut h_split, mut imp) = (0.0, 0.0);
        for &j in &idx {
            let a = table.actions[j];
            let mut c = [0u32; OUTCOMES];
            for &i in &idx {
                c[sample(&mut rng, table.p(i, a))] += 1;
            }
            h_split += entropy(&normalise(&c, 0.0));
            imp += kl(&f, &normalise(&c, 0.5));
        }
        ops.push(h_split / samples as f64 - h_f);
        imps.push(imp / samples as f64);
    }
    MonteCarlo {
        op: Estimate::of(&ops),
        imp: Estimate::of(&imps),
        samples,
        repeats,
    }
}

fn normalise(counts: &[u32; OUTCOMES], pseudo: f64) -> Dist {
    let total: f64 = counts.iter().map(|&c| c as f64 + pseudo).sum();
    let mut d = [0.0; OUTCOMES];
    for (d, &c) in d.iter_mut().zip(counts) {
        *d = (c as f64 + pseudo) / total;
    }
    d
}

/// Draws an outcome from a distribution.
pub fn sample(rng: &mut Rng, p: &Dist) -> usize {
    let u = rng.next_f64();
    let mut acc = 0.0;
    for (x, &v) in p.iter().enumerate() {
        acc += v;
        if u < acc {
            return x;
        }
    }
    // Rounding left u above the total: the last outcome with mass.
    p.iter().rposition(|&v| v > 0.0).unwrap_or(OUTCOMES - 1)
}
