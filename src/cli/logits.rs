//! `opimp logits`: a saved model's logits on its experiment's evaluation
//! histories, as JSON, so that another program (a NumPy forward pass over
//! the safetensors file) can be checked against the lab's own.

use super::files::read_bytes;
use crate::model::{Stack, cpu_device};
use crate::study::checkpoint::{self, MAX_CHECKPOINT_BYTES};
use crate::study::config::ExperimentConfig;
use crate::study::preset::Preset;
use crate::train::network::{greedy_action, policy_logits};
use clap::Args;

#[derive(Args, Debug)]
pub struct LogitsArgs {
    /// A model file (`opimp train --save-model`, the page's save, or a
    /// model the site ships).
    #[arg(long)]
    model: String,
    /// The preset whose evaluation histories to use (the model's own
    /// seed's draw).
    #[arg(long, default_value = "paper")]
    preset: String,
    /// How many of the histories (at most the experiment's).
    #[arg(long, default_value_t = 1000)]
    histories: usize,
}

/// Prints {"histories", "logits", "actions"}: the model's logits (no
/// dropout) over the 16 tokens after each history and its action at
/// temperature 0.
pub fn logits(a: LogitsArgs) -> Result<String, String> {
    let config = ExperimentConfig::preset(Preset::parse(&a.preset).map_err(|e| format!("--preset: {e}"))?);
    let bytes = read_bytes(&a.model, MAX_CHECKPOINT_BYTES)?;
    let (header, records) = checkpoint::read(&bytes).map_err(|e| format!("{}: {e}", a.model))?;
    let seed = header.trained.as_ref().map_or(config.seeds[0], |t| t.seed);
    let histories: Vec<Vec<u8>> = config.data_of(seed).histories.into_iter().take(a.histories).collect();
    let device = cpu_device();
    let model = Stack::from_members(&header.shape, &[&records[0]], &device);
    let logits = pollster::block_on(policy_logits(&model, &histories, &device)).swap_remove(0);
    let actions: Vec<u8> = logits.iter().map(greedy_action).collect();
    serde_json::to_string(&serde_json::json!({ "histories": histories, "logits": logits, "actions": actions })).map_err(|e| e.to_string())
}
