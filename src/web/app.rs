//! The whole page: the link read, the workers started, the stored library
//! loaded, and the components laid out. One effect keeps the address bar
//! equal to the state, one keeps storage equal to the results.

use super::pool::{Pool, default_size};
use super::shell::{Lab, POOL, View};
use super::storage;
use crate::lab::link::{self, SECTIONS};
use crate::lab::page::Page;
use crate::lab::update::Msg;
use crate::study::progress::fmt_duration;
use crate::worker::handler::now_ms;
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;

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

/// Keeps the results and kept checkpoints in storage: one effect, run when
/// a model or failure is added (not on every progress step).
fn persist(lab: Lab) {
    let stored_models: Rc<RefCell<Vec<(String, crate::study::key::ModelKey)>>> = Rc::default();
    let results_key = Memo::new(move |_| {
        lab.page.with(|p| (storage::experiment_id(&p.results.config), p.results.models.len(), p.results.failures.len(), p.kept.len()))
    });
    Effect::new(move |_| {
        let _ = results_key.get();
        let (results, kept) = lab.page.with_untracked(|p| (p.results.clone(), p.kept.clone()));
        if results.models.is_empty() && results.failures.is_empty() && kept.is_empty() {
            return;
        }
        let stored = stored_models.clone();
        leptos::task::spawn_local(async move {
            if let Some(m) = storage::save_results(&results).await {
                lab.say(m);
            }
            let id = storage::experiment_id(&results.config);
            for k in kept {
                if stored.borrow().contains(&(id.clone(), k.key)) {
                    continue;
                }
                match storage::save_model(&results.config, k.key, &k.checkpoint).await {
                    None => stored.borrow_mut().push((id.clone(), k.key)),
                    Some(m) => lab.say(m),
                }
            }
        });
    });
}

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let query = location_query();
    let (state, notices) = link::parse(&query);
    let workers = default_size();
    let lab = Lab { page: RwSignal::new(Page::new(state, notices, workers, now_ms())) };
    provide_context(lab);
    provide_context(View::new(lab));
    provide_context(super::sections::Tour(RwSignal::new(0)));
    POOL.with(|p| {
        let mut p = p.borrow_mut();
        if p.is_none() {
            *p = Some(Pool::new(workers, Rc::new(move |m| lab.send(m))));
        }
    });
    // The experiment's shipped results, the stored library, kept models.
    let mut cmds = Vec::new();
    lab.page.update(|p| crate::lab::update::switch_experiment(p, &mut cmds));
    for c in cmds {
        lab.run(c);
    }
    let names_experiment = link::names_experiment(&query);
    leptos::task::spawn_local(async move {
        let (library, note) = storage::load_library().await;
        lab.send(Msg::Library(library, note));
        let config = lab.page.with_untracked(|p| p.config().clone());
        for (key, bytes) in storage::load_models(&config).await {
            lab.send(Msg::Kept(key, std::sync::Arc::new(bytes)));
        }
        // A link that names a custom experiment runs it when it is short.
        let (preset, missing, minutes) = lab.page.with_untracked(|p| (p.preset(), p.results.missing().len(), p.estimate_minutes()));
        if names_experiment && preset.is_none() && missing > 0 {
            if minutes <= 10.0 {
                lab.send(Msg::Run);
            } else {
                lab.say(format!(
                    "This experiment takes about {} in this browser; press Run to start it (or run it natively with `opimp sweep` and import the results).",
                    fmt_duration(minutes * 60.0)
                ));
            }
        }
    });
    // Keep the address bar equal to the state: a reload or a copied
    // address is the same experiment.
    let query_now = Memo::new(move |_| lab.page.with(|p| link::serialize(&p.link)));
    Effect::new(move |_| {
        let q = query_now.get();
        if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("?{q}")));
        }
    });
    persist(lab);
    // The clock: ETAs move, silent workers time out.
    if let Ok(timer) = leptos::prelude::set_interval_with_handle(move || lab.send(Msg::Tick), std::time::Duration::from_millis(1000)) {
        on_cleanup(move || timer.clear());
    }
    let shows = move |part: &'static str| lab.page.with(|p| p.link.shows(part));
    view! {
        <a class="skip" href="#main">"Skip to the lab"</a>
        <header>
            <h1>"opimp"</h1>
            <p class="tagline">
                "Measure how much a policy narrows the future (optimization) and how far it moves it (impact) — by training tiny transformers in this tab."
            </p>
        </header>
        <super::controls::Notices/>
        <super::controls::Controls/>
        <main id="main">
            <super::sections::Guide/>
            <super::sections::Shipped/>
            {SECTIONS.iter().map(|&id| view! {
                <Show when=move || shows(id) && super::sections::in_tour(lab, id)>
                    {super::sections::section(id)}
                </Show>
            }).collect_view()}
        </main>
        <footer>
            <p>
                "Based on “Measuring Learned Optimization in Small Transformer Models” (2024). Everything runs in this tab: "
                "training in Web Workers (burn, wasm), charts with plotly.js served from this site."
            </p>
        </footer>
    }
}
