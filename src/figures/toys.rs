//! Figures that need no training: the misalignment taxonomy's outcome
//! distributions and the scalar differential system.

use super::plot::{Bar, BarMode, Mode, Scatter, ScatterStyle, Symbol, bar_colour};
use super::*;

/// The taxonomy: the policy's outcome distribution F against the flat
/// comparison future and the sequence's real one, successes marked.
pub fn taxonomy(future: &[f64; 8], flat: &[f64; 8], real: Option<&[f64; 8]>, g: SuccessSet) -> Figure {
    let mut f = Figure::new(
        layout("Outcome distributions", "outcome x (✓: in G)", "probability").bar_mode(BarMode::Group),
        &["outcome", "in G", "F (the policy)", "flat F′", "the sequence's F′"],
    );
    let xs: Vec<String> = (0..8).map(|x| if g.contains(x as u8) { format!("{x} ✓") } else { format!("{x}") }).collect();
    f.plot.add(bar_colour(Bar::new(xs.clone(), future.to_vec()).name("F (the policy)"), task_colour(g)));
    f.plot.add(bar_colour(Bar::new(xs.clone(), flat.to_vec()).name("F′, flat (the theory's)"), "#8C8C8C"));
    if let Some(real) = real {
        f.plot.add(bar_colour(Bar::new(xs, real.to_vec()).name("F′, the sequence's own"), "#000000"));
    }
    for x in 0..8 {
        f.row(vec![
            x.to_string(),
            if g.contains(x as u8) { "yes" } else { "no" }.into(),
            f3(future[x]),
            f3(flat[x]),
            real.map(|r| f3(r[x])).unwrap_or_default(),
        ]);
    }
    f
}

/// Scalar differential measures: closed-form Op and Imp over C, with the
/// current C's Monte Carlo estimate.
pub fn differential_scalar(k: f64, mc_op: f64, mc_imp: f64) -> Figure {
    let mut f = Figure::new(layout("Differential optimization, scalar system", "C = k", "nats"), &["", "C", "Op", "Imp"]);
    let xs: Vec<f64> = (1..=300).map(|i| i as f64 / 100.0).collect();
    let d: Vec<crate::differential::DiffMeasures> = xs.iter().map(|&c| crate::differential::scalar(c)).collect();
    f.plot.add(Scatter::new(xs.clone(), d.iter().map(|m| m.op).collect::<Vec<_>>()).name("Op = −ln C").mode(Mode::Lines).stroke("#0072B2", plot::Dash::Solid));
    f.plot.add(
        Scatter::new(xs, d.iter().map(|m| m.imp).collect::<Vec<_>>()).name("Imp = −ln C + C(C − 1)").mode(Mode::Lines).stroke("#D55E00", plot::Dash::Solid),
    );
    f.plot.add(Scatter::new(vec![k, k], vec![mc_op, mc_imp]).name("Monte Carlo at this k").mode(Mode::Markers).markers("#000000", 11, Symbol::Diamond));
    let c = crate::differential::scalar(k);
    f.row(vec!["closed form".into(), f3(k), f3(c.op), f3(c.imp)]);
    f.row(vec!["Monte Carlo".into(), f3(k), f3(mc_op), f3(mc_imp)]);
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toy_figures_carry_their_numbers() {
        let flat = [0.125; 8];
        let mut future = [0.0; 8];
        (future[2], future[3]) = (0.85, 0.15);
        let f = taxonomy(&future, &flat, None, SuccessSet::N6);
        assert_eq!(f.rows.len(), 8);
        assert_eq!(f.rows[2][1..4], ["yes".to_string(), "0.850".into(), "0.125".into()]);
        assert_eq!(f.rows[3][1], "no");
        assert_eq!(f.plot.traces(), 2);
        assert_eq!(f.plot.json()["layout"]["barmode"], "group");
        let f = differential_scalar(0.5, 0.69, 0.44);
        assert_eq!(f.rows[0], vec!["closed form".to_string(), "0.500".into(), "0.693".into(), "0.443".into()]);
    }
}
