//! The rig's ONVIF client against the simulated cameras, and against peers that misbehave.
//!
//! Scope: against a fleet, the client reads what each camera reports (identity, scopes,
//! profiles, stream URIs) and its Set of 1280x720 / 10 fps / 1024 kbit/s / H.265 reaches the
//! RTSP stream retina then receives; through Media1 it sets H.264 and refuses H.265 before
//! sending. Authentication: a camera clock an hour ahead, a camera that only speaks HTTP Digest,
//! and wrong passwords for both. Failures: a camera that accepts and never answers, one that
//! answers garbage, a DOCTYPE, an oversized body or an HTML error page, and a closed port. No
//! error or Debug output shows the password. Everything listens on 127.0.0.1 port 0 and every
//! test ends by itself.
#![allow(clippy::unwrap_used)]

mod common;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use camscope_hil_rig::fleet::{CameraSpec, Fleet, FleetConfig};
use camscope_hil_rig::onvif::auth::{Credentials, Secret};
use camscope_hil_rig::onvif::camera::{Camera, CameraState, Encoding};
use camscope_hil_rig::onvif::client::{ClientError, OnvifClient, VideoEncoderConfig};
use camscope_hil_rig::onvif::device::scope_list;
use camscope_hil_rig::onvif::server::OnvifServer;
use futures::StreamExt;
use retina::client::{PlayOptions, SessionOptions, SetupOptions, Transport};
use retina::codec::{CodecItem, ParametersRef};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const TIMEOUT: Duration = Duration::from_secs(5);

fn credentials(user: &str, password: &str) -> Credentials {
    Credentials {
        username: user.into(),
        password: Secret::new(password),
    }
}

async fn fleet(cameras: usize, password: &str) -> Fleet {
    Fleet::start(FleetConfig {
        cameras: (0..cameras).map(CameraSpec::standard).collect(),
        bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
        base_port: 0,
        rtsp_port: 0,
        credentials: credentials("operator", password),
        discovery: None,
        // This file is about ONVIF; RTSP authentication has its own tests.
        rtsp_auth: false,
        faults: None,
        seed: "test".into(),
    })
    .await
    .unwrap()
}

/// Neither the Display nor the Debug of `shown` contains the password.
fn assert_hidden(shown: &(impl std::fmt::Display + std::fmt::Debug), password: &str) {
    let text = format!("{shown} / {shown:?}");
    assert!(!text.contains(password), "password leaked in {text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_what_each_simulated_camera_reports() {
    let password = common::password();
    let fleet = fleet(2, &password).await;
    for (endpoint, camera) in fleet.endpoints().iter().zip(fleet.cameras()) {
        let client =
            OnvifClient::connect(&endpoint.onvif, credentials("operator", &password), TIMEOUT)
                .await
                .unwrap();
        let shown = format!("{client:?}");
        assert!(
            !shown.contains(&password) && shown.contains("***"),
            "{shown}"
        );
        assert!(client.uses_media2(), "the simulator offers Media2");
        assert!(!client.uses_http_digest());
        assert!(client.clock_offset().whole_seconds().abs() <= 2);

        let state = camera.state();
        let info = client.device_information().await.unwrap();
        assert_eq!(
            (
                info.manufacturer.as_str(),
                info.model.as_str(),
                info.firmware_version.as_str(),
                info.serial_number.as_str(),
                info.hardware_id.as_str()
            ),
            (
                state.info.manufacturer.as_str(),
                state.info.model.as_str(),
                state.info.firmware_version.as_str(),
                state.info.serial_number.as_str(),
                state.info.hardware_id.as_str()
            )
        );
        let expected: Vec<String> = scope_list(&state).into_iter().map(|(_, s)| s).collect();
        assert_eq!(client.scopes().await.unwrap(), expected);

        let profiles = client.profiles().await.unwrap();
        let tokens: Vec<&str> = profiles.iter().map(|p| p.token.as_str()).collect();
        assert_eq!(tokens, ["main", "sub"]);
        let main = profiles[0].encoder.clone().unwrap();
        let sub = profiles[1].encoder.clone().unwrap();
        // CameraSpec::standard: 1920x1080 25 fps 4 Mbit/s and 640x360 10 fps 512 kbit/s, H.264,
        // two-second GOPs.
        assert_eq!(
            (
                main.encoding.as_str(),
                main.width,
                main.height,
                main.frame_rate_limit,
                main.bitrate_limit_kbps,
                main.gov_length
            ),
            ("H264", 1920, 1080, 25.0, 4096, Some(50))
        );
        assert_eq!(
            (
                sub.width,
                sub.height,
                sub.frame_rate_limit,
                sub.bitrate_limit_kbps
            ),
            (640, 360, 10.0, 512)
        );
        assert_eq!(client.video_encoder(&main.token).await.unwrap(), main);

        assert_eq!(client.stream_uri("main").await.unwrap(), endpoint.rtsp);
        assert_eq!(
            Some(client.stream_uri("sub").await.unwrap()),
            endpoint.sub_rtsp
        );
        // A camera's fault comes back with its subcodes, naming the Media2 URL and operation.
        match client.stream_uri("nope").await.unwrap_err() {
            ClientError::Fault {
                url,
                operation,
                subcodes,
                ..
            } => {
                assert_eq!(Some(url.as_str()), client.media2_url());
                assert_eq!(operation, "GetStreamUri");
                assert_eq!(subcodes, ["ter:InvalidArgVal", "ter:NoProfile"]);
            }
            other => panic!("expected a fault, got {other:?}"),
        }
    }
    fleet.run_until(async {}).await;
}

/// What retina sees of a stream over `secs`: codec, SDP picture size, frame rate and bitrate
/// over the first `gop` frames.
async fn receive(url: &str, secs: u64, gop: usize) -> (String, (u32, u32), f64, f64) {
    let mut session = retina::client::Session::describe(
        rtsp_types::Url::parse(url).unwrap(),
        SessionOptions::default().user_agent("camscope-client-test".into()),
    )
    .await
    .unwrap();
    let video = session
        .streams()
        .iter()
        .position(|s| s.media() == "video")
        .unwrap();
    let codec = session.streams()[video].encoding_name().to_owned();
    let size = match session.streams()[video].parameters() {
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
    let (mut sizes, mut stamps) = (Vec::new(), Vec::new());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while let Ok(Some(item)) = tokio::time::timeout_at(deadline, frames.next()).await {
        if let CodecItem::VideoFrame(f) = item.unwrap() {
            sizes.push(f.data().len());
            stamps.push(f.timestamp().timestamp());
        }
    }
    assert!(sizes.len() > gop, "only {} frames in {secs} s", sizes.len());
    // A new session starts at a key frame, so the first `gop` frames are one whole GOP.
    let span_s = (stamps[gop] - stamps[0]) as f64 / 90_000.0;
    let bytes: usize = sizes[..gop].iter().sum();
    (
        codec,
        size,
        gop as f64 / span_s,
        bytes as f64 * 8.0 / span_s,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_set_to_h265_reads_back_and_changes_the_stream() {
    let password = common::password();
    let fleet = fleet(1, &password).await;
    let endpoint = fleet.endpoints()[0].clone();
    let client = OnvifClient::connect(&endpoint.onvif, credentials("operator", &password), TIMEOUT)
        .await
        .unwrap();
    let before = client.video_encoder("vec_main").await.unwrap();
    let wanted = VideoEncoderConfig {
        encoding: "H265".into(),
        width: 1280,
        height: 720,
        frame_rate_limit: 10.0,
        bitrate_limit_kbps: 1024,
        gov_length: Some(20),
        // The H.264 profile does not carry over; the camera picks the H.265 one.
        profile: None,
        ..before
    };
    client.set_video_encoder(&wanted).await.unwrap();
    let read_back = client.video_encoder("vec_main").await.unwrap();
    assert_eq!(
        read_back,
        VideoEncoderConfig {
            profile: Some("Main".into()),
            ..wanted.clone()
        }
    );
    let state = fleet.cameras()[0].state();
    assert_eq!(state.profiles[0].encoder.encoding, Encoding::H265);
    // The sub profile is untouched.
    let sub = client.video_encoder("vec_sub").await.unwrap();
    assert_eq!((sub.encoding.as_str(), sub.width), ("H264", 640));

    // The stream a new session receives is the one set.
    let (codec, size, fps, bps) = tokio::time::timeout(
        Duration::from_secs(20),
        receive(&client.stream_uri("main").await.unwrap(), 3, 20),
    )
    .await
    .expect("retina finished in time");
    eprintln!("retina after the set: {codec} {size:?} {fps:.3} fps {bps:.0} bit/s");
    assert_eq!(codec, "h265");
    assert_eq!(size, (1280, 720));
    assert!((fps - 10.0).abs() < 0.1, "fps {fps}");
    let error = (bps - 1_024_000.0).abs() / 1_024_000.0;
    assert!(
        error < 0.03,
        "bitrate {bps} bit/s is {:.2}% off",
        error * 100.0
    );
    fleet.run_until(async {}).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_media1_h264_is_set_and_h265_refused_before_sending() {
    let password = common::password();
    let fleet = fleet(1, &password).await;
    let url = fleet.endpoints()[0].onvif.clone();
    let client = OnvifClient::connect(&url, credentials("operator", &password), TIMEOUT)
        .await
        .unwrap()
        .with_media1_only();
    assert!(!client.uses_media2());
    let profiles = client.profiles().await.unwrap();
    assert_eq!(profiles.len(), 2);
    assert_eq!(
        client.stream_uri("main").await.unwrap(),
        fleet.endpoints()[0].rtsp
    );
    let before = client.video_encoder("vec_main").await.unwrap();
    assert_eq!(before.profile.as_deref(), Some("Main"));
    let wanted = VideoEncoderConfig {
        width: 1280,
        height: 720,
        frame_rate_limit: 10.0,
        bitrate_limit_kbps: 1024,
        gov_length: Some(20),
        profile: Some("High".into()),
        ..before.clone()
    };
    client.set_video_encoder(&wanted).await.unwrap();
    assert_eq!(client.video_encoder("vec_main").await.unwrap(), wanted);
    // A Media2 client sees the same configuration.
    let media2 = OnvifClient::connect(&url, credentials("operator", &password), TIMEOUT)
        .await
        .unwrap();
    assert_eq!(media2.video_encoder("vec_main").await.unwrap(), wanted);

    let h265 = VideoEncoderConfig {
        encoding: "H265".into(),
        ..wanted.clone()
    };
    let error = client.set_video_encoder(&h265).await.unwrap_err();
    assert!(matches!(error, ClientError::Unsupported { .. }), "{error}");
    assert!(error.to_string().contains("SetVideoEncoderConfiguration"));
    assert_eq!(
        fleet.cameras()[0].state().profiles[0].encoder.encoding,
        Encoding::H264
    );
    fleet.run_until(async {}).await;
}

/// Serves `camera` on 127.0.0.1 port 0; the server stops when the sender is dropped.
async fn serve(camera: Camera) -> (String, tokio::sync::oneshot::Sender<()>) {
    let server = OnvifServer::bind("127.0.0.1:0".parse().unwrap(), Arc::new(camera))
        .await
        .unwrap();
    let url = server.device_url();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.serve(async {
        let _ = stopped.await;
    }));
    (url, stop)
}

fn camera(password: &str) -> Camera {
    Camera::new(
        CameraState::example(7, Ipv4Addr::LOCALHOST, 8554),
        credentials("admin", password),
    )
}

#[tokio::test]
async fn a_camera_clock_an_hour_ahead_still_authenticates() {
    let password = common::password();
    let running = common::start(4, "admin", &password, time::Duration::hours(1)).await;
    let url = format!("http://127.0.0.1:{}/onvif/device_service", running.port);
    let client = OnvifClient::connect(&url, credentials("admin", &password), TIMEOUT)
        .await
        .unwrap();
    let offset = client.clock_offset().whole_seconds();
    assert!((offset - 3600).abs() <= 2, "clock offset {offset} s");
    // The camera allows ±300 s, so this passes only because Created was shifted.
    assert_eq!(
        client.device_information().await.unwrap().serial_number,
        "SIM000004"
    );
    running.stop().await;
}

#[tokio::test]
async fn a_digest_only_camera_is_reached_through_http_digest() {
    let password = common::password();
    let (url, _stop) = serve(camera(&password).with_http_digest_only()).await;
    let client = OnvifClient::connect(&url, credentials("admin", &password), TIMEOUT)
        .await
        .unwrap();
    // GetServices needs no credentials, so the first challenge comes with the first real call.
    assert_eq!(
        client.device_information().await.unwrap().serial_number,
        "SIM000007"
    );
    assert!(client.uses_http_digest());
    // Later calls reuse the nonce with a rising nc; the camera refuses any replay.
    for _ in 0..3 {
        assert_eq!(client.profiles().await.unwrap().len(), 2);
    }
    assert!(
        client
            .stream_uri("sub")
            .await
            .unwrap()
            .ends_with("/cam7/sub")
    );
    assert_hidden(&format!("{client:?}"), &password);
}

#[tokio::test]
async fn wrong_passwords_are_not_authorized_and_never_shown() {
    let password = common::password();
    let wrong = format!("{password}-wrong");
    for digest_only in [false, true] {
        let camera = camera(&password);
        let camera = if digest_only {
            camera.with_http_digest_only()
        } else {
            camera
        };
        let (url, _stop) = serve(camera).await;
        let client = OnvifClient::connect(&url, credentials("admin", &wrong), TIMEOUT)
            .await
            .unwrap();
        let error = client.device_information().await.unwrap_err();
        match &error {
            ClientError::NotAuthorized {
                url: called,
                operation,
            } => {
                assert_eq!(called, &url);
                assert_eq!(operation, "GetDeviceInformation");
            }
            other => panic!("expected NotAuthorized (digest only: {digest_only}), got {other:?}"),
        }
        assert_eq!(client.uses_http_digest(), digest_only);
        assert_hidden(&error, &wrong);
        assert_hidden(&error, &password);
        assert_hidden(&format!("{client:?}"), &wrong);
    }
}

/// A peer on 127.0.0.1 that answers every connection with `response` (or holds it open without
/// a word when `None`), until the test drops the sender or a minute passes.
async fn raw_peer(response: Option<Vec<u8>>) -> (String, tokio::sync::oneshot::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let mut held = Vec::new();
        let limit = tokio::time::sleep(Duration::from_secs(60));
        tokio::pin!(limit);
        loop {
            tokio::select! {
                _ = &mut stopped => break,
                () = &mut limit => break,
                accepted = listener.accept() => {
                    let Ok((mut stream, _)) = accepted else { break };
                    match &response {
                        None => held.push(stream),
                        Some(response) => {
                            let response = response.clone();
                            tokio::spawn(async move {
                                // Read the request head (and whatever body came with it).
                                let mut buf = vec![0u8; 64 * 1024];
                                let mut seen = Vec::new();
                                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                                    match stream.read(&mut buf).await {
                                        Ok(0) | Err(_) => return,
                                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                                    }
                                }
                                let _ = stream.write_all(&response).await;
                                let _ = stream.shutdown().await;
                            });
                        }
                    }
                }
            }
        }
    });
    (format!("http://{addr}/onvif/device_service"), stop)
}

fn http(status: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    response.extend_from_slice(body);
    response
}

#[tokio::test]
async fn a_camera_that_never_answers_times_out_within_the_timeout() {
    let password = common::password();
    let (url, _stop) = raw_peer(None).await;
    let timeout = Duration::from_millis(800);
    let started = Instant::now();
    let error = OnvifClient::connect(&url, credentials("admin", &password), timeout)
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    match &error {
        ClientError::Timeout {
            url: called,
            operation,
            after,
        } => {
            assert_eq!(called, &url);
            assert_eq!(operation, "GetSystemDateAndTime");
            assert_eq!(*after, timeout);
        }
        other => panic!("expected Timeout, got {other:?}"),
    }
    // Not a speed target: the bound only proves the call did not hang past its timeout.
    assert!(
        elapsed >= timeout && elapsed < timeout + Duration::from_secs(5),
        "gave up after {elapsed:?}"
    );
    assert_hidden(&error, &password);
}

#[tokio::test]
async fn garbage_doctype_oversize_and_error_pages_are_reported_as_such() {
    let password = common::password();
    let soap = "application/soap+xml; charset=utf-8";
    let doctype = br#"<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x "boom">]><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><tds:GetSystemDateAndTimeResponse xmlns:tds="http://www.onvif.org/ver10/device/wsdl">&x;</tds:GetSystemDateAndTimeResponse></s:Body></s:Envelope>"#;
    let mut oversize =
        b"<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body>".to_vec();
    oversize.resize(2 << 20, b' ');
    let wrong_element = br#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><x:GetSystemDateAndTimeResponse xmlns:x="urn:other"/></s:Body></s:Envelope>"#;
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            http("200 OK", soap, b"\xff\xfe<s:Envelope\xc3"),
            "not UTF-8",
        ),
        (http("200 OK", soap, b"hello <unclosed"), "malformed XML"),
        (http("200 OK", soap, doctype), "DOCTYPE"),
        (http("200 OK", soap, &oversize), "larger than"),
        (http("200 OK", soap, wrong_element), "expected"),
    ];
    for (response, detail_part) in cases {
        let (url, _stop) = raw_peer(Some(response)).await;
        let error = OnvifClient::connect(&url, credentials("admin", &password), TIMEOUT)
            .await
            .unwrap_err();
        match &error {
            ClientError::Malformed {
                url: called,
                operation,
                detail,
            } => {
                assert_eq!(called, &url);
                assert_eq!(operation, "GetSystemDateAndTime");
                assert!(detail.contains(detail_part), "{detail}");
            }
            other => panic!("expected Malformed ({detail_part}), got {other:?}"),
        }
        assert_hidden(&error, &password);
    }

    let (url, _stop) = raw_peer(Some(http(
        "503 Service Unavailable",
        "text/html",
        b"<html><body>busy</body></html>",
    )))
    .await;
    let error = OnvifClient::connect(&url, credentials("admin", &password), TIMEOUT)
        .await
        .unwrap_err();
    assert!(
        matches!(error, ClientError::Http { status: 503, .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains(&url), "{error}");
}

#[tokio::test]
async fn a_closed_port_is_a_connect_error_naming_the_url() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let url = format!("http://{addr}/onvif/device_service");
    let error = OnvifClient::connect(&url, credentials("admin", "pw-unused"), TIMEOUT)
        .await
        .unwrap_err();
    assert!(matches!(error, ClientError::Connect { .. }), "{error:?}");
    assert!(error.to_string().contains(&url), "{error}");
}
