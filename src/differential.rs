//! Differential optimization and impact (SCIENCE.md §5, the post's
//! appendix), and a Monte Carlo check of the closed forms.
//!
//! A = f(P) is the policy's action, F = g(A, P) the future. J_g = dF/dP with
//! A held fixed, J_h = dF/dP with A free (through f). For P ~ N(0, σ² I) and a
//! linear system, F ~ N(0, σ² J_h J_hᵀ) and the split-history future given
//! P'' is F' ~ N((J_h − J_g) P'', σ² J_g J_gᵀ); Op is their entropy gap and
//! Imp the expected KL(F ‖ F'), which give the closed forms below.

use crate::linalg::{self, Mat};
use crate::measure::Estimate;
use crate::rng::{Rng, derive_seed};
use serde::{Deserialize, Serialize};

/// Op and Imp of a differential system, nats.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct DiffMeasures {
    /// Optimization.
    pub op: f64,
    /// Impact.
    pub imp: f64,
}

/// Scalar: C = h'(P) / (∂g/∂P); Op = −ln C; Imp = −ln C + C (C − 1).
/// C ≤ 0 has no logarithm: Op uses |C| (the sign flips F, not its spread)
/// and C = 0 gives +inf.
pub fn scalar(c: f64) -> DiffMeasures {
    let op = -crate::math::ln(c.abs());
    DiffMeasures {
        op,
        imp: op + c * (c - 1.0),
    }
}

/// Which closed form applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Form {
    /// J_g square and invertible: C = J_g⁻¹ J_h.
    Square,
    /// J_g J_gᵀ invertible, F of lower dimension than P.
    NonSquare,
}

/// Square, invertible J_g: C = J_g⁻¹ J_h; Op = −ln|det C|;
/// Imp = −ln|det C| + tr(C Cᵀ) − tr(C).
pub fn square(jg: &Mat, jh: &Mat) -> Result<DiffMeasures, String> {
    let (m, n) = linalg::shape(jg)?;
    if m != n || linalg::shape(jh)? != (m, n) {
        return Err("the square form needs J_g and J_h square and of the same size".into());
    }
    let inv = linalg::inverse(jg).ok_or("J_g is singular: the square form needs it invertible")?;
    let c = linalg::mul(&inv, jh);
    let op = -linalg::ln_abs_det(&c);
    let cct = linalg::mul(&c, &linalg::transpose(&c));
    Ok(DiffMeasures {
        op,
        imp: op + linalg::trace(&cct) - linalg::trace(&c),
    })
}

/// General form (m x n Jacobians, J_g J_gᵀ invertible):
/// Op = ½ ln|J_g J_gᵀ| − ½ ln|J_h J_hᵀ|;
/// Imp = Op + tr(J_h J_hᵀ (J_g J_gᵀ)⁻¹) − tr(J_g J_hᵀ (J_g J_gᵀ)⁻¹).
pub fn non_square(jg: &Mat, jh: &Mat) -> Result<DiffMeasures, String> {
    let (m, n) = linalg::shape(jg)?;
    if linalg::shape(jh)? != (m, n) {
        return Err("J_g and J_h must have the same shape".into());
    }
    let s = linalg::mul(jg, &linalg::transpose(jg));
    let s_inv = linalg::inverse(&s).ok_or("J_g J_gᵀ is singular: F would not vary with P")?;
    let hh = linalg::mul(jh, &linalg::transpose(jh));
    let op = 0.5 * linalg::ln_abs_det(&s) - 0.5 * linalg::ln_abs_det(&hh);
    let t1 = linalg::trace(&linalg::mul(&hh, &s_inv));
    let t2 = linalg::trace(&linalg::mul(&linalg::mul(jg, &linalg::transpose(jh)), &s_inv));
    Ok(DiffMeasures {
        op,
        imp: op + t1 - t2,
    })
}

/// The closed form that fits the Jacobians' shapes: square when J_g is
/// square, otherwise the general form.
pub fn closed_form(jg: &Mat, jh: &Mat) -> Result<(Form, DiffMeasures), String> {
    let (m, n) = linalg::shape(jg)?;
    let (hm, hn) = linalg::shape(jh)?;
    if (hm, hn) != (m, n) {
        return Err(format!(
            "J_g is {m}x{n} but J_h is {hm}x{hn}: they must have the same shape"
        ));
    }
    if m > n {
        return Err(format!(
            "J_g is {m}x{n}: F has more dimensions than P, so J_g J_gᵀ is singular"
        ));
    }
    let (form, d) = if m == n { (Form::Square, square(jg, jh)?) } else { (Form::NonSquare, non_square(jg, jh)?) };
    if !(d.op.is_finite() && d.imp.is_finite()) {
        return Err("J_h is singular (the future does not move with P when the action responds): Op and Imp are infinite".into());
    }
    Ok((form, d))
}

/// A system P → A = f(P) → F = g(A, P).
pub trait System {
    /// Dimension of P (and of A for the systems here).
    fn p_dim(&self) -> usize;
    /// Dimension of F.
    fn f_dim(&self) -> usize;
    /// The action A = f(P).
    fn act(&self, p: &[f64]) -> Vec<f64>;
    /// The future F = g(A, P).
    fn future(&self, a: &[f64], p: &[f64]) -> Vec<f64>;
    /// J_g and J_h at P = 0 (what the closed form linearises around).
    fn jacobians_at_zero(&self) -> (Mat, Mat);
}

/// The linear system with given Jacobians: A = P, F = J_g P + (J_h − J_g) A.
#[derive(Clone, Debug)]
pub struct Linear {
    /// ∂F/∂P with A fixed, m x n.
    pub jg: Mat,
    /// dF/dP with A free, m x n.
    pub jh: Mat,
    ga: Mat,
}

impl Linear {
    /// Checks the shapes and builds the system.
    pub fn new(jg: Mat, jh: Mat) -> Result<Self, String> {
        closed_form(&jg, &jh)?;
        let ga = linalg::sub(&jh, &jg);
        Ok(Linear { jg, jh, ga })
    }
}

impl System for Linear {
    fn p_dim(&self) -> usize {
        self.jg[0].len()
    }
    fn f_dim(&self) -> usize {
        self.jg.len()
    }
    fn act(&self, p: &[f64]) -> Vec<f64> {
        p.to_vec()
    }
    fn future(&self, a: &[f64], p: &[f64]) -> Vec<f64> {
        let x = linalg::mul_vec(&self.jg, p);
        let y = linalg::mul_vec(&self.ga, a);
        x.iter().zip(&y).map(|(u, v)| u + v).collect()
    }
    fn jacobians_at_zero(&self) -> (Mat, Mat) {
        (self.jg.clone(), self.jh.clone())
    }
}

/// A scalar controller that saturates: A = tanh(P), F = P − (1 − k) A. Near
/// P = 0 it is the post's example with C = k; for large σ the action
/// saturates and the closed form no longer describes it.
#[derive(Clone, Copy, Debug)]
pub struct Saturating {
    /// The small-signal C.
    pub k: f64,
}

impl System for Saturating {
    fn p_dim(&self) -> usize {
        1
    }
    fn f_dim(&self) -> usize {
        1
    }
    fn act(&self, p: &[f64]) -> Vec<f64> {
        vec![libm::tanh(p[0])]
    }
    fn future(&self, a: &[f64], p: &[f64]) -> Vec<f64> {
        vec![p[0] - (1.0 - self.k) * a[0]]
    }
    fn jacobians_at_zero(&self) -> (Mat, Mat) {
        (vec![vec![1.0]], vec![vec![self.k]])
    }
}

/// Settings of the Monte Carlo check.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct McSettings {
    /// Standard deviation of P.
    pub sigma: f64,
    /// Samples of F (and of F' for each P'').
    pub samples: usize,
    /// Number of P'' draws (split histories) per repeat.
    pub splits: usize,
    /// Repeats, for the standard error.
    pub repeats: usize,
    /// RNG seed.
    pub seed: u64,
}

impl Default for McSettings {
    fn default() -> Self {
        McSettings {
            sigma: 1.0,
            samples: 2000,
            splits: 100,
            repeats: 5,
            seed: 0,
        }
    }
}

/// Monte Carlo estimates of differential Op and Imp.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct DiffMonteCarlo {
    /// Op estimate.
    pub op: Estimate,
    /// Imp estimate.
    pub imp: Estimate,
}

/// A Gaussian fitted to samples by their mean and covariance.
struct Gaussian {
    mean: Vec<f64>,
    cov: Mat,
}

impl Gaussian {
    fn fit(xs: &[Vec<f64>]) -> Gaussian {
        let d = xs[0].len();
        let n = xs.len() as f64;
        let mut mean = vec![0.0; d];
        for x in xs {
            for (m, v) in mean.iter_mut().zip(x) {
                *m += v / n;
            }
        }
        let mut cov = vec![vec![0.0; d]; d];
        for x in xs {
            for i in 0..d {
                for j in 0..d {
                    cov[i][j] += (x[i] - mean[i]) * (x[j] - mean[j]) / (n - 1.0);
                }
            }
        }
        Gaussian { mean, cov }
    }

    /// Differential entropy ½ ln((2πe)^d |Σ|).
    fn entropy(&self) -> f64 {
        let d = self.mean.len() as f64;
        0.5 * (d * crate::math::ln(2.0 * std::f64::consts::PI * std::f64::consts::E)
            + linalg::ln_abs_det(&self.cov))
    }

    /// KL(self ‖ other).
    fn kl(&self, other: &Gaussian) -> f64 {
        let d = self.mean.len() as f64;
        let Some(inv) = linalg::inverse(&other.cov) else {
            return f64::INFINITY;
        };
        let diff: Vec<f64> = other.mean.iter().zip(&self.mean).map(|(a, b)| a - b).collect();
        let quad: f64 = diff
            .iter()
            .zip(linalg::mul_vec(&inv, &diff))
            .map(|(a, b)| a * b)
            .sum();
        0.5 * (linalg::ln_abs_det(&other.cov) - linalg::ln_abs_det(&self.cov) - d
            + linalg::trace(&linalg::mul(&inv, &self.cov))
            + quad)
    }
}

fn draw(rng: &mut Rng, dim: usize, sigma: f64) -> Vec<f64> {
    (0..dim).map(|_| sigma * rng.normal()).collect()
}

/// The split-history Monte Carlo estimate: sample P ~ N(0, σ² I) and F =
/// g(f(P), P); for each of `splits` draws P'' sample F' = g(f(P''), P') over
/// fresh P'; fit Gaussians by moments; Op = mean H(F'|P'') − H(F) and Imp =
/// mean KL(F ‖ F'|P''). Exact (up to sampling) for linear systems; for
/// nonlinear ones the Gaussian fit is itself an approximation.
pub fn monte_carlo(system: &dyn System, s: McSettings) -> DiffMonteCarlo {
    let (n, samples) = (system.p_dim(), s.samples.max(3));
    let mut ops = Vec::new();
    let mut imps = Vec::new();
    for r in 0..s.repeats.max(1) {
        let mut rng = Rng::new(derive_seed(s.seed, r as u64));
        let fs: Vec<Vec<f64>> = (0..samples)
            .map(|_| {
                let p = draw(&mut rng, n, s.sigma);
                system.future(&system.act(&p), &p)
            })
            .collect();
        let gf = Gaussian::fit(&fs);
        let (mut h_split, mut imp) = (0.0, 0.0);
        for _ in 0..s.splits.max(1) {
            let a = system.act(&draw(&mut rng, n, s.sigma));
            let split: Vec<Vec<f64>> = (0..samples)
                .map(|_| system.future(&a, &draw(&mut rng, n, s.sigma)))
                .collect();
            let g = Gaussian::fit(&split);
            h_split += g.entropy();
            imp += gf.kl(&g);
        }
        let k = s.splits.max(1) as f64;
        ops.push(h_split / k - gf.entropy());
        imps.push(imp / k);
    }
    DiffMonteCarlo {
        op: Estimate::of(&ops),
        imp: Estimate::of(&imps),
    }
}

/// A system described in JSON for `opimp differential`: a linear system by
/// its Jacobians (`{"jg": [[..]], "jh": [[..]]}`), a scalar one by C
/// (`{"k": 0.5}`), or the saturating controller (`{"kind": "saturating",
/// "k": 0.5}`), with optional Monte Carlo settings (`sigma`, `samples`,
/// `splits`, `repeats`, `seed`).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SystemSpec {
    /// `linear` (the default when `jg`/`jh` are given), `scalar` (the
    /// default when only `k` is) or `saturating`.
    pub kind: Option<String>,
    /// J_g, rows of numbers.
    pub jg: Option<Mat>,
    /// J_h, rows of numbers.
    pub jh: Option<Mat>,
    /// C for a scalar system (J_g = 1, J_h = k).
    pub k: Option<f64>,
    /// Standard deviation of P.
    pub sigma: Option<f64>,
    /// Samples per fit.
    pub samples: Option<usize>,
    /// P'' draws per repeat.
    pub splits: Option<usize>,
    /// Repeats.
    pub repeats: Option<usize>,
    /// RNG seed.
    pub seed: Option<u64>,
}

/// Most samples one Monte Carlo check draws (samples x (splits + 1) x
/// repeats).
pub const MAX_SAMPLES: f64 = 2e7;

/// A checked system and settings, ready to measure.
pub struct Prepared {
    /// The system.
    pub system: Box<dyn System>,
    /// Monte Carlo settings.
    pub settings: McSettings,
    /// Which system it is: `linear`, `scalar` or `saturating`.
    pub kind: String,
}

impl SystemSpec {
    /// Parses JSON text into a spec, with a message naming what is wrong.
    pub fn from_json(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| format!("not a system description: {e}"))
    }

    /// Validates the spec and builds the system.
    pub fn prepare(&self) -> Result<Prepared, String> {
        let d = McSettings::default();
        let settings = McSettings {
            sigma: self.sigma.unwrap_or(d.sigma),
            samples: self.samples.unwrap_or(d.samples),
            splits: self.splits.unwrap_or(d.splits),
            repeats: self.repeats.unwrap_or(d.repeats),
            seed: self.seed.unwrap_or(d.seed),
        };
        if !(settings.sigma.is_finite() && settings.sigma > 0.0 && settings.sigma <= 1e6) {
            return Err(format!("sigma is {}; it must be a positive number of at most 1e6", settings.sigma));
        }
        if !(10..=200_000).contains(&settings.samples) {
            return Err(format!("samples is {}; use 10..=200000", settings.samples));
        }
        if !(1..=2_000).contains(&settings.splits) {
            return Err(format!("splits is {}; use 1..=2000", settings.splits));
        }
        if !(2..=100).contains(&settings.repeats) {
            return Err(format!("repeats is {}; use 2..=100", settings.repeats));
        }
        let work = settings.samples as f64 * (settings.splits + 1) as f64 * settings.repeats as f64;
        if work > MAX_SAMPLES {
            return Err(format!(
                "samples x (splits + 1) x repeats is {work:.0}; at most {MAX_SAMPLES:.0} (a few seconds' work)"
            ));
        }
        let kind = match (&self.kind, &self.jg, &self.k) {
            (Some(k), _, _) => k.to_ascii_lowercase(),
            (None, Some(_), _) => "linear".into(),
            (None, None, Some(_)) => "scalar".into(),
            (None, None, None) => {
                return Err("give jg and jh (a linear system) or k (a scalar one)".into());
            }
        };
        let need_k = || -> Result<f64, String> {
            let k = self.k.ok_or(format!("a {kind} system needs k"))?;
            if !k.is_finite() || k == 0.0 || k.abs() > 1000.0 {
                return Err(format!("k is {k}; it must be a non-zero number in [-1000, 1000]"));
            }
            Ok(k)
        };
        let system: Box<dyn System> = match kind.as_str() {
            "linear" => {
                let (Some(jg), Some(jh)) = (&self.jg, &self.jh) else {
                    return Err("a linear system needs both jg and jh".into());
                };
                Box::new(Linear::new(jg.clone(), jh.clone())?)
            }
            "scalar" => Box::new(Linear::new(vec![vec![1.0]], vec![vec![need_k()?]])?),
            "saturating" => Box::new(Saturating { k: need_k()? }),
            other => {
                return Err(format!(
                    "unknown kind '{other}': use linear, scalar or saturating"
                ));
            }
        };
        Ok(Prepared {
            system,
            settings,
            kind,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalar_example() {
        // A = P, F = P − (1 − k) A gives C = k.
        let k = 0.5;
        let d = scalar(k);
        assert!((d.op - 2f64.ln()).abs() < 1e-12);
        assert!((d.imp - (2f64.ln() - 0.25)).abs() < 1e-12);
        assert_eq!(scalar(1.0), DiffMeasures { op: 0.0, imp: 0.0 });
    }

    #[test]
    fn square_and_general_forms_agree() {
        let jg = vec![vec![1.0, 0.3], vec![-0.2, 0.9]];
        let jh = vec![vec![0.4, 0.1], vec![0.2, 0.7]];
        let a = square(&jg, &jh).unwrap();
        let b = non_square(&jg, &jh).unwrap();
        assert!((a.op - b.op).abs() < 1e-12 && (a.imp - b.imp).abs() < 1e-12);
    }

    #[test]
    fn diagonal_systems_add_up() {
        // Concatenated scalar systems: Imp = Σ (−ln C + C² − C).
        let jg = vec![vec![1.0, 0.0], vec![0.0, 2.0]];
        let jh = vec![vec![0.5, 0.0], vec![0.0, 0.5]];
        let d = square(&jg, &jh).unwrap();
        let (a, b) = (scalar(0.5), scalar(0.25));
        assert!((d.op - (a.op + b.op)).abs() < 1e-12);
        assert!((d.imp - (a.imp + b.imp)).abs() < 1e-12);
    }

    #[test]
    fn bad_shapes_are_errors() {
        assert!(closed_form(&vec![vec![1.0], vec![2.0]], &vec![vec![1.0], vec![2.0]]).is_err());
        assert!(closed_form(&vec![vec![1.0, 0.0]], &vec![vec![1.0]]).is_err());
        assert!(square(&vec![vec![0.0]], &vec![vec![1.0]]).is_err());
    }
}
