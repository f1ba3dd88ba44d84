//! Messages between the page and its training workers: typed serde enums,
//! sent as JSON text through `postMessage`.

use crate::experiment::{Event, ExperimentConfig, Job};
use serde::{Deserialize, Serialize};

/// What the page asks a worker to do.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum WorkerInput {
    /// Run one job of an experiment (pretrain, fine-tune on every task,
    /// measure), streaming events. `run` tags the messages so that late
    /// messages of a cancelled run are ignored.
    Run {
        /// Run tag.
        run: u64,
        /// The experiment.
        config: ExperimentConfig,
        /// The job.
        job: Job,
    },
    /// Time training steps of each size (the browser benchmark).
    Bench {
        /// Sizes to time.
        sizes: Vec<String>,
        /// Timed steps per size (after two warm-up steps).
        steps: usize,
        /// Batch size.
        batch: usize,
    },
}

/// What a worker tells the page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum WorkerOutput {
    /// The worker's wasm has loaded and it can take work.
    Ready,
    /// Progress of a job.
    Event {
        /// Run tag.
        run: u64,
        /// The event.
        event: Event,
    },
    /// A job finished.
    Done {
        /// Run tag.
        run: u64,
        /// The job.
        job: Job,
    },
    /// A job failed (a panic in the worker); the worker is unusable after.
    Failed {
        /// Run tag.
        run: u64,
        /// The job.
        job: Job,
        /// What went wrong.
        message: String,
    },
    /// Benchmark result: milliseconds per training step for one size.
    BenchResult {
        /// Size name.
        size: String,
        /// Parameters.
        params: usize,
        /// Milliseconds per pretraining step.
        ms_per_step: f64,
    },
    /// The worker could not understand a message.
    Error {
        /// What was wrong.
        message: String,
    },
}

impl WorkerInput {
    /// As JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("serialisable")
    }
    /// From JSON text.
    pub fn from_json(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| format!("bad worker input: {e}"))
    }
}

impl WorkerOutput {
    /// As JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("serialisable")
    }
    /// From JSON text.
    pub fn from_json(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| format!("bad worker output: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip() {
        let input = WorkerInput::Run {
            run: 3,
            config: ExperimentConfig::preset("quick").unwrap(),
            job: Job { size: "s".into(), seed: 1 },
        };
        assert_eq!(WorkerInput::from_json(&input.to_json()).unwrap(), input);
        let out = WorkerOutput::Failed {
            run: 3,
            job: Job { size: "s".into(), seed: 1 },
            message: "boom".into(),
        };
        assert_eq!(WorkerOutput::from_json(&out.to_json()).unwrap(), out);
        assert!(WorkerInput::from_json("{\"Nope\":1}").is_err());
    }
}
