//! The browser benchmark: milliseconds per training step (batch 64, AdamW,
//! forward + backward + update) for each model size, in headless Chromium
//! with simd128. Run by `scripts/bench-browser.sh`, not by the tests; it
//! prints figures and asserts nothing about time.
#![cfg(target_arch = "wasm32")]

use opimp::model::{ModelConfig, SIZES, cpu_device, ndarray_device};
use opimp::train::Trainer;
use opimp::web::worker::now_ms;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn time_steps(device: &burn::tensor::Device, size: &str, steps: usize) -> f64 {
    let seq = opimp::sequence::generate(50_000, 1, 0.02);
    let cfg = ModelConfig::preset(size).unwrap();
    let mut t = Trainer::new(&cfg, 1, 0.01, device);
    for _ in 0..3 {
        t.next_token_step(&seq, 64, 1e-3, false);
    }
    let start = now_ms();
    for _ in 0..steps {
        t.next_token_step(&seq, 64, 1e-3, false);
    }
    (now_ms() - start) / steps as f64
}

#[wasm_bindgen_test]
fn training_step_per_size() {
    for size in SIZES {
        let cfg = ModelConfig::preset(size).unwrap();
        let steps = if size == "xl" { 10 } else { 20 };
        let flex = time_steps(&cpu_device(), size, steps);
        let ndarray = time_steps(&ndarray_device(), size, steps);
        console_log!(
            "BENCH size {size} params {} flex {flex:.1} ms/step ndarray {ndarray:.1} ms/step",
            cfg.param_count()
        );
    }
}
