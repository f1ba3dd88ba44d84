//! The job contract: how an experiment splits into work, in which order the
//! work runs, and what it costs. The CLI's threads and the page's workers
//! both take their work from a [`Plan`] and feed it the [`Event`]s the work
//! reports.
//!
//! Models that can share a graph train as one: a size's nets are pretrained
//! together (one per seed), and a net's RL runs (one per task) are
//! fine-tuned together from it. So an experiment is one pretraining work
//! per size and one RL work per net, each RL work waiting for its net.

use super::config::ExperimentConfig;
use super::event::Event;
use super::key::{ModelKey, NetKey};
use super::size::Size;
use crate::sequence::SuccessSet;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// A unit of work.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Work {
    /// Pretrain the nets of one size, one per seed, as one stack.
    Pretrain {
        /// The size.
        size: Size,
        /// The seeds.
        seeds: Vec<u64>,
    },
    /// Fine-tune one pretrained net on each task, as one stack, and
    /// measure every fine-tuned model.
    Rl {
        /// The net.
        net: NetKey,
        /// The tasks.
        tasks: Vec<SuccessSet>,
    },
}

impl Work {
    /// Steps the work reports ([`Event::Step`]'s total).
    pub fn steps(&self, c: &ExperimentConfig) -> usize {
        match self {
            Work::Pretrain { .. } => c.steps,
            Work::Rl { .. } => c.rl_steps,
        }
    }

    /// The models this work leads to (an RL work's own; a pretraining
    /// work's through the RL works that wait for it).
    pub fn models(&self, c: &ExperimentConfig) -> Vec<ModelKey> {
        match self {
            Work::Pretrain { size, seeds } => seeds
                .iter()
                .flat_map(|&seed| c.tasks.iter().map(move |&task| ModelKey { size: *size, seed, task }))
                .collect(),
            Work::Rl { net, tasks } => tasks.iter().map(|&t| net.on(t)).collect(),
        }
    }

    /// The work's cost in units of one forward pass of the smallest model
    /// over one window (a training pass counts three: forward, backward,
    /// update), weighted by each size's measured cost: what progress bars
    /// and run-time estimates count in.
    pub fn units(&self, c: &ExperimentConfig) -> f64 {
        match self {
            Work::Pretrain { size, seeds } => {
                let p = c;
                let evals = (p.steps / p.eval_every + 1) as f64 * 2.0 * p.eval_windows as f64;
                let train = p.steps as f64 * p.batch as f64 * 3.0;
                (train + evals) * seeds.len() as f64 * size.step_cost()
            }
            Work::Rl { net, tasks } => {
                let r = c;
                let sample = if r.sample_dropout { 3.0 } else { 4.0 };
                let maintenance = if r.maintenance_every == 0 {
                    0.0
                } else {
                    3.0 * r.maintenance_batch as f64 / r.maintenance_every as f64
                };
                let train = r.rl_steps as f64 * (r.rl_batch as f64 * sample + maintenance);
                let evals = (r.rl_steps / r.rl_eval_every + 1) as f64 * (c.eval_histories + c.eval_windows) as f64;
                // Every measure: the policy, the model as its own world (8
                // actions), the untrained and pretrained policies.
                let measure = 11.0 * c.eval_histories as f64;
                (train + evals + measure) * tasks.len() as f64 * net.size.step_cost()
            }
        }
    }
}

impl fmt::Display for Work {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Work::Pretrain { size, seeds } => {
                let s: Vec<String> = seeds.iter().map(|s| s.to_string()).collect();
                write!(f, "pretraining size {size}, seeds {}", s.join(", "))
            }
            Work::Rl { net, tasks } => {
                let t: Vec<String> = tasks.iter().map(|t| t.name()).collect();
                write!(f, "RL of {net} on {}", t.join(", "))
            }
        }
    }
}

/// Work handed out to run: which, what, and for RL the checkpoint of the
/// pretrained net it starts from.
#[derive(Clone, Debug, PartialEq)]
pub struct Handout {
    /// The work's index in its plan.
    pub id: WorkId,
    /// The work.
    pub work: Work,
    /// The pretrained net an RL work starts from (none for pretraining).
    pub pretrained: Option<Arc<Vec<u8>>>,
}

/// Index of a work in its plan.
pub type WorkId = usize;

/// How many members a stack may have, per size (in [`Size::ALL`] order):
/// for pretraining (seeds of one size) and for RL (tasks of one net). A
/// member computes exactly what it would alone, so widths change only the
/// speed, never the numbers; each engine has its own, chosen by measurement
/// (BENCHMARKS.md, "Stack widths").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Widths {
    /// Seeds per pretraining stack.
    pub pretrain: [usize; 4],
    /// Tasks per RL stack.
    pub rl: [usize; 4],
}

impl Widths {
    /// Everything of a size (or a net) in one stack.
    pub const WHOLE: Widths = Widths { pretrain: [usize::MAX; 4], rl: [usize::MAX; 4] };
    /// Natively a stack costs more per member than a model alone at every
    /// size (flex's kernels already fill the cores): stacks of one.
    pub const NATIVE: Widths = Widths { pretrain: [1; 4], rl: [1; 4] };
    /// In wasm the per-op cost dominates the small sizes, so they stack;
    /// at l and xl a stack costs more per member than a model alone.
    pub const WASM: Widths = Widths { pretrain: [5, 5, 1, 1], rl: [3, 3, 1, 1] };

    /// On a GPU one stack keeps the device busier than several small ones:
    /// every seed of a size pretrains as one stack, every task of a net
    /// fine-tunes as one.
    pub const GPU: Widths = Widths::WHOLE;

    /// The widths of the CPU engine this program runs on.
    pub fn here() -> Widths {
        if cfg!(target_arch = "wasm32") { Widths::WASM } else { Widths::NATIVE }
    }
}

/// Where a work is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Waiting for its pretrained net.
    Waiting,
    /// Can start.
    Ready,
    /// A thread or worker runs it.
    Running,
    /// Finished.
    Done,
    /// Failed (or lost its pretrained net).
    Failed,
}

/// The work of an experiment and where each piece is.
#[derive(Clone, Debug)]
pub struct Plan {
    config: ExperimentConfig,
    works: Vec<(Work, State)>,
    pretrained: BTreeMap<NetKey, Arc<Vec<u8>>>,
}

impl Plan {
    /// The work that produces the `wanted` models (in the config's order):
    /// RL works per net for its wanted tasks, and pretraining works per size
    /// for those nets, stacked at most `widths` wide.
    pub fn new(config: &ExperimentConfig, wanted: &[ModelKey], widths: Widths) -> Self {
        let mut works = Vec::new();
        let mut rl = Vec::new();
        for net in config.nets() {
            let tasks: Vec<SuccessSet> = config.tasks.iter().copied().filter(|t| wanted.contains(&net.on(*t))).collect();
            for chunk in tasks.chunks(widths.rl[net.size.index()].max(1)) {
                rl.push((Work::Rl { net, tasks: chunk.to_vec() }, State::Waiting));
            }
        }
        for &size in &config.sizes {
            let mut seeds: Vec<u64> = rl
                .iter()
                .filter_map(|(w, _)| match w {
                    Work::Rl { net, .. } if net.size == size => Some(net.seed),
                    _ => None,
                })
                .collect();
            seeds.dedup();
            for chunk in seeds.chunks(widths.pretrain[size.index()].max(1)) {
                works.push((Work::Pretrain { size, seeds: chunk.to_vec() }, State::Ready));
            }
        }
        works.extend(rl);
        Plan { config: config.clone(), works, pretrained: BTreeMap::new() }
    }

    /// The experiment.
    pub fn config(&self) -> &ExperimentConfig {
        &self.config
    }

    /// Every work with its state.
    pub fn works(&self) -> impl Iterator<Item = (WorkId, &Work, State)> {
        self.works.iter().enumerate().map(|(i, (w, s))| (i, w, *s))
    }

    /// A work.
    pub fn work(&self, id: WorkId) -> &Work {
        &self.works[id].0
    }

    /// The ready work with the most units, marked running. Running the
    /// largest first keeps the last work short.
    pub fn next(&mut self) -> Option<Handout> {
        let id = self
            .works
            .iter()
            .enumerate()
            .filter(|(_, (_, s))| *s == State::Ready)
            .max_by(|a, b| a.1.0.units(&self.config).total_cmp(&b.1.0.units(&self.config)).then(b.0.cmp(&a.0)))
            .map(|(i, _)| i)?;
        let work = self.works[id].0.clone();
        let pretrained = match &work {
            Work::Pretrain { .. } => None,
            Work::Rl { net, .. } => Some(self.pretrained.get(net)?.clone()),
        };
        self.works[id].1 = State::Running;
        Some(Handout { id, work, pretrained })
    }

    /// Takes in an event of a running work: a pretrained net readies the RL
    /// work that waits for it.
    pub fn on_event(&mut self, event: &Event) {
        if let Event::Pretrained { net, checkpoint } = event {
            self.pretrained.insert(*net, Arc::new(checkpoint.clone()));
            for (w, s) in &mut self.works {
                if matches!(w, Work::Rl { net: n, .. } if n == net) && *s == State::Waiting {
                    *s = State::Ready;
                }
            }
        }
    }

    /// Takes in a net pretrained earlier (its checkpoint, from a run with
    /// the same pretraining): the net is taken out of its size's
    /// pretraining work (a work left with no seed is done) and the RL work
    /// waiting for it is ready. Call before the run starts.
    pub fn supply(&mut self, net: NetKey, checkpoint: Vec<u8>) {
        for (w, s) in &mut self.works {
            if let Work::Pretrain { size, seeds } = w {
                if *size == net.size && *s == State::Ready && seeds.contains(&net.seed) {
                    seeds.retain(|&x| x != net.seed);
                    if seeds.is_empty() {
                        *s = State::Done;
                    }
                }
            }
        }
        self.on_event(&Event::Pretrained { net, checkpoint });
    }

    /// The nets the plan's pretraining works are still to pretrain.
    pub fn nets_to_pretrain(&self) -> Vec<NetKey> {
        self.works
            .iter()
            .filter(|(_, s)| *s != State::Done)
            .filter_map(|(w, _)| match w {
                Work::Pretrain { size, seeds } => Some(seeds.iter().map(|&seed| NetKey { size: *size, seed }).collect::<Vec<_>>()),
                _ => None,
            })
            .flatten()
            .collect()
    }

    /// A work finished. A pretraining work that did not deliver a net fails
    /// that net's RL work; the models lost that way are returned.
    pub fn finish(&mut self, id: WorkId) -> Vec<ModelKey> {
        self.works[id].1 = State::Done;
        match self.works[id].0.clone() {
            Work::Pretrain { size, seeds } => self.release(seeds.iter().map(|&seed| NetKey { size, seed }).collect()),
            Work::Rl { .. } => Vec::new(),
        }
    }

    /// A work failed: its models, and those of RL works still waiting for
    /// a net it was to pretrain, are lost (returned).
    pub fn fail(&mut self, id: WorkId) -> Vec<ModelKey> {
        self.works[id].1 = State::Failed;
        match self.works[id].0.clone() {
            Work::Pretrain { size, seeds } => self.release(seeds.iter().map(|&seed| NetKey { size, seed }).collect()),
            w @ Work::Rl { .. } => w.models(&self.config),
        }
    }

    /// Fails the RL works still waiting for one of `nets`.
    fn release(&mut self, nets: Vec<NetKey>) -> Vec<ModelKey> {
        let mut lost = Vec::new();
        for (w, s) in &mut self.works {
            if let Work::Rl { net, .. } = w {
                if nets.contains(net) && *s == State::Waiting {
                    *s = State::Failed;
                    lost.extend(w.models(&self.config));
                }
            }
        }
        lost
    }

    /// Whether nothing is left to run or running.
    pub fn is_finished(&self) -> bool {
        self.works.iter().all(|(_, s)| matches!(s, State::Done | State::Failed))
    }

    /// Units of a work.
    pub fn units(&self, id: WorkId) -> f64 {
        self.works[id].0.units(&self.config)
    }

    /// Units of the whole plan.
    pub fn total_units(&self) -> f64 {
        self.works.iter().map(|(w, _)| w.units(&self.config)).sum()
    }

    /// How many works could run side by side at most at the start (for
    /// run-time estimates): the pretraining works.
    pub fn width(&self) -> usize {
        self.works.iter().filter(|(w, _)| matches!(w, Work::Pretrain { .. })).count().max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::preset::Preset;

    fn pretrained(net: NetKey) -> Event {
        Event::Pretrained { net, checkpoint: vec![1, 2, 3] }
    }

    #[test]
    fn the_paper_is_one_pretraining_per_size_and_one_rl_per_net() {
        let c = ExperimentConfig::preset(Preset::Paper);
        let mut plan = Plan::new(&c, &c.models(), Widths::WHOLE);
        assert_eq!(plan.works().count(), 4 + 20);
        // The largest pretraining first; RL waits for its net.
        let h = plan.next().unwrap();
        assert_eq!((h.work.clone(), h.pretrained), (Work::Pretrain { size: Size::Xl, seeds: (0..5).collect() }, None));
        let mut started = vec![h.id];
        while let Some(h) = plan.next() {
            assert!(matches!(h.work, Work::Pretrain { .. }));
            started.push(h.id);
        }
        assert_eq!(started.len(), 4);
        let s0 = NetKey { size: Size::S, seed: 0 };
        plan.on_event(&pretrained(s0));
        let h = plan.next().unwrap();
        let rl = h.id;
        match (h.work, h.pretrained) {
            (Work::Rl { net, tasks }, Some(pretrained)) => {
                assert_eq!((net, tasks.len(), pretrained.as_slice()), (s0, 3, &[1u8, 2, 3][..]));
            }
            other => panic!("{other:?}"),
        }
        assert!(plan.next().is_none());
        plan.finish(rl);
        // The s pretraining finishes having delivered only seed 0: the
        // other seeds' RL works are lost.
        let s_pretrain = started.iter().copied().find(|&i| matches!(plan.work(i), Work::Pretrain { size: Size::S, .. })).unwrap();
        let lost = plan.finish(s_pretrain);
        assert_eq!(lost.len(), 4 * 3);
        assert!(!plan.is_finished());
        // A failed pretraining loses every model of its nets.
        let xl = started[0];
        assert_eq!(plan.fail(xl).len(), 15);
    }

    #[test]
    fn resuming_plans_only_what_is_missing() {
        let c = ExperimentConfig::preset(Preset::Cross);
        let wanted: Vec<ModelKey> = c.models().into_iter().filter(|k| k.seed == 1 && k.task != SuccessSet::N2).collect();
        let plan = Plan::new(&c, &wanted, Widths::WHOLE);
        let works: Vec<Work> = plan.works().map(|(_, w, _)| w.clone()).collect();
        assert_eq!(
            works,
            vec![
                Work::Pretrain { size: Size::S, seeds: vec![1] },
                Work::Pretrain { size: Size::M, seeds: vec![1] },
                Work::Rl { net: NetKey { size: Size::S, seed: 1 }, tasks: vec![SuccessSet::N4, SuccessSet::N6] },
                Work::Rl { net: NetKey { size: Size::M, seed: 1 }, tasks: vec![SuccessSet::N4, SuccessSet::N6] },
            ]
        );
        assert!(Plan::new(&c, &[], Widths::WHOLE).is_finished());
    }

    #[test]
    fn supplied_nets_are_not_pretrained_again() {
        let c = ExperimentConfig::preset(Preset::Cross);
        let mut plan = Plan::new(&c, &c.models(), Widths::WHOLE);
        let s0 = NetKey { size: Size::S, seed: 0 };
        let s1 = NetKey { size: Size::S, seed: 1 };
        plan.supply(s0, vec![7]);
        assert_eq!(plan.nets_to_pretrain().len(), 3);
        // s seed 0's RL is ready at once, with the supplied checkpoint.
        let handed: Vec<Handout> = std::iter::from_fn(|| plan.next()).collect();
        assert!(handed.iter().any(|h| matches!(&h.work, Work::Rl { net, .. } if *net == s0) && h.pretrained.as_deref() == Some(&vec![7])));
        assert!(handed.iter().any(|h| h.work == Work::Pretrain { size: Size::S, seeds: vec![1] }), "{handed:?}");
        // Supplying every net of a size leaves no pretraining for it.
        let mut plan = Plan::new(&c, &c.models(), Widths::WHOLE);
        plan.supply(s0, vec![1]);
        plan.supply(s1, vec![2]);
        assert!(plan.nets_to_pretrain().iter().all(|n| n.size == Size::M));
        let pretraining: Vec<Work> = std::iter::from_fn(|| plan.next()).map(|h| h.work).filter(|w| matches!(w, Work::Pretrain { .. })).collect();
        assert_eq!(pretraining, vec![Work::Pretrain { size: Size::M, seeds: vec![0, 1] }]);
    }

    #[test]
    fn narrow_stacks_split_the_work_not_the_models() {
        let c = ExperimentConfig::preset(Preset::Paper);
        let whole = Plan::new(&c, &c.models(), Widths::WHOLE);
        for widths in [Widths::NATIVE, Widths::WASM] {
            let plan = Plan::new(&c, &c.models(), widths);
            let mut models: Vec<ModelKey> = plan.works().filter(|(_, w, _)| matches!(w, Work::Rl { .. })).flat_map(|(_, w, _)| w.models(&c)).collect();
            models.sort();
            let mut all = c.models();
            all.sort();
            assert_eq!(models, all, "every model once");
            for (_, w, _) in plan.works() {
                let (size, n) = match w {
                    Work::Pretrain { size, seeds } => (*size, seeds.len().min(widths.pretrain[size.index()])),
                    Work::Rl { net, tasks } => (net.size, tasks.len().min(widths.rl[net.size.index()])),
                };
                let cap = match w {
                    Work::Pretrain { .. } => widths.pretrain[size.index()],
                    Work::Rl { .. } => widths.rl[size.index()],
                };
                assert!(n <= cap);
            }
            // The same work in all, in more pieces.
            assert!((plan.total_units() - whole.total_units()).abs() < 1e-6 * whole.total_units());
        }
        let native = Plan::new(&c, &c.models(), Widths::NATIVE);
        assert_eq!(native.works().count(), 20 + 60);
        let wasm = Plan::new(&c, &c.models(), Widths::WASM);
        assert_eq!(wasm.works().count(), (1 + 1 + 5 + 5) + (5 + 5 + 15 + 15));
        // A net's RL works all wait for it, and start together when it arrives.
        let mut plan = Plan::new(&c, &c.models(), Widths::NATIVE);
        let xl0 = NetKey { size: Size::Xl, seed: 0 };
        plan.on_event(&pretrained(xl0));
        let ready: Vec<Handout> = std::iter::from_fn(|| plan.next()).filter(|h| matches!(h.work, Work::Rl { .. })).collect();
        assert_eq!(ready.len(), 3);
    }

    #[test]
    fn units_count_every_pass() {
        let c = ExperimentConfig::preset(Preset::Quick);
        let pre = Work::Pretrain { size: Size::S, seeds: vec![0] }.units(&c);
        // 1000 steps x 64 windows x 3 passes, and 11 evaluations of 2 x 500 windows.
        assert_eq!(pre, 1000.0 * 64.0 * 3.0 + 11.0 * 1000.0);
        let mut big = c.clone();
        big.batch = 1024;
        big.eval_every = 1;
        big.eval_windows = 20_000;
        let big_units = Work::Pretrain { size: Size::S, seeds: vec![0] }.units(&big);
        assert!(big_units > 200.0 * pre, "{big_units} vs {pre}");
    }
}
