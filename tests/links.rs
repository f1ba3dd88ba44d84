//! Property: for any valid experiment and page state, the link the page
//! writes reads back to the same state, with no notice.
#![cfg(not(target_arch = "wasm32"))]

use opimp::lab::link::{self, LabState};
use opimp::lab::parts::{PART_NAMES, Part};
use opimp::sequence::SuccessSet;
use opimp::study::config::EXPERIMENT;
use opimp::study::preset::Preset;
use opimp::study::settings::{Kind, Value};
use opimp::study::size::Size;
use proptest::prelude::*;

/// A value of a setting's kind drawn from `r` (within its bounds).
fn value_of(kind: Kind, r: u64) -> Option<Value> {
    let frac = (r >> 11) as f64 / (1u64 << 53) as f64;
    Some(match kind {
        Kind::Int { lo, hi } => Value::Int(lo + r % (hi - lo + 1)),
        Kind::Float { lo, hi } => Value::Float(lo + (hi - lo) * frac),
        Kind::Flag => Value::Flag(r % 2 == 1),
        Kind::Sizes => Value::Sizes(Size::ALL.into_iter().enumerate().filter(|(i, _)| (r | 1 << (r % 4)) & 1 << i != 0).map(|(_, s)| s).collect()),
        Kind::Seeds { max } => {
            let n = 1 + (r % max.min(6) as u64) as usize;
            Value::Seeds((0..n as u64).map(|i| (r >> 8).wrapping_add(i * 7919) % 5000).collect::<std::collections::BTreeSet<_>>().into_iter().collect())
        }
        Kind::Tasks { max } => {
            let n = 1 + (r % max.min(3) as u64) as usize;
            let masks: std::collections::BTreeSet<u8> = (0..n as u64).map(|i| 1 + ((r >> (8 * i)) % 254) as u8).collect();
            Value::Tasks(masks.into_iter().map(|m| SuccessSet::from_mask(m).unwrap()).collect())
        }
        _ => return None,
    })
}

/// A page state with every experiment setting drawn from its declaration
/// (the `experiment!` list: a new setting is covered without a line here)
/// and the page's own settings.
fn state() -> impl Strategy<Value = LabState> {
    (
        0usize..Preset::ALL.len(),
        prop::collection::vec(any::<u64>(), EXPERIMENT.len()),
        (0usize..3, 0.0f64..1.0, 0.01f64..3.0, prop::collection::vec(-10.0f64..10.0, 8), 0.01f64..10.0),
        (prop::collection::btree_set(0usize..PART_NAMES.len(), 0..4), any::<bool>()),
    )
        .prop_map(|(p, draws, (t, s, k, m, sigma), (hide, guide))| {
            let mut st = LabState::for_preset(Preset::ALL[p]);
            for (setting, r) in EXPERIMENT.iter().zip(draws) {
                if let Some(v) = value_of(setting.kind, r) {
                    // A value the rest of the config refuses (too many
                    // histories for the held-out tokens) keeps the preset's.
                    let _ = setting.write(&mut st.experiment, v);
                }
            }
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

#[test]
fn every_experiment_setting_is_drawn() {
    // A setting of a kind the generator cannot draw would be left at the
    // preset's value: none is.
    for s in EXPERIMENT {
        let v = value_of(s.kind, 0x9E37_79B9_7F4A_7C15).unwrap_or_else(|| panic!("{} is never drawn", s.name));
        s.check_kind(&v).unwrap_or_else(|e| panic!("{}: {e}", s.name));
    }
}
