use opimp::model::cpu_device;
use burn::tensor::{Tensor, Distribution};
use std::time::Instant;

fn main() {
    let device = if std::env::args().nth(1).as_deref() == Some("ndarray") { opimp::model::ndarray_device() } else { cpu_device() };
    let time = |name: &str, f: &dyn Fn()| {
        for _ in 0..5 { f(); }
        let t = Instant::now();
        for _ in 0..200 { f(); }
        println!("{name}: {:.1} us", t.elapsed().as_secs_f64() * 1e6 / 200.0);
    };
    for (m, k, n) in [(1280usize, 32usize, 96usize), (96, 1280, 32), (32, 1280, 96), (1280, 96, 32), (64, 32, 16), (1280, 128, 384), (1280,128,512)] {
        let a = Tensor::<2>::random([m, k], Distribution::Default, &device);
        let b = Tensor::<2>::random([k, n], Distribution::Default, &device);
        let bt = Tensor::<2>::random([n, k], Distribution::Default, &device);
        let at = Tensor::<2>::random([k, m], Distribution::Default, &device);
        time(&format!("[{m},{k}]x[{k},{n}] ({:.1} MFLOP)", 2.0*(m*k*n) as f64/1e6), &|| { let _ = a.clone().matmul(b.clone()).into_data(); });
        time(&format!("  rhs transposed view"), &|| { let _ = a.clone().matmul(bt.clone().transpose()).into_data(); });
        time(&format!("  lhs transposed view"), &|| { let _ = at.clone().transpose().matmul(b.clone()).into_data(); });
    }
}
