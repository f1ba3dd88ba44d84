//! What the page keeps across reloads, in the browser's IndexedDB: every
//! experiment's results, and the checkpoints of its fine-tuned models.
//! Results come first: when the browser's quota is reached, checkpoints are
//! given up to make room, and the page says what it kept. Entries that can
//! no longer be read are left where they are (and reported), never deleted
//! behind the user's back.

use crate::study::config::ExperimentConfig;
use crate::study::key::ModelKey;
use crate::study::results::Results;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbRequest, IdbTransactionMode};

const DB: &str = "opimp";
const RESULTS: &str = "results";
const MODELS: &str = "models";

/// An experiment's key in storage: a hash of its config.
pub fn experiment_id(config: &ExperimentConfig) -> String {
    let text = serde_json::to_string(config).unwrap_or_default();
    let mut h = 0xCBF2_9CE4_8422_2325u64;
    for b in text.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    format!("{h:016x}")
}

fn model_id(config: &ExperimentConfig, key: ModelKey) -> String {
    format!("{}/{}/{}/{}", experiment_id(config), key.size, key.seed, key.task.name())
}

/// Waits for a request to succeed, giving its result.
async fn done(req: &IdbRequest) -> Result<JsValue, String> {
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        req.set_onsuccess(Some(&resolve));
        req.set_onerror(Some(&reject));
    });
    JsFuture::from(promise).await.map_err(|_| {
        req.error().ok().flatten().map(|e| format!("{}: {}", e.name(), e.message())).unwrap_or_else(|| "the request failed".into())
    })?;
    req.result().map_err(|e| format!("{e:?}"))
}

async fn open() -> Result<IdbDatabase, String> {
    let factory = web_sys::window()
        .and_then(|w| w.indexed_db().ok().flatten())
        .ok_or("this browser offers no IndexedDB; results will not survive a reload")?;
    let req = factory.open_with_u32(DB, 1).map_err(|e| format!("{e:?}"))?;
    let upgrade = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
        let Some(req) = e.target().and_then(|t| t.dyn_into::<web_sys::IdbOpenDbRequest>().ok()) else { return };
        if let Ok(db) = req.result().and_then(|r| r.dyn_into::<IdbDatabase>()) {
            for store in [RESULTS, MODELS] {
                if !db.object_store_names().contains(store) {
                    let _ = db.create_object_store(store);
                }
            }
        }
    });
    req.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
    let db = done(&req).await?;
    drop(upgrade);
    db.dyn_into::<IdbDatabase>().map_err(|_| "not a database".into())
}

async fn put(store: &str, key: &str, value: &JsValue) -> Result<(), String> {
    let db = open().await?;
    let tx = db.transaction_with_str_and_mode(store, IdbTransactionMode::Readwrite).map_err(|e| format!("{e:?}"))?;
    let req = tx.object_store(store).and_then(|s| s.put_with_key(value, &JsValue::from_str(key))).map_err(|e| format!("{e:?}"))?;
    done(&req).await.map(|_| ())
}

async fn all(store: &str) -> Result<(Vec<String>, Vec<JsValue>), String> {
    let db = open().await?;
    let tx = db.transaction_with_str(store).map_err(|e| format!("{e:?}"))?;
    let s = tx.object_store(store).map_err(|e| format!("{e:?}"))?;
    let keys = done(&s.get_all_keys().map_err(|e| format!("{e:?}"))?).await?;
    let values = done(&s.get_all().map_err(|e| format!("{e:?}"))?).await?;
    let keys = js_sys::Array::from(&keys).iter().map(|k| k.as_string().unwrap_or_default()).collect();
    Ok((keys, js_sys::Array::from(&values).iter().collect()))
}

async fn delete(store: &str, key: &str) -> Result<(), String> {
    let db = open().await?;
    let tx = db.transaction_with_str_and_mode(store, IdbTransactionMode::Readwrite).map_err(|e| format!("{e:?}"))?;
    let req = tx.object_store(store).and_then(|s| s.delete(&JsValue::from_str(key))).map_err(|e| format!("{e:?}"))?;
    done(&req).await.map(|_| ())
}

/// Every stored experiment's results, and a note on what could not be read.
pub async fn load_library() -> (Vec<Results>, Option<String>) {
    match all(RESULTS).await {
        Ok((_, values)) => {
            let mut out = Vec::new();
            let mut bad = 0;
            for v in values {
                match v.as_string().ok_or_else(|| "not text".to_string()).and_then(|t| Results::from_json(&t)) {
                    Ok(r) => out.push(r),
                    Err(_) => bad += 1,
                }
            }
            let note = (bad > 0).then(|| format!("{bad} stored experiment(s) could not be read by this version of the lab; they are left in storage untouched"));
            (out, note)
        }
        Err(e) => (Vec::new(), Some(format!("Stored results could not be read ({e}); new results will be kept if the browser allows."))),
    }
}

/// The stored checkpoints of an experiment's models.
pub async fn load_models(config: &ExperimentConfig) -> Vec<(ModelKey, Vec<u8>)> {
    let prefix = format!("{}/", experiment_id(config));
    let Ok((keys, values)) = all(MODELS).await else { return Vec::new() };
    let models = config.models();
    keys.into_iter()
        .zip(values)
        .filter(|(k, _)| k.starts_with(&prefix))
        .filter_map(|(k, v)| {
            let key = models.iter().find(|m| model_id(config, **m) == k)?;
            let bytes = v.dyn_into::<js_sys::Uint8Array>().ok()?.to_vec();
            Some((*key, bytes))
        })
        .collect()
}

/// Stores an experiment's results. When the browser's quota is reached,
/// stored checkpoints are given up (oldest experiments' first) to make
/// room; the message says what happened.
pub async fn save_results(results: &Results) -> Option<String> {
    let Ok(text) = results.to_json() else { return Some("These results hold a number that is not finite; they were not stored.".into()) };
    let id = experiment_id(&results.config);
    match put(RESULTS, &id, &JsValue::from_str(&text)).await {
        Ok(()) => None,
        Err(e) if e.contains("Quota") => {
            let (keys, _) = all(MODELS).await.unwrap_or_default();
            let dropped = keys.len();
            for k in keys {
                let _ = delete(MODELS, &k).await;
            }
            match put(RESULTS, &id, &JsValue::from_str(&text)).await {
                Ok(()) => Some(format!("The browser's storage was full: {dropped} stored checkpoint(s) were given up so that the results are kept.")),
                Err(e) => Some(format!("The browser refused to store the results ({e}); download them with Export JSON.")),
            }
        }
        Err(e) => Some(format!("The browser refused to store the results ({e}); download them with Export JSON.")),
    }
}

/// Stores a fine-tuned model's checkpoint (bytes, not text). A full store
/// keeps the results and says which checkpoint it could not keep.
pub async fn save_model(config: &ExperimentConfig, key: ModelKey, bytes: &[u8]) -> Option<String> {
    let array = js_sys::Uint8Array::from(bytes);
    match put(MODELS, &model_id(config, key), &array).await {
        Ok(()) => None,
        Err(e) => Some(format!("The checkpoint of {key} could not be kept across a reload ({e}); its results are kept, and it can be downloaded from the models table now.")),
    }
}

/// Forgets every stored result and checkpoint.
pub async fn clear() -> Option<String> {
    let db = match open().await {
        Ok(db) => db,
        Err(e) => return Some(e),
    };
    for store in [RESULTS, MODELS] {
        let req = db
            .transaction_with_str_and_mode(store, IdbTransactionMode::Readwrite)
            .and_then(|tx| tx.object_store(store))
            .and_then(|s| s.clear());
        match req {
            Ok(req) => {
                if let Err(e) = done(&req).await {
                    return Some(format!("stored {store} could not be cleared ({e})"));
                }
            }
            Err(e) => return Some(format!("stored {store} could not be cleared ({e:?})")),
        }
    }
    None
}
