//! Hardware-in-the-loop rig: simulated cameras that real clients discover, configure and stream
//! from.
//!
//! QA must validate a plan at full camera load before the hardware arrives, and real cameras are
//! few. This crate runs a fleet of cameras in one process:
//!
//! - [`video`]: an H.264 or H.265 stream at an exact average bitrate, generated without an
//!   encoder, that ffmpeg decodes and that carries each frame's send time for latency
//!   measurement;
//! - [`rtsp`]: an RTSP 1.0 server on tokio that serves such streams (RFC 6184 or RFC 7798)
//!   over RTP/AVP/TCP interleaved or UDP, paced at the configured frame rate, with RTCP sender
//!   reports;
//! - [`onvif`]: a camera's ONVIF device, Media and Media2 services over HTTP (SOAP 1.2), with
//!   WS-Security UsernameToken and HTTP Digest authentication, that onvif-zeep-async and npm
//!   `onvif` drive, and the JPEG snapshot its `GetSnapshotUri` points at; and the client
//!   ([`onvif::client`]) the rig uses to read and configure real and simulated cameras;
//! - [`discovery`]: WS-Discovery for `dn:NetworkVideoTransmitter`, a responder that announces
//!   and answers probes for many cameras from one socket, and the probe that finds them;
//! - [`fleet`]: N cameras together, each stream following its camera's encoder configuration,
//!   optionally announced and found by WS-Discovery, behind `camscope rig simulate`, with RTSP
//!   authentication on by default;
//! - [`faults`]: a plan of per-camera faults (drops, stalls, latency, UDP loss, bitrate
//!   shortfall, refused credentials, reboots) that the fleet plays on cue;
//! - [`ingest`]: the other side, as `camscope rig validate` uses it: every camera's stream
//!   pulled at once with retina and measured (bitrate, frame rate, key-frame interval, loss,
//!   latency, reconnects), optionally written to disk as a recorder would.

pub mod discovery;
mod error;
pub mod faults;
pub mod fleet;
pub mod ingest;
pub mod onvif;
pub mod rtsp;
pub mod video;

pub use error::{Error, ErrorKind};
