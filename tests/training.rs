//! The models learn: short pretraining and RL runs, determinism, the network
//! as a policy and as a world model in the estimators, and the experiment's
//! results format.
#![cfg(not(target_arch = "wasm32"))]

use opimp::experiment::{self, ExperimentConfig, Job, Results};
use opimp::measure::{self, OutcomeModel, Policy, SequenceRule};
use opimp::model::{ModelConfig, cpu_device};
use opimp::sequence::SuccessSet;
use opimp::train::{self, Data, NetworkOutcome, NetworkPolicy, PretrainConfig, Trainer};

fn small_data() -> (PretrainConfig, Data) {
    let cfg = PretrainConfig {
        steps: 0,
        batch: 64,
        lr: 1e-3,
        weight_decay: 0.01,
        eval_every: 100,
        eval_windows: 400,
        train_tokens: 50_000,
        test_tokens: 10_000,
    };
    let data = Data::new(&cfg, 400, 0.02, 11);
    (cfg, data)
}

#[test]
fn pretraining_lowers_loss_and_beats_chance() {
    let device = cpu_device();
    let (_, data) = small_data();
    let mut t = Trainer::new(&ModelConfig::preset("s").unwrap(), 3, 0.01, &device);
    let (loss0, _) = train::evaluate(&t.model(), &data.test_eval, &device);
    for _ in 0..250 {
        t.next_token_step(&data.train, 64, 1e-3, false);
    }
    let (loss1, acc1) = train::evaluate(&t.model(), &data.test_eval, &device);
    assert!(loss1 < loss0 - 0.5, "loss {loss0} -> {loss1}");
    // Chance is 1/16 over all tokens (1/8 once parity is known).
    assert!(acc1 > 0.2, "accuracy {acc1}");
}

#[test]
fn rl_raises_success() {
    let device = cpu_device();
    let (_, data) = small_data();
    let g = SuccessSet::N2;
    let mut t = Trainer::new(&ModelConfig::preset("s").unwrap(), 4, 0.01, &device);
    for _ in 0..600 {
        t.next_token_step(&data.train, 64, 1e-3, false);
    }
    let before = train::success_rates(&t.model(), &device, &data.histories, &[g], 0.02)[0];
    let mut rl = Trainer::from_model(t.into_model(), 5, 0.01, &device);
    for _ in 0..300 {
        rl.rl_step(&data.train, g, 64, 1e-3, 0.02);
        rl.next_token_step(&data.train, 64, 1e-4, true);
    }
    let after = train::success_rates(&rl.model(), &device, &data.histories, &[g], 0.02)[0];
    assert!(after > before + 0.05, "success {before} -> {after}");
}

#[test]
fn same_seed_same_weights() {
    let device = cpu_device();
    let (_, data) = small_data();
    let cfg = ModelConfig::preset("s").unwrap();
    let run = |seed: u64| {
        let mut t = Trainer::new(&cfg, seed, 0.01, &device);
        for _ in 0..15 {
            t.next_token_step(&data.train, 32, 1e-3, false);
            t.rl_step(&data.train, SuccessSet::N4, 32, 1e-3, 0.02);
        }
        t.model().logits(&data.histories[..8], &device)
    };
    assert_eq!(run(9), run(9));
    assert_ne!(run(9), run(10));
}

#[test]
fn the_network_plugs_into_the_estimators() {
    let device = cpu_device();
    let (_, data) = small_data();
    let model = ModelConfig::preset("s").unwrap().init(1, &device);
    let policy = NetworkPolicy { model: &model, device: &device };
    let actions = policy.actions(&data.histories);
    assert!(actions.iter().all(|a| (8..16).contains(a)));
    let g = SuccessSet::N4;
    let m = measure::split_history(&data.histories, &policy, &SequenceRule { eps: 0.02 }, g);
    assert!(m.imp >= m.imp_min - 1e-12 && m.op <= 8f64.ln());
    // Self-evaluation: the network's own outcome predictions are
    // distributions over 0..7.
    let world = NetworkOutcome { model: &model, device: &device };
    for d in world.distributions(&data.histories[..20], 11) {
        assert!((d.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        assert!(d.iter().all(|&p| p > 0.0));
    }
    let s = measure::split_history(&data.histories, &policy, &world, g);
    assert!(s.imp >= s.imp_min - 1e-12);
}

fn tiny_config() -> ExperimentConfig {
    let mut c = ExperimentConfig::preset("quick").unwrap();
    c.pretrain.steps = 30;
    c.pretrain.eval_every = 10;
    c.pretrain.eval_windows = 100;
    c.pretrain.train_tokens = 20_000;
    c.pretrain.test_tokens = 5_000;
    c.rl.steps = 20;
    c.rl.eval_every = 10;
    c.eval_histories = 200;
    c.tasks = vec![SuccessSet::N4, SuccessSet::N2];
    c
}

#[test]
fn a_job_reports_everything_the_study_plots() {
    let config = tiny_config();
    config.check().unwrap();
    let data = config.data();
    let device = cpu_device();
    let job = Job { size: "s".into(), seed: 0 };
    let mut steps = 0;
    let mut models_seen = 0;
    let mut kept = 0;
    let mut on = |e: experiment::Event| {
        match e {
            experiment::Event::Step { .. } => steps += 1,
            experiment::Event::Model(_) => models_seen += 1,
            _ => {}
        }
        true
    };
    let mut checkpoints = Vec::new();
    let mut keep = |g, m: &opimp::model::Model, p: &opimp::model::Model| {
        kept += 1;
        checkpoints.push(experiment::trained_checkpoint(&config, &job, g, m, p).unwrap());
    };
    let models = experiment::run_job(&config, &job, &data, &device, &mut on, &mut keep).unwrap();
    assert_eq!(steps, config.job_steps());
    assert_eq!((models.len(), models_seen, kept), (2, 2, 2));
    // A checkpoint measured again (as the page does with a model the CLI
    // saved) gives exactly the numbers of the run, curves aside.
    for (ck, m) in checkpoints.iter().zip(&models) {
        let again = experiment::measure_checkpoint(&config, ck, &data, &device).unwrap();
        let mut expected = m.clone();
        expected.pretrain.clear();
        expected.rl.clear();
        assert_eq!(again, expected);
    }
    let err = experiment::measure_checkpoint(&config, b"OPIMPCK1junk", &data, &device).unwrap_err();
    assert!(err.contains("checkpoint"), "{err}");
    for m in &models {
        assert_eq!(m.params, 18_832);
        assert_eq!(m.pretrain.len(), 4); // steps 0, 10, 20, 30
        assert_eq!(m.rl.len(), 3);
        // Cross-objective: scored under n2, n4, n6.
        assert_eq!(m.scores.len(), 3);
        assert!(m.imp >= m.own().imp_min - 1e-12);
        // Op does not depend on G, the implied value does.
        let implied: Vec<f64> = m.scores.iter().map(|s| s.op_implied).collect();
        assert!(implied.iter().all(|v| v.is_finite()));
        assert!(m.self_op.is_finite() && m.self_imp >= 0.0);
        assert!(m.comparisons.random.imp >= 0.0);
    }
    // Same job, same results.
    let again = experiment::run_job(&config, &job, &data, &device, &mut |_| true, &mut |_, _, _| {}).unwrap();
    assert_eq!(models, again);
    // Cancelling stops early with what was reported.
    let mut n = 0;
    let r = experiment::run_job(&config, &job, &data, &device, &mut |_| { n += 1; n < 5 }, &mut |_, _, _| {});
    assert!(r.is_err());
    // Results: JSON round trip, CSV, refusal of foreign files.
    let mut results = Results::new(config.clone(), &data);
    results.add(models);
    let text = serde_json::to_string(&results).unwrap();
    assert_eq!(Results::from_json(&text).unwrap(), results);
    let csv = results.to_csv();
    assert_eq!(csv.lines().count(), 1 + 2 + results.scripted.len());
    assert!(csv.starts_with("kind,size,seed,task,params,success"));
    assert!(Results::from_json("{}").unwrap_err().contains("format"));
    assert!(Results::from_json("[1,2]").is_err());
    assert!(Results::from_json("not json").unwrap_err().contains("not JSON"));
    let foreign = text.replace("opimp-results", "something-else");
    assert!(Results::from_json(&foreign).is_err());
}

#[test]
fn presets_and_config_checks() {
    for name in experiment::PRESETS {
        let c = ExperimentConfig::preset(name).unwrap();
        c.check().unwrap();
    }
    let paper = ExperimentConfig::preset("paper").unwrap();
    assert_eq!(paper.jobs().len(), 20);
    assert_eq!(paper.tasks.len(), 3);
    let quick = ExperimentConfig::preset("quick").unwrap();
    assert_eq!((quick.sizes.len(), quick.seeds.len(), quick.tasks.len()), (1, 1, 1));
    assert!(ExperimentConfig::preset("nope").is_none());
    let mut bad = quick.clone();
    bad.sizes = vec!["huge".into()];
    assert!(bad.check().unwrap_err().contains("huge"));
    let mut bad = quick.clone();
    bad.rl.lr = f64::NAN;
    assert!(bad.check().unwrap_err().contains("rl.lr"));
    let mut bad = quick;
    bad.eps = 0.0;
    assert!(bad.check().is_err());
    // Sizes span about 18k to 402k parameters.
    let counts: Vec<usize> = opimp::model::SIZES
        .iter()
        .map(|s| ModelConfig::preset(s).unwrap().param_count())
        .collect();
    assert_eq!(counts, vec![18_832, 54_448, 154_768, 403_472]);
}
