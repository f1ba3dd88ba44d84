//! Figures of the measures, one point per fine-tuned model: optimization
//! against theory, cross-objective evaluation, impact against its bound,
//! self-evaluation, the comparison futures and the Monte Carlo estimate.

use super::plot::{self, Mode, Scatter, ScatterStyle, Style, Symbol};
use super::*;
use crate::measure::op_implied;
use crate::sequence::SuccessSet;
use crate::study::results::{ModelResult, Results};

/// Op against success rate: the theory's curve for each task's chance
/// rate, every trained model (under its own task) and the scripted policies.
pub fn op_theory(r: &Results) -> Figure {
    let mut f = Figure::new(layout("Optimization against success rate", "success rate s (own task)", "Op (nats)"), &["size", "seed", "task", "s", "Op"]);
    for (g, _) in by_task(r) {
        let p = g.chance();
        let xs: Vec<f64> = (0..=200).map(|i| i as f64 / 200.0).collect();
        let ys: Vec<f64> = xs.iter().map(|&s| op_implied(s, p)).collect();
        f.plot.add(
            Scatter::new(xs, ys)
                .name(format!("theory for {g} (p = {p})"))
                .legend_group(format!("trained on {g}"))
                .show_legend(false)
                .mode(Mode::Lines)
                .stroke(task_colour(g), plot::Dash::Dot)
                .no_hover(),
        );
    }
    model_points(&mut f, r, |g| g, |m| Some((m.own().success, m.op)));
    for m in &r.models {
        f.row(model_row(m, vec![f3(m.own().success), f3(m.op)]));
    }
    if let Some(&g) = r.config.tasks.first() {
        f.plot.add(
            Scatter::new(r.scripted.iter().map(|s| s.score(g).success).collect::<Vec<_>>(), r.scripted.iter().map(|s| s.op).collect::<Vec<_>>())
                .name(format!("scripted policies (under {g})"))
                .mode(Mode::Markers)
                .markers("#333333", 9, Symbol::X)
                .hover(r.scripted.iter().map(|s| scripted_hover(s, g)).collect()),
        );
        for s in &r.scripted {
            f.row(vec![s.policy.label(), "scripted".into(), g.name(), f3(s.score(g).success), f3(s.op)]);
        }
    }
    f
}

/// The study's headline: the Op implied by each model's success rate on
/// its own task against the Op measured, with y = x.
pub fn op_predicted(r: &Results) -> Figure {
    let (lo, hi) = span(r.models.iter().flat_map(|m| [m.op, m.own().op_implied]));
    let mut f = Figure::new(
        layout("Predicted against measured optimization", "Op implied by the success rate (nats)", "measured Op (nats)"),
        &["size", "seed", "task", "Op implied", "Op measured", "Op implied (real baseline)"],
    );
    f.plot.add(diagonal(lo, hi, "measured = implied"));
    model_points(&mut f, r, |g| g, |m| Some((m.own().op_implied, m.op)));
    for m in &r.models {
        f.row(model_row(m, vec![f3(m.own().op_implied), f3(m.op), f3(r.baseline.op_implied(m.own().success, m.key.task))]));
    }
    f
}

/// Cross-objective evaluation: implied Op under `g` against measured Op,
/// coloured by the task each model was trained on.
pub fn cross(r: &Results, g: SuccessSet) -> Figure {
    let (lo, hi) = span(r.models.iter().flat_map(|m| [m.op, m.score(g).map(|s| s.op_implied).unwrap_or(0.0)]));
    let mut f = Figure::new(
        layout(&format!("Under G = {g}"), &format!("Op implied by success on {g}"), "measured Op"),
        &["size", "seed", "trained on", &format!("s under {g}"), &format!("Op implied under {g}"), "Op measured"],
    );
    f.plot.add(diagonal(lo, hi, "measured = implied"));
    model_points(&mut f, r, |_| g, |m| m.score(g).map(|s| (s.op_implied, m.op)));
    for m in r.models.iter().filter(|m| m.score(g).is_some()) {
        let s = m.score(g).expect("filtered");
        f.row(model_row(m, vec![f3(s.success), f3(s.op_implied), f3(m.op)]));
    }
    f
}

/// Which impact figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImpactFigure {
    /// Imp against Imp_min.
    ImpVsMin,
    /// s' against model size.
    SplitSuccessVsSize,
    /// Imp / Imp_min against Imp_min.
    Ratio,
    /// Imp − Imp_min against Imp.
    Excess,
}

/// The impact figures.
pub fn impact(r: &Results, fig: ImpactFigure) -> Figure {
    let (title, x, y) = match fig {
        ImpactFigure::ImpVsMin => ("Impact against its lower bound", "Imp_min (nats)", "Imp (nats)"),
        ImpactFigure::SplitSuccessVsSize => ("Success in the split-history future", "parameters", "s'"),
        ImpactFigure::Ratio => ("Impact ratio", "Imp_min (nats)", "Imp / Imp_min"),
        ImpactFigure::Excess => ("Excess impact", "Imp (nats)", "Imp − Imp_min (nats)"),
    };
    let layout = if fig == ImpactFigure::SplitSuccessVsSize {
        plot::layout(title, plot::log_axis(x), plot::axis(y))
    } else {
        layout(title, x, y)
    };
    let mut f = Figure::new(layout, &["size", "seed", "task", x, y]);
    if fig == ImpactFigure::ImpVsMin {
        let (lo, hi) = span(r.models.iter().flat_map(|m| [m.imp, m.own().imp_min]));
        f.plot.add(diagonal(lo, hi, "Imp = Imp_min"));
    }
    let xy = |m: &ModelResult| -> Option<(f64, f64)> {
        let o = m.own();
        let p = match fig {
            ImpactFigure::ImpVsMin => (o.imp_min, m.imp),
            ImpactFigure::SplitSuccessVsSize => (m.params as f64, o.split_success),
            ImpactFigure::Ratio => (o.imp_min, if o.imp_min > 0.0 { m.imp / o.imp_min } else { f64::NAN }),
            ImpactFigure::Excess => (m.imp, m.imp - o.imp_min),
        };
        (p.0.is_finite() && p.1.is_finite()).then_some(p)
    };
    model_points(&mut f, r, |g| g, xy);
    for m in &r.models {
        if let Some((x, y)) = xy(m) {
            f.row(model_row(m, vec![f3(x), f3(y)]));
        }
    }
    f
}

/// Measured against self-estimated Op (`imp` false) or Imp (`imp` true).
pub fn self_eval(r: &Results, imp: bool) -> Figure {
    let what = if imp { "Imp" } else { "Op" };
    let value = |m: &ModelResult| if imp { (m.self_imp, m.imp) } else { (m.self_op, m.op) };
    let (lo, hi) = span(r.models.iter().flat_map(|m| [value(m).0, value(m).1]));
    let mut f = Figure::new(
        layout(&format!("Measured against self-estimated {what}"), &format!("self-estimated {what} (the model's own predictions)"), &format!("measured {what}")),
        &["size", "seed", "task", &format!("self-estimated {what}"), &format!("measured {what}")],
    );
    f.plot.add(diagonal(lo.min(0.0), hi, "measured = self-estimated"));
    model_points(&mut f, r, |g| g, |m| Some(value(m)));
    for m in &r.models {
        f.row(model_row(m, vec![f3(value(m).0), f3(value(m).1)]));
    }
    f
}

/// Op (`imp` false) or Imp under each comparison future, per model.
pub fn comparisons(r: &Results, imp: bool) -> Figure {
    let what = if imp { "Imp" } else { "Op" };
    let labels: Vec<String> = r.models.iter().map(|m| format!("{} {} {}", m.key.size, m.key.seed, m.key.task)).collect();
    let mut f = Figure::new(
        plot::layout(&format!("{what} under each comparison future"), plot::category_axis("model (size, seed, task)", None), plot::axis(&format!("{what} (nats)"))),
        &["size", "seed", "task", "split histories", "do nothing (8)", "random action", "untrained", "pretrained"],
    );
    let pick = |m: &ModelResult| -> [f64; 5] {
        let c = &m.comparisons;
        if imp { [m.imp, c.fixed.imp, c.random.imp, c.untrained.imp, c.pretrained.imp] } else { [m.op, c.fixed.op, c.random.op, c.untrained.op, c.pretrained.op] }
    };
    let names = ["split histories", "do nothing (action 8)", "uniformly random action", "untrained model", "pretrained model"];
    let colours = ["#000000", "#E69F00", "#56B4E9", "#009E73", "#CC79A7"];
    let symbols = [Symbol::Circle, Symbol::Square, Symbol::Diamond, Symbol::TriangleUp, Symbol::X];
    for i in 0..5 {
        let hover: Vec<String> = r.models.iter().map(|m| format!("{}<br>{}: {what} = {:.3}", crate::study::summary::label(m.key), names[i], pick(m)[i])).collect();
        f.plot.add(
            Scatter::new(labels.clone(), r.models.iter().map(|m| pick(m)[i]).collect::<Vec<_>>())
                .name(names[i])
                .mode(Mode::Markers)
                .markers(colours[i], 8, symbols[i].clone())
                .hover(hover),
        );
    }
    for m in &r.models {
        f.row(model_row(m, pick(m).iter().map(|v| f3(*v)).collect()));
    }
    f
}

/// The exact Op beside the post's Monte Carlo estimate (10 × 200
/// histories, ± standard error), per model.
pub fn monte_carlo(r: &Results) -> Figure {
    let ms: Vec<&ModelResult> = r.models.iter().filter(|m| m.monte_carlo.is_some()).collect();
    let (lo, hi) = span(ms.iter().flat_map(|m| [m.op, m.monte_carlo.map(|c| c.op.mean).unwrap_or(0.0)]));
    let mut f = Figure::new(
        layout("Exact against Monte Carlo optimization", "exact Op (nats)", "Monte Carlo Op, 10 × 200 (nats)"),
        &["size", "seed", "task", "exact Op", "Monte Carlo Op", "± SE", "exact Imp", "Monte Carlo Imp", "± SE"],
    );
    f.plot.add(diagonal(lo, hi, "estimate = exact"));
    for (g, _) in by_task(r) {
        let group: Vec<&&ModelResult> = ms.iter().filter(|m| m.key.task == g).collect();
        if group.is_empty() {
            continue;
        }
        f.plot.add(
            Scatter::new(group.iter().map(|m| m.op).collect::<Vec<_>>(), group.iter().map(|m| m.monte_carlo.expect("filtered").op.mean).collect::<Vec<_>>())
                .name(format!("trained on {g}"))
                .mode(Mode::Markers)
                .markers(task_colour(g), 9, Symbol::Circle)
                .hover(group.iter().map(|m| model_hover(m, g)).collect())
                .se_bars(group.iter().map(|m| m.monte_carlo.expect("filtered").op.se).collect()),
        );
        for m in group {
            let mc = m.monte_carlo.expect("filtered");
            f.row(model_row(m, vec![f3(m.op), f3(mc.op.mean), f3(mc.op.se), f3(m.imp), f3(mc.imp.mean), f3(mc.imp.se)]));
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figures::fixtures::results;

    fn check(f: &Figure, title: &str, x: &str, y: &str, rows: usize) {
        let v = f.plot.json();
        assert_eq!(v["layout"]["title"]["text"], title);
        assert_eq!((v["layout"]["xaxis"]["title"]["text"].as_str(), v["layout"]["yaxis"]["title"]["text"].as_str()), (Some(x), Some(y)));
        assert_eq!(f.rows.len(), rows, "{title}");
        assert!(f.rows.iter().all(|r| r.len() == f.headers.len()), "{title}: rows as wide as the header");
        let legend = f.plot.legend_entries();
        assert!(legend.len() <= MAX_LEGEND, "{title}: {legend:?}");
        // Every model's point is drawn once, and hovering it names it.
        let hovers: Vec<&str> = v["data"].as_array().unwrap().iter().filter_map(|t| t["hovertext"].as_array()).flatten().filter_map(|h| h.as_str()).collect();
        assert!(hovers.iter().any(|h| h.contains("xl") && h.contains("seed 1")), "{title}");
    }

    #[test]
    fn each_measure_figure_draws_every_model_with_a_short_legend() {
        let r = results();
        let n = r.models.len();
        let f = op_predicted(&r);
        check(&f, "Predicted against measured optimization", "Op implied by the success rate (nats)", "measured Op (nats)", n);
        // 3 tasks and 4 sizes' shapes and the diagonal: 8 entries, not 24.
        assert_eq!(f.plot.legend_entries().len(), 8, "{:?}", f.plot.legend_entries());
        let v = f.plot.json();
        let points: usize = v["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["legendgroup"].as_str().is_some_and(|g| g.starts_with("trained on")))
            .map(|t| t["x"].as_array().unwrap().len())
            .sum();
        assert_eq!(points, n);
        let f = op_theory(&r);
        check(&f, "Optimization against success rate", "success rate s (own task)", "Op (nats)", n + r.scripted.len());
        let f = cross(&r, SuccessSet::N6);
        check(&f, "Under G = n6", "Op implied by success on n6", "measured Op", n);
        for (fig, title) in [
            (ImpactFigure::ImpVsMin, "Impact against its lower bound"),
            (ImpactFigure::SplitSuccessVsSize, "Success in the split-history future"),
            (ImpactFigure::Ratio, "Impact ratio"),
            (ImpactFigure::Excess, "Excess impact"),
        ] {
            let f = impact(&r, fig);
            assert_eq!(f.plot.json()["layout"]["title"]["text"], title);
            assert_eq!(f.rows.len(), n);
            assert!(f.plot.legend_entries().len() <= MAX_LEGEND);
        }
        let f = self_eval(&r, false);
        check(&f, "Measured against self-estimated Op", "self-estimated Op (the model's own predictions)", "measured Op", n);
        let f = comparisons(&r, true);
        check(&f, "Imp under each comparison future", "model (size, seed, task)", "Imp (nats)", n);
        assert_eq!(f.plot.legend_entries().len(), 5);
        // No Monte Carlo in the fixture: an empty figure, not a broken one.
        assert_eq!(monte_carlo(&r).rows.len(), 0);
    }
}
