//! The data a replicate learns from: a training and a held-out sequence,
//! fixed evaluation windows, and the histories every measure of its models
//! is computed on. With one draw per seed (SCIENCE.md §6), seed k of every
//! size and task uses draw k, so models of one seed share their data and
//! sizes compare paired by draw.

use super::config::ExperimentConfig;
use crate::rng::{Rng, derive_seed};
use crate::sequence::{self, CONTEXT};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// A window of 20 tokens and the token after it.
pub type Window = (Vec<u8>, u8);

/// The training and test sequences and the windows evaluated on them.
#[derive(Clone, Debug, PartialEq)]
pub struct Data {
    /// Training sequence.
    pub train: Vec<u8>,
    /// Held-out sequence.
    pub test: Vec<u8>,
    /// Fixed windows (with their targets) from the training sequence.
    pub train_eval: Vec<Window>,
    /// Fixed windows from the test sequence.
    pub test_eval: Vec<Window>,
    /// Fixed windows from the test sequence whose target is an outcome.
    pub test_outcome_eval: Vec<Window>,
    /// Evaluation histories (20 tokens, ending on an even position) from the
    /// test sequence.
    pub histories: Vec<Vec<u8>>,
}

impl Data {
    /// Generates the draw of `config`'s data with seed `draw` (see
    /// [`ExperimentConfig::draw_seed`]).
    pub fn drawn(config: &ExperimentConfig, draw: u64) -> Self {
        let (eps, seed) = (config.eps, draw);
        let train = sequence::generate(config.train_tokens.max(CONTEXT + 2), derive_seed(seed, 1), eps);
        let test = sequence::generate(config.test_tokens.max(CONTEXT + 2), derive_seed(seed, 2), eps);
        let mut rng = Rng::new(derive_seed(seed, 3));
        let train_eval = random_windows(&train, config.eval_windows, None, &mut rng);
        let test_eval = random_windows(&test, config.eval_windows, None, &mut rng);
        let test_outcome_eval = random_windows(&test, config.eval_windows, Some(0), &mut rng);
        // Histories: windows ending on an even position (targets at odd).
        let mut starts: Vec<usize> = (0..test.len() - CONTEXT).filter(|s| (s + CONTEXT) % 2 == 1).collect();
        rng.shuffle(&mut starts);
        let histories = starts.iter().take(config.eval_histories).map(|&s| test[s..s + CONTEXT].to_vec()).collect();
        Data { train, test, train_eval, test_eval, test_outcome_eval, histories }
    }
}

impl ExperimentConfig {
    /// The seed of the draw replicate `seed` learns from: `data_seed + seed`
    /// with one draw per seed, `data_seed` for every seed otherwise.
    pub fn draw_seed(&self, seed: u64) -> u64 {
        if self.draw_per_seed { self.data_seed + seed } else { self.data_seed }
    }

    /// The data replicate `seed` learns from and is measured on.
    pub fn data_of(&self, seed: u64) -> Data {
        Data::drawn(self, self.draw_seed(seed))
    }

    /// The draws of this experiment's seeds, each once, in seed order.
    pub fn draws(&self) -> Vec<u64> {
        let mut out: Vec<u64> = Vec::new();
        for &s in &self.seeds {
            let d = self.draw_seed(s);
            if !out.contains(&d) {
                out.push(d);
            }
        }
        out
    }

    /// The evaluation histories of every draw of the experiment, pooled
    /// (draw after draw): what the scripted policies and the baseline are
    /// measured on, so that they stand beside the models of every seed.
    pub fn pooled_histories(&self) -> Vec<Vec<u8>> {
        self.draws().into_iter().flat_map(|d| Data::drawn(self, d).histories).collect()
    }
}

/// An experiment's draws of the data, each generated once when first
/// asked for and shared after (by the threads of a sweep, or a worker's
/// successive works).
pub struct Draws {
    config: ExperimentConfig,
    made: Mutex<BTreeMap<u64, Arc<Data>>>,
}

impl Draws {
    /// No draw made yet.
    pub fn new(config: &ExperimentConfig) -> Self {
        Draws { config: config.clone(), made: Mutex::new(BTreeMap::new()) }
    }

    /// The data replicate `seed` learns from.
    pub fn of(&self, seed: u64) -> Arc<Data> {
        let draw = self.config.draw_seed(seed);
        let mut made = self.made.lock().unwrap_or_else(|e| e.into_inner());
        made.entry(draw).or_insert_with(|| Arc::new(Data::drawn(&self.config, draw))).clone()
    }

    /// Whether these are the draws of `config` (the same data settings).
    pub fn serve(&self, config: &ExperimentConfig) -> bool {
        let key = |c: &ExperimentConfig| (c.train_tokens, c.test_tokens, c.eval_windows, c.eval_histories, c.eps.to_bits(), c.data_seed, c.draw_per_seed);
        key(&self.config) == key(config)
    }
}

/// `n` random windows of `seq` with their next token; with `parity`, only
/// windows whose target position has that parity (0: outcomes).
pub fn random_windows(seq: &[u8], n: usize, parity: Option<usize>, rng: &mut Rng) -> Vec<Window> {
    (0..n)
        .map(|_| {
            let s = random_start(seq.len(), parity, rng);
            (seq[s..s + CONTEXT].to_vec(), seq[s + CONTEXT])
        })
        .collect()
}

/// A window start whose target (start + 20) has the given parity.
pub fn random_start(len: usize, parity: Option<usize>, rng: &mut Rng) -> usize {
    let span = (len - CONTEXT) as u64;
    match parity {
        // Half the starts qualify: draw among them directly.
        Some(p) => {
            let first = (p + CONTEXT) % 2; // the first start whose target has parity p
            let count = (span as usize - first).div_ceil(2) as u64;
            first + 2 * rng.below(count) as usize
        }
        None => rng.below(span) as usize,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_and_histories_have_the_right_parity() {
        let seq = sequence::generate(1000, 3, 0.02);
        let mut rng = Rng::new(1);
        for (w, t) in random_windows(&seq, 500, Some(0), &mut rng) {
            assert_eq!(w.len(), CONTEXT);
            assert!(t < 8, "an outcome target");
        }
        for (_, t) in random_windows(&seq, 500, Some(1), &mut rng) {
            assert!(t >= 8, "an action target");
        }
        // Every qualifying start can be drawn, none other.
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..20_000 {
            seen.insert(random_start(30, Some(0), &mut rng));
        }
        assert_eq!(seen.into_iter().collect::<Vec<_>>(), vec![0, 2, 4, 6, 8]);
        let mut cfg = ExperimentConfig::base();
        (cfg.eval_histories, cfg.data_seed) = (300, 5);
        let d = cfg.data_of(0);
        assert_eq!(d.histories.len(), 300);
        for h in &d.histories {
            sequence::check_history(h).unwrap();
        }
        assert_eq!(d, cfg.data_of(0));
    }

    #[test]
    fn each_seed_has_its_own_draw_and_sizes_share_it() {
        let mut cfg = ExperimentConfig::base();
        (cfg.train_tokens, cfg.test_tokens, cfg.eval_histories, cfg.seeds) = (2000, 2000, 50, vec![0, 1, 2]);
        assert!(cfg.draw_per_seed, "one draw per seed by default");
        // Seed k's draw is data_seed + k: seed 0 keeps the shared draw.
        assert_eq!(cfg.draws(), vec![2024, 2025, 2026]);
        assert_eq!(cfg.data_of(0), Data::drawn(&cfg, 2024));
        assert_ne!(cfg.data_of(0).train, cfg.data_of(1).train);
        assert_ne!(cfg.data_of(1).histories, cfg.data_of(2).histories);
        let pooled = cfg.pooled_histories();
        assert_eq!(pooled.len(), 150);
        assert_eq!(pooled[50..100], cfg.data_of(1).histories[..]);
        // Shared: every seed learns from data_seed's draw.
        cfg.draw_per_seed = false;
        assert_eq!((cfg.draws(), cfg.data_of(2)), (vec![2024], Data::drawn(&cfg, 2024)));
        assert_eq!(cfg.pooled_histories().len(), 50);
        // The cache makes each draw once and knows which data it serves.
        let draws = Draws::new(&cfg);
        assert!(Arc::ptr_eq(&draws.of(0), &draws.of(2)));
        let mut other = cfg.clone();
        other.rl_steps += 1;
        assert!(draws.serve(&other));
        other.draw_per_seed = true;
        assert!(!draws.serve(&other));
    }
}
