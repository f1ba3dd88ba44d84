//! The browser side: the page (a Leptos client-side app), its training
//! workers, charts, storage. Nothing here knows burn's internals: the page
//! talks to workers through [`crate::protocol`] messages.

pub mod app;
pub mod charts;
pub mod pool;
pub mod sections;
pub mod storage;
pub mod worker;

pub use app::start_app;
