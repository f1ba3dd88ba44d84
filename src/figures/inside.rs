//! Inside a model on one history: its action probabilities beside what
//! each action makes the rule do, its own prediction of the outcome beside
//! the rule's, and where its last block looks.

use super::plot::{self, Bar, BarMode, Style, bar_colour};
use super::*;
use crate::study::inspection::{Consequence, Inspection, RULE_READS, prediction_error};

/// The model's action probabilities (temperature 1), each bar coloured by
/// whether the rule makes that action a success under `g`; its table gives
/// every action's consequence under every task and the model's prediction.
pub fn actions(ins: &Inspection, cons: &[Consequence], g: SuccessSet) -> Figure {
    let mut headers = vec!["action", "P(action), T = 1", "chosen (T = 0)", "the rule's outcome"];
    let task_names: Vec<String> = cons.first().map(|c| c.succeeds.iter().map(|(t, _)| format!("success on {t}")).collect()).unwrap_or_default();
    headers.extend(task_names.iter().map(|s| s.as_str()));
    headers.extend(["model's P(rule's outcome)", "prediction error (TV)"]);
    let labels: Vec<String> = cons.iter().map(|c| format!("{}{}", c.action, if c.action == ins.choice { " (chosen)" } else { "" })).collect();
    let mut f = Figure::new(
        plot::layout("What the model does on this history", plot::category_axis("action", Some(labels.clone())), plot::axis("probability at temperature 1")),
        &headers,
    );
    for (good, name, colour) in [(true, format!("a success on {g}"), task_colour(g)), (false, format!("a failure on {g}"), "#8C8C8C")] {
        let pick: Vec<usize> = (0..cons.len()).filter(|&i| cons[i].succeeds.iter().any(|(t, s)| *t == g && *s == good)).collect();
        f.plot.add(
            bar_colour(Bar::new(pick.iter().map(|&i| labels[i].clone()).collect::<Vec<_>>(), pick.iter().map(|&i| ins.action_probs[i]).collect::<Vec<_>>()).name(name), colour)
                .hover(pick.iter().map(|&i| format!("action {}: P = {:.3}; the rule answers {}", cons[i].action, ins.action_probs[i], cons[i].outcome)).collect()),
        );
    }
    for (i, c) in cons.iter().enumerate() {
        let mut row = vec![c.action.to_string(), f3(ins.action_probs[i]), if c.action == ins.choice { "yes".into() } else { String::new() }, c.outcome.to_string()];
        row.extend(c.succeeds.iter().map(|(_, s)| if *s { "yes".to_string() } else { "no".into() }));
        row.push(f3(ins.predicted[i][c.outcome as usize]));
        row.push(f3(prediction_error(&ins.predicted[i], &c.distribution)));
        f.row(row);
    }
    f
}

/// The model's predicted outcome distribution after `action` beside the
/// rule's (what self-evaluation puts in place of the rule).
pub fn prediction(ins: &Inspection, cons: &[Consequence], action: u8) -> Figure {
    let i = (action.clamp(8, 15) - 8) as usize;
    let c = &cons[i];
    let mut f = Figure::new(
        plot::layout(&format!("After action {action}: the model's prediction and the rule"), plot::category_axis("outcome", None), plot::axis("probability"))
            .bar_mode(BarMode::Group),
        &["outcome", "the model predicts", "the rule gives"],
    );
    let xs: Vec<String> = (0..8).map(|x| x.to_string()).collect();
    f.plot.add(bar_colour(Bar::new(xs.clone(), ins.predicted[i].to_vec()).name("the model's prediction"), "#0072B2"));
    f.plot.add(bar_colour(Bar::new(xs, c.distribution.to_vec()).name("the rule (exact)"), "#000000"));
    for x in 0..8 {
        f.row(vec![x.to_string(), f3(ins.predicted[i][x]), f3(c.distribution[x])]);
    }
    f
}

/// The last block's attention from the last position over the 20 tokens
/// the model reads, the 15 the rule reads (with the action, 16) marked.
pub fn attention(ins: &Inspection) -> Figure {
    let n = ins.history.len();
    let labels: Vec<String> = ins.history.iter().enumerate().map(|(i, t)| format!("{} ({t})", i as i64 - n as i64)).collect();
    let mut f = Figure::new(
        plot::layout("Where the model looks (last block, mean over heads)", plot::category_axis("token read (oldest first)", Some(labels.clone())), plot::axis("attention weight")),
        &["position", "token", "the rule reads it", "attention"],
    );
    let reads = |i: usize| i + RULE_READS >= n;
    for (read, name, colour) in [(true, "read by the rule", "#D55E00"), (false, "not read by the rule", "#8C8C8C")] {
        let pick: Vec<usize> = (0..n).filter(|&i| reads(i) == read).collect();
        f.plot.add(
            bar_colour(
                Bar::new(pick.iter().map(|&i| labels[i].clone()).collect::<Vec<_>>(), pick.iter().map(|&i| ins.attention.get(i).copied().unwrap_or(0.0)).collect::<Vec<_>>()).name(name),
                colour,
            ),
        );
    }
    for i in 0..n {
        f.row(vec![(i as i64 - n as i64).to_string(), ins.history[i].to_string(), if reads(i) { "yes".into() } else { "no".into() }, f3(ins.attention.get(i).copied().unwrap_or(0.0))]);
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::inspection::consequences;

    fn inspection() -> (Inspection, Vec<Consequence>) {
        let h = crate::sequence::generate(21, 9, 0.02)[1..].to_vec();
        let cons = consequences(&h, 0.02, &SuccessSet::tasks());
        let mut probs = [0.05; 8];
        probs[3] = 0.65;
        let ins = Inspection { history: h, action_probs: probs, choice: 11, predicted: [[0.125; 8]; 8], attention: vec![0.05; 20] };
        (ins, cons)
    }

    #[test]
    fn the_look_inside_draws_every_action_and_token() {
        let (ins, cons) = inspection();
        let f = actions(&ins, &cons, SuccessSet::N4);
        assert_eq!(f.rows.len(), 8);
        let bars: usize = f.plot.json()["data"].as_array().unwrap().iter().map(|t| t["x"].as_array().unwrap().len()).sum();
        assert_eq!(bars, 8, "each action once, as a success or a failure");
        assert_eq!(f.rows[3][2], "yes");
        assert!(f.rows.iter().all(|r| r.len() == f.headers.len()));
        let f = prediction(&ins, &cons, 11);
        assert_eq!(f.rows.len(), 8);
        assert_eq!(f.rows[0][1], "0.125");
        let f = attention(&ins);
        assert_eq!(f.rows.iter().filter(|r| r[2] == "yes").count(), RULE_READS);
        assert_eq!(f.rows[19][0], "-1");
        // The tokens stay in reading order whichever trace draws them
        // (plotly would otherwise order categories trace by trace).
        let order = f.plot.json()["layout"]["xaxis"]["categoryarray"].clone();
        assert!(order[0].as_str().unwrap().starts_with("-20 ") && order[19].as_str().unwrap().starts_with("-1 "), "{order:?}");
        let order = actions(&ins, &cons, SuccessSet::N4).plot.json()["layout"]["xaxis"]["categoryarray"].clone();
        assert_eq!(order[0], "8");
        assert_eq!(order[3], "11 (chosen)");
    }
}
