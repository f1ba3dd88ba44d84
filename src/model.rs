//! The study's model (SCIENCE.md §2): an encoder-only transformer that reads
//! the previous 20 tokens and gives logits over the 16 tokens for the next.
//!
//! Pre-norm blocks with one fused Q/K/V projection and a ReLU feed-forward
//! (PyTorch's default); token and learned
//! position embeddings; a final layer norm and a linear head. Only the last
//! position's output is used, so the final block computes its query, its
//! attention and its feed-forward for that position alone (keys and values
//! still come from every position): the same function as a full encoder,
//! with fewer operations.
//!
//! Weights are drawn from the lab's own seeded generator and dropout masks
//! from a generator the caller owns, never from the backend's global random
//! state, so models trained side by side on several threads stay
//! deterministic.

use crate::rng::Rng;
use crate::sequence::{CONTEXT, VOCAB};
use burn::module::{Module, Param};
use burn::nn::{Embedding, LayerNorm, LayerNormConfig, Linear};
use burn::tensor::activation::{relu, softmax};
use burn::tensor::{Device, Int, Tensor, TensorData};
use serde::{Deserialize, Serialize};

/// The shape of a model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelConfig {
    /// Width of the residual stream.
    pub d_model: usize,
    /// Number of encoder blocks.
    pub n_layers: usize,
    /// Attention heads per block (must divide `d_model`).
    pub n_heads: usize,
    /// Width of the feed-forward layer.
    pub d_ff: usize,
    /// Dropout rate during training.
    pub dropout: f64,
}

/// The four model sizes of the study, smallest first.
pub const SIZES: [&str; 4] = ["s", "m", "l", "xl"];

impl ModelConfig {
    /// A size preset: `s` (18,832 parameters), `m` (54,448), `l` (154,768)
    /// or `xl` (403,472).
    pub fn preset(name: &str) -> Option<Self> {
        let (d_model, n_layers, n_heads, d_ff) = match name {
            "s" => (32, 2, 4, 64),
            "m" => (56, 2, 4, 112),
            "l" => (96, 2, 4, 192),
            "xl" => (128, 2, 4, 512),
            _ => return None,
        };
        Some(ModelConfig {
            d_model,
            n_layers,
            n_heads,
            d_ff,
            dropout: 0.1,
        })
    }

    /// Checks the shape, naming what is wrong.
    pub fn check(&self) -> Result<(), String> {
        if self.d_model == 0 || self.n_layers == 0 || self.n_heads == 0 || self.d_ff == 0 {
            return Err("model dimensions must be positive".into());
        }
        if self.d_model % self.n_heads != 0 {
            return Err(format!(
                "d_model {} is not divisible by {} heads",
                self.d_model, self.n_heads
            ));
        }
        if self.d_model > 1024 || self.d_ff > 4096 || self.n_layers > 12 {
            return Err("model is too large for this lab (d_model <= 1024, d_ff <= 4096, layers <= 12)".into());
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return Err(format!("dropout {} is not in [0, 1)", self.dropout));
        }
        Ok(())
    }

    /// The exact number of trainable parameters, without building the model.
    pub fn param_count(&self) -> usize {
        let (d, f) = (self.d_model, self.d_ff);
        let embeddings = VOCAB * d + CONTEXT * d;
        let block = (d * 3 * d + 3 * d) + (d * d + d) + 2 * (2 * d) + (d * f + f) + (f * d + d);
        embeddings + self.n_layers * block + 2 * d + (d * VOCAB + VOCAB)
    }

    /// Builds a model with weights drawn from `seed`.
    pub fn init(&self, seed: u64, device: &Device) -> Model {
        let mut rng = Rng::new(seed);
        let d = self.d_model;
        let blocks = (0..self.n_layers)
            .map(|_| Block {
                norm1: LayerNormConfig::new(d).init(device),
                qkv: linear(&mut rng, d, 3 * d, device),
                proj: linear(&mut rng, d, d, device),
                norm2: LayerNormConfig::new(d).init(device),
                ff1: linear(&mut rng, d, self.d_ff, device),
                ff2: linear(&mut rng, self.d_ff, d, device),
            })
            .collect();
        Model {
            tokens: Embedding {
                weight: param2(&mut rng, [VOCAB, d], 1.0, device),
            },
            positions: param2(&mut rng, [CONTEXT, d], 1.0, device),
            blocks,
            norm: LayerNormConfig::new(d).init(device),
            head: linear(&mut rng, d, VOCAB, device),
            n_heads: self.n_heads,
            dropout: self.dropout,
        }
    }
}

/// A normal(0, std²) matrix parameter from `rng`.
fn param2(rng: &mut Rng, shape: [usize; 2], std: f64, device: &Device) -> Param<Tensor<2>> {
    let values: Vec<f32> = (0..shape[0] * shape[1])
        .map(|_| (rng.normal() * std) as f32)
        .collect();
    Param::from_tensor(Tensor::from_data(TensorData::new(values, shape), device))
}

/// A linear layer with PyTorch's default initialisation: weights and bias
/// uniform in ±1/sqrt(fan_in).
fn linear(rng: &mut Rng, d_in: usize, d_out: usize, device: &Device) -> Linear {
    let k = 1.0 / (d_in as f64).sqrt();
    let mut u = |n: usize| -> Vec<f32> {
        (0..n)
            .map(|_| ((rng.next_f64() * 2.0 - 1.0) * k) as f32)
            .collect()
    };
    let w = u(d_in * d_out);
    let b = u(d_out);
    Linear {
        weight: Param::from_tensor(Tensor::from_data(TensorData::new(w, [d_in, d_out]), device)),
        bias: Some(Param::from_tensor(Tensor::from_data(TensorData::new(b, [d_out]), device))),
    }
}

/// One pre-norm encoder block.
#[derive(Module, Debug)]
pub struct Block {
    norm1: LayerNorm,
    qkv: Linear,
    proj: Linear,
    norm2: LayerNorm,
    ff1: Linear,
    ff2: Linear,
}

/// The encoder.
#[derive(Module, Debug)]
pub struct Model {
    tokens: Embedding,
    positions: Param<Tensor<2>>,
    blocks: Vec<Block>,
    norm: LayerNorm,
    head: Linear,
    n_heads: usize,
    dropout: f64,
}

/// Dropout with a mask drawn from the caller's generator: identity when
/// `rng` is None (evaluation) or the rate is 0.
fn dropout<const D: usize>(x: Tensor<D>, rate: f64, rng: Option<&mut Rng>) -> Tensor<D> {
    let Some(rng) = rng else { return x };
    if rate <= 0.0 {
        return x;
    }
    let dims = x.dims();
    let n: usize = dims.iter().product();
    let keep = 1.0 - rate;
    let scale = (1.0 / keep) as f32;
    // Two 32-bit draws from each 64-bit one: a unit kept when its draw is
    // below keep · 2^32.
    let threshold = (keep * 4_294_967_296.0) as u64;
    let mut mask = Vec::with_capacity(n + 1);
    while mask.len() < n {
        let r = rng.next_u64();
        for half in [r & 0xFFFF_FFFF, r >> 32] {
            mask.push(if half < threshold { scale } else { 0.0 });
        }
    }
    mask.truncate(n);
    let mask = Tensor::<D>::from_data(TensorData::new(mask, dims), &x.device());
    x * mask
}

impl Block {
    /// One block. `x`: [B, T, d]. With `last_only`, only the last position's
    /// query is computed and the output is [B, 1, d].
    fn forward(
        &self,
        x: Tensor<3>,
        n_heads: usize,
        rate: f64,
        mut rng: Option<&mut Rng>,
        last_only: bool,
    ) -> Tensor<3> {
        let [b, t, d] = x.dims();
        let dh = d / n_heads;
        let qkv = self.qkv.forward(self.norm1.forward(x.clone())); // [B, T, 3d]
        let heads = |m: Tensor<3>, len: usize| {
            m.reshape([b, len, n_heads, dh]).swap_dims(1, 2) // [B, H, len, dh]
        };
        let (q, x_res, tq) = if last_only {
            let q = qkv.clone().slice([0..b, t - 1..t, 0..d]); // [B, 1, d]
            (q, x.slice([0..b, t - 1..t, 0..d]), 1)
        } else {
            (qkv.clone().slice([0..b, 0..t, 0..d]), x, t)
        };
        let k = heads(qkv.clone().slice([0..b, 0..t, d..2 * d]), t);
        let v = heads(qkv.slice([0..b, 0..t, 2 * d..3 * d]), t);
        let q = heads(q, tq);
        // Scale the (smaller) query rather than the scores.
        let q = q * (1.0 / (dh as f64).sqrt());
        let scores = q.matmul(k.swap_dims(2, 3)); // [B, H, tq, T]
        let att = softmax(scores, 3).matmul(v); // [B, H, tq, dh]
        let att = att.swap_dims(1, 2).reshape([b, tq, d]); // [B, tq, d]
        let x = x_res + dropout(self.proj.forward(att), rate, rng.as_deref_mut());
        let h = self.ff2.forward(relu(self.ff1.forward(self.norm2.forward(x.clone()))));
        x + dropout(h, rate, rng)
    }
}

impl Model {
    /// Logits for the token after each window. `tokens`: [B, T] with T the
    /// context (20) or less; returns [B, 16]. `rng` switches dropout on.
    pub fn forward(&self, tokens: Tensor<2, Int>, mut rng: Option<&mut Rng>) -> Tensor<2> {
        let [b, t] = tokens.dims();
        let d = self.positions.dims()[1];
        let pos = self.positions.val().slice([0..t, 0..d]).unsqueeze::<3>(); // [1, T, d]
        // As in PyTorch's encoder layers, dropout acts inside the blocks (on
        // the attention and feed-forward outputs), not on the embeddings.
        let mut x = self.tokens.forward(tokens) + pos; // [B, T, d]
        let n = self.blocks.len();
        for (i, block) in self.blocks.iter().enumerate() {
            x = block.forward(x, self.n_heads, self.dropout, rng.as_deref_mut(), i + 1 == n);
        }
        let x = self.norm.forward(x); // [B, 1, d]
        self.head.forward(x).reshape([b, VOCAB]) // [B, 16]
    }

    /// Logits for a batch of windows given as token lists (each of length
    /// `CONTEXT`, or all of one shorter length): [B, 16] as rows.
    pub fn logits(&self, windows: &[Vec<u8>], device: &Device) -> Vec<[f32; VOCAB]> {
        if windows.is_empty() {
            return Vec::new();
        }
        let logits = self.forward(tokens_tensor(windows, device), None);
        let flat: Vec<f32> = logits.into_data().convert::<f32>().try_into_vec::<f32>().expect("f32 logits");
        flat.chunks(VOCAB)
            .map(|c| c.try_into().expect("16 logits"))
            .collect()
    }
}

/// The CPU device the lab trains on: burn's pure-Rust `flex` backend, which
/// was faster than `ndarray` at every size natively and in the browser (see
/// BENCHMARKS.md).
pub fn cpu_device() -> Device {
    Device::flex()
}

/// The deprecated `ndarray` device, kept for the speed comparison.
#[allow(deprecated)]
pub fn ndarray_device() -> Device {
    Device::ndarray()
}

/// Windows as an int tensor [B, T].
pub fn tokens_tensor(windows: &[Vec<u8>], device: &Device) -> Tensor<2, Int> {
    let t = windows[0].len();
    let flat: Vec<i64> = windows
        .iter()
        .flat_map(|w| {
            debug_assert_eq!(w.len(), t);
            w.iter().map(|&x| x as i64)
        })
        .collect();
    Tensor::from_data(TensorData::new(flat, [windows.len(), t]), device)
}

/// What a checkpoint file says about its model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckpointHeader {
    /// Always `opimp-checkpoint`.
    pub format: String,
    /// Format version.
    pub version: u32,
    /// Size name (`s`, `m`, `l`, `xl`) or `custom`.
    pub size: String,
    /// The model's shape.
    pub config: ModelConfig,
    /// Free-form description (seed, task, phase).
    pub note: String,
    /// How the model was trained, when it came out of an experiment: what
    /// the page needs to measure it against its untrained self.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trained: Option<TrainedAs>,
    /// Byte length of each weight record that follows the header, in order
    /// (the model first, then any companions such as the pretrained model
    /// it was fine-tuned from). Empty: one record, the rest of the file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub records: Vec<u64>,
}

/// The experiment a checkpointed model came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainedAs {
    /// The job's seed (the model's seed number in the experiment).
    pub seed: u64,
    /// The seed the untrained weights were drawn from (`ModelConfig::init`).
    pub init_seed: u64,
    /// The task it was fine-tuned on.
    pub task: crate::sequence::SuccessSet,
}

const CHECKPOINT_MAGIC: &[u8; 8] = b"OPIMPCK1";
/// Largest header a checkpoint may have (bytes).
const MAX_HEADER: usize = 1 << 20;

/// Saves models as bytes: the magic `OPIMPCK1`, the header's length (u32,
/// little-endian), the header as JSON, then burn's record of each model's
/// weights (`models[0]` is the checkpoint's model; the header's `records`
/// gives every record's length).
pub fn save_checkpoint(models: &[&Model], header: &CheckpointHeader) -> Result<Vec<u8>, String> {
    let mut records = Vec::new();
    for m in models {
        records.push(
            (*m).clone()
                .into_record()
                .into_bytes()
                .map_err(|e| format!("cannot serialise the weights: {e:?}"))?,
        );
    }
    if records.is_empty() {
        return Err("a checkpoint needs at least one model".into());
    }
    let mut header = header.clone();
    header.records = records.iter().map(|r| r.len() as u64).collect();
    let head = serde_json::to_vec(&header).map_err(|e| e.to_string())?;
    let mut out = Vec::with_capacity(12 + head.len() + records.iter().map(|r| r.len()).sum::<usize>());
    out.extend_from_slice(CHECKPOINT_MAGIC);
    out.extend_from_slice(&(head.len() as u32).to_le_bytes());
    out.extend_from_slice(&head);
    for r in &records {
        out.extend_from_slice(r);
    }
    Ok(out)
}

/// Loads a checkpoint onto `device`, refusing anything that is not one:
/// its header and its models (the checkpoint's model first).
pub fn load_checkpoint(bytes: &[u8], device: &Device) -> Result<(CheckpointHeader, Vec<Model>), String> {
    if bytes.len() < 12 || &bytes[..8] != CHECKPOINT_MAGIC {
        return Err("not an opimp checkpoint (bad magic bytes)".into());
    }
    let n = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes")) as usize;
    if n > MAX_HEADER {
        return Err(format!("bad checkpoint header (says it is {n} bytes long)"));
    }
    let head = bytes
        .get(12..12 + n)
        .ok_or("truncated checkpoint (header cut short)")?;
    let header: CheckpointHeader =
        serde_json::from_slice(head).map_err(|e| format!("bad checkpoint header: {e}"))?;
    if header.format != "opimp-checkpoint" {
        return Err(format!("not an opimp checkpoint (format '{}')", header.format));
    }
    header.config.check()?;
    let body = &bytes[12 + n..];
    let lengths: Vec<usize> = if header.records.is_empty() {
        vec![body.len()]
    } else {
        header.records.iter().map(|&l| l as usize).collect()
    };
    if lengths.iter().try_fold(0usize, |a, &l| a.checked_add(l)) != Some(body.len()) {
        return Err(format!(
            "truncated or padded checkpoint: the header promises {} bytes of weights, the file has {}",
            lengths.iter().fold(0u64, |a, &l| a.saturating_add(l as u64)),
            body.len()
        ));
    }
    let mut models = Vec::new();
    let mut at = 0;
    for l in lengths {
        let record = burn::store::ModuleRecord::from_bytes(burn::tensor::Bytes::from_bytes_vec(
            body[at..at + l].to_vec(),
        ))
        .map_err(|e| format!("bad checkpoint weights: {e:?}"))?;
        at += l;
        let model = header
            .config
            .init(0, device)
            .try_load_record(record)
            .map_err(|e| format!("checkpoint weights do not fit the model: {e:?}"))?;
        models.push(model);
    }
    Ok((header, models))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn param_counts_match_the_built_models() {
        let device = cpu_device();
        for name in SIZES {
            let cfg = ModelConfig::preset(name).unwrap();
            let model = cfg.init(1, &device);
            assert_eq!(model.num_params(), cfg.param_count(), "{name}");
        }
        assert_eq!(ModelConfig::preset("s").unwrap().param_count(), 18_832);
        assert_eq!(ModelConfig::preset("xl").unwrap().param_count(), 403_472);
    }

    #[test]
    fn checkpoints_round_trip() {
        let device = cpu_device();
        let cfg = ModelConfig::preset("s").unwrap();
        let model = cfg.init(5, &device);
        let header = CheckpointHeader {
            format: "opimp-checkpoint".into(),
            version: 1,
            size: "s".into(),
            config: cfg.clone(),
            note: "test".into(),
            trained: None,
            records: Vec::new(),
        };
        let other = cfg.init(6, &device);
        let bytes = save_checkpoint(&[&model, &other], &header).unwrap();
        let (h, loaded) = load_checkpoint(&bytes, &device).unwrap();
        assert_eq!((h.size.as_str(), h.records.len(), loaded.len()), ("s", 2, 2));
        let windows = vec![crate::sequence::generate(20, 3, 0.02)];
        assert_eq!(model.logits(&windows, &device), loaded[0].logits(&windows, &device));
        assert_eq!(other.logits(&windows, &device), loaded[1].logits(&windows, &device));
        assert_ne!(model.logits(&windows, &device), other.logits(&windows, &device));
        assert!(load_checkpoint(b"garbage", &device).is_err());
        assert!(load_checkpoint(&bytes[..bytes.len() / 2], &device).is_err());
        assert!(load_checkpoint(&bytes[..bytes.len() - 1], &device).is_err());
        let mut padded = bytes.clone();
        padded.push(0);
        assert!(load_checkpoint(&padded, &device).is_err());
        // A single-record checkpoint (version 1 layout) still loads.
        let one = save_checkpoint(&[&model], &header).unwrap();
        let (_, loaded) = load_checkpoint(&one, &device).unwrap();
        assert_eq!(loaded.len(), 1);
    }
}
