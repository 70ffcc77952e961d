//! A minimal RTSP 1.0 server that streams generated H.264 or H.265 to real clients.
//!
//! Why: the rig must prove a plan against the clients a site will use (retina in our ingest,
//! ffmpeg-based VMSs), so a simulated camera has to speak the RTSP those clients expect. This
//! server answers OPTIONS, DESCRIBE (SDP with `sprop-parameter-sets`, or `sprop-vps`,
//! `sprop-sps` and `sprop-pps` for H.265), SETUP for RTP/AVP/TCP interleaved or RTP/AVP over
//! UDP, PLAY (aggregate or track URL), GET_PARAMETER and TEARDOWN, and streams each session's own
//! [`VideoGenerator`] output in the mount's [`Codec`] (RTP per RFC 6184 or RFC 7798):
//!
//! - frames are paced from one monotonic start instant (`start + n / fps`), so the rate never
//!   drifts; RTP timestamps are `ts0 + n · 90000 / fps` and sequence numbers run on across GOPs;
//! - an RTCP sender report follows about once a second on the RTCP channel;
//! - over UDP, RTP leaves from an even server port and RTCP from the next one, as RFC 3550 §11
//!   asks and retina requires (it only accepts RTCP from `server_port + 1`);
//! - a session ends when the client sends nothing (no request, no RTCP) for the session timeout
//!   announced in `Session: …;timeout=`, or when a write to it stalls that long.
//!
//! Each connection is one tokio task that owns its socket, so responses and media never
//! interleave mid-packet. Time comes from tokio, so tests can run on a paused clock.
//! Multicast is not served.
//!
//! Real cameras require credentials on RTSP, so the server can too ([`RtspAuth`]): every
//! request but OPTIONS then needs the account's Basic or MD5 Digest credentials, and anything
//! else gets `401 Unauthorized` with a Digest challenge, the exchange retina's
//! `SessionOptions::creds` and ffmpeg perform. A fleet's mounts can also carry a camera's
//! injected faults (see [`crate::faults`]), applied per frame and per request.
//!
//! # Example
//!
//! ```
//! use camscope_hil_rig::rtsp::{Mount, RtspServer, ServerOptions};
//! use camscope_hil_rig::video::VideoConfig;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), camscope_hil_rig::Error> {
//! let cam = Mount::new("cam0", VideoConfig::new(1280, 720, 25, 50, 4_000_000))?;
//! let any_port = "127.0.0.1:0".parse().expect("a socket address");
//! let server = RtspServer::bind(any_port, vec![cam], ServerOptions::default()).await?;
//! let url = server.url("cam0");
//! assert!(url.starts_with("rtsp://127.0.0.1:"));
//! let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
//! let running = tokio::spawn(server.serve(async {
//!     let _ = stopped.await;
//! }));
//! // ... point clients at `url` ...
//! drop(stop);
//! running.await.expect("the server task ends");
//! # Ok(())
//! # }
//! ```

mod rtp;

use std::collections::VecDeque;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use rtsp_types::headers::transport::{RtpLowerTransport, RtpProfile, Transport, Transports};
use rtsp_types::{
    Message, Method, Request, Response, ResponseBuilder, StatusCode, Url, Version, headers,
};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::{Instant, sleep_until, timeout};
use tracing::{debug, warn};

use crate::error::Error;
use crate::faults::{ActiveFaults, Dice, FaultFeed, seed_of};
use crate::onvif::auth::{Authenticator, Credentials, Secret};
use crate::video::{Codec, VideoConfig, VideoGenerator, unix_micros_now};

/// Control path of the single video track, relative to the mount's base URL.
const TRACK: &str = "track1";

/// Methods this server answers, as listed in `Public:`. SET_PARAMETER is left out on purpose so
/// that retina keeps a session alive with GET_PARAMETER.
const PUBLIC: &str = "OPTIONS, DESCRIBE, SETUP, PLAY, GET_PARAMETER, TEARDOWN";

/// `Server:` header value.
const SERVER: &str = "camscope-hil-rig";

/// Largest request we buffer before giving up on a client.
const MAX_REQUEST_BYTES: usize = 64 * 1024;

/// Interval between RTCP sender reports.
const REPORT_INTERVAL: Duration = Duration::from_secs(1);

/// Realm of the RTSP Digest challenge.
const REALM: &str = "camscope-hil-rig";

/// One stream the server offers: `rtsp://host:port/<path>`.
///
/// Its configuration can follow a watch channel (see [`Mount::following`]): a camera whose
/// encoder is reconfigured over ONVIF streams the new settings to every session started after
/// the change, as real cameras do when a client reconnects.
#[derive(Debug, Clone)]
pub struct Mount {
    path: String,
    stream: watch::Receiver<StreamSettings>,
    /// The faults of the camera this stream belongs to, if any fault names it.
    faults: Option<FaultFeed>,
}

/// What a mount streams: the codec and the video configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamSettings {
    /// H.264 or H.265.
    pub codec: Codec,
    /// Size, rate, GOP and bitrate.
    pub config: VideoConfig,
}

impl Mount {
    /// A mount at `path` (leading and trailing `/` ignored; letters, digits and `-_.~/` only)
    /// streaming H.264 `config`, which is checked as
    /// [`H264Generator::new`](crate::video::H264Generator::new) checks it.
    pub fn new(path: &str, config: VideoConfig) -> Result<Self, Error> {
        Mount::with_codec(path, Codec::H264, config)
    }

    /// A mount at `path` streaming `config` in `codec`, checked as [`VideoGenerator::new`]
    /// checks it.
    pub fn with_codec(path: &str, codec: Codec, config: VideoConfig) -> Result<Self, Error> {
        // A receiver keeps the last value after its sender is gone: a fixed mount.
        Mount::following(path, watch::channel(StreamSettings { codec, config }).1)
    }

    /// A mount at `path` whose configuration is whatever `config` holds when a session starts.
    /// The current value is checked now; a later value that cannot be generated makes new
    /// sessions fail with 500 rather than stream something else.
    pub fn following(path: &str, stream: watch::Receiver<StreamSettings>) -> Result<Self, Error> {
        let path = path.trim_matches('/');
        let valid_char = |c: char| c.is_ascii_alphanumeric() || "-_.~/".contains(c);
        if path.is_empty() || !path.chars().all(valid_char) || path.contains("//") {
            return Err(Error::config(format!(
                "mount path {path:?} must be non-empty and use only letters, digits and -_.~/"
            )));
        }
        let now = *stream.borrow();
        VideoGenerator::new(now.codec, now.config)
            .map_err(|e| Error::config(format!("mount {path}: {}", e.message)))?;
        Ok(Mount {
            path: path.to_owned(),
            stream,
            faults: None,
        })
    }

    /// The same mount, subject to its camera's faults.
    pub(crate) fn with_faults(mut self, faults: FaultFeed) -> Self {
        self.faults = Some(faults);
        self
    }

    /// The codec of the stream served at this path.
    pub fn codec(&self) -> Codec {
        self.stream.borrow().codec
    }

    /// The path, without leading or trailing `/`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The stream served at this path now.
    pub fn config(&self) -> VideoConfig {
        self.stream.borrow().config
    }

    /// Codec and configuration together, as one consistent reading.
    pub fn settings(&self) -> StreamSettings {
        *self.stream.borrow()
    }
}

/// Server-wide settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerOptions {
    /// A session (or an idle connection) ends after this long without a request or RTCP from the
    /// client; announced as `Session: …;timeout=` in whole seconds (at least 1). Default 60 s.
    pub session_timeout: Duration,
    /// Largest RTP payload in bytes; longer NAL units are split into fragmentation units. Default
    /// 1400, which keeps packets inside a 1500-byte Ethernet MTU.
    pub max_rtp_payload: usize,
    /// Whether requests need credentials. Default [`RtspAuth::None`].
    pub auth: RtspAuth,
    /// A request (or interleaved packet) that has begun must be complete within this long, or
    /// the connection is closed: otherwise a client sending one byte just inside every session
    /// timeout holds a connection for ever. Default 10 s.
    pub request_timeout: Duration,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            session_timeout: Duration::from_secs(60),
            max_rtp_payload: 1400,
            auth: RtspAuth::None,
            request_timeout: Duration::from_secs(10),
        }
    }
}

/// How the server authenticates RTSP requests.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum RtspAuth {
    /// Anyone may stream (what ffprobe-based tests use, so no password goes on a command line).
    #[default]
    None,
    /// Every request but OPTIONS needs this account: HTTP Basic, or MD5 Digest with or without
    /// `qop=auth`. Missing or wrong credentials get `401 Unauthorized` with
    /// `WWW-Authenticate: Digest realm="camscope-hil-rig", qop="auth", algorithm=MD5, nonce=…`.
    Digest(Credentials),
}

/// A bound RTSP server; [`serve`](Self::serve) runs it.
#[derive(Debug)]
pub struct RtspServer {
    listener: TcpListener,
    local_addr: SocketAddr,
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    mounts: Vec<Mount>,
    options: ServerOptions,
    sessions_created: AtomicU64,
    /// Checks credentials when [`RtspAuth::Digest`] is on, and makes the challenge a
    /// credentials-refusing fault answers with either way.
    auth: Authenticator,
}

impl Shared {
    fn new(mounts: Vec<Mount>, options: ServerOptions) -> Shared {
        let credentials = match &options.auth {
            RtspAuth::Digest(c) => c.clone(),
            // Only ever used to challenge: no answer can succeed against a random password.
            RtspAuth::None => Credentials {
                username: String::new(),
                password: Secret::new(format!("{:032x}", rand::random::<u128>())),
            },
        };
        Shared {
            mounts,
            auth: Authenticator::new(credentials, REALM, Duration::ZERO),
            options,
            sessions_created: AtomicU64::new(0),
        }
    }
}

impl RtspServer {
    /// Binds `addr` (port 0 picks a free port) for `mounts`, which must have distinct paths.
    pub async fn bind(
        addr: SocketAddr,
        mounts: Vec<Mount>,
        options: ServerOptions,
    ) -> Result<Self, Error> {
        if mounts.is_empty() {
            return Err(Error::config("an RTSP server needs at least one mount"));
        }
        for (i, m) in mounts.iter().enumerate() {
            if mounts[..i].iter().any(|o| o.path == m.path) {
                return Err(Error::config(format!(
                    "mount path {} is used twice",
                    m.path
                )));
            }
        }
        if options.session_timeout < Duration::from_secs(1) {
            return Err(Error::config("session timeout must be at least 1 s"));
        }
        if !(100..=65_000).contains(&options.max_rtp_payload) {
            return Err(Error::config(
                "max RTP payload must be between 100 and 65000 bytes",
            ));
        }
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| Error::io(format!("cannot bind RTSP listener on {addr}"), e))?;
        let local_addr = listener
            .local_addr()
            .map_err(|e| Error::io(format!("RTSP listener on {addr} has no address"), e))?;
        Ok(RtspServer {
            listener,
            local_addr,
            shared: Arc::new(Shared::new(mounts, options)),
        })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The URL of a mount path on this server, e.g. `rtsp://127.0.0.1:8554/cam0`.
    pub fn url(&self, path: &str) -> String {
        format!("rtsp://{}/{}", self.local_addr, path.trim_matches('/'))
    }

    /// Accepts and serves clients until `shutdown` completes, then closes every connection.
    pub async fn serve(self, shutdown: impl Future<Output = ()>) {
        let mut connections = JoinSet::new();
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, peer)) => {
                        let shared = Arc::clone(&self.shared);
                        let local = stream.local_addr().unwrap_or(self.local_addr);
                        connections.spawn(async move {
                            let connection = Connection::new(stream, local, peer, shared);
                            if let Err(e) = connection.run().await {
                                debug!(%peer, error = %e, "RTSP connection ended with an error");
                            }
                        });
                    }
                    Err(e) => {
                        // Out of descriptors and the like: back off instead of spinning.
                        warn!(error = %e, "RTSP accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
        connections.shutdown().await;
    }
}

/// A stream set up on one connection.
struct Session {
    id: String,
    mount: usize,
    transport: MediaTransport,
    generator: VideoGenerator,
    packetizer: rtp::Packetizer,
    rtp_ts0: u32,
    playing: Option<Playing>,
}

/// Where a session's RTP and RTCP go.
enum MediaTransport {
    /// `$`-framed on the RTSP connection, on these channels.
    Interleaved { rtp: u8, rtcp: u8 },
    /// Datagrams from our RTP and RTCP sockets, each connected to the client's matching port.
    Udp { rtp: UdpSocket, rtcp: UdpSocket },
}

/// The transport a SETUP asks for.
enum Requested {
    Interleaved { rtp: u8, rtcp: u8 },
    Udp { rtp_port: u16, rtcp_port: u16 },
}

struct Playing {
    start: Instant,
    /// Frame slots since PLAY, sent or not (a stall skips slots): the RTP clock follows them.
    frames_sent: u64,
    next_report: Instant,
}

/// The fault state a connection follows once a request names a faulty camera's stream.
struct Faulted {
    feed: FaultFeed,
    /// The drop/reboot count when the connection joined; a change closes it.
    epoch: u64,
    now: ActiveFaults,
    dice: Dice,
    /// Packets held back by a latency fault: when each may leave, and its `$`-framed bytes.
    delayed: VecDeque<(Instant, Vec<u8>)>,
}

/// One client connection. Generic over the byte stream so that tests can drive it through an
/// in-memory pipe on a paused clock; the server uses a [`tokio::net::TcpStream`].
struct Connection<S> {
    stream: S,
    /// Our address as the client reached it: SDP origin, UDP ports, URLs without a host.
    local: SocketAddr,
    peer: SocketAddr,
    shared: Arc<Shared>,
    inbuf: Vec<u8>,
    outbuf: Vec<u8>,
    session: Option<Session>,
    last_heard: Instant,
    faults: Option<Faulted>,
    /// The Digest nonce this connection authenticated with: good here for as long as the
    /// connection lasts, however old.
    session_nonce: Option<String>,
    /// Since when the input buffer has held part of a message.
    partial_since: Option<Instant>,
}

/// What the connection loop does after answering a request.
enum After {
    Continue,
    Close,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Connection<S> {
    fn new(stream: S, local: SocketAddr, peer: SocketAddr, shared: Arc<Shared>) -> Self {
        Connection {
            stream,
            local,
            peer,
            shared,
            inbuf: Vec::with_capacity(4096),
            outbuf: Vec::new(),
            session: None,
            last_heard: Instant::now(),
            faults: None,
            session_nonce: None,
            partial_since: None,
        }
    }

    fn timeout(&self) -> Duration {
        self.shared.options.session_timeout
    }

    async fn run(mut self) -> Result<(), Error> {
        loop {
            let idle_at = self.last_heard + self.timeout();
            let partial_at = self
                .partial_since
                .map(|since| since + self.shared.options.request_timeout);
            let playing = self.session.as_ref().and_then(|s| {
                let p = s.playing.as_ref()?;
                Some((
                    p.start + frame_time(p.frames_sent, s.generator.config().fps),
                    p.next_report,
                ))
            });
            let (frame_at, report_at) = playing.unwrap_or((idle_at, idle_at));
            let udp_rtcp = match self.session.as_ref().map(|s| &s.transport) {
                Some(MediaTransport::Udp { rtcp, .. }) => Some(rtcp),
                _ => None,
            };
            let mut report_buf = [0u8; 1500];
            let receive_report = async {
                match udp_rtcp {
                    Some(socket) => socket.recv(&mut report_buf).await,
                    None => std::future::pending().await,
                }
            };
            // Only a connection to a faulty camera's stream waits on these two.
            let release_at = self
                .faults
                .as_ref()
                .and_then(|f| f.delayed.front().map(|(at, _)| *at));
            let fault_change = async {
                match &mut self.faults {
                    Some(f) => match f.feed.state.changed().await {
                        Ok(()) => *f.feed.state.borrow_and_update(),
                        // The fleet is stopping; its shutdown closes this connection.
                        Err(_) => std::future::pending().await,
                    },
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                now = fault_change => {
                    if let After::Close = self.apply_faults(now) {
                        return Ok(());
                    }
                }
                () = sleep_until(release_at.unwrap_or(idle_at)), if release_at.is_some() => {
                    self.release_delayed().await?;
                }
                read = self.stream.read_buf(&mut self.inbuf) => {
                    let n = read.map_err(|e| Error::io(format!("reading from {}", self.peer), e))?;
                    if n == 0 {
                        return Ok(());
                    }
                    self.last_heard = Instant::now();
                    if let After::Close = self.handle_input().await? {
                        return Ok(());
                    }
                    if self.inbuf.is_empty() {
                        self.partial_since = None;
                    } else if self.partial_since.is_none() {
                        self.partial_since = Some(self.last_heard);
                    }
                }
                () = sleep_until(partial_at.unwrap_or(idle_at)), if partial_at.is_some() => {
                    debug!(peer = %self.peer, "RTSP request not complete within the request timeout");
                    let response = Response::builder(Version::V1_0, StatusCode::RequestTimeout)
                        .header(headers::SERVER, SERVER)
                        .build(Vec::new());
                    let _ = self.write_response(&response).await;
                    return Ok(());
                }
                // A receiver report on the RTCP socket shows the client is there; an error (ICMP
                // port unreachable) does not, and the session timeout takes its course.
                received = receive_report => {
                    if received.is_ok() {
                        self.last_heard = Instant::now();
                    }
                }
                () = sleep_until(frame_at), if playing.is_some() => self.send_frame().await?,
                () = sleep_until(report_at), if playing.is_some() => self.send_report().await?,
                () = sleep_until(idle_at) => {
                    debug!(peer = %self.peer, "RTSP client silent for the session timeout");
                    return Ok(());
                }
            }
        }
    }

    /// Handles every complete message in the input buffer.
    async fn handle_input(&mut self) -> Result<After, Error> {
        loop {
            let parsed = Message::<Vec<u8>>::parse(&self.inbuf);
            let (message, consumed) = match parsed {
                Ok(ok) => ok,
                Err(rtsp_types::ParseError::Incomplete(_)) => {
                    if self.inbuf.len() > MAX_REQUEST_BYTES {
                        return Err(Error::protocol(format!(
                            "{} sent over {MAX_REQUEST_BYTES} bytes without a complete message",
                            self.peer
                        )));
                    }
                    return Ok(After::Continue);
                }
                Err(rtsp_types::ParseError::Error) => {
                    let response = Response::builder(Version::V1_0, StatusCode::BadRequest)
                        .header(headers::SERVER, SERVER)
                        .build(Vec::new());
                    self.write_response(&response).await?;
                    return Err(Error::protocol(format!(
                        "{} sent bytes that are not an RTSP message",
                        self.peer
                    )));
                }
            };
            self.inbuf.drain(..consumed);
            // What is left, if anything, is the start of a new message.
            self.partial_since = None;
            match message {
                Message::Request(request) => {
                    // Media goes out from the connection loop, so always after this response.
                    let (response, after) = self.answer(&request).await;
                    self.write_response(&response).await?;
                    if let After::Close = after {
                        return Ok(After::Close);
                    }
                }
                // Interleaved RTCP receiver reports: only proof that the client is alive.
                Message::Data(_) | Message::Response(_) => {}
            }
        }
    }

    async fn answer(&mut self, req: &Request<Vec<u8>>) -> (Response<Vec<u8>>, After) {
        if req.version() != Version::V1_0 {
            let r = self
                .reply(req, StatusCode::RTSPVersionNotSupported)
                .build(Vec::new());
            return (r, After::Continue);
        }
        if req.header(&headers::CSEQ).is_none() {
            return (
                self.reply(req, StatusCode::BadRequest).build(Vec::new()),
                After::Close,
            );
        }
        if let Some(refused) = self.gate(req) {
            return refused;
        }
        let response = match req.method() {
            Method::Options => self
                .reply(req, StatusCode::Ok)
                .header(headers::PUBLIC, PUBLIC)
                .build(Vec::new()),
            Method::Describe => self.describe(req),
            Method::Setup => self.setup(req).await,
            Method::Play => self.play(req),
            Method::GetParameter => match self.check_session(req) {
                Ok(_) => self.reply_in_session(req, StatusCode::Ok).build(Vec::new()),
                Err(status) => self.reply(req, status).build(Vec::new()),
            },
            Method::Teardown => match self.check_session(req) {
                Ok(Some(_)) => {
                    let r = self.reply_in_session(req, StatusCode::Ok).build(Vec::new());
                    self.session = None;
                    r
                }
                Ok(None) => self
                    .reply(req, StatusCode::SessionNotFound)
                    .build(Vec::new()),
                Err(status) => self.reply(req, status).build(Vec::new()),
            },
            _ => self
                .reply(req, StatusCode::NotImplemented)
                .header(headers::PUBLIC, PUBLIC)
                .build(Vec::new()),
        };
        (response, After::Continue)
    }

    /// The answer to a request the camera's faults or the credentials stop, if they do. The
    /// first request naming a faulty camera's stream ties the connection to that camera.
    fn gate(&mut self, req: &Request<Vec<u8>>) -> Option<(Response<Vec<u8>>, After)> {
        if let Some((mount, _)) = self.resolve(req)
            && let Some(feed) = &self.shared.mounts[mount].faults
        {
            let now = *feed.state.borrow();
            if now.refuse_rtsp {
                // Down or rebooting: like a camera that is not there, then gone.
                let r = self.reply(req, StatusCode::ServiceUnavailable);
                return Some((r.build(Vec::new()), After::Close));
            }
            if self.faults.is_none() {
                let mut feed = feed.clone();
                feed.state.borrow_and_update();
                // Main and sub-stream of one camera lose different packets, the same each run.
                let seed = feed.seed ^ seed_of(&self.shared.mounts[mount].path).rotate_left(1);
                self.faults = Some(Faulted {
                    epoch: now.epoch,
                    now,
                    dice: Dice::new(seed),
                    feed,
                    delayed: VecDeque::new(),
                });
            }
        }
        if req.method() == Method::Options {
            return None;
        }
        let refuse_all = self
            .faults
            .as_ref()
            .is_some_and(|f| f.now.refuse_credentials);
        let required = matches!(self.shared.options.auth, RtspAuth::Digest(_));
        if !refuse_all && !required {
            return None;
        }
        let now = time::OffsetDateTime::now_utc();
        let mut stale = false;
        if !refuse_all && let Some(header) = req.header(&headers::AUTHORIZATION) {
            // Clients put the absolute URL in the Digest `uri` (some a bare path); only the
            // resource has to match, as the host may be written another way.
            let target = req.request_uri().map(|u| u.path().trim_end_matches('/'));
            let uri_matches = |uri: &str| {
                let sent = match Url::parse(uri) {
                    Ok(url) => url.path().to_owned(),
                    Err(_) if uri.starts_with('/') => uri.split('?').next().unwrap_or(uri).into(),
                    Err(_) => return false,
                };
                target == Some(sent.trim_end_matches('/'))
            };
            let method: &str = req.method().into();
            match self.shared.auth.verify_rtsp(
                header.as_str(),
                method,
                uri_matches,
                now,
                self.session_nonce.as_deref(),
            ) {
                Ok(()) => {
                    if let Some(nonce) = crate::onvif::auth::digest_nonce(header.as_str()) {
                        self.session_nonce = Some(nonce);
                    }
                    return None;
                }
                Err(e) => {
                    stale = e == crate::onvif::auth::AuthError::StaleNonce;
                    debug!(peer = %self.peer, error = %e, "RTSP credentials refused");
                }
            }
        }
        let challenge = self.shared.auth.challenge(now, stale);
        let r = self
            .reply(req, StatusCode::Unauthorized)
            .header(headers::WWW_AUTHENTICATE, challenge)
            .build(Vec::new());
        Some((r, After::Continue))
    }

    /// Follows a change of the connection's camera faults; a drop or reboot closes it.
    fn apply_faults(&mut self, now: ActiveFaults) -> After {
        let Some(f) = &mut self.faults else {
            return After::Continue;
        };
        if now.epoch != f.epoch || now.refuse_rtsp {
            debug!(peer = %self.peer, "closing an RTSP connection: its camera dropped out");
            return After::Close;
        }
        f.now = now;
        if let Some(s) = &mut self.session {
            let config = *s.generator.config();
            s.generator.set_delivered_bitrate(delivered(&config, &now));
        }
        After::Continue
    }

    /// A response with CSeq and Server set.
    fn reply(&self, req: &Request<Vec<u8>>, status: StatusCode) -> ResponseBuilder {
        let mut builder = Response::builder(Version::V1_0, status).header(headers::SERVER, SERVER);
        if let Some(cseq) = req.header(&headers::CSEQ) {
            builder = builder.header(headers::CSEQ, cseq.as_str());
        }
        builder
    }

    /// [`reply`](Self::reply) plus the Session header, when a session exists.
    fn reply_in_session(&self, req: &Request<Vec<u8>>, status: StatusCode) -> ResponseBuilder {
        let builder = self.reply(req, status);
        match &self.session {
            Some(s) => builder.header(headers::SESSION, s.id.as_str()),
            None => builder,
        }
    }

    /// `Ok(Some(()))` when the request names this connection's session, `Ok(None)` when it
    /// names none, and 454 when it names another.
    fn check_session(&self, req: &Request<Vec<u8>>) -> Result<Option<()>, StatusCode> {
        let Some(value) = req.header(&headers::SESSION) else {
            return Ok(None);
        };
        let id = value.as_str().split(';').next().unwrap_or("").trim();
        match &self.session {
            Some(s) if s.id == id => Ok(Some(())),
            _ => Err(StatusCode::SessionNotFound),
        }
    }

    /// The mount and whether the URL names its track, for a request URL.
    fn resolve(&self, req: &Request<Vec<u8>>) -> Option<(usize, bool)> {
        let path = req.request_uri()?.path().trim_matches('/');
        self.shared.mounts.iter().enumerate().find_map(|(i, m)| {
            if path == m.path {
                Some((i, false))
            } else {
                let track = path.strip_prefix(m.path.as_str())?.strip_prefix('/')?;
                (track == TRACK).then_some((i, true))
            }
        })
    }

    /// `rtsp://host:port/<mount>/`, with the host the client used.
    fn base_url(&self, req: &Request<Vec<u8>>, mount: usize) -> String {
        let authority = req
            .request_uri()
            .and_then(|u| {
                let host = u.host_str()?;
                Some(match u.port() {
                    Some(port) => format!("{host}:{port}"),
                    None => host.to_owned(),
                })
            })
            .unwrap_or_else(|| self.local.to_string());
        format!("rtsp://{authority}/{}/", self.shared.mounts[mount].path)
    }

    fn describe(&self, req: &Request<Vec<u8>>) -> Response<Vec<u8>> {
        let Some((mount, false)) = self.resolve(req) else {
            return self.reply(req, StatusCode::NotFound).build(Vec::new());
        };
        let now = self.shared.mounts[mount].settings();
        let Ok(generator) = VideoGenerator::new(now.codec, now.config) else {
            return self
                .reply(req, StatusCode::InternalServerError)
                .build(Vec::new());
        };
        let sdp = sdp(&generator, self.local.ip());
        self.reply(req, StatusCode::Ok)
            .header(headers::CONTENT_TYPE, "application/sdp")
            .header(headers::CONTENT_BASE, self.base_url(req, mount))
            .build(sdp.into_bytes())
    }

    async fn setup(&mut self, req: &Request<Vec<u8>>) -> Response<Vec<u8>> {
        let Some((mount, _)) = self.resolve(req) else {
            return self.reply(req, StatusCode::NotFound).build(Vec::new());
        };
        let existing = match self.check_session(req) {
            Ok(found) => found.is_some(),
            Err(status) => return self.reply(req, status).build(Vec::new()),
        };
        // One stream per connection: a second one would be a second session.
        if let Some(s) = &self.session
            && (!existing || s.mount != mount)
        {
            return self
                .reply(req, StatusCode::AggregateOperationNotAllowed)
                .build(Vec::new());
        }
        let Some(requested) = requested_transport(req) else {
            return self
                .reply(req, StatusCode::UnsupportedTransport)
                .build(Vec::new());
        };
        let (transport, transport_header) = match requested {
            Requested::Interleaved { rtp, rtcp } => (
                MediaTransport::Interleaved { rtp, rtcp },
                format!("RTP/AVP/TCP;unicast;interleaved={rtp}-{rtcp}"),
            ),
            Requested::Udp {
                rtp_port,
                rtcp_port,
            } => match self.udp_pair(rtp_port, rtcp_port).await {
                Ok((rtp, rtcp, server_port)) => (
                    MediaTransport::Udp { rtp, rtcp },
                    format!(
                        "RTP/AVP;unicast;client_port={rtp_port}-{rtcp_port};\
                         server_port={server_port}-{}",
                        server_port + 1
                    ),
                ),
                Err(e) => {
                    warn!(peer = %self.peer, error = %e, "cannot open UDP ports for RTP");
                    return self
                        .reply(req, StatusCode::InternalServerError)
                        .build(Vec::new());
                }
            },
        };
        if self.session.is_none() {
            let now = self.shared.mounts[mount].settings();
            let Ok(mut generator) = VideoGenerator::new(now.codec, now.config) else {
                return self
                    .reply(req, StatusCode::InternalServerError)
                    .build(Vec::new());
            };
            if let Some(f) = &self.faults {
                generator.set_delivered_bitrate(delivered(&now.config, &f.now));
            }
            let n = self.shared.sessions_created.fetch_add(1, Ordering::Relaxed);
            let seed = mix(n ^ unix_micros_now().rotate_left(17));
            let ssrc = (seed >> 32) as u32;
            let first_seq = (mix(seed) & 0xFFFF) as u16;
            self.session = Some(Session {
                id: format!("{:016X}", mix(seed ^ 0x5e55_1015)),
                mount,
                transport: MediaTransport::Interleaved { rtp: 0, rtcp: 1 },
                generator,
                packetizer: rtp::Packetizer::new(
                    now.codec,
                    ssrc,
                    first_seq,
                    self.shared.options.max_rtp_payload,
                ),
                rtp_ts0: seed as u32,
                playing: None,
            });
        }
        let timeout_s = self.timeout().as_secs().max(1);
        let Some(s) = &mut self.session else {
            return self
                .reply(req, StatusCode::InternalServerError)
                .build(Vec::new());
        };
        s.transport = transport;
        let transport = format!("{transport_header};ssrc={:08X}", s.packetizer.ssrc());
        let session = format!("{};timeout={timeout_s}", s.id);
        self.reply(req, StatusCode::Ok)
            .header(headers::TRANSPORT, transport)
            .header(headers::SESSION, session)
            .build(Vec::new())
    }

    fn play(&mut self, req: &Request<Vec<u8>>) -> Response<Vec<u8>> {
        match self.check_session(req) {
            Ok(Some(())) => {}
            Ok(None) => {
                return self
                    .reply(req, StatusCode::SessionNotFound)
                    .build(Vec::new());
            }
            Err(status) => return self.reply(req, status).build(Vec::new()),
        }
        let Some(s) = &self.session else {
            return self
                .reply(req, StatusCode::SessionNotFound)
                .build(Vec::new());
        };
        if !matches!(self.resolve(req), Some((m, _)) if m == s.mount) {
            return self.reply(req, StatusCode::NotFound).build(Vec::new());
        }
        let track_url = format!("{}{TRACK}", self.base_url(req, s.mount));
        let rtp_info = format!(
            "url={track_url};seq={};rtptime={}",
            s.packetizer.next_seq(),
            s.rtp_ts0.wrapping_add(rtp::frame_timestamp_offset(
                s.generator.next_index(),
                s.generator.config().fps
            ))
        );
        let response = self
            .reply_in_session(req, StatusCode::Ok)
            .header(headers::RANGE, "npt=0.000-")
            .header(headers::RTP_INFO, rtp_info)
            .build(Vec::new());
        if let Some(s) = &mut self.session
            && s.playing.is_none()
        {
            let start = Instant::now();
            s.playing = Some(Playing {
                start,
                frames_sent: 0,
                next_report: start,
            });
        }
        response
    }

    async fn send_frame(&mut self) -> Result<(), Error> {
        let Some(s) = &mut self.session else {
            return Ok(());
        };
        let Some(p) = &mut s.playing else {
            return Ok(());
        };
        let slot = p.frames_sent;
        p.frames_sent += 1;
        // A stalled camera lets the slot pass: when it resumes, the clock decides what comes
        // next, not a backlog.
        if self.faults.as_ref().is_some_and(|f| f.now.stall) {
            return Ok(());
        }
        let au = s.generator.next_access_unit(unix_micros_now());
        let ts = s
            .rtp_ts0
            .wrapping_add(rtp::frame_timestamp_offset(slot, s.generator.config().fps));
        self.outbuf.clear();
        let channel = match &s.transport {
            MediaTransport::Interleaved { rtp, .. } => *rtp,
            MediaTransport::Udp { .. } => 0,
        };
        s.packetizer
            .push_access_unit(&au, ts, channel, &mut self.outbuf);
        if let Some(f) = &mut self.faults
            && (f.now.latency.is_some() || !f.delayed.is_empty())
        {
            // Held packets leave in order: none may overtake one queued before it, including
            // after the latency fault ends.
            let now = Instant::now();
            let mut framed = self.outbuf.as_slice();
            while let Some(len) = framed
                .get(2..4)
                .map(|l| 4 + usize::from(u16::from_be_bytes([l[0], l[1]])))
            {
                let Some(packet) = framed.get(..len) else {
                    break;
                };
                let wait = match f.now.latency {
                    Some((delay, jitter)) => f.dice.around(delay, jitter),
                    None => Duration::ZERO,
                };
                let after_last = f.delayed.back().map_or(now, |(at, _)| *at);
                f.delayed
                    .push_back(((now + wait).max(after_last), packet.to_vec()));
                framed = &framed[len..];
            }
            return Ok(());
        }
        self.transmit_media().await
    }

    /// Sends the `$`-framed RTP packets in the output buffer over the session's transport,
    /// losing some over UDP if the camera has that fault.
    async fn transmit_media(&mut self) -> Result<(), Error> {
        match self.session.as_ref().map(|s| &s.transport) {
            Some(MediaTransport::Interleaved { .. }) => self.flush().await,
            Some(MediaTransport::Udp { rtp, .. }) => {
                let loss = self
                    .faults
                    .as_mut()
                    .and_then(|f| Some((f.now.udp_loss_percent?, &mut f.dice)));
                send_datagrams(rtp, &self.outbuf, self.peer, loss).await;
                Ok(())
            }
            // Torn down while packets were held back: they have nowhere to go.
            None => Ok(()),
        }
    }

    /// Sends the held-back packets whose time has come.
    async fn release_delayed(&mut self) -> Result<(), Error> {
        let now = Instant::now();
        self.outbuf.clear();
        if let Some(f) = &mut self.faults {
            while f.delayed.front().is_some_and(|(at, _)| *at <= now) {
                if let Some((_, packet)) = f.delayed.pop_front() {
                    self.outbuf.extend_from_slice(&packet);
                }
            }
        }
        self.transmit_media().await
    }

    async fn send_report(&mut self) -> Result<(), Error> {
        let Some(s) = &mut self.session else {
            return Ok(());
        };
        let Some(p) = &mut s.playing else {
            return Ok(());
        };
        let now = Instant::now();
        if self.faults.as_ref().is_some_and(|f| f.now.stall) {
            // A stalled camera sends nothing at all; reports resume with the media.
            p.next_report += REPORT_INTERVAL;
            return Ok(());
        }
        let elapsed = now.saturating_duration_since(p.start);
        let ticks = elapsed.as_nanos() * u128::from(rtp::CLOCK_RATE) / 1_000_000_000;
        let rtp_now = s.rtp_ts0.wrapping_add((ticks % (1u128 << 32)) as u32);
        self.outbuf.clear();
        p.next_report += REPORT_INTERVAL;
        let channel = match &s.transport {
            MediaTransport::Interleaved { rtcp, .. } => *rtcp,
            MediaTransport::Udp { .. } => 0,
        };
        s.packetizer
            .push_sender_report(SystemTime::now(), rtp_now, channel, &mut self.outbuf);
        match &s.transport {
            MediaTransport::Interleaved { .. } => self.flush().await,
            MediaTransport::Udp { rtcp, .. } => {
                send_datagrams(rtcp, &self.outbuf, self.peer, None).await;
                Ok(())
            }
        }
    }

    /// An even/odd pair of UDP sockets on the address the client reached us at, connected to
    /// the client's RTP and RTCP ports; returns them and the even (RTP) port.
    async fn udp_pair(
        &self,
        client_rtp: u16,
        client_rtcp: u16,
    ) -> std::io::Result<(UdpSocket, UdpSocket, u16)> {
        let local = self.local.ip();
        let peer = self.peer.ip();
        for _ in 0..64 {
            let rtp = UdpSocket::bind((local, 0)).await?;
            let port = rtp.local_addr()?.port();
            if port % 2 != 0 || port == u16::MAX {
                continue;
            }
            let Ok(rtcp) = UdpSocket::bind((local, port + 1)).await else {
                continue;
            };
            rtp.connect((peer, client_rtp)).await?;
            rtcp.connect((peer, client_rtcp)).await?;
            return Ok((rtp, rtcp, port));
        }
        Err(std::io::Error::new(
            std::io::ErrorKind::AddrInUse,
            "no free even/odd UDP port pair after 64 tries",
        ))
    }

    async fn write_response(&mut self, response: &Response<Vec<u8>>) -> Result<(), Error> {
        self.outbuf.clear();
        response
            .write(&mut self.outbuf)
            .map_err(|e| Error::protocol(format!("cannot serialise a response: {e}")))?;
        self.flush().await
    }

    /// Writes the output buffer; a client that reads nothing for the session timeout is dropped.
    async fn flush(&mut self) -> Result<(), Error> {
        match timeout(self.timeout(), self.stream.write_all(&self.outbuf)).await {
            Ok(result) => result.map_err(|e| Error::io(format!("writing to {}", self.peer), e)),
            Err(_) => Err(Error::io(
                format!("{} stopped reading for the session timeout", self.peer),
                std::io::Error::from(std::io::ErrorKind::TimedOut),
            )),
        }
    }
}

/// The bitrate a stream configured as `config` really sends under `faults`.
fn delivered(config: &VideoConfig, faults: &ActiveFaults) -> u64 {
    match faults.bitrate_factor {
        Some(factor) => (config.bitrate_bps as f64 * factor).round() as u64,
        None => config.bitrate_bps,
    }
}

/// Offset of frame `n` from the start of play.
fn frame_time(n: u64, fps: u32) -> Duration {
    let nanos = u128::from(n) * 1_000_000_000 / u128::from(fps.max(1));
    Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
}

/// The first transport the client offers that we serve: RTP/AVP/TCP interleaved (channels
/// default to 0-1, a missing RTCP channel to the one after RTP) or unicast RTP/AVP over UDP with
/// `client_port` (a missing RTCP port defaults to the one after RTP).
fn requested_transport(req: &Request<Vec<u8>>) -> Option<Requested> {
    let transports: Transports = req.typed_header().ok()??;
    transports.iter().find_map(|t| {
        let Transport::Rtp(rtp) = t else {
            return None;
        };
        if rtp.profile != RtpProfile::Avp {
            return None;
        }
        match rtp.lower_transport {
            Some(RtpLowerTransport::Tcp) => {
                let (rtp_ch, rtcp_ch) = rtp.params.interleaved.unwrap_or((0, Some(1)));
                Some(Requested::Interleaved {
                    rtp: rtp_ch,
                    rtcp: rtcp_ch.unwrap_or(rtp_ch.wrapping_add(1)),
                })
            }
            None | Some(RtpLowerTransport::Udp) if !rtp.params.multicast => {
                let (rtp_port, rtcp_port) = rtp.params.client_port?;
                Some(Requested::Udp {
                    rtp_port,
                    rtcp_port: rtcp_port.unwrap_or(rtp_port.wrapping_add(1)),
                })
            }
            _ => None,
        }
    })
}

/// Sends each `$`-framed packet of `framed` as one datagram. Send errors are logged, not fatal:
/// a client that closed its ports stops answering and the session timeout ends the session.
///
/// With `loss` (a percentage and the dice that decide), that share of packets is skipped: sent
/// and counted by the sender as far as RTP sequence numbers and reports go, lost on the way.
async fn send_datagrams(
    socket: &UdpSocket,
    mut framed: &[u8],
    peer: SocketAddr,
    mut loss: Option<(f64, &mut Dice)>,
) {
    while framed.len() >= 4 {
        let len = usize::from(u16::from_be_bytes([framed[2], framed[3]]));
        let Some(packet) = framed.get(4..4 + len) else {
            return;
        };
        if let Some((percent, dice)) = &mut loss
            && dice.percent(*percent)
        {
            framed = &framed[4 + len..];
            continue;
        }
        if let Err(e) = socket.send(packet).await {
            debug!(%peer, error = %e, "UDP send failed");
        }
        framed = &framed[4 + len..];
    }
}

/// Session description (RFC 4566) of one video track, per RFC 6184 §8 for H.264 and RFC 7798
/// §7 for H.265.
fn sdp(generator: &VideoGenerator, origin: IpAddr) -> String {
    let (family, any) = match origin {
        IpAddr::V4(_) => ("IP4", "0.0.0.0"),
        IpAddr::V6(_) => ("IP6", "::"),
    };
    let c = generator.config();
    let fmtp = match generator {
        VideoGenerator::H264(g) => format!(
            "packetization-mode=1;profile-level-id={};sprop-parameter-sets={}",
            g.profile_level_id(),
            g.sprop_parameter_sets()
        ),
        // Parameter sets go in band too, so this only spares a client the wait for an IDR.
        VideoGenerator::H265(g) => format!(
            "sprop-vps={};sprop-sps={};sprop-pps={}",
            g.sprop_vps(),
            g.sprop_sps(),
            g.sprop_pps()
        ),
    };
    format!(
        "v=0\r\n\
         o=- 1 1 IN {family} {origin}\r\n\
         s=camscope simulated camera\r\n\
         c=IN {family} {any}\r\n\
         t=0 0\r\n\
         a=control:*\r\n\
         m=video 0 RTP/AVP {pt}\r\n\
         a=rtpmap:{pt} {name}/{clock}\r\n\
         a=fmtp:{pt} {fmtp}\r\n\
         a=framerate:{fps}\r\n\
         a=x-dimensions:{w},{h}\r\n\
         a=control:{TRACK}\r\n",
        pt = rtp::PAYLOAD_TYPE,
        name = generator.codec().encoding_name(),
        clock = rtp::CLOCK_RATE,
        fps = c.fps,
        w = c.width,
        h = c.height,
    )
}

/// SplitMix64 finaliser: spreads a counter and the clock into ids, SSRCs and initial values.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads one RTSP message from the client end of the pipe.
    async fn next_message(
        client: &mut tokio::io::DuplexStream,
        buf: &mut Vec<u8>,
    ) -> Option<Message<Vec<u8>>> {
        loop {
            if let Ok((m, used)) = Message::<Vec<u8>>::parse(buf) {
                buf.drain(..used);
                return Some(m);
            }
            if client.read_buf(buf).await.unwrap() == 0 {
                return None;
            }
        }
    }

    async fn request(
        client: &mut tokio::io::DuplexStream,
        buf: &mut Vec<u8>,
        text: &str,
    ) -> Response<Vec<u8>> {
        client.write_all(text.as_bytes()).await.unwrap();
        loop {
            if let Some(Message::Response(r)) = next_message(client, buf).await {
                return r;
            }
        }
    }

    fn test_shared() -> Arc<Shared> {
        Arc::new(Shared::new(
            vec![Mount::new("cam0", VideoConfig::new(640, 360, 15, 15, 1_000_000)).unwrap()],
            ServerOptions::default(),
        ))
    }

    /// Mangled requests (bytes flipped, dropped, duplicated, cut) never panic the connection: it
    /// answers, closes, or times out. Deterministic, so a failure replays.
    #[test]
    fn sdp_announces_the_mount_codec_and_its_parameter_sets() {
        let cfg = VideoConfig::new(640, 360, 15, 15, 1_000_000);
        let h265 = VideoGenerator::new(Codec::H265, cfg).unwrap();
        let text = sdp(&h265, "127.0.0.1".parse().unwrap());
        assert!(text.contains("a=rtpmap:96 H265/90000\r\n"), "{text}");
        let VideoGenerator::H265(g) = &h265 else {
            unreachable!("an H.265 generator")
        };
        let fmtp = format!(
            "a=fmtp:96 sprop-vps={};sprop-sps={};sprop-pps={}\r\n",
            g.sprop_vps(),
            g.sprop_sps(),
            g.sprop_pps()
        );
        assert!(text.contains(&fmtp), "{text}");
        // VPS header 0x40 0x01 in base64.
        assert!(g.sprop_vps().starts_with("QAE"), "{}", g.sprop_vps());
        let h264 = VideoGenerator::new(Codec::H264, cfg).unwrap();
        let text = sdp(&h264, "127.0.0.1".parse().unwrap());
        assert!(text.contains("a=rtpmap:96 H264/90000\r\n"), "{text}");
        assert!(text.contains("packetization-mode=1;profile-level-id=4D0016;"));
        let mount = Mount::with_codec("cam0", Codec::H265, cfg).unwrap();
        assert_eq!(mount.codec(), Codec::H265);
        assert_eq!(Mount::new("cam0", cfg).unwrap().codec(), Codec::H264);
    }

    #[tokio::test(start_paused = true)]
    async fn mangled_requests_never_panic_the_connection() {
        let valid = [
            "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n",
            "DESCRIBE rtsp://127.0.0.1:554/cam0 RTSP/1.0\r\nCSeq: 2\r\nAccept: application/sdp\r\n\r\n",
            "SETUP rtsp://127.0.0.1:554/cam0/track1 RTSP/1.0\r\nCSeq: 3\r\n\
             Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n",
            "SETUP rtsp://127.0.0.1:554/cam0/track1 RTSP/1.0\r\nCSeq: 3\r\n\
             Transport: RTP/AVP;unicast;client_port=5000-5001\r\n\r\n",
            "PLAY rtsp://127.0.0.1:554/cam0/ RTSP/1.0\r\nCSeq: 4\r\nSession: 12;timeout=5\r\n\r\n",
            "GET_PARAMETER rtsp://127.0.0.1:554/cam0/ RTSP/1.0\r\nCSeq: 5\r\nContent-Length: 4\r\n\r\nabcd",
            "$\x01\x00\x04abcd",
        ];
        let local: SocketAddr = "127.0.0.1:554".parse().unwrap();
        let peer: SocketAddr = "127.0.0.1:40000".parse().unwrap();
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..400 {
            let mut bytes: Vec<u8> = Vec::new();
            for _ in 0..(1 + next() % 3) {
                bytes.extend_from_slice(valid[(next() % valid.len() as u64) as usize].as_bytes());
            }
            for _ in 0..(1 + next() % 6) {
                let at = (next() % bytes.len() as u64) as usize;
                match next() % 4 {
                    0 => bytes[at] = next() as u8,
                    1 => {
                        bytes.remove(at);
                    }
                    2 => bytes.insert(at, bytes[at]),
                    _ => bytes.truncate(at.max(1)),
                }
                if bytes.is_empty() {
                    bytes.push(b'$');
                }
            }
            let (server_end, mut client) = tokio::io::duplex(1 << 20);
            let task = tokio::spawn(Connection::new(server_end, local, peer, test_shared()).run());
            client.write_all(&bytes).await.unwrap();
            // Read until the server closes (answer, protocol error or idle timeout).
            let mut sink = Vec::new();
            let drained = timeout(Duration::from_secs(600), async {
                while client.read_buf(&mut sink).await.unwrap_or(0) != 0 {
                    sink.clear();
                }
            })
            .await;
            drop(client);
            assert!(
                drained.is_ok(),
                "round {round}: connection neither answered nor ended"
            );
            let outcome = task.await;
            assert!(outcome.is_ok(), "round {round} panicked on {bytes:?}");
        }
    }

    /// A minute of stream on tokio's paused clock: pacing, reports and the session timeout are
    /// exact, with no wall-clock wait.
    #[tokio::test(start_paused = true)]
    async fn a_minute_of_stream_is_paced_exactly_and_ends_at_the_timeout() {
        let shared = Arc::new(Shared::new(
            vec![Mount::new("cam0", VideoConfig::new(640, 360, 15, 15, 1_000_000)).unwrap()],
            ServerOptions::default(),
        ));
        let (server_end, mut client) = tokio::io::duplex(1 << 16);
        let local: SocketAddr = "127.0.0.1:554".parse().unwrap();
        let peer: SocketAddr = "127.0.0.1:40000".parse().unwrap();
        let task = tokio::spawn(Connection::new(server_end, local, peer, shared).run());

        let mut buf = Vec::new();
        let setup = request(
            &mut client,
            &mut buf,
            "SETUP rtsp://127.0.0.1:554/cam0/track1 RTSP/1.0\r\nCSeq: 1\r\n\
             Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n",
        )
        .await;
        assert_eq!(setup.status(), StatusCode::Ok);
        let session = setup.header(&headers::SESSION).unwrap().as_str().to_owned();
        assert!(session.ends_with(";timeout=60"), "{session}");
        let id = session.split(';').next().unwrap();
        let play = request(
            &mut client,
            &mut buf,
            &format!(
                "PLAY rtsp://127.0.0.1:554/cam0/ RTSP/1.0\r\nCSeq: 2\r\nSession: {id}\r\n\r\n"
            ),
        )
        .await;
        assert_eq!(play.status(), StatusCode::Ok);
        let start = Instant::now();

        // The client stays silent after PLAY; the server streams until the session times out.
        let (mut frames, mut reports, mut frames_by_10s, mut reports_by_10s) = (0u64, 0u64, 0, 0);
        while let Some(message) = next_message(&mut client, &mut buf).await {
            let Message::Data(d) = message else {
                panic!("unexpected {message:?}");
            };
            let at = start.elapsed();
            match d.channel_id() {
                0 => frames += u64::from(d.as_slice()[1] & 0x80 != 0),
                1 => reports += 1,
                other => panic!("data on channel {other}"),
            }
            if at <= Duration::from_millis(10_500) {
                (frames_by_10s, reports_by_10s) = (frames, reports);
            }
        }
        let ended = start.elapsed();
        // Frames at n / 15 s for n = 0..=157, reports at 0, 1, …, 10 s.
        assert_eq!(frames_by_10s, 158);
        assert_eq!(reports_by_10s, 11);
        assert_eq!(
            ended,
            Duration::from_secs(60),
            "ends exactly one timeout after PLAY"
        );
        assert!((900..=901).contains(&frames), "{frames} frames in 60 s");
        assert!((60..=61).contains(&reports), "{reports} reports in 60 s");
        task.await.unwrap().unwrap();
    }
}
