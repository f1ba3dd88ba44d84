//! The browser benchmark: milliseconds per training step (batch 64 per
//! member: forward, backward, AdamW) for each model size, single and as a
//! stack, in headless Chromium with simd128, timed after the engine has
//! optimised the code. Run by `scripts/bench-browser.sh`, not by the tests;
//! it prints figures and asserts nothing about time.
#![cfg(target_arch = "wasm32")]

use opimp::study::size::Size;
use opimp::worker::handler::handle;
use opimp::worker::protocol::{WorkerInput, WorkerOutput};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn training_step_per_size() {
    for members in [1usize, 5] {
        handle(WorkerInput::Bench { sizes: Size::ALL.to_vec(), members, steps: 10, batch: 64 }, &mut |o| {
            if let WorkerOutput::Bench { size, members, ms_per_step, warmup } = o {
                console_log!(
                    "BENCH size {size} members {members} {ms_per_step:.1} ms/step {:.1} ms/member-step (warm-up {warmup} steps)",
                    ms_per_step / members as f64
                );
            }
        });
    }
}
