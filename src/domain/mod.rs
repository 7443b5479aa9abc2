//! Pure rules: no database, no HTTP, no clock reads. Time comes in as a parameter.

pub mod audit;
pub mod comment;
pub mod roles;
