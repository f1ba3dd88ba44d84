//! The sections that need no training: the misalignment taxonomy and
//! differential optimization.

use super::super::shell::{Lab, View};
use super::super::charts::Chart;
use crate::figures::toys as charts;
use super::f3;
use crate::differential::{self, Linear, McSettings, Saturating};
use crate::lab::link::{self, Prop};
use crate::lab::update::Msg;
use crate::sequence::SuccessSet;
use crate::study::settings::Value;
use crate::taxonomy;
use crate::lab::parts::Section;
use leptos::prelude::*;

/// The taxonomy's sliders: the task, the success rate, and how the
/// successes and failures spread.
#[component]
fn TaxonomySliders(tax: Memo<crate::lab::link::TaxonomyState>) -> impl IntoView {
    let lab = expect_context::<Lab>();
    let tax = move || tax.get();
    let set = move |prop: &'static crate::study::settings::Setting<link::LabState>, v: String| lab.send(Msg::SetText(Prop::Lab(prop), v));
    view! {
        <div class="row">
            <div class="field">
                <label for="tax-task">"Task"</label>
                <select id="tax-task" on:change=move |ev| set(&link::TAX_TASK, event_target_value(&ev))>
                    {SuccessSet::tasks().into_iter().map(|g| view! {
                        <option value=g.name() selected=move || tax().task == g>{g.name()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="tax-s">{move || format!("Success rate s = {:.2}", tax().success)}</label>
                <input id="tax-s" type="range" min="0" max="1" step="0.01"
                    prop:value=move || tax().success.to_string()
                    on:input=move |ev| set(&link::TAX_S, event_target_value(&ev))/>
            </div>
            <div class="field">
                <label for="tax-succ">{move || format!("Successes spread over {} of {} outcomes in G", tax().shape.success_outcomes, tax().task.len())}</label>
                <input id="tax-succ" type="range" min="1" prop:max=move || tax().task.len().to_string() step="1"
                    prop:value=move || tax().shape.success_outcomes.to_string()
                    on:input=move |ev| set(&link::TAX_SUCC, event_target_value(&ev))/>
            </div>
            <div class="field">
                <label for="tax-fail">{move || format!("Failures spread over {} of {} outcomes outside G", tax().shape.failure_outcomes, 8 - tax().task.len())}</label>
                <input id="tax-fail" type="range" min="1" prop:max=move || (8 - tax().task.len()).to_string() step="1"
                    prop:value=move || tax().shape.failure_outcomes.to_string()
                    on:input=move |ev| set(&link::TAX_FAIL, event_target_value(&ev))/>
            </div>
        </div>
    }
}

/// One row of the taxonomy's table: a comparison future and its numbers
/// (`id` names the row's cells for the tests).
fn taxonomy_row(label: &'static str, id: &'static str, point: Memo<taxonomy::TaxonomyPoint>) -> impl IntoView {
    let cell = move |f: fn(&taxonomy::TaxonomyPoint) -> f64| move || f3(f(&point.get()));
    view! {
        <tr>
            <th scope="row">{label}</th>
            <td id=format!("{id}-op")>{cell(|p| p.op)}</td>
            <td id=format!("{id}-op-implied")>{cell(|p| p.op_implied)}</td>
            <td>{cell(|p| p.op - p.op_implied)}</td>
            <td>{cell(|p| p.imp)}</td>
            <td>{cell(|p| p.imp_min)}</td>
        </tr>
    }
}

/// What the flat future idealises, on these results' histories.
fn baseline_note(b: &crate::study::results::Baseline) -> String {
    let lo = b.future.iter().cloned().fold(f64::INFINITY, f64::min);
    let hi = b.future.iter().cloned().fold(0.0, f64::max);
    format!(
        "The theory assumes the flat future: without a responsive policy every outcome is equally likely (entropy ln 8 = 2.079 nats). \
         That is an idealisation. On this experiment's histories, with a uniformly random action, the sequence's own outcomes run \
         from {lo:.3} to {hi:.3} (entropy {:.3} nats) — a gap of {:.3} nats, the size of many models' Op − Op_implied. \
         Against the flat future Imp equals Op; against the real one they part.",
        b.entropy,
        8f64.ln() - b.entropy
    )
}

/// 11. The misalignment taxonomy.
#[component]
pub fn TaxonomySection() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let tax = Memo::new(move |_| lab.with(|p| p.link.taxonomy.clone()));
    let point = Memo::new(move |_| {
        let t = tax.get();
        taxonomy::taxonomy(t.task, t.success, t.shape)
    });
    let view = expect_context::<View>();
    let baseline = Memo::new(move |_| view.shown.with(|r| r.baseline.clone()));
    // The same shape against the sequence's own outcome distribution.
    let real = Memo::new(move |_| {
        let t = tax.get();
        taxonomy::against_baseline(taxonomy::shaped_future(t.task, t.success, t.shape), baseline.get().future, t.task)
    });
    view! {
        <super::Frame at=Section::Taxonomy>
            <p>
                "For the same success rate a policy can spread its successes evenly over G, or concentrate them on a few outcomes of G, "
                "or also favour some failures. Only the even spread matches the implied Op; every other shape shows excess optimization "
                "— a sign the policy pursues something other than G. The post's example: n6, outcomes 2 and 3 at 85:15 gives s = 0.85, "
                "implied Op 0.03, measured Op 1.66 (the defaults here)."
            </p>
            <TaxonomySliders tax=tax/>
            <div class="table-scroll" tabindex="0" role="region" aria-label="The taxonomy in numbers">
                <table class="numbers" id="taxonomy-numbers">
                    <thead><tr><th scope="col">"against"</th><th scope="col">"measured Op"</th><th scope="col">"implied Op"</th><th scope="col">"excess"</th><th scope="col">"Imp"</th><th scope="col">"Imp_min"</th></tr></thead>
                    <tbody>
                        {taxonomy_row("the flat future (theory)", "tax", point)}
                        {taxonomy_row("the sequence's own outcomes", "tax-real", real)}
                    </tbody>
                </table>
            </div>
            <p class="caption" id="baseline-note">{move || baseline_note(&baseline.get())}</p>
            <Chart id="chart-taxonomy" label="Outcome distributions of the shaped policy and the comparison futures" figure=move || {
                let p = point.get();
                charts::taxonomy(&p.future, &p.baseline, Some(&baseline.get().future), tax.get().task)
            }/>
            <p class="reading">
                "Reading it: the coloured bars are the policy's outcomes, grey the flat comparison future, black the sequence's own. "
                "Move the sliders: with successes spread over all of G and failures over all the rest, measured and implied Op agree; "
                "concentrate either and the excess grows."
            </p>
        </super::Frame>
    }
}

/// The Monte Carlo settings of the checks.
fn mc(sigma: f64) -> McSettings {
    McSettings { sigma, samples: 1500, splits: 30, repeats: 4, seed: 1 }
}

/// `0.123 ± 0.004`.
fn pm(m: &crate::measure::Estimate) -> String {
    format!("{} ± {}", f3(m.mean), f3(m.se))
}

/// The scalar system: closed form beside Monte Carlo (linear and saturating).
#[component]
fn ScalarTable(scalar: Memo<(differential::DiffMeasures, differential::DiffMonteCarlo, differential::DiffMonteCarlo)>) -> impl IntoView {
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label="The scalar system in numbers">
            <table class="numbers" id="diff-scalar">
                <thead><tr><th scope="col"></th><th scope="col">"Op"</th><th scope="col">"Imp"</th></tr></thead>
                <tbody>
                    <tr><th scope="row">"closed form (A = P, F = P − (1−k)A)"</th><td>{move || f3(scalar.get().0.op)}</td><td>{move || f3(scalar.get().0.imp)}</td></tr>
                    <tr><th scope="row">"Monte Carlo, same linear system"</th>
                        <td>{move || pm(&scalar.get().1.op)}</td><td>{move || pm(&scalar.get().1.imp)}</td></tr>
                    <tr><th scope="row">"Monte Carlo, saturating A = tanh P"</th>
                        <td>{move || pm(&scalar.get().2.op)}</td><td>{move || pm(&scalar.get().2.imp)}</td></tr>
                </tbody>
            </table>
        </div>
    }
}

/// One entry of J_g (`jg`) or J_h, written through the link.
fn matrix_entry(lab: Lab, d: Memo<crate::lab::link::DifferentialState>, jg: bool, i: usize) -> impl IntoView {
    let names = ["top left", "top right", "bottom left", "bottom right"];
    let which = if jg { "J_g" } else { "J_h" };
    let of = move |st: &crate::lab::link::DifferentialState| if jg { st.jg } else { st.jh };
    view! {
        <input class="matrix" type="number" step="0.1" aria-label=format!("{which} {}", names[i])
            prop:value=move || of(&d.get())[i].to_string()
            on:change=move |ev| {
                let mut m = of(&d.get_untracked());
                match event_target_value(&ev).trim().parse::<f64>() {
                    Ok(v) => m[i] = v,
                    Err(_) => return lab.say(format!("{which} {}: '{}' is not a number; kept {}", names[i], event_target_value(&ev), m[i])),
                }
                lab.send(Msg::Set(Prop::Lab(if jg { &link::JG } else { &link::JH }), Value::Floats4(m)));
            }/>
    }
}

/// 12. Differential optimization.
#[component]
pub fn DifferentialSection() -> impl IntoView {
    let lab = expect_context::<Lab>();
    // A memo: the Monte Carlo checks below rerun only when a slider moves.
    let d = Memo::new(move |_| lab.with(|p| p.link.differential.clone()));
    let scalar = Memo::new(move |_| {
        let st = d.get();
        let lin = Linear::new(vec![vec![1.0]], vec![vec![st.k]]).expect("1x1");
        (differential::scalar(st.k), differential::monte_carlo(&lin, mc(st.sigma)), differential::monte_carlo(&Saturating { k: st.k }, mc(st.sigma)))
    });
    let matrix = Memo::new(move |_| {
        let st = d.get();
        let jg = vec![vec![st.jg[0], st.jg[1]], vec![st.jg[2], st.jg[3]]];
        let jh = vec![vec![st.jh[0], st.jh[1]], vec![st.jh[2], st.jh[3]]];
        differential::closed_form(&jg, &jh).map(|(_, closed)| (closed, differential::monte_carlo(&Linear::new(jg, jh).expect("checked"), mc(st.sigma))))
    });
    let set = move |prop: &'static crate::study::settings::Setting<link::LabState>, v: String| lab.send(Msg::SetText(Prop::Lab(prop), v));
    let entries = move |jg: bool| (0..4).map(|i| matrix_entry(lab, d, jg, i)).collect_view();
    view! {
        <super::Frame at=Section::Differential>
            <p>
                "The same ideas for continuous systems: an action A = f(P) and a future F = g(A, P). C compares how much F moves "
                "with P when A responds (dh/dP) against when A is held fixed (∂g/∂P). Op = −ln C; Imp = −ln C + C(C − 1). With "
                "P ~ N(0, σ²) these are exactly the split-history entropy gap and KL for a linear system — checked here by Monte Carlo. "
                "For a controller that saturates (A = tanh P) the linear formulas hold only while σ is small."
            </p>
            <div class="row">
                <div class="field">
                    <label for="diff-k">{move || format!("k = C = {:.2}", d.get().k)}</label>
                    <input id="diff-k" type="range" min="0.05" max="2" step="0.05" prop:value=move || d.get().k.to_string()
                        on:input=move |ev| set(&link::K, event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for="diff-sigma">{move || format!("σ = {:.2}", d.get().sigma)}</label>
                    <input id="diff-sigma" type="range" min="0.05" max="4" step="0.05" prop:value=move || d.get().sigma.to_string()
                        on:input=move |ev| set(&link::SIGMA, event_target_value(&ev))/>
                </div>
            </div>
            <ScalarTable scalar=scalar/>
            <Chart id="chart-diff-scalar" label="Differential optimization and impact of the scalar system" figure=move || {
                let (_, mc, _) = scalar.get();
                charts::differential_scalar(d.get().k, mc.op.mean, mc.imp.mean)
            }/>
            <h3>"A 2 × 2 linear system"</h3>
            <p>"C = J_g⁻¹ J_h; Op = −ln|det C|; Imp = −ln|det C| + tr(C Cᵀ) − tr(C)."</p>
            <div class="row">
                <div class="mat" role="group" aria-label="J_g"><span>"J_g = "</span><div class="grid2">{entries(true)}</div></div>
                <div class="mat" role="group" aria-label="J_h"><span>"J_h = "</span><div class="grid2">{entries(false)}</div></div>
            </div>
            <p id="diff-matrix" aria-live="polite">{move || match matrix.get() {
                Ok((c, mc)) => format!(
                    "Closed form: Op = {}, Imp = {}. Monte Carlo: Op = {}, Imp = {}.",
                    f3(c.op), f3(c.imp), pm(&mc.op), pm(&mc.imp)
                ),
                Err(e) => format!("No closed form: {e}."),
            }}</p>
        </super::Frame>
    }
}
