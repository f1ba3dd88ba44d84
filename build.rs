//! Stamps the build with a fingerprint of everything that decides the lab's
//! numbers (the science, the model, training, the dependency versions), so a
//! results file can say which build computed it and the page can tell
//! whether it would compute the same numbers.

use std::path::Path;

fn fnv1a(hash: &mut u64, bytes: &[u8]) {
    for &b in bytes {
        *hash ^= b as u64;
        *hash = hash.wrapping_mul(0x0000_0100_0000_01B3);
    }
}

/// Study files that present or check numbers but never compute them.
const PRESENTATION: &[&str] =
    &["study/claims.rs", "study/summary.rs", "study/csv.rs", "study/validate.rs", "study/provenance.rs"];

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            // The page and the command line present numbers; they do not
            // compute them.
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if !matches!(name, "web" | "cli" | "lab") {
                walk(&p, out);
            }
        } else if p.extension().and_then(|e| e.to_str()) == Some("rs") {
            // Files that read, check or present numbers without computing them.
            let name = p.to_string_lossy().replace('\\', "/");
            if !PRESENTATION.iter().any(|f| name.ends_with(f)) {
                out.push(p);
            }
        }
    }
}

fn main() {
    let mut files = vec![Path::new("Cargo.lock").to_path_buf(), Path::new(".cargo/config.toml").to_path_buf()];
    walk(Path::new("src"), &mut files);
    files.sort();
    let mut hash = 0xCBF2_9CE4_8422_2325u64;
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        fnv1a(&mut hash, f.to_string_lossy().replace('\\', "/").as_bytes());
        // Line endings do not change the numbers.
        let text = std::fs::read(f).unwrap_or_default();
        let text: Vec<u8> = text.into_iter().filter(|&b| b != b'\r').collect();
        fnv1a(&mut hash, &text);
    }
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rustc-env=OPIMP_BUILD={}+{:016x}", std::env::var("CARGO_PKG_VERSION").unwrap_or_default(), hash);
}
