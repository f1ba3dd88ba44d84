//! The study's sequence (SCIENCE.md §1), its exact outcome distribution, the
//! RL tasks' success sets, and histories.
//!
//! Tokens are 0..15. Even positions hold 0..7 ("outcomes"), odd positions hold
//! 8..15 ("actions" when a policy writes them). From position 16 on,
//!
//! ```text
//! base(t) = (prod_{i=1..16} (s_{t-i} + 1) mod 17) mod 8
//! x_t     = base(t) with probability 1 - eps, uniform in 0..7 with probability eps
//! s_t     = x_t + 8 (t mod 2)
//! ```

use crate::rng::Rng;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Number of distinct tokens.
pub const VOCAB: usize = 16;
/// Number of values an even position (an outcome) can take.
pub const OUTCOMES: usize = 8;
/// How many previous tokens the rule reads.
pub const RULE_SPAN: usize = 16;
/// The model's context window (and the length of a history it reads).
pub const CONTEXT: usize = 20;
/// The study's noise rate.
pub const DEFAULT_EPS: f64 = 0.02;
/// The smallest action token.
pub const FIRST_ACTION: u8 = 8;

/// The deterministic part of the rule: `(prod (s+1) mod 17) mod 8` over the
/// 16 tokens that precede the position (`prev` holds exactly those, oldest
/// first).
pub fn base(prev: &[u8]) -> u8 {
    debug_assert_eq!(prev.len(), RULE_SPAN);
    (prev.iter().fold(1u32, |q, &s| q * (s as u32 + 1) % 17) % 8) as u8
}

/// The product `prod (s+1) mod 17` over some tokens; the rule's state.
pub fn rule_product(tokens: &[u8]) -> u32 {
    tokens.iter().fold(1u32, |q, &s| q * (s as u32 + 1) % 17)
}

/// The deterministic outcome after `history` (at least 15 tokens, ending on an
/// even position) and `action` (8..15): base over the last 15 history tokens
/// plus the action.
pub fn deterministic_outcome(history: &[u8], action: u8) -> u8 {
    let tail = &history[history.len() - (RULE_SPAN - 1)..];
    ((rule_product(tail) * (action as u32 + 1) % 17) % 8) as u8
}

/// The exact outcome distribution P(x | history, action) over x in 0..7:
/// `(1 - eps) [x == base] + eps / 8`.
pub fn outcome_distribution(history: &[u8], action: u8, eps: f64) -> [f64; OUTCOMES] {
    point_mass_with_noise(deterministic_outcome(history, action), eps)
}

/// `(1 - eps) [x == b] + eps / 8` for x in 0..7.
pub fn point_mass_with_noise(b: u8, eps: f64) -> [f64; OUTCOMES] {
    let mut p = [eps / OUTCOMES as f64; OUTCOMES];
    p[b as usize] += 1.0 - eps;
    p
}

/// One generated sequence with, for teaching, the positions where noise
/// replaced the rule's value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Generated {
    /// s_0, s_1, ... (tokens 0..15).
    pub tokens: Vec<u8>,
    /// `noise[t]` is true when position t drew the uniform value (t >= 16)
    /// instead of the rule's. The first 16 positions are uniform by design
    /// and marked false.
    pub noise: Vec<bool>,
}

/// Generates `len` tokens of the sequence from `seed`, noise rate `eps`.
pub fn generate(len: usize, seed: u64, eps: f64) -> Vec<u8> {
    generate_detailed(len, seed, eps).tokens
}

/// Generates `len` tokens and records where the noise struck.
pub fn generate_detailed(len: usize, seed: u64, eps: f64) -> Generated {
    let mut rng = Rng::new(seed);
    let mut tokens = Vec::with_capacity(len);
    let mut noise = Vec::with_capacity(len);
    for t in 0..len {
        let offset = 8 * (t % 2) as u8;
        if t < RULE_SPAN {
            tokens.push(rng.below(8) as u8 + offset);
            noise.push(false);
            continue;
        }
        let b = base(&tokens[t - RULE_SPAN..t]);
        // One uniform draw decides noise; a second picks the noisy value.
        let struck = rng.next_f64() < eps;
        let x = if struck { rng.below(8) as u8 } else { b };
        tokens.push(x + offset);
        noise.push(struck);
    }
    Generated { tokens, noise }
}

/// A success set G: the outcomes (0..7) a task rewards.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SuccessSet {
    mask: u8,
}

/// The three tasks of the study.
pub const TASK_NAMES: [&str; 3] = ["n2", "n4", "n6"];

impl SuccessSet {
    /// n_good = 2: G = {0, 4}.
    pub const N2: SuccessSet = SuccessSet { mask: 0b0001_0001 };
    /// n_good = 4: G = {0, 2, 4, 6}.
    pub const N4: SuccessSet = SuccessSet { mask: 0b0101_0101 };
    /// n_good = 6: G = {0, 1, 2, 4, 5, 6}.
    pub const N6: SuccessSet = SuccessSet { mask: 0b0111_0111 };

    /// The study's three tasks in order n2, n4, n6.
    pub fn tasks() -> [SuccessSet; 3] {
        [Self::N2, Self::N4, Self::N6]
    }

    /// A custom set from outcomes; it must be non-empty and leave at least one
    /// failure, so that p = |G|/8 lies strictly between 0 and 1.
    pub fn from_outcomes(outcomes: &[u8]) -> Result<Self, String> {
        let mut mask = 0u8;
        for &x in outcomes {
            if x >= 8 {
                return Err(format!("outcome {x} is not in 0..7"));
            }
            mask |= 1 << x;
        }
        Self::from_mask(mask)
    }

    /// A set from its bit mask (bit x set when x is a success).
    pub fn from_mask(mask: u8) -> Result<Self, String> {
        if mask == 0 {
            return Err("a success set needs at least one outcome".into());
        }
        if mask == 0xFF {
            return Err("a success set must leave at least one outcome a failure".into());
        }
        Ok(SuccessSet { mask })
    }

    /// Parses `n2`, `n4`, `n6` or a comma-separated list such as `0,2,4,6`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        match t.to_ascii_lowercase().as_str() {
            "n2" => return Ok(Self::N2),
            "n4" => return Ok(Self::N4),
            "n6" => return Ok(Self::N6),
            _ => {}
        }
        if t.is_empty() {
            return Err("empty success set: use n2, n4, n6 or a list such as 0,2,4,6".into());
        }
        let mut xs = Vec::new();
        for part in t.split(',') {
            let part = part.trim();
            let x: u8 = part.parse().map_err(|_| {
                format!("'{part}' is not an outcome: use n2, n4, n6 or a list such as 0,2,4,6")
            })?;
            if xs.contains(&x) {
                return Err(format!("outcome {x} is listed twice"));
            }
            xs.push(x);
        }
        Self::from_outcomes(&xs)
    }

    /// The bit mask of successes.
    pub fn mask(self) -> u8 {
        self.mask
    }

    /// Whether outcome x (0..7) is a success.
    pub fn contains(self, x: u8) -> bool {
        x < 8 && self.mask & (1 << x) != 0
    }

    /// |G|.
    pub fn len(self) -> usize {
        self.mask.count_ones() as usize
    }

    /// Never true: a success set is non-empty by construction.
    pub fn is_empty(self) -> bool {
        false
    }

    /// The chance rate p = |G| / 8.
    pub fn chance(self) -> f64 {
        self.len() as f64 / OUTCOMES as f64
    }

    /// The successes in increasing order.
    pub fn outcomes(self) -> Vec<u8> {
        (0..8).filter(|&x| self.contains(x)).collect()
    }

    /// Probability mass a distribution over 0..7 puts on G.
    pub fn mass(self, dist: &[f64; OUTCOMES]) -> f64 {
        (0..8).filter(|&x| self.contains(x as u8)).map(|x| dist[x]).sum()
    }

    /// `n2`, `n4`, `n6` for the study's tasks, else the list.
    pub fn name(self) -> String {
        match self {
            s if s == Self::N2 => "n2".into(),
            s if s == Self::N4 => "n4".into(),
            s if s == Self::N6 => "n6".into(),
            s => s
                .outcomes()
                .iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(","),
        }
    }
}

impl fmt::Display for SuccessSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl TryFrom<String> for SuccessSet {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}

impl From<SuccessSet> for String {
    fn from(s: SuccessSet) -> String {
        s.name()
    }
}

/// Checks that `tokens` is a history: at least 16 tokens in 0..15, the last an
/// outcome (0..7), alternating between outcomes and actions.
pub fn check_history(tokens: &[u8]) -> Result<(), String> {
    if tokens.len() < RULE_SPAN {
        return Err(format!(
            "{} tokens; a history needs at least {RULE_SPAN}",
            tokens.len()
        ));
    }
    let n = tokens.len();
    let last = tokens[n - 1];
    if (8..VOCAB as u8).contains(&last) {
        return Err(format!(
            "the last token is {last}; it must be an outcome in 0..7 (an even position)"
        ));
    }
    for (i, &s) in tokens.iter().enumerate() {
        if s >= VOCAB as u8 {
            return Err(format!("token {} is {s}, not in 0..15", i + 1));
        }
        // The last token is at an even position; parity alternates backwards.
        let even_position = (n - 1 - i) % 2 == 0;
        if even_position && s >= 8 {
            return Err(format!(
                "token {} is {s} but parity needs a value in 0..7 there",
                i + 1
            ));
        }
        if !even_position && s < 8 {
            return Err(format!(
                "token {} is {s} but parity needs a value in 8..15 there",
                i + 1
            ));
        }
    }
    Ok(())
}

/// Parses one history from comma-separated tokens and checks it.
pub fn parse_history(line: &str) -> Result<Vec<u8>, String> {
    let mut tokens = Vec::new();
    for (i, part) in line.split(',').enumerate() {
        let part = part.trim();
        let v: u8 = part
            .parse()
            .map_err(|_| format!("token {} ('{part}') is not a number in 0..15", i + 1))?;
        tokens.push(v);
    }
    check_history(&tokens)?;
    Ok(tokens)
}

/// Most histories a file may hold (the exact estimator is linear in them;
/// the study uses 1,000).
pub const MAX_HISTORIES: usize = 200_000;

/// Parses a histories file: one history per line; blank lines are skipped;
/// at most [`MAX_HISTORIES`]. Errors name the 1-based line.
pub fn parse_histories(text: &str) -> Result<Vec<Vec<u8>>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        if out.len() == MAX_HISTORIES {
            return Err(format!("more than {MAX_HISTORIES} histories (line {}); measure a sample of them", i + 1));
        }
        if line.len() > 10_000 {
            return Err(format!("line {}: a history of more than 10,000 characters", i + 1));
        }
        out.push(parse_history(line).map_err(|e| format!("line {}: {e}", i + 1))?);
    }
    if out.is_empty() {
        return Err("no histories (the file is empty)".into());
    }
    Ok(out)
}

/// Cuts histories of `len` tokens from a sequence: windows that end on an
/// even position, taken in order from the start, at most `max` of them.
/// Every window begins at or after position 0 and ends at or after `len - 1`.
pub fn histories_from_sequence(tokens: &[u8], len: usize, max: usize) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    // Window [start, start + len) ends at e = start + len - 1, which must be
    // even and leave room for the action and outcome after it.
    let mut end = len - 1;
    if end % 2 == 1 {
        end += 1;
    }
    while end < tokens.len() && out.len() < max {
        out.push(tokens[end + 1 - len..=end].to_vec());
        end += 2;
    }
    out
}

/// A fresh set of `n` evaluation histories of `len` tokens, cut from
/// independent sequences so that they are not strongly overlapping: each
/// comes from its own short sequence derived from `seed`.
pub fn sample_histories(n: usize, len: usize, seed: u64, eps: f64) -> Vec<Vec<u8>> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|_| {
            // A burn-in past the uniform prefix, then a random even end.
            let extra = 2 * rng.below(8) as usize;
            let total = RULE_SPAN + len + extra + 1;
            let total = if total % 2 == 0 { total + 1 } else { total };
            let seq = generate(total, rng.next_u64(), eps);
            let end = total - 1; // total is odd so the last index is even
            seq[end + 1 - len..=end].to_vec()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_matches_hand_computation() {
        // All ones: prod 2^16 mod 17 = (2^8)^2 = 256^2; 256 mod 17 = 1 -> 1 mod 8 = 1.
        assert_eq!(base(&[1; 16]), 1);
        // All zeros: prod 1 = 1 -> 1.
        assert_eq!(base(&[0; 16]), 1);
        // One 15 among zeros: 16 mod 17 = 16 -> 16 mod 8 = 0.
        let mut v = [0u8; 16];
        v[3] = 15;
        assert_eq!(base(&v), 0);
        // 2 and 3 among zeros: 3*4 = 12 -> 4.
        v = [0; 16];
        v[0] = 2;
        v[9] = 3;
        assert_eq!(base(&v), 4);
    }

    #[test]
    fn deterministic_outcome_is_base_of_the_window() {
        let seq = generate(200, 5, 0.0);
        // With no noise, every even position after 16 equals the outcome the
        // history before the action and the action imply.
        for e in (RULE_SPAN..seq.len() - 2).filter(|e| e % 2 == 0) {
            let h = &seq[e + 1 - RULE_SPAN..=e];
            let a = seq[e + 1];
            assert_eq!(deterministic_outcome(h, a), seq[e + 2]);
        }
    }

    #[test]
    fn outcome_distribution_sums_to_one() {
        let h = generate(20, 1, 0.02);
        let p = outcome_distribution(&h[..19], 9, 0.02);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        let b = deterministic_outcome(&h[..19], 9) as usize;
        assert!((p[b] - (0.98 + 0.0025)).abs() < 1e-12);
    }

    #[test]
    fn success_sets() {
        assert_eq!(SuccessSet::N2.outcomes(), vec![0, 4]);
        assert_eq!(SuccessSet::N4.outcomes(), vec![0, 2, 4, 6]);
        assert_eq!(SuccessSet::N6.outcomes(), vec![0, 1, 2, 4, 5, 6]);
        assert_eq!(SuccessSet::parse("0,2,4,6").unwrap(), SuccessSet::N4);
        assert_eq!(SuccessSet::parse(" N6 ").unwrap(), SuccessSet::N6);
        assert_eq!(SuccessSet::parse("3,1").unwrap().name(), "1,3");
        assert!(SuccessSet::parse("").is_err());
        assert!(SuccessSet::parse("8").is_err());
        assert!(SuccessSet::parse("0,1,2,3,4,5,6,7").is_err());
        assert!(SuccessSet::parse("1,1").is_err());
        assert!(SuccessSet::parse("x").is_err());
        assert_eq!(SuccessSet::N6.chance(), 0.75);
    }

    #[test]
    fn history_checks() {
        let seq = generate(60, 2, 0.02);
        for h in histories_from_sequence(&seq, 20, 100) {
            check_history(&h).unwrap();
            assert_eq!(h.len(), 20);
        }
        assert_eq!(histories_from_sequence(&seq, 20, 100).len(), 20);
        assert!(check_history(&seq[..15]).is_err());
        assert!(check_history(&seq[..18]).is_err()); // ends on odd position
        let mut bad = seq[..19].to_vec();
        bad[4] = bad[5];
        assert!(check_history(&bad).is_err());
        assert!(parse_history("1,2,x").is_err());
        assert!(parse_histories("").is_err());
        let e = parse_histories(&format!(
            "{}\n1,9,2",
            seq[..19].iter().map(|s| s.to_string()).collect::<Vec<_>>().join(",")
        ))
        .unwrap_err();
        assert!(e.starts_with("line 2:"), "{e}");
    }

    #[test]
    fn sampled_histories_are_valid() {
        let hs = sample_histories(50, 20, 9, 0.02);
        assert_eq!(hs.len(), 50);
        for h in &hs {
            check_history(h).unwrap();
        }
        assert_eq!(hs, sample_histories(50, 20, 9, 0.02));
    }
}
