//! The RTSP server's wire behaviour, checked byte by byte with a hand-driven client.
//!
//! Scope: replies and status codes for every method and the errors around them, the RTP stream
//! itself (channels from SETUP, RTP-Info matching the first packet, sequence numbers and 90 kHz
//! timestamps continuous across GOPs, RTCP sender reports about once a second), the same over
//! UDP (RTP from an even server port, RTCP from the next one), TEARDOWN,
//! session timeout without keepalives versus a session kept alive by GET_PARAMETER, and
//! configuration errors. Everything runs on 127.0.0.1 with port 0 and bounded waits.

// clippy's allow-unwrap-in-tests covers #[test] functions but not the helpers beside them;
// a panic here is a failed test, not a crash on user input.
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::time::Duration;

use camscope_hil_rig::ErrorKind;
use camscope_hil_rig::rtsp::{Mount, RtspServer, ServerOptions};
use camscope_hil_rig::video::VideoConfig;
use rtsp_types::{Message, Response, StatusCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::sync::oneshot;
use tokio::time::{Instant, timeout};

const WAIT: Duration = Duration::from_secs(5);

fn cam0() -> VideoConfig {
    VideoConfig::new(640, 360, 15, 15, 1_000_000)
}

async fn start(options: ServerOptions) -> (SocketAddr, oneshot::Sender<()>) {
    let server = RtspServer::bind(
        "127.0.0.1:0".parse().unwrap(),
        vec![Mount::new("/cam0/", cam0()).unwrap()],
        options,
    )
    .await
    .unwrap();
    let addr = server.local_addr();
    assert_eq!(server.url("/cam0"), format!("rtsp://{addr}/cam0"));
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(server.serve(async move {
        let _ = stopped.await;
    }));
    (addr, stop)
}

/// An interleaved RTP or RTCP packet as received.
struct Data {
    channel: u8,
    bytes: Vec<u8>,
}

struct Client {
    stream: TcpStream,
    buf: Vec<u8>,
    cseq: u32,
    data: Vec<Data>,
}

impl Client {
    async fn connect(addr: SocketAddr) -> Self {
        Client {
            stream: TcpStream::connect(addr).await.unwrap(),
            buf: Vec::new(),
            cseq: 0,
            data: Vec::new(),
        }
    }

    /// The next message, or `None` at end of stream.
    async fn next_message(&mut self) -> Option<Message<Vec<u8>>> {
        loop {
            match Message::<Vec<u8>>::parse(&self.buf) {
                Ok((m, used)) => {
                    self.buf.drain(..used);
                    return Some(m);
                }
                Err(rtsp_types::ParseError::Incomplete(_)) => {}
                Err(e) => panic!("server sent an unparseable message: {e}"),
            }
            let n = timeout(WAIT, self.stream.read_buf(&mut self.buf))
                .await
                .expect("server answered in time")
                .unwrap();
            if n == 0 {
                return None;
            }
        }
    }

    /// Sends raw bytes and returns the next response, keeping media that arrives before it.
    async fn raw(&mut self, text: &str) -> Option<Response<Vec<u8>>> {
        self.stream.write_all(text.as_bytes()).await.unwrap();
        loop {
            match self.next_message().await? {
                Message::Response(r) => return Some(r),
                Message::Data(d) => self.data.push(Data {
                    channel: d.channel_id(),
                    bytes: d.as_slice().to_vec(),
                }),
                Message::Request(r) => panic!("unexpected request {r:?}"),
            }
        }
    }

    async fn request(&mut self, method: &str, url: &str, headers: &[&str]) -> Response<Vec<u8>> {
        self.cseq += 1;
        let mut text = format!("{method} {url} RTSP/1.0\r\nCSeq: {}\r\n", self.cseq);
        for h in headers {
            text.push_str(h);
            text.push_str("\r\n");
        }
        text.push_str("\r\n");
        let r = self.raw(&text).await.expect("a response");
        assert_eq!(header(&r, "CSeq"), self.cseq.to_string());
        r
    }

    /// SETUP on interleaved channels 2-3, then PLAY; returns the session id and the response.
    async fn play(&mut self, addr: SocketAddr) -> (String, Response<Vec<u8>>) {
        let track = format!("rtsp://{addr}/cam0/track1");
        let r = self
            .request(
                "SETUP",
                &track,
                &["Transport: RTP/AVP/TCP;unicast;interleaved=2-3"],
            )
            .await;
        assert_eq!(r.status(), StatusCode::Ok);
        let transport = header(&r, "Transport");
        assert!(
            transport.starts_with("RTP/AVP/TCP;unicast;interleaved=2-3;ssrc="),
            "{transport}"
        );
        let session = header(&r, "Session");
        let (id, timeout) = session.split_once(";timeout=").unwrap();
        assert!(timeout.parse::<u64>().unwrap() >= 1);
        let id = id.to_owned();
        let play = self
            .request(
                "PLAY",
                &format!("rtsp://{addr}/cam0/"),
                &[&format!("Session: {id}")],
            )
            .await;
        assert_eq!(play.status(), StatusCode::Ok);
        (id, play)
    }

    /// Reads interleaved data for `secs` (or until the server closes); true if it closed.
    async fn read_for(&mut self, secs: f64) -> bool {
        let end = Instant::now() + Duration::from_secs_f64(secs);
        loop {
            match tokio::time::timeout_at(end, self.next_message()).await {
                Err(_) => return false,
                Ok(None) => return true,
                Ok(Some(Message::Data(d))) => self.data.push(Data {
                    channel: d.channel_id(),
                    bytes: d.as_slice().to_vec(),
                }),
                Ok(Some(m)) => panic!("unexpected message {m:?}"),
            }
        }
    }
}

fn header(r: &Response<Vec<u8>>, name: &'static str) -> String {
    r.header(&rtsp_types::HeaderName::from_static_str(name).unwrap())
        .map(|v| v.as_str().to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn methods_answer_with_the_right_status_codes() {
    let (addr, _stop) = start(ServerOptions::default()).await;
    let mut c = Client::connect(addr).await;

    let r = c.request("OPTIONS", "*", &[]).await;
    assert_eq!(r.status(), StatusCode::Ok);
    let public = header(&r, "Public");
    for m in [
        "OPTIONS",
        "DESCRIBE",
        "SETUP",
        "PLAY",
        "GET_PARAMETER",
        "TEARDOWN",
    ] {
        assert!(public.contains(m), "{public}");
    }

    let r = c
        .request("DESCRIBE", &format!("rtsp://{addr}/nope"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::NotFound);

    let r = c
        .request("DESCRIBE", &format!("rtsp://{addr}/cam0"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::Ok);
    assert_eq!(header(&r, "Content-Type"), "application/sdp");
    assert_eq!(header(&r, "Content-Base"), format!("rtsp://{addr}/cam0/"));
    let sdp = String::from_utf8(r.body().clone()).unwrap();
    for line in [
        "m=video 0 RTP/AVP 96",
        "a=rtpmap:96 H264/90000",
        "a=control:track1",
        "a=control:*",
    ] {
        assert!(sdp.lines().any(|l| l == line), "{line} missing in\n{sdp}");
    }
    let fmtp = sdp.lines().find(|l| l.starts_with("a=fmtp:96 ")).unwrap();
    assert!(fmtp.contains("packetization-mode=1"), "{fmtp}");
    assert!(fmtp.contains("profile-level-id=4D0016"), "{fmtp}");
    assert!(fmtp.contains("sprop-parameter-sets=Z00AF"), "{fmtp}");

    let track = format!("rtsp://{addr}/cam0/track1");
    for unsupported in [
        "Transport: RTP/AVP;multicast;port=5000-5001",
        "Transport: RTP/SAVP;unicast;client_port=5000-5001",
        "Transport: RTP/AVP;unicast",
    ] {
        let r = c.request("SETUP", &track, &[unsupported]).await;
        assert_eq!(
            r.status(),
            StatusCode::UnsupportedTransport,
            "{unsupported}"
        );
    }

    let r = c
        .request("PLAY", &format!("rtsp://{addr}/cam0/"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SessionNotFound);
    let r = c
        .request(
            "GET_PARAMETER",
            &format!("rtsp://{addr}/cam0/"),
            &["Session: 1234"],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SessionNotFound);
    let r = c
        .request("SET_PARAMETER", &format!("rtsp://{addr}/cam0/"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::NotImplemented);
    // A keepalive without a session is fine.
    let r = c
        .request("GET_PARAMETER", &format!("rtsp://{addr}/cam0/"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::Ok);

    // Missing CSeq: 400, and the connection closes.
    let r = c.raw("OPTIONS * RTSP/1.0\r\n\r\n").await.unwrap();
    assert_eq!(r.status(), StatusCode::BadRequest);
    assert!(c.next_message().await.is_none());

    // Bytes that are not RTSP: 400, and the connection closes.
    let mut g = Client::connect(addr).await;
    let r = g.raw("\x01\x02 hello\r\n\r\n").await.unwrap();
    assert_eq!(r.status(), StatusCode::BadRequest);
    assert!(g.next_message().await.is_none());
}

#[tokio::test]
async fn stream_is_continuous_across_gops_with_sender_reports() {
    let (addr, _stop) = start(ServerOptions::default()).await;
    let mut c = Client::connect(addr).await;
    let (id, play) = c.play(addr).await;
    let rtp_info = header(&play, "RTP-Info");
    assert!(rtp_info.starts_with(&format!("url=rtsp://{addr}/cam0/track1;seq=")));
    let seq0: u16 = rtp_info
        .split(";seq=")
        .nth(1)
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let ts0: u32 = rtp_info.split(";rtptime=").nth(1).unwrap().parse().unwrap();
    assert!(!c.read_for(2.4).await, "server closed the stream");

    let rtp: Vec<&Data> = c.data.iter().filter(|d| d.channel == 2).collect();
    let rtcp: Vec<&Data> = c.data.iter().filter(|d| d.channel == 3).collect();
    assert_eq!(
        rtp.len() + rtcp.len(),
        c.data.len(),
        "only channels 2 and 3"
    );
    // Sequence numbers continue across frames and GOPs; timestamps step by 90000 / 15 per frame.
    let mut expected_seq = seq0;
    let mut frame_timestamps = Vec::new();
    let mut ssrc = None;
    for d in &rtp {
        let b = &d.bytes;
        assert_eq!(u16::from_be_bytes([b[2], b[3]]), expected_seq);
        expected_seq = expected_seq.wrapping_add(1);
        ssrc.get_or_insert([b[8], b[9], b[10], b[11]]);
        if b[1] & 0x80 != 0 {
            frame_timestamps.push(u32::from_be_bytes([b[4], b[5], b[6], b[7]]));
        }
    }
    assert_eq!(
        frame_timestamps[0], ts0,
        "RTP-Info rtptime is the first frame's"
    );
    assert!(
        frame_timestamps.len() >= 30,
        "{} frames in 2.4 s at 15 fps",
        frame_timestamps.len()
    );
    assert!(
        frame_timestamps.len() <= 38,
        "{} frames in 2.4 s at 15 fps",
        frame_timestamps.len()
    );
    for pair in frame_timestamps.windows(2) {
        assert_eq!(pair[1].wrapping_sub(pair[0]), 6000);
    }
    // Sender reports: at start, then about once a second, for our SSRC, with sane counts.
    assert!(
        (2..=4).contains(&rtcp.len()),
        "{} sender reports in 2.4 s",
        rtcp.len()
    );
    for sr in &rtcp {
        let b = &sr.bytes;
        assert_eq!(&b[..4], &[0x80, 200, 0, 6]);
        assert_eq!(Some([b[4], b[5], b[6], b[7]]), ssrc);
        let rtp_ts = u32::from_be_bytes([b[16], b[17], b[18], b[19]]);
        assert!(
            rtp_ts.wrapping_sub(ts0) < 3 * 90_000,
            "SR RTP time within the stream"
        );
    }

    let r = c
        .request(
            "TEARDOWN",
            &format!("rtsp://{addr}/cam0/"),
            &[&format!("Session: {id}")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::Ok);
    c.data.clear();
    assert!(!c.read_for(0.3).await);
    assert!(c.data.is_empty(), "no media after TEARDOWN");
    let r = c
        .request(
            "PLAY",
            &format!("rtsp://{addr}/cam0/"),
            &[&format!("Session: {id}")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SessionNotFound);
}

#[tokio::test]
async fn silent_clients_time_out_and_keepalives_hold_the_session() {
    let options = ServerOptions {
        session_timeout: Duration::from_secs(1),
        ..ServerOptions::default()
    };
    let (addr, _stop) = start(options).await;

    let mut silent = Client::connect(addr).await;
    let mut alive = Client::connect(addr).await;
    let (_, _) = silent.play(addr).await;
    let (id, _) = alive.play(addr).await;
    let started = Instant::now();

    let keepalive = async {
        for _ in 0..6 {
            assert!(!alive.read_for(0.4).await, "kept-alive session closed");
            let r = alive
                .request(
                    "GET_PARAMETER",
                    &format!("rtsp://{addr}/cam0/"),
                    &[&format!("Session: {id}")],
                )
                .await;
            assert_eq!(r.status(), StatusCode::Ok);
            assert_eq!(header(&r, "Session"), id);
        }
        alive.data.clear();
        assert!(!alive.read_for(0.3).await);
        assert!(
            !alive.data.is_empty(),
            "still streaming after 2.4 s of keepalives"
        );
    };
    let timed_out = async {
        assert!(silent.read_for(4.0).await, "silent client was not dropped");
        started.elapsed()
    };
    let ((), dropped_after) = tokio::join!(keepalive, timed_out);
    assert!(
        dropped_after >= Duration::from_millis(900) && dropped_after < Duration::from_millis(2500),
        "dropped after {dropped_after:?}"
    );
}

#[tokio::test]
async fn bad_configurations_are_refused() {
    let any = "127.0.0.1:0".parse().unwrap();
    let m = Mount::new("cam0", cam0()).unwrap();
    assert_eq!(m.path(), "cam0");
    assert_eq!(m.config(), cam0());
    for path in ["", "/", "a b", "cam?0", "a//b"] {
        let e = Mount::new(path, cam0()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Config, "{path:?}");
    }
    let e = Mount::new("cam0", VideoConfig::new(1920, 1080, 25, 50, 10_000)).unwrap_err();
    assert!(e.to_string().contains("mount cam0"), "{e}");

    let e = RtspServer::bind(any, vec![], ServerOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Config);
    let e = RtspServer::bind(any, vec![m.clone(), m.clone()], ServerOptions::default())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("used twice"), "{e}");
    let short = ServerOptions {
        session_timeout: Duration::from_millis(10),
        ..ServerOptions::default()
    };
    assert!(RtspServer::bind(any, vec![m.clone()], short).await.is_err());
    let tiny = ServerOptions {
        max_rtp_payload: 10,
        ..ServerOptions::default()
    };
    assert!(RtspServer::bind(any, vec![m.clone()], tiny).await.is_err());

    // A port in use: an I/O error naming the address.
    let taken = RtspServer::bind(any, vec![m.clone()], ServerOptions::default())
        .await
        .unwrap();
    let addr = taken.local_addr();
    let e = RtspServer::bind(addr, vec![m], ServerOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Io);
    assert!(e.to_string().contains(&addr.to_string()), "{e}");
}

#[tokio::test]
async fn udp_sends_rtp_from_an_even_port_and_rtcp_from_the_next() {
    let (addr, _stop) = start(ServerOptions::default()).await;
    let rtp_sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let rtcp_sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let (a, b) = (
        rtp_sock.local_addr().unwrap().port(),
        rtcp_sock.local_addr().unwrap().port(),
    );
    let mut c = Client::connect(addr).await;
    let track = format!("rtsp://{addr}/cam0/track1");
    let r = c
        .request(
            "SETUP",
            &track,
            &[&format!("Transport: RTP/AVP;unicast;client_port={a}-{b}")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::Ok);
    let transport = header(&r, "Transport");
    let server_ports = transport
        .split(";server_port=")
        .nth(1)
        .unwrap()
        .split(';')
        .next()
        .unwrap();
    let (x, y) = server_ports.split_once('-').unwrap();
    let (x, y): (u16, u16) = (x.parse().unwrap(), y.parse().unwrap());
    assert!(x % 2 == 0 && y == x + 1, "{transport}");
    assert!(transport.starts_with(&format!("RTP/AVP;unicast;client_port={a}-{b};")));
    let id = header(&r, "Session").split(';').next().unwrap().to_owned();
    let play = c
        .request(
            "PLAY",
            &format!("rtsp://{addr}/cam0"),
            &[&format!("Session: {id}")],
        )
        .await;
    assert_eq!(play.status(), StatusCode::Ok);
    let seq0: u16 = header(&play, "RTP-Info")
        .split(";seq=")
        .nth(1)
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .parse()
        .unwrap();

    // A second of video: every datagram from port x, sequence numbers without a gap.
    let mut buf = vec![0u8; 2048];
    let mut expected = seq0;
    let mut frames = 0;
    let end = Instant::now() + Duration::from_millis(1000);
    while let Ok(received) = tokio::time::timeout_at(end, rtp_sock.recv_from(&mut buf)).await {
        let (n, from) = received.unwrap();
        assert_eq!(from.port(), x);
        assert!(n > 12 && n <= 12 + 1400);
        assert_eq!(u16::from_be_bytes([buf[2], buf[3]]), expected);
        expected = expected.wrapping_add(1);
        frames += usize::from(buf[1] & 0x80 != 0);
    }
    assert!(
        (13..=17).contains(&frames),
        "{frames} frames in 1 s at 15 fps"
    );
    // Sender reports come from port x + 1.
    let (n, from) = timeout(WAIT, rtcp_sock.recv_from(&mut buf))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(from.port(), y);
    assert_eq!(n, 28);
    assert_eq!(buf[1], 200);

    let r = c
        .request(
            "TEARDOWN",
            &format!("rtsp://{addr}/cam0"),
            &[&format!("Session: {id}")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::Ok);
    // Drain what was in flight, then nothing more arrives.
    while timeout(Duration::from_millis(200), rtp_sock.recv_from(&mut buf))
        .await
        .is_ok()
    {}
    assert!(
        timeout(Duration::from_millis(300), rtp_sock.recv_from(&mut buf))
            .await
            .is_err()
    );
}

/// A request dribbled one byte at a time, each just inside the session timeout, used to hold a
/// connection for ever. A request that has begun must now be complete within the request
/// timeout: then the server answers 408 and closes.
#[tokio::test]
async fn a_request_dribbled_byte_by_byte_is_cut_at_the_request_timeout() {
    let (addr, _stop) = start(ServerOptions {
        session_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_millis(500),
        ..ServerOptions::default()
    })
    .await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = format!("OPTIONS rtsp://{addr}/cam0/ RTSP/1.0\r\nCSeq: 1\r\n\r\n");
    let started = Instant::now();
    let mut answer = Vec::new();
    for byte in request.as_bytes() {
        // Well inside the session timeout every time.
        if stream.write_all(&[*byte]).await.is_err() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        let mut buf = [0u8; 512];
        if let Ok(Ok(n)) = timeout(Duration::from_millis(1), stream.read(&mut buf)).await {
            answer.extend_from_slice(&buf[..n]);
            if n == 0 {
                break;
            }
        }
        if started.elapsed() > WAIT {
            break;
        }
    }
    let closed_after = started.elapsed();
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("RTSP/1.0 408"), "{text:?}");
    assert!(closed_after < Duration::from_secs(2), "{closed_after:?}");

    // A request sent whole is answered as before.
    let mut c = Client::connect(addr).await;
    let r = c
        .request("OPTIONS", &format!("rtsp://{addr}/cam0/"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::Ok);
}
