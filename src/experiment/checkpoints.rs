//! Checkpoints of the study's models: a pretrained net (what an RL work
//! starts from) and a fine-tuned model with the net it came from (what the
//! page keeps and the CLI saves), and measuring one again.

use super::measure::{measure_model, success_under};
use crate::study::checkpoint::{self, TrainedAs};
use crate::model::Stack;
use crate::study::config::ExperimentConfig;
use crate::study::data::Draws;
use crate::study::key::{ModelKey, NetKey};
use crate::study::results::ModelResult;
use burn::tensor::Device;

/// The seed a net's untrained weights are drawn from.
pub fn init_seed(config: &ExperimentConfig, net: NetKey) -> u64 {
    crate::rng::derive_seed(config.model_seed(net), 10)
}

/// A pretrained net's checkpoint.
pub fn pretrained(config: &ExperimentConfig, net: NetKey, weights: &[f32]) -> Result<Vec<u8>, String> {
    checkpoint::write(net.size, config.norm_first, &format!("size {} seed {}, pretrained", net.size, net.seed), None, &[weights])
}

/// Reads a pretrained net's checkpoint for `net` of `config` (its size
/// and block order).
pub fn read_pretrained(config: &ExperimentConfig, net: NetKey, bytes: &[u8]) -> Result<Vec<f32>, String> {
    let (header, mut records) = checkpoint::read(bytes)?;
    if header.shape != config.shape(net.size) {
        return Err(format!("the pretrained checkpoint is of size {} ({}), not {} ({})", header.size, order(header.shape.norm_first), net.size, order(config.norm_first)));
    }
    Ok(records.swap_remove(0))
}

/// A block order in words.
pub fn order(norm_first: bool) -> &'static str {
    if norm_first { "pre-norm" } else { "post-norm" }
}

/// The name a pretrained net's checkpoint is kept under between runs
/// (`opimp sweep --pretrained DIR`): the net, and a fingerprint of this
/// build and of everything its pretraining depends on (the pretraining
/// settings, the data seed and noise), so a checkpoint is reused only where
/// pretraining again would give the same weights.
pub fn pretrained_file_name(config: &ExperimentConfig, net: NetKey) -> String {
    let what = serde_json::json!({
        "build": crate::study::provenance::BUILD,
        "pretrain": [config.steps, config.batch, config.train_tokens, config.test_tokens, config.eval_every, config.eval_windows],
        "lr": config.lr,
        "weight_decay": config.weight_decay,
        "eps": config.eps,
        "seed": config.data_seed,
        "draw": config.draw_seed(net.seed),
        "norm_first": config.norm_first,
        "size": net.size,
        "net_seed": net.seed,
    });
    let mut hash = 0xCBF2_9CE4_8422_2325u64;
    for b in what.to_string().bytes() {
        hash ^= b as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01B3);
    }
    format!("pretrained-{}-seed{}-{hash:016x}.safetensors", net.size, net.seed)
}

/// A fine-tuned model's checkpoint, with the pretrained net it started from
/// and what it takes to rebuild its untrained self, so that
/// [`measure_checkpoint`] measures it again with every comparison future.
pub fn trained(config: &ExperimentConfig, key: ModelKey, weights: &[f32], pretrained: &[f32]) -> Result<Vec<u8>, String> {
    let trained = TrainedAs { seed: key.seed, init_seed: init_seed(config, key.net()), task: key.task };
    checkpoint::write(key.size, config.norm_first, &format!("size {} seed {}, pretrained then fine-tuned on {}", key.size, key.seed, key.task), Some(trained), &[
        weights, pretrained,
    ])
}

/// Measures a checkpoint written by [`trained`] on `config`'s evaluation
/// histories: the numbers the run reported for it when `config` is the
/// experiment it was trained in. The model must be part of `config`.
pub async fn measure_checkpoint(config: &ExperimentConfig, bytes: &[u8], draws: &Draws, device: &Device) -> Result<ModelResult, String> {
    let (header, records) = checkpoint::read(bytes)?;
    let Some(trained) = header.trained.clone() else {
        return Err("this checkpoint does not say how it was trained (save it with `opimp train --save-model` or from the page)".into());
    };
    let [model, pretrained] = &records[..] else {
        return Err(format!("this checkpoint holds {} model(s); a trained model comes with the pretrained model it started from", records.len()));
    };
    let key = ModelKey { size: header.size, seed: trained.seed, task: trained.task };
    if !(config.sizes.contains(&key.size) && config.seeds.contains(&key.seed) && config.tasks.contains(&key.task)) {
        return Err(format!(
            "the model ({key}) is not part of this experiment (sizes {}; seeds {}; tasks {}): add its size, seed and task first",
            crate::study::config::SIZES.read_text(config),
            crate::study::config::SEEDS.read_text(config),
            crate::study::config::TASKS.read_text(config),
        ));
    }
    if header.shape.norm_first != config.norm_first {
        return Err(format!(
            "the model has {} blocks and this experiment {}: set its block order (norm_first) first",
            order(header.shape.norm_first),
            order(config.norm_first)
        ));
    }
    let shape = header.shape.clone();
    let model = Stack::from_members(&shape, &[model], device);
    let pretrained = Stack::from_members(&shape, &[pretrained], device);
    let untrained = Stack::init(&shape, &[trained.init_seed], device);
    let data = draws.of(key.seed);
    let pretrained_success = success_under(config, &pretrained, &data, &[key.task], device).await[0];
    Ok(measure_model(config, &data, key, &model, &untrained, &pretrained, pretrained_success, device).await)
}
