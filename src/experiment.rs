//! An experiment: one serialisable config, the jobs it splits into, and one
//! result type holding every number the study plots.
//!
//! A job is one (size, seed): pretrain once, then fine-tune a copy on each
//! task and measure it. Jobs are independent and deterministic, so the CLI
//! runs one per thread and the browser one per worker, and the results do
//! not depend on which finished first.

use crate::measure::{self, Comparison, SequenceRule, Table};
use crate::model::{Model, ModelConfig, SIZES};
use crate::policy::Scripted;
use crate::rng::derive_seed;
use crate::sequence::{DEFAULT_EPS, SuccessSet};
use crate::train::{
    self, Data, NetworkOutcome, NetworkPolicy, PretrainConfig, PretrainPoint, RlConfig, RlPoint,
    Trainer,
};
use burn::module::Module;
use burn::tensor::Device;
use serde::{Deserialize, Serialize};

/// Version of the config and results formats.
pub const FORMAT_VERSION: u32 = 1;
/// Marks a results file as this lab's.
pub const RESULTS_FORMAT: &str = "opimp-results";

/// Everything that defines an experiment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExperimentConfig {
    /// Format version.
    pub version: u32,
    /// Model sizes: `s`, `m`, `l`, `xl`.
    pub sizes: Vec<String>,
    /// Model seeds (one model per size and seed).
    pub seeds: Vec<u64>,
    /// Tasks each pretrained model is fine-tuned on.
    pub tasks: Vec<SuccessSet>,
    /// Pretraining settings.
    pub pretrain: PretrainConfig,
    /// RL settings.
    pub rl: RlConfig,
    /// Histories the measures are computed on.
    pub eval_histories: usize,
    /// The world's noise rate.
    pub eps: f64,
    /// Seed of the data (sequences, evaluation windows and histories).
    pub seed: u64,
}

/// The presets: `quick`, `paper`, and one per figure.
pub const PRESETS: [&str; 6] = ["quick", "paper", "scaling", "cross", "impact", "self"];

impl ExperimentConfig {
    /// The study's full settings for one size, one seed, one task.
    pub fn base() -> Self {
        ExperimentConfig {
            version: FORMAT_VERSION,
            sizes: vec!["s".into()],
            seeds: vec![0],
            tasks: vec![SuccessSet::N4],
            pretrain: PretrainConfig {
                steps: 3000,
                batch: 64,
                lr: 1e-3,
                weight_decay: 0.01,
                eval_every: 100,
                eval_windows: 1000,
                train_tokens: 200_000,
                test_tokens: 50_000,
            },
            rl: RlConfig {
                steps: 1500,
                batch: 64,
                lr: 3e-4,
                maintenance_lr: 3e-5,
                maintenance_batch: 64,
                eval_every: 100,
            },
            eval_histories: 1000,
            eps: DEFAULT_EPS,
            seed: 2024,
        }
    }

    /// A named preset, or None.
    ///
    /// - `quick`: the smallest model, one seed, n_good = 4, short runs (about
    ///   a minute in a browser tab).
    /// - `paper`: 4 sizes x 5 seeds, each fine-tuned on all 3 tasks.
    /// - `scaling`: success and Op against size (4 sizes x 2 seeds, n4).
    /// - `cross`: cross-objective evaluation (smallest two sizes x 2 seeds x
    ///   3 tasks).
    /// - `impact`: Imp vs Imp_min (2 sizes x 2 seeds x 3 tasks).
    /// - `self`: self-evaluation (smallest size x 3 seeds x 3 tasks).
    pub fn preset(name: &str) -> Option<Self> {
        let mut c = Self::base();
        let all_tasks = SuccessSet::tasks().to_vec();
        let sizes = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        match name {
            "quick" => {
                c.pretrain.steps = 1000;
                c.pretrain.eval_every = 100;
                c.pretrain.eval_windows = 500;
                c.pretrain.train_tokens = 100_000;
                c.pretrain.test_tokens = 20_000;
                c.rl.steps = 400;
                c.rl.eval_every = 50;
                c.eval_histories = 500;
            }
            "paper" => {
                c.sizes = sizes(&SIZES);
                c.seeds = (0..5).collect();
                c.tasks = all_tasks;
            }
            "scaling" => {
                c.sizes = sizes(&SIZES);
                c.seeds = vec![0, 1];
            }
            "cross" => {
                c.sizes = sizes(&["s", "m"]);
                c.seeds = vec![0, 1];
                c.tasks = all_tasks;
            }
            "impact" => {
                c.sizes = sizes(&["s", "m"]);
                c.seeds = vec![0, 1];
                c.tasks = all_tasks;
            }
            "self" => {
                c.seeds = vec![0, 1, 2];
                c.tasks = all_tasks;
            }
            _ => return None,
        }
        Some(c)
    }

    /// Checks every setting, naming the first that is wrong.
    pub fn check(&self) -> Result<(), String> {
        if self.version != FORMAT_VERSION {
            return Err(format!("config version {} is not {FORMAT_VERSION}", self.version));
        }
        if self.sizes.is_empty() || self.seeds.is_empty() || self.tasks.is_empty() {
            return Err("an experiment needs at least one size, seed and task".into());
        }
        for s in &self.sizes {
            if ModelConfig::preset(s).is_none() {
                return Err(format!("unknown size '{s}': use s, m, l or xl"));
            }
        }
        let p = &self.pretrain;
        let r = &self.rl;
        let checks: [(&str, usize, usize, usize); 10] = [
            ("pretrain.steps", p.steps, 0, 1_000_000),
            ("pretrain.batch", p.batch, 1, 4096),
            ("pretrain.eval_every", p.eval_every, 1, 1_000_000),
            ("pretrain.eval_windows", p.eval_windows, 1, 100_000),
            ("pretrain.train_tokens", p.train_tokens, 1000, 50_000_000),
            ("pretrain.test_tokens", p.test_tokens, 1000, 50_000_000),
            ("rl.steps", r.steps, 0, 1_000_000),
            ("rl.batch", r.batch, 1, 4096),
            ("rl.eval_every", r.eval_every, 1, 1_000_000),
            ("eval_histories", self.eval_histories, 1, 100_000),
        ];
        for (name, v, lo, hi) in checks {
            if !(lo..=hi).contains(&v) {
                return Err(format!("{name} is {v}; use {lo}..={hi}"));
            }
        }
        if !(1..=4096).contains(&r.maintenance_batch) {
            return Err(format!("rl.maintenance_batch is {}; use 1..=4096", r.maintenance_batch));
        }
        for (name, v) in [
            ("pretrain.lr", p.lr),
            ("rl.lr", r.lr),
            ("rl.maintenance_lr", r.maintenance_lr),
        ] {
            if !(v.is_finite() && (0.0..=1.0).contains(&v)) {
                return Err(format!("{name} is {v}; use a number in [0, 1]"));
            }
        }
        if !(p.weight_decay.is_finite() && (0.0..=1.0).contains(&p.weight_decay)) {
            return Err(format!("pretrain.weight_decay is {}; use [0, 1]", p.weight_decay));
        }
        if !(self.eps > 0.0 && self.eps <= 1.0) {
            return Err(format!("eps is {}; use a number in (0, 1]", self.eps));
        }
        if self.pretrain.test_tokens / 2 < self.eval_histories {
            return Err(format!(
                "eval_histories {} needs test_tokens of at least {}",
                self.eval_histories,
                2 * self.eval_histories + 64
            ));
        }
        Ok(())
    }

    /// The jobs, in a fixed order (size, then seed).
    pub fn jobs(&self) -> Vec<Job> {
        self.sizes
            .iter()
            .flat_map(|size| {
                self.seeds.iter().map(move |&seed| Job {
                    size: size.clone(),
                    seed,
                })
            })
            .collect()
    }

    /// Training steps a job takes (pretraining, then RL with maintenance on
    /// every task), for progress bars.
    pub fn job_steps(&self) -> usize {
        self.pretrain.steps + self.tasks.len() * self.rl.steps
    }

    /// Relative cost of one of `size`'s steps (the smallest is 1), measured
    /// natively: used to weight progress across sizes.
    pub fn step_cost(size: &str) -> f64 {
        match size {
            "s" => 1.0,
            "m" => 1.8,
            "l" => 3.3,
            _ => 6.8,
        }
    }

    /// Work of one job in units of one smallest-model pretraining step: an
    /// RL step (RL plus maintenance) counts two, larger sizes their
    /// [`step_cost`](Self::step_cost).
    pub fn job_units(&self, size: &str) -> f64 {
        Self::step_cost(size) * (self.pretrain.steps + 2 * self.tasks.len() * self.rl.steps) as f64
    }

    /// Work done after `done` of a job's steps (as [`Event::Step`] counts
    /// them), in the units of [`job_units`](Self::job_units).
    pub fn units_done(&self, size: &str, done: usize) -> f64 {
        let pre = done.min(self.pretrain.steps);
        Self::step_cost(size) * (pre + 2 * (done - pre)) as f64
    }

    /// Work of the whole experiment in the same units.
    pub fn total_units(&self) -> f64 {
        self.jobs().iter().map(|j| self.job_units(&j.size)).sum()
    }

    /// The data every job of this experiment shares.
    pub fn data(&self) -> Data {
        Data::new(&self.pretrain, self.eval_histories, self.eps, self.seed)
    }
}

/// One unit of work: a model size and seed.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Job {
    /// Size name.
    pub size: String,
    /// Model seed.
    pub seed: u64,
}

impl Job {
    /// Seed of this job's weights and training randomness.
    pub fn model_seed(&self, experiment_seed: u64) -> u64 {
        let size_index = SIZES.iter().position(|s| *s == self.size).unwrap_or(9) as u64;
        derive_seed(derive_seed(experiment_seed, 100 + size_index), self.seed)
    }
}

/// Success and theory under one success set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskScore {
    /// The success set.
    pub task: SuccessSet,
    /// s = F(G).
    pub success: f64,
    /// s' under split histories.
    pub split_success: f64,
    /// Op_implied(s, p).
    pub op_implied: f64,
    /// Imp_min(s, s').
    pub imp_min: f64,
}

/// Op and Imp against one comparison future.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpImp {
    /// Optimization, nats.
    pub op: f64,
    /// Impact, nats.
    pub imp: f64,
    /// Success rate in the comparison future (trained task).
    pub comparison_success: f64,
}

/// Op and Imp against the comparison futures other than split histories.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparisons {
    /// Every history gets action 8 (the lab's "do nothing" token).
    pub fixed: OpImp,
    /// Every history gets a uniformly random action.
    pub random: OpImp,
    /// Every history gets the untrained model's action.
    pub untrained: OpImp,
    /// Every history gets the pretrained (not fine-tuned) model's action.
    pub pretrained: OpImp,
}

/// Everything the study plots about one trained model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelResult {
    /// Size name.
    pub size: String,
    /// Model seed.
    pub seed: u64,
    /// The task it was fine-tuned on.
    pub task: SuccessSet,
    /// Trainable parameters.
    pub params: usize,
    /// Pretraining curves.
    pub pretrain: Vec<PretrainPoint>,
    /// RL curve.
    pub rl: Vec<RlPoint>,
    /// H(F), nats.
    pub entropy_optimized: f64,
    /// H(F'|P''), nats.
    pub entropy_split: f64,
    /// Measured Op (split histories), nats. Does not depend on G.
    pub op: f64,
    /// Measured Imp (split histories), nats. Does not depend on G.
    pub imp: f64,
    /// Success and theory under every study task (and the trained task):
    /// cross-objective evaluation.
    pub scores: Vec<TaskScore>,
    /// Success of the pretrained model on the trained task, before RL.
    pub pretrained_success: f64,
    /// Op estimated with the model's own predictions as the world.
    pub self_op: f64,
    /// Imp estimated with the model's own predictions.
    pub self_imp: f64,
    /// Other comparison futures.
    pub comparisons: Comparisons,
}

impl ModelResult {
    /// The score under the trained task.
    pub fn own(&self) -> &TaskScore {
        self.score(self.task).expect("trained task is scored")
    }

    /// The score under a success set, if measured.
    pub fn score(&self, g: SuccessSet) -> Option<&TaskScore> {
        self.scores.iter().find(|s| s.task == g)
    }
}

/// A scripted policy measured on the same histories.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScriptedResult {
    /// Name: `greedy:n4`, `generator`, `constant:8`, `random:0`.
    pub name: String,
    /// Measured Op.
    pub op: f64,
    /// Measured Imp.
    pub imp: f64,
    /// Scores under every study task.
    pub scores: Vec<TaskScore>,
}

/// A job that did not finish (a panic, a worker that died).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    /// The job.
    pub job: Job,
    /// What went wrong.
    pub message: String,
}

/// A study's results: what `opimp sweep` writes and the page imports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Results {
    /// Always `opimp-results`.
    pub format: String,
    /// Format version.
    pub version: u32,
    /// The experiment.
    pub config: ExperimentConfig,
    /// Finished models, ordered by size, seed, task.
    pub models: Vec<ModelResult>,
    /// Scripted policies on the same histories.
    pub scripted: Vec<ScriptedResult>,
    /// Jobs that failed.
    #[serde(default)]
    pub failures: Vec<Failure>,
}

impl Results {
    /// Empty results for a config, with the scripted baselines measured.
    pub fn new(config: ExperimentConfig, data: &Data) -> Self {
        let scripted = scripted_baselines(&data.histories, &config);
        Results {
            format: RESULTS_FORMAT.into(),
            version: FORMAT_VERSION,
            config,
            models: Vec::new(),
            scripted,
            failures: Vec::new(),
        }
    }

    /// Adds finished models (replacing any of the same size, seed and task)
    /// and keeps the order fixed.
    pub fn add(&mut self, models: Vec<ModelResult>) {
        for m in models {
            self.models
                .retain(|o| !(o.size == m.size && o.seed == m.seed && o.task == m.task));
            self.failures
                .retain(|f| !(f.job.size == m.size && f.job.seed == m.seed));
            self.models.push(m);
        }
        let size_rank = |s: &str| SIZES.iter().position(|x| *x == s).unwrap_or(99);
        self.models.sort_by(|a, b| {
            (size_rank(&a.size), a.seed, a.task.mask()).cmp(&(size_rank(&b.size), b.seed, b.task.mask()))
        });
    }

    /// Whether every task of a job has a result.
    pub fn has_job(&self, job: &Job) -> bool {
        self.config.tasks.iter().all(|t| {
            self.models
                .iter()
                .any(|m| m.size == job.size && m.seed == job.seed && m.task == *t)
        })
    }

    /// Parses and checks a results file, naming what is wrong.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        match value.get("format").and_then(|f| f.as_str()) {
            Some(RESULTS_FORMAT) => {}
            Some(other) => return Err(format!("format is '{other}', not {RESULTS_FORMAT}")),
            None => return Err(format!("not an {RESULTS_FORMAT} file (no \"format\" field)")),
        }
        let r: Results =
            serde_json::from_value(value).map_err(|e| format!("not a valid results file: {e}"))?;
        if r.version != FORMAT_VERSION {
            return Err(format!("results version {} is not {FORMAT_VERSION}", r.version));
        }
        r.config.check().map_err(|e| format!("its config is invalid: {e}"))?;
        Ok(r)
    }
}

impl Results {
    /// One row per model: identity, success and theory under the trained
    /// task, cross-objective success under n2/n4/n6, self-evaluation and the
    /// other comparison futures. Then one row per scripted policy.
    pub fn to_csv(&self) -> String {
        let mut out = String::from(
            "kind,size,seed,task,params,success,split_success,op,op_implied,imp,imp_min,\
             success_n2,success_n4,success_n6,op_implied_n2,op_implied_n4,op_implied_n6,\
             self_op,self_imp,pretrained_success,op_fixed,imp_fixed,op_random,imp_random,\
             op_untrained,imp_untrained,op_pretrained,imp_pretrained,final_test_acc\n",
        );
        let f = |v: f64| format!("{v}");
        let cross = |scores: &[TaskScore], pick: fn(&TaskScore) -> f64| -> Vec<String> {
            SuccessSet::tasks()
                .iter()
                .map(|g| scores.iter().find(|s| s.task == *g).map(|s| f(pick(s))).unwrap_or_default())
                .collect()
        };
        for m in &self.models {
            let own = m.own();
            let c = &m.comparisons;
            let mut row = vec![
                "model".to_string(),
                m.size.clone(),
                m.seed.to_string(),
                m.task.name().replace(',', " "),
                m.params.to_string(),
                f(own.success),
                f(own.split_success),
                f(m.op),
                f(own.op_implied),
                f(m.imp),
                f(own.imp_min),
            ];
            row.extend(cross(&m.scores, |s| s.success));
            row.extend(cross(&m.scores, |s| s.op_implied));
            row.extend([
                f(m.self_op),
                f(m.self_imp),
                f(m.pretrained_success),
                f(c.fixed.op),
                f(c.fixed.imp),
                f(c.random.op),
                f(c.random.imp),
                f(c.untrained.op),
                f(c.untrained.imp),
                f(c.pretrained.op),
                f(c.pretrained.imp),
                m.pretrain.last().map(|p| f(p.test_acc)).unwrap_or_default(),
            ]);
            out.push_str(&row.join(","));
            out.push('\n');
        }
        for s in &self.scripted {
            let mut row = vec![
                "scripted".to_string(),
                s.name.replace(',', " "),
                String::new(),
                String::new(),
                "0".into(),
            ];
            let own = s.scores.iter().find(|t| Some(t.task) == self.config.tasks.first().copied());
            let own = own.unwrap_or(&s.scores[0]);
            row.extend([f(own.success), f(own.split_success), f(s.op), f(own.op_implied), f(s.imp), f(own.imp_min)]);
            row.extend(cross(&s.scores, |t| t.success));
            row.extend(cross(&s.scores, |t| t.op_implied));
            row.extend(std::iter::repeat_n(String::new(), 12));
            out.push_str(&row.join(","));
            out.push('\n');
        }
        out
    }
}

/// The study's three tasks plus `extra` if it is not one of them.
fn scored_tasks(extra: &[SuccessSet]) -> Vec<SuccessSet> {
    let mut v = SuccessSet::tasks().to_vec();
    for &t in extra {
        if !v.contains(&t) {
            v.push(t);
        }
    }
    v
}

fn scores(table: &Table, tasks: &[SuccessSet]) -> (measure::Measures, Vec<TaskScore>) {
    let mut first = None;
    let mut out = Vec::new();
    for &g in tasks {
        let m = measure::split_history_from_table(table, g);
        out.push(TaskScore {
            task: g,
            success: m.success,
            split_success: m.split_success,
            op_implied: m.op_implied,
            imp_min: m.imp_min,
        });
        first.get_or_insert(m);
    }
    (first.expect("at least one task"), out)
}

/// Op, Imp and scores of the scripted policies on `histories`.
pub fn scripted_baselines(histories: &[Vec<u8>], config: &ExperimentConfig) -> Vec<ScriptedResult> {
    let tasks = scored_tasks(&config.tasks);
    let rule = SequenceRule { eps: config.eps };
    let mut policies: Vec<(String, Scripted)> = tasks
        .iter()
        .map(|&g| (format!("greedy:{g}"), Scripted::Greedy { good: g }))
        .collect();
    policies.push(("generator".into(), Scripted::Generator));
    policies.push(("constant:8".into(), Scripted::Constant { action: 8 }));
    policies.push(("random:0".into(), Scripted::Random { seed: 0 }));
    policies
        .into_iter()
        .map(|(name, p)| {
            let table = Table::new(histories, measure::Policy::actions(&p, histories), &rule);
            let (m, scores) = scores(&table, &tasks);
            ScriptedResult {
                name,
                op: m.op,
                imp: m.imp,
                scores,
            }
        })
        .collect()
}

/// Where a job is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Phase {
    /// Next-token pretraining.
    Pretrain,
    /// RL fine-tuning on a task.
    Rl(SuccessSet),
    /// Measuring a fine-tuned model.
    Measure(SuccessSet),
}

/// What a running job reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Event {
    /// A step finished: `step` of `total` in this phase, `done` of
    /// `job_total` steps of the whole job. `value` is the batch loss
    /// (pretraining) or batch success rate (RL).
    Step {
        /// The job.
        job: Job,
        /// The phase.
        phase: Phase,
        /// Steps done in this phase.
        step: usize,
        /// Steps in this phase.
        total: usize,
        /// Steps done in the job.
        done: usize,
        /// Steps in the job.
        job_total: usize,
        /// Batch loss or success.
        value: f64,
    },
    /// A point of the pretraining curves.
    Pretrain(Job, PretrainPoint),
    /// A point of an RL curve.
    Rl(Job, SuccessSet, RlPoint),
    /// A model is finished and measured.
    Model(Box<ModelResult>),
}

/// Returned when the caller asked to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled;

/// Runs one job: pretrain, then fine-tune and measure on every task.
/// `on` receives every event and returns false to cancel (the models
/// finished so far have already been reported); `on_trained` receives each
/// fine-tuned model and the pretrained model it started from (to keep a
/// checkpoint) before it is measured.
pub fn run_job(
    config: &ExperimentConfig,
    job: &Job,
    data: &Data,
    device: &Device,
    on: &mut dyn FnMut(Event) -> bool,
    on_trained: &mut dyn FnMut(SuccessSet, &Model, &Model),
) -> Result<Vec<ModelResult>, Cancelled> {
    let model_config = ModelConfig::preset(&job.size).expect("checked size");
    let seed = job.model_seed(config.seed);
    let p = &config.pretrain;
    let job_total = config.job_steps();
    let mut done = 0;
    let mut trainer = Trainer::new(&model_config, seed, p.weight_decay, device);
    let untrained = trainer.model();
    let mut pretrain_curve = vec![pretrain_point(0, &untrained, data, device)];
    if !on(Event::Pretrain(job.clone(), pretrain_curve[0].clone())) {
        return Err(Cancelled);
    }
    for step in 1..=p.steps {
        let loss = trainer.next_token_step(&data.train, p.batch, p.lr, false);
        done += 1;
        let go = on(Event::Step {
            job: job.clone(),
            phase: Phase::Pretrain,
            step,
            total: p.steps,
            done,
            job_total,
            value: loss,
        });
        if step % p.eval_every == 0 || step == p.steps {
            let point = pretrain_point(step, &trainer.model(), data, device);
            pretrain_curve.push(point.clone());
            if !on(Event::Pretrain(job.clone(), point)) {
                return Err(Cancelled);
            }
        }
        if !go {
            return Err(Cancelled);
        }
    }
    let pretrained_trainable = trainer.into_model();
    let pretrained = pretrained_trainable.valid();
    let mut results = Vec::new();
    for (t, &task) in config.tasks.iter().enumerate() {
        let r = &config.rl;
        let rl_seed = derive_seed(seed, 1000 + t as u64);
        let mut rl = Trainer::from_model(pretrained_trainable.clone(), rl_seed, p.weight_decay, device);
        let rl_point = |step: usize, m: &Model| RlPoint {
            step,
            success: train::success_rates(m, device, &data.histories, &[task], config.eps)[0],
            outcome_acc: train::evaluate(m, &data.test_outcome_eval, device).1,
        };
        let first = rl_point(0, &pretrained);
        let pretrained_success = first.success;
        let mut curve = vec![first.clone()];
        if !on(Event::Rl(job.clone(), task, first)) {
            return Err(Cancelled);
        }
        for step in 1..=r.steps {
            let success = rl.rl_step(&data.train, task, r.batch, r.lr, config.eps);
            rl.next_token_step(&data.train, r.maintenance_batch, r.maintenance_lr, true);
            done += 1;
            let go = on(Event::Step {
                job: job.clone(),
                phase: Phase::Rl(task),
                step,
                total: r.steps,
                done,
                job_total,
                value: success,
            });
            if step % r.eval_every == 0 || step == r.steps {
                let point = rl_point(step, &rl.model());
                curve.push(point.clone());
                if !on(Event::Rl(job.clone(), task, point)) {
                    return Err(Cancelled);
                }
            }
            if !go {
                return Err(Cancelled);
            }
        }
        let model = rl.model();
        on_trained(task, &model, &pretrained);
        let mut result = measure_model(config, &model, &untrained, &pretrained, task, data, device);
        result.size = job.size.clone();
        result.seed = job.seed;
        result.params = model_config.param_count();
        result.pretrain = pretrain_curve.clone();
        result.rl = curve;
        result.pretrained_success = pretrained_success;
        if !on(Event::Model(Box::new(result.clone()))) {
            return Err(Cancelled);
        }
        results.push(result);
    }
    Ok(results)
}

/// A fine-tuned model of `job` as checkpoint bytes, with the pretrained
/// model it started from and what it takes to rebuild its untrained self,
/// so that [`measure_checkpoint`] (in the page or the CLI) measures it again
/// with every comparison future.
pub fn trained_checkpoint(
    config: &ExperimentConfig,
    job: &Job,
    task: SuccessSet,
    model: &Model,
    pretrained: &Model,
) -> Result<Vec<u8>, String> {
    let model_config = ModelConfig::preset(&job.size).ok_or_else(|| format!("unknown size '{}'", job.size))?;
    let header = crate::model::CheckpointHeader {
        format: "opimp-checkpoint".into(),
        version: 2,
        size: job.size.clone(),
        config: model_config,
        note: format!("size {} seed {}, pretrained then fine-tuned on {task}", job.size, job.seed),
        trained: Some(crate::model::TrainedAs {
            seed: job.seed,
            init_seed: train::init_seed(job.model_seed(config.seed)),
            task,
        }),
        records: Vec::new(),
    };
    crate::model::save_checkpoint(&[model, pretrained], &header)
}

/// Measures a checkpoint written by [`trained_checkpoint`] on `config`'s
/// evaluation histories: the same numbers `run_job` reported for it when
/// `config` is the experiment it was trained in (curves stay empty).
pub fn measure_checkpoint(
    config: &ExperimentConfig,
    bytes: &[u8],
    data: &Data,
    device: &Device,
) -> Result<ModelResult, String> {
    let (header, models) = crate::model::load_checkpoint(bytes, device)?;
    let trained = header.trained.as_ref().ok_or(
        "this checkpoint does not say how it was trained (save it with `opimp train --save-model`)",
    )?;
    let [model, pretrained] = &models[..] else {
        return Err(format!(
            "this checkpoint holds {} model(s); a trained model comes with the pretrained model it started from",
            models.len()
        ));
    };
    let untrained = header.config.init(trained.init_seed, device);
    let task = trained.task;
    let mut result = measure_model(config, model, &untrained, pretrained, task, data, device);
    result.size = header.size.clone();
    result.seed = trained.seed;
    result.params = header.config.param_count();
    result.pretrained_success = train::success_rates(pretrained, device, &data.histories, &[task], config.eps)[0];
    Ok(result)
}

fn pretrain_point(step: usize, model: &Model, data: &Data, device: &Device) -> PretrainPoint {
    let (train_loss, train_acc) = train::evaluate(model, &data.train_eval, device);
    let (test_loss, test_acc) = train::evaluate(model, &data.test_eval, device);
    PretrainPoint {
        step,
        train_loss,
        train_acc,
        test_loss,
        test_acc,
    }
}

/// Every measure of a fine-tuned model on the evaluation histories: split
/// histories under each task, self-evaluation, and the other comparison
/// futures (curves and identity fields are left for the caller).
pub fn measure_model(
    config: &ExperimentConfig,
    model: &Model,
    untrained: &Model,
    pretrained: &Model,
    task: SuccessSet,
    data: &Data,
    device: &Device,
) -> ModelResult {
    let hs = &data.histories;
    let policy = NetworkPolicy { model, device };
    let rule = SequenceRule { eps: config.eps };
    let actions = measure::Policy::actions(&policy, hs);
    let table = Table::new(hs, actions.clone(), &rule);
    let tasks = scored_tasks(&[task]);
    let (m, scores) = scores(&table, &tasks);
    let self_model = NetworkOutcome { model, device };
    let self_table = Table::new(hs, actions.clone(), &self_model);
    let self_m = measure::split_history_from_table(&self_table, task);
    let against = |c: Comparison<'_>| {
        let r = measure::against_actions(hs, actions.clone(), &rule, task, c);
        OpImp {
            op: r.op,
            imp: r.imp,
            comparison_success: r.split_success,
        }
    };
    let comparisons = Comparisons {
        fixed: against(Comparison::Fixed(8)),
        random: against(Comparison::UniformRandom),
        untrained: against(Comparison::Policy(&NetworkPolicy {
            model: untrained,
            device,
        })),
        pretrained: against(Comparison::Policy(&NetworkPolicy {
            model: pretrained,
            device,
        })),
    };
    ModelResult {
        size: String::new(),
        seed: 0,
        task,
        params: 0,
        pretrain: Vec::new(),
        rl: Vec::new(),
        entropy_optimized: m.entropy_optimized,
        entropy_split: m.entropy_split,
        op: m.op,
        imp: m.imp,
        scores,
        pretrained_success: 0.0,
        self_op: self_m.op,
        self_imp: self_m.imp,
        comparisons,
    }
}
