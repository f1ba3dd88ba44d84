//! The wasm engine without a browser: the page's own training worker (its
//! wasm, built for the Web Worker) run in Node.js, one process per core,
//! spoken to in the page's worker protocol over standard input and output.
//! Its numbers are the browser's, bit for bit: the same wasm, and wasm
//! arithmetic is the same on every machine.

use crate::study::config::ExperimentConfig;
use crate::study::engine::Engine;
use crate::study::event::Event;
use crate::study::jobs::Handout;
use crate::study::provenance::BUILD;
use crate::study::protocol::{Envelope, WorkerInput, WorkerOutput};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// The shim that gives the worker's wasm a worker's global scope in Node.js.
const SHIM: &str = include_str!("node_worker.js");

/// Where `scripts/wasm-worker.sh` puts the worker by default.
pub const DEFAULT_DIR: &str = "target/wasm-worker";

/// The worker's two files: wasm-bindgen's glue (no-modules target) and the
/// module.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkerFiles {
    /// The glue script.
    pub glue: PathBuf,
    /// The wasm module.
    pub module: PathBuf,
}

impl WorkerFiles {
    /// The CPU worker in `dir`: `worker.js` and `worker_bg.wasm`, or the
    /// names Trunk gives them in a built page (`worker-<hash>.js`, ...).
    pub fn find(dir: &str) -> Result<Self, String> {
        let entries = std::fs::read_dir(dir).map_err(|e| {
            format!("--worker {dir}: {e} (build the page's worker with scripts/wasm-worker.sh, or point --worker at a built page's folder)")
        })?;
        let names: Vec<String> = entries.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
        let is_worker = |n: &str, ext: &str| {
            let Some(stem) = n.strip_suffix(ext) else { return false };
            stem == "worker" || stem.strip_prefix("worker-").is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()))
        };
        let one = |ext: &str| -> Result<PathBuf, String> {
            let found: Vec<&String> = names.iter().filter(|n| is_worker(n, ext)).collect();
            match found[..] {
                [n] => Ok(Path::new(dir).join(n)),
                [] => Err(format!("--worker {dir}: no worker{ext} there (build it with scripts/wasm-worker.sh)")),
                _ => Err(format!("--worker {dir}: more than one worker{ext} there")),
            }
        };
        Ok(WorkerFiles { glue: one(".js")?, module: one("_bg.wasm")? })
    }
}

/// One worker: a Node.js process running the page's worker wasm.
pub struct NodeWorker {
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
    next_run: u64,
}

fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | (b as u32) << (16 - 8 * i));
        for i in 0..4 {
            out.push(if i <= chunk.len() { ABC[(n >> (18 - 6 * i) & 63) as usize] as char } else { '=' });
        }
    }
    out
}

fn unbase64(text: &str) -> Result<Vec<u8>, String> {
    let value = |c: u8| -> Result<u32, String> {
        Ok(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return Err(format!("'{}' is not base64", c as char)),
        } as u32)
    };
    let bytes = text.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= value(c)? << (18 - 6 * i);
        }
        for i in 0..chunk.len().saturating_sub(1) {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Ok(out)
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Line {
    json: String,
    payload: Option<String>,
}

impl NodeWorker {
    /// Starts a worker and waits until it is ready: its wasm loaded, of
    /// this build, on the CPU engine.
    pub fn start(files: &WorkerFiles) -> Result<Self, String> {
        let mut child = Command::new("node")
            .arg("-e")
            .arg(SHIM)
            .arg(&files.glue)
            .arg(&files.module)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start Node.js (the wasm engine runs the page's worker in it): {e}"))?;
        let input = child.stdin.take().expect("piped");
        let output = BufReader::new(child.stdout.take().expect("piped"));
        let mut w = NodeWorker { child, input, output, next_run: 1 };
        match w.receive()? {
            WorkerOutput::Ready { build, engine: Engine::Cpu } if build == BUILD => Ok(w),
            WorkerOutput::Ready { build, .. } if build != BUILD => Err(format!(
                "the worker in {} is build {build}, this command is {BUILD}: rebuild it (scripts/wasm-worker.sh) so that their numbers are one build's",
                files.module.display()
            )),
            WorkerOutput::Ready { engine, .. } => Err(format!("the worker computes on the {engine} engine, not the CPU's")),
            other => Err(format!("the worker did not start: {other:?}")),
        }
    }

    fn send(&mut self, input: WorkerInput) -> Result<(), String> {
        let e = input.encode();
        let line = serde_json::to_string(&Line { json: e.json, payload: e.payload.as_deref().map(base64) }).map_err(|e| e.to_string())?;
        writeln!(self.input, "{line}").and_then(|_| self.input.flush()).map_err(|e| format!("the worker stopped taking work: {e}"))
    }

    fn receive(&mut self) -> Result<WorkerOutput, String> {
        let mut line = String::new();
        let n = self.output.read_line(&mut line).map_err(|e| format!("cannot read the worker: {e}"))?;
        if n == 0 {
            let status = self.child.wait().map(|s| s.to_string()).unwrap_or_default();
            return Err(format!("the worker's Node.js process ended ({status})"));
        }
        let l: Line = serde_json::from_str(&line).map_err(|e| format!("the worker wrote something that is not a message: {e}"))?;
        let payload = l.payload.map(|p| unbase64(&p)).transpose()?;
        WorkerOutput::decode(Envelope { json: l.json, payload })
    }

    /// Runs one work of `config`, telling `on` each event (false stops the
    /// work: the process is ended, as the page ends a worker).
    pub fn run(&mut self, config: &ExperimentConfig, handout: Handout, on: &mut dyn FnMut(Event) -> bool) -> Result<(), Stopped> {
        let run = self.next_run;
        self.next_run += 1;
        let pretrained = handout.pretrained.map(|p| p.as_ref().clone());
        self.send(WorkerInput::Run { run, config: config.clone(), work: handout.work, pretrained }).map_err(Stopped::Failed)?;
        loop {
            match self.receive().map_err(Stopped::Failed)? {
                WorkerOutput::Event { run: r, event } if r == run => {
                    if !on(event) {
                        let _ = self.child.kill();
                        return Err(Stopped::Cancelled);
                    }
                }
                WorkerOutput::Done { run: r } if r == run => return Ok(()),
                WorkerOutput::Failed { run: r, message } if r == run || r == 0 => return Err(Stopped::Failed(message)),
                WorkerOutput::Error { message } => return Err(Stopped::Failed(message)),
                _ => {}
            }
        }
    }
}

impl Drop for NodeWorker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub use crate::experiment::Stopped;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_every_length() {
        for n in 0..20usize {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 37 + 11) as u8).collect();
            assert_eq!(unbase64(&base64(&bytes)).unwrap(), bytes, "{n}");
        }
        assert_eq!(base64(b"opimp"), "b3BpbXA=");
        assert!(unbase64("b3B*").is_err());
    }

    #[test]
    fn the_worker_is_found_under_either_name() {
        let dir = std::env::temp_dir().join(format!("opimp-node-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let d = dir.to_string_lossy().into_owned();
        assert!(WorkerFiles::find(&d).unwrap_err().contains("no worker.js"));
        for f in ["worker-0a1b.js", "worker-0a1b_bg.wasm", "worker_gpu-77.js", "worker_gpu-77_bg.wasm", "app-9_bg.wasm"] {
            std::fs::write(dir.join(f), b"").unwrap();
        }
        let found = WorkerFiles::find(&d).unwrap();
        assert_eq!((found.glue, found.module), (dir.join("worker-0a1b.js"), dir.join("worker-0a1b_bg.wasm")));
        std::fs::write(dir.join("worker.js"), b"").unwrap();
        assert!(WorkerFiles::find(&d).unwrap_err().contains("more than one"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
