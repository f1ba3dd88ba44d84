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

/// Files that present, check or carry numbers but never compute them: the
/// claims and summaries, the settings' parsing, the page-worker messages,
/// progress, presets' names, and the GPU engine's device (whose numbers are
/// near, never claimed equal).
const PRESENTATION: &[&str] = &[
    "study/settings.rs", "study/protocol.rs", "study/progress.rs", "study/preset.rs", "study/engine.rs", "model/gpu.rs", "study/claims/mod.rs", "study/claims/list.rs", "study/claims/replicates.rs", "study/interval.rs", "study/summary.rs", "study/csv.rs", "study/validate.rs", "study/provenance.rs"];

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            // The page, the command line and the figures present numbers;
            // they do not compute them.
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if !matches!(name, "web" | "cli" | "lab" | "figures") {
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

/// The crates the numbers come from: the network and training (burn), the
/// random streams, the transcendental functions and the parsing of configs
/// (serde_json's float parsing).
const NUMERIC_ROOTS: &[&str] = &["burn", "rand", "rand_xoshiro", "libm", "serde", "serde_json"];

/// burn's other backends, the GPU engine's among them: the CPU engine's
/// numbers never go through them, so the crates reached only through them
/// (wgpu, cubecl, fusion, ...) leave the fingerprint as it was. The GPU
/// engine's numbers are near the CPU's, never claimed equal to anything.
const OTHER_ENGINES: &[&str] = &[
    "burn-cubecl", "burn-cubecl-fusion", "burn-fusion", "burn-wgpu", "burn-cuda", "burn-rocm", "burn-router", "burn-remote", "burn-tch",
    "burn-ndarray", "burn-candle",
];

/// This package's name in Cargo.lock.
const PACKAGE: &str = "opimp";

/// The packages of Cargo.lock the numeric crates depend on, each as its
/// name, version, source and checksum, in the lockfile's order: their
/// closure over the lockfile's dependency lists (every target and feature
/// counted), following each dependency to the exact version it names. What
/// the lockfile says of other crates (a chart library, the second version
/// of a shared dependency it brings, the features it turns on in crates the
/// numbers share) leaves the fingerprint as it was; a numeric crate at
/// another version, or depending on another crate, changes it.
pub(crate) fn numeric_lock_entries(lock: &str) -> Vec<String> {
    let blocks: Vec<&str> = lock.split("[[package]]").skip(1).collect();
    let field = |b: &str, key: &str| -> String {
        b.lines().find_map(|l| l.strip_prefix(&format!("{key} = \"")).map(|v| v.trim_end_matches('"').to_string())).unwrap_or_default()
    };
    let deps = |b: &str| -> Vec<(String, Option<String>)> {
        let Some(start) = b.find("dependencies = [") else { return Vec::new() };
        let list = &b[start..b[start..].find(']').map_or(b.len(), |e| start + e)];
        list.lines()
            .filter_map(|l| l.trim().strip_prefix('"'))
            .map(|d| {
                let mut parts = d.trim_end_matches([',', '"']).split(' ');
                (parts.next().unwrap_or("").to_string(), parts.next().map(str::to_string))
            })
            .collect()
    };
    // Each package's name and version, read once.
    let ids: Vec<(String, String)> = blocks.iter().map(|b| (field(b, "name"), field(b, "version"))).collect();
    // A dependency "name" or "name version" names these packages.
    let named = |name: &str, version: Option<&str>| -> Vec<usize> {
        (0..blocks.len()).filter(|&i| ids[i].0 == name && version.is_none_or(|v| ids[i].1 == v)).collect()
    };
    // The roots at the versions this package depends on.
    let this = (0..blocks.len()).find(|&i| ids[i].0 == PACKAGE && !blocks[i].contains("\nsource = "));
    let mut wanted: Vec<usize> = this
        .map(|i| deps(blocks[i]).into_iter().filter(|(n, _)| NUMERIC_ROOTS.contains(&n.as_str())).flat_map(|(n, v)| named(&n, v.as_deref())).collect())
        .unwrap_or_default();
    let mut i = 0;
    while i < wanted.len() {
        for (name, version) in deps(blocks[wanted[i]]) {
            if OTHER_ENGINES.contains(&name.as_str()) {
                continue;
            }
            for j in named(&name, version.as_deref()) {
                if !wanted.contains(&j) {
                    wanted.push(j);
                }
            }
        }
        i += 1;
    }
    wanted.sort();
    wanted
        .into_iter()
        .map(|i| ["name", "version", "source", "checksum"].map(|k| field(blocks[i], k)).join(" "))
        .collect()
}

/// The lines of Cargo.toml that declare the numeric crates (their versions
/// and the features the lab turns on).
pub(crate) fn numeric_manifest_lines(manifest: &str) -> Vec<String> {
    manifest.lines().filter(|l| NUMERIC_ROOTS.iter().any(|r| l.starts_with(&format!("{r} = ")))).map(str::to_string).collect()
}

fn main() {
    let mut files = vec![Path::new(".cargo/config.toml").to_path_buf()];
    walk(Path::new("src"), &mut files);
    // The vendored, patched numeric crates (vendor/README.md): path
    // dependencies, so Cargo.lock holds no checksum of theirs.
    walk(Path::new("vendor"), &mut files);
    files.sort();
    let mut hash = 0xCBF2_9CE4_8422_2325u64;
    println!("cargo:rerun-if-changed=Cargo.lock");
    let lock = std::fs::read_to_string("Cargo.lock").unwrap_or_default().replace('\r', "");
    for entry in numeric_lock_entries(&lock) {
        fnv1a(&mut hash, entry.as_bytes());
    }
    println!("cargo:rerun-if-changed=Cargo.toml");
    let manifest = std::fs::read_to_string("Cargo.toml").unwrap_or_default().replace('\r', "");
    for line in numeric_manifest_lines(&manifest) {
        fnv1a(&mut hash, line.as_bytes());
    }
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        fnv1a(&mut hash, f.to_string_lossy().replace('\\', "/").as_bytes());
        // Line endings do not change the numbers, and neither do a file's
        // unit tests (its module from the first top-level `#[cfg(test)]` or
        // `#[cfg(all(test` line on: by this project's layout the end of the
        // file).
        let text = std::fs::read_to_string(f).unwrap_or_default().replace('\r', "");
        let end = text
            .match_indices('\n')
            .map(|(i, _)| i + 1)
            .find(|&i| text[i..].starts_with("#[cfg(test)]") || text[i..].starts_with("#[cfg(all(test"))
            .unwrap_or(text.len());
        fnv1a(&mut hash, text[..end].as_bytes());
    }
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=vendor");
    println!("cargo:rustc-env=OPIMP_BUILD={}+{:016x}", std::env::var("CARGO_PKG_VERSION").unwrap_or_default(), hash);
}
