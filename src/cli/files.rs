//! The command line's files: read with a size cap, written whole or not at
//! all (a temporary file in the same folder, then a rename), never over a
//! file of another kind without `--force`, and a lock so two sweeps cannot
//! write one results file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Reads a text file (or standard input for `-`) of at most `max` bytes,
/// naming it in the error.
pub fn read_text(path: &str, max: usize) -> Result<String, String> {
    let bytes = read_bytes(path, max)?;
    let name = if path == "-" { "standard input" } else { path };
    String::from_utf8(bytes).map_err(|_| format!("{name} is not UTF-8 text"))
}

/// Reads a file (or standard input for `-`) of at most `max` bytes.
pub fn read_bytes(path: &str, max: usize) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let too_big = |what: &str| format!("{what} is larger than {} MB; this lab reads at most that", max >> 20);
    let mut bytes = Vec::new();
    if path == "-" {
        std::io::stdin()
            .take(max as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        if bytes.len() > max {
            return Err(too_big("standard input"));
        }
        return Ok(bytes);
    }
    let meta = fs::metadata(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    if meta.is_dir() {
        return Err(format!("cannot read {path}: it is a folder"));
    }
    if meta.len() > max as u64 {
        return Err(too_big(path));
    }
    fs::File::open(path)
        .and_then(|f| f.take(max as u64 + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("cannot read {path}: {e}"))?;
    if bytes.len() > max {
        return Err(too_big(path));
    }
    Ok(bytes)
}

/// A temporary name beside `path`, unique to this process and call.
fn temp_beside(path: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    path.with_file_name(format!(".{name}.{}.{n}.tmp", std::process::id()))
}

/// Writes `bytes` to `path` whole or not at all: a temporary file in the
/// same folder, flushed to disk, then renamed over `path`.
pub fn write_atomically(path: &str, bytes: &[u8]) -> Result<(), String> {
    let target = Path::new(path);
    let fault = Fault::from_env();
    if fault.direct {
        // The test hook's stand-in for a writer without a temporary file.
        return write_chunks(target, bytes, fault.after).map_err(|e| format!("cannot write {path}: {e}"));
    }
    let tmp = temp_beside(target);
    let result = (|| {
        write_chunks(&tmp, bytes, fault.after)?;
        fs::rename(&tmp, target)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(format!("cannot write {path}: {e}"));
    }
    Ok(())
}

/// A fault injected into writes, for the test that interrupts them
/// (tests/doors.rs): `OPIMP_FAULT_AFTER_BYTES=N` ends the process at once,
/// without unwinding, when N bytes of a file have been written, as a kill
/// would; `OPIMP_FAULT_DIRECT=1` writes over the target in place, the
/// non-atomic writer the test must be seen to catch. Neither is set in use.
struct Fault {
    after: Option<usize>,
    direct: bool,
}

impl Fault {
    fn from_env() -> Self {
        Fault {
            after: std::env::var("OPIMP_FAULT_AFTER_BYTES").ok().and_then(|v| v.parse().ok()),
            direct: std::env::var("OPIMP_FAULT_DIRECT").is_ok_and(|v| v == "1"),
        }
    }
}

/// Writes `bytes` to `path` in 4 KB pieces and syncs it; with a fault,
/// ends the process once `after` bytes are written.
fn write_chunks(path: &Path, bytes: &[u8], after: Option<usize>) -> std::io::Result<()> {
    let mut f = fs::File::create(path)?;
    let mut written = 0;
    for piece in bytes.chunks(4096) {
        let piece = match after {
            Some(n) if written + piece.len() >= n => &piece[..n - written],
            _ => piece,
        };
        f.write_all(piece)?;
        written += piece.len();
        if after.is_some_and(|n| written >= n) {
            f.sync_all()?;
            std::process::exit(137);
        }
    }
    f.sync_all()
}

/// Checks that `path` may be written: it does not exist, or it is of the
/// kind this command writes (`is_kind` says so), or `force` is given.
pub fn may_overwrite(path: &str, what: &str, force: bool, is_kind: impl Fn(&[u8]) -> bool) -> Result<(), String> {
    let p = Path::new(path);
    if p.is_dir() {
        return Err(format!("{path} is a folder"));
    }
    if !p.exists() || force {
        return Ok(());
    }
    let head = read_bytes(path, 64 << 20).unwrap_or_default();
    if is_kind(&head) {
        Ok(())
    } else {
        Err(format!("{path} exists and is not {what}; choose another file, or --force to replace it"))
    }
}

/// Whether two paths name the same file (an existing file compared by
/// its canonical path).
pub fn same_file(a: &str, b: &str) -> bool {
    match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => Path::new(a) == Path::new(b),
    }
}

/// A lock on a file being written by one process (`FILE.lock`, holding its
/// process id). Dropped, it is removed.
pub struct Lock {
    path: PathBuf,
}

impl Lock {
    /// Takes the lock on `path`, or says who holds it. A lock left by a
    /// process that no longer runs is taken over.
    pub fn take(path: &str) -> Result<Lock, String> {
        let lock = PathBuf::from(format!("{path}.lock"));
        for _ in 0..2 {
            match fs::OpenOptions::new().write(true).create_new(true).open(&lock) {
                Ok(mut f) => {
                    let _ = write!(f, "{}", std::process::id());
                    return Ok(Lock { path: lock });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let pid = fs::read_to_string(&lock).ok().and_then(|s| s.trim().parse::<u32>().ok());
                    let alive = pid.is_some_and(|p| Path::new(&format!("/proc/{p}")).exists() || !Path::new("/proc").exists());
                    if alive {
                        return Err(format!(
                            "another sweep (process {}) is writing {path}; wait for it, or remove {} if none runs",
                            pid.unwrap_or(0),
                            lock.display()
                        ));
                    }
                    let _ = fs::remove_file(&lock);
                }
                Err(e) => return Err(format!("cannot lock {path}: {e}")),
            }
        }
        Err(format!("cannot lock {path}"))
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}
