//! Hardware-in-the-loop rig: simulated cameras whose streams real clients can read.
//!
//! QA must validate a plan at full camera load before the hardware arrives. This crate provides
//! the pieces of a simulated camera that do not need ONVIF:
//!
//! - [`video`]: an H.264 stream at an exact average bitrate, generated without an encoder, that
//!   ffmpeg decodes and that carries each frame's send time for latency measurement;
//! - [`rtsp`]: an RTSP 1.0 server on tokio that serves such streams over RTP/AVP/TCP
//!   interleaved, paced at the configured frame rate, with RTCP sender reports.
//!
//! ONVIF, discovery, authentication, UDP transport, H.265 and faults are not part of it yet.

mod error;
pub mod rtsp;
pub mod video;

pub use error::{Error, ErrorKind};
