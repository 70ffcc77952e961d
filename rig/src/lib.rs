//! camscope's rig: proving a plan on cameras.
//!
//! The commands: [`simulate`] runs a simulated camera fleet; [`validate`] finds a manifest's
//! cameras, asks them over ONVIF, pulls every stream at once and judges what arrived; [`merge`]
//! combines shards' results; [`survey`] asks every camera for its stream URIs (the stream
//! inventory). Each takes a plain option struct and reports as it runs through a
//! [`Progress`] the caller implements.
//!
//! [`judge`] compares what the rig measured with what the manifest planned, under the
//! [`judge::Tolerances`] shipped in `rig/data/tolerances.toml` (each with its source), and
//! merges the results of shards; [`report`] renders a results file as the rig report;
//! [`inventory`] holds the stream inventory (`inventory.json`) and its matching to the plan.
//! Nothing here prints or touches a terminal; failures are [`Error`]s that keep their causes.
#![warn(clippy::print_stdout, clippy::print_stderr)]

mod error;
mod input;
pub mod inventory;
pub mod judge;
mod locate;
pub mod progress;
pub mod report;
mod simulate;
mod survey;
mod validate;

pub use error::{Error, ErrorKind};
pub use input::parse_duration;
pub use judge::Shard;
pub use locate::CameraSource;
pub use progress::{Event, Progress};
pub use simulate::{FleetSource, SimulateOptions, simulate};
pub use survey::{SurveyOptions, survey, write_inventory};
pub use validate::{Transport, ValidateOptions, merge, validate, write_results};
