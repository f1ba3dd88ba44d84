//! The study's figures as plotly charts. Builders are pure functions from
//! results to a `Plot`; [`Chart`] draws one into a div and redraws it when
//! what it reads changes.

use crate::experiment::{ModelResult, Results, ScriptedResult};
use crate::measure::op_implied;
use crate::sequence::SuccessSet;
use leptos::prelude::*;
use plotly::common::{DashType, HoverInfo, Line, Marker, MarkerSymbol, Mode, Title};
use plotly::layout::{Axis, AxisType, Layout, Margin};
use plotly::{Bar, Configuration, Plot, Scatter};
use std::collections::BTreeMap;

/// Colours of the three tasks (and of custom ones, cycling).
pub fn task_colour(g: SuccessSet) -> &'static str {
    match g.name().as_str() {
        "n2" => "#d95f02",
        "n4" => "#1b9e77",
        "n6" => "#7570b3",
        _ => "#e7298a",
    }
}

/// Colours of the four sizes.
pub fn size_colour(size: &str) -> &'static str {
    match size {
        "s" => "#66c2a5",
        "m" => "#fc8d62",
        "l" => "#8da0cb",
        _ => "#e78ac3",
    }
}

fn base_layout(title: &str, x: &str, y: &str) -> Layout {
    Layout::new()
        // Titles sit left, clear of the mode bar plotly draws top right.
        .title(
            Title::with_text(title)
                .x_ref(plotly::common::Reference::Paper)
                .x(0.0)
                .x_anchor(plotly::common::Anchor::Left),
        )
        .height(360)
        .margin(Margin::new().left(60).right(20).top(50).bottom(50))
        .x_axis(Axis::new().title(Title::with_text(x)).zero_line(false))
        .y_axis(Axis::new().title(Title::with_text(y)).zero_line(false))
}

fn new_plot(layout: Layout) -> Plot {
    let mut plot = Plot::new();
    plot.set_layout(layout);
    // A short mode bar (image, zoom, pan, reset) that leaves room for the
    // title on half-width charts.
    use plotly::configuration::ModeBarButtonName as B;
    plot.set_configuration(
        Configuration::new()
            .responsive(true)
            .display_logo(false)
            .mode_bar_buttons_to_remove(vec![
                B::Select2d,
                B::Lasso2d,
                B::ZoomIn2d,
                B::ZoomOut2d,
                B::AutoScale2d,
                B::HoverClosestCartesian,
                B::HoverCompareCartesian,
                B::ToggleSpikelines,
                B::SendDataToCloud,
            ]),
    );
    plot
}

/// Hover text for a trained model.
pub fn model_hover(m: &ModelResult, g: SuccessSet) -> String {
    let sc = m.score(g).unwrap_or(m.own());
    format!(
        "size {} ({} params), seed {}, trained on {}<br>under G = {}: s = {:.3}, s' = {:.3}<br>Op = {:.3} (implied {:.3})<br>Imp = {:.3} (min {:.3})<br>self-estimated Op {:.3}, Imp {:.3}",
        m.size, m.params, m.seed, m.task, g, sc.success, sc.split_success, m.op, sc.op_implied, m.imp, sc.imp_min, m.self_op, m.self_imp
    )
}

fn scripted_hover(s: &ScriptedResult, g: SuccessSet) -> String {
    let sc = s.scores.iter().find(|t| t.task == g).unwrap_or(&s.scores[0]);
    format!(
        "scripted policy {}<br>under G = {}: s = {:.3}<br>Op = {:.3} (implied {:.3})<br>Imp = {:.3} (min {:.3})",
        s.name, g, sc.success, s.op, sc.op_implied, s.imp, sc.imp_min
    )
}

/// Groups models by the task they were trained on.
fn by_task(r: &Results) -> BTreeMap<String, (SuccessSet, Vec<&ModelResult>)> {
    let mut map: BTreeMap<String, (SuccessSet, Vec<&ModelResult>)> = BTreeMap::new();
    for m in &r.models {
        map.entry(m.task.name()).or_insert((m.task, Vec::new())).1.push(m);
    }
    map
}

fn points(
    name: String,
    xs: Vec<f64>,
    ys: Vec<f64>,
    hover: Vec<String>,
    colour: &str,
    symbol: MarkerSymbol,
) -> Box<Scatter<f64, f64>> {
    Scatter::new(xs, ys)
        .name(name)
        .mode(Mode::Markers)
        .marker(Marker::new().color(colour.to_string()).size(9).symbol(symbol))
        .hover_text_array(hover)
        .hover_info(HoverInfo::Text)
}

fn diagonal(lo: f64, hi: f64, name: &str) -> Box<Scatter<f64, f64>> {
    Scatter::new(vec![lo, hi], vec![lo, hi])
        .name(name)
        .mode(Mode::Lines)
        .line(Line::new().dash(DashType::Dash).color("#888888"))
        .hover_info(HoverInfo::Skip)
}

fn span(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (0.0f64, 0.05f64);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    (lo, hi * 1.05)
}

/// Op against success rate: theory curves for p = 1/4, 1/2, 3/4, every
/// trained model (under its own task) and the scripted policies.
pub fn op_theory(r: &Results) -> Plot {
    let mut plot = new_plot(base_layout(
        "Optimization against success rate",
        "success rate s (own task)",
        "Op (nats)",
    ));
    for g in SuccessSet::tasks() {
        let p = g.chance();
        let xs: Vec<f64> = (0..=200).map(|i| i as f64 / 200.0).collect();
        let ys: Vec<f64> = xs.iter().map(|&s| op_implied(s, p)).collect();
        plot.add_trace(
            Scatter::new(xs, ys)
                .name(format!("theory, p = {p}"))
                .mode(Mode::Lines)
                .line(Line::new().color(task_colour(g)).dash(DashType::Dot))
                .hover_info(HoverInfo::Skip),
        );
    }
    for (name, (g, ms)) in by_task(r) {
        plot.add_trace(points(
            format!("models trained on {name}"),
            ms.iter().map(|m| m.own().success).collect(),
            ms.iter().map(|m| m.op).collect(),
            ms.iter().map(|m| model_hover(m, g)).collect(),
            task_colour(g),
            MarkerSymbol::Circle,
        ));
    }
    add_scripted(&mut plot, r, |s, g| {
        let sc = s.scores.iter().find(|t| t.task == g).unwrap_or(&s.scores[0]);
        (sc.success, s.op)
    });
    plot
}

fn add_scripted(plot: &mut Plot, r: &Results, xy: impl Fn(&ScriptedResult, SuccessSet) -> (f64, f64)) {
    let g = r.config.tasks.first().copied().unwrap_or(SuccessSet::N4);
    let (mut xs, mut ys, mut hover) = (Vec::new(), Vec::new(), Vec::new());
    for s in &r.scripted {
        let (x, y) = xy(s, g);
        xs.push(x);
        ys.push(y);
        hover.push(scripted_hover(s, g));
    }
    plot.add_trace(points(
        format!("scripted policies (under {g})"),
        xs,
        ys,
        hover,
        "#444444",
        MarkerSymbol::Diamond,
    ));
}

/// Predicted (implied) against measured Op under each model's own task.
pub fn op_predicted(r: &Results) -> Plot {
    let (lo, hi) = span(r.models.iter().flat_map(|m| [m.op, m.own().op_implied]));
    let mut plot = new_plot(base_layout(
        "Predicted against measured optimization",
        "Op implied by the success rate (nats)",
        "measured Op (nats)",
    ));
    plot.add_trace(diagonal(lo, hi, "measured = implied"));
    for (name, (g, ms)) in by_task(r) {
        plot.add_trace(points(
            format!("trained on {name}"),
            ms.iter().map(|m| m.own().op_implied).collect(),
            ms.iter().map(|m| m.op).collect(),
            ms.iter().map(|m| model_hover(m, g)).collect(),
            task_colour(g),
            MarkerSymbol::Circle,
        ));
    }
    plot
}

/// Cross-objective evaluation: implied Op under `g` against measured Op,
/// coloured by the task each model was trained on.
pub fn cross(r: &Results, g: SuccessSet) -> Plot {
    let (lo, hi) = span(r.models.iter().flat_map(|m| {
        [m.op, m.score(g).map(|s| s.op_implied).unwrap_or(0.0)]
    }));
    let mut plot = new_plot(base_layout(
        &format!("Under G = {g}"),
        &format!("Op implied by success on {g}"),
        "measured Op",
    ));
    plot.add_trace(diagonal(lo, hi, "measured = implied"));
    for (name, (t, ms)) in by_task(r) {
        let ms: Vec<&&ModelResult> = ms.iter().filter(|m| m.score(g).is_some()).collect();
        plot.add_trace(points(
            format!("trained on {name}"),
            ms.iter().map(|m| m.score(g).unwrap().op_implied).collect(),
            ms.iter().map(|m| m.op).collect(),
            ms.iter().map(|m| model_hover(m, g)).collect(),
            task_colour(t),
            if t == g { MarkerSymbol::Circle } else { MarkerSymbol::X },
        ));
    }
    plot
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
pub fn impact(r: &Results, fig: ImpactFigure) -> Plot {
    let (title, x, y) = match fig {
        ImpactFigure::ImpVsMin => ("Impact against its lower bound", "Imp_min (nats)", "Imp (nats)"),
        ImpactFigure::SplitSuccessVsSize => ("Success in the split-history future", "parameters", "s'"),
        ImpactFigure::Ratio => ("Impact ratio", "Imp_min (nats)", "Imp / Imp_min"),
        ImpactFigure::Excess => ("Excess impact", "Imp (nats)", "Imp − Imp_min (nats)"),
    };
    let mut layout = base_layout(title, x, y);
    if fig == ImpactFigure::SplitSuccessVsSize {
        layout = layout.x_axis(Axis::new().title(Title::with_text(x)).type_(AxisType::Log));
    }
    let mut plot = new_plot(layout);
    if fig == ImpactFigure::ImpVsMin {
        let (lo, hi) = span(r.models.iter().flat_map(|m| [m.imp, m.own().imp_min]));
        plot.add_trace(diagonal(lo, hi, "Imp = Imp_min"));
    }
    for (name, (g, ms)) in by_task(r) {
        let xy = |m: &ModelResult| -> (f64, f64) {
            let o = m.own();
            match fig {
                ImpactFigure::ImpVsMin => (o.imp_min, m.imp),
                ImpactFigure::SplitSuccessVsSize => (m.params as f64, o.split_success),
                ImpactFigure::Ratio => (
                    o.imp_min,
                    if o.imp_min > 0.0 { m.imp / o.imp_min } else { f64::NAN },
                ),
                ImpactFigure::Excess => (m.imp, m.imp - o.imp_min),
            }
        };
        let pts: Vec<(f64, f64, String)> = ms
            .iter()
            .map(|m| {
                let (x, y) = xy(m);
                (x, y, model_hover(m, g))
            })
            .filter(|(x, y, _)| x.is_finite() && y.is_finite())
            .collect();
        plot.add_trace(points(
            format!("trained on {name}"),
            pts.iter().map(|p| p.0).collect(),
            pts.iter().map(|p| p.1).collect(),
            pts.iter().map(|p| p.2.clone()).collect(),
            task_colour(g),
            MarkerSymbol::Circle,
        ));
    }
    plot
}

/// Measured against self-estimated Op (`imp` false) or Imp (`imp` true).
pub fn self_eval(r: &Results, imp: bool) -> Plot {
    let what = if imp { "Imp" } else { "Op" };
    let value = |m: &ModelResult| if imp { (m.self_imp, m.imp) } else { (m.self_op, m.op) };
    let (lo, hi) = span(r.models.iter().flat_map(|m| {
        let (a, b) = value(m);
        [a, b]
    }));
    let mut plot = new_plot(base_layout(
        &format!("Measured against self-estimated {what}"),
        &format!("self-estimated {what} (the model's own predictions)"),
        &format!("measured {what}"),
    ));
    plot.add_trace(diagonal(lo, hi, "measured = self-estimated"));
    for (name, (g, ms)) in by_task(r) {
        plot.add_trace(points(
            format!("trained on {name}"),
            ms.iter().map(|m| value(m).0).collect(),
            ms.iter().map(|m| value(m).1).collect(),
            ms.iter().map(|m| model_hover(m, g)).collect(),
            task_colour(g),
            MarkerSymbol::Circle,
        ));
    }
    plot
}

/// Live training curves of one model (one job).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Curves {
    /// Size name.
    pub size: String,
    /// Seed.
    pub seed: u64,
    /// Pretraining points.
    pub pretrain: Vec<crate::train::PretrainPoint>,
    /// RL points per task.
    pub rl: Vec<(SuccessSet, Vec<crate::train::RlPoint>)>,
}

/// Pretraining curves: test (solid) and train (dotted) loss or accuracy.
pub fn pretrain(curves: &[Curves], accuracy: bool) -> Plot {
    let what = if accuracy { "accuracy" } else { "loss (nats)" };
    let mut plot = new_plot(base_layout(
        &format!("Pretraining {}", if accuracy { "accuracy" } else { "loss" }),
        "step",
        what,
    ));
    for c in curves {
        let label = format!("{} seed {}", c.size, c.seed);
        let steps: Vec<f64> = c.pretrain.iter().map(|p| p.step as f64).collect();
        for (test, dash) in [(true, DashType::Solid), (false, DashType::Dot)] {
            let ys: Vec<f64> = c
                .pretrain
                .iter()
                .map(|p| match (accuracy, test) {
                    (true, true) => p.test_acc,
                    (true, false) => p.train_acc,
                    (false, true) => p.test_loss,
                    (false, false) => p.train_loss,
                })
                .collect();
            plot.add_trace(
                Scatter::new(steps.clone(), ys)
                    .name(format!("{label} {}", if test { "test" } else { "train" }))
                    .legend_group(label.clone())
                    .mode(Mode::Lines)
                    .line(Line::new().color(size_colour(&c.size)).dash(dash)),
            );
        }
    }
    plot
}

/// RL curves: success at temperature 0 per model and task.
pub fn rl(curves: &[Curves]) -> Plot {
    let mut plot = new_plot(base_layout("RL: success rate at temperature 0", "RL step", "success rate s"));
    for c in curves {
        for (g, pts) in &c.rl {
            plot.add_trace(
                Scatter::new(
                    pts.iter().map(|p| p.step as f64).collect(),
                    pts.iter().map(|p| p.success).collect(),
                )
                .name(format!("{} seed {} on {g}", c.size, c.seed))
                .mode(Mode::Lines)
                .line(Line::new().color(task_colour(*g))),
            );
        }
    }
    plot
}

/// The taxonomy: the policy's outcome distribution F against the
/// comparison future F', successes marked.
pub fn taxonomy(future: &[f64; 8], baseline: &[f64; 8], g: SuccessSet) -> Plot {
    let mut plot = new_plot(
        base_layout("Outcome distributions", "outcome x_{t+1}", "probability")
            .bar_mode(plotly::layout::BarMode::Group),
    );
    let xs: Vec<String> = (0..8)
        .map(|x| if g.contains(x as u8) { format!("{x} ✓") } else { format!("{x}") })
        .collect();
    plot.add_trace(
        Bar::new(xs.clone(), future.to_vec())
            .name("F (the policy)")
            .marker(Marker::new().color(task_colour(g))),
    );
    plot.add_trace(
        Bar::new(xs, baseline.to_vec())
            .name("F' (no responsiveness)")
            .marker(Marker::new().color("#bbbbbb")),
    );
    plot
}

/// Scalar differential measures: closed-form Op and Imp over C, with the
/// current C's Monte Carlo estimate.
pub fn differential_scalar(k: f64, mc_op: f64, mc_imp: f64) -> Plot {
    let mut plot = new_plot(base_layout("Differential optimization, scalar system", "C = k", "nats"));
    let xs: Vec<f64> = (1..=300).map(|i| i as f64 / 100.0).collect();
    let d: Vec<crate::differential::DiffMeasures> =
        xs.iter().map(|&c| crate::differential::scalar(c)).collect();
    plot.add_trace(
        Scatter::new(xs.clone(), d.iter().map(|m| m.op).collect())
            .name("Op = −ln C")
            .mode(Mode::Lines),
    );
    plot.add_trace(
        Scatter::new(xs, d.iter().map(|m| m.imp).collect())
            .name("Imp = −ln C + C(C − 1)")
            .mode(Mode::Lines),
    );
    plot.add_trace(
        Scatter::new(vec![k, k], vec![mc_op, mc_imp])
            .name("Monte Carlo at this k")
            .mode(Mode::Markers)
            .marker(Marker::new().size(11).color("#000000").symbol(MarkerSymbol::Diamond)),
    );
    plot
}

/// Draws `build()` into a div with id `id`, redrawing whenever the signals
/// it reads change.
#[component]
pub fn Chart<F>(id: &'static str, plot: F) -> impl IntoView
where
    F: Fn() -> Plot + 'static,
{
    Effect::new(move |_| {
        let plot = plot();
        leptos::task::spawn_local(async move {
            plotly::bindings::react(id, &plot).await;
        });
    });
    view! { <div class="chart" id=id></div> }
}
