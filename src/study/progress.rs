//! Progress of a run, in the units of [`super::jobs::Work::units`]: how
//! much is done and, from the pace so far, when it will end.

use super::jobs::WorkId;
use std::collections::BTreeMap;

/// Progress of the works of a run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Progress {
    /// Units of the whole run.
    pub total: f64,
    /// Units done, per work.
    pub done: BTreeMap<WorkId, f64>,
    /// When the run started (ms, the caller's clock).
    pub started: f64,
}

impl Progress {
    /// A run of `total` units starting at `now`.
    pub fn new(total: f64, now: f64) -> Self {
        Progress { total, done: BTreeMap::new(), started: now }
    }

    /// `step` of a work's `steps` are done; the work is `units` in all.
    pub fn step(&mut self, id: WorkId, units: f64, step: usize, steps: usize) {
        let f = if steps == 0 { 1.0 } else { (step as f64 / steps as f64).min(1.0) };
        // Evaluations and measures come after the last step: keep a little back.
        self.done.insert(id, units * 0.98 * f);
    }

    /// A work finished (or failed: its units are no longer to come).
    pub fn finish(&mut self, id: WorkId, units: f64) {
        self.done.insert(id, units);
    }

    /// Fraction done, 0..=1.
    pub fn fraction(&self) -> f64 {
        if self.total <= 0.0 {
            return 0.0;
        }
        (self.done.values().sum::<f64>() / self.total).clamp(0.0, 1.0)
    }

    /// Seconds left, from the pace so far (none before 1% is done).
    pub fn eta_seconds(&self, now: f64) -> Option<f64> {
        let f = self.fraction();
        (f > 0.01 && f < 1.0).then(|| (now - self.started) / 1000.0 * (1.0 - f) / f)
    }
}

/// Seconds as `1h 05m`, `3m 07s` or `42s`.
pub fn fmt_duration(s: f64) -> String {
    let s = s.max(0.0).round() as u64;
    if s >= 3600 {
        format!("{}h {:02}m", s / 3600, (s % 3600) / 60)
    } else if s >= 60 {
        format!("{}m {:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fraction_and_eta() {
        let mut p = Progress::new(100.0, 0.0);
        assert_eq!(p.eta_seconds(10.0), None);
        p.step(0, 50.0, 10, 20);
        assert!((p.fraction() - 0.245).abs() < 1e-12);
        p.finish(0, 50.0);
        p.step(1, 50.0, 0, 20);
        assert_eq!(p.fraction(), 0.5);
        // Half done in 10 s: 10 s to go.
        assert_eq!(p.eta_seconds(10_000.0), Some(10.0));
        assert_eq!(fmt_duration(3725.0), "1h 02m");
        assert_eq!(fmt_duration(187.0), "3m 07s");
        assert_eq!(fmt_duration(-3.0), "0s");
    }
}
