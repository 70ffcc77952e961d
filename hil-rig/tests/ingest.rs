//! The validator's measurement engine against the simulated fleet: what it reports for healthy
//! streams must be what the cameras were set to send, and cameras that fail must be reported
//! without disturbing the others.
#![allow(clippy::unwrap_used)]

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use camscope_hil_rig::fleet::{CameraSpec, Fleet, FleetConfig};
use camscope_hil_rig::ingest::{self, IngestOptions, LatencySource, Live, StreamTarget, Transport};
use camscope_hil_rig::onvif::auth::{Credentials, Secret};
use camscope_hil_rig::video::{Codec, VideoConfig};

fn credentials() -> Credentials {
    Credentials {
        username: "admin".into(),
        password: Secret::new("ingest-test-pw"),
    }
}

fn options(seconds: u64, record_to: Option<std::path::PathBuf>) -> IngestOptions {
    IngestOptions {
        duration: Duration::from_secs(seconds),
        transport: Transport::Tcp,
        connect_timeout: Duration::from_secs(2),
        stall_timeout: Duration::from_secs(2),
        backoff_initial: Duration::from_millis(200),
        backoff_max: Duration::from_secs(1),
        record_to,
    }
}

async fn fleet(cameras: Vec<CameraSpec>) -> Fleet {
    Fleet::start(FleetConfig {
        cameras,
        bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
        base_port: 0,
        rtsp_port: 0,
        credentials: credentials(),
        discovery: None,
        rtsp_auth: true,
        faults: None,
        seed: "test".into(),
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthy_streams_measure_what_they_were_set_to_send_and_are_recorded() {
    let a = CameraSpec {
        name: "door".into(),
        codec: Codec::H264,
        main: VideoConfig::new(1280, 720, 25, 25, 2_000_000),
        sub: None,
    };
    let b = CameraSpec {
        name: "till".into(),
        codec: Codec::H264,
        main: VideoConfig::new(640, 360, 10, 10, 500_000),
        sub: None,
    };
    let fleet = fleet(vec![a, b]).await;
    let targets: Vec<StreamTarget> = fleet
        .endpoints()
        .iter()
        .map(|e| StreamTarget {
            camera: e.name.clone(),
            url: e.rtsp.clone(),
            credentials: Some(credentials()),
            udp_receive_buffer: None,
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let live = Arc::new(Live::new(targets.len()));
    let report = ingest::run(
        targets,
        options(5, Some(dir.path().to_path_buf())),
        live.clone(),
        None,
    )
    .await;
    for (m, (w, h, fps, gop, bps)) in report.streams.iter().zip([
        (1280, 720, 25.0, 25.0, 2_000_000.0),
        (640, 360, 10.0, 10.0, 500_000.0),
    ]) {
        assert_eq!((m.width, m.height), (Some(w), Some(h)), "{}", m.camera);
        assert_eq!(m.codec.as_deref(), Some("H.264"));
        let measured = m.bitrate_bps.unwrap();
        assert!(
            (measured / bps - 1.0).abs() < 0.03,
            "{}: {measured} bit/s, set {bps}",
            m.camera
        );
        assert!(
            (m.fps.unwrap() - fps).abs() < 0.1,
            "{}: {:?}",
            m.camera,
            m.fps
        );
        assert!(
            (m.key_frame_interval_frames.unwrap() - gop).abs() < 0.01,
            "{m:?}"
        );
        assert_eq!(m.lost_packets, 0);
        assert_eq!((m.sessions, m.reconnects, m.failed_attempts), (1, 0, 0));
        assert!(m.outages.is_empty());
        let latency = m.latency.as_ref().unwrap();
        assert_eq!(latency.source, LatencySource::SendTimeSei);
        assert!(latency.p95_ms < 500.0, "{latency:?}");
        assert!(m.time_to_first_frame.unwrap() < Duration::from_secs(2));
        assert_eq!(m.record_dropped_frames, 0);
        assert_eq!(m.recorded_bytes, m.bytes, "{}", m.camera);
    }
    let recording = report.recording.unwrap();
    assert_eq!(recording.error, None);
    assert_eq!(recording.files.len(), 2);
    let on_disk: u64 = recording
        .files
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().len())
        .sum();
    assert_eq!(on_disk, recording.bytes);
    assert_eq!(
        recording.bytes,
        report.streams.iter().map(|m| m.recorded_bytes).sum::<u64>()
    );
    // The files are elementary streams a decoder opens: Annex B, with the parameter sets
    // before the first IDR slice.
    let file = std::fs::read(&recording.files[0]).unwrap();
    assert_eq!(&file[..4], &[0, 0, 0, 1]);
    let types: Vec<u8> = file
        .windows(5)
        .filter(|w| w[..4] == [0, 0, 0, 1])
        .map(|w| w[4] & 0x1F)
        .collect();
    let idr = types.iter().position(|&t| t == 5).unwrap();
    assert!(
        types[..idr].contains(&7) && types[..idr].contains(&8),
        "{types:?}"
    );
    assert!(live.totals().bytes >= recording.bytes);
    drop(fleet);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_cameras_are_reported_and_do_not_disturb_the_others() {
    let fleet = fleet(vec![CameraSpec {
        name: "good".into(),
        codec: Codec::H264,
        main: VideoConfig::new(640, 360, 25, 50, 1_000_000),
        sub: None,
    }])
    .await;
    let good = fleet.endpoints()[0].rtsp.clone();
    // A camera that accepts the connection and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_url = format!("rtsp://{}/stream", silent.local_addr().unwrap());
    let hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = silent.accept().await {
            held.push(s);
        }
    });
    // Nothing listens here.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let wrong_password = Credentials {
        username: "admin".into(),
        password: Secret::new("not-the-password"),
    };
    let targets = vec![
        StreamTarget {
            camera: "good".into(),
            url: good.clone(),
            credentials: Some(credentials()),
            udp_receive_buffer: None,
        },
        StreamTarget {
            camera: "silent".into(),
            url: silent_url,
            credentials: Some(credentials()),
            udp_receive_buffer: None,
        },
        StreamTarget {
            camera: "offline".into(),
            url: format!("rtsp://{closed}/stream"),
            credentials: Some(credentials()),
            udp_receive_buffer: None,
        },
        StreamTarget {
            camera: "wrong-password".into(),
            url: good,
            credentials: Some(wrong_password),
            udp_receive_buffer: None,
        },
    ];
    let report = ingest::run(targets, options(5, None), Arc::new(Live::new(4)), None).await;
    let good = &report.streams[0];
    assert!((good.bitrate_bps.unwrap() / 1_000_000.0 - 1.0).abs() < 0.03);
    assert_eq!(good.failed_attempts, 0);
    let silent = &report.streams[1];
    assert_eq!(silent.frames, 0);
    assert!(silent.failed_attempts >= 2, "{silent:?}");
    assert!(
        silent.last_error.as_deref().unwrap().contains("no answer"),
        "{silent:?}"
    );
    let offline = &report.streams[2];
    assert_eq!(offline.frames, 0);
    assert!(
        offline.failed_attempts >= 3,
        "retried with backoff: {offline:?}"
    );
    assert!(!offline.credentials_refused);
    let refused = &report.streams[3];
    // The simulator checks RTSP credentials, as real cameras do: the refusal is named.
    assert_eq!(refused.frames, 0);
    assert!(refused.credentials_refused, "{refused:?}");
    assert!(!format!("{refused:?}").contains("not-the-password"));
    hold.abort();
    drop(fleet);
}

/// Eight healthy cameras over RTP/UDP: the retail example's 4MP H.265 cameras at 5.6 Mbit/s and
/// its highest bitrate (1080p30 H.264 at 6,144 kbit/s). With the receive buffers left at the
/// system default, key-frame bursts overflowed them and every camera "lost" packets the kernel
/// dropped; sized for the bitrate, nothing is lost, and the kernel's own counter says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthy_cameras_over_udp_lose_nothing_with_buffers_sized_for_their_bitrate() {
    let report = eight_cameras_over_udp(true).await;
    for m in &report.streams {
        let buffer = m.receive_buffer.unwrap_or_else(|| panic!("{m:?}"));
        assert!(!buffer.capped(), "{}: {buffer:?}", m.camera);
        assert_eq!(m.kernel_dropped_packets, Some(0), "{}", m.camera);
        assert_eq!(m.lost_packets, 0, "{}", m.camera);
        assert!(m.frames >= 45, "{m:?}");
        assert_eq!((m.sessions, m.reconnects), (1, 0), "{}", m.camera);
    }
}

/// What the buffers are for: left at the system default the same cameras lose packets in this
/// host's kernel, and the loss reported is the kernel's count, told apart from wire loss.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loss_in_this_hosts_kernel_is_counted_apart() {
    let report = eight_cameras_over_udp(false).await;
    for m in &report.streams {
        let dropped = m.kernel_dropped_packets.unwrap_or_else(|| panic!("{m:?}"));
        // The kernel's drops are part of the gaps retina counted; the rest (a simulator whose
        // sends fail on an overloaded host) is loss on the way.
        assert!(
            dropped <= m.lost_packets,
            "{}: {dropped} > {}",
            m.camera,
            m.lost_packets
        );
    }
}

async fn eight_cameras_over_udp(sized: bool) -> ingest::IngestReport {
    let cameras: Vec<CameraSpec> = (0..8)
        .map(|i| CameraSpec {
            name: format!("cam-{i}"),
            codec: if i < 6 { Codec::H265 } else { Codec::H264 },
            main: if i < 6 {
                VideoConfig::new(2560, 1440, 15, 30, 5_600_000)
            } else {
                VideoConfig::new(1920, 1080, 30, 60, 6_144_000)
            },
            sub: None,
        })
        .collect();
    let fleet = fleet(cameras).await;
    let targets: Vec<StreamTarget> = fleet
        .endpoints()
        .iter()
        .map(|e| StreamTarget {
            camera: e.name.clone(),
            url: e.rtsp.clone(),
            credentials: Some(credentials()),
            // Half a second of the stream, as `rig validate` asks (validation.toml).
            udp_receive_buffer: sized.then_some(6_144_000 / 8 / 2 * 4),
        })
        .collect();
    let mut options = options(8, None);
    options.transport = Transport::Udp;
    // Sixteen streams of two such tests at once on a busy two-core machine answer slower.
    options.connect_timeout = Duration::from_secs(5);
    options.stall_timeout = Duration::from_secs(5);
    let report = ingest::run(targets, options, Arc::new(Live::new(8)), None).await;
    drop(fleet);
    report
}
