//! The encoder: reads the previous 20 tokens and gives logits over the 16
//! tokens for the next, as a stack of M members that train as one graph.
//!
//! Every weight has a leading member dimension; the members' matmuls are
//! batched (one product per member), and each member's dropout masks come
//! from its own generator. A stack of one is a single model: member i of a
//! stack computes exactly what it would alone.
//!
//! Pre-norm blocks with one fused Q/K/V projection and a ReLU feed-forward
//! (PyTorch's default); token and learned position embeddings; a final layer
//! norm and a linear head. Only the last position's output is used, so the
//! final block computes its query, attention and feed-forward for that
//! position alone (keys and values still come from every position): the
//! same function as a full encoder, with fewer operations.

use crate::rng::Rng;
use crate::sequence::{CONTEXT, VOCAB};
use crate::study::size::ModelShape;
use burn::module::{Module, Param};
use burn::tensor::activation::{relu, softmax};
use burn::tensor::{Device, Int, Tensor, TensorData};

/// How a parameter starts.
#[derive(Clone, Copy, Debug)]
enum Init {
    /// Normal(0, 1) (embeddings).
    Normal,
    /// Uniform in ±1/sqrt(fan_in) (PyTorch's linear layers).
    Uniform(usize),
    /// 1 (layer-norm gains).
    Ones,
    /// 0 (layer-norm biases).
    Zeros,
}

/// The parameters of one member, in the fixed order checkpoints store them:
/// (per-member shape, how it starts).
fn specs(s: &ModelShape) -> Vec<(Vec<usize>, Init)> {
    let (d, f) = (s.d_model, s.d_ff);
    let linear = |out: &mut Vec<(Vec<usize>, Init)>, i: usize, o: usize| {
        out.push((vec![i, o], Init::Uniform(i)));
        out.push((vec![o], Init::Uniform(i)));
    };
    let norm = |out: &mut Vec<(Vec<usize>, Init)>| {
        out.push((vec![d], Init::Ones));
        out.push((vec![d], Init::Zeros));
    };
    let mut out = vec![(vec![VOCAB, d], Init::Normal), (vec![CONTEXT, d], Init::Normal)];
    for _ in 0..s.n_layers {
        norm(&mut out);
        linear(&mut out, d, 3 * d);
        linear(&mut out, d, d);
        norm(&mut out);
        linear(&mut out, d, f);
        linear(&mut out, f, d);
    }
    norm(&mut out);
    linear(&mut out, d, VOCAB);
    out
}

/// One member's weights drawn from `seed`, in [`specs`] order.
pub fn init_weights(shape: &ModelShape, seed: u64) -> Vec<f32> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(shape.param_count());
    for (dims, init) in specs(shape) {
        let n: usize = dims.iter().product();
        match init {
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

/// A linear layer per member: weight [M, in, out], bias [M, out].
#[derive(Module, Debug)]
pub struct Linear {
    weight: Param<Tensor<3>>,
    bias: Param<Tensor<2>>,
}

impl Linear {
    /// `x`: [M, N, in] → [M, N, out].
    fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        x.matmul(self.weight.val()) + self.bias.val().unsqueeze_dim::<3>(1)
    }
}

/// A layer norm per member over the last dimension: gain and bias [M, d].
#[derive(Module, Debug)]
pub struct Norm {
    gamma: Param<Tensor<2>>,
    beta: Param<Tensor<2>>,
}

impl Norm {
    /// `x`: [M, B, T, d].
    fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let [m, _, _, d] = x.dims();
        let ones = Tensor::<1>::ones([d], &x.device());
        let normed = burn::tensor::module::layer_norm(x, ones, None, 1e-5);
        normed * self.gamma.val().reshape([m, 1, 1, d]) + self.beta.val().reshape([m, 1, 1, d])
    }
}

/// One pre-norm encoder block.
#[derive(Module, Debug)]
pub struct Block {
    norm1: Norm,
    qkv: Linear,
    proj: Linear,
    norm2: Norm,
    ff1: Linear,
    ff2: Linear,
}

/// A stack of encoders of one shape.
#[derive(Module, Debug)]
pub struct Stack {
    tokens: Param<Tensor<3>>,
    positions: Param<Tensor<3>>,
    blocks: Vec<Block>,
    norm: Norm,
    head: Linear,
    n_heads: usize,
    dropout: f64,
}

/// Dropout with masks drawn from each member's generator (identity when
/// `rngs` is None, in evaluation). `x`: [M, ...]; member m's mask takes its
/// values from `rngs[m]` in order.
fn dropout<const D: usize>(x: Tensor<D>, rate: f64, rngs: Option<&mut [Rng]>) -> Tensor<D> {
    let Some(rngs) = rngs else { return x };
    if rate <= 0.0 {
        return x;
    }
    let dims = x.dims();
    let per: usize = dims[1..].iter().product();
    let keep = 1.0 - rate;
    let scale = (1.0 / keep) as f32;
    // Two 32-bit draws from each 64-bit one: a unit kept when its draw is
    // below keep · 2^32.
    let threshold = (keep * 4_294_967_296.0) as u64;
    let mut mask = Vec::with_capacity(per * rngs.len() + 1);
    for rng in rngs.iter_mut() {
        let start = mask.len();
        while mask.len() - start < per {
            let r = rng.next_u64();
            for half in [r & 0xFFFF_FFFF, r >> 32] {
                mask.push(if half < threshold { scale } else { 0.0 });
            }
        }
        mask.truncate(start + per);
    }
    let mask = Tensor::<D>::from_data(TensorData::new(mask, dims), &x.device());
    x * mask
}

impl Block {
    /// One block. `x`: [M, B, T, d]. With `last_only`, only the last
    /// position's query is computed and the output is [M, B, 1, d].
    fn forward(&self, x: Tensor<4>, n_heads: usize, rate: f64, mut rngs: Option<&mut [Rng]>, last_only: bool) -> Tensor<4> {
        let [m, b, t, d] = x.dims();
        let dh = d / n_heads;
        let h = self.norm1.forward(x.clone()).reshape([m, b * t, d]);
        let qkv = self.qkv.forward(h).reshape([m, b, t, 3 * d]);
        let heads = |z: Tensor<4>, len: usize| z.reshape([m * b, len, n_heads, dh]).swap_dims(1, 2); // [MB, H, len, dh]
        let (q, x_res, tq) = if last_only {
            (qkv.clone().slice([0..m, 0..b, t - 1..t, 0..d]), x.slice([0..m, 0..b, t - 1..t, 0..d]), 1)
        } else {
            (qkv.clone().slice([0..m, 0..b, 0..t, 0..d]), x, t)
        };
        let k = heads(qkv.clone().slice([0..m, 0..b, 0..t, d..2 * d]), t);
        let v = heads(qkv.slice([0..m, 0..b, 0..t, 2 * d..3 * d]), t);
        // Scale the (smaller) query rather than the scores.
        let q = heads(q, tq) * (1.0 / (dh as f64).sqrt());
        let att = softmax(q.matmul(k.swap_dims(2, 3)), 3).matmul(v); // [MB, H, tq, dh]
        let att = att.swap_dims(1, 2).reshape([m, b * tq, d]);
        let out = dropout(self.proj.forward(att), rate, rngs.as_deref_mut()).reshape([m, b, tq, d]);
        let x = x_res + out;
        let h = self.norm2.forward(x.clone()).reshape([m, b * tq, d]);
        let h = self.ff2.forward(relu(self.ff1.forward(h)));
        x + dropout(h, rate, rngs).reshape([m, b, tq, d])
    }
}

/// Reads the members' weights in [`specs`] order into parameters.
struct Reader<'a> {
    members: &'a [&'a [f32]],
    at: usize,
    device: &'a Device,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Vec<f32> {
        let mut v = Vec::with_capacity(n * self.members.len());
        for w in self.members {
            v.extend_from_slice(&w[self.at..self.at + n]);
        }
        self.at += n;
        v
    }

    fn p3(&mut self, a: usize, b: usize) -> Param<Tensor<3>> {
        let m = self.members.len();
        Param::from_tensor(Tensor::from_data(TensorData::new(self.take(a * b), [m, a, b]), self.device))
    }

    fn p2(&mut self, a: usize) -> Param<Tensor<2>> {
        let m = self.members.len();
        Param::from_tensor(Tensor::from_data(TensorData::new(self.take(a), [m, a]), self.device))
    }

    fn linear(&mut self, i: usize, o: usize) -> Linear {
        Linear { weight: self.p3(i, o), bias: self.p2(o) }
    }

    fn norm(&mut self, d: usize) -> Norm {
        Norm { gamma: self.p2(d), beta: self.p2(d) }
    }
}

impl Stack {
    /// A stack whose member i has the weights `members[i]` (each in
    /// [`init_weights`] order, `shape.param_count()` values).
    pub fn from_members(shape: &ModelShape, members: &[&[f32]], device: &Device) -> Stack {
        assert!(!members.is_empty() && members.iter().all(|w| w.len() == shape.param_count()), "member weights");
        let (d, f) = (shape.d_model, shape.d_ff);
        let mut r = Reader { members, at: 0, device };
        let tokens = r.p3(VOCAB, d);
        let positions = r.p3(CONTEXT, d);
        let blocks = (0..shape.n_layers)
            .map(|_| Block {
                norm1: r.norm(d),
                qkv: r.linear(d, 3 * d),
                proj: r.linear(d, d),
                norm2: r.norm(d),
                ff1: r.linear(d, f),
                ff2: r.linear(f, d),
            })
            .collect();
        let norm = r.norm(d);
        let head = r.linear(d, VOCAB);
        Stack { tokens, positions, blocks, norm, head, n_heads: shape.n_heads, dropout: shape.dropout }
    }

    /// A stack of fresh members, member i drawn from `seeds[i]`.
    pub fn init(shape: &ModelShape, seeds: &[u64], device: &Device) -> Stack {
        let weights: Vec<Vec<f32>> = seeds.iter().map(|&s| init_weights(shape, s)).collect();
        let refs: Vec<&[f32]> = weights.iter().map(|w| w.as_slice()).collect();
        Stack::from_members(shape, &refs, device)
    }

    /// Number of members.
    pub fn members(&self) -> usize {
        self.tokens.dims()[0]
    }

    /// Every parameter as [M, values], in [`specs`] order.
    fn flat(&self) -> Vec<Tensor<2>> {
        let m = self.members();
        let f3 = |p: &Param<Tensor<3>>| {
            let [_, a, b] = p.dims();
            p.val().reshape([m, a * b])
        };
        let f2 = |p: &Param<Tensor<2>>| p.val();
        let mut out = vec![f3(&self.tokens), f3(&self.positions)];
        let lin = |out: &mut Vec<Tensor<2>>, l: &Linear| {
            out.push(f3(&l.weight));
            out.push(f2(&l.bias));
        };
        let norm = |out: &mut Vec<Tensor<2>>, n: &Norm| {
            out.push(f2(&n.gamma));
            out.push(f2(&n.beta));
        };
        for b in &self.blocks {
            norm(&mut out, &b.norm1);
            lin(&mut out, &b.qkv);
            lin(&mut out, &b.proj);
            norm(&mut out, &b.norm2);
            lin(&mut out, &b.ff1);
            lin(&mut out, &b.ff2);
        }
        norm(&mut out, &self.norm);
        lin(&mut out, &self.head);
        out
    }

    /// Each member's weights, in [`init_weights`] order.
    pub fn weights(&self) -> Vec<Vec<f32>> {
        let m = self.members();
        let mut out = vec![Vec::new(); m];
        for t in self.flat() {
            let [_, n] = t.dims();
            let v: Vec<f32> = t.into_data().convert::<f32>().try_into_vec::<f32>().expect("f32 weights");
            for (i, w) in out.iter_mut().enumerate() {
                w.extend_from_slice(&v[i * n..(i + 1) * n]);
            }
        }
        out
    }

    /// The model's shape (dropout aside, read from the stack).
    pub fn shape(&self) -> ModelShape {
        let [_, _, d] = self.tokens.dims();
        let d_ff = self.blocks.first().map(|b| b.ff1.bias.dims()[1]).unwrap_or(0);
        ModelShape { d_model: d, n_layers: self.blocks.len(), n_heads: self.n_heads, d_ff, dropout: self.dropout }
    }

    /// Logits for the token after each member's windows. `tokens`:
    /// [M, B, T] with T the context (20) or less; returns [M, B, 16].
    /// `rngs` (one per member) switches dropout on.
    pub fn forward(&self, tokens: Tensor<3, Int>, mut rngs: Option<&mut [Rng]>) -> Tensor<3> {
        let [m, b, t] = tokens.dims();
        let d = self.positions.dims()[2];
        let device = tokens.device();
        // Member i reads rows i·16.. of the stacked embedding table.
        let offsets = Tensor::<1, Int>::from_data(
            TensorData::new((0..m as i64).map(|i| i * VOCAB as i64).collect::<Vec<_>>(), [m]),
            &device,
        )
        .reshape([m, 1, 1]);
        let index = (tokens + offsets).reshape([m * b * t]);
        let embedded = self.tokens.val().reshape([m * VOCAB, d]).select(0, index).reshape([m, b, t, d]);
        let pos = self.positions.val().slice([0..m, 0..t, 0..d]).unsqueeze_dim::<4>(1); // [M, 1, T, d]
        // As in PyTorch's encoder layers, dropout acts inside the blocks (on
        // the attention and feed-forward outputs), not on the embeddings.
        let mut x = embedded + pos;
        let n = self.blocks.len();
        for (i, block) in self.blocks.iter().enumerate() {
            x = block.forward(x, self.n_heads, self.dropout, rngs.as_deref_mut(), i + 1 == n);
        }
        let x = self.norm.forward(x).reshape([m, b, d]);
        self.head.forward(x)
    }

    /// Each member's logits for the same windows (each of length `CONTEXT`,
    /// or all of one shorter length), without dropout: [member][window].
    pub fn logits(&self, windows: &[Vec<u8>], device: &Device) -> Vec<Vec<[f32; VOCAB]>> {
        let m = self.members();
        let flat: Vec<&Vec<u8>> = (0..m).flat_map(|_| windows.iter()).collect();
        self.logits_of(&flat, device)
    }

    /// Each member's logits for its own windows (`windows[i]` for member i,
    /// all of one count and length), without dropout: [member][window].
    pub fn logits_each(&self, windows: &[Vec<Vec<u8>>], device: &Device) -> Vec<Vec<[f32; VOCAB]>> {
        assert_eq!(windows.len(), self.members(), "one list of windows per member");
        let flat: Vec<&Vec<u8>> = windows.iter().flatten().collect();
        self.logits_of(&flat, device)
    }

    /// Logits of the members' windows given one member after the other.
    fn logits_of(&self, flat: &[&Vec<u8>], device: &Device) -> Vec<Vec<[f32; VOCAB]>> {
        let m = self.members();
        if flat.is_empty() {
            return vec![Vec::new(); m];
        }
        let logits = self.forward(tokens_tensor(flat, m, device), None);
        let v: Vec<f32> = logits.into_data().convert::<f32>().try_into_vec::<f32>().expect("f32 logits");
        v.chunks(flat.len() / m * VOCAB)
            .map(|member| member.chunks(VOCAB).map(|c| c.try_into().expect("16 logits")).collect())
            .collect()
    }
}

/// The CPU device the lab trains on: burn's pure-Rust `flex` backend, which
/// was faster than the deprecated `ndarray` at every size natively and in
/// the browser (round 1, BENCHMARKS.md); only flex is compiled in.
pub fn cpu_device() -> Device {
    Device::flex()
}

/// Windows as an int tensor [M, B, T]: `windows` holds the M members'
/// windows one member after the other, B each, all of one length T.
pub fn tokens_tensor(windows: &[&Vec<u8>], members: usize, device: &Device) -> Tensor<3, Int> {
    let t = windows[0].len();
    let flat: Vec<i64> = windows
        .iter()
        .flat_map(|w| {
            debug_assert_eq!(w.len(), t);
            w.iter().map(|&x| x as i64)
        })
        .collect();
    Tensor::from_data(TensorData::new(flat, [members, windows.len() / members, t]), device)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::size::Size;

    #[test]
    fn parameter_counts_and_weights_round_trip() {
        let device = cpu_device();
        for size in Size::ALL {
            let shape = size.shape();
            let stack = Stack::init(&shape, &[1, 2], &device);
            assert_eq!(stack.num_params(), 2 * size.params(), "{size}");
            assert_eq!(stack.shape(), shape);
            let w = stack.weights();
            assert_eq!(w[0], init_weights(&shape, 1));
            assert_eq!(w[1], init_weights(&shape, 2));
        }
    }

    #[test]
    fn a_member_computes_what_it_would_alone() {
        let device = cpu_device();
        let shape = Size::S.shape();
        let stack = Stack::init(&shape, &[5, 6, 7], &device);
        let windows: Vec<Vec<u8>> = (0..9).map(|i| crate::sequence::generate(20, i, 0.02)).collect();
        let together = stack.logits(&windows, &device);
        for (i, seed) in [5u64, 6, 7].into_iter().enumerate() {
            let alone = Stack::init(&shape, &[seed], &device).logits(&windows, &device);
            assert_eq!(alone[0], together[i], "member {i}");
        }
        assert_ne!(together[0], together[1]);
    }
}
