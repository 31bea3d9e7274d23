//! Bounded work: the heavy pool ([`Pool`]) where CPU-heavy requests run with a limited
//! concurrency and queue, and the time budget of a request ([`Deadline`]), checked inside the
//! long loops of the queries and the planner.

pub mod deadline;
pub mod pool;

pub use deadline::{Deadline, OverBudget};
pub use pool::{Pool, PoolLimits, Refused};
