//! The training workers: Web Workers running the worker binary. The pool
//! only posts messages and reports what workers say, die of or fail to
//! start with; which work goes where is decided by [`crate::lab::update`].

use crate::lab::update::Msg;
use crate::study::protocol::{WorkerInput, WorkerOutput};
use crate::worker::wasm::{envelope_of, message_of};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker};

use crate::study::engine::Engine;

/// Where an engine's worker loader is, relative to the page: the GPU
/// worker is another wasm (burn's wgpu backend), fetched only when its
/// engine is chosen.
pub fn worker_url(engine: Engine) -> &'static str {
    match engine {
        Engine::Cpu => "./worker_loader.js",
        Engine::Gpu => "./worker_gpu_loader.js",
    }
}

struct Slot {
    worker: Worker,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

/// The page's Web Workers.
#[derive(Clone)]
pub struct Pool {
    engine: Engine,
    slots: Rc<RefCell<Vec<Option<Slot>>>>,
    send: Rc<dyn Fn(Msg)>,
}

/// As many workers as the browser reports cores (at least one, at most 16).
pub fn default_size() -> usize {
    let cores = web_sys::window().map(|w| w.navigator().hardware_concurrency()).unwrap_or(2.0) as usize;
    cores.clamp(1, 16)
}

impl Pool {
    /// Starts `size` workers of `engine` reporting to `send`.
    pub fn new(engine: Engine, size: usize, send: Rc<dyn Fn(Msg)>) -> Self {
        let pool = Pool { engine, slots: Rc::new(RefCell::new((0..size).map(|_| None).collect())), send };
        for i in 0..size {
            pool.spawn(i);
        }
        pool
    }

    fn spawn(&self, i: usize) {
        let worker = match Worker::new(worker_url(self.engine)) {
            Ok(w) => w,
            Err(e) => {
                let send = self.send.clone();
                // Reported after this call returns, like any other message.
                leptos::task::spawn_local(async move { send(Msg::WorkerDied(i, format!("the browser refused to start it ({e:?})"))) });
                return;
            }
        };
        let send = self.send.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            match envelope_of(&e.data()).and_then(WorkerOutput::decode) {
                Ok(out) => send(Msg::Worker(i, out)),
                Err(m) => send(Msg::Say(format!("A worker sent a message the page cannot read: {m}"))),
            }
        });
        let send = self.send.clone();
        let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |e: ErrorEvent| {
            e.prevent_default();
            let m = e.message();
            send(Msg::WorkerDied(i, if m.is_empty() { "it stopped with an error".into() } else { m }));
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        if let Some(slot) = self.slots.borrow_mut().get_mut(i) {
            *slot = Some(Slot { worker, _on_message: on_message, _on_error: on_error });
        }
    }

    /// Posts a message to worker `i`, moving its bytes (not copying them).
    pub fn post(&self, i: usize, input: WorkerInput) {
        let (data, transfer) = message_of(input.encode());
        let failed = match self.slots.borrow().get(i).and_then(|s| s.as_ref()) {
            Some(slot) => slot.worker.post_message_with_transfer(&data, &transfer).err().map(|e| format!("{e:?}")),
            None => Some("the worker is gone".into()),
        };
        if let Some(e) = failed {
            let send = self.send.clone();
            leptos::task::spawn_local(async move { send(Msg::WorkerDied(i, format!("a message could not be posted ({e})"))) });
        }
    }

    /// Terminates every worker (the pool is replaced).
    pub fn terminate(&self) {
        for slot in self.slots.borrow_mut().iter_mut() {
            if let Some(slot) = slot.take() {
                slot.worker.terminate();
            }
        }
    }

    /// Terminates worker `i` and starts a fresh one.
    pub fn restart(&self, i: usize) {
        let old = self.slots.borrow_mut().get_mut(i).and_then(|s| s.take());
        if let Some(slot) = old {
            slot.worker.terminate();
        }
        self.spawn(i);
    }
}
