//! The data an experiment shares: a training and a held-out sequence, fixed
//! evaluation windows, and the histories every measure is computed on.

use super::config::ExperimentConfig;
use crate::rng::{Rng, derive_seed};
use crate::sequence::{self, CONTEXT};

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
    /// Generates the data of `config` from its data seed (shared by every
    /// model of a study so that all are measured on the same histories).
    pub fn new(config: &ExperimentConfig) -> Self {
        let (eps, seed) = (config.eps, config.data_seed);
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
    /// The data every model of this experiment shares.
    pub fn data(&self) -> Data {
        Data::new(self)
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
        let d = Data::new(&cfg);
        assert_eq!(d.histories.len(), 300);
        for h in &d.histories {
            sequence::check_history(h).unwrap();
        }
        assert_eq!(d, Data::new(&cfg));
    }
}
