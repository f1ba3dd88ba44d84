//! The GPU engine on a real GPU, natively: milliseconds per training step
//! (pretraining, batch 64 per member: forward, backward, AdamW) of each size
//! alone and as a stack of five, on burn's wgpu backend over the machine's
//! native graphics API (Vulkan on Linux), with the CPU engine timed in the
//! same run beside it. The same steps the browser benchmark times in a tab.
//!
//!     cargo bench --features gpu --bench gpu          (scripts/gpu-bench.sh)
//!
//! Needs a GPU and its Vulkan loader (libvulkan1); without an adapter it
//! says so and times the CPU engine alone. Each case warms up (the GPU
//! compiles its kernels on first use) until two rounds of steps agree
//! within 5%, then times `OPIMP_GPU_BENCH_STEPS` steps (10).

use burn::tensor::Device;
use opimp::model::cpu_device;
use opimp::study::size::Size;
use opimp::train::Trainer;
use std::time::Instant;

/// Milliseconds per step of `members` models of `size` on `device`.
fn time(size: Size, members: usize, device: &Device, steps: usize) -> (f64, usize) {
    let seq = opimp::sequence::generate(50_000, 1, 0.02);
    let seeds: Vec<u64> = (0..members as u64).collect();
    let seqs = vec![seq.as_slice(); members];
    let mut t = Trainer::new(&size.shape(), &seeds, &seeds, 0.01, device);
    let mut round = |n: usize| {
        let start = Instant::now();
        for _ in 0..n {
            pollster::block_on(t.pretrain_step(&seqs, 64, 1e-3).read());
        }
        start.elapsed().as_secs_f64() * 1000.0 / n as f64
    };
    let (mut warmup, mut last) = (0, f64::INFINITY);
    loop {
        let per = round(3);
        warmup += 3;
        if (per - last).abs() <= 0.05 * per || warmup >= 60 {
            break;
        }
        last = per;
    }
    (round(steps), warmup)
}

fn main() {
    let steps: usize = std::env::var("OPIMP_GPU_BENCH_STEPS").ok().and_then(|s| s.parse().ok()).unwrap_or(10);
    let gpu = opimp::model::gpu_device_native();
    match &gpu {
        Ok((_, adapter)) => println!("GPU: {adapter}"),
        Err(e) => println!("no GPU here ({e}); timing the CPU engine alone"),
    }
    println!("{:<5} {:>7} {:>14} {:>14} {:>12}", "size", "members", "CPU ms/step", "GPU ms/step", "GPU / CPU");
    for size in Size::ALL {
        for members in [1usize, 5] {
            let (cpu, _) = time(size, members, &cpu_device(), steps);
            let gpu_ms = gpu.as_ref().ok().map(|(d, _)| time(size, members, d, steps).0);
            let (g, r) = match gpu_ms {
                Some(g) => (format!("{g:.1}"), format!("{:.2}", g / cpu)),
                None => ("–".into(), "–".into()),
            };
            println!("{:<5} {:>7} {:>14.1} {:>14} {:>12}", size.name(), members, cpu, g, r);
        }
    }
}
