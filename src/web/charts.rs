//! The study's figures. Each builder is a pure function from results to a
//! [`Figure`]: a plotly chart and the same numbers as a table (the chart's
//! text alternative). [`Chart`] draws one and redraws it when what it reads
//! changes; it waits for plotly.js, which loads after the page.

use crate::measure::op_implied;
use crate::sequence::SuccessSet;
use crate::study::results::{ModelResult, Results, ScriptedResult};
use crate::study::size::Size;
use crate::study::summary::{self, MeanSe};
use leptos::prelude::*;
use super::plot::{Axis, Dash, Layout, Mode, Plot, Symbol, Trace};
use wasm_bindgen::prelude::*;

/// A chart and its numbers.
pub struct Figure {
    /// The chart.
    pub plot: Plot,
    /// Column headers of its data table.
    pub headers: Vec<String>,
    /// Rows of its data table.
    pub rows: Vec<Vec<String>>,
}

impl Figure {
    fn new(plot: Plot, headers: &[&str]) -> Self {
        Figure { plot, headers: headers.iter().map(|h| h.to_string()).collect(), rows: Vec::new() }
    }

    fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }
}

/// Colours of the three tasks (Okabe–Ito, 3:1 or more on white), and of
/// custom ones.
pub fn task_colour(g: SuccessSet) -> &'static str {
    match g.name().as_str() {
        "n2" => "#D55E00",
        "n4" => "#007A5E",
        "n6" => "#0072B2",
        _ => "#CC79A7",
    }
}

fn f3(v: f64) -> String {
    if v.is_finite() { format!("{v:.3}") } else { "∞".into() }
}

fn base_layout(title: &str, x: &str, y: &str) -> Layout {
    Layout::new(title, Axis::titled(x), Axis::titled(y))
}

fn new_plot(layout: Layout) -> Plot {
    Plot::new(layout)
}

/// Hover text for a trained model under success set `g`.
pub fn model_hover(m: &ModelResult, g: SuccessSet) -> String {
    let sc = m.score(g).unwrap_or(m.own());
    format!(
        "size {} ({} params), seed {}, trained on {}<br>under G = {}: s = {:.3}, s' = {:.3}<br>Op = {:.3} (implied {:.3})<br>Imp = {:.3} (min {:.3})<br>self-estimated Op {:.3}, Imp {:.3}",
        m.key.size, m.params, m.key.seed, m.key.task, g, sc.success, sc.split_success, m.op, sc.op_implied, m.imp, sc.imp_min, m.self_op, m.self_imp
    )
}

fn scripted_hover(s: &ScriptedResult, g: SuccessSet) -> String {
    let sc = s.score(g);
    format!(
        "scripted policy {}<br>under G = {}: s = {:.3}<br>Op = {:.3} (implied {:.3})<br>Imp = {:.3} (min {:.3})",
        s.policy.label(), g, sc.success, s.op, sc.op_implied, s.imp, sc.imp_min
    )
}

/// Models grouped by the task they were trained on.
fn by_task(r: &Results) -> Vec<(SuccessSet, Vec<&ModelResult>)> {
    let mut out: Vec<(SuccessSet, Vec<&ModelResult>)> = Vec::new();
    for m in &r.models {
        match out.iter_mut().find(|(t, _)| *t == m.key.task) {
            Some((_, v)) => v.push(m),
            None => out.push((m.key.task, vec![m])),
        }
    }
    out.sort_by_key(|(t, _)| *t);
    out
}

fn points(name: String, xs: Vec<f64>, ys: Vec<f64>, hover: Vec<String>, colour: &str, symbol: Symbol) -> Trace {
    Trace::scatter(xs, ys).name(name).mode(Mode::Markers).markers(colour, 9, symbol).hover(hover)
}

fn diagonal(lo: f64, hi: f64, name: &str) -> Trace {
    Trace::scatter(vec![lo, hi], vec![lo, hi]).name(name).mode(Mode::Lines).line("#595959", Dash::Dash).no_hover()
}

fn span(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (0.0f64, 0.05f64);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    (lo, hi * 1.05)
}

fn model_row(m: &ModelResult, cells: Vec<String>) -> Vec<String> {
    let mut row = vec![m.key.size.to_string(), m.key.seed.to_string(), m.key.task.name()];
    row.extend(cells);
    row
}

/// Op against success rate: theory curves for p = 1/4, 1/2, 3/4, every
/// trained model (under its own task) and the scripted policies.
pub fn op_theory(r: &Results) -> Figure {
    let mut f = Figure::new(
        new_plot(base_layout("Optimization against success rate", "success rate s (own task)", "Op (nats)")),
        &["size", "seed", "task", "s", "Op"],
    );
    for g in SuccessSet::tasks() {
        let p = g.chance();
        let xs: Vec<f64> = (0..=200).map(|i| i as f64 / 200.0).collect();
        let ys: Vec<f64> = xs.iter().map(|&s| op_implied(s, p)).collect();
        f.plot.add_trace(
            Trace::scatter(xs, ys)
                .name(format!("theory, p = {p}"))
                .mode(Mode::Lines)
                .line(task_colour(g), Dash::Dot)
                .no_hover(),
        );
    }
    for (g, ms) in by_task(r) {
        f.plot.add_trace(points(
            format!("models trained on {g}"),
            ms.iter().map(|m| m.own().success).collect(),
            ms.iter().map(|m| m.op).collect(),
            ms.iter().map(|m| model_hover(m, g)).collect(),
            task_colour(g),
            Symbol::Circle,
        ));
        for m in ms {
            f.row(model_row(m, vec![f3(m.own().success), f3(m.op)]));
        }
    }
    let g = r.config.tasks[0];
    f.plot.add_trace(points(
        format!("scripted policies (under {g})"),
        r.scripted.iter().map(|s| s.score(g).success).collect(),
        r.scripted.iter().map(|s| s.op).collect(),
        r.scripted.iter().map(|s| scripted_hover(s, g)).collect(),
        "#333333",
        Symbol::Diamond,
    ));
    for s in &r.scripted {
        f.row(vec![s.policy.label(), "scripted".into(), g.name(), f3(s.score(g).success), f3(s.op)]);
    }
    f
}

/// Implied against measured Op under each model's own task.
pub fn op_predicted(r: &Results) -> Figure {
    let (lo, hi) = span(r.models.iter().flat_map(|m| [m.op, m.own().op_implied]));
    let mut f = Figure::new(
        new_plot(base_layout("Predicted against measured optimization", "Op implied by the success rate (nats)", "measured Op (nats)")),
        &["size", "seed", "task", "Op implied", "Op measured", "Op implied (real baseline)"],
    );
    f.plot.add_trace(diagonal(lo, hi, "measured = implied"));
    for (g, ms) in by_task(r) {
        f.plot.add_trace(points(
            format!("trained on {g}"),
            ms.iter().map(|m| m.own().op_implied).collect(),
            ms.iter().map(|m| m.op).collect(),
            ms.iter().map(|m| model_hover(m, g)).collect(),
            task_colour(g),
            Symbol::Circle,
        ));
        for m in ms {
            f.row(model_row(m, vec![f3(m.own().op_implied), f3(m.op), f3(r.baseline.op_implied(m.own().success, g))]));
        }
    }
    f
}

/// Cross-objective evaluation: implied Op under `g` against measured Op,
/// coloured by the task each model was trained on.
pub fn cross(r: &Results, g: SuccessSet) -> Figure {
    let (lo, hi) = span(r.models.iter().flat_map(|m| [m.op, m.score(g).map(|s| s.op_implied).unwrap_or(0.0)]));
    let mut f = Figure::new(
        new_plot(base_layout(&format!("Under G = {g}"), &format!("Op implied by success on {g}"), "measured Op")),
        &["size", "seed", "trained on", &format!("s under {g}"), &format!("Op implied under {g}"), "Op measured"],
    );
    f.plot.add_trace(diagonal(lo, hi, "measured = implied"));
    for (t, ms) in by_task(r) {
        let ms: Vec<&ModelResult> = ms.into_iter().filter(|m| m.score(g).is_some()).collect();
        f.plot.add_trace(points(
            format!("trained on {t}"),
            ms.iter().map(|m| m.score(g).map(|s| s.op_implied).unwrap_or(0.0)).collect(),
            ms.iter().map(|m| m.op).collect(),
            ms.iter().map(|m| model_hover(m, g)).collect(),
            task_colour(t),
            if t == g { Symbol::Circle } else { Symbol::X },
        ));
        for m in ms {
            let s = m.score(g).expect("filtered");
            f.row(model_row(m, vec![f3(s.success), f3(s.op_implied), f3(m.op)]));
        }
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
        Layout::new(title, Axis::titled(x).log(), Axis::titled(y))
    } else {
        base_layout(title, x, y)
    };
    let mut f = Figure::new(new_plot(layout), &["size", "seed", "task", x, y]);
    if fig == ImpactFigure::ImpVsMin {
        let (lo, hi) = span(r.models.iter().flat_map(|m| [m.imp, m.own().imp_min]));
        f.plot.add_trace(diagonal(lo, hi, "Imp = Imp_min"));
    }
    for (g, ms) in by_task(r) {
        let xy = |m: &ModelResult| -> (f64, f64) {
            let o = m.own();
            match fig {
                ImpactFigure::ImpVsMin => (o.imp_min, m.imp),
                ImpactFigure::SplitSuccessVsSize => (m.params as f64, o.split_success),
                ImpactFigure::Ratio => (o.imp_min, if o.imp_min > 0.0 { m.imp / o.imp_min } else { f64::NAN }),
                ImpactFigure::Excess => (m.imp, m.imp - o.imp_min),
            }
        };
        let pts: Vec<(&ModelResult, f64, f64)> =
            ms.iter().map(|m| (*m, xy(m).0, xy(m).1)).filter(|(_, x, y)| x.is_finite() && y.is_finite()).collect();
        f.plot.add_trace(points(
            format!("trained on {g}"),
            pts.iter().map(|p| p.1).collect(),
            pts.iter().map(|p| p.2).collect(),
            pts.iter().map(|p| model_hover(p.0, g)).collect(),
            task_colour(g),
            Symbol::Circle,
        ));
        for (m, x, y) in pts {
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
        new_plot(base_layout(
            &format!("Measured against self-estimated {what}"),
            &format!("self-estimated {what} (the model's own predictions)"),
            &format!("measured {what}"),
        )),
        &["size", "seed", "task", &format!("self-estimated {what}"), &format!("measured {what}")],
    );
    f.plot.add_trace(diagonal(lo, hi, "measured = self-estimated"));
    for (g, ms) in by_task(r) {
        f.plot.add_trace(points(
            format!("trained on {g}"),
            ms.iter().map(|m| value(m).0).collect(),
            ms.iter().map(|m| value(m).1).collect(),
            ms.iter().map(|m| model_hover(m, g)).collect(),
            task_colour(g),
            Symbol::Circle,
        ));
        for m in ms {
            f.row(model_row(m, vec![f3(value(m).0), f3(value(m).1)]));
        }
    }
    f
}

/// A quantity's mean ± standard error per task against model size.
fn against_size(r: &Results, title: &str, y: &str, pick: impl Fn(&ModelResult) -> f64) -> Figure {
    let layout = Layout::new(title, Axis::titled("parameters").log(), Axis::titled(y));
    let mut f = Figure::new(new_plot(layout), &["task", "size", "parameters", "models", "mean", "standard error"]);
    let (sizes, tasks) = summary::present(r);
    for g in tasks {
        let stats: Vec<(Size, MeanSe)> = sizes.iter().filter_map(|&s| summary::over(r, s, g, &pick).map(|m| (s, m))).collect();
        f.plot.add_trace(
            Trace::scatter(stats.iter().map(|(s, _)| s.params() as f64).collect(), stats.iter().map(|(_, m)| m.mean).collect())
                .name(format!("trained on {g} (mean ± SE)"))
                .mode(Mode::LinesMarkers)
                .markers(task_colour(g), 9, Symbol::Circle)
                .line(task_colour(g), Dash::Solid)
                .error_y(stats.iter().map(|(_, m)| m.se).collect()),
        );
        for (s, m) in stats {
            f.row(vec![g.name(), s.to_string(), s.params().to_string(), m.n.to_string(), f3(m.mean), f3(m.se)]);
        }
    }
    f
}

/// The post's central figure: success rate against model size, mean ±
/// standard error over seeds, for each task.
pub fn success_vs_size(r: &Results) -> Figure {
    let mut f = against_size(r, "Success rate against model size", "success rate s (own task)", |m| m.own().success);
    for g in summary::present(r).1 {
        f.plot.add_trace(
            Trace::scatter(vec![Size::S.params() as f64, Size::Xl.params() as f64], vec![g.chance(), g.chance()])
                .name(format!("chance on {g} (p = {})", g.chance()))
                .mode(Mode::Lines)
                .line(task_colour(g), Dash::Dot)
                .no_hover(),
        );
    }
    f
}

/// Measured Op against model size, with the sequence's self-optimization.
pub fn op_vs_size(r: &Results) -> Figure {
    let mut f = against_size(r, "Optimization against model size", "Op (nats)", |m| m.op);
    if let Some(generator) = r.scripted.iter().find(|s| s.policy == crate::policy::Scripted::Generator) {
        f.plot.add_trace(
            Trace::scatter(vec![Size::S.params() as f64, Size::Xl.params() as f64], vec![generator.op, generator.op])
                .name("the sequence's self-optimization")
                .mode(Mode::Lines)
                .line("#333333", Dash::Dash)
                .no_hover(),
        );
        f.row(vec!["generator".into(), "–".into(), "–".into(), "–".into(), f3(generator.op), "–".into()]);
    }
    f
}

/// Final pretraining loss (held-out and training windows) against size.
pub fn loss_vs_size(r: &Results) -> Figure {
    let layout = Layout::new("Pretraining loss against model size", Axis::titled("parameters").log(), Axis::titled("final loss (nats)"));
    let mut f = Figure::new(new_plot(layout), &["set", "size", "parameters", "nets", "mean", "standard error"]);
    for (name, test, dash) in [("held-out", true, Dash::Solid), ("training", false, Dash::Dot)] {
        let stats: Vec<(Size, MeanSe)> = Size::ALL
            .iter()
            .filter_map(|&s| summary::final_loss(r, s, test).map(|m| (s, m)))
            .collect();
        f.plot.add_trace(
            Trace::scatter(stats.iter().map(|(s, _)| s.params() as f64).collect(), stats.iter().map(|(_, m)| m.mean).collect())
                .name(format!("{name} windows (mean ± SE)"))
                .mode(Mode::LinesMarkers)
                .line("#333333", dash)
                .error_y(stats.iter().map(|(_, m)| m.se).collect()),
        );
        for (s, m) in stats {
            f.row(vec![name.into(), s.to_string(), s.params().to_string(), m.n.to_string(), f3(m.mean), f3(m.se)]);
        }
    }
    f
}

/// Op (`imp` false) or Imp under each comparison future, per model.
pub fn comparisons(r: &Results, imp: bool) -> Figure {
    let what = if imp { "Imp" } else { "Op" };
    let labels: Vec<String> = r.models.iter().map(|m| format!("{} {} {}", m.key.size, m.key.seed, m.key.task)).collect();
    let layout = base_layout(&format!("{what} under each comparison future"), "model (size, seed, task)", &format!("{what} (nats)"));
    let mut f = Figure::new(new_plot(layout), &["size", "seed", "task", "split histories", "do nothing (8)", "random action", "untrained", "pretrained"]);
    let pick = |m: &ModelResult| -> [f64; 5] {
        let c = &m.comparisons;
        if imp {
            [m.imp, c.fixed.imp, c.random.imp, c.untrained.imp, c.pretrained.imp]
        } else {
            [m.op, c.fixed.op, c.random.op, c.untrained.op, c.pretrained.op]
        }
    };
    let names = ["split histories", "do nothing (action 8)", "uniformly random action", "untrained model", "pretrained model"];
    let colours = ["#000000", "#E69F00", "#56B4E9", "#009E73", "#CC79A7"];
    let symbols = [Symbol::Circle, Symbol::Square, Symbol::Diamond, Symbol::TriangleUp, Symbol::X];
    for i in 0..5 {
        f.plot.add_trace(
            Trace::scatter(labels.clone(), r.models.iter().map(|m| pick(m)[i]).collect())
                .name(names[i])
                .mode(Mode::Markers)
                .markers(colours[i], 8, symbols[i].clone()),
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
        new_plot(base_layout("Exact against Monte Carlo optimization", "exact Op (nats)", "Monte Carlo Op, 10 × 200 (nats)")),
        &["size", "seed", "task", "exact Op", "Monte Carlo Op", "± SE", "exact Imp", "Monte Carlo Imp", "± SE"],
    );
    f.plot.add_trace(diagonal(lo, hi, "estimate = exact"));
    for (g, _) in by_task(r) {
        let group: Vec<&&ModelResult> = ms.iter().filter(|m| m.key.task == g).collect();
        f.plot.add_trace(
            Trace::scatter(group.iter().map(|m| m.op).collect(), group.iter().map(|m| m.monte_carlo.expect("filtered").op.mean).collect())
                .name(format!("trained on {g}"))
                .mode(Mode::Markers)
                .markers(task_colour(g), 9, Symbol::Circle)
                .error_y(group.iter().map(|m| m.monte_carlo.expect("filtered").op.se).collect()),
        );
        for m in group {
            let mc = m.monte_carlo.expect("filtered");
            f.row(model_row(m, vec![f3(m.op), f3(mc.op.mean), f3(mc.op.se), f3(m.imp), f3(mc.imp.mean), f3(mc.imp.se)]));
        }
    }
    f
}

/// Pretraining curves: held-out (solid) and training (dotted) loss or accuracy.
pub fn pretrain(r: &Results, accuracy: bool) -> Figure {
    let what = if accuracy { "accuracy" } else { "loss (nats)" };
    let mut f = Figure::new(
        new_plot(base_layout(&format!("Pretraining {}", if accuracy { "accuracy" } else { "loss" }), "step", what)),
        &["size", "seed", "step", "held-out", "training"],
    );
    for c in &r.curves.pretrain {
        let label = format!("{} seed {}", c.net.size, c.net.seed);
        let steps: Vec<f64> = c.points.iter().map(|p| p.step as f64).collect();
        let pick = |p: &crate::study::curves::PretrainPoint, test: bool| match (accuracy, test) {
            (true, true) => p.test_acc,
            (true, false) => p.train_acc,
            (false, true) => p.test_loss,
            (false, false) => p.train_loss,
        };
        for (test, dash) in [(true, Dash::Solid), (false, Dash::Dot)] {
            f.plot.add_trace(
                Trace::scatter(steps.clone(), c.points.iter().map(|p| pick(p, test)).collect())
                    .name(format!("{label} {}", if test { "held-out" } else { "training" }))
                    .group(label.clone())
                    .mode(Mode::Lines)
                    .line(c.net.size.colour(), dash),
            );
        }
        if let Some(p) = c.points.last() {
            f.row(vec![c.net.size.to_string(), c.net.seed.to_string(), p.step.to_string(), f3(pick(p, true)), f3(pick(p, false))]);
        }
    }
    f
}

/// RL curves: success at temperature 0 per model and task.
pub fn rl(r: &Results) -> Figure {
    let mut f = Figure::new(new_plot(base_layout("RL: success rate at temperature 0", "RL step", "success rate s")), &[
        "size", "seed", "task", "step", "success", "outcome accuracy",
    ]);
    for c in &r.curves.rl {
        let dash = match c.key.size {
            Size::S => Dash::Dot,
            Size::M => Dash::DashDot,
            Size::L => Dash::Dash,
            Size::Xl => Dash::Solid,
        };
        f.plot.add_trace(
            Trace::scatter(c.points.iter().map(|p| p.step as f64).collect(), c.points.iter().map(|p| p.success).collect())
                .name(format!("{} seed {} on {}", c.key.size, c.key.seed, c.key.task))
                .mode(Mode::Lines)
                .line(task_colour(c.key.task), dash),
        );
        if let Some(p) = c.points.last() {
            f.row(vec![c.key.size.to_string(), c.key.seed.to_string(), c.key.task.name(), p.step.to_string(), f3(p.success), f3(p.outcome_acc)]);
        }
    }
    f
}

/// The taxonomy: the policy's outcome distribution F against the flat
/// comparison future and the sequence's real one, successes marked.
pub fn taxonomy(future: &[f64; 8], flat: &[f64; 8], real: Option<&[f64; 8]>, g: SuccessSet) -> Figure {
    let mut f = Figure::new(
        new_plot(base_layout("Outcome distributions", "outcome x", "probability").grouped_bars()),
        &["outcome", "in G", "F (the policy)", "flat F′", "the sequence's F′"],
    );
    let xs: Vec<String> = (0..8).map(|x| if g.contains(x as u8) { format!("{x} ✓") } else { format!("{x}") }).collect();
    f.plot.add_trace(Trace::bar(xs.clone(), future.to_vec()).name("F (the policy)").colour(task_colour(g)));
    f.plot.add_trace(Trace::bar(xs.clone(), flat.to_vec()).name("F′, flat (the theory's)").colour("#8C8C8C"));
    if let Some(real) = real {
        f.plot.add_trace(Trace::bar(xs, real.to_vec()).name("F′, the sequence's own").colour("#000000"));
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
    let mut f = Figure::new(new_plot(base_layout("Differential optimization, scalar system", "C = k", "nats")), &["", "C", "Op", "Imp"]);
    let xs: Vec<f64> = (1..=300).map(|i| i as f64 / 100.0).collect();
    let d: Vec<crate::differential::DiffMeasures> = xs.iter().map(|&c| crate::differential::scalar(c)).collect();
    f.plot.add_trace(Trace::scatter(xs.clone(), d.iter().map(|m| m.op).collect()).name("Op = −ln C").mode(Mode::Lines));
    f.plot.add_trace(Trace::scatter(xs, d.iter().map(|m| m.imp).collect()).name("Imp = −ln C + C(C − 1)").mode(Mode::Lines));
    f.plot.add_trace(
        Trace::scatter(vec![k, k], vec![mc_op, mc_imp])
            .name("Monte Carlo at this k")
            .mode(Mode::Markers)
            .markers("#000000", 11, Symbol::Diamond),
    );
    let c = crate::differential::scalar(k);
    f.row(vec!["closed form".into(), f3(k), f3(c.op), f3(c.imp)]);
    f.row(vec!["Monte Carlo".into(), f3(k), f3(mc_op), f3(mc_imp)]);
    f
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = Plotly, js_name = react)]
    async fn plotly_react(id: &str, obj: &js_sys::Object) -> Result<JsValue, JsValue>;
}

/// Waits until plotly.js has loaded (the page loads it after first paint).
async fn plotly_ready() -> bool {
    let global = js_sys::global();
    if js_sys::Reflect::has(&global, &"Plotly".into()).unwrap_or(false) {
        return true;
    }
    let ready = js_sys::Reflect::get(&global, &"__plotlyReady".into()).ok();
    if let Some(p) = ready.and_then(|p| p.dyn_into::<js_sys::Promise>().ok()) {
        return wasm_bindgen_futures::JsFuture::from(p).await.is_ok();
    }
    false
}

use wasm_bindgen::JsCast;

/// Draws a figure into a div with id `id`, redrawing whenever the signals
/// it reads change; below it, the same numbers as a table.
#[component]
pub fn Chart<F>(id: &'static str, label: &'static str, figure: F) -> impl IntoView
where
    F: Fn() -> Figure + Send + Sync + 'static,
{
    let figure = Memo::new(move |_| {
        let f = figure();
        (f.plot.to_json(), f.headers, f.rows)
    });
    Effect::new(move |_| {
        let json = figure.with(|f| f.0.clone());
        leptos::task::spawn_local(async move {
            if !plotly_ready().await {
                return;
            }
            if let Ok(obj) = js_sys::JSON::parse(&json).and_then(|v| v.dyn_into::<js_sys::Object>().map_err(|_| JsValue::NULL)) {
                if let Err(e) = plotly_react(id, &obj).await {
                    web_sys::console::warn_1(&format!("chart {id} could not be drawn: {e:?}").into());
                }
            }
        });
    });
    let table_id = format!("{id}-data");
    view! {
        <figure class="chart-box">
            <figcaption class="sr-only">{format!("Chart: {label}. Its numbers are in the data table below it.")}</figcaption>
            <div class="chart" id=id aria-describedby=table_id.clone()></div>
            <details class="chart-data">
                <summary>{format!("Data: {label}")}</summary>
                <div class="table-scroll" tabindex="0" role="region" aria-label=format!("Data: {label}")>
                    <table id=table_id>
                        <thead><tr>{move || figure.with(|f| f.1.iter().map(|h| view! { <th scope="col">{h.clone()}</th> }).collect_view())}</tr></thead>
                        <tbody>{move || figure.with(|f| f.2.iter().map(|row| view! {
                            <tr>{row.iter().map(|c| view! { <td>{c.clone()}</td> }).collect_view()}</tr>
                        }).collect_view())}</tbody>
                    </table>
                </div>
            </details>
        </figure>
    }
}
