//! Training steps per model size (batch 64 per member: forward, backward,
//! AdamW), single models against stacks trained as one graph: pretraining
//! (5 seeds stacked, as a size's nets train) and RL with a maintenance step
//! (3 tasks stacked, as a net's RL runs train). Criterion reports the time
//! of a whole step; divide a stack's time by its members for ms per
//! member-step (BENCHMARKS.md).
use criterion::{Criterion, criterion_group, criterion_main};
use opimp::model::cpu_device;
use opimp::sequence::{SuccessSet, generate};
use opimp::study::data::random_windows;
use opimp::study::size::Size;
use opimp::train::Trainer;
use std::time::Duration;

fn steps(c: &mut Criterion) {
    let seq = generate(50_000, 1, 0.02);
    let device = cpu_device();
    let mut group = c.benchmark_group("pretrain step, batch 64 per member");
    group.sample_size(10).measurement_time(Duration::from_secs(8));
    for size in Size::ALL {
        for members in [1usize, 5] {
            let seeds: Vec<u64> = (0..members as u64).collect();
            let mut t = Trainer::new(&size.shape(), &seeds, &seeds, 0.01, &device);
            let seqs = vec![seq.as_slice(); members];
            group.bench_function(format!("{size} x{members}"), |b| b.iter(|| pollster::block_on(t.pretrain_step(&seqs, 64, 1e-3).read())));
        }
    }
    group.finish();
    let mut group = c.benchmark_group("RL + maintenance step, batch 64 per member");
    group.sample_size(10).measurement_time(Duration::from_secs(8));
    for size in Size::ALL {
        for members in [1usize, 3] {
            let seeds: Vec<u64> = (0..members as u64).collect();
            let tasks = vec![SuccessSet::N4; members];
            let mut t = Trainer::new(&size.shape(), &seeds, &seeds, 0.01, &device);
            group.bench_function(format!("{size} x{members}"), |b| {
                b.iter(|| {
                    pollster::block_on(async {
                        t.rl_step(&seq, &tasks, 64, 3e-4, 0.02, true, true).await;
                        let windows: Vec<_> = (0..members).map(|i| random_windows(&seq, 64, Some(0), t.rng(i))).collect();
                        t.maintenance_step(&windows, 3e-5).read().await
                    })
                })
            });
        }
    }
    group.finish();
}

/// The arithmetic ceiling of the same kernels: one 512 x 512 x 512 f32
/// matmul (268 MFLOP); FLOP/s = 2 * 512^3 / time. flex may use a second
/// core: run under `taskset -c 0` for the per-core figure (BENCHMARKS.md).
fn matmul(c: &mut Criterion) {
    use burn::tensor::{Tensor, TensorData};
    let device = cpu_device();
    let n = 512;
    let values: Vec<f32> = (0..n * n).map(|i| ((i * 7919) % 1000) as f32 / 1000.0 - 0.5).collect();
    let a = Tensor::<2>::from_data(TensorData::new(values.clone(), [n, n]), &device);
    let b = Tensor::<2>::from_data(TensorData::new(values, [n, n]), &device);
    let mut group = c.benchmark_group("matmul");
    group.sample_size(20);
    group.bench_function("512x512x512 f32", |bch| bch.iter(|| a.clone().matmul(b.clone()).into_data()));
    group.finish();
}

criterion_group!(benches, steps, matmul);
criterion_main!(benches);
