//! Every measure of a fine-tuned model on the evaluation histories: split
//! histories under each task, self-evaluation, the other comparison futures
//! and the post's Monte Carlo estimate.

use crate::measure::{self, Comparison, SequenceRule, Table};
use crate::model::Stack;
use crate::rng::derive_seed;
use crate::sequence::SuccessSet;
use crate::study::config::ExperimentConfig;
use crate::study::data::Data;
use crate::study::key::ModelKey;
use crate::study::results::{Comparisons, ModelResult, OpImp, scored_tasks, scores};
use crate::train::network::{RecordedPolicy, policy_actions, predicted_outcomes};
use burn::tensor::Device;

/// The post's Monte Carlo estimator: repeats of samples.
pub const MC_REPEATS: usize = 10;
/// Histories per Monte Carlo repeat.
pub const MC_SAMPLES: usize = 200;

/// The success rate (temperature 0, exact) of a single model under each
/// success set.
pub async fn success_under(config: &ExperimentConfig, model: &Stack, data: &Data, tasks: &[SuccessSet], device: &Device) -> Vec<f64> {
    let actions = policy_actions(model, &data.histories, device).await.swap_remove(0);
    let table = Table::new(&data.histories, actions, &SequenceRule { eps: config.eps });
    let f = table.optimized_future();
    tasks.iter().map(|g| g.mass(&f)).collect()
}

/// Every measure of the fine-tuned `model` (a stack of one), with its
/// untrained and pretrained selves as comparison futures.
#[allow(clippy::too_many_arguments)]
pub async fn measure_model(
    config: &ExperimentConfig,
    data: &Data,
    key: ModelKey,
    model: &Stack,
    untrained: &Stack,
    pretrained: &Stack,
    pretrained_success: f64,
    device: &Device,
) -> ModelResult {
    let hs = &data.histories;
    let rule = SequenceRule { eps: config.eps };
    let actions = policy_actions(model, hs, device).await.swap_remove(0);
    let table = Table::new(hs, actions.clone(), &rule);
    let (m, scores) = scores(&table, &scored_tasks(&config.tasks));
    let predicted = predicted_outcomes(model, hs, &actions, device).await;
    let self_table = Table::new(hs, actions.clone(), &predicted);
    let self_m = measure::split_history_from_table(&self_table, key.task);
    let against = |c: Comparison<'_>| {
        let r = measure::against_actions(hs, actions.clone(), &rule, key.task, c);
        OpImp { op: r.op, imp: r.imp, comparison_success: r.split_success }
    };
    let untrained = RecordedPolicy(policy_actions(untrained, hs, device).await.swap_remove(0));
    let pretrained = RecordedPolicy(policy_actions(pretrained, hs, device).await.swap_remove(0));
    let comparisons = Comparisons {
        fixed: against(Comparison::Fixed(8)),
        random: against(Comparison::UniformRandom),
        untrained: against(Comparison::Policy(&untrained)),
        pretrained: against(Comparison::Policy(&pretrained)),
    };
    let mc_seed = derive_seed(config.rl_seed(key.net(), key.task), 0x4D43);
    ModelResult {
        key,
        params: key.size.params(),
        entropy_optimized: m.entropy_optimized,
        entropy_split: m.entropy_split,
        op: m.op,
        imp: m.imp,
        scores,
        pretrained_success,
        self_op: self_m.op,
        self_imp: self_m.imp,
        comparisons,
        monte_carlo: Some(measure::monte_carlo(&table, MC_SAMPLES, MC_REPEATS, mc_seed)),
    }
}
