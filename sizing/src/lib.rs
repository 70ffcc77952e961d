//! Pure sizing formulas for video-surveillance systems.
//!
//! Everything a designer multiplies by hand lives here: stream bitrates, the bytes a recording
//! schedule writes, RAID usable capacity and the drive count that meets a need, recorder ingest and
//! the inverse questions (how many cameras fit, how many days a capacity holds). The crate does no
//! I/O and holds no default numbers: every default (bitrate tables, overheads, reserves) comes from
//! the catalog data the caller passes in, so the formulas can be tested against hand-worked
//! figures and reused by the planner, the generator and the rig alike.
//!
//! Quantities are integers in base units (bit/s, bytes, watts) so that JSON output carries exact
//! figures; decimal (TB) and binary (TiB) renderings are derived, never mixed silently.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod bitrate;
pub mod ingest;
pub mod raid;
pub mod storage;
pub mod units;

pub use bitrate::{BitrateModel, Codec, Resolution, Scene};
pub use raid::{RaidError, RaidLayout, RaidLevel};
pub use storage::RecordingMode;
pub use units::{Bitrate, Bytes, Convention, UnitError, Watts};
