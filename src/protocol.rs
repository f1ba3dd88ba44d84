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
    /// Measure a trained model from a checkpoint (one the page kept or
    /// `opimp train --save-model` wrote) on the experiment's evaluation
    /// histories; answered by a `Model` event and `Done`, or `Failed` with
    /// what is wrong with the file.
    Measure {
        /// Run tag.
        run: u64,
        /// The experiment whose histories to measure on.
        config: ExperimentConfig,
        /// The checkpoint's bytes, base64.
        checkpoint: String,
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
    /// A fine-tuned model's checkpoint (with the pretrained model it came
    /// from), sent before the model is measured, so the page can keep it.
    Checkpoint {
        /// Run tag.
        run: u64,
        /// The job.
        job: Job,
        /// The task it was fine-tuned on.
        task: crate::sequence::SuccessSet,
        /// The checkpoint's bytes, base64.
        checkpoint: String,
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

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Bytes as standard base64 (with padding), for binary payloads in JSON.
pub fn to_base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Standard base64 back to bytes; whitespace is ignored, anything else
/// that is not base64 is an error.
pub fn from_base64(text: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut acc = 0u32;
    let mut bits = 0;
    let mut padding = 0;
    for c in text.bytes().filter(|c| !c.is_ascii_whitespace()) {
        if c == b'=' {
            padding += 1;
            continue;
        }
        if padding > 0 {
            return Err("bad base64: data after padding".into());
        }
        let v = B64
            .iter()
            .position(|&x| x == c)
            .ok_or_else(|| format!("bad base64: unexpected character {:?}", c as char))? as u32;
        acc = (acc << 6 | v) & 0xff_ffff;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits & 0xff) as u8);
        }
    }
    if padding > 2 || bits >= 6 {
        return Err("bad base64: wrong length".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips() {
        assert_eq!(to_base64(b""), "");
        assert_eq!(to_base64(b"f"), "Zg==");
        assert_eq!(to_base64(b"fo"), "Zm8=");
        assert_eq!(to_base64(b"foo"), "Zm9v");
        assert_eq!(to_base64(b"foobar"), "Zm9vYmFy");
        for n in 0..300usize {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 37 % 256) as u8).collect();
            assert_eq!(from_base64(&to_base64(&bytes)).unwrap(), bytes, "{n}");
        }
        assert!(from_base64("Zm9v!").is_err());
        assert!(from_base64("Zg==Zg").is_err());
        assert!(from_base64("Z").is_err());
    }

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
