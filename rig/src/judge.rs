//! Judging a validation run: what the rig measured against what the plan promised.
//!
//! This module is pure (no I/O) so the rules are easy to test and the same code judges one
//! whole run and the merge of several shards: `camscope rig merge` recomputes every recorder and
//! the overall verdict from the cameras' results, so splitting a fleet over rig hosts changes
//! nothing in the verdict.
//!
//! The results file is the rig's contract with CI systems and the report: its shape is
//! published as `docs/rig-results.schema.json` (regenerate with
//! `CAMSCOPE_UPDATE_SCHEMA=1 cargo test -p camscope-tests --test rig`).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use manifest::{Camera, Codec, Manifest, Recorder};

use crate::Error;

/// Version of the results file.
pub const RESULTS_SCHEMA: &str = "camscope-rig-results/1";

/// Reads a JSON document, naming the file, line, column and field path on error.
pub fn read_json<T: serde::de::DeserializeOwned>(file: &str, text: &str) -> Result<T, Error> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let inner = e.inner();
        Error::input(format!(
            "{file}:{}:{}: {}: {inner}",
            inner.line(),
            inner.column(),
            e.path()
        ))
    })
}

/// What the plan expects of one camera.
pub fn planned(c: &Camera) -> Planned {
    let codec = match c.encoder.codec {
        Codec::H264 | Codec::H264Smart => "H.264",
        Codec::H265 | Codec::H265Smart => "H.265",
        Codec::Mjpeg => "MJPEG",
    };
    let sub_recorded_bps = c
        .substream
        .as_ref()
        .filter(|s| s.recorded)
        .map_or(0, |s| s.bitrate_kbps * 1000);
    Planned {
        codec: codec.to_string(),
        width: c.encoder.width,
        height: c.encoder.height,
        fps: c.encoder.fps,
        bitrate_bps: c.encoder.bitrate_cap_kbps * 1000,
        gop: c.encoder.gop,
        profile: c.encoder.profile.clone(),
        sub_recorded_bps,
        ingest_bps: c.ingest_bps,
        recorded_seconds_per_day: c.recording.recorded_seconds_per_day,
        retention_days: c.retention_days,
        brand: c.brand.clone(),
        model: c.model.clone(),
    }
}

// ---------------------------------------------------------------------------------------------
// Tolerances.

/// What the rig accepts, and how patient it is with cameras.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Tolerances {
    /// Fraction below the planned bitrate that fails a camera.
    pub bitrate_shortfall: f64,
    /// Fraction above the bitrate cap that fails a camera.
    pub bitrate_excess: f64,
    /// Fraction the frame rate may differ from the plan.
    pub fps_tolerance: f64,
    /// Fraction the key-frame interval may differ from the plan.
    pub key_frame_tolerance: f64,
    /// Most RTP packets a camera may lose.
    pub max_lost_packets: u64,
    /// Highest 95th-percentile latency, milliseconds.
    pub max_latency_p95_ms: f64,
    /// Longest time to the first frame, seconds.
    pub max_first_frame_s: f64,
    /// Most reconnects.
    pub max_reconnects: u32,
    /// Fraction projected storage per day may exceed the plan.
    pub storage_excess: f64,
    /// DESCRIBE/SETUP/PLAY timeout, seconds.
    pub connect_timeout_s: f64,
    /// No frame for this long is a stall, seconds.
    pub stall_timeout_s: f64,
    /// First retry wait, seconds.
    pub backoff_initial_s: f64,
    /// Longest retry wait, seconds.
    pub backoff_max_s: f64,
    /// Timeout of one ONVIF call, seconds.
    pub onvif_timeout_s: f64,
    /// Cameras asked over ONVIF at the same time.
    pub onvif_concurrency: u32,
    /// Over UDP, each RTP socket's receive buffer holds this many seconds of the planned
    /// bitrate.
    pub udp_receive_buffer_s: f64,
}

const VALIDATION_TOML: &str = include_str!("../data/tolerances.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SourcedValue {
    value: toml::Value,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    assumption: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
}

impl Tolerances {
    /// The shipped values (`rig/data/tolerances.toml`), each with its source.
    pub fn shipped() -> Result<Tolerances, Error> {
        #[derive(Deserialize)]
        struct File {
            validation: BTreeMap<String, SourcedValue>,
        }
        let file: File = toml::from_str(VALIDATION_TOML)
            .map_err(|e| Error::data(format!("rig/data/tolerances.toml: {e}")))?;
        let mut table = toml::Table::new();
        for (key, v) in file.validation {
            if v.source.is_none() && v.assumption.is_none() {
                return Err(Error::data(format!(
                    "rig/data/tolerances.toml: [validation.{key}] names no source and no assumption"
                )));
            }
            table.insert(key, v.value);
        }
        Tolerances::deserialize(toml::Value::Table(table))
            .map_err(|e| Error::data(format!("rig/data/tolerances.toml: {e}")))
    }

    /// The shipped values with a `[tolerances]` table from `file` laid over them.
    pub fn with_overrides(self, file: &str, text: &str) -> Result<Tolerances, Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Overrides {
            tolerances: toml::Table,
        }
        let overrides: Overrides =
            toml::from_str(text).map_err(|e| toml_failure(file, text, &e))?;
        let mut table = match toml::Value::try_from(self) {
            Ok(toml::Value::Table(t)) => t,
            _ => return Err(Error::data("tolerances: cannot be written as TOML")),
        };
        for (key, value) in overrides.tolerances {
            if !table.contains_key(&key) {
                return Err(Error::input(format!(
                    "{file}: [tolerances] has no setting `{key}` (known: {})",
                    table.keys().cloned().collect::<Vec<_>>().join(", ")
                )));
            }
            // Integers are accepted where fractions are expected: `max-first-frame-s = 5`.
            let value = match (&table[&key], value) {
                (toml::Value::Float(_), toml::Value::Integer(i)) => toml::Value::Float(i as f64),
                (_, v) => v,
            };
            table.insert(key, value);
        }
        let t = Tolerances::deserialize(toml::Value::Table(table))
            .map_err(|e| Error::input(format!("{file}: [tolerances]: {e}")))?;
        t.check(file)?;
        Ok(t)
    }

    fn check(&self, file: &str) -> Result<(), Error> {
        let fractions = [
            ("bitrate-shortfall", self.bitrate_shortfall),
            ("bitrate-excess", self.bitrate_excess),
            ("fps-tolerance", self.fps_tolerance),
            ("key-frame-tolerance", self.key_frame_tolerance),
            ("storage-excess", self.storage_excess),
        ];
        for (name, v) in fractions {
            if !(0.0..=10.0).contains(&v) {
                return Err(Error::input(format!(
                    "{file}: [tolerances] {name} = {v}: must be a fraction between 0 and 10"
                )));
            }
        }
        let seconds = [
            ("max-first-frame-s", self.max_first_frame_s),
            ("connect-timeout-s", self.connect_timeout_s),
            ("stall-timeout-s", self.stall_timeout_s),
            ("backoff-initial-s", self.backoff_initial_s),
            ("backoff-max-s", self.backoff_max_s),
            ("onvif-timeout-s", self.onvif_timeout_s),
            ("max-latency-p95-ms", self.max_latency_p95_ms),
            ("udp-receive-buffer-s", self.udp_receive_buffer_s),
        ];
        for (name, v) in seconds {
            if !(v.is_finite() && v > 0.0 && v < 86_400_000.0) {
                return Err(Error::input(format!(
                    "{file}: [tolerances] {name} = {v}: must be a positive time"
                )));
            }
        }
        if self.onvif_concurrency == 0 {
            return Err(Error::input(format!(
                "{file}: [tolerances] onvif-concurrency = 0: at least one camera must be asked at a time"
            )));
        }
        Ok(())
    }
}

fn toml_failure(file: &str, text: &str, e: &toml::de::Error) -> Error {
    let (line, col) = e.span().map_or((0, 0), |span| {
        let before = &text[..span.start.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    });
    Error::input(format!("{file}:{line}:{col}: {}", e.message()))
}

// ---------------------------------------------------------------------------------------------
// Results.

/// Pass or fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Every check held.
    Pass,
    /// At least one check failed.
    Fail,
}

/// How much a reason weighs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Fails the camera or recorder.
    Fail,
    /// Worth knowing; does not fail.
    Warn,
}

/// A reason's stable code: what scripts match on, listed in docs/rig.md ("Verdicts and reason
/// codes"); a test keeps that table and this enum equal.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum ReasonCode {
    /// `camera-not-found`.
    CameraNotFound,
    /// `onvif-unreachable`.
    OnvifUnreachable,
    /// `onvif-error`.
    OnvifError,
    /// `credentials-refused`.
    CredentialsRefused,
    /// `no-profile`.
    NoProfile,
    /// `settings-differ`.
    SettingsDiffer,
    /// `apply-failed`.
    ApplyFailed,
    /// `apply-not-kept`.
    ApplyNotKept,
    /// `no-stream`.
    NoStream,
    /// `no-whole-gop`.
    NoWholeGop,
    /// `codec-differs`.
    CodecDiffers,
    /// `resolution-differs`.
    ResolutionDiffers,
    /// `bitrate-short`.
    BitrateShort,
    /// `bitrate-over`.
    BitrateOver,
    /// `fps-differs`.
    FpsDiffers,
    /// `behind-real-time`.
    BehindRealTime,
    /// `key-frame-interval-differs`.
    KeyFrameIntervalDiffers,
    /// `packet-loss`.
    PacketLoss,
    /// `host-dropped`.
    HostDropped,
    /// `late-start`.
    LateStart,
    /// `profile-differs`.
    ProfileDiffers,
    /// `latency-high`.
    LatencyHigh,
    /// `slow-first-frame`.
    SlowFirstFrame,
    /// `dropped-out`.
    DroppedOut,
    /// `reconnected`.
    Reconnected,
    /// `recorder-overloaded`.
    RecorderOverloaded,
    /// `storage-over-plan`.
    StorageOverPlan,
    /// `retention-short`.
    RetentionShort,
    /// `disk-too-slow`.
    DiskTooSlow,
    /// `recording-fell-behind`.
    RecordingFellBehind,
    /// `recording-failed`.
    RecordingFailed,
    /// `interrupted`.
    Interrupted,
    /// `partial`.
    Partial,
    /// `model-differs`.
    ModelDiffers,
}

impl ReasonCode {
    /// Every code, in the order docs/rig.md lists them.
    pub const ALL: [ReasonCode; 34] = [
        ReasonCode::CameraNotFound,
        ReasonCode::OnvifUnreachable,
        ReasonCode::OnvifError,
        ReasonCode::CredentialsRefused,
        ReasonCode::NoProfile,
        ReasonCode::SettingsDiffer,
        ReasonCode::ApplyFailed,
        ReasonCode::ApplyNotKept,
        ReasonCode::NoStream,
        ReasonCode::NoWholeGop,
        ReasonCode::CodecDiffers,
        ReasonCode::ResolutionDiffers,
        ReasonCode::BitrateShort,
        ReasonCode::BitrateOver,
        ReasonCode::FpsDiffers,
        ReasonCode::KeyFrameIntervalDiffers,
        ReasonCode::PacketLoss,
        ReasonCode::HostDropped,
        ReasonCode::LateStart,
        ReasonCode::ProfileDiffers,
        ReasonCode::BehindRealTime,
        ReasonCode::LatencyHigh,
        ReasonCode::SlowFirstFrame,
        ReasonCode::DroppedOut,
        ReasonCode::Reconnected,
        ReasonCode::RecorderOverloaded,
        ReasonCode::StorageOverPlan,
        ReasonCode::RetentionShort,
        ReasonCode::DiskTooSlow,
        ReasonCode::RecordingFellBehind,
        ReasonCode::RecordingFailed,
        ReasonCode::Interrupted,
        ReasonCode::Partial,
        ReasonCode::ModelDiffers,
    ];

    /// The kebab-case code as written in results files and docs/rig.md.
    pub fn as_str(self) -> &'static str {
        match self {
            ReasonCode::CameraNotFound => "camera-not-found",
            ReasonCode::OnvifUnreachable => "onvif-unreachable",
            ReasonCode::OnvifError => "onvif-error",
            ReasonCode::CredentialsRefused => "credentials-refused",
            ReasonCode::NoProfile => "no-profile",
            ReasonCode::SettingsDiffer => "settings-differ",
            ReasonCode::ApplyFailed => "apply-failed",
            ReasonCode::ApplyNotKept => "apply-not-kept",
            ReasonCode::NoStream => "no-stream",
            ReasonCode::NoWholeGop => "no-whole-gop",
            ReasonCode::CodecDiffers => "codec-differs",
            ReasonCode::ResolutionDiffers => "resolution-differs",
            ReasonCode::BitrateShort => "bitrate-short",
            ReasonCode::BitrateOver => "bitrate-over",
            ReasonCode::FpsDiffers => "fps-differs",
            ReasonCode::KeyFrameIntervalDiffers => "key-frame-interval-differs",
            ReasonCode::PacketLoss => "packet-loss",
            ReasonCode::HostDropped => "host-dropped",
            ReasonCode::LateStart => "late-start",
            ReasonCode::ProfileDiffers => "profile-differs",
            ReasonCode::LatencyHigh => "latency-high",
            ReasonCode::BehindRealTime => "behind-real-time",
            ReasonCode::SlowFirstFrame => "slow-first-frame",
            ReasonCode::DroppedOut => "dropped-out",
            ReasonCode::Reconnected => "reconnected",
            ReasonCode::RecorderOverloaded => "recorder-overloaded",
            ReasonCode::StorageOverPlan => "storage-over-plan",
            ReasonCode::RetentionShort => "retention-short",
            ReasonCode::DiskTooSlow => "disk-too-slow",
            ReasonCode::RecordingFellBehind => "recording-fell-behind",
            ReasonCode::RecordingFailed => "recording-failed",
            ReasonCode::Interrupted => "interrupted",
            ReasonCode::Partial => "partial",
            ReasonCode::ModelDiffers => "model-differs",
        }
    }
}

impl std::fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding, with a stable code for scripts and a sentence for people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Reason {
    /// Stable kebab-case code (see docs/rig.md).
    pub code: ReasonCode,
    /// Fail or warn.
    pub severity: Severity,
    /// What was found, with the figures.
    pub message: String,
}

impl Reason {
    /// A finding that fails its camera, recorder or run.
    pub fn fail(code: ReasonCode, message: String) -> Reason {
        Reason {
            code,
            severity: Severity::Fail,
            message,
        }
    }

    /// A finding worth knowing that does not fail.
    pub fn warn(code: ReasonCode, message: String) -> Reason {
        Reason {
            code,
            severity: Severity::Warn,
            message,
        }
    }
}

fn verdict_of(reasons: &[Reason]) -> Verdict {
    if reasons.iter().any(|r| r.severity == Severity::Fail) {
        Verdict::Fail
    } else {
        Verdict::Pass
    }
}

/// What the plan expects of one camera.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Planned {
    /// H.264, H.265 or MJPEG.
    pub codec: String,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
    /// Frames per second.
    pub fps: f64,
    /// Main-stream bitrate cap, bit/s.
    pub bitrate_bps: u64,
    /// Frames between key frames.
    pub gop: u32,
    /// Encoder profile.
    pub profile: String,
    /// Recorded sub-stream, bit/s (not pulled by the rig; counted at its planned rate).
    pub sub_recorded_bps: u64,
    /// What the recorder ingests from the camera, bit/s.
    pub ingest_bps: u64,
    /// Seconds recorded per day.
    pub recorded_seconds_per_day: u64,
    /// Days kept.
    pub retention_days: u32,
    /// Make, if planned.
    pub brand: Option<String>,
    /// Model, if planned.
    pub model: Option<String>,
}

/// What a camera says about itself over ONVIF.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Reported {
    /// GetDeviceInformation: manufacturer.
    pub manufacturer: Option<String>,
    /// GetDeviceInformation: model.
    pub model: Option<String>,
    /// GetDeviceInformation: firmware.
    pub firmware: Option<String>,
    /// GetDeviceInformation: serial number.
    pub serial: Option<String>,
    /// Profiles offered.
    pub profiles: u32,
    /// The main profile's encoder, as reported (after `--apply`, as read back).
    pub encoder: Option<ReportedEncoder>,
    /// `--apply` pushed the plan's settings and the camera accepted them.
    pub applied: Option<bool>,
}

/// Encoder settings a camera reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ReportedEncoder {
    /// H264, H265 or JPEG.
    pub encoding: String,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
    /// Frame rate limit.
    pub fps: f64,
    /// Bitrate limit, kbit/s.
    pub bitrate_kbps: u32,
    /// GOP length, if reported.
    pub gop: Option<u32>,
}

/// A gap in a stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OutageResult {
    /// Seconds from the window's start.
    pub start_s: f64,
    /// Seconds without frames.
    pub length_s: f64,
    /// Why.
    pub cause: String,
}

/// A UDP socket's receive buffer.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ReceiveBufferResult {
    /// Bytes asked for (sized from the planned bitrate, `udp-receive-buffer-s`).
    pub asked_bytes: u64,
    /// Bytes the kernel granted; below `asked_bytes` when `net.core.rmem_max` caps it.
    pub granted_bytes: u64,
}

/// Latency figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LatencyResult {
    /// `sei-send-time` or `rtcp-sender-report`.
    pub source: String,
    /// Frames measured.
    pub samples: u64,
    /// Mean, ms.
    pub mean_ms: f64,
    /// Median, ms.
    pub p50_ms: f64,
    /// 95th percentile, ms.
    pub p95_ms: f64,
    /// Largest, ms.
    pub max_ms: f64,
}

/// What arrived from a camera's main stream.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Measured {
    /// Codec received.
    pub codec: Option<String>,
    /// RFC 6381 codec string.
    pub codec_string: Option<String>,
    /// Width.
    pub width: Option<u32>,
    /// Height.
    pub height: Option<u32>,
    /// Average bitrate over whole GOPs of video (the rate the encoder delivered while it
    /// streamed; what the bitrate is judged on), bit/s.
    pub bitrate_bps: Option<f64>,
    /// Bits received over the whole measurement window, per second of window: time without
    /// video counts as zero, so an outage shows here; bit/s.
    #[serde(default)]
    pub window_bitrate_bps: f64,
    /// Average frame rate.
    pub fps: Option<f64>,
    /// Average frames between key frames.
    pub gop_frames: Option<f64>,
    /// Average seconds between key frames.
    pub key_frame_interval_s: Option<f64>,
    /// Frames received.
    pub frames: u64,
    /// Bytes received.
    pub bytes: u64,
    /// RTP packets lost (sequence gaps), wherever they were lost.
    pub lost_packets: u64,
    /// Over UDP, the part of `lost_packets` this rig host's kernel dropped because the
    /// socket's receive buffer was full: lost on the rig, not on the network or the camera.
    #[serde(default)]
    pub host_dropped_packets: Option<u64>,
    /// Over UDP, the RTP socket's receive buffer: bytes asked for and granted by the kernel.
    #[serde(default)]
    pub receive_buffer: Option<ReceiveBufferResult>,
    /// Seconds from the window's start to the first frame.
    pub time_to_first_frame_s: Option<f64>,
    /// Latency.
    pub latency: Option<LatencyResult>,
    /// Sessions opened.
    pub sessions: u32,
    /// Reconnects after the stream had started.
    pub reconnects: u32,
    /// Failed attempts to open a session.
    pub failed_attempts: u32,
    /// Seconds with frames flowing.
    pub streaming_s: f64,
    /// Gaps.
    pub outages: Vec<OutageResult>,
    /// The camera refused our RTSP credentials.
    pub credentials_refused: bool,
    /// The last error.
    pub last_error: Option<String>,
    /// Bytes written to the recording.
    pub recorded_bytes: u64,
    /// Frames the recording could not keep up with.
    pub record_dropped_frames: u64,
}

/// One camera's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CameraResult {
    /// Manifest camera id.
    pub id: String,
    /// Site instance.
    pub site: String,
    /// Recorder id.
    pub recorder: String,
    /// How the camera was found: endpoints, inventory, discovery, or none.
    pub found_by: String,
    /// ONVIF device service URL.
    pub onvif: Option<String>,
    /// RTSP URL pulled (never with credentials).
    pub rtsp: Option<String>,
    /// What the plan expects.
    pub planned: Planned,
    /// What the camera reported over ONVIF.
    pub reported: Option<Reported>,
    /// What arrived.
    pub measured: Option<Measured>,
    /// Problems before streaming (finding, ONVIF, apply); judged with the rest.
    pub setup_reasons: Vec<Reason>,
    /// Pass or fail.
    pub verdict: Verdict,
    /// Every finding, failures first.
    pub reasons: Vec<Reason>,
}

/// One recorder's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RecorderResult {
    /// Recorder id.
    pub id: String,
    /// Site instance.
    pub site: String,
    /// Model.
    pub model: String,
    /// Cameras the plan puts on it.
    pub cameras_planned: u32,
    /// Of those, cameras in these results.
    pub cameras_measured: u32,
    /// Most it ingests, bit/s.
    pub ingest_limit_bps: u64,
    /// Planned ingest of the cameras in these results, bit/s.
    pub planned_ingest_bps: u64,
    /// Measured ingest (main streams measured, recorded sub-streams at plan), bit/s.
    pub measured_ingest_bps: f64,
    /// Planned bytes written per day by the cameras in these results.
    pub planned_bytes_per_day: f64,
    /// Bytes per day at the measured rates.
    pub projected_bytes_per_day: f64,
    /// Usable storage.
    pub usable_bytes: u64,
    /// Bytes needed to keep every camera's retention at the measured rates.
    pub projected_retention_bytes: f64,
    /// Only part of its cameras are in these results (a shard): judged after `rig merge`.
    pub partial: bool,
    /// Pass or fail (pass while partial).
    pub verdict: Verdict,
    /// Findings.
    pub reasons: Vec<Reason>,
}

/// The recording test (`--record-to`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RecordingResult {
    /// Directory written.
    pub directory: String,
    /// Bytes written.
    pub bytes: u64,
    /// Seconds from the first write to the end of the final flush.
    pub seconds: f64,
    /// Sustained write rate, bit/s.
    pub write_rate_bps: f64,
    /// What the plan's recorders write at once for the cameras pulled, bit/s.
    pub planned_rate_bps: f64,
    /// Frames dropped because the writer fell behind.
    pub dropped_frames: u64,
    /// The first write error.
    pub error: Option<String>,
    /// Pass or fail.
    pub verdict: Verdict,
    /// Findings.
    pub reasons: Vec<Reason>,
}

/// Which part of the fleet a run covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Shard {
    /// 1-based index.
    pub index: u32,
    /// How many shards.
    pub count: u32,
}

/// The manifest a run validated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ManifestRef {
    /// Path as given.
    pub path: String,
    /// Project.
    pub project: String,
    /// nvr or vms.
    pub option: String,
    /// SHA-256 of the manifest file, so shards of different plans are never merged.
    pub sha256: String,
    /// Cameras in the manifest.
    pub cameras: u32,
}

/// Totals.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    /// Cameras in these results.
    pub cameras: u32,
    /// Cameras that passed.
    pub passed: u32,
    /// Cameras that failed.
    pub failed: u32,
    /// Cameras whose stream delivered frames.
    pub streaming: u32,
    /// Planned main-stream bitrate of these cameras, bit/s.
    pub planned_bps: f64,
    /// Main-stream bits received over the whole window, per second of window, over all
    /// cameras: time without video counts as zero, bit/s.
    pub measured_bps: f64,
    /// The cameras' rates over whole GOPs of video, summed (what each bitrate is judged on;
    /// leaves out time without video), bit/s.
    #[serde(default)]
    pub measured_gop_bps: f64,
    /// RTP packets lost over all cameras.
    pub lost_packets: u64,
    /// Of those, dropped by the rig host's own kernel (UDP receive buffers full).
    #[serde(default)]
    pub host_dropped_packets: u64,
    /// Reconnects over all cameras.
    pub reconnects: u64,
    /// Outages over all cameras (late starts included).
    #[serde(default)]
    pub outages: u64,
    /// Seconds without video over all cameras' outages.
    #[serde(default)]
    pub outage_s: f64,
    /// Cameras with at least one outage.
    #[serde(default)]
    pub cameras_with_outages: u32,
}

/// A validation run: `camscope rig validate --out results.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RigResults {
    /// [`RESULTS_SCHEMA`].
    pub schema: String,
    /// camscope version.
    pub generated_by: String,
    /// The plan.
    pub manifest: ManifestRef,
    /// Start of the measurement window (RFC 3339).
    pub started_at: String,
    /// Window length asked for, seconds.
    pub duration_s: f64,
    /// tcp or udp.
    pub transport: String,
    /// How cameras were found: endpoints, inventory or discovery.
    pub source: String,
    /// The host (or, merged, the hosts) the rig ran on.
    #[serde(default)]
    pub rig_host: String,
    /// The settings were pushed with `--apply`.
    pub applied: bool,
    /// The shards these results cover (one for a shard run, all for a merge, none for a whole
    /// run).
    pub shards: Vec<Shard>,
    /// The tolerances judged against.
    pub tolerances: Tolerances,
    /// Overall.
    pub verdict: Verdict,
    /// Why, failures first.
    pub reasons: Vec<Reason>,
    /// Totals.
    pub summary: Summary,
    /// Per camera, manifest order.
    pub cameras: Vec<CameraResult>,
    /// Per recorder, manifest order.
    pub recorders: Vec<RecorderResult>,
    /// Recording tests, one per rig host.
    pub recordings: Vec<RecordingResult>,
    /// Received bitrate second by second (summed over shards by `rig merge`).
    pub timeline: Vec<TimelinePoint>,
    /// Seconds into the window when an operator or job runner stopped the run (SIGINT or
    /// SIGTERM); the cameras were judged on what had arrived by then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrupted_after_s: Option<f64>,
}

/// The fleet's received bitrate at one moment of the window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TimelinePoint {
    /// Seconds since the window opened.
    pub t_s: f64,
    /// Video bits per second received over the last second.
    pub received_bps: f64,
    /// Cameras delivering frames.
    pub streaming: u32,
}

// ---------------------------------------------------------------------------------------------
// Judging.

fn mbps(bps: f64) -> String {
    format!("{:.2} Mbit/s", bps / 1e6)
}

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// Judges one camera: setup findings, then its stream against the plan.
pub fn judge_camera(c: &mut CameraResult, t: &Tolerances) {
    let mut reasons = c.setup_reasons.clone();
    let p = &c.planned;
    if let Some(r) = &c.reported
        && let Some(e) = &r.encoder
    {
        let reported = format!(
            "{} {}x{} {} fps {} kbit/s",
            e.encoding, e.width, e.height, e.fps, e.bitrate_kbps
        );
        let planned_encoding = p.codec.replace('.', "");
        let same = e.encoding.eq_ignore_ascii_case(&planned_encoding)
            && (e.width, e.height) == (p.width, p.height)
            && (e.fps - p.fps).abs() < 0.01
            && u64::from(e.bitrate_kbps) * 1000 == p.bitrate_bps
            && e.gop.is_none_or(|g| g == p.gop);
        if !same {
            let code = if r.applied == Some(true) {
                ReasonCode::ApplyNotKept
            } else {
                ReasonCode::SettingsDiffer
            };
            reasons.push(Reason::fail(
                code,
                format!(
                    "the camera reports {reported}{}; the plan needs {} {}x{} {} fps {} kbit/s GOP {}",
                    e.gop.map(|g| format!(" GOP {g}")).unwrap_or_default(),
                    p.codec,
                    p.width,
                    p.height,
                    p.fps,
                    p.bitrate_bps / 1000,
                    p.gop
                ),
            ));
        }
        if let (Some(want), Some(got)) = (&p.model, &r.model)
            && !got.to_lowercase().contains(&want.to_lowercase())
        {
            reasons.push(Reason::warn(
                ReasonCode::ModelDiffers,
                format!("the camera says it is a {got}; the plan names {want}"),
            ));
        }
    }
    match &c.measured {
        None => {}
        Some(m) if m.frames == 0 => {
            let why = m
                .last_error
                .clone()
                .unwrap_or_else(|| "no frame arrived".into());
            let code = if m.credentials_refused {
                ReasonCode::CredentialsRefused
            } else {
                ReasonCode::NoStream
            };
            if !reasons.iter().any(|r| r.code == code) {
                reasons.push(Reason::fail(
                    code,
                    format!(
                        "no video arrived in the window after {} attempt(s): {why}",
                        m.failed_attempts + m.sessions
                    ),
                ));
            }
        }
        Some(m) => judge_stream(p, m, t, &mut reasons),
    }
    reasons.sort_by_key(|r| r.severity == Severity::Warn);
    c.verdict = verdict_of(&reasons);
    c.reasons = reasons;
}

/// The profile named as plans name it (`main`, `high`, `baseline`, `main10`) and the level,
/// read from an RFC 6381 codec string (`avc1.4D0028`: profile_idc, constraint flags and
/// level_idc of the SPS; `hvc1.1.6.L150.90`: general_profile_idc and general_level_idc).
fn stream_profile(codec_string: &str) -> Option<(&'static str, String)> {
    let mut parts = codec_string.split('.');
    match parts.next()? {
        "avc1" | "avc3" => {
            let hex = parts.next()?;
            let profile_idc = u8::from_str_radix(hex.get(0..2)?, 16).ok()?;
            let constraints = u8::from_str_radix(hex.get(2..4)?, 16).ok()?;
            let level = u8::from_str_radix(hex.get(4..6)?, 16).ok()?;
            let name = match profile_idc {
                66 if constraints & 0x40 != 0 => "constrained-baseline",
                66 => "baseline",
                77 => "main",
                88 => "extended",
                100 => "high",
                110 => "high10",
                122 => "high422",
                244 => "high444",
                _ => return None,
            };
            Some((name, format!(", level {}.{}", level / 10, level % 10)))
        }
        "hvc1" | "hev1" => {
            let profile = parts
                .next()?
                .trim_start_matches(|c: char| c.is_ascii_alphabetic());
            let _compat = parts.next()?;
            let tier_level = parts.next()?;
            let level: u32 = tier_level.get(1..)?.parse().ok()?;
            let name = match profile {
                "1" => "main",
                "2" => "main10",
                "3" => "main-still-picture",
                _ => return None,
            };
            Some((name, format!(", level {}", f64::from(level) / 30.0)))
        }
        _ => None,
    }
}

/// Frames must arrive as fast as the stream's own clock says they were taken. A camera (or
/// simulator) that cannot keep up sends a stream whose timestamps read 25 fps and whose GOPs
/// carry the planned bitrate, yet only a part of those frames reach the recorder each second:
/// every rate measured over whole GOPs looks right while the recorder falls further behind.
/// So the frames that arrived while streaming are compared with the frame rate times the time
/// spent streaming (outages are judged on their own), with the frame-rate tolerance and one
/// frame of slack for where the window cut.
fn judge_delivery(p: &Planned, m: &Measured, t: &Tolerances, reasons: &mut Vec<Reason>) {
    let fps = m.fps.filter(|_| m.gop_frames.is_some()).unwrap_or(p.fps);
    let expected = fps * m.streaming_s;
    if m.frames == 0 || expected < 1.0 {
        return;
    }
    let arrived = m.frames as f64;
    if arrived + 1.0 >= expected * (1.0 - t.fps_tolerance) {
        return;
    }
    let media_s = arrived / fps;
    let delivered_bps = m.bytes as f64 * 8.0 / m.streaming_s;
    reasons.push(Reason::fail(
        ReasonCode::BehindRealTime,
        format!(
            "{} frames arrived in {:.1} s of streaming, {} of the {:.0} that {fps:.2} fps needs: the stream covers {media_s:.1} s of video, so it falls behind real time and delivers {} of the planned {} (the camera or the path to it cannot keep up)",
            m.frames,
            m.streaming_s,
            pct(arrived / expected),
            expected,
            mbps(delivered_bps),
            mbps(p.bitrate_bps as f64),
        ),
    ));
}

/// Every check of one stream's measurements against its plan.
fn judge_stream(p: &Planned, m: &Measured, t: &Tolerances, reasons: &mut Vec<Reason>) {
    judge_format(p, m, reasons);
    judge_rates(p, m, t, reasons);
    judge_delivery(p, m, t, reasons);
    judge_key_frames(p, m, t, reasons);
    judge_loss(m, t, reasons);
    judge_timing(m, t, reasons);
    judge_continuity(m, t, reasons);
}

/// The stream's codec, resolution and profile against the plan's.
fn judge_format(p: &Planned, m: &Measured, reasons: &mut Vec<Reason>) {
    if let Some(codec) = &m.codec
        && *codec != p.codec
    {
        reasons.push(Reason::fail(
            ReasonCode::CodecDiffers,
            format!("the stream is {codec}; the plan needs {}", p.codec),
        ));
    }
    if let (Some(w), Some(h)) = (m.width, m.height)
        && (w, h) != (p.width, p.height)
    {
        reasons.push(Reason::fail(
            ReasonCode::ResolutionDiffers,
            format!(
                "the stream is {w}x{h}; the plan needs {}x{}",
                p.width, p.height
            ),
        ));
    }
    if let Some((profile, level)) = m.codec_string.as_deref().and_then(stream_profile)
        && !p.profile.is_empty()
        && !profile.eq_ignore_ascii_case(&p.profile)
    {
        // A Constrained Baseline stream sets constraint_set1_flag: it conforms to Main profile
        // (H.264 A.2.1.1), so a Main or High decoder plays it. Worth saying, not a failure.
        let conforms = profile.eq_ignore_ascii_case("constrained-baseline")
            && (p.profile.eq_ignore_ascii_case("main") || p.profile.eq_ignore_ascii_case("high"));
        let message = format!(
            "the stream's parameter sets say {} profile{level}; the plan needs {} profile",
            profile, p.profile
        );
        reasons.push(if conforms {
            Reason::warn(
                ReasonCode::ProfileDiffers,
                format!("{message} (Constrained Baseline conforms to Main, so it still plays)"),
            )
        } else {
            Reason::fail(ReasonCode::ProfileDiffers, message)
        });
    }
}

/// Bitrate and frame rate, judged only over whole GOPs.
fn judge_rates(p: &Planned, m: &Measured, t: &Tolerances, reasons: &mut Vec<Reason>) {
    // Without two key frames the rates are wall-clock guesses skewed by whether the one key
    // frame fell inside the window: judge them only over whole GOPs.
    if m.gop_frames.is_none() {
        reasons.push(Reason::fail(
            ReasonCode::NoWholeGop,
            format!(
                "fewer than two key frames arrived in {:.1} s of video: bitrate and frame rate cannot be measured over a whole GOP (the planned GOP is {} frames at {} fps; a longer window or a shorter GOP is needed)",
                m.streaming_s, p.gop, p.fps
            ),
        ));
    }
    let whole = m.gop_frames.is_some();
    if whole && let Some(bps) = m.bitrate_bps {
        let planned = p.bitrate_bps as f64;
        let ratio = bps / planned;
        if ratio < 1.0 - t.bitrate_shortfall {
            reasons.push(Reason::fail(
                ReasonCode::BitrateShort,
                format!(
                    "the stream delivered {}, {} of the planned {} (tolerance {} below)",
                    mbps(bps),
                    pct(ratio),
                    mbps(planned),
                    pct(t.bitrate_shortfall)
                ),
            ));
        } else if ratio > 1.0 + t.bitrate_excess {
            reasons.push(Reason::fail(
                ReasonCode::BitrateOver,
                format!(
                    "the stream delivered {}, {} of the planned cap {} (tolerance {} above): the plan's storage and ingest no longer hold",
                    mbps(bps),
                    pct(ratio),
                    mbps(planned),
                    pct(t.bitrate_excess)
                ),
            ));
        }
    }
    if whole
        && let Some(fps) = m.fps
        && (fps / p.fps - 1.0).abs() > t.fps_tolerance
    {
        reasons.push(Reason::fail(
            ReasonCode::FpsDiffers,
            format!(
                "the stream ran at {fps:.2} fps; the plan needs {} (±{})",
                p.fps,
                pct(t.fps_tolerance)
            ),
        ));
    }
}

/// The key-frame interval against the plan's GOP.
fn judge_key_frames(p: &Planned, m: &Measured, t: &Tolerances, reasons: &mut Vec<Reason>) {
    if let Some(gop) = m.gop_frames
        && p.gop > 0
        && (gop / f64::from(p.gop) - 1.0).abs() > t.key_frame_tolerance
    {
        reasons.push(Reason::fail(
            ReasonCode::KeyFrameIntervalDiffers,
            format!(
                "key frames every {gop:.1} frames; the plan needs {} (±{})",
                p.gop,
                pct(t.key_frame_tolerance)
            ),
        ));
    }
}

/// RTP packets lost on the network, and those the rig host's own kernel dropped.
fn judge_loss(m: &Measured, t: &Tolerances, reasons: &mut Vec<Reason>) {
    let host = m.host_dropped_packets.unwrap_or(0).min(m.lost_packets);
    let wire = m.lost_packets - host;
    if wire > t.max_lost_packets {
        reasons.push(Reason::fail(
            ReasonCode::PacketLoss,
            format!(
                "{wire} RTP packet(s) lost on the way from the camera (at most {} allowed)",
                t.max_lost_packets
            ),
        ));
    }
    if host > 0 && m.lost_packets > t.max_lost_packets {
        let buffer = match m.receive_buffer {
            Some(b) if b.granted_bytes < b.asked_bytes => format!(
                "; the kernel granted a {} KiB receive buffer of the {} KiB asked: raise `sysctl net.core.rmem_max` to at least {}",
                b.granted_bytes / 1024,
                b.asked_bytes / 1024,
                b.asked_bytes
            ),
            Some(b) => format!(
                " with a {} KiB receive buffer: the rig host could not keep up (raise udp-receive-buffer-s or give the rig more CPU)",
                b.granted_bytes / 1024
            ),
            None => String::new(),
        };
        reasons.push(Reason::fail(
            ReasonCode::HostDropped,
            format!(
                "{host} RTP packet(s) dropped by the rig host's own kernel (UDP receive buffer full), not lost on the network{buffer}"
            ),
        ));
    }
}

/// Latency and time to the first frame.
fn judge_timing(m: &Measured, t: &Tolerances, reasons: &mut Vec<Reason>) {
    if let Some(l) = &m.latency
        && l.p95_ms > t.max_latency_p95_ms
    {
        reasons.push(Reason::fail(
            ReasonCode::LatencyHigh,
            format!(
                "95th-percentile latency {:.0} ms (from {}); at most {:.0} ms allowed",
                l.p95_ms, l.source, t.max_latency_p95_ms
            ),
        ));
    }
    if let Some(first) = m.time_to_first_frame_s
        && first > t.max_first_frame_s
    {
        reasons.push(Reason::fail(
            ReasonCode::SlowFirstFrame,
            format!(
                "the first frame took {first:.1} s; at most {:.1} s allowed",
                t.max_first_frame_s
            ),
        ));
    }
}

/// Outages, reconnects and frames the recording could not write.
fn judge_continuity(m: &Measured, t: &Tolerances, reasons: &mut Vec<Reason>) {
    // Every outage that ended was followed by a reconnect; one more is still going on.
    let mut stops = m.outages.iter().filter(|o| o.start_s > 0.0);
    if stops.clone().count() > m.reconnects as usize
        && let Some(o) = stops.next_back()
    {
        reasons.push(Reason::fail(
            ReasonCode::DroppedOut,
            format!(
                "the stream stopped at {:.1} s ({}) and did not come back for the remaining {:.1} s",
                o.start_s, o.cause, o.length_s
            ),
        ));
    }
    if let Some(o) = m.outages.first().filter(|o| o.start_s == 0.0) {
        reasons.push(Reason::fail(
            ReasonCode::LateStart,
            format!(
                "no video for the first {:.1} s of the window ({} failed attempt(s)); {}",
                o.length_s, m.failed_attempts, o.cause
            ),
        ));
    }
    let after_start: Vec<&OutageResult> = m.outages.iter().filter(|o| o.start_s > 0.0).collect();
    if m.reconnects > t.max_reconnects {
        let lost = after_start.iter().fold(0.0, |sum, o| sum + o.length_s);
        reasons.push(Reason::fail(
            ReasonCode::Reconnected,
            format!(
                "the stream had to be reopened {} time(s), {lost:.1} s without video; first cause: {}",
                m.reconnects,
                after_start
                    .first()
                    .map_or("not recorded", |o| o.cause.as_str())
            ),
        ));
    }
    if m.record_dropped_frames > 0 {
        reasons.push(Reason::fail(
            ReasonCode::RecordingFellBehind,
            format!(
                "{} frame(s) could not be written: the recording disk fell behind",
                m.record_dropped_frames
            ),
        ));
    }
}

/// Recomputes every recorder, the summary and the overall verdict from the cameras.
pub fn judge_all(
    results: &mut RigResults,
    recorders: &[Recorder],
    planned_per_recorder: &BTreeMap<String, u32>,
) {
    let t = results.tolerances;
    for c in &mut results.cameras {
        judge_camera(c, &t);
    }
    results.recorders = recorders
        .iter()
        .map(|r| {
            judge_recorder(
                r,
                planned_per_recorder.get(&r.id).copied().unwrap_or(0),
                &results.cameras,
                &t,
            )
        })
        .filter(|r| r.cameras_measured > 0)
        .collect();
    finish(results);
}

fn judge_recorder(
    r: &Recorder,
    cameras_planned: u32,
    cameras: &[CameraResult],
    t: &Tolerances,
) -> RecorderResult {
    let mine: Vec<&CameraResult> = cameras.iter().filter(|c| c.recorder == r.id).collect();
    let mut planned_ingest = 0u64;
    let mut measured_ingest = 0.0;
    let mut planned_day = 0.0;
    let mut projected_day = 0.0;
    let mut projected_retention = 0.0;
    for c in &mine {
        let p = &c.planned;
        planned_ingest += p.ingest_bps;
        // A camera that sent nothing is counted at plan: its absence is its own failure, and
        // must not make the recorder look lighter than it will be.
        let main = c
            .measured
            .as_ref()
            .and_then(|m| m.bitrate_bps)
            .unwrap_or(p.bitrate_bps as f64);
        let ingest = main + p.sub_recorded_bps as f64;
        measured_ingest += ingest;
        let seconds = p.recorded_seconds_per_day as f64;
        planned_day += p.ingest_bps as f64 * seconds / 8.0;
        let day = ingest * seconds / 8.0;
        projected_day += day;
        projected_retention += day * f64::from(p.retention_days);
    }
    let partial = (mine.len() as u32) < cameras_planned;
    let mut reasons = Vec::new();
    if !partial {
        if measured_ingest > r.ingest_limit_bps as f64 {
            reasons.push(Reason::fail(
                ReasonCode::RecorderOverloaded,
                format!(
                    "its cameras sent {} together; the {} ingests at most {} ({} over)",
                    mbps(measured_ingest),
                    r.model,
                    mbps(r.ingest_limit_bps as f64),
                    pct(measured_ingest / r.ingest_limit_bps as f64 - 1.0)
                ),
            ));
        }
        if planned_day > 0.0 && projected_day > planned_day * (1.0 + t.storage_excess) {
            reasons.push(Reason::fail(
                ReasonCode::StorageOverPlan,
                format!(
                    "at the measured rates it writes {:.1} GB a day; the plan allows {:.1} GB (+{})",
                    projected_day / 1e9,
                    planned_day / 1e9,
                    pct(t.storage_excess)
                ),
            ));
        }
        if projected_retention > r.volume.usable_bytes as f64 {
            reasons.push(Reason::fail(
                ReasonCode::RetentionShort,
                format!(
                    "keeping every camera's retention at the measured rates needs {:.2} TB; the volume holds {:.2} TB",
                    projected_retention / 1e12,
                    r.volume.usable_bytes as f64 / 1e12
                ),
            ));
        }
    }
    RecorderResult {
        id: r.id.clone(),
        site: r.site.clone(),
        model: r.model.clone(),
        cameras_planned,
        cameras_measured: mine.len() as u32,
        ingest_limit_bps: r.ingest_limit_bps,
        planned_ingest_bps: planned_ingest,
        measured_ingest_bps: measured_ingest,
        planned_bytes_per_day: planned_day,
        projected_bytes_per_day: projected_day,
        usable_bytes: r.volume.usable_bytes,
        projected_retention_bytes: projected_retention,
        partial,
        verdict: verdict_of(&reasons),
        reasons,
    }
}

/// Judges a recording test. The writer is paced by what arrives, so a disk that keeps up writes
/// at the cameras' rate; one that does not falls behind (dropped frames) or needs a long final
/// flush, which lowers the rate over first write to flushed. The same shortfall tolerance as a
/// stream's applies, since the rate inherits the streams' measurement spread.
pub fn judge_recording(r: &mut RecordingResult, t: &Tolerances) {
    let mut reasons = Vec::new();
    if let Some(e) = &r.error {
        reasons.push(Reason::fail(
            ReasonCode::RecordingFailed,
            format!("writing failed: {e}"),
        ));
    }
    if r.write_rate_bps < r.planned_rate_bps * (1.0 - t.bitrate_shortfall) {
        reasons.push(Reason::fail(
            ReasonCode::DiskTooSlow,
            format!(
                "the disk sustained {}; the cameras pulled need {}",
                mbps(r.write_rate_bps),
                mbps(r.planned_rate_bps)
            ),
        ));
    }
    if r.dropped_frames > 0 {
        reasons.push(Reason::fail(
            ReasonCode::RecordingFellBehind,
            format!("{} frame(s) could not be written in time", r.dropped_frames),
        ));
    }
    r.verdict = verdict_of(&reasons);
    r.reasons = reasons;
}

fn finish(results: &mut RigResults) {
    let mut reasons = Vec::new();
    let failed: Vec<&CameraResult> = results
        .cameras
        .iter()
        .filter(|c| c.verdict == Verdict::Fail)
        .collect();
    if !failed.is_empty() {
        // Keyed by the code's name, so the run's reasons stay in alphabetical order of code.
        let mut by_code: BTreeMap<&str, (ReasonCode, Vec<&str>)> = BTreeMap::new();
        for c in &failed {
            for r in c.reasons.iter().filter(|r| r.severity == Severity::Fail) {
                by_code
                    .entry(r.code.as_str())
                    .or_insert_with(|| (r.code, Vec::new()))
                    .1
                    .push(c.id.as_str());
            }
        }
        for (code, ids) in by_code.into_values() {
            let shown: Vec<&str> = ids.iter().take(5).copied().collect();
            let more = ids.len().saturating_sub(shown.len());
            reasons.push(Reason::fail(
                code,
                format!(
                    "{} camera(s): {}{}",
                    ids.len(),
                    shown.join(", "),
                    if more > 0 {
                        format!(" and {more} more")
                    } else {
                        String::new()
                    }
                ),
            ));
        }
    }
    for r in &results.recorders {
        for reason in r.reasons.iter().filter(|x| x.severity == Severity::Fail) {
            reasons.push(Reason::fail(
                reason.code,
                format!("recorder {}: {}", r.id, reason.message),
            ));
        }
    }
    for rec in &results.recordings {
        for reason in rec.reasons.iter().filter(|x| x.severity == Severity::Fail) {
            reasons.push(Reason::fail(
                reason.code,
                format!("recording to {}: {}", rec.directory, reason.message),
            ));
        }
    }
    if let Some(after) = results.interrupted_after_s {
        reasons.push(Reason::fail(
            ReasonCode::Interrupted,
            format!(
                "the run was stopped after {after:.1} s of the {:.0} s window: what arrived by then is judged, but the plan was not held for the whole window",
                results.duration_s
            ),
        ));
    }
    if results.recorders.iter().any(|r| r.partial) {
        reasons.push(Reason::warn(
            ReasonCode::Partial,
            "these results cover part of the fleet: recorder totals are judged by `camscope rig merge`".into(),
        ));
    }
    let streaming = results
        .cameras
        .iter()
        .filter(|c| c.measured.as_ref().is_some_and(|m| m.frames > 0))
        .count() as u32;
    let passed = results
        .cameras
        .iter()
        .filter(|c| c.verdict == Verdict::Pass)
        .count() as u32;
    let cameras = &results.cameras;
    let measured = || cameras.iter().filter_map(|c| c.measured.as_ref());
    results.summary = Summary {
        cameras: results.cameras.len() as u32,
        passed,
        failed: results.cameras.len() as u32 - passed,
        streaming,
        planned_bps: cameras
            .iter()
            .fold(0.0, |sum, c| sum + c.planned.bitrate_bps as f64),
        // Folded from +0.0: an empty float sum is -0.0, which prints as "-0.0".
        measured_bps: measured().fold(0.0, |sum, m| sum + m.window_bitrate_bps),
        measured_gop_bps: measured()
            .filter_map(|m| m.bitrate_bps)
            .fold(0.0, |sum, b| sum + b),
        lost_packets: measured().map(|m| m.lost_packets).sum(),
        host_dropped_packets: measured().filter_map(|m| m.host_dropped_packets).sum(),
        reconnects: measured().map(|m| u64::from(m.reconnects)).sum(),
        outages: measured().map(|m| m.outages.len() as u64).sum(),
        outage_s: measured()
            .flat_map(|m| &m.outages)
            .fold(0.0, |sum, o| sum + o.length_s),
        cameras_with_outages: measured().filter(|m| !m.outages.is_empty()).count() as u32,
    };
    results.verdict = verdict_of(&reasons);
    results.reasons = reasons;
}

/// Combines shard results into one, judged as if one rig had validated the whole fleet.
pub fn merge(parts: Vec<(String, RigResults)>, manifest: &Manifest) -> Result<RigResults, Error> {
    let Some((first_file, first)) = parts.first() else {
        return Err(Error::input("rig merge: give at least one results file"));
    };
    let mut merged = first.clone();
    merged.cameras.clear();
    merged.recordings.clear();
    merged.shards.clear();
    merged.timeline.clear();
    let mut hosts: Vec<&str> = Vec::new();
    for (_, part) in &parts {
        if !part.rig_host.is_empty() && !hosts.contains(&part.rig_host.as_str()) {
            hosts.push(&part.rig_host);
        }
    }
    merged.rig_host = hosts.join(", ");
    let mut seen_cameras = BTreeMap::new();
    for (file, part) in &parts {
        if part.schema != RESULTS_SCHEMA {
            return Err(Error::input(format!(
                "{file}: schema {:?}, expected {RESULTS_SCHEMA:?}",
                part.schema
            )));
        }
        if part.manifest.sha256 != first.manifest.sha256 {
            return Err(Error::input(format!(
                "{file}: validated a different manifest (sha256 {}) than {first_file} ({})",
                part.manifest.sha256, first.manifest.sha256
            )));
        }
        if part.tolerances != first.tolerances {
            return Err(Error::input(format!(
                "{file}: judged with different tolerances than {first_file}; rerun with the same --tolerances"
            )));
        }
        for shard in &part.shards {
            if merged.shards.contains(shard) {
                return Err(Error::input(format!(
                    "{file}: shard {}/{} is given twice",
                    shard.index, shard.count
                )));
            }
            merged.shards.push(*shard);
        }
        for c in &part.cameras {
            if let Some(other) = seen_cameras.insert(c.id.clone(), file.clone()) {
                return Err(Error::input(format!(
                    "{file}: camera {} was also validated in {other}",
                    c.id
                )));
            }
            merged.cameras.push(c.clone());
        }
        merged.recordings.extend(part.recordings.iter().cloned());
        if let Some(after) = part.interrupted_after_s {
            let earliest = merged.interrupted_after_s.map_or(after, |a| a.min(after));
            merged.interrupted_after_s = Some(earliest);
        }
        // Shards run at the same time on different hosts: second i of each adds up.
        for (i, p) in part.timeline.iter().enumerate() {
            match merged.timeline.get_mut(i) {
                Some(m) => {
                    m.received_bps += p.received_bps;
                    m.streaming += p.streaming;
                }
                None => merged.timeline.push(p.clone()),
            }
        }
    }
    merged.shards.sort_by_key(|s| s.index);
    if let Some(count) = merged.shards.first().map(|s| s.count) {
        let missing: Vec<String> = (1..=count)
            .filter(|i| !merged.shards.iter().any(|s| s.index == *i))
            .map(|i| format!("{i}/{count}"))
            .collect();
        if !missing.is_empty() || merged.shards.iter().any(|s| s.count != count) {
            return Err(Error::input(format!(
                "rig merge: shards {} are missing (every shard of one run must be given)",
                missing.join(", ")
            )));
        }
    }
    let order: BTreeMap<&str, usize> = manifest
        .cameras
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    merged
        .cameras
        .sort_by_key(|c| order.get(c.id.as_str()).copied().unwrap_or(usize::MAX));
    let per_recorder = cameras_per_recorder(manifest);
    judge_all(&mut merged, &manifest.recorders, &per_recorder);
    Ok(merged)
}

/// How many cameras the plan puts on each recorder.
pub fn cameras_per_recorder(manifest: &Manifest) -> BTreeMap<String, u32> {
    let mut n = BTreeMap::new();
    for c in &manifest.cameras {
        *n.entry(c.recorder.clone()).or_insert(0) += 1;
    }
    n
}

/// The JSON Schema of the results file.
pub fn results_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(RigResults)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn planned() -> Planned {
        Planned {
            codec: "H.264".into(),
            width: 1920,
            height: 1080,
            fps: 25.0,
            bitrate_bps: 4_096_000,
            gop: 50,
            profile: "main".into(),
            sub_recorded_bps: 0,
            ingest_bps: 4_096_000,
            recorded_seconds_per_day: 86_400,
            retention_days: 30,
            brand: None,
            model: None,
        }
    }

    fn healthy() -> Measured {
        Measured {
            codec: Some("H.264".into()),
            width: Some(1920),
            height: Some(1080),
            bitrate_bps: Some(4_100_000.0),
            fps: Some(25.0),
            gop_frames: Some(50.0),
            key_frame_interval_s: Some(2.0),
            frames: 1500,
            bytes: 30_000_000,
            time_to_first_frame_s: Some(0.2),
            sessions: 1,
            streaming_s: 60.0,
            ..Measured::default()
        }
    }

    fn camera(measured: Measured) -> CameraResult {
        CameraResult {
            id: "cam".into(),
            site: "s".into(),
            recorder: "nvr-1".into(),
            found_by: "endpoints".into(),
            onvif: None,
            rtsp: None,
            planned: planned(),
            reported: None,
            measured: Some(measured),
            setup_reasons: vec![],
            verdict: Verdict::Pass,
            reasons: vec![],
        }
    }

    fn codes(c: &CameraResult) -> Vec<&str> {
        c.reasons.iter().map(|r| r.code.as_str()).collect()
    }

    /// The codes docs/rig.md's reason-code table lists (first column, in backticks).
    fn documented_codes() -> Vec<String> {
        let doc = include_str!("../../docs/rig.md");
        let table = doc
            .split("### Verdicts and reason codes")
            .nth(1)
            .expect("docs/rig.md has a \"Verdicts and reason codes\" section");
        let mut codes = Vec::new();
        for line in table
            .lines()
            .skip_while(|l| !l.starts_with("| code |"))
            .skip(2)
        {
            if !line.starts_with('|') {
                break;
            }
            let first = line.split('|').nth(1).unwrap_or_default();
            codes.extend(first.split('`').skip(1).step_by(2).map(str::to_string));
        }
        codes
    }

    #[test]
    fn docs_list_every_reason_code_and_no_other() {
        let documented = documented_codes();
        let known: Vec<String> = ReasonCode::ALL.iter().map(|c| c.to_string()).collect();
        let undocumented: Vec<&String> = known.iter().filter(|c| !documented.contains(c)).collect();
        let unknown: Vec<&String> = documented.iter().filter(|c| !known.contains(c)).collect();
        assert!(
            undocumented.is_empty() && unknown.is_empty(),
            "docs/rig.md's reason codes drifted: not documented {undocumented:?}, documented but not a code {unknown:?}"
        );
        assert_eq!(
            documented.len(),
            known.len(),
            "a code is listed twice: {documented:?}"
        );
        // The serde spelling is the documented one.
        for c in ReasonCode::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
    }

    #[test]
    fn shipped_tolerances_load_with_sources() {
        let t = Tolerances::shipped().unwrap();
        assert_eq!(t.max_lost_packets, 0);
        assert!(t.bitrate_shortfall > 0.0 && t.bitrate_shortfall < 0.2);
    }

    #[test]
    fn a_healthy_camera_passes_and_half_bitrate_fails_with_the_figures() {
        let t = Tolerances::shipped().unwrap();
        let mut c = camera(healthy());
        judge_camera(&mut c, &t);
        assert_eq!(c.verdict, Verdict::Pass, "{:?}", c.reasons);
        let mut half = camera(Measured {
            bitrate_bps: Some(2_048_000.0),
            ..healthy()
        });
        judge_camera(&mut half, &t);
        assert_eq!(half.verdict, Verdict::Fail);
        assert_eq!(codes(&half), ["bitrate-short"]);
        assert!(
            half.reasons[0].message.contains("50%"),
            "{:?}",
            half.reasons
        );
    }

    /// 2,000 cameras over UDP on one loaded machine: the simulator fell behind, each stream's
    /// timestamps still read 25 fps and its whole GOPs the planned 4 Mbit/s, but only 189 frames
    /// came in 19.5 s of streaming (1.6 Mbit/s). 520 of those cameras passed with no reason.
    #[test]
    fn a_stream_that_falls_behind_real_time_fails_though_its_gops_look_right() {
        let t = Tolerances::shipped().unwrap();
        let mut slow = camera(Measured {
            bitrate_bps: Some(4_096_000.0),
            frames: 189,
            bytes: 3_883_471,
            streaming_s: 19.54,
            ..healthy()
        });
        judge_camera(&mut slow, &t);
        assert_eq!(slow.verdict, Verdict::Fail);
        assert_eq!(codes(&slow), ["behind-real-time"]);
        let message = &slow.reasons[0].message;
        assert!(
            message.contains("189 frames") && message.contains("39%"),
            "{message}"
        );
        // A healthy window that cut one frame short, or ended a frame late, still passes.
        for frames in [1499, 1500, 1501] {
            let mut ok = camera(Measured {
                frames,
                ..healthy()
            });
            judge_camera(&mut ok, &t);
            assert_eq!(ok.verdict, Verdict::Pass, "{frames}: {:?}", ok.reasons);
        }
        // Past the frame-rate tolerance and the one frame of slack, it fails.
        let mut short = camera(Measured {
            frames: 1468,
            ..healthy()
        });
        judge_camera(&mut short, &t);
        assert_eq!(codes(&short), ["behind-real-time"]);
    }

    #[test]
    fn a_camera_that_stops_for_good_is_dropped_out_and_one_that_returns_reconnected() {
        let t = Tolerances::shipped().unwrap();
        let mut gone = camera(Measured {
            outages: vec![OutageResult {
                start_s: 20.0,
                length_s: 40.0,
                cause: "the camera ended the session".into(),
            }],
            streaming_s: 20.0,
            ..healthy()
        });
        judge_camera(&mut gone, &t);
        assert_eq!(codes(&gone), ["dropped-out"]);
        let mut back = camera(Measured {
            outages: vec![OutageResult {
                start_s: 20.0,
                length_s: 3.0,
                cause: "stalled".into(),
            }],
            sessions: 2,
            reconnects: 1,
            streaming_s: 57.0,
            ..healthy()
        });
        judge_camera(&mut back, &t);
        assert_eq!(codes(&back), ["reconnected"]);
    }

    /// After an early outage, a camera whose session was refused passed with no reason while
    /// one whose session stalled failed with "reconnected … -0.0 s …; first cause: unknown".
    /// Both now have the same finding, with its cause and the time without video.
    #[test]
    fn a_late_first_frame_is_judged_the_same_whether_refused_or_stalled() {
        let t = Tolerances::shipped().unwrap();
        let late = |cause: &str, sessions| {
            let mut c = camera(Measured {
                outages: vec![OutageResult {
                    start_s: 0.0,
                    length_s: 6.6,
                    cause: format!("before the first frame: {cause}"),
                }],
                failed_attempts: 3,
                sessions,
                time_to_first_frame_s: Some(6.6),
                ..healthy()
            });
            judge_camera(&mut c, &t);
            c
        };
        for c in [
            late("Connection refused", 1),
            late("stalled: no frame for 5.0 s", 2),
        ] {
            assert_eq!(codes(&c), ["late-start"], "{:?}", c.reasons);
            let message = &c.reasons[0].message;
            assert!(message.contains("6.6 s"), "{message}");
            assert!(
                !message.contains("unknown") && !message.contains("-0.0"),
                "{message}"
            );
        }
    }

    /// Over UDP the loss the rig host's kernel caused is told apart from loss on the wire.
    #[test]
    fn loss_in_the_rig_hosts_kernel_is_its_own_finding() {
        let t = Tolerances::shipped().unwrap();
        let mut c = camera(Measured {
            lost_packets: 62,
            host_dropped_packets: Some(62),
            receive_buffer: Some(ReceiveBufferResult {
                asked_bytes: 1_000_000,
                granted_bytes: 212_992,
            }),
            ..healthy()
        });
        judge_camera(&mut c, &t);
        assert_eq!(codes(&c), ["host-dropped"]);
        assert!(c.reasons[0].message.contains("net.core.rmem_max"));
        let mut wire = camera(Measured {
            lost_packets: 10,
            host_dropped_packets: Some(0),
            ..healthy()
        });
        judge_camera(&mut wire, &t);
        assert_eq!(codes(&wire), ["packet-loss"]);
    }

    /// The plan said Main, the simulator streamed Constrained Baseline, and nothing noticed.
    #[test]
    fn the_streams_profile_is_judged_against_the_plan() {
        let t = Tolerances::shipped().unwrap();
        let mut baseline = camera(Measured {
            codec_string: Some("avc1.42C028".into()),
            ..healthy()
        });
        judge_camera(&mut baseline, &t);
        assert_eq!(codes(&baseline), ["profile-differs"]);
        assert!(
            baseline.reasons[0]
                .message
                .contains("constrained-baseline profile, level 4.0"),
            "{:?}",
            baseline.reasons
        );
        let mut main = camera(Measured {
            codec_string: Some("avc1.4D0028".into()),
            ..healthy()
        });
        judge_camera(&mut main, &t);
        assert_eq!(main.verdict, Verdict::Pass, "{:?}", main.reasons);
        assert_eq!(
            stream_profile("hvc1.1.6.L150.90"),
            Some(("main", ", level 5".into()))
        );
    }

    #[test]
    fn a_stream_without_two_key_frames_is_not_judged_on_rates() {
        let t = Tolerances::shipped().unwrap();
        // One second of a 2 s GOP: the rough wall-clock rate must not pass or fail the camera.
        let mut c = camera(Measured {
            gop_frames: None,
            key_frame_interval_s: None,
            bitrate_bps: Some(9_000_000.0),
            fps: Some(31.0),
            streaming_s: 1.0,
            ..healthy()
        });
        judge_camera(&mut c, &t);
        assert_eq!(codes(&c), ["no-whole-gop"]);
    }

    #[test]
    fn refused_credentials_are_named() {
        let t = Tolerances::shipped().unwrap();
        let mut c = camera(Measured {
            frames: 0,
            credentials_refused: true,
            failed_attempts: 4,
            last_error: Some("RTSP 401".into()),
            ..Measured::default()
        });
        judge_camera(&mut c, &t);
        assert_eq!(codes(&c), ["credentials-refused"]);
    }

    #[test]
    fn overrides_name_the_unknown_key_and_bad_values() {
        let t = Tolerances::shipped().unwrap();
        let e = t
            .with_overrides("t.toml", "[tolerances]\nbitrate-shortfal = 0.1\n")
            .unwrap_err();
        assert!(
            e.to_string().contains("t.toml") && e.to_string().contains("bitrate-shortfal"),
            "{}",
            e.to_string()
        );
        let e = t
            .with_overrides("t.toml", "[tolerances]\nfps-tolerance = -1.0\n")
            .unwrap_err();
        assert!(e.to_string().contains("fps-tolerance"), "{}", e.to_string());
        let e = t.with_overrides("t.toml", "[tolerances\n").unwrap_err();
        assert!(e.to_string().starts_with("t.toml:1:"), "{}", e.to_string());
        let ok = t
            .with_overrides("t.toml", "[tolerances]\nmax-first-frame-s = 3\n")
            .unwrap();
        assert_eq!(ok.max_first_frame_s, 3.0);
    }

    #[test]
    fn a_recorder_over_its_ceiling_is_overloaded() {
        let t = Tolerances::shipped().unwrap();
        let recorder = Recorder {
            id: "nvr-1".into(),
            site: "s".into(),
            kind: "nvr".into(),
            role: "primary".into(),
            model_id: "nvr-8".into(),
            model: "NVR 8".into(),
            address: "10.0.0.2".into(),
            camera_limit: 8,
            ingest_limit_bps: 10_000_000,
            ingest_bps: 8_192_000,
            poe_used_mw: 0,
            poe_budget_mw: 0,
            volume: manifest::Volume {
                id: "nvr-1/vol-1".into(),
                layout: "1 × 100 TB".into(),
                drives: 1,
                drive_size_bytes: 100_000_000_000_000,
                usable_bytes: 100_000_000_000_000,
                needed_bytes: 0,
            },
            cameras: vec!["cam-1".into(), "cam-2".into()],
        };
        let cams = vec![
            camera(Measured {
                bitrate_bps: Some(6_000_000.0),
                ..healthy()
            }),
            camera(Measured {
                bitrate_bps: Some(6_000_000.0),
                ..healthy()
            }),
        ];
        let r = judge_recorder(&recorder, 2, &cams, &t);
        assert_eq!(r.verdict, Verdict::Fail);
        assert_eq!(r.reasons[0].code, ReasonCode::RecorderOverloaded);
        // Half the cameras (a shard) are not judged as a recorder.
        let r = judge_recorder(&recorder, 4, &cams, &t);
        assert!(r.partial);
        assert_eq!(r.verdict, Verdict::Pass);
    }
}
