//! What the page says to the visitor, as values: every message, refusal and
//! status the page shows is a variant here, and each sentence is written
//! once, in its `Display`. The state says which (tests match variants);
//! the view renders the words.

use crate::sequence::SuccessSet;
use crate::study::engine::{Engine, NEAR_OP, NEAR_SUCCESS};
use crate::study::key::ModelKey;
use crate::study::progress::fmt_duration;
use crate::study::size::{Size, group_digits};
use std::fmt;

/// Why something the visitor asked for was refused (or could not be done).
#[derive(Clone, Debug, PartialEq)]
pub enum Why {
    /// A run is going; it waits for the run to end.
    RunGoing,
    /// The model is already in the results.
    AlreadyThere(ModelKey),
    /// The file is larger than the page reads.
    TooLarge {
        /// Its size (MB).
        mb: u64,
        /// The most the page reads (MB).
        max_mb: u64,
    },
    /// Another reason, as the part of the lab that refused it says it.
    Other(String),
}

impl fmt::Display for Why {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Why::RunGoing => write!(f, "a run is going; cancel it first"),
            Why::AlreadyThere(key) => write!(f, "{key} is already in the results (clear them first)"),
            Why::TooLarge { mb, max_mb } => write!(f, "it is {mb} MB; a checkpoint is at most {max_mb} MB"),
            Why::Other(s) => f.write_str(s),
        }
    }
}

/// A message to the visitor (the page keeps the last eight).
#[derive(Clone, Debug, PartialEq)]
pub enum Said {
    /// A task the experiment already has.
    TaskAlreadyThere(SuccessSet),
    /// The benchmark waits for the run.
    BenchWaits,
    /// The benchmark started.
    BenchStarted,
    /// One benchmark figure.
    BenchFigure {
        /// The size.
        size: Size,
        /// Members in the stack.
        members: usize,
        /// The engine timed.
        engine: Engine,
        /// Milliseconds per step of the stack.
        ms_per_step: f64,
        /// Warm-up steps before the time settled.
        warmup: usize,
    },
    /// A typed history was not used.
    HistoryRefused(String),
    /// A download could not be made (the file's name, why).
    NotWritten(String, String),
    /// A download was refused by the browser (the file's name, why).
    NotSaved(String, String),
    /// A model's checkpoint is not kept here.
    CheckpointNotKept(ModelKey),
    /// The link was copied (the address).
    LinkCopied(String),
    /// The link was not copied (why).
    LinkNotCopied(String),
    /// A setting's value was not used (the setting's name, the text given,
    /// why, the value kept).
    SettingRefused {
        /// The setting's name in links.
        name: &'static str,
        /// The text given, when it was text.
        value: Option<String>,
        /// Why.
        why: String,
        /// The value kept, as link text.
        kept: String,
    },
    /// A setting waits for the run (its label).
    SettingWaits(&'static str),
    /// The engine is now this one.
    Engine(Engine),
    /// A link asked for an engine that cannot run here (why); the CPU runs.
    EngineUnavailable(Engine, String),
    /// Clearing waits for the run.
    ClearWaits,
    /// Cleared, with no storage in use.
    ClearedHere,
    /// A custom experiment too long to start on its own (minutes).
    LongExperiment(f64),
    /// An import refused, nothing changed (the file's name, why).
    ImportRefused(String, Why),
    /// A model imported and measured (the file's name, the model).
    ModelImported(String, ModelKey),
    /// Results imported and merged (the file's name, how many models).
    ResultsImported(String, usize),
    /// The baselines could not be measured (why).
    BaselinesFailed(String),
    /// A worker could not read a message (why).
    WorkerConfused(String),
    /// A work of the run failed (the work in words, why).
    WorkFailed(String, String),
    /// A worker could not start (why, workers left).
    WorkerNotStarted(String, usize),
    /// The page's engine choice, measured before a long run.
    EngineMeasured {
        /// The engine chosen.
        chosen: Engine,
        /// The GPU's time per step over the CPU's at the experiment's largest size.
        ratio: f64,
        /// That size.
        size: Size,
    },
    /// Something about the browser's storage.
    Storage(StoreNote),
    /// Free text from outside the lab's state (the shell's own reports).
    Text(String),
}

impl fmt::Display for Said {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Said::TaskAlreadyThere(g) => write!(f, "The experiment already has the task {g}."),
            Said::BenchWaits => f.write_str("The benchmark waits for the run to finish (it would slow it down and be slowed by it)."),
            Said::BenchStarted => f.write_str(
                "Benchmark: warming up until the time per step settles, then timing 10 steps (batch 64) of each size on one worker…",
            ),
            Said::BenchFigure { size, members, engine, ms_per_step, warmup } => write!(
                f,
                "Benchmark: size {size} ({} parameters), {members} model(s) as one stack, on the {}: {ms_per_step:.1} ms per step \
                 ({:.1} ms per model-step; settled after {warmup} warm-up steps)",
                group_digits(size.params()),
                engine.short(),
                ms_per_step / *members as f64
            ),
            Said::HistoryRefused(e) => write!(f, "That history was not used: {e}."),
            Said::NotWritten(name, e) => write!(f, "{name} was not written: {e}"),
            Said::NotSaved(name, e) => write!(f, "{name} could not be saved: {e}"),
            Said::CheckpointNotKept(key) => {
                write!(f, "The checkpoint of {key} is not kept here (it was trained elsewhere, or storage gave it up).")
            }
            Said::LinkCopied(url) => write!(f, "Link copied: {url}"),
            Said::LinkNotCopied(e) => write!(f, "The link was not copied: {e}. Copy it from the address bar."),
            Said::SettingRefused { name, value: Some(v), why, kept } => write!(f, "{name} = {v} was not used: {why}; kept {kept}"),
            Said::SettingRefused { name, value: None, why, kept } => write!(f, "{name} was not used: {why}; kept {kept}"),
            Said::SettingWaits(label) => write!(f, "{label} can change once the run ends (cancel it first)."),
            Said::Engine(Engine::Cpu) => f.write_str("Engine: the CPU. Its numbers are the same bit for bit in every browser."),
            Said::Engine(Engine::Gpu) => write!(
                f,
                "Engine: the GPU (WebGPU). Its numbers are near the CPU engine's, not equal: success within {NEAR_SUCCESS}, Op within \
                 {NEAR_OP} nats of the shipped results is called near."
            ),
            Said::EngineUnavailable(engine, why) => {
                write!(f, "engine={}: {why}. The lab trains on the CPU instead (the same numbers bit for bit).", engine.name())
            }
            Said::ClearWaits => f.write_str("Clearing waits for the run to end (cancel it first)."),
            Said::ClearedHere => f.write_str("Results and kept models cleared from this page (the browser's storage was not in use)."),
            Said::LongExperiment(minutes) => write!(
                f,
                "This experiment takes about {} in this browser; press Run to start it (or run it with `opimp sweep --engine wasm` and import the results).",
                fmt_duration(minutes * 60.0)
            ),
            Said::ImportRefused(name, why) => write!(f, "Import of {name} refused: {why}. Nothing was changed."),
            Said::ModelImported(name, key) => write!(f, "Imported {name}: {key}, measured on this experiment's histories."),
            Said::ResultsImported(name, n) => write!(f, "Imported {n} model(s) from {name} (merged with this experiment's results)."),
            Said::BaselinesFailed(e) => write!(f, "The scripted policies could not be measured: {e}"),
            Said::WorkerConfused(e) => write!(f, "A worker could not read a message: {e}"),
            Said::WorkFailed(work, e) => write!(f, "{work} failed: {e}"),
            Said::WorkerNotStarted(e, left) => write!(f, "A training worker could not start ({e}); {left} worker(s) left."),
            Said::EngineMeasured { chosen, ratio, size } => write!(
                f,
                "Engine chosen by measuring a few steps of size {size} on each: the GPU took {ratio:.2}× the CPU's time per step, so this run \
                 trains on the {} (change it in Settings).",
                chosen.short()
            ),
            Said::Storage(x) => x.fmt(f),
            Said::Text(s) => f.write_str(s),
        }
    }
}

/// What the page says about the browser's storage (`lab::store`'s answers).
#[derive(Clone, Debug, PartialEq)]
pub enum StoreNote {
    /// results will not survive a reload (why).
    StorageUnavailable(String),
    /// the stored results could not be read (why).
    LibraryUnreadable(String),
    /// some stored experiments are of another version (how many).
    LibraryOtherVersion(usize),
    /// kept models could not be read (why).
    CheckpointsUnreadable(String),
    /// full, and nothing to give up.
    StorageFullNoRoom,
    /// refused the results (why).
    ResultsNotStored(String),
    /// full, a checkpoint not kept.
    CheckpointNotStoredFull(ModelKey),
    /// a checkpoint not kept (why).
    CheckpointNotStored(ModelKey, String),
    /// full and checkpoints could not be given up (why).
    CouldNotMakeRoom(String),
    /// Storage cleared.
    StorageCleared,
    /// Storage could not be cleared (why).
    StorageNotCleared(String),
    /// Storage was full: checkpoints given up (how many, of how many
    /// experiments, results kept of how many experiments).
    GaveUpCheckpoints {
        /// Checkpoints given up.
        dropped: usize,
        /// Of this many experiments.
        experiments: usize,
        /// Experiments whose results are kept.
        kept: usize,
    },
    /// Results could not be stored (why).
    ResultsNotSerialised(String),
}

impl fmt::Display for StoreNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreNote::StorageUnavailable(e) => write!(f, "Results will not survive a reload: {e}."),
            StoreNote::LibraryUnreadable(e) => write!(f, "Stored results could not be read ({e}); new results will be kept if the browser allows."),
            StoreNote::LibraryOtherVersion(n) => {
                write!(f, "{n} stored experiment(s) could not be read by this version of the lab; they are left in storage untouched.")
            }
            StoreNote::CheckpointsUnreadable(e) => write!(f, "Kept models could not be read from storage ({e})."),
            StoreNote::StorageFullNoRoom => f.write_str(
                "The browser's storage is full and holds no checkpoints to give up: these results were not stored; download them with Export JSON.",
            ),
            StoreNote::ResultsNotStored(e) => write!(f, "The browser refused to store the results ({e}); download them with Export JSON."),
            StoreNote::CheckpointNotStoredFull(key) => write!(
                f,
                "The browser's storage is full: the checkpoint of {key} was not kept across a reload (its results are kept; save it from the models table now)."
            ),
            StoreNote::CheckpointNotStored(key, e) => write!(
                f,
                "The checkpoint of {key} could not be kept across a reload ({e}); its results are kept, and it can be saved from the models table now."
            ),
            StoreNote::CouldNotMakeRoom(e) => {
                write!(f, "Storage is full and stored checkpoints could not be given up ({e}); download results with Export JSON.")
            }
            StoreNote::StorageCleared => f.write_str("Stored results and kept models cleared."),
            StoreNote::StorageNotCleared(e) => write!(f, "Storage could not be cleared ({e})."),
            StoreNote::GaveUpCheckpoints { dropped, experiments, kept } => write!(
                f,
                "The browser's storage was full: the {dropped} stored checkpoint(s) of the {experiments} oldest experiment(s) were given up; \
                 the results of all {kept} stored experiment(s) are kept."
            ),
            StoreNote::ResultsNotSerialised(e) => write!(f, "These results could not be stored ({e})."),
        }
    }
}

/// The status line.
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    /// Nothing has happened yet.
    Ready,
    /// A run started (reproducing shipped results or not, models, workers).
    Training {
        /// Whether it reproduces the shipped results.
        reproducing: bool,
        /// Models to train.
        models: usize,
        /// Workers it runs on.
        workers: usize,
    },
    /// A work's step (the work in words).
    Step(String, usize, usize),
    /// Every model is already trained.
    AllTrained(usize),
    /// No worker could start.
    Unavailable,
    /// The run was cancelled (works stopped, models kept).
    Cancelled(usize, usize),
    /// The run is done.
    Done {
        /// Models measured.
        models: usize,
        /// Failures.
        failures: usize,
        /// Seconds it took.
        seconds: f64,
        /// When reproducing: how many models equal (or, on the GPU, are
        /// near) the shipped ones, of how many, and on which engine.
        reproduced: Option<(usize, usize, Engine)>,
        /// Where the workers' time went, in words.
        time: Option<String>,
    },
    /// Timing each engine before a long run (the size timed).
    ChoosingEngine(Size),
    /// An imported model is being measured (the file's name).
    Measuring(String),
    /// The imported model is measured.
    Measured,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::Ready => f.write_str("Ready. Scripted policies and the last two sections need no training."),
            Status::Training { reproducing, models, workers } => write!(
                f,
                "{} {models} model(s) on {workers} worker(s)…",
                if *reproducing { "Reproducing the shipped results: training" } else { "Training" }
            ),
            Status::Step(work, step, total) => write!(f, "{work}: step {step} of {total}"),
            Status::AllTrained(n) => write!(
                f,
                "Every model of this experiment is already trained ({n} models); change a setting or clear the results to train again."
            ),
            Status::Unavailable => f.write_str("Training is unavailable: no worker could start in this browser."),
            Status::Cancelled(stopped, kept) => write!(f, "Cancelled: {stopped} running work(s) stopped; {kept} finished model(s) kept."),
            Status::Done { models, failures, seconds, reproduced, time } => {
                if *failures == 0 {
                    write!(f, "Done: {models} model(s) trained and measured in {}.", fmt_duration(*seconds))?;
                } else {
                    write!(f, "Done in {}: {models} model(s) measured, {failures} failure(s) (see messages).", fmt_duration(*seconds))?;
                }
                match reproduced {
                    Some((n, of, Engine::Cpu)) => write!(f, " {n} of {of} equal the shipped numbers bit for bit.")?,
                    Some((n, of, Engine::Gpu)) => write!(
                        f,
                        " {n} of {of} are near the shipped numbers (GPU engine: success within {NEAR_SUCCESS}, Op within {NEAR_OP})."
                    )?,
                    None => {}
                }
                match time {
                    Some(t) => write!(f, " Time: {t}."),
                    None => Ok(()),
                }
            }
            Status::ChoosingEngine(size) => write!(f, "Timing a few training steps of size {size} on the CPU and on the GPU, to train on the faster…"),
            Status::Measuring(name) => write!(f, "Measuring the model in {name}…"),
            Status::Measured => f.write_str("The imported model is measured."),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_sentence_reads_as_the_page_said_it() {
        let key = ModelKey { size: Size::S, seed: 0, task: SuccessSet::N4 };
        assert_eq!(
            Said::ImportRefused("a.safetensors".into(), Why::AlreadyThere(key)).to_string(),
            "Import of a.safetensors refused: s seed 0 on n4 is already in the results (clear them first). Nothing was changed."
        );
        assert_eq!(Status::Cancelled(2, 3).to_string(), "Cancelled: 2 running work(s) stopped; 3 finished model(s) kept.");
        let done = Status::Done { models: 4, failures: 0, seconds: 65.0, reproduced: Some((4, 4, Engine::Cpu)), time: None };
        assert!(done.to_string().ends_with("4 of 4 equal the shipped numbers bit for bit."), "{done}");
    }
}
