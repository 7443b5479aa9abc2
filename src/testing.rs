//! Support shared by the project's own test suites.

use std::io::Write;

/// Says that part of a test could not run (no PostgreSQL, SMTP listener, browser or sentence
/// model here) and adds a line for it to the file named by `CONSULT_SKIP_LOG`. `scripts/test`
/// prints that file at the end of the run, where the test runner does not hide it among a
/// passing test's captured output, and fails the run under `CONSULT_FORBID_SKIPS=1` (CI).
pub fn skipped(what: &str) {
    eprintln!("!!! SKIPPED {what}");
    let Some(path) = std::env::var_os("CONSULT_SKIP_LOG") else {
        return;
    };
    let line = format!("{}\t{what}\n", current_test());
    // Appends of one short line do not interleave between the test processes.
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut f| f.write_all(line.as_bytes()));
    if let Err(e) = written {
        eprintln!("!!! cannot record the skip in {}: {e}", path.display());
    }
}

/// The running test's name: libtest names a test's thread after it; nextest runs one test per
/// process on the main thread and passes its name as an argument.
fn current_test() -> String {
    let binary = std::env::args()
        .next()
        .and_then(|a| {
            std::path::Path::new(&a)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
        })
        .unwrap_or_default();
    // Cargo appends a hash to test binaries' names: tests/mail.rs runs as mail-0123abcd.
    let binary = match binary.rsplit_once('-') {
        Some((name, hash)) if hash.chars().all(|c| c.is_ascii_hexdigit()) => name.to_owned(),
        _ => binary,
    };
    let thread = std::thread::current();
    let test = match thread.name() {
        Some(name) if name != "main" => name.to_owned(),
        _ => std::env::args()
            .skip(1)
            .find(|a| !a.starts_with('-'))
            .unwrap_or_else(|| "?".into()),
    };
    format!("{binary}::{test}")
}
