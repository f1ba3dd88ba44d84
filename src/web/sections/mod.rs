//! The explainer, in the study's order: each section a short explanation,
//! its chart(s) and one paragraph on how to read them. A teacher's link can
//! hide sections and walk through them one at a time.

mod inside;
mod measures;
mod scaling;
mod story;
mod toys;

use super::charts::Chart;
use super::shell::{Lab, View};
use crate::figures::Figure;
use crate::lab::parts::Section;
use crate::study::results::Results;
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
        Section::Inside => view! { <inside::InsideSection/> }.into_any(),
        Section::Taxonomy => view! { <toys::TaxonomySection/> }.into_any(),
        Section::Differential => view! { <toys::DifferentialSection/> }.into_any(),
    }
}

/// A section's frame, written once: its element and id, the guided mode's
/// bar, and its numbered heading, all from [`Section`].
#[component]
pub fn Frame(at: Section, children: Children) -> impl IntoView {
    let title = format!("{}-title", at.name());
    let heading = title.clone();
    view! {
        <section id=at.name() aria-labelledby=title>
            <GuideBar at=at/>
            <h2 id=heading>{format!("{}. {}", at.number(), at.title())}</h2>
            {children()}
        </section>
    }
}

/// One chart of a section: its element id, its accessible label and the
/// figure it draws from the results shown.
pub struct Plot {
    id: &'static str,
    label: &'static str,
    figure: fn(&Results) -> Figure,
}

/// A chart of a section.
pub fn plot(id: &'static str, label: &'static str, figure: fn(&Results) -> Figure) -> Plot {
    Plot { id, label, figure }
}

/// A section's charts side by side (two or three to a row), then how to
/// read them: fixed words, then what the results shown say (`read`).
#[component]
pub fn Figures(plots: Vec<Plot>, reading: &'static str, #[prop(optional)] read: Option<fn(&Results) -> String>) -> impl IntoView {
    let view = expect_context::<View>();
    let row = if plots.len() == 3 { "charts three" } else { "charts two" };
    let charts = plots
        .into_iter()
        .map(|p| {
            let figure = p.figure;
            view! { <Chart id=p.id label=p.label figure=move || view.shown.with(figure)/> }
        })
        .collect_view();
    view! {
        <div class=row>{charts}</div>
        <p class="reading">{reading}{move || read.map(|r| view.shown.with(r))}</p>
    }
}

/// The tour's position: which visible section the guided mode shows.
#[derive(Clone, Copy)]
pub struct Tour(pub RwSignal<usize>);

fn visible(lab: Lab) -> Vec<Section> {
    lab.with(|p| p.link.sections())
}

/// Whether a section is shown now (always, unless the guided mode shows
/// another one).
pub fn in_tour(lab: Lab, id: Section) -> bool {
    if !lab.with(|p| p.link.view.guide) {
        return true;
    }
    let tour = use_context::<Tour>().map(|t| t.0.get()).unwrap_or(0);
    let v = visible(lab);
    v.get(tour.min(v.len().saturating_sub(1))) == Some(&id)
}

/// The guided mode's bar, at the top of the section it walks through:
/// where the tour is, back and next.
#[component]
pub fn GuideBar(at: Section) -> impl IntoView {
    let lab = expect_context::<Lab>();
    let Tour(tour) = expect_context::<Tour>();
    let count = move || visible(lab).len();
    let here = move || visible(lab).iter().position(|s| *s == at).unwrap_or(0);
    let go = move |to: usize| {
        tour.set(to);
        // Bring the next section's top into view.
        if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("main")) {
            el.scroll_into_view();
        }
    };
    // Closures outside the markup: a `>` inside an attribute would end the tag.
    let at_first = move || here() == 0;
    let at_last = move || here() + 1 >= count();
    let back = move |_| go(here().saturating_sub(1));
    let next = move |_| go((here() + 1).min(count().saturating_sub(1)));
    view! {
        <Show when=move || lab.with(|p| p.link.view.guide)>
            <nav class="guide" id="guide" aria-label="Guided tour">
                <button id="guide-back" prop:disabled=at_first on:click=back>"← Back"</button>
                <span id="guide-where" aria-live="polite">{move || format!("Step {} of {}: {}", here() + 1, count(), at.title())}</span>
                <button id="guide-next" prop:disabled=at_last on:click=next>"Next →"</button>
            </nav>
        </Show>
    }
}
