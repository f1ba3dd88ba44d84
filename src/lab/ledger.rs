//! Where a run's time goes in the tab: every worker's time, from the run's
//! start to its end, is training (a work's steps, with its curve's
//! evaluations), measuring (after a work's models are trained: the exact
//! estimators, comparison futures and Monte Carlo on the evaluation
//! histories) or idle (no work ready for it, e.g. the last xl stack running
//! on the other worker). The shares say what finer work units or cheaper
//! measures could save (BENCHMARKS.md, "Where the time goes").

/// What a worker is doing, as far as the run's time is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Running a work's steps.
    Training,
    /// Measuring the models a work trained.
    Measuring,
    /// Waiting for work (or doing something that is not the run's).
    Idle,
}

impl Phase {
    const ALL: [Phase; 3] = [Phase::Training, Phase::Measuring, Phase::Idle];

    fn index(self) -> usize {
        match self {
            Phase::Training => 0,
            Phase::Measuring => 1,
            Phase::Idle => 2,
        }
    }

    /// The phase's name in the page.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Training => "training",
            Phase::Measuring => "measuring",
            Phase::Idle => "idle",
        }
    }
}

/// Worker-milliseconds per phase of one run.
#[derive(Clone, Debug, PartialEq)]
pub struct Ledger {
    /// Each worker's phase and since when (ms).
    clocks: Vec<(Phase, f64)>,
    /// Worker-milliseconds spent, per [`Phase`] (in `Phase::ALL` order).
    spent: [f64; 3],
    /// Whether the run ended: nothing is counted after.
    closed: bool,
}

impl Ledger {
    /// A run starting at `now` with `workers` workers, all idle.
    pub fn new(workers: usize, now: f64) -> Self {
        Ledger { clocks: vec![(Phase::Idle, now); workers], spent: [0.0; 3], closed: false }
    }

    /// Worker `i` enters `phase` at `now` (a worker the run did not start
    /// with joins it idle from `now`).
    pub fn enter(&mut self, i: usize, phase: Phase, now: f64) {
        if self.closed {
            return;
        }
        while self.clocks.len() <= i {
            self.clocks.push((Phase::Idle, now));
        }
        let (was, since) = self.clocks[i];
        self.spent[was.index()] += (now - since).max(0.0);
        self.clocks[i] = (phase, now.max(since));
    }

    /// The run ended at `now`: every worker's open span is counted.
    pub fn close(&mut self, now: f64) {
        for i in 0..self.clocks.len() {
            self.enter(i, Phase::Idle, now);
        }
        self.closed = true;
    }

    /// Worker-milliseconds in `phase` so far (closed spans only).
    pub fn spent(&self, phase: Phase) -> f64 {
        self.spent[phase.index()]
    }

    /// Each phase's share of all worker time counted, or `None` before any is.
    pub fn shares(&self) -> Option<[(Phase, f64); 3]> {
        let total: f64 = self.spent.iter().sum();
        (total > 0.0).then(|| Phase::ALL.map(|p| (p, self.spent(p) / total)))
    }

    /// "training 71%, measuring 14%, idle 15% of the workers' time".
    pub fn describe(&self) -> Option<String> {
        let shares = self.shares()?;
        let parts: Vec<String> = shares.iter().map(|(p, s)| format!("{} {:.0}%", p.name(), 100.0 * s)).collect();
        Some(format!("{} of the workers' time", parts.join(", ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_workers_time_is_counted_once() {
        // Two workers over a 10 s run: worker 0 trains 0-6 s and measures
        // 6-8 s, then idles; worker 1 idles 0-1 s, trains 1-10 s.
        let mut l = Ledger::new(2, 0.0);
        l.enter(1, Phase::Training, 1_000.0);
        l.enter(0, Phase::Training, 0.0);
        l.enter(0, Phase::Measuring, 6_000.0);
        l.enter(0, Phase::Idle, 8_000.0);
        l.close(10_000.0);
        assert_eq!(l.spent(Phase::Training), 15_000.0);
        assert_eq!(l.spent(Phase::Measuring), 2_000.0);
        assert_eq!(l.spent(Phase::Idle), 3_000.0);
        let total: f64 = Phase::ALL.iter().map(|p| l.spent(*p)).sum();
        assert_eq!(total, 2.0 * 10_000.0, "two workers' whole run");
        assert_eq!(l.describe().unwrap(), "training 75%, measuring 10%, idle 15% of the workers' time");
        // Nothing is counted after the run ended.
        l.enter(0, Phase::Training, 20_000.0);
        l.close(30_000.0);
        assert_eq!(l.spent(Phase::Idle), 3_000.0);
    }

    #[test]
    fn a_restarted_worker_joins_idle_and_nothing_is_counted_before_any_span() {
        let mut l = Ledger::new(1, 0.0);
        assert_eq!(l.shares(), None);
        l.enter(2, Phase::Training, 4_000.0);
        l.close(5_000.0);
        // Worker 0 idle 5 s, worker 1 (never used) idle from 4 s, worker 2 trained 1 s.
        assert_eq!(l.spent(Phase::Training), 1_000.0);
        assert_eq!(l.spent(Phase::Idle), 6_000.0);
    }
}
