//! Helpers the command-line tests share: run `opimp`, make files, check
//! that an error is one line and exit code 2.
#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

pub fn opimp(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opimp"))
        .args(args)
        .output()
        .expect("run opimp")
}

pub fn opimp_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_opimp"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn opimp");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

pub fn tmp_file(name: &str, text: &str) -> String {
    let dir = tmp_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

/// Asserts exit code 2, nothing on stdout, one line on stderr containing
/// `needle`, and no panic.
pub fn assert_error(out: &Output, needle: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert!(out.stdout.is_empty(), "stdout: {}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(err.trim_end().lines().count(), 1, "not one line: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains(needle), "{err:?} does not mention {needle:?}");
}


/// A fresh folder for this test process.
pub fn tmp_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("opimp-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
