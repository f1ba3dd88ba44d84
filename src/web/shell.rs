//! The shell around [`crate::lab`]: one signal holds the page's state and
//! every change goes through [`Lab::send`] (the one update function); the
//! effects it asks for (posting to workers, restarting them, fetching the
//! shipped results, storage, downloads, the clipboard) are run here and
//! answered with messages. [`View`] holds the slices views read.

use super::files;
use super::pool::Pool;
use crate::lab::page::{Page, RunState};
use crate::lab::update::{Command, Msg, update};
use crate::lab::workers::WorkerCommand;
use crate::study::results::Results;
use crate::clock::now_ms;
use leptos::prelude::*;
use std::cell::RefCell;

thread_local! {
    /// The page's workers.
    pub static POOL: RefCell<Option<Pool>> = const { RefCell::new(None) };
}

/// The page's state and the way to change it, shared with every component.
/// Views read it through [`Lab::with`], which [`readers`] can watch.
#[derive(Clone, Copy)]
pub struct Lab {
    /// Everything the page shows.
    page: RwSignal<Page>,
}

impl Lab {
    /// The page's state, held for the components of one mount.
    pub fn new(page: Page) -> Self {
        Lab { page: RwSignal::new(page) }
    }

    /// Reads the page, subscribing the reactive computation that reads it
    /// (a view, an effect, a memo) to every change of the page.
    pub fn with<R>(self, f: impl FnOnce(&Page) -> R) -> R {
        readers::note();
        self.page.with(f)
    }

    /// Reads the page without subscribing (in event handlers).
    pub fn with_untracked<R>(self, f: impl FnOnce(&Page) -> R) -> R {
        self.page.with_untracked(f)
    }

    /// Applies a message and runs the effects it asks for. A message that
    /// only reports progress ([`Msg::is_progress`]) changes the state without
    /// redrawing: the next tick of the clock shows it.
    pub fn send(self, msg: Msg) {
        let mut cmds = Vec::new();
        let redraw = !msg.is_progress();
        // A message after the page is gone (a late worker) changes nothing.
        let applied = self.page.try_maybe_update(|p| {
            cmds = update(p, msg, now_ms());
            (redraw, ())
        });
        if applied.is_none() {
            return;
        }

        for c in cmds {
            self.run(c);
        }
    }

    /// Runs one effect; its answer comes back through [`Lab::send`].
    pub fn run(self, c: Command) {
        match c {
            Command::Worker(WorkerCommand::Post(i, input)) => POOL.with(|p| {
                if let Some(pool) = p.borrow().as_ref() {
                    pool.post(i, input);
                }
            }),
            Command::Worker(WorkerCommand::Restart(i)) => POOL.with(|p| {
                if let Some(pool) = p.borrow().as_ref() {
                    pool.restart(i);
                }
            }),
            Command::Worker(WorkerCommand::Pool { engine, count }) => POOL.with(|p| {
                let mut p = p.borrow_mut();
                if let Some(old) = p.take() {
                    old.terminate();
                }
                *p = Some(Pool::new(engine, count, std::rc::Rc::new(move |m| self.send(m))));
            }),
            Command::AskWebGpu => leptos::task::spawn_local(async move { self.send(Msg::WebGpu(files::webgpu_adapter().await)) }),
            Command::FetchShipped(preset) => leptos::task::spawn_local(async move {
                let result = files::fetch_text(&format!("results/{}.json", preset.name()))
                    .await
                    .and_then(|t| Results::from_json(&t));
                self.send(Msg::Shipped(preset, result));
            }),
            Command::FetchModel(preset, key) => leptos::task::spawn_local(async move {
                let bytes = files::fetch_bytes(&crate::lab::inside::shipped_path(preset, key)).await;
                self.send(Msg::ModelFetched(preset, key, bytes));
            }),
            Command::Store(req) => leptos::task::spawn_local(async move {
                let answer = super::storage::run(req).await;
                self.send(Msg::Store(answer));
            }),
            Command::Download { name, mime, bytes } => {
                let r = files::download(&name, mime, &bytes);
                self.send(Msg::Downloaded(name, r));
            }
            Command::CopyLink(query) => leptos::task::spawn_local(async move {
                let url = files::address_with(&query);
                let r = files::copy(&url).await.map(|()| url);
                self.send(Msg::Copied(r));
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
    /// The slices of `lab`'s page.
    pub fn new(lab: Lab) -> Self {
        View {
            shown: Memo::new(move |_| lab.with(|p| p.shown().clone())),
            kept: Memo::new(move |_| lab.with(|p| p.kept_here().map(|k| k.key).collect())),
            marks: Memo::new(move |_| lab.with(|p| p.results.models.iter().map(|m| (m.key, p.reproduced(m))).collect())),
            showing_shipped: Memo::new(move |_| lab.with(|p| p.showing_shipped())),
        }
    }
}

/// The label the run button wears.
pub fn run_label(p: &Page) -> &'static str {
    if p.showing_shipped() { "Reproduce here" } else { "Run" }
}

/// Whether a run is going.
pub fn running(p: &Page) -> bool {
    p.run_state() == RunState::Running
}

/// Which reactive computations read the whole page, for the browser tests.
/// A computation drawn again at every change of the page while reading it
/// is a new reader each time, and leptos 0.8 keeps every dropped reader in
/// the page's subscriber list, so each change costs more than the last
/// (BENCHMARKS.md, "Responsiveness during a run"). Off until watched: then
/// each tracked read records its reader's id (leptos never reuses one).
pub mod readers {
    use leptos::reactive::graph::Observer;
    use std::cell::RefCell;
    use std::collections::BTreeSet;

    thread_local! {
        static SEEN: RefCell<Option<BTreeSet<usize>>> = const { RefCell::new(None) };
    }

    /// Records the current reader, if watching and the read is tracked.
    pub(super) fn note() {
        SEEN.with_borrow_mut(|seen| {
            if let (Some(seen), Some(reader)) = (seen.as_mut(), Observer::get()) {
                seen.insert(reader.0);
            }
        });
    }

    /// Starts watching afresh (the readers seen so far are forgotten).
    pub fn watch() {
        SEEN.with_borrow_mut(|seen| *seen = Some(BTreeSet::new()));
    }

    /// The readers seen since [`watch`], and stops watching.
    pub fn take() -> BTreeSet<usize> {
        SEEN.with_borrow_mut(|seen| seen.take().unwrap_or_default())
    }
}
