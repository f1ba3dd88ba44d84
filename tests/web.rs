//! Browser tests (headless Chromium, `wasm-pack test --headless --chrome`):
//! links agree with the browser's own parser, garbage links never break the
//! page, the worker's handler trains and measures in wasm, charts render
//! with the expected traces, and storage keeps results and checkpoints.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use opimp::lab::link::{self, LabState, props};
use opimp::lab::store::{ExperimentId, StoreAnswer, StoreRequest};
use std::sync::Arc;
use opimp::rng::Rng;
use opimp::sequence::SuccessSet;
use opimp::study::config::ExperimentConfig;
use opimp::study::event::Event;
use opimp::study::jobs::{Plan, Widths, Work};
use opimp::study::preset::Preset;
use opimp::study::results::Results;
use opimp::study::size::Size;
use opimp::worker::handler::handle;
use opimp::study::protocol::{WorkerInput, WorkerOutput};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms).unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(p).await.unwrap();
}

/// Loads plotly.js (the basic bundle the page ships) into the test page.
fn load_plotly() {
    if js_sys::Reflect::has(&js_sys::global(), &"Plotly".into()).unwrap_or(false) {
        return;
    }
    let script = document().create_element("script").unwrap();
    script.set_text_content(Some(include_str!("../node_modules/plotly.js-basic-dist-min/plotly-basic.min.js")));
    document().head().unwrap().append_child(&script).unwrap();
}

fn random_state(rng: &mut Rng) -> LabState {
    let mut s = LabState::for_preset(Preset::ALL[rng.below(Preset::ALL.len() as u64) as usize]);
    let e = &mut s.experiment;
    e.sizes = Size::ALL.into_iter().filter(|_| rng.below(2) == 0).collect();
    if e.sizes.is_empty() {
        e.sizes = vec![Size::M];
    }
    e.seeds = (0..1 + rng.below(4)).map(|_| rng.below(1000)).collect();
    e.seeds.sort();
    e.seeds.dedup();
    let mask = 1 + rng.below(254) as u8;
    e.tasks = vec![SuccessSet::N2, SuccessSet::from_mask(mask).unwrap()];
    e.tasks.dedup();
    e.steps = rng.below(5000) as usize;
    e.lr = rng.next_f64() * 0.01;
    e.rl_steps = rng.below(3000) as usize;
    e.rl_lr = rng.next_f64() * 1e-3;
    e.maintenance_every = rng.below(5) as usize;
    e.sample_dropout = rng.below(2) == 0;
    e.eval_histories = 1 + rng.below(800) as usize;
    e.eps = 0.001 + rng.next_f64() * 0.5;
    e.data_seed = rng.below(1 << 31);
    s.taxonomy.task = SuccessSet::tasks()[rng.below(3) as usize];
    s.taxonomy.success = rng.next_f64();
    s.taxonomy.shape.success_outcomes = 1 + rng.below(s.taxonomy.task.len() as u64) as usize;
    s.taxonomy.shape.failure_outcomes = 1 + rng.below(8 - s.taxonomy.task.len() as u64) as usize;
    s.differential.k = 0.05 + rng.next_f64();
    s.view.guide = rng.below(2) == 0;
    s
}

#[wasm_bindgen_test]
fn links_agree_with_the_browsers_parser() {
    let mut rng = Rng::new(42);
    for _ in 0..200 {
        let s = random_state(&mut rng);
        if s.experiment.check().is_err() {
            continue;
        }
        let q = link::serialize(&s);
        let (back, notices) = link::parse(&format!("?{q}"));
        assert!(notices.is_empty(), "{q}: {notices:?}");
        assert_eq!(back, s, "{q}");
        let params = web_sys::UrlSearchParams::new_with_str(&q).unwrap();
        for p in props() {
            if let Some(v) = params.get(p.name()) {
                assert_eq!(v, p.read_text(&s), "{} in {q}", p.name());
            }
        }
    }
}

#[wasm_bindgen_test]
async fn a_garbage_link_shows_a_notice_in_the_page() {
    let window = web_sys::window().unwrap();
    window.history().unwrap().replace_state_with_url(&JsValue::NULL, "", Some("?tax_s=lots&zzz=1&hide=bogus")).unwrap();
    let host = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&host).unwrap();
    let handle = leptos::mount::mount_to(host.clone().unchecked_into(), opimp::web::app::App);
    sleep(100).await;
    let text = document().get_element_by_id("notices").expect("notices shown").text_content().unwrap();
    for p in ["tax_s", "zzz", "hide"] {
        assert!(text.contains(p), "{text}");
    }
    for id in ["sequence", "optimization", "scaling", "claims", "taxonomy", "differential", "controls", "status"] {
        assert!(document().get_element_by_id(id).is_some(), "#{id} missing");
    }
    // Every input in the page is labelled.
    let inputs = document().query_selector_all("#controls input, #controls select").unwrap();
    for i in 0..inputs.length() {
        let el: web_sys::Element = inputs.get(i).unwrap().unchecked_into();
        let id = el.id();
        let labelled = el.has_attribute("aria-label")
            || (!id.is_empty() && document().query_selector(&format!("label[for='{id}']")).unwrap().is_some())
            || el.closest("label").unwrap().is_some();
        assert!(labelled, "an input without a label: {}", el.outer_html());
    }
    assert!(window.location().search().unwrap().starts_with("?v=2&preset=quick"));
    drop(handle);
    host.remove();
}

/// Runs every work of a tiny experiment through the worker's handler, as
/// the page would (pretrained nets carried into the RL works).
async fn run_through_handler(config: &ExperimentConfig) -> Vec<Event> {
    let mut plan = Plan::new(config, &config.models(), Widths::here());
    let mut events = Vec::new();
    while let Some(h) = plan.next() {
        let pretrained = h.pretrained.map(|p| p.as_ref().clone());
        let input = WorkerInput::Run { run: 9, config: config.clone(), work: h.work, pretrained };
        let mut outputs = Vec::new();
        // Through the envelope both ways, as postMessage carries it.
        handle(WorkerInput::decode(input.encode()).unwrap(), &opimp::model::cpu_device(), &mut |o| outputs.push(WorkerOutput::decode(o.encode()).unwrap())).await;
        assert_eq!(outputs.last(), Some(&WorkerOutput::Done { run: 9 }), "{outputs:?}");
        for o in outputs {
            if let WorkerOutput::Event { event, .. } = o {
                plan.on_event(&event);
                events.push(event);
            }
        }
        plan.finish(h.id);
    }
    events
}

#[wasm_bindgen_test]
async fn the_worker_trains_and_measures_in_wasm() {
    let mut config = ExperimentConfig::preset(Preset::Quick);
    config.seeds = vec![0, 1];
    config.steps = 6;
    config.eval_every = 3;
    config.eval_windows = 50;
    config.train_tokens = 5_000;
    config.test_tokens = 2_000;
    config.rl_steps = 4;
    config.rl_eval_every = 2;
    config.eval_histories = 60;
    let events = run_through_handler(&config).await;
    let models: Vec<_> = events.iter().filter_map(|e| if let Event::Model(m) = e { Some(m.clone()) } else { None }).collect();
    assert_eq!(models.len(), 2);
    assert!(models.iter().all(|m| m.params == 18_832 && m.imp >= m.own().imp_min - 1e-12));
    // Determinism in the browser: the same work gives the same numbers
    // (step reports are sent by time, so they are left out).
    let numbers = |es: Vec<Event>| es.into_iter().filter(|e| !matches!(e, Event::Step { .. })).collect::<Vec<_>>();
    assert_eq!(numbers(run_through_handler(&config).await), numbers(events.clone()));
    // A kept checkpoint measured again gives the same numbers.
    let (key, checkpoint) = events.iter().find_map(|e| if let Event::Trained { key, checkpoint } = e { Some((*key, checkpoint.clone())) } else { None }).unwrap();
    let mut measured = Vec::new();
    handle(WorkerInput::Measure { run: 10, config: config.clone(), checkpoint }, &opimp::model::cpu_device(), &mut |o| measured.push(o)).await;
    let again = measured.iter().find_map(|o| if let WorkerOutput::Event { event: Event::Model(m), .. } = o { Some(m.clone()) } else { None });
    assert_eq!(again.as_deref(), models.iter().find(|m| m.key == key).map(|m| m.as_ref()));
    // A file that is not a checkpoint is refused with the reason.
    let mut refused = Vec::new();
    handle(WorkerInput::Measure { run: 11, config: config.clone(), checkpoint: b"not a model".to_vec() }, &opimp::model::cpu_device(), &mut |o| refused.push(o)).await;
    match refused.as_slice() {
        [WorkerOutput::Failed { run: 11, message }] => assert!(message.contains("checkpoint"), "{message}"),
        other => panic!("{other:?}"),
    }
    // An RL work whose pretrained net is junk fails, saying so.
    let mut failed = Vec::new();
    let junk = WorkerInput::Run {
        run: 12,
        config,
        work: Work::Rl { net: opimp::study::key::NetKey { size: Size::S, seed: 0 }, tasks: vec![SuccessSet::N4] },
        pretrained: Some(b"junk".to_vec()),
    };
    handle(junk, &opimp::model::cpu_device(), &mut |o| failed.push(o)).await;
    assert!(matches!(failed.last(), Some(WorkerOutput::Failed { run: 12, .. })), "{failed:?}");
}

fn plot_data(id: &str) -> js_sys::Array {
    let el = document().get_element_by_id(id).expect("chart div");
    js_sys::Reflect::get(&el, &"data".into()).ok().and_then(|d| d.dyn_into::<js_sys::Array>().ok()).expect("plotly drew the chart")
}

#[wasm_bindgen_test]
async fn charts_render_with_the_expected_traces() {
    load_plotly();
    let mut config = ExperimentConfig::preset(Preset::Quick);
    config.eval_histories = 100;
    config.test_tokens = 2_000;
    let results = Results::new(config.clone());
    let host = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&host).unwrap();
    let (r1, r2) = (results.clone(), results.clone());
    let handle = leptos::mount::mount_to(host.clone().unchecked_into(), move || {
        let (r1, r2) = (r1.clone(), r2.clone());
        view! {
            <opimp::web::charts::Chart id="test-op-theory" label="theory" figure=move || opimp::figures::measures::op_theory(&r1)/>
            <opimp::web::charts::Chart id="test-taxonomy" label="taxonomy" figure=move || {
                let p = opimp::taxonomy::taxonomy(SuccessSet::N6, 0.85, opimp::taxonomy::Shape { success_outcomes: 1, failure_outcomes: 1 });
                opimp::figures::toys::taxonomy(&p.future, &p.baseline, None, SuccessSet::N6)
            }/>
            <opimp::web::charts::Chart id="test-cross" label="cross" figure=move || opimp::figures::measures::cross(&r2, SuccessSet::N4)/>
        }
    });
    sleep(500).await;
    // No models yet: the scripted policies alone.
    let data = plot_data("test-op-theory");
    assert_eq!(data.length(), 1);
    let names: Vec<String> =
        data.iter().map(|t| js_sys::Reflect::get(&t, &"name".into()).unwrap().as_string().unwrap_or_default()).collect();
    assert!(names[0].contains("scripted"), "{names:?}");
    // Its data table has a row per scripted policy.
    let rows = document().query_selector_all("#test-op-theory-data tbody tr").unwrap();
    assert_eq!(rows.length() as usize, results.scripted.len());
    let bars = plot_data("test-taxonomy");
    assert_eq!(bars.length(), 2);
    let y = js_sys::Array::from(&js_sys::Reflect::get(&bars.get(0), &"y".into()).unwrap());
    assert!((y.get(0).as_f64().unwrap() - 0.85).abs() < 1e-12);
    assert!((y.get(3).as_f64().unwrap() - 0.15).abs() < 1e-12);
    assert_eq!(plot_data("test-cross").length(), 1);
    drop(handle);
    host.remove();
}

async fn store(req: StoreRequest) -> StoreAnswer {
    opimp::web::storage::run(req).await
}

#[wasm_bindgen_test]
async fn storage_keeps_results_and_each_experiments_checkpoints_apart() {
    assert_eq!(store(StoreRequest::Open).await, StoreAnswer::Opened(Ok(())));
    assert_eq!(store(StoreRequest::Clear).await, StoreAnswer::Cleared(Ok(())));
    let mut config = ExperimentConfig::preset(Preset::Quick);
    config.eval_histories = 40;
    config.test_tokens = 2_000;
    let mut other = config.clone();
    other.rl_steps = 7;
    let results = Results::new(config.clone());
    let (id, other_id) = (ExperimentId::of(&config), ExperimentId::of(&other));
    let json = Arc::new(results.to_json().unwrap());
    assert_eq!(store(StoreRequest::SaveResults(id.clone(), json.clone())).await, StoreAnswer::ResultsSaved(id.clone(), json, Ok(())));
    let key = config.models()[0];
    for (i, e) in [&id, &other_id].into_iter().enumerate() {
        let bytes = Arc::new(vec![i as u8 + 1; 3]);
        let a = store(StoreRequest::SaveCheckpoint(e.clone(), key, bytes.clone())).await;
        assert_eq!(a, StoreAnswer::CheckpointSaved(e.clone(), key, bytes, Ok(())));
    }
    match store(StoreRequest::LoadLibrary).await {
        StoreAnswer::Library { results: r, mut checkpoints, error: None } => {
            assert_eq!(r, vec![(id.clone(), Ok(results))]);
            checkpoints.sort();
            let mut want = vec![(id.clone(), key), (other_id.clone(), key)];
            want.sort();
            assert_eq!(checkpoints, want);
        }
        other => panic!("{other:?}"),
    }
    // One experiment's checkpoints are read, and given up, alone.
    assert_eq!(store(StoreRequest::LoadCheckpoints(id.clone(), config.clone())).await, StoreAnswer::Checkpoints(id.clone(), Ok(vec![(key, vec![1; 3])])));
    assert_eq!(store(StoreRequest::DropCheckpoints(id.clone())).await, StoreAnswer::Dropped(id.clone(), Ok(())));
    assert_eq!(store(StoreRequest::LoadCheckpoints(id.clone(), config.clone())).await, StoreAnswer::Checkpoints(id, Ok(vec![])));
    assert_eq!(store(StoreRequest::LoadCheckpoints(other_id.clone(), other.clone())).await, StoreAnswer::Checkpoints(other_id, Ok(vec![(key, vec![2; 3])])));
    assert_eq!(store(StoreRequest::Clear).await, StoreAnswer::Cleared(Ok(())));
    match store(StoreRequest::LoadLibrary).await {
        StoreAnswer::Library { results, checkpoints, error: None } => assert!(results.is_empty() && checkpoints.is_empty()),
        other => panic!("{other:?}"),
    }
}

#[wasm_bindgen_test]
async fn storage_holds_the_paper_presets_sixty_checkpoints() {
    // The paper preset keeps 60 fine-tuned models, each stored with the
    // pretrained net it started from: two f32 weight records per model,
    // about 76 MB in all. Every one must be there when the page reads the
    // store again (as it does after a reload).
    assert_eq!(store(StoreRequest::Open).await, StoreAnswer::Opened(Ok(())));
    let config = ExperimentConfig::preset(Preset::Paper);
    let id = ExperimentId::of(&config);
    let keys = config.models();
    assert_eq!(keys.len(), 60);
    assert_eq!(store(StoreRequest::Clear).await, StoreAnswer::Cleared(Ok(())));
    let mut total = 0usize;
    for (i, &key) in keys.iter().enumerate() {
        let bytes = Arc::new(vec![i as u8; 2 * 4 * key.size.params() + 200]);
        total += bytes.len();
        match store(StoreRequest::SaveCheckpoint(id.clone(), key, bytes)).await {
            StoreAnswer::CheckpointSaved(_, _, _, Ok(())) => {}
            other => panic!("{key}: {other:?}"),
        }
    }
    assert!(total > 70_000_000, "{total} bytes");
    let kept = match store(StoreRequest::LoadCheckpoints(id, config.clone())).await {
        StoreAnswer::Checkpoints(_, Ok(list)) => list,
        other => panic!("{other:?}"),
    };
    assert_eq!(kept.len(), 60);
    for (key, bytes) in kept {
        let i = keys.iter().position(|k| *k == key).expect("one of the preset's models");
        assert_eq!(bytes.len(), 2 * 4 * key.size.params() + 200, "{key}");
        assert!(bytes.iter().all(|b| *b == i as u8), "{key}");
    }
    assert_eq!(store(StoreRequest::Clear).await, StoreAnswer::Cleared(Ok(())));
}

#[wasm_bindgen_test]
async fn steps_and_curve_points_redraw_nothing_until_the_clock_ticks() {
    use opimp::lab::page::Page;
    use opimp::lab::update::Msg;
    use opimp::study::curves::PretrainPoint;
    use opimp::study::key::NetKey;
    use opimp::web::shell::Lab;
    use std::sync::atomic::{AtomicU32, Ordering};
    let lab = Lab::new(Page::new(LabState::for_preset(Preset::Quick), Vec::new(), 1, opimp::clock::now_ms()));
    // A view of the page that counts its redraws.
    let redraws = Arc::new(AtomicU32::new(0));
    let counted = redraws.clone();
    let host = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&host).unwrap();
    let handle = leptos::mount::mount_to(host.clone().unchecked_into(), move || {
        let counted = counted.clone();
        view! { <p>{move || { counted.fetch_add(1, Ordering::SeqCst); lab.with(|p| p.status.to_string()) }}</p> }
    });
    sleep(50).await;
    let drawn = redraws.load(Ordering::SeqCst);
    assert_eq!(drawn, 1, "drawn once when mounted");
    let event = |event| Msg::Worker(0, WorkerOutput::Event { run: 0, event });
    for step in 0..20 {
        lab.send(event(Event::Step { step, total: 100, value: 0.5 }));
    }
    let point = PretrainPoint { step: 10, train_loss: 1.0, train_acc: 0.5, test_loss: 1.0, test_acc: 0.5 };
    lab.send(event(Event::PretrainPoint { net: NetKey { size: Size::S, seed: 0 }, point }));
    sleep(50).await;
    assert_eq!(redraws.load(Ordering::SeqCst), drawn, "a step or a curve point alone redraws nothing");
    lab.send(Msg::Tick);
    sleep(50).await;
    assert_eq!(redraws.load(Ordering::SeqCst), drawn + 1, "the clock's tick redraws");
    lab.send(Msg::Say("a message".into()));
    sleep(50).await;
    assert_eq!(redraws.load(Ordering::SeqCst), drawn + 2, "anything else redraws at once");
    drop(handle);
    host.remove();
}

#[wasm_bindgen_test]
async fn a_tick_that_changes_nothing_draws_no_element_again() {
    use opimp::web::shell::readers;
    // The whole page, settled, then watched over three ticks of its clock: a
    // change of the page's state that changes nothing shown must change
    // nothing in the document: no element added, no attribute set, no text
    // written (the sequence strip, live by design, aside). An element drawn
    // again with a reactive attribute is a new subscriber of the page, and
    // leptos keeps the dropped one in the page's list, so each change cost
    // more than the last (BENCHMARKS "Responsiveness").
    //
    // A closure over the whole page can also draw the same elements again in
    // place (leptos patches them, so the document does not change) while
    // leaving subscribers behind: the inside section's model options before
    // the fix did. So the page's readers are watched too: over the next
    // three ticks no new computation may read the whole page, only the ones
    // of the three before, again.
    //
    // Settled: every worker given up on (here the workers cannot load their
    // scripts; each failure is a message, a real change, and on a loaded
    // machine the last one came more than 3 s after mounting, which failed
    // this test in CI), then nothing changed for three ticks in a row. A
    // page that changes at every tick never settles; after a minute it is
    // watched anyway, and fails.
    let window = web_sys::window().unwrap();
    window.history().unwrap().replace_state_with_url(&JsValue::NULL, "", Some("?preset=quick")).unwrap();
    let host = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&host).unwrap();
    let watch = js_sys::Function::new_with_args(
        "host",
        "window.__added = []; window.__lastAdded = performance.now(); \
         const where = t => { const e = t.nodeType === 1 ? t : t.parentElement; return ((e && e.closest('[id]')) || {}).id + ' ' + (e ? e.tagName : '?'); }; \
         window.__watch = new MutationObserver(rs => { for (const r of rs) { \
           let what = null; \
           if (r.type === 'childList') { const n = [...r.addedNodes].find(n => n.nodeType === 1); if (n) what = '> ' + n.tagName + ': ' + n.textContent.slice(0, 60); } \
           else if (r.type === 'attributes') what = '@' + r.attributeName; \
           else if (r.type === 'characterData') what = 'text: ' + r.target.data.slice(0, 60); \
           const e = r.target.nodeType === 1 ? r.target : r.target.parentElement; \
           if (e && e.closest('#strip, #strip-explain')) what = null; \
           if (what) { window.__lastAdded = performance.now(); window.__added.push(where(r.target) + ' ' + what); } } }); \
         window.__watch.observe(host, {childList: true, subtree: true, attributes: true, characterData: true});",
    );
    watch.call1(&JsValue::NULL, &host).unwrap();
    let handle = leptos::mount::mount_to(host.clone().unchecked_into(), opimp::web::app::App);
    let quiet_ms = || js_sys::eval("performance.now() - window.__lastAdded").unwrap().as_f64().unwrap();
    let given_up = || {
        let status = document().get_element_by_id("status").and_then(|e| e.text_content()).unwrap_or_default();
        status.contains("no worker could start")
    };
    for _ in 0..120 {
        sleep(500).await;
        if given_up() && quiet_ms() >= 3000.0 {
            break;
        }
    }
    assert!(given_up(), "the page gave up on its workers (they cannot load here)");
    assert!(document().query_selector("#inside-model option").unwrap().is_some(), "the model choice has options");
    js_sys::eval("window.__added = []").unwrap();
    readers::watch();
    sleep(3500).await;
    let before = readers::take();
    let added = js_sys::eval("window.__watch.disconnect(); window.__added").unwrap();
    let added: Vec<String> = js_sys::Array::from(&added).iter().filter_map(|v| v.as_string()).collect();
    assert!(added.is_empty(), "the document changed at ticks that changed nothing: {added:?}");
    assert!(!before.is_empty(), "some views read the whole page at a tick (the watch sees them)");
    readers::watch();
    sleep(3500).await;
    let after = readers::take();
    let new: Vec<_> = after.difference(&before).collect();
    assert!(new.is_empty(), "{} new readers of the whole page in three ticks that changed nothing ({} before)", new.len(), before.len());
    drop(handle);
    host.remove();
}
