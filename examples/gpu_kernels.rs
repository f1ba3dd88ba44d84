//! The kernels one pretraining step of the GPU engine launches, by name,
//! natively (burn's wgpu backend on Vulkan; where no GPU exists, Mesa's
//! software Vulkan, lavapipe, from Debian's `mesa-vulkan-drivers`). The
//! browser's count (`scripts/gpu-dispatch.sh`) says how many; this says
//! which, so BENCHMARKS.md can say where they go.
//!
//!     cargo run --release --features gpu --example gpu_kernels [size] [members]
//!
//! `OPIMP_FUSION_MAX_BLOCKS` sets burn's fusion search (model/gpu.rs).
//! Prints the total after one step that compiles the kernels, then each
//! kernel's count.

use burn::cubecl::logging::{LaunchObservation, LaunchObserver};
use opimp::study::size::Size;
use opimp::train::Trainer;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// The names of the kernels launched while it is installed.
struct Launches(Mutex<Vec<&'static str>>);

impl LaunchObserver for Launches {
    fn launched(&self, kernel: &'static str) {
        self.0.lock().expect("launch list").push(kernel);
    }
}

/// A kernel's name without its type parameters, except a binary
/// operation's operator (`KernelBinop<AddOp>` → `KernelBinop AddOp`).
fn short(name: &str) -> String {
    let base = name.split('<').next().unwrap_or(name).rsplit("::").next().unwrap_or(name);
    match name.rfind("binary::").map(|i| &name[i + 8..]) {
        Some(rest) if base.contains("Binop") => format!("{base} {}", rest.split(['>', ',']).next().unwrap_or("")),
        _ => base.to_string(),
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let size = args.next().map(|s| Size::parse(&s).unwrap_or_else(|e| panic!("{e}"))).unwrap_or(Size::S);
    let members: usize = args.next().map(|m| m.parse().expect("members: a number")).unwrap_or(5);
    let (device, what) = match opimp::model::gpu_device_native() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let blocks = opimp::model::gpu::fusion_max_blocks();
    println!("{what}; burn's fusion search with max_blocks {blocks}; {size} x{members}");
    let seq = opimp::sequence::generate(20_000, 3, 0.02);
    let seeds: Vec<u64> = (0..members as u64).collect();
    let seqs = vec![seq.as_slice(); members];
    let mut t = Trainer::new(&size.shape(), &seeds, &seeds, 0.01, &device);
    pollster::block_on(t.pretrain_step(&seqs, 64, 1e-3).read());
    let launches = Arc::new(Launches(Mutex::new(Vec::new())));
    {
        let _watch = LaunchObservation::new(launches.clone());
        pollster::block_on(t.pretrain_step(&seqs, 64, 1e-3).read());
    }
    let names = launches.0.lock().expect("launch list");
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for n in names.iter() {
        *counts.entry(short(n)).or_default() += 1;
    }
    let mut counts: Vec<(String, usize)> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    println!("kernels in one pretraining step: {}", names.len());
    for (name, n) in counts {
        println!("{n:>5}  {name}");
    }
}
