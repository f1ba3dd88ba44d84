//! The training worker: a Web Worker that runs the study's work (wasm only).

#[cfg(target_arch = "wasm32")]
fn main() {
    opimp::worker::wasm::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the worker binary runs in a browser Web Worker; build it with trunk");
}
