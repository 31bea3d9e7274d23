//! A request's time budget, checked inside the long loops of the queries and the planner so
//! that work over budget actually stops (a timeout around a blocking task would only stop
//! waiting for it, while the task kept its core).

use std::time::{Duration, Instant};

/// The moment after which a piece of work gives up; [`Deadline::NONE`] never expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    at: Option<Instant>,
}

/// The work ran past its deadline and stopped; what it had found so far is discarded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the request used up its time budget and was stopped")]
pub struct OverBudget;

impl Deadline {
    /// No limit: for tools, tests and benchmarks that want the whole answer.
    pub const NONE: Deadline = Deadline { at: None };

    /// Expires `budget` from now.
    pub fn after(budget: Duration) -> Deadline {
        Deadline {
            at: Instant::now().checked_add(budget),
        }
    }

    /// `Err(OverBudget)` once the deadline has passed. Costs one clock read (tens of
    /// nanoseconds), so loops call it once per candidate or per few hundred steps, not per
    /// arithmetic operation.
    pub fn check(&self) -> Result<(), OverBudget> {
        match self.at {
            Some(at) if Instant::now() >= at => Err(OverBudget),
            _ => Ok(()),
        }
    }

    pub fn is_none(&self) -> bool {
        self.at.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_never_expires() {
        assert_eq!(Deadline::NONE.check(), Ok(()));
    }

    #[test]
    fn a_zero_budget_has_expired_at_once() {
        assert_eq!(Deadline::after(Duration::ZERO).check(), Err(OverBudget));
    }

    #[test]
    fn a_long_budget_has_not_expired() {
        assert_eq!(Deadline::after(Duration::from_secs(3600)).check(), Ok(()));
    }
}
