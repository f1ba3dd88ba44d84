//! Storage's answers: the store's own rules (`lab::store`) decide what
//! they change; here the library and the kept checkpoints are taken in,
//! and a link's short custom experiment starts once storage has settled.

use super::Command;
use crate::lab::page::{KeptModel, Page};
use crate::lab::store::StoreAnswer;
use std::sync::Arc;

/// Storage answered: what it changes, what the page says, what to ask next;
/// the stored library and checkpoints taken in.
pub(super) fn answer(page: &mut Page, answer: StoreAnswer, cmds: &mut Vec<Command>) {
    let mut library = None;
    let mut checkpoints = None;
    let mut storage_settled = false;
    match &answer {
        StoreAnswer::Library { results, .. } => {
            library = Some(results.iter().filter_map(|(_, r)| r.as_ref().ok().cloned()).collect::<Vec<_>>());
            storage_settled = true;
        }
        StoreAnswer::Opened(Err(_)) => storage_settled = true,
        StoreAnswer::Checkpoints(id, Ok(list)) => checkpoints = Some((id.clone(), list.clone())),
        _ => {}
    }
    let reaction = page.store.answer(answer);
    for m in reaction.say {
        page.say(crate::lab::said::Said::Storage(m));
    }
    cmds.extend(reaction.requests.into_iter().map(Command::Store));
    if let Some(list) = library {
        let config = page.config().clone();
        let mine = !super::settings::has_content(&page.results);
        for r in list {
            if r.config == config {
                if mine && !page.running() {
                    page.results = r;
                }
            } else if !page.library.iter().any(|x| x.config == r.config) {
                page.library.push(r);
            }
        }
        super::settings::load_checkpoints(page, cmds);
    }
    if let Some((id, list)) = checkpoints {
        let models = page.config().models();
        for (key, bytes) in list {
            if id == page.experiment_id() && models.contains(&key) && !page.kept.iter().any(|k| k.experiment == id && k.key == key) {
                page.kept.push(KeptModel { experiment: id.clone(), key, checkpoint: Arc::new(bytes) });
            }
        }
    }
    if storage_settled && std::mem::take(&mut page.autorun) {
        super::run::autorun(page);
    }
}

