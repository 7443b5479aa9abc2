//! The integration suite: one test binary for every file under `tests/`, so the whole suite
//! links once (a binary per file took a link of the whole service each, and gigabytes of disk).
//! Each file is a module; `common` holds the harness and its `both!` macro.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

#[macro_use]
mod common;

mod abuse;
mod agencies;
mod authz;
mod backup;
mod checks;
mod cli;
mod comment_form;
mod comments;
mod comments_durability;
mod crash;
mod desk;
mod draft_cache;
mod drafts;
mod foundation;
mod grouping;
mod hostile;
mod mail;
mod nodes;
mod openapi;
mod pages;
mod report_desk;
mod review;
mod review_browser;
mod rounds;
mod staff;
mod staff_browser;
mod subscribe;
