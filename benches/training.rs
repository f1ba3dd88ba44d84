//! One training step (batch 64: forward, backward, AdamW update) per model
//! size, on burn's flex and ndarray CPU backends; and one RL step (sampling,
//! reinforcement and a maintenance step) on flex.
use criterion::{Criterion, criterion_group, criterion_main};
use opimp::model::{ModelConfig, SIZES, cpu_device, ndarray_device};
use opimp::sequence::{SuccessSet, generate};
use opimp::train::Trainer;
use std::time::Duration;

fn steps(c: &mut Criterion) {
    let seq = generate(50_000, 1, 0.02);
    let mut group = c.benchmark_group("pretrain step, batch 64");
    group.sample_size(10).measurement_time(Duration::from_secs(8));
    for size in SIZES {
        let cfg = ModelConfig::preset(size).unwrap();
        for (name, device) in [("flex", cpu_device()), ("ndarray", ndarray_device())] {
            let mut t = Trainer::new(&cfg, 1, 0.01, &device);
            group.bench_function(format!("{size} ({} params) {name}", cfg.param_count()), |b| {
                b.iter(|| t.next_token_step(&seq, 64, 1e-3, false))
            });
        }
    }
    group.finish();
    let mut group = c.benchmark_group("RL + maintenance step, batch 64");
    group.sample_size(10).measurement_time(Duration::from_secs(8));
    for size in SIZES {
        let cfg = ModelConfig::preset(size).unwrap();
        let mut t = Trainer::new(&cfg, 1, 0.01, &cpu_device());
        group.bench_function(format!("{size} flex"), |b| {
            b.iter(|| {
                t.rl_step(&seq, SuccessSet::N4, 64, 3e-4, 0.02);
                t.next_token_step(&seq, 64, 3e-5, true)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, steps);
criterion_main!(benches);
