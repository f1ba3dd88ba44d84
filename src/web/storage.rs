//! Results kept in the browser's local storage, so a reload loses nothing:
//! the most recent experiments' results, newest first.

use crate::experiment::{ExperimentConfig, Results};

const KEY: &str = "opimp.results.v1";
/// How many experiments are kept.
pub const KEEP: usize = 8;

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Every stored experiment's results, newest first. A corrupt store is
/// reported and read as empty (it is replaced on the next save).
pub fn load_all() -> (Vec<Results>, Option<String>) {
    let Some(s) = storage() else {
        return (Vec::new(), Some("this browser offers no local storage; results will not survive a reload".into()));
    };
    let Ok(Some(text)) = s.get_item(KEY) else {
        return (Vec::new(), None);
    };
    let Ok(list) = serde_json::from_str::<Vec<serde_json::Value>>(&text) else {
        return (Vec::new(), Some("stored results were unreadable and were set aside".into()));
    };
    let mut out = Vec::new();
    let mut bad = 0;
    for v in list {
        match Results::from_json(&v.to_string()) {
            Ok(r) => out.push(r),
            Err(_) => bad += 1,
        }
    }
    let note = (bad > 0).then(|| format!("{bad} stored experiment(s) were unreadable and were set aside"));
    (out, note)
}

/// The stored results of `config`, if any.
pub fn find(config: &ExperimentConfig) -> Option<Results> {
    load_all().0.into_iter().find(|r| r.config == *config)
}

/// Stores `results`, replacing the entry of the same experiment, newest
/// first, keeping at most [`KEEP`]. Returns a message if storage failed.
pub fn save(results: &Results) -> Option<String> {
    let s = storage()?;
    let (mut list, _) = load_all();
    list.retain(|r| r.config != results.config);
    list.insert(0, results.clone());
    list.truncate(KEEP);
    loop {
        let text = serde_json::to_string(&list).expect("serialisable");
        match s.set_item(KEY, &text) {
            Ok(()) => return None,
            Err(_) if list.len() > 1 => {
                list.pop();
            }
            Err(_) => return Some("the browser refused to store the results (storage full?)".into()),
        }
    }
}

/// Forgets every stored result.
pub fn clear() {
    if let Some(s) = storage() {
        let _ = s.remove_item(KEY);
    }
}

const MODELS_KEY: &str = "opimp.models.v1";

/// A fine-tuned model the page keeps: its checkpoint (with the pretrained
/// model it came from), base64, as the worker sent it.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct KeptModel {
    /// Size name.
    pub size: String,
    /// Seed.
    pub seed: u64,
    /// Task it was fine-tuned on.
    pub task: crate::sequence::SuccessSet,
    /// Checkpoint bytes, base64.
    pub checkpoint: String,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct StoredModels {
    config: ExperimentConfig,
    models: Vec<KeptModel>,
}

/// The kept models of `config` (only the latest experiment's are stored:
/// checkpoints are large).
pub fn load_models(config: &ExperimentConfig) -> Vec<KeptModel> {
    let Some(s) = storage() else { return Vec::new() };
    let Ok(Some(text)) = s.get_item(MODELS_KEY) else { return Vec::new() };
    match serde_json::from_str::<StoredModels>(&text) {
        Ok(m) if m.config == *config => m.models,
        _ => Vec::new(),
    }
}

/// Stores the kept models of `config`, replacing any other experiment's.
/// Returns a message if the browser refused (they stay for this session).
pub fn save_models(config: &ExperimentConfig, models: &[KeptModel]) -> Option<String> {
    let s = storage()?;
    let text = serde_json::to_string(&StoredModels {
        config: config.clone(),
        models: models.to_vec(),
    })
    .expect("serialisable");
    match s.set_item(MODELS_KEY, &text) {
        Ok(()) => None,
        Err(_) => {
            let _ = s.remove_item(MODELS_KEY);
            Some(format!(
                "the browser has no room to keep {} trained model(s) ({} kB) across a reload; download the ones you want from the models table",
                models.len(),
                text.len() / 1024
            ))
        }
    }
}

/// Forgets the kept models.
pub fn clear_models() {
    if let Some(s) = storage() {
        let _ = s.remove_item(MODELS_KEY);
    }
}
