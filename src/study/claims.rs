//! The post's claims, each evaluated on a set of results: holds, does not
//! hold, or not enough models to tell — with the numbers behind it.

use super::results::{ModelResult, Results};
use super::size::Size;
use super::summary::{MeanSe, correlation, over, present};
use crate::policy::Scripted;
use crate::sequence::SuccessSet;

/// What the results say about a claim.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// The results agree with the claim.
    Holds,
    /// The results contradict it.
    DoesNotHold,
    /// Too few models (what is missing).
    NotEnough(String),
}

impl Verdict {
    /// `holds`, `does not hold` or `not enough models`.
    pub fn word(&self) -> &'static str {
        match self {
            Verdict::Holds => "holds",
            Verdict::DoesNotHold => "does not hold",
            Verdict::NotEnough(_) => "not enough models",
        }
    }
}

/// Which claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClaimId {
    /// Success rises with model size.
    SuccessRises,
    /// Maintenance keeps prediction; without it, it is lost.
    MaintenanceKeepsPrediction,
    /// Every model above the generator's Op.
    AboveGenerator,
    /// Own task nearest implied = measured.
    OwnTaskNearest,
    /// n2-trained models score well on n4.
    N2BeatsN4,
    /// Impact up, its ratio down, with size.
    ImpactWithSize,
    /// s′ flat with size.
    SplitSuccessFlat,
    /// Self-evaluation by task.
    SelfEvaluation,
    /// Self-evaluated impact worse than optimization.
    SelfImpWorse,
}

impl ClaimId {
    /// Its short name (in the page's markup and the CLI's JSON).
    pub fn name(self) -> &'static str {
        match self {
            ClaimId::SuccessRises => "success-rises",
            ClaimId::MaintenanceKeepsPrediction => "maintenance-keeps-prediction",
            ClaimId::AboveGenerator => "above-generator",
            ClaimId::OwnTaskNearest => "own-task-nearest",
            ClaimId::N2BeatsN4 => "n2-beats-n4",
            ClaimId::ImpactWithSize => "impact-with-size",
            ClaimId::SplitSuccessFlat => "split-success-flat",
            ClaimId::SelfEvaluation => "self-evaluation",
            ClaimId::SelfImpWorse => "self-imp-worse",
        }
    }
}

/// One claim of the post, evaluated.
#[derive(Clone, Debug, PartialEq)]
pub struct Claim {
    /// Which claim.
    pub id: ClaimId,
    /// The claim as the post makes it.
    pub text: &'static str,
    /// What the results say.
    pub verdict: Verdict,
    /// The numbers behind the verdict.
    pub numbers: String,
}

fn claim(id: ClaimId, text: &'static str, verdict: Verdict, numbers: String) -> Claim {
    Claim { id, text, verdict, numbers }
}

fn holds(b: bool) -> Verdict {
    if b { Verdict::Holds } else { Verdict::DoesNotHold }
}

fn sizes_of(r: &Results, task: SuccessSet) -> Vec<Size> {
    present(r).0.into_iter().filter(|&s| r.models.iter().any(|m| m.key.size == s && m.key.task == task)).collect()
}

/// A claim, evaluated.
pub fn find(r: &Results, id: ClaimId) -> Claim {
    evaluate(r).into_iter().find(|c| c.id == id).expect("every claim is evaluated")
}

/// The held-out outcome accuracy at the start and end of each RL curve
/// that ran to the experiment's last step: (size, start, end).
pub fn prediction_kept(r: &Results) -> Vec<(Size, f64, f64)> {
    r.curves
        .rl
        .iter()
        .filter_map(|c| {
            let (first, last) = (c.points.first()?, c.points.last()?);
            (first.step == 0 && last.step == r.config.rl_steps && last.step > 0).then_some((c.key.size, first.outcome_acc, last.outcome_acc))
        })
        .collect()
}

/// Every claim, in the post's order.
pub fn evaluate(r: &Results) -> Vec<Claim> {
    vec![
        success_rises(r),
        maintenance_keeps_prediction(r),
        above_generator(r),
        own_task_nearest(r),
        n2_beats_n4(r),
        impact_with_size(r),
        split_success_flat(r),
        self_evaluation(r),
        self_imp_worse(r),
    ]
}

fn success_rises(r: &Results) -> Claim {
    let text = "Success rises with model size, for every task.";
    let (_, tasks) = present(r);
    let mut parts = Vec::new();
    let mut ok = true;
    let mut any = false;
    for g in tasks {
        let sizes = sizes_of(r, g);
        if sizes.len() < 2 {
            continue;
        }
        any = true;
        let means: Vec<(Size, MeanSe)> = sizes.iter().filter_map(|&s| over(r, s, g, |m| m.own().success).map(|m| (s, m))).collect();
        let (first, last) = (means[0].1.mean, means[means.len() - 1].1.mean);
        let ms: Vec<&ModelResult> = r.models.iter().filter(|m| m.key.task == g).collect();
        let rho = correlation(
            &ms.iter().map(|m| (m.params as f64).ln()).collect::<Vec<_>>(),
            &ms.iter().map(|m| m.own().success).collect::<Vec<_>>(),
        );
        ok &= last > first && rho.is_none_or(|x| x > 0.0);
        parts.push(format!(
            "{g}: {} (r with log size {})",
            means.iter().map(|(s, m)| format!("{s} {}", m.show(3))).collect::<Vec<_>>().join(", "),
            rho.map(|x| format!("{x:.2}")).unwrap_or("–".into())
        ));
    }
    if !any {
        return claim(ClaimId::SuccessRises, text, Verdict::NotEnough("models of two sizes on one task".into()), String::new());
    }
    claim(ClaimId::SuccessRises, text, holds(ok), parts.join("; "))
}

fn maintenance_keeps_prediction(r: &Results) -> Claim {
    let text = "Maintenance keeps the model predicting outcomes through RL; without it that performance is rapidly lost.";
    let kept = prediction_kept(r);
    if kept.is_empty() {
        return claim(ClaimId::MaintenanceKeepsPrediction, text, Verdict::NotEnough("RL curves run to the end".into()), String::new());
    }
    let mut parts = Vec::new();
    let mut ok = true;
    for size in present(r).0 {
        let changes: Vec<f64> = kept.iter().filter(|(s, _, _)| *s == size).map(|(_, a, b)| b - a).collect();
        let Some(m) = MeanSe::of(&changes) else { continue };
        let worst = changes.iter().cloned().fold(f64::INFINITY, f64::min);
        // With maintenance: every size within 0.01 of where pretraining
        // left it, no model losing more than 0.03. Without: a loss.
        ok &= if r.config.maintenance_every > 0 { m.mean.abs() <= 0.01 && worst >= -0.03 } else { m.mean < -0.03 };
        parts.push(format!("{size} {:+.3} (worst {worst:+.3})", m.mean));
    }
    let how = if r.config.maintenance_every > 0 {
        format!("with maintenance every {} step(s), {:.0}% from rollouts", r.config.maintenance_every, r.config.maintenance_rollouts * 100.0)
    } else {
        "without maintenance".to_string()
    };
    claim(ClaimId::MaintenanceKeepsPrediction, text, holds(ok), format!("{how}: held-out outcome accuracy, end of RL minus pretrained, {}", parts.join(", ")))
}

fn above_generator(r: &Results) -> Claim {
    let text = "Every model optimizes at least as much as the sequence optimizes itself (the generator's Op).";
    let Some(generator) = r.scripted.iter().find(|s| s.policy == Scripted::Generator) else {
        return claim(ClaimId::AboveGenerator, text, Verdict::NotEnough("the generator's measure".into()), String::new());
    };
    if r.models.is_empty() {
        return claim(ClaimId::AboveGenerator, text, Verdict::NotEnough("any trained model".into()), String::new());
    }
    let above = r.models.iter().filter(|m| m.op >= generator.op).count();
    let lowest = r.models.iter().map(|m| m.op).fold(f64::INFINITY, f64::min);
    claim(
        ClaimId::AboveGenerator,
        text,
        holds(above == r.models.len()),
        format!("{above} of {} models at or above the generator's {:.3} nats; the lowest Op is {lowest:.3}", r.models.len(), generator.op),
    )
}

fn own_task_nearest(r: &Results) -> Claim {
    let text = "Each model is nearest implied = measured Op under its own task's G.";
    if r.models.is_empty() {
        return claim(ClaimId::OwnTaskNearest, text, Verdict::NotEnough("any trained model".into()), String::new());
    }
    let nearest = r
        .models
        .iter()
        .filter(|m| {
            let own = (m.op - m.own().op_implied).abs();
            m.scores.iter().filter(|s| s.task != m.key.task).all(|s| own < (m.op - s.op_implied).abs())
        })
        .count();
    let gap = |own: bool| {
        let v: Vec<f64> = r
            .models
            .iter()
            .flat_map(|m| m.scores.iter().filter(move |s| (s.task == m.key.task) == own).map(move |s| (m.op - s.op_implied).abs()))
            .collect();
        MeanSe::of(&v).map(|x| x.show(4)).unwrap_or("–".into())
    };
    claim(
        ClaimId::OwnTaskNearest,
        text,
        holds(nearest == r.models.len()),
        format!("{nearest} of {} models; mean |Op − Op_implied| under their own G {}, under another G {}", r.models.len(), gap(true), gap(false)),
    )
}

fn n2_beats_n4(r: &Results) -> Claim {
    let text = "Models trained on n2 score well on n4, sometimes even higher than a model of their size trained on n4.";
    let mut pairs = 0;
    let mut beats = 0;
    let mut best = Vec::new();
    for size in present(r).0 {
        let n2: Vec<f64> = r
            .models
            .iter()
            .filter(|m| m.key.size == size && m.key.task == SuccessSet::N2)
            .filter_map(|m| m.score(SuccessSet::N4).map(|s| s.success))
            .collect();
        let n4: Vec<f64> = r.models.iter().filter(|m| m.key.size == size && m.key.task == SuccessSet::N4).map(|m| m.own().success).collect();
        for a in &n2 {
            for b in &n4 {
                pairs += 1;
                beats += (a > b) as usize;
            }
        }
        if let (Some(a), Some(b)) = (n2.iter().cloned().reduce(f64::max), n4.iter().cloned().reduce(f64::min)) {
            best.push(format!("{size}: best n2-trained {a:.3} vs weakest n4-trained {b:.3}"));
        }
    }
    if pairs == 0 {
        return claim(ClaimId::N2BeatsN4, text, Verdict::NotEnough("n2- and n4-trained models of one size".into()), String::new());
    }
    claim(ClaimId::N2BeatsN4, text, holds(beats > 0), format!("{beats} of {pairs} same-size pairs; {}", best.join("; ")))
}

fn impact_with_size(r: &Results) -> Claim {
    let text = "Larger models have higher impact, but a lower ratio Imp/Imp_min.";
    let ms: Vec<&ModelResult> = r.models.iter().filter(|m| m.own().imp_min > 0.0).collect();
    if present(r).0.len() < 2 || ms.len() < 3 {
        return claim(ClaimId::ImpactWithSize, text, Verdict::NotEnough("models of at least two sizes".into()), String::new());
    }
    let logp: Vec<f64> = ms.iter().map(|m| (m.params as f64).ln()).collect();
    let imp = correlation(&logp, &ms.iter().map(|m| m.imp).collect::<Vec<_>>());
    let ratio = correlation(&logp, &ms.iter().map(|m| m.imp / m.own().imp_min).collect::<Vec<_>>());
    let ok = matches!((imp, ratio), (Some(a), Some(b)) if a > 0.0 && b < 0.0);
    let show = |x: Option<f64>| x.map(|v| format!("{v:.2}")).unwrap_or("–".into());
    claim(
        ClaimId::ImpactWithSize,
        text,
        holds(ok),
        format!("correlation with log size: Imp {}, Imp/Imp_min {} ({} models)", show(imp), show(ratio), ms.len()),
    )
}

fn split_success_flat(r: &Results) -> Claim {
    let text = "The success rate in the split-history future, s′, hardly changes with model size.";
    let mut parts = Vec::new();
    let mut ok = true;
    let mut any = false;
    for g in present(r).1 {
        let means: Vec<(Size, MeanSe)> = sizes_of(r, g).into_iter().filter_map(|s| over(r, s, g, |m| m.own().split_success).map(|m| (s, m))).collect();
        if means.len() < 2 {
            continue;
        }
        any = true;
        let lo = means.iter().map(|(_, m)| m.mean).fold(f64::INFINITY, f64::min);
        let hi = means.iter().map(|(_, m)| m.mean).fold(f64::NEG_INFINITY, f64::max);
        ok &= hi - lo < 0.05;
        parts.push(format!("{g}: s′ from {lo:.3} to {hi:.3} across sizes"));
    }
    if !any {
        return claim(ClaimId::SplitSuccessFlat, text, Verdict::NotEnough("models of two sizes on one task".into()), String::new());
    }
    claim(ClaimId::SplitSuccessFlat, text, holds(ok), format!("{} (flat: a spread under 0.05)", parts.join("; ")))
}

fn self_evaluation(r: &Results) -> Claim {
    let text = "Self-evaluated Op: n6 models sit on y = x; with fewer good outcomes, models sit further above it (they underestimate themselves).";
    let gap = |g: SuccessSet| MeanSe::of(&r.models.iter().filter(|m| m.key.task == g).map(|m| m.op - m.self_op).collect::<Vec<_>>());
    let (Some(g2), Some(g4), Some(g6)) = (gap(SuccessSet::N2), gap(SuccessSet::N4), gap(SuccessSet::N6)) else {
        return claim(ClaimId::SelfEvaluation, text, Verdict::NotEnough("models on n2, n4 and n6".into()), String::new());
    };
    let on_line = g6.mean.abs() <= 0.01 + 2.0 * g6.se;
    let ordered = g2.mean > g4.mean && g4.mean > g6.mean;
    claim(
        ClaimId::SelfEvaluation,
        text,
        holds(on_line && ordered),
        format!("mean measured − self-estimated Op: n6 {}, n4 {}, n2 {}", g6.show(3), g4.show(3), g2.show(3)),
    )
}

fn self_imp_worse(r: &Results) -> Claim {
    let text = "Self-evaluated impact is worse than self-evaluated optimization.";
    if r.models.is_empty() {
        return claim(ClaimId::SelfImpWorse, text, Verdict::NotEnough("any trained model".into()), String::new());
    }
    let n = r.models.len() as f64;
    let op = r.models.iter().map(|m| (m.op - m.self_op).abs()).sum::<f64>() / n;
    let imp = r.models.iter().map(|m| (m.imp - m.self_imp).abs()).sum::<f64>() / n;
    claim(ClaimId::SelfImpWorse, text, holds(imp > op), format!("mean |error|: Imp {imp:.3}, Op {op:.3}"))
}
