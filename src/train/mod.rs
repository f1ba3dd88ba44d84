//! Training (SCIENCE.md §2–§3) in burn: pretraining, RL fine-tuning with
//! maintenance, and the trained network as a policy and as a model of the
//! world for the estimators.

pub mod network;
pub mod trainer;

pub use network::{evaluate, evaluate_each, greedy_action, policy_actions, policy_logits};
pub use trainer::{Rollout, Trainer, draw_outcome, sample_action};
