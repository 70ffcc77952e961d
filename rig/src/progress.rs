//! What a rig command reports while it runs. The rig never writes to a terminal: it calls the
//! [`Progress`] the caller gives it, and the caller (the CLI) draws a bar, writes JSON lines or
//! prints status lines.

use std::path::Path;

/// One thing that happened during a rig command.
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    /// A warning about the input that did not stop the command (an unknown manifest field read
    /// past).
    Warning(&'a str),
    /// `simulate`: every camera listens (and the endpoints file, if asked for, is written).
    Serving {
        /// How many simulated cameras.
        cameras: usize,
        /// The first camera's ONVIF device service URL.
        onvif: &'a str,
        /// The first camera's RTSP URL.
        rtsp: &'a str,
        /// The address the cameras listen on.
        bind: std::net::IpAddr,
        /// The multicast group WS-Discovery answers on (through `bind`'s interface), when it
        /// runs.
        discovery: Option<std::net::SocketAddrV4>,
        /// Where the endpoints were written.
        endpoints: Option<&'a Path>,
    },
    /// `validate`: the cameras were looked up in the source.
    Located {
        /// Cameras of the manifest (of this shard) to validate.
        cameras: usize,
        /// How many of them the source lists.
        found: usize,
    },
    /// `validate`: every located camera was asked over ONVIF.
    OnvifDone {
        /// Cameras asked.
        cameras: usize,
        /// Cameras whose ONVIF stage found a problem.
        with_problems: usize,
    },
    /// `validate`: the measurement window starts.
    WindowStarted {
        /// Its planned length.
        seconds: u64,
        /// Streams pulled.
        streams: usize,
    },
    /// A stream's RTSP session is up.
    Connected {
        /// The camera's id.
        camera: Option<&'a str>,
    },
    /// A stream's first frame arrived.
    FirstFrame {
        /// The camera's id.
        camera: Option<&'a str>,
        /// Seconds after the window started.
        after_s: f64,
    },
    /// A stream failed and is retried.
    Retrying {
        /// The camera's id.
        camera: Option<&'a str>,
        /// Which attempt comes next.
        attempt: u32,
        /// Seconds until it.
        after_s: f64,
        /// Why the last attempt ended.
        cause: &'a str,
    },
    /// An interrupt (Ctrl-C, SIGTERM) ended the window early; what arrived is still judged.
    Interrupted {
        /// Seconds into the window.
        after_s: f64,
    },
    /// Once a second during the window.
    Tick {
        /// Seconds into the window.
        elapsed_s: f64,
        /// Streams delivering video now.
        streaming: usize,
        /// Streams pulled.
        streams: usize,
        /// What arrived over the last second, bit/s.
        received_bps: f64,
        /// RTP packets lost so far.
        lost_packets: u64,
        /// Reconnects so far.
        reconnects: u64,
    },
    /// The window is over.
    WindowEnded,
}

/// Where a rig command's events go.
pub trait Progress {
    /// Called as each event happens.
    fn event(&mut self, event: Event<'_>);
}

/// Discards every event.
pub struct Silent;

impl Progress for Silent {
    fn event(&mut self, _: Event<'_>) {}
}
