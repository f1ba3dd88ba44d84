//! The encoder: reads the previous 20 tokens and gives logits over the 16
//! tokens for the next, as a stack of M members that train as one graph.
//!
//! Every weight has a leading member dimension; the members' matmuls are
//! batched (one product per member), and each member's dropout masks come
//! from its own generator. A stack of one is a single model: member i of a
//! stack computes exactly what it would alone.
//!
//! Pre- or post-norm blocks (a setting; post-norm is PyTorch's
//! `nn.TransformerEncoderLayer` default) with one fused Q/K/V projection
//! and a ReLU feed-forward (PyTorch's default); token and learned position
//! embeddings; a final layer norm and a linear head. Only the last position's output is used, so the
//! final block computes its query, attention and feed-forward for that
//! position alone (keys and values still come from every position): the
//! same function as a full encoder, with fewer operations.

use crate::rng::Rng;
use crate::sequence::{CONTEXT, VOCAB};
use crate::study::layout::{BlockAt, Layout, LinearAt, ModelShape, NormAt, init_weights};
use burn::module::{Module, Param};
use burn::tensor::activation::{relu, softmax};
use burn::tensor::{Device, Int, Tensor, TensorData};

/// A stack of encoders of one shape: every parameter of the layout
/// ([`Layout`]) as [M, values], in layout order.
#[derive(Module, Debug)]
pub struct Stack {
    params: Vec<Param<Tensor<2>>>,
    d_model: usize,
    n_layers: usize,
    n_heads: usize,
    d_ff: usize,
    dropout: f64,
    norm_first: bool,
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

impl Stack {
    /// Parameter `i` as [M, ...dims] (its layout dimensions).
    fn param<const D: usize>(&self, i: usize, dims: [usize; D]) -> Tensor<D> {
        self.params[i].val().reshape(dims)
    }

    /// A linear layer: `x` [M, N, in] → [M, N, out].
    fn linear(&self, at: LinearAt, x: Tensor<3>) -> Tensor<3> {
        let [m, _, i] = x.dims();
        let o = self.params[at.bias].dims()[1];
        x.matmul(self.param(at.weight, [m, i, o])) + self.param::<3>(at.bias, [m, 1, o])
    }

    /// A layer norm over the last dimension: `x` [M, B, T, d].
    fn norm(&self, at: NormAt, x: Tensor<4>) -> Tensor<4> {
        let [m, _, _, d] = x.dims();
        let ones = Tensor::<1>::ones([d], &x.device());
        let normed = burn::tensor::module::layer_norm(x, ones, None, 1e-5);
        normed * self.param::<4>(at.gain, [m, 1, 1, d]) + self.param::<4>(at.bias, [m, 1, 1, d])
    }

    /// One block, pre-norm (x + f(norm(x)) for attention and then the
    /// feed-forward layer) or post-norm (norm(x + f(x)), PyTorch's default
    /// order). `x`: [M, B, T, d]. With `last_only`, only the last
    /// position's query is computed and the output is [M, B, 1, d]. Also
    /// returns the attention weights [M·B, heads, queries, T].
    fn block(&self, at: &BlockAt, x: Tensor<4>, mut rngs: Option<&mut [Rng]>, last_only: bool) -> (Tensor<4>, Tensor<4>) {
        let [m, b, t, d] = x.dims();
        let n_heads = self.n_heads;
        let rate = self.dropout;
        let dh = d / n_heads;
        let pre = self.norm_first;
        let h = if pre { self.norm(at.norm1, x.clone()) } else { x.clone() }.reshape([m, b * t, d]);
        let qkv = self.linear(at.qkv, h).reshape([m, b, t, 3 * d]);
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
        let weights = softmax(q.matmul(k.swap_dims(2, 3)), 3); // [MB, H, tq, T]
        let att = weights.clone().matmul(v); // [MB, H, tq, dh]
        let att = att.swap_dims(1, 2).reshape([m, b * tq, d]);
        let out = dropout(self.linear(at.proj, att), rate, rngs.as_deref_mut()).reshape([m, b, tq, d]);
        let x = x_res + out;
        let x = if pre { x } else { self.norm(at.norm1, x) };
        let h = if pre { self.norm(at.norm2, x.clone()) } else { x.clone() }.reshape([m, b * tq, d]);
        let h = self.linear(at.ff2, relu(self.linear(at.ff1, h)));
        let x = x + dropout(h, rate, rngs).reshape([m, b, tq, d]);
        (if pre { x } else { self.norm(at.norm2, x) }, weights)
    }
}

impl Stack {
    /// A stack whose member i has the weights `members[i]` (each in layout
    /// order, `shape.param_count()` values).
    pub fn from_members(shape: &ModelShape, members: &[&[f32]], device: &Device) -> Stack {
        let layout = Layout::of(shape);
        assert!(!members.is_empty() && members.iter().all(|w| w.len() == layout.param_count()), "member weights");
        let m = members.len();
        let mut at = 0;
        let params = layout
            .specs
            .iter()
            .map(|spec| {
                let n = spec.len();
                let mut v = Vec::with_capacity(n * m);
                for w in members {
                    v.extend_from_slice(&w[at..at + n]);
                }
                at += n;
                Param::from_tensor(Tensor::from_data(TensorData::new(v, [m, n]), device))
            })
            .collect();
        Stack {
            params,
            d_model: shape.d_model,
            n_layers: shape.n_layers,
            n_heads: shape.n_heads,
            d_ff: shape.d_ff,
            dropout: shape.dropout,
            norm_first: shape.norm_first,
        }
    }

    /// A stack of fresh members, member i drawn from `seeds[i]`.
    pub fn init(shape: &ModelShape, seeds: &[u64], device: &Device) -> Stack {
        let weights: Vec<Vec<f32>> = seeds.iter().map(|&s| init_weights(shape, s)).collect();
        let refs: Vec<&[f32]> = weights.iter().map(|w| w.as_slice()).collect();
        Stack::from_members(shape, &refs, device)
    }

    /// Number of members.
    pub fn members(&self) -> usize {
        self.params[0].dims()[0]
    }

    /// Each member's weights, in layout order.
    pub async fn weights(&self) -> Vec<Vec<f32>> {
        let m = self.members();
        let mut out = vec![Vec::new(); m];
        for p in &self.params {
            let [_, n] = p.dims();
            let v = read(p.val()).await;
            for (i, w) in out.iter_mut().enumerate() {
                w.extend_from_slice(&v[i * n..(i + 1) * n]);
            }
        }
        out
    }

    /// The model's shape.
    pub fn shape(&self) -> ModelShape {
        ModelShape {
            d_model: self.d_model,
            n_layers: self.n_layers,
            n_heads: self.n_heads,
            d_ff: self.d_ff,
            dropout: self.dropout,
            norm_first: self.norm_first,
        }
    }

    /// Logits for the token after each member's windows. `tokens`:
    /// [M, B, T] with T the context (20) or less; returns [M, B, 16].
    /// `rngs` (one per member) switches dropout on.
    pub fn forward(&self, tokens: Tensor<3, Int>, rngs: Option<&mut [Rng]>) -> Tensor<3> {
        self.forward_attending(tokens, rngs).0
    }

    /// [`Stack::forward`], and the last block's attention weights of the
    /// last position over the window, averaged over heads: [M, B, T].
    fn forward_attending(&self, tokens: Tensor<3, Int>, mut rngs: Option<&mut [Rng]>) -> (Tensor<3>, Tensor<3>) {
        let [m, b, t] = tokens.dims();
        let d = self.d_model;
        let layout = Layout::of(&self.shape());
        let device = tokens.device();
        // Member i reads rows i·16.. of the stacked embedding table.
        let offsets = Tensor::<1, Int>::from_data(
            TensorData::new((0..m as i64).map(|i| i * VOCAB as i64).collect::<Vec<_>>(), [m]),
            &device,
        )
        .reshape([m, 1, 1]);
        let index = (tokens + offsets).reshape([m * b * t]);
        let embedded = self.param::<2>(layout.tokens, [m * VOCAB, d]).select(0, index).reshape([m, b, t, d]);
        let pos = self.param::<3>(layout.positions, [m, CONTEXT, d]).slice([0..m, 0..t, 0..d]).unsqueeze_dim::<4>(1); // [M, 1, T, d]
        // As in PyTorch's encoder layers, dropout acts inside the blocks (on
        // the attention and feed-forward outputs), not on the embeddings.
        let mut x = embedded + pos;
        let n = layout.blocks.len();
        let mut last = None;
        for (i, at) in layout.blocks.iter().enumerate() {
            let (y, weights) = self.block(at, x, rngs.as_deref_mut(), i + 1 == n);
            x = y;
            last = Some(weights);
        }
        let x = self.norm(layout.norm, x).reshape([m, b, d]);
        let attention = last.map(|w| w.mean_dim(1).reshape([m, b, t])).unwrap_or_else(|| Tensor::zeros([m, b, t], &device));
        (self.linear(layout.head, x), attention)
    }

    /// The last block's attention of each window's last position over the
    /// window (mean over heads; no dropout): [member][window][position].
    pub async fn attention(&self, windows: &[Vec<u8>], device: &Device) -> Vec<Vec<Vec<f32>>> {
        let m = self.members();
        if windows.is_empty() {
            return vec![Vec::new(); m];
        }
        let t = windows[0].len();
        let flat: Vec<&Vec<u8>> = (0..m).flat_map(|_| windows.iter()).collect();
        let (_, att) = self.forward_attending(tokens_tensor(&flat, m, device), None);
        let v = read(att).await;
        v.chunks(windows.len() * t).map(|member| member.chunks(t).map(|w| w.to_vec()).collect()).collect()
    }

    /// Each member's logits for the same windows (each of length `CONTEXT`,
    /// or all of one shorter length), without dropout: [member][window].
    pub async fn logits(&self, windows: &[Vec<u8>], device: &Device) -> Vec<Vec<[f32; VOCAB]>> {
        let m = self.members();
        let flat: Vec<&Vec<u8>> = (0..m).flat_map(|_| windows.iter()).collect();
        self.logits_of(&flat, device).await
    }

    /// Each member's logits for its own windows (`windows[i]` for member i,
    /// all of one count and length), without dropout: [member][window].
    pub async fn logits_each(&self, windows: &[Vec<Vec<u8>>], device: &Device) -> Vec<Vec<[f32; VOCAB]>> {
        assert_eq!(windows.len(), self.members(), "one list of windows per member");
        let flat: Vec<&Vec<u8>> = windows.iter().flatten().collect();
        self.logits_of(&flat, device).await
    }

    /// Logits of the members' windows given one member after the other.
    async fn logits_of(&self, flat: &[&Vec<u8>], device: &Device) -> Vec<Vec<[f32; VOCAB]>> {
        let m = self.members();
        if flat.is_empty() {
            return vec![Vec::new(); m];
        }
        let logits = self.forward(tokens_tensor(flat, m, device), None);
        let v = read(logits).await;
        v.chunks(flat.len() / m * VOCAB)
            .map(|member| member.chunks(VOCAB).map(|c| c.try_into().expect("16 logits")).collect())
            .collect()
    }
}

/// A tensor's values, read back from its device: at once on the CPU, when
/// its work is done on a GPU (where a blocking read cannot wait in a
/// browser). A device that fails to give its data back ends the work with
/// a panic, which the worker reports.
pub async fn read<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    let data = t.into_data_async().await.unwrap_or_else(|e| panic!("the device could not give back a tensor: {e:?}"));
    data.convert::<f32>().try_into_vec::<f32>().expect("f32 values")
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
    use crate::model::cpu_device;

    #[test]
    fn parameter_counts_and_weights_round_trip() {
        let device = cpu_device();
        for size in Size::ALL {
            let shape = size.shape();
            let stack = Stack::init(&shape, &[1, 2], &device);
            assert_eq!(stack.num_params(), 2 * size.params(), "{size}");
            assert_eq!(stack.shape(), shape);
            let w = pollster::block_on(stack.weights());
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
        let together = pollster::block_on(stack.logits(&windows, &device));
        for (i, seed) in [5u64, 6, 7].into_iter().enumerate() {
            let alone = pollster::block_on(Stack::init(&shape, &[seed], &device).logits(&windows, &device));
            assert_eq!(alone[0], together[i], "member {i}");
        }
        assert_ne!(together[0], together[1]);
    }
}
