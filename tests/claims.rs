//! The claims panel on synthetic studies whose truth is known: five seeds
//! (replicates) of every size and task, with an effect planted in each
//! claim's quantity and a noise pattern whose mean is exactly zero
//! (−2, −1, 0, 1, 2 times a scale across the seeds). A planted effect of
//! five standard errors must give `holds`, none `too close to tell`, the
//! reversed one `does not hold`; equivalence claims ("hardly changes",
//! "keeps") hold at zero, are too close at their band's edge and fail
//! beyond it.
#![cfg(not(target_arch = "wasm32"))]

use opimp::measure::{imp_min, op_implied};
use opimp::sequence::SuccessSet;
use opimp::study::claims::{ClaimId, Verdict, evaluate, find};
use opimp::study::config::ExperimentConfig;
use opimp::study::curves::{PretrainPoint, RlPoint};
use opimp::study::key::{ModelKey, NetKey};
use opimp::study::preset::Preset;
use opimp::study::results::{Comparisons, ModelResult, OpImp, Results, TaskScore};
use opimp::study::size::Size;

const N2: SuccessSet = SuccessSet::N2;
const N4: SuccessSet = SuccessSet::N4;
const N6: SuccessSet = SuccessSet::N6;
const TASKS: [SuccessSet; 3] = [N2, N4, N6];

/// The noise pattern across seeds 0..4: mean 0, sample SD sqrt(2.5).
fn z(seed: u64) -> f64 {
    [-2.0, -1.0, 0.0, 1.0, 2.0][seed as usize]
}

/// The standard error of a mean of `scale · z` over five seeds.
fn se(scale: f64) -> f64 {
    scale * (2.5f64).sqrt() / 5f64.sqrt()
}

/// One model's numbers in a synthetic study.
#[derive(Clone, Copy)]
struct Spec {
    success: f64,
    split: f64,
    imp: f64,
    /// Imp_min under the own task (None: from success and split).
    imp_min: Option<f64>,
    /// Op minus the Op its own success implies.
    op_error: f64,
    /// Measured minus self-estimated Op.
    self_gap: f64,
    /// |Imp − self Imp|.
    self_imp_gap: f64,
    /// Success under another task than its own.
    other_success: f64,
    /// Imp_min under another task (None: from other_success and split).
    other_imp_min: Option<f64>,
}

fn spec(success: f64) -> Spec {
    Spec { success, split: 0.5, imp: 0.4, imp_min: None, op_error: 0.0, self_gap: 0.0, self_imp_gap: 0.0, other_success: 0.3, other_imp_min: None }
}

fn config() -> ExperimentConfig {
    let mut c = ExperimentConfig::preset(Preset::Paper);
    c.eval_histories = 100;
    c.test_tokens = 2_000;
    c
}

fn model(key: ModelKey, s: Spec) -> ModelResult {
    let scores = TASKS
        .iter()
        .map(|&g| {
            let (success, min) = if g == key.task { (s.success, s.imp_min) } else { (s.other_success, s.other_imp_min) };
            TaskScore { task: g, success, split_success: s.split, op_implied: op_implied(success, g.chance()), imp_min: min.unwrap_or_else(|| imp_min(success, s.split)) }
        })
        .collect();
    let op = op_implied(s.success, key.task.chance()) + s.op_error;
    let o = OpImp { op, imp: s.imp, comparison_success: 0.5 };
    ModelResult {
        key,
        params: key.size.params(),
        entropy_optimized: 1.8,
        entropy_split: 1.8 + op,
        op,
        imp: s.imp,
        scores,
        pretrained_success: 0.5,
        self_op: op - s.self_gap,
        self_imp: s.imp - s.self_imp_gap,
        comparisons: Comparisons { fixed: o, random: o, untrained: o, pretrained: o },
        monte_carlo: None,
    }
}

/// A study of every size, five seeds and the three tasks, each model's
/// numbers from `f`.
fn study(f: impl Fn(ModelKey) -> Spec) -> Results {
    let c = config();
    let mut r = Results::new(c.clone());
    let models: Vec<ModelResult> = c.models().into_iter().map(|k| model(k, f(k))).collect();
    r.add(models);
    r.validate().unwrap();
    r
}

fn ln_params(size: Size) -> f64 {
    (size.params() as f64).ln()
}

fn verdict(r: &Results, id: ClaimId) -> Verdict {
    find(r, id).verdict
}

/// Asserts holds / too close / does not hold for a planted effect of +5 SE,
/// ±1 SE and 0, and −5 SE, `build(effect, noise scale)` making the study.
fn planted(id: ClaimId, build: impl Fn(f64, f64) -> Results) {
    let scale = 0.01;
    let five = 5.0 * se(scale);
    // One standard error either way is inside the interval (t > 2 with
    // four degrees of freedom): a point comparison would call it.
    let one = se(scale);
    for (effect, want) in [(five, Verdict::Holds), (one, Verdict::TooClose), (0.0, Verdict::TooClose), (-one, Verdict::TooClose), (-five, Verdict::DoesNotHold)] {
        let r = build(effect, scale);
        let c = find(&r, id);
        assert_eq!(c.verdict, want, "{}: planted {effect:+.4}: {}", id.name(), c.numbers());
    }
}

#[test]
fn one_claim_found_alone_is_the_panels() {
    // `find` evaluates one claim (the page's readings ask for a few);
    // `evaluate` every claim, in order: the same claims either way.
    let r = study(|k| spec(0.6 + 0.01 * k.size.index() as f64));
    let all = evaluate(&r);
    assert_eq!(all.iter().map(|c| c.id).collect::<Vec<_>>(), ClaimId::ALL.to_vec());
    for c in &all {
        assert_eq!(&find(&r, c.id), c, "{}", c.id.name());
    }
}

#[test]
fn with_no_models_nothing_can_be_told() {
    let r = Results::new(config());
    for c in evaluate(&r) {
        assert!(matches!(c.verdict, Verdict::NotEnough(_)), "{:?}: {:?}", c.id, c.verdict);
    }
    // One seed is not a replicated study either.
    let mut one = study(|_| spec(0.8));
    one.models.retain(|m| m.key.seed == 0);
    for id in [ClaimId::SuccessRises, ClaimId::BetterThanChance, ClaimId::SelfImpWorse, ClaimId::OpPredicted] {
        assert!(matches!(verdict(&one, id), Verdict::NotEnough(_)), "{}", id.name());
    }
}

#[test]
fn success_rises_with_size() {
    // Per seed the success is linear in ln(params) with slope β + noise.
    planted(ClaimId::SuccessRises, |beta, c| study(|k| spec(0.7 + (beta + c * z(k.seed)) * (ln_params(k.size) - 11.0))));
    // Every task must rise: one flat task makes it too close.
    let r = study(|k| {
        let beta = if k.task == N6 { 0.0 } else { 0.05 };
        spec(0.7 + (beta + 0.01 * z(k.seed)) * (ln_params(k.size) - 11.0))
    });
    assert_eq!(verdict(&r, ClaimId::SuccessRises), Verdict::TooClose);
}

#[test]
fn every_model_better_than_chance() {
    // Success − p planted per group.
    planted(ClaimId::BetterThanChance, |d, c| study(|k| spec(k.task.chance() + d + c * z(k.seed))));
}

#[test]
fn op_predicted_from_success() {
    // Op equal to what success implies: r = 1, no error.
    let good = study(|k| spec(0.55 + 0.05 * k.size.index() as f64 + 0.02 * k.seed as f64));
    assert_eq!(verdict(&good, ClaimId::OpPredicted), Verdict::Holds, "{}", find(&good, ClaimId::OpPredicted).numbers());
    // Op unrelated to success: far below r 0.9 and far off.
    let bad = study(|k| {
        let mut s = spec(0.55 + 0.05 * k.size.index() as f64 + 0.02 * k.seed as f64);
        s.op_error = [0.3, -0.1, 0.2, 0.0][k.size.index()] * if k.seed % 2 == 0 { 1.0 } else { -1.0 } + 0.2;
        s
    });
    assert_eq!(verdict(&bad, ClaimId::OpPredicted), Verdict::DoesNotHold, "{}", find(&bad, ClaimId::OpPredicted).numbers());
    // Errors around 10% of Op on average, varying by seed: too close.
    let edge = study(|k| {
        let mut s = spec(0.8);
        s.op_error = op_implied(0.8, k.task.chance()) * (0.1 + 0.05 * z(k.seed));
        s
    });
    assert_eq!(verdict(&edge, ClaimId::OpPredicted), Verdict::TooClose, "{}", find(&edge, ClaimId::OpPredicted).numbers());
}

/// Final pretraining points: held-out loss from `test(size, seed)`, and
/// held-out minus training loss from `gap(size, seed)`.
fn pretraining(r: &mut Results, test: impl Fn(Size, u64) -> f64, gap: impl Fn(Size, u64) -> f64) {
    for size in Size::ALL {
        for seed in 0..5 {
            let t = test(size, seed);
            let point = |step: usize| PretrainPoint { step, train_loss: t - gap(size, seed), train_acc: 0.8, test_loss: t, test_acc: 0.8 };
            r.curves.push_pretrain(NetKey { size, seed }, point(0));
            r.curves.push_pretrain(NetKey { size, seed }, point(r.config.steps));
        }
    }
}

#[test]
fn pretraining_loss_rises_over_the_last_sizes() {
    planted(ClaimId::LossRises, |d, c| {
        let mut r = study(|_| spec(0.8));
        pretraining(&mut r, |size, seed| [0.5, 0.4, 0.35, 0.35 + d + c * z(seed)][size.index()], |_, _| 0.0);
        r
    });
}

#[test]
fn large_models_overfit() {
    planted(ClaimId::LargeOverfit, |d, c| {
        let mut r = study(|_| spec(0.8));
        pretraining(&mut r, |_, _| 0.4, |size, seed| if size == Size::Xl { 0.02 + d + c * z(seed) } else { 0.02 });
        r
    });
}

/// RL curves whose held-out outcome accuracy changes by `change(seed)`.
fn rl_curves(r: &mut Results, change: impl Fn(u64) -> f64) {
    for k in r.config.models() {
        let last = r.config.rl_steps;
        for (step, acc) in [(0, 0.8), (last, 0.8 + change(k.seed))] {
            let point = RlPoint { step, success: 0.6, outcome_acc: acc, rollout_acc: Some(0.7), rollout_own_acc: None, rollout_other_acc: None };
            r.curves.push_rl(k, point);
        }
    }
}

#[test]
fn maintenance_keeps_prediction_or_its_loss_is_seen() {
    let id = ClaimId::MaintenanceKeepsPrediction;
    let with = |change: f64, scale: f64| {
        let mut r = study(|_| spec(0.8));
        rl_curves(&mut r, |seed| change + scale * z(seed));
        r
    };
    assert!(matches!(verdict(&study(|_| spec(0.8)), id), Verdict::NotEnough(_)));
    // Kept: no change; too close at the band's edge; lost beyond it.
    assert_eq!(verdict(&with(0.0, 0.002), id), Verdict::Holds);
    assert_eq!(verdict(&with(-0.02, 0.002), id), Verdict::TooClose);
    assert_eq!(verdict(&with(-0.1, 0.002), id), Verdict::DoesNotHold);
    assert_eq!(verdict(&with(0.1, 0.002), id), Verdict::DoesNotHold, "a rise is not keeping either");
    // Without maintenance the claim is the loss (below −0.02).
    let without = |change: f64| {
        let mut r = with(change, 0.002);
        r.config.maintenance_every = 0;
        r
    };
    assert_eq!(verdict(&without(-0.2), id), Verdict::Holds);
    assert_eq!(verdict(&without(-0.02), id), Verdict::TooClose);
    assert_eq!(verdict(&without(0.0), id), Verdict::DoesNotHold);
}

#[test]
fn models_above_the_generator() {
    let r = study(|_| spec(0.8));
    let generator = r.scripted.iter().find(|s| s.policy == opimp::policy::Scripted::Generator).unwrap().op;
    planted(ClaimId::AboveGenerator, |d, c| {
        study(|k| {
            let mut s = spec(0.8);
            s.op_error = generator + d + c * z(k.seed) - op_implied(0.8, k.task.chance());
            s
        })
    });
}

#[test]
fn own_task_nearest() {
    // The margin m (distance to the nearest other task's implied Op minus
    // the distance to the own task's) planted directly in the scores.
    planted(ClaimId::OwnTaskNearest, |m, c| {
        let mut r = study(|_| spec(0.8));
        for model in &mut r.models {
            let margin = m + c * z(model.key.seed);
            let (op, own) = (model.op, model.key.task);
            for score in &mut model.scores {
                let own_task = score.task == own;
                // Positive: the own task exact, the others off by the
                // margin; negative: the others exact, the own one off.
                score.op_implied = match (own_task, margin >= 0.0) {
                    (true, true) | (false, false) => op,
                    _ => op + margin.abs(),
                };
            }
        }
        r
    });
}

#[test]
fn n2_trained_models_score_well_on_n4() {
    planted(ClaimId::N2BeatsN4, |d, c| {
        study(|k| {
            let mut s = spec(0.7);
            if k.task == N2 {
                s.other_success = 0.5 + d + c * z(k.seed);
            }
            s
        })
    });
}

#[test]
fn impact_grows_with_size_as_its_ratio_falls() {
    // Imp = 0.3 + β ln p; Imp/Imp_min = 3 − γ ln p (Imp_min set to match).
    let build = |beta: f64, gamma: f64, c: f64| {
        study(move |k| {
            let x = ln_params(k.size) - 11.0;
            let imp = 0.3 + (beta + c * z(k.seed)) * x;
            let ratio = 3.0 - (gamma + c * z(k.seed)) * x;
            let mut s = spec(0.8);
            (s.imp, s.imp_min) = (imp, Some(imp / ratio));
            s
        })
    };
    let five = 5.0 * se(0.01);
    let check = |beta, gamma, want| {
        let r = build(beta, gamma, 0.01);
        assert_eq!(verdict(&r, ClaimId::ImpactWithSize), want, "{beta} {gamma}: {}", find(&r, ClaimId::ImpactWithSize).numbers());
    };
    check(five, five, Verdict::Holds);
    check(0.0, five, Verdict::TooClose);
    check(five, 0.0, Verdict::TooClose);
    check(-five, five, Verdict::DoesNotHold);
    check(five, -five, Verdict::DoesNotHold);
}

#[test]
fn split_success_is_flat_with_size() {
    let id = ClaimId::SplitSuccessFlat;
    let span = ln_params(Size::Xl) - ln_params(Size::S);
    // s′ changes by `total` across the sizes (plus noise per seed).
    let build = |total: f64| {
        study(move |k| {
            let mut s = spec(0.8);
            s.split = 0.5 + (total + 0.002 * z(k.seed)) * (ln_params(k.size) - ln_params(Size::S)) / span;
            s
        })
    };
    assert_eq!(verdict(&build(0.0), id), Verdict::Holds);
    assert_eq!(verdict(&build(0.05), id), Verdict::TooClose);
    assert_eq!(verdict(&build(0.2), id), Verdict::DoesNotHold);
    assert_eq!(verdict(&build(-0.2), id), Verdict::DoesNotHold);
}

#[test]
fn under_imp_other_tasks_leave_the_line_faster() {
    // Imp − Imp_min grows with Imp at slope a under the own task and a + d
    // under the others (per seed noise on d).
    planted(ClaimId::ImpCrossObjective, |d, c| {
        study(|k| {
            let imp = 0.2 + 0.1 * k.size.index() as f64 + 0.03 * TASKS.iter().position(|&t| t == k.task).unwrap() as f64;
            let mut s = spec(0.8);
            s.imp = imp;
            s.imp_min = Some(imp - 0.2 * imp);
            s.other_imp_min = Some(imp - (0.2 + d + c * z(k.seed)) * imp);
            s
        })
    });
}

#[test]
fn self_evaluation_by_task() {
    let id = ClaimId::SelfEvaluation;
    // Gaps: n6 g6, n4 g6 + d, n2 g6 + 2d.
    let build = |g6: f64, d: f64, c: f64| {
        study(move |k| {
            let mut s = spec(0.8);
            let rank = match k.task {
                t if t == N6 => 0.0,
                t if t == N4 => 1.0,
                _ => 2.0,
            };
            s.self_gap = g6 + rank * (d + c * z(k.seed));
            s
        })
    };
    let five = 5.0 * se(0.01);
    assert_eq!(verdict(&build(0.0, five, 0.01), id), Verdict::Holds);
    assert_eq!(verdict(&build(0.0, 0.0, 0.01), id), Verdict::TooClose);
    assert_eq!(verdict(&build(0.0, -five, 0.01), id), Verdict::DoesNotHold);
    assert_eq!(verdict(&build(0.3, five, 0.01), id), Verdict::DoesNotHold, "n6 off the line");
}

#[test]
fn self_evaluated_impact_is_worse() {
    planted(ClaimId::SelfImpWorse, |d, c| {
        study(|k| {
            let mut s = spec(0.8);
            s.self_gap = 0.1;
            s.self_imp_gap = 0.1 + d + c * z(k.seed);
            s
        })
    });
}

#[test]
fn the_cli_prints_every_claim_with_its_interval() {
    let r = study(|k| spec(0.7 + (0.05 + 0.01 * z(k.seed)) * (ln_params(k.size) - 11.0)));
    let path = std::env::temp_dir().join(format!("opimp-claims-{}.json", std::process::id()));
    std::fs::write(&path, r.to_json().unwrap()).unwrap();
    let run = |json: bool| {
        let mut args = vec!["claims", "--results", path.to_str().unwrap()];
        if json {
            args.push("--json");
        }
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_opimp")).args(&args).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let v: serde_json::Value = serde_json::from_str(&run(true)).unwrap();
    assert_eq!(v.as_array().unwrap().len(), ClaimId::ALL.len());
    let rises = v.as_array().unwrap().iter().find(|c| c["id"] == "success-rises").unwrap();
    assert_eq!(rises["verdict"], "holds");
    let e = &rises["effects"][0];
    assert!(e["lo"].as_f64().unwrap() > 0.0 && e["seeds"] == 5, "{e}");
    let text = run(false);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), ClaimId::ALL.len());
    for l in lines {
        assert!(["[holds]", "[does not hold]", "[too close to tell]", "[not enough models]"].iter().any(|w| l.starts_with(w)), "{l}");
    }
    std::fs::remove_file(&path).unwrap();
}
