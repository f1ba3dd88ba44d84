//! Fuzzing the doors: random and mutated results files, checkpoints and
//! link queries, each read without a panic — refused with a message or
//! taken in whole. 10,000 cases each by default; `FUZZ_CASES=1000000 cargo
//! test --release --test fuzz` runs longer (README).
#![cfg(not(target_arch = "wasm32"))]

use opimp::lab::link;
use opimp::study::checkpoint;
use opimp::rng::Rng;
use opimp::sequence::SuccessSet;
use opimp::study::config::ExperimentConfig;
use opimp::study::preset::Preset;
use opimp::study::results::Results;
use opimp::study::size::Size;
use serde_json::Value;
use std::panic::{AssertUnwindSafe, catch_unwind};

fn cases() -> usize {
    std::env::var("FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000)
}

/// Byte-level mutations: flips, cuts, insertions, duplications.
fn mutate_bytes(rng: &mut Rng, bytes: &mut Vec<u8>) {
    for _ in 0..1 + rng.below(4) {
        if bytes.is_empty() {
            bytes.push(rng.below(256) as u8);
            continue;
        }
        let i = rng.below(bytes.len() as u64) as usize;
        match rng.below(5) {
            0 => bytes[i] ^= 1 << rng.below(8),
            1 => bytes[i] = rng.below(256) as u8,
            2 => bytes.truncate(i),
            3 => bytes.insert(i, b"{}[],:\"0-9e.\\"[rng.below(13) as usize]),
            _ => {
                let end = (i + 1 + rng.below(16) as usize).min(bytes.len());
                let piece = bytes[i..end].to_vec();
                let at = rng.below(bytes.len() as u64) as usize;
                bytes.splice(at..at, piece);
            }
        }
    }
}

fn random_value(rng: &mut Rng, depth: u32) -> Value {
    match rng.below(if depth > 2 { 6 } else { 8 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.below(2) == 0),
        2 => serde_json::json!(rng.next_u64() as i64),
        3 => serde_json::json!([-1e308, 1e308, -0.0, 0.5, 1e-320, 4294967296.0, 18446744073709551615.0][rng.below(7) as usize]),
        4 => Value::String(["s", "xl", "n4", "0,2", "", "opimp-results", "huge", "é"][rng.below(8) as usize].into()),
        5 => serde_json::json!(rng.below(5000)),
        6 => Value::Array((0..rng.below(4)).map(|_| random_value(rng, depth + 1)).collect()),
        _ => Value::Object((0..rng.below(4)).map(|i| (format!("k{i}"), random_value(rng, depth + 1))).collect()),
    }
}

/// A path-level mutation: walk down a random path, then replace, delete
/// or duplicate there.
fn mutate_json(rng: &mut Rng, v: &mut Value) {
    let descend = rng.below(4) != 0;
    match v {
        Value::Array(a) if descend && !a.is_empty() => {
            let i = rng.below(a.len() as u64) as usize;
            return mutate_json(rng, &mut a[i]);
        }
        Value::Object(o) if descend && !o.is_empty() => {
            let k = o.keys().nth(rng.below(o.len() as u64) as usize).unwrap().clone();
            return mutate_json(rng, o.get_mut(&k).unwrap());
        }
        _ => {}
    }
    match (rng.below(3), &mut *v) {
        (0, Value::Object(o)) if !o.is_empty() => {
            let k = o.keys().nth(rng.below(o.len() as u64) as usize).unwrap().clone();
            o.remove(&k);
        }
        (1, Value::Array(a)) if !a.is_empty() => {
            let x = a[rng.below(a.len() as u64) as usize].clone();
            a.push(x);
        }
        _ => *v = random_value(rng, 0),
    }
}

fn seed_results() -> String {
    let mut c = ExperimentConfig::preset(Preset::Quick);
    c.seeds = vec![0, 1];
    c.eval_histories = 40;
    c.test_tokens = 2_000;
    c.train_tokens = 2_000;
    let r = Results::new(c.clone());
    r.to_json().unwrap()
}

#[test]
fn results_files_never_panic() {
    let good = seed_results();
    let tree: Value = serde_json::from_str(&good).unwrap();
    let mut rng = Rng::new(1);
    let mut taken = 0;
    for case in 0..cases() {
        let text = if case % 2 == 0 {
            let mut v = tree.clone();
            for _ in 0..1 + rng.below(3) {
                mutate_json(&mut rng, &mut v);
            }
            v.to_string()
        } else {
            let mut b = good.clone().into_bytes();
            mutate_bytes(&mut rng, &mut b);
            String::from_utf8_lossy(&b).into_owned()
        };
        let read = catch_unwind(AssertUnwindSafe(|| Results::from_json(&text)));
        match read {
            Ok(Ok(r)) => {
                taken += 1;
                // What is taken in writes back and reads again the same.
                assert_eq!(Results::from_json(&r.to_json().unwrap()).unwrap(), r, "case {case}");
            }
            Ok(Err(e)) => assert!(!e.is_empty() && !e.contains('\n'), "case {case}: {e:?}"),
            Err(_) => panic!("case {case} panicked on {text}"),
        }
    }
    assert!(taken > 0, "some mutations keep the file valid");
}

#[test]
fn checkpoints_never_panic() {
    let shape = Size::S.shape();
    let a = opimp::study::layout::init_weights(&shape, 1);
    let t = checkpoint::TrainedAs { seed: 0, init_seed: 1, task: SuccessSet::N4 };
    let good = checkpoint::write(Size::S, true, "fuzz", Some(t), &[&a, &a]).unwrap();
    // A safetensors file: the header's length (u64), then the header.
    let head = u64::from_le_bytes(good[..8].try_into().unwrap()) as usize + 8;
    let mut rng = Rng::new(2);
    for case in 0..cases() {
        let mut b = good.clone();
        if case % 2 == 0 {
            // Mutate the header (where the structure is), keep the weights.
            let mut h = b[..head].to_vec();
            mutate_bytes(&mut rng, &mut h);
            b.splice(..head, h);
        } else {
            mutate_bytes(&mut rng, &mut b);
        }
        match catch_unwind(AssertUnwindSafe(|| checkpoint::read(&b))) {
            Ok(Ok((h, records))) => assert!(records.iter().all(|r| r.len() == h.shape.param_count())),
            Ok(Err(e)) => assert!(!e.is_empty()),
            Err(_) => panic!("case {case} panicked"),
        }
    }
}

#[test]
fn link_queries_never_panic() {
    let alphabet: Vec<char> = "abcdefghijklmnopqrstuvwxyz0123456789=&%+;,.-_~?#é€ \u{0}".chars().collect();
    let names: Vec<&str> = link::props().map(|p| p.name()).collect();
    let good = link::serialize(&link::LabState::for_preset(Preset::Paper));
    let mut rng = Rng::new(3);
    for case in 0..cases() {
        let q = match case % 3 {
            0 => (0..rng.below(120)).map(|_| alphabet[rng.below(alphabet.len() as u64) as usize]).collect::<String>(),
            1 => (0..1 + rng.below(6))
                .map(|_| {
                    let v: String = (0..rng.below(12)).map(|_| alphabet[rng.below(alphabet.len() as u64) as usize]).collect();
                    format!("{}={v}", names[rng.below(names.len() as u64) as usize])
                })
                .collect::<Vec<_>>()
                .join("&"),
            _ => {
                let mut b = good.clone().into_bytes();
                mutate_bytes(&mut rng, &mut b);
                String::from_utf8_lossy(&b).into_owned()
            }
        };
        let (state, notices) = catch_unwind(AssertUnwindSafe(|| link::parse(&q))).unwrap_or_else(|_| panic!("case {case} panicked on {q:?}"));
        assert!(state.experiment.check().is_ok(), "case {case}: {q:?}");
        assert!(notices.iter().all(|n| !n.message.is_empty()));
        // The link the page would write reads back to the same state.
        let (again, n2) = link::parse(&link::serialize(&state));
        assert!(n2.is_empty(), "case {case}: {q:?} -> {n2:?}");
        assert_eq!(again, state, "case {case}: {q:?}");
    }
}
