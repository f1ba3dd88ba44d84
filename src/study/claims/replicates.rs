//! The replicates a claim is decided over: the models of each seed, and
//! one value per seed computed within it (so that sizes and tasks compare
//! paired by draw).

use crate::study::curves::PretrainPoint;
use crate::study::interval::slope;
use crate::study::key::NetKey;
use crate::study::results::{ModelResult, Results};
use crate::study::size::Size;

/// The models of each seed that pass `keep`, seed by seed (seeds with none
/// left out).
pub fn by_seed<'a>(r: &'a Results, keep: impl Fn(&ModelResult) -> bool) -> Vec<Vec<&'a ModelResult>> {
    let mut seeds: Vec<u64> = r.models.iter().map(|m| m.key.seed).collect();
    seeds.sort();
    seeds.dedup();
    seeds
        .into_iter()
        .map(|s| r.models.iter().filter(|m| m.key.seed == s && keep(m)).collect::<Vec<_>>())
        .filter(|g| !g.is_empty())
        .collect()
}

/// One value per seed: `stat` of the seed's models that pass `keep`
/// (seeds where it gives none left out).
pub fn per_seed(r: &Results, keep: impl Fn(&ModelResult) -> bool, stat: impl Fn(&[&ModelResult]) -> Option<f64>) -> Vec<f64> {
    by_seed(r, keep).iter().filter_map(|g| stat(g)).filter(|v| v.is_finite()).collect()
}

/// The mean of `value` over some models (None for none).
pub fn mean_of(models: &[&ModelResult], value: impl Fn(&ModelResult) -> f64) -> Option<f64> {
    (!models.is_empty()).then(|| models.iter().map(|m| value(m)).sum::<f64>() / models.len() as f64)
}

/// The least-squares slope of `value` against ln(parameters) over some
/// models (None without two sizes).
pub fn size_slope(models: &[&ModelResult], value: impl Fn(&ModelResult) -> f64) -> Option<f64> {
    let xs: Vec<f64> = models.iter().map(|m| (m.params as f64).ln()).collect();
    let ys: Vec<f64> = models.iter().map(|m| value(m)).collect();
    slope(&xs, &ys)
}

/// The sizes among some models, in order.
pub fn sizes(models: &[&ModelResult]) -> Vec<Size> {
    let mut s: Vec<Size> = models.iter().map(|m| m.key.size).collect();
    s.sort();
    s.dedup();
    s
}

/// Each net's last pretraining point, where its curve reached the
/// experiment's last step.
pub fn final_pretraining(r: &Results) -> Vec<(NetKey, PretrainPoint)> {
    r.curves
        .pretrain
        .iter()
        .filter_map(|c| c.points.last().filter(|p| p.step == r.config.steps && p.step > 0).map(|p| (c.net, p.clone())))
        .collect()
}

/// One value per seed from its nets' final pretraining points: `pick` of
/// the seed's points of sizes `a` and `b` (seeds lacking either left out).
pub fn per_seed_nets(r: &Results, a: Size, b: Size, pick: impl Fn(&PretrainPoint, &PretrainPoint) -> f64) -> Vec<f64> {
    let last = final_pretraining(r);
    let mut seeds: Vec<u64> = last.iter().map(|(n, _)| n.seed).collect();
    seeds.sort();
    seeds.dedup();
    let point = |size: Size, seed: u64| last.iter().find(|(n, _)| n.size == size && n.seed == seed).map(|(_, p)| p);
    seeds.into_iter().filter_map(|s| Some(pick(point(a, s)?, point(b, s)?))).collect()
}
