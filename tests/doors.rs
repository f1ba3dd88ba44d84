//! Every door of the command line, tried with the input that used to get
//! through: each is refused before anything changes, with one line on
//! stderr and exit code 2, and nothing is lost.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use opimp::measure::{Estimate, MonteCarlo};
use opimp::sequence::SuccessSet;
use opimp::study::config::ExperimentConfig;
use opimp::study::key::ModelKey;
use opimp::study::preset::Preset;
use opimp::study::results::{Comparisons, ModelResult, OpImp, Results, TaskScore};
use opimp::study::size::Size;
use serde_json::{Value, json};

/// A small config and results with two made-up (but valid) models.
fn made_up() -> Results {
    let mut c = ExperimentConfig::preset(Preset::Quick);
    c.seeds = vec![0, 1];
    c.eval_histories = 50;
    c.test_tokens = 2_000;
    let mut r = Results::new(c.clone());
    let o = OpImp { op: 0.1, imp: 0.2, comparison_success: 0.5 };
    for seed in [0, 1] {
        let key = ModelKey { size: Size::S, seed, task: SuccessSet::N4 };
        r.add(vec![ModelResult {
            key,
            params: Size::S.params(),
            entropy_optimized: 1.9,
            entropy_split: 2.0,
            op: 0.1,
            imp: 0.15,
            scores: SuccessSet::tasks()
                .iter()
                .map(|&task| TaskScore { task, success: 0.6, split_success: 0.5, op_implied: 0.02, imp_min: 0.02 })
                .collect(),
            pretrained_success: 0.5,
            self_op: 0.05,
            self_imp: 0.1,
            comparisons: Comparisons { fixed: o, random: o, untrained: o, pretrained: o },
            monte_carlo: Some(MonteCarlo { op: Estimate { mean: 0.1, se: 0.01 }, imp: Estimate { mean: 0.2, se: 0.01 }, samples: 200, repeats: 10 }),
        }]);
    }
    r.validate().unwrap();
    r
}

fn file(name: &str, v: &Value) -> String {
    tmp_file(name, &v.to_string())
}

#[test]
fn results_files_are_taken_in_whole_or_not_at_all() {
    let good: Value = serde_json::from_str(&made_up().to_json().unwrap()).unwrap();
    let export = |path: &str| opimp(&["export", "--results", path]);
    assert!(export(&file("good.json", &good)).status.success());
    let mut v = good.clone();
    v["models"][0]["scores"].as_array_mut().unwrap().retain(|s| s["task"] != "n4");
    assert_error(&export(&file("no-own.json", &v)), "no score under n4");
    let mut v = good.clone();
    v["scripted"] = json!([]);
    assert_error(&export(&file("no-scripted.json", &v)), "no scripted policies");
    let mut v = good.clone();
    v["models"][1] = v["models"][0].clone();
    assert_error(&export(&file("twice.json", &v)), "appears twice");
    let mut v = good.clone();
    v["models"][0]["seed"] = 7.into();
    assert_error(&export(&file("outside.json", &v)), "not part of the experiment");
    let mut v = good.clone();
    v["models"][0]["op"] = Value::Null;
    assert_error(&export(&file("null.json", &v)), "null.json");
    let mut v = good.clone();
    v["models"][0]["size"] = "m".into();
    assert_error(&export(&file("wrong-size.json", &v)), "not part of the experiment");
    let mut v = good.clone();
    v["config"]["steps"] = 500_000.into();
    assert_error(&export(&file("steps.json", &v)), "steps");
    // A NaN never reaches a file: the writer refuses it.
    let mut r = made_up();
    r.models[0].imp = f64::NAN;
    assert!(r.to_json().unwrap_err().contains("not a finite number"));
    // The first round's file still loads (converted).
    let old = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/v1-results.json")).unwrap();
    let r = Results::from_json(&old).unwrap();
    assert_eq!((r.version, r.models.len()), (opimp::study::results::RESULTS_VERSION, 1));
    assert!(r.provenance.note.contains("version 1"));
    // So does the second round's (its config in nested objects).
    let v2 = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/v2-results.json")).unwrap();
    let r = Results::from_json(&v2).unwrap();
    assert_eq!((r.version, r.models.len()), (opimp::study::results::RESULTS_VERSION, 1));
    assert_eq!((r.config.maintenance_every, r.config.rl_steps, r.config.data_seed), (2, 400, 2024));
}

#[test]
fn outputs_never_replace_a_file_of_another_kind() {
    let results = tmp_file("in.json", &made_up().to_json().unwrap());
    let before = std::fs::read(&results).unwrap();
    // export --out onto its own input.
    assert_error(&opimp(&["export", "--results", &results, "--out", &results]), "results file itself");
    assert_eq!(std::fs::read(&results).unwrap(), before);
    // export --out onto a file that is not this lab's CSV.
    let notes = tmp_file("notes.txt", "my notes");
    assert_error(&opimp(&["export", "--results", &results, "--out", &notes]), "--force");
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "my notes");
    assert!(opimp(&["export", "--results", &results, "--out", &notes, "--force"]).status.success());
    // sweep --out onto a file that is not a results file, text or binary.
    let bin = tmp_file("photo.jpg", "");
    std::fs::write(&bin, [0xff, 0xd8, 0xff, 0x00, 0x10]).unwrap();
    assert_error(&opimp(&["sweep", "--preset", "quick", "--out", &bin]), "not a results file");
    assert_eq!(std::fs::read(&bin).unwrap(), vec![0xff, 0xd8, 0xff, 0x00, 0x10]);
    let text = tmp_file("essay.md", "# an essay");
    assert_error(&opimp(&["sweep", "--preset", "quick", "--out", &text]), "--force");
    // ... or onto another experiment's results.
    assert_error(&opimp(&["sweep", "--preset", "paper", "--out", &results]), "different experiment");
    assert_eq!(std::fs::read(&results).unwrap(), before);
    // train --save-model onto a file that is not a checkpoint.
    assert_error(&opimp(&["train", "--preset", "quick", "--save-model", &notes]), "not an opimp checkpoint");
}

#[test]
fn a_sweep_locks_its_results_file() {
    let out = tmp_dir().join("locked.json").to_string_lossy().into_owned();
    // A lock held by a running process.
    std::fs::write(format!("{out}.lock"), std::process::id().to_string()).unwrap();
    assert_error(&opimp(&["sweep", "--preset", "quick", "--out", &out]), "another sweep");
    assert!(!std::path::Path::new(&out).exists());
    // A lock left by a process that is gone is taken over.
    std::fs::write(format!("{out}.lock"), "4000000000").unwrap();
    let mut config: Value = serde_json::from_slice(&opimp(&["sweep", "--preset", "quick", "--print-config"]).stdout).unwrap();
    config["steps"] = 2.into();
    config["rl_steps"] = 1.into();
    config["eval_histories"] = 20.into();
    let path = file("mini.json", &config);
    let done = opimp(&["sweep", "--config", &path, "--out", &out]);
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    assert!(!std::path::Path::new(&format!("{out}.lock")).exists());
    // No temporary file is left beside it.
    let dir = std::path::Path::new(&out).parent().unwrap();
    assert!(std::fs::read_dir(dir).unwrap().all(|e| !e.unwrap().file_name().to_string_lossy().ends_with(".tmp")));
}

/// Rewrites `out` (holding the results of `old`) with a sweep of `new`,
/// ended at once when a file it writes reaches `after` bytes, and returns
/// whether it was ended so, and what is left at `out`.
fn interrupted_rewrite(out: &str, new: &str, after: usize, direct: bool) -> (bool, Vec<u8>) {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_opimp"));
    cmd.args(["sweep", "--config", new, "--out", out, "--force", "--threads", "1"]).env("OPIMP_FAULT_AFTER_BYTES", after.to_string());
    if direct {
        cmd.env("OPIMP_FAULT_DIRECT", "1");
    }
    let status = cmd.stderr(std::process::Stdio::null()).stdout(std::process::Stdio::null()).status().unwrap();
    let _ = std::fs::remove_file(format!("{out}.lock"));
    (status.code() == Some(137), std::fs::read(out).unwrap())
}

#[test]
fn interrupted_writes_leave_the_old_file_whole() {
    let base: Value = serde_json::from_slice(&opimp(&["sweep", "--preset", "quick", "--print-config"]).stdout).unwrap();
    let mini = |steps: u64| {
        let mut c = base.clone();
        c["steps"] = steps.into();
        c["rl_steps"] = 1.into();
        c["eval_histories"] = 20.into();
        file(&format!("mini{steps}.json"), &c)
    };
    let (a, b) = (mini(2), mini(3));
    let out = tmp_dir().join("rewritten.json").to_string_lossy().into_owned();
    let made = opimp(&["sweep", "--config", &a, "--out", &out]);
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let before = std::fs::read(&out).unwrap();
    // Interrupted at many points of the rewrites (the first, of the other
    // experiment's empty results, is some 4 KB; the last some 12 KB): the
    // file is always whole, the old one or a new one.
    let whole = |bytes: &[u8]| Results::from_json(&String::from_utf8_lossy(bytes)).is_ok();
    for after in [0, 1, 100, 1000, 3000, 4095, 4096, 4097, 6000, 9000, 12_000] {
        let (interrupted, left) = interrupted_rewrite(&out, &b, after, false);
        assert!(whole(&left), "interrupted after {after} bytes: {} bytes left that do not read", left.len());
        if after < 3000 {
            assert!(interrupted);
            assert_eq!(left, before, "interrupted in its first write, after {after} bytes");
        }
        std::fs::write(&out, &before).unwrap();
        let dir = std::path::Path::new(&out).parent().unwrap();
        for e in std::fs::read_dir(dir).unwrap() {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            if name.ends_with(".tmp") {
                std::fs::remove_file(dir.join(name)).unwrap();
            }
        }
    }
    // The same interruption with a writer that writes in place leaves a
    // file that is neither: the check above would catch it.
    let (interrupted, left) = interrupted_rewrite(&out, &b, 1000, true);
    assert!(interrupted);
    assert_eq!(left.len(), 1000);
    assert!(!whole(&left));
}

#[test]
fn an_interrupted_save_leaves_the_old_checkpoint_whole() {
    let ck = tmp_dir().join("keep.opimp").to_string_lossy().into_owned();
    let made = opimp(&["train", "--preset", "quick", "--steps", "2", "--rl-steps", "1", "--eval-histories", "20", "--save-model", &ck]);
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let before = std::fs::read(&ck).unwrap();
    for after in [10, 40_000] {
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_opimp"))
            .args(["train", "--preset", "quick", "--steps", "3", "--rl-steps", "1", "--eval-histories", "20", "--save-model", &ck])
            .env("OPIMP_FAULT_AFTER_BYTES", after.to_string())
            .stderr(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(137));
        assert_eq!(std::fs::read(&ck).unwrap(), before, "interrupted after {after} bytes");
    }
}

#[test]
fn sweep_configs_with_repeats_are_refused() {
    let base: Value = serde_json::from_slice(&opimp(&["sweep", "--preset", "quick", "--print-config"]).stdout).unwrap();
    let out = tmp_dir().join("never.json").to_string_lossy().into_owned();
    let mut v = base.clone();
    v["sizes"] = json!(["s", "s"]);
    assert_error(&opimp(&["sweep", "--config", &file("ss.json", &v), "--out", &out]), "size s is given twice");
    let mut v = base.clone();
    v["tasks"] = json!(["n4", "0,2,4,6"]);
    assert_error(&opimp(&["sweep", "--config", &file("n4n4.json", &v), "--out", &out]), "task n4 is given twice");
    let mut v = base.clone();
    v["wobble"] = 1.into();
    assert_error(&opimp(&["sweep", "--config", &file("wobble.json", &v), "--out", &out]), "wobble");
    assert!(!std::path::Path::new(&out).exists());
}

#[test]
fn differential_inputs_are_capped() {
    let d = |text: &str| opimp_stdin(&["differential", "--system", "-"], text);
    let start = std::time::Instant::now();
    assert_error(&d(r#"{"k": 0.5, "samples": 200000, "splits": 2000, "repeats": 100}"#), "at most");
    let big: Vec<Vec<f64>> = (0..60).map(|i| (0..60).map(|j| if i == j { 1.0 } else { 0.0 }).collect()).collect();
    assert_error(&d(&json!({"jg": big, "jh": big}).to_string()), "at most 8x8");
    assert_error(&d(r#"{"jg": [[1, 0], [0, 1]], "jh": [[0, 0], [0, 0]]}"#), "singular");
    assert_error(&d(r#"{"k": 0.5, "sigma": 1e300}"#), "sigma");
    assert_error(&d(r#"{"k": 1e300}"#), "k is");
    // Refusals are immediate.
    assert!(start.elapsed().as_secs() < 20);
}

#[test]
fn histories_files_are_capped() {
    let line = "3,12,7,9,1,15,0,8,2,11,5,13,6,10,4,14,2\n";
    let many = tmp_file("many.txt", &line.repeat(200_001));
    let out = opimp(&["measure", "--histories", &many, "--policy", "greedy", "--good", "n4"]);
    assert_error(&out, "more than 200000 histories");
    let huge = tmp_dir().join("huge.txt");
    let f = std::fs::File::create(&huge).unwrap();
    f.set_len(17 << 20).unwrap(); // 17 MB of zeros, without writing them
    let out = opimp(&["measure", "--histories", huge.to_str().unwrap(), "--policy", "greedy", "--good", "n4"]);
    assert_error(&out, "larger than 16 MB");
}
