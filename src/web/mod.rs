//! The page (a Leptos client-side app): the view of [`crate::lab`]'s state
//! and the shell that runs its effects. Nothing here trains or measures: the
//! page hands work to Web Workers ([`pool`]) and draws what comes back.

pub mod app;
pub mod charts;
pub mod controls;
pub mod files;
pub mod hero;
pub mod pool;
pub mod shell;
pub mod sections;
pub mod storage;

pub use app::start_app;
