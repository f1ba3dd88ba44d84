//! The experiment panel: presets, settings, sizes and tasks (with a custom
//! success set), run and cancel, the link, files, the benchmark and the
//! progress bar. Every control writes a typed value through the one list
//! of link settings.

use super::shell::{Lab, run_label, running};
use super::files;
use crate::lab::link::{ENGINE, PRESET, Prop};
use crate::lab::page::Page;
use crate::lab::workers::WebGpu;
use crate::study::engine::Engine;
use crate::lab::parts::{Controls as Group, Part};
use crate::lab::update::{Export, Msg};
use crate::sequence::SuccessSet;
use crate::study::checkpoint::MAX_CHECKPOINT_BYTES;
use crate::study::config::{self as settings, ExperimentConfig};
use crate::study::preset::Preset;
use crate::study::progress::fmt_duration;
use crate::study::settings::{Kind, Setting, Value};
use crate::study::size::Size;
use crate::study::validate::MAX_RESULTS_BYTES;
use crate::clock::now_ms;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Notices about the link's parameters, and messages.
#[component]
pub fn Notices() -> impl IntoView {
    let lab = expect_context::<Lab>();
    // Memos: the lists are drawn again when they change, not at every change
    // of the page.
    let notices = Memo::new(move |_| lab.with(|p| p.notices.clone()));
    let notices = move || notices.get();
    let messages = Memo::new(move |_| lab.with(|p| p.messages.clone()));
    let messages = move || messages.get();
    view! {
        <Show when=move || !notices().is_empty()>
            <div class="notices" id="notices" role="alert">
                <strong>"Some link parameters were not used as given:"</strong>
                <ul>
                    {move || notices().into_iter().map(|n| view! {
                        <li class="notice" data-param=n.param.clone()>{n.message}</li>
                    }).collect_view()}
                </ul>
                <button on:click=move |_| lab.send(Msg::DismissNotices)>"Dismiss"</button>
            </div>
        </Show>
        <Show when=move || !messages().is_empty()>
            <div class="messages" id="messages" role="status" aria-live="polite">
                <ul>{move || messages().into_iter().map(|m| view! { <li>{m.to_string()}</li> }).collect_view()}</ul>
                <button on:click=move |_| lab.send(Msg::DismissMessages)>"Dismiss"</button>
            </div>
        </Show>
    }
}

fn checked(ev: &leptos::ev::Event) -> bool {
    ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()).map(|i| i.checked()).unwrap_or(false)
}

/// A field for one experiment setting, labelled, its help one focus away:
/// a check box for a flag, a text field otherwise.
fn field(lab: Lab, setting: &'static Setting<ExperimentConfig>) -> impl IntoView {
    let p = Prop::Experiment(setting);
    let name = setting.name;
    let id = format!("set-{name}");
    let hint = format!("hint-{name}");
    let running = move || lab.with(running);
    let input = if setting.kind == Kind::Flag {
        view! {
            <input id=id.clone() type="checkbox" name=name aria-describedby=hint.clone()
                prop:checked=move || lab.with(|s| p.read(&s.link) == Value::Flag(true))
                prop:disabled=running
                on:change=move |ev| lab.send(Msg::Set(p, Value::Flag(checked(&ev))))/>
        }
        .into_any()
    } else {
        view! {
            <input id=id.clone() type="text" inputmode="decimal" name=name aria-describedby=hint.clone()
                prop:value=move || lab.with(|s| p.read_text(&s.link))
                prop:disabled=running
                on:change=move |ev| lab.send(Msg::SetText(p, event_target_value(&ev)))/>
        }
        .into_any()
    };
    view! {
        <div class="field">
            <label for=id>{p.label()}</label>
            {input}
            <small class="hint" id=hint>{p.help()}</small>
        </div>
    }
}

/// Every experiment setting but the sizes and tasks (which have their own
/// boxes), stage by stage as `experiment!` declares them.
#[component]
fn SettingsFields() -> impl IntoView {
    let lab = expect_context::<Lab>();
    settings::STAGES
        .iter()
        .map(|stage| {
            let fields: Vec<_> = stage.settings.iter().filter(|s| !matches!(s.kind, Kind::Sizes | Kind::Tasks { .. })).copied().collect();
            view! {
                <fieldset class="row stage">
                    <legend>{stage.title}</legend>
                    {fields.into_iter().map(|s| field(lab, s)).collect_view()}
                </fieldset>
            }
        })
        .collect_view()
}

/// The engine, where the browser has a WebGPU adapter.
#[component]
fn EngineField() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let running = move || lab.with(running);
    view! {
        <Show when=move || lab.with(|p| matches!(p.workers.webgpu, WebGpu::Offered(_)) || p.engine() == Engine::Gpu)>
            <div class="row">
                <div class="field">
                    <label for="set-engine">"Engine"</label>
                    <select id="set-engine" prop:disabled=running aria-describedby="hint-engine"
                        on:change=move |ev| lab.send(Msg::SetText(Prop::Lab(&ENGINE), event_target_value(&ev)))>
                        {Engine::ALL.iter().map(|e| view! {
                            <option value=e.name() selected=move || lab.with(|s| s.engine() == *e)>{e.label()}</option>
                        }).collect_view()}
                    </select>
                    <small class="hint" id="hint-engine">
                        {move || lab.with(|p| match &p.workers.webgpu {
                            WebGpu::Offered(a) => format!("this browser's WebGPU adapter: {a}. {}", Prop::Lab(&ENGINE).help()),
                            _ => Prop::Lab(&ENGINE).help(),
                        })}
                    </small>
                </div>
            </div>
        </Show>
    }
}

/// A check box that adds or removes one item of a list setting.
fn list_box<T: Copy + PartialEq + Send + Sync + 'static>(
    lab: Lab,
    item: T,
    read: fn(&ExperimentConfig) -> Vec<T>,
    write: fn(Vec<T>) -> Msg,
    label: String,
) -> impl IntoView {
    let running = move || lab.with(running);
    view! {
        <label class="check">
            <input type="checkbox"
                prop:checked=move || lab.with(|p| read(p.config()).contains(&item))
                prop:disabled=running
                on:change=move |ev| {
                    let mut items = lab.with_untracked(|p| read(p.config()));
                    items.retain(|x| *x != item);
                    if checked(&ev) { items.push(item); }
                    lab.send(write(items));
                }/>
            {label}
        </label>
    }
}

/// The sizes' boxes.
#[component]
fn SizeBoxes() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let size_box = move |size: Size| {
        list_box(lab, size, |c| c.sizes.clone(), |v| Msg::Set(Prop::Experiment(&settings::SIZES), Value::Sizes(v)), size.help())
    };
    view! { <fieldset class="row"><legend>"Sizes"</legend>{Size::ALL.into_iter().map(size_box).collect_view()}</fieldset> }
}

/// The tasks' boxes and the custom success set.
#[component]
fn TaskBoxes() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let running = move || lab.with(running);
    let task_box = move |g: SuccessSet| {
        let label = format!("{g} (G = {{{}}})", g.outcomes().iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", "));
        list_box(lab, g, |c| c.tasks.clone(), |v| Msg::Set(Prop::Experiment(&settings::TASKS), Value::Tasks(v)), label)
    };
    // A memo: each box holds reactive attributes, so drawing the boxes again
    // at every change of the page would leave subscribers behind (see
    // `sections::inside`).
    let custom_tasks = Memo::new(move |_| {
        lab.with(|p| p.config().tasks.iter().copied().filter(|t| !SuccessSet::tasks().contains(t)).collect::<Vec<_>>())
    });
    // The custom success set being composed: a mask of outcomes.
    let custom = RwSignal::new(0u8);
    view! {
        <fieldset class="row">
            <legend>"Tasks"</legend>
            {SuccessSet::tasks().into_iter().map(task_box).collect_view()}
            {move || custom_tasks.get().into_iter().map(task_box).collect_view()}
            <span class="custom-task" role="group" aria-label="A custom success set">
                "Custom G: "
                {(0..8u8).map(|x| view! {
                    <label class="outcome">
                        <input type="checkbox" prop:checked=move || { custom.get() & (1 << x) != 0 }
                            on:change=move |ev| custom.update(|m| if checked(&ev) { *m |= 1 << x } else { *m &= !(1 << x) })/>
                        {x.to_string()}
                    </label>
                }).collect_view()}
                <button id="add-task" prop:disabled=running on:click=move |_| {
                    match SuccessSet::from_mask(custom.get_untracked()) {
                        Ok(g) => lab.send(Msg::AddTask(g)),
                        Err(e) => lab.say(format!("That success set was not added: {e}")),
                    }
                }>"Add task"</button>
            </span>
        </fieldset>
    }
}

/// Export, import and clearing storage.
#[component]
fn FileButtons() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let running = move || lab.with(running);
    let import = move |ev: leptos::ev::Event| {
        files::read_chosen(&ev, MAX_RESULTS_BYTES as u64, move |name, _, bytes| lab.send(Msg::ImportResults(name, bytes)));
    };
    let import_model = move |ev: leptos::ev::Event| {
        files::read_chosen(&ev, MAX_CHECKPOINT_BYTES as u64, move |name, size, bytes| lab.send(Msg::ImportModel(name, size, bytes)));
    };
    view! {
        <button id="export-json" on:click=move |_| lab.send(Msg::Export(Export::Json))>"Export JSON"</button>
        <button id="export-csv" on:click=move |_| lab.send(Msg::Export(Export::Csv))>"Export CSV"</button>
        <label class="file" for="import">"Import JSON"</label>
        <input id="import" class="file-input" type="file" accept=".json,application/json" on:change=import/>
        <label class="file" for="import-model">"Import model"</label>
        <input id="import-model" class="file-input" type="file" accept=".safetensors,.opimp,application/octet-stream" on:change=import_model
            prop:disabled=running/>
        <button id="clear" on:click=move |_| lab.send(Msg::Clear) prop:disabled=running>"Clear stored results"</button>
    }
}

/// The panel's one line: the preset, run and cancel, the link, the
/// settings' toggle.
#[component]
fn Bar(expanded: RwSignal<bool>) -> impl IntoView {
    let lab = expect_context::<Lab>();
    let running = move || lab.with(running);
    let shows = move |g: Group| lab.with(|p| p.link.shows(Part::Controls(g)));
    view! {
        <div class="row bar">
            <Show when=move || shows(Group::Presets)>
                <label class="sr-only" for="set-preset">"Preset"</label>
                <select id="set-preset" prop:disabled=running
                    on:change=move |ev| lab.send(Msg::SetText(Prop::Lab(&PRESET), event_target_value(&ev)))>
                    {Preset::ALL.iter().map(|p| view! {
                        <option value=p.name() selected=move || lab.with(|s| s.link.preset == *p)>
                            {format!("{} — {}", p.name(), p.about())}
                        </option>
                    }).collect_view()}
                </select>
            </Show>
            <Show when=move || shows(Group::Run)>
                <button id="run" on:click=move |_| lab.send(Msg::Run) prop:disabled=running>
                    {move || lab.with(|p| run_label(p))}
                </button>
                <Show when=running>
                    <button id="cancel" on:click=move |_| lab.send(Msg::Cancel)>"Cancel"</button>
                </Show>
            </Show>
            <button id="copy-link" on:click=move |_| lab.send(Msg::CopyLink)>"Copy link"</button>
            <button id="settings-toggle" class="collapse" aria-controls="controls-body" aria-expanded=move || expanded.get().to_string()
                on:click=move |_| expanded.update(|e| *e = !*e)>
                {move || if expanded.get() { "Hide settings" } else { "Settings" }}
            </button>
        </div>
    }
}

/// Experiment settings, run/cancel, progress, sharing and files.
#[component]
pub fn Controls(
    /// Whether the settings start open (the link changed one).
    settings_open: bool,
) -> impl IntoView {
    let lab = expect_context::<Lab>();
    let running = move || lab.with(running);
    let shows = move |g: Group| lab.with(|p| p.link.shows(Part::Controls(g)));
    // The panel is one line; its settings open on request, or at once
    // when the link changed a setting.
    let expanded = RwSignal::new(settings_open);
    view! {
        <section class="controls" id="controls" aria-label="Experiment">
            <Bar expanded=expanded/>
            <ProgressBar/>
            <div id="controls-body" class:collapsed=move || !expanded.get()>
                <EngineField/>
                <Show when=move || shows(Group::Settings)><SettingsFields/></Show>
                <Show when=move || shows(Group::Sizes)><SizeBoxes/></Show>
                <Show when=move || shows(Group::Tasks)><TaskBoxes/></Show>
                <div class="row buttons">
                    <Show when=move || shows(Group::Files)><FileButtons/></Show>
                    <Show when=move || shows(Group::Benchmark)>
                        <button id="bench" on:click=move |_| lab.send(Msg::Benchmark) prop:disabled=running
                            aria-describedby="bench-hint">"Benchmark"</button>
                        <small class="hint" id="bench-hint">"time one training step (batch 64) of each size in this browser"</small>
                    </Show>
                </div>
            </div>
        </section>
    }
}

fn eta(p: &Page) -> String {
    let Some(run) = &p.run else { return String::new() };
    match (p.run_state(), run.progress.eta_seconds(now_ms())) {
        (crate::lab::page::RunState::Running, Some(s)) => format!("ETA {}", fmt_duration(s)),
        (crate::lab::page::RunState::Running, None) => "estimating…".into(),
        _ => String::new(),
    }
}

/// The progress bar, ETA and status line.
#[component]
fn ProgressBar() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let pct = move || lab.with(|p| p.run.as_ref().map(|r| r.progress.fraction() * 100.0).unwrap_or(0.0));
    let state = move || lab.with(|p| p.run_state().name());
    view! {
        <div class="progress" id="progress" data-state=state>
            <div class="bar" role="progressbar" aria-label="Training progress" aria-valuemin="0" aria-valuemax="100"
                aria-valuenow=move || format!("{:.0}", pct())>
                <div class="fill" style:width=move || format!("{:.1}%", pct())></div>
            </div>
            <div class="progress-text">
                <span id="percent">{move || format!("{:.0}%", pct())}</span>
                " "
                <span id="eta">{move || lab.with(eta)}</span>
            </div>
            <p id="status" data-state=state aria-live="polite">{move || lab.with(|p| p.status.to_string())}</p>
        </div>
    }
}
