//! consult: a public-comment platform for draft policies.

pub mod app;
pub mod cli;
pub mod clock;
pub mod config;
pub mod crash_point;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod http;
pub mod jobs;
pub mod lang;
pub mod mail;
pub mod security;
pub mod service;
#[doc(hidden)]
pub mod testing;

/// The sentence encoder (its own crate, so that it is optimised even in test builds).
pub use consult_semantic as semantic;
