//! The shell around [`crate::lab`]: one signal holds the page's state, every
//! change goes through [`Lab::send`] (the one update function), and the
//! effects it asks for are run here. One effect keeps the address bar equal
//! to the state, one keeps storage equal to the results.

use super::pool::{Pool, default_size};
use super::{files, storage};
use crate::lab::link::{self, SECTIONS};
use crate::lab::page::{Page, RunState};
use crate::lab::update::{Command, Msg, update};
use crate::study::preset::Preset;
use crate::study::progress::fmt_duration;
use crate::study::results::Results;
use crate::worker::handler::now_ms;
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;

thread_local! {
    static POOL: RefCell<Option<Pool>> = const { RefCell::new(None) };
}

/// The page's state and the way to change it, shared with every component.
#[derive(Clone, Copy)]
pub struct Lab {
    /// Everything the page shows.
    pub page: RwSignal<Page>,
}

impl Lab {
    /// Applies a message and runs the effects it asks for.
    pub fn send(self, msg: Msg) {
        let mut cmds = Vec::new();
        // A message after the page is gone (a late worker) changes nothing.
        if self.page.try_update(|p| cmds = update(p, msg, now_ms())).is_none() {
            return;
        }
        for c in cmds {
            self.run(c);
        }
    }

    fn run(self, c: Command) {
        match c {
            Command::Post(i, input) => POOL.with(|p| {
                if let Some(pool) = p.borrow().as_ref() {
                    pool.post(i, input);
                }
            }),
            Command::Restart(i) => POOL.with(|p| {
                if let Some(pool) = p.borrow().as_ref() {
                    pool.restart(i);
                }
            }),
            Command::FetchShipped(preset) => leptos::task::spawn_local(async move {
                let result = files::fetch_text(&format!("results/{}.json", preset.name()))
                    .await
                    .and_then(|t| Results::from_json(&t));
                self.send(Msg::Shipped(preset, result));
            }),
        }
    }

    /// Tells the user something.
    pub fn say(self, m: impl Into<String>) {
        self.send(Msg::Say(m.into()));
    }
}

/// Slices of the page that views read, each changing only when its value
/// does (a progress step does not redraw the charts).
#[derive(Clone, Copy)]
pub struct View {
    /// The results the figures show.
    pub shown: Memo<Results>,
    /// Which shown models have a kept checkpoint.
    pub kept: Memo<Vec<crate::study::key::ModelKey>>,
    /// How each model trained here compares with the shipped one.
    pub marks: Memo<Vec<(crate::study::key::ModelKey, crate::lab::page::Reproduced)>>,
    /// Whether the figures show the shipped results.
    pub showing_shipped: Memo<bool>,
}

impl View {
    fn new(lab: Lab) -> Self {
        View {
            shown: Memo::new(move |_| lab.page.with(|p| p.shown().clone())),
            kept: Memo::new(move |_| lab.page.with(|p| p.kept.iter().map(|k| k.key).collect())),
            marks: Memo::new(move |_| lab.page.with(|p| p.results.models.iter().map(|m| (m.key, p.reproduced(m))).collect())),
            showing_shipped: Memo::new(move |_| lab.page.with(|p| p.showing_shipped())),
        }
    }
}

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

/// The label the run button wears.
pub fn run_label(p: &Page) -> &'static str {
    if p.showing_shipped() { "Reproduce here" } else { "Run" }
}

/// Whether the current experiment is a preset's.
pub fn preset_of(p: &Page) -> Option<Preset> {
    p.preset()
}

/// Whether a run is going.
pub fn running(p: &Page) -> bool {
    p.run_state() == RunState::Running
}
