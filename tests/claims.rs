//! The claims panel on results built to make each claim hold, fail, or
//! lack the models to tell.
#![cfg(not(target_arch = "wasm32"))]

use opimp::measure::{imp_min, op_implied};
use opimp::sequence::SuccessSet;
use opimp::study::claims::{Verdict, evaluate};
use opimp::study::config::ExperimentConfig;
use opimp::study::key::ModelKey;
use opimp::study::preset::Preset;
use opimp::study::results::{Comparisons, ModelResult, OpImp, Results, TaskScore};
use opimp::study::size::Size;

const N2: SuccessSet = SuccessSet::N2;
const N4: SuccessSet = SuccessSet::N4;
const N6: SuccessSet = SuccessSet::N6;

fn empty() -> Results {
    let mut c = ExperimentConfig::preset(Preset::Paper);
    c.eval_histories = 100;
    c.test_tokens = 2_000;
    Results::new(c.clone())
}

/// A model whose Op equals the Op its own success implies (scored under the
/// other tasks at success `others`), with the given impact and self-estimates.
struct M {
    size: Size,
    seed: u64,
    task: SuccessSet,
    success: f64,
    split: f64,
    imp: f64,
    self_gap: f64,
    self_imp_gap: f64,
    n4_success: Option<f64>,
}

fn m(size: Size, seed: u64, task: SuccessSet, success: f64) -> M {
    M { size, seed, task, success, split: 0.5, imp: 0.2, self_gap: 0.0, self_imp_gap: 0.0, n4_success: None }
}

fn add(r: &mut Results, spec: M) {
    let op = op_implied(spec.success, spec.task.chance());
    let scores = SuccessSet::tasks()
        .iter()
        .map(|&g| {
            let s = if g == spec.task { spec.success } else if g == N4 { spec.n4_success.unwrap_or(0.3) } else { 0.3 };
            TaskScore { task: g, success: s, split_success: spec.split, op_implied: op_implied(s, g.chance()), imp_min: imp_min(s, spec.split) }
        })
        .collect();
    let o = OpImp { op, imp: spec.imp, comparison_success: 0.5 };
    r.add(vec![ModelResult {
        key: ModelKey { size: spec.size, seed: spec.seed, task: spec.task },
        params: spec.size.params(),
        entropy_optimized: 1.8,
        entropy_split: 1.8 + op,
        op,
        imp: spec.imp,
        scores,
        pretrained_success: 0.5,
        self_op: op - spec.self_gap,
        self_imp: spec.imp - spec.self_imp_gap,
        comparisons: Comparisons { fixed: o, random: o, untrained: o, pretrained: o },
        monte_carlo: None,
    }]);
    r.validate().unwrap();
}

fn verdict(r: &Results, id: &str) -> Verdict {
    evaluate(r).into_iter().find(|c| c.id.name() == id).unwrap().verdict
}

#[test]
fn with_no_models_nothing_can_be_told() {
    let r = empty();
    for c in evaluate(&r) {
        assert!(matches!(c.verdict, Verdict::NotEnough(_)), "{:?}: {:?}", c.id, c.verdict);
    }
}

#[test]
fn success_rises_with_size() {
    let mut r = empty();
    add(&mut r, m(Size::S, 0, N4, 0.62));
    assert!(matches!(verdict(&r, "success-rises"), Verdict::NotEnough(_)));
    add(&mut r, m(Size::M, 0, N4, 0.70));
    assert_eq!(verdict(&r, "success-rises"), Verdict::Holds);
    add(&mut r, m(Size::L, 0, N4, 0.55));
    assert_eq!(verdict(&r, "success-rises"), Verdict::DoesNotHold);
}

/// An RL curve from `start` to `end` outcome accuracy over the whole run.
fn curve(r: &mut Results, size: Size, seed: u64, start: f64, end: f64) {
    use opimp::study::curves::RlPoint;
    let key = ModelKey { size, seed, task: N4 };
    let last = r.config.rl_steps;
    for (step, acc) in [(0, start), (last / 2, (start + end) / 2.0), (last, end)] {
        r.curves.push_rl(key, RlPoint { step, success: 0.6, outcome_acc: acc, rollout_acc: None, rollout_own_acc: None, rollout_other_acc: None });
    }
}

#[test]
fn maintenance_keeps_prediction_or_its_loss_is_seen() {
    let id = "maintenance-keeps-prediction";
    let mut r = empty();
    assert!(matches!(verdict(&r, id), Verdict::NotEnough(_)));
    add(&mut r, m(Size::S, 0, N4, 0.7));
    add(&mut r, m(Size::Xl, 0, N4, 0.7));
    curve(&mut r, Size::S, 0, 0.80, 0.805);
    curve(&mut r, Size::Xl, 0, 0.90, 0.895);
    assert_eq!(verdict(&r, id), Verdict::Holds);
    // One model losing more than 0.03 breaks it, even if its size's mean
    // stays within 0.01.
    add(&mut r, m(Size::S, 1, N4, 0.7));
    add(&mut r, m(Size::S, 2, N4, 0.7));
    curve(&mut r, Size::S, 1, 0.80, 0.765);
    curve(&mut r, Size::S, 2, 0.80, 0.83);
    assert_eq!(verdict(&r, id), Verdict::DoesNotHold);
    // Without maintenance, the claim is that prediction is lost.
    let mut r = empty();
    r.config.maintenance_every = 0;
    add(&mut r, m(Size::S, 0, N4, 0.7));
    curve(&mut r, Size::S, 0, 0.80, 0.60);
    assert_eq!(verdict(&r, id), Verdict::Holds);
    curve(&mut r, Size::S, 0, 0.80, 0.80);
    assert_eq!(verdict(&r, id), Verdict::DoesNotHold);
}

#[test]
fn models_above_the_generator() {
    let mut r = empty();
    add(&mut r, m(Size::S, 0, N4, 0.9));
    assert_eq!(verdict(&r, "above-generator"), Verdict::Holds);
    add(&mut r, m(Size::S, 1, N4, 0.5)); // Op 0: below the generator's
    assert_eq!(verdict(&r, "above-generator"), Verdict::DoesNotHold);
}

#[test]
fn own_task_nearest() {
    let mut r = empty();
    add(&mut r, m(Size::S, 0, N4, 0.8));
    assert_eq!(verdict(&r, "own-task-nearest"), Verdict::Holds);
    // Scored under n2 at the success that implies its measured Op too.
    let mut spec = m(Size::S, 1, N2, 0.6);
    spec.n4_success = Some(0.5);
    add(&mut r, spec);
    let mut bad = r.clone();
    let k = ModelKey { size: Size::S, seed: 1, task: N2 };
    let model = bad.models.iter_mut().find(|x| x.key == k).unwrap();
    let own = model.own().op_implied;
    model.scores.iter_mut().find(|s| s.task == N6).unwrap().op_implied = own;
    assert_eq!(verdict(&bad, "own-task-nearest"), Verdict::DoesNotHold);
}

#[test]
fn n2_trained_models_sometimes_beat_n4_trained_on_n4() {
    let mut r = empty();
    add(&mut r, m(Size::S, 0, N4, 0.65));
    assert!(matches!(verdict(&r, "n2-beats-n4"), Verdict::NotEnough(_)));
    let mut spec = m(Size::S, 1, N2, 0.4);
    spec.n4_success = Some(0.6);
    add(&mut r, spec);
    assert_eq!(verdict(&r, "n2-beats-n4"), Verdict::DoesNotHold);
    let mut spec = m(Size::S, 2, N2, 0.4);
    spec.n4_success = Some(0.7);
    add(&mut r, spec);
    assert_eq!(verdict(&r, "n2-beats-n4"), Verdict::Holds);
}

#[test]
fn impact_grows_with_size_as_its_ratio_falls() {
    let build = |imps: [(f64, f64); 3]| {
        let mut r = empty();
        for (i, (size, (s, imp))) in [Size::S, Size::M, Size::L].into_iter().zip(imps).enumerate() {
            let mut spec = m(size, i as u64, N4, s);
            spec.imp = imp;
            add(&mut r, spec);
        }
        r
    };
    // Imp_min = binary KL(s, 0.5): 0.02 at s 0.6, 0.08 at 0.7, 0.18 at 0.78.
    assert_eq!(verdict(&build([(0.6, 0.05), (0.7, 0.10), (0.78, 0.20)]), "impact-with-size"), Verdict::Holds);
    assert_eq!(verdict(&build([(0.6, 0.30), (0.7, 0.20), (0.78, 0.19)]), "impact-with-size"), Verdict::DoesNotHold);
}

#[test]
fn split_success_is_flat_with_size() {
    let build = |splits: [f64; 2]| {
        let mut r = empty();
        for (size, split) in [Size::S, Size::Xl].into_iter().zip(splits) {
            let mut spec = m(size, 0, N4, 0.7);
            spec.split = split;
            add(&mut r, spec);
        }
        r
    };
    assert_eq!(verdict(&build([0.50, 0.52]), "split-success-flat"), Verdict::Holds);
    assert_eq!(verdict(&build([0.40, 0.60]), "split-success-flat"), Verdict::DoesNotHold);
}

#[test]
fn self_evaluation_by_task() {
    let build = |gaps: [f64; 3]| {
        let mut r = empty();
        for (g, gap) in [N2, N4, N6].into_iter().zip(gaps) {
            let mut spec = m(Size::S, 0, g, 0.9);
            spec.self_gap = gap;
            add(&mut r, spec);
        }
        r
    };
    assert_eq!(verdict(&build([0.10, 0.05, 0.0]), "self-evaluation"), Verdict::Holds);
    assert_eq!(verdict(&build([0.10, 0.05, 0.2]), "self-evaluation"), Verdict::DoesNotHold);
    assert_eq!(verdict(&build([0.0, 0.05, 0.0]), "self-evaluation"), Verdict::DoesNotHold);
    let mut r = empty();
    add(&mut r, m(Size::S, 0, N6, 0.9));
    assert!(matches!(verdict(&r, "self-evaluation"), Verdict::NotEnough(_)));
}

#[test]
fn self_evaluated_impact_is_worse() {
    let mut r = empty();
    let mut spec = m(Size::S, 0, N4, 0.8);
    spec.self_gap = 0.01;
    spec.self_imp_gap = 0.1;
    add(&mut r, spec);
    assert_eq!(verdict(&r, "self-imp-worse"), Verdict::Holds);
    let mut r = empty();
    let mut spec = m(Size::S, 0, N4, 0.8);
    spec.self_gap = 0.1;
    spec.self_imp_gap = 0.01;
    add(&mut r, spec);
    assert_eq!(verdict(&r, "self-imp-worse"), Verdict::DoesNotHold);
}

#[test]
fn the_cli_prints_every_claim() {
    let mut r = empty();
    add(&mut r, m(Size::S, 0, N4, 0.8));
    let path = std::env::temp_dir().join(format!("opimp-claims-{}.json", std::process::id()));
    std::fs::write(&path, r.to_json().unwrap()).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_opimp")).args(["claims", "--results", path.to_str().unwrap(), "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 9);
    assert_eq!(v[2]["id"], "above-generator");
    assert_eq!(v[2]["verdict"], "holds");
}
