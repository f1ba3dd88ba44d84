//! Files in and out of the page: reading a chosen file (its size checked
//! before any byte is read), offering a download, copying the link.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Reads the file chosen in the `<input type=file>` of `ev` (then clears
/// the input, so the same file can be chosen again) unless it is larger
/// than `max` bytes, and hands its name, size and bytes (or why they could
/// not be read) to `then`.
pub fn read_chosen(ev: &leptos::ev::Event, max: u64, then: impl FnOnce(String, u64, Result<Vec<u8>, String>) + 'static) {
    let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
    let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
    let (name, size) = (file.name(), file.size() as u64);
    input.set_value("");
    if size > max {
        return then(name, size, Err(format!("it is {} MB; at most {} MB is read", size >> 20, max >> 20)));
    }
    leptos::task::spawn_local(async move {
        let bytes = JsFuture::from(file.array_buffer())
            .await
            .map(|buf| js_sys::Uint8Array::new(&buf).to_vec())
            .map_err(|_| "the file could not be read".to_string());
        then(name, size, bytes);
    });
}

/// Offers bytes as a file download. The object URL is revoked a minute
/// later (revoking it at once breaks downloads in some browsers).
pub fn download(name: &str, mime: &str, bytes: &[u8]) -> Result<(), String> {
    let array = js_sys::Uint8Array::from(bytes);
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&js_sys::Array::of1(&array), &opts)
        .map_err(|_| "the browser could not make the file".to_string())?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| "the browser could not offer the file".to_string())?;
    let doc = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = doc.create_element("a").map_err(|_| "no link element")?.unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.click();
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    if let Some(w) = web_sys::window() {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 60_000);
    }
    Ok(())
}

/// This page's address with another query.
pub fn address_with(query: &str) -> String {
    let loc = web_sys::window().map(|w| w.location());
    let origin = loc.as_ref().and_then(|l| l.origin().ok()).unwrap_or_default();
    let path = loc.as_ref().and_then(|l| l.pathname().ok()).unwrap_or_default();
    format!("{origin}{path}?{query}")
}

/// Copies text to the clipboard; says whether it worked.
pub async fn copy(text: &str) -> Result<(), String> {
    let w = web_sys::window().ok_or("no window")?;
    JsFuture::from(w.navigator().clipboard().write_text(text))
        .await
        .map(|_| ())
        .map_err(|_| "the browser did not allow copying (copy it from the address bar)".to_string())
}

/// Fetches a file from the page's own site: its response, if it was found.
async fn fetch(path: &str) -> Result<web_sys::Response, String> {
    let w = web_sys::window().ok_or("no window")?;
    let resp = JsFuture::from(w.fetch_with_str(path)).await.map_err(|_| format!("{path} could not be fetched"))?;
    let resp: web_sys::Response = resp.dyn_into().map_err(|_| "not a response".to_string())?;
    if !resp.ok() {
        return Err(format!("{path}: HTTP {}", resp.status()));
    }
    Ok(resp)
}

/// Fetches a file's bytes from the page's own site.
pub async fn fetch_bytes(path: &str) -> Result<Vec<u8>, String> {
    let resp = fetch(path).await?;
    let buf = JsFuture::from(resp.array_buffer().map_err(|_| "no body")?).await.map_err(|_| format!("{path} could not be read"))?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}

/// Fetches a text file from the page's own site.
pub async fn fetch_text(path: &str) -> Result<String, String> {
    let resp = fetch(path).await?;
    let text = JsFuture::from(resp.text().map_err(|_| "no body")?).await.map_err(|_| format!("{path} could not be read"))?;
    text.as_string().ok_or_else(|| format!("{path} is not text"))
}

/// Whether the browser offers a WebGPU adapter: what it says the adapter
/// is (vendor and architecture), or why there is none.
pub async fn webgpu_adapter() -> Result<String, String> {
    use js_sys::Reflect;
    let w = web_sys::window().ok_or("no window")?;
    let gpu = Reflect::get(&w.navigator(), &"gpu".into()).map_err(|_| "this browser has no WebGPU".to_string())?;
    if gpu.is_undefined() || gpu.is_null() {
        return Err("this browser has no WebGPU".into());
    }
    let request: js_sys::Function = Reflect::get(&gpu, &"requestAdapter".into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or("this browser's WebGPU cannot request an adapter")?;
    let promise: js_sys::Promise = request.call0(&gpu).ok().and_then(|p| p.dyn_into().ok()).ok_or("the adapter request failed")?;
    let adapter = JsFuture::from(promise).await.map_err(|_| "the adapter request failed".to_string())?;
    if adapter.is_null() || adapter.is_undefined() {
        return Err("this browser offers no WebGPU adapter".into());
    }
    let info = Reflect::get(&adapter, &"info".into()).unwrap_or(wasm_bindgen::JsValue::UNDEFINED);
    let field = |k: &str| Reflect::get(&info, &k.into()).ok().and_then(|v| v.as_string()).filter(|s| !s.is_empty());
    let said: Vec<String> = ["vendor", "architecture"].into_iter().filter_map(field).collect();
    Ok(if said.is_empty() { "a WebGPU adapter".into() } else { said.join(" ") })
}
