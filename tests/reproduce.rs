//! The results the site ships for the quick preset come out of this
//! browser bit for bit: run by `scripts/test.sh` in headless Chromium and in
//! headless Firefox, in a dedicated worker as the page trains (a long
//! computation there does not stall the browser).
#![cfg(target_arch = "wasm32")]

use opimp::study::config::ExperimentConfig;
use opimp::study::event::Event;
use opimp::study::jobs::{Plan, Widths};
use opimp::study::preset::Preset;
use opimp::study::results::Results;
use opimp::worker::handler::handle;
use opimp::study::protocol::{WorkerInput, WorkerOutput};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

#[wasm_bindgen_test]
async fn the_shipped_quick_preset_reproduces_here() {
    let shipped = Results::from_json(include_str!("../results/quick.json")).expect("results/quick.json");
    let config = shipped.config.clone();
    assert_eq!(config, ExperimentConfig::preset(Preset::Quick), "results/quick.json is not the quick preset's");
    let mut plan = Plan::new(&config, &config.models(), Widths::here());
    let mut models = Vec::new();
    while let Some(h) = plan.next() {
        let pretrained = h.pretrained.map(|p| p.as_ref().clone());
        let mut outputs = Vec::new();
        handle(WorkerInput::Run { run: 1, config: config.clone(), work: h.work, pretrained }, &opimp::model::cpu_device(), &mut |o| outputs.push(o)).await;
        for o in outputs {
            if let WorkerOutput::Event { event, .. } = o {
                plan.on_event(&event);
                if let Event::Model(m) = event {
                    models.push(*m);
                }
            }
        }
        plan.finish(h.id);
    }
    assert_eq!(models, shipped.models, "this browser computes other numbers than the shipped ones (regenerate results/ with scripts/ship-results.py)");
}
