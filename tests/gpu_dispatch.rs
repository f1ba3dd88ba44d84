//! What a GPU training step costs in calls to the device, counted where no
//! GPU is at hand: the WebGPU API's methods are wrapped (in headless
//! Chromium through SwiftShader's WebGPU) and counted over training steps
//! of each size, alone and as a stack of five — kernel dispatches, buffer
//! uploads (`writeBuffer`), reads back (`mapAsync`), queue submissions and
//! buffer copies. Run by `scripts/gpu-dispatch.sh`; it prints the counts
//! (BENCHMARKS.md, "GPU engine: dispatches per step") and asserts only that
//! something was counted.
#![cfg(all(target_arch = "wasm32", feature = "gpu"))]

use opimp::model::{gpu_device, read, tokens_tensor};
use opimp::sequence::SuccessSet;
use opimp::study::size::Size;
use opimp::train::Trainer;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

#[wasm_bindgen(inline_js = r#"
const counts = { dispatches: 0, uploads: 0, reads: 0, submits: 0, copies: 0 };
let wrapped = false;
export function opimp_count_webgpu() {
  if (wrapped) return true;
  if (typeof GPUComputePassEncoder === "undefined") return false;
  const wrap = (proto, name, key) => {
    const f = proto[name];
    if (typeof f !== "function") return;
    proto[name] = function (...args) { counts[key]++; return f.apply(this, args); };
  };
  wrap(GPUComputePassEncoder.prototype, "dispatchWorkgroups", "dispatches");
  wrap(GPUComputePassEncoder.prototype, "dispatchWorkgroupsIndirect", "dispatches");
  wrap(GPUQueue.prototype, "writeBuffer", "uploads");
  wrap(GPUBuffer.prototype, "mapAsync", "reads");
  wrap(GPUQueue.prototype, "submit", "submits");
  wrap(GPUCommandEncoder.prototype, "copyBufferToBuffer", "copies");
  wrapped = true;
  return true;
}
export function opimp_webgpu_counts() {
  return [counts.dispatches, counts.uploads, counts.reads, counts.submits, counts.copies];
}
export function opimp_reset_webgpu_counts() { for (const k in counts) counts[k] = 0; }
"#)]
extern "C" {
    fn opimp_count_webgpu() -> bool;
    fn opimp_webgpu_counts() -> Vec<f64>;
    fn opimp_reset_webgpu_counts();
}

/// Steps counted per case (after one step that compiles the kernels).
const STEPS: usize = 2;

/// The loss read back after every step, as the trainer did before this
/// round (OPIMP_DISPATCH_READ_EACH=1 at build time): the "before" column.
const READ_EACH_STEP: bool = option_env!("OPIMP_DISPATCH_READ_EACH").is_some();

#[wasm_bindgen_test]
async fn count_the_device_calls_of_a_training_step() {
    assert!(opimp_count_webgpu(), "no WebGPU in this worker (headless Chromium needs --enable-unsafe-webgpu)");
    let device = gpu_device().await.expect("a WebGPU device");
    let seq = opimp::sequence::generate(20_000, 3, 0.02);
    let sizes: Vec<Size> = option_env!("OPIMP_DISPATCH_SIZES").unwrap_or("s,xl").split(',').map(|s| Size::parse(s).expect("a size")).collect();
    for size in sizes {
        for members in [1usize, 5] {
            let seeds: Vec<u64> = (0..members as u64).collect();
            let seqs = vec![seq.as_slice(); members];
            let mut t = Trainer::new(&size.shape(), &seeds, &seeds, 0.01, &device);
            // One step compiles the kernels; then the pretraining steps as a
            // run takes them (the loss read back once at the end).
            t.pretrain_step(&seqs, 64, 1e-3).read().await;
            opimp_reset_webgpu_counts();
            let mut last = None;
            for _ in 0..STEPS {
                let losses = t.pretrain_step(&seqs, 64, 1e-3);
                if READ_EACH_STEP {
                    losses.read().await;
                } else {
                    last = Some(losses);
                }
            }
            if let Some(losses) = last {
                losses.read().await;
            }
            let pre = opimp_webgpu_counts();
            // One RL step (its actions are sampled on the CPU: a read each step).
            opimp_reset_webgpu_counts();
            let tasks = vec![SuccessSet::N4; members];
            t.rl_step(&seq, &tasks, 64, 3e-4, 0.02, true, true).await;
            let rl = opimp_webgpu_counts();
            // One forward pass of the evaluation (no dropout, no autodiff)
            // over a batch of 64 windows per member, once compiled: the
            // forward's share of a step.
            let stack = t.stack();
            let windows: Vec<Vec<u8>> = (0..64 * members).map(|i| seq[i * 20..i * 20 + 20].to_vec()).collect();
            let refs: Vec<&Vec<u8>> = windows.iter().collect();
            read(stack.forward(tokens_tensor(&refs, members, &device), None)).await;
            opimp_reset_webgpu_counts();
            read(stack.forward(tokens_tensor(&refs, members, &device), None)).await;
            let forward = opimp_webgpu_counts();
            let per = |c: &[f64], n: f64| c.iter().map(|x| format!("{:.1}", x / n)).collect::<Vec<_>>().join(" ");
            console_log!(
                "DISPATCH size {size} members {members} pretraining step [dispatches uploads reads submits copies]: {} | RL step: {} | evaluation forward: {}",
                per(&pre, STEPS as f64),
                per(&rl, 1.0),
                per(&forward, 1.0)
            );
            assert!(pre[0] > 0.0, "no kernel dispatch was counted");
        }
    }
}
