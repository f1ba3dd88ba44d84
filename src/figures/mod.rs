//! The study's figures, apart from any page: each builder is a pure
//! function from results (or a toy's settings) to a [`Figure`], a plotly
//! chart ([`plot`]) and the same numbers as a table (the chart's text
//! alternative). No burn, no web: built and tested natively; the page only
//! draws them.
//!
//! Many models make one figure readable by grouping: a legend entry per
//! size or per task (never per model), curves of several seeds as the mean
//! ± standard error per size with the single runs faint beneath, and every
//! point or line naming its model when hovered. Colour follows size where
//! size is the question, and task where the task is.

pub mod curves;
pub mod inside;
pub mod measures;
pub mod plot;
pub mod readings;
pub mod scaling;
pub mod toys;

use crate::sequence::SuccessSet;
use crate::study::results::{ModelResult, Results, ScriptedResult};
use crate::study::size::Size;
use plot::{Dash, Layout, Mode, Plot, Scatter, ScatterStyle, Style, Symbol};

/// A chart and its numbers.
#[derive(Clone)]
pub struct Figure {
    /// The chart.
    pub plot: Plot,
    /// Column headers of its data table.
    pub headers: Vec<String>,
    /// Rows of its data table.
    pub rows: Vec<Vec<String>>,
}

impl Figure {
    /// An empty figure with a layout and its table's headers.
    pub fn new(layout: Layout, headers: &[&str]) -> Self {
        Figure { plot: Plot::new(layout), headers: headers.iter().map(|h| h.to_string()).collect(), rows: Vec::new() }
    }

    /// Adds a row to the table.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }
}

/// The most legend entries a figure may have: more would not be read.
pub const MAX_LEGEND: usize = 12;

/// A task's colour (Okabe–Ito, 3:1 or more on white): the study's three
/// tasks each their own, custom tasks one more.
pub fn task_colour(g: SuccessSet) -> &'static str {
    if g == SuccessSet::N2 {
        "#D55E00"
    } else if g == SuccessSet::N4 {
        "#007A5E"
    } else if g == SuccessSet::N6 {
        "#0072B2"
    } else {
        "#CC79A7"
    }
}

/// A size's marker shape, where colour shows the task.
pub fn size_symbol(s: Size) -> Symbol {
    match s {
        Size::S => Symbol::Circle,
        Size::M => Symbol::Square,
        Size::L => Symbol::Diamond,
        Size::Xl => Symbol::TriangleUp,
    }
}

/// A size's dash, where colour shows the task.
pub fn size_dash(s: Size) -> Dash {
    match s {
        Size::S => Dash::Dot,
        Size::M => Dash::DashDot,
        Size::L => Dash::Dash,
        Size::Xl => Dash::Solid,
    }
}

/// `#rrggbb` with an opacity, as plotly's `rgba(...)`.
pub fn with_alpha(hex: &str, alpha: f64) -> String {
    let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap_or(0);
    format!("rgba({}, {}, {}, {alpha})", (v >> 16) & 255, (v >> 8) & 255, v & 255)
}

/// `0.123`, or ∞.
pub fn f3(v: f64) -> String {
    if v.is_finite() { format!("{v:.3}") } else { "∞".into() }
}

/// A layout with plain titled axes.
pub fn layout(title: &str, x: &str, y: &str) -> Layout {
    plot::layout(title, plot::axis(x), plot::axis(y))
}

/// Hover text for a trained model under success set `g`.
pub fn model_hover(m: &ModelResult, g: SuccessSet) -> String {
    let sc = m.score(g).unwrap_or(m.own());
    format!(
        "size {} ({} params), seed {}, trained on {}<br>under G = {}: s = {:.3}, s' = {:.3}<br>Op = {:.3} (implied {:.3})<br>Imp = {:.3} (min {:.3})<br>self-estimated Op {:.3}, Imp {:.3}",
        m.key.size, m.params, m.key.seed, m.key.task, g, sc.success, sc.split_success, m.op, sc.op_implied, m.imp, sc.imp_min, m.self_op, m.self_imp
    )
}

/// Hover text for a scripted policy under `g`.
pub fn scripted_hover(s: &ScriptedResult, g: SuccessSet) -> String {
    let sc = s.score(g);
    format!(
        "scripted policy {}<br>under G = {}: s = {:.3}<br>Op = {:.3} (implied {:.3})<br>Imp = {:.3} (min {:.3})",
        s.policy.label(),
        g,
        sc.success,
        s.op,
        sc.op_implied,
        s.imp,
        sc.imp_min
    )
}

/// Models grouped by the task they were trained on, in task order.
pub fn by_task(r: &Results) -> Vec<(SuccessSet, Vec<&ModelResult>)> {
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

/// The sizes that have models, in order.
pub fn sizes_of(r: &Results) -> Vec<Size> {
    let mut v: Vec<Size> = r.models.iter().map(|m| m.key.size).collect();
    v.sort();
    v.dedup();
    v
}

/// One trace per (task, size) of trained models: colour by task, shape by
/// size, one legend entry per task and, when there are several sizes, one
/// grey entry per size for its shape. `xy` gives a model's point (None to
/// leave it out).
pub fn model_points(f: &mut Figure, r: &Results, hover_task: impl Fn(SuccessSet) -> SuccessSet, xy: impl Fn(&ModelResult) -> Option<(f64, f64)>) {
    let sizes = sizes_of(r);
    for (g, ms) in by_task(r) {
        let name = format!("trained on {g}");
        for &size in &sizes {
            let pts: Vec<(&ModelResult, f64, f64)> = ms
                .iter()
                .filter(|m| m.key.size == size)
                .filter_map(|m| xy(m).filter(|(x, y)| x.is_finite() && y.is_finite()).map(|(x, y)| (*m, x, y)))
                .collect();
            if pts.is_empty() {
                continue;
            }
            f.plot.add(
                Scatter::new(pts.iter().map(|p| p.1).collect::<Vec<_>>(), pts.iter().map(|p| p.2).collect::<Vec<_>>())
                    .name(name.clone())
                    .legend_group(name.clone())
                    .mode(Mode::Markers)
                    .markers(task_colour(g), 9, size_symbol(size))
                    .hover(pts.iter().map(|p| model_hover(p.0, hover_task(g))).collect()),
            );
        }
    }
    if sizes.len() > 1 {
        for &size in &sizes {
            f.plot.add(shape_key(size));
        }
    }
}

/// A legend entry alone (no data): a size's marker shape in grey.
pub fn shape_key(size: Size) -> Box<Scatter<f64, f64>> {
    Scatter::new(vec![f64::NAN], vec![f64::NAN])
        .name(format!("size {size}"))
        .mode(Mode::Markers)
        .markers("#595959", 9, size_symbol(size))
        .no_hover()
}

/// A legend entry alone: a line style.
pub fn line_key(name: &str, dash: Dash) -> Box<Scatter<f64, f64>> {
    Scatter::new(vec![f64::NAN], vec![f64::NAN]).name(name).mode(Mode::Lines).stroke("#595959", dash).no_hover()
}

/// The dashed y = x line from `lo` to `hi`.
pub fn diagonal(lo: f64, hi: f64, name: &str) -> Box<Scatter<f64, f64>> {
    Scatter::new(vec![lo, hi], vec![lo, hi]).name(name).mode(Mode::Lines).stroke("#595959", Dash::Dash).no_hover()
}

/// The range of some values, from 0 (or below) to a little above the top.
pub fn span(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (0.0f64, 0.05f64);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    (lo, hi * 1.05)
}

/// A model's identity cells, then `cells`.
pub fn model_row(m: &ModelResult, cells: Vec<String>) -> Vec<String> {
    let mut row = vec![m.key.size.to_string(), m.key.seed.to_string(), m.key.task.name()];
    row.extend(cells);
    row
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! Results to draw figures from: the paper's shape (4 sizes, 2 seeds,
    //! 3 tasks) with made-up numbers that differ by model.

    use crate::study::config::ExperimentConfig;
    use crate::study::curves::{PretrainPoint, RlPoint};
    use crate::study::preset::Preset;
    use crate::study::results::*;

    /// The fixture: results of 24 models with curves.
    pub fn results() -> Results {
        let mut config = ExperimentConfig::preset(Preset::Paper);
        config.seeds = vec![0, 1];
        config.eval_histories = 60;
        config.test_tokens = 2_000;
        let mut r = Results::new(config.clone());
        for (i, key) in config.models().into_iter().enumerate() {
            let x = i as f64 / 100.0;
            let o = OpImp { op: 0.05 + x, imp: 0.06 + x, comparison_success: 0.5 };
            r.add(vec![ModelResult {
                key,
                params: key.size.params(),
                entropy_optimized: 2.0 - x,
                entropy_split: 2.06,
                op: 0.05 + x,
                imp: 0.08 + x,
                scores: scored_tasks(&config.tasks)
                    .into_iter()
                    .map(|task| TaskScore { task, success: task.chance() + 0.1 + x, split_success: task.chance(), op_implied: 0.04 + x, imp_min: 0.05 + x })
                    .collect(),
                pretrained_success: key.task.chance(),
                self_op: x - 0.02,
                self_imp: 0.03 + x,
                comparisons: Comparisons { fixed: o, random: o, untrained: o, pretrained: o },
                monte_carlo: None,
            }]);
            for step in (0..=300).step_by(100) {
                let s = step as f64 / 1000.0;
                r.curves.push_rl(key, RlPoint { step, success: key.task.chance() + s + x, outcome_acc: 0.9 - s / 10.0, rollout_acc: Some(0.8 - s / 5.0), rollout_own_acc: None, rollout_other_acc: None });
            }
            if key.task == config.tasks[0] {
                for step in (0..=3000).step_by(1000) {
                    let s = step as f64 / 3000.0;
                    r.curves.push_pretrain(key.net(), PretrainPoint { step, train_loss: 2.0 - s - x, train_acc: 0.2 + s / 2.0, test_loss: 2.05 - s - x, test_acc: 0.2 + s / 2.1 });
                }
            }
        }
        r
    }
}
