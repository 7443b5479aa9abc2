//! JSON API handlers, one file per noun, one function per verb (`verb_noun`).

pub mod auth;
pub mod comments;
pub mod moderation;
pub mod ops;
pub mod receipts;
pub mod test_clock;
