//! Results as CSV (through the `csv` crate, so a custom task's commas are
//! quoted, not lost): one row per model, then one per scripted policy.

use super::results::{Results, TaskScore};
use crate::sequence::SuccessSet;

/// The columns.
pub const HEADER: [&str; 36] = [
    "kind", "size", "seed", "task", "params", "success", "split_success", "op", "op_implied", "imp", "imp_min",
    "success_n2", "success_n4", "success_n6", "op_implied_n2", "op_implied_n4", "op_implied_n6",
    "self_op", "self_imp", "pretrained_success", "op_fixed", "imp_fixed", "op_random", "imp_random",
    "op_untrained", "imp_untrained", "op_pretrained", "imp_pretrained", "mc_op", "mc_op_se", "mc_imp", "mc_imp_se",
    "final_test_acc", "op_implied_baseline", "rl_outcome_acc", "rl_rollout_acc",
];

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
        let mut rows: Vec<Vec<String>> = vec![HEADER.iter().map(|h| h.to_string()).collect()];
        for m in &self.models {
            let own = m.own();
            let c = &m.comparisons;
            let mut row = vec![
                "model".to_string(),
                m.key.size.to_string(),
                m.key.seed.to_string(),
                m.key.task.name(),
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
            let end = self.curves.model(m.key).and_then(|c| c.points.last());
            row.push(end.map(|p| f(p.outcome_acc)).unwrap_or_default());
            row.push(end.and_then(|p| p.rollout_acc).map(f).unwrap_or_default());
            rows.push(row);
        }
        let g = self.config.tasks[0];
        for s in &self.scripted {
            let own = s.score(g);
            let mut row = vec!["scripted".to_string(), s.policy.label(), String::new(), g.name(), "0".into()];
            row.extend([f(own.success), f(own.split_success), f(s.op), f(own.op_implied), f(s.imp), f(own.imp_min)]);
            row.extend(cross(&s.scores, |t| t.success));
            row.extend(cross(&s.scores, |t| t.op_implied));
            row.extend(std::iter::repeat_n(String::new(), 16));
            row.push(f(self.baseline.op_implied(own.success, g)));
            row.extend([String::new(), String::new()]);
            rows.push(row);
        }
        let mut w = ::csv::Writer::from_writer(Vec::new());
        for row in rows {
            // Writing to memory cannot fail.
            let _ = w.write_record(&row);
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::config::ExperimentConfig;
    use crate::study::preset::Preset;

    #[test]
    fn every_row_has_every_column_and_custom_tasks_survive() {
        let mut config = ExperimentConfig::preset(Preset::Quick);
        config.eval_histories = 50;
        let custom = SuccessSet::parse("0,3,5").unwrap();
        config.tasks = vec![custom, SuccessSet::N4];
        let r = Results::new(config.clone());
        let text = r.to_csv();
        let mut reader = ::csv::Reader::from_reader(text.as_bytes());
        assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), HEADER.to_vec());
        let records: Vec<::csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        assert_eq!(records.len(), r.scripted.len());
        for rec in &records {
            assert_eq!(rec.len(), HEADER.len());
            // The scripted rows are scored under the first task: the custom one.
            assert_eq!(SuccessSet::parse(&rec[3]).unwrap(), custom, "{rec:?}");
        }
        assert!(text.contains("\"0,3,5\""), "quoted, not split: {text}");
    }
}
