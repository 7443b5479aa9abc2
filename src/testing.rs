//! Support shared by the project's own test suites.

use std::io::Write;

/// Says that part of a test could not run (no PostgreSQL, SMTP listener, browser or sentence
/// model here) and adds a line for it to the file named by `CONSULT_SKIP_LOG`. `scripts/test`
/// prints that file at the end of the run, where the test runner does not hide it among a
/// passing test's captured output, and fails the run under `CONSULT_FORBID_SKIPS=1` (CI).
pub fn skipped(what: &str) {
    eprintln!("!!! SKIPPED {what}");
    if let Some(path) = std::env::var_os("CONSULT_SKIP_LOG") {
        record(std::path::Path::new(&path), &current_test(), what);
    }
}

/// One line, `test<TAB>what`, at the end of `log`.
fn record(log: &std::path::Path, test: &str, what: &str) {
    let line = format!("{test}\t{what}\n");
    // Appends of one short line do not interleave between the test processes.
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .and_then(|mut f| f.write_all(line.as_bytes()));
    if let Err(e) = written {
        eprintln!("!!! cannot record the skip in {}: {e}", log.display());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_are_appended_one_line_each() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("skips.log");
        record(&log, "mail::a", "the SMTP check");
        record(&log, "pages::b", "the accessibility check");
        assert_eq!(
            std::fs::read_to_string(&log).unwrap(),
            "mail::a\tthe SMTP check\npages::b\tthe accessibility check\n"
        );
        // The test binary's name, without cargo's hash, and this test's name.
        let me = current_test();
        assert!(me.starts_with("consult::"), "{me}");
        assert!(me.ends_with("skips_are_appended_one_line_each"), "{me}");
    }
}
