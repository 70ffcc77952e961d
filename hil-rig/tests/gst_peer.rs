//! GStreamer's rtsp-server, through `tests/peers/gst_rtsp_cameras.py`, as a third-party camera.
//!
//! Scope: the peer script is what the HIL validator's interop tests and `bench/simulate.sh` use
//! as a camera nobody on the team wrote, so it must serve what it is asked for. retina reads two
//! mounts at once over TCP and checks codec, picture size, frame rate (from the RTP clock and
//! from the pacing), bitrate and loss: for the encoder-free `file` source in H.264 and H.265 and
//! for the per-stream x264 `live` source. With Digest and Basic auth on, no or wrong credentials
//! are refused and the right ones read video, and the password never reaches the script's
//! output. Bad arguments exit 2 naming the problem.
//!
//! GStreamer is a CI dependency (`.ci/run` installs it): when it is missing these tests fail with
//! the apt command to run rather than skip. Everything binds 127.0.0.1, port 0, and every wait
//! has a time limit; the peer is killed when its handle drops.

#![allow(clippy::unwrap_used)]

use std::process::Stdio;
use std::time::Duration;

use futures::StreamExt;
use retina::client::{
    Credentials, PlayOptions, Session, SessionOptions, SetupOptions, TcpTransportOptions, Transport,
};
use retina::codec::{CodecItem, ParametersRef};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};

const PYTHON: &str = "/usr/bin/python3";
const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/peers/gst_rtsp_cameras.py"
);
const APT_INSTALL: &str = "apt-get install -y python3-gi gir1.2-gstreamer-1.0 \
     gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good \
     gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly";
/// x265 encodes its template slowly; a 640×360 one takes a few seconds here.
const STARTUP_LIMIT: Duration = Duration::from_secs(90);

/// A running peer; dropping it kills the process.
struct Peer {
    child: Child,
    urls: Vec<String>,
}

impl Peer {
    /// Stops the peer with SIGTERM, as a user would, and returns its stderr.
    async fn stop(mut self) -> String {
        let pid = self.child.id().unwrap().to_string();
        let killed = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = tokio::time::timeout(Duration::from_secs(10), self.child.wait())
            .await
            .expect("the peer stops within 10 s of SIGTERM")
            .unwrap();
        let mut stderr = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            e.read_to_string(&mut stderr).await.unwrap();
        }
        assert!(
            status.success(),
            "peer exited {status} on SIGTERM: {stderr}"
        );
        stderr
    }
}

fn peer_command(args: &[&str]) -> Command {
    assert!(
        std::path::Path::new(PYTHON).exists(),
        "{PYTHON} is missing; GStreamer's Python bindings belong to Debian's python3: {APT_INSTALL}"
    );
    let mut command = Command::new(PYTHON);
    command
        .arg(SCRIPT)
        .args(["--bind", "127.0.0.1", "--port", "0"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    command
}

/// Starts the peer and waits for its JSON line; fails loudly if GStreamer is missing.
async fn start(mut command: Command) -> (Peer, serde_json::Value) {
    let mut child = command.spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = tokio::time::timeout(STARTUP_LIMIT, lines.next_line())
        .await
        .expect("the peer printed its JSON line in time")
        .unwrap();
    let Some(line) = first else {
        let out = child.wait_with_output().await.unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_ne!(
            out.status.code(),
            Some(3),
            "GStreamer is missing; CI installs it with: {APT_INSTALL}\n{stderr}"
        );
        panic!("the peer exited {} before listening: {stderr}", out.status);
    };
    let info: serde_json::Value = serde_json::from_str(&line).unwrap();
    let urls = info["urls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap().to_owned())
        .collect();
    (Peer { child, urls }, info)
}

/// What retina saw of one mount.
#[derive(Debug)]
struct Seen {
    encoding: String,
    dimensions: (u32, u32),
    frames: usize,
    /// Frame rate from the RTP timestamps of whole GOPs.
    rtp_fps: f64,
    /// Bitrate over whole GOPs, timed by the RTP clock.
    kbps: f64,
    /// Frames between consecutive key frames.
    key_frame_gaps: Vec<usize>,
    lost: u64,
}

fn options(creds: Option<Credentials>) -> SessionOptions {
    SessionOptions::default()
        .creds(creds)
        .user_agent("camscope-gst-peer-test".into())
}

/// Reads `url` over interleaved TCP for `secs` seconds.
async fn read(url: &str, creds: Option<Credentials>, secs: f64) -> Seen {
    let mut session = Session::describe(url::Url::parse(url).unwrap(), options(creds))
        .await
        .unwrap();
    let video = session
        .streams()
        .iter()
        .position(|s| s.media() == "video")
        .expect("a video stream in the SDP");
    let encoding = session.streams()[video].encoding_name().to_owned();
    let dimensions = match session.streams()[video].parameters() {
        Some(ParametersRef::Video(v)) => v.pixel_dimensions(),
        other => panic!("no video parameters in the SDP: {other:?}"),
    };
    session
        .setup(
            video,
            SetupOptions::default().transport(Transport::Tcp(TcpTransportOptions::default())),
        )
        .await
        .unwrap();
    let mut demuxed = session
        .play(PlayOptions::default())
        .await
        .unwrap()
        .demuxed()
        .unwrap();
    let (mut sizes, mut times, mut keys, mut lost) = (Vec::new(), Vec::new(), Vec::new(), 0u64);
    let deadline = tokio::time::Instant::now() + Duration::from_secs_f64(secs);
    while let Ok(Some(item)) = tokio::time::timeout_at(deadline, demuxed.next()).await {
        let CodecItem::VideoFrame(f) = item.unwrap() else {
            continue;
        };
        if f.is_random_access_point() {
            keys.push(sizes.len());
        }
        lost += u64::from(f.loss());
        sizes.push(f.data().len());
        times.push(f.timestamp().timestamp());
    }
    assert!(
        keys.len() >= 2,
        "fewer than two key frames in {secs} s: {keys:?}"
    );
    // Whole GOPs from the first key frame to the last: a CBR rate holds over a GOP, not a frame.
    let (first, last) = (keys[0], keys[keys.len() - 1]);
    let span_s = (times[last] - times[first]) as f64 / 90_000.0;
    let bytes: usize = sizes[first..last].iter().sum();
    Seen {
        encoding,
        dimensions,
        frames: sizes.len(),
        rtp_fps: (last - first) as f64 / span_s,
        kbps: bytes as f64 * 8.0 / span_s / 1000.0,
        key_frame_gaps: keys.windows(2).map(|w| w[1] - w[0]).collect(),
        lost,
    }
}

/// Serves two cameras with `args` and checks what retina reads from both at once.
async fn two_cameras_as_configured(args: &[&str], codec: &str, tolerance: f64) {
    let (width, height, fps, gop, kbps) = (640u32, 360u32, 15u32, 15usize, 800f64);
    let mut all = vec![
        "--count".to_owned(),
        "2".into(),
        "--codec".into(),
        codec.into(),
    ];
    for (flag, value) in [
        ("--width", width.to_string()),
        ("--height", height.to_string()),
        ("--fps", fps.to_string()),
        ("--gop", gop.to_string()),
        ("--kbps", kbps.to_string()),
    ] {
        all.extend([flag.to_owned(), value]);
    }
    all.extend(args.iter().map(|a| (*a).to_owned()));
    let refs: Vec<&str> = all.iter().map(String::as_str).collect();
    let (peer, info) = start(peer_command(&refs)).await;
    assert_eq!(peer.urls.len(), 2, "{info}");
    assert_eq!(info["codec"], codec);
    let secs = 4.5;
    let (a, b) = tokio::time::timeout(Duration::from_secs(30), async {
        tokio::join!(
            read(&peer.urls[0], None, secs),
            read(&peer.urls[1], None, secs)
        )
    })
    .await
    .expect("retina read both mounts in time");
    for seen in [&a, &b] {
        eprintln!("{args:?} {codec}: {seen:?}");
        assert_eq!(seen.encoding, codec);
        assert_eq!(seen.dimensions, (width, height));
        assert_eq!(seen.lost, 0, "packets lost on loopback");
        assert!(
            (seen.rtp_fps / f64::from(fps) - 1.0).abs() < 0.01,
            "RTP frame rate {} for {fps}",
            seen.rtp_fps
        );
        // Paced in real time, not pushed as fast as the socket takes it: about secs × fps frames
        // (PLAY takes a moment; a live source may hand over a few queued frames at once).
        let expected = secs * f64::from(fps);
        assert!(
            (seen.frames as f64) > expected * 0.7 && (seen.frames as f64) < expected * 1.15 + 3.0,
            "{} frames in {secs} s at {fps} fps",
            seen.frames
        );
        assert!(
            seen.key_frame_gaps.iter().all(|&g| g == gop),
            "key frames every {gop} frames: {:?}",
            seen.key_frame_gaps
        );
        assert!(
            (seen.kbps / kbps - 1.0).abs() < tolerance,
            "{:.1} kbit/s for {kbps}",
            seen.kbps
        );
    }
    peer.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_source_serves_h264_at_the_configured_size_rate_and_bitrate() {
    // The template is padded per GOP, so the rate is exact up to the payloader's parameter sets.
    two_cameras_as_configured(&["--source", "file"], "h264", 0.02).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_source_serves_h265_at_the_configured_size_rate_and_bitrate() {
    two_cameras_as_configured(&["--source", "file"], "h265", 0.02).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_x264_source_serves_the_configured_size_rate_and_bitrate() {
    // x264's CBR with filler holds the rate per VBV buffer, not per GOP.
    two_cameras_as_configured(&["--source", "live"], "h264", 0.05).await;
}

async fn auth_refuses_wrong_credentials(method: &str) {
    let password = format!("pw-{}-{}", std::process::id(), rand::random::<u32>());
    let mut command = peer_command(&[
        "--count",
        "2",
        "--width",
        "640",
        "--height",
        "360",
        "--kbps",
        "800",
        "--auth",
        method,
        "--user",
        "viewer",
        "--password-env",
        "GST_PEER_TEST_PASSWORD",
    ]);
    command.env("GST_PEER_TEST_PASSWORD", &password);
    let (peer, info) = start(command).await;
    assert_eq!(info["auth"], method);
    assert!(!info.to_string().contains(&password));
    let creds = |user: &str, password: &str| {
        Some(Credentials {
            username: user.into(),
            password: password.into(),
        })
    };
    for (who, c) in [
        ("no credentials", None),
        ("a wrong password", creds("viewer", "not-the-password")),
        ("a wrong user", creds("intruder", &password)),
    ] {
        let url = url::Url::parse(&peer.urls[1]).unwrap();
        let refused =
            tokio::time::timeout(Duration::from_secs(10), Session::describe(url, options(c)))
                .await
                .expect("DESCRIBE answered in time");
        let err = refused
            .err()
            .unwrap_or_else(|| panic!("{method}: {who} was let in"));
        assert!(
            err.to_string().contains("401"),
            "{method}: {who} refused with 401 Unauthorized, got: {err}"
        );
    }
    let seen = tokio::time::timeout(
        Duration::from_secs(20),
        read(&peer.urls[1], creds("viewer", &password), 2.5),
    )
    .await
    .expect("retina read the mount in time");
    assert_eq!(seen.encoding, "h264");
    assert_eq!(seen.dimensions, (640, 360));
    assert!(seen.frames > 40, "{seen:?}");
    let stderr = peer.stop().await;
    assert!(!stderr.contains(&password), "password in the peer's stderr");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn digest_auth_refuses_missing_and_wrong_credentials() {
    auth_refuses_wrong_credentials("digest").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn basic_auth_refuses_missing_and_wrong_credentials() {
    auth_refuses_wrong_credentials("basic").await;
}

#[tokio::test]
async fn bad_arguments_exit_2_naming_the_problem() {
    let cases: [(&[&str], &str); 4] = [
        (
            &["--user", "viewer"],
            "--user and --password-env go together",
        ),
        (
            &[
                "--user",
                "viewer",
                "--password-env",
                "GST_PEER_TEST_UNSET_VARIABLE",
            ],
            "GST_PEER_TEST_UNSET_VARIABLE",
        ),
        (&["--width", "641"], "--width 641 must be even"),
        (&["--count", "0"], "--count 0 is outside"),
    ];
    for (args, expected) in cases {
        let mut command = peer_command(args);
        command.env_remove("GST_PEER_TEST_UNSET_VARIABLE");
        let out = tokio::time::timeout(Duration::from_secs(30), command.output())
            .await
            .expect("the peer exits in time")
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?} printed a listening line");
    }
}
