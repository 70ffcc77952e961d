//! npm `onvif` 0.8.3 (agsh) drives a simulated camera over loopback through Media2: connect
//! with a WS-UsernameToken, GetDeviceInformation, GetStreamUri, a Media2
//! SetVideoEncoderConfiguration switching the main stream to H.265 1280x720 at 10 fps and
//! 1024 kbit/s, and a second session that authenticates with HTTP Digest instead. curl then
//! fetches the snapshot URI Media2 returned, with HTTP Digest, and ffmpeg decodes a 1280x720
//! JPEG from it; without credentials curl gets 401.
//!
//! Needs Node.js and `npm install --prefix tests/npm` (installs onvif 0.8.3 from
//! tests/npm/package.json); without them the test fails and says so. The server binds
//! 127.0.0.1 port 0 and the peer run is bounded by a timeout.

// A panic in these helpers is a failed assertion, not a crash on user input.
#![allow(clippy::unwrap_used)]
// What the peer saw is printed so a CI log shows it next to the verdict.
#![allow(clippy::print_stdout)]

mod common;

use std::time::Duration;

use camscope_hil_rig::onvif::camera::{Encoding, Resolution};

const INSTALL: &str = "npm install --prefix tests/npm   (Node.js 18+ required)";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn npm_onvif_uses_media2_and_http_digest() {
    let modules = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/npm/node_modules");
    assert!(
        std::path::Path::new(modules).join("onvif").is_dir(),
        "npm onvif is missing: run `{INSTALL}` in {}",
        env!("CARGO_MANIFEST_DIR")
    );
    let password = common::password();
    let running = common::start(9, "operator", &password, time::Duration::ZERO).await;
    let mut changes = running.camera.subscribe();

    let mut command = tokio::process::Command::new("node");
    command
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/onvif_npm_check.js"
        ))
        .args(["127.0.0.1", &running.port.to_string(), "operator"])
        .env("NODE_PATH", modules)
        .env("ONVIF_TEST_PASSWORD", &password);
    let output = common::run(command, Duration::from_secs(90)).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_ne!(
        output.status.code(),
        Some(2),
        "npm onvif is missing: run `{INSTALL}`\n{stderr}"
    );
    assert!(
        output.status.success(),
        "npm onvif check failed ({})\nstdout: {stdout}\nstderr: {stderr}",
        output.status
    );
    println!("npm onvif saw: {stdout}");
    assert!(stdout.contains(r#""media2":true"#), "{stdout}");
    assert!(stdout.contains(r#""serial":"SIM000009""#), "{stdout}");
    assert!(
        stdout.contains(r#""stream_uri":"rtsp://127.0.0.1:8554/cam9/main""#),
        "{stdout}"
    );
    assert!(!stdout.contains(&password) && !stderr.contains(&password));

    assert!(changes.has_changed().unwrap());
    let main = changes.borrow_and_update().profiles[0].encoder.clone();
    assert_eq!(main.encoding, Encoding::H265);
    assert_eq!(
        main.resolution,
        Resolution {
            width: 1280,
            height: 720
        }
    );
    assert_eq!(
        (
            main.frame_rate_limit,
            main.bitrate_limit_kbps,
            main.gov_length
        ),
        (10, 1024, 20)
    );

    // curl, an HTTP Digest client independent of ours, fetches the Media2 snapshot URI. The
    // account goes in on stdin (`-K -`), never on a command line.
    let snapshot_uri = format!("http://127.0.0.1:{}/cam9/main.jpg", running.port);
    assert!(
        stdout.contains(&format!(r#""snapshot_uri":"{snapshot_uri}""#)),
        "{stdout}"
    );
    let dir = tempfile::tempdir().unwrap();
    let jpeg = dir.path().join("main.jpg");
    let status = curl(&snapshot_uri, &jpeg, Some(("operator", &password))).await;
    assert_eq!(status, "200 image/jpeg");
    assert_eq!(common::ffprobe_image(&jpeg), "mjpeg,1280,720");
    let status = curl(&snapshot_uri, &dir.path().join("none"), None).await;
    assert!(status.starts_with("401"), "{status}");
    running.stop().await;
}

/// GETs `uri` into `out` with curl, answering a Digest challenge with `account`; returns the
/// status code and content type.
async fn curl(uri: &str, out: &std::path::Path, account: Option<(&str, &str)>) -> String {
    use tokio::io::AsyncWriteExt;
    let mut command = tokio::process::Command::new("curl");
    command
        .args([
            "-sS",
            "--max-time",
            "30",
            "-K",
            "-",
            "-w",
            "%{http_code} %{content_type}",
        ])
        .arg("-o")
        .arg(out)
        .arg(uri)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run curl ({e}): apt-get install curl"));
    let mut stdin = child.stdin.take().unwrap();
    if let Some((user, password)) = account {
        let config = format!("digest\nuser = \"{user}:{password}\"\n");
        stdin.write_all(config.as_bytes()).await.unwrap();
    }
    drop(stdin);
    let output = tokio::time::timeout(Duration::from_secs(40), child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert!(
        output.status.success(),
        "curl failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}
