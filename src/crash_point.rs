//! Deliberate crashes for the crash-safety tests (tests/crash.rs): with
//! `CONSULT_CRASH_POINT=<name>` in its environment the process kills itself with SIGKILL when
//! it reaches the point of that name, as a power cut or an out-of-memory kill would stop it.
//! Off unless set. The variable is read once (`arm`, at start-up); a point not armed costs a
//! comparison with `None`.
//!
//! Points: `report-publish`, inside the transaction that publishes an approved report, just
//! before its COMMIT (`service::reports::act_on_report`).

use std::sync::OnceLock;

static ARMED: OnceLock<Option<String>> = OnceLock::new();

fn armed() -> Option<&'static str> {
    ARMED
        .get_or_init(|| {
            std::env::var("CONSULT_CRASH_POINT")
                .ok()
                .filter(|p| !p.is_empty())
        })
        .as_deref()
}

/// Reads `CONSULT_CRASH_POINT`; says loudly when a point is armed.
pub fn arm() {
    if let Some(point) = armed() {
        tracing::warn!(crash_point = %point, "CONSULT_CRASH_POINT is set: this process will kill itself there (tests only)");
    }
}

/// Kills this process with SIGKILL if `name` is the armed point.
pub fn reached(name: &str) {
    if armed() == Some(name) {
        tracing::warn!(crash_point = %name, "crash point reached: SIGKILL");
        // SAFETY: kill(2) on our own pid has no memory effects; SIGKILL does not return.
        unsafe {
            libc::kill(libc::getpid(), libc::SIGKILL);
        }
        // Not reached; if the signal could not be sent, stop all the same.
        std::process::abort();
    }
}
