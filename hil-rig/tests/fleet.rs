//! A fleet of simulated cameras driven end to end: onvif-zeep-async reconfigures one camera
//! over SOAP, and retina, with the cameras' credentials, then measures that the stream really
//! changed, within 3%; and the fleet's own WS-Discovery responder, reached over loopback by
//! directed probes and unicast announcements (the multicast path runs inside a network
//! namespace in `planner/tests/rig_discovery_netns.rs`).
#![allow(clippy::unwrap_used)]

mod common;

use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4};
use std::time::Duration;

use camscope_hil_rig::discovery::{
    Message, ProbeOptions, QualifiedName, ResponderConfig, parse, probe,
};
use camscope_hil_rig::fleet::{CameraSpec, Fleet, FleetConfig};
use camscope_hil_rig::onvif::auth::{Credentials, Secret};
use futures::StreamExt;
use retina::client::{PlayOptions, SessionOptions, SetupOptions, Transport};
use retina::codec::{CodecItem, ParametersRef};

const INSTALL: &str = "pip install onvif-zeep-async==4.3.0";

/// What a receiver saw of one stream.
struct Seen {
    width: u32,
    height: u32,
    fps: f64,
    bitrate_bps: f64,
    lost: u64,
}

/// Receives `url` over TCP for `secs` as `operator` with `password` and measures it over whole
/// GOPs of `gop` frames.
async fn receive(url: &str, password: &str, secs: u64, gop: usize) -> Seen {
    let creds = retina::client::Credentials {
        username: "operator".into(),
        password: password.into(),
    };
    let mut session = retina::client::Session::describe(
        rtsp_types::Url::parse(url).unwrap(),
        SessionOptions::default()
            .user_agent("camscope-fleet-test".into())
            .creds(Some(creds)),
    )
    .await
    .unwrap();
    let video = session
        .streams()
        .iter()
        .position(|s| s.media() == "video")
        .unwrap();
    let (width, height) = match session.streams()[video].parameters() {
        Some(ParametersRef::Video(v)) => v.pixel_dimensions(),
        _ => panic!("the SDP carries no video parameters"),
    };
    session
        .setup(
            video,
            SetupOptions::default().transport(Transport::Tcp(Default::default())),
        )
        .await
        .unwrap();
    let mut frames = session
        .play(PlayOptions::default())
        .await
        .unwrap()
        .demuxed()
        .unwrap();
    let (mut sizes, mut stamps, mut lost) = (Vec::new(), Vec::new(), 0u64);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while let Ok(Some(item)) = tokio::time::timeout_at(deadline, frames.next()).await {
        if let CodecItem::VideoFrame(f) = item.unwrap() {
            lost += u64::from(f.loss());
            sizes.push(f.data().len());
            stamps.push(f.timestamp().timestamp());
        }
    }
    // A new session starts at an IDR, so the first `gop` frames are one whole GOP.
    assert!(sizes.len() > gop, "only {} frames in {secs} s", sizes.len());
    let span_s = (stamps[gop] - stamps[0]) as f64 / 90_000.0;
    let bytes: usize = sizes[..gop].iter().sum();
    Seen {
        width,
        height,
        fps: gop as f64 / span_s,
        bitrate_bps: bytes as f64 * 8.0 / span_s,
        lost,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_set_over_onvif_changes_what_the_stream_delivers() {
    let python = std::env::var("CAMSCOPE_PYTHON").unwrap_or_else(|_| "python3".into());
    let password = common::password();
    let fleet = Fleet::start(FleetConfig {
        cameras: (0..4).map(CameraSpec::standard).collect(),
        bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
        base_port: 0,
        rtsp_port: 0,
        credentials: Credentials {
            username: "operator".into(),
            password: Secret::new(password.clone()),
        },
        discovery: None,
        rtsp_auth: true,
        faults: None,
        seed: "test".into(),
    })
    .await
    .unwrap();
    let endpoints = fleet.endpoints().to_vec();
    assert_eq!(endpoints.len(), 4);
    for e in &endpoints {
        assert!(
            !e.onvif.contains(&password) && !e.rtsp.contains(&password),
            "a password leaked into {e:?}"
        );
    }
    let onvif = rtsp_types::Url::parse(&endpoints[0].onvif).unwrap();

    // onvif-zeep-async sets 1280x720, 10 fps, 1024 kbit/s on camera 0's main profile.
    let mut command = tokio::process::Command::new(&python);
    command
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/onvif_zeep_check.py"
        ))
        .args(["127.0.0.1", &onvif.port().unwrap().to_string(), "operator"])
        .env("ONVIF_TEST_PASSWORD", &password);
    let out = common::run(command, Duration::from_secs(90)).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(
        out.status.code(),
        Some(2),
        "onvif-zeep-async is missing: run `{INSTALL}`\n{stderr}"
    );
    assert!(out.status.success(), "onvif-zeep-async failed: {stderr}");
    assert!(!stderr.contains(&password));

    // A new session gets the new stream: the Set kept the two-second GOP length of 50 frames.
    let seen = receive(&endpoints[0].rtsp, &password, 7, 50).await;
    assert_eq!((seen.width, seen.height), (1280, 720));
    assert!((seen.fps - 10.0).abs() < 0.1, "fps {}", seen.fps);
    let error = (seen.bitrate_bps - 1_024_000.0).abs() / 1_024_000.0;
    assert!(
        error < 0.03,
        "bitrate {} bit/s is {:.2}% off 1,024,000",
        seen.bitrate_bps,
        error * 100.0
    );
    assert_eq!(seen.lost, 0);

    // The other cameras are untouched.
    let other = receive(&endpoints[1].rtsp, &password, 3, 50).await;
    assert_eq!((other.width, other.height), (1920, 1080));
    fleet.run_until(async {}).await;
}

/// Reads WS-Discovery messages from `socket` until `count` arrived or a second passed quietly.
async fn announcements(socket: &tokio::net::UdpSocket, count: usize) -> Vec<Message> {
    let mut buffer = vec![0u8; 65_535];
    let mut out = Vec::new();
    while out.len() < count {
        let Ok(received) =
            tokio::time::timeout(Duration::from_secs(1), socket.recv_from(&mut buffer)).await
        else {
            break;
        };
        let (len, _) = received.unwrap();
        out.push(parse(&buffer[..len]).unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fleet_with_discovery_announces_answers_and_says_bye_for_every_camera() {
    // Announcements go to this socket instead of the multicast group, probes straight to the
    // responder: all of it stays on loopback.
    let listener = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let SocketAddr::V4(listen) = listener.local_addr().unwrap() else {
        panic!("IPv4 bind gave an IPv6 address");
    };
    let fleet = Fleet::start(FleetConfig {
        cameras: (0..3).map(CameraSpec::standard).collect(),
        bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
        base_port: 0,
        rtsp_port: 0,
        credentials: Credentials {
            username: "operator".into(),
            password: Secret::new(common::password()),
        },
        discovery: Some(ResponderConfig {
            bind: SocketAddrV4::new(Ipv4Addr::LOCALHOST, 0),
            join: None,
            announce_to: Some(listen),
            max_delay: Duration::from_millis(50),
        }),
        rtsp_auth: true,
        faults: None,
        seed: "test".into(),
    })
    .await
    .unwrap();
    let endpoints = fleet.endpoints().to_vec();
    let SocketAddr::V4(responder) = fleet.discovery_addr().unwrap() else {
        panic!("IPv4 bind gave an IPv6 address");
    };

    // Hello names each camera by the reference in the endpoints and points at its device service.
    let hellos = announcements(&listener, 3).await;
    assert_eq!(hellos.len(), 3, "{hellos:?}");
    for (hello, camera) in hellos.iter().zip(&endpoints) {
        let Message::Hello(announced) = hello else {
            panic!("not a Hello: {hello:?}");
        };
        assert_eq!(announced.address, camera.endpoint_reference);
        assert_eq!(announced.xaddrs, std::slice::from_ref(&camera.onvif));
    }

    let found = probe(&ProbeOptions {
        destination: responder,
        interface: Ipv4Addr::LOCALHOST,
        types: vec![QualifiedName::network_video_transmitter()],
        scopes: Vec::new(),
        wait: Duration::from_millis(500),
    })
    .await
    .unwrap();
    let mut expected: Vec<(String, Vec<String>)> = endpoints
        .iter()
        .map(|e| (e.endpoint_reference.clone(), vec![e.onvif.clone()]))
        .collect();
    expected.sort();
    let found: Vec<(String, Vec<String>)> =
        found.into_iter().map(|e| (e.address, e.xaddrs)).collect();
    assert_eq!(found, expected);

    // A clean stop says Bye for each camera before run_until returns.
    fleet.run_until(async {}).await;
    let byes = announcements(&listener, 3).await;
    let expected: Vec<Message> = endpoints
        .iter()
        .map(|e| Message::Bye {
            address: e.endpoint_reference.clone(),
        })
        .collect();
    assert_eq!(byes, expected);
}

/// Two simulators on one network used to announce the same devices: endpoint UUIDs and serial
/// numbers followed only a camera's position, so camera 0 of every fleet was one device. They
/// now follow the fleet's seed (and the camera), and stay put when the same fleet restarts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_fleets_never_share_a_device_identity_and_one_fleet_keeps_its_own() {
    let credentials = Credentials {
        username: "operator".into(),
        password: Secret::new("identity-test-pw"),
    };
    let start = |seed: &str| {
        let mut config = FleetConfig::loopback(
            (0..3).map(CameraSpec::standard).collect(),
            credentials.clone(),
        );
        config.seed = seed.into();
        Fleet::start(config)
    };
    let serials = |fleet: &Fleet| -> Vec<String> {
        fleet
            .cameras()
            .iter()
            .map(|c| c.state().info.serial_number.clone())
            .collect()
    };
    let refs = |fleet: &Fleet| -> Vec<String> {
        fleet
            .endpoints()
            .iter()
            .map(|e| e.endpoint_reference.clone())
            .collect()
    };
    let a = start("host-a|10.0.0.5|site.json").await.unwrap();
    let b = start("host-b|10.0.0.6|site.json").await.unwrap();
    let (a_refs, a_serials) = (refs(&a), serials(&a));
    for (x, y) in a_refs.iter().zip(refs(&b)) {
        assert_ne!(*x, y);
    }
    for (x, y) in a_serials.iter().zip(serials(&b)) {
        assert_ne!(*x, y);
    }
    let macs: std::collections::BTreeSet<String> = a
        .cameras()
        .iter()
        .chain(b.cameras())
        .map(|c| c.state().network.mac.clone())
        .collect();
    assert_eq!(macs.len(), 6, "{macs:?}");
    drop(a);
    let again = start("host-a|10.0.0.5|site.json").await.unwrap();
    assert_eq!(refs(&again), a_refs);
    assert_eq!(serials(&again), a_serials);
}
