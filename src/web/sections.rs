//! The explainer, in the study's order: each section a short explanation
//! and its interactive chart(s).

use super::app::Lab;
use super::charts::{self, Chart, ImpactFigure};
use crate::differential::{self, Linear, McSettings, Saturating};
use crate::experiment::Results;
use crate::sequence::{self, RULE_SPAN, SuccessSet};
use crate::taxonomy;
use leptos::prelude::*;

fn f3(v: f64) -> String {
    if v.is_finite() { format!("{v:.3}") } else { "∞".into() }
}

/// 1. The sequence, live.
#[component]
pub fn SequenceSection() -> impl IntoView {
    let lab = expect_context::<Lab>();
    const LEN: usize = 56;
    let seed = RwSignal::new(7u64);
    let cursor = RwSignal::new(RULE_SPAN);
    let playing = RwSignal::new(true);
    let eps = move || lab.state.with(|s| s.experiment.eps);
    let generated = Memo::new(move |_| sequence::generate_detailed(LEN, seed.get(), eps()));
    leptos::prelude::set_interval(
        move || {
            if playing.get_untracked() {
                cursor.update(|c| *c = if *c + 1 >= LEN { RULE_SPAN } else { *c + 1 });
            }
        },
        std::time::Duration::from_millis(900),
    );
    let explain = move || {
        let g = generated.get();
        let t = cursor.get();
        let window = &g.tokens[t - RULE_SPAN..t];
        let factors: Vec<String> = window.iter().map(|s| (s + 1).to_string()).collect();
        let q = sequence::rule_product(window);
        let base = (q % 8) as u8;
        let x = g.tokens[t] % 8;
        let noise = if g.noise[t] {
            format!("Noise struck here (probability {}): the value was drawn uniformly and came out {x}.", eps())
        } else {
            format!("No noise: x = base = {base}.")
        };
        format!(
            "Position {t} ({}): (∏ (s+1)) mod 17 = ({}) mod 17 = {q}; base = {q} mod 8 = {base}. {noise} Token = {x} + 8·({t} mod 2) = {}.",
            if t % 2 == 0 { "even, an outcome 0..7" } else { "odd, an action slot 8..15" },
            factors.join("·"),
            g.tokens[t]
        )
    };
    view! {
        <section id="sequence">
            <h2>"1. The sequence"</h2>
            <p>
                "Tokens are 0..15. Even positions hold outcomes 0..7, odd positions hold 8..15. Each token is the product of "
                "(s+1) over the 16 before it, mod 17, then mod 8 — except that 2% of the time noise replaces it with a uniform "
                "value. The first 16 tokens are uniform. A model that reads the previous 20 tokens can learn the rule; "
                "in the RL phase the model writes the odd-position tokens itself (its action) and the rule answers with the next outcome."
            </p>
            <div class="strip" id="strip">
                {move || {
                    let g = generated.get();
                    let t = cursor.get();
                    (0..LEN).map(|i| {
                        let mut class = String::from("tok");
                        if i % 2 == 1 { class.push_str(" odd"); }
                        if i < t && i + RULE_SPAN >= t { class.push_str(" input"); }
                        if i == t { class.push_str(" output"); }
                        if i > t { class.push_str(" future"); }
                        if g.noise[i] { class.push_str(" noise"); }
                        if i < RULE_SPAN { class.push_str(" seedtok"); }
                        let title = format!("position {i}, token {}", g.tokens[i]);
                        view! {
                            <span class=class title=title on:mouseenter=move |_| {
                                if i >= RULE_SPAN { playing.set(false); cursor.set(i); }
                            }>{g.tokens[i]}</span>
                        }
                    }).collect_view()
                }}
            </div>
            <p class="explain" id="strip-explain">{explain}</p>
            <div class="row buttons">
                <button on:click=move |_| playing.update(|p| *p = !*p)>
                    {move || if playing.get() { "Pause" } else { "Play" }}
                </button>
                <button on:click=move |_| { seed.update(|s| *s += 1); cursor.set(RULE_SPAN); }>"New sequence"</button>
                <span class="legend"><span class="tok input">"n"</span>" the 16 tokens the rule reads "
                <span class="tok output">"n"</span>" the token it makes "<span class="tok noise">"n"</span>" noise struck"</span>
            </div>
        </section>
    }
}

/// 2. Pretraining curves.
#[component]
pub fn PretrainSection() -> impl IntoView {
    let lab = expect_context::<Lab>();
    view! {
        <section id="pretraining">
            <h2>"2. Pretraining"</h2>
            <p>
                "Each model is an encoder-only transformer over the last 20 tokens, trained with AdamW (weight decay 0.01, dropout 0.1) "
                "to predict the next token. Solid lines are held-out test windows, dotted the training windows: when they part, "
                "the model is memorising rather than learning the rule. Chance accuracy is 1/16 (1/8 once parity is known); "
                "the noise caps it near 0.98."
            </p>
            <div class="charts two">
                <Chart id="chart-pretrain-loss" plot=move || charts::pretrain(&lab.curves.get(), false)/>
                <Chart id="chart-pretrain-acc" plot=move || charts::pretrain(&lab.curves.get(), true)/>
            </div>
        </section>
    }
}

/// 3. RL curves.
#[component]
pub fn RlSection() -> impl IntoView {
    let lab = expect_context::<Lab>();
    view! {
        <section id="rl">
            <h2>"3. Reinforcement learning"</h2>
            <p>
                "Fine-tuning: the model samples its action at temperature 1 on an odd position, the rule draws the next outcome, and "
                "only successes (the outcome lands in the task's set G) are reinforced. Alongside, a little next-token training on "
                "outcome positions at a much lower learning rate keeps the model able to predict the world (needed for self-evaluation). "
                "The curve is the success rate at temperature 0, computed exactly on held-out histories. A constant action scores "
                "about p = |G|/8; the best possible policy about 0.93 on n4."
            </p>
            <Chart id="chart-rl" plot=move || charts::rl(&lab.curves.get())/>
        </section>
    }
}

/// A small grid showing split histories on four real histories: row h'
/// gives its action to every column h; the diagonal is what the policy does.
#[component]
fn SplitDiagram() -> impl IntoView {
    let hs = sequence::sample_histories(4, 20, 3, 0.0);
    let g = SuccessSet::N4;
    let policy = crate::policy::Scripted::Greedy { good: g };
    let actions: Vec<u8> = hs.iter().map(|h| policy.act(h)).collect();
    let rows = (0..4).map(|r| {
        let a = actions[r];
        let cells = (0..4).map(|c| {
            let x = sequence::deterministic_outcome(&hs[c], a);
            let mut class = if g.contains(x) { "cell good".to_string() } else { "cell bad".to_string() };
            if r == c { class.push_str(" diag"); }
            view! { <td class=class>{x}</td> }
        }).collect_view();
        view! { <tr><th>{format!("h{} → action {a}", r + 1)}</th>{cells}</tr> }
    }).collect_view();
    view! {
        <table class="split" id="split-diagram">
            <thead><tr><th>"action of ↓ applied to history →"</th><th>"h1"</th><th>"h2"</th><th>"h3"</th><th>"h4"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
        <p class="caption">
            "The greedy policy on n4 (G = {0, 2, 4, 6}, green) with four real histories and no noise. The diagonal is the future F "
            "the policy makes by responding to each history: all successes. Each row is a split-history future F′: every history gets "
            "the action chosen for one history h′, so the policy cannot respond — the outcomes spread out. Op is how much lower the "
            "entropy of the diagonal is than the rows' average entropy."
        </p>
    }
}

fn models_table(r: &Results, kept: &[super::storage::KeptModel]) -> impl IntoView + use<> {
    let rows = r.models.iter().map(|m| {
        let o = m.own();
        let checkpoint = kept
            .iter()
            .find(|k| k.size == m.size && k.seed == m.seed && k.task == m.task)
            .map(|k| k.checkpoint.clone());
        let file = format!("opimp-{}-seed{}-{}.opimp", m.size, m.seed, m.task.name());
        let save = checkpoint.map(|b64| {
            let file = file.clone();
            view! {
                <button class="small" title="Download this model's checkpoint (import it later with Import model)" on:click=move |_| {
                    if let Ok(bytes) = crate::protocol::from_base64(&b64) {
                        super::app::download_bytes(&file, &bytes);
                    }
                }>"save"</button>
            }
        });
        view! {
            <tr>
                <td>{m.size.clone()}</td><td>{m.seed}</td><td>{m.task.name()}</td><td>{m.params}</td>
                <td>{f3(o.success)}</td><td>{f3(m.op)}</td><td>{f3(o.op_implied)}</td>
                <td>{f3(m.imp)}</td><td>{f3(o.imp_min)}</td><td>{f3(o.split_success)}</td>
                <td>{f3(m.self_op)}</td><td>{f3(m.self_imp)}</td><td>{save}</td>
            </tr>
        }
    }).collect_view();
    let scripted = r.scripted.iter().map(|s| {
        let g = r.config.tasks.first().copied().unwrap_or(SuccessSet::N4);
        let o = s.scores.iter().find(|t| t.task == g).unwrap_or(&s.scores[0]);
        view! {
            <tr class="scripted">
                <td colspan="3">{format!("{} (scripted)", s.name)}</td><td>"–"</td>
                <td>{f3(o.success)}</td><td>{f3(s.op)}</td><td>{f3(o.op_implied)}</td>
                <td>{f3(s.imp)}</td><td>{f3(o.imp_min)}</td><td>{f3(o.split_success)}</td>
                <td>"–"</td><td>"–"</td><td></td>
            </tr>
        }
    }).collect_view();
    let failures = r.failures.iter().map(|f| view! {
        <tr class="failed"><td>{f.job.size.clone()}</td><td>{f.job.seed}</td><td colspan="11">{format!("failed: {}", f.message)}</td></tr>
    }).collect_view();
    view! {
        <table class="models" id="models-table">
            <thead><tr>
                <th>"size"</th><th>"seed"</th><th>"task"</th><th>"params"</th><th>"s"</th><th>"Op"</th><th>"Op implied"</th>
                <th>"Imp"</th><th>"Imp_min"</th><th>"s′"</th><th>"self Op"</th><th>"self Imp"</th><th>"model"</th>
            </tr></thead>
            <tbody>{rows}{failures}{scripted}</tbody>
        </table>
    }
}

/// 4. Measuring optimization.
#[component]
pub fn OptimizationSection() -> impl IntoView {
    let lab = expect_context::<Lab>();
    view! {
        <section id="optimization">
            <h2>"4. Measuring optimization"</h2>
            <p>
                "Optimization Op = H(F′|P″) − H(F), in nats: the entropy of the outcomes when every history gets some other history's "
                "action (split histories), minus the entropy of the outcomes the policy actually produces. A policy that ignores its "
                "input has Op = 0; Op can never exceed ln 8 ≈ 2.08. If a policy is even-handed among successes and among failures, "
                "theory predicts Op from its success rate alone: Op_implied = s ln(s/p) + (1−s) ln((1−s)/(1−p)), p = |G|/8."
            </p>
            <SplitDiagram/>
            <div class="charts two">
                <Chart id="chart-op-theory" plot=move || charts::op_theory(&lab.results.get())/>
                <Chart id="chart-op-predicted" plot=move || charts::op_predicted(&lab.results.get())/>
            </div>
            <p>
                "Every trained model, and the scripted calibration policies — greedy (best action for G), generator (the sequence's own "
                "next token: its self-optimization), constant (ignores input) and random — measured on the same histories. "
                "Hover a point for its size, seed, task and numbers."
            </p>
            {move || lab.kept.with(|k| models_table(&lab.results.get(), k))}
        </section>
    }
}

/// 5. Cross-objective evaluation.
#[component]
pub fn CrossSection() -> impl IntoView {
    let lab = expect_context::<Lab>();
    view! {
        <section id="cross">
            <h2>"5. Cross-objective evaluation"</h2>
            <p>
                "Measured Op does not depend on G; the implied value does. Score every model under every task's G: a model trained "
                "on that task sits near the line measured = implied, a model trained on another task does not — even when one G "
                "contains the other (n2 ⊂ n4 ⊂ n6), and even when its success rate there is high. Circles: trained on this G; "
                "crosses: trained on another."
            </p>
            <div class="charts three">
                {SuccessSet::tasks().into_iter().map(|g| {
                    let id: &'static str = match g.name().as_str() { "n2" => "chart-cross-n2", "n4" => "chart-cross-n4", _ => "chart-cross-n6" };
                    view! { <Chart id=id plot=move || charts::cross(&lab.results.get(), g)/> }
                }).collect_view()}
            </div>
        </section>
    }
}

/// 6. Impact.
#[component]
pub fn ImpactSection() -> impl IntoView {
    let lab = expect_context::<Lab>();
    view! {
        <section id="impact">
            <h2>"6. Impact"</h2>
            <p>
                "Impact Imp = average over h′ of KL(F ‖ F′), in nats: how far the policy moves the future, whichever way. It is never "
                "negative, and never below Imp_min = s ln(s/s′) + (1−s) ln((1−s)/(1−s′)), where s′ is the success rate in the "
                "split-history future — the least a policy must move the future to lift success from s′ to s. Split histories only "
                "see responsive behaviour: a bias shared by every action shows up in s′, not in Imp."
            </p>
            <div class="charts two">
                <Chart id="chart-imp" plot=move || charts::impact(&lab.results.get(), ImpactFigure::ImpVsMin)/>
                <Chart id="chart-sprime" plot=move || charts::impact(&lab.results.get(), ImpactFigure::SplitSuccessVsSize)/>
                <Chart id="chart-imp-ratio" plot=move || charts::impact(&lab.results.get(), ImpactFigure::Ratio)/>
                <Chart id="chart-imp-excess" plot=move || charts::impact(&lab.results.get(), ImpactFigure::Excess)/>
            </div>
        </section>
    }
}

/// 7. Self-evaluation.
#[component]
pub fn SelfSection() -> impl IntoView {
    let lab = expect_context::<Lab>();
    view! {
        <section id="self-evaluation">
            <h2>"7. Self-evaluation"</h2>
            <p>
                "Replace the rule's exact P(x | h, a) by the model's own prediction of the token after h + [a] (renormalised over 0..7) "
                "and compute Op and Imp again: the model estimating its own optimization and impact. Points above the line mean the "
                "model underestimates itself — the post saw this grow as models optimize harder, a bias from the skewed outcomes its "
                "maintenance training sees."
            </p>
            <div class="charts two">
                <Chart id="chart-self-op" plot=move || charts::self_eval(&lab.results.get(), false)/>
                <Chart id="chart-self-imp" plot=move || charts::self_eval(&lab.results.get(), true)/>
            </div>
        </section>
    }
}

/// 8. The misalignment taxonomy.
#[component]
pub fn TaxonomySection() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let tax = move || lab.state.with(|s| s.taxonomy.clone());
    let point = Memo::new(move |_| {
        let t = tax();
        taxonomy::taxonomy(t.task, t.success, t.shape)
    });
    let set = move |name: &str, v: String| {
        let Some(prop) = crate::share::PROPS.iter().find(|p| p.name == name) else { return };
        let mut s = lab.state.get_untracked();
        if (prop.set)(&mut s, &v).is_ok() {
            lab.state.set(s);
        }
    };
    view! {
        <section id="taxonomy">
            <h2>"8. The misalignment taxonomy"</h2>
            <p>
                "For the same success rate a policy can spread its successes evenly over G, or concentrate them on a few outcomes of G, "
                "or also favour some failures. Only the even spread matches the implied Op; every other shape shows excess optimization "
                "— a sign the policy pursues something other than G. The post's example: n6, outcomes 2 and 3 at 85:15 gives s = 0.85, "
                "implied Op 0.03, measured Op 1.66 (the defaults here)."
            </p>
            <div class="row">
                <label class="field">"Task "
                    <select on:change=move |ev| set("tax_task", event_target_value(&ev))>
                        {SuccessSet::tasks().into_iter().map(|g| view! {
                            <option value=g.name() selected=move || tax().task == g>{g.name()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="field">{move || format!("success rate s = {:.2} ", tax().success)}
                    <input id="tax-s" type="range" min="0" max="1" step="0.01"
                        prop:value=move || tax().success.to_string()
                        on:input=move |ev| set("tax_s", event_target_value(&ev))/>
                </label>
                <label class="field">{move || format!("successes spread over {} of {} outcomes in G ", tax().shape.success_outcomes, tax().task.len())}
                    <input id="tax-succ" type="range" min="1" prop:max=move || tax().task.len().to_string() step="1"
                        prop:value=move || tax().shape.success_outcomes.to_string()
                        on:input=move |ev| set("tax_succ", event_target_value(&ev))/>
                </label>
                <label class="field">{move || format!("failures spread over {} of {} outcomes outside G ", tax().shape.failure_outcomes, 8 - tax().task.len())}
                    <input id="tax-fail" type="range" min="1" prop:max=move || (8 - tax().task.len()).to_string() step="1"
                        prop:value=move || tax().shape.failure_outcomes.to_string()
                        on:input=move |ev| set("tax_fail", event_target_value(&ev))/>
                </label>
            </div>
            <table class="numbers" id="taxonomy-numbers">
                <tr><th>"measured Op"</th><th>"implied Op"</th><th>"excess"</th><th>"Imp"</th><th>"Imp_min"</th></tr>
                <tr>
                    <td id="tax-op">{move || f3(point.get().op)}</td>
                    <td id="tax-op-implied">{move || f3(point.get().op_implied)}</td>
                    <td>{move || { let p = point.get(); f3(p.op - p.op_implied) }}</td>
                    <td>{move || f3(point.get().imp)}</td>
                    <td>{move || f3(point.get().imp_min)}</td>
                </tr>
            </table>
            <p class="caption">"Against the flat comparison future (the rule's own outcome distribution without a responsive policy), Imp equals Op; real policies' comparison futures are not flat, which is where Imp and Op part."</p>
            <Chart id="chart-taxonomy" plot=move || { let p = point.get(); charts::taxonomy(&p.future, &p.baseline, tax().task) }/>
        </section>
    }
}

/// 9. Differential optimization.
#[component]
pub fn DifferentialSection() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let d = move || lab.state.with(|s| s.differential.clone());
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
        match differential::closed_form(&jg, &jh) {
            Ok((_, closed)) => {
                let lin = Linear::new(jg, jh).expect("checked");
                let mc = differential::monte_carlo(&lin, settings(st.sigma));
                Ok((closed, mc))
            }
            Err(e) => Err(e),
        }
    });
    let set = move |name: &str, v: String| {
        let Some(prop) = crate::share::PROPS.iter().find(|p| p.name == name) else { return };
        let mut s = lab.state.get_untracked();
        match (prop.set)(&mut s, &v) {
            Ok(()) => lab.state.set(s),
            Err(e) => lab.say(format!("{name}: {e}")),
        }
    };
    let entry = move |which: &'static str, i: usize| {
        view! {
            <input class="matrix" type="number" step="0.1"
                prop:value=move || { let st = d(); (if which == "jg" { st.jg[i] } else { st.jh[i] }).to_string() }
                on:change=move |ev| {
                    let st = d();
                    let mut m = if which == "jg" { st.jg } else { st.jh };
                    if let Ok(v) = event_target_value(&ev).parse::<f64>() { m[i] = v; }
                    set(which, m.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(","));
                }/>
        }
    };
    view! {
        <section id="differential">
            <h2>"9. Differential optimization"</h2>
            <p>
                "The same ideas for continuous systems: an action A = f(P) and a future F = g(A, P). C compares how much F moves "
                "with P when A responds (dh/dP) against when A is held fixed (∂g/∂P). Op = −ln C; Imp = −ln C + C(C − 1). With "
                "P ~ N(0, σ²) these are exactly the split-history entropy gap and KL for a linear system — checked here by Monte Carlo. "
                "For a controller that saturates (A = tanh P) the linear formulas hold only while σ is small."
            </p>
            <div class="row">
                <label class="field">{move || format!("k = C = {:.2} ", d().k)}
                    <input id="diff-k" type="range" min="0.05" max="2" step="0.05"
                        prop:value=move || d().k.to_string()
                        on:input=move |ev| set("k", event_target_value(&ev))/>
                </label>
                <label class="field">{move || format!("σ = {:.2} ", d().sigma)}
                    <input id="diff-sigma" type="range" min="0.05" max="4" step="0.05"
                        prop:value=move || d().sigma.to_string()
                        on:input=move |ev| set("sigma", event_target_value(&ev))/>
                </label>
            </div>
            <table class="numbers" id="diff-scalar">
                <tr><th></th><th>"Op"</th><th>"Imp"</th></tr>
                <tr><td>"closed form (A = P, F = P − (1−k)A)"</td><td>{move || f3(scalar.get().0.op)}</td><td>{move || f3(scalar.get().0.imp)}</td></tr>
                <tr><td>"Monte Carlo, same linear system"</td>
                    <td>{move || { let m = scalar.get().1; format!("{} ± {}", f3(m.op.mean), f3(m.op.se)) }}</td>
                    <td>{move || { let m = scalar.get().1; format!("{} ± {}", f3(m.imp.mean), f3(m.imp.se)) }}</td></tr>
                <tr><td>"Monte Carlo, saturating A = tanh P"</td>
                    <td>{move || { let m = scalar.get().2; format!("{} ± {}", f3(m.op.mean), f3(m.op.se)) }}</td>
                    <td>{move || { let m = scalar.get().2; format!("{} ± {}", f3(m.imp.mean), f3(m.imp.se)) }}</td></tr>
            </table>
            <Chart id="chart-diff-scalar" plot=move || { let (_, mc, _) = scalar.get(); charts::differential_scalar(d().k, mc.op.mean, mc.imp.mean) }/>
            <h3>"A 2 × 2 linear system"</h3>
            <p>"C = J_g⁻¹ J_h; Op = −ln|det C|; Imp = −ln|det C| + tr(C Cᵀ) − tr(C)."</p>
            <div class="row">
                <div class="mat"><span>"J_g = "</span><div class="grid2">{entry("jg", 0)}{entry("jg", 1)}{entry("jg", 2)}{entry("jg", 3)}</div></div>
                <div class="mat"><span>"J_h = "</span><div class="grid2">{entry("jh", 0)}{entry("jh", 1)}{entry("jh", 2)}{entry("jh", 3)}</div></div>
            </div>
            <p id="diff-matrix">{move || match matrix.get() {
                Ok((c, mc)) => format!(
                    "Closed form: Op = {}, Imp = {}. Monte Carlo: Op = {} ± {}, Imp = {} ± {}.",
                    f3(c.op), f3(c.imp), f3(mc.op.mean), f3(mc.op.se), f3(mc.imp.mean), f3(mc.imp.se)
                ),
                Err(e) => format!("No closed form: {e}."),
            }}</p>
        </section>
    }
}
