//! Training curves of many models at once: per size, the mean ± standard
//! error over seeds at each step as a line with a band, the single runs
//! faint beneath (hovering one names its model).

use super::plot::{self, Dash, Mode, Scatter, ScatterStyle, Style};
use super::*;
use crate::study::curves::{PretrainPoint, RlPoint};
use crate::study::key::ModelKey;
use crate::study::summary::{MeanSe, label};

/// Curves of several runs: (the run's name, its points as (step, value)).
type Runs = Vec<(String, Vec<(f64, f64)>)>;

/// Mean ± SE over runs at each step every run reached.
fn mean_curve(runs: &Runs) -> Vec<(f64, MeanSe)> {
    let Some((_, first)) = runs.first() else { return Vec::new() };
    first
        .iter()
        .filter_map(|&(step, _)| {
            let vals: Vec<f64> = runs.iter().filter_map(|(_, pts)| pts.iter().find(|p| p.0 == step).map(|p| p.1)).collect();
            (vals.len() == runs.len()).then(|| MeanSe::of(&vals).map(|m| (step, m))).flatten()
        })
        .collect()
}

/// Draws a group of runs: faint singles, a band of ± SE and the mean line
/// named `name` (hovering it says `what`), in legend group `group`.
/// Returns the mean curve.
#[allow(clippy::too_many_arguments)]
fn draw_group(f: &mut Figure, runs: &Runs, what: &str, name: &str, group: &str, colour: &str, dash: Dash, panel: usize) -> Vec<(f64, MeanSe)> {
    let group = group.to_string();
    for (run, pts) in runs {
        f.plot.add(
            Scatter::new(pts.iter().map(|p| p.0).collect::<Vec<_>>(), pts.iter().map(|p| p.1).collect::<Vec<_>>())
                .name(run.clone())
                .legend_group(group.clone())
                .show_legend(false)
                .mode(Mode::Lines)
                .thin_stroke(colour, dash.clone())
                .faint()
                .hover(vec![run.clone(); pts.len()])
                .panel(panel),
        );
    }
    let mean = mean_curve(runs);
    if runs.len() > 1 && !mean.is_empty() {
        let xs: Vec<f64> = mean.iter().map(|p| p.0).chain(mean.iter().rev().map(|p| p.0)).collect();
        let ys: Vec<f64> = mean.iter().map(|p| p.1.mean + p.1.se).chain(mean.iter().rev().map(|p| p.1.mean - p.1.se)).collect();
        f.plot.add(Scatter::new(xs, ys).band(&with_alpha(colour, 0.18)).legend_group(group.clone()).show_legend(false).no_hover().panel(panel));
    }
    let hover: Vec<String> = mean.iter().map(|(s, m)| format!("{what}, step {s}: {} (mean ± SE of {})", m.show(3), m.n)).collect();
    f.plot.add(
        Scatter::new(mean.iter().map(|p| p.0).collect::<Vec<_>>(), mean.iter().map(|p| p.1.mean).collect::<Vec<_>>())
            .name(name)
            .legend_group(group)
            .mode(Mode::Lines)
            .stroke(colour, dash)
            .hover(hover)
            .panel(panel),
    );
    mean
}

/// Pretraining curves: per size, held-out (solid) and training (dotted)
/// loss or accuracy, mean ± SE over seeds.
pub fn pretrain(r: &Results, accuracy: bool) -> Figure {
    let what = if accuracy { "accuracy" } else { "loss (nats)" };
    let mut f = Figure::new(
        layout(&format!("Pretraining {}", if accuracy { "accuracy" } else { "loss" }), "step", what),
        &["size", "seeds", "step", "held-out (mean ± SE)", "training (mean ± SE)"],
    );
    let pick = |p: &PretrainPoint, test: bool| match (accuracy, test) {
        (true, true) => p.test_acc,
        (true, false) => p.train_acc,
        (false, true) => p.test_loss,
        (false, false) => p.train_loss,
    };
    let mut sizes: Vec<Size> = r.curves.pretrain.iter().map(|c| c.net.size).collect();
    sizes.dedup();
    for size in sizes {
        let mut means = Vec::new();
        for (test, dash) in [(true, Dash::Solid), (false, Dash::Dot)] {
            let runs: Runs = r
                .curves
                .pretrain
                .iter()
                .filter(|c| c.net.size == size)
                .map(|c| (format!("{} {}", c.net, if test { "held-out" } else { "training" }), c.points.iter().map(|p| (p.step as f64, pick(p, test))).collect()))
                .collect();
            let n = runs.len();
            let name = format!("size {size}");
            // Held-out and training share the size's legend group, so
            // its entry is the first drawn (`Plot::add`).
            let mean = draw_group(&mut f, &runs, &name, &name, &name, size.colour(), dash, 0);
            means.push((mean, n));
        }
        if let (Some((held, n)), Some((train, _))) = (means.first(), means.get(1)) {
            if let (Some(h), Some(t)) = (held.last(), train.last()) {
                f.row(vec![size.to_string(), n.to_string(), h.0.to_string(), h.1.show(3), t.1.show(3)]);
            }
        }
    }
    f.plot.add(line_key("held-out windows", Dash::Solid));
    f.plot.add(line_key("training windows", Dash::Dot));
    f
}

/// The RL curves of every model as runs of `value`, grouped for drawing:
/// by task into panels (up to three tasks) with a line per size, or, with
/// more tasks, one panel with a line per (task, size).
fn rl_figure(r: &Results, title: &str, y: &str, headers: &[&str], series: &[(&str, Dash, fn(&RlPoint) -> Option<f64>)]) -> Figure {
    let tasks: Vec<SuccessSet> = {
        let mut t: Vec<SuccessSet> = r.curves.rl.iter().map(|c| c.key.task).collect();
        t.sort();
        t.dedup();
        t
    };
    let panels = tasks.len() <= 3;
    let layout = if panels && tasks.len() > 1 {
        plot::panels(title, "RL step", y, &tasks.iter().map(|t| format!("trained on {t}")).collect::<Vec<_>>())
    } else {
        layout(title, "RL step", y)
    };
    let mut f = Figure::new(layout, headers);
    let mut sizes: Vec<Size> = r.curves.rl.iter().map(|c| c.key.size).collect();
    sizes.sort();
    sizes.dedup();
    for (ti, &task) in tasks.iter().enumerate() {
        for &size in &sizes {
            let curves: Vec<(ModelKey, &Vec<RlPoint>)> =
                r.curves.rl.iter().filter(|c| c.key.task == task && c.key.size == size).map(|c| (c.key, &c.points)).collect();
            if curves.is_empty() {
                continue;
            }
            let mut row = vec![task.name(), size.to_string(), curves.len().to_string()];
            for (si, (what, dash, pick)) in series.iter().enumerate() {
                let runs: Runs = curves
                    .iter()
                    .map(|(k, pts)| (format!("{}{}", label(*k), if series.len() > 1 { format!(", {what}") } else { String::new() }), pts.iter().filter_map(|p| pick(p).map(|v| (p.step as f64, v))).collect()))
                    .filter(|(_, pts): &(String, Vec<(f64, f64)>)| !pts.is_empty())
                    .collect();
                if runs.is_empty() {
                    row.push(String::new());
                    continue;
                }
                // In panels, colour shows the size; in one panel of many
                // tasks, the task (and the dash the size).
                let (name, colour, dash) = if panels {
                    (format!("size {size}"), size.colour(), dash.clone())
                } else {
                    (format!("trained on {task}"), task_colour(task), if series.len() > 1 { dash.clone() } else { size_dash(size) })
                };
                // One legend entry per size (or task) across panels and
                // series: the group's first mean line, named for the group
                // (`Plot::add` leaves the later ones out).
                let first = if panels { si == 0 && ti == 0 } else { si == 0 && Some(&size) == sizes.first() };
                let what = format!("{task}, size {size}");
                let shown = if first { name.clone() } else { what.clone() };
                let mean = draw_group(&mut f, &runs, &what, &shown, &name, colour, dash, if panels { ti } else { 0 });
                row.push(mean.first().map(|m| m.1.show(3)).unwrap_or_default());
                row.push(mean.last().map(|m| m.1.show(3)).unwrap_or_default());
            }
            f.row(row);
        }
    }
    if series.len() > 1 {
        for (what, dash, _) in series {
            f.plot.add(line_key(what, dash.clone()));
        }
    } else if !panels {
        for &size in &sizes {
            f.plot.add(line_key(&format!("size {size}"), size_dash(size)));
        }
    }
    f
}

/// RL: success at temperature 0 during fine-tuning, per task and size.
pub fn rl(r: &Results) -> Figure {
    rl_figure(
        r,
        "RL: success rate at temperature 0",
        "success rate s",
        &["task", "size", "models", "success at step 0 (mean ± SE)", "at the end"],
        &[("success", Dash::Solid, |p| Some(p.success))],
    )
}

/// RL: how well the model still predicts outcomes, on held-out windows of
/// the sequence (what maintenance keeps) and on held-out rollout windows
/// (its own sampled actions' consequences, what self-evaluation reads).
pub fn rl_prediction(r: &Results) -> Figure {
    rl_figure(
        r,
        "RL: predicting the outcome",
        "outcome accuracy",
        &[
            "task",
            "size",
            "models",
            "sequence windows, step 0 (mean ± SE)",
            "at the end",
            "rollout windows, step 0",
            "at the end",
        ],
        &[("sequence windows", Dash::Solid, |p| Some(p.outcome_acc)), ("rollout windows", Dash::Dot, |p| p.rollout_acc)],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figures::fixtures::results;

    #[test]
    fn curves_are_one_line_per_size_with_the_runs_beneath() {
        let r = results();
        let f = pretrain(&r, false);
        let v = f.plot.json();
        assert_eq!(v["layout"]["title"]["text"], "Pretraining loss");
        // 4 sizes and the two line styles; not one entry per net.
        assert_eq!(f.plot.legend_entries(), vec!["size s", "size m", "size l", "size xl", "held-out windows", "training windows"]);
        assert_eq!(f.rows.len(), 4);
        // The mean of the two seeds' last held-out loss, with its SE.
        let s: Vec<f64> = r.curves.pretrain.iter().filter(|c| c.net.size == Size::S).map(|c| c.points.last().unwrap().test_loss).collect();
        assert_eq!(f.rows[0][3], MeanSe::of(&s).unwrap().show(3));
        // Each single run is drawn faintly and names itself on hover.
        let singles: Vec<&serde_json::Value> = v["data"].as_array().unwrap().iter().filter(|t| t["opacity"].is_number()).collect();
        assert_eq!(singles.len(), 2 * r.curves.pretrain.len());
        assert!(singles[0]["hovertext"][0].as_str().unwrap().contains("seed 0"));
        assert_eq!(singles[0]["line"]["width"], 1.0);

        let f = rl(&r);
        assert_eq!(f.plot.legend_entries(), vec!["size s", "size m", "size l", "size xl"]);
        assert!(f.plot.json()["layout"]["xaxis3"].is_object(), "a panel per task");
        assert_eq!(f.rows.len(), 12);
        assert!(f.rows.iter().all(|row| row.len() == f.headers.len()));
        let f = rl_prediction(&r);
        assert_eq!(f.plot.legend_entries(), vec!["size s", "size m", "size l", "size xl", "sequence windows", "rollout windows"]);
        assert!(f.rows.iter().all(|row| row.len() == f.headers.len()));
        assert_eq!(f.rows[0][6], "0.740 ± 0.000", "rollout accuracy at the end, from the fixture");
    }

    #[test]
    fn many_tasks_share_one_panel() {
        let mut r = results();
        for c in &mut r.curves.rl {
            if c.key.seed == 1 {
                c.key.task = SuccessSet::parse("1,3").unwrap();
            }
        }
        r.curves.rl.push(r.curves.rl[0].clone());
        r.curves.rl.last_mut().unwrap().key.task = SuccessSet::parse("5,7").unwrap();
        let f = rl(&r);
        assert!(f.plot.json()["layout"].get("xaxis2").is_none());
        assert!(f.plot.legend_entries().len() <= MAX_LEGEND, "{:?}", f.plot.legend_entries());
    }
}
