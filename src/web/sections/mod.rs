//! The explainer, in the study's order: each section a short explanation,
//! its chart(s) and one paragraph on how to read them. A teacher's link can
//! hide sections and walk through them one at a time.

mod measures;
mod scaling;
mod story;
mod toys;

use super::shell::Lab;
use crate::lab::parts::Section;
use crate::study::provenance::BUILD;
use leptos::prelude::*;

/// `0.123`, or ∞.
pub fn f3(v: f64) -> String {
    if v.is_finite() { format!("{v:.3}") } else { "∞".into() }
}

/// A section's view.
pub fn section(s: Section) -> AnyView {
    match s {
        Section::Sequence => view! { <story::SequenceSection/> }.into_any(),
        Section::Pretraining => view! { <story::PretrainSection/> }.into_any(),
        Section::Rl => view! { <story::RlSection/> }.into_any(),
        Section::Optimization => view! { <measures::OptimizationSection/> }.into_any(),
        Section::Cross => view! { <measures::CrossSection/> }.into_any(),
        Section::Impact => view! { <measures::ImpactSection/> }.into_any(),
        Section::SelfEvaluation => view! { <measures::SelfSection/> }.into_any(),
        Section::Scaling => view! { <scaling::ScalingSection/> }.into_any(),
        Section::Claims => view! { <scaling::ClaimsSection/> }.into_any(),
        Section::Taxonomy => view! { <toys::TaxonomySection/> }.into_any(),
        Section::Differential => view! { <toys::DifferentialSection/> }.into_any(),
    }
}

/// The tour's position: which visible section the guided mode shows.
#[derive(Clone, Copy)]
pub struct Tour(pub RwSignal<usize>);

fn visible(lab: Lab) -> Vec<Section> {
    lab.page.with(|p| p.link.sections())
}

/// Whether a section is shown now (always, unless the guided mode shows
/// another one).
pub fn in_tour(lab: Lab, id: Section) -> bool {
    if !lab.page.with(|p| p.link.view.guide) {
        return true;
    }
    let tour = use_context::<Tour>().map(|t| t.0.get()).unwrap_or(0);
    let v = visible(lab);
    v.get(tour.min(v.len().saturating_sub(1))) == Some(&id)
}

/// The guided mode's bar: where the tour is, back and next.
#[component]
pub fn Guide() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let Tour(at) = expect_context::<Tour>();
    let count = move || visible(lab).len();
    view! {
        <Show when=move || lab.page.with(|p| p.link.view.guide)>
            <nav class="guide" id="guide" aria-label="Guided tour">
                <button id="guide-back" prop:disabled=move || at.get() == 0 on:click=move |_| at.update(|a| *a = a.saturating_sub(1))>"← Back"</button>
                <span id="guide-where" aria-live="polite">
                    {move || {
                        let v = visible(lab);
                        let i = at.get().min(v.len().saturating_sub(1));
                        format!("Step {} of {}: {}", i + 1, v.len(), v.get(i).map(|s| s.title()).unwrap_or(""))
                    }}
                </span>
                <button id="guide-next" prop:disabled=move || { at.get() + 1 >= count() } on:click=move |_| at.update(|a| *a = (*a + 1).min(count().saturating_sub(1)))>"Next →"</button>
            </nav>
        </Show>
    }
}

/// Where the figures' numbers come from: results shipped with the site
/// (with the engine and build that computed them), or trained here.
#[component]
pub fn Shipped() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let text = move || {
        lab.page.with(|p| {
            use crate::lab::page::Shipped as S;
            match (&p.shipped, p.showing_shipped()) {
                (S::Loaded(r), true) => {
                    let same = r.provenance.build == BUILD;
                    Some(format!(
                        "These figures show the results shipped with this site for the '{}' preset ({} models), computed by {} with build {}{}. {} Press “Reproduce here” to train them in this tab and see each model marked against them.",
                        p.link.preset,
                        r.models.len(),
                        r.provenance.engine,
                        r.provenance.build,
                        if r.provenance.note.is_empty() { String::new() } else { format!(" ({})", r.provenance.note) },
                        if same { "This page is the same build: training here gives the same numbers, bit for bit." } else { "This page is another build: training here may give other numbers." }
                    ))
                }
                (S::Loading, _) => Some("Loading the results shipped with this site…".into()),
                (S::Failed(e), _) => Some(format!("The results shipped for this preset could not be loaded ({e}); press Run to train them here.")),
                (S::Loaded(_), false) if !p.results.models.is_empty() => Some(format!(
                    "These figures show the models trained or imported here ({}). The site ships results for this preset; each model is marked against them in the models table.",
                    p.results.models.len()
                )),
                _ => None,
            }
        })
    };
    view! {
        <Show when=move || text().is_some()>
            <p class="provenance" id="provenance">{move || text().unwrap_or_default()}</p>
        </Show>
    }
}
