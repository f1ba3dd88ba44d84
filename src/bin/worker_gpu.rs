//! The GPU engine's worker: the study's work on WebGPU (wasm only, built
//! with the `gpu` feature).

#[cfg(target_arch = "wasm32")]
fn main() {
    opimp::worker::wasm::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the GPU worker binary runs in a browser Web Worker; build it with trunk");
}
