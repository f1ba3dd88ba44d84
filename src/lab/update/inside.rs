//! The look inside a model: which model and history, the checkpoint it
//! needs (kept here, or shipped and fetched), then a worker.

use super::Command;
use crate::lab::inside::{HistoryChoice, Looking, parse_history, shipped_models};
use crate::lab::page::Page;
use crate::lab::said::Said;
use crate::lab::workers::Pending;
use crate::study::key::ModelKey;
use crate::study::preset::Preset;
use std::sync::Arc;

/// A model picked.
pub(super) fn pick_model(page: &mut Page, key: ModelKey, cmds: &mut Vec<Command>) {
    page.inside.model = Some(key);
    look(page, cmds);
}

/// A history picked.
pub(super) fn pick_history(page: &mut Page, h: HistoryChoice, cmds: &mut Vec<Command>) {
    page.inside.history = h;
    look(page, cmds);
}

/// A history typed.
pub(super) fn type_history(page: &mut Page, text: &str, cmds: &mut Vec<Command>) {
    match parse_history(text) {
        Ok(h) => pick_history(page, HistoryChoice::Typed(h), cmds),
        Err(e) => page.say(Said::HistoryRefused(e)),
    }
}

/// A shipped checkpoint arrived, or could not be fetched.
pub(super) fn fetched(page: &mut Page, preset: Preset, key: ModelKey, result: Result<Vec<u8>, String>, cmds: &mut Vec<Command>) {
    match result {
        Ok(bytes) => {
            page.fetched.retain(|(p, k, _)| !(*p == preset && *k == key));
            page.fetched.push((preset, key, Arc::new(bytes)));
            look(page, cmds);
        }
        Err(e) if page.inside.model == Some(key) => {
            page.inside.looking = Looking::Failed(format!("the shipped checkpoint of {key} could not be fetched ({e})"));
        }
        Err(_) => {}
    }
}

/// Asks for the look inside the picked model on the picked history: its
/// checkpoint (kept here, or shipped and fetched), then a worker.
fn look(page: &mut Page, cmds: &mut Vec<Command>) {
    let Some(key) = page.inside.model else {
        page.inside.looking = Looking::Idle;
        return;
    };
    let kept = page.kept_here().find(|k| k.key == key).map(|k| k.checkpoint.clone());
    let preset = page.preset();
    let fetched = preset.and_then(|p| page.fetched.iter().find(|(fp, k, _)| *fp == p && *k == key).map(|(_, _, b)| b.clone()));
    let checkpoint = match (kept, fetched, preset) {
        (Some(b), _, _) | (None, Some(b), _) => b,
        (None, None, Some(p)) if shipped_models(p).contains(&key) => {
            page.inside.looking = Looking::Fetching;
            cmds.push(Command::FetchModel(p, key));
            return;
        }
        _ => {
            page.inside.looking = Looking::Failed(format!("no checkpoint of {key} is kept here (train it, or pick a shipped model)"));
            return;
        }
    };
    page.workers.queue(Pending::Inspect { checkpoint, history: page.inside.history.clone() });
    page.inside.looking = Looking::Computing;
}

