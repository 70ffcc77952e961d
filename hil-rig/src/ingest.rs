//! Pulling every camera's stream at once, as a recorder would, and measuring what arrived.
//!
//! The question QA asks is "does the plan hold when every camera streams at once?", so all
//! streams share one measurement window and each camera has its own task: a camera that hangs,
//! drops, refuses credentials or sends garbage costs only its own task a timeout and a retry,
//! never the other cameras' measurements.
//!
//! What is measured and why it is measured that way:
//! - **Bitrate, frame rate and key-frame interval** are taken over whole GOPs on the stream's own
//!   RTP clock (from one key frame to the last key frame of each session), so connection set-up,
//!   the partial GOP at either end and network jitter do not bias them. A stream with fewer than
//!   two key frames falls back to wall-clock time.
//! - **Loss** is the RTP sequence-number gaps retina reports per frame.
//! - **Latency** comes from the send time our simulated cameras put in an SEI message of every
//!   frame; for other cameras from RTCP sender reports (the camera's wall clock at an RTP
//!   timestamp), which is only meaningful when the camera's clock is synchronised with ours, so
//!   results that are clearly off (a camera clock on another epoch) are discarded rather than
//!   reported.
//! - **Reconnects and outages**: a session that ends, errs or stalls (no frame within the stall
//!   timeout) is reopened with exponential backoff and jitter, and the gap is reported.
//! - **Recording** (`record_to`): every frame is written to one Annex B file per camera by a
//!   single writer thread, as a recorder's disk writer would, and the sustained write rate
//!   (including the final flush to disk) is reported. Frames the writer cannot keep up with are
//!   counted, not silently dropped.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use futures::StreamExt;
use retina::client::{PlayOptions, SessionOptions, SetupOptions};
use retina::codec::{CodecItem, FrameFormat, ParameterSetInsertion, ParametersRef, VideoFrame};
use tokio::sync::mpsc;

use crate::onvif::auth::Credentials;
use crate::video::Codec;

mod udp;
pub use udp::{RMEM_MAX_SYSCTL, ReceiveBuffer};

/// One stream to pull.
#[derive(Debug, Clone)]
pub struct StreamTarget {
    /// The camera's name, as the plan calls it.
    pub camera: String,
    /// The RTSP URL, without credentials.
    pub url: String,
    /// Credentials to answer an RTSP challenge with.
    pub credentials: Option<Credentials>,
    /// Over UDP, the receive buffer to ask for the RTP socket, bytes (sized by the caller for
    /// the stream's bitrate); `None` keeps the system default.
    pub udp_receive_buffer: Option<usize>,
}

/// How RTP travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// Interleaved in the RTSP TCP connection (the default: no loss on a healthy network, and
    /// retina's UDP support has no reordering).
    Tcp,
    /// RTP/UDP with RTCP on the next port.
    Udp,
}

impl std::fmt::Display for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Transport::Tcp => "tcp",
            Transport::Udp => "udp",
        })
    }
}

/// How to pull. The caller chooses every timing: they are policy (the validator reads them from
/// its data file), not this module's business.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Length of the measurement window every stream shares.
    pub duration: Duration,
    /// RTP transport.
    pub transport: Transport,
    /// Longest wait for DESCRIBE/SETUP/PLAY.
    pub connect_timeout: Duration,
    /// A session with no frame for this long counts as stalled and is reopened.
    pub stall_timeout: Duration,
    /// First wait before retrying a failed camera; doubled per failure.
    pub backoff_initial: Duration,
    /// Longest wait between retries.
    pub backoff_max: Duration,
    /// Write every stream to this directory.
    pub record_to: Option<PathBuf>,
}

/// Something a caller may want to show while the window runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A session was opened (DESCRIBE, SETUP and PLAY answered).
    Connected {
        /// Index of the target.
        camera: usize,
    },
    /// The first frame of the window arrived.
    FirstFrame {
        /// Index of the target.
        camera: usize,
        /// Time since the window opened.
        after: Duration,
    },
    /// A session or an attempt failed; the camera will be retried.
    Retrying {
        /// Index of the target.
        camera: usize,
        /// Consecutive failures so far.
        attempt: u32,
        /// Wait before the next attempt.
        after: Duration,
        /// Why.
        cause: String,
    },
}

/// Counters the caller can sample while the window runs (for a progress display).
#[derive(Debug, Default)]
pub struct LiveCamera {
    /// A session is delivering frames.
    pub streaming: AtomicBool,
    /// Video bytes received.
    pub bytes: AtomicU64,
    /// Frames received.
    pub frames: AtomicU64,
    /// RTP packets lost.
    pub lost: AtomicU64,
    /// Sessions reopened after the first.
    pub reconnects: AtomicU32,
}

/// Live counters of every target, in target order.
#[derive(Debug, Default)]
pub struct Live {
    /// One per target.
    pub cameras: Vec<LiveCamera>,
}

/// Totals over every camera at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LiveTotals {
    /// Cameras delivering frames now.
    pub streaming: usize,
    /// Video bytes received so far.
    pub bytes: u64,
    /// Frames received so far.
    pub frames: u64,
    /// RTP packets lost so far.
    pub lost: u64,
    /// Reconnects so far.
    pub reconnects: u64,
}

impl Live {
    /// Counters for `n` targets.
    pub fn new(n: usize) -> Self {
        Live {
            cameras: (0..n).map(|_| LiveCamera::default()).collect(),
        }
    }

    /// Sums the counters now.
    pub fn totals(&self) -> LiveTotals {
        let mut t = LiveTotals::default();
        for c in &self.cameras {
            t.streaming += usize::from(c.streaming.load(Ordering::Relaxed));
            t.bytes += c.bytes.load(Ordering::Relaxed);
            t.frames += c.frames.load(Ordering::Relaxed);
            t.lost += c.lost.load(Ordering::Relaxed);
            t.reconnects += u64::from(c.reconnects.load(Ordering::Relaxed));
        }
        t
    }
}

/// Where a latency figure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LatencySource {
    /// The send time in our timestamp SEI message (simulated cameras).
    SendTimeSei,
    /// RTCP sender reports mapping RTP time to the camera's wall clock.
    SenderReport,
}

/// Latency of one stream over the window.
#[derive(Debug, Clone, PartialEq)]
pub struct Latency {
    /// Where the figures come from.
    pub source: LatencySource,
    /// Frames measured.
    pub samples: u64,
    /// Mean, milliseconds.
    pub mean_ms: f64,
    /// Median, milliseconds (1 ms resolution).
    pub p50_ms: f64,
    /// 95th percentile, milliseconds (1 ms resolution).
    pub p95_ms: f64,
    /// Largest, milliseconds.
    pub max_ms: f64,
}

/// A time a stream was not delivering after it had started.
#[derive(Debug, Clone, PartialEq)]
pub struct Outage {
    /// When the stream stopped, from the window's start.
    pub start: Duration,
    /// How long until frames flowed again (or the window closed).
    pub length: Duration,
    /// Why it stopped.
    pub cause: String,
}

/// What arrived from one stream.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StreamMeasurement {
    /// The camera's name.
    pub camera: String,
    /// The URL pulled.
    pub url: String,
    /// Codec the stream carried (`H.264`, `H.265`, or the SDP encoding name of anything else).
    pub codec: Option<String>,
    /// RFC 6381 codec string (profile and level).
    pub codec_string: Option<String>,
    /// Picture size.
    pub width: Option<u32>,
    /// Picture size.
    pub height: Option<u32>,
    /// Frames received.
    pub frames: u64,
    /// Key frames received.
    pub key_frames: u64,
    /// Video bytes received (NAL units with 4-byte length prefixes).
    pub bytes: u64,
    /// Average bitrate, bit/s.
    pub bitrate_bps: Option<f64>,
    /// Average frame rate.
    pub fps: Option<f64>,
    /// Average frames from one key frame to the next.
    pub key_frame_interval_frames: Option<f64>,
    /// Average seconds from one key frame to the next.
    pub key_frame_interval_s: Option<f64>,
    /// RTP packets lost (sequence-number gaps), wherever they were lost.
    pub lost_packets: u64,
    /// Over UDP, datagrams this host's kernel dropped because the RTP socket's receive buffer
    /// was full: part of `lost_packets` that never was loss on the wire. `None` over TCP or
    /// when the counter could not be read.
    pub kernel_dropped_packets: Option<u64>,
    /// Over UDP, the RTP socket's receive buffer as asked and as granted (the smallest grant
    /// over the sessions).
    pub receive_buffer: Option<ReceiveBuffer>,
    /// Over UDP, why the receive buffer could not be sized, if it could not.
    pub receive_buffer_error: Option<String>,
    /// Time from the window's start to the first frame.
    pub time_to_first_frame: Option<Duration>,
    /// Send-to-receive latency.
    pub latency: Option<Latency>,
    /// Sessions opened.
    pub sessions: u32,
    /// Sessions reopened after one that delivered frames ended.
    pub reconnects: u32,
    /// Attempts that failed to open a session.
    pub failed_attempts: u32,
    /// Time with frames flowing.
    pub streaming: Duration,
    /// Gaps: from the window's start to the first frame when attempts before it failed, and
    /// every stop after the stream had started.
    pub outages: Vec<Outage>,
    /// The last error, first line only.
    pub last_error: Option<String>,
    /// The camera answered 401 to our credentials at least once.
    pub credentials_refused: bool,
    /// Bytes written to the recording.
    pub recorded_bytes: u64,
    /// Frames the recording writer could not keep up with.
    pub record_dropped_frames: u64,
}

/// What the recording writer achieved.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RecordingReport {
    /// Files written.
    pub files: Vec<PathBuf>,
    /// Bytes written.
    pub bytes: u64,
    /// From the first write to the end of the final flush to disk.
    pub elapsed: Duration,
    /// Bytes per second over `elapsed`, as bit/s.
    pub write_rate_bps: f64,
    /// Frames dropped because the writer fell behind.
    pub dropped_frames: u64,
    /// The first write error, if the disk refused.
    pub error: Option<String>,
}

/// Everything one window measured.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IngestReport {
    /// Per target, in target order.
    pub streams: Vec<StreamMeasurement>,
    /// The window's length as it ran.
    pub elapsed: Duration,
    /// The recording, with `record_to`.
    pub recording: Option<RecordingReport>,
}

/// Frames queued for the recording writer before a camera's frames are counted as dropped: at
/// 4 Mbit/s and 25 fps this is about 40 MB, seconds of slack for a slow disk.
const RECORD_QUEUE_FRAMES: usize = 2048;

/// Latency histogram buckets: 1 ms each up to this many ms; later samples share the last one.
const LATENCY_BUCKETS: usize = 2000;

/// Pulls every target at once for `options.duration` and measures what arrived.
pub async fn run(
    targets: Vec<StreamTarget>,
    options: IngestOptions,
    live: Arc<Live>,
    events: Option<mpsc::UnboundedSender<Event>>,
) -> IngestReport {
    let (_keep, stop) = tokio::sync::watch::channel(false);
    run_until_stopped(targets, options, live, events, stop).await
}

/// As [`run`], but the window also closes early once `stop` turns true (an operator's
/// Ctrl-C, a job runner's SIGTERM): every camera keeps what it measured so far, so an
/// interrupted run still reports.
pub async fn run_until_stopped(
    targets: Vec<StreamTarget>,
    options: IngestOptions,
    live: Arc<Live>,
    events: Option<mpsc::UnboundedSender<Event>>,
    stop: tokio::sync::watch::Receiver<bool>,
) -> IngestReport {
    let start = Instant::now();
    let deadline = tokio::time::Instant::from_std(start + options.duration);
    let (recorder, writer) = match &options.record_to {
        Some(dir) => {
            let (tx, thread) = Recorder::start(dir.clone(), targets.len());
            (Some(tx), Some(thread))
        }
        None => (None, None),
    };
    let options = Arc::new(options);
    let mut tasks = Vec::with_capacity(targets.len());
    for (index, target) in targets.into_iter().enumerate() {
        let puller = Puller {
            index,
            target,
            options: options.clone(),
            start,
            deadline,
            live: live.clone(),
            events: events.clone(),
            recorder: recorder.clone(),
            stop: stop.clone(),
        };
        tasks.push(tokio::spawn(puller.run()));
    }
    drop(recorder);
    let mut streams = Vec::with_capacity(tasks.len());
    for task in tasks {
        // A task only ends early by panicking, which would be a bug here; record it as a
        // failed camera instead of losing every other camera's measurement.
        streams.push(task.await.unwrap_or_else(|e| StreamMeasurement {
            last_error: Some(format!("measurement task failed: {e}")),
            ..StreamMeasurement::default()
        }));
    }
    let elapsed = start.elapsed();
    let recording = match writer {
        Some(thread) => {
            let report = tokio::task::spawn_blocking(move || thread.join())
                .await
                .ok()
                .and_then(Result::ok);
            Some(report.unwrap_or_else(|| RecordingReport {
                error: Some("the recording writer failed".into()),
                ..RecordingReport::default()
            }))
        }
        None => None,
    };
    IngestReport {
        streams,
        elapsed,
        recording,
    }
}

struct Puller {
    index: usize,
    target: StreamTarget,
    options: Arc<IngestOptions>,
    start: Instant,
    deadline: tokio::time::Instant,
    live: Arc<Live>,
    events: Option<mpsc::UnboundedSender<Event>>,
    recorder: Option<std::sync::mpsc::SyncSender<RecordItem>>,
    stop: tokio::sync::watch::Receiver<bool>,
}

/// `f`, unless `stop` turns true first (then `None`). A stop sender that went away never stops.
async fn unless_stopped<F: std::future::Future>(
    stop: &tokio::sync::watch::Receiver<bool>,
    f: F,
) -> Option<F::Output> {
    let mut stop = stop.clone();
    let stopped = *stop.borrow();
    if stopped {
        return None;
    }
    let stopped = async move {
        if stop.wait_for(|s| *s).await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        out = f => Some(out),
        () = stopped => None,
    }
}

/// How a session that had opened came to an end.
enum SessionEnd {
    /// The window closed.
    Deadline,
    /// The stream stopped; the camera is retried.
    Lost(String),
}

/// Running totals over whole GOPs of one session, on the RTP clock.
#[derive(Default)]
struct GopSpan {
    clock_rate: u32,
    first_key: Option<i64>,
    last_key: Option<i64>,
    bytes_since_first: u64,
    frames_since_first: u64,
    bytes_at_last: u64,
    frames_at_last: u64,
    intervals: u64,
}

/// Sums of complete GOPs over every session.
#[derive(Default)]
struct GopTotals {
    bytes: u64,
    frames: u64,
    seconds: f64,
    intervals: u64,
}

impl GopSpan {
    fn frame(&mut self, ts: i64, key: bool, bytes: u64) {
        if key {
            match self.first_key {
                None => self.first_key = Some(ts),
                Some(_) => {
                    self.last_key = Some(ts);
                    self.bytes_at_last = self.bytes_since_first;
                    self.frames_at_last = self.frames_since_first;
                    self.intervals += 1;
                }
            }
        }
        if self.first_key.is_some() {
            self.bytes_since_first += bytes;
            self.frames_since_first += 1;
        }
    }

    fn close_into(&mut self, totals: &mut GopTotals) {
        if let (Some(first), Some(last)) = (self.first_key, self.last_key)
            && last > first
            && self.clock_rate > 0
        {
            totals.bytes += self.bytes_at_last;
            totals.frames += self.frames_at_last;
            totals.seconds += (last - first) as f64 / f64::from(self.clock_rate);
            totals.intervals += self.intervals;
        }
        *self = GopSpan::default();
    }
}

/// Latency samples in 1 ms buckets.
struct LatencyHistogram {
    source: Option<LatencySource>,
    buckets: Vec<u32>,
    samples: u64,
    sum_ms: f64,
    max_ms: f64,
}

impl LatencyHistogram {
    fn new() -> Self {
        LatencyHistogram {
            source: None,
            buckets: vec![0; LATENCY_BUCKETS],
            samples: 0,
            sum_ms: 0.0,
            max_ms: 0.0,
        }
    }

    fn add(&mut self, source: LatencySource, ms: f64) {
        // Send-time samples win over sender-report ones: they need no clock mapping.
        match (self.source, source) {
            (Some(LatencySource::SendTimeSei), LatencySource::SenderReport) => return,
            (Some(LatencySource::SenderReport), LatencySource::SendTimeSei) => {
                *self = LatencyHistogram::new();
            }
            _ => {}
        }
        self.source = Some(source);
        let ms = ms.max(0.0);
        let bucket = (ms as usize).min(LATENCY_BUCKETS - 1);
        self.buckets[bucket] += 1;
        self.samples += 1;
        self.sum_ms += ms;
        self.max_ms = self.max_ms.max(ms);
    }

    fn percentile(&self, p: f64) -> f64 {
        let rank = ((self.samples as f64) * p).ceil().max(1.0) as u64;
        let mut seen = 0u64;
        for (ms, &n) in self.buckets.iter().enumerate() {
            seen += u64::from(n);
            if seen >= rank {
                return ms as f64;
            }
        }
        self.max_ms
    }

    fn finish(&self) -> Option<Latency> {
        let source = self.source?;
        (self.samples > 0).then(|| Latency {
            source,
            samples: self.samples,
            mean_ms: self.sum_ms / self.samples as f64,
            p50_ms: self.percentile(0.50),
            p95_ms: self.percentile(0.95),
            max_ms: self.max_ms,
        })
    }
}

/// The first line of an error: retina's messages append connection context on later lines.
fn first_line(e: &dyn std::fmt::Display) -> String {
    let text = e.to_string();
    text.lines().next().unwrap_or_default().trim().to_string()
}

/// Microseconds since the UNIX epoch of a wall time.
fn unix_us(t: SystemTime) -> Option<u64> {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .ok()
        .and_then(|d| u64::try_from(d.as_micros()).ok())
}

/// NTP timestamp (seconds since 1900 in 32.32 fixed point) to microseconds since the UNIX epoch.
fn ntp_to_unix_us(ntp: u64) -> Option<u64> {
    let since_unix = ntp.checked_sub(retina::UNIX_EPOCH.0)?;
    let seconds = since_unix >> 32;
    let fraction = since_unix & 0xFFFF_FFFF;
    Some(seconds * 1_000_000 + ((fraction * 1_000_000) >> 32))
}

/// Sender-report latency beyond these bounds means the camera's clock is not ours.
const SR_LATENCY_PLAUSIBLE_MS: std::ops::Range<f64> = -1_000.0..60_000.0;

struct SessionState<'a> {
    m: &'a mut StreamMeasurement,
    gop: GopSpan,
    latency: &'a mut LatencyHistogram,
    codec: Option<Codec>,
    /// Last sender report: (extended RTP timestamp, capture time in µs since the UNIX epoch).
    sender_report: Option<(i64, u64)>,
    first_frame_at: Option<Instant>,
}

/// Over UDP, keeps the smallest receive buffer granted so far, or why the socket could not be
/// sized; the socket, to read its kernel drops when the session ends.
fn note_socket(
    m: &mut StreamMeasurement,
    socket: Option<Result<udp::SizedSocket, String>>,
) -> Option<udp::SizedSocket> {
    match socket {
        Some(Ok(socket)) => {
            let granted = socket.buffer;
            m.receive_buffer = Some(match m.receive_buffer {
                Some(b) if b.granted <= granted.granted => b,
                _ => granted,
            });
            Some(socket)
        }
        Some(Err(e)) => {
            m.receive_buffer_error = Some(e);
            None
        }
        None => None,
    }
}

/// Bitrate, frame rate and key-frame interval over whole GOPs, or, without a complete GOP,
/// over the time spent streaming.
fn summarize_rates(m: &mut StreamMeasurement, totals: &GopTotals) {
    if totals.seconds > 0.0 && totals.intervals > 0 {
        m.bitrate_bps = Some(totals.bytes as f64 * 8.0 / totals.seconds);
        m.fps = Some(totals.frames as f64 / totals.seconds);
        m.key_frame_interval_frames = Some(totals.frames as f64 / totals.intervals as f64);
        m.key_frame_interval_s = Some(totals.seconds / totals.intervals as f64);
    } else if m.streaming > Duration::ZERO && m.frames > 0 {
        // Every frame counted arrived while streaming, so these are the streaming rates.
        let secs = m.streaming.as_secs_f64();
        m.bitrate_bps = Some(m.bytes as f64 * 8.0 / secs);
        m.fps = Some(m.frames as f64 / secs);
    }
}

/// How a session that opened ended, as the retry loop sees it.
enum Played {
    /// The window closed or a stop came.
    Deadline,
    /// A camera that had been streaming lost its stream; it is retried at once.
    Retry,
    /// The session never delivered video; a failed attempt with this cause.
    Failed(String),
}

impl Puller {
    /// Pulls the camera's stream until the window closes, reconnecting with backoff, and
    /// measures it.
    async fn run(self) -> StreamMeasurement {
        let mut m = StreamMeasurement {
            camera: self.target.camera.clone(),
            url: self.target.url.clone(),
            ..StreamMeasurement::default()
        };
        let mut totals = GopTotals::default();
        let mut latency = LatencyHistogram::new();
        let mut failures = 0u32;
        let mut outage: Option<(Instant, String)> = None;
        // Why the stream had not started yet, from the first failure before any video: the
        // time from the window's start to the first frame is then an outage with that cause,
        // whether the camera refused the session or accepted it and sent nothing.
        let mut startup_failure: Option<String> = None;
        loop {
            let stopped = *self.stop.borrow();
            if stopped || tokio::time::Instant::now() >= self.deadline {
                break;
            }
            let connect_by =
                (tokio::time::Instant::now() + self.options.connect_timeout).min(self.deadline);
            let Some(opened) =
                unless_stopped(&self.stop, tokio::time::timeout_at(connect_by, self.open())).await
            else {
                break;
            };
            let cause = match opened {
                Err(_) if tokio::time::Instant::now() >= self.deadline => break,
                Err(_) => format!(
                    "no answer to DESCRIBE/SETUP/PLAY within {:.1} s",
                    self.options.connect_timeout.as_secs_f64()
                ),
                Ok(Err(OpenFailure::Unauthorized)) => {
                    m.credentials_refused = true;
                    "RTSP 401 Unauthorized: the camera refused the credentials".to_string()
                }
                Ok(Err(OpenFailure::Other(cause))) => cause,
                Ok(Ok(opened)) => {
                    failures = 0;
                    let played = self
                        .play(
                            opened,
                            &mut m,
                            &mut totals,
                            &mut latency,
                            &mut outage,
                            &mut startup_failure,
                        )
                        .await;
                    match played {
                        Played::Deadline => break,
                        Played::Retry => continue,
                        Played::Failed(cause) => cause,
                    }
                }
            };
            failures += 1;
            if !self
                .retry_after_failure(&mut m, cause, failures, &mut startup_failure)
                .await
            {
                break;
            }
        }
        if let Some((since, cause)) = outage.take() {
            m.outages.push(Outage {
                start: since.duration_since(self.start),
                length: since.elapsed(),
                cause,
            });
        }
        summarize_rates(&mut m, &totals);
        m.latency = latency.finish();
        m
    }

    /// Reads one session that opened, then accounts for it: the outage before its first frame,
    /// its GOPs, kernel drops and streaming time; and, if the stream was lost after video,
    /// the outage that starts and the immediate retry.
    async fn play(
        &self,
        opened: Opened,
        m: &mut StreamMeasurement,
        totals: &mut GopTotals,
        latency: &mut LatencyHistogram,
        outage: &mut Option<(Instant, String)>,
        startup_failure: &mut Option<String>,
    ) -> Played {
        let Opened {
            frames,
            video: stream,
            socket,
        } = opened;
        m.sessions += 1;
        let socket = note_socket(m, socket);
        self.emit(Event::Connected { camera: self.index });
        let mut state = SessionState {
            m,
            gop: GopSpan::default(),
            latency,
            codec: None,
            sender_report: None,
            first_frame_at: None,
        };
        let started_before = state.m.time_to_first_frame.is_some();
        let end = self.read(frames, stream, &mut state, outage).await;
        let first = state.first_frame_at;
        if !started_before
            && let Some(after) = state.m.time_to_first_frame
            && let Some(cause) = startup_failure.take()
        {
            state.m.outages.insert(
                0,
                Outage {
                    start: Duration::ZERO,
                    length: after,
                    cause: format!("before the first frame: {cause}"),
                },
            );
        }
        state.gop.close_into(totals);
        let m = state.m;
        if let Some(socket) = socket
            && let Some(dropped) = udp::drops(socket).await
        {
            *m.kernel_dropped_packets.get_or_insert(0) += dropped;
        }
        let live = &self.live.cameras[self.index];
        live.streaming.store(false, Ordering::Relaxed);
        if let Some(first) = first {
            m.streaming += first.elapsed();
        }
        match end {
            SessionEnd::Deadline => Played::Deadline,
            SessionEnd::Lost(cause) => {
                if first.is_some() {
                    *outage = Some((Instant::now(), cause.clone()));
                    m.last_error = Some(cause.clone());
                    // A camera that was streaming is retried at once, as a recorder would;
                    // backoff starts if that fails.
                    self.emit(Event::Retrying {
                        camera: self.index,
                        attempt: 0,
                        after: Duration::ZERO,
                        cause,
                    });
                    return Played::Retry;
                }
                Played::Failed(cause)
            }
        }
    }

    /// Records failed attempt number `failures` with its `cause` and waits out the backoff;
    /// false if a stop came while waiting.
    async fn retry_after_failure(
        &self,
        m: &mut StreamMeasurement,
        cause: String,
        failures: u32,
        startup_failure: &mut Option<String>,
    ) -> bool {
        m.failed_attempts += 1;
        if m.time_to_first_frame.is_none() && startup_failure.is_none() {
            *startup_failure = Some(cause.clone());
        }
        m.last_error = Some(cause.clone());
        let wait = self.backoff(failures);
        self.emit(Event::Retrying {
            camera: self.index,
            attempt: failures,
            after: wait,
            cause,
        });
        let until = (tokio::time::Instant::now() + wait).min(self.deadline);
        unless_stopped(&self.stop, tokio::time::sleep_until(until))
            .await
            .is_some()
    }

    fn emit(&self, event: Event) {
        if let Some(events) = &self.events {
            let _ = events.send(event);
        }
    }

    /// Exponential backoff with ±20% jitter, so cameras that failed together do not retry in
    /// lockstep.
    fn backoff(&self, failures: u32) -> Duration {
        let base = self
            .options
            .backoff_initial
            .saturating_mul(1u32 << failures.saturating_sub(1).min(16))
            .min(self.options.backoff_max);
        let jitter = 0.8 + 0.4 * rand::random::<f64>();
        base.mul_f64(jitter)
    }

    async fn open(&self) -> Result<Opened, OpenFailure> {
        let url = url::Url::parse(&self.target.url)
            .map_err(|e| OpenFailure::Other(format!("{}: not a URL: {e}", self.target.url)))?;
        let creds = self
            .target
            .credentials
            .as_ref()
            .map(|c| retina::client::Credentials {
                username: c.username.clone(),
                password: c.password.expose().to_string(),
            });
        let mut session = retina::client::Session::describe(
            url,
            SessionOptions::default()
                .creds(creds)
                .user_agent("camscope-rig".into()),
        )
        .await?;
        let video = session
            .streams()
            .iter()
            .position(|s| s.media() == "video")
            .unwrap_or(0);
        let transport = match self.options.transport {
            Transport::Tcp => retina::client::Transport::Tcp(Default::default()),
            Transport::Udp => retina::client::Transport::Udp(Default::default()),
        };
        session
            .setup(
                video,
                SetupOptions::default()
                    .transport(transport)
                    // Cameras repeat SPS/PPS before every IDR; retina strips them from the
                    // frame and this puts them back, so the bytes counted are the bytes that
                    // arrived and every key frame of a recording decodes on its own.
                    .frame_format(FrameFormat {
                        parameter_set_insertion: ParameterSetInsertion::EachKeyFrame,
                        ..FrameFormat::MP4
                    }),
            )
            .await?;
        let socket = match self.options.transport {
            Transport::Udp => Some(
                self.size_receive_buffer(&session, video, self.target.udp_receive_buffer)
                    .await,
            ),
            Transport::Tcp => None,
        };
        let frames = session.play(PlayOptions::default()).await?.demuxed()?;
        Ok(Opened {
            frames,
            video,
            socket,
        })
    }

    /// Finds the RTP socket retina bound for the stream and, with `bytes`, sizes it, before
    /// PLAY so no datagram arrives first.
    async fn size_receive_buffer(
        &self,
        session: &retina::client::Session<retina::client::Described>,
        video: usize,
        bytes: Option<usize>,
    ) -> Result<udp::SizedSocket, String> {
        let context = session
            .streams()
            .get(video)
            .and_then(|s| s.ctx())
            .map(ToString::to_string)
            .unwrap_or_default();
        let port = udp::local_rtp_port(&context)
            .ok_or_else(|| format!("no local RTP port in the stream context {context:?}"))?;
        udp::size(port, bytes).await
    }

    /// Reads one playing session until the window closes or the stream is lost, measuring
    /// every frame.
    async fn read(
        &self,
        mut frames: retina::client::Demuxed,
        stream: usize,
        s: &mut SessionState<'_>,
        outage: &mut Option<(Instant, String)>,
    ) -> SessionEnd {
        let live = &self.live.cameras[self.index];
        let (clock_rate, ext) = describe_stream(&frames, stream, s);
        loop {
            let item = match self.next_item(&mut frames).await {
                Ok(item) => item,
                Err(end) => return end,
            };
            match item {
                CodecItem::VideoFrame(frame) => {
                    if s.first_frame_at.is_none() {
                        self.first_frame(s, live, outage);
                    }
                    if (frame.has_new_parameters() || s.m.width.is_none())
                        && let Some(ParametersRef::Video(p)) =
                            frames.streams().get(stream).and_then(|st| st.parameters())
                    {
                        let (w, h) = p.pixel_dimensions();
                        s.m.width = Some(w);
                        s.m.height = Some(h);
                        s.m.codec_string = Some(p.rfc6381_codec().to_string());
                    }
                    self.take_frame(&frame, s, live, clock_rate, ext);
                }
                CodecItem::Rtcp(rtcp) => note_sender_report(s, &rtcp),
                _ => {}
            }
        }
    }

    /// The session's next item, or how it ended: the window closed or a stop came, it
    /// stalled, the camera ended it, or it failed.
    async fn next_item(
        &self,
        frames: &mut retina::client::Demuxed,
    ) -> Result<CodecItem, SessionEnd> {
        let Some(next) = unless_stopped(
            &self.stop,
            tokio::time::timeout_at(
                (tokio::time::Instant::now() + self.options.stall_timeout).min(self.deadline),
                frames.next(),
            ),
        )
        .await
        else {
            return Err(SessionEnd::Deadline);
        };
        match next {
            Err(_) if tokio::time::Instant::now() >= self.deadline => Err(SessionEnd::Deadline),
            Err(_) => Err(SessionEnd::Lost(format!(
                "stalled: no frame for {:.1} s",
                self.options.stall_timeout.as_secs_f64()
            ))),
            Ok(None) => Err(SessionEnd::Lost("the camera ended the session".into())),
            Ok(Some(Err(e))) => Err(SessionEnd::Lost(first_line(&e))),
            Ok(Some(Ok(item))) => Ok(item),
        }
    }

    /// Notes the session's first frame: the stream is live, a reconnect if an earlier session
    /// delivered video, the end of the outage before it, and the time to the first frame.
    fn first_frame(
        &self,
        s: &mut SessionState<'_>,
        live: &LiveCamera,
        outage: &mut Option<(Instant, String)>,
    ) {
        let now = Instant::now();
        s.first_frame_at = Some(now);
        live.streaming.store(true, Ordering::Relaxed);
        // A reconnect is a session after one that delivered video; sessions that never did
        // are failed attempts to start, not reconnects.
        if s.m.time_to_first_frame.is_some() {
            s.m.reconnects += 1;
            live.reconnects.fetch_add(1, Ordering::Relaxed);
        }
        if let Some((since, cause)) = outage.take() {
            s.m.outages.push(Outage {
                start: since.duration_since(self.start),
                length: now.duration_since(since),
                cause,
            });
        }
        if s.m.time_to_first_frame.is_none() {
            let after = now.duration_since(self.start);
            s.m.time_to_first_frame = Some(after);
            self.emit(Event::FirstFrame {
                camera: self.index,
                after,
            });
        }
    }

    /// Counts one video frame (frames, bytes, key frames, loss, its GOP), takes its latency
    /// sample and hands it to the recorder, if any.
    fn take_frame(
        &self,
        frame: &VideoFrame,
        s: &mut SessionState<'_>,
        live: &LiveCamera,
        clock_rate: u32,
        ext: &'static str,
    ) {
        let data = frame.data();
        let bytes = data.len() as u64;
        let key = frame.is_random_access_point();
        s.m.frames += 1;
        s.m.bytes += bytes;
        s.m.key_frames += u64::from(key);
        s.m.lost_packets += u64::from(frame.loss());
        live.frames.fetch_add(1, Ordering::Relaxed);
        live.bytes.fetch_add(bytes, Ordering::Relaxed);
        live.lost
            .fetch_add(u64::from(frame.loss()), Ordering::Relaxed);
        let ts = frame.timestamp().timestamp();
        s.gop.frame(ts, key, bytes);
        let received = unix_us(frame.end_ctx().received_wall().into());
        sample_latency(s, data, ts, received, clock_rate);
        if let Some(recorder) = &self.recorder {
            let item = RecordItem {
                camera: self.index,
                name: self.target.camera.clone(),
                ext,
                data: annex_b(data),
            };
            match recorder.try_send(item) {
                Ok(()) => s.m.recorded_bytes += bytes,
                Err(_) => s.m.record_dropped_frames += 1,
            }
        }
    }
}

/// Notes the session's clock rate and codec (in `s` and its measurement); the clock rate and
/// the file extension a recording of it gets.
fn describe_stream(
    frames: &retina::client::Demuxed,
    stream: usize,
    s: &mut SessionState<'_>,
) -> (u32, &'static str) {
    let clock_rate = frames
        .streams()
        .get(stream)
        .map_or(90_000, |st| st.clock_rate_hz());
    s.gop.clock_rate = clock_rate;
    let encoding = frames
        .streams()
        .get(stream)
        .map(|st| st.encoding_name().to_ascii_lowercase())
        .unwrap_or_default();
    s.codec = match encoding.as_str() {
        "h264" => Some(Codec::H264),
        "h265" => Some(Codec::H265),
        _ => None,
    };
    s.m.codec = Some(match s.codec {
        Some(c) => c.to_string(),
        None => encoding.to_ascii_uppercase(),
    });
    let ext = match s.codec {
        Some(Codec::H265) => "h265",
        _ => "h264",
    };
    (clock_rate, ext)
}

/// Takes a frame's latency sample: from the send time its SEI carries or, without one, from
/// the last RTCP sender report when that gives a plausible figure.
fn sample_latency(
    s: &mut SessionState<'_>,
    data: &[u8],
    ts: i64,
    received: Option<u64>,
    clock_rate: u32,
) {
    let mut sei = false;
    if let (Some(codec), Some(received)) = (s.codec, received) {
        for nal in length_prefixed_nals(data) {
            if let Some(sent) = codec.parse_timestamp_sei(nal) {
                let ms = (received as f64 - sent as f64) / 1000.0;
                s.latency.add(LatencySource::SendTimeSei, ms);
                sei = true;
                break;
            }
        }
    }
    if !sei && let (Some((sr_ts, sr_us)), Some(received)) = (s.sender_report, received) {
        let capture_us = sr_us as f64 + (ts - sr_ts) as f64 * 1e6 / f64::from(clock_rate.max(1));
        let ms = (received as f64 - capture_us) / 1000.0;
        if SR_LATENCY_PLAUSIBLE_MS.contains(&ms) {
            s.latency.add(LatencySource::SenderReport, ms);
        }
    }
}

/// Keeps the last RTCP sender report's RTP timestamp and capture time.
fn note_sender_report(s: &mut SessionState<'_>, rtcp: &retina::rtcp::ReceivedCompoundPacket) {
    if let Some(rtp) = rtcp.rtp_timestamp() {
        for pkt in rtcp.pkts() {
            if let Ok(Some(sr)) = pkt.as_sender_report()
                && let Some(us) = ntp_to_unix_us(sr.ntp_timestamp().0)
            {
                s.sender_report = Some((rtp.timestamp(), us));
            }
        }
    }
}

/// A session that is playing.
struct Opened {
    frames: retina::client::Demuxed,
    /// Index of the video stream.
    video: usize,
    /// Over UDP, the RTP socket as found and sized (or why it could not be).
    socket: Option<Result<udp::SizedSocket, String>>,
}

/// Why a session could not be opened.
enum OpenFailure {
    /// The camera answered 401 to our credentials (or to none).
    Unauthorized,
    /// Anything else, first line of the message.
    Other(String),
}

impl From<retina::Error> for OpenFailure {
    fn from(e: retina::Error) -> Self {
        if e.status_code() == Some(401) {
            OpenFailure::Unauthorized
        } else {
            OpenFailure::Other(first_line(&e))
        }
    }
}

/// The NAL units of a frame in 4-byte length-prefixed framing.
fn length_prefixed_nals(mut data: &[u8]) -> impl Iterator<Item = &[u8]> {
    std::iter::from_fn(move || {
        let (len, rest) = data.split_first_chunk::<4>()?;
        let len = u32::from_be_bytes(*len) as usize;
        let nal = rest.get(..len)?;
        data = &rest[len..];
        Some(nal)
    })
}

/// The same NAL units with start codes, as a recorder's elementary-stream file holds them
/// (a 4-byte length and a 4-byte start code have the same size, so this is one copy).
fn annex_b(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    for nal in length_prefixed_nals(data) {
        out.extend_from_slice(&[0, 0, 0, 1]);
        out.extend_from_slice(nal);
    }
    out
}

struct RecordItem {
    camera: usize,
    name: String,
    ext: &'static str,
    data: Vec<u8>,
}

/// The recording writer: one thread, one buffered file per camera.
struct Recorder;

impl Recorder {
    fn start(
        dir: PathBuf,
        cameras: usize,
    ) -> (
        std::sync::mpsc::SyncSender<RecordItem>,
        std::thread::JoinHandle<RecordingReport>,
    ) {
        let (tx, rx) = std::sync::mpsc::sync_channel::<RecordItem>(RECORD_QUEUE_FRAMES);
        let thread = std::thread::spawn(move || {
            let mut report = RecordingReport::default();
            let mut files: HashMap<usize, BufWriter<File>> = HashMap::with_capacity(cameras);
            let mut first_write: Option<Instant> = None;
            for item in rx {
                if report.error.is_some() {
                    report.dropped_frames += 1;
                    continue;
                }
                first_write.get_or_insert_with(Instant::now);
                let written = write_item(&dir, &mut files, &mut report.files, &item);
                match written {
                    Ok(()) => report.bytes += item.data.len() as u64,
                    Err(e) => report.error = Some(e),
                }
            }
            for (_, file) in files {
                let synced = file
                    .into_inner()
                    .map_err(|e| e.into_error())
                    .and_then(|f| f.sync_all());
                if let Err(e) = synced
                    && report.error.is_none()
                {
                    report.error = Some(format!("{}: {e}", dir.display()));
                }
            }
            if let Some(first) = first_write {
                report.elapsed = first.elapsed();
                let secs = report.elapsed.as_secs_f64();
                if secs > 0.0 {
                    report.write_rate_bps = report.bytes as f64 * 8.0 / secs;
                }
            }
            report
        });
        (tx, thread)
    }
}

fn write_item(
    dir: &Path,
    files: &mut HashMap<usize, BufWriter<File>>,
    paths: &mut Vec<PathBuf>,
    item: &RecordItem,
) -> Result<(), String> {
    let file = match files.entry(item.camera) {
        std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
        std::collections::hash_map::Entry::Vacant(e) => {
            let path = dir.join(format!("{}.{}", sanitize(&item.name), item.ext));
            let file = File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            paths.push(path);
            e.insert(BufWriter::with_capacity(1 << 20, file))
        }
    };
    file.write_all(&item.data)
        .map_err(|e| format!("{}: {e}", dir.display()))
}

/// A camera name as a file name: anything but letters, digits, `-`, `_` and `.` becomes `_`.
fn sanitize(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() || s.starts_with('.') {
        format!("camera{s}")
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gop_span_counts_whole_gops_only() {
        let mut span = GopSpan {
            clock_rate: 90_000,
            ..GopSpan::default()
        };
        // A partial GOP before the first key frame, two whole GOPs of 10 frames at 25 fps
        // (3600 ticks apart), and a partial one after.
        span.frame(0, false, 999);
        let mut ts = 3600;
        for gop in 0..3 {
            for i in 0..10 {
                span.frame(ts, i == 0, if i == 0 { 5000 } else { 1000 });
                ts += 3600;
            }
            let _ = gop;
        }
        let mut totals = GopTotals::default();
        span.close_into(&mut totals);
        assert_eq!(totals.frames, 20);
        assert_eq!(totals.bytes, 2 * (5000 + 9 * 1000));
        assert!((totals.seconds - 0.8).abs() < 1e-9);
        assert_eq!(totals.intervals, 2);
    }

    #[test]
    fn latency_percentiles() {
        let mut h = LatencyHistogram::new();
        for ms in 1..=100 {
            h.add(LatencySource::SendTimeSei, f64::from(ms));
        }
        let l = h.finish().unwrap_or_else(|| panic!("samples were added"));
        assert_eq!(l.samples, 100);
        assert_eq!(l.p50_ms, 50.0);
        assert_eq!(l.p95_ms, 95.0);
        assert_eq!(l.max_ms, 100.0);
        // A sender-report sample never displaces send-time samples.
        h.add(LatencySource::SenderReport, 5000.0);
        assert_eq!(h.finish().map(|l| l.max_ms), Some(100.0));
    }

    #[test]
    fn annex_b_replaces_lengths_with_start_codes() {
        let data = [0, 0, 0, 2, 0x65, 0xAA, 0, 0, 0, 1, 0x0C];
        assert_eq!(
            annex_b(&data),
            vec![0, 0, 0, 1, 0x65, 0xAA, 0, 0, 0, 1, 0x0C]
        );
        // A truncated NAL is not invented.
        assert_eq!(annex_b(&[0, 0, 0, 9, 1]), Vec::<u8>::new());
    }

    #[test]
    fn ntp_conversion() {
        let ntp = retina::UNIX_EPOCH.0 + (10u64 << 32) + (1u64 << 31);
        assert_eq!(ntp_to_unix_us(ntp), Some(10_500_000));
        assert_eq!(ntp_to_unix_us(5), None);
    }

    #[test]
    fn file_names_stay_in_the_directory() {
        assert_eq!(sanitize("../etc/passwd"), "camera.._etc_passwd");
        assert_eq!(sanitize("store-01/cam 3"), "store-01_cam_3");
    }
}
