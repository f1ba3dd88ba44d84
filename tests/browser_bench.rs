//! The browser benchmark: milliseconds per training step (batch 64 per
//! member: forward, backward, AdamW) for each model size, single and as a
//! stack, in headless Chromium with simd128, timed after the engine has
//! optimised the code; built with the `gpu` feature, the GPU engine is
//! timed in the same run beside the CPU engine. Run by
//! `scripts/bench-browser.sh`, not by the tests; it prints figures and
//! asserts nothing about time.
#![cfg(target_arch = "wasm32")]

use opimp::study::size::Size;
use opimp::worker::handler::handle;
use opimp::worker::protocol::{WorkerInput, WorkerOutput};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

async fn bench(engine: &str, device: &burn::tensor::Device) {
    for members in [1usize, 5] {
        handle(WorkerInput::Bench { sizes: Size::ALL.to_vec(), members, steps: 10, batch: 64 }, device, &mut |o| {
            if let WorkerOutput::Bench { size, members, ms_per_step, warmup } = o {
                console_log!(
                    "BENCH {engine} size {size} members {members} {ms_per_step:.1} ms/step {:.1} ms/member-step (warm-up {warmup} steps)",
                    ms_per_step / members as f64
                );
            }
        })
        .await;
    }
}

#[wasm_bindgen_test]
async fn training_step_per_size() {
    bench("cpu", &opimp::model::cpu_device()).await;
    #[cfg(feature = "gpu")]
    match opimp::model::gpu_device().await {
        Ok(device) => bench("gpu", &device).await,
        Err(e) => console_log!("BENCH gpu unavailable: {e}"),
    }
}
