//! The page's one update function: a message in, the next state and the
//! effects to run out. Pure: every effect (posting to workers, restarting
//! them, fetching files, storage, downloads, the clipboard) is a
//! [`Command`] the web shell runs, and its answer comes back as a [`Msg`].
//! [`update`] routes each message to the part of the page that owns it
//! (the files below `update/`: settings, the run, the workers, files,
//! storage, the look inside a model).

mod choice;
mod files;
mod inside;
mod run;
mod settings;
mod storage;
mod workers;

use super::inside::HistoryChoice;
use super::link::Prop;
use super::page::*;
use super::said::Said;
use super::store::{StoreAnswer, StoreRequest};
use super::workers::WorkerCommand;
use crate::sequence::SuccessSet;
use crate::study::event::Event;
use crate::study::key::ModelKey;
use crate::study::preset::Preset;
use crate::study::protocol::WorkerOutput;
use crate::study::results::Results;
use crate::study::settings::Value;
use std::sync::Arc;

/// A file the page offers for download.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Export {
    /// The shown results as JSON (the format `opimp sweep` writes).
    Json,
    /// The shown results as CSV, one row per model.
    Csv,
}

/// Everything that can happen to the page.
#[derive(Clone, Debug)]
pub enum Msg {
    /// The page has mounted: open storage, fetch what the site ships,
    /// measure the baselines. `autorun`: the link names a custom
    /// experiment, to run once stored results are in if it is short.
    Start {
        /// Whether to run a short custom experiment the link names.
        autorun: bool,
    },
    /// A control set a property to a value.
    Set(Prop, Value),
    /// A control set a property from text.
    SetText(Prop, String),
    /// Adds a custom task (success set) to the experiment.
    AddTask(SuccessSet),
    /// Train the experiment's missing models (or reproduce the shipped ones).
    Run,
    /// Stop the run, keeping finished models.
    Cancel,
    /// Forget every stored result and kept model.
    Clear,
    /// Time training steps in this browser.
    Benchmark,
    /// The browser said whether it offers WebGPU: the adapter, or why not.
    WebGpu(Result<String, String>),
    /// A worker said something (its first word: Ready, or Unavailable).
    Worker(usize, WorkerOutput),
    /// A worker died or could not start.
    WorkerDied(usize, String),
    /// A results file was chosen (its name and bytes, or why it was unreadable).
    ImportResults(String, Result<Vec<u8>, String>),
    /// A model file was chosen (its name, its size in bytes, its bytes or why unreadable).
    ImportModel(String, u64, Result<Vec<u8>, String>),
    /// The shipped results of a preset arrived (or failed to).
    Shipped(Preset, Result<Results, String>),
    /// Storage answered.
    Store(StoreAnswer),
    /// Look inside a model: pick it.
    InsideModel(ModelKey),
    /// Look inside a model: pick the history.
    InsideHistory(HistoryChoice),
    /// Look inside a model: a typed history.
    InsideHistoryText(String),
    /// A shipped checkpoint arrived (or could not be fetched).
    ModelFetched(Preset, ModelKey, Result<Vec<u8>, String>),
    /// Download the shown results.
    Export(Export),
    /// Download a kept model's checkpoint.
    SaveModel(ModelKey),
    /// Copy the link to the clipboard.
    CopyLink,
    /// The clipboard answered: the address copied, or why not.
    Copied(Result<String, String>),
    /// A download was offered, or why not (the file's name).
    Downloaded(String, Result<(), String>),
    /// The clock ticked.
    Tick,
    /// Something to tell the user.
    Say(String),
    /// The link notices were read.
    DismissNotices,
    /// The messages were read.
    DismissMessages,
}

impl Msg {
    /// Whether the message only moves a run along: a training step or a
    /// curve point. The page shows these with the next tick of the clock (at
    /// most a second later) instead of redrawing for each: a worker reports
    /// up to ten steps a second and a stack of five nets five points at once,
    /// and every redraw is time the page's thread takes from the workers on
    /// the same cores (BENCHMARKS.md, "Responsiveness during a run").
    pub fn is_progress(&self) -> bool {
        matches!(
            self,
            Msg::Worker(_, WorkerOutput::Event { event: Event::Step { .. } | Event::PretrainPoint { .. } | Event::RlPoint { .. }, .. })
        )
    }
}

/// An effect for the web shell to run.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Something to do to the workers.
    Worker(WorkerCommand),
    /// Ask the browser whether it offers WebGPU (answered by [`Msg::WebGpu`]).
    AskWebGpu,
    /// Fetch the results the site ships for a preset.
    FetchShipped(Preset),
    /// Fetch a checkpoint the site ships for a preset (answered by
    /// [`Msg::ModelFetched`]).
    FetchModel(Preset, ModelKey),
    /// Ask storage something (answered by [`Msg::Store`]).
    Store(StoreRequest),
    /// Offer a file for download (answered by [`Msg::Downloaded`]).
    Download {
        /// The file's name.
        name: String,
        /// Its type.
        mime: &'static str,
        /// Its bytes.
        bytes: Arc<Vec<u8>>,
    },
    /// Copy the page's address with this query to the clipboard (answered
    /// by [`Msg::Copied`]).
    CopyLink(String),
}

/// The next state and the effects to run.
pub fn update(page: &mut Page, msg: Msg, now: f64) -> Vec<Command> {
    page.now = now;
    let mut cmds = Vec::new();
    match msg {
        Msg::Start { autorun } => {
            page.autorun = autorun;
            cmds.push(Command::Worker(page.workers.start(page.engine())));
            cmds.push(Command::AskWebGpu);
            cmds.push(Command::Store(StoreRequest::Open));
            settings::arrive(page, &mut cmds);
        }
        Msg::Set(prop, value) => settings::set(page, prop, Ok(value), &mut cmds),
        Msg::SetText(prop, text) => match prop.parse(&text) {
            Ok(v) => settings::set(page, prop, Ok(v), &mut cmds),
            Err(why) => settings::set(page, prop, Err((text, why)), &mut cmds),
        },
        Msg::AddTask(g) => settings::add_task(page, g, &mut cmds),
        Msg::Run => choice::request(page),
        Msg::Cancel => run::cancel(page, &mut cmds),
        Msg::Clear => files::clear(page, &mut cmds),
        Msg::Benchmark => workers::benchmark(page),
        Msg::WebGpu(answer) => workers::webgpu(page, answer),
        Msg::Worker(i, out) => workers::output(page, i, out, &mut cmds),
        Msg::WorkerDied(i, message) => workers::died(page, i, message, &mut cmds),
        Msg::Tick => workers::tick(page, &mut cmds),
        Msg::ImportResults(name, bytes) => files::import_results(page, &name, bytes, &mut cmds),
        Msg::ImportModel(name, size, bytes) => files::import_model(page, name, size, bytes),
        Msg::Shipped(preset, result) => files::shipped(page, preset, result),
        Msg::Export(format) => files::export(page, format, &mut cmds),
        Msg::SaveModel(key) => files::save_model(page, key, &mut cmds),
        Msg::Store(answer) => storage::answer(page, answer, &mut cmds),
        Msg::InsideModel(key) => inside::pick_model(page, key, &mut cmds),
        Msg::InsideHistory(h) => inside::pick_history(page, h, &mut cmds),
        Msg::InsideHistoryText(text) => inside::type_history(page, &text, &mut cmds),
        Msg::ModelFetched(preset, key, result) => inside::fetched(page, preset, key, result, &mut cmds),
        Msg::CopyLink => cmds.push(Command::CopyLink(super::link::serialize(&page.link))),
        Msg::Copied(Ok(url)) => page.say(Said::LinkCopied(url)),
        Msg::Copied(Err(e)) => page.say(Said::LinkNotCopied(e)),
        Msg::Downloaded(_, Ok(())) => {}
        Msg::Downloaded(name, Err(e)) => page.say(Said::NotSaved(name, e)),
        Msg::Say(m) => page.say(Said::Text(m)),
        Msg::DismissNotices => page.notices.clear(),
        Msg::DismissMessages => page.messages.clear(),
    }
    workers::dispatch(page, &mut cmds);
    cmds
}

#[cfg(test)]
mod tests;
