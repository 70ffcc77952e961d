//! onvif-zeep-async (PyPI, the ONVIF library Home Assistant uses) drives a simulated camera over
//! loopback: connect with credentials, GetDeviceInformation, GetProfiles, GetStreamUri, a
//! SetVideoEncoderConfiguration round trip that the camera state (and so the stream) follows,
//! an out-of-range value refused, a wrong password refused with NotAuthorized, and the JPEG
//! snapshot the library fetches with HTTP Digest (401 without credentials) at the new size.
//!
//! Needs `pip install onvif-zeep-async==4.3.0` for the `python3` on PATH (or the interpreter in
//! `CAMSCOPE_PYTHON`); without it the test fails and says so. The server binds 127.0.0.1 port 0
//! and every peer run is bounded by a timeout.

// A panic in these helpers is a failed assertion, not a crash on user input.
#![allow(clippy::unwrap_used)]
// What the peer saw is printed so a CI log shows it next to the verdict.
#![allow(clippy::print_stdout)]

mod common;

use std::time::Duration;

use camscope_hil_rig::onvif::camera::Resolution;

const INSTALL: &str = "pip install onvif-zeep-async==4.3.0";

async fn python() -> String {
    let python = std::env::var("CAMSCOPE_PYTHON").unwrap_or_else(|_| "python3".into());
    let mut probe = tokio::process::Command::new(&python);
    probe.args(["-c", "import onvif, zeep"]);
    let out = common::run(probe, Duration::from_secs(30)).await;
    assert!(
        out.status.success(),
        "onvif-zeep-async is missing for {python}: run `{INSTALL}` (stderr: {})",
        String::from_utf8_lossy(&out.stderr)
    );
    python
}

async fn zeep_session(clock_offset: time::Duration) {
    let python = python().await;
    let password = common::password();
    let running = common::start(7, "operator", &password, clock_offset).await;
    let mut changes = running.camera.subscribe();

    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("snapshot.jpg");
    let mut command = tokio::process::Command::new(&python);
    command
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/onvif_zeep_check.py"
        ))
        .args(["127.0.0.1", &running.port.to_string(), "operator"])
        .env("ONVIF_TEST_PASSWORD", &password)
        .env("ONVIF_TEST_SNAPSHOT", &snapshot);
    let output = common::run(command, Duration::from_secs(90)).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_ne!(
        output.status.code(),
        Some(2),
        "onvif-zeep-async is missing: run `{INSTALL}`\n{stderr}"
    );
    assert!(
        output.status.success(),
        "onvif-zeep-async check failed ({})\nstdout: {stdout}\nstderr: {stderr}",
        output.status
    );
    println!("onvif-zeep-async saw: {stdout}");
    assert!(stdout.contains(r#""serial": "SIM000007""#), "{stdout}");
    assert!(
        stdout.contains(r#""stream_uri": "rtsp://127.0.0.1:8554/cam7/main""#),
        "{stdout}"
    );
    assert!(
        stdout.contains(r#""profiles": ["main", "sub"]"#),
        "{stdout}"
    );
    assert!(!stdout.contains(&password) && !stderr.contains(&password));
    // The snapshot Home Assistant's library fetched (Digest; 401 without) is a JPEG that
    // ffmpeg decodes, at the resolution the library had just set.
    assert!(
        stdout.contains(r#""snapshot_without_credentials": 401"#),
        "{stdout}"
    );
    assert_eq!(common::ffprobe_image(&snapshot), "mjpeg,1280,720");

    // The change reached the camera state that the stream generator watches.
    assert!(changes.has_changed().unwrap());
    let main = changes.borrow_and_update().profiles[0].encoder.clone();
    assert_eq!(
        main.resolution,
        Resolution {
            width: 1280,
            height: 720
        }
    );
    assert_eq!((main.frame_rate_limit, main.bitrate_limit_kbps), (10, 1024));
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn onvif_zeep_async_connects_reads_and_sets_encoder() {
    zeep_session(time::Duration::ZERO).await;
}

/// With `adjust_time=True` the library reads GetSystemDateAndTime first and shifts its Created
/// by the offset, so a camera clock an hour ahead must still accept it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn onvif_zeep_async_copes_with_a_device_clock_an_hour_ahead() {
    zeep_session(time::Duration::hours(1)).await;
}
