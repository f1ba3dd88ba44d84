//! End-to-end tests of the `opimp` command line: outputs checked against an
//! independent, literal implementation of SCIENCE.md §4, and every error path
//! gives one line on stderr and exit code 2.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use std::process::Output;

// ---- an independent implementation, written from SCIENCE.md alone ----

/// A small LCG, unrelated to the crate's generator.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

fn ref_base(prev16: &[u8]) -> u8 {
    let mut q: u64 = 1;
    for &s in prev16 {
        q = q * (s as u64 + 1) % 17;
    }
    (q % 8) as u8
}

fn ref_sequence(len: usize, eps: f64, rng: &mut Lcg) -> Vec<u8> {
    let mut s: Vec<u8> = Vec::new();
    for t in 0..len {
        let x = if t < 16 {
            (rng.next() % 8) as u8
        } else if (rng.next() % 1_000_000) as f64 / 1e6 < eps {
            (rng.next() % 8) as u8
        } else {
            ref_base(&s[t - 16..t])
        };
        s.push(x + 8 * (t % 2) as u8);
    }
    s
}

fn ref_p(h: &[u8], a: u8, eps: f64) -> [f64; 8] {
    let mut w: Vec<u8> = h[h.len() - 15..].to_vec();
    w.push(a);
    let b = ref_base(&w);
    let mut p = [eps / 8.0; 8];
    p[b as usize] += 1.0 - eps;
    p
}

fn ref_policy(name: &str, h: &[u8], good: &[u8]) -> u8 {
    match name {
        "greedy" => (8..16)
            .find(|&a| {
                let p = ref_p(h, a, 0.0);
                good.iter().any(|&x| p[x as usize] == 1.0)
            })
            .unwrap_or(8),
        "generator" => ref_base(&h[h.len() - 16..]) + 8,
        c => c.strip_prefix("constant:").unwrap().parse().unwrap(),
    }
}

fn h(p: &[f64; 8]) -> f64 {
    p.iter().filter(|&&v| v > 0.0).map(|&v| -v * v.ln()).sum()
}

/// The literal O(N^2) split-history computation.
fn reference(hs: &[Vec<u8>], policy: &str, good: &[u8], eps: f64) -> Vec<(&'static str, f64)> {
    let n = hs.len() as f64;
    let acts: Vec<u8> = hs.iter().map(|x| ref_policy(policy, x, good)).collect();
    let mut f = [0.0; 8];
    for (x, &a) in hs.iter().zip(&acts) {
        let p = ref_p(x, a, eps);
        for i in 0..8 {
            f[i] += p[i] / n;
        }
    }
    let mass = |d: &[f64; 8]| good.iter().map(|&x| d[x as usize]).sum::<f64>();
    let (mut hsplit, mut imp, mut ssplit) = (0.0, 0.0, 0.0);
    for &a in &acts {
        let mut fp = [0.0; 8];
        for x in hs {
            let p = ref_p(x, a, eps);
            for i in 0..8 {
                fp[i] += p[i] / n;
            }
        }
        hsplit += h(&fp) / n;
        imp += (0..8).map(|i| f[i] * (f[i] / fp[i]).ln()).sum::<f64>() / n;
        ssplit += mass(&fp) / n;
    }
    let s = mass(&f);
    let p = good.len() as f64 / 8.0;
    let bkl = |s: f64, q: f64| s * (s / q).ln() + (1.0 - s) * ((1.0 - s) / (1.0 - q)).ln();
    vec![
        ("success", s),
        ("split_success", ssplit),
        ("entropy_optimized", h(&f)),
        ("entropy_split", hsplit),
        ("op", hsplit - h(&f)),
        ("op_implied", bkl(s, p)),
        ("imp", imp),
        ("imp_min", bkl(s, ssplit)),
    ]
}

fn histories_text(hs: &[Vec<u8>]) -> String {
    hs.iter()
        .map(|h| h.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(","))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn measure_agrees_with_an_independent_implementation() {
    let mut rng = Lcg(20240401);
    let mut hs = Vec::new();
    // Histories of varying length (16..=30 tokens) from several sequences.
    for _ in 0..12 {
        let seq = ref_sequence(200, 0.02, &mut rng);
        for _ in 0..25 {
            let len = 16 + (rng.next() % 15) as usize;
            let mut end = len - 1 + (rng.next() % 150) as usize;
            if end % 2 == 1 {
                end += 1;
            }
            hs.push(seq[end + 1 - len..=end].to_vec());
        }
    }
    let file = tmp_file("agree.txt", &histories_text(&hs));
    for (policy, good, good_list, eps) in [
        ("greedy", "n4", vec![0, 2, 4, 6], 0.02),
        ("greedy", "n2", vec![0, 4], 0.02),
        ("greedy", "1,3,7", vec![1, 3, 7], 0.1),
        ("generator", "n6", vec![0, 1, 2, 4, 5, 6], 0.02),
        ("constant:13", "n4", vec![0, 2, 4, 6], 0.3),
    ] {
        let eps_s = eps.to_string();
        let out = opimp(&[
            "measure", "--histories", &file, "--policy", policy, "--good", good, "--eps", &eps_s,
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let obj = v.as_object().unwrap();
        let keys: Vec<&str> = obj.keys().map(|k| k.as_str()).collect();
        let mut expected_keys = vec![
            "success", "split_success", "entropy_optimized", "entropy_split", "op",
            "op_implied", "imp", "imp_min",
        ];
        let mut got_keys = keys.clone();
        got_keys.sort();
        expected_keys.sort();
        assert_eq!(got_keys, expected_keys);
        for (key, want) in reference(&hs, policy, &good_list, eps) {
            let got = obj[key].as_f64().unwrap();
            assert!((got - want).abs() < 1e-9, "{policy} {good} {key}: {got} vs {want}");
        }
    }
}

#[test]
fn measure_with_monte_carlo_reports_the_extra_keys_near_exact() {
    let mut rng = Lcg(7);
    let seq = ref_sequence(3000, 0.02, &mut rng);
    let hs: Vec<Vec<u8>> = (20..2990).step_by(2).map(|e| seq[e - 19..=e].to_vec()).collect();
    let file = tmp_file("mc.txt", &histories_text(&hs));
    let out = opimp(&[
        "measure", "--histories", &file, "--policy", "greedy", "--good", "n4",
        "--monte-carlo", "--samples", "1500", "--repeats", "8", "--seed", "3",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v.as_object().unwrap().len(), 12);
    let (op, mc, se) = (
        v["op"].as_f64().unwrap(),
        v["mc_op"].as_f64().unwrap(),
        v["mc_op_se"].as_f64().unwrap(),
    );
    assert!(se > 0.0 && (op - mc).abs() < 4.0 * se, "op {op} mc {mc} ± {se}");
    let (imp, mc, se) = (
        v["imp"].as_f64().unwrap(),
        v["mc_imp"].as_f64().unwrap(),
        v["mc_imp_se"].as_f64().unwrap(),
    );
    // The plug-in KL is biased up by about 7/samples; allow for it.
    assert!((imp - (mc - 7.0 / 1500.0)).abs() < 4.0 * se, "imp {imp} mc {mc} ± {se}");
}

#[test]
fn generate_prints_the_sequence() {
    let out = opimp(&["generate", "--len", "50", "--seed", "11"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 1);
    let toks: Vec<u8> = text.trim().split(',').map(|t| t.parse().unwrap()).collect();
    assert_eq!(toks.len(), 50);
    for (t, &s) in toks.iter().enumerate() {
        assert_eq!(s >= 8, t % 2 == 1, "parity at {t}");
    }
    let again = opimp(&["generate", "--len", "50", "--seed", "11"]);
    assert_eq!(again.stdout, text.as_bytes());
    // With eps = 0 every position after 16 follows the rule exactly.
    let out = opimp(&["generate", "--len", "300", "--seed", "2", "--eps", "0"]);
    let toks: Vec<u8> = String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .split(',')
        .map(|t| t.parse().unwrap())
        .collect();
    for t in 16..300 {
        assert_eq!(toks[t] % 8, ref_base(&toks[t - 16..t]), "position {t}");
    }
}

#[test]
fn differential_matches_the_closed_forms() {
    let out = opimp_stdin(
        &["differential", "--system", "-"],
        r#"{"k": 0.5, "samples": 4000, "splits": 50, "repeats": 4}"#,
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let op = v["closed_form"]["op"].as_f64().unwrap();
    let imp = v["closed_form"]["imp"].as_f64().unwrap();
    assert!((op - 2f64.ln()).abs() < 1e-12);
    assert!((imp - (2f64.ln() - 0.25)).abs() < 1e-12);
    let mc = v["monte_carlo"]["op"].as_f64().unwrap();
    assert!((mc - op).abs() < 0.03, "{mc} vs {op}");
    let file = tmp_file(
        "ns.json",
        r#"{"jg": [[1, 0, 0.5]], "jh": [[0.2, 0.1, 0.3]], "samples": 3000, "splits": 40}"#,
    );
    let out = opimp(&["differential", "--system", &file]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["form"], "non-square");
    // ½ ln(1.25) − ½ ln(0.14)
    let want = 0.5 * 1.25f64.ln() - 0.5 * 0.14f64.ln();
    assert!((v["closed_form"]["op"].as_f64().unwrap() - want).abs() < 1e-12);
}

#[test]
fn every_bad_input_is_one_line_and_exit_2() {
    let good_hist = "3,12,7,9,1,15,0,8,2,11,5,13,6,10,4,14,2";
    let ok = tmp_file("ok.txt", good_hist);
    let empty = tmp_file("empty.txt", "\n\n");
    let short = tmp_file("short.txt", &format!("{good_hist}\n1,9,2,10,3"));
    let parity = tmp_file("parity.txt", "3,12,7,9,1,15,0,8,2,11,5,13,6,10,4,4,2");
    let odd_end = tmp_file("oddend.txt", "12,7,9,1,15,0,8,2,11,5,13,6,10,4,14,2,9");
    let range = tmp_file("range.txt", "3,12,7,9,1,15,0,8,2,11,5,13,6,10,4,16,2");
    let junk = tmp_file("junk.txt", "3,12,seven,9,1,15,0,8,2,11,5,13,6,10,4,14,2");
    let binary = tmp_file("binary.txt", "");
    std::fs::write(&binary, [0xff, 0xfe, 0x00]).unwrap();
    let m = |file: &str, policy: &str, good: &str| -> Output {
        opimp(&["measure", "--histories", file, "--policy", policy, "--good", good])
    };
    assert_error(&m("/nonexistent/h.txt", "greedy", "n4"), "cannot read");
    assert_error(&m(&empty, "greedy", "n4"), "empty");
    assert_error(&m(&short, "greedy", "n4"), "line 2");
    assert_error(&m(&parity, "greedy", "n4"), "line 1: token 16");
    assert_error(&m(&odd_end, "greedy", "n4"), "last token");
    assert_error(&m(&range, "greedy", "n4"), "not in 0..15");
    assert_error(&m(&junk, "greedy", "n4"), "'seven'");
    assert_error(&m(&binary, "greedy", "n4"), "not UTF-8");
    assert_error(&m(&ok, "sneaky", "n4"), "unknown policy");
    assert_error(&m(&ok, "constant:3", "n4"), "8..15");
    assert_error(&m(&ok, "greedy", "n5"), "--good");
    assert_error(&m(&ok, "greedy", "0,1,2,3,4,5,6,7"), "failure");
    assert_error(&m(&ok, "greedy", "9"), "not in 0..7");
    let mm = |extra: &[&str]| {
        let mut args = vec!["measure", "--histories", &ok, "--policy", "greedy", "--good", "n4"];
        args.extend_from_slice(extra);
        opimp(&args)
    };
    assert_error(&mm(&["--eps", "0"]), "--eps");
    assert_error(&mm(&["--eps", "1.5"]), "--eps");
    assert_error(&mm(&["--eps", "abc"]), "abc");
    assert_error(&mm(&["--monte-carlo", "--repeats", "1"]), "--repeats");
    assert_error(&mm(&["--monte-carlo", "--samples", "0"]), "--samples");
    assert_error(&mm(&["--samples", "-3"]), "-3");
    assert_error(&opimp(&["measure", "--policy", "greedy", "--good", "n4"]), "--histories");
    assert_error(&opimp(&["generate", "--len", "0"]), "--len");
    assert_error(&opimp(&["generate", "--len", "x"]), "x");
    assert_error(&opimp(&["generate", "--len", "5", "--eps", "-1"]), "--eps");
    assert_error(&opimp(&["generate"]), "--len");
    assert_error(&opimp(&["frobnicate"]), "frobnicate");
    assert_error(&opimp(&["--nope"]), "--nope");
    let d = |text: &str| opimp_stdin(&["differential", "--system", "-"], text);
    assert_error(&d("not json"), "not a system description");
    assert_error(&d(r#"{"jg": [[1, 2]], "jh": [[1]]}"#), "same shape");
    assert_error(&d(r#"{"jg": [[0, 0], [0, 0]], "jh": [[1, 0], [0, 1]]}"#), "singular");
    assert_error(&d(r#"{"jg": [[1], [2]], "jh": [[1], [2]]}"#), "more dimensions");
    assert_error(&d(r#"{"jg": [[1, 2], [3]], "jh": [[1, 2], [3, 4]]}"#), "row 2");
    assert_error(&d(r#"{"k": 0}"#), "non-zero");
    assert_error(&d(r#"{"k": 0.5, "sigma": -1}"#), "sigma");
    assert_error(&d(r#"{"k": 0.5, "wobble": 1}"#), "wobble");
    assert_error(&d(r#"{"kind": "cubic", "k": 1}"#), "unknown kind");
    assert_error(&d("{}"), "give jg and jh");
    assert_error(&opimp(&["differential", "--system", "/nonexistent.json"]), "cannot read");
}

#[test]
fn help_is_available_for_every_command() {
    for cmd in [vec!["--help"], vec!["generate", "--help"], vec!["measure", "--help"], vec![
        "differential",
        "--help",
    ]] {
        let out = opimp(&cmd);
        assert_eq!(out.status.code(), Some(0));
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage"));
    }
}

#[test]
fn train_sweep_and_export_run_a_study_end_to_end() {
    // A tiny study: the quick preset cut down, two seeds.
    let out = opimp(&["sweep", "--preset", "quick", "--print-config"]);
    assert!(out.status.success());
    let mut config: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    config["seeds"] = serde_json::json!([0, 1]);
    config["steps"] = 20.into();
    config["eval_every"] = 10.into();
    config["eval_windows"] = 100.into();
    config["train_tokens"] = 20_000.into();
    config["test_tokens"] = 5_000.into();
    config["rl_steps"] = 6.into();
    config["rl_eval_every"] = 3.into();
    config["eval_histories"] = 60.into();
    let config_path = tmp_file("tiny.json", &config.to_string());
    let results_path = tmp_file("tiny-results.json", "");
    std::fs::remove_file(&results_path).unwrap();
    let out = opimp(&["sweep", "--config", &config_path, "--out", &results_path, "--threads", "2"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&results_path).unwrap();
    let results = opimp::study::results::Results::from_json(&text).unwrap();
    assert_eq!(
        results.models.iter().map(|m| (m.key.size.name(), m.key.seed)).collect::<Vec<_>>(),
        vec![("s", 0), ("s", 1)]
    );
    assert!(results.provenance.engine.to_string().starts_with("native"), "{:?}", results.provenance);
    assert!(!std::path::Path::new(&format!("{results_path}.lock")).exists(), "the lock is released");
    // Re-running resumes: nothing left to train, the file is unchanged.
    let out = opimp(&["sweep", "--config", &config_path, "--out", &results_path]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_to_string(&results_path).unwrap(), text);
    // Models of another build are never mixed in: the sweep refuses to
    // resume them and leaves the file as it was.
    let other = text.replacen(&format!("\"build\":\"{}\"", results.provenance.build), "\"build\":\"0.0.0+another\"", 1);
    assert_ne!(other, text);
    std::fs::write(&results_path, &other).unwrap();
    let out = opimp(&["sweep", "--config", &config_path, "--out", &results_path]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("another build"), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_to_string(&results_path).unwrap(), other);
    std::fs::write(&results_path, &text).unwrap();
    // Export: a header, the two models and the scripted policies.
    let out = opimp(&["export", "--results", &results_path]);
    assert!(out.status.success());
    let csv = String::from_utf8(out.stdout).unwrap();
    assert_eq!(csv.lines().count(), 1 + 2 + results.scripted.len(), "{csv}");

    // Train one model, keep its checkpoint, and measure the checkpoint again
    // (what the page's Import model does): the same numbers. Seed 1 alone
    // gives the numbers it had in the two-seed sweep's stack.
    let ck = tmp_file("tiny.opimp", "");
    std::fs::remove_file(&ck).unwrap();
    let out = opimp(&[
        "train", "--preset", "quick", "--seed", "1", "--steps", "20", "--rl-steps", "6", "--eval-histories", "60", "--json",
        "--save-model", &ck,
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let trained = opimp::study::results::Results::from_json(&String::from_utf8(out.stdout).unwrap()).unwrap();
    assert_eq!(trained.models.len(), 1);
    let bytes = std::fs::read(&ck).unwrap();
    // A safetensors file: its header's length, then the header.
    assert_eq!(bytes[8], b'{');
    assert!(opimp::study::checkpoint::looks_like_one(&bytes));
    let device = opimp::model::cpu_device();
    let data = opimp::study::data::Draws::new(&trained.config);
    let again = pollster::block_on(opimp::experiment::checkpoints::measure_checkpoint(&trained.config, &bytes, &data, &device)).unwrap();
    assert_eq!(again, trained.models[0]);
}
