//! Figures against model size: the post's central figure (success rising
//! with size), Op and the final pretraining loss, each as the mean ±
//! standard error over seeds per size, with the single models beneath.

use super::plot::{self, Dash, Mode, Scatter, ScatterStyle, Style, Symbol};
use super::*;
use crate::study::summary::{self, MeanSe};

/// A quantity's mean ± SE per task against size, the models faint beneath.
fn against_size(r: &Results, title: &str, y: &str, pick: impl Fn(&ModelResult) -> f64) -> Figure {
    let layout = plot::layout(title, plot::log_axis("parameters"), plot::axis(y));
    let mut f = Figure::new(layout, &["task", "size", "parameters", "models", "mean", "standard error"]);
    let (sizes, tasks) = summary::present(r);
    for g in tasks {
        let name = format!("trained on {g} (mean ± SE)");
        let singles: Vec<&ModelResult> = r.models.iter().filter(|m| m.key.task == g).collect();
        f.plot.add(
            Scatter::new(singles.iter().map(|m| m.params as f64).collect::<Vec<_>>(), singles.iter().map(|m| pick(m)).collect::<Vec<_>>())
                .name(format!("{g}, single models"))
                .legend_group(name.clone())
                .show_legend(false)
                .mode(Mode::Markers)
                .markers(task_colour(g), 6, Symbol::Circle)
                .faint()
                .hover(singles.iter().map(|m| model_hover(m, g)).collect()),
        );
        let stats: Vec<(Size, MeanSe)> = sizes.iter().filter_map(|&s| summary::over(r, s, g, &pick).map(|m| (s, m))).collect();
        f.plot.add(
            Scatter::new(stats.iter().map(|(s, _)| s.params() as f64).collect::<Vec<_>>(), stats.iter().map(|(_, m)| m.mean).collect::<Vec<_>>())
                .name(name.clone())
                .legend_group(name)
                .mode(Mode::LinesMarkers)
                .markers(task_colour(g), 10, Symbol::Circle)
                .stroke(task_colour(g), Dash::Solid)
                .hover(stats.iter().map(|(s, m)| format!("size {s}, trained on {g}: {} over {} models", m.show(3), m.n)).collect())
                .se_bars(stats.iter().map(|(_, m)| m.se).collect()),
        );
        for (s, m) in stats {
            f.row(vec![g.name(), s.to_string(), s.params().to_string(), m.n.to_string(), f3(m.mean), f3(m.se)]);
        }
    }
    f
}

/// The post's central figure: success rate against model size, mean ±
/// standard error over seeds, for each task, with each task's chance rate.
pub fn success_vs_size(r: &Results) -> Figure {
    let mut f = against_size(r, "Success rate against model size", "success rate s (own task)", |m| m.own().success);
    for g in summary::present(r).1 {
        f.plot.add(
            Scatter::new(vec![Size::S.params() as f64, Size::Xl.params() as f64], vec![g.chance(), g.chance()])
                .name(format!("chance on {g} (p = {})", g.chance()))
                .legend_group(format!("trained on {g} (mean ± SE)"))
                .show_legend(false)
                .mode(Mode::Lines)
                .stroke(task_colour(g), Dash::Dot)
                .no_hover(),
        );
    }
    f.plot.add(line_key("chance rate p", Dash::Dot));
    f
}

/// Measured Op against model size, with the sequence's self-optimization.
pub fn op_vs_size(r: &Results) -> Figure {
    let mut f = against_size(r, "Optimization against model size", "Op (nats)", |m| m.op);
    if let Some(generator) = r.scripted.iter().find(|s| s.policy == crate::policy::Scripted::Generator) {
        f.plot.add(
            Scatter::new(vec![Size::S.params() as f64, Size::Xl.params() as f64], vec![generator.op, generator.op])
                .name("the sequence's self-optimization")
                .mode(Mode::Lines)
                .stroke("#333333", Dash::Dash)
                .no_hover(),
        );
        f.row(vec!["generator".into(), "–".into(), "–".into(), "–".into(), f3(generator.op), "–".into()]);
    }
    f
}

/// Final pretraining loss (held-out and training windows) against size.
pub fn loss_vs_size(r: &Results) -> Figure {
    let layout = plot::layout("Pretraining loss against model size", plot::log_axis("parameters"), plot::axis("final loss (nats)"));
    let mut f = Figure::new(layout, &["set", "size", "parameters", "nets", "mean", "standard error"]);
    for (name, test, dash) in [("held-out", true, Dash::Solid), ("training", false, Dash::Dot)] {
        let stats: Vec<(Size, MeanSe)> = Size::ALL.iter().filter_map(|&s| summary::final_loss(r, s, test).map(|m| (s, m))).collect();
        f.plot.add(
            Scatter::new(stats.iter().map(|(s, _)| s.params() as f64).collect::<Vec<_>>(), stats.iter().map(|(_, m)| m.mean).collect::<Vec<_>>())
                .name(format!("{name} windows (mean ± SE)"))
                .mode(Mode::LinesMarkers)
                .markers("#333333", 9, Symbol::Circle)
                .stroke("#333333", dash)
                .hover(stats.iter().map(|(s, m)| format!("size {s}, {name}: {} over {} nets", m.show(3), m.n)).collect())
                .se_bars(stats.iter().map(|(_, m)| m.se).collect()),
        );
        for (s, m) in stats {
            f.row(vec![name.into(), s.to_string(), s.params().to_string(), m.n.to_string(), f3(m.mean), f3(m.se)]);
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figures::fixtures::results;

    #[test]
    fn size_figures_give_means_per_size_and_task() {
        let r = results();
        let f = success_vs_size(&r);
        let v = f.plot.json();
        assert_eq!((v["layout"]["xaxis"]["title"]["text"].as_str(), v["layout"]["xaxis"]["type"].as_str()), (Some("parameters"), Some("log")));
        // The means carry their standard errors as error bars.
        let mean = v["data"].as_array().unwrap().iter().find(|t| t["name"] == "trained on n4 (mean ± SE)").unwrap();
        assert_eq!(mean["error_y"]["array"].as_array().unwrap().len(), 4);
        assert_eq!(f.rows.len(), 12, "4 sizes x 3 tasks");
        // 3 tasks and the chance rate's style.
        assert_eq!(f.plot.legend_entries().len(), 4, "{:?}", f.plot.legend_entries());
        let s_n4: Vec<f64> = r.models.iter().filter(|m| m.key.size == Size::S && m.key.task == SuccessSet::N4).map(|m| m.own().success).collect();
        let row = f.rows.iter().find(|row| row[0] == "n4" && row[1] == "s").unwrap();
        assert_eq!(row[4], f3(MeanSe::of(&s_n4).unwrap().mean));
        let f = op_vs_size(&r);
        assert_eq!(f.rows.last().unwrap()[0], "generator");
        let f = loss_vs_size(&r);
        assert_eq!(f.rows.len(), 8);
    }
}
