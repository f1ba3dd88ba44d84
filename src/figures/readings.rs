//! The words under each figure: what to look for, then what the results
//! shown say, with their numbers. A reading that states one of the post's
//! findings says whether it holds here (from [`crate::study::claims`]),
//! never more than the data shows.

use crate::sequence::SuccessSet;
use crate::study::claims::{self, ClaimId, Verdict};
use crate::study::results::Results;
use crate::study::size::Size;
use crate::study::summary::{self, MeanSe};

/// What a claim's verdict says, in a sentence with the panel's verdict
/// word and the effect it rests on.
fn verdict(r: &Results, id: ClaimId, holds: &str, fails: &str) -> String {
    let c = claims::find(r, id);
    match &c.verdict {
        Verdict::Holds => format!("{holds}: the claim holds ({}).", c.numbers()),
        Verdict::DoesNotHold => format!("{fails}: the claim does not hold ({}).", c.numbers()),
        Verdict::TooClose => format!("Whether “{}” is too close to tell here ({}).", c.text.trim_end_matches('.'), c.numbers()),
        Verdict::NotEnough(need) => format!("Not enough models to tell yet: that needs {need}."),
    }
}

fn nothing(r: &Results) -> Option<String> {
    r.models.is_empty().then(|| "No model is trained or loaded yet: press Run (or open a preset) and this reading fills in.".to_string())
}

/// The headline: the study's answer on these results.
pub fn headline(r: &Results) -> String {
    if let Some(n) = nothing(r) {
        return n;
    }
    let near = claims::find(r, ClaimId::OwnTaskNearest);
    let gap: Vec<f64> = r.models.iter().map(|m| m.op - m.own().op_implied).collect();
    let g = MeanSe::of(&gap).expect("models");
    let lead = match near.verdict {
        Verdict::Holds => "Every model sits nearest the prediction under the task it was trained on",
        _ => "Most models sit near the prediction under their own task",
    };
    let op = summary::mean(r.models.iter().map(|m| m.op));
    if r.models.len() == 1 {
        return format!("For this one model, measured minus predicted Op is {:.3} nats, against a measured Op of {op:.3}.", gap[0]);
    }
    format!(
        "{lead}: measured minus predicted Op is {} nats on average over these {} models, against a measured Op of {op:.3}.",
        g.show(3),
        r.models.len(),
    )
}

/// Pretraining.
pub fn pretraining(r: &Results) -> String {
    let look = "Look for the held-out lines (solid) following the training lines (dotted): where they part, a size memorises rather than learns the rule.";
    let sizes: Vec<String> = Size::ALL
        .iter()
        .filter_map(|&s| {
            let acc: Vec<f64> = r.curves.pretrain.iter().filter(|c| c.net.size == s).filter_map(|c| c.points.last().map(|p| p.test_acc)).collect();
            let gap: Vec<f64> = r.curves.pretrain.iter().filter(|c| c.net.size == s).filter_map(|c| c.points.last().map(|p| p.test_loss - p.train_loss)).collect();
            Some(format!("{s} {} (held-out minus training loss {:+.3})", MeanSe::of(&acc)?.show(3), summary::mean(gap.into_iter())))
        })
        .collect();
    if sizes.is_empty() {
        return format!("{look} No pretraining curve is shown yet.");
    }
    format!("{look} Final held-out accuracy here, mean ± SE over seeds: {}.", sizes.join("; "))
}

/// RL success.
pub fn rl(r: &Results) -> String {
    let look = "Look at where each size's line ends in each panel and whether it is still climbing at the last step; chance is p = |G|/8.";
    if let Some(n) = nothing(r) {
        return format!("{look} {n}");
    }
    let rise = verdict(r, ClaimId::SuccessRises, "Here larger models end higher, as the post found", "Here success does not rise with size, against the post's finding");
    format!("{look} {rise}")
}

/// RL prediction (what maintenance keeps).
pub fn rl_prediction(r: &Results) -> String {
    let look = "Look for the solid lines (held-out windows of the sequence) staying level: the post trained a little next-token prediction alongside RL (maintenance) so that the model keeps predicting outcomes; the dotted lines are windows with the model's own sampled actions, what self-evaluation reads.";
    if claims::prediction_kept(r).is_empty() {
        return format!("{look} No finished RL curve is shown yet.");
    }
    let said = verdict(
        r,
        ClaimId::MaintenanceKeepsPrediction,
        if r.config.maintenance_every > 0 { "Here prediction is kept" } else { "Here, without maintenance, prediction is lost, as the post saw" },
        if r.config.maintenance_every > 0 { "Here prediction is not kept" } else { "Here prediction survives even without maintenance" },
    );
    format!("{look} {said}")
}

/// Optimization against theory.
pub fn optimization(r: &Results) -> String {
    let look = "Look for each model on or just above its task's dotted curve (left) and on the dashed line (right).";
    if let Some(n) = nothing(r) {
        return format!("{look} {n}");
    }
    let above = verdict(r, ClaimId::AboveGenerator, "Every model optimizes at least as much as the sequence optimizes itself", "Not every model reaches the sequence's own optimization");
    format!("{look} {} {above}", headline(r))
}

/// Cross-objective evaluation.
pub fn cross(r: &Results) -> String {
    let look = "Look for the circles (trained on the chart's G) on the dashed line and the other shapes' colours off it.";
    if let Some(n) = nothing(r) {
        return format!("{look} {n}");
    }
    let near = verdict(r, ClaimId::OwnTaskNearest, "Here every model is nearest the line under its own task", "Here not every model is nearest the line under its own task");
    let n2 = verdict(r, ClaimId::N2BeatsN4, "And n2-trained models score well above chance on n4, as the post saw", "n2-trained models do not score above chance on n4 here");
    format!("{look} {near} {n2}")
}

/// Impact.
pub fn impact(r: &Results) -> String {
    let look = "Look for every point above Imp = Imp_min, and for how impact and its ratio move with size.";
    if let Some(n) = nothing(r) {
        return format!("{look} {n}");
    }
    let below = r.models.iter().filter(|m| m.imp < m.own().imp_min - 1e-9).count();
    let bound = if below == 0 { format!("All {} models respect the bound.", r.models.len()) } else { format!("{below} models fall below the bound: a bug.") };
    let size = verdict(r, ClaimId::ImpactWithSize, "Larger models have higher impact but a lower ratio, as the post found", "Impact does not grow with size with a falling ratio here");
    let flat = verdict(r, ClaimId::SplitSuccessFlat, "s′ hardly changes with size", "s′ changes with size here");
    format!("{look} {bound} {size} {flat}")
}

/// Self-evaluation.
pub fn self_eval(r: &Results) -> String {
    let look = "Look for the points on the dashed line: there the model estimates its own optimization right; above it, it underestimates itself.";
    if let Some(n) = nothing(r) {
        return format!("{look} {n}");
    }
    let by_task = verdict(r, ClaimId::SelfEvaluation, "As in the post, n6 models sit on the line and fewer good outcomes sit further above it", "The post's pattern (n6 on the line, n2 furthest above) does not hold here");
    let imp = verdict(r, ClaimId::SelfImpWorse, "Self-estimated impact is further off than optimization, as the post found", "Self-estimated impact is not further off than optimization here");
    format!("{look} {by_task} {imp}")
}

/// Scaling with size.
pub fn scaling(r: &Results) -> String {
    let look = "Look for each task's line rising from left to right, above its dotted chance rate.";
    if let Some(n) = nothing(r) {
        return format!("{look} {n}");
    }
    let rise = verdict(r, ClaimId::SuccessRises, "Success rises with size here, as in the post's central figure", "Success does not rise with size here, unlike the post's central figure");
    let tasks: Vec<String> = summary::present(r)
        .1
        .into_iter()
        .filter(|g| SuccessSet::tasks().contains(g))
        .map(|g| format!("{g} chance {}", g.chance()))
        .collect();
    format!("{look} {rise} ({}).", tasks.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figures::fixtures::results;

    #[test]
    fn readings_say_what_the_data_says() {
        let mut r = results();
        // The fixture's success rises with the model's index, so with size.
        assert!(scaling(&r).contains("rises with size here"), "{}", scaling(&r));
        assert!(rl(&r).contains("larger models end higher"));
        // Flatten it: the reading turns.
        for m in &mut r.models {
            let g = m.key.task;
            for s in &mut m.scores {
                if s.task == g {
                    s.success = 0.7 - m.key.size.index() as f64 * 0.01;
                }
            }
        }
        assert!(scaling(&r).contains("does not rise with size here"), "{}", scaling(&r));
        assert!(rl(&r).contains("does not rise with size"));
        // The fixture's RL curves end before the preset's last step: no claim.
        assert!(rl_prediction(&r).contains("No finished RL curve"));
        assert!(headline(&r).contains("24 models"));
        let empty = Results::unmeasured(r.config.clone());
        assert!(optimization(&empty).contains("No model is trained"));
        assert!(pretraining(&r).contains("xl"));
    }
}
