//! Files: results imported (merged into their experiment's) and exported,
//! models imported (measured on this experiment's histories) and saved,
//! the shipped results arriving, results stored, and clearing.

use super::{Command, Export};
use crate::lab::page::{Page, Shipped};
use crate::lab::said::{Said, Status, Why};
use crate::lab::workers::Pending;
use crate::study::checkpoint::{self, MAX_CHECKPOINT_BYTES};
use crate::study::config::{EXPERIMENT, ExperimentConfig};
use crate::study::key::ModelKey;
use crate::study::preset::Preset;
use crate::study::results::Results;
use std::sync::Arc;

/// The results a preset ships arrived (or could not be fetched).
pub(super) fn shipped(page: &mut Page, preset: Preset, result: Result<Results, String>) {
    if page.preset() != Some(preset) {
        return;
    }
    page.shipped = match result {
        Ok(r) if r.config == *page.config() => {
            // The shipped file carries the baselines measured on the same
            // histories.
            page.results.take_baselines(&r);
            Shipped::Loaded(Box::new(r))
        }
        Ok(r) => Shipped::OtherExperiment(differing(&r.config, page.config())),
        Err(e) => Shipped::Failed(e),
    };
}

/// The settings, by their link names, in which two experiments differ.
fn differing(a: &ExperimentConfig, b: &ExperimentConfig) -> Vec<&'static str> {
    EXPERIMENT.iter().filter(|s| (s.get)(a) != (s.get)(b)).map(|s| s.name).collect()
}

/// The shown results offered as a download.
pub(super) fn export(page: &mut Page, format: Export, cmds: &mut Vec<Command>) {
    let shown = page.shown();
    let (name, mime, bytes): (&str, &'static str, Result<Vec<u8>, String>) = match format {
        Export::Json => ("opimp-results.json", "application/json", shown.to_json().map(String::into_bytes)),
        Export::Csv => ("opimp-results.csv", "text/csv", Ok(shown.to_csv().into_bytes())),
    };
    match bytes {
        Ok(b) => cmds.push(Command::Download { name: name.into(), mime, bytes: Arc::new(b) }),
        Err(e) => page.say(Said::NotWritten(name.into(), e)),
    }
}

/// A kept model offered as a download.
pub(super) fn save_model(page: &mut Page, key: ModelKey, cmds: &mut Vec<Command>) {
    let kept = page.kept_here().find(|k| k.key == key).map(|k| k.checkpoint.clone());
    match kept {
        Some(bytes) => cmds.push(Command::Download { name: key.file_name(), mime: "application/octet-stream", bytes }),
        None => page.say(Said::CheckpointNotKept(key)),
    }
}

/// Stores the current experiment's results (when there is something to
/// store and its baselines are measured).
pub(super) fn save_results(page: &mut Page, cmds: &mut Vec<Command>) {
    if !page.results.is_measured() || !super::settings::has_content(&page.results) {
        return;
    }
    match page.store.save_results(&page.results) {
        Ok(Some(req)) => cmds.push(Command::Store(req)),
        Ok(None) => {}
        Err(e) => page.say(Said::Storage(e)),
    }
}

/// Forgets every stored result and kept model.
pub(super) fn clear(page: &mut Page, cmds: &mut Vec<Command>) {
    if page.running() {
        return page.say(Said::ClearWaits);
    }
    page.library.clear();
    page.kept.clear();
    let config = page.config().clone();
    let mut fresh = Results::unmeasured(config);
    fresh.take_baselines(&page.results);
    page.results = fresh;
    page.run = None;
    if let Some(req) = page.store.clear() {
        cmds.push(Command::Store(req));
    } else {
        page.say(Said::ClearedHere);
    }
    super::settings::arrive(page, cmds);
}

/// A results file imported: refused whole, or merged into its experiment's.
pub(super) fn import_results(page: &mut Page, name: &str, bytes: Result<Vec<u8>, String>, cmds: &mut Vec<Command>) {
    if page.running() {
        page.say(Said::ImportRefused(name.to_string(), Why::RunGoing));
        return;
    }
    let parsed = bytes
        .and_then(|b| String::from_utf8(b).map_err(|_| "the file is not text".to_string()))
        .and_then(|t| Results::from_json(&t));
    let r = match parsed {
        Ok(r) => r,
        Err(e) => return page.say(Said::ImportRefused(name.to_string(), Why::Other(e))),
    };
    let n = r.models.len();
    if r.config != *page.config() {
        // Checked before anything changes: the merge below cannot fail.
        page.link.experiment = r.config.clone();
        // A study run with a preset's settings links as that preset.
        if let Some(p) = r.config.which_preset() {
            page.link.preset = p;
        }
        super::settings::switch_experiment(page, cmds);
    }
    if !super::settings::has_content(&page.results) {
        let mut r = r;
        if !r.is_measured() {
            r.take_baselines(&page.results);
        }
        page.results = r;
    } else if let Err(e) = page.results.merge(r) {
        return page.say(Said::ImportRefused(name.to_string(), Why::Other(e)));
    }
    page.say(Said::ResultsImported(name.to_string(), n));
    save_results(page, cmds);
}

/// A model file imported: checked by its header, then measured by a worker.
pub(super) fn import_model(page: &mut Page, name: String, size: u64, bytes: Result<Vec<u8>, String>) {
    if page.running() {
        return page.say(Said::ImportRefused(name.to_string(), Why::RunGoing));
    }
    if size > MAX_CHECKPOINT_BYTES as u64 {
        return page.say(Said::ImportRefused(name, Why::TooLarge { mb: size >> 20, max_mb: (MAX_CHECKPOINT_BYTES >> 20) as u64 }));
    }
    let checked = bytes.map_err(Why::Other).and_then(|b| {
        let (header, _) = checkpoint::read_header(&b).map_err(Why::Other)?;
        let key = header.model().ok_or(Why::Other("this checkpoint does not say how it was trained".into()))?;
        if !page.config().models().contains(&key) {
            return Err(Why::Other(format!("the model ({key}) is not part of this experiment: add its size, seed and task first")));
        }
        if page.results.has(key) {
            return Err(Why::AlreadyThere(key));
        }
        Ok((key, b))
    });
    match checked {
        Ok((key, b)) => {
            page.workers.queue(Pending::Measure { key, name: name.clone(), bytes: Arc::new(b) });
            page.status = Status::Measuring(name);
        }
        Err(why) => page.say(Said::ImportRefused(name, why)),
    }
}

