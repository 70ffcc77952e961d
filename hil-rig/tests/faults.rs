//! Injected faults as a client sees them: retina (the rig's ingest) and plain HTTP/SOAP read a
//! fleet on 127.0.0.1 while its fault plan plays, and measure that each fault does what the
//! plan says and nothing else: bitrate shortfall, drops with and without recovery, stalls,
//! latency with jitter, UDP loss, refused credentials and reboots.
//!
//! Each test starts its own small fleet (640x360 at 15 fps, one-second GOPs), times its faults
//! a second or two after start, and ends by itself within a few seconds. Plan parsing errors
//! are unit-tested in `src/faults.rs`; the CLI's exit status in planner/tests/binary.rs.

// A panic in these helpers is a failed test, not a crash on user input.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use camscope_hil_rig::faults::FaultPlan;
use camscope_hil_rig::fleet::{CameraSpec, Endpoint, Fleet, FleetConfig};
use camscope_hil_rig::onvif::auth::{Credentials, Secret, password_digest};
use camscope_hil_rig::video::{Codec, VideoConfig};
use futures::StreamExt;
use retina::client::{
    PacketItem, PlayOptions, SessionOptions, SetupOptions, TcpTransportOptions, Transport,
    UdpTransportOptions,
};
use retina::codec::{CodecItem, ParametersRef};
use time::format_description::well_known::Rfc3339;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::{Instant, timeout};

const USER: &str = "operator";
const FPS: u32 = 15;
const GOP: usize = 15;
const BITRATE: u64 = 1_000_000;

fn password() -> String {
    format!("pw-{}-{}", std::process::id(), rand::random::<u32>())
}

fn spec(name: &str) -> CameraSpec {
    CameraSpec {
        name: name.into(),
        codec: Codec::H264,
        main: VideoConfig::new(640, 360, FPS, GOP as u32, BITRATE),
        sub: None,
    }
}

/// A running fleet of `cam0`, `cam1` playing `plan`, and the wall-clock time its plan counts
/// from.
struct Rig {
    fleet: Fleet,
    endpoints: Vec<Endpoint>,
    password: String,
    start_us: u64,
}

async fn rig(plan: &str) -> Rig {
    rig_of(vec![spec("cam0"), spec("cam1")], plan).await
}

async fn rig_of(cameras: Vec<CameraSpec>, plan: &str) -> Rig {
    let password = password();
    let mut config = FleetConfig::loopback(
        cameras,
        Credentials {
            username: USER.into(),
            password: Secret::new(password.clone()),
        },
    );
    config.faults = Some(FaultPlan::parse("test.toml", plan).unwrap());
    let fleet = Fleet::start(config).await.unwrap();
    // The plan's time zero, as wall time, to place SEI send times on its timeline.
    let start_us = now_us() - u64::try_from(fleet.started().elapsed().as_micros()).unwrap();
    Rig {
        endpoints: fleet.endpoints().to_vec(),
        fleet,
        password,
        start_us,
    }
}

impl Rig {
    fn creds(&self) -> Option<retina::client::Credentials> {
        Some(retina::client::Credentials {
            username: USER.into(),
            password: self.password.clone(),
        })
    }

    /// Seconds since the plan's time zero.
    fn at(&self, us: u64) -> f64 {
        (us as f64 - self.start_us as f64) / 1e6
    }

    async fn stop(self) {
        timeout(Duration::from_secs(5), self.fleet.run_until(async {}))
            .await
            .expect("the fleet stops");
    }
}

fn now_us() -> u64 {
    u64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_micros(),
    )
    .unwrap()
}

/// A playing retina session on the video stream of `url`.
async fn play(
    url: &str,
    creds: Option<retina::client::Credentials>,
    transport: Transport,
) -> Result<(retina::client::Session<retina::client::Playing>, (u32, u32)), retina::Error> {
    let mut session = retina::client::Session::describe(
        url::Url::parse(url).unwrap(),
        SessionOptions::default()
            .user_agent("camscope-faults-test".into())
            .creds(creds),
    )
    .await?;
    let video = session
        .streams()
        .iter()
        .position(|s| s.media() == "video")
        .unwrap();
    let dimensions = match session.streams()[video].parameters() {
        Some(ParametersRef::Video(v)) => v.pixel_dimensions(),
        _ => (0, 0),
    };
    session
        .setup(video, SetupOptions::default().transport(transport))
        .await?;
    Ok((session.play(PlayOptions::default()).await?, dimensions))
}

fn tcp() -> Transport {
    Transport::Tcp(TcpTransportOptions::default())
}

/// One frame as received.
#[derive(Debug, Clone, Copy)]
struct Frame {
    sent_us: u64,
    arrived_us: u64,
    arrived: Instant,
    rtp: i64,
    bytes: usize,
    key: bool,
    loss: u16,
}

/// Frames of a demuxed session until `until`, and how the session ended (`None`: still up).
async fn frames_until(
    session: retina::client::Session<retina::client::Playing>,
    until: Instant,
) -> (Vec<Frame>, Option<String>) {
    let mut demuxed = session.demuxed().unwrap();
    let mut frames = Vec::new();
    loop {
        let item = match tokio::time::timeout_at(until, demuxed.next()).await {
            Err(_) => return (frames, None),
            Ok(None) => return (frames, Some("end of stream".into())),
            Ok(Some(Err(e))) => return (frames, Some(e.to_string())),
            Ok(Some(Ok(item))) => item,
        };
        let CodecItem::VideoFrame(f) = item else {
            continue;
        };
        let arrived_us = now_us();
        let mut data = f.data();
        let mut sent_us = None;
        while data.len() > 4 {
            let len = u32::from_be_bytes(data[..4].try_into().unwrap()) as usize;
            sent_us = sent_us.or(Codec::H264.parse_timestamp_sei(&data[4..4 + len]));
            data = &data[4 + len..];
        }
        frames.push(Frame {
            sent_us: sent_us.expect("every frame carries its send time"),
            arrived_us,
            arrived: Instant::now(),
            rtp: f.timestamp().timestamp(),
            bytes: f.data().len(),
            key: f.is_random_access_point(),
            loss: f.loss(),
        });
    }
}

/// kbit/s of each whole GOP, with the send time (plan seconds) of its first and last frame.
fn gop_rates(rig: &Rig, frames: &[Frame]) -> Vec<(f64, f64, f64)> {
    let first = frames.iter().position(|f| f.key).unwrap();
    frames[first..]
        .chunks_exact(GOP)
        .map(|gop| {
            assert!(gop[0].key && gop[1..].iter().all(|f| !f.key), "GOP cadence");
            let bytes: usize = gop.iter().map(|f| f.bytes).sum();
            let kbps = bytes as f64 * 8.0 / (GOP as f64 / f64::from(FPS)) / 1000.0;
            (rig.at(gop[0].sent_us), rig.at(gop[GOP - 1].sent_us), kbps)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bitrate_factor_halves_the_stream_while_onvif_reports_the_configured_bitrate() {
    let rig = rig(r#"
[[fault]]
camera = "cam0"
kind = "bitrate"
at = "2s"
for = "3s"
factor = 0.5
"#)
    .await;
    let (session, dims) = play(&rig.endpoints[0].rtsp, rig.creds(), tcp())
        .await
        .unwrap();
    assert_eq!(dims, (640, 360));
    // ONVIF, over the wire, still reports the configured 1000 kbit/s during the fault.
    let reported = async {
        tokio::time::sleep(Duration::from_millis(3000)).await;
        soap(
            &rig,
            0,
            MEDIA,
            "GetVideoEncoderConfigurations",
            NS_TRT,
            Auth::Token,
        )
        .await
    };
    let ((frames, ended), (status, body)) = tokio::join!(
        frames_until(session, Instant::now() + Duration::from_millis(7600)),
        reported
    );
    assert_eq!(ended, None, "the session stays up");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("BitrateLimit>1000<"), "{body}");
    assert!(body.contains("Width>640<"), "{body}");
    let rates = gop_rates(&rig, &frames);
    eprintln!("GOPs (first, last send time, kbit/s): {rates:?}");
    let (mut before, mut during, mut after) = (0, 0, 0);
    for (first, last, kbps) in rates {
        let expected = if last < 1.98 {
            before += 1;
            1000.0
        } else if first > 2.05 && last < 4.98 {
            during += 1;
            500.0
        } else if first > 5.02 {
            after += 1;
            1000.0
        } else {
            continue;
        };
        assert!(
            (kbps / expected - 1.0).abs() < 0.03,
            "{kbps} kbit/s for {expected} in a GOP from {first:.2} s to {last:.2} s"
        );
    }
    assert!(
        before >= 1 && during >= 2 && after >= 1,
        "{before} {during} {after}"
    );
    // Size, rate and GOP stay: 15 frames a second, one key frame each second.
    let span = (frames.last().unwrap().rtp - frames[0].rtp) as f64 / 90_000.0;
    assert!(((frames.len() - 1) as f64 / span - 15.0).abs() < 0.01);
    rig.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drop_without_for_ends_the_session_and_refuses_every_reconnect() {
    let rig = rig(r#"
[[fault]]
camera = "cam0"
kind = "drop"
at = "1s"
"#)
    .await;
    let (session, _) = play(&rig.endpoints[0].rtsp, rig.creds(), tcp())
        .await
        .unwrap();
    let (frames, ended) = frames_until(session, Instant::now() + Duration::from_secs(4)).await;
    let ended = ended.expect("the session ends");
    let last = rig.at(frames.last().unwrap().arrived_us);
    eprintln!("session ended after {last:.2} s: {ended}");
    assert!((0.9..1.3).contains(&last), "last frame at {last} s");
    for _ in 0..2 {
        let again = play(&rig.endpoints[0].rtsp, rig.creds(), tcp()).await;
        let e = again
            .err()
            .expect("the dropped camera refuses new sessions");
        assert_eq!(e.status_code(), Some(503), "{e}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    // The other camera is untouched.
    let (other, _) = play(&rig.endpoints[1].rtsp, rig.creds(), tcp())
        .await
        .unwrap();
    let (frames, ended) = frames_until(other, Instant::now() + Duration::from_secs(1)).await;
    assert!(
        ended.is_none() && frames.len() >= 10,
        "{} frames",
        frames.len()
    );
    rig.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drop_for_zero_seconds_is_recovered_by_reconnecting() {
    let rig = rig(r#"
[[fault]]
camera = "cam0"
kind = "drop"
at = "1s"
for = "0s"
"#)
    .await;
    let (session, _) = play(&rig.endpoints[0].rtsp, rig.creds(), tcp())
        .await
        .unwrap();
    let (frames, ended) = frames_until(session, Instant::now() + Duration::from_secs(3)).await;
    assert!(ended.is_some(), "the session ends at the drop");
    let last = rig.at(frames.last().unwrap().arrived_us);
    assert!((0.9..1.3).contains(&last), "last frame at {last} s");
    let (session, _) = play(&rig.endpoints[0].rtsp, rig.creds(), tcp())
        .await
        .expect("a reconnect after a one-off drop works");
    let (frames, ended) = frames_until(session, Instant::now() + Duration::from_secs(1)).await;
    assert!(
        ended.is_none() && frames.len() >= 10,
        "{} frames",
        frames.len()
    );
    rig.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stall_sends_nothing_then_resumes_on_the_clock_without_a_burst() {
    let rig = rig(r#"
[[fault]]
camera = "cam0"
kind = "stall"
at = "1s"
for = "1500ms"
"#)
    .await;
    let (session, _) = play(&rig.endpoints[0].rtsp, rig.creds(), tcp())
        .await
        .unwrap();
    let (frames, ended) = frames_until(session, Instant::now() + Duration::from_secs(4)).await;
    assert_eq!(ended, None, "the session survives the stall");
    let (gap_at, gap) = frames
        .windows(2)
        .enumerate()
        .map(|(i, w)| (i + 1, w[1].arrived - w[0].arrived))
        .max_by_key(|(_, d)| *d)
        .unwrap();
    eprintln!(
        "longest gap {gap:?} before frame {gap_at} of {}",
        frames.len()
    );
    assert!(
        gap >= Duration::from_millis(1400) && gap <= Duration::from_millis(1700),
        "gap {gap:?}"
    );
    let stalled_from = rig.at(frames[gap_at - 1].arrived_us);
    assert!(
        (0.9..1.2).contains(&stalled_from),
        "stalled at {stalled_from} s"
    );
    // RTP time jumps with the wall clock across the gap, so a receiver's timeline stays right.
    let rtp_gap = (frames[gap_at].rtp - frames[gap_at - 1].rtp) as f64 / 90_000.0;
    assert!(
        (rtp_gap - gap.as_secs_f64()).abs() < 0.1,
        "RTP gap {rtp_gap} s for {gap:?}"
    );
    // Sequence numbers continue: no loss reported anywhere.
    assert!(frames.iter().all(|f| f.loss == 0));
    // No backlog burst: the half second after resuming carries half a second of frames.
    let resumed = frames[gap_at].arrived;
    let burst = frames[gap_at..]
        .iter()
        .take_while(|f| f.arrived - resumed < Duration::from_millis(500))
        .count();
    assert!(
        burst <= 9,
        "{burst} frames in the first 0.5 s after the stall"
    );
    // Media after the stall is fresh: sent within a frame interval of arriving.
    assert!(
        frames[gap_at..]
            .iter()
            .all(|f| f.arrived_us - f.sent_us < 100_000)
    );
    rig.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn latency_delays_every_frame_by_the_delay_and_jitter_keeps_order() {
    let rig = rig(r#"
[[fault]]
camera = "cam0"
kind = "latency"
at = "1s"
for = "2s"
delay = "200ms"

[[fault]]
camera = "cam1"
kind = "latency"
at = "1s"
for = "2s"
delay = "200ms"
jitter = "50ms"
"#)
    .await;
    let (s0, _) = play(&rig.endpoints[0].rtsp, rig.creds(), tcp())
        .await
        .unwrap();
    let (s1, _) = play(&rig.endpoints[1].rtsp, rig.creds(), tcp())
        .await
        .unwrap();
    let until = Instant::now() + Duration::from_secs(4);
    let ((f0, e0), (f1, e1)) = tokio::join!(frames_until(s0, until), frames_until(s1, until));
    assert_eq!((e0, e1), (None, None));
    for (name, frames, low, high) in [("cam0", &f0, 200.0, 260.0), ("cam1", &f1, 150.0, 310.0)] {
        let latency = |f: &Frame| (f.arrived_us - f.sent_us) as f64 / 1000.0;
        let inside: Vec<f64> = frames
            .iter()
            .filter(|f| (1.05..2.95).contains(&rig.at(f.sent_us)))
            .map(latency)
            .collect();
        let outside: Vec<f64> = frames
            .iter()
            .filter(|f| rig.at(f.sent_us) < 0.95 || rig.at(f.sent_us) > 3.3)
            .map(latency)
            .collect();
        let (min, max) = inside
            .iter()
            .fold((f64::MAX, 0f64), |(lo, hi), l| (lo.min(*l), hi.max(*l)));
        eprintln!(
            "{name}: {} frames in the window, latency {min:.1}..{max:.1} ms",
            inside.len()
        );
        assert!(inside.len() >= 25, "{} frames", inside.len());
        assert!(min >= low && max <= high, "{name}: {min}..{max} ms");
        assert!(
            outside.len() >= 10 && outside.iter().all(|l| *l < 100.0),
            "{outside:?}"
        );
        assert!(
            frames.iter().all(|f| f.loss == 0),
            "order kept, nothing lost"
        );
    }
    // The jitter shows: cam1's latencies spread over tens of milliseconds.
    let spread: Vec<f64> = f1
        .iter()
        .filter(|f| (1.05..2.95).contains(&rig.at(f.sent_us)))
        .map(|f| (f.arrived_us - f.sent_us) as f64 / 1000.0)
        .collect();
    let max = spread.iter().cloned().fold(0f64, f64::max);
    let min = spread.iter().cloned().fold(f64::MAX, f64::min);
    assert!(max - min > 30.0, "jitter {min}..{max} ms");
    rig.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn udp_loss_drops_that_share_of_udp_packets_and_spares_tcp() {
    // 4 Mbit/s: about 360 packets a second, enough for the share to show within seconds.
    let mut busy = spec("cam0");
    busy.main = VideoConfig::new(1280, 720, 25, 25, 4_000_000);
    let rig = rig_of(
        vec![busy],
        r#"
[[fault]]
camera = "cam0"
kind = "udp-loss"
at = "0s"
percent = 20.0
"#,
    )
    .await;
    let udp = Transport::Udp(UdpTransportOptions::default());
    let (mut packets, _) = play(&rig.endpoints[0].rtsp, rig.creds(), udp)
        .await
        .unwrap();
    let (tcp_session, _) = play(&rig.endpoints[0].rtsp, rig.creds(), tcp())
        .await
        .unwrap();
    let udp_count = async {
        let (mut received, mut lost) = (0u64, 0u64);
        let until = Instant::now() + Duration::from_secs(4);
        while let Ok(Some(item)) = tokio::time::timeout_at(until, packets.next()).await {
            if let PacketItem::Rtp(p) = item.unwrap() {
                received += 1;
                lost += u64::from(p.loss());
            }
        }
        (received, lost)
    };
    let ((received, lost), (tcp_frames, tcp_end)) = tokio::join!(
        udp_count,
        frames_until(tcp_session, Instant::now() + Duration::from_secs(4))
    );
    let share = lost as f64 / (received + lost) as f64 * 100.0;
    eprintln!("UDP: {received} packets received, {lost} lost: {share:.1}%");
    assert!(received + lost > 1000, "{received} + {lost} packets");
    // One standard deviation is about 1% of 1400 packets.
    assert!((share - 20.0).abs() < 3.5, "{share}% lost");
    assert_eq!(tcp_end, None);
    assert!(tcp_frames.len() >= 75 && tcp_frames.iter().all(|f| f.loss == 0));
    rig.stop().await;
}

const DEVICE: &str = "/onvif/device_service";
const MEDIA: &str = "/onvif/media_service";
const NS_TDS: &str = "http://www.onvif.org/ver10/device/wsdl";
const NS_TRT: &str = "http://www.onvif.org/ver10/media/wsdl";

#[derive(Clone, Copy)]
enum Auth {
    Token,
    Nothing,
}

/// Sends one SOAP request over HTTP/1.1 to camera `index` and returns status and body; status 0
/// when the camera closed the connection without an answer.
async fn soap(
    rig: &Rig,
    index: usize,
    path: &str,
    op: &str,
    ns: &str,
    auth: Auth,
) -> (u16, String) {
    let addr = rig.endpoints[index]
        .onvif
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let header = match auth {
        Auth::Token => {
            let created = time::OffsetDateTime::now_utc().format(&Rfc3339).unwrap();
            let nonce: [u8; 16] = rand::random();
            let digest = password_digest(&nonce, &created, &rig.password);
            let nonce = base64::engine::general_purpose::STANDARD.encode(nonce);
            format!(
                r#"<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"><wsse:UsernameToken><wsse:Username>{USER}</wsse:Username><wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">{digest}</wsse:Password><wsse:Nonce>{nonce}</wsse:Nonce><wsu:Created>{created}</wsu:Created></wsse:UsernameToken></wsse:Security>"#
            )
        }
        Auth::Nothing => String::new(),
    };
    let body = format!(
        r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header>{header}</s:Header><s:Body><{op} xmlns="{ns}"/></s:Body></s:Envelope>"#
    );
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/soap+xml\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(&addr).await?;
        stream.write_all(request.as_bytes()).await?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await?;
        Ok::<_, std::io::Error>(response)
    };
    let response = match timeout(Duration::from_secs(5), exchange).await.unwrap() {
        Ok(r) => String::from_utf8_lossy(&r).into_owned(),
        // A reset is a refusal too.
        Err(_) => String::new(),
    };
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, response)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refuse_credentials_refuses_the_right_password_on_onvif_and_rtsp_then_recovers() {
    let rig = rig(r#"
[[fault]]
camera = "cam0"
kind = "refuse-credentials"
at = "1s"
for = "1500ms"
"#)
    .await;
    let info = |auth| soap(&rig, 0, DEVICE, "GetDeviceInformation", NS_TDS, auth);
    let (status, body) = info(Auth::Token).await;
    assert_eq!(status, 200, "before the fault: {body}");
    let (live, _) = play(&rig.endpoints[0].rtsp, rig.creds(), tcp())
        .await
        .unwrap();
    let (frames, ended) = frames_until(live, rig_time(&rig, 1.5)).await;
    // A session opened before keeps its media; only requests are refused.
    assert!(ended.is_none() && frames.len() >= 15, "{ended:?}");

    let (status, body) = info(Auth::Token).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("ter:NotAuthorized"), "{body}");
    let (status, body) = info(Auth::Nothing).await;
    assert_eq!(status, 401, "{body}");
    assert!(
        body.to_ascii_lowercase()
            .contains("www-authenticate: digest"),
        "{body}"
    );
    // Pre-auth operations still work, as on a camera whose account was changed.
    let (status, _) = soap(
        &rig,
        0,
        DEVICE,
        "GetSystemDateAndTime",
        NS_TDS,
        Auth::Nothing,
    )
    .await;
    assert_eq!(status, 200);
    let refused = play(&rig.endpoints[0].rtsp, rig.creds(), tcp()).await;
    let e = refused.err().expect("RTSP refuses the right password");
    assert_eq!(e.status_code(), Some(401), "{e}");
    // The other camera accepts the same account.
    assert_eq!(
        soap(&rig, 1, DEVICE, "GetDeviceInformation", NS_TDS, Auth::Token)
            .await
            .0,
        200
    );

    tokio::time::sleep_until(rig_time(&rig, 2.7)).await;
    let (status, body) = info(Auth::Token).await;
    assert_eq!(status, 200, "after the fault: {body}");
    assert!(body.contains("Manufacturer"), "{body}");
    let (session, _) = play(&rig.endpoints[0].rtsp, rig.creds(), tcp())
        .await
        .expect("RTSP accepts the password again");
    let (frames, _) = frames_until(session, Instant::now() + Duration::from_millis(700)).await;
    assert!(frames.len() >= 5);
    rig.stop().await;
}

/// The instant `secs` after the plan's time zero.
fn rig_time(rig: &Rig, secs: f64) -> Instant {
    rig.fleet.started() + Duration::from_secs_f64(secs)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reboot_refuses_onvif_and_rtsp_then_serves_with_the_settings_kept() {
    let rig = rig(r#"
[[fault]]
camera = "cam0"
kind = "reboot"
at = "1s"
for = "1500ms"
"#)
    .await;
    // A client set 1280x720 before the reboot, as over ONVIF.
    let camera = &rig.fleet.cameras()[0];
    let mut encoder = camera.state().profiles[0].encoder.clone();
    encoder.resolution.width = 1280;
    encoder.resolution.height = 720;
    camera.set_encoder(encoder).unwrap();
    // The mount follows the camera state from its own task.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let (session, dims) = play(&rig.endpoints[0].rtsp, rig.creds(), tcp())
        .await
        .unwrap();
    assert_eq!(dims, (1280, 720));
    let (frames, ended) = frames_until(session, Instant::now() + Duration::from_secs(3)).await;
    assert!(ended.is_some(), "the reboot ends the session");
    let last = rig.at(frames.last().unwrap().arrived_us);
    assert!((0.9..1.3).contains(&last), "last frame at {last} s");

    tokio::time::sleep_until(rig_time(&rig, 1.4)).await;
    let (status, _) = soap(
        &rig,
        0,
        DEVICE,
        "GetSystemDateAndTime",
        NS_TDS,
        Auth::Nothing,
    )
    .await;
    assert_eq!(status, 0, "ONVIF answers nothing while rebooting");
    let e = play(&rig.endpoints[0].rtsp, rig.creds(), tcp())
        .await
        .err()
        .expect("RTSP refuses while rebooting");
    assert_eq!(e.status_code(), Some(503), "{e}");
    assert_eq!(
        soap(
            &rig,
            1,
            DEVICE,
            "GetSystemDateAndTime",
            NS_TDS,
            Auth::Nothing
        )
        .await
        .0,
        200,
        "the other camera is up"
    );

    tokio::time::sleep_until(rig_time(&rig, 2.7)).await;
    let (status, body) = soap(
        &rig,
        0,
        MEDIA,
        "GetVideoEncoderConfigurations",
        NS_TRT,
        Auth::Token,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("Width>1280<") && body.contains("Height>720<"),
        "{body}"
    );
    let (session, dims) = play(&rig.endpoints[0].rtsp, rig.creds(), tcp())
        .await
        .expect("RTSP serves after the reboot");
    assert_eq!(
        dims,
        (1280, 720),
        "the encoder settings survived the reboot"
    );
    let (frames, _) = frames_until(session, Instant::now() + Duration::from_millis(700)).await;
    assert!(frames.len() >= 5);
    rig.stop().await;
}
