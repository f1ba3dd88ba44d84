//! The four model sizes of the study (SCIENCE.md §2), and the shape of a
//! model: what a size is, without the network itself.

use super::layout::ModelShape;
use crate::sequence::{CONTEXT, VOCAB};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The study's block order by default: post-norm, as PyTorch's
/// `nn.TransformerEncoderLayer` builds it (README, "The post's most likely
/// stack").
pub const DEFAULT_NORM_FIRST: bool = false;

/// A model size: `s`, `m`, `l` or `xl`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Size {
    /// 18,832 parameters (d 32, ff 64).
    S,
    /// 54,448 parameters (d 56, ff 112).
    M,
    /// 154,768 parameters (d 96, ff 192).
    L,
    /// 403,472 parameters (d 128, ff 512).
    Xl,
}

impl Size {
    /// Every size, smallest first.
    pub const ALL: [Size; 4] = [Size::S, Size::M, Size::L, Size::Xl];

    /// The size's name in links, files and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            Size::S => "s",
            Size::M => "m",
            Size::L => "l",
            Size::Xl => "xl",
        }
    }

    /// Reads a size name (case and surrounding space ignored).
    pub fn parse(text: &str) -> Result<Size, String> {
        let t = text.trim().to_ascii_lowercase();
        Size::ALL
            .into_iter()
            .find(|s| s.name() == t)
            .ok_or_else(|| format!("unknown size '{}': use s, m, l or xl", text.trim()))
    }

    /// Position in [`Size::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The model's shape in the study's default block order
    /// ([`DEFAULT_NORM_FIRST`]): 2 blocks, 4 heads, dropout 0.1. An
    /// experiment's own order is [`crate::study::config::ExperimentConfig::shape`].
    pub fn shape(self) -> ModelShape {
        self.shape_with(DEFAULT_NORM_FIRST)
    }

    /// The model's shape with pre-norm (`norm_first`) or post-norm blocks.
    pub fn shape_with(self, norm_first: bool) -> ModelShape {
        let (d_model, d_ff) = match self {
            Size::S => (32, 64),
            Size::M => (56, 112),
            Size::L => (96, 192),
            Size::Xl => (128, 512),
        };
        ModelShape { d_model, n_layers: 2, n_heads: 4, d_ff, dropout: 0.1, norm_first }
    }

    /// Trainable parameters.
    pub fn params(self) -> usize {
        self.shape().param_count()
    }

    /// Multiply-adds of one forward pass over one 20-token window (the final
    /// block computes its query, attention and feed-forward for the last
    /// position only): the unit the work estimates count in.
    pub fn forward_macs(self) -> f64 {
        let s = self.shape();
        let (d, f, t) = (s.d_model as f64, s.d_ff as f64, CONTEXT as f64);
        let full = t * (3.0 * d * d + d * d + 2.0 * d * f) + 2.0 * t * t * d;
        let last = t * 2.0 * d * d + (d * d + d * d + 2.0 * d * f) + 2.0 * t * d;
        (s.n_layers as f64 - 1.0) * full + last + d * VOCAB as f64
    }

    /// Relative cost of a training step against the smallest size's,
    /// measured (BENCHMARKS.md): small models pay a fixed cost per operation
    /// that arithmetic alone does not show.
    pub fn step_cost(self) -> f64 {
        match self {
            Size::S => 1.0,
            Size::M => 1.5,
            Size::L => 3.0,
            Size::Xl => 6.0,
        }
    }

    /// The size's colour in charts (Okabe–Ito, at least 3:1 on white).
    pub fn colour(self) -> &'static str {
        match self {
            Size::S => "#0072B2",
            Size::M => "#D55E00",
            Size::L => "#009E73",
            Size::Xl => "#CC79A7",
        }
    }

    /// One line of help: name, parameters and shape.
    pub fn help(self) -> String {
        let s = self.shape();
        format!(
            "{} ({} parameters: d_model {}, feed-forward {}, {} blocks, {} heads)",
            self.name(),
            group_digits(self.params()),
            s.d_model,
            s.d_ff,
            s.n_layers,
            s.n_heads
        )
    }
}

/// `18832` as `18,832`.
pub fn group_digits(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl TryFrom<String> for Size {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Size::parse(&s)
    }
}

impl From<Size> for String {
    fn from(s: Size) -> String {
        s.name().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_span_18k_to_403k_parameters() {
        let counts: Vec<usize> = Size::ALL.iter().map(|s| s.params()).collect();
        assert_eq!(counts, vec![18_832, 54_448, 154_768, 403_472]);
        for s in Size::ALL {
            s.shape().check().unwrap();
            assert_eq!(Size::parse(s.name()).unwrap(), s);
            assert_eq!(Size::parse(&format!(" {} ", s.name().to_uppercase())).unwrap(), s);
        }
        assert!(Size::parse("huge").unwrap_err().contains("huge"));
        assert_eq!(serde_json::to_string(&Size::Xl).unwrap(), "\"xl\"");
        assert!(serde_json::from_str::<Size>("\"xxl\"").is_err());
        assert_eq!(group_digits(403_472), "403,472");
        assert_eq!(group_digits(12), "12");
    }

    #[test]
    fn work_grows_with_size() {
        let macs: Vec<f64> = Size::ALL.iter().map(|s| s.forward_macs()).collect();
        assert!(macs.windows(2).all(|w| w[0] < w[1]), "{macs:?}");
        // The smallest: a full block over 20 positions plus the last
        // position's block and the head.
        let s = Size::S.shape();
        let full = 20.0 * (3.0 * 32.0 * 32.0 + 32.0 * 32.0 + 2.0 * 32.0 * 64.0) + 2.0 * 400.0 * 32.0;
        let last = 20.0 * 2.0 * 1024.0 + (2.0 * 1024.0 + 2.0 * 32.0 * 64.0) + 2.0 * 20.0 * 32.0;
        assert_eq!(Size::S.forward_macs(), full + last + 32.0 * 16.0);
        assert_eq!(s.n_layers, 2);
    }
}
