//! Which model: a size, a seed and the task it was fine-tuned on.

use super::size::Size;
use crate::sequence::SuccessSet;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The identity of one fine-tuned model in an experiment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ModelKey {
    /// Model size.
    pub size: Size,
    /// Model seed (its weights and training randomness derive from it).
    pub seed: u64,
    /// The task it was fine-tuned on.
    pub task: SuccessSet,
}

/// The identity of one pretrained model: a size and a seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct NetKey {
    /// Model size.
    pub size: Size,
    /// Model seed.
    pub seed: u64,
}

impl ModelKey {
    /// The pretrained model this one was fine-tuned from.
    pub fn net(self) -> NetKey {
        NetKey { size: self.size, seed: self.seed }
    }

    /// A file name for this model's checkpoint.
    pub fn file_name(self) -> String {
        format!("opimp-{}-seed{}-{}.safetensors", self.size, self.seed, self.task.name().replace(',', "_"))
    }
}

impl NetKey {
    /// The fine-tuned model of this net on `task`.
    pub fn on(self, task: SuccessSet) -> ModelKey {
        ModelKey { size: self.size, seed: self.seed, task }
    }
}

impl fmt::Display for ModelKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} seed {} on {}", self.size, self.seed, self.task)
    }
}

impl fmt::Display for NetKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} seed {}", self.size, self.seed)
    }
}
