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

fn time_op(name: &str, f: &dyn Fn()) {
    for _ in 0..3 {
        f();
    }
    let start = now_ms();
    for _ in 0..30 {
        f();
    }
    console_log!("OP {name}: {:.0} us", (now_ms() - start) * 1000.0 / 30.0);
}

#[wasm_bindgen_test]
fn ops_of_the_small_model() {
    use burn::tensor::{Distribution, Tensor};
    let device = cpu_device();
    for (m, k, n) in [(1280usize, 32usize, 96usize), (1280, 32, 32), (1280, 32, 64), (1280, 64, 32), (32, 1280, 96), (1280, 96, 32)] {
        let a = Tensor::<2>::random([m, k], Distribution::Default, &device);
        let b = Tensor::<2>::random([k, n], Distribution::Default, &device);
        time_op(&format!("matmul [{m},{k}]x[{k},{n}]"), &|| {
            let _ = a.clone().matmul(b.clone()).into_data();
        });
    }
    let q = Tensor::<4>::random([64, 4, 20, 8], Distribution::Default, &device);
    let k = Tensor::<4>::random([64, 4, 8, 20], Distribution::Default, &device);
    time_op("attention matmul [64,4,20,8]x[64,4,8,20]", &|| {
        let _ = q.clone().matmul(k.clone()).into_data();
    });
    let s = Tensor::<4>::random([64, 4, 20, 20], Distribution::Default, &device);
    time_op("softmax [64,4,20,20]", &|| {
        let _ = burn::tensor::activation::softmax(s.clone(), 3).into_data();
    });
    let x = Tensor::<3>::random([64, 20, 32], Distribution::Default, &device);
    time_op("gelu [64,20,64]", &|| {
        let _ = burn::tensor::activation::gelu(x.clone()).into_data();
    });
    time_op("add [64,20,32]", &|| {
        let _ = (x.clone() + x.clone()).into_data();
    });
    time_op("swap+reshape [64,20,32]->[64,4,20,8]", &|| {
        let _ = x.clone().reshape([64, 20, 4, 8]).swap_dims(1, 2).into_data();
    });
    let mut rng = opimp::rng::Rng::new(1);
    let cell = std::cell::RefCell::new(&mut rng);
    time_op("dropout mask 41k from the lab's RNG + upload", &|| {
        let mut r = cell.borrow_mut();
        let mask: Vec<f32> = (0..64 * 20 * 32).map(|_| if r.next_f64() < 0.9 { 1.1 } else { 0.0 }).collect();
        let _ = Tensor::<3>::from_data(burn::tensor::TensorData::new(mask, [64, 20, 32]), &device);
    });
}
