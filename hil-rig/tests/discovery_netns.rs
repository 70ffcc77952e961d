//! PyPI `wsdiscovery` (2.1.2) finds a simulated fleet by multicast WS-Discovery.
//!
//! A multicast probe sent on this machine's network would leave through a real interface, so
//! the test creates its own network namespace (`ip netns add`, unique name) and both sides run
//! inside it: this test binary re-runs itself there as the responder
//! ([`responder_inside_namespace`], which also checks the rig's own multicast probe) and the
//! Python probe runs there too. wsdiscovery ignores
//! loopback addresses, so the namespace gets a veth pair with a private address on one end and a
//! route for 224.0.0.0/4 through it; the probe's own multicast loopback delivers it to the
//! responder. The namespace is deleted when the test ends, also when it fails.
//!
//! Needs root, iproute2 (`apt-get install -y iproute2`) and `pip install WSDiscovery==2.1.2`
//! for the `python3` on PATH (or `CAMSCOPE_PYTHON`); without them the test fails and says so.

// A panic in this test is a failed assertion, not a crash on user input.
#![allow(clippy::unwrap_used)]
// The responder half reports readiness on stdout, and what the peer saw is printed for CI logs.
#![allow(clippy::print_stdout)]

use std::io::{BufRead, BufReader};
use std::net::Ipv4Addr;
use std::process::Stdio;
use std::time::{Duration, Instant};

use camscope_hil_rig::discovery::{Endpoint, ProbeOptions, Responder, ResponderConfig, probe};
use camscope_hil_rig::onvif::camera::CameraState;

#[path = "support/netns.rs"]
mod netns;
use netns::{Namespace, PIP_INSTALL, python};

/// The responder's address inside the namespace; private, and only ever exists there.
const ADDRESS: Ipv4Addr = Ipv4Addr::new(10, 231, 0, 1);
/// Set by the test for its responder half, naming the namespace it runs in.
const CHILD_ENV: &str = "CAMSCOPE_WSD_NETNS";
const CAMERAS: u32 = 4;
/// What the responder half prints once its socket is bound and the group joined.
const READY: &str = "wsd-responder-ready";

/// The cameras the responder announces; the test expects exactly these back.
fn fleet() -> Vec<Endpoint> {
    (0..CAMERAS)
        .map(|i| {
            let mut state = CameraState::example(i, ADDRESS, 8554);
            state.network.http_port = 8080 + u16::try_from(i).unwrap();
            Endpoint::for_camera(&state)
        })
        .collect()
}

/// Kills and reaps a child process when dropped, so a failed assertion leaves nothing running.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn wsdiscovery_finds_the_fleet_inside_a_network_namespace() {
    let python = python();
    let ns = Namespace::create("camscope-wsd", &[("wsd0", "wsd1", ADDRESS)]);

    let mut responder = ns.command(&std::env::current_exe().unwrap().to_string_lossy());
    responder
        .args([
            "--exact",
            "responder_inside_namespace",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, &ns.name)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut responder = Child(responder.spawn().unwrap());
    let stdout = responder.0.stdout.take().unwrap();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            // libtest prints the test name on the same line first.
            if line.ends_with(READY) {
                let _ = ready_tx.send(());
            }
        }
    });
    ready_rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the responder did not start inside the namespace");

    let mut probe = ns.command(&python);
    probe
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/wsdiscovery_probe_check.py"
        ))
        .arg("3");
    let started = Instant::now();
    let output = probe.output().unwrap();
    assert!(started.elapsed() < Duration::from_secs(60));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_ne!(
        output.status.code(),
        Some(2),
        "wsdiscovery is missing: run `{PIP_INSTALL}`\n{stderr}"
    );
    assert!(
        output.status.success(),
        "wsdiscovery probe failed ({})\nstdout: {stdout}\nstderr: {stderr}",
        output.status
    );
    println!("wsdiscovery found:\n{stdout}");

    let mut expected = fleet();
    expected.sort_by(|a, b| a.address.cmp(&b.address));
    let lines: Vec<Vec<&str>> = stdout
        .lines()
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .collect();
    assert_eq!(lines.len(), expected.len(), "{stdout}");
    for (line, camera) in lines.iter().zip(&expected) {
        assert_eq!(line[0], camera.address);
        assert_eq!(line[1], camera.xaddrs.join(" "));
        assert_eq!(
            line[2],
            "{http://www.onvif.org/ver10/network/wsdl}NetworkVideoTransmitter \
             {http://www.onvif.org/ver10/device/wsdl}Device"
        );
        assert_eq!(line[3], camera.scopes.join(" "));
    }

    // Closing stdin stops the responder, which then says Bye and exits cleanly.
    drop(responder.0.stdin.take());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = responder.0.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the responder did not stop");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "the responder failed: {status}");
}

/// The responder half: started by the test above inside its namespace, it serves [`fleet`]
/// by multicast until its stdin closes. Before reporting ready it checks that the rig's own
/// multicast probe finds the whole fleet too.
#[tokio::test]
#[ignore = "run by wsdiscovery_finds_the_fleet_inside_a_network_namespace inside its namespace"]
async fn responder_inside_namespace() {
    assert!(
        std::env::var_os(CHILD_ENV).is_some(),
        "this joins a multicast group: only the namespace test may run it, inside its namespace"
    );
    let responder = Responder::bind(ResponderConfig::multicast(ADDRESS), fleet())
        .await
        .unwrap();
    let (closed_tx, closed_rx) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        // Reading to the end returns when the parent closes the pipe (or dies).
        let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
        let _ = closed_tx.send(());
    });
    let serving = tokio::spawn(responder.serve(async {
        let _ = closed_rx.await;
    }));

    let found = probe(&ProbeOptions::cameras(ADDRESS)).await.unwrap();
    let mut expected = fleet();
    expected.sort_by(|a, b| a.address.cmp(&b.address));
    assert_eq!(found, expected, "the rig's multicast probe");

    println!("{READY}");
    serving.await.unwrap();
}
