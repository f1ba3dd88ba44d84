//! The encoder's shape and its parameters, declared once: each
//! parameter's shape, how it starts, and its place in the fixed order that
//! initialisation draws, checkpoints store, and the network loads and
//! flattens them in.

use crate::rng::Rng;
use crate::sequence::{CONTEXT, VOCAB};
use serde::{Deserialize, Serialize};

/// The shape of an encoder: everything needed to build one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelShape {
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
    /// Block order: true for pre-norm blocks (x + f(norm(x))), false for
    /// post-norm ones (norm(x + f(x)), PyTorch's `nn.TransformerEncoderLayer`
    /// default). Both end in a final norm before the head, so the two
    /// orders share one layout. Checkpoints written before the order was a
    /// setting were pre-norm.
    #[serde(default = "pre_norm")]
    pub norm_first: bool,
}

fn pre_norm() -> bool {
    true
}

impl ModelShape {
    /// Checks the shape, naming what is wrong (a checkpoint's header is
    /// checked with this before anything is allocated).
    pub fn check(&self) -> Result<(), String> {
        if self.d_model == 0 || self.n_layers == 0 || self.n_heads == 0 || self.d_ff == 0 {
            return Err("model dimensions must be positive".into());
        }
        if self.d_model % self.n_heads != 0 {
            return Err(format!("d_model {} is not divisible by {} heads", self.d_model, self.n_heads));
        }
        if self.d_model > 1024 || self.d_ff > 4096 || self.n_layers > 12 || self.n_heads > 64 {
            return Err("model is too large for this lab (d_model <= 1024, d_ff <= 4096, layers <= 12, heads <= 64)".into());
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return Err(format!("dropout {} is not in [0, 1)", self.dropout));
        }
        Ok(())
    }

    /// The exact number of trainable parameters, without building the model.
    pub fn param_count(&self) -> usize {
        Layout::of(self).param_count()
    }
}


/// How a parameter starts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Init {
    /// Normal(0, 1) (embeddings).
    Normal,
    /// Uniform in ±1/sqrt(fan_in) (PyTorch's linear layers, weight and bias).
    Uniform(usize),
    /// 1 (layer-norm gains).
    Ones,
    /// 0 (layer-norm biases).
    Zeros,
}

/// One parameter of one member.
#[derive(Clone, Debug, PartialEq)]
pub struct Spec {
    /// Its dimensions (one member's).
    pub dims: Vec<usize>,
    /// How it starts.
    pub init: Init,
}

impl Spec {
    /// Its number of values.
    pub fn len(&self) -> usize {
        self.dims.iter().product()
    }

    /// Whether it has no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A linear layer's parameters: weight [in, out] and bias [out].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LinearAt {
    /// The weight's index.
    pub weight: usize,
    /// The bias's index.
    pub bias: usize,
}

/// A layer norm's parameters: gain and bias [d].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NormAt {
    /// The gain's index.
    pub gain: usize,
    /// The bias's index.
    pub bias: usize,
}

/// One block's parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BlockAt {
    /// The norm before attention (pre-norm) or after it (post-norm).
    pub norm1: NormAt,
    /// The fused query, key and value projection [d, 3d].
    pub qkv: LinearAt,
    /// The attention output projection [d, d].
    pub proj: LinearAt,
    /// The norm before the feed-forward layer (pre-norm) or after it.
    pub norm2: NormAt,
    /// The feed-forward layer's first linear map [d, ff].
    pub ff1: LinearAt,
    /// Its second [ff, d].
    pub ff2: LinearAt,
}

/// Every parameter of an encoder of one shape, in order, and where each
/// part's parameters are in that order.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    /// The parameters, in order.
    pub specs: Vec<Spec>,
    /// Token embeddings [16, d].
    pub tokens: usize,
    /// Learned position embeddings [20, d].
    pub positions: usize,
    /// The blocks.
    pub blocks: Vec<BlockAt>,
    /// The final norm.
    pub norm: NormAt,
    /// The head [d, 16].
    pub head: LinearAt,
}

impl Layout {
    /// The layout of an encoder of `shape`.
    pub fn of(shape: &ModelShape) -> Self {
        let (d, f) = (shape.d_model, shape.d_ff);
        let mut specs = Vec::new();
        let mut add = |dims: Vec<usize>, init: Init| {
            specs.push(Spec { dims, init });
            specs.len() - 1
        };
        let tokens = add(vec![VOCAB, d], Init::Normal);
        let positions = add(vec![CONTEXT, d], Init::Normal);
        let linear = |add: &mut dyn FnMut(Vec<usize>, Init) -> usize, i: usize, o: usize| LinearAt {
            weight: add(vec![i, o], Init::Uniform(i)),
            bias: add(vec![o], Init::Uniform(i)),
        };
        let norm = |add: &mut dyn FnMut(Vec<usize>, Init) -> usize| NormAt { gain: add(vec![d], Init::Ones), bias: add(vec![d], Init::Zeros) };
        let blocks = (0..shape.n_layers)
            .map(|_| BlockAt {
                norm1: norm(&mut add),
                qkv: linear(&mut add, d, 3 * d),
                proj: linear(&mut add, d, d),
                norm2: norm(&mut add),
                ff1: linear(&mut add, d, f),
                ff2: linear(&mut add, f, d),
            })
            .collect();
        let final_norm = norm(&mut add);
        let head = linear(&mut add, d, VOCAB);
        Layout { specs, tokens, positions, blocks, norm: final_norm, head }
    }

    /// Each parameter's name, in layout order: `tokens`, `positions`,
    /// `blocks.{i}.{norm1,qkv,proj,norm2,ff1,ff2}.{gain,bias,weight}`,
    /// `norm.{gain,bias}`, `head.{weight,bias}` (a linear weight is
    /// [in, out]: y = x W + b).
    pub fn names(&self) -> Vec<String> {
        let mut names = vec![String::new(); self.specs.len()];
        names[self.tokens] = "tokens".into();
        names[self.positions] = "positions".into();
        let mut norm = |prefix: &str, at: NormAt| {
            names[at.gain] = format!("{prefix}.gain");
            names[at.bias] = format!("{prefix}.bias");
        };
        norm("norm", self.norm);
        for (i, b) in self.blocks.iter().enumerate() {
            norm(&format!("blocks.{i}.norm1"), b.norm1);
            norm(&format!("blocks.{i}.norm2"), b.norm2);
        }
        let mut linear = |prefix: String, at: LinearAt| {
            names[at.weight] = format!("{prefix}.weight");
            names[at.bias] = format!("{prefix}.bias");
        };
        linear("head".into(), self.head);
        for (i, b) in self.blocks.iter().enumerate() {
            for (part, at) in [("qkv", b.qkv), ("proj", b.proj), ("ff1", b.ff1), ("ff2", b.ff2)] {
                linear(format!("blocks.{i}.{part}"), at);
            }
        }
        names
    }

    /// The number of values of one member.
    pub fn param_count(&self) -> usize {
        self.specs.iter().map(Spec::len).sum()
    }
}

/// One member's weights drawn from `seed`, in layout order.
pub fn init_weights(shape: &ModelShape, seed: u64) -> Vec<f32> {
    let layout = Layout::of(shape);
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(layout.param_count());
    for spec in &layout.specs {
        let n = spec.len();
        match spec.init {
            Init::Normal => out.extend((0..n).map(|_| rng.normal() as f32)),
            Init::Uniform(fan_in) => {
                let k = 1.0 / (fan_in as f64).sqrt();
                out.extend((0..n).map(|_| ((rng.next_f64() * 2.0 - 1.0) * k) as f32));
            }
            Init::Ones => out.extend(std::iter::repeat_n(1.0, n)),
            Init::Zeros => out.extend(std::iter::repeat_n(0.0, n)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::size::Size;

    #[test]
    fn every_parameter_is_placed_once() {
        for size in Size::ALL {
            let l = Layout::of(&size.shape());
            assert_eq!(l.param_count(), size.params(), "{size}");
            let mut places = vec![l.tokens, l.positions, l.norm.gain, l.norm.bias, l.head.weight, l.head.bias];
            for b in &l.blocks {
                for n in [b.norm1, b.norm2] {
                    places.extend([n.gain, n.bias]);
                }
                for x in [b.qkv, b.proj, b.ff1, b.ff2] {
                    places.extend([x.weight, x.bias]);
                }
            }
            places.sort();
            assert_eq!(places, (0..l.specs.len()).collect::<Vec<_>>(), "{size}");
            let names = l.names();
            assert!(names.iter().all(|n| !n.is_empty()));
            let mut unique = names.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), names.len(), "{size}: every name once");
            assert_eq!((names[0].as_str(), names[2].as_str(), names.last().unwrap().as_str()), ("tokens", "blocks.0.norm1.gain", "head.bias"));
            assert_eq!(init_weights(&size.shape(), 3).len(), size.params());
        }
    }
}
