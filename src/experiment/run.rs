//! Running one work of the job contract ([`crate::study::jobs`]):
//! pretraining a size's nets as one stack, or fine-tuning one net on its
//! tasks as one stack and measuring each fine-tuned model. Everything the
//! work does is reported as [`Event`]s; the caller's `on` returns false to
//! stop it.

use super::checkpoints::{self, init_seed};
use super::measure::{measure_model, success_under};
use crate::measure::{SequenceRule, Table};
use crate::model::Stack;
use crate::rng::derive_seed;
use crate::sequence::SuccessSet;
use crate::study::config::ExperimentConfig;
use crate::study::curves::{PretrainPoint, RlPoint};
use crate::study::data::{Data, Draws, Window, random_windows};
use crate::study::event::Event;
use crate::study::jobs::Work;
use crate::study::key::NetKey;
use crate::study::size::Size;
use crate::sequence;
use crate::train::network::scored_each;
use crate::train::{Rollout, Trainer, draw_outcome, evaluate, evaluate_each, greedy_action, policy_logits, sample_action};
use burn::tensor::Device;

/// Why a work stopped before its end.
#[derive(Clone, Debug, PartialEq)]
pub enum Stopped {
    /// The caller asked it to stop.
    Cancelled,
    /// Something it was given was wrong.
    Failed(String),
}

/// Runs one work, reporting through `on` (false stops it). Each net learns
/// from its seed's draw in `draws`. An RL work starts from `pretrained`,
/// its net's checkpoint.
pub async fn run(
    config: &ExperimentConfig,
    draws: &Draws,
    work: &Work,
    pretrained: Option<&[u8]>,
    device: &Device,
    on: &mut dyn FnMut(Event) -> bool,
) -> Result<(), Stopped> {
    match (work, pretrained) {
        (Work::Pretrain { size, seeds }, _) => {
            let data: Vec<_> = seeds.iter().map(|&s| draws.of(s)).collect();
            let data: Vec<&Data> = data.iter().map(|d| d.as_ref()).collect();
            pretrain(config, &data, *size, seeds, device, on).await
        }
        (Work::Rl { net, tasks }, Some(p)) => rl(config, &draws.of(net.seed), *net, tasks, p, device, on).await,
        (Work::Rl { net, .. }, None) => Err(Stopped::Failed(format!("the RL work of {net} was given no pretrained net"))),
    }
}

fn go(ok: bool) -> Result<(), Stopped> {
    if ok { Ok(()) } else { Err(Stopped::Cancelled) }
}

/// Pretraining curves' points of every member of `stack`, member i on its
/// own draw `data[i]`'s evaluation windows.
async fn pretrain_points(step: usize, stack: &Stack, data: &[&Data], device: &Device) -> Vec<PretrainPoint> {
    let each = |pick: fn(&Data) -> &Vec<Window>| data.iter().map(|d| pick(d).clone()).collect::<Vec<_>>();
    let train = evaluate_each(stack, &each(|d| &d.train_eval), device).await;
    let test = evaluate_each(stack, &each(|d| &d.test_eval), device).await;
    train
        .into_iter()
        .zip(test)
        .map(|((train_loss, train_acc), (test_loss, test_acc))| PretrainPoint { step, train_loss, train_acc, test_loss, test_acc })
        .collect()
}

/// Reports the pretraining curves' points of every net at `step`.
async fn report_pretrain(step: usize, nets: &[NetKey], t: &Trainer, data: &[&Data], device: &Device, on: &mut dyn FnMut(Event) -> bool) -> Result<(), Stopped> {
    for (net, point) in nets.iter().zip(pretrain_points(step, &t.stack(), data, device).await) {
        go(on(Event::PretrainPoint { net: *net, point }))?;
    }
    Ok(())
}

/// Steps between reads of the pretraining loss (a progress figure only).
const LOSS_EVERY: usize = 10;

/// Pretrains the nets of `size` for `seeds`, seed i learning from its own
/// draw `data[i]`.
async fn pretrain(config: &ExperimentConfig, data: &[&Data], size: Size, seeds: &[u64], device: &Device, on: &mut dyn FnMut(Event) -> bool) -> Result<(), Stopped> {
    let nets: Vec<NetKey> = seeds.iter().map(|&seed| NetKey { size, seed }).collect();
    let init: Vec<u64> = nets.iter().map(|&n| init_seed(config, n)).collect();
    let train: Vec<u64> = nets.iter().map(|&n| derive_seed(config.model_seed(n), 11)).collect();
    let sequences: Vec<&[u8]> = data.iter().map(|d| d.train.as_slice()).collect();
    let p = config;
    let mut t = Trainer::new(&config.shape(size), &init, &train, p.weight_decay, device);
    report_pretrain(0, &nets, &t, data, device, on).await?;
    let mut value = f64::NAN;
    for step in 1..=p.steps {
        let losses = t.pretrain_step(&sequences, p.batch, p.lr);
        // The loss is read (a GPU waits for it) only every few steps.
        if step % LOSS_EVERY == 0 || step == 1 || step == p.steps {
            let l = losses.read().await;
            value = l.iter().sum::<f64>() / l.len() as f64;
        }
        let ok = on(Event::Step { step, total: p.steps, value });
        if step % p.eval_every == 0 || step == p.steps {
            report_pretrain(step, &nets, &t, data, device, on).await?;
        }
        go(ok)?;
    }
    for (net, weights) in nets.iter().zip(t.stack().weights().await) {
        let checkpoint = checkpoints::pretrained(config, *net, &weights).map_err(Stopped::Failed)?;
        go(on(Event::Pretrained { net: *net, checkpoint }))?;
    }
    Ok(())
}

/// The windows of one maintenance step of one member: a share from its
/// rollouts since the last step (the history and sampled action, the
/// outcome the rule drew), the rest from the pretraining sequence.
fn maintenance_windows(config: &ExperimentConfig, data: &Data, rollouts: &[Rollout], rng: &mut crate::rng::Rng) -> Vec<Window> {
    let r = config;
    let from_rollouts = if rollouts.is_empty() { 0 } else { (r.maintenance_batch as f64 * r.maintenance_rollouts).round() as usize };
    let mut out: Vec<Window> = (0..from_rollouts).map(|_| rollouts[rng.below(rollouts.len() as u64) as usize].window()).collect();
    out.extend(random_windows(&data.train, r.maintenance_batch - from_rollouts, Some(0), rng));
    out
}

/// The held-out rollouts of each member: on the evaluation histories, the
/// action sampled from the member's `logits` at temperature 1 and the
/// outcome the rule draws, from `seeds[i]` (the same numbers at every
/// evaluation, so the curve moves only with the model).
fn held_out_rollouts(logits: &[Vec<[f32; 16]>], histories: &[Vec<u8>], eps: f64, seeds: &[u64]) -> Vec<Vec<Rollout>> {
    logits
        .iter()
        .zip(seeds)
        .map(|(member, &seed)| {
            let mut rng = crate::rng::Rng::new(seed);
            member
                .iter()
                .zip(histories)
                .map(|(l, h)| {
                    let a = sample_action(l, &mut rng);
                    let x = draw_outcome(h, a, eps, &mut rng);
                    Rollout { history: h.clone(), action: a, outcome: x }
                })
                .collect()
        })
        .collect()
}

/// Whether a rollout's action is the sequence's own: the action the rule
/// gives after its history (what pretraining almost always showed).
fn own_action(r: &Rollout) -> bool {
    let h = &r.history;
    sequence::base(&h[h.len() - sequence::RULE_SPAN..]) + sequence::FIRST_ACTION == r.action
}

/// Accuracy on all rollouts, on those whose action is the sequence's own,
/// and on the rest (None where there are none).
fn rollout_accuracies(rollouts: &[Rollout], scored: &[(f64, bool)]) -> (f64, Option<f64>, Option<f64>) {
    let share = |own: bool| {
        let picked: Vec<bool> = rollouts.iter().zip(scored).filter(|(r, _)| own_action(r) == own).map(|(_, s)| s.1).collect();
        (!picked.is_empty()).then(|| picked.iter().filter(|&&c| c).count() as f64 / picked.len() as f64)
    };
    let all = scored.iter().filter(|s| s.1).count() as f64 / scored.len().max(1) as f64;
    (all, share(true), share(false))
}

/// Each member's RL curve point: its success (temperature 0, exact) under
/// its task, and its outcome accuracy on the held-out sequence's windows and
/// on held-out rollout windows.
async fn rl_points(config: &ExperimentConfig, data: &Data, step: usize, stack: &Stack, tasks: &[SuccessSet], seeds: &[u64], device: &Device) -> Vec<RlPoint> {
    let rule = SequenceRule { eps: config.eps };
    let logits = policy_logits(stack, &data.histories, device).await;
    let natural = evaluate(stack, &data.test_outcome_eval, device).await;
    let eval_seeds: Vec<u64> = seeds.iter().map(|&s| derive_seed(s, ROLLOUT_EVAL_STREAM)).collect();
    let rollouts = held_out_rollouts(&logits, &data.histories, config.eps, &eval_seeds);
    let windows: Vec<Vec<Window>> = rollouts.iter().map(|rs| rs.iter().map(Rollout::window).collect()).collect();
    let scored = scored_each(stack, &windows, device).await;
    tasks
        .iter()
        .zip(&logits)
        .zip(natural.into_iter().zip(rollouts.iter().zip(&scored)))
        .map(|((&task, member), ((_, outcome_acc), (rs, sc)))| {
            let actions: Vec<u8> = member.iter().map(greedy_action).collect();
            let f = Table::new(&data.histories, actions, &rule).optimized_future();
            let (rollout_acc, own, other) = rollout_accuracies(rs, sc);
            RlPoint { step, success: task.mass(&f), outcome_acc, rollout_acc: Some(rollout_acc), rollout_own_acc: own, rollout_other_acc: other }
        })
        .collect()
}

/// The stream of an RL run's seed that its held-out rollout windows draw from.
const ROLLOUT_EVAL_STREAM: u64 = 0x524F_4C4C;

#[allow(clippy::too_many_arguments)]
async fn rl(
    config: &ExperimentConfig,
    data: &Data,
    net: NetKey,
    tasks: &[SuccessSet],
    pretrained: &[u8],
    device: &Device,
    on: &mut dyn FnMut(Event) -> bool,
) -> Result<(), Stopped> {
    let shape = config.shape(net.size);
    let start = checkpoints::read_pretrained(config, net, pretrained).map_err(Stopped::Failed)?;
    let pretrained_net = Stack::from_members(&shape, &[&start], device);
    let untrained = Stack::init(&shape, &[init_seed(config, net)], device);
    let r = config;
    let k = tasks.len();
    let pretrained_success = success_under(config, &pretrained_net, data, tasks, device).await;
    let seeds: Vec<u64> = tasks.iter().map(|&t| config.rl_seed(net, t)).collect();
    let stack = Stack::from_members(&shape, &vec![start.as_slice(); k], device);
    let mut t = Trainer::from_stack(stack, &seeds, config.weight_decay, device);
    let report = async |step: usize, t: &Trainer, on: &mut dyn FnMut(Event) -> bool| -> Result<(), Stopped> {
        for (&task, point) in tasks.iter().zip(rl_points(config, data, step, &t.stack(), tasks, &seeds, device).await) {
            go(on(Event::RlPoint { key: net.on(task), point }))?;
        }
        Ok(())
    };
    report(0, &t, on).await?;
    let mut buffers: Vec<Vec<Rollout>> = vec![Vec::new(); k];
    for step in 1..=r.rl_steps {
        let out = t.rl_step(&data.train, tasks, r.rl_batch, r.rl_lr, config.eps, r.sample_dropout, r.rl_mean_over_successes).await;
        if r.maintenance_every > 0 {
            for (b, rs) in buffers.iter_mut().zip(out.rollouts) {
                b.extend(rs);
            }
        }
        if r.maintenance_every > 0 && step % r.maintenance_every == 0 {
            let windows: Vec<Vec<Window>> =
                (0..k).map(|i| maintenance_windows(config, data, &std::mem::take(&mut buffers[i]), t.rng(i))).collect();
            t.maintenance_step(&windows, r.maintenance_lr);
        }
        let value = out.success.iter().sum::<f64>() / k as f64;
        let ok = on(Event::Step { step, total: r.rl_steps, value });
        if step % r.rl_eval_every == 0 || step == r.rl_steps {
            report(step, &t, on).await?;
        }
        go(ok)?;
    }
    for (i, weights) in t.stack().weights().await.into_iter().enumerate() {
        let key = net.on(tasks[i]);
        let checkpoint = checkpoints::trained(config, key, &weights, &start).map_err(Stopped::Failed)?;
        go(on(Event::Trained { key, checkpoint }))?;
        let model = Stack::from_members(&shape, &[&weights], device);
        let result = measure_model(config, data, key, &model, &untrained, &pretrained_net, pretrained_success[i], device).await;
        go(on(Event::Model(Box::new(result))))?;
    }
    Ok(())
}
