//! RTSP authentication as real clients meet it: retina answers the server's Digest challenge
//! with `SessionOptions::creds` and streams; without credentials or with wrong ones it gets the
//! 401 it reports as an error. Raw requests check what retina does not send: Basic, and
//! OPTIONS without credentials. Loopback only; each test stops its server.

// A panic in these helpers is a failed test, not a crash on user input.
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::time::Duration;

use base64::Engine as _;
use camscope_hil_rig::onvif::auth::{Credentials, Secret};
use camscope_hil_rig::rtsp::{Mount, RtspAuth, RtspServer, ServerOptions};
use camscope_hil_rig::video::VideoConfig;
use futures::StreamExt;
use retina::client::{PlayOptions, SessionOptions, SetupOptions, TcpTransportOptions, Transport};
use retina::codec::CodecItem;
use rtsp_types::{Message, Response, StatusCode, headers};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::oneshot;

const USER: &str = "viewer";

async fn start(password: &str) -> (SocketAddr, oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    let options = ServerOptions {
        auth: RtspAuth::Digest(Credentials {
            username: USER.into(),
            password: Secret::new(password),
        }),
        ..ServerOptions::default()
    };
    let mount = Mount::new("cam0", VideoConfig::new(640, 360, 15, 15, 1_000_000)).unwrap();
    let server = RtspServer::bind("127.0.0.1:0".parse().unwrap(), vec![mount], options)
        .await
        .unwrap();
    let addr = server.local_addr();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(server.serve(async move {
        let _ = stopped.await;
    }));
    (addr, stop, task)
}

/// Frames retina reads in `secs` over TCP with `creds`, or its error.
async fn retina_frames(
    url: &str,
    creds: Option<(&str, &str)>,
    secs: u64,
) -> Result<usize, retina::Error> {
    let creds = creds.map(|(username, password)| retina::client::Credentials {
        username: username.into(),
        password: password.into(),
    });
    let mut session = retina::client::Session::describe(
        url::Url::parse(url).unwrap(),
        SessionOptions::default().creds(creds),
    )
    .await?;
    session
        .setup(
            0,
            SetupOptions::default().transport(Transport::Tcp(TcpTransportOptions::default())),
        )
        .await?;
    let mut demuxed = session.play(PlayOptions::default()).await?.demuxed()?;
    let until = tokio::time::Instant::now() + Duration::from_secs(secs);
    let mut frames = 0;
    while let Ok(Some(item)) = tokio::time::timeout_at(until, demuxed.next()).await {
        if let CodecItem::VideoFrame(_) = item? {
            frames += 1;
        }
    }
    Ok(frames)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retina_streams_with_the_right_credentials_and_gets_401_otherwise() {
    let password = format!("pw-{}", rand::random::<u64>());
    let (addr, stop, task) = start(&password).await;
    let url = format!("rtsp://{addr}/cam0");

    let frames = retina_frames(&url, Some((USER, &password)), 2)
        .await
        .unwrap();
    assert!(frames >= 20, "{frames} frames in 2 s at 15 fps");

    for creds in [
        None,
        Some((USER, "wrong")),
        Some(("admin", password.as_str())),
    ] {
        let e = retina_frames(&url, creds, 1).await.unwrap_err();
        assert_eq!(e.status_code(), Some(401), "{creds:?}: {e}");
        let text = e.to_string();
        assert!(!text.contains(&password), "the password leaked into {text}");
    }
    drop(stop);
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .unwrap()
        .unwrap();
}

/// Sends `request` on a fresh connection and reads one response.
async fn exchange(addr: SocketAddr, request: &str) -> Response<Vec<u8>> {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    loop {
        if let Ok((Message::Response(r), _)) = Message::<Vec<u8>>::parse(&buf) {
            return r;
        }
        let read = tokio::time::timeout(Duration::from_secs(5), stream.read_buf(&mut buf));
        assert!(
            read.await.unwrap().unwrap() > 0,
            "closed without a response"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn basic_credentials_work_and_a_refusal_carries_a_digest_challenge() {
    let password = format!("pw-{}", rand::random::<u64>());
    let (addr, stop, task) = start(&password).await;
    let describe = |authorization: String| {
        format!(
            "DESCRIBE rtsp://{addr}/cam0 RTSP/1.0\r\nCSeq: 2\r\nAccept: application/sdp\r\n\
             {authorization}\r\n"
        )
    };
    let basic = |user: &str, pw: &str| {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pw}"));
        format!("Authorization: Basic {token}\r\n")
    };

    let ok = exchange(addr, &describe(basic(USER, &password))).await;
    assert_eq!(ok.status(), StatusCode::Ok);
    assert!(String::from_utf8_lossy(ok.body()).contains("H264/90000"));

    for header in [String::new(), basic(USER, "wrong")] {
        let refused = exchange(addr, &describe(header)).await;
        assert_eq!(refused.status(), StatusCode::Unauthorized);
        let challenge = refused
            .header(&headers::WWW_AUTHENTICATE)
            .unwrap()
            .as_str()
            .to_owned();
        assert!(
            challenge.starts_with("Digest realm=\"camscope-hil-rig\", qop=\"auth\"")
                && challenge.contains("nonce=\""),
            "{challenge}"
        );
    }
    // OPTIONS needs no credentials, as on most cameras: clients probe before they log in.
    let options = exchange(addr, "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n").await;
    assert_eq!(options.status(), StatusCode::Ok);
    drop(stop);
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .unwrap()
        .unwrap();
}
