//! The build's fingerprint follows the numeric crates in Cargo.lock and
//! nothing else there (build.rs, read here as it is).

#[allow(dead_code)]
#[path = "../build.rs"]
mod build;
use build::{numeric_lock_entries, numeric_manifest_lines};

/// A lockfile: this package depending on burn, which depends on indexmap.
fn lock(burn_version: &str, indexmap_deps: &str, more: &str) -> String {
    format!(
        r#"version = 4

[[package]]
name = "burn"
version = "{burn_version}"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "aa"
dependencies = [
 "{indexmap_deps}",
]

[[package]]
name = "indexmap"
version = "2.14.2"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "bb"
dependencies = [
 "hashbrown",
]

[[package]]
name = "hashbrown"
version = "0.17.2"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "cc"
{more}
[[package]]
name = "opimp"
version = "0.1.0"
dependencies = [
 "burn",
 "plotly",
]
"#
    )
}

#[test]
fn another_crate_and_its_second_versions_leave_the_numbers_crates_as_they_were() {
    let before = numeric_lock_entries(&lock("0.22.1", "indexmap", ""));
    assert_eq!(before.len(), 3, "burn, indexmap, hashbrown: {before:?}");
    // A chart crate brings indexmap 1 beside 2: Cargo now writes burn's
    // dependency with its version, and lists a package only it uses.
    let plotly = r#"
[[package]]
name = "indexmap"
version = "1.9.3"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "dd"

[[package]]
name = "plotly"
version = "0.14.1"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "ee"
dependencies = [
 "indexmap 1.9.3",
]
"#;
    assert_eq!(
        numeric_lock_entries(&lock("0.22.1", "indexmap 2.14.2", plotly)),
        before
    );
}

#[test]
fn a_numeric_crate_at_another_version_changes_it() {
    let before = numeric_lock_entries(&lock("0.22.1", "indexmap", ""));
    assert_ne!(
        numeric_lock_entries(&lock("0.22.2", "indexmap", "")),
        before
    );
    // Depending on another version of a crate is another crate.
    let other = r#"
[[package]]
name = "indexmap"
version = "1.9.3"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "dd"
"#;
    assert_ne!(
        numeric_lock_entries(&lock("0.22.1", "indexmap 1.9.3", other)),
        before
    );
}

#[test]
fn the_manifest_lines_of_the_numeric_crates_count() {
    let toml = "[dependencies]\nburn = { version = \"0.22.1\", features = [\"simd\"] }\nplotly = \"0.14\"\n";
    assert_eq!(
        numeric_manifest_lines(toml),
        vec!["burn = { version = \"0.22.1\", features = [\"simd\"] }".to_string()]
    );
}

#[test]
fn this_lockfile_has_the_numeric_crates() {
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock")).unwrap();
    let entries = numeric_lock_entries(&lock);
    for name in ["burn ", "rand ", "rand_xoshiro ", "libm ", "serde_json "] {
        assert!(entries.iter().any(|e| e.starts_with(name)), "{name}");
    }
    assert!(
        !entries
            .iter()
            .any(|e| e.starts_with("plotly ") || e.starts_with("leptos ")),
        "the page's crates are not the numbers'"
    );
}
