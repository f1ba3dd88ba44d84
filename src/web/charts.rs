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

/// Breaks the figure's title into lines that fit the chart's width (about
/// 8 px a character at the title's size), so a phone does not cut it.
fn fit_title(id: &str, figure: &js_sys::Object) {
    use js_sys::Reflect;
    let width = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id)).map(|e| e.client_width()).unwrap_or(0);
    if width <= 0 {
        return;
    }
    let Ok(layout) = Reflect::get(figure, &"layout".into()) else { return };
    let Ok(title) = Reflect::get(&layout, &"title".into()) else { return };
    let Some(text) = Reflect::get(&title, &"text".into()).ok().and_then(|t| t.as_string()) else { return };
    let chars = ((width as f64 - 24.0) / 8.0).max(12.0) as usize;
    let wrapped = crate::figures::plot::wrap_title(&text, chars);
    let extra = wrapped.matches("<br>").count();
    let _ = Reflect::set(&title, &"text".into(), &wrapped.into());
    if extra > 0 {
        // Room above the plot for the title's extra lines.
        let margin = Reflect::get(&layout, &"margin".into()).ok().filter(|m| m.is_object()).unwrap_or_else(|| js_sys::Object::new().into());
        let top = Reflect::get(&margin, &"t".into()).ok().and_then(|t| t.as_f64()).unwrap_or(60.0);
        let _ = Reflect::set(&margin, &"t".into(), &(top + 18.0 * extra as f64).into());
        let _ = Reflect::set(&layout, &"margin".into(), &margin);
    }
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
                fit_title(id, &obj);
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
