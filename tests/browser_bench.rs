//! The browser benchmark: milliseconds per training step (batch 64 per
//! member: forward, backward, AdamW) for each model size, single and as a
//! stack, in headless Chromium with simd128, timed after the engine has
//! optimised the code; built with the `gpu` feature, the GPU engine is
//! timed in the same run beside the CPU engine. Run by
//! `scripts/bench-browser.sh`, not by the tests; it prints figures and
//! asserts nothing about time.
//!
//! Under SwiftShader a GPU step of the larger sizes takes seconds, so the
//! whole benchmark outlasts any sensible timeout; a part of it can be
//! chosen when it is built (a wasm test cannot read the environment when
//! it runs): `OPIMP_BENCH_ENGINES` (`cpu,gpu`), `OPIMP_BENCH_MEMBERS`
//! (`1,5`), `OPIMP_BENCH_SIZES` (`s,m,l,xl`), `OPIMP_BENCH_STEPS` (`10`).
#![cfg(target_arch = "wasm32")]

use opimp::study::size::Size;
use opimp::worker::handler::handle;
use opimp::study::protocol::{WorkerInput, WorkerOutput};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

/// What part of the benchmark this build runs.
struct Part {
    engines: Vec<String>,
    members: Vec<usize>,
    sizes: Vec<Size>,
    steps: usize,
}

/// A comma-separated list set when the benchmark was built, or the whole.
fn list(set: Option<&str>, whole: &str) -> Vec<String> {
    set.unwrap_or(whole).split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
}

impl Part {
    fn chosen() -> Result<Part, String> {
        let engines = list(option_env!("OPIMP_BENCH_ENGINES"), "cpu,gpu");
        if let Some(e) = engines.iter().find(|e| !matches!(e.as_str(), "cpu" | "gpu")) {
            return Err(format!("OPIMP_BENCH_ENGINES: {e:?} is not an engine (cpu or gpu)"));
        }
        let members = list(option_env!("OPIMP_BENCH_MEMBERS"), "1,5")
            .iter()
            .map(|m| m.parse::<usize>().ok().filter(|&m| (1..=16).contains(&m)).ok_or(format!("OPIMP_BENCH_MEMBERS: {m:?} is not a width from 1 to 16")))
            .collect::<Result<Vec<_>, _>>()?;
        let sizes = list(option_env!("OPIMP_BENCH_SIZES"), "s,m,l,xl").iter().map(|s| Size::parse(s)).collect::<Result<Vec<_>, _>>()?;
        let steps = option_env!("OPIMP_BENCH_STEPS").unwrap_or("10");
        let steps = steps.parse::<usize>().ok().filter(|&s| (1..=200).contains(&s)).ok_or(format!("OPIMP_BENCH_STEPS: {steps:?} is not a count from 1 to 200"))?;
        Ok(Part { engines, members, sizes, steps })
    }
}

async fn bench(engine: &str, device: &burn::tensor::Device, part: &Part) {
    for &members in &part.members {
        let input = WorkerInput::Bench { sizes: part.sizes.clone(), members, steps: part.steps, batch: 64, warmup: None };
        handle(input, device, &mut |o| {
            if let WorkerOutput::Bench { size, members, ms_per_step, warmup } = o {
                console_log!(
                    "BENCH {engine} size {size} members {members} {ms_per_step:.1} ms/step {:.1} ms/member-step (warm-up {warmup} steps, {} timed)",
                    ms_per_step / members as f64,
                    part.steps
                );
            }
        })
        .await;
    }
}

#[wasm_bindgen_test]
async fn training_step_per_size() {
    let part = Part::chosen().unwrap_or_else(|e| panic!("{e}"));
    if part.engines.iter().any(|e| e == "cpu") {
        bench("cpu", &opimp::model::cpu_device(), &part).await;
    }
    if part.engines.iter().any(|e| e == "gpu") {
        #[cfg(feature = "gpu")]
        match opimp::model::gpu_device().await {
            Ok(device) => bench("gpu", &device, &part).await,
            Err(e) => console_log!("BENCH gpu unavailable: {e}"),
        }
        #[cfg(not(feature = "gpu"))]
        console_log!("BENCH gpu not built (the gpu feature is off)");
    }
}
