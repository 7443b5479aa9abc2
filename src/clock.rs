//! The injected clock: the system clock in production, a settable one that
//! keeps running from the set instant under `testing.clock_control`.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};

#[derive(Clone, Debug)]
pub enum Clock {
    System,
    /// Reads `base + (Instant::now() - set_at)`: a set time that runs on.
    Controlled(Arc<Mutex<(DateTime<Utc>, Instant)>>),
}

impl Clock {
    pub fn controlled(start: DateTime<Utc>) -> Clock {
        Clock::Controlled(Arc::new(Mutex::new((start, Instant::now()))))
    }

    /// The current time, truncated to microseconds so that both databases store it exactly.
    pub fn now(&self) -> DateTime<Utc> {
        let now = match self {
            Clock::System => Utc::now(),
            Clock::Controlled(state) => {
                let (base, set_at) = *state.lock().unwrap_or_else(|p| p.into_inner());
                let elapsed = TimeDelta::from_std(set_at.elapsed()).unwrap_or_default();
                base + elapsed
            }
        };
        now.duration_trunc(TimeDelta::microseconds(1))
            .unwrap_or(now)
    }

    /// Sets a controlled clock; `false` for the system clock, which cannot be set.
    pub fn set(&self, to: DateTime<Utc>) -> bool {
        match self {
            Clock::System => false,
            Clock::Controlled(state) => {
                *state.lock().unwrap_or_else(|p| p.into_inner()) = (to, Instant::now());
                true
            }
        }
    }

    /// Moves a controlled clock forward by `by`.
    pub fn advance(&self, by: TimeDelta) -> bool {
        let now = self.now();
        self.set(now + by)
    }

    pub fn is_controlled(&self) -> bool {
        matches!(self, Clock::Controlled(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_clock_runs_on_from_the_set_time() {
        let start: DateTime<Utc> = "2030-01-01T00:00:00Z".parse().unwrap();
        let clock = Clock::controlled(Utc::now());
        assert!(clock.set(start));
        let read = clock.now();
        assert!(read >= start && read < start + TimeDelta::seconds(5));
        assert!(!Clock::System.set(start));
    }
}
