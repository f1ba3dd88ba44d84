//! The GPU engine against the CPU engine, in headless Chromium through
//! SwiftShader's WebGPU (a CPU emulation of a GPU: right for correctness,
//! meaningless for speed). Run by `scripts/test.sh` with the `gpu` feature
//! in a dedicated worker, as the page's GPU worker runs:
//!
//! - each size's forward pass on the same weights gives the CPU's logits
//!   within 1e-5 (the largest difference over the largest logit; measured
//!   2e-7 to 4e-7, and one weight changed by 1% moves it to 2e-5 to 4e-5,
//!   which 1e-5 catches and the 1e-4 first asked for would not);
//! - one pretraining step (AdamW, learning rate 1e-3) from the same
//!   weights and batch moves the weights as the CPU's step does: the two
//!   steps differ by at most [`STEP_L2`] of the step's length, and no
//!   weight's by more than [`STEP_MAX`] of the learning rate. (AdamW's first
//!   step moves each weight by about the learning rate times the sign of
//!   its gradient, so a gradient within rounding of zero may go either
//!   way: exact agreement is not to be had, even in principle.)
//! - the quick preset trained end to end on the GPU gives the shipped
//!   success within 0.03 and the shipped Op within 0.02 nats. Under
//!   SwiftShader this takes longer than CI's 15 minutes for the browser
//!   tests, so it is ignored there and run by `scripts/gpu-quick.sh`.
#![cfg(all(target_arch = "wasm32", feature = "gpu"))]

use burn::tensor::Device;
use opimp::model::{Stack, cpu_device, gpu_device};
use opimp::study::config::ExperimentConfig;
use opimp::study::engine::{NEAR_OP, NEAR_SUCCESS};
use opimp::study::event::Event;
use opimp::study::jobs::{Plan, Widths};
use opimp::study::layout::init_weights;
use opimp::study::preset::Preset;
use opimp::study::results::Results;
use opimp::study::size::Size;
use opimp::train::Trainer;
use opimp::clock::now_ms;
use opimp::worker::handler::handle;
use opimp::study::protocol::{WorkerInput, WorkerOutput};
use std::cell::RefCell;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

/// See the module's documentation.
const STEP_L2: f64 = 5e-3;
/// See the module's documentation.
const STEP_MAX: f64 = 0.25;

thread_local! {
    static GPU: RefCell<Option<Device>> = const { RefCell::new(None) };
}

/// The GPU device, made once (burn's wgpu runtime initialises once).
async fn gpu() -> Device {
    if let Some(d) = GPU.with(|g| g.borrow().clone()) {
        return d;
    }
    let d = gpu_device().await.expect("a WebGPU device (headless Chromium needs --enable-unsafe-webgpu; see webdriver.json)");
    GPU.with(|g| *g.borrow_mut() = Some(d.clone()));
    d
}

/// The largest difference over the largest magnitude.
fn relative(cpu: &[f32], gpu: &[f32]) -> f64 {
    assert_eq!(cpu.len(), gpu.len());
    let scale = cpu.iter().fold(0.0f64, |m, &x| m.max((x as f64).abs())).max(1e-12);
    cpu.iter().zip(gpu).map(|(&a, &b)| (a as f64 - b as f64).abs()).fold(0.0, f64::max) / scale
}

#[wasm_bindgen_test]
async fn each_size_computes_the_cpu_logits_on_the_gpu() {
    let device = gpu().await;
    let windows: Vec<Vec<u8>> = (0..64).map(|i| opimp::sequence::generate(20, 100 + i, 0.02)).collect();
    for size in Size::ALL {
        let shape = size.shape();
        let w = init_weights(&shape, 7);
        let on_cpu = Stack::from_members(&shape, &[&w], &cpu_device()).logits(&windows, &cpu_device()).await;
        let on_gpu = Stack::from_members(&shape, &[&w], &device).logits(&windows, &device).await;
        let flat = |l: &Vec<Vec<[f32; 16]>>| l.iter().flatten().flatten().copied().collect::<Vec<f32>>();
        let rel = relative(&flat(&on_cpu), &flat(&on_gpu));
        web_sys::console::log_1(&format!("GPU-FORWARD {size} relative difference {rel:.2e}").into());
        assert!(rel <= 1e-5, "size {size}: the GPU's logits differ from the CPU's by {rel:.2e} of the largest");
    }
}

#[wasm_bindgen_test]
async fn one_training_step_on_the_gpu_lands_where_the_cpu_step_does() {
    let device = gpu().await;
    let seq = opimp::sequence::generate(20_000, 3, 0.02);
    for size in [Size::S, Size::Xl] {
        let shape = size.shape();
        let mut on_cpu = Trainer::new(&shape, &[1, 2], &[5, 6], 0.01, &cpu_device());
        let mut on_gpu = Trainer::new(&shape, &[1, 2], &[5, 6], 0.01, &device);
        let loss_cpu = on_cpu.pretrain_step(&[seq.as_slice(); 2], 64, 1e-3).read().await;
        let loss_gpu = on_gpu.pretrain_step(&[seq.as_slice(); 2], 64, 1e-3).read().await;
        let (wc, wg) = (on_cpu.stack().weights().await, on_gpu.stack().weights().await);
        for m in 0..2 {
            let before = init_weights(&shape, m as u64 + 1);
            // The step itself on each engine, and how far apart they land.
            let step_cpu: Vec<f64> = wc[m].iter().zip(&before).map(|(a, b)| (a - b) as f64).collect();
            let apart: Vec<f64> = wc[m].iter().zip(&wg[m]).map(|(a, b)| (a - b) as f64).collect();
            let norm = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
            let rel = norm(&apart) / norm(&step_cpu);
            let largest = apart.iter().fold(0.0f64, |x, y| x.max(y.abs())) / 1e-3;
            web_sys::console::log_1(
                &format!(
                    "GPU-STEP {size} member {m}: loss {:.6} vs {:.6}; the engines' steps differ by {rel:.2e} of the step (L2), at most {largest:.3} of the learning rate in one weight",
                    loss_cpu[m], loss_gpu[m]
                )
                .into(),
            );
            assert!((loss_cpu[m] - loss_gpu[m]).abs() <= 1e-4 * loss_cpu[m].abs(), "size {size}: loss {} vs {}", loss_cpu[m], loss_gpu[m]);
            assert!(rel <= STEP_L2, "size {size} member {m}: the GPU's step differs from the CPU's by {rel:.2e} of the step");
            assert!(largest <= STEP_MAX, "size {size} member {m}: one weight's step differs by {largest:.3} of the learning rate");
        }
    }
}

#[wasm_bindgen_test]
#[ignore = "over 15 minutes under SwiftShader: scripts/gpu-quick.sh runs it"]
async fn the_quick_preset_trained_on_the_gpu_is_near_the_shipped_numbers() {
    let device = gpu().await;
    let shipped = Results::from_json(include_str!("../results/quick.json")).expect("results/quick.json");
    let config = shipped.config.clone();
    assert_eq!(config, ExperimentConfig::preset(Preset::Quick));
    let start = now_ms();
    let mut plan = Plan::new(&config, &config.models(), Widths::GPU);
    let mut models = Vec::new();
    while let Some(h) = plan.next() {
        let pretrained = h.pretrained.map(|p| p.as_ref().clone());
        let mut outputs = Vec::new();
        web_sys::console::log_1(&format!("GPU-QUICK {} starts at {:.0} s", h.work, (now_ms() - start) / 1000.0).into());
        handle(WorkerInput::Run { run: 1, config: config.clone(), work: h.work, pretrained }, &device, &mut |o| outputs.push(o)).await;
        for o in outputs {
            match o {
                WorkerOutput::Event { event, .. } => {
                    plan.on_event(&event);
                    if let Event::Model(m) = event {
                        models.push(*m);
                    }
                }
                WorkerOutput::Failed { message, .. } => panic!("the GPU engine failed: {message}"),
                _ => {}
            }
        }
        plan.finish(h.id);
    }
    assert_eq!(models.len(), shipped.models.len());
    for m in &models {
        let s = shipped.model(m.key).expect("a shipped model");
        let (ds, dop) = ((m.own().success - s.own().success).abs(), (m.op - s.op).abs());
        web_sys::console::log_1(
            &format!(
                "GPU-QUICK {}: success {:.4} (shipped {:.4}), Op {:.4} (shipped {:.4}), trained in {:.0} s",
                m.key,
                m.own().success,
                s.own().success,
                m.op,
                s.op,
                (now_ms() - start) / 1000.0
            )
            .into(),
        );
        assert!(ds <= NEAR_SUCCESS, "{}: success {} vs shipped {}", m.key, m.own().success, s.own().success);
        assert!(dop <= NEAR_OP, "{}: Op {} vs shipped {}", m.key, m.op, s.op);
    }
}
