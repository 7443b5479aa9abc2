//! Pure rules: no database, no HTTP, no clock reads. Time comes in as a parameter.

pub mod audit;
pub mod grouping;
pub mod review;
pub mod roles;
