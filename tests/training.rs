//! The models learn, stacks train exactly as their members would alone,
//! and a study's work reports everything the study plots.
#![cfg(not(target_arch = "wasm32"))]

use opimp::experiment::{self, checkpoints};
use opimp::measure::{self, OutcomeModel, SequenceRule};
use opimp::model::{Stack, cpu_device};
use opimp::sequence::SuccessSet;
use opimp::study::config::ExperimentConfig;
use opimp::study::data::{Data, Draws, random_windows};
use opimp::study::event::Event;
use opimp::study::jobs::{Plan, Widths, Work};
use opimp::study::key::NetKey;
use opimp::study::preset::Preset;
use opimp::study::results::Results;
use opimp::study::size::Size;
use opimp::train::network::{RecordedPolicy, predicted_outcomes};
use opimp::train::{Trainer, evaluate, policy_actions};
use pollster::block_on;

fn small_data() -> Data {
    let mut cfg = ExperimentConfig::base();
    (cfg.eval_windows, cfg.train_tokens, cfg.test_tokens, cfg.eval_histories, cfg.data_seed) = (400, 50_000, 10_000, 400, 11);
    cfg.data_of(0)
}

fn success(stack: &Stack, data: &Data, g: SuccessSet) -> f64 {
    let device = cpu_device();
    let actions = block_on(policy_actions(stack, &data.histories, &device)).swap_remove(0);
    let table = measure::Table::new(&data.histories, actions, &SequenceRule { eps: 0.02 });
    g.mass(&table.optimized_future())
}

#[test]
fn pretraining_lowers_loss_and_beats_chance() {
    let device = cpu_device();
    let data = small_data();
    let mut t = Trainer::new(&Size::S.shape(), &[3], &[30], 0.01, &device);
    let (loss0, _) = block_on(evaluate(&t.stack(), &data.test_eval, &device))[0];
    for _ in 0..250 {
        t.pretrain_step(&[data.train.as_slice()], 64, 1e-3);
    }
    let (loss1, acc1) = block_on(evaluate(&t.stack(), &data.test_eval, &device))[0];
    assert!(loss1 < loss0 - 0.5, "loss {loss0} -> {loss1}");
    // Chance is 1/16 over all tokens (1/8 once parity is known).
    assert!(acc1 > 0.2, "accuracy {acc1}");
}

#[test]
fn rl_raises_success() {
    let device = cpu_device();
    let data = small_data();
    let g = SuccessSet::N2;
    let mut t = Trainer::new(&Size::S.shape(), &[4], &[40], 0.01, &device);
    for _ in 0..600 {
        t.pretrain_step(&[data.train.as_slice()], 64, 1e-3);
    }
    let before = success(&t.stack(), &data, g);
    let mut rl = Trainer::from_stack(t.stack(), &[5], 0.01, &device);
    for _ in 0..300 {
        block_on(rl.rl_step(&data.train, &[g], 64, 3e-4, 0.02, true, true));
        let windows = vec![random_windows(&data.train, 64, Some(0), rl.rng(0))];
        rl.maintenance_step(&windows, 1e-4);
    }
    let after = success(&rl.stack(), &data, g);
    assert!(after > before + 0.05, "success {before} -> {after}");
}

/// A few pretraining, RL and maintenance steps of a stack, and of each
/// member alone with the same seeds: the same weights, bit for bit.
#[test]
fn a_stacked_member_trains_exactly_as_it_would_alone() {
    let device = cpu_device();
    let data = small_data();
    let shape = Size::S.shape();
    let (init, seeds) = ([7u64, 8, 9], [70u64, 80, 90]);
    let tasks = [SuccessSet::N2, SuccessSet::N4, SuccessSet::N6];
    // Each member learns from its own sequence (its own draw, as a seed does).
    let sequences: Vec<Vec<u8>> = (0..3).map(|i| opimp::sequence::generate(5_000, 100 + i, 0.02)).collect();
    // Both reductions of the RL loss: over the batch (one divisor for the
    // stack) and over each member's successes (one divisor per member).
    let train = |init: &[u64], seeds: &[u64], tasks: &[SuccessSet], dropout_sampling: bool, over_successes: bool| {
        let mut t = Trainer::new(&shape, init, seeds, 0.01, &device);
        let first = seeds.iter().map(|s| [70u64, 80, 90].iter().position(|x| x == s).unwrap()).collect::<Vec<_>>();
        let seqs: Vec<&[u8]> = first.iter().map(|&i| sequences[i].as_slice()).collect();
        for _ in 0..3 {
            t.pretrain_step(&seqs, 16, 1e-3);
        }
        for _ in 0..3 {
            let out = block_on(t.rl_step(&data.train, tasks, 16, 1e-3, 0.02, dropout_sampling, over_successes));
            let windows: Vec<Vec<_>> = out.rollouts.iter().map(|rs| rs.iter().map(|r| r.window()).collect()).collect();
            t.maintenance_step(&windows, 1e-4);
        }
        block_on(t.stack().weights())
    };
    for (dropout_sampling, over_successes) in [(true, false), (false, false), (true, true)] {
        let together = train(&init, &seeds, &tasks, dropout_sampling, over_successes);
        for i in 0..3 {
            let alone = train(&init[i..=i], &seeds[i..=i], &tasks[i..=i], dropout_sampling, over_successes);
            assert_eq!(alone[0], together[i], "member {i} (sampling with dropout: {dropout_sampling}, mean over successes: {over_successes})");
        }
    }
}

#[test]
fn same_seed_same_weights() {
    let device = cpu_device();
    let data = small_data();
    let run = |seed: u64| {
        let mut t = Trainer::new(&Size::S.shape(), &[seed], &[seed], 0.01, &device);
        for _ in 0..10 {
            t.pretrain_step(&[data.train.as_slice()], 32, 1e-3);
            block_on(t.rl_step(&data.train, &[SuccessSet::N4], 32, 1e-3, 0.02, true, false));
        }
        block_on(t.stack().logits(&data.histories[..8], &device))
    };
    assert_eq!(run(9), run(9));
    assert_ne!(run(9), run(10));
}

#[test]
fn the_network_plugs_into_the_estimators() {
    let device = cpu_device();
    let data = small_data();
    let model = Stack::init(&Size::S.shape(), &[1], &device);
    let actions = block_on(policy_actions(&model, &data.histories, &device)).swap_remove(0);
    let policy = RecordedPolicy(actions.clone());
    assert!(actions.iter().all(|a| (8..16).contains(a)));
    let g = SuccessSet::N4;
    let m = measure::split_history(&data.histories, &policy, &SequenceRule { eps: 0.02 }, g);
    assert!(m.imp >= m.imp_min - 1e-12 && m.op <= 8f64.ln());
    // Self-evaluation: the network's own outcome predictions are
    // distributions over 0..7.
    let world = block_on(predicted_outcomes(&model, &data.histories, &(8..16).collect::<Vec<u8>>(), &device));
    for d in world.distributions(&data.histories, 11).iter().take(20) {
        assert!((d.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        assert!(d.iter().all(|&p| p > 0.0));
    }
    let s = measure::split_history(&data.histories, &policy, &world, g);
    assert!(s.imp >= s.imp_min - 1e-12);
}

pub fn tiny_config() -> ExperimentConfig {
    let mut c = ExperimentConfig::preset(Preset::Quick);
    c.seeds = vec![0, 1];
    c.steps = 30;
    c.eval_every = 10;
    c.eval_windows = 100;
    c.train_tokens = 20_000;
    c.test_tokens = 5_000;
    c.rl_steps = 20;
    c.rl_eval_every = 10;
    c.maintenance_every = 2;
    c.maintenance_rollouts = 0.5;
    c.eval_histories = 200;
    c.tasks = vec![SuccessSet::N2, SuccessSet::N4];
    c
}

/// Runs a plan in order on this thread, collecting every event.
fn run_all(config: &ExperimentConfig, data: &Draws) -> Vec<Event> {
    let device = cpu_device();
    let mut plan = Plan::new(config, &config.models(), Widths::here());
    let mut events = Vec::new();
    while let Some(h) = plan.next() {
        let mut mine = Vec::new();
        block_on(experiment::run(config, data, &h.work, h.pretrained.as_deref().map(|p| p.as_slice()), &device, &mut |e| {
            mine.push(e);
            true
        }))
        .unwrap();
        for e in &mine {
            plan.on_event(e);
        }
        assert!(plan.finish(h.id).is_empty());
        events.extend(mine);
    }
    assert!(plan.is_finished());
    events
}

#[test]
fn a_study_reports_everything_it_plots() {
    let config = tiny_config();
    config.check().unwrap();
    let data = Draws::new(&config);
    let events = run_all(&config, &data);
    let mut results = Results::new(config.clone());
    let mut steps = 0;
    let mut checkpoints = Vec::new();
    for e in &events {
        match e {
            Event::Step { .. } => steps += 1,
            Event::PretrainPoint { net, point } => results.curves.push_pretrain(*net, point.clone()),
            Event::RlPoint { key, point } => results.curves.push_rl(*key, point.clone()),
            Event::Trained { key, checkpoint } => checkpoints.push((*key, checkpoint.clone())),
            Event::Model(m) => results.add(vec![*m.clone()]),
            Event::Pretrained { .. } => {}
        }
    }
    // The steps of every work: the pretraining stacks of the 2 seeds, then
    // each net's RL stacks of its 2 tasks (natively every model its own).
    let widths = Widths::here();
    let pretrain_stacks = 2usize.div_ceil(widths.pretrain[Size::S.index()]);
    let rl_stacks = 2 * 2usize.div_ceil(widths.rl[Size::S.index()]);
    assert_eq!(steps, pretrain_stacks * config.steps + rl_stacks * config.rl_steps);
    assert_eq!(results.models.len(), 4);
    results.validate().unwrap();
    for m in &results.models {
        assert_eq!(m.params, 18_832);
        assert_eq!(m.scores.len(), 3); // n2, n4, n6
        assert!(m.imp >= m.own().imp_min - 1e-12);
        assert!(m.self_op.is_finite() && m.self_imp >= 0.0);
        assert!(m.comparisons.random.imp >= 0.0);
        let mc = m.monte_carlo.unwrap();
        assert_eq!((mc.samples, mc.repeats), (200, 10));
        assert_eq!(results.curves.model(m.key).unwrap().points.len(), 3); // steps 0, 10, 20
    }
    assert_eq!(results.curves.net(NetKey { size: Size::S, seed: 1 }).unwrap().points.len(), 4); // 0, 10, 20, 30
    // A checkpoint measured again (as the page does with a model the CLI
    // saved) gives exactly the numbers of the run.
    let device = cpu_device();
    for (key, ck) in &checkpoints {
        let again = block_on(checkpoints::measure_checkpoint(&config, ck, &data, &device)).unwrap();
        assert_eq!(&again, results.model(*key).unwrap());
    }
    let err = block_on(checkpoints::measure_checkpoint(&config, b"OPIMPCK3junk", &data, &device)).unwrap_err();
    assert!(err.contains("checkpoint"), "{err}");
    // Same config, same numbers; one seed alone gives that seed's numbers.
    assert_eq!(run_all(&config, &data), events);
    let mut alone = config.clone();
    alone.seeds = vec![1];
    alone.tasks = vec![SuccessSet::N4];
    let model = run_all(&alone, &Draws::new(&alone)).into_iter().find_map(|e| match e {
        Event::Model(m) => Some(*m),
        _ => None,
    });
    // Every number of the model equals its twin's inside the larger
    // stacks (both are scored under the study's three tasks).
    let expected = results.model(opimp::study::key::ModelKey { size: Size::S, seed: 1, task: SuccessSet::N4 }).unwrap();
    assert_eq!(&model.unwrap(), expected);
    // Cancelling stops early.
    let mut n = 0;
    let work = Work::Pretrain { size: Size::S, seeds: vec![0] };
    let r = block_on(experiment::run(&config, &data, &work, None, &device, &mut |_| {
        n += 1;
        n < 5
    }));
    assert_eq!(r, Err(experiment::Stopped::Cancelled));
    // An RL work whose pretrained net is not a checkpoint fails, saying so.
    let bad = Work::Rl { net: NetKey { size: Size::S, seed: 0 }, tasks: vec![SuccessSet::N4] };
    match block_on(experiment::run(&config, &data, &bad, Some(b"junk"), &device, &mut |_| true)) {
        Err(experiment::Stopped::Failed(m)) => assert!(m.contains("checkpoint"), "{m}"),
        other => panic!("{other:?}"),
    }
}
