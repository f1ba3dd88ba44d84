//! Running the study's work with burn: pretraining a size's nets, fine-tuning
//! a net on its tasks, measuring every fine-tuned model, and checkpoints.

pub mod checkpoints;
pub mod inspect;
pub mod measure;
pub mod run;

pub use run::{Stopped, run};
