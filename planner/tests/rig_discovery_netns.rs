//! The real `camscope rig simulate --discovery` is found by WS-Discovery: PyPI `wsdiscovery`
//! (2.1.2) and hil-rig's own probe both list exactly its cameras with the XAddrs of the
//! endpoints file, it says Hello on start and Bye on a clean stop (SIGTERM), it answers nothing
//! without `--discovery`, and it does not answer a probe on another interface of the host.
//!
//! Multicast on this machine's network would reach real interfaces, so the test creates its own
//! network namespace (`ip netns add`, unique name) with two veth pairs: `cam0` carries the
//! simulated cameras, `lan0` stands for some other network of the same host. This test binary
//! re-runs itself inside the namespace ([`inside_namespace`]), where it starts the binary and
//! the peers; the namespace is deleted when the test ends, also when it fails.
//!
//! Needs root, iproute2 (`apt-get install -y iproute2`) and `pip install WSDiscovery==2.1.2`
//! for the `python3` on PATH (or `CAMSCOPE_PYTHON`); without them the test fails and says so.

// A panic in this test is a failed assertion, not a crash on user input.
#![allow(clippy::unwrap_used)]
// What the peers saw is printed for CI logs.
#![allow(clippy::print_stdout)]

use std::collections::BTreeSet;
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hil_rig::discovery::{MULTICAST_V4, Message, ProbeOptions, parse, probe};

#[path = "../../hil-rig/tests/support/netns.rs"]
mod netns;
use netns::{Namespace, python};

/// Where the simulated cameras live inside the namespace.
const CAMERAS_IP: Ipv4Addr = Ipv4Addr::new(10, 233, 0, 1);
/// Another network of the same host, which must not hear the cameras.
const OTHER_IP: Ipv4Addr = Ipv4Addr::new(10, 234, 0, 1);
/// Set for the half that runs inside the namespace.
const CHILD_ENV: &str = "CAMSCOPE_RIG_WSD_NETNS";

#[test]
fn rig_simulate_discovery_is_found_inside_a_network_namespace() {
    let python = python();
    // `cam0` carries the simulated cameras (and multicast); `lan0` is another network of the
    // same host, which must not hear them.
    let ns = Namespace::create(
        "camscope-rigwsd",
        &[("cam0", "cam1", CAMERAS_IP), ("lan0", "lan1", OTHER_IP)],
    );
    let mut child = ns
        .command(&std::env::current_exe().unwrap().to_string_lossy())
        .args([
            "--exact",
            "inside_namespace",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, &ns.name)
        .env("CAMSCOPE_PYTHON", &python)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(180);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the test inside the namespace did not finish in 180 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        status.success(),
        "the test inside the namespace failed: {status}"
    );
}

/// Kills and reaps a process when dropped, so a failed assertion leaves nothing running.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `camscope rig simulate ARGS` and waits for its endpoints file.
fn simulate(
    dir: &Path,
    name: &str,
    password: &str,
    args: &[&str],
) -> (Running, Vec<(String, String)>) {
    let endpoints = dir.join(format!("{name}.json"));
    let child = Command::new(env!("CARGO_BIN_EXE_camscope"))
        .args(["rig", "simulate", "--bind", &CAMERAS_IP.to_string()])
        .args(["--duration", "120", "--endpoints"])
        .arg(&endpoints)
        .args(args)
        .env("CAMSCOPE_CAMERA_PASSWORD", password)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("camscope runs");
    let running = Running(child);
    let started = Instant::now();
    while !endpoints.is_file() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no endpoints file after 30 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let list: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&endpoints).unwrap()).unwrap();
    let cameras = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["endpoint_reference"].as_str().unwrap().to_owned(),
                c["onvif"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (running, cameras)
}

/// hil-rig's multicast probe for ONVIF cameras through the interface with address `via`.
fn rig_probe(via: Ipv4Addr) -> BTreeSet<(String, String)> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime
        .block_on(probe(&ProbeOptions::cameras(via)))
        .unwrap()
        .into_iter()
        .map(|e| (e.address, e.xaddrs.join(" ")))
        .collect()
}

/// A socket on the group that records every Hello and Bye on the cameras' network, as a VMS
/// listening for cameras coming and going would.
struct Announcements {
    seen: Arc<Mutex<Vec<Message>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Announcements {
    fn listen(interface: Ipv4Addr) -> Self {
        let socket = socket2::Socket::new(
            socket2::Domain::IPV4,
            socket2::Type::DGRAM,
            Some(socket2::Protocol::UDP),
        )
        .unwrap();
        // Shares port 3702 with the responder, as discovery clients on one host do.
        socket.set_reuse_address(true).unwrap();
        socket.bind(&SocketAddr::V4(MULTICAST_V4).into()).unwrap();
        socket
            .join_multicast_v4(MULTICAST_V4.ip(), &interface)
            .unwrap();
        let socket: UdpSocket = socket.into();
        socket
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (seen, stop) = (Arc::clone(&seen), Arc::clone(&stop));
            std::thread::spawn(move || {
                let mut buffer = vec![0u8; 65_535];
                while !stop.load(Ordering::Relaxed) {
                    if let Ok(len) = socket.recv(&mut buffer)
                        && let Ok(message @ (Message::Hello(_) | Message::Bye { .. })) =
                            parse(&buffer[..len])
                    {
                        seen.lock().unwrap().push(message);
                    }
                }
            })
        };
        Announcements {
            seen,
            stop,
            thread: Some(thread),
        }
    }

    fn take(&self) -> Vec<Message> {
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

impl Drop for Announcements {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The half that runs inside the namespace: the real binary, the peers and all assertions.
#[test]
#[ignore = "run by rig_simulate_discovery_is_found_inside_a_network_namespace inside its namespace"]
fn inside_namespace() {
    assert!(
        std::env::var_os(CHILD_ENV).is_some(),
        "this multicasts: only the namespace test may run it, inside its namespace"
    );
    let python = std::env::var("CAMSCOPE_PYTHON").unwrap_or_else(|_| "python3".into());
    let dir = tempfile::tempdir().unwrap();
    let password = format!("pw-{}-not-in-any-output", std::process::id());
    let announcements = Announcements::listen(CAMERAS_IP);

    // Without --discovery the simulator says and answers nothing.
    let (quiet, _) = simulate(dir.path(), "quiet", &password, &["--cameras", "1"]);
    assert!(
        rig_probe(CAMERAS_IP).is_empty(),
        "answered without --discovery"
    );
    assert!(
        announcements.take().is_empty(),
        "announced without --discovery"
    );
    drop(quiet);

    let (mut sim, cameras) = simulate(
        dir.path(),
        "found",
        &password,
        &["--cameras", "3", "--discovery"],
    );
    let expected: BTreeSet<(String, String)> = cameras.iter().cloned().collect();
    assert_eq!(expected.len(), 3, "{cameras:?}");

    let output = Command::new(&python)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../hil-rig/tests/wsdiscovery_probe_check.py"
        ))
        .arg("3")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "wsdiscovery probe failed ({})\nstdout: {stdout}\nstderr: {stderr}",
        output.status
    );
    println!("wsdiscovery found:\n{stdout}");
    let found: Vec<(String, String)> = stdout
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            (fields[0].to_owned(), fields[1].to_owned())
        })
        .collect();
    assert_eq!(found.len(), 3, "{stdout}");
    assert_eq!(found.into_iter().collect::<BTreeSet<_>>(), expected);

    assert_eq!(rig_probe(CAMERAS_IP), expected, "hil-rig's probe");

    // Another program listening on the other network, and a probe sent there: the cameras,
    // bound to their own network, stay silent.
    let _other_listener = Announcements::listen(OTHER_IP);
    assert!(
        rig_probe(OTHER_IP).is_empty(),
        "cameras answered a probe from another interface"
    );

    // A clean stop: SIGTERM, exit 0, a Bye per camera.
    let pid = sim.0.id().to_string();
    let killed = Command::new("sh")
        .args(["-c", "kill -TERM \"$1\"", "sh", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = sim.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the simulator did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "the simulator failed: {status}");
    let mut out = String::new();
    let mut err = String::new();
    std::io::Read::read_to_string(sim.0.stdout.as_mut().unwrap(), &mut out).unwrap();
    std::io::Read::read_to_string(sim.0.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert!(
        out.contains(&format!("WS-Discovery on {MULTICAST_V4} via {CAMERAS_IP}")),
        "{out}"
    );
    assert!(!out.contains(&password) && !err.contains(&password));
    std::thread::sleep(Duration::from_millis(300));

    let mut hellos = BTreeSet::new();
    let mut byes = BTreeSet::new();
    for message in announcements.take() {
        match message {
            Message::Hello(e) => {
                hellos.insert((e.address, e.xaddrs.join(" ")));
            }
            Message::Bye { address } => {
                byes.insert(address);
            }
            _ => {}
        }
    }
    assert_eq!(hellos, expected, "Hello on start");
    let references: BTreeSet<String> = cameras.into_iter().map(|(r, _)| r).collect();
    assert_eq!(byes, references, "Bye on a clean stop");

    // `rig validate --discover` finds a manifest's cameras by WS-Discovery alone and matches
    // each to its planned camera by the name it answers to.
    let generated = Command::new(env!("CARGO_BIN_EXE_camscope"))
        .arg("generate")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/rig-gst.toml"
        ))
        .arg("--out")
        .arg(dir.path().join("gen"))
        .output()
        .unwrap();
    assert!(generated.status.success(), "{generated:?}");
    let manifest = dir.path().join("gen/manifest.json");
    let (_planned, _) = simulate(
        dir.path(),
        "planned",
        &password,
        &["--manifest", manifest.to_str().unwrap(), "--discovery"],
    );
    let results = dir.path().join("discovered.json");
    let validated = Command::new(env!("CARGO_BIN_EXE_camscope"))
        .args(["rig", "validate"])
        .arg(&manifest)
        .args(["--discover", &CAMERAS_IP.to_string(), "--duration", "3s"])
        .arg("--out")
        .arg(&results)
        .env("CAMSCOPE_CAMERA_USER", "admin")
        .env("CAMSCOPE_CAMERA_PASSWORD", &password)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&validated.stdout);
    assert_eq!(validated.status.code(), Some(0), "{stdout}");
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&results).unwrap()).unwrap();
    assert_eq!(r["source"], "discovery");
    for c in r["cameras"].as_array().unwrap() {
        assert_eq!(c["found_by"], "discovery", "{c}");
        assert_eq!(c["verdict"], "pass", "{c}");
    }

    // `rig inventory --discover` finds the same cameras, matches each by the name it answers
    // to, and records the stream URIs each one reports (those the endpoints file lists).
    let inventory = dir.path().join("inventory.json");
    let asked = Command::new(env!("CARGO_BIN_EXE_camscope"))
        .args(["rig", "inventory"])
        .arg(&manifest)
        .args(["--discover", &CAMERAS_IP.to_string(), "--out"])
        .arg(&inventory)
        .env("CAMSCOPE_CAMERA_USER", "admin")
        .env("CAMSCOPE_CAMERA_PASSWORD", &password)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&asked.stdout);
    assert_eq!(asked.status.code(), Some(0), "{stdout}");
    assert!(!stdout.contains(&password));
    let served: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("planned.json")).unwrap())
            .unwrap();
    let inv: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&inventory).unwrap()).unwrap();
    assert_eq!(inv["source"], "discovery");
    assert_eq!(inv["unmatched"].as_array().unwrap().len(), 0, "{inv}");
    for c in inv["cameras"].as_array().unwrap() {
        let s = served
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == c["id"])
            .unwrap();
        assert_eq!(c["status"], "reported", "{c}");
        assert_eq!(c["matched_by"], "id", "{c}");
        assert_eq!(c["main"]["uri"], s["rtsp"], "{c}");
    }
}
