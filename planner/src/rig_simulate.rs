//! `camscope rig …`: the simulated camera fleet on the command line.
//!
//! The rig's servers live in `hil-rig`; this module turns a manifest (or a camera count) into
//! camera specs, reads the cameras' password from the environment (never from the command line),
//! reads and checks a fault plan before anything listens, writes the endpoints file once
//! everything listens, and runs until interrupted. Fault starts and ends are logged to stderr.
//!
//! WS-Discovery is opt-in (`--discovery`): answering multicast probes from a shared machine
//! would put simulated cameras into the camera lists of real VMSs on that network, so it is
//! only started when asked for, on the interface of the `--bind` address.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use hil_rig::discovery::{MULTICAST_V4, ResponderConfig};
use hil_rig::faults::FaultPlan;
use hil_rig::fleet::{CameraSpec, Endpoint, Fleet, FleetConfig, check_faults};
use hil_rig::onvif::auth::{Credentials, Secret};
use hil_rig::video::{Codec, VideoConfig};

use crate::cli::Failure;

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

/// The interface address discovery runs on: a concrete IPv4 address, since the group is
/// joined there and every camera's XAddrs carry it.
fn discovery_interface(bind: IpAddr) -> Result<Ipv4Addr, Failure> {
    match bind {
        IpAddr::V4(ip) if !ip.is_unspecified() && !ip.is_multicast() && !ip.is_broadcast() => {
            Ok(ip)
        }
        other => Err(Failure::new(format!(
            "--discovery needs --bind to be the IPv4 address of the interface the cameras are \
             found on (it is joined to {} and sent in every XAddr), not {other}",
            MULTICAST_V4.ip()
        ))),
    }
}

/// Values of `--rtsp-auth`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RtspAuthArg {
    /// 401 with a Digest challenge without the right credentials (Basic is accepted too).
    Digest,
    /// Anyone may stream.
    None,
}

/// Reads a manifest for the rig, the same way for every rig command: JSON of another shape, no
/// cameras, an id used twice, a missing camera or recorder and (unless `allow_unknown`) an
/// unknown field are bad input naming file, line, column and field. Returns the manifest, its
/// text and a warning per unknown field read past.
pub(crate) fn read_manifest(
    path: &Path,
    allow_unknown: bool,
) -> Result<(manifest::Manifest, String, Vec<String>), Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::caused(path.display().to_string(), e))?;
    let file = path.display().to_string();
    let unknown = if allow_unknown {
        manifest::UnknownFields::Allow
    } else {
        manifest::UnknownFields::Refuse
    };
    let parsed = manifest::parse_with(&file, &text, unknown).map_err(Failure::of)?;
    let warnings = parsed
        .unknown_fields
        .iter()
        .map(|f| format!("{file}: {f}: unknown field, read past (--allow-unknown-fields)"))
        .collect();
    Ok((parsed.manifest, text, warnings))
}

fn specs_from_manifest(
    path: &Path,
    allow_unknown: bool,
    out: &mut dyn Write,
) -> Result<Vec<CameraSpec>, Failure> {
    let (manifest, _, warnings) = read_manifest(path, allow_unknown)?;
    for w in warnings {
        writeln!(out, "warning: {w}").map_err(|e| Failure::caused("stdout", e))?;
    }
    Ok(manifest.cameras.iter().map(camera_spec).collect())
}

/// The simulated camera that streams what the plan set for `c`.
fn camera_spec(c: &manifest::Camera) -> CameraSpec {
    let e = &c.encoder;
    let fps = (e.fps.round() as u32).max(1);
    let main = VideoConfig::new(
        e.width,
        e.height,
        fps,
        e.gop.max(1),
        e.bitrate_cap_kbps * 1000,
    );
    let sub = c.substream.as_ref().map(|s| {
        VideoConfig::new(
            640,
            360,
            fps.min(10),
            fps.min(10) * 2,
            s.bitrate_kbps * 1000,
        )
    });
    // The camera starts as planned, so validating without --apply passes on a faithful fleet;
    // MJPEG is not simulated and streams as H.264 (the rig then reports the codec as differing,
    // which is the truth about this simulator).
    let codec = match e.codec {
        manifest::Codec::H265 | manifest::Codec::H265Smart => Codec::H265,
        manifest::Codec::H264 | manifest::Codec::H264Smart | manifest::Codec::Mjpeg => Codec::H264,
    };
    CameraSpec {
        name: c.id.clone(),
        codec,
        main,
        sub,
    }
}

/// Runs the fleet; `out` gets the endpoints and status lines as they happen.
pub fn simulate(args: SimulateArgs, out: &mut dyn Write) -> Result<i32, Failure> {
    let specs = match (&args.manifest, args.cameras) {
        (Some(path), _) => specs_from_manifest(path, args.allow_unknown_fields, out)?,
        (None, Some(n)) if n > 0 => {
            let bitrate: sizing::Bitrate = args
                .bitrate
                .parse()
                .map_err(|e| Failure::new(format!("--bitrate: {e}")))?;
            (0..n as usize)
                .map(|i| {
                    let mut spec = CameraSpec::standard(i);
                    spec.main.bitrate_bps = bitrate.bps();
                    spec
                })
                .collect()
        }
        _ => {
            return Err(Failure::new(
                "give --cameras N or --manifest manifest.json".into(),
            ));
        }
    };
    // The input first, so a bad manifest is reported whatever the environment holds.
    let password = std::env::var(&args.password_env).unwrap_or_default();
    if password.is_empty() {
        return Err(Failure::new(format!(
            "set {} to the cameras' password: it is read from the environment, never from the command line",
            args.password_env
        )));
    }
    let discovery = if args.discovery {
        Some(ResponderConfig::multicast(discovery_interface(args.bind)?))
    } else {
        None
    };
    // Check every stream before binding anything, so a bad manifest fails with the camera named.
    for s in &specs {
        for (kind, v) in
            std::iter::once(("main", &s.main)).chain(s.sub.as_ref().map(|v| ("sub", v)))
        {
            hil_rig::video::H264Generator::new(*v).map_err(|e| {
                Failure::new(format!("camera {} {kind} stream: {}", s.name, e.message))
            })?;
        }
    }
    // The same for the fault plan: its own mistakes, then names and bitrates against the fleet.
    let faults = match &args.faults {
        Some(path) => {
            let plan = FaultPlan::load(path).map_err(Failure::of)?;
            check_faults(&plan, &specs).map_err(Failure::of)?;
            Some(plan)
        }
        None => None,
    };
    // Fault starts and ends, and the servers' warnings, go to stderr; stdout keeps the status.
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::caused("cannot start the async runtime", e))?;
    let duration = args
        .duration
        .as_deref()
        .map(crate::rig_validate::parse_duration)
        .transpose()
        .map_err(|e| Failure::new(format!("--duration {e}")))?;
    let seed = args
        .fleet_seed
        .clone()
        .unwrap_or_else(|| default_seed(&args));
    runtime.block_on(async {
        let count = specs.len();
        let fleet = Fleet::start(FleetConfig {
            cameras: specs,
            bind: args.bind,
            base_port: args.base_port,
            rtsp_port: args.rtsp_port,
            credentials: Credentials {
                username: args.user.clone(),
                password: Secret::new(password),
            },
            discovery,
            rtsp_auth: args.rtsp_auth == RtspAuthArg::Digest,
            faults,
            seed,
        })
        .await
        .map_err(Failure::of)?;
        if let Some(path) = &args.endpoints {
            write_endpoints(path, fleet.endpoints())?;
        }
        let _ = writeln!(
            out,
            "serving {count} simulated camera(s): ONVIF from {}, RTSP {}{}{}",
            fleet.endpoints().first().map_or("", |e| e.onvif.as_str()),
            fleet.endpoints().first().map_or("", |e| e.rtsp.as_str()),
            if fleet.discovery_addr().is_some() {
                format!("; WS-Discovery on {MULTICAST_V4} via {}", args.bind)
            } else {
                String::new()
            },
            args.endpoints
                .as_ref()
                .map(|p| format!("; endpoints in {}", p.display()))
                .unwrap_or_default()
        );
        let _ = out.flush();
        fleet
            .run_until(async move {
                // An interrupt stops cleanly (Bye for every camera) with --duration too.
                match duration {
                    Some(s) => tokio::select! {
                        () = tokio::time::sleep(s) => {},
                        () = stop_signal() => {},
                    },
                    None => stop_signal().await,
                }
            })
            .await;
        Ok(0)
    })
}

/// This machine's host name, or empty when the system does not say.
pub(crate) fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_string())
        .unwrap_or_default()
}

/// The fleet seed when none is given: this host, the address the cameras listen on, and what
/// the fleet was made from.
fn default_seed(args: &SimulateArgs) -> String {
    let host = host_name();
    let source = match (&args.manifest, args.cameras) {
        (Some(path), _) => std::fs::canonicalize(path)
            .unwrap_or_else(|_| path.clone())
            .display()
            .to_string(),
        (None, n) => format!("cameras:{}", n.unwrap_or(0)),
    };
    format!("{}|{}|{source}", host.trim(), args.bind)
}

/// Resolves on Ctrl-C (SIGINT) or, on Unix, SIGTERM (what job runners send).
pub(crate) async fn stop_signal() {
    #[cfg(unix)]
    {
        if let Ok(mut term) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {},
                _ = term.recv() => {},
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Writes the endpoints atomically (a reader polling for the file never sees half of it).
fn write_endpoints(path: &Path, endpoints: &[Endpoint]) -> Result<(), Failure> {
    let list: Vec<serde_json::Value> = endpoints
        .iter()
        .map(|e| {
            serde_json::json!({
                "name": e.name,
                "onvif": e.onvif,
                "rtsp": e.rtsp,
                "sub_rtsp": e.sub_rtsp,
                "endpoint_reference": e.endpoint_reference,
            })
        })
        .collect();
    let text = serde_json::to_string_pretty(&list)
        .map_err(|e| Failure::caused("writing endpoints", e))?
        + "\n";
    let tmp = path.with_extension("json.partial");
    std::fs::write(&tmp, text).map_err(|e| Failure::caused(tmp.display().to_string(), e))?;
    std::fs::rename(&tmp, path).map_err(|e| Failure::caused(path.display().to_string(), e))
}
