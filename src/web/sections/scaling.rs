//! The post's scaling figures (success, optimization and pretraining loss
//! against model size) and its claims, checked on the results shown.

use super::super::shell::View;
use super::super::charts::Chart;
use crate::figures::{readings, scaling as charts};
use crate::study::claims::{self, Verdict};
use crate::lab::parts::Section;
use leptos::prelude::*;

/// Scaling with model size.
#[component]
pub fn ScalingSection() -> impl IntoView {
    let view = expect_context::<View>();
    let shown = move || view.shown.get();
    view! {
        <super::Frame at=Section::Scaling>
            <p>
                "The post trained five models of each of four sizes on each task. These figures show each quantity's mean over seeds, "
                "with error bars of ± one standard error (the standard deviation over seeds divided by √n)."
            </p>
            <super::Figures
                plots=vec![
                    super::plot("chart-success-size", "Success rate against model size", charts::success_vs_size),
                    super::plot("chart-op-size", "Optimization against model size", charts::op_vs_size),
                ]
                reading="Left, the post's central figure: success against size, each task's mean ± SE with the single models faint \
                    beneath; right, Op against size beside the sequence's own self-optimization (dashed). "
                read=readings::scaling
            />
            <Chart id="chart-loss-size" label="Pretraining loss against model size" figure=move || charts::loss_vs_size(&shown())/>
            <p class="reading">
                "Reading it: the final pretraining loss on held-out windows (solid) and training windows (dotted). The post saw the "
                "held-out loss rise again for its largest models, which overfit; a gap between the two lines is that overfitting."
            </p>
        </super::Frame>
    }
}

/// The post's claims, each with its verdict and numbers.
#[component]
pub fn ClaimsSection() -> impl IntoView {
    let view = expect_context::<View>();
    let evaluated = move || view.shown.with(claims::evaluate);
    view! {
        <super::Frame at=Section::Claims>
            <p>
                "Each claim the post makes about its results, as a test on the results shown above: the quantity the claim is about, "
                "computed within each seed (a seed is a replicate: its own weights and its own draw of the data), and its 95% interval over seeds. "
                "A claim holds when the interval lies on its side of the boundary, does not hold when it lies on the other side, is too close to tell "
                "when it spans the boundary, and needs more models when there are fewer than two seeds. The same check runs from the command line: "
                "opimp claims --results FILE."
            </p>
            <div class="table-scroll" tabindex="0" role="region" aria-label="The claims">
                <table class="claims" id="claims-table">
                    <caption class="sr-only">"The post's claims and what these results say"</caption>
                    <thead><tr><th scope="col">"claim"</th><th scope="col">"verdict"</th><th scope="col">"the numbers"</th></tr></thead>
                    <tbody>
                        {move || evaluated().into_iter().map(|c| {
                            let class = match c.verdict {
                                Verdict::Holds => "holds",
                                Verdict::DoesNotHold => "fails",
                                Verdict::TooClose => "close",
                                Verdict::NotEnough(_) => "unknown",
                            };
                            let numbers = match &c.verdict {
                                Verdict::NotEnough(need) => format!("needs {need}"),
                                _ => c.numbers(),
                            };
                            view! {
                                <tr data-claim=c.id.name()>
                                    <td>{c.text}<details class="how"><summary>"how this is decided"</summary>{c.test}</details></td>
                                    <td class=format!("verdict {class}")>{c.verdict.word()}</td>
                                    <td>{numbers}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </super::Frame>
    }
}
