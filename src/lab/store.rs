//! What the page keeps across reloads, as the page's state knows it: which
//! experiments' results and which fine-tuned models' checkpoints the
//! browser's storage holds, the requests the page makes of it and the
//! answers that come back. The shell runs the requests against IndexedDB
//! (`web::storage`); everything decided about storage is decided here, so
//! it is tested natively.
//!
//! Results come first. When the browser's quota is reached, checkpoints are
//! given up to make room, the oldest experiment's first (by when its
//! results were last saved), and the page says what it kept. A save counts
//! as done only when its transaction has completed.

use super::said::StoreNote;
use crate::study::config::ExperimentConfig;
use crate::study::key::ModelKey;
use crate::study::results::Results;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

/// An experiment's key in storage: a hash of its config.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExperimentId(pub String);

impl ExperimentId {
    /// The id of an experiment.
    pub fn of(config: &ExperimentConfig) -> Self {
        let text = serde_json::to_string(config).unwrap_or_default();
        let mut h = 0xCBF2_9CE4_8422_2325u64;
        for b in text.bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01B3);
        }
        ExperimentId(format!("{h:016x}"))
    }

    /// The key a model's checkpoint is stored under: the experiment's id,
    /// then the model, so that one experiment's checkpoints are a key range.
    pub fn model_key(&self, key: ModelKey) -> String {
        format!("{}/{}/{}/{}", self.0, key.size, key.seed, key.task.name())
    }
}

impl fmt::Display for ExperimentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why storage refused a request.
#[derive(Clone, Debug, PartialEq)]
pub enum StoreError {
    /// The browser's quota is reached (`QuotaExceededError`).
    Quota,
    /// The browser offers no storage (private mode, no IndexedDB), or it
    /// could not be opened.
    Unavailable(String),
    /// Another refusal: the DOMException's name and message.
    Failed {
        /// The exception's name.
        name: String,
        /// Its message.
        message: String,
    },
}

impl StoreError {
    /// A refusal by the DOMException's name (the quota is known by it).
    pub fn from_exception(name: &str, message: &str) -> Self {
        if name == "QuotaExceededError" {
            StoreError::Quota
        } else {
            StoreError::Failed { name: name.into(), message: message.into() }
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Quota => f.write_str("the browser's storage quota is reached"),
            StoreError::Unavailable(m) => write!(f, "storage is unavailable: {m}"),
            StoreError::Failed { name, message } => write!(f, "{name}: {message}"),
        }
    }
}

/// A request to storage.
#[derive(Clone, Debug, PartialEq)]
pub enum StoreRequest {
    /// Open the database (once; every later request uses it).
    Open,
    /// Read every stored experiment's results and the keys of every stored
    /// checkpoint (keys only).
    LoadLibrary,
    /// Read one experiment's checkpoints (that experiment's alone).
    LoadCheckpoints(ExperimentId, ExperimentConfig),
    /// Store an experiment's results (JSON, checked).
    SaveResults(ExperimentId, Arc<String>),
    /// Store a fine-tuned model's checkpoint.
    SaveCheckpoint(ExperimentId, ModelKey, Arc<Vec<u8>>),
    /// Give up one experiment's stored checkpoints.
    DropCheckpoints(ExperimentId),
    /// Forget every stored result and checkpoint.
    Clear,
}

/// What storage answered.
#[derive(Clone, Debug, PartialEq)]
pub enum StoreAnswer {
    /// The database is open, or why not.
    Opened(Result<(), StoreError>),
    /// Every stored experiment: its results (or why they could not be
    /// read), and the stored checkpoints' keys by experiment.
    Library {
        /// Each stored experiment's results, or why unreadable.
        results: Vec<(ExperimentId, Result<Results, String>)>,
        /// The stored checkpoints, by experiment.
        checkpoints: Vec<(ExperimentId, ModelKey)>,
        /// Set when the library could not be read at all.
        error: Option<StoreError>,
    },
    /// One experiment's checkpoints.
    Checkpoints(ExperimentId, Result<Vec<(ModelKey, Vec<u8>)>, StoreError>),
    /// A results save completed (its transaction committed) or failed.
    ResultsSaved(ExperimentId, Arc<String>, Result<(), StoreError>),
    /// A checkpoint save completed or failed.
    CheckpointSaved(ExperimentId, ModelKey, Arc<Vec<u8>>, Result<(), StoreError>),
    /// An experiment's checkpoints were given up.
    Dropped(ExperimentId, Result<(), StoreError>),
    /// Storage was cleared.
    Cleared(Result<(), StoreError>),
}

/// Whether storage can be used.
#[derive(Clone, Debug, PartialEq)]
pub enum Availability {
    /// Being opened.
    Opening,
    /// Open.
    Open,
    /// Unavailable (the reason).
    Unavailable(String),
}

/// One stored experiment, as the page knows it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stored {
    /// Whether its results are stored.
    pub results: bool,
    /// Its stored checkpoints (each confirmed by a completed transaction).
    pub checkpoints: BTreeSet<ModelKey>,
    /// When its results were last saved, in save order (0: before this
    /// page; older first).
    pub saved: u64,
}

/// A save waiting for room: retried once checkpoints have been given up.
#[derive(Clone, Debug, PartialEq)]
enum Waiting {
    /// Results that did not fit.
    Results(ExperimentId, Arc<String>),
    /// A checkpoint that did not fit.
    Checkpoint(ExperimentId, ModelKey, Arc<Vec<u8>>),
}

/// What the page knows of storage.
#[derive(Clone, Debug, PartialEq)]
pub struct Store {
    /// Whether it can be used.
    pub availability: Availability,
    /// Every stored experiment.
    pub experiments: BTreeMap<ExperimentId, Stored>,
    /// Checkpoints asked to be saved and not yet answered.
    pub saving: BTreeSet<(ExperimentId, ModelKey)>,
    /// The save counter.
    clock: u64,
    /// Saves that did not fit, waiting for checkpoints to be given up.
    waiting: Vec<Waiting>,
    /// Experiments whose checkpoints were given up for room, since the
    /// last notice.
    given_up: Vec<(ExperimentId, usize)>,
}

impl Default for Store {
    fn default() -> Self {
        Store {
            availability: Availability::Opening,
            experiments: BTreeMap::new(),
            saving: BTreeSet::new(),
            clock: 0,
            waiting: Vec::new(),
            given_up: Vec::new(),
        }
    }
}

/// What the page does after an answer: requests to make, and things to say.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reaction {
    /// Requests to make.
    pub requests: Vec<StoreRequest>,
    /// Messages for the user.
    pub say: Vec<StoreNote>,
}

impl Store {
    /// Whether requests can be made.
    pub fn is_open(&self) -> bool {
        self.availability == Availability::Open
    }

    /// Whether a model's checkpoint is stored (confirmed) or being saved.
    pub fn has_checkpoint(&self, id: &ExperimentId, key: ModelKey) -> bool {
        self.experiments.get(id).is_some_and(|e| e.checkpoints.contains(&key)) || self.saving.contains(&(id.clone(), key))
    }

    /// Whether an experiment has stored checkpoints.
    pub fn has_checkpoints(&self, id: &ExperimentId) -> bool {
        self.experiments.get(id).is_some_and(|e| !e.checkpoints.is_empty())
    }

    /// The request that saves `results` (none when storage is closed or
    /// the results do not serialise, which the page says).
    pub fn save_results(&mut self, results: &Results) -> Result<Option<StoreRequest>, StoreNote> {
        if !self.is_open() {
            return Ok(None);
        }
        let json = results.to_json().map_err(StoreNote::ResultsNotSerialised)?;
        Ok(Some(StoreRequest::SaveResults(ExperimentId::of(&results.config), Arc::new(json))))
    }

    /// The request that saves a checkpoint, unless it is stored or being
    /// saved already.
    pub fn save_checkpoint(&mut self, config: &ExperimentConfig, key: ModelKey, bytes: &Arc<Vec<u8>>) -> Option<StoreRequest> {
        let id = ExperimentId::of(config);
        if !self.is_open() || self.has_checkpoint(&id, key) {
            return None;
        }
        self.saving.insert((id.clone(), key));
        Some(StoreRequest::SaveCheckpoint(id, key, bytes.clone()))
    }

    /// The request that clears storage (none when it is closed). What the
    /// page knows is forgotten at once: if clearing then fails, nothing is
    /// taken for stored that might not be.
    pub fn clear(&mut self) -> Option<StoreRequest> {
        self.forget_all();
        self.is_open().then_some(StoreRequest::Clear)
    }

    /// Forgets everything.
    fn forget_all(&mut self) {
        self.experiments.clear();
        self.saving.clear();
        self.waiting.clear();
        self.given_up.clear();
    }

    /// The experiment whose checkpoints go first when room is needed: the
    /// one with checkpoints whose results were saved longest ago, other
    /// than `keep` unless it is the only one.
    fn oldest_with_checkpoints(&self, keep: &ExperimentId) -> Option<ExperimentId> {
        let with: Vec<(&ExperimentId, &Stored)> = self.experiments.iter().filter(|(_, e)| !e.checkpoints.is_empty()).collect();
        let others = with.iter().filter(|(id, _)| *id != keep).min_by_key(|(id, e)| (e.saved, (*id).clone()));
        others.or_else(|| with.first()).map(|(id, _)| (*id).clone())
    }

    /// Takes in an answer: what it changes, and what to do next.
    pub fn answer(&mut self, answer: StoreAnswer) -> Reaction {
        let mut r = Reaction::default();
        match answer {
            StoreAnswer::Opened(Ok(())) => {
                self.availability = Availability::Open;
                r.requests.push(StoreRequest::LoadLibrary);
            }
            StoreAnswer::Opened(Err(e)) => {
                self.availability = Availability::Unavailable(e.to_string());
                r.say.push(StoreNote::StorageUnavailable(e.to_string()));
            }
            StoreAnswer::Library { results, checkpoints, error } => self.library(&results, checkpoints, error, &mut r),
            StoreAnswer::Checkpoints(_, Err(e)) => r.say.push(StoreNote::CheckpointsUnreadable(e.to_string())),
            StoreAnswer::Checkpoints(..) => {}
            StoreAnswer::ResultsSaved(id, json, result) => self.results_saved(id, json, result, &mut r),
            StoreAnswer::CheckpointSaved(id, key, bytes, result) => self.checkpoint_saved(id, key, bytes, result, &mut r),
            StoreAnswer::Dropped(id, result) => self.dropped(id, result, &mut r),
            StoreAnswer::Cleared(Ok(())) => {
                self.forget_all();
                r.say.push(StoreNote::StorageCleared);
            }
            StoreAnswer::Cleared(Err(e)) => r.say.push(StoreNote::StorageNotCleared(e.to_string())),
        }
        r
    }

    /// The stored library arrived: which experiments have results and
    /// checkpoints.
    fn library(&mut self, results: &[(ExperimentId, Result<Results, String>)], checkpoints: Vec<(ExperimentId, ModelKey)>, error: Option<StoreError>, r: &mut Reaction) {
        if let Some(e) = error {
            r.say.push(StoreNote::LibraryUnreadable(e.to_string()));
        }
        let bad = results.iter().filter(|(_, x)| x.is_err()).count();
        if bad > 0 {
            r.say.push(StoreNote::LibraryOtherVersion(bad));
        }
        for (id, _) in results {
            self.experiments.entry(id.clone()).or_default().results = true;
        }
        for (id, key) in checkpoints {
            self.experiments.entry(id).or_default().checkpoints.insert(key);
        }
    }

    /// Results were saved, or room must be made for them.
    fn results_saved(&mut self, id: ExperimentId, json: Arc<String>, result: Result<(), StoreError>, r: &mut Reaction) {
        match result {
            Ok(()) => {
                self.clock += 1;
                let e = self.experiments.entry(id).or_default();
                e.results = true;
                e.saved = self.clock;
                r.say.extend(self.given_up_notice());
            }
            Err(StoreError::Quota) => match self.oldest_with_checkpoints(&id) {
                Some(old) => {
                    self.waiting.push(Waiting::Results(id, json));
                    r.requests.push(StoreRequest::DropCheckpoints(old));
                }
                None => r.say.push(StoreNote::StorageFullNoRoom),
            },
            Err(e) => r.say.push(StoreNote::ResultsNotStored(e.to_string())),
        }
    }

    /// A checkpoint was saved, or room must be made for it (from other
    /// experiments only: a model's own experiment keeps the checkpoints it
    /// has).
    fn checkpoint_saved(&mut self, id: ExperimentId, key: ModelKey, bytes: Arc<Vec<u8>>, result: Result<(), StoreError>, r: &mut Reaction) {
        match result {
            Ok(()) => {
                self.saving.remove(&(id.clone(), key));
                self.experiments.entry(id).or_default().checkpoints.insert(key);
                r.say.extend(self.given_up_notice());
            }
            Err(StoreError::Quota) => match self.oldest_with_checkpoints(&id).filter(|old| *old != id) {
                Some(old) => {
                    self.waiting.push(Waiting::Checkpoint(id, key, bytes));
                    r.requests.push(StoreRequest::DropCheckpoints(old));
                }
                None => {
                    self.saving.remove(&(id, key));
                    r.say.push(StoreNote::CheckpointNotStoredFull(key));
                }
            },
            Err(e) => {
                self.saving.remove(&(id, key));
                r.say.push(StoreNote::CheckpointNotStored(key, e.to_string()));
            }
        }
    }

    /// An experiment's checkpoints were given up for room: what waited for
    /// it is asked again.
    fn dropped(&mut self, id: ExperimentId, result: Result<(), StoreError>, r: &mut Reaction) {
        let n = self.experiments.get(&id).map_or(0, |e| e.checkpoints.len());
        match result {
            Ok(()) => {
                if let Some(e) = self.experiments.get_mut(&id) {
                    e.checkpoints.clear();
                }
                self.given_up.push((id, n));
                for w in std::mem::take(&mut self.waiting) {
                    r.requests.push(match w {
                        Waiting::Results(id, json) => StoreRequest::SaveResults(id, json),
                        Waiting::Checkpoint(id, key, bytes) => StoreRequest::SaveCheckpoint(id, key, bytes),
                    });
                }
            }
            Err(e) => {
                self.waiting.clear();
                r.say.push(StoreNote::CouldNotMakeRoom(e.to_string()));
            }
        }
    }

    /// Says which checkpoints were given up for room, once the results
    /// they made room for are stored.
    fn given_up_notice(&mut self) -> Option<StoreNote> {
        if self.given_up.is_empty() {
            return None;
        }
        let dropped: usize = self.given_up.iter().map(|(_, n)| n).sum();
        let experiments = self.given_up.len();
        self.given_up.clear();
        let kept = self.experiments.values().filter(|e| e.results).count();
        Some(StoreNote::GaveUpCheckpoints { dropped, experiments, kept })
    }
}
