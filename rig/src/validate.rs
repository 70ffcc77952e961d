//! `rig validate` and `rig merge`: proving a plan on cameras.
//!
//! A run has three stages, each isolated per camera so one misbehaving camera never holds up
//! the others: find every camera of the manifest ([`CameraSource`]) and ask it over ONVIF what
//! it is and how it is set (pushing the plan's settings first with `apply`); pull every stream
//! at once for the window with retina (`hil_rig::ingest`); judge the measurements against the
//! plan ([`crate::judge`], pure). Events go to the caller's [`Progress`]; the result is the
//! [`RigResults`], which [`write_results`] writes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use hil_rig::ingest::{self, IngestOptions, Live, StreamTarget};
use hil_rig::onvif::auth::Credentials;
use hil_rig::onvif::client::{OnvifClient, VideoEncoderConfig};

use crate::input::{
    host_name, manifest_credentials, manifest_sha256, read, read_manifest, runtime, stop_signal,
};
use crate::judge::{
    self, CameraResult, LatencyResult, ManifestRef, Measured, OutageResult, Planned, Reason,
    ReasonCode, RecordingResult, Reported, ReportedEncoder, RigResults, Shard, Summary,
    TimelinePoint, Tolerances, Verdict,
};
use crate::locate::{CameraSource, Located, client_reason, locate, strip_credentials};
use crate::progress::{Event, Progress};
use crate::{Error, ErrorKind};

/// RTP transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// Interleaved in the RTSP connection.
    Tcp,
    /// RTP/UDP.
    Udp,
}

impl Transport {
    /// The name the results record.
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Tcp => "tcp",
            Transport::Udp => "udp",
        }
    }
}

/// How `validate` runs.
#[derive(Debug, Clone)]
pub struct ValidateOptions {
    /// The manifest `camscope generate` wrote.
    pub manifest: PathBuf,
    /// Read past manifest fields this camscope does not know, with a warning each.
    pub allow_unknown_fields: bool,
    /// Where the cameras are listed; none is bad input.
    pub source: Option<CameraSource>,
    /// The measurement window.
    pub duration: Duration,
    /// Push each camera's planned encoder settings over ONVIF and read them back first.
    pub apply: bool,
    /// RTP transport.
    pub transport: Transport,
    /// Write every stream to this directory and measure the sustained write rate.
    pub record_to: Option<PathBuf>,
    /// Validate only this shard (cameras I, I+N, I+2N … in manifest order).
    pub shard: Option<Shard>,
    /// A TOML file with a `[tolerances]` table overriding the shipped tolerances.
    pub tolerances: Option<PathBuf>,
}

impl std::str::FromStr for Shard {
    type Err = Error;

    /// `I/N` with 1 ≤ I ≤ N.
    fn from_str(text: &str) -> Result<Shard, Error> {
        let bad = || {
            Error::input(format!(
                "--shard {text}: expected I/N with 1 <= I <= N, e.g. 2/4"
            ))
        };
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let index: u32 = i.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

/// What the ONVIF stage learned about one camera.
#[derive(Default)]
struct Setup {
    reported: Option<Reported>,
    rtsp: Option<String>,
    reasons: Vec<Reason>,
}

/// The encoder settings to push: the plan's, on the camera's own configuration token.
fn planned_encoder(p: &Planned, current: &VideoEncoderConfig) -> VideoEncoderConfig {
    let encoding = p.codec.replace('.', "");
    VideoEncoderConfig {
        token: current.token.clone(),
        name: current.name.clone(),
        encoding: if encoding == "MJPEG" {
            "JPEG".into()
        } else {
            encoding.clone()
        },
        width: p.width,
        height: p.height,
        frame_rate_limit: p.fps,
        bitrate_limit_kbps: u32::try_from(p.bitrate_bps / 1000).unwrap_or(u32::MAX),
        gov_length: Some(p.gop),
        // A profile name of another codec would be refused: let the camera choose then.
        profile: if encoding == current.encoding {
            current.profile.clone()
        } else {
            None
        },
        quality: current.quality,
    }
}

/// Pushes the plan's settings to the main profile's encoder and reads them back; what the
/// camera holds afterwards is returned.
async fn apply_encoder(
    client: &OnvifClient,
    planned: &Planned,
    current: Option<VideoEncoderConfig>,
    reported: &mut Reported,
    reasons: &mut Vec<Reason>,
) -> Option<VideoEncoderConfig> {
    let Some(current) = current else {
        reasons.push(Reason::fail(
            ReasonCode::ApplyFailed,
            "the main profile has no video encoder configuration to set".into(),
        ));
        return None;
    };
    let wanted = planned_encoder(planned, &current);
    match client.set_video_encoder(&wanted).await {
        Ok(()) => {
            reported.applied = Some(true);
            match client.video_encoder(&current.token).await {
                Ok(back) => Some(back),
                Err(e) => {
                    reasons.push(client_reason("reading the settings back", &e));
                    Some(current)
                }
            }
        }
        Err(e) => {
            reported.applied = Some(false);
            let mut r = client_reason("SetVideoEncoderConfiguration", &e);
            if r.code == ReasonCode::OnvifError {
                r.code = ReasonCode::ApplyFailed;
            }
            reasons.push(r);
            Some(current)
        }
    }
}

/// Asks one camera what it is, how its main profile is set (after pushing the plan with
/// `apply`) and where its main stream is.
async fn onvif_stage(
    device_url: String,
    credentials: Credentials,
    planned: Planned,
    apply: bool,
    timeout: Duration,
) -> Setup {
    let mut setup = Setup::default();
    let client = match OnvifClient::connect(&device_url, credentials, timeout).await {
        Ok(c) => c,
        Err(e) => {
            setup.reasons.push(client_reason("ONVIF connect", &e));
            return setup;
        }
    };
    let mut reported = Reported::default();
    match client.device_information().await {
        Ok(info) => {
            reported.manufacturer = Some(info.manufacturer);
            reported.model = Some(info.model);
            reported.firmware = Some(info.firmware_version);
            reported.serial = Some(info.serial_number);
        }
        Err(e) => {
            setup
                .reasons
                .push(client_reason("GetDeviceInformation", &e));
            setup.reported = Some(reported);
            return setup;
        }
    }
    let profiles = match client.profiles().await {
        Ok(p) => p,
        Err(e) => {
            setup.reasons.push(client_reason("GetProfiles", &e));
            setup.reported = Some(reported);
            return setup;
        }
    };
    reported.profiles = profiles.len() as u32;
    // The main stream is the first profile, as on every camera the clients we tested met.
    let Some(main) = profiles.first() else {
        setup.reasons.push(Reason::fail(
            ReasonCode::NoProfile,
            "GetProfiles returned no profile".into(),
        ));
        setup.reported = Some(reported);
        return setup;
    };
    let mut encoder = main.encoder.clone();
    if apply {
        encoder = apply_encoder(
            &client,
            &planned,
            encoder,
            &mut reported,
            &mut setup.reasons,
        )
        .await;
    }
    reported.encoder = encoder.map(|e| ReportedEncoder {
        encoding: e.encoding,
        width: e.width,
        height: e.height,
        fps: e.frame_rate_limit,
        bitrate_kbps: e.bitrate_limit_kbps,
        gop: e.gov_length,
    });
    match client.stream_uri(&main.token).await {
        Ok(uri) => setup.rtsp = Some(strip_credentials(&uri)),
        Err(e) => setup.reasons.push(client_reason("GetStreamUri", &e)),
    }
    setup.reported = Some(reported);
    setup
}

/// What arrived from one camera; `window` is the measurement window as it ran.
fn measured_of(m: &ingest::StreamMeasurement, window: Duration) -> Measured {
    let window_s = window.as_secs_f64();
    Measured {
        window_bitrate_bps: if window_s > 0.0 {
            m.bytes as f64 * 8.0 / window_s
        } else {
            0.0
        },
        host_dropped_packets: m.kernel_dropped_packets,
        receive_buffer: m.receive_buffer.map(|b| judge::ReceiveBufferResult {
            asked_bytes: b.asked as u64,
            granted_bytes: b.granted as u64,
        }),
        codec: m.codec.clone(),
        codec_string: m.codec_string.clone(),
        width: m.width,
        height: m.height,
        bitrate_bps: m.bitrate_bps,
        fps: m.fps,
        gop_frames: m.key_frame_interval_frames,
        key_frame_interval_s: m.key_frame_interval_s,
        frames: m.frames,
        bytes: m.bytes,
        lost_packets: m.lost_packets,
        time_to_first_frame_s: m.time_to_first_frame.map(|d| d.as_secs_f64()),
        latency: m.latency.as_ref().map(|l| LatencyResult {
            source: match l.source {
                ingest::LatencySource::SendTimeSei => "sei-send-time".into(),
                ingest::LatencySource::SenderReport => "rtcp-sender-report".into(),
            },
            samples: l.samples,
            mean_ms: l.mean_ms,
            p50_ms: l.p50_ms,
            p95_ms: l.p95_ms,
            max_ms: l.max_ms,
        }),
        sessions: m.sessions,
        reconnects: m.reconnects,
        failed_attempts: m.failed_attempts,
        streaming_s: m.streaming.as_secs_f64(),
        outages: m
            .outages
            .iter()
            .map(|o| OutageResult {
                start_s: o.start.as_secs_f64(),
                length_s: o.length.as_secs_f64(),
                cause: o.cause.clone(),
            })
            .collect(),
        credentials_refused: m.credentials_refused,
        last_error: m.last_error.clone(),
        recorded_bytes: m.recorded_bytes,
        record_dropped_frames: m.record_dropped_frames,
    }
}

/// Everything a run gathered before judging.
struct Gathered {
    located: BTreeMap<String, Located>,
    setups: BTreeMap<String, Setup>,
    report: ingest::IngestReport,
    timeline: Vec<TimelinePoint>,
    interrupted_after_s: Option<f64>,
}

/// What the stages share.
struct Run<'a> {
    options: &'a ValidateOptions,
    source: &'a CameraSource,
    chosen: Vec<&'a manifest::Camera>,
    credentials: Credentials,
    tolerances: &'a Tolerances,
}

impl Run<'_> {
    /// ONVIF for every located camera at once, bounded (`onvif-concurrency`) so hundreds of
    /// cameras do not all open connections in the same instant.
    async fn ask_all(&self, located: &BTreeMap<String, Located>) -> BTreeMap<String, Setup> {
        let timeout = Duration::from_secs_f64(self.tolerances.onvif_timeout_s);
        let apply = self.options.apply;
        futures::stream::iter(self.chosen.iter().filter_map(|c| {
            let l = located.get(&c.id)?;
            let url = l.onvif.clone()?;
            let planned = judge::planned(c);
            let creds = l.credentials.clone();
            let id = c.id.clone();
            Some(async move {
                let setup = onvif_stage(url, creds, planned, apply, timeout).await;
                (id, setup)
            })
        }))
        .buffer_unordered(self.tolerances.onvif_concurrency as usize)
        .collect()
        .await
    }

    /// The streams to pull: each located camera's given RTSP URL, or the one ONVIF reported.
    fn targets(
        &self,
        located: &BTreeMap<String, Located>,
        setups: &BTreeMap<String, Setup>,
    ) -> Vec<StreamTarget> {
        let mut targets = Vec::new();
        for c in &self.chosen {
            let Some(l) = located.get(&c.id) else {
                continue;
            };
            let rtsp = l
                .rtsp
                .clone()
                .or_else(|| setups.get(&c.id).and_then(|s| s.rtsp.clone()));
            if let Some(url) = rtsp {
                targets.push(StreamTarget {
                    camera: c.id.clone(),
                    url: strip_credentials(&url),
                    credentials: Some(l.credentials.clone()),
                    // Over UDP: the planned bitrate for `udp-receive-buffer-s`, so a key
                    // frame's burst and a busy moment of the rig fit in the socket.
                    udp_receive_buffer: Some(
                        (c.encoder.bitrate_cap_kbps as f64 * 1000.0 / 8.0
                            * self.tolerances.udp_receive_buffer_s)
                            as usize,
                    ),
                });
            }
        }
        targets
    }

    fn ingest_options(&self) -> IngestOptions {
        let t = self.tolerances;
        IngestOptions {
            duration: self.options.duration,
            transport: match self.options.transport {
                Transport::Tcp => ingest::Transport::Tcp,
                Transport::Udp => ingest::Transport::Udp,
            },
            connect_timeout: Duration::from_secs_f64(t.connect_timeout_s),
            stall_timeout: Duration::from_secs_f64(t.stall_timeout_s),
            backoff_initial: Duration::from_secs_f64(t.backoff_initial_s),
            backoff_max: Duration::from_secs_f64(t.backoff_max_s),
            record_to: self.options.record_to.clone(),
        }
    }

    /// Locates, asks and pulls: every stage before judging.
    async fn gather(&self, progress: &mut dyn Progress) -> Result<Gathered, Error> {
        let timeout = Duration::from_secs_f64(self.tolerances.onvif_timeout_s);
        let located = locate(self.source, &self.chosen, &self.credentials, timeout).await?;
        progress.event(Event::Located {
            cameras: self.chosen.len(),
            found: located.len(),
        });
        let setups = self.ask_all(&located).await;
        progress.event(Event::OnvifDone {
            cameras: setups.len(),
            with_problems: setups.values().filter(|s| !s.reasons.is_empty()).count(),
        });
        let targets = self.targets(&located, &setups);
        let (report, timeline, interrupted_after_s) =
            pull_window(targets, self.ingest_options(), progress).await;
        Ok(Gathered {
            located,
            setups,
            report,
            timeline,
            interrupted_after_s,
        })
    }
}

/// Pulls every stream for the window, reporting as it goes; Ctrl-C or a job runner's SIGTERM
/// ends the window early, and what arrived is still judged.
async fn pull_window(
    targets: Vec<StreamTarget>,
    options: IngestOptions,
    progress: &mut dyn Progress,
) -> (ingest::IngestReport, Vec<TimelinePoint>, Option<f64>) {
    let target_ids: Vec<String> = targets.iter().map(|t| t.camera.clone()).collect();
    let name = |i: usize| target_ids.get(i).map(String::as_str);
    let total = targets.len();
    progress.event(Event::WindowStarted {
        seconds: options.duration.as_secs().max(1),
        streams: total,
    });
    let live = Arc::new(Live::new(total));
    let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let run = ingest::run_until_stopped(targets, options, live.clone(), Some(tx), stopped);
    tokio::pin!(run);
    let interrupt = stop_signal();
    tokio::pin!(interrupt);
    let mut interrupted_after: Option<f64> = None;
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.tick().await;
    let mut timeline = Vec::new();
    let mut last_bytes = 0u64;
    let mut last_at = tokio::time::Instant::now();
    let window_start = last_at;
    let report = loop {
        tokio::select! {
            report = &mut run => break report,
            () = &mut interrupt, if interrupted_after.is_none() => {
                let after_s = window_start.elapsed().as_secs_f64();
                interrupted_after = Some(after_s);
                let _ = stop.send(true);
                progress.event(Event::Interrupted { after_s });
            }
            Some(event) = events.recv() => progress.event(match &event {
                ingest::Event::Connected { camera } => Event::Connected { camera: name(*camera) },
                ingest::Event::FirstFrame { camera, after } => Event::FirstFrame {
                    camera: name(*camera),
                    after_s: after.as_secs_f64(),
                },
                ingest::Event::Retrying { camera, attempt, after, cause } => Event::Retrying {
                    camera: name(*camera),
                    attempt: *attempt,
                    after_s: after.as_secs_f64(),
                    cause,
                },
            }),
            _ = tick.tick() => {
                let now = tokio::time::Instant::now();
                let t = live.totals();
                let secs = now.duration_since(last_at).as_secs_f64().max(1e-3);
                let bps = (t.bytes - last_bytes) as f64 * 8.0 / secs;
                last_bytes = t.bytes;
                last_at = now;
                let elapsed = now.duration_since(window_start).as_secs_f64();
                timeline.push(TimelinePoint { t_s: elapsed, received_bps: bps, streaming: t.streaming as u32 });
                progress.event(Event::Tick {
                    elapsed_s: elapsed,
                    streaming: t.streaming,
                    streams: total,
                    received_bps: bps,
                    lost_packets: t.lost,
                    reconnects: t.reconnects,
                });
            }
        }
    };
    progress.event(Event::WindowEnded);
    (report, timeline, interrupted_after)
}

/// Runs `rig validate`: the results, judged. Bad input and failures to run are errors; a
/// camera that fails is a failing verdict in the results.
pub fn validate(
    options: ValidateOptions,
    progress: &mut dyn Progress,
) -> Result<RigResults, Error> {
    let manifest_read = read_manifest(&options.manifest, options.allow_unknown_fields)?;
    for w in &manifest_read.warnings {
        progress.event(Event::Warning(w));
    }
    let mut tolerances = Tolerances::shipped()?;
    if let Some(path) = &options.tolerances {
        tolerances = tolerances.with_overrides(&path.display().to_string(), &read(path)?)?;
    }
    let Some(source) = &options.source else {
        return Err(Error::input(
            "say where the cameras are: --endpoints FILE, --inventory FILE or --discover ADDRESS",
        ));
    };
    let manifest = &manifest_read.manifest;
    let shard = options.shard;
    let run = Run {
        options: &options,
        source,
        chosen: manifest
            .cameras
            .iter()
            .enumerate()
            .filter(|(i, _)| shard.is_none_or(|s| (*i as u32) % s.count == s.index - 1))
            .map(|(_, c)| c)
            .collect(),
        credentials: manifest_credentials(manifest)?,
        tolerances: &tolerances,
    };
    if let Some(dir) = &options.record_to {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let runtime = runtime()?;
    let started_at = time::OffsetDateTime::now_utc();
    let gathered = runtime.block_on(run.gather(progress))?;
    let mut results = RigResults {
        schema: judge::RESULTS_SCHEMA.into(),
        generated_by: format!("camscope {}", env!("CARGO_PKG_VERSION")),
        manifest: ManifestRef {
            path: options.manifest.display().to_string(),
            project: manifest.project.clone(),
            option: manifest.option.as_str().to_string(),
            sha256: manifest_sha256(&manifest_read.text),
            cameras: manifest.cameras.len() as u32,
        },
        started_at: started_at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        duration_s: options.duration.as_secs_f64(),
        transport: options.transport.as_str().into(),
        rig_host: host_name(),
        source: match source {
            CameraSource::Endpoints(_) => "endpoints",
            CameraSource::CameraList(_) => "inventory",
            CameraSource::Discover(_) => "discovery",
        }
        .into(),
        applied: options.apply,
        shards: shard.into_iter().collect(),
        tolerances,
        verdict: Verdict::Pass,
        reasons: vec![],
        // Filled in by the judging below.
        summary: Summary::default(),
        cameras: Vec::new(),
        recorders: Vec::new(),
        recordings: Vec::new(),
        timeline: Vec::new(),
        interrupted_after_s: gathered.interrupted_after_s,
    };
    judge_gathered(&mut results, &run, gathered, manifest);
    Ok(results)
}

/// Each chosen camera's result from what was gathered, the recording, then the verdicts.
fn judge_gathered(
    results: &mut RigResults,
    run: &Run<'_>,
    gathered: Gathered,
    manifest: &manifest::Manifest,
) {
    let Gathered {
        located,
        mut setups,
        report,
        timeline,
        ..
    } = gathered;
    results.timeline = timeline;
    let mut measured: BTreeMap<String, (String, Measured)> = report
        .streams
        .iter()
        .map(|m| {
            (
                m.camera.clone(),
                (m.url.clone(), measured_of(m, report.elapsed)),
            )
        })
        .collect();
    for c in &run.chosen {
        let l = located.get(&c.id);
        let setup = setups.remove(&c.id).unwrap_or_default();
        let mut setup_reasons = setup.reasons;
        let (rtsp, m) = measured.remove(&c.id).unzip();
        if l.is_none() {
            setup_reasons.push(Reason::fail(
                ReasonCode::CameraNotFound,
                format!(
                    "no camera named {} in the {}",
                    c.id,
                    results.source.trim_end_matches('s')
                ),
            ));
        } else if m.is_none() && setup_reasons.is_empty() {
            setup_reasons.push(Reason::fail(
                ReasonCode::NoStream,
                "no RTSP URL: neither given nor reported by GetStreamUri".into(),
            ));
        }
        results.cameras.push(CameraResult {
            id: c.id.clone(),
            site: c.site.clone(),
            recorder: c.recorder.clone(),
            found_by: l.map_or("none", |l| l.found_by).into(),
            onvif: l.and_then(|l| l.onvif.clone()),
            rtsp,
            planned: judge::planned(c),
            reported: setup.reported,
            measured: m,
            setup_reasons,
            verdict: Verdict::Pass,
            reasons: vec![],
        });
    }
    if let (Some(rec), Some(dir)) = (&report.recording, &run.options.record_to) {
        let planned_rate: f64 = results
            .cameras
            .iter()
            .filter(|c| c.measured.is_some())
            .map(|c| c.planned.bitrate_bps as f64)
            .sum();
        let mut r = RecordingResult {
            directory: dir.display().to_string(),
            bytes: rec.bytes,
            seconds: rec.elapsed.as_secs_f64(),
            write_rate_bps: rec.write_rate_bps,
            planned_rate_bps: planned_rate,
            dropped_frames: rec.dropped_frames,
            error: rec.error.clone(),
            verdict: Verdict::Pass,
            reasons: vec![],
        };
        judge::judge_recording(&mut r, run.tolerances);
        results.recordings.push(r);
    }
    let per_recorder = judge::cameras_per_recorder(manifest);
    judge::judge_all(results, &manifest.recorders, &per_recorder);
}

/// Runs `rig merge`: the shards' results (each of the same manifest, by its SHA-256) as one.
pub fn merge(manifest_path: &Path, results: &[PathBuf]) -> Result<RigResults, Error> {
    let manifest_text = read(manifest_path)?;
    let manifest = manifest::parse(&manifest_path.display().to_string(), &manifest_text)
        .map_err(|e| Error::of(ErrorKind::Input, e))?;
    let sha = manifest_sha256(&manifest_text);
    let mut parts = Vec::new();
    for path in results {
        let file = path.display().to_string();
        let text = read(path)?;
        let part: RigResults = judge::read_json(&file, &text)?;
        if part.manifest.sha256 != sha {
            return Err(Error::input(format!(
                "{file}: validated another manifest than {} (sha256 differs)",
                manifest_path.display()
            )));
        }
        parts.push((file, part));
    }
    judge::merge(parts, &manifest)
}

/// Writes the results (JSON) and the rig report (HTML) where asked.
pub fn write_results(
    results: &RigResults,
    out: Option<&Path>,
    report: Option<&Path>,
) -> Result<(), Error> {
    if let Some(path) = out {
        let text = serde_json::to_string_pretty(results)
            .map_err(|e| Error::caused(ErrorKind::Io, "writing results", e))?
            + "\n";
        std::fs::write(path, text).map_err(|e| Error::io(path, e))?;
    }
    if let Some(path) = report {
        let html = crate::report::render(results);
        std::fs::write(path, html).map_err(|e| Error::io(path, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn shards() {
        assert_eq!(
            "2/4".parse::<Shard>().unwrap(),
            Shard { index: 2, count: 4 }
        );
        assert!("0/4".parse::<Shard>().is_err());
        assert!("5/4".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
    }
}
