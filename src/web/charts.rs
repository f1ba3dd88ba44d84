//! Drawing the study's figures ([`crate::figures`]) in the page: [`Chart`]
//! draws one with plotly.js and redraws it when what it reads changes, its
//! numbers in a table beneath. It waits for plotly.js, which loads after
//! the page.

use crate::figures::Figure;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = Plotly, js_name = react)]
    async fn plotly_react(id: &str, obj: &js_sys::Object) -> Result<JsValue, JsValue>;
}

/// Waits until plotly.js has loaded (the page loads it after first paint).
async fn plotly_ready() -> bool {
    let global = js_sys::global();
    if js_sys::Reflect::has(&global, &"Plotly".into()).unwrap_or(false) {
        return true;
    }
    let ready = js_sys::Reflect::get(&global, &"__plotlyReady".into()).ok();
    if let Some(p) = ready.and_then(|p| p.dyn_into::<js_sys::Promise>().ok()) {
        return wasm_bindgen_futures::JsFuture::from(p).await.is_ok();
    }
    false
}

use wasm_bindgen::JsCast;

/// Pixels between the bottom of the plot and the legend's top: room for
/// the x axis's tick labels and its title.
const LEGEND_GAP: f64 = 72.0;
/// The least height of the plot area once title and legend have their room.
const MIN_PLOT: f64 = 230.0;

fn get(o: &JsValue, key: &str) -> Option<JsValue> {
    js_sys::Reflect::get(o, &key.into()).ok().filter(|v| v.is_object())
}

fn number(o: &JsValue, key: &str) -> Option<f64> {
    js_sys::Reflect::get(o, &key.into()).ok().and_then(|v| v.as_f64())
}

fn text(o: &JsValue, key: &str) -> Option<String> {
    js_sys::Reflect::get(o, &key.into()).ok().and_then(|v| v.as_string())
}

/// Whether plotly lists it (`showlegend` is not `false`).
fn listed(o: &JsValue) -> bool {
    js_sys::Reflect::get(o, &"showlegend".into()).ok().and_then(|v| v.as_bool()) != Some(false)
}

fn set(o: &JsValue, key: &str, v: JsValue) {
    let _ = js_sys::Reflect::set(o, &key.into(), &v);
}

/// Breaks the title into lines that fit `width` (about 10 px a character
/// at plotly's 17 px title font), so a phone does not cut it; the number
/// of lines added.
fn wrap_title(layout: &JsValue, width: f64) -> usize {
    let Some(title) = get(layout, "title") else { return 0 };
    let Some(words) = text(&title, "text") else { return 0 };
    let chars = ((width - 24.0) / 10.0).max(12.0) as usize;
    let wrapped = crate::figures::plot::wrap_title(&words, chars);
    let extra = wrapped.matches("<br>").count();
    set(&title, "text", wrapped.into());
    extra
}

/// The rows plotly's horizontal legend takes at `width`: its entries (the
/// traces it lists) packed left to right, each about 40 px of symbol and
/// gap plus 7 px a character at its 12 px font, from the plot's left edge.
fn legend_rows(figure: &JsValue, width: f64) -> usize {
    let Ok(data) = js_sys::Reflect::get(figure, &"data".into()).and_then(|d| d.dyn_into::<js_sys::Array>().map_err(|_| JsValue::NULL)) else {
        return 0;
    };
    let room = (width - 76.0).max(100.0);
    let (mut rows, mut used) = (0, f64::INFINITY);
    for trace in data.iter() {
        let name = text(&trace, "name").unwrap_or_default();
        if !listed(&trace) || name.is_empty() {
            continue;
        }
        let w = 40.0 + 7.0 * name.chars().count() as f64;
        if used + w > room {
            rows += 1;
            used = w;
        } else {
            used += w;
        }
    }
    rows
}

/// Fits a figure to its chart's box before plotly draws it: the title
/// wrapped to the width, and under a plot with a legend beneath it room for
/// the legend's rows below the x axis's title, the figure growing where the
/// plot area would fall under [`MIN_PLOT`]: a narrow box wraps the legend
/// into more rows, and plotly's own margin would then push the legend onto
/// the axis title.
fn fit_to_box(id: &str, figure: &js_sys::Object) {
    let width = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id)).map(|e| e.client_width()).unwrap_or(0) as f64;
    let Some(layout) = (width > 0.0).then(|| get(figure, "layout")).flatten() else { return };
    let extra = wrap_title(&layout, width);
    let margin = get(&layout, "margin").unwrap_or_else(|| js_sys::Object::new().into());
    let top = number(&margin, "t").unwrap_or(60.0) + 18.0 * extra as f64;
    set(&margin, "t", top.into());
    let legend = get(&layout, "legend").filter(|l| text(l, "orientation").as_deref() == Some("h"));
    let rows = if listed(&layout) { legend_rows(figure, width) } else { 0 };
    if let (Some(legend), true) = (legend, rows > 0) {
        let bottom = LEGEND_GAP + 22.0 * rows as f64 + 10.0;
        let height = number(&layout, "height").unwrap_or(380.0).max(top + MIN_PLOT + bottom);
        set(&margin, "b", bottom.into());
        set(&layout, "height", height.into());
        set(&legend, "y", (-LEGEND_GAP / (height - top - bottom)).into());
    }
    set(&layout, "margin", margin.into());
}

/// Draws a figure into a div with id `id`, redrawing whenever the signals
/// it reads change; below it, the same numbers as a table.
#[component]
pub fn Chart<F>(id: &'static str, label: &'static str, figure: F) -> impl IntoView
where
    F: Fn() -> Figure + Send + Sync + 'static,
{
    let figure = Memo::new(move |_| {
        let f = figure();
        (f.plot.to_json(), f.headers, f.rows)
    });
    Effect::new(move |_| {
        let json = figure.with(|f| f.0.clone());
        leptos::task::spawn_local(async move {
            if !plotly_ready().await {
                return;
            }
            if let Ok(obj) = js_sys::JSON::parse(&json).and_then(|v| v.dyn_into::<js_sys::Object>().map_err(|_| JsValue::NULL)) {
                fit_to_box(id, &obj);
                if let Err(e) = plotly_react(id, &obj).await {
                    web_sys::console::warn_1(&format!("chart {id} could not be drawn: {e:?}").into());
                }
            }
        });
    });
    let table_id = format!("{id}-data");
    view! {
        <figure class="chart-box">
            <figcaption class="sr-only">{format!("Chart: {label}. Its numbers are in the data table below it.")}</figcaption>
            <div class="chart" id=id aria-describedby=table_id.clone()></div>
            <details class="chart-data">
                <summary>{format!("Data: {label}")}</summary>
                <div class="table-scroll" tabindex="0" role="region" aria-label=format!("Data: {label}")>
                    <table id=table_id>
                        <thead><tr>{move || figure.with(|f| f.1.iter().map(|h| view! { <th scope="col">{h.clone()}</th> }).collect_view())}</tr></thead>
                        <tbody>{move || figure.with(|f| f.2.iter().map(|row| view! {
                            <tr>{row.iter().map(|c| view! { <td>{c.clone()}</td> }).collect_view()}</tr>
                        }).collect_view())}</tbody>
                    </table>
                </div>
            </details>
        </figure>
    }
}
