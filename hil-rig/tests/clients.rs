//! Real RTSP clients nobody on the team wrote read the simulated cameras over loopback.
//!
//! Scope: retina (the rig's ingest) measures bitrate, frame rate, key-frame spacing, loss, sender
//! reports and the SEI send time on two mounts at once over TCP, with a 2 s session timeout so
//! that its keepalives are exercised, and on one 4 Mbit/s mount over UDP; ffprobe reports codec,
//! size and frame rate from the RTSP URL; ffmpeg decodes 10 s over TCP and over UDP without an
//! error. The same for H.265 mounts: retina's bitrate, frame rate, key frames and send times
//! over TCP and UDP, ffprobe's codec, size and rate and ffmpeg's decode over TCP. ffprobe and ffmpeg come from Debian's `ffmpeg` package; their tests fail loudly when it
//! is missing. Every test binds port 0 on 127.0.0.1 and ends by itself within a time limit.

// clippy's allow-unwrap-in-tests covers #[test] functions but not the helpers beside them;
// a panic here is a failed test, not a crash on user input.
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use camscope_hil_rig::rtsp::{Mount, RtspServer, ServerOptions};
use camscope_hil_rig::video::{Codec, VideoConfig};
use futures::StreamExt;
use retina::client::{
    PlayOptions, SessionOptions, SetupOptions, TcpTransportOptions, Transport, UdpTransportOptions,
};
use retina::codec::CodecItem;
use tokio::sync::oneshot;

const LOOPBACK: &str = "127.0.0.1:0";

/// Starts a server for `mounts`; dropping the returned sender stops it.
async fn start(
    mounts: Vec<Mount>,
    options: ServerOptions,
) -> (SocketAddr, oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    let server = RtspServer::bind(LOOPBACK.parse().unwrap(), mounts, options)
        .await
        .unwrap();
    let addr = server.local_addr();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(server.serve(async move {
        let _ = stopped.await;
    }));
    (addr, stop, task)
}

/// What retina saw of one stream.
#[derive(Debug)]
struct Measured {
    frames: usize,
    /// Bytes of whole GOPs starting at the first key frame.
    gop_bytes: usize,
    gop_frames: usize,
    rtp_span_s: f64,
    key_frame_indexes: Vec<usize>,
    lost: u64,
    max_latency_ms: f64,
    sei_frames: usize,
    /// RTCP sender reports retina accepted (it maps their RTP time onto the stream timeline).
    sender_reports: usize,
    /// Picture size retina read from the SDP's parameter sets, before any frame.
    sdp_dimensions: Option<(u32, u32)>,
}

async fn ingest(url: &str, secs: f64, gop: usize, transport: Transport) -> Measured {
    ingest_codec(url, Codec::H264, secs, gop, transport).await
}

/// Reads `url`'s `codec` video stream with retina for `secs` seconds.
async fn ingest_codec(
    url: &str,
    codec: Codec,
    secs: f64,
    gop: usize,
    transport: Transport,
) -> Measured {
    let mut session = retina::client::Session::describe(
        rtsp_types::Url::parse(url).unwrap(),
        SessionOptions::default().user_agent("camscope-test".into()),
    )
    .await
    .unwrap();
    let name = codec.encoding_name().to_ascii_lowercase();
    let video = session
        .streams()
        .iter()
        .position(|s| s.media() == "video" && s.encoding_name() == name)
        .unwrap_or_else(|| panic!("a {codec} video stream in the SDP"));
    let sdp_dimensions = match session.streams()[video].parameters() {
        Some(retina::codec::ParametersRef::Video(v)) => Some(v.pixel_dimensions()),
        _ => None,
    };
    session
        .setup(video, SetupOptions::default().transport(transport))
        .await
        .unwrap();
    let mut demuxed = session
        .play(PlayOptions::default())
        .await
        .unwrap()
        .demuxed()
        .unwrap();
    let mut sizes = Vec::new();
    let mut timestamps = Vec::new();
    let mut key_frame_indexes = Vec::new();
    let mut lost = 0u64;
    let mut max_latency_ms = 0f64;
    let mut sei_frames = 0;
    let mut sender_reports = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs_f64(secs);
    while let Ok(Some(item)) = tokio::time::timeout_at(deadline, demuxed.next()).await {
        let f = match item.unwrap() {
            CodecItem::VideoFrame(f) => f,
            CodecItem::Rtcp(r) => {
                sender_reports += usize::from(r.rtp_timestamp().is_some());
                continue;
            }
            _ => continue,
        };
        let now_us = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_micros() as u64;
        if f.is_random_access_point() {
            key_frame_indexes.push(sizes.len());
        }
        lost += u64::from(f.loss());
        sizes.push(f.data().len());
        timestamps.push(f.timestamp().timestamp());
        // retina hands out length-prefixed NAL units.
        let mut data = f.data();
        while data.len() > 4 {
            let len = u32::from_be_bytes(data[..4].try_into().unwrap()) as usize;
            let nal = &data[4..4 + len];
            if let Some(sent_us) = codec.parse_timestamp_sei(nal) {
                sei_frames += 1;
                assert!(sent_us <= now_us, "send time in the future");
                max_latency_ms = max_latency_ms.max((now_us - sent_us) as f64 / 1000.0);
            }
            data = &data[4 + len..];
        }
    }
    let first_key = key_frame_indexes[0];
    let whole = (sizes.len() - first_key) / gop * gop;
    assert!(whole >= gop, "not even one whole GOP in {secs} s");
    Measured {
        frames: sizes.len(),
        gop_bytes: sizes[first_key..first_key + whole].iter().sum(),
        gop_frames: whole,
        rtp_span_s: (timestamps[first_key + whole - 1] - timestamps[first_key]) as f64 / 90_000.0,
        key_frame_indexes,
        lost,
        max_latency_ms,
        sei_frames,
        sender_reports,
        sdp_dimensions,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retina_reads_two_mounts_at_exact_bitrate_and_frame_rate() {
    let cam0 = VideoConfig::new(640, 360, 15, 15, 1_000_000);
    let cam1 = VideoConfig::new(1280, 720, 25, 25, 2_000_000);
    let options = ServerOptions {
        session_timeout: Duration::from_secs(2),
        ..ServerOptions::default()
    };
    let mounts = vec![
        Mount::new("cam0", cam0).unwrap(),
        Mount::new("site/cam1", cam1).unwrap(),
    ];
    let (addr, stop, server) = start(mounts, options).await;
    let (url0, url1) = (
        format!("rtsp://{addr}/cam0"),
        format!("rtsp://{addr}/site/cam1"),
    );
    let tcp = || Transport::Tcp(TcpTransportOptions::default());
    let run = async { tokio::join!(ingest(&url0, 3.5, 15, tcp()), ingest(&url1, 3.5, 25, tcp())) };
    let (m0, m1) = tokio::time::timeout(Duration::from_secs(20), run)
        .await
        .expect("retina ingest finished in time");
    for (m, cfg) in [(&m0, cam0), (&m1, cam1)] {
        eprintln!("{cfg:?}: {m:?}");
        let fps = f64::from(cfg.fps);
        // Frame rate from the RTP clock: n frames span n - 1 frame intervals.
        let rtp_fps = (m.gop_frames - 1) as f64 / m.rtp_span_s;
        assert!(
            (rtp_fps - fps).abs() < 0.01,
            "RTP frame rate {rtp_fps} for {fps}"
        );
        // Pacing: about 3.5 s worth of frames arrived (the first PLAY takes a moment).
        let expected = 3.5 * fps;
        assert!(
            (m.frames as f64) > expected * 0.75 && (m.frames as f64) <= expected + 2.0,
            "{} frames in 3.5 s at {fps} fps",
            m.frames
        );
        let kbps = m.gop_bytes as f64 * 8.0 / (m.gop_frames as f64 / fps) / 1000.0;
        let target = cfg.bitrate_bps as f64 / 1000.0;
        eprintln!("measured {kbps:.1} kbit/s for {target} kbit/s");
        assert!(
            (kbps / target - 1.0).abs() < 0.03,
            "{kbps} kbit/s for {target}"
        );
        let gop = cfg.gop as usize;
        for pair in m.key_frame_indexes.windows(2) {
            assert_eq!(pair[1] - pair[0], gop, "key frames every GOP");
        }
        assert_eq!(m.lost, 0);
        assert_eq!(m.sei_frames, m.frames, "every frame carries its send time");
        assert!(m.max_latency_ms < 1000.0, "latency {} ms", m.max_latency_ms);
        assert!(m.sender_reports >= 2, "{} sender reports", m.sender_reports);
    }
    drop(stop);
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("server stops")
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retina_reads_over_udp_at_exact_bitrate() {
    let cfg = VideoConfig::new(1280, 720, 25, 25, 4_000_000);
    let (addr, stop, server) = start(
        vec![Mount::new("cam0", cfg).unwrap()],
        ServerOptions::default(),
    )
    .await;
    let url = format!("rtsp://{addr}/cam0");
    let udp = Transport::Udp(UdpTransportOptions::default());
    let m = tokio::time::timeout(Duration::from_secs(20), ingest(&url, 3.0, 25, udp))
        .await
        .expect("retina ingest finished in time");
    eprintln!("UDP {cfg:?}: {m:?}");
    let kbps = m.gop_bytes as f64 * 8.0 / (m.gop_frames as f64 / 25.0) / 1000.0;
    eprintln!("measured {kbps:.1} kbit/s over UDP for 4000 kbit/s");
    assert!((kbps / 4000.0 - 1.0).abs() < 0.03, "{kbps} kbit/s");
    let rtp_fps = (m.gop_frames - 1) as f64 / m.rtp_span_s;
    assert!((rtp_fps - 25.0).abs() < 0.01, "{rtp_fps} fps");
    assert_eq!(m.lost, 0, "loss on loopback UDP");
    assert_eq!(m.sei_frames, m.frames);
    assert!(
        m.sender_reports >= 2,
        "{} sender reports over UDP",
        m.sender_reports
    );
    drop(stop);
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("server stops")
        .unwrap();
}

fn require_ffprobe() {
    let ok = std::process::Command::new("ffprobe")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(ok, "ffprobe not installed: apt-get install ffmpeg");
}

/// ffprobe's view of an RTSP stream over TCP: `key=value` lines for codec, size and frame rate.
async fn probe_stream(url: &str) -> String {
    let probe = tokio::process::Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-rtsp_transport",
            "tcp",
            "-timeout",
            "10000000",
        ])
        .args(["-show_streams", "-select_streams", "v:0"])
        .args([
            "-show_entries",
            "stream=codec_name,width,height,r_frame_rate",
        ])
        .args(["-of", "default=noprint_wrappers=1"])
        .arg(url)
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(30), probe)
        .await
        .expect("ffprobe finished in time")
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "ffprobe failed: {stderr}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ffprobe_reads_codec_size_and_frame_rate_over_rtsp_tcp() {
    require_ffprobe();
    let cfg = VideoConfig::new(640, 360, 15, 30, 1_000_000);
    let (addr, stop, server) = start(
        vec![Mount::new("cam0", cfg).unwrap()],
        ServerOptions::default(),
    )
    .await;
    let url = format!("rtsp://{addr}/cam0");
    let stdout = probe_stream(&url).await;
    for expected in [
        "codec_name=h264",
        "width=640",
        "height=360",
        "r_frame_rate=15/1",
    ] {
        assert!(
            stdout.lines().any(|l| l == expected),
            "missing {expected} in ffprobe output:\n{stdout}"
        );
    }
    drop(stop);
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("server stops")
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ffmpeg_decodes_ten_seconds_without_error_over_tcp_and_udp() {
    require_ffprobe();
    let cfg = VideoConfig::new(1280, 720, 25, 50, 2_000_000);
    let (addr, stop, server) = start(
        vec![Mount::new("cam0", cfg).unwrap()],
        ServerOptions::default(),
    )
    .await;
    let url = format!("rtsp://{addr}/cam0");
    for transport in ["tcp", "udp"] {
        let decode = tokio::process::Command::new("ffmpeg")
            .args([
                "-nostdin",
                "-v",
                "error",
                "-xerror",
                "-rtsp_transport",
                transport,
            ])
            .args([
                "-timeout", "10000000", "-i", &url, "-t", "10", "-f", "null", "-",
            ])
            .kill_on_drop(true)
            .output();
        let out = tokio::time::timeout(Duration::from_secs(30), decode)
            .await
            .expect("ffmpeg finished in time")
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && stderr.trim().is_empty(),
            "ffmpeg over {transport}: {stderr}"
        );
    }
    drop(stop);
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("server stops")
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retina_ffprobe_and_ffmpeg_read_h265_over_tcp() {
    require_ffprobe();
    let cfg = VideoConfig::new(640, 360, 15, 15, 1_000_000);
    let (addr, stop, server) = start(
        vec![Mount::with_codec("cam0", Codec::H265, cfg).unwrap()],
        ServerOptions::default(),
    )
    .await;
    let url = format!("rtsp://{addr}/cam0");

    let tcp = Transport::Tcp(TcpTransportOptions::default());
    let m = tokio::time::timeout(
        Duration::from_secs(20),
        ingest_codec(&url, Codec::H265, 3.5, 15, tcp),
    )
    .await
    .expect("retina ingest finished in time");
    eprintln!("H.265 {cfg:?}: {m:?}");
    let rtp_fps = (m.gop_frames - 1) as f64 / m.rtp_span_s;
    assert!((rtp_fps - 15.0).abs() < 0.01, "RTP frame rate {rtp_fps}");
    assert!(
        (m.frames as f64) > 3.5 * 15.0 * 0.75 && (m.frames as f64) <= 3.5 * 15.0 + 2.0,
        "{} frames in 3.5 s at 15 fps",
        m.frames
    );
    let kbps = m.gop_bytes as f64 * 8.0 / (m.gop_frames as f64 / 15.0) / 1000.0;
    eprintln!("measured {kbps:.1} kbit/s of H.265 for 1000 kbit/s");
    assert!((kbps / 1000.0 - 1.0).abs() < 0.03, "{kbps} kbit/s");
    // retina reports only IDR pictures as random access points: one every GOP.
    assert!(m.key_frame_indexes.len() >= 2, "{:?}", m.key_frame_indexes);
    for pair in m.key_frame_indexes.windows(2) {
        assert_eq!(pair[1] - pair[0], 15, "key frames every GOP");
    }
    assert_eq!(m.lost, 0);
    assert_eq!(m.sei_frames, m.frames, "every frame carries its send time");
    assert!(m.sender_reports >= 2, "{} sender reports", m.sender_reports);
    // retina parsed sprop-vps/sps/pps with its own H.265 SPS parser, cropping included.
    assert_eq!(m.sdp_dimensions, Some((640, 360)));

    let stdout = probe_stream(&url).await;
    for expected in [
        "codec_name=hevc",
        "width=640",
        "height=360",
        "r_frame_rate=15/1",
    ] {
        assert!(
            stdout.lines().any(|l| l == expected),
            "missing {expected} in ffprobe output:\n{stdout}"
        );
    }

    let decode = tokio::process::Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-xerror"])
        .args(["-rtsp_transport", "tcp", "-timeout", "10000000"])
        .args(["-i", &url, "-t", "10", "-f", "null", "-"])
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(30), decode)
        .await
        .expect("ffmpeg finished in time")
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stderr.trim().is_empty(),
        "ffmpeg decoding H.265 over TCP: {stderr}"
    );
    drop(stop);
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("server stops")
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retina_reads_h265_over_udp_at_exact_bitrate() {
    let cfg = VideoConfig::new(1280, 720, 25, 25, 4_000_000);
    let (addr, stop, server) = start(
        vec![Mount::with_codec("cam0", Codec::H265, cfg).unwrap()],
        ServerOptions::default(),
    )
    .await;
    let url = format!("rtsp://{addr}/cam0");
    let udp = Transport::Udp(UdpTransportOptions::default());
    let m = tokio::time::timeout(
        Duration::from_secs(20),
        ingest_codec(&url, Codec::H265, 3.0, 25, udp),
    )
    .await
    .expect("retina ingest finished in time");
    eprintln!("H.265 over UDP {cfg:?}: {m:?}");
    let kbps = m.gop_bytes as f64 * 8.0 / (m.gop_frames as f64 / 25.0) / 1000.0;
    eprintln!("measured {kbps:.1} kbit/s of H.265 over UDP for 4000 kbit/s");
    assert!((kbps / 4000.0 - 1.0).abs() < 0.03, "{kbps} kbit/s");
    let rtp_fps = (m.gop_frames - 1) as f64 / m.rtp_span_s;
    assert!((rtp_fps - 25.0).abs() < 0.01, "{rtp_fps} fps");
    assert_eq!(m.lost, 0, "loss on loopback UDP");
    assert_eq!(m.sei_frames, m.frames);
    assert_eq!(m.sdp_dimensions, Some((1280, 720)));
    assert!(
        m.sender_reports >= 2,
        "{} sender reports over UDP",
        m.sender_reports
    );
    drop(stop);
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("server stops")
        .unwrap();
}
