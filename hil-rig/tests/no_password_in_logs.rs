//! The camera's password never reaches a log line, at any level, whatever a client sends.
//!
//! This is its own test binary with a single test because it installs a global tracing
//! subscriber: a per-thread one (`with_default`) misses events when other tests running in
//! parallel threads register the same call sites first.

// A panic in these helpers is a failed assertion, not a crash on user input.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use camscope_hil_rig::onvif::auth::{Credentials, Secret, password_digest};
use camscope_hil_rig::onvif::camera::{Camera, CameraState};
use camscope_hil_rig::onvif::server::answer;
use time::format_description::well_known::Rfc3339;

const PASSWORD: &str = "s3cret-Pa55";
const DEVICE: &str = "/onvif/device_service";
const TDS: &str = "http://www.onvif.org/ver10/device/wsdl";

/// Collects formatted log lines for inspection.
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn envelope(header: &str, operation: &str) -> Vec<u8> {
    format!(
        r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header>{header}</s:Header><s:Body><{operation} xmlns="{TDS}"/></s:Body></s:Envelope>"#
    )
    .into_bytes()
}

fn token(password: &str, created: &str, password_type: &str) -> String {
    let nonce: [u8; 16] = rand::random();
    let value = if password_type.ends_with("#PasswordDigest") {
        password_digest(&nonce, created, password)
    } else {
        password.to_owned()
    };
    let nonce = base64::engine::general_purpose::STANDARD.encode(nonce);
    format!(
        r#"<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"><wsse:UsernameToken><wsse:Username>admin</wsse:Username><wsse:Password Type="{password_type}">{value}</wsse:Password><wsse:Nonce>{nonce}</wsse:Nonce><wsu:Created>{created}</wsu:Created></wsse:UsernameToken></wsse:Security>"#
    )
}

#[test]
fn password_never_reaches_log_lines_at_any_level() {
    let buf = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&buf);
    tracing::subscriber::set_global_default(
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || Captured(Arc::clone(&sink)))
            .finish(),
    )
    .unwrap();

    let camera = Camera::new(
        CameraState::example(1, Ipv4Addr::LOCALHOST, 8554),
        Credentials {
            username: "admin".into(),
            password: Secret::new(PASSWORD),
        },
    );
    let digest = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest";
    let text = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText";
    let now = camera.now().format(&Rfc3339).unwrap();
    let stale = (camera.now() - time::Duration::minutes(10))
        .format(&Rfc3339)
        .unwrap();
    let wrong = format!("{PASSWORD}-not");
    for header in [
        String::new(),
        token(&wrong, &now, digest),
        token(PASSWORD, &stale, digest),
        token(PASSWORD, &now, digest),
        token(&wrong, &now, text),
        token(PASSWORD, &stale, text),
        token(PASSWORD, &now, text),
    ] {
        answer(
            &camera,
            "POST",
            DEVICE,
            None,
            &envelope(&header, "GetDeviceInformation"),
        );
    }
    answer(
        &camera,
        "POST",
        DEVICE,
        None,
        format!("<a>{PASSWORD}</b>").as_bytes(),
    );
    let header = format!(
        "Digest username=\"admin\", realm=\"x\", nonce=\"n\", uri=\"{DEVICE}\", qop=auth, nc=1, cnonce=\"c\", response=\"{PASSWORD}\""
    );
    answer(
        &camera,
        "POST",
        DEVICE,
        Some(&header),
        &envelope("", "GetDeviceInformation"),
    );
    // Snapshot GETs: Basic credentials and a Digest "response" holding the password.
    let snapshot = camera.state().profiles[0].snapshot_path.clone();
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("admin:{PASSWORD}"))
    );
    answer(&camera, "GET", &snapshot, Some(&basic), b"");
    let header = header.replace(DEVICE, &snapshot);
    answer(&camera, "GET", &snapshot, Some(&header), b"");
    let mut config = camera.state().profiles[0].encoder.clone();
    config.frame_rate_limit = 12;
    camera.set_encoder(config).unwrap();

    let logs = String::from_utf8(buf.lock().unwrap().clone()).unwrap();
    // The capture works: refusals, successes and the change are all logged.
    for expected in [
        "UsernameToken refused",
        "HTTP Digest refused",
        "401 with Digest challenge",
        "unreadable SOAP request",
        "video encoder configuration changed",
        "200 operation=GetDeviceInformation",
        "snapshot refused",
    ] {
        assert!(logs.contains(expected), "no {expected:?} in {logs}");
    }
    assert!(!logs.contains(PASSWORD), "{logs}");
}
