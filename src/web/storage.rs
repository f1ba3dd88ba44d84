//! The browser's IndexedDB, running the page's storage requests
//! ([`crate::lab::store::StoreRequest`]) and nothing else: what to store
//! and what to give up is decided by the page's update function.
//!
//! One database, opened once. Results are stored as JSON text by
//! experiment id; checkpoints as bytes under `id/size/seed/task`, so one
//! experiment's checkpoints are one key range. A write is answered when its
//! transaction has completed (committed), not when its request succeeded.
//! Errors are known by the DOMException's name.

use crate::lab::store::{ExperimentId, StoreAnswer, StoreError, StoreRequest};
use crate::study::key::ModelKey;
use crate::study::results::Results;
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbKeyRange, IdbRequest, IdbTransaction, IdbTransactionMode};

const DB: &str = "opimp";
const RESULTS: &str = "results";
const MODELS: &str = "models";

thread_local! {
    /// The open database.
    static OPEN: RefCell<Option<IdbDatabase>> = const { RefCell::new(None) };
}

fn exception(e: Option<web_sys::DomException>, otherwise: &str) -> StoreError {
    match e {
        Some(e) => StoreError::from_exception(&e.name(), &e.message()),
        None => StoreError::Failed { name: "Error".into(), message: otherwise.into() },
    }
}

/// A thrown JavaScript value as a storage error (a DOMException by name).
fn thrown(v: JsValue) -> StoreError {
    exception(v.dyn_into::<web_sys::DomException>().ok(), "the browser refused the request")
}

/// Waits for a request, giving its result.
async fn request(req: &IdbRequest) -> Result<JsValue, StoreError> {
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        req.set_onsuccess(Some(&resolve));
        req.set_onerror(Some(&reject));
    });
    let outcome = JsFuture::from(promise).await;
    req.set_onsuccess(None);
    req.set_onerror(None);
    match outcome {
        Ok(_) => req.result().map_err(thrown),
        Err(_) => Err(exception(req.error().ok().flatten(), "the request failed")),
    }
}

/// Waits for a transaction to complete (commit), or says why it did not.
async fn completed(tx: &IdbTransaction) -> Result<(), StoreError> {
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        tx.set_oncomplete(Some(&resolve));
        tx.set_onerror(Some(&reject));
        tx.set_onabort(Some(&reject));
    });
    let outcome = JsFuture::from(promise).await;
    match outcome {
        Ok(_) => Ok(()),
        Err(_) => Err(exception(tx.error(), "the transaction was aborted")),
    }
}

fn db() -> Result<IdbDatabase, StoreError> {
    OPEN.with(|o| o.borrow().clone()).ok_or_else(|| StoreError::Unavailable("the database is not open".into()))
}

async fn open() -> Result<(), StoreError> {
    let factory = web_sys::window()
        .and_then(|w| w.indexed_db().ok().flatten())
        .ok_or_else(|| StoreError::Unavailable("this browser offers no IndexedDB".into()))?;
    let req = factory.open_with_u32(DB, 1).map_err(|e| StoreError::Unavailable(thrown(e).to_string()))?;
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
    let opened = request(&req).await;
    req.set_onupgradeneeded(None);
    drop(upgrade);
    let db = opened
        .map_err(|e| StoreError::Unavailable(e.to_string()))?
        .dyn_into::<IdbDatabase>()
        .map_err(|_| StoreError::Unavailable("not a database".into()))?;
    OPEN.with(|o| *o.borrow_mut() = Some(db));
    Ok(())
}

fn transaction(stores: &[&str], mode: IdbTransactionMode) -> Result<IdbTransaction, StoreError> {
    let names = js_sys::Array::new();
    for s in stores {
        names.push(&JsValue::from_str(s));
    }
    db()?.transaction_with_str_sequence_and_mode(&names, mode).map_err(thrown)
}

/// The keys `prefix/…` (one experiment's checkpoints).
fn range(id: &ExperimentId) -> Result<IdbKeyRange, StoreError> {
    // '0' follows '/' in code-unit order: [id/, id0) is every key id/….
    IdbKeyRange::bound_with_lower_open_and_upper_open(&JsValue::from_str(&format!("{id}/")), &JsValue::from_str(&format!("{id}0")), false, true)
        .map_err(thrown)
}

/// Parses a checkpoint key `id/size/seed/task`.
fn parse_model_key(key: &str) -> Option<(ExperimentId, ModelKey)> {
    let mut parts = key.split('/');
    let id = parts.next()?;
    let size = crate::study::size::Size::parse(parts.next()?).ok()?;
    let seed = parts.next()?.parse().ok()?;
    let task = crate::sequence::SuccessSet::parse(parts.next()?).ok()?;
    Some((ExperimentId(id.into()), ModelKey { size, seed, task }))
}

async fn library() -> Result<(Vec<(ExperimentId, Result<Results, String>)>, Vec<(ExperimentId, ModelKey)>), StoreError> {
    let tx = transaction(&[RESULTS, MODELS], IdbTransactionMode::Readonly)?;
    let results = tx.object_store(RESULTS).map_err(thrown)?;
    let keys = request(&results.get_all_keys().map_err(thrown)?).await?;
    let values = request(&results.get_all().map_err(thrown)?).await?;
    let models = tx.object_store(MODELS).map_err(thrown)?;
    let model_keys = request(&models.get_all_keys().map_err(thrown)?).await?;
    let out = js_sys::Array::from(&keys)
        .iter()
        .zip(js_sys::Array::from(&values).iter())
        .map(|(k, v)| {
            let id = ExperimentId(k.as_string().unwrap_or_default());
            let r = v.as_string().ok_or_else(|| "not text".to_string()).and_then(|t| Results::from_json(&t));
            (id, r)
        })
        .collect();
    let checkpoints = js_sys::Array::from(&model_keys).iter().filter_map(|k| k.as_string().and_then(|k| parse_model_key(&k))).collect();
    Ok((out, checkpoints))
}

async fn checkpoints(id: &ExperimentId, config: &crate::study::config::ExperimentConfig) -> Result<Vec<(ModelKey, Vec<u8>)>, StoreError> {
    let tx = transaction(&[MODELS], IdbTransactionMode::Readonly)?;
    let store = tx.object_store(MODELS).map_err(thrown)?;
    let r = range(id)?;
    let keys = request(&store.get_all_keys_with_key(&r).map_err(thrown)?).await?;
    let values = request(&store.get_all_with_key(&r).map_err(thrown)?).await?;
    let models = config.models();
    Ok(js_sys::Array::from(&keys)
        .iter()
        .zip(js_sys::Array::from(&values).iter())
        .filter_map(|(k, v)| {
            let (_, key) = parse_model_key(&k.as_string()?)?;
            let bytes = v.dyn_into::<js_sys::Uint8Array>().ok()?.to_vec();
            models.contains(&key).then_some((key, bytes))
        })
        .collect())
}

async fn put(store: &str, key: &str, value: &JsValue) -> Result<(), StoreError> {
    let tx = transaction(&[store], IdbTransactionMode::Readwrite)?;
    let req = tx.object_store(store).and_then(|s| s.put_with_key(value, &JsValue::from_str(key))).map_err(thrown)?;
    request(&req).await?;
    completed(&tx).await
}

async fn drop_checkpoints(id: &ExperimentId) -> Result<(), StoreError> {
    let tx = transaction(&[MODELS], IdbTransactionMode::Readwrite)?;
    let keys: JsValue = range(id)?.into();
    let req = tx.object_store(MODELS).and_then(|s| s.delete(&keys)).map_err(thrown)?;
    request(&req).await?;
    completed(&tx).await
}

async fn clear() -> Result<(), StoreError> {
    let tx = transaction(&[RESULTS, MODELS], IdbTransactionMode::Readwrite)?;
    for store in [RESULTS, MODELS] {
        let req = tx.object_store(store).and_then(|s| s.clear()).map_err(thrown)?;
        request(&req).await?;
    }
    completed(&tx).await
}

/// Runs one storage request; the answer is what [`crate::lab::update`] is
/// told.
pub async fn run(req: StoreRequest) -> StoreAnswer {
    match req {
        StoreRequest::Open => StoreAnswer::Opened(open().await),
        StoreRequest::LoadLibrary => match library().await {
            Ok((results, checkpoints)) => StoreAnswer::Library { results, checkpoints, error: None },
            Err(e) => StoreAnswer::Library { results: Vec::new(), checkpoints: Vec::new(), error: Some(e) },
        },
        StoreRequest::LoadCheckpoints(id, config) => {
            let r = checkpoints(&id, &config).await;
            StoreAnswer::Checkpoints(id, r)
        }
        StoreRequest::SaveResults(id, json) => {
            let r = put(RESULTS, &id.0, &JsValue::from_str(&json)).await;
            StoreAnswer::ResultsSaved(id, json, r)
        }
        StoreRequest::SaveCheckpoint(id, key, bytes) => {
            let array = js_sys::Uint8Array::from(bytes.as_slice());
            let r = put(MODELS, &id.model_key(key), &array).await;
            StoreAnswer::CheckpointSaved(id, key, bytes, r)
        }
        StoreRequest::DropCheckpoints(id) => {
            let r = drop_checkpoints(&id).await;
            StoreAnswer::Dropped(id, r)
        }
        StoreRequest::Clear => StoreAnswer::Cleared(clear().await),
    }
}
