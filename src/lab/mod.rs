//! The page's state and its changes, apart from any view: what a link
//! holds ([`link`]), everything the page shows ([`page`]), and one pure
//! function from (state, message) to the next state and the effects to run
//! ([`update`]). No burn, no web: tested natively.

pub mod choice;
pub mod computed;
pub mod inside;
pub mod ledger;
pub mod link;
pub mod page;
pub mod parts;
pub mod said;
pub mod store;
pub mod update;
pub mod workers;
