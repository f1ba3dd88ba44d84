//! The page's own computing, timed: what the app does on the page's thread
//! when a preset opens — the results file read, every claim decided, every
//! figure built and written as plotly's JSON, every reading — on the
//! shipped `results/paper.json`. Built for wasm32 with one cargo profile
//! and run in Node.js (V8, Chromium's engine) by `scripts/page-bench.sh`, to
//! compare the app's build profiles (BENCHMARKS.md, "What a visitor
//! downloads"); it runs natively too.

use opimp::clock::now_ms;
use opimp::figures::measures::{self, ImpactFigure};
use opimp::figures::{curves, readings, scaling, Figure};
use opimp::sequence::SuccessSet;
use opimp::study::claims;
use opimp::study::results::Results;

const PAPER: &str = include_str!("../results/paper.json");

fn say(line: &str) {
    #[cfg(target_arch = "wasm32")]
    web_sys::console::log_1(&line.into());
    #[cfg(not(target_arch = "wasm32"))]
    println!("{line}");
}

fn figures(r: &Results) -> Vec<Figure> {
    let mut f = vec![measures::op_theory(r), measures::op_predicted(r), measures::monte_carlo(r)];
    f.extend([SuccessSet::N2, SuccessSet::N4, SuccessSet::N6].map(|g| measures::cross(r, g)));
    f.extend([ImpactFigure::ImpVsMin, ImpactFigure::SplitSuccessVsSize, ImpactFigure::Ratio, ImpactFigure::Excess].map(|k| measures::impact(r, k)));
    f.extend([false, true].map(|i| measures::self_eval(r, i)));
    f.extend([false, true].map(|i| measures::comparisons(r, i)));
    f.extend([false, true].map(|a| curves::pretrain(r, a)));
    f.extend([curves::rl(r), curves::rl_prediction(r), scaling::success_vs_size(r), scaling::op_vs_size(r), scaling::loss_vs_size(r)]);
    f
}

fn readings(r: &Results) -> usize {
    [
        readings::headline(r),
        readings::pretraining(r),
        readings::rl(r),
        readings::rl_prediction(r),
        readings::optimization(r),
        readings::cross(r),
        readings::impact(r),
        readings::self_eval(r),
        readings::scaling(r),
    ]
    .iter()
    .map(String::len)
    .sum()
}

/// The median time of `f` in ms over repeats filling about a second (at
/// least five).
fn time<T>(what: &str, mut f: impl FnMut() -> T) {
    let mut times = Vec::new();
    let start = now_ms();
    while times.len() < 5 || now_ms() - start < 1000.0 {
        let t = now_ms();
        std::hint::black_box(f());
        times.push(now_ms() - t);
    }
    times.sort_by(f64::total_cmp);
    say(&format!("PAGE {what}: {:.2} ms (median of {})", times[times.len() / 2], times.len()));
}

fn main() {
    let r = Results::from_json(PAPER).expect("results/paper.json");
    say(&format!("PAGE results/paper.json: {} models", r.models.len()));
    time("read results/paper.json", || Results::from_json(PAPER).expect("results"));
    time("decide every claim", || claims::evaluate(&r).len());
    time("build every figure as plotly's JSON", || figures(&r).iter().map(|f| f.plot.to_json().len()).sum::<usize>());
    time("every reading", || readings(&r));
}
