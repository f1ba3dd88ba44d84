//! Property: for any valid experiment and page state, the link the page
//! writes reads back to the same state, with no notice.
#![cfg(not(target_arch = "wasm32"))]

use opimp::lab::link::{self, LabState};
use opimp::lab::parts::{PART_NAMES, Part};
use opimp::sequence::SuccessSet;
use opimp::study::preset::Preset;
use opimp::study::size::Size;
use proptest::prelude::*;

fn state() -> impl Strategy<Value = LabState> {
    (
        (0usize..Preset::ALL.len(), prop::collection::btree_set(0usize..4, 1..4), prop::collection::btree_set(0u64..5000, 1..6)),
        (prop::collection::btree_set(1u8..255, 1..4), 0usize..20_000, 1usize..1024, 0.0f64..1.0, 0usize..50_000),
        (0usize..8, 0.0f64..1.0, any::<bool>(), 1usize..3000, 1e-6f64..1.0, 0u64..u32::MAX as u64),
        (0usize..3, 0.0f64..1.0, 0.01f64..3.0, prop::collection::vec(-10.0f64..10.0, 8), 0.01f64..10.0),
        (prop::collection::btree_set(0usize..PART_NAMES.len(), 0..4), any::<bool>()),
    )
        .prop_map(|((p, sizes, seeds), (masks, steps, batch, lr, rl_steps), (every, share, dropout, eval, eps, seed), (t, s, k, m, sigma), (hide, guide))| {
            let mut st = LabState::for_preset(Preset::ALL[p]);
            let e = &mut st.experiment;
            e.sizes = sizes.into_iter().map(|i| Size::ALL[i]).collect();
            e.seeds = seeds.into_iter().collect();
            e.tasks = masks.into_iter().map(|m| SuccessSet::from_mask(m).unwrap()).collect();
            e.steps = steps;
            e.batch = batch;
            e.lr = lr;
            e.rl_steps = rl_steps;
            e.maintenance_every = every;
            e.maintenance_rollouts = share;
            e.sample_dropout = dropout;
            e.eval_histories = eval;
            e.test_tokens = e.test_tokens.max(2 * eval + 64);
            e.eps = eps;
            e.data_seed = seed;
            st.taxonomy.task = SuccessSet::tasks()[t];
            st.taxonomy.success = s;
            st.differential.k = k;
            st.differential.jg = [m[0], m[1], m[2], m[3]];
            st.differential.jh = [m[4], m[5], m[6], m[7]];
            st.differential.sigma = sigma;
            st.view.hide = hide.into_iter().map(|i| Part::all().nth(i).unwrap()).collect();
            st.view.guide = guide;
            st
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn the_written_link_reads_back(s in state()) {
        prop_assume!(s.experiment.check().is_ok());
        let q = link::serialize(&s);
        let (back, notices) = link::parse(&q);
        prop_assert!(notices.is_empty(), "{}: {:?}", q, notices);
        prop_assert_eq!(back, s);
    }
}
