//! The page: a Leptos client-side app (wasm only).

#[cfg(target_arch = "wasm32")]
fn main() {
    opimp::web::start_app();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the app binary runs in the browser; build it with trunk");
}
