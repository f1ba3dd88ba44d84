//! The `opimp` command line (native only).

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(opimp::cli::main());
}

#[cfg(target_arch = "wasm32")]
fn main() {}
