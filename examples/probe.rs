use opimp::model::ModelConfig;
use opimp::train::*;
use opimp::sequence::SuccessSet;
use burn::tensor::Device;
use std::time::Instant;

#[allow(deprecated)]
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let backend = args.get(1).map(|s| s.as_str()).unwrap_or("ndarray");
    let size = args.get(2).map(|s| s.as_str()).unwrap_or("s");
    let steps: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(200);
    let rl_steps: usize = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(0);
    let lr: f64 = args.get(5).and_then(|s| s.parse().ok()).unwrap_or(1e-3);
    let rl_lr: f64 = args.get(6).and_then(|s| s.parse().ok()).unwrap_or(1e-4);
    let device = if backend == "flex" { Device::flex() } else { Device::ndarray() };
    let cfg = ModelConfig::preset(size).unwrap();
    let pc = PretrainConfig { steps, batch: 64, lr, weight_decay: 0.01, eval_every: 250, eval_windows: 2000, train_tokens: 200_000, test_tokens: 50_000 };
    let data = Data::new(&pc, 1000, 0.02, 7);
    let mut t = Trainer::new(&cfg, 1, 0.01, &device);
    let start = Instant::now();
    for s in 0..steps {
        let l = t.next_token_step(&data.train, 64, lr, false);
        if (s + 1) % 250 == 0 || s + 1 == steps {
            let m = t.model();
            let (tl, ta) = evaluate(&m, &data.test_eval, &device);
            let (trl, tra) = evaluate(&m, &data.train_eval, &device);
            println!("step {} batch {:.3} train {:.3}/{:.3} test {:.3}/{:.3}  {:.1} ms/step", s + 1, l, trl, tra, tl, ta, start.elapsed().as_secs_f64() * 1000.0 / (s + 1) as f64);
        }
    }
    let g = SuccessSet::N4;
    let m = t.model();
    println!("pretrained success n4 {:?}", success_rates(&m, &device, &data.histories, &[g], 0.02));
    let mut r = Trainer::from_model(t.into_model(), 2, 0.01, &device);
    let start = Instant::now();
    for s in 0..rl_steps {
        let sr = r.rl_step(&data.train, g, 64, rl_lr, 0.02);
        r.next_token_step(&data.train, 64, rl_lr / 10.0, true);
        if (s + 1) % 100 == 0 {
            let m = r.model();
            let (_, oa) = evaluate(&m, &data.test_eval, &device);
            println!("rl {} batch-success {:.2} eval {:?} acc {:.3} {:.1} ms/step", s + 1, sr, success_rates(&m, &device, &data.histories, &[g], 0.02), oa, start.elapsed().as_secs_f64()*1000.0/(s+1) as f64);
        }
    }
}
