//! The whole page: the link read, the workers started, the page started
//! (storage, shipped results and baselines are asked for by the update
//! function), and the components laid out. One effect keeps the address
//! bar equal to the state.

use super::pool::default_size;
use super::shell::{Lab, View};
use crate::lab::link;
use crate::lab::parts::{Part, Section};
use crate::lab::page::Page;
use crate::lab::update::Msg;
use crate::clock::now_ms;
use leptos::prelude::*;

/// Starts the page.
pub fn start_app() {
    console_error_panic_hook::set_once();
    if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("loading")) {
        el.remove();
    }
    leptos::mount::mount_to_body(App);
}

fn location_query() -> String {
    web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default()
}

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let query = location_query();
    let (state, notices) = link::parse(&query);
    let lab = Lab::new(Page::new(state, notices, default_size(), now_ms()));
    provide_context(lab);
    provide_context(View::new(lab));
    provide_context(super::sections::Tour(RwSignal::new(0)));
    // The workers, storage, the shipped results, the baselines, whether
    // WebGPU is offered: asked for by update.
    lab.send(Msg::Start { autorun: link::names_experiment(&query) });
    // Keep the address bar equal to the state: a reload or a copied
    // address is the same experiment.
    let query_now = Memo::new(move |_| lab.with(|p| link::serialize(&p.link)));
    Effect::new(move |_| {
        let q = query_now.get();
        if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("?{q}")));
        }
    });
    // The clock: ETAs move, silent workers time out.
    if let Ok(timer) = leptos::prelude::set_interval_with_handle(move || lab.send(Msg::Tick), std::time::Duration::from_millis(1000)) {
        on_cleanup(move || timer.clear());
    }
    let shows = move |s: Section| lab.with(|p| p.link.shows(Part::Section(s)));
    let settings_open = link::names_settings(&query);
    view! {
        <a class="skip" href="#main">"Skip to the sections"</a>
        <header class="brand">
            <span class="name">"opimp"</span>
            <span class="tagline">"a lab for measuring optimization and impact, after “Measuring Learned Optimization in Small Transformer Models” (2024)"</span>
        </header>
        <super::controls::Notices/>
        <super::hero::Hero/>
        <super::controls::Controls settings_open=settings_open/>
        <main id="main">
            {Section::ALL.into_iter().map(|id| view! {
                <Show when=move || shows(id) && super::sections::in_tour(lab, id)>
                    {super::sections::section(id)}
                </Show>
            }).collect_view()}
        </main>
        <footer>
            <p>
                "Everything runs in this tab: training in Web Workers (burn, wasm), charts with plotly.js served from this site. "
                "The same study runs natively with the opimp command line."
            </p>
        </footer>
    }
}
