//! Speed of the exact and Monte Carlo estimators (native).
use criterion::{Criterion, criterion_group, criterion_main};
use opimp::measure::{self, SequenceRule, Table};
use opimp::policy::Scripted;
use opimp::sequence::{SuccessSet, sample_histories};
use std::hint::black_box;

fn estimators(c: &mut Criterion) {
    let histories = sample_histories(10_000, 20, 1, 0.02);
    let model = SequenceRule { eps: 0.02 };
    let g = SuccessSet::N4;
    for (name, policy) in [
        ("greedy", Scripted::Greedy { good: g }),
        ("generator", Scripted::Generator),
        ("random", Scripted::Random { seed: 1 }),
    ] {
        c.bench_function(&format!("exact split-history, 10000 histories, {name}"), |b| {
            b.iter(|| measure::split_history(black_box(&histories), &policy, &model, g))
        });
    }
    let policy = Scripted::Greedy { good: g };
    let table = Table::new(&histories, measure::Policy::actions(&policy, &histories), &model);
    c.bench_function("monte carlo, 200 samples x 10 repeats, greedy", |b| {
        b.iter(|| measure::monte_carlo(black_box(&table), 200, 10, 3))
    });
}

criterion_group!(benches, estimators);
criterion_main!(benches);
