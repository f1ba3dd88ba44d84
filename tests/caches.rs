//! Native numbers do not depend on the caches the host reports: the same
//! short training, run as the machine is and again in a private mount
//! namespace where /sys reports other caches (a 32 KiB 8-way level 1 and a
//! 256 KiB level 2 if the machine's are larger, a 48 KiB 12-way level 1
//! and a 1280 KiB level 2 otherwise), gives the same file bit for bit.
//! Without the pinned blocking in vendor/gemm-common the two differ
//! (vendor/README.md). Linux as root only (a mount namespace needs it);
//! elsewhere the test says so and checks nothing.
//!
//! And an AVX-512 host computes what an AVX2 one does: the same training
//! natively and under `qemu-x86_64 -cpu Haswell` (an AVX2 and FMA CPU
//! without AVX-512, emulated exactly), where QEMU's user mode is installed
//! (scripts/setup.sh test installs it).
#![cfg(all(target_os = "linux", not(target_arch = "wasm32")))]

use std::path::Path;
use std::process::Command;

fn copy_caches(to: &Path, bigger_than_ours: bool) -> Result<(), String> {
    for entry in std::fs::read_dir("/sys/devices/system/cpu/cpu0/cache").map_err(|e| e.to_string())?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with("index") {
            continue;
        }
        let dir = to.join(&name);
        std::fs::create_dir_all(&dir).unwrap();
        for f in ["level", "type", "size", "ways_of_associativity", "coherency_line_size", "shared_cpu_list"] {
            if let Ok(v) = std::fs::read_to_string(entry.path().join(f)) {
                std::fs::write(dir.join(f), v).unwrap();
            }
        }
        let level = std::fs::read_to_string(dir.join("level")).unwrap_or_default();
        let kind = std::fs::read_to_string(dir.join("type")).unwrap_or_default();
        let (l1, ways, l2) = if bigger_than_ours { ("48K", "12", "1280K") } else { ("32K", "8", "256K") };
        match (level.trim(), kind.trim()) {
            ("1", "Data") => {
                std::fs::write(dir.join("size"), l1).unwrap();
                std::fs::write(dir.join("ways_of_associativity"), ways).unwrap();
            }
            ("2", "Unified") => std::fs::write(dir.join("size"), l2).unwrap(),
            _ => {}
        }
    }
    Ok(())
}

#[test]
fn the_same_training_under_two_reported_cache_geometries_gives_the_same_bits() {
    let uid = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("Uid:")).and_then(|l| l.split_whitespace().nth(1).map(str::to_string)));
    if uid.as_deref() != Some("0") || !Path::new("/sys/devices/system/cpu/cpu0/cache").exists() {
        eprintln!("caches: not root, or no caches in /sys: a private mount namespace cannot be made here; nothing checked");
        return;
    }
    let l1 = std::fs::read_to_string("/sys/devices/system/cpu/cpu0/cache/index0/size").unwrap_or_default();
    let work = std::env::temp_dir().join(format!("opimp-caches-{}", std::process::id()));
    let fake = work.join("cache");
    copy_caches(&fake, l1.trim() != "48K").unwrap();
    // OPIMP_CACHES_BIN runs the check on another build (one without the
    // pin, to see it fail).
    let bin = std::env::var("OPIMP_CACHES_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_opimp").to_string());
    let bin = bin.as_str();
    let args = ["train", "--size", "s", "--steps", "200", "--eval-every", "50", "--rl-steps", "0", "--json"];
    let as_is = Command::new(bin).args(args).output().unwrap();
    assert!(as_is.status.success(), "{}", String::from_utf8_lossy(&as_is.stderr));
    let script = "fake=$1; shift; for c in /sys/devices/system/cpu/cpu[0-9]*; do [ -d \"$c/cache\" ] && mount --bind \"$fake\" \"$c/cache\"; done; \
                  grep -h . /sys/devices/system/cpu/cpu0/cache/index0/size >&2; exec \"$@\"";
    let reported = Command::new("unshare").args(["-m", "bash", "-c", script, "_"]).arg(&fake).arg(bin).args(args).output().unwrap();
    assert!(reported.status.success(), "{}", String::from_utf8_lossy(&reported.stderr));
    // The command inside saw the other caches.
    let seen = String::from_utf8_lossy(&reported.stderr);
    assert!(!seen.lines().next().unwrap_or("").contains(l1.trim()), "the namespace did not change the caches: {seen}");
    std::fs::remove_dir_all(&work).unwrap();
    assert!(as_is.stdout == reported.stdout, "the same training computed other numbers under other reported caches");
}

#[test]
fn an_avx512_host_computes_what_an_avx2_host_does() {
    let Ok(qemu) = Command::new("qemu-x86_64").arg("--version").output() else {
        eprintln!("caches: qemu-x86_64 is not installed (Debian's qemu-user); nothing checked");
        return;
    };
    assert!(qemu.status.success());
    let bin = std::env::var("OPIMP_CACHES_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_opimp").to_string());
    let args = [
        "train", "--size", "s", "--steps", "20", "--eval-every", "10", "--eval-windows", "100", "--rl-steps", "4", "--rl-eval-every", "2",
        "--eval-histories", "100", "--json",
    ];
    let native = Command::new(&bin).args(args).output().unwrap();
    assert!(native.status.success(), "{}", String::from_utf8_lossy(&native.stderr));
    let avx2 = Command::new("qemu-x86_64").args(["-cpu", "Haswell"]).arg(&bin).args(args).output().unwrap();
    assert!(avx2.status.success(), "{}", String::from_utf8_lossy(&avx2.stderr));
    assert!(native.stdout == avx2.stdout, "the AVX2 CPU computed other numbers than this host");
}
