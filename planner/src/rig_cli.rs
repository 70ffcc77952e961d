//! `camscope rig …` on the command line: the clap arguments, their translation into the
//! `rig` crate's option structs, the progress display (an indicatif bar on a terminal, JSON
//! lines otherwise) and the printed summaries. The work itself is `rig`'s; exit status is the
//! verdict: 0 pass, 1 fail, 2 bad input.

use std::io::{IsTerminal, Write};
use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use rig::judge::{RigResults, Severity, Verdict};
use rig::progress::{Event, Progress};
use rig::{CameraSource, FleetSource, Shard, Transport};

use crate::failure::Failure;

/// Arguments of `camscope rig simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// How many standard cameras (1080p25 at 4 Mbit/s with a 360p sub-stream) to run.
    #[arg(long, conflicts_with = "manifest")]
    pub cameras: Option<u32>,
    /// Main-stream bitrate of the standard cameras (with --cameras), e.g. 4Mbps.
    #[arg(long, default_value = "4096kbps", conflicts_with = "manifest")]
    pub bitrate: String,
    /// Run one camera per camera of a `camscope generate` manifest, with its encoder settings.
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// Read past manifest fields this camscope does not know (a manifest from a newer
    /// camscope), listing them, instead of refusing the manifest.
    #[arg(long, requires = "manifest")]
    pub allow_unknown_fields: bool,
    /// Address every camera listens on (keep it on loopback for tests).
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// First ONVIF port (camera i listens on base + i); 0 lets the system choose.
    #[arg(long, default_value_t = 0)]
    pub base_port: u16,
    /// RTSP port shared by all cameras; 0 lets the system choose.
    #[arg(long, default_value_t = 0)]
    pub rtsp_port: u16,
    /// User name the cameras accept.
    #[arg(long, default_value = "admin")]
    pub user: String,
    /// Environment variable holding the cameras' password.
    #[arg(long, value_name = "VAR", default_value = "CAMSCOPE_CAMERA_PASSWORD")]
    pub password_env: String,
    /// Write a JSON array of {name, onvif, rtsp, sub_rtsp, endpoint_reference} here once every
    /// camera listens (and, with --discovery, answers probes).
    #[arg(long, value_name = "FILE")]
    pub endpoints: Option<PathBuf>,
    /// Stop after this long instead of running until interrupted (60s, 1500ms, 2m; a bare
    /// number is seconds), as `rig validate --duration` reads it.
    #[arg(long, value_name = "DURATION")]
    pub duration: Option<String>,
    /// What makes this fleet's serial numbers, MAC addresses and WS-Discovery UUIDs its own.
    /// By default the host name, the --bind address and the manifest path (or camera count):
    /// the same on every restart of this fleet, different from a fleet on another host. Give
    /// two fleets on one host and address different seeds.
    #[arg(long, value_name = "TEXT")]
    pub fleet_seed: Option<String>,
    /// Answer WS-Discovery probes (239.255.255.250:3702) for every camera on the interface
    /// with the --bind address, with Hello on start and Bye on a clean stop. Off by default, so
    /// that a simulator never shows up in a real network's camera discovery.
    #[arg(long)]
    pub discovery: bool,
    /// Whether RTSP asks for the cameras' credentials (Digest or Basic) as real cameras do;
    /// `none` lets tools that would need the password on their command line (ffprobe) stream.
    #[arg(long, value_enum, default_value_t = RtspAuthArg::Digest)]
    pub rtsp_auth: RtspAuthArg,
    /// Inject the faults listed in this TOML file (see docs/rig.md, "Simulator faults").
    #[arg(long, value_name = "FILE")]
    pub faults: Option<PathBuf>,
}

/// Values of `--rtsp-auth`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RtspAuthArg {
    /// 401 with a Digest challenge without the right credentials (Basic is accepted too).
    Digest,
    /// Anyone may stream.
    None,
}

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

/// Arguments of `camscope rig inventory`.
#[derive(Debug, Args)]
pub struct InventoryArgs {
    /// The manifest `camscope generate` wrote.
    pub manifest: PathBuf,
    /// A JSON array of {name, onvif, rtsp} (as `camscope rig simulate --endpoints` writes).
    #[arg(long, value_name = "FILE", group = "source")]
    pub endpoints: Option<PathBuf>,
    /// A camera-list CSV: camera, onvif, [rtsp], [username_env], [password_env] (as
    /// `rig validate --inventory` reads it). `camera` is the planned id or any name; a camera
    /// whose name is no planned id is matched by its address.
    #[arg(long, value_name = "FILE", group = "source")]
    pub cameras: Option<PathBuf>,
    /// Find the cameras with WS-Discovery through the interface with this IPv4 address.
    #[arg(long, value_name = "INTERFACE-ADDRESS", group = "source")]
    pub discover: Option<std::net::Ipv4Addr>,
    /// Where to write the inventory (JSON, `camscope-inventory/1`).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// The camera source of the three mutually exclusive source options.
fn source_of(
    endpoints: Option<PathBuf>,
    list: Option<PathBuf>,
    discover: Option<std::net::Ipv4Addr>,
) -> Option<CameraSource> {
    endpoints
        .map(CameraSource::Endpoints)
        .or(list.map(CameraSource::CameraList))
        .or(discover.map(CameraSource::Discover))
}

fn duration_of(text: &str) -> Result<std::time::Duration, Failure> {
    rig::parse_duration(text).map_err(|e| Failure::new(format!("--duration {e}")))
}

/// `rig simulate`'s status lines: warnings and the serving line, on stdout as they happen.
struct SimulateStatus<'a> {
    out: &'a mut dyn Write,
}

impl Progress for SimulateStatus<'_> {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Warning(w) => {
                let _ = writeln!(self.out, "warning: {w}");
            }
            Event::Serving {
                cameras,
                onvif,
                rtsp,
                bind,
                discovery,
                endpoints,
            } => {
                let _ = writeln!(
                    self.out,
                    "serving {cameras} simulated camera(s): ONVIF from {onvif}, RTSP {rtsp}{}{}",
                    discovery
                        .map(|group| format!("; WS-Discovery on {group} via {bind}"))
                        .unwrap_or_default(),
                    endpoints
                        .map(|p| format!("; endpoints in {}", p.display()))
                        .unwrap_or_default()
                );
            }
            _ => {}
        }
        let _ = self.out.flush();
    }
}

/// Runs `camscope rig simulate`.
pub fn simulate(args: SimulateArgs, out: &mut dyn Write) -> Result<i32, Failure> {
    let source = match (args.manifest, args.cameras) {
        (Some(path), _) => FleetSource::Manifest {
            path,
            allow_unknown_fields: args.allow_unknown_fields,
        },
        (None, Some(count)) => FleetSource::Standard {
            count,
            bitrate: args
                .bitrate
                .parse()
                .map_err(|e| Failure::new(format!("--bitrate: {e}")))?,
        },
        (None, None) => {
            return Err(Failure::new(
                "give --cameras N or --manifest manifest.json".into(),
            ));
        }
    };
    let duration = args.duration.as_deref().map(duration_of).transpose()?;
    // Fault starts and ends, and the servers' warnings, go to stderr; stdout keeps the status.
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
    let options = rig::SimulateOptions {
        source,
        bind: args.bind,
        base_port: args.base_port,
        rtsp_port: args.rtsp_port,
        user: args.user,
        password_env: args.password_env,
        endpoints: args.endpoints,
        duration,
        fleet_seed: args.fleet_seed,
        discovery: args.discovery,
        rtsp_auth: args.rtsp_auth == RtspAuthArg::Digest,
        faults: args.faults,
    };
    rig::simulate(options, &mut SimulateStatus { out })?;
    Ok(0)
}

/// `rig validate`'s progress on stderr: a live bar, or one JSON object per line.
struct ValidateProgress<'a> {
    mode: ProgressMode,
    bar: Option<indicatif::ProgressBar>,
    err: &'a mut dyn Write,
}

impl ValidateProgress<'_> {
    fn json(&mut self, value: serde_json::Value) {
        if self.mode == ProgressMode::Json {
            let _ = writeln!(self.err, "{value}");
            let _ = self.err.flush();
        }
    }
}

impl Progress for ValidateProgress<'_> {
    fn event(&mut self, event: Event<'_>) {
        use serde_json::json;
        match event {
            Event::Warning(w) => {
                let _ = writeln!(self.err, "warning: {w}");
            }
            Event::Located { cameras, found } => {
                self.json(json!({"event": "located", "cameras": cameras, "found": found}));
            }
            Event::OnvifDone {
                cameras,
                with_problems,
            } => self.json(
                json!({"event": "onvif-done", "cameras": cameras, "with_problems": with_problems}),
            ),
            Event::WindowStarted { seconds, .. } if self.mode == ProgressMode::Bar => {
                let bar = indicatif::ProgressBar::new(seconds);
                bar.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len}s {msg}",
                    )
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
                self.bar = Some(bar);
            }
            Event::Connected { camera } => {
                self.json(json!({"event": "connected", "camera": camera}));
            }
            Event::FirstFrame { camera, after_s } => {
                self.json(json!({"event": "first-frame", "camera": camera, "after_s": after_s}))
            }
            Event::Retrying {
                camera,
                attempt,
                after_s,
                cause,
            } => self.json(json!({
                "event": "retrying", "camera": camera, "attempt": attempt,
                "after_s": after_s, "cause": cause,
            })),
            Event::Interrupted { after_s } => {
                self.json(json!({"event": "interrupted", "after_s": after_s}));
            }
            Event::Tick {
                elapsed_s,
                streaming,
                streams,
                received_bps,
                lost_packets,
                reconnects,
            } => match &self.bar {
                Some(bar) => {
                    bar.set_position(elapsed_s as u64);
                    bar.set_message(format!(
                        "{streaming}/{streams} streaming · {:.1} Mbit/s · lost {lost_packets} · reconnects {reconnects}",
                        received_bps / 1e6
                    ));
                }
                None => self.json(json!({
                    "event": "progress", "elapsed_s": elapsed_s, "streaming": streaming,
                    "cameras": streams, "mbit_per_s": received_bps / 1e6,
                    "lost_packets": lost_packets, "reconnects": reconnects,
                })),
            },
            Event::WindowEnded => {
                if let Some(bar) = self.bar.take() {
                    bar.finish_and_clear();
                }
            }
            Event::WindowStarted { .. } | Event::Serving { .. } => {}
        }
    }
}

/// Runs `camscope rig validate`.
pub fn validate(
    args: ValidateArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32, Failure> {
    let duration = duration_of(&args.duration)?;
    let shard = args.shard.as_deref().map(str::parse::<Shard>).transpose()?;
    let mode = match args.progress {
        ProgressMode::Auto if std::io::stderr().is_terminal() => ProgressMode::Bar,
        ProgressMode::Auto => ProgressMode::Json,
        other => other,
    };
    let options = rig::ValidateOptions {
        manifest: args.manifest,
        allow_unknown_fields: args.allow_unknown_fields,
        source: source_of(args.endpoints, args.inventory, args.discover),
        duration,
        apply: args.apply,
        transport: match args.transport {
            TransportArg::Tcp => Transport::Tcp,
            TransportArg::Udp => Transport::Udp,
        },
        record_to: args.record_to,
        shard,
        tolerances: args.tolerances,
    };
    let mut progress = ValidateProgress {
        mode,
        bar: None,
        err,
    };
    let results = rig::validate(options, &mut progress)?;
    rig::write_results(&results, args.out.as_deref(), args.report.as_deref())?;
    print_summary(&results, out);
    progress.json(serde_json::json!({
        "event": "done", "verdict": results.verdict,
        "passed": results.summary.passed, "failed": results.summary.failed,
    }));
    Ok(verdict_status(results.verdict))
}

/// Runs `camscope rig merge`.
pub fn merge(args: MergeArgs, out: &mut dyn Write) -> Result<i32, Failure> {
    let merged = rig::merge(&args.manifest, &args.results)?;
    rig::write_results(&merged, args.out.as_deref(), args.report.as_deref())?;
    print_summary(&merged, out);
    Ok(verdict_status(merged.verdict))
}

fn verdict_status(v: Verdict) -> i32 {
    match v {
        Verdict::Pass => 0,
        Verdict::Fail => 1,
    }
}

/// The verdict line, the run's own findings and the first camera failures.
fn print_summary(results: &RigResults, out: &mut dyn Write) {
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
}

/// Runs `camscope rig inventory`.
pub fn inventory(
    args: InventoryArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32, Failure> {
    let options = rig::SurveyOptions {
        manifest: args.manifest,
        source: source_of(args.endpoints, args.cameras, args.discover),
    };
    let inventory = rig::survey(&options)?;
    rig::write_inventory(&inventory, &args.out)?;
    print_inventory(&inventory, &args.out.display().to_string(), out, err);
    let complete = inventory
        .cameras
        .iter()
        .all(|c| c.status == rig::inventory::Status::Reported);
    Ok(if complete { 0 } else { 1 })
}

/// One line per camera: how it was matched and what it reported, or why not; then the devices
/// that matched nothing and a summary.
fn print_inventory(
    inv: &rig::inventory::Inventory,
    file: &str,
    out: &mut dyn Write,
    err: &mut dyn Write,
) {
    use rig::inventory::Status;
    for c in &inv.cameras {
        let how = c.matched_by.map_or(String::new(), |by| match &c.listed_as {
            Some(name) => format!(" (matched by {by} as {name:?})", by = by.as_str()),
            None => format!(" (matched by {})", by.as_str()),
        });
        match (&c.main, c.status) {
            (Some(main), Status::Reported) => {
                let _ = writeln!(
                    out,
                    "{}{how}: main {}{}",
                    c.id,
                    main.uri.as_str(),
                    c.sub
                        .as_ref()
                        .map(|s| format!(", sub {}", s.uri.as_str()))
                        .unwrap_or_default()
                );
                for n in &c.notes {
                    let _ = writeln!(err, "note: {}: {n}", c.id);
                }
            }
            _ => {
                let _ = writeln!(out, "{}{how}: {}: {}", c.id, c.status, c.notes.join("; "));
            }
        }
    }
    for u in &inv.unmatched {
        let _ = writeln!(
            out,
            "unmatched device {}{}: {}",
            u.name
                .as_deref()
                .map_or("(no name)".to_string(), |n| format!("{n:?}")),
            u.onvif
                .as_deref()
                .map(|o| format!(" at {o}"))
                .unwrap_or_default(),
            u.reason
        );
    }
    let count = |s: Status| inv.cameras.iter().filter(|c| c.status == s).count();
    let _ = writeln!(
        out,
        "wrote {file}: {} of {} planned camera(s) reported their streams; {} did not answer, {} reported no stream URI, {} not found; {} device(s) matched no planned camera",
        count(Status::Reported),
        inv.cameras.len(),
        count(Status::NoAnswer),
        count(Status::NoStreamUri),
        count(Status::NotFound),
        inv.unmatched.len()
    );
}
