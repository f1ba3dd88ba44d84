//! Results as CSV: one row per model, then one per scripted policy.

use super::results::{Results, TaskScore};
use crate::sequence::SuccessSet;

const HEADER: &str = "kind,size,seed,task,params,success,split_success,op,op_implied,imp,imp_min,\
success_n2,success_n4,success_n6,op_implied_n2,op_implied_n4,op_implied_n6,\
self_op,self_imp,pretrained_success,op_fixed,imp_fixed,op_random,imp_random,\
op_untrained,imp_untrained,op_pretrained,imp_pretrained,mc_op,mc_op_se,mc_imp,mc_imp_se,final_test_acc,\
op_implied_baseline";

fn f(v: f64) -> String {
    format!("{v}")
}

fn cross(scores: &[TaskScore], pick: fn(&TaskScore) -> f64) -> Vec<String> {
    SuccessSet::tasks()
        .iter()
        .map(|g| scores.iter().find(|s| s.task == *g).map(|s| f(pick(s))).unwrap_or_default())
        .collect()
}

impl Results {
    /// One row per model: identity, success and theory under the trained
    /// task, cross-objective success under n2/n4/n6, self-evaluation, the
    /// other comparison futures, the post's Monte Carlo estimate. Then one
    /// row per scripted policy (scored under the experiment's first task).
    pub fn to_csv(&self) -> String {
        let mut out = format!("{HEADER}\n");
        for m in &self.models {
            let own = m.own();
            let c = &m.comparisons;
            let mut row = vec![
                "model".to_string(),
                m.key.size.to_string(),
                m.key.seed.to_string(),
                m.key.task.name().replace(',', " "),
                m.params.to_string(),
                f(own.success),
                f(own.split_success),
                f(m.op),
                f(own.op_implied),
                f(m.imp),
                f(own.imp_min),
            ];
            row.extend(cross(&m.scores, |s| s.success));
            row.extend(cross(&m.scores, |s| s.op_implied));
            row.extend([
                f(m.self_op),
                f(m.self_imp),
                f(m.pretrained_success),
                f(c.fixed.op),
                f(c.fixed.imp),
                f(c.random.op),
                f(c.random.imp),
                f(c.untrained.op),
                f(c.untrained.imp),
                f(c.pretrained.op),
                f(c.pretrained.imp),
            ]);
            match &m.monte_carlo {
                Some(mc) => row.extend([f(mc.op.mean), f(mc.op.se), f(mc.imp.mean), f(mc.imp.se)]),
                None => row.extend(std::iter::repeat_n(String::new(), 4)),
            }
            let final_acc = self.curves.net(m.key.net()).and_then(|c| c.points.last()).map(|p| f(p.test_acc));
            row.push(final_acc.unwrap_or_default());
            row.push(f(self.baseline.op_implied(own.success, m.key.task)));
            out.push_str(&row.join(","));
            out.push('\n');
        }
        let g = self.config.tasks[0];
        for s in &self.scripted {
            let own = s.score(g);
            let mut row = vec!["scripted".to_string(), s.policy.label().replace(',', " "), String::new(), g.name().replace(',', " "), "0".into()];
            row.extend([f(own.success), f(own.split_success), f(s.op), f(own.op_implied), f(s.imp), f(own.imp_min)]);
            row.extend(cross(&s.scores, |t| t.success));
            row.extend(cross(&s.scores, |t| t.op_implied));
            row.extend(std::iter::repeat_n(String::new(), 16));
            row.push(f(self.baseline.op_implied(own.success, g)));
            out.push_str(&row.join(","));
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_row_has_every_column() {
        let columns = super::HEADER.split(',').count();
        let config = crate::study::config::ExperimentConfig::preset(crate::study::preset::Preset::Quick);
        let mut config = config;
        config.eval_histories = 50;
        let r = super::Results::new(config.clone(), &config.data());
        for line in r.to_csv().lines() {
            assert_eq!(line.split(',').count(), columns, "{line}");
        }
    }
}
