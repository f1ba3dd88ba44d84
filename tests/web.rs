//! Browser tests (headless Chromium, `wasm-pack test --headless --chrome`):
//! links round-trip, garbage links never break the page, a worker's message
//! handling trains a few steps, and charts render with the expected traces.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use opimp::experiment::{Event, ExperimentConfig, Job, Results};
use opimp::protocol::{WorkerInput, WorkerOutput};
use opimp::rng::Rng;
use opimp::sequence::SuccessSet;
use opimp::share::{self, LabState};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(p).await.unwrap();
}

/// Loads plotly.js (from the npm package the page ships) into the test page.
fn load_plotly() {
    if js_sys::Reflect::has(&js_sys::global(), &"Plotly".into()).unwrap_or(false) {
        return;
    }
    let script = document().create_element("script").unwrap();
    script.set_text_content(Some(include_str!("../node_modules/plotly.js-dist-min/plotly.min.js")));
    document().head().unwrap().append_child(&script).unwrap();
}

fn random_state(rng: &mut Rng) -> LabState {
    let presets = opimp::experiment::PRESETS;
    let mut s = LabState::for_preset(presets[rng.below(presets.len() as u64) as usize]);
    let e = &mut s.experiment;
    let sizes = ["s", "m", "l", "xl"];
    e.sizes = sizes
        .iter()
        .filter(|_| rng.below(2) == 0)
        .map(|x| x.to_string())
        .collect();
    if e.sizes.is_empty() {
        e.sizes = vec!["m".into()];
    }
    e.seeds = (0..1 + rng.below(4)).map(|_| rng.below(1000)).collect();
    e.seeds.dedup();
    let mask = 1 + rng.below(254) as u8;
    e.tasks = vec![SuccessSet::N2, SuccessSet::from_mask(mask).unwrap()];
    e.tasks.dedup();
    e.pretrain.steps = rng.below(5000) as usize;
    e.pretrain.lr = rng.next_f64() * 0.01;
    e.rl.steps = rng.below(3000) as usize;
    e.rl.lr = rng.next_f64() * 1e-3;
    e.eval_histories = 1 + rng.below(800) as usize;
    e.eps = 0.001 + rng.next_f64() * 0.5;
    e.seed = rng.below(1 << 31);
    s.taxonomy.task = SuccessSet::tasks()[rng.below(3) as usize];
    s.taxonomy.success = rng.next_f64();
    s.taxonomy.shape.success_outcomes = 1 + rng.below(s.taxonomy.task.len() as u64) as usize;
    s.taxonomy.shape.failure_outcomes = 1 + rng.below(8 - s.taxonomy.task.len() as u64) as usize;
    s.differential.k = 0.05 + rng.next_f64();
    s.differential.jg = [1.0 + rng.next_f64(), rng.next_f64() - 0.5, 0.25, 2.0 * rng.next_f64()];
    s.differential.sigma = 0.1 + rng.next_f64();
    s
}

#[wasm_bindgen_test]
fn links_round_trip() {
    let mut rng = Rng::new(42);
    for _ in 0..300 {
        let s = random_state(&mut rng);
        if s.experiment.check().is_err() {
            continue;
        }
        let q = share::serialize(&s);
        let (back, notices) = share::parse(&format!("?{q}"));
        assert!(notices.is_empty(), "{q}: {notices:?}");
        assert_eq!(back, s, "{q}");
        // The browser's own URL parser agrees on every parameter.
        let params = web_sys::UrlSearchParams::new_with_str(&q).unwrap();
        for prop in share::PROPS {
            if let Some(v) = params.get(prop.name) {
                assert_eq!(v, (prop.get)(&s), "{} in {q}", prop.name);
            }
        }
    }
}

#[wasm_bindgen_test]
fn garbage_links_never_panic_and_are_named() {
    let mut rng = Rng::new(7);
    let alphabet: Vec<char> = "abcdefghijklmnopqrstuvwxyz0123456789=&%+;,.-_~?#é€ \u{0}".chars().collect();
    for _ in 0..500 {
        let len = rng.below(80) as usize;
        let q: String = (0..len).map(|_| alphabet[rng.below(alphabet.len() as u64) as usize]).collect();
        let (state, notices) = share::parse(&q);
        assert!(state.experiment.check().is_ok(), "{q}");
        for n in &notices {
            assert!(!n.message.is_empty());
        }
    }
    // Each known-bad parameter is named with the value used instead.
    let (s, n) = share::parse("?preset=paper&steps=-4&sizes=tiny&tasks=n9&eps=2&lr=NaN&bogus=1");
    assert_eq!(s.experiment, ExperimentConfig::preset("paper").unwrap());
    for p in ["steps", "sizes", "tasks", "eps", "lr", "bogus"] {
        assert!(n.iter().any(|x| x.param == p), "{p}: {n:?}");
    }
}

#[wasm_bindgen_test]
async fn a_garbage_link_shows_a_notice_in_the_page() {
    let window = web_sys::window().unwrap();
    window
        .history()
        .unwrap()
        .replace_state_with_url(&JsValue::NULL, "", Some("?tax_s=lots&zzz=1"))
        .unwrap();
    let host = document().create_element("div").unwrap();
    host.set_id("app-host");
    document().body().unwrap().append_child(&host).unwrap();
    let handle = leptos::mount::mount_to(host.clone().unchecked_into(), opimp::web::app::App);
    sleep(50).await;
    let notices = document().get_element_by_id("notices").expect("notices shown");
    let text = notices.text_content().unwrap();
    assert!(text.contains("tax_s"), "{text}");
    assert!(text.contains("zzz"), "{text}");
    // The page still works: every section is there.
    for id in ["sequence", "optimization", "taxonomy", "differential", "controls", "status"] {
        assert!(document().get_element_by_id(id).is_some(), "#{id} missing");
    }
    // The address bar was rewritten to a valid link.
    let search = window.location().search().unwrap();
    assert!(search.starts_with("?v=1&preset=quick"), "{search}");
    drop(handle);
    host.remove();
}

#[wasm_bindgen_test]
fn a_worker_trains_a_few_steps() {
    let mut config = ExperimentConfig::preset("quick").unwrap();
    config.pretrain.steps = 6;
    config.pretrain.eval_every = 3;
    config.pretrain.eval_windows = 50;
    config.pretrain.train_tokens = 5_000;
    config.pretrain.test_tokens = 2_000;
    config.rl.steps = 4;
    config.rl.eval_every = 2;
    config.eval_histories = 60;
    let job = Job { size: "s".into(), seed: 3 };
    let input = WorkerInput::Run { run: 9, config: config.clone(), job: job.clone() };
    // Through JSON both ways, as postMessage carries it.
    let mut outputs = Vec::new();
    opimp::web::worker::handle(&input.to_json(), &mut |o| {
        outputs.push(WorkerOutput::from_json(&o.to_json()).unwrap())
    });
    let pretrain_points = outputs
        .iter()
        .filter(|o| matches!(o, WorkerOutput::Event { event: Event::Pretrain(..), .. }))
        .count();
    assert_eq!(pretrain_points, 3); // steps 0, 3, 6
    let models: Vec<_> = outputs
        .iter()
        .filter_map(|o| match o {
            WorkerOutput::Event { run: 9, event: Event::Model(m) } => Some(m.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(models.len(), 1);
    assert_eq!(models[0].params, 18_832);
    assert!(models[0].imp >= models[0].own().imp_min - 1e-12);
    assert_eq!(outputs.last(), Some(&WorkerOutput::Done { run: 9, job: job.clone() }));
    // Determinism in the browser: the same job gives the same model.
    let mut again = Vec::new();
    opimp::web::worker::handle(&input.to_json(), &mut |o| again.push(o));
    let model_again = again.iter().find_map(|o| match o {
        WorkerOutput::Event { event: Event::Model(m), .. } => Some(m.clone()),
        _ => None,
    });
    assert_eq!(model_again, Some(models[0].clone()));
    // The worker hands over the fine-tuned model as a checkpoint; measured
    // again from it (as Import model does), it gives the same numbers.
    let checkpoint = outputs
        .iter()
        .find_map(|o| match o {
            WorkerOutput::Checkpoint { run: 9, job: j, task, checkpoint } if *j == job => {
                assert_eq!(*task, config.tasks[0]);
                Some(checkpoint.clone())
            }
            _ => None,
        })
        .expect("a checkpoint");
    let measure = WorkerInput::Measure { run: 10, config: config.clone(), checkpoint };
    let mut measured = Vec::new();
    opimp::web::worker::handle(&measure.to_json(), &mut |o| measured.push(o));
    let remeasured = measured.iter().find_map(|o| match o {
        WorkerOutput::Event { run: 10, event: Event::Model(m) } => Some(m.clone()),
        _ => None,
    });
    let mut expected = models[0].clone();
    expected.pretrain.clear();
    expected.rl.clear();
    assert_eq!(remeasured.map(|m| *m), Some(*expected));
    // A file that is not a checkpoint is refused with the reason.
    let junk = WorkerInput::Measure {
        run: 11,
        config: config.clone(),
        checkpoint: opimp::protocol::to_base64(b"not a model at all"),
    };
    let mut refused = Vec::new();
    opimp::web::worker::handle(&junk.to_json(), &mut |o| refused.push(o));
    match refused.as_slice() {
        [WorkerOutput::Failed { run: 11, message, .. }] => assert!(message.contains("checkpoint"), "{message}"),
        other => panic!("{other:?}"),
    }
    // Bad input is answered, not a panic.
    let mut bad = Vec::new();
    opimp::web::worker::handle("{\"Run\": 3}", &mut |o| bad.push(o));
    assert!(matches!(bad.as_slice(), [WorkerOutput::Error { .. }]));
}

fn plot_data(id: &str) -> js_sys::Array {
    let el = document().get_element_by_id(id).expect("chart div");
    js_sys::Reflect::get(&el, &"data".into())
        .ok()
        .and_then(|d| d.dyn_into::<js_sys::Array>().ok())
        .expect("plotly drew the chart")
}

#[wasm_bindgen_test]
async fn charts_render_with_the_expected_traces() {
    load_plotly();
    let mut config = ExperimentConfig::preset("quick").unwrap();
    config.eval_histories = 100;
    config.pretrain.test_tokens = 2_000;
    let results = Results::new(config.clone(), &config.data());
    let host = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&host).unwrap();
    let r = results.clone();
    let handle = leptos::mount::mount_to(host.clone().unchecked_into(), move || {
        let r1 = r.clone();
        let r2 = r.clone();
        view! {
            <opimp::web::charts::Chart id="test-op-theory" plot=move || opimp::web::charts::op_theory(&r1)/>
            <opimp::web::charts::Chart id="test-taxonomy" plot=move || {
                let p = opimp::taxonomy::taxonomy(SuccessSet::N6, 0.85, opimp::taxonomy::Shape { success_outcomes: 1, failure_outcomes: 1 });
                opimp::web::charts::taxonomy(&p.future, &p.baseline, SuccessSet::N6)
            }/>
            <opimp::web::charts::Chart id="test-cross" plot=move || opimp::web::charts::cross(&r2, SuccessSet::N4)/>
        }
    });
    sleep(300).await;
    // Three theory curves plus the scripted policies (no models yet).
    let data = plot_data("test-op-theory");
    assert_eq!(data.length(), 4);
    let names: Vec<String> = data
        .iter()
        .map(|t| js_sys::Reflect::get(&t, &"name".into()).unwrap().as_string().unwrap_or_default())
        .collect();
    assert!(names[0].contains("p = 0.25"), "{names:?}");
    assert!(names[3].contains("scripted"), "{names:?}");
    let scripted_y = js_sys::Reflect::get(&data.get(3), &"y".into()).unwrap();
    assert_eq!(js_sys::Array::from(&scripted_y).length() as usize, results.scripted.len());
    // The taxonomy: F and F' as two bar traces over 8 outcomes.
    let bars = plot_data("test-taxonomy");
    assert_eq!(bars.length(), 2);
    let y = js_sys::Array::from(&js_sys::Reflect::get(&bars.get(0), &"y".into()).unwrap());
    assert_eq!(y.length(), 8);
    // Successes concentrated on the first outcome of G (0), failures on
    // the first outcome outside G (3).
    assert!((y.get(0).as_f64().unwrap() - 0.85).abs() < 1e-12);
    assert!((y.get(3).as_f64().unwrap() - 0.15).abs() < 1e-12);
    assert_eq!(y.get(2).as_f64().unwrap(), 0.0);
    // Cross-objective with no models: just the diagonal.
    assert_eq!(plot_data("test-cross").length(), 1);
    drop(handle);
    host.remove();
}
