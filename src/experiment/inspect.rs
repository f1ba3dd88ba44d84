//! A fine-tuned model on one history, for the page's look inside a model:
//! the network's side of [`crate::study::inspection`].

use crate::math;
use crate::model::Stack;
use crate::sequence::{CONTEXT, OUTCOMES};
use crate::study::checkpoint;
use crate::study::inspection::Inspection;
use crate::train::network::{greedy_action, last_window};
use burn::tensor::Device;

/// Softmax of some logits (in f64).
fn softmax(logits: &[f32]) -> Vec<f64> {
    let max = logits.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
    let w: Vec<f64> = logits.iter().map(|&l| math::exp((l - max) as f64)).collect();
    let total: f64 = w.iter().sum();
    w.into_iter().map(|v| v / total).collect()
}

/// What the model in `checkpoint` (its fine-tuned weights) computes on
/// `history` (at least 20 tokens ending on an outcome; its last 20 are read).
pub async fn inspect(bytes: &[u8], history: &[u8], device: &Device) -> Result<Inspection, String> {
    crate::sequence::check_history(history)?;
    let (header, records) = checkpoint::read(bytes)?;
    let model = Stack::from_members(&header.shape, &[&records[0]], device);
    let window = last_window(history, &[]);
    if window.len() != CONTEXT {
        return Err(format!("the history has {} tokens; the model reads {CONTEXT}", window.len()));
    }
    let mut windows = vec![window.clone()];
    windows.extend((8..16u8).map(|a| last_window(history, &[a])));
    let logits = model.logits(&windows, device).await.swap_remove(0);
    let probs = softmax(&logits[0][8..16]);
    let mut predicted = [[0.0; OUTCOMES]; 8];
    for (p, l) in predicted.iter_mut().zip(&logits[1..]) {
        let d = softmax(&l[..OUTCOMES]);
        p.copy_from_slice(&d);
    }
    let attention = model.attention(&[window], device).await.swap_remove(0).swap_remove(0).into_iter().map(|w| w as f64).collect();
    Ok(Inspection {
        history: history[history.len() - CONTEXT..].to_vec(),
        action_probs: probs.try_into().expect("8 actions"),
        choice: greedy_action(&logits[0]),
        predicted,
        attention,
    })
}
