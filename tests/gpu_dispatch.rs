//! What a GPU training step costs in calls to the device, counted where no
//! GPU is at hand: the WebGPU API's methods are wrapped (in headless
//! Chromium through SwiftShader's WebGPU) and counted over training steps
//! of each size, alone and as a stack of five — kernel dispatches, buffer
//! uploads (`writeBuffer`), reads back (`mapAsync`), queue submissions and
//! buffer copies. Run by `scripts/gpu-dispatch.sh`; it prints the counts
//! (BENCHMARKS.md, "GPU engine: dispatches per step") and asserts only that
//! something was counted.
#![cfg(all(target_arch = "wasm32", feature = "gpu"))]

use burn::module::Module;
use burn::optim::{AdamWConfig, GradientsParams};
use burn::tensor::activation::log_softmax;
use burn::tensor::{Device, Tensor, TensorData};
use opimp::model::{Stack, gpu_device, read, tokens_tensor};
use opimp::rng::Rng;
use opimp::sequence::{SuccessSet, VOCAB};
use opimp::study::data::random_windows;
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

/// The sizes counted: OPIMP_DISPATCH_SIZES at build time, s and xl by default.
fn sizes() -> Vec<Size> {
    option_env!("OPIMP_DISPATCH_SIZES").unwrap_or("s,xl").split(',').map(|s| Size::parse(s).expect("a size")).collect()
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
    console_log!("FUSION burn's fusion search with max_blocks {}", opimp::model::gpu::fusion_max_blocks());
    let seq = opimp::sequence::generate(20_000, 3, 0.02);
    for size in sizes() {
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
    // One device a test run (wgpu registers one per page).
    count_a_pretraining_step_by_phase(&device, &seq).await;
}

/// Where a pretraining step's kernels go: the same step as the trainer's
/// (a forward pass with each member's dropout, the members' summed
/// next-token cross-entropy, the backward pass, one AdamW step), written out
/// here with the device's queue flushed between the phases so that each
/// phase's dispatches are counted apart. The flushes end fusion's blocks at
/// the phases' edges, so the three parts sum to about the trainer's step,
/// not exactly; the step with no flush between is printed beside them.
async fn count_a_pretraining_step_by_phase(device: &Device, seq: &[u8]) {
    let ad = device.clone().autodiff();
    for size in sizes() {
        for members in [1usize, 5] {
            let seeds: Vec<u64> = (0..members as u64).collect();
            let mut rngs: Vec<Rng> = seeds.iter().map(|&s| Rng::new(s)).collect();
            let mut stack = Stack::init(&size.shape(), &seeds, device).fork(&ad).train();
            let tensors = burn::module::list_param_ids(&stack).len();
            let mut optim = AdamWConfig::new().with_weight_decay(0.01).with_epsilon(1e-8).init();
            let mut phases = [[0f64; 5]; 4];
            // Step 0 compiles the kernels; steps 1 and 2 are counted.
            for step in 0..1 + STEPS {
                let windows: Vec<_> = rngs.iter_mut().map(|r| random_windows(seq, 64, None, r)).collect();
                let inputs: Vec<&Vec<u8>> = windows.iter().flat_map(|ws: &Vec<(Vec<u8>, u8)>| ws.iter().map(|(w, _)| w)).collect();
                let mut hot = vec![0f32; members * 64 * VOCAB];
                for (i, ws) in windows.iter().enumerate() {
                    for (j, (_, t)) in ws.iter().enumerate() {
                        hot[(i * 64 + j) * VOCAB + *t as usize] = 1.0;
                    }
                }
                let split = step % 2 == 1; // step 1 split by flushes, step 2 whole
                opimp_reset_webgpu_counts();
                let logits = stack.forward(tokens_tensor(&inputs, members, &ad), Some(&mut rngs));
                let weights = Tensor::<3>::from_data(TensorData::new(hot, [members, 64, VOCAB]), &ad);
                let loss = (log_softmax(logits, 2) * weights).sum().neg() / 64.0;
                if split {
                    ad.flush().expect("flush");
                    phases[0] = add(phases[0], opimp_webgpu_counts());
                    opimp_reset_webgpu_counts();
                }
                let grads = GradientsParams::from_grads(loss.backward(), &stack);
                if split {
                    ad.flush().expect("flush");
                    phases[1] = add(phases[1], opimp_webgpu_counts());
                    opimp_reset_webgpu_counts();
                }
                stack = optim.step(1e-3, stack, grads);
                ad.flush().expect("flush");
                let weights_now = stack.valid().weights().await;
                assert!(weights_now[0].iter().all(|w| w.is_finite()), "a weight is not finite");
                if step > 0 {
                    let at = if split { 2 } else { 3 };
                    phases[at] = add(phases[at], opimp_webgpu_counts());
                }
            }
            let f = |c: &[f64; 5]| c.iter().map(|x| format!("{x:.0}")).collect::<Vec<_>>().join(" ");
            console_log!(
                "PHASES size {size} members {members} ({tensors} weights) [dispatches uploads reads submits copies]: forward and loss {} | backward {} | AdamW and reading the weights {} | the same step unsplit {}",
                f(&phases[0]),
                f(&phases[1]),
                f(&phases[2]),
                f(&phases[3])
            );
            assert!(phases[1][0] > 0.0 && phases[2][0] > 0.0, "a phase dispatched nothing");
        }
    }
}

fn add(a: [f64; 5], b: Vec<f64>) -> [f64; 5] {
    std::array::from_fn(|i| a[i] + b[i])
}
