//! The Web Worker's entry point: messages in, the handler, messages out. A
//! message is `[json]` or `[json, ArrayBuffer]`; the buffer is transferred,
//! not copied. A panic is reported as `Failed` for the run it interrupted
//! before the worker dies.
//!
//! The worker computes on one engine: the CPU, or, built with the `gpu`
//! feature, the GPU through WebGPU, whose device is made before the worker
//! says it is ready (or it says why it cannot be).

use super::handler::{handle, ready};
use crate::study::protocol::{Envelope, WorkerInput, WorkerOutput};
use crate::study::engine::Engine;
use burn::tensor::Device;
use std::cell::Cell;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

thread_local! {
    /// The run being worked on, for the panic hook's report.
    static CURRENT: Cell<Option<u64>> = const { Cell::new(None) };
}

/// Splits a message event's data into an envelope.
pub fn envelope_of(data: &JsValue) -> Result<Envelope, String> {
    let array: js_sys::Array = data.clone().dyn_into().map_err(|_| "a message must be [json] or [json, bytes]".to_string())?;
    let json = array.get(0).as_string().ok_or("a message must start with JSON text")?;
    let payload = array.get(1).dyn_into::<js_sys::ArrayBuffer>().ok().map(|b| js_sys::Uint8Array::new(&b).to_vec());
    Ok(Envelope { json, payload })
}

/// An envelope as message data and its transfer list.
pub fn message_of(e: Envelope) -> (js_sys::Array, js_sys::Array) {
    let data = js_sys::Array::of1(&JsValue::from_str(&e.json));
    let transfer = js_sys::Array::new();
    if let Some(bytes) = e.payload {
        let buffer = js_sys::Uint8Array::from(bytes.as_slice()).buffer();
        data.push(&buffer);
        transfer.push(&buffer);
    }
    (data, transfer)
}

fn post(out: WorkerOutput) {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let (data, transfer) = message_of(out.encode());
    let _ = scope.post_message_with_transfer(&data, &transfer);
}

/// Starts the worker: the panic reporter, its device, the message handler,
/// then Ready (or Unavailable, when its engine cannot run here).
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        if let Some(run) = CURRENT.with(|c| c.get()) {
            post(WorkerOutput::Failed { run, message: format!("the worker panicked: {info}") });
        }
    }));
    wasm_bindgen_futures::spawn_local(async {
        match device().await {
            Ok((engine, device)) => {
                listen(device);
                post(ready(engine));
            }
            Err((engine, message)) => post(WorkerOutput::Unavailable { engine, message }),
        }
    });
}

/// This worker's engine and device.
async fn device() -> Result<(Engine, Device), (Engine, String)> {
    #[cfg(feature = "gpu")]
    {
        crate::model::gpu_device().await.map(|d| (Engine::Gpu, d)).map_err(|m| (Engine::Gpu, m))
    }
    #[cfg(not(feature = "gpu"))]
    {
        Ok((Engine::Cpu, crate::model::cpu_device()))
    }
}

/// Takes messages: each is handled on `device`.
fn listen(device: Device) {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        match envelope_of(&e.data()).and_then(WorkerInput::decode) {
            Ok(input) => {
                let run = match &input {
                    WorkerInput::Run { run, .. } | WorkerInput::Measure { run, .. } => Some(*run),
                    // A panic while measuring baselines is reported as a failure too.
                    WorkerInput::Prepare { .. } | WorkerInput::Inspect { .. } => Some(0),
                    WorkerInput::Bench { .. } => None,
                };
                // The page sends a worker one task at a time; on the CPU the
                // task runs to its end within this call, on a GPU it yields
                // while the GPU works.
                let device = device.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    CURRENT.with(|c| c.set(run));
                    handle(input, &device, &mut post).await;
                    CURRENT.with(|c| c.set(None));
                });
            }
            Err(message) => post(WorkerOutput::Error { message }),
        }
    });
    scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
}
