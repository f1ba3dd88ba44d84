//! Reading and writing results files whole: a file is taken in only if
//! every part of it holds together, and a file is written only if it will
//! read back.

use super::config::ExperimentConfig;
use super::curves::{Curves, NetCurve, PretrainPoint, RlCurve, RlPoint};
use super::key::{ModelKey, NetKey};
use super::provenance::Provenance;
use super::results::*;
use super::size::Size;
use crate::policy::Scripted;
use crate::sequence::SuccessSet;
use serde::Deserialize;

/// The largest results file read (bytes): the paper's 60 models take 0.4 MB.
pub const MAX_RESULTS_BYTES: usize = 64 << 20;

impl Results {
    /// Parses and checks a results file (version 1, 2 or 3), naming the first
    /// thing that is wrong.
    pub fn from_json(text: &str) -> Result<Self, String> {
        // One line, whatever the file quotes back.
        Self::read(text).map_err(|e| e.replace(['\n', '\r'], " "))
    }

    fn read(text: &str) -> Result<Self, String> {
        if text.len() > MAX_RESULTS_BYTES {
            return Err(format!("the file is {} MB; results files are at most {} MB", text.len() >> 20, MAX_RESULTS_BYTES >> 20));
        }
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        match value.get("format").and_then(|f| f.as_str()) {
            Some(RESULTS_FORMAT) => {}
            Some(other) => return Err(format!("format is '{other}', not {RESULTS_FORMAT}")),
            None => return Err(format!("not an {RESULTS_FORMAT} file (no \"format\" field)")),
        }
        let r = match value.get("version").and_then(|v| v.as_u64()) {
            Some(1) => from_v1(value)?,
            // Version 2 differs only in its config's format.
            Some(2) => {
                let mut value = value;
                let config = value.get("config").cloned().unwrap_or_default();
                value["config"] = super::config::upgrade(config).map_err(|e| format!("its config is invalid: {e}"))?;
                value["version"] = RESULTS_VERSION.into();
                serde_json::from_value(value).map_err(|e| format!("not a valid results file: {e}"))?
            }
            Some(v) if v == RESULTS_VERSION as u64 => {
                serde_json::from_value(value).map_err(|e| format!("not a valid results file: {e}"))?
            }
            Some(v) => return Err(format!("results version {v} is not one this lab reads (1 to {RESULTS_VERSION})")),
            None => return Err("not a valid results file: no \"version\"".into()),
        };
        r.validate()?;
        Ok(r)
    }

    /// The file as JSON, checked first: a file that would not read back
    /// (a NaN, a duplicate, a model outside the experiment) is not written.
    pub fn to_json(&self) -> Result<String, String> {
        self.validate()?;
        serde_json::to_string(self).map_err(|e| e.to_string())
    }

    /// Checks that the file holds together: its config, every model and
    /// curve inside the experiment and at most once, every model scored
    /// under its own task and the study's tasks, every number finite, and
    /// the scripted policies measured.
    pub fn validate(&self) -> Result<(), String> {
        self.validate_parts()?;
        if !self.is_measured() {
            return Err("no scripted policies (the baselines every figure shows)".into());
        }
        Ok(())
    }

    /// [`Self::validate`] for results whose baselines may not be measured
    /// yet (the page adds models to them while a worker measures them).
    pub fn validate_parts(&self) -> Result<(), String> {
        if self.format != RESULTS_FORMAT || self.version != RESULTS_VERSION {
            return Err(format!("format {} version {} is not {RESULTS_FORMAT} {RESULTS_VERSION}", self.format, self.version));
        }
        let c = &self.config;
        c.check().map_err(|e| format!("its config is invalid: {e}"))?;
        let tasks = scored_tasks(&c.tasks);
        let in_config = |k: ModelKey| c.sizes.contains(&k.size) && c.seeds.contains(&k.seed) && c.tasks.contains(&k.task);
        let net_in_config = |n: NetKey| c.sizes.contains(&n.size) && c.seeds.contains(&n.seed);
        finite_all("the baseline", &self.baseline.future)?;
        let total: f64 = self.baseline.future.iter().sum();
        if (total - 1.0).abs() > 1e-9 || self.baseline.future.iter().any(|&p| p < 0.0) {
            return Err("the baseline is not a distribution".into());
        }
        finite("the baseline's entropy", self.baseline.entropy)?;
        for (i, m) in self.models.iter().enumerate() {
            let k = m.key;
            if !in_config(k) {
                return Err(format!("model {k} is not part of the experiment"));
            }
            if self.models[..i].iter().any(|x| x.key == k) {
                return Err(format!("model {k} appears twice"));
            }
            if m.params != k.size.params() {
                return Err(format!("model {k} says it has {} parameters; size {} has {}", m.params, k.size, k.size.params()));
            }
            check_scores(&format!("model {k}"), &m.scores, &tasks)?;
            let what = format!("model {k}");
            finite_all(
                &what,
                &[m.entropy_optimized, m.entropy_split, m.op, m.imp, m.pretrained_success, m.self_op, m.self_imp],
            )?;
            let cmp = &m.comparisons;
            for o in [cmp.fixed, cmp.random, cmp.untrained, cmp.pretrained] {
                finite_all(&what, &[o.op, o.imp, o.comparison_success])?;
            }
            if let Some(mc) = &m.monte_carlo {
                finite_all(&what, &[mc.op.mean, mc.op.se, mc.imp.mean, mc.imp.se])?;
            }
            rate(&what, m.pretrained_success)?;
        }
        for s in &self.scripted {
            let what = format!("scripted policy {}", s.policy.label());
            check_scores(&what, &s.scores, &tasks)?;
            finite_all(&what, &[s.op, s.imp])?;
        }
        for (i, cv) in self.curves.pretrain.iter().enumerate() {
            if !net_in_config(cv.net) {
                return Err(format!("a pretraining curve of {} is not part of the experiment", cv.net));
            }
            if self.curves.pretrain[..i].iter().any(|x| x.net == cv.net) {
                return Err(format!("the pretraining curve of {} appears twice", cv.net));
            }
            for p in &cv.points {
                finite_all(&format!("the curve of {}", cv.net), &[p.train_loss, p.train_acc, p.test_loss, p.test_acc])?;
            }
        }
        for (i, cv) in self.curves.rl.iter().enumerate() {
            if !in_config(cv.key) {
                return Err(format!("an RL curve of {} is not part of the experiment", cv.key));
            }
            if self.curves.rl[..i].iter().any(|x| x.key == cv.key) {
                return Err(format!("the RL curve of {} appears twice", cv.key));
            }
            for p in &cv.points {
                finite_all(&format!("the RL curve of {}", cv.key), &[p.success, p.outcome_acc, p.rollout_acc.unwrap_or(0.0)])?;
            }
        }
        for f in &self.failures {
            if let Some(k) = f.models.iter().find(|k| !in_config(**k)) {
                return Err(format!("a failure names model {k}, which is not part of the experiment"));
            }
        }
        Ok(())
    }
}

fn finite(what: &str, v: f64) -> Result<(), String> {
    if v.is_finite() { Ok(()) } else { Err(format!("{what} has a value that is not a finite number ({v})")) }
}

fn finite_all(what: &str, vs: &[f64]) -> Result<(), String> {
    vs.iter().try_for_each(|&v| finite(what, v))
}

fn rate(what: &str, v: f64) -> Result<(), String> {
    if (0.0..=1.0).contains(&v) { Ok(()) } else { Err(format!("{what} has a success rate of {v}, outside [0, 1]")) }
}

fn check_scores(what: &str, scores: &[TaskScore], tasks: &[SuccessSet]) -> Result<(), String> {
    for t in tasks {
        match scores.iter().filter(|s| s.task == *t).count() {
            1 => {}
            0 => return Err(format!("{what} has no score under {t}")),
            _ => return Err(format!("{what} is scored twice under {t}")),
        }
    }
    if let Some(s) = scores.iter().find(|s| !tasks.contains(&s.task)) {
        return Err(format!("{what} is scored under {}, which the experiment does not use", s.task));
    }
    for s in scores {
        finite_all(what, &[s.success, s.split_success, s.op_implied, s.imp_min])?;
        rate(what, s.success)?;
        rate(what, s.split_success)?;
    }
    Ok(())
}

/// A version 1 file (the first round's): curves inside each model,
/// scripted policies by name, failures by job.
fn from_v1(value: serde_json::Value) -> Result<Results, String> {
    #[derive(Deserialize)]
    struct V1 {
        config: serde_json::Value,
        models: Vec<V1Model>,
        scripted: Vec<V1Scripted>,
        #[serde(default)]
        failures: Vec<V1Failure>,
    }
    #[derive(Deserialize)]
    struct V1Model {
        size: Size,
        seed: u64,
        task: SuccessSet,
        params: usize,
        pretrain: Vec<PretrainPoint>,
        rl: Vec<RlPoint>,
        entropy_optimized: f64,
        entropy_split: f64,
        op: f64,
        imp: f64,
        scores: Vec<TaskScore>,
        pretrained_success: f64,
        self_op: f64,
        self_imp: f64,
        comparisons: Comparisons,
    }
    #[derive(Deserialize)]
    struct V1Scripted {
        name: String,
        op: f64,
        imp: f64,
        scores: Vec<TaskScore>,
    }
    #[derive(Deserialize)]
    struct V1Job {
        size: Size,
        seed: u64,
    }
    #[derive(Deserialize)]
    struct V1Failure {
        job: V1Job,
        message: String,
    }
    let v1: V1 = serde_json::from_value(value).map_err(|e| format!("not a valid version 1 results file: {e}"))?;
    let config = ExperimentConfig::from_value(v1.config).map_err(|e| format!("its config is invalid: {e}"))?;
    let mut curves = Curves::default();
    let mut models = Vec::new();
    for m in v1.models {
        let key = ModelKey { size: m.size, seed: m.seed, task: m.task };
        if curves.net(key.net()).is_none() {
            curves.pretrain.push(NetCurve { net: key.net(), points: m.pretrain });
        }
        curves.rl.push(RlCurve { key, points: m.rl });
        models.push(ModelResult {
            key,
            params: m.params,
            entropy_optimized: m.entropy_optimized,
            entropy_split: m.entropy_split,
            op: m.op,
            imp: m.imp,
            scores: m.scores,
            pretrained_success: m.pretrained_success,
            self_op: m.self_op,
            self_imp: m.self_imp,
            comparisons: m.comparisons,
            monte_carlo: None,
        });
    }
    let scripted = v1
        .scripted
        .into_iter()
        .map(|s| {
            let policy = Scripted::parse(&s.name, SuccessSet::N4, 0).map_err(|e| format!("scripted policy {}: {e}", s.name))?;
            Ok(ScriptedResult { policy, op: s.op, imp: s.imp, scores: s.scores })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let failures = v1
        .failures
        .into_iter()
        .map(|f| Failure {
            models: config.tasks.iter().map(|&task| ModelKey { size: f.job.size, seed: f.job.seed, task }).collect(),
            message: f.message,
        })
        .collect();
    let mut r = Results {
        format: RESULTS_FORMAT.into(),
        version: RESULTS_VERSION,
        baseline: Baseline::measure(&config.pooled_histories(), config.eps),
        config,
        provenance: Provenance {
            engine: "native (a version 1 file; engine not recorded)".to_string().into(),
            build: "unknown (version 1)".into(),
            note: "converted from a version 1 results file".into(),
        },
        models: Vec::new(),
        scripted,
        curves,
        failures,
    };
    let n = models.len();
    r.add(models);
    if r.models.len() != n {
        return Err("a model appears twice".into());
    }
    Ok(r)
}
