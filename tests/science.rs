//! The invariants of SCIENCE.md §4 and §5 as property tests, and statistical
//! checks of the sequence and the Monte Carlo estimators.
#![cfg(not(target_arch = "wasm32"))]

use opimp::differential::{self, Linear, McSettings};
use opimp::measure::{
    self, Comparison, OutcomeModel, Policy, SequenceRule, Table, binary_kl, imp_min, op_implied,
};
use opimp::policy::Scripted;
use opimp::rng::Rng;
use opimp::sequence::{self, SuccessSet, generate, sample_histories};
use proptest::prelude::*;

/// A policy given as an arbitrary lookup on the history's last tokens: any
/// function a trained network could be.
struct Lookup {
    table: Vec<u8>,
}

impl Policy for Lookup {
    fn actions(&self, histories: &[Vec<u8>]) -> Vec<u8> {
        histories
            .iter()
            .map(|h| {
                let key = h[h.len() - 3..].iter().fold(0usize, |k, &t| k * 16 + t as usize);
                self.table[key % self.table.len()]
            })
            .collect()
    }
}

/// An outcome model with arbitrary (possibly peaked) distributions, as a
/// network's self-evaluation might give.
struct Arbitrary {
    seed: u64,
}

impl OutcomeModel for Arbitrary {
    fn distributions(&self, histories: &[Vec<u8>], action: u8) -> Vec<measure::Dist> {
        histories
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let mut r = Rng::new(self.seed ^ (i as u64 * 31 + action as u64 * 7 + h[0] as u64));
                let mut d = [0.0; 8];
                for v in d.iter_mut() {
                    *v = r.next_f64().powi(4) + 1e-9;
                }
                let t: f64 = d.iter().sum();
                d.map(|v| v / t)
            })
            .collect()
    }
}

fn arb_good() -> impl Strategy<Value = SuccessSet> {
    (1u8..255).prop_map(|m| SuccessSet::from_mask(m).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn input_ignoring_policy_has_no_optimization_or_impact(
        seed in any::<u64>(), n in 1usize..60, action in 8u8..16, eps in 0.001f64..1.0,
        good in arb_good(),
    ) {
        let hs = sample_histories(n, 20, seed, eps);
        let m = measure::split_history(&hs, &Scripted::Constant { action }, &SequenceRule { eps }, good);
        prop_assert_eq!(m.op, 0.0);
        prop_assert_eq!(m.imp, 0.0);
        prop_assert_eq!(m.imp_min, 0.0);
        prop_assert_eq!(m.success, m.split_success);
        // The same holds for any outcome model.
        let m = measure::split_history(&hs, &Scripted::Constant { action }, &Arbitrary { seed }, good);
        prop_assert_eq!(m.op, 0.0);
        prop_assert_eq!(m.imp, 0.0);
    }

    #[test]
    fn impact_bounds_and_optimization_ceiling(
        seed in any::<u64>(), n in 1usize..80, eps in 0.0001f64..1.0,
        table in proptest::collection::vec(8u8..16, 1..64), good in arb_good(),
        arbitrary_world in any::<bool>(),
    ) {
        let hs = sample_histories(n, 20, seed, eps.min(0.5));
        let policy = Lookup { table };
        let rule = SequenceRule { eps };
        let other = Arbitrary { seed };
        let model: &dyn OutcomeModel = if arbitrary_world { &other } else { &rule };
        let m = measure::split_history(&hs, &policy, model, good);
        for v in [m.success, m.split_success, m.entropy_optimized, m.entropy_split, m.op,
                  m.op_implied, m.imp, m.imp_min] {
            prop_assert!(!v.is_nan());
        }
        prop_assert!(m.imp >= 0.0);
        prop_assert!(m.imp >= m.imp_min - 1e-12, "imp {} < imp_min {}", m.imp, m.imp_min);
        prop_assert!(m.op <= 8f64.ln() + 1e-12);
        prop_assert!(m.op_implied >= 0.0 && m.imp_min >= 0.0);
        // The comparison futures obey the same bounds.
        for cmp in [Comparison::Fixed(8 + (seed % 8) as u8), Comparison::UniformRandom,
                    Comparison::Policy(&Scripted::Random { seed })] {
            let c = measure::against(&hs, &policy, model, good, cmp);
            prop_assert!(c.imp >= c.imp_min - 1e-12);
            prop_assert!(c.op <= 8f64.ln() + 1e-12);
        }
    }

    #[test]
    fn theory_is_never_nan(s in 0.0f64..=1.0, q in 0.0f64..=1.0) {
        for (a, b) in [(s, q), (0.0, q), (1.0, q), (s, 0.0), (s, 1.0), (0.0, 0.0), (1.0, 1.0),
                       (0.0, 1.0), (1.0, 0.0)] {
            prop_assert!(!op_implied(a, b).is_nan());
            prop_assert!(!imp_min(a, b).is_nan());
            prop_assert!(binary_kl(a, b) >= 0.0);
        }
    }

    #[test]
    fn sequences_keep_parity(seed in any::<u64>(), len in 1usize..400, eps in 0.0f64..=1.0) {
        let s = generate(len, seed, eps);
        prop_assert_eq!(s.len(), len);
        for (t, &x) in s.iter().enumerate() {
            prop_assert!(x < 16);
            prop_assert_eq!(x >= 8, t % 2 == 1);
        }
    }
}

#[test]
fn differential_monte_carlo_agrees_with_closed_forms() {
    // Twenty random, well-conditioned linear systems (square 2x2, square
    // 3x3 and non-square 1x2 / 2x3), fixed seeds so the check is repeatable.
    let mut r = Rng::new(2024);
    let mut u = move || 2.0 * r.next_f64() - 1.0;
    for case in 0..20 {
        let (m, n) = [(2, 2), (1, 2), (3, 3), (2, 3)][case % 4];
        let jg: Vec<Vec<f64>> = (0..m)
            .map(|i| (0..n).map(|j| if i == j { 1.2 + 0.5 * u() } else { 0.3 * u() }).collect())
            .collect();
        let jh: Vec<Vec<f64>> = (0..m)
            .map(|i| (0..n).map(|j| if i == j { 0.6 + 0.3 * u() } else { 0.3 * u() }).collect())
            .collect();
        let (_, closed) = differential::closed_form(&jg, &jh).unwrap();
        let sys = Linear::new(jg.clone(), jh.clone()).unwrap();
        let mc = differential::monte_carlo(
            &sys,
            McSettings { sigma: 1.0, samples: 1000, splits: 20, repeats: 20, seed: case as u64 },
        );
        // Within 4 standard errors plus the small bias of fitted covariances.
        assert!(
            (mc.op.mean - closed.op).abs() < 4.0 * mc.op.se + 0.01,
            "case {case} {jg:?} {jh:?}: op {} ± {} vs {}",
            mc.op.mean,
            mc.op.se,
            closed.op
        );
        assert!(
            (mc.imp.mean - closed.imp).abs() < 4.0 * mc.imp.se + 0.01,
            "case {case} {jg:?} {jh:?}: imp {} ± {} vs {}",
            mc.imp.mean,
            mc.imp.se,
            closed.imp
        );
    }
}

#[test]
fn the_rule_holds_at_one_minus_eps_plus_eps_over_eight() {
    for eps in [0.02, 0.2] {
        let n = 200_000;
        let s = generate(n, 99, eps);
        let kept = (16..n)
            .filter(|&t| s[t] % 8 == sequence::base(&s[t - 16..t]))
            .count() as f64
            / (n - 16) as f64;
        let p = 1.0 - eps + eps / 8.0;
        let sd = (p * (1.0 - p) / (n - 16) as f64).sqrt();
        assert!((kept - p).abs() < 4.0 * sd, "eps {eps}: {kept} vs {p}");
    }
}

#[test]
fn exact_values_on_hand_checked_cases() {
    // h0 alternates 0 and 15. Its 15-token tail holds eight 0s and seven 15s,
    // so the rule's product is 16^7 = (-1)^7 = 16 (mod 17), and the outcome
    // after action a is 16 (a + 1) = 16 - a (mod 17), then mod 8:
    // a = 8..15 -> 0, 7, 6, 5, 4, 3, 2, 1.
    let h0: Vec<u8> = (0..17).map(|i| if i % 2 == 0 { 0 } else { 15 }).collect();
    assert_eq!(
        (8..16).map(|a| sequence::deterministic_outcome(&h0, a)).collect::<Vec<_>>(),
        vec![0, 7, 6, 5, 4, 3, 2, 1]
    );
    // With eps = 0 and one history, greedy on n4 picks 8 (outcome 0); F and
    // F'_8 are the same point mass, so Op = Imp = 0: with a single history
    // there is nothing to respond to.
    let one = measure::split_history(
        &[h0.clone()],
        &Scripted::Greedy { good: SuccessSet::N4 },
        &SequenceRule { eps: 0.0 },
        SuccessSet::N4,
    );
    assert_eq!((one.op, one.imp, one.success), (0.0, 0.0, 1.0));
    // h1 ends in 1 instead of 0, doubling the product to -2: outcomes
    // -2 (a + 1) mod 17 mod 8 = 0, 6, 4, 2, 0, 6, 4, 2.
    let mut h1 = h0.clone();
    h1[16] = 1;
    assert_eq!(
        (8..16).map(|a| sequence::deterministic_outcome(&h1, a)).collect::<Vec<_>>(),
        vec![0, 6, 4, 2, 0, 6, 4, 2]
    );
    // A policy that plays 12 on h0 and 10 on h1 lands both on 4.
    struct Pair;
    impl Policy for Pair {
        fn actions(&self, hs: &[Vec<u8>]) -> Vec<u8> {
            hs.iter().map(|h| if h[16] == 0 { 12 } else { 10 }).collect()
        }
    }
    let g = SuccessSet::from_outcomes(&[4]).unwrap();
    let m = measure::split_history(&[h0, h1], &Pair, &SequenceRule { eps: 0.0 }, g);
    // F = point mass on 4: H(F) = 0. F'_12 = {4, 0} and F'_10 = {6, 4}, half
    // each: entropy ln 2, so Op = ln 2; KL(F || F'_a) = ln 2 each.
    let ln2 = 2f64.ln();
    assert!((m.op - ln2).abs() < 1e-15);
    assert!((m.imp - ln2).abs() < 1e-15);
    assert_eq!(m.success, 1.0);
    assert!((m.split_success - 0.5).abs() < 1e-15);
    // s = 1, s' = 1/2: Imp_min = ln 2 = Imp (the policy only moved mass onto
    // the success); p = 1/8: Op_implied = ln 8.
    assert!((m.imp_min - ln2).abs() < 1e-15);
    assert!((m.op_implied - 8f64.ln()).abs() < 1e-15);
    // With the study's noise, F = 0.98 on 4 + 0.0025 everywhere.
    let noisy = measure::split_history(
        &[h0_h1().0, h0_h1().1],
        &Pair,
        &SequenceRule { eps: 0.02 },
        g,
    );
    let f4: f64 = 0.98 + 0.0025;
    let h_f = -(f4 * f4.ln() + 7.0 * 0.0025 * 0.0025f64.ln());
    let half: f64 = 0.49 + 0.0025;
    let h_split = -(2.0 * half * half.ln() + 6.0 * 0.0025 * 0.0025f64.ln());
    assert!((noisy.entropy_optimized - h_f).abs() < 1e-12);
    assert!((noisy.entropy_split - h_split).abs() < 1e-12);
    assert!((noisy.op - (h_split - h_f)).abs() < 1e-12);
}

fn h0_h1() -> (Vec<u8>, Vec<u8>) {
    let h0: Vec<u8> = (0..17).map(|i| if i % 2 == 0 { 0 } else { 15 }).collect();
    let mut h1 = h0.clone();
    h1[16] = 1;
    (h0, h1)
}

#[test]
fn scripted_policies_sit_where_theory_says() {
    let hs = sample_histories(4000, 20, 5, 0.02);
    let rule = SequenceRule { eps: 0.02 };
    for g in SuccessSet::tasks() {
        let greedy = measure::split_history(&hs, &Scripted::Greedy { good: g }, &rule, g);
        // Greedy succeeds by the rule wherever some action reaches G, and by
        // the noise with chance eps p elsewhere too.
        let reach = hs
            .iter()
            .filter(|h| (8..16).any(|a| g.contains(sequence::deterministic_outcome(h, a))))
            .count() as f64
            / hs.len() as f64;
        let expected = 0.98 * reach + 0.02 * g.chance();
        assert!((greedy.success - expected).abs() < 1e-12, "{g}: {} vs {expected}", greedy.success);
        assert!(greedy.op > greedy.op_implied - 0.05, "{g}");
        let random = measure::split_history(&hs, &Scripted::Random { seed: 1 }, &rule, g);
        assert!(random.op.abs() < 0.03, "{g}: {}", random.op);
        assert!((random.success - g.chance()).abs() < 0.03);
    }
    // The generator's self-optimization is small but positive.
    let gen_ = measure::split_history(&hs, &Scripted::Generator, &rule, SuccessSet::N4);
    assert!(gen_.op > 0.0 && gen_.op < 0.2, "{}", gen_.op);
}

#[test]
fn monte_carlo_is_within_four_standard_errors_of_exact() {
    let hs = sample_histories(3000, 20, 17, 0.02);
    let rule = SequenceRule { eps: 0.02 };
    for (policy, g) in [
        (Scripted::Greedy { good: SuccessSet::N2 }, SuccessSet::N2),
        (Scripted::Generator, SuccessSet::N6),
        (Scripted::Constant { action: 10 }, SuccessSet::N4),
    ] {
        let table = Table::new(&hs, policy.actions(&hs), &rule);
        let exact = measure::split_history_from_table(&table, g);
        let samples = 1500;
        let mc = measure::monte_carlo(&table, samples, 8, 4);
        assert!(mc.op.se > 0.0);
        assert!(
            (mc.op.mean - exact.op).abs() < 4.0 * mc.op.se,
            "{policy}: op {} ± {} vs {}",
            mc.op.mean,
            mc.op.se,
            exact.op
        );
        // The plug-in KL between sampled distributions over 8 outcomes is
        // biased up, by at most about (8 - 1) / samples (seen: 0.3/N for a
        // constant policy, about 6/N for greedy, generator and random).
        let bias = 8.0 / samples as f64;
        assert!(
            mc.imp.mean >= exact.imp - 4.0 * mc.imp.se
                && mc.imp.mean <= exact.imp + bias + 4.0 * mc.imp.se,
            "{policy}: imp {} ± {} vs {}",
            mc.imp.mean,
            mc.imp.se,
            exact.imp
        );
    }
}

#[test]
fn comparison_futures() {
    let hs = sample_histories(500, 20, 3, 0.02);
    let rule = SequenceRule { eps: 0.02 };
    let g = SuccessSet::N4;
    let greedy = Scripted::Greedy { good: g };
    // Against its own constant action, a constant policy has Op = Imp = 0.
    let c = measure::against(&hs, &Scripted::Constant { action: 11 }, &rule, g, Comparison::Fixed(11));
    assert_eq!((c.op, c.imp), (0.0, 0.0));
    // Against another policy equal to itself, likewise.
    let c = measure::against(&hs, &greedy, &rule, g, Comparison::Policy(&greedy));
    assert_eq!((c.op, c.imp), (0.0, 0.0));
    // A uniformly random action gives a nearly flat future (its product mod
    // 17 is nearly uniform), so greedy's Op against it is near ln 8 - H(F).
    let r = measure::against(&hs, &greedy, &rule, g, Comparison::UniformRandom);
    assert!((r.entropy_split - 8f64.ln()).abs() < 0.01, "{}", r.entropy_split);
    assert!((r.split_success - 0.5).abs() < 0.03);
    assert!(r.imp >= r.imp_min);
}
