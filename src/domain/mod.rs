//! Pure rules: no database, no HTTP, no clock reads. Time comes in as a parameter.

pub mod audit;
pub mod cells;
pub mod charts;
pub mod comment;
pub mod countdown;
pub mod duplicates;
pub mod files;
pub mod grouping;
pub mod mail;
pub mod period;
pub mod redline;
pub mod report;
pub mod review;
pub mod roles;
pub mod workflow;
