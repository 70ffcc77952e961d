//! A fleet of simulated cameras in one process: each with its own ONVIF services and account,
//! all streaming from one RTSP server.
//!
//! A camera's ONVIF state is the single source of truth for its streams: every profile's
//! encoder configuration feeds a watch channel that the matching RTSP mount follows, so a
//! `SetVideoEncoderConfiguration` changes what every later session receives — codec included —
//! as on a real camera. The cameras offer H.264 and H.265 because the stream generator produces
//! both, so a client can never set a stream the camera would not really send.
//!
//! With [`FleetConfig::discovery`] set, one WS-Discovery [`Responder`] answers probes for every
//! camera once all of them listen, so its `Hello` never names a port that is not yet served,
//! and says `Bye` for each when the fleet stops. It is off unless asked for: a simulator on a
//! shared machine must not show up in a real network's camera discovery.
//!
//! Like real cameras, the fleet asks for credentials on RTSP as well as ONVIF unless told not
//! to, and it can play a [`FaultPlan`] against its cameras, timed from the moment it listens.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::discovery::{self, Responder, ResponderConfig};
use crate::error::Error;
use crate::faults::{FaultFeed, FaultKind, FaultPlan, FaultPlanError, Injector};
use crate::onvif::auth::Credentials;
use crate::onvif::camera::{Camera, CameraState, EncoderConfig, Encoding, Resolution};
use crate::onvif::server::OnvifServer;
use crate::onvif::snapshot::SnapshotCache;
use crate::rtsp::{Mount, RtspAuth, RtspServer, ServerOptions, StreamSettings};
use crate::video::{Codec, VideoConfig, VideoGenerator};

/// What one camera streams.
#[derive(Debug, Clone, PartialEq)]
pub struct CameraSpec {
    /// Name (a manifest camera id, or `cam0`, `cam1` …).
    pub name: String,
    /// Codec of the main stream (a sub-stream is H.264, as on most cameras).
    pub codec: Codec,
    /// Main stream.
    pub main: VideoConfig,
    /// Sub-stream, if the camera has one.
    pub sub: Option<VideoConfig>,
}

impl CameraSpec {
    /// The default camera: 1920x1080 at 25 fps and 4 Mbit/s, with a 640x360 10 fps 512 kbit/s
    /// sub-stream, GOPs of two seconds.
    pub fn standard(index: usize) -> CameraSpec {
        CameraSpec {
            name: format!("cam{index}"),
            codec: Codec::H264,
            main: VideoConfig::new(1920, 1080, 25, 50, 4_096_000),
            sub: Some(VideoConfig::new(640, 360, 10, 20, 512_000)),
        }
    }
}

/// How to run the fleet.
#[derive(Debug, Clone)]
pub struct FleetConfig {
    /// The cameras.
    pub cameras: Vec<CameraSpec>,
    /// Address every server binds to (loopback for tests).
    pub bind: IpAddr,
    /// First ONVIF HTTP port; camera `i` listens on `base_port + i`. 0 lets the system choose.
    pub base_port: u16,
    /// RTSP port for all cameras; 0 lets the system choose.
    pub rtsp_port: u16,
    /// The account every camera accepts.
    pub credentials: Credentials,
    /// WS-Discovery for the whole fleet (normally [`ResponderConfig::multicast`] on the `bind`
    /// address); `None` starts nothing that listens for or sends multicast.
    pub discovery: Option<ResponderConfig>,
    /// Whether RTSP requests need the account too (Digest or Basic), as on real cameras.
    pub rtsp_auth: bool,
    /// Faults to inject, timed from when the fleet listens.
    pub faults: Option<FaultPlan>,
    /// What makes this fleet's devices its own: serial numbers, MAC addresses and WS-Discovery
    /// endpoint UUIDs are derived from it and each camera's name, so two fleets on one network
    /// never announce the same device, and one fleet keeps its identities across restarts.
    pub seed: String,
}

impl FleetConfig {
    /// `cameras` on 127.0.0.1 with system-chosen ports, RTSP authentication on and no faults.
    pub fn loopback(cameras: Vec<CameraSpec>, credentials: Credentials) -> FleetConfig {
        FleetConfig {
            cameras,
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            base_port: 0,
            rtsp_port: 0,
            credentials,
            discovery: None,
            rtsp_auth: true,
            faults: None,
            seed: "loopback".into(),
        }
    }
}

/// A simulated device's identity within a fleet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Serial number, `SIM-` and 12 hexadecimal digits.
    pub serial_number: String,
    /// A locally administered, unicast MAC address.
    pub mac: String,
}

impl Identity {
    /// The identity of the camera `name` in the fleet `seed`: a keyed hash of both, so it is
    /// the same on every start of that fleet and unrelated between fleets.
    pub fn of(seed: &str, name: &str) -> Identity {
        use sha1::{Digest, Sha1};
        let mut hasher = Sha1::new();
        hasher.update(b"camscope-rig-identity\0");
        hasher.update(seed.as_bytes());
        hasher.update([0]);
        hasher.update(name.as_bytes());
        let d = hasher.finalize();
        let serial: String = d[..6].iter().map(|b| format!("{b:02X}")).collect();
        // Locally administered (bit 1 set), unicast (bit 0 clear).
        let first = (d[6] & 0xFC) | 0x02;
        let mac = [first, d[7], d[8], d[9], d[10], d[11]]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(":");
        Identity {
            serial_number: format!("SIM-{serial}"),
            mac,
        }
    }
}

/// Checks a fault plan against the cameras it will run on: every camera it names exists, and
/// every bitrate fault leaves each stream it touches a bitrate the generator can send exactly.
pub fn check_faults(plan: &FaultPlan, cameras: &[CameraSpec]) -> Result<(), FaultPlanError> {
    let names: Vec<&str> = cameras.iter().map(|c| c.name.as_str()).collect();
    plan.check_cameras(&names)?;
    for (i, fault) in plan.faults().iter().enumerate() {
        let FaultKind::Bitrate { factor } = fault.kind else {
            continue;
        };
        for camera in cameras.iter().filter(|c| fault.targets(&c.name)) {
            let streams = std::iter::once(("main", &camera.main))
                .chain(camera.sub.as_ref().map(|s| ("sub", s)));
            for (which, video) in streams {
                let scaled = (video.bitrate_bps as f64 * factor).round() as u64;
                let config = VideoConfig {
                    bitrate_bps: scaled,
                    ..*video
                };
                if let Err(e) = VideoGenerator::new(Codec::H264, config) {
                    return Err(plan.error_at(
                        i,
                        "factor",
                        format!(
                            "{factor} × the {} bit/s of camera {}'s {which} stream cannot be \
                             sent exactly ({})",
                            video.bitrate_bps, camera.name, e.message
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Where a client finds one camera.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Camera name.
    pub name: String,
    /// ONVIF device service URL.
    pub onvif: String,
    /// Main stream URL.
    pub rtsp: String,
    /// Sub-stream URL, if any.
    pub sub_rtsp: Option<String>,
    /// WS-Discovery endpoint reference (`urn:uuid:…`), stable for the camera; what a
    /// discovery client lists it under.
    pub endpoint_reference: String,
}

/// A running fleet.
#[derive(Debug)]
pub struct Fleet {
    endpoints: Vec<Endpoint>,
    cameras: Vec<Arc<Camera>>,
    stop: watch::Sender<bool>,
    tasks: JoinSet<()>,
    discovery: Option<SocketAddr>,
    started: Instant,
}

fn encoder(token: &str, name: &str, codec: Codec, v: &VideoConfig) -> EncoderConfig {
    EncoderConfig {
        token: token.into(),
        name: name.into(),
        encoding: match codec {
            Codec::H264 => Encoding::H264,
            Codec::H265 => Encoding::H265,
        },
        resolution: Resolution {
            width: v.width,
            height: v.height,
        },
        frame_rate_limit: v.fps,
        bitrate_limit_kbps: u32::try_from(v.bitrate_bps.div_ceil(1000)).unwrap_or(u32::MAX),
        gov_length: v.gop,
        profile: "Main".into(),
        quality: 5.0,
    }
}

/// The stream an encoder configuration asks for, keeping the I/P ratio of `previous`.
fn stream_of(e: &EncoderConfig, previous: &StreamSettings) -> StreamSettings {
    StreamSettings {
        codec: match e.encoding {
            Encoding::H264 => Codec::H264,
            Encoding::H265 => Codec::H265,
        },
        config: VideoConfig {
            width: e.resolution.width,
            height: e.resolution.height,
            fps: e.frame_rate_limit,
            gop: e.gov_length,
            bitrate_bps: u64::from(e.bitrate_limit_kbps) * 1000,
            i_to_p_ratio: previous.config.i_to_p_ratio,
        },
    }
}

/// A camera's encoder configuration, by token, and the channel its RTSP mount follows.
type Follower = (usize, String, watch::Sender<StreamSettings>);

/// The cameras of a fleet before anything listens: their ONVIF state, their RTSP mounts, and
/// which mount follows which encoder configuration.
struct Built {
    cameras: Vec<Arc<Camera>>,
    mounts: Vec<Mount>,
    followers: Vec<Follower>,
}

/// Resolves when `rx` sees the stop signal or its sender is dropped.
async fn until_stop(mut rx: watch::Receiver<bool>) {
    // Either a stop signal or the fleet being dropped ends the wait.
    let _ = rx.wait_for(|s| *s).await;
}

/// The IPv4 address the fleet binds, after checking it has cameras to serve.
fn bind_address(config: &FleetConfig) -> Result<Ipv4Addr, Error> {
    if config.cameras.is_empty() {
        return Err(Error::config("a fleet needs at least one camera"));
    }
    match config.bind {
        IpAddr::V4(v4) => Ok(v4),
        IpAddr::V6(_) => Err(Error::config("the simulated cameras bind IPv4 addresses")),
    }
}

/// The fault injector for the fleet's plan, if any, and each camera's feed from it.
fn fault_feeds(config: &FleetConfig) -> Result<(Option<Injector>, Vec<Option<FaultFeed>>), Error> {
    let names: Vec<String> = config.cameras.iter().map(|c| c.name.clone()).collect();
    Ok(match &config.faults {
        Some(plan) => {
            check_faults(plan, &config.cameras).map_err(|e| Error::config(e.to_string()))?;
            let (injector, feeds) = Injector::new(plan, &names);
            (Some(injector), feeds)
        }
        None => (None, vec![None; names.len()]),
    })
}

/// Camera `index`'s ONVIF state: its identity, host name, and the profiles `spec` asks for.
fn camera_state(index: u32, ip: Ipv4Addr, seed: &str, spec: &CameraSpec) -> CameraState {
    let mut state = CameraState::example(index, ip, 0);
    let identity = Identity::of(seed, &spec.name);
    state.info.serial_number = identity.serial_number;
    state.network.mac = identity.mac;
    // The camera's name is its host name, so a discovery client (and `rig validate
    // --discover`) can tell which planned camera answered from its `name` scope.
    state.network.hostname = spec
        .name
        .replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "-");
    let path = |kind: &str| format!("/{}/{kind}", spec.name.trim_matches('/'));
    state.profiles[0].encoder = encoder("vec_main", "main", spec.codec, &spec.main);
    state.profiles[0].stream_path = path("main");
    match spec.sub.as_ref() {
        Some(sub) => {
            state.profiles[1].encoder = encoder("vec_sub", "sub", Codec::H264, sub);
            state.profiles[1].stream_path = path("sub");
        }
        None => {
            state.profiles.truncate(1);
        }
    }
    state
}

/// One ONVIF state per camera, with the streams the spec asks for and only the codecs the
/// generator can produce, and one RTSP mount per stream.
fn build_cameras(
    config: &FleetConfig,
    ip: Ipv4Addr,
    feeds: &[Option<FaultFeed>],
) -> Result<Built, Error> {
    let mut cameras = Vec::with_capacity(config.cameras.len());
    let mut mounts = Vec::new();
    let mut followers = Vec::new();
    let snapshots = Arc::new(SnapshotCache::new());
    for (i, spec) in config.cameras.iter().enumerate() {
        let index = u32::try_from(i).map_err(|_| Error::config("too many cameras"))?;
        let mut state = camera_state(index, ip, &config.seed, spec);
        for ((profile, video), codec) in state
            .profiles
            .iter()
            .zip(std::iter::once(&spec.main).chain(spec.sub.as_ref()))
            .zip([spec.codec, Codec::H264])
        {
            if !state
                .options
                .resolutions
                .contains(&profile.encoder.resolution)
            {
                state.options.resolutions.push(profile.encoder.resolution);
            }
            let (tx, rx) = watch::channel(StreamSettings {
                codec,
                config: *video,
            });
            let mount = Mount::following(&profile.stream_path, rx)?;
            mounts.push(match &feeds[i] {
                Some(feed) => mount.with_faults(feed.clone()),
                None => mount,
            });
            followers.push((i, profile.encoder.token.clone(), tx));
        }
        let camera = Camera::new(state, config.credentials.clone())
            .with_snapshot_cache(Arc::clone(&snapshots));
        cameras.push(Arc::new(match &feeds[i] {
            Some(feed) => camera.with_faults(feed.state.clone()),
            None => camera,
        }));
    }
    Ok(Built {
        cameras,
        mounts,
        followers,
    })
}

/// The RTSP server's options: Digest authentication with the fleet's account unless turned off.
fn rtsp_options(config: &FleetConfig) -> ServerOptions {
    ServerOptions {
        auth: if config.rtsp_auth {
            RtspAuth::Digest(config.credentials.clone())
        } else {
            RtspAuth::None
        },
        ..ServerOptions::default()
    }
}

/// Camera `i`'s ONVIF HTTP port: `base_port + i`, or 0 to let the system choose.
fn onvif_port(config: &FleetConfig, i: usize) -> Result<u16, Error> {
    if config.base_port == 0 {
        return Ok(0);
    }
    let offset =
        u16::try_from(i).map_err(|_| Error::config("too many cameras for one port range"))?;
    config.base_port.checked_add(offset).ok_or_else(|| {
        Error::config(format!(
            "--base-port {} + {i} is past port 65535",
            config.base_port
        ))
    })
}

/// Binds every camera's ONVIF server, spawns it into `tasks`, and returns where each camera is.
async fn serve_onvif(
    config: &FleetConfig,
    ip: Ipv4Addr,
    cameras: &[Arc<Camera>],
    rtsp_port: u16,
    stopped: &watch::Receiver<bool>,
    tasks: &mut JoinSet<()>,
) -> Result<Vec<Endpoint>, Error> {
    let mut endpoints = Vec::with_capacity(cameras.len());
    for (i, camera) in cameras.iter().enumerate() {
        camera.set_rtsp_port(rtsp_port);
        let port = onvif_port(config, i)?;
        let server = OnvifServer::bind(SocketAddr::new(config.bind, port), Arc::clone(camera))
            .await
            .map_err(|e| {
                Error::io(
                    format!(
                        "camera {}: cannot listen on {}",
                        config.cameras[i].name, e.addr
                    ),
                    e.source,
                )
            })?;
        let state = camera.state();
        let uri = |p: &str| format!("rtsp://{}:{rtsp_port}{p}", ip_text(ip));
        endpoints.push(Endpoint {
            name: config.cameras[i].name.clone(),
            onvif: server.device_url(),
            rtsp: uri(&state.profiles[0].stream_path),
            sub_rtsp: state.profiles.get(1).map(|p| uri(&p.stream_path)),
            endpoint_reference: discovery::Endpoint::for_camera(&state).address,
        });
        tasks.spawn(server.serve(until_stop(stopped.clone())));
    }
    Ok(endpoints)
}

/// Binds the WS-Discovery responder, if asked for, announcing every camera; its address.
async fn serve_discovery(
    responder_config: Option<ResponderConfig>,
    cameras: &[Arc<Camera>],
    stopped: &watch::Receiver<bool>,
    tasks: &mut JoinSet<()>,
) -> Result<Option<SocketAddr>, Error> {
    let Some(responder_config) = responder_config else {
        return Ok(None);
    };
    let announced = cameras
        .iter()
        .map(|c| discovery::Endpoint::for_camera(&c.state()))
        .collect();
    let responder = Responder::bind(responder_config, announced).await?;
    let addr = responder.local_addr()?;
    tasks.spawn(responder.serve(until_stop(stopped.clone())));
    Ok(Some(addr))
}

/// Spawns one task per stream that sends each change of its encoder configuration to its mount.
fn follow_encoders(
    followers: Vec<Follower>,
    cameras: &[Arc<Camera>],
    stopped: &watch::Receiver<bool>,
    tasks: &mut JoinSet<()>,
) {
    for (i, token, tx) in followers {
        let mut changes = cameras[i].subscribe();
        let mut stopped = stopped.clone();
        tasks.spawn(async move {
            loop {
                let current = changes
                    .borrow_and_update()
                    .profiles
                    .iter()
                    .find(|p| p.encoder.token == token)
                    .map(|p| p.encoder.clone());
                if let Some(e) = current {
                    tx.send_if_modified(|v| {
                        let next = stream_of(&e, v);
                        let changed = next != *v;
                        *v = next;
                        changed
                    });
                }
                tokio::select! {
                    changed = changes.changed() => if changed.is_err() { break },
                    _ = stopped.wait_for(|s| *s) => break,
                }
            }
        });
    }
}

impl Fleet {
    /// Binds every server and starts serving. The endpoints are valid when this returns.
    pub async fn start(config: FleetConfig) -> Result<Fleet, Error> {
        let ip = bind_address(&config)?;
        let (injector, feeds) = fault_feeds(&config)?;
        let Built {
            cameras,
            mounts,
            followers,
        } = build_cameras(&config, ip, &feeds)?;
        let rtsp = RtspServer::bind(
            SocketAddr::new(config.bind, config.rtsp_port),
            mounts,
            rtsp_options(&config),
        )
        .await?;
        let rtsp_port = rtsp.local_addr().port();
        let (stop, stopped) = watch::channel(false);
        let mut tasks = JoinSet::new();
        let endpoints = serve_onvif(&config, ip, &cameras, rtsp_port, &stopped, &mut tasks).await?;
        // Announced only now that every camera's HTTP port is bound and in its XAddrs.
        let discovery = serve_discovery(config.discovery, &cameras, &stopped, &mut tasks).await?;
        // Each camera's encoder configurations drive its mounts.
        follow_encoders(followers, &cameras, &stopped, &mut tasks);
        // Everything listens: fault times count from here.
        let started = Instant::now();
        if let Some(injector) = injector {
            tasks.spawn(injector.run(started, until_stop(stopped.clone())));
        }
        tasks.spawn(rtsp.serve(until_stop(stopped)));
        Ok(Fleet {
            endpoints,
            cameras,
            stop,
            tasks,
            discovery,
            started,
        })
    }

    /// When the fleet started listening: time zero of its fault plan.
    pub fn started(&self) -> Instant {
        self.started
    }

    /// Where to find each camera, in order.
    pub fn endpoints(&self) -> &[Endpoint] {
        &self.endpoints
    }

    /// Address the WS-Discovery responder is bound to, if discovery is on.
    pub fn discovery_addr(&self) -> Option<SocketAddr> {
        self.discovery
    }

    /// The cameras' ONVIF state, for tests and the rig.
    pub fn cameras(&self) -> &[Arc<Camera>] {
        &self.cameras
    }

    /// Runs until `until` completes, then stops every server and waits for them; the
    /// discovery responder (if any) has said `Bye` for every camera when this returns.
    pub async fn run_until(mut self, until: impl Future<Output = ()>) {
        until.await;
        let _ = self.stop.send(true);
        while self.tasks.join_next().await.is_some() {}
    }
}

fn ip_text(ip: Ipv4Addr) -> String {
    ip.to_string()
}
