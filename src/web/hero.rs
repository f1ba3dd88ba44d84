//! The top of the page: the study's question and its answer in three
//! sentences, the headline figure drawn from the results shown, and where
//! those results came from, in one line.

use super::charts::Chart;
use super::shell::{Lab, View};
use crate::figures::{measures, readings};
use crate::lab::page::Shipped;
use crate::study::engine::Engine;
use crate::study::provenance::BUILD;
use leptos::prelude::*;

/// Where the results shown came from, in one line.
fn provenance(lab: Lab) -> String {
    lab.with(|p| match (&p.shipped, p.showing_shipped()) {
        (Shipped::Loaded(r), true) => format!(
            "Shipped results: results/{}.json, {} models computed by {} (build {}){}.",
            p.link.preset,
            r.models.len(),
            r.provenance.engine,
            r.provenance.build,
            if p.engine() == Engine::Gpu {
                ", on the GPU engine Reproduce here gives near numbers, not equal ones"
            } else if r.provenance.reproducible_here() {
                ", this page's build and engine: Reproduce here gives the same numbers bit for bit"
            } else if r.provenance.build == BUILD {
                ", this page's build on the native engine: Reproduce here gives near numbers, not equal ones"
            } else {
                ", another build than this page's"
            },
        ),
        (Shipped::Loading, _) => "Loading the results this site ships for this preset…".into(),
        (Shipped::OtherExperiment(settings), _) => format!(
            "The shipped results/{}.json was computed with other settings than this preset's ({}), so it is not shown; Run trains this preset here.",
            p.link.preset,
            settings.join(", ")
        ),
        (Shipped::Failed(e), _) => format!("The shipped results could not be loaded ({e}); Run trains them here."),
        _ if !p.results.models.is_empty() => format!(
            "{} models trained or imported in this browser, computed by {}.",
            p.results.models.len(),
            p.results.provenance.engine
        ),
        _ => "Nothing trained yet for this experiment: Run trains it in this tab.".into(),
    })
}

/// The idea first.
#[component]
pub fn Hero() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let view = expect_context::<View>();
    let shown = move || view.shown.get();
    let answer = move || view.shown.with(readings::headline);
    view! {
        <section class="hero" id="hero" aria-labelledby="hero-title">
            <h1 id="hero-title">"How much does a trained policy narrow the future?"</h1>
            <p class="lede">
                "A policy optimizes when the outcomes it brings about are less random than they would be if it could not "
                "respond to what it sees. This lab trains tiny transformers in your browser, fine-tunes them with reinforcement "
                "learning, and measures that narrowing — optimization, in nats — and how far the policy moves the future (impact). "
                "Theory predicts optimization from the success rate alone; the figure puts each model's prediction beside its measurement."
            </p>
            <div class="hero-figure">
                <Chart id="chart-headline" label="Predicted against measured optimization, every model shown" figure=move || measures::op_predicted(&shown())/>
            </div>
            <p class="answer" id="hero-answer">{answer}</p>
            <p class="provenance" id="provenance">{move || provenance(lab)}</p>
        </section>
    }
}
