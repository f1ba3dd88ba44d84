//! A trained network in the study's measures: its loss and accuracy, its
//! actions as a policy (argmax over the actions 8..15, lowest on ties), and
//! its predicted distribution over the next outcome as a model of the
//! world. Reading a network's outputs is asynchronous (a GPU answers when
//! its work is done); what the measures then need is recorded, so the
//! science core's estimators run on it unchanged.

use crate::math;
use crate::measure::{Dist, OutcomeModel, Policy};
use crate::model::Stack;
use crate::sequence::{CONTEXT, OUTCOMES, VOCAB};
use crate::study::data::Window;
use burn::tensor::Device;
use std::collections::BTreeMap;

/// Windows a forward pass takes at once.
const CHUNK: usize = 512;

/// Loss and accuracy of each member (no dropout) on the same windows.
pub async fn evaluate(stack: &Stack, windows: &[Window], device: &Device) -> Vec<(f64, f64)> {
    evaluate_each(stack, &vec![windows.to_vec(); stack.members()], device).await
}

/// Loss and accuracy of each member (no dropout) on its own windows
/// (`windows[i]` for member i, all of one count).
pub async fn evaluate_each(stack: &Stack, windows: &[Vec<Window>], device: &Device) -> Vec<(f64, f64)> {
    let count = windows.first().map_or(0, |w| w.len());
    let n = count.max(1) as f64;
    scored_each(stack, windows, device)
        .await
        .into_iter()
        .map(|member| {
            let loss: f64 = member.iter().map(|(l, _)| l).sum();
            let correct = member.iter().filter(|(_, c)| *c).count();
            (loss / n, correct as f64 / n)
        })
        .collect()
}

/// Each member's cross-entropy and whether its argmax is right, window by
/// window (no dropout), on its own windows (`windows[i]` for member i, all
/// of one count).
pub async fn scored_each(stack: &Stack, windows: &[Vec<Window>], device: &Device) -> Vec<Vec<(f64, bool)>> {
    let count = windows.first().map_or(0, |w| w.len());
    let mut out = vec![Vec::with_capacity(count); stack.members()];
    for start in (0..count).step_by(CHUNK) {
        let end = (start + CHUNK).min(count);
        let inputs: Vec<Vec<Vec<u8>>> = windows.iter().map(|ws| ws[start..end].iter().map(|(w, _)| w.clone()).collect()).collect();
        for (i, member) in stack.logits_each(&inputs, device).await.iter().enumerate() {
            for (logits, (_, target)) in member.iter().zip(&windows[i][start..end]) {
                let max = logits.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
                let lse = max as f64 + math::ln(logits.iter().map(|&l| math::exp((l - max) as f64)).sum::<f64>());
                out[i].push((lse - logits[*target as usize] as f64, argmax(logits, 0..VOCAB) == *target as usize));
            }
        }
    }
    out
}

/// Index of the largest value in `range` (the lowest on ties).
pub fn argmax(v: &[f32], range: std::ops::Range<usize>) -> usize {
    let mut best = range.start;
    for i in range {
        if v[i] > v[best] {
            best = i;
        }
    }
    best
}

/// The last 20 tokens of `h` followed by `extra`.
pub fn last_window(h: &[u8], extra: &[u8]) -> Vec<u8> {
    let mut w: Vec<u8> = h.iter().chain(extra).cloned().collect();
    if w.len() > CONTEXT {
        w.drain(..w.len() - CONTEXT);
    }
    w
}

/// Each member's logits (no dropout) on each history: [member][history].
pub async fn policy_logits(stack: &Stack, histories: &[Vec<u8>], device: &Device) -> Vec<Vec<[f32; VOCAB]>> {
    let windows: Vec<Vec<u8>> = histories.iter().map(|h| last_window(h, &[])).collect();
    let mut out = vec![Vec::with_capacity(histories.len()); stack.members()];
    for chunk in windows.chunks(CHUNK) {
        for (i, member) in stack.logits(chunk, device).await.into_iter().enumerate() {
            out[i].extend(member);
        }
    }
    out
}

/// The action at temperature 0 (argmax over 8..15, lowest on ties) of logits.
pub fn greedy_action(logits: &[f32; VOCAB]) -> u8 {
    argmax(logits, 8..16) as u8
}

/// Each member's action (temperature 0) on each history.
pub async fn policy_actions(stack: &Stack, histories: &[Vec<u8>], device: &Device) -> Vec<Vec<u8>> {
    policy_logits(stack, histories, device).await.iter().map(|m| m.iter().map(greedy_action).collect()).collect()
}

/// A policy's actions recorded on the evaluation histories, in their
/// order: the policy the split-history estimators see.
pub struct RecordedPolicy(pub Vec<u8>);

impl Policy for RecordedPolicy {
    fn actions(&self, histories: &[Vec<u8>]) -> Vec<u8> {
        assert_eq!(histories.len(), self.0.len(), "a recorded policy answers the histories it was recorded on");
        self.0.clone()
    }
}

/// A network's predicted outcome distributions after some actions,
/// recorded on the evaluation histories (in their order): the model of the
/// world self-evaluation uses.
pub struct RecordedOutcomes(BTreeMap<u8, Vec<Dist>>);

impl OutcomeModel for RecordedOutcomes {
    fn distributions(&self, histories: &[Vec<u8>], action: u8) -> Vec<Dist> {
        let d = self.0.get(&action).expect("the action's predictions were recorded");
        assert_eq!(histories.len(), d.len(), "recorded predictions answer the histories they were recorded on");
        d.clone()
    }
}

/// A single network's predicted distribution over the token after h + [a]
/// (renormalised over 0..7), for each history and each of `actions`.
pub async fn predicted_outcomes(model: &Stack, histories: &[Vec<u8>], actions: &[u8], device: &Device) -> RecordedOutcomes {
    let mut distinct = actions.to_vec();
    distinct.sort();
    distinct.dedup();
    let mut out = BTreeMap::new();
    for a in distinct {
        let windows: Vec<Vec<u8>> = histories.iter().map(|h| last_window(h, &[a])).collect();
        let mut dists = Vec::with_capacity(histories.len());
        for chunk in windows.chunks(CHUNK) {
            for logits in &model.logits(chunk, device).await[0] {
                let max = logits[..OUTCOMES].iter().cloned().fold(f32::NEG_INFINITY, f32::max);
                let mut d = [0.0; OUTCOMES];
                for (x, v) in d.iter_mut().enumerate() {
                    *v = math::exp((logits[x] - max) as f64);
                }
                let total: f64 = d.iter().sum();
                dists.push(d.map(|v| v / total));
            }
        }
        out.insert(a, dists);
    }
    RecordedOutcomes(out)
}
