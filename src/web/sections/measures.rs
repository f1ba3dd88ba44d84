//! The measures: optimization (with the models table), cross-objective
//! evaluation, impact and the comparison futures, self-evaluation.

use super::super::shell::{Lab, View};
use super::super::charts::Chart;
use crate::figures::measures::{self as charts, ImpactFigure};
use crate::figures::readings;
use super::f3;
use crate::lab::page::Reproduced;
use crate::lab::update::Msg;
use crate::study::key::ModelKey;
use crate::study::results::{ModelResult, Results};
use crate::sequence::{self, SuccessSet};
use crate::lab::parts::Section;
use leptos::prelude::*;

/// A grid showing split histories on four real histories: row h' gives
/// its action to every column h; the diagonal is what the policy does.
#[component]
fn SplitDiagram() -> impl IntoView {
    let hs = sequence::sample_histories(4, 20, 3, 0.0);
    let g = SuccessSet::N4;
    let policy = crate::policy::Scripted::Greedy { good: g };
    let actions: Vec<u8> = hs.iter().map(|h| policy.act(h)).collect();
    let rows = (0..4)
        .map(|r| {
            let a = actions[r];
            let cells = (0..4)
                .map(|c| {
                    let x = sequence::deterministic_outcome(&hs[c], a);
                    let mut class = if g.contains(x) { "cell good".to_string() } else { "cell bad".to_string() };
                    if r == c {
                        class.push_str(" diag");
                    }
                    let what = if g.contains(x) { "success" } else { "failure" };
                    view! { <td class=class>{x}<span class="sr-only">{format!(" ({what})")}</span></td> }
                })
                .collect_view();
            view! { <tr><th scope="row">{format!("h{} → action {a}", r + 1)}</th>{cells}</tr> }
        })
        .collect_view();
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label="Split histories, as a table">
            <table class="split" id="split-diagram">
                <caption class="sr-only">"Split histories: each row gives one history's action to every history"</caption>
                <thead><tr><th scope="col">"action of ↓ applied to history →"</th><th scope="col">"h1"</th><th scope="col">"h2"</th><th scope="col">"h3"</th><th scope="col">"h4"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <p class="caption">
            "The greedy policy on n4 (G = {0, 2, 4, 6}, green) with four real histories and no noise. The diagonal is the future F "
            "the policy makes by responding to each history: all successes. Each row is a split-history future F′: every history gets "
            "the action chosen for one history h′, so the policy cannot respond — the outcomes spread out. Op is how much lower the "
            "entropy of the diagonal is than the rows' average entropy."
        </p>
    }
}

fn mark(view: View, key: ModelKey) -> (String, &'static str) {
    if view.showing_shipped.get() {
        return ("shipped".into(), "shipped");
    }
    match view.marks.with(|m| m.iter().find(|(k, _)| *k == key).map(|(_, r)| *r)) {
        Some(Reproduced::Equal) => ("= shipped".into(), "equal"),
        Some(Reproduced::Near(d)) => (format!("≈ shipped (GPU, Δ ≤ {d:.3})"), "near"),
        Some(Reproduced::Differs(d)) => (format!("≠ shipped (Δ ≤ {d:.3})"), "differs"),
        _ => ("here".into(), "here"),
    }
}

/// The models table's sortable columns: (header, tooltip, the value of a
/// model). The identity columns sort by the model's key.
const COLUMNS: [(&str, &str, fn(&ModelResult, &Results) -> f64); 10] = [
    ("s", "success rate under the model's own task", |m, _| m.own().success),
    ("Op", "measured optimization (nats)", |m, _| m.op),
    ("Op implied", "optimization the success rate implies (nats)", |m, _| m.own().op_implied),
    ("Op implied (real baseline)", "Op implied with the sequence's own outcome distribution as the baseline", |m, r| r.baseline.op_implied(m.own().success, m.key.task)),
    ("Imp", "measured impact (nats)", |m, _| m.imp),
    ("Imp_min", "impact's lower bound (nats)", |m, _| m.own().imp_min),
    ("s′", "success rate in the split-history future", |m, _| m.own().split_success),
    ("self Op", "the model's own estimate of its Op", |m, _| m.self_op),
    ("self Imp", "the model's own estimate of its Imp", |m, _| m.self_imp),
    ("params", "trainable parameters", |m, _| m.params as f64),
];

/// How the models table is sorted: by the model (size, seed, task) or by a
/// column of [`COLUMNS`], up or down.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Sort {
    column: Option<usize>,
    descending: bool,
}

/// One model's row.
fn model_row(lab: Lab, view: View, m: &ModelResult, r: &Results) -> impl IntoView + use<> {
    let o = m.own();
    let (mark, class) = mark(view, m.key);
    let key = m.key;
    let save = view.kept.with(|k| k.contains(&key)).then(|| {
        view! {
            <button class="small" aria-label=format!("Save {key} as a file") on:click=move |_| lab.send(Msg::SaveModel(key))>"save"</button>
        }
    });
    view! {
        <tr class="model" data-key=m.key.to_string()>
            <td>{m.key.size.to_string()}</td><td>{m.key.seed}</td><td>{m.key.task.name()}</td><td>{m.params}</td>
            <td>{f3(o.success)}</td><td>{f3(m.op)}</td><td>{f3(o.op_implied)}</td>
            <td>{f3(r.baseline.op_implied(o.success, m.key.task))}</td>
            <td>{f3(m.imp)}</td><td>{f3(o.imp_min)}</td><td>{f3(o.split_success)}</td>
            <td>{f3(m.self_op)}</td><td>{f3(m.self_imp)}</td>
            <td class=format!("repro {class}")>{mark}</td><td>{save}</td>
        </tr>
    }
}

/// The scripted policies' rows (under the experiment's first task).
fn scripted_rows(r: &Results) -> impl IntoView + use<> {
    let g = r.config.tasks[0];
    r.scripted
        .iter()
        .map(|s| {
            let o = s.score(g);
            view! {
                <tr class="scripted">
                    <td colspan="3">{format!("{} (scripted)", s.policy.label())}</td><td>"–"</td>
                    <td>{f3(o.success)}</td><td>{f3(s.op)}</td><td>{f3(o.op_implied)}</td>
                    <td>{f3(r.baseline.op_implied(o.success, g))}</td>
                    <td>{f3(s.imp)}</td><td>{f3(o.imp_min)}</td><td>{f3(o.split_success)}</td>
                    <td>"–"</td><td>"–"</td><td></td><td></td>
                </tr>
            }
        })
        .collect_view()
}

/// The failures' rows.
fn failure_rows(r: &Results) -> impl IntoView + use<> {
    r.failures
        .iter()
        .map(|f| {
            let who: Vec<String> = f.models.iter().map(|k| k.to_string()).collect();
            view! { <tr class="failed"><td colspan="15">{format!("failed: {} — {}", who.join(", "), f.message)}</td></tr> }
        })
        .collect_view()
}

/// The models in the order the table is sorted in.
fn sorted<'a>(r: &'a Results, order: Sort) -> Vec<&'a ModelResult> {
    let mut ms: Vec<&ModelResult> = r.models.iter().collect();
    if let Some(c) = order.column {
        ms.sort_by(|a, b| COLUMNS[c].2(a, r).total_cmp(&COLUMNS[c].2(b, r)).then(a.key.cmp(&b.key)));
    }
    if order.descending {
        ms.reverse();
    }
    ms
}

fn models_table(lab: Lab, view: View) -> impl IntoView {
    let sort = RwSignal::new(Sort { column: None, descending: false });
    let rows = move || {
        let order = sort.get();
        view.shown.with(|r| {
            let models = sorted(r, order).into_iter().map(|m| model_row(lab, view, m, r)).collect_view();
            (models, failure_rows(r), scripted_rows(r))
        })
    };
    // A header that sorts by its column (again: the other way).
    let header = move |label: &'static str, tip: &'static str, column: Option<usize>| {
        let state = move || {
            let s = sort.get();
            if s.column == column { if s.descending { "descending" } else { "ascending" } } else { "none" }
        };
        view! {
            <th scope="col" title=tip aria-sort=state>
                <button class="sort" on:click=move |_| sort.update(|s| {
                    *s = if s.column == column { Sort { column, descending: !s.descending } } else { Sort { column, descending: column.is_some() } };
                })>{label}</button>
            </th>
        }
    };
    let count = move || view.shown.with(|r| r.models.len());
    view! {
        <details class="models-box" id="models-box" open=true>
            <summary>{move || format!("Every model ({}) and scripted policy, measured on the same histories: sort by a column's header", count())}</summary>
            <div class="table-scroll" tabindex="0" role="region" aria-label="Every model and scripted policy">
                <table class="models" id="models-table">
                    <caption class="sr-only">"Every model and scripted policy, measured on the same histories"</caption>
                    <thead><tr>
                        {header("model", "size, seed and task", None)}
                        <th scope="col">"seed"</th><th scope="col">"task"</th>
                        {header(COLUMNS[9].0, COLUMNS[9].1, Some(9))}
                        {(0..9).map(|c| header(COLUMNS[c].0, COLUMNS[c].1, Some(c))).collect_view()}
                        <th scope="col">"numbers"</th><th scope="col">"checkpoint"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </details>
    }
}

/// 4. Measuring optimization.
#[component]
pub fn OptimizationSection() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let view = expect_context::<View>();
    let shown = move || view.shown.get();
    view! {
        <super::Frame at=Section::Optimization>
            <p>
                "Optimization Op = H(F′|P″) − H(F), in nats: the entropy of the outcomes when every history gets some other history's "
                "action (split histories), minus the entropy of the outcomes the policy actually produces. A policy that ignores its "
                "input has Op = 0; Op can never exceed ln 8 ≈ 2.08. If a policy is even-handed among successes and among failures, "
                "theory predicts Op from its success rate alone: Op_implied = s ln(s/p) + (1−s) ln((1−s)/(1−p)), p = |G|/8."
            </p>
            <SplitDiagram/>
            <super::Figures
                plots=vec![
                    super::plot("chart-op-theory", "Optimization against success rate", charts::op_theory),
                    super::plot("chart-op-predicted", "Predicted against measured optimization", charts::op_predicted),
                ]
                reading="Left: each dotted curve is what theory predicts for one task. Right: implied against measured Op; \
                    colour is the task, shape the size. The scripted policies calibrate the scale: greedy (best action \
                    for G), generator (the sequence's own next token), constant (Op 0) and random. "
                read=readings::optimization
            />
            <p>
                "Every trained model and the scripted policies, measured on the same histories. “Op implied (real baseline)” uses the "
                "sequence's own outcome distribution instead of the flat one the theory assumes (see the taxonomy section). “numbers” "
                "says whether a model trained here equals the one the site ships, bit for bit."
            </p>
            {models_table(lab, view)}
            <Chart id="chart-monte-carlo" label="Exact against Monte Carlo optimization" figure=move || charts::monte_carlo(&shown())/>
            <p class="reading">
                "Reading it: the post estimated Op by Monte Carlo, 10 repeats of 200 sampled histories (error bars: ± one standard "
                "error). The lab computes it exactly from the rule's known probabilities. Points near the dashed line show the post's "
                "estimator was right on average; the bars show how noisy a single estimate is."
            </p>
        </super::Frame>
    }
}

/// 5. Cross-objective evaluation.
#[component]
pub fn CrossSection() -> impl IntoView {
    view! {
        <super::Frame at=Section::Cross>
            <p>
                "Measured Op does not depend on G; the implied value does. Score every model under every task's G: a model trained "
                "on that task sits near the line measured = implied, a model trained on another task does not — even when one G "
                "contains the other (n2 ⊂ n4 ⊂ n6), and even when its success rate there is high."
            </p>
            <super::Figures
                plots=vec![
                    super::plot("chart-cross-n2", "Cross-objective evaluation under n2", |r| charts::cross(r, SuccessSet::N2)),
                    super::plot("chart-cross-n4", "Cross-objective evaluation under n4", |r| charts::cross(r, SuccessSet::N4)),
                    super::plot("chart-cross-n6", "Cross-objective evaluation under n6", |r| charts::cross(r, SuccessSet::N6)),
                ]
                reading="Colour is the task a model was trained on, shape its size. Comparing implied and measured Op tells \
                    which objective a model was trained on, from its behaviour alone. "
                read=readings::cross
            />
        </super::Frame>
    }
}

/// 6. Impact.
#[component]
pub fn ImpactSection() -> impl IntoView {
    view! {
        <super::Frame at=Section::Impact>
            <p>
                "Impact Imp = average over h′ of KL(F ‖ F′), in nats: how far the policy moves the future, whichever way. It is never "
                "negative, and never below Imp_min = s ln(s/s′) + (1−s) ln((1−s)/(1−s′)), where s′ is the success rate in the "
                "split-history future — the least a policy must move the future to lift success from s′ to s."
            </p>
            <super::Figures
                plots=vec![
                    super::plot("chart-imp", "Impact against its lower bound", |r| charts::impact(r, ImpactFigure::ImpVsMin)),
                    super::plot("chart-sprime", "Success in the split-history future against size", |r| charts::impact(r, ImpactFigure::SplitSuccessVsSize)),
                    super::plot("chart-imp-ratio", "Impact ratio against its bound", |r| charts::impact(r, ImpactFigure::Ratio)),
                    super::plot("chart-imp-excess", "Excess impact against impact", |r| charts::impact(r, ImpactFigure::Excess)),
                ]
                reading="Split histories only see responsive behaviour: a bias all sizes share is not counted as impact. "
                read=readings::impact
            />
            <h3>"Other comparison futures"</h3>
            <p>
                "Split histories are one way to build the comparison future F′. The post lists others: a \"do nothing\" action (this "
                "world has none; the lab uses action 8), a uniformly random action, the untrained model and the pretrained but not "
                "fine-tuned model. Each gives its own Op and Imp."
            </p>
            <super::Figures
                plots=vec![
                    super::plot("chart-cmp-op", "Optimization under each comparison future", |r| charts::comparisons(r, false)),
                    super::plot("chart-cmp-imp", "Impact under each comparison future", |r| charts::comparisons(r, true)),
                ]
                reading="Reading it: against a fixed or random action Op can be negative (the model narrows the future less \
                    than a lucky constant would), while Imp stays positive. Against the pretrained model, Op and Imp \
                    measure what fine-tuning alone added."
            />
        </super::Frame>
    }
}

/// 7. Self-evaluation.
#[component]
pub fn SelfSection() -> impl IntoView {
    view! {
        <super::Frame at=Section::SelfEvaluation>
            <p>
                "Replace the rule's exact P(x | h, a) by the model's own prediction of the token after h + [a] (renormalised over 0..7) "
                "and compute Op and Imp again: the model estimating its own optimization and impact."
            </p>
            <super::Figures
                plots=vec![
                    super::plot("chart-self-op", "Measured against self-estimated optimization", |r| charts::self_eval(r, false)),
                    super::plot("chart-self-imp", "Measured against self-estimated impact", |r| charts::self_eval(r, true)),
                ]
                reading="The post put the bias down to the skewed outcomes the maintenance training feeds the model. "
                read=readings::self_eval
            />
        </super::Frame>
    }
}
