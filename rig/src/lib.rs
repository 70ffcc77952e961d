//! camscope's rig: proving a plan on cameras.
//!
//! [`judge`] compares what the rig measured with what the manifest planned, under the
//! [`judge::Tolerances`] shipped in `rig/data/tolerances.toml` (each with its source), and
//! merges the results of shards; [`report`] renders a results file as the rig report;
//! [`inventory`] holds the stream inventory (`inventory.json`) and its matching to the plan.
//! Everything here is a function of its inputs: no printing, no terminal; failures are
//! [`Error`]s that keep their causes.
#![warn(clippy::print_stdout, clippy::print_stderr)]

mod error;
pub mod inventory;
pub mod judge;
pub mod report;

pub use error::{Error, ErrorKind};
