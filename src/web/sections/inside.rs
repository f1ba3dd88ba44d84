//! 10. Inside a model: one model, one history, every action — the
//! quantities the measures average, for one history.

use super::super::charts::Chart;
use super::super::shell::Lab;
use crate::figures::inside as charts;
use crate::lab::inside::{HistoryChoice, Looking, shipped_models};
use crate::lab::parts::Section;
use crate::lab::update::Msg;
use crate::study::inspection::{Inspection, consequences};
use crate::study::key::ModelKey;
use crate::sequence::SuccessSet;
use leptos::prelude::*;

/// The models a visitor can look inside: the ones the site ships for the
/// preset, then the ones kept here.
fn choices(lab: Lab) -> Vec<(ModelKey, &'static str)> {
    lab.with(|p| {
        let mut out: Vec<(ModelKey, &'static str)> = Vec::new();
        for k in p.kept_here() {
            out.push((k.key, "trained here"));
        }
        if let Some(preset) = p.preset() {
            for k in shipped_models(preset) {
                if !out.iter().any(|(x, _)| *x == k) {
                    out.push((k, "shipped"));
                }
            }
        }
        out.sort_by_key(|(k, _)| *k);
        out
    })
}

/// An inspection to draw before one has arrived.
fn blank() -> Inspection {
    Inspection { history: vec![0; 20], action_probs: [0.0; 8], choice: 8, predicted: [[0.0; 8]; 8], attention: vec![0.0; 20] }
}

/// The status line under the pickers, in words.
fn said(looking: &Looking, eps: f64, tasks: &[SuccessSet], g: SuccessSet) -> String {
    match looking {
        Looking::Idle => "Pick a model to look inside it.".to_string(),
        Looking::Fetching => "Fetching the model's checkpoint from the site…".into(),
        Looking::Computing => "A worker is running the model on the history…".into(),
        Looking::Ready(ins) => {
            let cons = consequences(&ins.history, eps, tasks);
            let c = &cons[(ins.choice - 8) as usize];
            let good = c.succeeds.iter().any(|(t, s)| *t == g && *s);
            format!(
                "At temperature 0 the model picks action {} (probability {:.2} at temperature 1); the rule answers {}, {} on {g}. Its own prediction gives that outcome {:.2}.",
                ins.choice,
                ins.action_probs[(ins.choice - 8) as usize],
                c.outcome,
                if good { "a success" } else { "a failure" },
                ins.predicted[(ins.choice - 8) as usize][c.outcome as usize]
            )
        }
        Looking::Failed(e) => format!("This could not be shown: {e}."),
    }
}

/// The model to look inside.
#[component]
fn ModelPicker(choices: Memo<Vec<(ModelKey, &'static str)>>, chosen: Memo<Option<ModelKey>>) -> impl IntoView {
    let lab = expect_context::<Lab>();
    view! {
        <div class="field">
            <label for="inside-model">"Model"</label>
            <select id="inside-model" on:change=move |ev| {
                // An option's value is its place among the choices.
                let picked = event_target_value(&ev).parse::<usize>().ok().and_then(|i| choices.get_untracked().get(i).copied());
                if let Some((k, _)) = picked {
                    lab.send(Msg::InsideModel(k));
                }
            }>
                // Options with fixed attributes, drawn again only when the
                // choices or the choice change: a reactive attribute per
                // option would be a new subscriber of the page at every
                // redraw, and leptos keeps a dropped one in the page's list.
                {move || {
                    let chosen = chosen.get();
                    let none = view! { <option value="" selected=chosen.is_none()>"choose a model"</option> };
                    let some = choices.get().into_iter().enumerate().map(|(i, (k, from))| {
                        let label = format!("{k} ({from})");
                        view! { <option value=i.to_string() data-model=k.file_name() selected=chosen == Some(k)>{label}</option> }
                    }).collect_view();
                    (none, some)
                }}
            </select>
        </div>
    }
}

/// The history: an evaluation history (back and next), or one typed.
#[component]
fn HistoryPicker() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let index = Memo::new(move |_| lab.with(|p| match p.inside.history {
        HistoryChoice::Evaluation(i) => Some(i),
        HistoryChoice::Typed(_) => None,
    }));
    let index = move || index.get();
    let count = Memo::new(move |_| lab.with(|p| p.config().eval_histories));
    let count = move || count.get();
    // Outside the markup: a `>` inside an attribute would end the tag.
    let at_last = move || index().is_some_and(|i| i + 1 >= count());
    let typed = RwSignal::new(String::new());
    view! {
        <div class="field">
            <span class="label" id="inside-history-label">"Evaluation history"</span>
            <div class="row" role="group" aria-labelledby="inside-history-label">
                <button id="inside-prev" prop:disabled=move || index().is_none_or(|i| i == 0)
                    on:click=move |_| lab.send(Msg::InsideHistory(HistoryChoice::Evaluation(index().unwrap_or(1).saturating_sub(1))))>"←"</button>
                <span id="inside-index">{move || index().map(|i| format!("{} of {}", i + 1, count())).unwrap_or_else(|| "typed".into())}</span>
                <button id="inside-next" prop:disabled=at_last
                    on:click=move |_| lab.send(Msg::InsideHistory(HistoryChoice::Evaluation(index().map(|i| i + 1).unwrap_or(0))))>"→"</button>
            </div>
        </div>
        <div class="field">
            <label for="inside-typed">"Or type a history (20+ tokens, ending on an outcome)"</label>
            <input id="inside-typed" type="text" prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev))/>
            <button id="inside-use" on:click=move |_| lab.send(Msg::InsideHistoryText(typed.get_untracked()))>"Use"</button>
        </div>
    }
}

/// The inspection: the history's tokens by attention, and the charts.
#[component]
fn Inspected(ready: Memo<Option<Inspection>>, eps: Memo<f64>, tasks: Memo<Vec<SuccessSet>>, task: Signal<SuccessSet>) -> impl IntoView {
    let ins = move || ready.get().unwrap_or_else(blank);
    let actions = move || {
        let i = ins();
        charts::actions(&i, &consequences(&i.history, eps.get(), &tasks.get()), task.get())
    };
    let prediction = move || {
        let i = ins();
        charts::prediction(&i, &consequences(&i.history, eps.get(), &tasks.get()), i.choice)
    };
    view! {
        <p class="history" id="inside-tokens">
            {move || ready.get().map(|ins| ins.history.iter().enumerate().map(|(i, t)| {
                let read = i + crate::study::inspection::RULE_READS >= ins.history.len();
                let w = ins.attention.get(i).copied().unwrap_or(0.0);
                view! { <span class=if read { "tok input" } else { "tok" } style:opacity=format!("{:.2}", 0.35 + 0.65 * (w * 5.0).min(1.0))
                    title=format!("token {t}, attention {w:.3}")>{*t}</span> }
            }).collect_view())}
        </p>
        <div class="charts two">
            <Chart id="chart-inside-actions" label="The model's action probabilities and each action's consequence" figure=actions/>
            <Chart id="chart-inside-attention" label="Where the model's last block looks" figure=move || charts::attention(&ins())/>
        </div>
        <Chart id="chart-inside-prediction" label="The model's prediction after its chosen action, beside the rule" figure=prediction/>
        <p class="reading">
            "The action table (the figure's data) lists every action's outcome and whether it succeeds under each task: the "
            "split-history measure gives every history every policy action, so these are its building blocks. A model that "
            "optimizes for its task puts its probability on the coloured bars; a model that predicts the rule well gives the "
            "rule's outcome a probability near 0.98 (the prediction error, a total variation distance, near 0)."
        </p>
    }
}

#[component]
pub fn InsideSection() -> impl IntoView {
    let lab = expect_context::<Lab>();
    // Each slice of the page this section reads is a memo, so a change
    // elsewhere in the page (a tick, a training step) redraws nothing here.
    let looking = Memo::new(move |_| lab.with(|p| p.inside.looking.clone()));
    let ready = Memo::new(move |_| match looking.get() {
        Looking::Ready(ins) => Some(*ins),
        _ => None,
    });
    let eps = Memo::new(move |_| lab.with(|p| p.config().eps));
    let tasks = Memo::new(move |_| lab.with(|p| p.config().tasks.clone()));
    let chosen = Memo::new(move |_| lab.with(|p| p.inside.model));
    // Success is judged under the task the picked model was trained on.
    let task = Signal::derive(move || chosen.get().map(|k| k.task).unwrap_or_else(|| tasks.get()[0]));
    let choices = Memo::new(move |_| choices(lab));
    let status = move || said(&looking.get(), eps.get(), &tasks.get(), task.get());
    view! {
        <super::Frame at=Section::Inside>
            <p>
                "The measures average over a thousand histories. Here is one: pick a trained model and a history, and see which "
                "action the model prefers and how sure it is, what each of the 8 actions would make the rule do, what the model itself "
                "predicts each action leads to (the input of self-evaluation), and where its last block looks among the 20 tokens it "
                "reads — beside the 15 the rule reads (with the action, 16)."
            </p>
            <div class="row">
                <ModelPicker choices=choices chosen=chosen/>
                <HistoryPicker/>
            </div>
            <p class="status" id="inside-status" aria-live="polite" data-state=move || match looking.get() {
                Looking::Ready(_) => "ready", Looking::Failed(_) => "failed", Looking::Idle => "idle", _ => "busy" }>{status}</p>
            <Show when=move || ready.get().is_some()>
                <Inspected ready=ready eps=eps tasks=tasks task=task/>
            </Show>
        </super::Frame>
    }
}
