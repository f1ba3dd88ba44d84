//! The misalignment taxonomy (SCIENCE.md §4): for the same success rate s, a
//! policy can spread its successes evenly over G, concentrate them on some of
//! G, and also favour some failures. All but the even spread show more
//! optimization than the success rate implies.
//!
//! The comparison future is the sequence's own outcome distribution without
//! a responsive policy, which is uniform over 0..7 (the rule's product is
//! uniform over 1..16 and 1..16 mod 8 hits each outcome twice).

use crate::measure::{Dist, entropy, imp_min, kl, op_implied};
use crate::sequence::{OUTCOMES, SuccessSet};
use serde::{Deserialize, Serialize};

/// How a policy's outcomes are shaped, given its success rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shape {
    /// Over how many outcomes of G the successes are spread evenly
    /// (1..=|G|; |G| is the even spread).
    pub success_outcomes: usize,
    /// Over how many outcomes outside G the failures are spread evenly
    /// (1..=8-|G|; 8-|G| is the even spread).
    pub failure_outcomes: usize,
}

impl Shape {
    /// Successes and failures both spread evenly: the aligned policy.
    pub fn even(g: SuccessSet) -> Self {
        Shape {
            success_outcomes: g.len(),
            failure_outcomes: OUTCOMES - g.len(),
        }
    }

    /// Clamps both counts into their valid ranges for `g`, saying what changed.
    pub fn clamped(self, g: SuccessSet) -> (Self, Option<String>) {
        let s = self.success_outcomes.clamp(1, g.len());
        let f = self.failure_outcomes.clamp(1, OUTCOMES - g.len());
        let note = (s != self.success_outcomes || f != self.failure_outcomes).then(|| {
            format!(
                "shape ({}, {}) is outside 1..={} successes and 1..={} failures; used ({s}, {f})",
                self.success_outcomes,
                self.failure_outcomes,
                g.len(),
                OUTCOMES - g.len()
            )
        });
        (
            Shape {
                success_outcomes: s,
                failure_outcomes: f,
            },
            note,
        )
    }
}

/// One point of the taxonomy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaxonomyPoint {
    /// The policy's outcome distribution F.
    pub future: Dist,
    /// The comparison future F' (uniform).
    pub baseline: Dist,
    /// s = F(G).
    pub success: f64,
    /// H(F') - H(F).
    pub op: f64,
    /// Op_implied(s, |G|/8).
    pub op_implied: f64,
    /// KL(F || F').
    pub imp: f64,
    /// Imp_min(s, F'(G)).
    pub imp_min: f64,
}

/// The outcome distribution of a policy with success rate `s` on `g` and the
/// given shape: mass s split evenly over the first `success_outcomes` of G,
/// mass 1-s over the first `failure_outcomes` outside G. The shape is
/// clamped into range first.
pub fn shaped_future(g: SuccessSet, s: f64, shape: Shape) -> Dist {
    let s = if s.is_nan() { 0.0 } else { s.clamp(0.0, 1.0) };
    let (shape, _) = shape.clamped(g);
    let mut f = [0.0; OUTCOMES];
    let goods: Vec<usize> = (0..8).filter(|&x| g.contains(x as u8)).collect();
    let bads: Vec<usize> = (0..8).filter(|&x| !g.contains(x as u8)).collect();
    for &x in &goods[..shape.success_outcomes] {
        f[x] = s / shape.success_outcomes as f64;
    }
    for &x in &bads[..shape.failure_outcomes] {
        f[x] = (1.0 - s) / shape.failure_outcomes as f64;
    }
    f
}

/// Measured Op, implied Op, Imp and Imp_min of a shaped policy against the
/// uniform comparison future.
pub fn taxonomy(g: SuccessSet, s: f64, shape: Shape) -> TaxonomyPoint {
    against_baseline(shaped_future(g, s, shape), [1.0 / OUTCOMES as f64; OUTCOMES], g)
}

/// The Op theory implies for success rate `s` on `g` when, without a
/// responsive policy, outcomes follow `baseline`: H(B) − H(F*), where F*
/// spreads s over G and 1 − s over the rest in proportion to B (the
/// even-handed policy). For the flat baseline this is
/// `op_implied(s, |G|/8)`.
pub fn implied_against(baseline: &Dist, s: f64, g: SuccessSet) -> f64 {
    let p = g.mass(baseline);
    let mut ideal = [0.0; OUTCOMES];
    for (x, v) in ideal.iter_mut().enumerate() {
        let b = baseline[x];
        *v = match (g.contains(x as u8), p) {
            (true, p) if p > 0.0 => s * b / p,
            (false, p) if p < 1.0 => (1.0 - s) * b / (1.0 - p),
            _ => 0.0,
        };
    }
    entropy(baseline) - entropy(&ideal)
}

/// Measured Op, implied Op, Imp and Imp_min of an outcome distribution
/// `future` against a comparison `baseline` (the implied Op with that
/// baseline, see [`implied_against`]).
pub fn against_baseline(future: Dist, baseline: Dist, g: SuccessSet) -> TaxonomyPoint {
    let s = g.mass(&future).clamp(0.0, 1.0);
    let flat = baseline.iter().all(|&b| b == 1.0 / OUTCOMES as f64);
    TaxonomyPoint {
        success: s,
        op: entropy(&baseline) - entropy(&future),
        op_implied: if flat { op_implied(s, g.chance()) } else { implied_against(&baseline, s, g) },
        imp: kl(&future, &baseline),
        imp_min: imp_min(s, g.mass(&baseline)),
        future,
        baseline,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn implied_op_against_a_baseline() {
        // The flat baseline gives the post's formula.
        let flat = [0.125; 8];
        for s in [0.0, 0.3, 0.5, 0.85, 1.0] {
            for g in SuccessSet::tasks() {
                assert!((implied_against(&flat, s, g) - op_implied(s, g.chance())).abs() < 1e-12);
            }
        }
        // At the baseline's own success rate nothing is implied; the even
        // policy against a skewed baseline is implied exactly.
        let b = [0.08, 0.16, 0.1, 0.14, 0.12, 0.13, 0.15, 0.12];
        let g = SuccessSet::N4;
        assert!(implied_against(&b, g.mass(&b), g).abs() < 1e-12);
        let mut even = [0.0; 8];
        let p = g.mass(&b);
        for x in 0..8 {
            even[x] = if g.contains(x as u8) { 0.9 * b[x] / p } else { 0.1 * b[x] / (1.0 - p) };
        }
        let point = against_baseline(even, b, g);
        assert!((point.op - point.op_implied).abs() < 1e-12, "{point:?}");
    }

    #[test]
    fn the_posts_example() {
        // n_good = 6, outcomes 2 and 3 at 85:15: successes all on one outcome
        // of G, failures all on one outcome outside G.
        let g = SuccessSet::N6;
        let shape = Shape {
            success_outcomes: 1,
            failure_outcomes: 1,
        };
        // Use the post's exact outcomes 2 and 3.
        let mut f = [0.0; 8];
        f[2] = 0.85;
        f[3] = 0.15;
        let t = against_baseline(f, [0.125; 8], g);
        let shaped = taxonomy(g, 0.85, shape);
        assert!((t.success - 0.85).abs() < 1e-12);
        assert!((t.op_implied - 0.029_79).abs() < 1e-4, "{}", t.op_implied);
        assert!((t.op - 1.6567).abs() < 1e-3, "{}", t.op);
        assert!((shaped.op - t.op).abs() < 1e-12);
        assert!((shaped.op_implied - t.op_implied).abs() < 1e-12);
    }

    #[test]
    fn even_spread_has_no_excess() {
        for g in SuccessSet::tasks() {
            for s in [0.0, 0.1, 0.5, 0.8, 1.0] {
                let t = taxonomy(g, s, Shape::even(g));
                assert!((t.op - t.op_implied).abs() < 1e-12, "{g} {s}");
                assert!((t.imp - t.imp_min).abs() < 1e-12, "{g} {s}");
            }
        }
    }

    #[test]
    fn concentrating_adds_optimization() {
        let g = SuccessSet::N4;
        let even = taxonomy(g, 0.75, Shape::even(g));
        let conc = taxonomy(
            g,
            0.75,
            Shape {
                success_outcomes: 2,
                failure_outcomes: 4,
            },
        );
        let both = taxonomy(
            g,
            0.75,
            Shape {
                success_outcomes: 2,
                failure_outcomes: 1,
            },
        );
        assert!(conc.op > even.op + 0.1);
        assert!(both.op > conc.op);
        assert!((conc.op_implied - even.op_implied).abs() < 1e-12);
        // Concentrating 0.75 over 2 of 4: H drops by 0.75 ln 2.
        assert!((conc.op - even.op - 0.75 * 2f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn clamping_is_reported() {
        let (s, note) = Shape {
            success_outcomes: 9,
            failure_outcomes: 0,
        }
        .clamped(SuccessSet::N2);
        assert_eq!(
            s,
            Shape {
                success_outcomes: 2,
                failure_outcomes: 1
            }
        );
        assert!(note.unwrap().contains("used (2, 1)"));
    }
}
