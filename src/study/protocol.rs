//! Messages between the page and its training workers: typed serde enums
//! sent as JSON text, with checkpoint bytes beside the text (a transferable
//! buffer in the browser), never inside it.

use crate::study::config::ExperimentConfig;
use crate::study::engine::Engine;
use crate::study::event::Event;
use crate::study::jobs::Work;
use crate::study::inspection::Inspection;
use crate::study::results::Results;
use crate::study::size::Size;
use serde::{Deserialize, Serialize};

/// What the page asks a worker to do.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum WorkerInput {
    /// Run one work of an experiment, streaming events. `run` tags the
    /// messages so that late messages of a cancelled run are ignored.
    Run {
        /// Run tag.
        run: u64,
        /// The experiment.
        config: ExperimentConfig,
        /// The work.
        work: Work,
        /// For RL work, the pretrained net's checkpoint (the payload).
        #[serde(skip)]
        pretrained: Option<Vec<u8>>,
    },
    /// Measure a fine-tuned model's checkpoint on the experiment's
    /// histories: answered by a `Model` event and `Done`, or `Failed` with
    /// what is wrong with the file.
    Measure {
        /// Run tag.
        run: u64,
        /// The experiment whose histories to measure on.
        config: ExperimentConfig,
        /// The checkpoint (the payload).
        #[serde(skip)]
        checkpoint: Vec<u8>,
    },
    /// Measure an experiment's scripted policies and baseline on its
    /// evaluation histories (generating its data first): answered by
    /// `Prepared`.
    Prepare {
        /// The experiment.
        config: ExperimentConfig,
    },
    /// Look inside a fine-tuned model on one history: answered by
    /// `Inspected`, or `Failed` with what is wrong.
    Inspect {
        /// The experiment (its evaluation histories).
        config: ExperimentConfig,
        /// The history to use, or none for evaluation history `index`.
        history: Option<Vec<u8>>,
        /// Which evaluation history, when none is given.
        index: usize,
        /// The model's checkpoint (the payload).
        #[serde(skip)]
        checkpoint: Vec<u8>,
    },
    /// Time pretraining steps of each size: the browser benchmark.
    Bench {
        /// Sizes to time.
        sizes: Vec<Size>,
        /// Members trained as one stack.
        members: usize,
        /// Timed steps per size (after a warm-up that lasts until the time
        /// per step settles).
        steps: usize,
        /// Windows per member per step.
        batch: usize,
        /// Warm-up steps before timing: none given, until the time per step
        /// settles (the benchmark); given, exactly that many (the page's
        /// quick trial of each engine before a long run).
        #[serde(default)]
        warmup: Option<usize>,
    },
}

/// What a worker tells the page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum WorkerOutput {
    /// The worker's wasm has loaded and it can take work.
    Ready {
        /// The worker's build ([`crate::study::provenance::BUILD`]).
        build: String,
        /// The engine it computes on.
        engine: Engine,
    },
    /// The worker's engine cannot run here (a GPU worker where the browser
    /// offers no WebGPU adapter); it takes no work.
    Unavailable {
        /// The engine it was built for.
        engine: Engine,
        /// Why not.
        message: String,
    },
    /// Progress of the run.
    Event {
        /// Run tag.
        run: u64,
        /// The event (checkpoint bytes travel as the payload).
        event: Event,
    },
    /// The work (or measurement) finished.
    Done {
        /// Run tag.
        run: u64,
    },
    /// The work failed; the message says why.
    Failed {
        /// Run tag.
        run: u64,
        /// What went wrong.
        message: String,
    },
    /// Benchmark figure for one size.
    Bench {
        /// The size.
        size: Size,
        /// Members in the stack.
        members: usize,
        /// Milliseconds per step of the whole stack.
        ms_per_step: f64,
        /// Warm-up steps taken before the time settled.
        warmup: usize,
    },
    /// The benchmark is over.
    BenchDone,
    /// A model on one history.
    Inspected {
        /// What it computes there.
        inspection: Box<Inspection>,
    },
    /// An experiment's empty results with its scripted policies and
    /// baseline measured.
    Prepared {
        /// The results.
        results: Box<Results>,
    },
    /// The worker could not understand a message.
    Error {
        /// What was wrong.
        message: String,
    },
}

/// A message as it travels: JSON text and, beside it, bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct Envelope {
    /// The message without its bytes.
    pub json: String,
    /// Checkpoint bytes, if the message carries any.
    pub payload: Option<Vec<u8>>,
}

impl WorkerInput {
    /// The message as JSON text and its bytes.
    pub fn encode(mut self) -> Envelope {
        let payload = match &mut self {
            WorkerInput::Run { pretrained, .. } => pretrained.take(),
            WorkerInput::Measure { checkpoint, .. } | WorkerInput::Inspect { checkpoint, .. } => Some(std::mem::take(checkpoint)),
            _ => None,
        };
        Envelope { json: serde_json::to_string(&self).expect("serialisable"), payload }
    }

    /// The message from JSON text and its bytes.
    pub fn decode(e: Envelope) -> Result<Self, String> {
        let mut input: WorkerInput = serde_json::from_str(&e.json).map_err(|err| format!("bad worker input: {err}"))?;
        if let Some(bytes) = e.payload {
            match &mut input {
                WorkerInput::Run { pretrained, .. } => *pretrained = Some(bytes),
                WorkerInput::Measure { checkpoint, .. } | WorkerInput::Inspect { checkpoint, .. } => *checkpoint = bytes,
                WorkerInput::Bench { .. } | WorkerInput::Prepare { .. } => {}
            }
        }
        Ok(input)
    }
}

impl WorkerOutput {
    /// The message as JSON text and its bytes.
    pub fn encode(mut self) -> Envelope {
        let payload = match &mut self {
            WorkerOutput::Event { event, .. } => event.take_payload(),
            _ => None,
        };
        Envelope { json: serde_json::to_string(&self).expect("serialisable"), payload }
    }

    /// The message from JSON text and its bytes.
    pub fn decode(e: Envelope) -> Result<Self, String> {
        let mut out: WorkerOutput = serde_json::from_str(&e.json).map_err(|err| format!("bad worker output: {err}"))?;
        if let (Some(bytes), WorkerOutput::Event { event, .. }) = (e.payload, &mut out) {
            event.put_payload(bytes);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::key::NetKey;
    use crate::study::preset::Preset;

    #[test]
    fn messages_round_trip_with_their_bytes_beside_the_text() {
        let net = NetKey { size: Size::S, seed: 1 };
        let input = WorkerInput::Run {
            run: 3,
            config: ExperimentConfig::preset(Preset::Quick),
            work: Work::Rl { net, tasks: vec![crate::sequence::SuccessSet::N4] },
            pretrained: Some(vec![7; 1000]),
        };
        let e = input.clone().encode();
        assert!(e.json.len() < 2000 && !e.json.contains("7,7"), "{}", e.json);
        assert_eq!(e.payload.as_deref(), Some(&[7u8; 1000][..]));
        assert_eq!(WorkerInput::decode(e).unwrap(), input);
        let out = WorkerOutput::Event { run: 3, event: Event::Pretrained { net, checkpoint: vec![1, 2, 3] } };
        let e = out.clone().encode();
        assert_eq!(e.payload, Some(vec![1, 2, 3]));
        assert_eq!(WorkerOutput::decode(e).unwrap(), out);
        assert!(WorkerInput::decode(Envelope { json: "{\"Nope\":1}".into(), payload: None }).is_err());
    }
}
