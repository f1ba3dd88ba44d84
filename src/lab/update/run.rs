//! The run: starting it (the plan of the missing models), its works'
//! events (progress, curves, checkpoints kept, models accepted), a work's
//! end, cancelling, and the run that starts itself for a short custom link.

use super::Command;
use super::files::save_results;
use crate::lab::ledger::{Ledger, Phase};
use crate::lab::page::{KeptModel, Page, Reproduced, Run, RunState};
use crate::lab::said::{Said, Status};
use crate::lab::workers::{Task, widths_for};
use crate::study::event::Event;
use crate::study::jobs::{Plan, Work, WorkId};
use crate::study::key::NetKey;
use crate::study::progress::Progress;
use crate::study::results::Failure;
use std::sync::Arc;

/// A link that names a custom experiment runs it when it is short.
pub(super) fn autorun(page: &mut Page) {
    let missing = page.results.missing().len();
    if page.preset().is_some() || missing == 0 {
        return;
    }
    let minutes = page.estimate_minutes();
    if minutes <= 10.0 {
        start(page);
    } else {
        page.say(Said::LongExperiment(minutes));
    }
}

/// Trains the experiment's missing models (or reproduces the shipped ones).
pub(super) fn start(page: &mut Page) {
    if page.running() {
        return;
    }
    if page.live_workers() == 0 {
        page.status = Status::Unavailable;
        return;
    }
    let missing = page.results.missing();
    if missing.is_empty() {
        page.status = Status::AllTrained(page.results.models.len());
        return;
    }
    let reproducing = page.showing_shipped();
    let plan = Plan::new(page.config(), &missing, widths_for(page.engine()));
    let nets: Vec<NetKey> = plan
        .works()
        .filter_map(|(_, w, _)| match w {
            Work::Pretrain { size, seeds } => Some(seeds.iter().map(|&seed| NetKey { size: *size, seed }).collect::<Vec<_>>()),
            _ => None,
        })
        .flatten()
        .collect();
    page.results.curves.forget(&nets);
    page.results.failures.retain(|f| f.models.iter().all(|k| !missing.contains(k)));
    page.tag += 1;
    let n = missing.len();
    page.status = Status::Training { reproducing, models: n, workers: page.live_workers() };
    let ledger = Ledger::new(page.workers.slots.len(), page.now);
    let progress = Progress::new(plan.total_units(), page.now);
    page.run = Some(Run { tag: page.tag, progress, plan, state: RunState::Running, ended: None, reproducing, ledger });
}

/// Stops the run, keeping finished models: the busy workers start afresh.
pub(super) fn cancel(page: &mut Page, cmds: &mut Vec<Command>) {
    if page.choice.measuring() {
        // Timing the engines stops; the CPU's workers come back.
        page.choice = crate::lab::choice::Choice::Open;
        if page.engine() != crate::study::engine::Engine::Cpu {
            page.link.engine = crate::study::engine::Engine::Cpu;
            cmds.push(Command::Worker(page.workers.pool(page.link.engine, page.now)));
        }
        page.status = Status::Cancelled(0, page.results.models.len());
        return;
    }
    if !page.running() {
        return;
    }
    let busy: Vec<usize> = (0..page.workers.slots.len()).filter(|&i| matches!(page.workers.task(i), Some(Task::Work(_)))).collect();
    for &i in &busy {
        cmds.push(Command::Worker(page.workers.restart(i, page.now)));
    }
    let stopped = busy.len();
    let kept = page.results.models.len();
    if let Some(run) = &mut page.run {
        run.end(RunState::Cancelled, page.now);
    }
    page.status = Status::Cancelled(stopped, kept);
}

/// An event of the run's work `id`.
pub(super) fn event(page: &mut Page, id: WorkId, event: Event, cmds: &mut Vec<Command>) {
    let Some(run) = page.run.as_mut() else { return };
    run.plan.on_event(&event);
    match event {
        Event::Step { step, total, .. } => {
            let units = run.plan.units(id);
            run.progress.step(id, units, step, total);
            page.status = Status::Step(run.plan.work(id).to_string(), step, total);
        }
        Event::PretrainPoint { net, point } => page.results.curves.push_pretrain(net, point),
        Event::RlPoint { key, point } => page.results.curves.push_rl(key, point),
        Event::Pretrained { .. } => {}
        Event::Trained { key, checkpoint } => {
            let experiment = page.experiment_id();
            let checkpoint = Arc::new(checkpoint);
            page.kept.retain(|k| !(k.experiment == experiment && k.key == key));
            page.kept.push(KeptModel { experiment, key, checkpoint: checkpoint.clone() });
            let config = page.config().clone();
            if let Some(req) = page.store.save_checkpoint(&config, key, &checkpoint) {
                cmds.push(Command::Store(req));
            }
        }
        Event::Model(m) => {
            let key = m.key;
            if let Err(e) = page.accept(*m) {
                page.results.failures.push(Failure { models: vec![key], message: format!("its numbers were not usable: {e}") });
            }
            save_results(page, cmds);
        }
    }
}

/// Worker `i` enters `phase` of the current run's time (if a run is on).
pub(super) fn enter(page: &mut Page, i: usize, phase: Phase) {
    let now = page.now;
    if let Some(run) = page.run.as_mut() {
        run.ledger.enter(i, phase, now);
    }
}

/// A work of the run ended (failed, with a message).
pub(super) fn finish_work(page: &mut Page, id: WorkId, failure: Option<String>, cmds: &mut Vec<Command>) {
    let Some(run) = page.run.as_mut() else { return };
    let lost = match &failure {
        None => run.plan.finish(id),
        Some(_) => run.plan.fail(id),
    };
    let units = run.plan.units(id);
    run.progress.finish(id, units);
    let work = run.plan.work(id).to_string();
    if !lost.is_empty() {
        let message = failure.clone().unwrap_or_else(|| "its pretrained net did not arrive".into());
        page.results.failures.retain(|f| f.models.iter().all(|k| !lost.contains(k)));
        page.results.failures.push(Failure { models: lost, message: message.clone() });
        page.say(Said::WorkFailed(work, message.clone()));
        save_results(page, cmds);
    }
    let run = page.run.as_mut().expect("run");
    if run.state == RunState::Running && run.plan.is_finished() {
        run.end(RunState::Done, page.now);
        let time = run.ledger.describe();
        let secs = (page.now - run.progress.started) / 1000.0;
        let reproduced = run.reproducing.then(|| {
            let marks: Vec<Reproduced> = page.results.models.iter().map(|m| page.reproduced(m)).collect();
            let good = marks.iter().filter(|m| matches!(m, Reproduced::Equal | Reproduced::Near(_))).count();
            (good, marks.len(), page.engine())
        });
        let (models, failures) = (page.results.models.len(), page.results.failures.len());
        page.status = Status::Done { models, failures, seconds: secs, reproduced, time };
    }
}

