use opimp::model::{ModelConfig, cpu_device, tokens_tensor};
use opimp::rng::Rng;
use burn::module::Module;
use burn::optim::{AdamWConfig, GradientsParams};
use burn::tensor::activation::log_softmax;
use std::time::Instant;

fn main() {
    let size = std::env::args().nth(1).unwrap_or("s".into());
    let device = cpu_device().autodiff();
    let cfg = ModelConfig::preset(&size).unwrap();
    let mut model = cfg.init(1, &device);
    let seq = opimp::sequence::generate(50_000, 1, 0.02);
    let mut rng = Rng::new(3);
    let windows: Vec<Vec<u8>> = (0..64).map(|i| seq[i * 30..i * 30 + 20].to_vec()).collect();
    let mut optim = AdamWConfig::new().with_weight_decay(0.01).init();
    let n = 50;
    let (mut f, mut b, mut o) = (0.0, 0.0, 0.0);
    for i in 0..n + 5 {
        let t0 = Instant::now();
        let logits = model.forward(tokens_tensor(&windows, &device), Some(&mut rng));
        let loss = log_softmax(logits, 1).sum().neg() / 64.0;
        let _ = loss.clone().into_scalar::<f32>();
        let t1 = Instant::now();
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        let t2 = Instant::now();
        model = optim.step(1e-3, model, grads);
        let t3 = Instant::now();
        if i >= 5 { f += (t1 - t0).as_secs_f64(); b += (t2 - t1).as_secs_f64(); o += (t3 - t2).as_secs_f64(); }
    }
    let k = 1000.0 / n as f64;
    println!("{size}: forward {:.2} ms, backward {:.2} ms, optimizer {:.2} ms, params {}", f * k, b * k, o * k, model.num_params());
}
