//! Settings: a property written (checked, or refused with the value kept),
//! and what a change of experiment or engine brings: the experiment's
//! results from the library, its shipped results, its baselines, its
//! stored checkpoints; a fresh pool of workers for the engine.

use super::Command;
use crate::lab::link::{ENGINE, LabState, Prop};
use crate::lab::page::{LIBRARY, Page, Shipped};
use crate::lab::said::Said;
use crate::lab::store::{ExperimentId, StoreRequest};
use crate::lab::workers::Pending;
use crate::sequence::SuccessSet;
use crate::study::engine::Engine;
use crate::study::results::Results;
use crate::study::settings::Value;

/// Writes a property; a change of experiment swaps in its results.
pub(super) fn set(page: &mut Page, prop: Prop, value: Result<Value, (String, String)>, cmds: &mut Vec<Command>) {
    let value = match value {
        Ok(v) => v,
        Err((text, why)) => {
            let kept = prop.read_text(&page.link);
            return page.say(Said::SettingRefused { name: prop.name(), value: Some(text), why, kept });
        }
    };
    if (prop.is_experiment() || prop.is_lab(&ENGINE)) && page.running() {
        page.say(Said::SettingWaits(prop.label()));
        return;
    }
    let before = prop.read_text(&page.link);
    let mut link: LabState = page.link.clone();
    match prop.write(&mut link, value) {
        Ok(()) => {
            let changed = link.experiment != page.link.experiment;
            let engine = (link.engine != page.link.engine).then_some(link.engine);
            page.link = link;
            if changed {
                switch_experiment(page, cmds);
            }
            if let Some(engine) = engine {
                switch_engine(page, engine, cmds);
            }
            if prop.is_lab(&ENGINE) {
                // The visitor chose: never measured for them.
                page.choice = crate::lab::choice::Choice::Visitor;
            }
        }
        Err(e) => page.say(Said::SettingRefused { name: prop.name(), value: None, why: e, kept: before }),
    }
}

/// Starts the workers of another engine, the link's now (no run is going).
pub(super) fn switch_engine(page: &mut Page, engine: Engine, cmds: &mut Vec<Command>) {
    page.link.engine = engine;
    // Work that was waiting for a worker waits for the new ones.
    cmds.push(Command::Worker(page.workers.pool(engine, page.now)));
    page.say(Said::Engine(engine));
}

/// Adds a custom task (success set) to the experiment.
pub(super) fn add_task(page: &mut Page, g: SuccessSet, cmds: &mut Vec<Command>) {
    let mut tasks = page.config().tasks.clone();
    if tasks.contains(&g) {
        return page.say(Said::TaskAlreadyThere(g));
    }
    tasks.push(g);
    set(page, Prop::Experiment(&crate::study::config::TASKS), Ok(Value::Tasks(tasks)), cmds);
}

/// After the experiment changed: file the old results in the library and
/// take the new experiment's from it, and ask for what it needs.
pub(super) fn switch_experiment(page: &mut Page, cmds: &mut Vec<Command>) {
    let config = page.config().clone();
    if page.results.config != config {
        let old = std::mem::replace(&mut page.results, Results::unmeasured(config.clone()));
        if has_content(&old) {
            page.library.retain(|r| r.config != old.config);
            page.library.push(old);
            if page.library.len() > LIBRARY {
                page.library.remove(0);
            }
        }
        if let Some(i) = page.library.iter().position(|r| r.config == config) {
            page.results = page.library.remove(i);
        }
        if !page.running() {
            page.run = None;
        }
        page.inside = crate::lab::inside::Inside::default();
        // Checkpoints of other experiments stay in memory only until
        // storage holds them.
        let store = &page.store;
        let id = ExperimentId::of(&config);
        page.kept.retain(|k| k.experiment == id || !store.has_checkpoint(&k.experiment, k.key));
    }
    arrive(page, cmds);
}

/// What a newly shown experiment needs: its shipped results, its baselines
/// measured, its stored checkpoints.
pub(super) fn arrive(page: &mut Page, cmds: &mut Vec<Command>) {
    page.shipped = match page.preset() {
        Some(p) => {
            cmds.push(Command::FetchShipped(p));
            Shipped::Loading
        }
        None => Shipped::None,
    };
    if !page.results.is_measured() {
        page.workers.queue(Pending::Prepare(page.config().clone()));
    }
    load_checkpoints(page, cmds);
}

/// Asks storage for the current experiment's checkpoints, if it holds any
/// not in memory.
pub(super) fn load_checkpoints(page: &mut Page, cmds: &mut Vec<Command>) {
    let id = page.experiment_id();
    let Some(stored) = page.store.experiments.get(&id) else { return };
    let missing = stored.checkpoints.iter().any(|key| !page.kept.iter().any(|k| k.experiment == id && k.key == *key));
    if page.store.is_open() && missing {
        cmds.push(Command::Store(StoreRequest::LoadCheckpoints(id, page.config().clone())));
    }
}

/// Whether results hold anything trained or imported.
pub(super) fn has_content(r: &Results) -> bool {
    !r.models.is_empty() || !r.failures.is_empty() || !r.curves.pretrain.is_empty()
}

