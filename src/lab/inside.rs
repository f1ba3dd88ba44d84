//! The look inside a model: which model and which history the visitor
//! picked, and what the worker found there. Models come from the site (a
//! few checkpoints shipped per preset, fetched only when the section is
//! used) or from the page's own kept checkpoints.

use crate::study::config::ExperimentConfig;
use crate::study::inspection::Inspection;
use crate::study::key::ModelKey;
use crate::study::preset::Preset;
use crate::sequence::SuccessSet;

/// The history the model is shown.
#[derive(Clone, Debug, PartialEq)]
pub enum HistoryChoice {
    /// One of the experiment's evaluation histories (its index).
    Evaluation(usize),
    /// One the visitor typed (checked: 20 tokens or more, parity
    /// alternating, ending on an outcome).
    Typed(Vec<u8>),
}

/// Where the look stands.
#[derive(Clone, Debug, PartialEq)]
pub enum Looking {
    /// Nothing asked yet.
    Idle,
    /// Fetching the shipped checkpoint.
    Fetching,
    /// A worker is computing it.
    Computing,
    /// Here.
    Ready(Box<Inspection>),
    /// It could not be done: why.
    Failed(String),
}

/// The section's state.
#[derive(Clone, Debug, PartialEq)]
pub struct Inside {
    /// The model picked.
    pub model: Option<ModelKey>,
    /// The history picked.
    pub history: HistoryChoice,
    /// What is shown.
    pub looking: Looking,
}

impl Default for Inside {
    fn default() -> Self {
        Inside { model: None, history: HistoryChoice::Evaluation(0), looking: Looking::Idle }
    }
}

/// The models whose checkpoints the site ships for a preset: one per size,
/// the first seed, trained on n4 (or the preset's first task).
pub fn shipped_models(preset: Preset) -> Vec<ModelKey> {
    let c = ExperimentConfig::preset(preset);
    let task = if c.tasks.contains(&SuccessSet::N4) { SuccessSet::N4 } else { c.tasks[0] };
    c.sizes.iter().map(|&size| ModelKey { size, seed: c.seeds[0], task }).collect()
}

/// The preset whose folder holds a preset's shipped checkpoints. A model
/// is the same, bit for bit, in every experiment that differs from it only
/// in which sizes, seeds and tasks it lists (the data and each model's
/// random streams depend on its key alone; the scaling preset's models
/// equal the paper preset's), so the presets that are the paper's settings
/// on fewer models share its files instead of shipping copies.
pub fn shipped_from(preset: Preset) -> Preset {
    let paper = ExperimentConfig::preset(Preset::Paper);
    let mut c = ExperimentConfig::preset(preset);
    let covered = c.sizes.iter().all(|s| paper.sizes.contains(s)) && paper.seeds.contains(&c.seeds[0]) && shipped_models(preset).iter().all(|k| paper.tasks.contains(&k.task));
    (c.sizes, c.seeds, c.tasks) = (paper.sizes.clone(), paper.seeds.clone(), paper.tasks.clone());
    if c == paper && covered { Preset::Paper } else { preset }
}

/// Where a shipped checkpoint is, relative to the page.
pub fn shipped_path(preset: Preset, key: ModelKey) -> String {
    format!("results/models/{}/{}", shipped_from(preset).name(), key.file_name())
}

/// Reads a typed history: tokens 0..15 separated by commas or spaces, at
/// least 20 (the model reads the last 20), parity alternating, the last an
/// outcome.
pub fn parse_history(text: &str) -> Result<Vec<u8>, String> {
    let tokens: Vec<u8> = text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .map(|t| t.parse::<u8>().map_err(|_| format!("'{t}' is not a token 0..15")))
        .collect::<Result<_, _>>()?;
    if tokens.len() < crate::sequence::CONTEXT {
        return Err(format!("{} tokens; the model reads 20, so give at least 20", tokens.len()));
    }
    crate::sequence::check_history(&tokens)?;
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::size::Size;

    #[test]
    fn presets_ship_one_model_per_size() {
        let keys = shipped_models(Preset::Paper);
        assert_eq!(keys.len(), 4);
        assert!(keys.iter().all(|k| k.seed == 0 && k.task == SuccessSet::N4));
        assert_eq!(shipped_path(Preset::Paper, keys[3]), "results/models/paper/opimp-xl-seed0-n4.safetensors");
        assert_eq!(shipped_models(Preset::Quick), vec![ModelKey { size: Size::S, seed: 0, task: SuccessSet::N4 }]);
        // The paper's settings on fewer models share the paper's files;
        // other settings ship their own.
        for p in [Preset::Scaling, Preset::Cross, Preset::Impact, Preset::SelfEval] {
            assert_eq!(shipped_from(p), Preset::Paper, "{p:?}");
        }
        assert_eq!(shipped_from(Preset::Quick), Preset::Quick);
        assert_eq!(shipped_from(Preset::NoMaintenance), Preset::NoMaintenance);
        assert_eq!(shipped_path(Preset::Scaling, keys[0]), "results/models/paper/opimp-s-seed0-n4.safetensors");
    }

    #[test]
    fn typed_histories_are_checked() {
        let h = crate::sequence::generate(21, 3, 0.02);
        let h = &h[1..]; // 20 tokens ending on an even position
        let text = h.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", ");
        assert_eq!(parse_history(&text).unwrap(), h);
        assert!(parse_history("1,9,2").unwrap_err().contains("at least 20"));
        assert!(parse_history("x").unwrap_err().contains("not a token"));
        let mut bad = h.to_vec();
        bad[19] = 9;
        assert!(parse_history(&bad.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(" ")).is_err());
    }
}
