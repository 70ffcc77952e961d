//! The state of one simulated camera as its ONVIF services see it, and the rules for changing it.
//!
//! The ONVIF services report this state and `SetVideoEncoderConfiguration` changes it; the
//! stream generator must follow such a change, so the state lives in a
//! [`tokio::sync::watch`] channel: the RTSP side holds a receiver from [`Camera::subscribe`]
//! and sees each accepted configuration as soon as the SOAP call returns.

use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::faults::ActiveFaults;
use crate::onvif::auth::{Authenticator, Credentials, DEFAULT_MAX_SKEW};
pub use crate::onvif::resolution::Resolution;
use crate::onvif::snapshot::SnapshotCache;
use crate::onvif::soap::Fault;

/// Video codec of an encoder configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// H.264 / AVC; describable through Media1 and Media2.
    H264,
    /// H.265 / HEVC; only Media2 can describe it.
    H265,
}

impl Encoding {
    /// The name ONVIF uses on the wire (`tt:VideoEncoding`, `tt:VideoEncodingMimeNames`).
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::H264 => "H264",
            Encoding::H265 => "H265",
        }
    }

    /// Parses an ONVIF encoding name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "H264" => Some(Encoding::H264),
            "H265" => Some(Encoding::H265),
            _ => None,
        }
    }
}

/// A video encoder configuration: what one stream of the camera looks like.
#[derive(Debug, Clone, PartialEq)]
pub struct EncoderConfig {
    /// ONVIF configuration token.
    pub token: String,
    /// Human-readable name.
    pub name: String,
    /// Codec.
    pub encoding: Encoding,
    /// Picture size.
    pub resolution: Resolution,
    /// Frames per second.
    pub frame_rate_limit: u32,
    /// Target bitrate in kbit/s.
    pub bitrate_limit_kbps: u32,
    /// Frames from one key frame to the next.
    pub gov_length: u32,
    /// Codec profile as ONVIF names it (`Baseline`, `Main`, `High` for H.264; `Main` for H.265).
    pub profile: String,
    /// Encoder quality, within [`EncoderOptions::quality`].
    pub quality: f32,
}

/// A media profile: a named pairing of the video source with one encoder configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// ONVIF profile token.
    pub token: String,
    /// Human-readable name.
    pub name: String,
    /// The stream this profile delivers.
    pub encoder: EncoderConfig,
    /// RTSP path of the stream, starting with `/`.
    pub stream_path: String,
    /// HTTP path of the JPEG snapshot, starting with `/`; served by the camera's ONVIF HTTP
    /// server at the encoder's current resolution.
    pub snapshot_path: String,
}

/// The camera's one sensor.
#[derive(Debug, Clone, PartialEq)]
pub struct VideoSource {
    /// Video source token (`tt:VideoSource@token`).
    pub token: String,
    /// Token of the video source configuration every profile uses.
    pub configuration_token: String,
    /// Sensor resolution.
    pub resolution: Resolution,
    /// Sensor frame rate.
    pub framerate: f32,
}

/// What a `SetVideoEncoderConfiguration` may choose from; also reported by
/// `GetVideoEncoderConfigurationOptions`.
#[derive(Debug, Clone, PartialEq)]
pub struct EncoderOptions {
    /// Supported picture sizes.
    pub resolutions: Vec<Resolution>,
    /// Inclusive frame-rate range.
    pub frame_rate: (u32, u32),
    /// Inclusive bitrate range in kbit/s.
    pub bitrate_kbps: (u32, u32),
    /// Inclusive GOP-length range.
    pub gov_length: (u32, u32),
    /// Inclusive quality range.
    pub quality: (f32, f32),
    /// Supported H.264 profiles.
    pub h264_profiles: Vec<String>,
    /// Supported H.265 profiles.
    pub h265_profiles: Vec<String>,
}

impl EncoderOptions {
    /// Options that cover what the rig's stream generator produces.
    pub fn standard() -> Self {
        let r = |width, height| Resolution { width, height };
        EncoderOptions {
            resolutions: vec![
                r(1920, 1080),
                r(1280, 720),
                r(960, 540),
                r(640, 360),
                r(320, 180),
            ],
            frame_rate: (1, 30),
            bitrate_kbps: (64, 16_384),
            gov_length: (1, 300),
            quality: (0.0, 10.0),
            h264_profiles: vec!["Baseline".into(), "Main".into(), "High".into()],
            h265_profiles: vec!["Main".into()],
        }
    }

    /// Profiles supported for `encoding`.
    pub fn profiles(&self, encoding: Encoding) -> &[String] {
        match encoding {
            Encoding::H264 => &self.h264_profiles,
            Encoding::H265 => &self.h265_profiles,
        }
    }

    /// Checks a configuration against these options; the error says which value is out.
    pub fn validate(&self, config: &EncoderConfig) -> Result<(), String> {
        let within = |v: u32, (lo, hi): (u32, u32)| (lo..=hi).contains(&v);
        if !self.resolutions.contains(&config.resolution) {
            return Err(format!(
                "resolution {}x{} is not offered",
                config.resolution.width, config.resolution.height
            ));
        }
        if !within(config.frame_rate_limit, self.frame_rate) {
            return Err(format!(
                "frame rate {} is outside {}..={}",
                config.frame_rate_limit, self.frame_rate.0, self.frame_rate.1
            ));
        }
        if !within(config.bitrate_limit_kbps, self.bitrate_kbps) {
            return Err(format!(
                "bitrate {} kbit/s is outside {}..={}",
                config.bitrate_limit_kbps, self.bitrate_kbps.0, self.bitrate_kbps.1
            ));
        }
        if !within(config.gov_length, self.gov_length) {
            return Err(format!(
                "GOP length {} is outside {}..={}",
                config.gov_length, self.gov_length.0, self.gov_length.1
            ));
        }
        if !(self.quality.0..=self.quality.1).contains(&config.quality) {
            return Err(format!("quality {} is out of range", config.quality));
        }
        if !self.profiles(config.encoding).contains(&config.profile) {
            return Err(format!(
                "profile {} is not offered for {}",
                config.profile,
                config.encoding.as_str()
            ));
        }
        Ok(())
    }
}

/// Identity reported by `GetDeviceInformation`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    /// Manufacturer name.
    pub manufacturer: String,
    /// Model name.
    pub model: String,
    /// Firmware version.
    pub firmware_version: String,
    /// Serial number; also used in scopes and the discovery identity.
    pub serial_number: String,
    /// Hardware id.
    pub hardware_id: String,
}

/// Network identity of the camera.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    /// Host name.
    pub hostname: String,
    /// MAC address as `aa:bb:cc:dd:ee:ff`; some VMSs identify cameras by it.
    pub mac: String,
    /// Address clients reach the camera at; used in every XAddr and URI.
    pub ip: Ipv4Addr,
    /// Prefix length of that address.
    pub prefix_length: u8,
    /// Port of the ONVIF HTTP server; the server sets it once bound.
    pub http_port: u16,
    /// Port of the RTSP server.
    pub rtsp_port: u16,
}

/// Everything the ONVIF services report about one camera.
#[derive(Debug, Clone, PartialEq)]
pub struct CameraState {
    /// Identity.
    pub info: DeviceInfo,
    /// Addresses and ports.
    pub network: Network,
    /// The sensor.
    pub video_source: VideoSource,
    /// Media profiles, main first.
    pub profiles: Vec<Profile>,
    /// What encoder configurations may be set to.
    pub options: EncoderOptions,
}

impl CameraState {
    /// The profile with this token.
    pub fn profile(&self, token: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.token == token)
    }

    /// The profile whose snapshot is served at `path`.
    pub fn snapshot_profile(&self, path: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.snapshot_path == path)
    }

    /// The encoder configuration with this token.
    pub fn encoder(&self, token: &str) -> Option<&EncoderConfig> {
        self.profiles
            .iter()
            .map(|p| &p.encoder)
            .find(|e| e.token == token)
    }

    /// `http://<ip>:<http_port><path>`.
    pub fn http_url(&self, path: &str) -> String {
        format!(
            "http://{}:{}{path}",
            self.network.ip, self.network.http_port
        )
    }

    /// `rtsp://<ip>:<rtsp_port><path>`.
    pub fn rtsp_url(&self, path: &str) -> String {
        format!(
            "rtsp://{}:{}{path}",
            self.network.ip, self.network.rtsp_port
        )
    }

    /// A camera with a main (1920x1080, 25 fps, 4 Mbit/s H.264) and a sub (640x360, 10 fps,
    /// 512 kbit/s H.264) profile, named after `index` so that a fleet has distinct identities.
    pub fn example(index: u32, ip: Ipv4Addr, rtsp_port: u16) -> Self {
        let encoder = |token: &str, name: &str, width, height, fps, kbps| EncoderConfig {
            token: token.into(),
            name: name.into(),
            encoding: Encoding::H264,
            resolution: Resolution { width, height },
            frame_rate_limit: fps,
            bitrate_limit_kbps: kbps,
            gov_length: fps * 2,
            profile: "Main".into(),
            quality: 5.0,
        };
        let [_, _, a, b] = index.to_be_bytes();
        CameraState {
            info: DeviceInfo {
                manufacturer: "camscope".into(),
                model: "SimCam".into(),
                firmware_version: env!("CARGO_PKG_VERSION").into(),
                serial_number: format!("SIM{index:06}"),
                hardware_id: "sim-1".into(),
            },
            network: Network {
                hostname: format!("simcam-{index}"),
                mac: format!("02:00:00:00:{a:02x}:{b:02x}"),
                ip,
                prefix_length: 8,
                http_port: 0,
                rtsp_port,
            },
            video_source: VideoSource {
                token: "vs0".into(),
                configuration_token: "vsc0".into(),
                resolution: Resolution {
                    width: 1920,
                    height: 1080,
                },
                framerate: 30.0,
            },
            profiles: vec![
                Profile {
                    token: "main".into(),
                    name: "main".into(),
                    encoder: encoder("vec_main", "main", 1920, 1080, 25, 4096),
                    stream_path: format!("/cam{index}/main"),
                    snapshot_path: format!("/cam{index}/main.jpg"),
                },
                Profile {
                    token: "sub".into(),
                    name: "sub".into(),
                    encoder: encoder("vec_sub", "sub", 640, 360, 10, 512),
                    stream_path: format!("/cam{index}/sub"),
                    snapshot_path: format!("/cam{index}/sub.jpg"),
                },
            ],
            options: EncoderOptions::standard(),
        }
    }
}

/// One simulated camera: its state, its account and its clock.
#[derive(Debug)]
pub struct Camera {
    state: watch::Sender<CameraState>,
    auth: Authenticator,
    clock_offset: time::Duration,
    snapshots: Arc<SnapshotCache>,
    /// Injected faults, when a fault plan names this camera.
    faults: Option<watch::Receiver<ActiveFaults>>,
}

impl Camera {
    /// A camera with this state, accepting `credentials` (given from outside, never built in).
    pub fn new(state: CameraState, credentials: Credentials) -> Self {
        let realm = format!("{}-{}", state.info.model, state.info.serial_number);
        Camera {
            state: watch::Sender::new(state),
            auth: Authenticator::new(credentials, realm, DEFAULT_MAX_SKEW),
            clock_offset: time::Duration::ZERO,
            snapshots: Arc::new(SnapshotCache::new()),
            faults: None,
        }
    }

    /// Serves snapshots from `cache`, so cameras of one fleet encode each size once between
    /// them instead of once each.
    pub fn with_snapshot_cache(mut self, cache: Arc<SnapshotCache>) -> Self {
        self.snapshots = cache;
        self
    }

    /// Where this camera's JPEG snapshots come from.
    pub fn snapshots(&self) -> &Arc<SnapshotCache> {
        &self.snapshots
    }

    /// Subjects the camera's ONVIF service to the faults published on `faults`.
    pub(crate) fn with_faults(mut self, faults: watch::Receiver<ActiveFaults>) -> Self {
        self.faults = Some(faults);
        self
    }

    /// The faults active on this camera now (none unless a fault plan names it).
    pub fn faults(&self) -> ActiveFaults {
        self.faults
            .as_ref()
            .map(|f| *f.borrow())
            .unwrap_or_default()
    }

    /// A receiver of the camera's fault changes, if a fault plan names it.
    pub(crate) fn fault_changes(&self) -> Option<watch::Receiver<ActiveFaults>> {
        self.faults.clone()
    }

    /// Runs the device clock `offset` away from the host clock, to test how clients cope.
    pub fn with_clock_offset(mut self, offset: time::Duration) -> Self {
        self.clock_offset = offset;
        self
    }

    /// Makes the camera ignore WS-Security and accept HTTP Digest only, as a real camera with
    /// WS-Security switched off does; clients must then answer the 401 challenge.
    pub fn with_http_digest_only(mut self) -> Self {
        self.auth = self.auth.http_digest_only();
        self
    }

    /// Sets how far a UsernameToken's Created may be from the device clock.
    pub fn with_max_skew(mut self, max_skew: Duration) -> Self {
        self.auth = self.auth.with_max_skew(max_skew);
        self
    }

    /// The device clock.
    pub fn now(&self) -> time::OffsetDateTime {
        time::OffsetDateTime::now_utc() + self.clock_offset
    }

    /// The credential checker.
    pub fn auth(&self) -> &Authenticator {
        &self.auth
    }

    /// A copy of the current state.
    pub fn state(&self) -> CameraState {
        self.state.borrow().clone()
    }

    /// A receiver that sees every accepted change, for the stream generator.
    pub fn subscribe(&self) -> watch::Receiver<CameraState> {
        self.state.subscribe()
    }

    /// Records the port the RTSP server is bound to, so stream URIs point at it.
    pub fn set_rtsp_port(&self, port: u16) {
        self.state.send_modify(|s| s.network.rtsp_port = port);
    }

    /// Records the port the ONVIF server is bound to, so XAddrs point at it.
    pub fn set_http_port(&self, port: u16) {
        self.state.send_modify(|s| s.network.http_port = port);
    }

    /// Replaces the encoder configuration with `config.token` after checking it against the
    /// options. Faults are `ter:InvalidArgVal/ter:NoConfig` for an unknown token and
    /// `ter:InvalidArgVal/ter:ConfigModify` for values outside the options.
    pub fn set_encoder(&self, config: EncoderConfig) -> Result<(), Fault> {
        let mut result = Ok(());
        self.state.send_if_modified(|state| {
            if let Err(reason) = state.options.validate(&config) {
                result = Err(Fault::invalid_arg("ter:ConfigModify", reason));
                return false;
            }
            let Some(profile) = state
                .profiles
                .iter_mut()
                .find(|p| p.encoder.token == config.token)
            else {
                result = Err(Fault::invalid_arg(
                    "ter:NoConfig",
                    format!("no video encoder configuration {:?}", config.token),
                ));
                return false;
            };
            if profile.encoder == config {
                return false;
            }
            tracing::info!(
                token = %config.token,
                encoding = config.encoding.as_str(),
                width = config.resolution.width,
                height = config.resolution.height,
                fps = config.frame_rate_limit,
                kbps = config.bitrate_limit_kbps,
                gov = config.gov_length,
                "video encoder configuration changed"
            );
            profile.encoder = config;
            true
        });
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::onvif::auth::Secret;

    fn camera() -> Camera {
        Camera::new(
            CameraState::example(3, Ipv4Addr::LOCALHOST, 8554),
            Credentials {
                username: "admin".into(),
                password: Secret::new("pw"),
            },
        )
    }

    #[test]
    fn accepted_change_reaches_subscribers_and_invalid_ones_do_not() {
        let camera = camera();
        let mut rx = camera.subscribe();
        let mut config = camera.state().profiles[0].encoder.clone();
        config.resolution = Resolution {
            width: 1280,
            height: 720,
        };
        config.frame_rate_limit = 10;
        config.bitrate_limit_kbps = 1024;
        camera.set_encoder(config.clone()).unwrap();
        assert!(rx.has_changed().unwrap());
        assert_eq!(rx.borrow_and_update().profiles[0].encoder, config);

        let mut bad = config.clone();
        bad.frame_rate_limit = 0;
        let fault = camera.set_encoder(bad).unwrap_err();
        assert_eq!(fault.subcodes, ["ter:InvalidArgVal", "ter:ConfigModify"]);
        let mut odd = config.clone();
        odd.resolution.width = 1279;
        assert!(camera.set_encoder(odd).is_err());
        let mut h265_high = config.clone();
        h265_high.encoding = Encoding::H265;
        h265_high.profile = "High".into();
        assert!(camera.set_encoder(h265_high).is_err());
        let mut unknown = config;
        unknown.token = "nope".into();
        let fault = camera.set_encoder(unknown).unwrap_err();
        assert_eq!(fault.subcodes, ["ter:InvalidArgVal", "ter:NoConfig"]);
        assert!(!rx.has_changed().unwrap());
    }

    #[test]
    fn example_identity_and_urls_follow_the_index() {
        let camera = camera();
        camera.set_http_port(8080);
        let state = camera.state();
        assert_eq!(state.network.mac, "02:00:00:00:00:03");
        assert_eq!(state.info.serial_number, "SIM000003");
        assert_eq!(
            state.http_url("/onvif/device_service"),
            "http://127.0.0.1:8080/onvif/device_service"
        );
        assert_eq!(
            state.rtsp_url(&state.profiles[1].stream_path),
            "rtsp://127.0.0.1:8554/cam3/sub"
        );
        let offset = camera.with_clock_offset(time::Duration::hours(1));
        let skew = offset.now() - time::OffsetDateTime::now_utc();
        assert!((skew - time::Duration::hours(1)).abs() < time::Duration::seconds(5));
    }
}
