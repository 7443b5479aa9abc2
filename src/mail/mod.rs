//! Mail: templates, the outbox worker and transports (R21–R24).
//!
//! A mail is a row in `outbox`, written by `events` (or by another module) in the same
//! transaction as its cause. The worker in `outbox` claims due rows, renders them once with
//! `render` (askama templates under `templates/`), sends them through `transport`, and marks
//! the outcome. `links` signs the confirmation and unsubscribe links.

pub mod events;
pub mod links;
pub mod outbox;
pub mod render;
pub mod transport;
