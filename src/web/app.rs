//! The page's state, its controls (experiment settings, run, cancel, share,
//! export, import) and the progress bar; the explainer sections are in
//! [`super::sections`].

use super::charts::Curves;
use super::pool::{Pool, PoolEvent, default_size};
use super::sections::*;
use super::storage;
use super::worker::now_ms;
use crate::experiment::{Event, ExperimentConfig, Failure, Job, PRESETS, Results};
use crate::model::SIZES;
use crate::sequence::SuccessSet;
use crate::share::{self, LabState, Notice};
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;

/// Where a run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunState {
    /// Nothing has run this session.
    Idle,
    /// Training.
    Running,
    /// Every job finished (some may have failed).
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

/// Progress of the current run.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    /// Run state.
    pub state: RunState,
    /// Work of the whole run (units of one small pretraining step).
    pub total: f64,
    /// Work done per job.
    pub done: Vec<(Job, f64)>,
    /// When the run started (ms).
    pub started: f64,
    /// When it ended (ms), if it has.
    pub ended: Option<f64>,
    /// What is happening now, in words.
    pub status: String,
}

impl Default for Progress {
    fn default() -> Self {
        Progress {
            state: RunState::Idle,
            total: 0.0,
            done: Vec::new(),
            started: 0.0,
            ended: None,
            status: "Ready. Scripted policies and the last two sections need no training.".into(),
        }
    }
}

impl Progress {
    /// Fraction done, 0..=1.
    pub fn fraction(&self) -> f64 {
        if self.total <= 0.0 {
            return if self.state == RunState::Done { 1.0 } else { 0.0 };
        }
        (self.done.iter().map(|(_, d)| d).sum::<f64>() / self.total).clamp(0.0, 1.0)
    }

    /// Seconds left, estimated from the pace so far.
    pub fn eta_seconds(&self, now: f64) -> Option<f64> {
        let f = self.fraction();
        (self.state == RunState::Running && f > 0.01)
            .then(|| (now - self.started) / 1000.0 * (1.0 - f) / f)
    }
}

/// The page's shared state, handed to every section through context.
#[derive(Clone, Copy)]
pub struct Lab {
    /// Everything a link holds.
    pub state: RwSignal<LabState>,
    /// Results of the current experiment.
    pub results: RwSignal<Results>,
    /// Training curves, finished and live.
    pub curves: RwSignal<Vec<Curves>>,
    /// Progress of the current run.
    pub progress: RwSignal<Progress>,
    /// Problems with the link's parameters.
    pub notices: RwSignal<Vec<Notice>>,
    /// Messages for the user (import refused, a worker failed, ...).
    pub messages: RwSignal<Vec<String>>,
    /// A clock that ticks every second while running (for the ETA).
    pub clock: RwSignal<f64>,
    /// Checkpoints of the current experiment's fine-tuned models.
    pub kept: RwSignal<Vec<storage::KeptModel>>,
}

thread_local! {
    static POOL: RefCell<Option<Pool>> = const { RefCell::new(None) };
}

fn pool() -> Option<Pool> {
    POOL.with(|p| p.borrow().clone())
}

/// Curves for the models in `r` (one entry per size and seed).
pub fn curves_of(r: &Results) -> Vec<Curves> {
    let mut out: Vec<Curves> = Vec::new();
    for m in &r.models {
        let i = match out.iter().position(|c| c.size == m.size && c.seed == m.seed) {
            Some(i) => i,
            None => {
                out.push(Curves {
                    size: m.size.clone(),
                    seed: m.seed,
                    pretrain: m.pretrain.clone(),
                    rl: Vec::new(),
                });
                out.len() - 1
            }
        };
        out[i].rl.push((m.task, m.rl.clone()));
    }
    out
}

fn curve_entry<'a>(cs: &'a mut Vec<Curves>, job: &Job) -> &'a mut Curves {
    let i = match cs.iter().position(|c| c.size == job.size && c.seed == job.seed) {
        Some(i) => i,
        None => {
            cs.push(Curves {
                size: job.size.clone(),
                seed: job.seed,
                ..Default::default()
            });
            cs.len() - 1
        }
    };
    &mut cs[i]
}

impl Lab {
    fn new(state: LabState, notices: Vec<Notice>) -> Self {
        let config = state.experiment.clone();
        let (stored, note) = storage::load_all();
        let results = stored
            .into_iter()
            .find(|r| r.config == config)
            .unwrap_or_else(|| Results::new(config.clone(), &config.data()));
        let lab = Lab {
            curves: RwSignal::new(curves_of(&results)),
            state: RwSignal::new(state),
            results: RwSignal::new(results),
            progress: RwSignal::new(Progress::default()),
            notices: RwSignal::new(notices),
            messages: RwSignal::new(note.into_iter().collect()),
            clock: RwSignal::new(now_ms()),
            kept: RwSignal::new(storage::load_models(&config)),
        };
        lab
    }

    /// Adds a message for the user.
    pub fn say(&self, m: impl Into<String>) {
        let m = m.into();
        self.messages.update(|v| {
            v.push(m);
            if v.len() > 6 {
                v.remove(0);
            }
        });
    }

    /// Shows the results of `config`: the current ones, stored ones, or
    /// empty ones with the scripted baselines.
    pub fn show_config(&self, config: &ExperimentConfig) {
        if self.results.with_untracked(|r| r.config == *config) {
            return;
        }
        let r = storage::find(config).unwrap_or_else(|| Results::new(config.clone(), &config.data()));
        self.curves.set(curves_of(&r));
        self.results.set(r);
        self.kept.set(storage::load_models(config));
    }

    /// Times one training step of each size in this browser (on one
    /// worker); the figures arrive as messages.
    pub fn bench(&self) {
        let Some(pool) = pool() else {
            self.say("the benchmark is unavailable: no worker could start");
            return;
        };
        if pool.running() {
            self.say("The benchmark waits for the run to finish (it would slow it down and be slowed by it).");
            return;
        }
        self.say("Benchmark: timing 20 training steps (batch 64) of each size on one worker…");
        pool.bench(SIZES.iter().map(|s| s.to_string()).collect(), 20, 64);
    }

    /// Measures an imported checkpoint (`bytes`, from the models table or
    /// `opimp train --save-model`) on this experiment's histories, adding it
    /// to the results.
    pub fn measure_checkpoint(&self, name: &str, bytes: &[u8]) {
        let Some(pool) = pool() else {
            self.say("measuring is unavailable: no worker could start");
            return;
        };
        let config = self.state.get_untracked().experiment;
        self.show_config(&config);
        if !pool.measure(config, crate::protocol::to_base64(bytes)) {
            self.say(format!("Import of {name} refused: a run is going; cancel it first. Nothing was changed."));
            return;
        }
        self.progress.set(Progress {
            state: RunState::Running,
            total: 1.0,
            done: Vec::new(),
            started: now_ms(),
            ended: None,
            status: format!("Measuring the model in {name}…"),
        });
    }

    /// The jobs of the current experiment that have no results yet.
    pub fn remaining_jobs(&self) -> Vec<Job> {
        let r = self.results.get_untracked();
        r.config.jobs().into_iter().filter(|j| !r.has_job(j)).collect()
    }

    /// Starts training every job of the current experiment that has no
    /// results yet.
    pub fn run(&self) {
        let Some(pool) = pool() else {
            self.say("training is unavailable: no worker could start");
            return;
        };
        if pool.running() {
            return;
        }
        let config = self.state.get_untracked().experiment;
        self.show_config(&config);
        let jobs = self.remaining_jobs();
        if jobs.is_empty() {
            self.progress.update(|p| {
                p.state = RunState::Done;
                p.status = format!(
                    "Every model of this experiment is already trained ({} models); change a setting or clear the results to train again.",
                    self.results.with_untracked(|r| r.models.len())
                );
            });
            return;
        }
        self.results.update(|r| r.failures.retain(|f| !jobs.contains(&f.job)));
        self.curves.update(|cs| cs.retain(|c| !jobs.iter().any(|j| j.size == c.size && j.seed == c.seed)));
        let total = jobs.iter().map(|j| config.job_units(&j.size)).sum();
        self.progress.set(Progress {
            state: RunState::Running,
            total,
            done: jobs.iter().map(|j| (j.clone(), 0.0)).collect(),
            started: now_ms(),
            ended: None,
            status: format!(
                "Training {} model(s) on {} worker(s)…",
                jobs.len(),
                pool.size()
            ),
        });
        pool.run(config, jobs);
    }

    /// Stops the run, keeping the finished models.
    pub fn cancel(&self) {
        let Some(pool) = pool() else { return };
        if !pool.running() {
            return;
        }
        let stopped = pool.cancel();
        let kept = self.results.with_untracked(|r| r.models.len());
        self.progress.update(|p| {
            p.state = RunState::Cancelled;
            p.ended = Some(now_ms());
            p.status = format!("Cancelled: {stopped} running job(s) stopped; {kept} finished model(s) kept.");
        });
    }

    fn on_pool(&self, e: PoolEvent) {
        match e {
            PoolEvent::Started(job) => self.progress.update(|p| {
                p.status = format!("Training size {} seed {}…", job.size, job.seed);
            }),
            PoolEvent::Event(Event::Step { job, done, phase, step, total, .. }) => {
                let config = self.results.with_untracked(|r| r.config.clone());
                let units = config.units_done(&job.size, done);
                self.progress.update(|p| {
                    if let Some(d) = p.done.iter_mut().find(|(j, _)| *j == job) {
                        d.1 = units;
                    }
                    p.status = match phase {
                        crate::experiment::Phase::Pretrain => {
                            format!("Size {} seed {}: pretraining step {step}/{total}", job.size, job.seed)
                        }
                        crate::experiment::Phase::Rl(g) => {
                            format!("Size {} seed {}: RL on {g}, step {step}/{total}", job.size, job.seed)
                        }
                        crate::experiment::Phase::Measure(g) => {
                            format!("Size {} seed {}: measuring on {g}", job.size, job.seed)
                        }
                    };
                });
            }
            PoolEvent::Event(Event::Pretrain(job, point)) => {
                self.curves.update(|cs| curve_entry(cs, &job).pretrain.push(point))
            }
            PoolEvent::Event(Event::Rl(job, g, point)) => self.curves.update(|cs| {
                let c = curve_entry(cs, &job);
                match c.rl.iter_mut().find(|(t, _)| *t == g) {
                    Some((_, v)) => v.push(point),
                    None => c.rl.push((g, vec![point])),
                }
            }),
            PoolEvent::Event(Event::Model(m)) => {
                self.results.update(|r| r.add(vec![*m]));
                if let Some(problem) = self.results.with_untracked(storage::save) {
                    self.say(problem);
                }
            }
            PoolEvent::Checkpoint(job, task, checkpoint) => {
                let config = self.results.with_untracked(|r| r.config.clone());
                self.kept.update(|k| {
                    k.retain(|m| !(m.size == job.size && m.seed == job.seed && m.task == task));
                    k.push(storage::KeptModel { size: job.size.clone(), seed: job.seed, task, checkpoint });
                });
                let problem = self.kept.with_untracked(|k| storage::save_models(&config, k));
                if let Some(problem) = problem {
                    if !self.messages.with_untracked(|m| m.contains(&problem)) {
                        self.say(problem);
                    }
                }
            }
            PoolEvent::Failed(job, message) if job.size == super::pool::IMPORT => {
                self.say(format!("Model import refused: {message}. Nothing was changed."));
                self.progress.update(|p| {
                    p.state = RunState::Done;
                    p.ended = Some(now_ms());
                    p.status = "The imported file is not a model this lab can measure (see messages).".into();
                });
            }
            PoolEvent::Done(job) => self.progress.update(|p| {
                let full = self.results.with_untracked(|r| r.config.job_units(&job.size));
                if let Some(d) = p.done.iter_mut().find(|(j, _)| *j == job) {
                    d.1 = full;
                }
            }),
            PoolEvent::Failed(job, message) => {
                self.say(format!("Size {} seed {} failed: {message}", job.size, job.seed));
                self.results.update(|r| {
                    r.failures.retain(|f| f.job != job);
                    r.failures.push(Failure { job: job.clone(), message });
                });
                self.progress.update(|p| p.done.retain(|(j, _)| *j != job));
                self.progress.update(|p| p.total = p.done.iter().map(|(j, _)| self.results.with_untracked(|r| r.config.job_units(&j.size))).sum());
                let _ = self.results.with_untracked(storage::save);
            }
            PoolEvent::Finished => {
                let (n, failed) = self.results.with_untracked(|r| (r.models.len(), r.failures.len()));
                self.progress.update(|p| {
                    if p.state != RunState::Running {
                        return;
                    }
                    let secs = (now_ms() - p.started) / 1000.0;
                    p.state = RunState::Done;
                    p.ended = Some(now_ms());
                    p.status = if failed == 0 {
                        format!("Done: {n} model(s) trained and measured in {secs:.0} s.")
                    } else {
                        format!("Done in {secs:.0} s: {n} model(s) measured, {failed} job(s) failed (see messages).")
                    };
                });
            }
            PoolEvent::Bench { size, params, ms_per_step } => {
                self.say(format!("Benchmark: size {size} ({params} parameters): {ms_per_step:.1} ms per training step"))
            }
            PoolEvent::Problem(m) => self.say(m),
        }
    }
}

/// Starts the page.
pub fn start_app() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

fn location_query() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let query = location_query();
    let (state, notices) = share::parse(&query);
    let lab = Lab::new(state, notices);
    provide_context(lab);
    let listener: Rc<dyn Fn(PoolEvent)> = Rc::new(move |e| lab.on_pool(e));
    POOL.with(|p| {
        let mut p = p.borrow_mut();
        if p.is_none() {
            *p = Some(Pool::new(default_size(), listener));
        }
    });
    // Keep the address bar equal to the state: a reload or a copied
    // address is the same experiment.
    Effect::new(move |_| {
        let q = share::serialize(&lab.state.get());
        if let Some(w) = web_sys::window() {
            if let Ok(h) = w.history() {
                let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("?{q}")));
            }
        }
    });
    // Show the results that belong to the settings.
    Effect::new(move |_| {
        let config = lab.state.with(|s| s.experiment.clone());
        if lab.progress.with_untracked(|p| p.state != RunState::Running) {
            lab.show_config(&config);
        }
    });
    // Tick while running so the ETA moves.
    leptos::prelude::set_interval(
        move || {
            if lab.progress.with_untracked(|p| p.state == RunState::Running) {
                lab.clock.set(now_ms());
            }
        },
        std::time::Duration::from_millis(1000),
    );
    // A link that names an experiment runs it, unless it is long or done.
    if share::names_experiment(&query) {
        let remaining = lab.remaining_jobs();
        if !remaining.is_empty() {
            let config = lab.state.get_untracked().experiment;
            let units: f64 = remaining.iter().map(|j| config.job_units(&j.size)).sum();
            let workers = pool().map(|p| p.size()).unwrap_or(1) as f64;
            let minutes = units * MS_PER_UNIT / workers.min(remaining.len() as f64) / 60_000.0;
            if minutes <= 10.0 {
                lab.run();
            } else {
                lab.say(format!(
                    "This experiment takes about {minutes:.0} minutes in this browser; press Run to start it (or run it natively with `opimp sweep` and import the results)."
                ));
            }
        }
    }
    view! {
        <header>
            <h1>"opimp"</h1>
            <p class="tagline">
                "Measure how much a policy narrows the future (optimization) and how far it moves it (impact) — by training tiny transformers in this tab."
            </p>
        </header>
        <Notices/>
        <Controls/>
        <main>
            <SequenceSection/>
            <PretrainSection/>
            <RlSection/>
            <OptimizationSection/>
            <CrossSection/>
            <ImpactSection/>
            <SelfSection/>
            <TaxonomySection/>
            <DifferentialSection/>
        </main>
        <footer>
            <p>
                "Based on “Measuring Learned Optimization in Small Transformer Models” (2024). Everything runs in this tab: "
                "training in Web Workers (burn, wasm), charts with plotly.js served from this site."
            </p>
        </footer>
    }
}

/// Milliseconds one unit of work takes in a browser (a smallest-model
/// pretraining step, measured; see BENCHMARKS.md).
pub const MS_PER_UNIT: f64 = 20.0;

/// Notices about the link's parameters, and messages.
#[component]
fn Notices() -> impl IntoView {
    let lab = expect_context::<Lab>();
    view! {
        <Show when=move || lab.notices.with(|n| !n.is_empty())>
            <div class="notices" id="notices" role="alert">
                <strong>"Some link parameters were not used as given:"</strong>
                <ul>
                    {move || lab.notices.get().into_iter().map(|n| view! {
                        <li class="notice" data-param=n.param.clone()>{n.message}</li>
                    }).collect_view()}
                </ul>
                <button on:click=move |_| lab.notices.set(Vec::new())>"Dismiss"</button>
            </div>
        </Show>
        <Show when=move || lab.messages.with(|m| !m.is_empty())>
            <div class="messages" id="messages" role="status">
                <ul>
                    {move || lab.messages.get().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
                </ul>
                <button on:click=move |_| lab.messages.set(Vec::new())>"Dismiss"</button>
            </div>
        </Show>
    }
}

fn input_value(ev: &leptos::ev::Event) -> String {
    event_target_value(ev)
}

fn checked(ev: &leptos::ev::Event) -> bool {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .map(|i| i.checked())
        .unwrap_or(false)
}

/// Applies `value` to the URL property `name`, reporting a bad value.
fn set_prop(lab: Lab, name: &str, value: &str) {
    let Some(prop) = share::PROPS.iter().find(|p| p.name == name) else { return };
    let mut s = lab.state.get_untracked();
    let before = (prop.get)(&s);
    match (prop.set)(&mut s, value) {
        Ok(()) => match s.experiment.check() {
            Ok(()) => lab.state.set(s),
            Err(e) => lab.say(format!("{name} = {value} was not used: {e}; kept {before}")),
        },
        Err(e) => lab.say(format!("{name} = {value} was not used: {e}; kept {before}")),
    }
}

/// Experiment settings, run/cancel, progress, sharing and files.
#[component]
fn Controls() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let running = move || lab.progress.with(|p| p.state == RunState::Running);
    let number = move |name: &'static str, label: &'static str| {
        let prop = share::PROPS.iter().find(|p| p.name == name).expect("prop");
        view! {
            <label class="field" title=prop.help>
                {label}
                <input
                    type="text"
                    inputmode="decimal"
                    name=name
                    prop:value=move || lab.state.with(|s| (prop.get)(s))
                    prop:disabled=running
                    on:change=move |ev| set_prop(lab, name, &input_value(&ev))
                />
            </label>
        }
    };
    let size_box = move |size: &'static str| {
        view! {
            <label class="check">
                <input
                    type="checkbox"
                    prop:checked=move || lab.state.with(|s| s.experiment.sizes.iter().any(|x| x == size))
                    prop:disabled=running
                    on:change=move |ev| {
                        let on = checked(&ev);
                        let mut sizes: Vec<String> = lab.state.get_untracked().experiment.sizes;
                        sizes.retain(|x| x != size);
                        if on { sizes.push(size.to_string()); }
                        let ordered: Vec<&str> = SIZES.iter().copied().filter(|x| sizes.iter().any(|y| y == x)).collect();
                        if ordered.is_empty() {
                            lab.say("at least one size is needed; kept the last one");
                            lab.state.update(|_| {});
                        } else {
                            set_prop(lab, "sizes", &ordered.join(","));
                        }
                    }
                />
                {format!("{size} ({} params)", crate::model::ModelConfig::preset(size).unwrap().param_count())}
            </label>
        }
    };
    let task_box = move |g: SuccessSet| {
        view! {
            <label class="check">
                <input
                    type="checkbox"
                    prop:checked=move || lab.state.with(|s| s.experiment.tasks.contains(&g))
                    prop:disabled=running
                    on:change=move |ev| {
                        let on = checked(&ev);
                        let mut tasks = lab.state.get_untracked().experiment.tasks;
                        tasks.retain(|t| *t != g);
                        if on { tasks.push(g); }
                        tasks.sort_by_key(|t| t.len());
                        if tasks.is_empty() {
                            lab.say("at least one task is needed; kept the last one");
                            lab.state.update(|_| {});
                        } else {
                            set_prop(lab, "tasks", &tasks.iter().map(|t| t.name()).collect::<Vec<_>>().join(";"));
                        }
                    }
                />
                {format!("{g} (G = {{{}}})", g.outcomes().iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", "))}
            </label>
        }
    };
    let copy_link = move |_| {
        let url = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
        if let Some(w) = web_sys::window() {
            let _ = w.navigator().clipboard().write_text(&url);
        }
        lab.say(format!("Link copied: {url}"));
    };
    let export_json = move |_| {
        let text = lab.results.with_untracked(|r| serde_json::to_string_pretty(r).unwrap_or_default());
        download("opimp-results.json", "application/json", &text);
    };
    let export_csv = move |_| {
        let text = lab.results.with_untracked(|r| r.to_csv());
        download("opimp-results.csv", "text/csv", &text);
    };
    let import = move |ev: leptos::ev::Event| {
        read_chosen_file(&ev, move |name, bytes| {
            let parsed = bytes
                .and_then(|b| String::from_utf8(b).map_err(|_| "the file is not text".to_string()))
                .and_then(|t| Results::from_json(&t));
            match parsed {
                Ok(r) => import_results(lab, r, &name),
                Err(e) => lab.say(format!("Import refused: {name}: {e}. Nothing was changed.")),
            }
        });
    };
    let import_model = move |ev: leptos::ev::Event| {
        read_chosen_file(&ev, move |name, bytes| match bytes {
            Ok(bytes) => lab.measure_checkpoint(&name, &bytes),
            Err(e) => lab.say(format!("Import refused: {name}: {e}. Nothing was changed.")),
        });
    };
    let bench = move |_| lab.bench();
    let clear = move |_| {
        if running() {
            return;
        }
        storage::clear();
        storage::clear_models();
        lab.kept.set(Vec::new());
        let config = lab.state.get_untracked().experiment;
        let r = Results::new(config.clone(), &config.data());
        lab.curves.set(Vec::new());
        lab.results.set(r);
        lab.progress.set(Progress::default());
        lab.say("Stored results cleared.");
    };
    view! {
        <section class="controls" id="controls">
            <h2>"Experiment"</h2>
            <div class="row">
                <label class="field">
                    "Preset "
                    <select
                        prop:disabled=running
                        on:change=move |ev| set_prop(lab, "preset", &input_value(&ev))
                    >
                        {PRESETS.iter().map(|p| view! {
                            <option value=*p selected=move || lab.state.with(|s| s.preset == *p)>{*p}</option>
                        }).collect_view()}
                    </select>
                </label>
                {number("seeds", "Seeds ")}
                {number("steps", "Pretraining steps ")}
                {number("rl_steps", "RL steps ")}
                {number("eval", "Histories measured ")}
                {number("lr", "LR ")}
                {number("rl_lr", "RL LR ")}
                {number("maint_lr", "Maintenance LR ")}
                {number("seed", "Data seed ")}
            </div>
            <div class="row">
                <span class="label">"Sizes: "</span>
                {SIZES.iter().map(|s| size_box(s)).collect_view()}
            </div>
            <div class="row">
                <span class="label">"Tasks: "</span>
                {SuccessSet::tasks().into_iter().map(task_box).collect_view()}
            </div>
            <div class="row buttons">
                <button id="run" on:click=move |_| lab.run() prop:disabled=running>"Run"</button>
                <button id="cancel" on:click=move |_| lab.cancel() prop:disabled=move || !running()>"Cancel"</button>
                <button id="copy-link" on:click=copy_link>"Copy link"</button>
                <button id="export-json" on:click=export_json>"Export JSON"</button>
                <button id="export-csv" on:click=export_csv>"Export CSV"</button>
                <label class="file">
                    "Import JSON "
                    <input id="import" type="file" accept=".json,application/json" on:change=import/>
                </label>
                <label class="file">
                    "Import model "
                    <input id="import-model" type="file" accept=".opimp,application/octet-stream" on:change=import_model prop:disabled=running/>
                </label>
                <button id="clear" on:click=clear prop:disabled=running>"Clear stored results"</button>
                <button id="bench" on:click=bench prop:disabled=running title="Time one training step (batch 64) of each model size in this browser">"Benchmark"</button>
            </div>
            <ProgressBar/>
        </section>
    }
}

/// Offers `bytes` as a file download.
pub fn download_bytes(name: &str, bytes: &[u8]) {
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type("application/octet-stream");
    let Ok(blob) = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts) else { return };
    save_blob(name, &blob);
}

fn save_blob(name: &str, blob: &web_sys::Blob) {
    let Ok(url) = web_sys::Url::create_object_url_with_blob(blob) else { return };
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    if let Ok(a) = doc.create_element("a") {
        let a: web_sys::HtmlAnchorElement = a.unchecked_into();
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// Reads the file chosen in the `<input type=file>` of `ev` (then clears
/// the input, so the same file can be chosen again) and hands its name and
/// bytes, or why it could not be read, to `then`.
fn read_chosen_file(ev: &leptos::ev::Event, then: impl FnOnce(String, Result<Vec<u8>, String>) + 'static) {
    let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
    let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
    let name = file.name();
    input.set_value("");
    leptos::task::spawn_local(async move {
        let bytes = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
            .await
            .map(|buf| js_sys::Uint8Array::new(&buf).to_vec())
            .map_err(|_| "the file could not be read".to_string());
        then(name, bytes);
    });
}

fn import_results(lab: Lab, r: Results, name: &str) {
    if lab.progress.with_untracked(|p| p.state == RunState::Running) {
        lab.say(format!("Import of {name} refused: a run is going; cancel it first. Nothing was changed."));
        return;
    }
    let n = r.models.len();
    lab.state.update(|s| {
        s.experiment = r.config.clone();
        // A study run with a preset's settings links as that preset.
        if let Some(p) = PRESETS.iter().find(|p| ExperimentConfig::preset(p).as_ref() == Some(&r.config)) {
            s.preset = p.to_string();
        }
    });
    lab.curves.set(curves_of(&r));
    lab.kept.set(storage::load_models(&r.config));
    lab.results.set(r);
    if let Some(problem) = lab.results.with_untracked(storage::save) {
        lab.say(problem);
    }
    lab.say(format!("Imported {n} model(s) from {name}."));
}

/// Offers `text` as a file download.
fn download(name: &str, mime: &str, text: &str) {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) else { return };
    save_blob(name, &blob);
}

fn fmt_duration(s: f64) -> String {
    let s = s.max(0.0).round() as u64;
    if s >= 3600 {
        format!("{}h {:02}m", s / 3600, (s % 3600) / 60)
    } else if s >= 60 {
        format!("{}m {:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

/// The progress bar, ETA and status line.
#[component]
fn ProgressBar() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let pct = move || lab.progress.with(|p| p.fraction() * 100.0);
    let eta = move || {
        let now = lab.clock.get();
        lab.progress.with(|p| match (p.state, p.eta_seconds(now)) {
            (RunState::Running, Some(s)) => format!("ETA {}", fmt_duration(s)),
            (RunState::Running, None) => "estimating…".to_string(),
            _ => String::new(),
        })
    };
    view! {
        <div class="progress" id="progress" data-state=move || lab.progress.with(|p| p.state.name())>
            <div class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=move || format!("{:.0}", pct())>
                <div class="fill" style:width=move || format!("{:.1}%", pct())></div>
            </div>
            <div class="progress-text">
                <span id="percent">{move || format!("{:.0}%", pct())}</span>
                " "
                <span id="eta">{eta}</span>
            </div>
            <p id="status" data-state=move || lab.progress.with(|p| p.state.name())>{move || lab.progress.with(|p| p.status.clone())}</p>
        </div>
    }
}
