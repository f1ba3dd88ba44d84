//! What running work reports, the same whether the CLI's threads or the
//! page's workers run it.

use super::curves::{PretrainPoint, RlPoint};
use super::key::{ModelKey, NetKey};
use super::results::ModelResult;
use serde::{Deserialize, Serialize};

/// What a piece of work reports while it runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Event {
    /// `step` of the work's `total` steps are done (pretraining steps, or
    /// RL steps of the stacked tasks).
    Step {
        /// Steps done.
        step: usize,
        /// Steps in the work.
        total: usize,
        /// The batch loss (pretraining) or mean batch success (RL).
        value: f64,
    },
    /// A point of a pretraining curve.
    PretrainPoint {
        /// The net.
        net: NetKey,
        /// The point.
        point: PretrainPoint,
    },
    /// A point of an RL curve.
    RlPoint {
        /// The model.
        key: ModelKey,
        /// The point.
        point: RlPoint,
    },
    /// A pretrained net, for the RL work that starts from it.
    Pretrained {
        /// The net.
        net: NetKey,
        /// Its checkpoint (carried beside the message, not in its JSON).
        #[serde(skip)]
        checkpoint: Vec<u8>,
    },
    /// A fine-tuned model's checkpoint (with the net it started from), to
    /// keep and download.
    Trained {
        /// The model.
        key: ModelKey,
        /// Its checkpoint (carried beside the message, not in its JSON).
        #[serde(skip)]
        checkpoint: Vec<u8>,
    },
    /// A model is finished and measured.
    Model(Box<ModelResult>),
}

impl Event {
    /// The checkpoint bytes an event carries, if any, taken out of it.
    pub fn take_payload(&mut self) -> Option<Vec<u8>> {
        match self {
            Event::Pretrained { checkpoint, .. } | Event::Trained { checkpoint, .. } => Some(std::mem::take(checkpoint)),
            _ => None,
        }
    }

    /// Puts checkpoint bytes back into an event that carries them.
    pub fn put_payload(&mut self, bytes: Vec<u8>) {
        if let Event::Pretrained { checkpoint, .. } | Event::Trained { checkpoint, .. } = self {
            *checkpoint = bytes;
        }
    }
}
