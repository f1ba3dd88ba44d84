//! The study's story before the measures: the sequence, pretraining and RL.

use super::super::shell::{Lab, View};
use super::super::charts::Chart;
use crate::figures::{curves as charts, readings};
use crate::sequence::{self, RULE_SPAN};
use crate::lab::parts::Section;
use leptos::prelude::*;

fn reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-reduced-motion: reduce)").ok().flatten())
        .map(|m| m.matches())
        .unwrap_or(false)
}

/// What the rule did at position `t`, in words.
fn explain(g: &sequence::Generated, t: usize, eps: f64) -> String {
    let window = &g.tokens[t - RULE_SPAN..t];
    let factors: Vec<String> = window.iter().map(|s| (s + 1).to_string()).collect();
    let q = sequence::rule_product(window);
    let base = (q % 8) as u8;
    let x = g.tokens[t] % 8;
    let noise = if g.noise[t] {
        format!("Noise struck here (probability {eps}): the value was drawn uniformly and came out {x}.")
    } else {
        format!("No noise: x = base = {base}.")
    };
    format!(
        "Position {t} ({}): (∏ (s+1)) mod 17 = ({}) mod 17 = {q}; base = {q} mod 8 = {base}. {noise} Token = {x} + 8·({t} mod 2) = {}.",
        if t % 2 == 0 { "even, an outcome 0..7" } else { "odd, an action slot 8..15" },
        factors.join("·"),
        g.tokens[t]
    )
}

/// The classes of token `i` of the strip while the rule explains token `t`.
fn token_class(g: &sequence::Generated, i: usize, t: usize) -> String {
    let mut class = String::from("tok");
    for (on, name) in [
        (i % 2 == 1, " odd"),
        (i < t && i + RULE_SPAN >= t, " input"),
        (i == t, " output"),
        (i > t, " future"),
        (g.noise[i], " noise"),
        (i < RULE_SPAN, " seedtok"),
    ] {
        if on {
            class.push_str(name);
        }
    }
    class
}

/// 1. The sequence, live.
#[component]
pub fn SequenceSection() -> impl IntoView {
    let lab = expect_context::<Lab>();
    const LEN: usize = 56;
    let seed = RwSignal::new(7u64);
    let cursor = RwSignal::new(RULE_SPAN);
    // Still for visitors who asked for less motion; they step with the keys.
    let playing = RwSignal::new(!reduced_motion());
    let eps = Memo::new(move |_| lab.with(|p| p.config().eps));
    let eps = move || eps.get();
    let generated = Memo::new(move |_| sequence::generate_detailed(LEN, seed.get(), eps()));
    if let Ok(timer) = leptos::prelude::set_interval_with_handle(
        move || {
            if playing.try_get_untracked() == Some(true) {
                cursor.try_update(|c| *c = if *c + 1 >= LEN { RULE_SPAN } else { *c + 1 });
            }
        },
        std::time::Duration::from_millis(900),
    ) {
        on_cleanup(move || timer.clear());
    }
    let explain = move || explain(&generated.get(), cursor.get(), eps());
    let key = move |ev: leptos::ev::KeyboardEvent| {
        let step: i64 = match ev.key().as_str() {
            "ArrowRight" => 1,
            "ArrowLeft" => -1,
            _ => return,
        };
        ev.prevent_default();
        playing.set(false);
        cursor.update(|c| *c = (*c as i64 + step).clamp(RULE_SPAN as i64, LEN as i64 - 1) as usize);
    };
    view! {
        <super::Frame at=Section::Sequence>
            <p>
                "Tokens are 0..15. Even positions hold outcomes 0..7, odd positions hold 8..15. Each token is the product of "
                "(s+1) over the 16 before it, mod 17, then mod 8 — except that 2% of the time noise replaces it with a uniform "
                "value. The first 16 tokens are uniform. A model that reads the previous 20 tokens can learn the rule; "
                "in the RL phase the model writes the odd-position tokens itself (its action) and the rule answers with the next outcome."
            </p>
            <div class="strip" id="strip" tabindex="0" role="group"
                aria-label="The sequence; left and right arrows move the token explained below"
                aria-describedby="strip-explain" on:keydown=key>
                {move || {
                    let g = generated.get();
                    let t = cursor.get();
                    (0..LEN).map(|i| {
                        let pick = move || if i >= RULE_SPAN { playing.set(false); cursor.set(i); };
                        view! {
                            <span class=token_class(&g, i, t) title=format!("position {i}, token {}", g.tokens[i])
                                on:mouseenter=move |_| pick() on:click=move |_| pick()>{g.tokens[i]}</span>
                        }
                    }).collect_view()
                }}
            </div>
            <p class="explain" id="strip-explain" aria-live="polite">{explain}</p>
            <div class="row buttons">
                <button on:click=move |_| playing.update(|p| *p = !*p)>{move || if playing.get() { "Pause" } else { "Play" }}</button>
                <button on:click=move |_| { seed.update(|s| *s += 1); cursor.set(RULE_SPAN); }>"New sequence"</button>
                <span class="legend"><span class="tok input">"n"</span>" the 16 tokens the rule reads "
                <span class="tok output">"n"</span>" the token it makes "<span class="tok noise">"n"</span>" noise struck"</span>
            </div>
        </super::Frame>
    }
}

/// 2. Pretraining curves.
#[component]
pub fn PretrainSection() -> impl IntoView {
    view! {
        <super::Frame at=Section::Pretraining>
            <p>
                "Each model is an encoder-only transformer over the last 20 tokens, trained with AdamW (weight decay 0.01, dropout 0.1) "
                "to predict the next token. The seeds of one size train as one stack: every weight has a member dimension, and each "
                "member learns exactly as it would alone."
            </p>
            <super::Figures
                plots=vec![
                    super::plot("chart-pretrain-loss", "Pretraining loss per size", |r| charts::pretrain(r, false)),
                    super::plot("chart-pretrain-acc", "Pretraining accuracy per size", |r| charts::pretrain(r, true)),
                ]
                reading="Each size's line is the mean over its seeds, the band ± one standard error, the single nets faint \
                    beneath (hover one to name it). Chance accuracy is 1/16 (1/8 once parity is known); the 2% noise \
                    caps it near 0.98. "
                read=readings::pretraining
            />
        </super::Frame>
    }
}

/// 3. RL curves.
#[component]
pub fn RlSection() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let view = expect_context::<View>();
    let shown = move || view.shown.get();
    // A memo: the link below is drawn again when the preset changes, not at
    // every change of the page.
    let without_maintenance = Memo::new(move |_| lab.with(|p| p.link.preset == crate::study::preset::Preset::NoMaintenance));
    let sampling = move || {
        lab.with(|p| {
            let r = p.config();
            format!(
                "Here actions are sampled {}; maintenance runs every {} RL step(s) on {} windows at learning rate {}, {:.0}% of them from the RL rollouts.",
                if r.sample_dropout { "from the network with dropout on (the reinforced pass itself)" } else { "from the policy itself, without dropout" },
                r.maintenance_every,
                r.maintenance_batch,
                r.maintenance_lr,
                r.maintenance_rollouts * 100.0
            )
        })
    };
    view! {
        <super::Frame at=Section::Rl>
            <p>
                "Fine-tuning: the model samples its action at temperature 1 on an odd position, the rule draws the next outcome, and "
                "only successes (the outcome lands in the task's set G) are reinforced. Alongside, a little next-token training on "
                "outcome positions at a much lower learning rate (maintenance) keeps the model able to predict the world, which "
                "self-evaluation needs. A net's RL runs (one per task) train as one stack. "
                {sampling}
            </p>
            <Chart id="chart-rl" label="RL success rate per size and task" figure=move || charts::rl(&shown())/>
            <p class="reading">
                "The success rate at temperature 0, computed exactly on held-out histories, one panel per task. A constant action "
                "scores about p = |G|/8; the best possible policy about 0.93 on n4. "
                {move || view.shown.with(readings::rl)}
            </p>
            <Chart id="chart-rl-prediction" label="Predicting the outcome during RL, per size and task" figure=move || charts::rl_prediction(&shown())/>
            <p class="reading">
                {move || view.shown.with(readings::rl_prediction)}
                " "
                {move || if without_maintenance.get() {
                    view! { <a href="?preset=paper">"The same models with maintenance: the paper preset."</a> }.into_any()
                } else {
                    view! { <a href="?preset=no-maintenance">"See it without maintenance: the no-maintenance preset (sizes s and xl)."</a> }.into_any()
                }}
            </p>
        </super::Frame>
    }
}
