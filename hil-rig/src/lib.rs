//! Hardware-in-the-loop rig: simulated cameras whose streams real clients can read.
//!
//! QA must validate a plan at full camera load before the hardware arrives. This crate provides
//! the pieces of a simulated camera, starting with [`video`]: an H.264 stream at an exact average
//! bitrate, generated without an encoder, that ffmpeg decodes and that carries each frame's send
//! time for latency measurement.
//!
//! Serving the stream (RTSP), ONVIF, discovery, authentication and faults are not part of it yet.

mod error;
pub mod video;

pub use error::{Error, ErrorKind};
