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

/// 10. The misalignment taxonomy.
#[component]
pub fn TaxonomySection() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let tax = Memo::new(move |_| lab.with(|p| p.link.taxonomy.clone()));
    let tax = move || tax.get();
    let point = Memo::new(move |_| {
        let t = tax();
        taxonomy::taxonomy(t.task, t.success, t.shape)
    });
    let view = expect_context::<View>();
    let baseline = Memo::new(move |_| view.shown.with(|r| r.baseline.clone()));
    // The same shape against the sequence's own outcome distribution.
    let real = Memo::new(move |_| {
        let t = tax();
        taxonomy::against_baseline(taxonomy::shaped_future(t.task, t.success, t.shape), baseline.get().future, t.task)
    });
    let set = move |prop: &'static crate::study::settings::Setting<link::LabState>, v: String| lab.send(Msg::SetText(Prop::Lab(prop), v));
    view! {
        <super::Frame at=Section::Taxonomy>
            <p>
                "For the same success rate a policy can spread its successes evenly over G, or concentrate them on a few outcomes of G, "
                "or also favour some failures. Only the even spread matches the implied Op; every other shape shows excess optimization "
                "— a sign the policy pursues something other than G. The post's example: n6, outcomes 2 and 3 at 85:15 gives s = 0.85, "
                "implied Op 0.03, measured Op 1.66 (the defaults here)."
            </p>
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
            <div class="table-scroll" tabindex="0" role="region" aria-label="The taxonomy in numbers">
                <table class="numbers" id="taxonomy-numbers">
                    <thead><tr><th scope="col">"against"</th><th scope="col">"measured Op"</th><th scope="col">"implied Op"</th><th scope="col">"excess"</th><th scope="col">"Imp"</th><th scope="col">"Imp_min"</th></tr></thead>
                    <tbody>
                        <tr>
                            <th scope="row">"the flat future (theory)"</th>
                            <td id="tax-op">{move || f3(point.get().op)}</td>
                            <td id="tax-op-implied">{move || f3(point.get().op_implied)}</td>
                            <td>{move || { let p = point.get(); f3(p.op - p.op_implied) }}</td>
                            <td>{move || f3(point.get().imp)}</td>
                            <td>{move || f3(point.get().imp_min)}</td>
                        </tr>
                        <tr>
                            <th scope="row">"the sequence's own outcomes"</th>
                            <td id="tax-real-op">{move || f3(real.get().op)}</td>
                            <td>{move || f3(real.get().op_implied)}</td>
                            <td>{move || { let p = real.get(); f3(p.op - p.op_implied) }}</td>
                            <td>{move || f3(real.get().imp)}</td>
                            <td>{move || f3(real.get().imp_min)}</td>
                        </tr>
                    </tbody>
                </table>
            </div>
            <p class="caption" id="baseline-note">
                {move || {
                    let b = baseline.get();
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
                }}
            </p>
            <Chart id="chart-taxonomy" label="Outcome distributions of the shaped policy and the comparison futures" figure=move || {
                let p = point.get();
                charts::taxonomy(&p.future, &p.baseline, Some(&baseline.get().future), tax().task)
            }/>
            <p class="reading">
                "Reading it: the coloured bars are the policy's outcomes, grey the flat comparison future, black the sequence's own. "
                "Move the sliders: with successes spread over all of G and failures over all the rest, measured and implied Op agree; "
                "concentrate either and the excess grows."
            </p>
        </super::Frame>
    }
}

/// 11. Differential optimization.
#[component]
pub fn DifferentialSection() -> impl IntoView {
    let lab = expect_context::<Lab>();
    // A memo: the Monte Carlo checks below rerun only when a slider moves.
    let d = Memo::new(move |_| lab.with(|p| p.link.differential.clone()));
    let d = move || d.get();
    let settings = move |sigma: f64| McSettings { sigma, samples: 1500, splits: 30, repeats: 4, seed: 1 };
    let scalar = Memo::new(move |_| {
        let st = d();
        let closed = differential::scalar(st.k);
        let lin = Linear::new(vec![vec![1.0]], vec![vec![st.k]]).expect("1x1");
        let mc = differential::monte_carlo(&lin, settings(st.sigma));
        let sat = differential::monte_carlo(&Saturating { k: st.k }, settings(st.sigma));
        (closed, mc, sat)
    });
    let matrix = Memo::new(move |_| {
        let st = d();
        let jg = vec![vec![st.jg[0], st.jg[1]], vec![st.jg[2], st.jg[3]]];
        let jh = vec![vec![st.jh[0], st.jh[1]], vec![st.jh[2], st.jh[3]]];
        differential::closed_form(&jg, &jh).map(|(_, closed)| {
            let lin = Linear::new(jg, jh).expect("checked");
            (closed, differential::monte_carlo(&lin, settings(st.sigma)))
        })
    });
    let set = move |prop: &'static crate::study::settings::Setting<link::LabState>, v: String| lab.send(Msg::SetText(Prop::Lab(prop), v));
    let entry = move |which: &'static str, i: usize| {
        let names = ["top left", "top right", "bottom left", "bottom right"];
        view! {
            <input class="matrix" type="number" step="0.1" aria-label=format!("{} {}", if which == "jg" { "J_g" } else { "J_h" }, names[i])
                prop:value=move || { let st = d(); (if which == "jg" { st.jg[i] } else { st.jh[i] }).to_string() }
                on:change=move |ev| {
                    let st = d();
                    let mut m = if which == "jg" { st.jg } else { st.jh };
                    match event_target_value(&ev).trim().parse::<f64>() {
                        Ok(v) => m[i] = v,
                        Err(_) => return lab.say(format!("{} {}: '{}' is not a number; kept {}", which, names[i], event_target_value(&ev), m[i])),
                    }
                    let prop = if which == "jg" { &link::JG } else { &link::JH };
                    lab.send(Msg::Set(Prop::Lab(prop), Value::Floats4(m)));
                }/>
        }
    };
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
                    <label for="diff-k">{move || format!("k = C = {:.2}", d().k)}</label>
                    <input id="diff-k" type="range" min="0.05" max="2" step="0.05" prop:value=move || d().k.to_string()
                        on:input=move |ev| set(&link::K, event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for="diff-sigma">{move || format!("σ = {:.2}", d().sigma)}</label>
                    <input id="diff-sigma" type="range" min="0.05" max="4" step="0.05" prop:value=move || d().sigma.to_string()
                        on:input=move |ev| set(&link::SIGMA, event_target_value(&ev))/>
                </div>
            </div>
            <div class="table-scroll" tabindex="0" role="region" aria-label="The scalar system in numbers">
                <table class="numbers" id="diff-scalar">
                    <thead><tr><th scope="col"></th><th scope="col">"Op"</th><th scope="col">"Imp"</th></tr></thead>
                    <tbody>
                        <tr><th scope="row">"closed form (A = P, F = P − (1−k)A)"</th><td>{move || f3(scalar.get().0.op)}</td><td>{move || f3(scalar.get().0.imp)}</td></tr>
                        <tr><th scope="row">"Monte Carlo, same linear system"</th>
                            <td>{move || { let m = scalar.get().1; format!("{} ± {}", f3(m.op.mean), f3(m.op.se)) }}</td>
                            <td>{move || { let m = scalar.get().1; format!("{} ± {}", f3(m.imp.mean), f3(m.imp.se)) }}</td></tr>
                        <tr><th scope="row">"Monte Carlo, saturating A = tanh P"</th>
                            <td>{move || { let m = scalar.get().2; format!("{} ± {}", f3(m.op.mean), f3(m.op.se)) }}</td>
                            <td>{move || { let m = scalar.get().2; format!("{} ± {}", f3(m.imp.mean), f3(m.imp.se)) }}</td></tr>
                    </tbody>
                </table>
            </div>
            <Chart id="chart-diff-scalar" label="Differential optimization and impact of the scalar system" figure=move || {
                let (_, mc, _) = scalar.get();
                charts::differential_scalar(d().k, mc.op.mean, mc.imp.mean)
            }/>
            <h3>"A 2 × 2 linear system"</h3>
            <p>"C = J_g⁻¹ J_h; Op = −ln|det C|; Imp = −ln|det C| + tr(C Cᵀ) − tr(C)."</p>
            <div class="row">
                <div class="mat" role="group" aria-label="J_g"><span>"J_g = "</span><div class="grid2">{entry("jg", 0)}{entry("jg", 1)}{entry("jg", 2)}{entry("jg", 3)}</div></div>
                <div class="mat" role="group" aria-label="J_h"><span>"J_h = "</span><div class="grid2">{entry("jh", 0)}{entry("jh", 1)}{entry("jh", 2)}{entry("jh", 3)}</div></div>
            </div>
            <p id="diff-matrix" aria-live="polite">{move || match matrix.get() {
                Ok((c, mc)) => format!(
                    "Closed form: Op = {}, Imp = {}. Monte Carlo: Op = {} ± {}, Imp = {} ± {}.",
                    f3(c.op), f3(c.imp), f3(mc.op.mean), f3(mc.op.se), f3(mc.imp.mean), f3(mc.imp.se)
                ),
                Err(e) => format!("No closed form: {e}."),
            }}</p>
        </super::Frame>
    }
}
