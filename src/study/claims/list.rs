//! Each claim of the post as a test: the quantity it is about, computed
//! within each seed, its 95% interval over seeds, and the side of a
//! boundary it must lie on. Bands and boundaries are fixed here, from the
//! claim's words, never from what the results give.

use super::replicates::{by_seed, final_pretraining, mean_of, per_seed, per_seed_nets, size_slope, sizes};
use super::{Claim, ClaimId, Effect, Side, Verdict};
use crate::policy::Scripted;
use crate::sequence::SuccessSet;
use crate::study::interval::{bootstrap, t_mean};
use crate::study::results::{ModelResult, Results};
use crate::study::size::Size;
use crate::study::summary::{correlation, present};

/// "High accuracy": measured Op correlates with the Op implied by own-task
/// success above this...
pub const HIGH_ACCURACY_R: f64 = 0.9;
/// ...and the mean |Op − Op_implied| is under this share of the mean Op.
pub const HIGH_ACCURACY_ERROR: f64 = 0.1;
/// Held-out accuracy "kept": within this of where pretraining left it
/// (SCIENCE.md §3's test, the maintenance probe's criterion).
pub const KEPT: f64 = 0.02;
/// s′ "hardly changes": across the sizes measured it moves less than this.
pub const FLAT: f64 = 0.05;
/// Self-estimated Op "on y = x": within this many nats of measured Op.
pub const ON_LINE: f64 = 0.05;

const TOO_FEW: &str = "two seeds";

fn claim(id: ClaimId, text: &'static str, test: &'static str, effects: Vec<Effect>, context: String) -> Claim {
    let verdict = Verdict::all(effects.iter().map(|e| e.verdict.clone()));
    Claim { id, text, test, verdict, effects, context }
}

fn lacking(id: ClaimId, text: &'static str, test: &'static str, need: String) -> Claim {
    Claim { id, text, test, verdict: Verdict::NotEnough(need), effects: Vec::new(), context: String::new() }
}

/// An effect over per-seed values, or None with too few seeds.
fn over_seeds(what: impl Into<String>, values: &[f64], side: Side) -> Option<Effect> {
    t_mean(values).map(|e| Effect::new(what, e, side))
}

/// Every claim, in the panel's order.
pub fn evaluate(r: &Results) -> Vec<Claim> {
    ClaimId::ALL.iter().map(|&id| evaluate_one(r, id)).collect()
}

/// One claim, evaluated alone.
pub fn evaluate_one(r: &Results, id: ClaimId) -> Claim {
    match id {
        ClaimId::OpPredicted => op_predicted(r),
        ClaimId::BetterThanChance => better_than_chance(r),
        ClaimId::SuccessRises => success_rises(r),
        ClaimId::LossRises => loss_rises(r),
        ClaimId::LargeOverfit => large_overfit(r),
        ClaimId::MaintenanceKeepsPrediction => maintenance_keeps_prediction(r),
        ClaimId::AboveGenerator => above_generator(r),
        ClaimId::OwnTaskNearest => own_task_nearest(r),
        ClaimId::N2BeatsN4 => n2_beats_n4(r),
        ClaimId::ImpactWithSize => impact_with_size(r),
        ClaimId::SplitSuccessFlat => split_success_flat(r),
        ClaimId::ImpCrossObjective => imp_cross_objective(r),
        ClaimId::SelfEvaluation => self_evaluation(r),
        ClaimId::SelfImpWorse => self_imp_worse(r),
    }
}

/// Per task: an effect from one value per seed (`stat` of the seed's
/// models on that task). Tasks without two seeds are left out; a claim
/// with no task left lacks models.
fn per_task(r: &Results, side: Side, stat: impl Fn(&[&ModelResult]) -> Option<f64>, what: &str) -> Vec<Effect> {
    present(r).1.into_iter().filter_map(|g| over_seeds(format!("{g}: {what}"), &per_seed(r, |m| m.key.task == g, &stat), side)).collect()
}

fn op_predicted(r: &Results) -> Claim {
    let text = "The optimizing power of each model can be predicted with high accuracy from its score on its own RL task.";
    let test = "Over every model: the correlation of measured Op with the Op its own-task success implies (bootstrap over seeds, 95%) must lie above 0.9, and each seed's mean |Op − Op_implied| as a share of its mean Op (t interval over seeds) below 0.1.";
    let groups = by_seed(r, |_| true);
    let r_op = bootstrap(&groups, |ms: &[&&ModelResult]| {
        correlation(&ms.iter().map(|m| m.op).collect::<Vec<_>>(), &ms.iter().map(|m| m.own().op_implied).collect::<Vec<_>>())
    });
    let error = per_seed(r, |_| true, |ms| {
        let op = mean_of(ms, |m| m.op)?;
        (op > 0.0).then(|| mean_of(ms, |m| (m.op - m.own().op_implied).abs()).unwrap_or(f64::NAN) / op)
    });
    let (Some(r_op), Some(err)) = (r_op, over_seeds("mean |Op − Op_implied| / mean Op", &error, Side::Below(HIGH_ACCURACY_ERROR))) else {
        return lacking(ClaimId::OpPredicted, text, test, "three seeds of trained models".into());
    };
    let abs = mean_of(&r.models.iter().collect::<Vec<_>>(), |m| (m.op - m.own().op_implied).abs()).unwrap_or(f64::NAN);
    claim(
        ClaimId::OpPredicted,
        text,
        test,
        vec![Effect::new("correlation of Op with Op_implied", r_op, Side::Above(HIGH_ACCURACY_R)), err],
        format!("mean |Op − Op_implied| {abs:.4} nats over {} models", r.models.len()),
    )
}

fn better_than_chance(r: &Results) -> Claim {
    let text = "Every model does a lot better than chance on its own task.";
    let test = "For each size and task: each seed's success minus the task's chance rate p, its mean over seeds with a t interval (95%) above 0, for every size and task.";
    let (sizes, tasks) = present(r);
    let mut effects = Vec::new();
    for &g in &tasks {
        for &s in &sizes {
            let v = per_seed(r, |m| m.key.task == g && m.key.size == s, |ms| mean_of(ms, |m| m.own().success - g.chance()));
            effects.extend(over_seeds(format!("{s} on {g}: success − p"), &v, Side::Above(0.0)));
        }
    }
    if effects.is_empty() {
        return lacking(ClaimId::BetterThanChance, text, test, format!("{TOO_FEW} of one size and task"));
    }
    let lowest = effects.iter().map(|e| e.estimate.value).fold(f64::INFINITY, f64::min);
    let mut c = claim(ClaimId::BetterThanChance, text, test, effects, format!("the smallest mean margin over chance is {lowest:+.3}"));
    keep_weakest(&mut c);
    c
}

/// Keeps, of many groups' effects, those that decide the verdict (the
/// failing or close ones, else the weakest), so that the panel's line
/// stays short; the verdict is unchanged.
fn keep_weakest(c: &mut Claim) {
    let deciding: Vec<Effect> = c.effects.iter().filter(|e| e.verdict != Verdict::Holds).cloned().collect();
    c.effects = if deciding.is_empty() {
        let weakest = c.effects.iter().min_by(|a, b| (a.estimate.lo).total_cmp(&b.estimate.lo)).cloned();
        weakest.into_iter().collect()
    } else {
        deciding
    };
}

fn success_rises(r: &Results) -> Claim {
    let text = "Success rises with model size, for every task.";
    let test = "Per task: each seed's least-squares slope of own-task success against ln(parameters) across its sizes (paired by draw), the mean slope over seeds with a t interval (95%) above 0 on every task.";
    let effects = per_task(r, Side::Above(0.0), |ms| size_slope(ms, |m| m.own().success), "slope of success per ln(params)");
    if effects.is_empty() {
        return lacking(ClaimId::SuccessRises, text, test, format!("{TOO_FEW} with models of two sizes on one task"));
    }
    claim(ClaimId::SuccessRises, text, test, effects, String::new())
}

/// The two largest and the smallest sizes with finished pretraining.
fn pretrained_sizes(r: &Results) -> Vec<Size> {
    let mut s: Vec<Size> = final_pretraining(r).into_iter().map(|(n, _)| n.size).collect();
    s.sort();
    s.dedup();
    s
}

fn loss_rises(r: &Results) -> Claim {
    let text = "Pretraining loss increases over the last few model sizes.";
    let test = "Each seed's final held-out loss of the largest size minus that of the next size (paired by draw); the mean over seeds with a t interval (95%) above 0.";
    let sizes = pretrained_sizes(r);
    let effect = match sizes[..] {
        [.., a, b] => over_seeds(format!("held-out loss {b} − {a}"), &per_seed_nets(r, a, b, |pa, pb| pb.test_loss - pa.test_loss), Side::Above(0.0)),
        _ => None,
    };
    let Some(effect) = effect else {
        return lacking(ClaimId::LossRises, text, test, format!("{TOO_FEW} pretrained at two sizes"));
    };
    claim(ClaimId::LossRises, text, test, vec![effect], final_losses(r, &sizes))
}

/// The mean final held-out loss of each size.
fn final_losses(r: &Results, sizes: &[Size]) -> String {
    let last = final_pretraining(r);
    let parts: Vec<String> = sizes
        .iter()
        .map(|&s| {
            let v: Vec<f64> = last.iter().filter(|(n, _)| n.size == s).map(|(_, p)| p.test_loss).collect();
            format!("{s} {:.3}", v.iter().sum::<f64>() / v.len() as f64)
        })
        .collect();
    format!("final held-out loss {}", parts.join(", "))
}

fn large_overfit(r: &Results) -> Claim {
    let text = "The large models show signs of overfitting.";
    let test = "At the end of pretraining, each seed's gap between held-out and training loss for the largest size minus that gap for the smallest (paired by draw); the mean over seeds with a t interval (95%) above 0.";
    let sizes = pretrained_sizes(r);
    let (Some(&small), Some(&large)) = (sizes.first(), sizes.last()) else {
        return lacking(ClaimId::LargeOverfit, text, test, format!("{TOO_FEW} pretrained at two sizes"));
    };
    let gap = |p: &crate::study::curves::PretrainPoint| p.test_loss - p.train_loss;
    let effect = (small != large).then(|| over_seeds(format!("gap {large} − gap {small}"), &per_seed_nets(r, small, large, |a, b| gap(b) - gap(a)), Side::Above(0.0))).flatten();
    let Some(effect) = effect else {
        return lacking(ClaimId::LargeOverfit, text, test, format!("{TOO_FEW} pretrained at two sizes"));
    };
    let last = final_pretraining(r);
    let mean_gap = |s: Size| {
        let v: Vec<f64> = last.iter().filter(|(n, _)| n.size == s).map(|(_, p)| gap(p)).collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    claim(ClaimId::LargeOverfit, text, test, vec![effect], format!("held-out minus training loss: {small} {:+.3}, {large} {:+.3}", mean_gap(small), mean_gap(large)))
}

/// The held-out outcome accuracy at the start and end of each RL curve
/// that ran to the experiment's last step: (size, seed, start, end).
pub fn prediction_kept(r: &Results) -> Vec<(Size, u64, f64, f64)> {
    r.curves
        .rl
        .iter()
        .filter_map(|c| {
            let (first, last) = (c.points.first()?, c.points.last()?);
            (first.step == 0 && last.step == r.config.rl_steps && last.step > 0).then_some((c.key.size, c.key.seed, first.outcome_acc, last.outcome_acc))
        })
        .collect()
}

/// The change of held-out rollout accuracy over RL per size (mean over
/// curves), where recorded.
fn rollout_change(r: &Results, size: Size) -> Option<f64> {
    let v: Vec<f64> = r
        .curves
        .rl
        .iter()
        .filter(|c| c.key.size == size)
        .filter_map(|c| {
            let (first, last) = (c.points.first()?, c.points.last()?);
            (first.step == 0 && last.step == r.config.rl_steps && last.step > 0).then_some(last.rollout_acc? - first.rollout_acc?)
        })
        .collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

fn maintenance_keeps_prediction(r: &Results) -> Claim {
    let text = "Maintenance keeps the model predicting outcomes through RL; without it that performance is rapidly lost.";
    let test = "Per size: each seed's change of held-out outcome accuracy from the start to the end of RL (mean over its tasks); the mean over seeds with a t interval (95%). With maintenance it must lie within ±0.02 on every size; without, below −0.02.";
    let kept = prediction_kept(r);
    let with = r.config.maintenance_every > 0;
    let side = if with { Side::Within(-KEPT, KEPT) } else { Side::Below(-KEPT) };
    let mut effects = Vec::new();
    let mut context = Vec::new();
    for size in present(r).0 {
        let mut seeds: Vec<u64> = kept.iter().filter(|k| k.0 == size).map(|k| k.1).collect();
        seeds.sort();
        seeds.dedup();
        let changes: Vec<f64> = seeds
            .iter()
            .map(|&s| {
                let v: Vec<f64> = kept.iter().filter(|k| k.0 == size && k.1 == s).map(|k| k.3 - k.2).collect();
                v.iter().sum::<f64>() / v.len() as f64
            })
            .collect();
        effects.extend(over_seeds(format!("{size}: change of outcome accuracy"), &changes, side));
        if let Some(c) = rollout_change(r, size) {
            context.push(format!("{size} {c:+.3}"));
        }
    }
    if effects.is_empty() {
        return lacking(ClaimId::MaintenanceKeepsPrediction, text, test, format!("{TOO_FEW} with RL curves run to the end"));
    }
    let how = if with {
        format!("with maintenance every {} step(s), {:.0}% from rollouts", r.config.maintenance_every, r.config.maintenance_rollouts * 100.0)
    } else {
        "without maintenance".to_string()
    };
    let rollouts = if context.is_empty() { String::new() } else { format!("; on rollout windows (not decided): {}", context.join(", ")) };
    claim(ClaimId::MaintenanceKeepsPrediction, text, test, effects, format!("{how}{rollouts}"))
}

fn above_generator(r: &Results) -> Claim {
    let text = "Every model optimizes at least as much as the sequence optimizes itself (the generator's Op).";
    let test = "For each size and task: each seed's Op minus the generator's Op (on the pooled histories), the mean over seeds with a t interval (95%) above 0, for every size and task.";
    let Some(generator) = r.scripted.iter().find(|s| s.policy == Scripted::Generator) else {
        return lacking(ClaimId::AboveGenerator, text, test, "the generator's measure".into());
    };
    let (sizes, tasks) = present(r);
    let mut effects = Vec::new();
    for &g in &tasks {
        for &s in &sizes {
            let v = per_seed(r, |m| m.key.task == g && m.key.size == s, |ms| mean_of(ms, |m| m.op - generator.op));
            effects.extend(over_seeds(format!("{s} on {g}: Op − generator's"), &v, Side::Above(0.0)));
        }
    }
    if effects.is_empty() {
        return lacking(ClaimId::AboveGenerator, text, test, format!("{TOO_FEW} of one size and task"));
    }
    let above = r.models.iter().filter(|m| m.op >= generator.op).count();
    let mut c = claim(
        ClaimId::AboveGenerator,
        text,
        test,
        effects,
        format!("{above} of {} models at or above the generator's {:.3} nats", r.models.len(), generator.op),
    );
    keep_weakest(&mut c);
    c
}

/// How much nearer a model's Op is to the Op its own task implies than to
/// the nearest other task's.
fn own_margin(m: &ModelResult) -> Option<f64> {
    let own = (m.op - m.own().op_implied).abs();
    let other = m.scores.iter().filter(|s| s.task != m.key.task).map(|s| (m.op - s.op_implied).abs()).reduce(f64::min)?;
    Some(other - own)
}

fn own_task_nearest(r: &Results) -> Claim {
    let text = "Each model is nearest implied = measured Op under its own task's G.";
    let test = "Per task: each model's distance from the nearest other task's implied Op minus its distance from its own task's; each seed's mean over sizes, the mean over seeds with a t interval (95%) above 0 on every task.";
    let effects = per_task(r, Side::Above(0.0), |ms| {
        let v: Vec<f64> = ms.iter().filter_map(|m| own_margin(m)).collect();
        (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
    }, "margin of the own task (nats)");
    if effects.is_empty() {
        return lacking(ClaimId::OwnTaskNearest, text, test, format!("{TOO_FEW} of trained models"));
    }
    let nearest = r.models.iter().filter(|m| own_margin(m).is_some_and(|x| x > 0.0)).count();
    claim(ClaimId::OwnTaskNearest, text, test, effects, format!("{nearest} of {} models nearest under their own task", r.models.len()))
}

fn n2_beats_n4(r: &Results) -> Claim {
    let text = "Models trained on n2 score well on n4, sometimes even higher than a model of their size trained on n4.";
    let test = "Each seed's mean over sizes of the n4 success of its n2-trained models minus n4's chance rate 0.5; the mean over seeds with a t interval (95%) above 0. How often an n2-trained model beats the n4-trained model of its size and seed is reported, not decided.";
    let v = per_seed(r, |m| m.key.task == SuccessSet::N2, |ms| {
        let xs: Vec<f64> = ms.iter().filter_map(|m| m.score(SuccessSet::N4).map(|s| s.success - SuccessSet::N4.chance())).collect();
        (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
    });
    let Some(effect) = over_seeds("n2-trained on n4: success − 0.5", &v, Side::Above(0.0)) else {
        return lacking(ClaimId::N2BeatsN4, text, test, format!("{TOO_FEW} of n2-trained models"));
    };
    let mut pairs = 0;
    let mut beats = 0;
    for a in r.models.iter().filter(|m| m.key.task == SuccessSet::N2) {
        let twin = crate::study::key::ModelKey { task: SuccessSet::N4, ..a.key };
        if let (Some(b), Some(s)) = (r.model(twin), a.score(SuccessSet::N4)) {
            pairs += 1;
            beats += (s.success > b.own().success) as usize;
        }
    }
    claim(ClaimId::N2BeatsN4, text, test, vec![effect], format!("{beats} of {pairs} n2-trained models beat the n4-trained model of their size and seed on n4"))
}

fn impact_with_size(r: &Results) -> Claim {
    let text = "Larger models have higher impact, but a lower ratio Imp/Imp_min.";
    let test = "Each seed's slopes against ln(parameters), per task and then averaged over tasks, of Imp and of Imp/Imp_min (models with Imp_min > 0); the mean slopes over seeds with t intervals (95%): Imp's above 0 and the ratio's below 0.";
    let slope_of = |value: fn(&ModelResult) -> f64| {
        move |ms: &[&ModelResult]| {
            let slopes: Vec<f64> = present_tasks(ms)
                .into_iter()
                .filter_map(|g| {
                    let of: Vec<&ModelResult> = ms.iter().copied().filter(|m| m.key.task == g && m.own().imp_min > 0.0).collect();
                    size_slope(&of, value)
                })
                .collect();
            (!slopes.is_empty()).then(|| slopes.iter().sum::<f64>() / slopes.len() as f64)
        }
    };
    let imp = over_seeds("slope of Imp per ln(params)", &per_seed(r, |_| true, slope_of(|m| m.imp)), Side::Above(0.0));
    let ratio = over_seeds("slope of Imp/Imp_min per ln(params)", &per_seed(r, |_| true, slope_of(|m| m.imp / m.own().imp_min)), Side::Below(0.0));
    let (Some(imp), Some(ratio)) = (imp, ratio) else {
        return lacking(ClaimId::ImpactWithSize, text, test, format!("{TOO_FEW} with models of two sizes"));
    };
    claim(ClaimId::ImpactWithSize, text, test, vec![imp, ratio], String::new())
}

fn present_tasks(ms: &[&ModelResult]) -> Vec<SuccessSet> {
    let mut t: Vec<SuccessSet> = ms.iter().map(|m| m.key.task).collect();
    t.sort();
    t.dedup();
    t
}

fn split_success_flat(r: &Results) -> Claim {
    let text = "The success rate in the split-history future, s′, hardly changes with model size.";
    let test = "Per task: each seed's least-squares slope of s′ against ln(parameters) times the span of ln(parameters) its sizes cover (the change from the smallest to the largest size); the mean over seeds with a t interval (95%) within ±0.05 on every task.";
    let effects = per_task(r, Side::Within(-FLAT, FLAT), |ms| {
        let s = sizes(ms);
        let span = (s.last()?.params() as f64).ln() - (s.first()?.params() as f64).ln();
        Some(size_slope(ms, |m| m.own().split_success)? * span)
    }, "change of s′ across the sizes");
    if effects.is_empty() {
        return lacking(ClaimId::SplitSuccessFlat, text, test, format!("{TOO_FEW} with models of two sizes on one task"));
    }
    claim(ClaimId::SplitSuccessFlat, text, test, effects, String::new())
}

fn imp_cross_objective(r: &Results) -> Claim {
    let text = "Under Imp cross-objective evaluation, models evaluated on a task they were not trained on diverge from the Imp_min line more rapidly.";
    let test = "Each seed's least-squares slope of Imp − Imp_min against Imp over its models evaluated under another task's G, minus that slope under their own task's G; the mean over seeds with a t interval (95%) above 0.";
    let v = per_seed(r, |_| true, |ms| {
        let own: Vec<(f64, f64)> = ms.iter().map(|m| (m.imp, m.imp - m.own().imp_min)).collect();
        let other: Vec<(f64, f64)> = ms
            .iter()
            .flat_map(|m| m.scores.iter().filter(move |s| s.task != m.key.task && SuccessSet::tasks().contains(&s.task)).map(move |s| (m.imp, m.imp - s.imp_min)))
            .collect();
        let fit = |pts: &[(f64, f64)]| crate::study::interval::slope(&pts.iter().map(|p| p.0).collect::<Vec<_>>(), &pts.iter().map(|p| p.1).collect::<Vec<_>>());
        Some(fit(&other)? - fit(&own)?)
    });
    let Some(effect) = over_seeds("slope under another G − under its own", &v, Side::Above(0.0)) else {
        return lacking(ClaimId::ImpCrossObjective, text, test, format!("{TOO_FEW} with models of two sizes or tasks"));
    };
    claim(ClaimId::ImpCrossObjective, text, test, vec![effect], String::new())
}

/// Each seed's mean over sizes of measured minus self-estimated Op on
/// task `g` minus the same on task `h` (none for `h`: the gap itself).
fn self_gap(r: &Results, g: SuccessSet, h: Option<SuccessSet>) -> Vec<f64> {
    let gap = |ms: &[&ModelResult], t: SuccessSet| {
        let of: Vec<&ModelResult> = ms.iter().copied().filter(|m| m.key.task == t).collect();
        mean_of(&of, |m| m.op - m.self_op)
    };
    per_seed(r, |_| true, |ms| Some(gap(ms, g)? - h.map_or(Some(0.0), |h| gap(ms, h))?))
}

fn self_evaluation(r: &Results) -> Claim {
    let text = "Self-evaluated Op: n6 models sit on y = x; with fewer good outcomes, models sit further above it (they underestimate themselves).";
    let test = "Each seed's mean over sizes of measured − self-estimated Op: on n6 within ±0.05 nats, and n2's minus n4's and n4's minus n6's (paired by seed) above 0; means over seeds with t intervals (95%); every part must hold.";
    let parts = [
        over_seeds("n6: Op − self Op", &self_gap(r, SuccessSet::N6, None), Side::Within(-ON_LINE, ON_LINE)),
        over_seeds("gap n2 − gap n4", &self_gap(r, SuccessSet::N2, Some(SuccessSet::N4)), Side::Above(0.0)),
        over_seeds("gap n4 − gap n6", &self_gap(r, SuccessSet::N4, Some(SuccessSet::N6)), Side::Above(0.0)),
    ];
    if parts.iter().any(Option::is_none) {
        return lacking(ClaimId::SelfEvaluation, text, test, format!("{TOO_FEW} with models on n2, n4 and n6"));
    }
    claim(ClaimId::SelfEvaluation, text, test, parts.into_iter().flatten().collect(), String::new())
}

fn self_imp_worse(r: &Results) -> Claim {
    let text = "Self-evaluated impact is worse than self-evaluated optimization.";
    let test = "Each seed's mean over its models of |Imp − self Imp| − |Op − self Op|; the mean over seeds with a t interval (95%) above 0.";
    let v = per_seed(r, |_| true, |ms| mean_of(ms, |m| (m.imp - m.self_imp).abs() - (m.op - m.self_op).abs()));
    let Some(effect) = over_seeds("|Imp error| − |Op error| (nats)", &v, Side::Above(0.0)) else {
        return lacking(ClaimId::SelfImpWorse, text, test, format!("{TOO_FEW} of trained models"));
    };
    claim(ClaimId::SelfImpWorse, text, test, vec![effect], String::new())
}
