//! Inside a model, on one history: what it does (its action probabilities
//! and its choice), what each action would make the rule do, what the
//! model itself predicts each action leads to (self-evaluation's input),
//! and where its last block looks. The quantities the measures average
//! over many histories, for one.

use crate::sequence::{self, OUTCOMES, SuccessSet};
use serde::{Deserialize, Serialize};

/// What a model computes on one history (the network's side).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Inspection {
    /// The history (its last 20 tokens are what the model reads).
    pub history: Vec<u8>,
    /// Probabilities of the actions 8..15 at temperature 1.
    pub action_probs: [f64; 8],
    /// The action at temperature 0 (argmax, lowest on ties).
    pub choice: u8,
    /// For each action 8..15, the model's predicted distribution over the
    /// outcome 0..7 after h + [a] (renormalised over 0..7).
    pub predicted: [[f64; OUTCOMES]; 8],
    /// The last block's attention from the last position over the
    /// window's tokens (mean over heads), one weight per token read.
    pub attention: Vec<f64>,
}

/// What the rule does with one history and one action (the world's side).
#[derive(Clone, Debug, PartialEq)]
pub struct Consequence {
    /// The action.
    pub action: u8,
    /// The outcome the rule gives without noise.
    pub outcome: u8,
    /// The rule's exact outcome distribution (noise `eps`).
    pub distribution: [f64; OUTCOMES],
    /// Whether the outcome is a success, under each task.
    pub succeeds: Vec<(SuccessSet, bool)>,
}

/// The rule's answer to each action 8..15 after `history`, scored under
/// `tasks`.
pub fn consequences(history: &[u8], eps: f64, tasks: &[SuccessSet]) -> Vec<Consequence> {
    (8..16u8)
        .map(|a| {
            let outcome = sequence::deterministic_outcome(history, a);
            Consequence {
                action: a,
                outcome,
                distribution: sequence::outcome_distribution(history, a, eps),
                succeeds: tasks.iter().map(|&g| (g, g.contains(outcome))).collect(),
            }
        })
        .collect()
}

/// How many of the history's last tokens the rule reads for the outcome
/// after the action: 15 of the history, with the action itself the 16th.
pub const RULE_READS: usize = sequence::RULE_SPAN - 1;

/// The total variation distance between the model's prediction and the
/// rule's distribution after action `a` (0: it knows exactly; 1: disjoint).
pub fn prediction_error(predicted: &[f64; OUTCOMES], rule: &[f64; OUTCOMES]) -> f64 {
    predicted.iter().zip(rule).map(|(p, q)| (p - q).abs()).sum::<f64>() / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_action_has_its_consequence() {
        let h = sequence::generate(20, 4, 0.02);
        let c = consequences(&h, 0.02, &SuccessSet::tasks());
        assert_eq!(c.len(), 8);
        for x in &c {
            assert_eq!(x.outcome, sequence::deterministic_outcome(&h, x.action));
            assert!((x.distribution.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            assert!((x.distribution[x.outcome as usize] - (0.98 + 0.02 / 8.0)).abs() < 1e-12);
            // n2 ⊂ n4 ⊂ n6: a success under n2 is one under n4 and n6.
            if x.succeeds[0].1 {
                assert!(x.succeeds[1].1 && x.succeeds[2].1);
            }
        }
        assert_eq!(prediction_error(&c[0].distribution, &c[0].distribution), 0.0);
        let mut other = [0.0; OUTCOMES];
        other[(c[0].outcome as usize + 1) % 8] = 1.0;
        assert!(prediction_error(&other, &c[0].distribution) > 0.97);
    }
}
