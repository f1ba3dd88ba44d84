//! The post's claims, each decided on a set of results as SCIENCE.md §6
//! asks: the quantity the claim is about, its 95% interval over replicates
//! (seeds), and one of four verdicts — the interval lies on the claim's
//! side of its boundary (`holds`), on the other side (`does not hold`),
//! across it (`too close to tell`), or there are too few replicates (`not
//! enough models`).

mod list;
mod replicates;

pub use list::{evaluate, prediction_kept};

use super::interval::Estimate;
use super::results::Results;

/// What the results say about a claim.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// The interval lies on the claim's side of its boundary.
    Holds,
    /// It lies on the other side.
    DoesNotHold,
    /// It spans the boundary.
    TooClose,
    /// Too few replicates for the test (what is missing).
    NotEnough(String),
}

impl Verdict {
    /// `holds`, `does not hold`, `too close to tell` or `not enough models`.
    pub fn word(&self) -> &'static str {
        match self {
            Verdict::Holds => "holds",
            Verdict::DoesNotHold => "does not hold",
            Verdict::TooClose => "too close to tell",
            Verdict::NotEnough(_) => "not enough models",
        }
    }

    /// Parts that must all hold (every task, or every part of a claim):
    /// the claim holds when each holds, does not hold when any does not,
    /// is too close to tell otherwise. A part without enough models makes
    /// the whole lack them.
    pub fn all(parts: impl IntoIterator<Item = Verdict>) -> Verdict {
        let parts: Vec<Verdict> = parts.into_iter().collect();
        if let Some(n) = parts.iter().find(|v| matches!(v, Verdict::NotEnough(_))) {
            return n.clone();
        }
        if parts.is_empty() {
            return Verdict::NotEnough("any model".into());
        }
        if parts.contains(&Verdict::DoesNotHold) {
            Verdict::DoesNotHold
        } else if parts.contains(&Verdict::TooClose) {
            Verdict::TooClose
        } else {
            Verdict::Holds
        }
    }
}

/// Where an effect must lie for its claim to hold.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Side {
    /// Above the boundary.
    Above(f64),
    /// Below it.
    Below(f64),
    /// Inside a band (an equivalence claim: "hardly changes", "keeps").
    Within(f64, f64),
}

impl Side {
    /// The verdict for an interval.
    pub fn decide(self, e: &Estimate) -> Verdict {
        let (holds, fails) = match self {
            Side::Above(b) => (e.lo > b, e.hi < b),
            Side::Below(b) => (e.hi < b, e.lo > b),
            Side::Within(a, b) => (e.lo >= a && e.hi <= b, e.hi < a || e.lo > b),
        };
        if holds {
            Verdict::Holds
        } else if fails {
            Verdict::DoesNotHold
        } else {
            Verdict::TooClose
        }
    }

    /// `> 0`, `< −0.02`, `within ±0.05`.
    pub fn show(self) -> String {
        match self {
            Side::Above(b) => format!("> {b}"),
            Side::Below(b) => format!("< {b}"),
            Side::Within(a, b) if a == -b => format!("within ±{b}"),
            Side::Within(a, b) => format!("within [{a}, {b}]"),
        }
    }
}

/// One effect a claim rests on.
#[derive(Clone, Debug, PartialEq)]
pub struct Effect {
    /// What it is (which task or part, and the quantity).
    pub what: String,
    /// Its value and interval.
    pub estimate: Estimate,
    /// Where it must lie.
    pub side: Side,
    /// The verdict of this effect alone.
    pub verdict: Verdict,
}

impl Effect {
    /// An effect decided against its side.
    pub fn new(what: impl Into<String>, estimate: Estimate, side: Side) -> Self {
        Effect { what: what.into(), verdict: side.decide(&estimate), estimate, side }
    }

    /// `n4: +0.012 [−0.004, +0.028] (5 seeds; needs > 0)`.
    pub fn show(&self, digits: usize) -> String {
        format!("{}: {} ({} seeds; claim: {})", self.what, self.estimate.show(digits), self.estimate.n, self.side.show())
    }
}

/// Which claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClaimId {
    /// Op is predicted from own-task success with high accuracy.
    OpPredicted,
    /// Every model does better than chance.
    BetterThanChance,
    /// Success rises with model size.
    SuccessRises,
    /// Pretraining loss rises over the last sizes.
    LossRises,
    /// The large models overfit.
    LargeOverfit,
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
    /// Under Imp, other-task models leave the Imp_min line faster.
    ImpCrossObjective,
    /// Self-evaluation by task.
    SelfEvaluation,
    /// Self-evaluated impact worse than optimization.
    SelfImpWorse,
}

impl ClaimId {
    /// Every claim, in the order the panel lists them (the abstract's
    /// first).
    pub const ALL: [ClaimId; 14] = [
        ClaimId::OpPredicted,
        ClaimId::BetterThanChance,
        ClaimId::SuccessRises,
        ClaimId::LossRises,
        ClaimId::LargeOverfit,
        ClaimId::MaintenanceKeepsPrediction,
        ClaimId::AboveGenerator,
        ClaimId::OwnTaskNearest,
        ClaimId::N2BeatsN4,
        ClaimId::ImpactWithSize,
        ClaimId::SplitSuccessFlat,
        ClaimId::ImpCrossObjective,
        ClaimId::SelfEvaluation,
        ClaimId::SelfImpWorse,
    ];

    /// Its short name (in the page's markup and the CLI's JSON).
    pub fn name(self) -> &'static str {
        match self {
            ClaimId::OpPredicted => "op-predicted",
            ClaimId::BetterThanChance => "better-than-chance",
            ClaimId::SuccessRises => "success-rises",
            ClaimId::LossRises => "loss-rises",
            ClaimId::LargeOverfit => "large-overfit",
            ClaimId::MaintenanceKeepsPrediction => "maintenance-keeps-prediction",
            ClaimId::AboveGenerator => "above-generator",
            ClaimId::OwnTaskNearest => "own-task-nearest",
            ClaimId::N2BeatsN4 => "n2-beats-n4",
            ClaimId::ImpactWithSize => "impact-with-size",
            ClaimId::SplitSuccessFlat => "split-success-flat",
            ClaimId::ImpCrossObjective => "imp-cross-objective",
            ClaimId::SelfEvaluation => "self-evaluation",
            ClaimId::SelfImpWorse => "self-imp-worse",
        }
    }
}

/// One claim of the post, decided.
#[derive(Clone, Debug, PartialEq)]
pub struct Claim {
    /// Which claim.
    pub id: ClaimId,
    /// The claim as the post makes it.
    pub text: &'static str,
    /// How it is decided: the quantity, the interval, the boundary.
    pub test: &'static str,
    /// What the results say.
    pub verdict: Verdict,
    /// The effects the verdict rests on.
    pub effects: Vec<Effect>,
    /// What else the numbers say (not part of the decision).
    pub context: String,
}

impl Claim {
    /// The effects and the context, in one line.
    pub fn numbers(&self) -> String {
        let digits = if self.effects.iter().any(|e| e.estimate.hi.abs().max(e.estimate.lo.abs()) < 0.1) { 4 } else { 3 };
        let mut parts: Vec<String> = self.effects.iter().map(|e| e.show(digits)).collect();
        if !self.context.is_empty() {
            parts.push(self.context.clone());
        }
        parts.join("; ")
    }
}

/// A claim, evaluated (alone: the others are not computed).
pub fn find(r: &Results, id: ClaimId) -> Claim {
    list::evaluate_one(r, id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::interval::Method;

    fn e(lo: f64, hi: f64) -> Estimate {
        Estimate { value: (lo + hi) / 2.0, lo, hi, n: 5, method: Method::TMean }
    }

    #[test]
    fn an_interval_decides_by_its_side() {
        assert_eq!(Side::Above(0.0).decide(&e(0.1, 0.3)), Verdict::Holds);
        assert_eq!(Side::Above(0.0).decide(&e(-0.3, -0.1)), Verdict::DoesNotHold);
        assert_eq!(Side::Above(0.0).decide(&e(-0.1, 0.3)), Verdict::TooClose);
        assert_eq!(Side::Above(0.0).decide(&e(0.0, 0.3)), Verdict::TooClose, "touching the boundary is not beyond it");
        assert_eq!(Side::Below(-0.02).decide(&e(-0.2, -0.05)), Verdict::Holds);
        assert_eq!(Side::Below(-0.02).decide(&e(0.0, 0.1)), Verdict::DoesNotHold);
        let band = Side::Within(-0.05, 0.05);
        assert_eq!(band.decide(&e(-0.01, 0.02)), Verdict::Holds);
        assert_eq!(band.decide(&e(0.06, 0.1)), Verdict::DoesNotHold);
        assert_eq!(band.decide(&e(-0.2, -0.06)), Verdict::DoesNotHold);
        assert_eq!(band.decide(&e(0.01, 0.08)), Verdict::TooClose);
        assert_eq!(band.decide(&e(-0.1, 0.1)), Verdict::TooClose);
        assert_eq!(band.show(), "within ±0.05");
    }

    #[test]
    fn every_part_must_hold() {
        use Verdict::*;
        assert_eq!(Verdict::all([Holds, Holds]), Holds);
        assert_eq!(Verdict::all([Holds, TooClose]), TooClose);
        assert_eq!(Verdict::all([TooClose, DoesNotHold, Holds]), DoesNotHold);
        assert_eq!(Verdict::all([Holds, NotEnough("x".into())]), NotEnough("x".into()));
        assert!(matches!(Verdict::all([]), NotEnough(_)));
    }
}
