//! `camscope rig validate` and `camscope rig merge`: proving a plan on cameras.
//!
//! The run has three stages, each isolated per camera so one misbehaving camera never holds up
//! the others: find every camera of the manifest (an endpoints file, an inventory CSV, or
//! WS-Discovery) and ask it over ONVIF what it is and how it is set (pushing the plan's
//! settings first with `--apply`); pull every stream at once for the window with retina
//! (`hil_rig::ingest`); judge the measurements against the plan (`rig::judge`, pure).
//!
//! Progress goes to stderr: a live bar on a terminal, JSON lines otherwise (so CI logs and job
//! runners get machine-readable progress). The results file is the record; the exit status is
//! the verdict: 0 pass, 1 fail, 2 bad input.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, ValueEnum};
use futures::StreamExt;
use hil_rig::ingest::{self, IngestOptions, Live, StreamTarget, Transport};
use hil_rig::onvif::auth::{Credentials, Secret};
use hil_rig::onvif::client::{ClientError, OnvifClient, VideoEncoderConfig};
use sha2::{Digest, Sha256};

use crate::cli::Failure;
use rig::judge::{
    self, CameraResult, LatencyResult, ManifestRef, Measured, OutageResult, Planned, Reason,
    ReasonCode, RecordingResult, Reported, ReportedEncoder, RigResults, Severity, Shard, Summary,
    Tolerances, Verdict,
};

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProgressMode {
    /// A bar on a terminal, JSON lines otherwise.
    Auto,
    /// A live bar (indicatif).
    Bar,
    /// One JSON object per line.
    Json,
    /// Nothing.
    None,
}

/// RTP transport on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TransportArg {
    /// Interleaved in the RTSP connection.
    Tcp,
    /// RTP/UDP.
    Udp,
}

/// Arguments of `camscope rig validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The manifest `camscope generate` wrote.
    pub manifest: PathBuf,
    /// A JSON array of {name, onvif, rtsp} (as `camscope rig simulate --endpoints` writes).
    #[arg(long, value_name = "FILE", group = "source")]
    pub endpoints: Option<PathBuf>,
    /// A CSV of cameras: camera, onvif, [rtsp], [username_env], [password_env].
    #[arg(long, value_name = "FILE", group = "source")]
    pub inventory: Option<PathBuf>,
    /// Find the cameras with WS-Discovery through the interface with this IPv4 address.
    #[arg(long, value_name = "INTERFACE-ADDRESS", group = "source")]
    pub discover: Option<std::net::Ipv4Addr>,
    /// Measurement window, e.g. 60s, 2m.
    #[arg(long, default_value = "60s")]
    pub duration: String,
    /// Read past manifest fields this camscope does not know (a manifest from a newer
    /// camscope), listing them, instead of refusing the manifest.
    #[arg(long)]
    pub allow_unknown_fields: bool,
    /// Push each camera's planned encoder settings over ONVIF and read them back first.
    #[arg(long)]
    pub apply: bool,
    /// RTP transport.
    #[arg(long, value_enum, default_value_t = TransportArg::Tcp)]
    pub transport: TransportArg,
    /// Write every stream to this directory and measure the sustained write rate.
    #[arg(long, value_name = "DIR")]
    pub record_to: Option<PathBuf>,
    /// Validate only shard I of N (cameras I, I+N, I+2N … in manifest order); merge the
    /// shards' results with `camscope rig merge`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Write the results (JSON) here.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Write the rig report (HTML) here.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// A TOML file with a [tolerances] table overriding the shipped tolerances.
    #[arg(long, value_name = "FILE")]
    pub tolerances: Option<PathBuf>,
    /// Progress display.
    #[arg(long, value_enum, default_value_t = ProgressMode::Auto)]
    pub progress: ProgressMode,
}

/// Arguments of `camscope rig merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Results files of the shards.
    #[arg(required = true)]
    pub results: Vec<PathBuf>,
    /// The manifest the shards validated.
    #[arg(long, value_name = "FILE")]
    pub manifest: PathBuf,
    /// Write the merged results here.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Write the rig report (HTML) here.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
}

/// Parses `60s`, `1500ms`, `2m`, `1h` or plain seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let (number, unit) = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map_or((t, "s"), |i| (&t[..i], t[i..].trim()));
    let value: f64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration (60s, 1500ms, 2m)"))?;
    let seconds = match unit {
        "ms" => value / 1000.0,
        "s" | "" => value,
        "m" | "min" => value * 60.0,
        "h" => value * 3600.0,
        _ => return Err(format!("{text:?}: unknown unit {unit:?} (ms, s, m, h)")),
    };
    if !(seconds.is_finite() && seconds > 0.0 && seconds < 7.0 * 86_400.0) {
        return Err(format!("{text:?}: must be more than 0 and under a week"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

fn parse_shard(text: &str) -> Result<Shard, Failure> {
    let bad = || {
        Failure::new(format!(
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

pub(crate) fn read(path: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(path).map_err(|e| Failure::caused(path.display().to_string(), e))
}

pub(crate) fn env_secret(var: &str, what: &str) -> Result<String, Failure> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Ok(v),
        _ => Err(Failure::new(format!(
            "set {var} to the cameras' {what}: it is read from the environment, never from the command line"
        ))),
    }
}

/// Where one camera is, and how to log in.
#[derive(Debug, Clone)]
struct Located {
    found_by: &'static str,
    onvif: Option<String>,
    rtsp: Option<String>,
    credentials: Credentials,
}

#[derive(serde::Deserialize)]
struct EndpointEntry {
    name: String,
    #[serde(default)]
    onvif: Option<String>,
    #[serde(default)]
    rtsp: Option<String>,
}

/// A camera as a source lists it, before matching, and how to log in to it.
pub(crate) struct Listed {
    pub(crate) found: rig::inventory::Found,
    pub(crate) credentials: Credentials,
}

/// Every camera of an endpoints file (`rig simulate --endpoints`).
pub(crate) fn list_endpoints(
    path: &Path,
    credentials: &Credentials,
) -> Result<Vec<Listed>, Failure> {
    let text = read(path)?;
    let entries: Vec<EndpointEntry> = judge::read_json(&path.display().to_string(), &text)?;
    Ok(entries
        .into_iter()
        .map(|e| Listed {
            found: rig::inventory::Found {
                name: Some(e.name),
                onvif: e.onvif,
                rtsp: e.rtsp,
            },
            credentials: credentials.clone(),
        })
        .collect())
}

fn locate_from_endpoints(
    path: &Path,
    cameras: &[&manifest::Camera],
    credentials: &Credentials,
) -> Result<BTreeMap<String, Located>, Failure> {
    let listed = list_endpoints(path, credentials)?;
    let by_name: BTreeMap<&str, &Listed> = listed
        .iter()
        .filter_map(|l| l.found.name.as_deref().map(|n| (n, l)))
        .collect();
    Ok(cameras
        .iter()
        .filter_map(|c| {
            by_name.get(c.id.as_str()).map(|e| {
                (
                    c.id.clone(),
                    Located {
                        found_by: "endpoints",
                        onvif: e.found.onvif.clone(),
                        rtsp: e.found.rtsp.clone(),
                        credentials: credentials.clone(),
                    },
                )
            })
        })
        .collect())
}

/// Every row of a camera list (CSV: camera, onvif, [rtsp], [username_env], [password_env]),
/// checked: a bad row ends the run naming its line and field.
pub(crate) fn list_camera_list(
    path: &Path,
    credentials: &Credentials,
) -> Result<Vec<Listed>, Failure> {
    let text = read(path)?;
    let file = path.display().to_string();
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| Failure::new(format!("{file}:1: {e}")))?
        .iter()
        .map(|h| h.to_ascii_lowercase().replace([' ', '-'], "_"))
        .collect();
    let known = ["camera", "onvif", "rtsp", "username_env", "password_env"];
    for h in &headers {
        if !known.contains(&h.as_str()) {
            return Err(Failure::new(format!(
                "{file}:1: unknown column `{h}` (columns: {})",
                known.join(", ")
            )));
        }
    }
    let column = |name: &str| headers.iter().position(|h| h == name);
    let Some(camera_col) = column("camera") else {
        return Err(Failure::new(format!("{file}:1: no `camera` column")));
    };
    let (onvif_col, rtsp_col) = (column("onvif"), column("rtsp"));
    if onvif_col.is_none() && rtsp_col.is_none() {
        return Err(Failure::new(format!(
            "{file}:1: needs an `onvif` or an `rtsp` column"
        )));
    }
    let mut listed = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| Failure::new(format!("{file}:{line}: {e}")))?;
        let get = |col: Option<usize>| {
            col.and_then(|c| record.get(c))
                .map(str::to_string)
                .filter(|s| !s.is_empty())
        };
        let Some(id) = get(Some(camera_col)) else {
            return Err(Failure::new(format!("{file}:{line}: camera: empty")));
        };
        if let Some(first) = seen.insert(id.clone(), line) {
            return Err(Failure::new(format!(
                "{file}:{line}: camera: {id} is already on line {first}"
            )));
        }
        let mut onvif = get(onvif_col);
        if let Some(o) = &onvif
            && !o.contains("://")
        {
            // A bare host[:port] is the usual way inventories list cameras.
            onvif = Some(format!("http://{o}/onvif/device_service"));
        }
        let rtsp = get(rtsp_col);
        for (field, value) in [("onvif", &onvif), ("rtsp", &rtsp)] {
            if let Some(v) = value {
                let url = url::Url::parse(v)
                    .map_err(|e| Failure::new(format!("{file}:{line}: {field}: {v:?}: {e}")))?;
                if !url.username().is_empty() || url.password().is_some() {
                    return Err(Failure::new(format!(
                        "{file}:{line}: {field}: credentials in the URL; name environment variables in username_env/password_env instead"
                    )));
                }
            }
        }
        if onvif.is_none() && rtsp.is_none() {
            return Err(Failure::new(format!(
                "{file}:{line}: camera {id}: give an onvif address or an rtsp URL"
            )));
        }
        let creds = match (get(column("username_env")), get(column("password_env"))) {
            (None, None) => credentials.clone(),
            (user_env, pass_env) => Credentials {
                username: match user_env {
                    Some(v) => env_secret(&v, &format!("user name (inventory line {line})"))?,
                    None => credentials.username.clone(),
                },
                password: match pass_env {
                    Some(v) => Secret::new(env_secret(
                        &v,
                        &format!("password (inventory line {line})"),
                    )?),
                    None => credentials.password.clone(),
                },
            },
        };
        listed.push(Listed {
            found: rig::inventory::Found {
                name: Some(id),
                onvif,
                rtsp,
            },
            credentials: creds,
        });
    }
    Ok(listed)
}

fn locate_from_inventory(
    path: &Path,
    cameras: &[&manifest::Camera],
    credentials: &Credentials,
) -> Result<BTreeMap<String, Located>, Failure> {
    let wanted: BTreeMap<&str, ()> = cameras.iter().map(|c| (c.id.as_str(), ())).collect();
    Ok(list_camera_list(path, credentials)?
        .into_iter()
        .filter_map(|l| {
            let id = l.found.name?;
            let keep = wanted.contains_key(id.as_str());
            keep.then_some((
                id,
                Located {
                    found_by: "inventory",
                    onvif: l.found.onvif,
                    rtsp: l.found.rtsp,
                    credentials: l.credentials,
                },
            ))
        })
        .collect())
}

/// The name a camera's `onvif://www.onvif.org/name/…` scope would carry.
fn scope_name(scopes: &[String]) -> Option<String> {
    scopes.iter().find_map(|s| {
        s.strip_prefix("onvif://www.onvif.org/name/").map(|n| {
            url::form_urlencoded::parse(format!("n={n}").as_bytes())
                .next()
                .map_or_else(|| n.to_string(), |(_, v)| v.into_owned())
        })
    })
}

fn simple(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// Every camera that answers a WS-Discovery probe through `interface`, named by its ONVIF
/// `name` scope (asked over ONVIF when the probe match does not carry it).
pub(crate) async fn list_discovered(
    interface: std::net::Ipv4Addr,
    credentials: &Credentials,
    timeout: Duration,
) -> Result<Vec<Listed>, Failure> {
    let options = hil_rig::discovery::ProbeOptions::cameras(interface);
    let found = hil_rig::discovery::probe(&options)
        .await
        .map_err(|e| Failure::new(format!("--discover {interface}: {e}")))?;
    let mut listed = Vec::new();
    for endpoint in found {
        let Some(xaddr) = endpoint.xaddrs.first().cloned() else {
            continue;
        };
        let mut name = scope_name(&endpoint.scopes);
        if name.is_none()
            && let Ok(Ok(client)) = tokio::time::timeout(
                timeout,
                OnvifClient::connect(&xaddr, credentials.clone(), timeout),
            )
            .await
            && let Ok(scopes) = client.scopes().await
        {
            name = scope_name(&scopes);
        }
        listed.push(Listed {
            found: rig::inventory::Found {
                name,
                onvif: Some(xaddr),
                rtsp: None,
            },
            credentials: credentials.clone(),
        });
    }
    Ok(listed)
}

async fn locate_by_discovery(
    interface: std::net::Ipv4Addr,
    cameras: &[&manifest::Camera],
    credentials: &Credentials,
    timeout: Duration,
) -> Result<BTreeMap<String, Located>, Failure> {
    let mut located = BTreeMap::new();
    for l in list_discovered(interface, credentials, timeout).await? {
        let host = l.found.host();
        let name = l.found.name;
        let matched = cameras.iter().find(|c| {
            name.as_deref()
                .is_some_and(|n| n == c.id || simple(n) == simple(&c.id))
                || host.as_deref() == Some(c.address.as_str())
        });
        if let Some(c) = matched {
            located.entry(c.id.clone()).or_insert(Located {
                found_by: "discovery",
                onvif: l.found.onvif,
                rtsp: None,
                credentials: credentials.clone(),
            });
        }
    }
    Ok(located)
}

/// What the ONVIF stage learned about one camera.
#[derive(Default)]
struct Setup {
    reported: Option<Reported>,
    rtsp: Option<String>,
    reasons: Vec<Reason>,
}

pub(crate) fn client_reason(stage: &str, e: &ClientError) -> Reason {
    let code = match e {
        ClientError::NotAuthorized { .. } => ReasonCode::CredentialsRefused,
        ClientError::Timeout { .. } | ClientError::Connect { .. } => ReasonCode::OnvifUnreachable,
        _ => ReasonCode::OnvifError,
    };
    Reason::fail(code, format!("{stage}: {e}"))
}

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
    if apply && let Some(current) = &encoder {
        let wanted = planned_encoder(&planned, current);
        match client.set_video_encoder(&wanted).await {
            Ok(()) => {
                reported.applied = Some(true);
                match client.video_encoder(&current.token).await {
                    Ok(back) => encoder = Some(back),
                    Err(e) => setup
                        .reasons
                        .push(client_reason("reading the settings back", &e)),
                }
            }
            Err(e) => {
                reported.applied = Some(false);
                let mut r = client_reason("SetVideoEncoderConfiguration", &e);
                if r.code == ReasonCode::OnvifError {
                    r.code = ReasonCode::ApplyFailed;
                }
                setup.reasons.push(r);
            }
        }
    } else if apply {
        setup.reasons.push(Reason::fail(
            ReasonCode::ApplyFailed,
            "the main profile has no video encoder configuration to set".into(),
        ));
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

/// Some cameras put credentials in the stream URI; they must not reach results or logs.
pub(crate) fn strip_credentials(uri: &str) -> String {
    match url::Url::parse(uri) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        _ => uri.to_string(),
    }
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

/// One progress line (JSON mode).
fn json_line(err: &mut dyn Write, value: serde_json::Value) {
    let _ = writeln!(err, "{value}");
    let _ = err.flush();
}

/// Runs `camscope rig validate`.
pub fn validate(
    args: ValidateArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32, Failure> {
    let manifest_file = args.manifest.display().to_string();
    let (manifest, manifest_text, warnings) =
        crate::rig_simulate::read_manifest(&args.manifest, args.allow_unknown_fields)?;
    for w in warnings {
        writeln!(err, "warning: {w}").map_err(|e| Failure::caused("stderr", e))?;
    }
    let duration =
        parse_duration(&args.duration).map_err(|e| Failure::new(format!("--duration {e}")))?;
    let mut tolerances = Tolerances::shipped()?;
    if let Some(path) = &args.tolerances {
        tolerances = tolerances.with_overrides(&path.display().to_string(), &read(path)?)?;
    }
    let shard = args.shard.as_deref().map(parse_shard).transpose()?;
    if args.endpoints.is_none() && args.inventory.is_none() && args.discover.is_none() {
        return Err(Failure::new(
            "say where the cameras are: --endpoints FILE, --inventory FILE or --discover ADDRESS"
                .into(),
        ));
    }
    let credentials = Credentials {
        username: env_secret(&manifest.credentials.username_env, "user name")?,
        password: Secret::new(env_secret(&manifest.credentials.password_env, "password")?),
    };
    let chosen: Vec<&manifest::Camera> = manifest
        .cameras
        .iter()
        .enumerate()
        .filter(|(i, _)| shard.is_none_or(|s| (*i as u32) % s.count == s.index - 1))
        .map(|(_, c)| c)
        .collect();
    if let Some(dir) = &args.record_to {
        std::fs::create_dir_all(dir).map_err(|e| Failure::caused(dir.display().to_string(), e))?;
    }
    let progress = match args.progress {
        ProgressMode::Auto if std::io::stderr().is_terminal() => ProgressMode::Bar,
        ProgressMode::Auto => ProgressMode::Json,
        other => other,
    };
    let onvif_timeout = Duration::from_secs_f64(tolerances.onvif_timeout_s);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::caused("cannot start the async runtime", e))?;
    let started_at = time::OffsetDateTime::now_utc();
    let (located, setups, report, timeline, interrupted_after_s) = runtime.block_on(async {
        let located = if let Some(path) = &args.endpoints {
            locate_from_endpoints(path, &chosen, &credentials)?
        } else if let Some(path) = &args.inventory {
            locate_from_inventory(path, &chosen, &credentials)?
        } else if let Some(interface) = args.discover {
            locate_by_discovery(interface, &chosen, &credentials, onvif_timeout).await?
        } else {
            BTreeMap::new()
        };
        if progress == ProgressMode::Json {
            json_line(
                err,
                serde_json::json!({"event": "located", "cameras": chosen.len(), "found": located.len()}),
            );
        }
        // ONVIF for every camera at once, bounded (`onvif-concurrency`) so hundreds of cameras
        // do not all open connections in the same instant.
        let setups: BTreeMap<String, Setup> = futures::stream::iter(chosen.iter().filter_map(|c| {
            let l = located.get(&c.id)?;
            let url = l.onvif.clone()?;
            let planned = judge::planned(c);
            let creds = l.credentials.clone();
            let id = c.id.clone();
            Some(async move {
                let setup = onvif_stage(url, creds, planned, args.apply, onvif_timeout).await;
                (id, setup)
            })
        }))
        .buffer_unordered(tolerances.onvif_concurrency as usize)
        .collect()
        .await;
        if progress == ProgressMode::Json {
            let problems = setups.values().filter(|s| !s.reasons.is_empty()).count();
            json_line(
                err,
                serde_json::json!({"event": "onvif-done", "cameras": setups.len(), "with_problems": problems}),
            );
        }
        let mut targets = Vec::new();
        let mut target_ids = Vec::new();
        for c in &chosen {
            let Some(l) = located.get(&c.id) else { continue };
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
                            * tolerances.udp_receive_buffer_s) as usize,
                    ),
                });
                target_ids.push(c.id.clone());
            }
        }
        let options = IngestOptions {
            duration,
            transport: match args.transport {
                TransportArg::Tcp => Transport::Tcp,
                TransportArg::Udp => Transport::Udp,
            },
            connect_timeout: Duration::from_secs_f64(tolerances.connect_timeout_s),
            stall_timeout: Duration::from_secs_f64(tolerances.stall_timeout_s),
            backoff_initial: Duration::from_secs_f64(tolerances.backoff_initial_s),
            backoff_max: Duration::from_secs_f64(tolerances.backoff_max_s),
            record_to: args.record_to.clone(),
        };
        let live = Arc::new(Live::new(targets.len()));
        let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
        let total = targets.len();
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let run = ingest::run_until_stopped(targets, options, live.clone(), Some(tx), stopped);
        tokio::pin!(run);
        // Ctrl-C or a job runner's SIGTERM ends the window early; what arrived is still judged.
        let interrupt = crate::rig_simulate::stop_signal();
        tokio::pin!(interrupt);
        let mut interrupted_after: Option<f64> = None;
        let bar = (progress == ProgressMode::Bar).then(|| {
            let bar = indicatif::ProgressBar::new(duration.as_secs().max(1));
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len}s {msg}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        });
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
                    interrupted_after = Some(window_start.elapsed().as_secs_f64());
                    let _ = stop.send(true);
                    if progress == ProgressMode::Json {
                        json_line(err, serde_json::json!({"event": "interrupted", "after_s": interrupted_after}));
                    }
                }
                Some(event) = events.recv() => {
                    if progress == ProgressMode::Json {
                        let v = match event {
                            ingest::Event::Connected { camera } => serde_json::json!({"event": "connected", "camera": target_ids.get(camera)}),
                            ingest::Event::FirstFrame { camera, after } => serde_json::json!({"event": "first-frame", "camera": target_ids.get(camera), "after_s": after.as_secs_f64()}),
                            ingest::Event::Retrying { camera, attempt, after, cause } => serde_json::json!({"event": "retrying", "camera": target_ids.get(camera), "attempt": attempt, "after_s": after.as_secs_f64(), "cause": cause}),
                        };
                        json_line(err, v);
                    }
                }
                _ = tick.tick() => {
                    let now = tokio::time::Instant::now();
                    let t = live.totals();
                    let secs = now.duration_since(last_at).as_secs_f64().max(1e-3);
                    let bps = (t.bytes - last_bytes) as f64 * 8.0 / secs;
                    last_bytes = t.bytes;
                    last_at = now;
                    let elapsed = now.duration_since(window_start).as_secs_f64();
                    timeline.push(judge::TimelinePoint { t_s: elapsed, received_bps: bps, streaming: t.streaming as u32 });
                    match (&bar, progress) {
                        (Some(bar), _) => {
                            bar.set_position(elapsed as u64);
                            bar.set_message(format!("{}/{total} streaming · {:.1} Mbit/s · lost {} · reconnects {}", t.streaming, bps / 1e6, t.lost, t.reconnects));
                        }
                        (None, ProgressMode::Json) => json_line(err, serde_json::json!({
                            "event": "progress", "elapsed_s": elapsed, "streaming": t.streaming, "cameras": total,
                            "mbit_per_s": bps / 1e6, "lost_packets": t.lost, "reconnects": t.reconnects,
                        })),
                        _ => {}
                    }
                }
            }
        };
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        Ok::<_, Failure>((located, setups, report, timeline, interrupted_after))
    })?;
    // Per camera: the URL pulled and what arrived.
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
    let mut results = RigResults {
        schema: judge::RESULTS_SCHEMA.into(),
        generated_by: format!("camscope {}", env!("CARGO_PKG_VERSION")),
        manifest: ManifestRef {
            path: manifest_file.clone(),
            project: manifest.project.clone(),
            option: manifest.option.as_str().to_string(),
            sha256: format!("{:x}", Sha256::digest(manifest_text.as_bytes())),
            cameras: manifest.cameras.len() as u32,
        },
        started_at: started_at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        duration_s: duration.as_secs_f64(),
        transport: match args.transport {
            TransportArg::Tcp => "tcp".into(),
            TransportArg::Udp => "udp".into(),
        },
        rig_host: crate::rig_simulate::host_name(),
        source: if args.endpoints.is_some() {
            "endpoints".into()
        } else if args.inventory.is_some() {
            "inventory".into()
        } else {
            "discovery".into()
        },
        applied: args.apply,
        shards: shard.into_iter().collect(),
        tolerances,
        verdict: Verdict::Pass,
        reasons: vec![],
        // Filled in by the judging below.
        summary: Summary::default(),
        cameras: Vec::new(),
        recorders: Vec::new(),
        recordings: Vec::new(),
        timeline,
        interrupted_after_s,
    };
    let mut setups = setups;
    for c in &chosen {
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
    if let (Some(rec), Some(dir)) = (&report.recording, &args.record_to) {
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
        judge::judge_recording(&mut r, &tolerances);
        results.recordings.push(r);
    }
    let per_recorder = judge::cameras_per_recorder(&manifest);
    judge::judge_all(&mut results, &manifest.recorders, &per_recorder);
    finish_output(&results, args.out.as_deref(), args.report.as_deref(), out)?;
    if progress == ProgressMode::Json {
        json_line(
            err,
            serde_json::json!({"event": "done", "verdict": results.verdict, "passed": results.summary.passed, "failed": results.summary.failed}),
        );
    }
    Ok(match results.verdict {
        Verdict::Pass => 0,
        Verdict::Fail => 1,
    })
}

/// Writes the results and report, and a summary to `out`.
fn finish_output(
    results: &RigResults,
    out_file: Option<&Path>,
    report: Option<&Path>,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    if let Some(path) = out_file {
        let text = serde_json::to_string_pretty(results)
            .map_err(|e| Failure::caused("writing results", e))?
            + "\n";
        std::fs::write(path, text).map_err(|e| Failure::caused(path.display().to_string(), e))?;
    }
    if let Some(path) = report {
        let html = rig::report::render(results);
        std::fs::write(path, html).map_err(|e| Failure::caused(path.display().to_string(), e))?;
    }
    let s = &results.summary;
    let _ = writeln!(
        out,
        "{}: {} of {} camera(s) passed; {:.1} of {:.1} Mbit/s planned arrived over the window ({:.0}%; {:.1} Mbit/s over whole GOPs of video); {}; {} RTP packet(s) lost{}; {} reconnect(s)",
        match results.verdict {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
        },
        s.passed,
        s.cameras,
        s.measured_bps / 1e6,
        s.planned_bps / 1e6,
        if s.planned_bps > 0.0 {
            s.measured_bps / s.planned_bps * 100.0
        } else {
            0.0
        },
        s.measured_gop_bps / 1e6,
        if s.outages == 0 {
            "no outage".to_string()
        } else {
            format!(
                "{} outage(s) on {} camera(s), {:.1} s without video",
                s.outages, s.cameras_with_outages, s.outage_s
            )
        },
        s.lost_packets,
        if s.host_dropped_packets > 0 {
            format!(
                " ({} dropped by this host's kernel)",
                s.host_dropped_packets
            )
        } else {
            String::new()
        },
        s.reconnects
    );
    for r in &results.reasons {
        let _ = writeln!(
            out,
            "  {} [{}] {}",
            match r.severity {
                Severity::Fail => "fail",
                Severity::Warn => "warn",
            },
            r.code,
            r.message
        );
    }
    // The first failures in full; a fleet of hundreds would drown the terminal, and the
    // results file and report have every camera.
    const SHOWN: usize = 20;
    let failures: Vec<_> = results
        .cameras
        .iter()
        .filter(|c| c.verdict == Verdict::Fail)
        .flat_map(|c| {
            c.reasons
                .iter()
                .filter(|r| r.severity == Severity::Fail)
                .map(move |r| (c, r))
        })
        .collect();
    for (c, r) in failures.iter().take(SHOWN) {
        let _ = writeln!(out, "  {}: [{}] {}", c.id, r.code, r.message);
    }
    if failures.len() > SHOWN {
        let _ = writeln!(
            out,
            "  … and {} more camera finding(s) in the results file and report",
            failures.len() - SHOWN
        );
    }
    Ok(())
}

/// Runs `camscope rig merge`.
pub fn merge(args: MergeArgs, out: &mut dyn Write) -> Result<i32, Failure> {
    let manifest_text = read(&args.manifest)?;
    let manifest = manifest::parse(&args.manifest.display().to_string(), &manifest_text)
        .map_err(Failure::of)?;
    let sha = format!("{:x}", Sha256::digest(manifest_text.as_bytes()));
    let mut parts = Vec::new();
    for path in &args.results {
        let file = path.display().to_string();
        let text = read(path)?;
        let part: RigResults = judge::read_json(&file, &text)?;
        if part.manifest.sha256 != sha {
            return Err(Failure::new(format!(
                "{file}: validated another manifest than {} (sha256 differs)",
                args.manifest.display()
            )));
        }
        parts.push((file, part));
    }
    let merged = judge::merge(parts, &manifest)?;
    finish_output(&merged, args.out.as_deref(), args.report.as_deref(), out)?;
    Ok(match merged.verdict {
        Verdict::Pass => 0,
        Verdict::Fail => 1,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("60s"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1500ms"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("15"), Ok(Duration::from_secs(15)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("ten").is_err());
        assert!(parse_duration("5 parsecs").is_err());
    }

    #[test]
    fn shards() {
        assert_eq!(parse_shard("2/4").unwrap(), Shard { index: 2, count: 4 });
        assert!(parse_shard("0/4").is_err());
        assert!(parse_shard("5/4").is_err());
        assert!(parse_shard("x").is_err());
    }

    #[test]
    fn credentials_never_survive_in_a_stream_uri() {
        assert_eq!(
            strip_credentials("rtsp://admin:hunter2@10.0.0.5:554/main"),
            "rtsp://10.0.0.5:554/main"
        );
        assert_eq!(
            strip_credentials("rtsp://10.0.0.5/main"),
            "rtsp://10.0.0.5/main"
        );
    }

    #[test]
    fn scope_names_match_camera_ids() {
        let scopes = vec![
            "onvif://www.onvif.org/Profile/Streaming".to_string(),
            "onvif://www.onvif.org/name/store-01%2Fdoor".to_string(),
        ];
        assert_eq!(scope_name(&scopes).as_deref(), Some("store-01/door"));
        assert_eq!(simple("store-01/door"), simple("Store-01-Door"));
    }
}
