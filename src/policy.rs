//! Scripted policies: the lab's calibration points. Each maps a history
//! (ending on an even position) to an action in 8..15.

use crate::measure::Policy;
use crate::rng::{derive_seed, splitmix64};
use crate::sequence::{RULE_SPAN, SuccessSet, base, deterministic_outcome};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A scripted policy, by name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scripted {
    /// The lowest action in 8..15 whose deterministic outcome lands in G (8 if
    /// none does): the best a policy can do, success 1 - eps + eps p.
    Greedy {
        /// The success set it aims at.
        good: SuccessSet,
    },
    /// The sequence's own next token, base + 8: its self-optimization.
    Generator,
    /// Always the same action (8..15): ignores its input.
    Constant {
        /// The action.
        action: u8,
    },
    /// A fixed random function of the history, uniform over 8..15: the same
    /// history always gets the same action, different seeds differ.
    Random {
        /// Seed of the function.
        seed: u64,
    },
}

impl Scripted {
    /// Parses `greedy` (or `greedy:G`), `generator`, `constant:N` (N in 8..15), `random` or
    /// `random:SEED`. `good` is the task greedy aims at; `seed` the seed for a
    /// bare `random`.
    pub fn parse(text: &str, good: SuccessSet, seed: u64) -> Result<Self, String> {
        let t = text.trim().to_ascii_lowercase();
        let (name, arg) = match t.split_once(':') {
            Some((n, a)) => (n.to_string(), Some(a.trim().to_string())),
            None => (t.clone(), None),
        };
        let known = "greedy, generator, constant:N (N in 8..15), random or random:SEED";
        match (name.as_str(), arg) {
            ("greedy", None) => Ok(Scripted::Greedy { good }),
            ("greedy", Some(g)) => Ok(Scripted::Greedy { good: SuccessSet::parse(&g).map_err(|e| format!("greedy:{g}: {e}"))? }),
            ("generator", None) => Ok(Scripted::Generator),
            ("random", None) => Ok(Scripted::Random { seed }),
            ("random", Some(a)) => a
                .parse()
                .map(|seed| Scripted::Random { seed })
                .map_err(|_| format!("random:{a}: the seed must be a whole number")),
            ("constant", Some(a)) => match a.parse::<u8>() {
                Ok(action) if (8..16).contains(&action) => Ok(Scripted::Constant { action }),
                _ => Err(format!("constant:{a}: the action must be in 8..15")),
            },
            ("constant", None) => Err("constant needs an action: constant:N, N in 8..15".into()),
            _ => Err(format!("unknown policy '{text}': use {known}")),
        }
    }

    /// The action for one history.
    pub fn act(&self, h: &[u8]) -> u8 {
        match self {
            Scripted::Greedy { good } => {
                (8..16u8).find(|&a| good.contains(deterministic_outcome(h, a))).unwrap_or(8)
            }
            Scripted::Generator => base(&h[h.len() - RULE_SPAN..]) + 8,
            Scripted::Constant { action } => *action,
            Scripted::Random { seed } => {
                let mut s = derive_seed(*seed, 0x5EED);
                for &t in h {
                    s ^= t as u64 + 1;
                    s = splitmix64(&mut s);
                }
                8 + (s % 8) as u8
            }
        }
    }

    /// Short name: `greedy`, `generator`, `constant:N`, `random:S`.
    pub fn name(&self) -> String {
        match self {
            Scripted::Greedy { .. } => "greedy".into(),
            Scripted::Generator => "generator".into(),
            Scripted::Constant { action } => format!("constant:{action}"),
            Scripted::Random { seed } => format!("random:{seed}"),
        }
    }
}

impl Scripted {
    /// Name with the task greedy aims at: `greedy:n4`, `generator`,
    /// `constant:8`, `random:0` (what [`Scripted::parse`] reads back).
    pub fn label(&self) -> String {
        match self {
            Scripted::Greedy { good } => format!("greedy:{good}"),
            other => other.name(),
        }
    }
}

impl fmt::Display for Scripted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl Policy for Scripted {
    fn actions(&self, histories: &[Vec<u8>]) -> Vec<u8> {
        histories.iter().map(|h| self.act(h)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sequence::generate;

    #[test]
    fn parse_policies() {
        let g = SuccessSet::N4;
        assert_eq!(Scripted::parse("greedy", g, 0).unwrap(), Scripted::Greedy { good: g });
        assert_eq!(Scripted::parse("generator", g, 0).unwrap(), Scripted::Generator);
        assert_eq!(
            Scripted::parse("constant:11", g, 0).unwrap(),
            Scripted::Constant { action: 11 }
        );
        assert_eq!(Scripted::parse("random", g, 5).unwrap(), Scripted::Random { seed: 5 });
        assert_eq!(Scripted::parse("random:9", g, 5).unwrap(), Scripted::Random { seed: 9 });
        for bad in ["constant:7", "constant:16", "constant", "constant:x", "random:x", "magic", ""] {
            assert!(Scripted::parse(bad, g, 0).is_err(), "{bad}");
        }
    }

    #[test]
    fn generator_reproduces_the_noiseless_sequence() {
        let seq = generate(100, 3, 0.0);
        for e in (RULE_SPAN..seq.len() - 1).filter(|e| e % 2 == 0) {
            assert_eq!(Scripted::Generator.act(&seq[e + 1 - RULE_SPAN..=e]), seq[e + 1]);
        }
    }

    #[test]
    fn greedy_lands_in_g_when_it_can() {
        let seq = generate(400, 4, 0.02);
        let g = SuccessSet::N2;
        let p = Scripted::Greedy { good: g };
        for e in (RULE_SPAN..seq.len()).filter(|e| e % 2 == 0) {
            let h = &seq[e + 1 - RULE_SPAN..=e];
            let a = p.act(h);
            let reachable = (8..16u8).any(|b| g.contains(deterministic_outcome(h, b)));
            assert_eq!(g.contains(deterministic_outcome(h, a)), reachable);
            // Lowest action on ties.
            assert!((8..a).all(|b| !g.contains(deterministic_outcome(h, b))) || !reachable);
        }
    }

    #[test]
    fn random_is_a_function_of_the_history() {
        let seq = generate(300, 8, 0.02);
        let p = Scripted::Random { seed: 1 };
        let mut counts = [0; 8];
        for e in (RULE_SPAN..seq.len()).filter(|e| e % 2 == 0) {
            let h = &seq[e + 1 - RULE_SPAN..=e];
            assert_eq!(p.act(h), p.act(h));
            counts[(p.act(h) - 8) as usize] += 1;
        }
        assert!(counts.iter().all(|&c| c > 0), "{counts:?}");
    }
}
