//! Everything the page shows: the link's state, this experiment's results
//! and the ones the site ships for it, the run in progress, the training
//! workers, kept checkpoints, what storage holds, and messages.

use super::ledger::Ledger;
use super::said::{Said, Status};
use super::link::{LabState, Notice};
use super::store::{ExperimentId, Store};
use super::workers::{Workers, widths_for};
use crate::study::config::ExperimentConfig;
use crate::study::engine::{Engine, NEAR_OP, NEAR_SUCCESS};
use crate::study::jobs::Plan;
use crate::study::key::ModelKey;
use crate::study::preset::Preset;
use crate::study::progress::Progress;
use crate::study::results::{ModelResult, Results};
use crate::study::size::Size;
use std::sync::Arc;

/// Milliseconds one unit of work ([`crate::study::jobs::Work::units`])
/// takes on one worker in the browser (measured; see BENCHMARKS.md).
pub const MS_PER_UNIT: f64 = 0.12;
/// Experiments kept in the library besides the current one.
pub const LIBRARY: usize = 20;

/// A fine-tuned model's checkpoint the page keeps (to download).
#[derive(Clone, Debug, PartialEq)]
pub struct KeptModel {
    /// The experiment it belongs to.
    pub experiment: ExperimentId,
    /// Which model.
    pub key: ModelKey,
    /// The checkpoint (with the net it started from).
    pub checkpoint: Arc<Vec<u8>>,
}

/// The results the site ships for the current experiment.
#[derive(Clone, Debug, PartialEq)]
pub enum Shipped {
    /// Not a preset's experiment: nothing shipped.
    None,
    /// Being fetched.
    Loading,
    /// Here.
    Loaded(Box<Results>),
    /// Fetched and read, but of another experiment than the preset's
    /// (the preset's settings changed since the file was computed): the
    /// settings, by their link names, in which the two differ.
    OtherExperiment(Vec<&'static str>),
    /// Could not be fetched or read.
    Failed(String),
}

/// Where a run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunState {
    /// Nothing has run.
    Idle,
    /// Training.
    Running,
    /// Every work finished (some may have failed).
    Done,
    /// The user cancelled.
    Cancelled,
}

impl RunState {
    /// Name used in the page's `data-state` (tests wait on it).
    pub fn name(self) -> &'static str {
        match self {
            RunState::Idle => "idle",
            RunState::Running => "running",
            RunState::Done => "done",
            RunState::Cancelled => "cancelled",
        }
    }
}

/// A run of the current experiment's missing models.
#[derive(Clone, Debug)]
pub struct Run {
    /// Tags this run's messages (late messages of an old run are dropped).
    pub tag: u64,
    /// Its work.
    pub plan: Plan,
    /// Progress.
    pub progress: Progress,
    /// Where it is.
    pub state: RunState,
    /// When it ended (ms).
    pub ended: Option<f64>,
    /// Whether it reproduces shipped results.
    pub reproducing: bool,
    /// Where its workers' time goes.
    pub ledger: Ledger,
}

impl Run {
    /// The run ends at `now`, done or cancelled.
    pub fn end(&mut self, state: RunState, now: f64) {
        self.state = state;
        self.ended = Some(now);
        self.ledger.close(now);
    }
}

/// One benchmark figure.
#[derive(Clone, Debug, PartialEq)]
pub struct BenchFigure {
    /// The size.
    pub size: Size,
    /// Members trained as one stack.
    pub members: usize,
    /// Milliseconds per step of the stack.
    pub ms_per_step: f64,
}

/// How a model trained here compares with the shipped one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Reproduced {
    /// Every number equal, bit for bit.
    Equal,
    /// Computed on the GPU engine, within its tolerance of the shipped
    /// numbers (success within [`NEAR_SUCCESS`], Op within [`NEAR_OP`]);
    /// the largest difference in Op, Imp or success. Never called equal.
    Near(f64),
    /// Numbers differ; the largest difference in Op, Imp or success.
    Differs(f64),
    /// The site ships no such model.
    NotShipped,
}

/// Everything the page shows.
#[derive(Clone, Debug)]
pub struct Page {
    /// What the link holds.
    pub link: LabState,
    /// The current experiment's results (trained here or imported).
    pub results: Results,
    /// Other experiments' results, kept for when their settings return.
    pub library: Vec<Results>,
    /// What the site ships for the current experiment.
    pub shipped: Shipped,
    /// Checkpoints of models held in memory: the current experiment's, and
    /// other experiments' not yet confirmed stored.
    pub kept: Vec<KeptModel>,
    /// Whether the link names a custom experiment to run once the stored
    /// results are in (if it is short).
    pub autorun: bool,
    /// What the browser's storage holds.
    pub store: Store,
    /// The look inside a model.
    pub inside: super::inside::Inside,
    /// Checkpoints the site ships, fetched for the look inside a model.
    pub fetched: Vec<(Preset, ModelKey, Arc<Vec<u8>>)>,
    /// The training workers (of the link's engine).
    pub workers: Workers,
    /// How the engine was chosen.
    pub choice: super::choice::Choice,
    /// The current or last run.
    pub run: Option<Run>,
    /// The last run tag handed out.
    pub tag: u64,
    /// Problems with the link.
    pub notices: Vec<Notice>,
    /// Messages for the user, newest last.
    pub messages: Vec<Said>,
    /// The status line.
    pub status: Status,
    /// Benchmark figures.
    pub bench: Vec<BenchFigure>,
    /// The clock (ms), as of the last message.
    pub now: f64,
}

impl Page {
    /// The page a link opens in a browser with `cores` cores, at `now`.
    /// Nothing is started, measured or loaded yet:
    /// [`super::update::Msg::Start`] asks for it.
    pub fn new(link: LabState, notices: Vec<Notice>, cores: usize, now: f64) -> Self {
        let config = link.experiment.clone();
        let workers = Workers::new(link.engine, cores, now);
        // A link that names the GPU is the visitor's choice.
        let choice = if link.engine == Engine::Gpu { super::choice::Choice::Visitor } else { super::choice::Choice::Open };
        Page {
            results: Results::unmeasured(config),
            shipped: Shipped::None,
            link,
            library: Vec::new(),
            kept: Vec::new(),
            autorun: false,
            store: Store::default(),
            inside: super::inside::Inside::default(),
            fetched: Vec::new(),
            choice,
            workers,
            run: None,
            tag: 0,
            notices,
            messages: Vec::new(),
            status: Status::Ready,
            bench: Vec::new(),
            now,
        }
    }

    /// The experiment.
    pub fn config(&self) -> &ExperimentConfig {
        &self.link.experiment
    }

    /// The experiment's key in storage.
    pub fn experiment_id(&self) -> ExperimentId {
        ExperimentId::of(self.config())
    }

    /// The kept checkpoints of the current experiment's models.
    pub fn kept_here(&self) -> impl Iterator<Item = &KeptModel> {
        let id = self.experiment_id();
        self.kept.iter().filter(move |k| k.experiment == id)
    }

    /// The preset whose experiment this is exactly, if any.
    pub fn preset(&self) -> Option<Preset> {
        self.config().which_preset()
    }

    /// Whether a run is going (or the engines are being timed for one).
    pub fn running(&self) -> bool {
        self.run.as_ref().is_some_and(|r| r.state == RunState::Running) || self.choice.measuring()
    }

    /// The run's state.
    pub fn run_state(&self) -> RunState {
        self.run.as_ref().map(|r| r.state).unwrap_or(RunState::Idle)
    }

    /// The shipped results, when here.
    pub fn shipped(&self) -> Option<&Results> {
        match &self.shipped {
            Shipped::Loaded(r) => Some(r),
            _ => None,
        }
    }

    /// Whether the figures show the shipped results (nothing trained or
    /// imported here yet).
    pub fn showing_shipped(&self) -> bool {
        self.shipped().is_some() && self.results.models.is_empty() && self.results.curves.pretrain.is_empty()
    }

    /// The results the figures show.
    pub fn shown(&self) -> &Results {
        match self.shipped() {
            Some(s) if self.showing_shipped() => s,
            _ => &self.results,
        }
    }

    /// How a model trained here compares with the shipped one.
    pub fn reproduced(&self, m: &ModelResult) -> Reproduced {
        let Some(s) = self.shipped().and_then(|s| s.model(m.key)) else { return Reproduced::NotShipped };
        let exact = super::computed::computed_on(&self.results.provenance).is_exact();
        if exact && s == m {
            return Reproduced::Equal;
        }
        let d = [(s.op, m.op), (s.imp, m.imp), (s.own().success, m.own().success)]
            .iter()
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        let near = (s.op - m.op).abs() <= NEAR_OP && (s.own().success - m.own().success).abs() <= NEAR_SUCCESS;
        if !exact && near { Reproduced::Near(d) } else { Reproduced::Differs(d) }
    }

    /// The engine the workers compute on (the link's).
    pub fn engine(&self) -> Engine {
        self.link.engine
    }

    /// Workers that can take work (not dead).
    pub fn live_workers(&self) -> usize {
        self.workers.live()
    }

    /// Minutes the current experiment's missing models would take here.
    pub fn estimate_minutes(&self) -> f64 {
        let plan = Plan::new(self.config(), &self.results.missing(), widths_for(self.engine()));
        let parallel = self.live_workers().min(plan.width()).max(1) as f64;
        plan.total_units() * MS_PER_UNIT / parallel / 60_000.0
    }

    /// Takes a measured model into the results (trained here, or an
    /// imported checkpoint measured): the one way a model is accepted. The
    /// provenance records the engine that computed it; a model whose numbers
    /// do not hold together is refused and nothing changes.
    pub fn accept(&mut self, m: ModelResult) -> Result<(), String> {
        let mut candidate = self.results.clone();
        super::computed::record(&mut candidate.provenance, self.engine(), candidate.models.len());
        candidate.add(vec![m]);
        candidate.validate_parts()?;
        self.results = candidate;
        Ok(())
    }

    /// Adds a message for the user (the last eight are kept).
    pub fn say(&mut self, m: Said) {
        if self.messages.last() != Some(&m) {
            self.messages.push(m);
        }
        if self.messages.len() > 8 {
            self.messages.remove(0);
        }
    }
}
