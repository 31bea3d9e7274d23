//! Bounded work: the time budget of a request ([`Deadline`]), checked inside the long loops of
//! the queries and the planner.

pub mod deadline;

pub use deadline::{Deadline, OverBudget};
