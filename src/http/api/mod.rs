//! JSON API handlers, one file per noun, one function per verb (`verb_noun`).

pub mod auth;
pub mod dispositions;
pub mod groups;
pub mod ops;
pub mod reports;
pub mod test_clock;
