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
    let q = Tensor::<4>::random([64, 4, 20, 8], Distribution::Default, &device);
    let k = Tensor::<4>::random([64, 4, 8, 20], Distribution::Default, &device);
    time("batched matmul [64,4,20,8]x[64,4,8,20]", &|| { let _ = q.clone().matmul(k.clone()).into_data(); });
    let x = Tensor::<3>::random([64, 20, 32], Distribution::Default, &device);
    let w = Tensor::<3>::random([1, 32, 96], Distribution::Default, &device);
    time("linear-like matmul [64,20,32]x[1,32,96]", &|| { let _ = x.clone().matmul(w.clone()).into_data(); });
    let x2 = Tensor::<2>::random([1280, 32], Distribution::Default, &device);
    let w2 = Tensor::<2>::random([32, 96], Distribution::Default, &device);
    time("2d matmul [1280,32]x[32,96]", &|| { let _ = x2.clone().matmul(w2.clone()).into_data(); });
    time("elementwise add [64,20,32]", &|| { let _ = (x.clone() + x.clone()).into_data(); });
    time("mul-sum attention [64,4,20,1,8]*[64,4,1,20,8]", &|| {
        let a = q.clone().unsqueeze_dim::<5>(3);
        let b = k.clone().swap_dims(2, 3).unsqueeze_dim::<5>(2);
        let _ = (a * b).sum_dim(4).into_data();
    });
    let qq = Tensor::<3>::random([256, 20, 8], Distribution::Default, &device);
    let kk = Tensor::<3>::random([256, 8, 20], Distribution::Default, &device);
    time("batched 3d matmul [256,20,8]x[256,8,20]", &|| { let _ = qq.clone().matmul(kk.clone()).into_data(); });
    let sm = Tensor::<4>::random([64, 4, 20, 20], Distribution::Default, &device);
    time("softmax [64,4,20,20]", &|| { let _ = burn::tensor::activation::softmax(sm.clone(), 3).into_data(); });
    time("swap_dims+reshape [64,20,4,8]->[64,4,20,8]", &|| { let _ = x.clone().reshape([64, 20, 4, 8]).swap_dims(1, 2).into_data(); });
}
