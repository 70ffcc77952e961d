//! `rig simulate`: the simulated camera fleet, from a manifest or a camera count.
//!
//! The servers live in `hil-rig`; this module turns a manifest (or a count) into camera specs,
//! checks every stream and the fault plan before anything listens, writes the endpoints file
//! once everything listens, and runs until interrupted or for a set time. Fault starts and ends
//! are `tracing` events: the caller decides where they go.
//!
//! WS-Discovery is opt-in: answering multicast probes from a shared machine would put simulated
//! cameras into the camera lists of real VMSs on that network, so it only starts when asked
//! for, on the interface of the bind address.

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use hil_rig::discovery::{MULTICAST_V4, ResponderConfig};
use hil_rig::faults::FaultPlan;
use hil_rig::fleet::{CameraSpec, Endpoint, Fleet, FleetConfig, check_faults};
use hil_rig::onvif::auth::{Credentials, Secret};
use hil_rig::video::{Codec, VideoConfig};

use crate::input::{host_name, read_manifest, runtime, stop_signal};
use crate::progress::{Event, Progress};
use crate::{Error, ErrorKind};

/// What the fleet is made from.
#[derive(Debug, Clone)]
pub enum FleetSource {
    /// `count` standard cameras (1080p25 with a 360p sub-stream) at `bitrate`.
    Standard {
        /// How many.
        count: u32,
        /// Their main-stream bitrate.
        bitrate: sizing::Bitrate,
    },
    /// One camera per camera of a `camscope generate` manifest, with its encoder settings.
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// Read past fields this camscope does not know, with a warning each.
        allow_unknown_fields: bool,
    },
}

/// How `simulate` runs the fleet.
#[derive(Debug, Clone)]
pub struct SimulateOptions {
    /// What the fleet is made from.
    pub source: FleetSource,
    /// Address every camera listens on.
    pub bind: IpAddr,
    /// First ONVIF port (camera i listens on base + i); 0 lets the system choose.
    pub base_port: u16,
    /// RTSP port shared by all cameras; 0 lets the system choose.
    pub rtsp_port: u16,
    /// User name the cameras accept.
    pub user: String,
    /// Environment variable holding the cameras' password.
    pub password_env: String,
    /// Where to write the endpoints (JSON) once every camera listens.
    pub endpoints: Option<PathBuf>,
    /// Stop after this long instead of running until interrupted.
    pub duration: Option<Duration>,
    /// What makes this fleet's serial numbers, MACs and UUIDs its own; by default the host
    /// name, the bind address and the manifest path (or camera count).
    pub fleet_seed: Option<String>,
    /// Answer WS-Discovery probes on the interface of `bind`.
    pub discovery: bool,
    /// Whether RTSP asks for credentials as real cameras do.
    pub rtsp_auth: bool,
    /// A fault plan (TOML) to inject.
    pub faults: Option<PathBuf>,
}

/// The interface address discovery runs on: a concrete IPv4 address, since the group is
/// joined there and every camera's XAddrs carry it.
fn discovery_interface(bind: IpAddr) -> Result<Ipv4Addr, Error> {
    match bind {
        IpAddr::V4(ip) if !ip.is_unspecified() && !ip.is_multicast() && !ip.is_broadcast() => {
            Ok(ip)
        }
        other => Err(Error::input(format!(
            "--discovery needs --bind to be the IPv4 address of the interface the cameras are \
             found on (it is joined to {} and sent in every XAddr), not {other}",
            MULTICAST_V4.ip()
        ))),
    }
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

/// The cameras of the fleet; warnings about the manifest go to `progress`.
fn specs_of(source: &FleetSource, progress: &mut dyn Progress) -> Result<Vec<CameraSpec>, Error> {
    match source {
        FleetSource::Manifest {
            path,
            allow_unknown_fields,
        } => {
            let read = read_manifest(path, *allow_unknown_fields)?;
            for w in &read.warnings {
                progress.event(Event::Warning(w));
            }
            Ok(read.manifest.cameras.iter().map(camera_spec).collect())
        }
        FleetSource::Standard { count, bitrate } if *count > 0 => Ok((0..*count as usize)
            .map(|i| {
                let mut spec = CameraSpec::standard(i);
                spec.main.bitrate_bps = bitrate.bps();
                spec
            })
            .collect()),
        FleetSource::Standard { .. } => {
            Err(Error::input("give --cameras N or --manifest manifest.json"))
        }
    }
}

/// Every stream and the fault plan checked against the fleet, before anything listens, so a
/// bad manifest or plan fails with the camera named.
fn checked_faults(specs: &[CameraSpec], faults: Option<&Path>) -> Result<Option<FaultPlan>, Error> {
    for s in specs {
        for (kind, v) in
            std::iter::once(("main", &s.main)).chain(s.sub.as_ref().map(|v| ("sub", v)))
        {
            hil_rig::video::H264Generator::new(*v).map_err(|e| {
                Error::input(format!("camera {} {kind} stream: {}", s.name, e.message))
            })?;
        }
    }
    match faults {
        Some(path) => {
            let plan = FaultPlan::load(path).map_err(|e| Error::of(ErrorKind::Input, e))?;
            check_faults(&plan, specs).map_err(|e| Error::of(ErrorKind::Input, e))?;
            Ok(Some(plan))
        }
        None => Ok(None),
    }
}

/// Runs the fleet until interrupted (Ctrl-C, SIGTERM) or for `options.duration`.
pub fn simulate(options: SimulateOptions, progress: &mut dyn Progress) -> Result<(), Error> {
    let specs = specs_of(&options.source, progress)?;
    // The input first, so a bad manifest is reported whatever the environment holds.
    let password = std::env::var(&options.password_env).unwrap_or_default();
    if password.is_empty() {
        return Err(Error::input(format!(
            "set {} to the cameras' password: it is read from the environment, never from the command line",
            options.password_env
        )));
    }
    let discovery = if options.discovery {
        Some(ResponderConfig::multicast(discovery_interface(
            options.bind,
        )?))
    } else {
        None
    };
    let faults = checked_faults(&specs, options.faults.as_deref())?;
    let runtime = runtime()?;
    let seed = options
        .fleet_seed
        .clone()
        .unwrap_or_else(|| default_seed(&options));
    runtime.block_on(async {
        let count = specs.len();
        let fleet = Fleet::start(FleetConfig {
            cameras: specs,
            bind: options.bind,
            base_port: options.base_port,
            rtsp_port: options.rtsp_port,
            credentials: Credentials {
                username: options.user.clone(),
                password: Secret::new(password),
            },
            discovery,
            rtsp_auth: options.rtsp_auth,
            faults,
            seed,
        })
        .await
        .map_err(|e| Error::of(ErrorKind::Io, e))?;
        if let Some(path) = &options.endpoints {
            write_endpoints(path, fleet.endpoints())?;
        }
        let first = fleet.endpoints().first();
        progress.event(Event::Serving {
            cameras: count,
            onvif: first.map_or("", |e| e.onvif.as_str()),
            rtsp: first.map_or("", |e| e.rtsp.as_str()),
            bind: options.bind,
            discovery: fleet.discovery_addr().is_some().then_some(MULTICAST_V4),
            endpoints: options.endpoints.as_deref(),
        });
        let duration = options.duration;
        fleet
            .run_until(async move {
                // An interrupt stops cleanly (Bye for every camera) with a duration too.
                match duration {
                    Some(s) => tokio::select! {
                        () = tokio::time::sleep(s) => {},
                        () = stop_signal() => {},
                    },
                    None => stop_signal().await,
                }
            })
            .await;
        Ok(())
    })
}

/// The fleet seed when none is given: this host, the address the cameras listen on, and what
/// the fleet was made from.
fn default_seed(options: &SimulateOptions) -> String {
    let host = host_name();
    let source = match &options.source {
        FleetSource::Manifest { path, .. } => std::fs::canonicalize(path)
            .unwrap_or_else(|_| path.clone())
            .display()
            .to_string(),
        FleetSource::Standard { count, .. } => format!("cameras:{count}"),
    };
    format!("{}|{}|{source}", host.trim(), options.bind)
}

/// Writes the endpoints atomically (a reader polling for the file never sees half of it).
fn write_endpoints(path: &Path, endpoints: &[Endpoint]) -> Result<(), Error> {
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
        .map_err(|e| Error::caused(ErrorKind::Io, "writing endpoints", e))?
        + "\n";
    let tmp = path.with_extension("json.partial");
    std::fs::write(&tmp, text).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}
