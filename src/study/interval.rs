//! Effects with their 95% intervals over replicates (SCIENCE.md §6): a
//! mean of per-replicate values with Student's t, and a statistic of every
//! model with a bootstrap over replicates. A replicate is one seed: its own
//! weights, streams and (with one draw per seed) data, so that values
//! computed within a seed are paired by draw.

use crate::rng::Rng;

/// How an interval was computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Mean of one value per replicate ± t(0.975, n − 1) · SE.
    TMean,
    /// The statistic on every model; percentile interval of the statistic
    /// over replicates resampled with replacement ([`BOOTSTRAP_DRAWS`]).
    BootstrapSeeds,
}

impl Method {
    /// In words, for the panel's "how this is decided".
    pub fn describe(self) -> &'static str {
        match self {
            Method::TMean => "t interval of the mean over seeds",
            Method::BootstrapSeeds => "bootstrap over seeds (percentile)",
        }
    }
}

/// An effect and its 95% interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// The effect.
    pub value: f64,
    /// Lower end of the 95% interval.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
    /// Replicates it rests on.
    pub n: usize,
    /// How the interval was computed.
    pub method: Method,
}

impl Estimate {
    /// `+0.012 [−0.004, +0.028]` with `digits` decimals.
    pub fn show(&self, digits: usize) -> String {
        format!("{:+.*} [{:+.*}, {:+.*}]", digits, self.value, digits, self.lo, digits, self.hi)
    }
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom (df ≥ 1):
/// exact to four decimals from a table up to 30, the Cornish–Fisher
/// expansion beyond.
pub fn t975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281, 2.2010, 2.1788, 2.1604, 2.1448, 2.1314,
        2.1199, 2.1098, 2.1009, 2.0930, 2.0860, 2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
    ];
    assert!(df >= 1, "t needs a degree of freedom");
    if df <= 30 {
        return TABLE[df - 1];
    }
    let (z, v) = (1.959_963_984_540_054f64, df as f64);
    let (z3, z5, z7) = (z.powi(3), z.powi(5), z.powi(7));
    z + (z3 + z) / (4.0 * v) + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * v * v) + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * v.powi(3))
}

/// The mean of one value per replicate with its t interval (None for fewer
/// than two replicates or a value that is not finite).
pub fn t_mean(values: &[f64]) -> Option<Estimate> {
    let n = values.len();
    if n < 2 || values.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64;
    let half = t975(n - 1) * (var / n as f64).sqrt();
    Some(Estimate { value: mean, lo: mean - half, hi: mean + half, n, method: Method::TMean })
}

/// Draws of the bootstrap over replicates.
pub const BOOTSTRAP_DRAWS: usize = 2000;

/// A statistic of grouped data (one group per replicate) with a bootstrap
/// interval over the groups: the statistic on all groups, and the 2.5% and
/// 97.5% quantiles of the statistic over [`BOOTSTRAP_DRAWS`] resamples of
/// the groups with replacement (a fixed stream, so the same data give the
/// same interval). None for fewer than three groups or a statistic that
/// cannot be computed on the whole data; resamples where it cannot be
/// computed are left out.
pub fn bootstrap<T>(groups: &[Vec<T>], statistic: impl Fn(&[&T]) -> Option<f64>) -> Option<Estimate> {
    let k = groups.len();
    if k < 3 {
        return None;
    }
    let all: Vec<&T> = groups.iter().flatten().collect();
    let value = statistic(&all).filter(|v| v.is_finite())?;
    let mut rng = Rng::new(0xB007_5EED);
    let mut stats = Vec::with_capacity(BOOTSTRAP_DRAWS);
    for _ in 0..BOOTSTRAP_DRAWS {
        let pick: Vec<&T> = (0..k).flat_map(|_| groups[rng.below(k as u64) as usize].iter()).collect();
        if let Some(s) = statistic(&pick).filter(|v| v.is_finite()) {
            stats.push(s);
        }
    }
    if stats.len() < BOOTSTRAP_DRAWS / 2 {
        return None;
    }
    stats.sort_by(f64::total_cmp);
    let at = |q: f64| stats[((q * (stats.len() - 1) as f64).round() as usize).min(stats.len() - 1)];
    Some(Estimate { value, lo: at(0.025), hi: at(0.975), n: k, method: Method::BootstrapSeeds })
}

/// Least-squares slope of `ys` against `xs` (None for fewer than two
/// distinct xs).
pub fn slope(xs: &[f64], ys: &[f64]) -> Option<f64> {
    let n = xs.len();
    if n < 2 || ys.len() != n {
        return None;
    }
    let (mx, my) = (xs.iter().sum::<f64>() / n as f64, ys.iter().sum::<f64>() / n as f64);
    let sxx: f64 = xs.iter().map(|x| (x - mx) * (x - mx)).sum();
    let sxy: f64 = xs.iter().zip(ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    (sxx > 0.0).then(|| sxy / sxx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_are_known_values() {
        assert_eq!(t975(1), 12.7062);
        assert_eq!(t975(4), 2.7764);
        // The expansion joins the table and tends to the normal's 1.96.
        assert!((t975(31) - 2.0395).abs() < 2e-4, "{}", t975(31));
        assert!((t975(60) - 2.0003).abs() < 2e-4, "{}", t975(60));
        assert!((t975(120) - 1.9799).abs() < 2e-4, "{}", t975(120));
        assert!((t975(100_000) - 1.95998).abs() < 1e-4);
        for df in 1..200 {
            assert!(t975(df + 1) < t975(df), "decreasing at {df}");
        }
    }

    #[test]
    fn a_t_interval_is_the_textbook_one() {
        // 1..5: mean 3, SD sqrt(2.5), SE sqrt(0.5), t(4) 2.7764.
        let e = t_mean(&[1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
        assert_eq!(e.value, 3.0);
        let half = 2.7764 * 0.5f64.sqrt();
        assert!((e.lo - (3.0 - half)).abs() < 1e-12 && (e.hi - (3.0 + half)).abs() < 1e-12);
        assert_eq!((e.n, e.method), (5, Method::TMean));
        assert!(t_mean(&[1.0]).is_none());
        assert!(t_mean(&[1.0, f64::NAN]).is_none());
        assert_eq!(e.show(2), "+3.00 [+1.04, +4.96]");
    }

    #[test]
    fn the_bootstrap_covers_the_statistic_and_repeats_itself() {
        let groups: Vec<Vec<f64>> = (0..5).map(|g| (0..4).map(|i| g as f64 + i as f64 * 0.1).collect()).collect();
        let mean = |xs: &[&f64]| Some(xs.iter().copied().sum::<f64>() / xs.len() as f64);
        let e = bootstrap(&groups, mean).unwrap();
        assert!((e.value - 2.15).abs() < 1e-12);
        assert!(e.lo < e.value && e.value < e.hi && e.lo >= 0.15 && e.hi <= 4.15, "{e:?}");
        assert_eq!(bootstrap(&groups, mean), Some(e));
        assert!(bootstrap(&groups[..2], mean).is_none());
        assert_eq!(slope(&[0.0, 1.0, 2.0], &[1.0, 3.0, 5.0]), Some(2.0));
        assert_eq!(slope(&[1.0, 1.0], &[1.0, 3.0]), None);
    }
}
