//! The study's aggregates: per size and task, the mean and standard error
//! over seeds of each quantity (SCIENCE.md §3: "mean and standard error per
//! size"), as the post's figures and tables show them.

use super::key::ModelKey;
use super::results::{ModelResult, Results};
use super::size::Size;
use crate::sequence::SuccessSet;

/// Mean and standard error of the mean (sample SD / sqrt(n); 0 for n = 1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MeanSe {
    /// The mean.
    pub mean: f64,
    /// Its standard error.
    pub se: f64,
    /// How many values.
    pub n: usize,
}

impl MeanSe {
    /// Of some values (None when there are none).
    pub fn of(values: &[f64]) -> Option<MeanSe> {
        let n = values.len();
        if n == 0 {
            return None;
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let se = if n > 1 {
            let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64;
            (var / n as f64).sqrt()
        } else {
            0.0
        };
        Some(MeanSe { mean, se, n })
    }

    /// `0.654 ± 0.006`.
    pub fn show(&self, digits: usize) -> String {
        format!("{:.*} ± {:.*}", digits, self.mean, digits, self.se)
    }
}

/// The mean of some values (NaN for none).
pub fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (mut total, mut n) = (0.0, 0usize);
    for v in values {
        total += v;
        n += 1;
    }
    if n == 0 { f64::NAN } else { total / n as f64 }
}

/// The models of one size trained on one task.
pub fn group(r: &Results, size: Size, task: SuccessSet) -> Vec<&ModelResult> {
    r.models.iter().filter(|m| m.key.size == size && m.key.task == task).collect()
}

/// Mean ± SE of a quantity over the models of one size and task.
pub fn over(r: &Results, size: Size, task: SuccessSet, pick: impl Fn(&ModelResult) -> f64) -> Option<MeanSe> {
    MeanSe::of(&group(r, size, task).into_iter().map(pick).collect::<Vec<_>>())
}

/// Mean ± SE of a size's nets' final pretraining loss: on held-out
/// windows (`test`) or on training windows.
pub fn final_loss(r: &Results, size: Size, test: bool) -> Option<MeanSe> {
    let v: Vec<f64> = r
        .curves
        .pretrain
        .iter()
        .filter(|c| c.net.size == size)
        .filter_map(|c| c.points.last().filter(|p| p.step == r.config.steps))
        .map(|p| if test { p.test_loss } else { p.train_loss })
        .collect();
    MeanSe::of(&v)
}

/// The sizes and tasks that have models, in order.
pub fn present(r: &Results) -> (Vec<Size>, Vec<SuccessSet>) {
    let mut sizes: Vec<Size> = r.models.iter().map(|m| m.key.size).collect();
    sizes.sort();
    sizes.dedup();
    let mut tasks: Vec<SuccessSet> = r.models.iter().map(|m| m.key.task).collect();
    tasks.sort();
    tasks.dedup();
    (sizes, tasks)
}

/// Pearson correlation of two equally long lists (None if fewer than 3 or
/// no spread).
pub fn correlation(xs: &[f64], ys: &[f64]) -> Option<f64> {
    let n = xs.len();
    if n < 3 || ys.len() != n {
        return None;
    }
    let (mx, my) = (xs.iter().sum::<f64>() / n as f64, ys.iter().sum::<f64>() / n as f64);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in xs.iter().zip(ys) {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// A model's label in tables.
pub fn label(k: ModelKey) -> String {
    format!("{} seed {} on {}", k.size, k.seed, k.task)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_and_standard_error() {
        let m = MeanSe::of(&[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert_eq!(m.mean, 2.5);
        // SD = sqrt(5/3), SE = SD / 2.
        assert!((m.se - (5.0f64 / 3.0).sqrt() / 2.0).abs() < 1e-15);
        assert_eq!(MeanSe::of(&[7.0]).unwrap().se, 0.0);
        assert!(MeanSe::of(&[]).is_none());
        assert_eq!(m.show(2), "2.50 ± 0.65");
        assert!((correlation(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.5]).unwrap() - 0.9986).abs() < 1e-3);
        assert!(correlation(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]).is_none());
    }
}
