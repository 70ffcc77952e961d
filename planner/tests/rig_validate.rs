//! `camscope rig validate` end to end, as QA runs it: a generated 64-camera manifest, the
//! simulated fleet in its own process (healthy, or with faults), the validator in another,
//! and the verdicts, reasons, results file, schema and report checked.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const PASSWORD: &str = "rig-e2e-secret-pw";

fn camscope() -> Command {
    Command::new(env!("CARGO_BIN_EXE_camscope"))
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Generates the 64-camera manifest into `dir`.
fn manifest(dir: &Path) -> PathBuf {
    let out = camscope()
        .args(["generate"])
        .arg(fixture("rig-64.toml"))
        .arg("--out")
        .arg(dir.join("gen"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    dir.join("gen/manifest.json")
}

/// A simulate process, stopped when dropped.
struct Sim {
    child: Child,
    endpoints: PathBuf,
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn simulate(dir: &Path, manifest: &Path, faults: Option<&Path>) -> Sim {
    let endpoints = dir.join(format!("endpoints-{}.json", faults.is_some()));
    let mut cmd = camscope();
    cmd.args(["rig", "simulate", "--manifest"])
        .arg(manifest)
        .args(["--duration", "300", "--endpoints"])
        .arg(&endpoints)
        .env("CAMSCOPE_CAMERA_PASSWORD", PASSWORD)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(f) = faults {
        cmd.arg("--faults").arg(f);
    }
    let child = cmd.spawn().unwrap();
    let sim = Sim { child, endpoints };
    let started = Instant::now();
    while !sim.endpoints.is_file() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the simulator wrote no endpoints file in 60 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    sim
}

fn validate(manifest: &Path, args: &[&str], password: &str) -> Output {
    camscope()
        .args(["rig", "validate"])
        .arg(manifest)
        .args(args)
        .env("CAMSCOPE_CAMERA_USER", "admin")
        .env("CAMSCOPE_CAMERA_PASSWORD", password)
        .output()
        .unwrap()
}

fn results(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn schema_errors(v: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/rig-results.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    validator
        .iter_errors(v)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

fn camera<'a>(r: &'a Value, id: &str) -> &'a Value {
    r["cameras"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("{id} is not in the results"))
}

fn codes(v: &Value) -> Vec<String> {
    v["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["severity"] == "fail")
        .map(|r| r["code"].as_str().unwrap().to_string())
        .collect()
}

fn check_no_secret(outputs: &[&Output], files: &[&Path]) {
    for o in outputs {
        assert!(!String::from_utf8_lossy(&o.stdout).contains(PASSWORD));
        assert!(!String::from_utf8_lossy(&o.stderr).contains(PASSWORD));
    }
    for f in files {
        assert!(!std::fs::read_to_string(f).unwrap().contains(PASSWORD));
    }
}

#[test]
fn a_healthy_fleet_passes_shards_merge_to_the_same_verdict_and_wrong_credentials_fail() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = manifest(dir.path());
    let sim = simulate(dir.path(), &manifest, None);
    let endpoints = sim.endpoints.to_str().unwrap().to_string();
    let whole = dir.path().join("whole.json");
    let report = dir.path().join("rig.html");
    let out = validate(
        &manifest,
        &[
            "--endpoints",
            &endpoints,
            "--duration",
            "6s",
            "--apply",
            "--progress",
            "json",
            "--out",
            whole.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
        ],
        PASSWORD,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.starts_with("PASS: 64 of 64 camera(s) passed"),
        "{stdout}"
    );
    let r = results(&whole);
    assert_eq!(schema_errors(&r), Vec::<String>::new());
    assert_eq!(r["summary"]["lost_packets"], 0);
    for c in r["cameras"].as_array().unwrap() {
        let planned = c["planned"]["bitrate_bps"].as_f64().unwrap();
        let measured = c["measured"]["bitrate_bps"].as_f64().unwrap();
        assert!((measured / planned - 1.0).abs() < 0.03, "{c}");
        assert_eq!(c["measured"]["width"], c["planned"]["width"]);
        assert_eq!(c["reported"]["applied"], true);
    }
    // Progress is JSON lines when stderr is not a terminal.
    let progress = String::from_utf8_lossy(&out.stderr);
    assert!(
        progress
            .lines()
            .all(|l| serde_json::from_str::<Value>(l).is_ok()),
        "{progress}"
    );
    assert!(progress.contains("\"event\":\"progress\""));
    // The report shows planned and measured for every camera.
    let html = std::fs::read_to_string(&report).unwrap();
    for c in r["cameras"].as_array().unwrap() {
        assert!(
            html.contains(c["id"].as_str().unwrap()),
            "{} missing",
            c["id"]
        );
    }
    assert!(html.contains("Overall: pass"));

    // Two rig hosts, one shard each, then merged: the same cameras and the same verdicts.
    let mut shards = Vec::new();
    for i in 1..=2 {
        let path = dir.path().join(format!("shard-{i}.json"));
        let o = validate(
            &manifest,
            &[
                "--endpoints",
                &endpoints,
                "--duration",
                "4s",
                "--shard",
                &format!("{i}/2"),
                "--out",
                path.to_str().unwrap(),
            ],
            PASSWORD,
        );
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stdout)
        );
        let part = results(&path);
        assert_eq!(part["cameras"].as_array().unwrap().len(), 32);
        shards.push(path);
    }
    let merged_path = dir.path().join("merged.json");
    let o = camscope()
        .args(["rig", "merge"])
        .args(&shards)
        .arg("--manifest")
        .arg(&manifest)
        .arg("--out")
        .arg(&merged_path)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let merged = results(&merged_path);
    assert_eq!(schema_errors(&merged), Vec::<String>::new());
    let ids = |v: &Value| -> Vec<(String, String)> {
        v["cameras"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["id"].to_string(), c["verdict"].to_string()))
            .collect()
    };
    assert_eq!(ids(&merged), ids(&r));
    assert_eq!(merged["verdict"], r["verdict"]);
    let recorders = |v: &Value| -> Vec<(String, u64, bool, String)> {
        v["recorders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                (
                    x["id"].to_string(),
                    x["cameras_measured"].as_u64().unwrap(),
                    x["partial"].as_bool().unwrap(),
                    x["verdict"].to_string(),
                )
            })
            .collect()
    };
    assert_eq!(recorders(&merged), recorders(&r));
    // A shard alone cannot judge a recorder whose cameras it split.
    let shard = results(&shards[0]);
    assert!(
        shard["recorders"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["partial"] == true)
    );
    // Merging one shard twice, or one shard alone, is refused.
    let o = camscope()
        .args(["rig", "merge"])
        .arg(&shards[0])
        .arg("--manifest")
        .arg(&manifest)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("2/2"), "{o:?}");

    // An eighth of the fleet over UDP, recorded to disk as a recorder would: the files hold
    // what arrived and the disk kept up with the plan.
    let recorded = dir.path().join("recorded.json");
    let rec_dir = dir.path().join("recordings");
    let o = validate(
        &manifest,
        &[
            "--endpoints",
            &endpoints,
            "--duration",
            "4s",
            "--shard",
            "1/8",
            "--transport",
            "udp",
            "--record-to",
            rec_dir.to_str().unwrap(),
            "--out",
            recorded.to_str().unwrap(),
        ],
        PASSWORD,
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let rec = results(&recorded);
    assert_eq!(rec["transport"], "udp");
    let recording = &rec["recordings"][0];
    assert_eq!(recording["verdict"], "pass", "{recording}");
    assert_eq!(recording["dropped_frames"], 0);
    let files: Vec<_> = std::fs::read_dir(&rec_dir).unwrap().collect();
    assert_eq!(files.len(), 8);
    let on_disk: u64 = files
        .iter()
        .map(|f| f.as_ref().unwrap().metadata().unwrap().len())
        .sum();
    assert_eq!(on_disk, recording["bytes"].as_u64().unwrap());
    let ratio = recording["write_rate_bps"].as_f64().unwrap()
        / recording["planned_rate_bps"].as_f64().unwrap();
    assert!(ratio > 0.95, "{recording}");

    // Wrong credentials: every camera fails, named as such, and nothing leaks.
    let wrong = dir.path().join("wrong.json");
    let o = validate(
        &manifest,
        &[
            "--endpoints",
            &endpoints,
            "--duration",
            "3s",
            "--out",
            wrong.to_str().unwrap(),
        ],
        "not-the-password",
    );
    assert_eq!(o.status.code(), Some(1));
    let w = results(&wrong);
    for c in w["cameras"].as_array().unwrap() {
        assert!(codes(c).contains(&"credentials-refused".to_string()), "{c}");
    }
    assert!(String::from_utf8_lossy(&o.stdout).contains("[credentials-refused] 64 camera(s)"));
    check_no_secret(&[&out, &o], &[&whole, &wrong, &report]);

    // An operator's Ctrl-C (or a job runner's SIGTERM) during a long window: the run stops
    // within seconds, and what arrived is still written and judged, as an interrupted run.
    use std::io::BufRead;
    let interrupted = dir.path().join("interrupted.json");
    let mut child = camscope()
        .args(["rig", "validate"])
        .arg(&manifest)
        .args([
            "--endpoints",
            &endpoints,
            "--duration",
            "10m",
            "--progress",
            "json",
        ])
        .arg("--out")
        .arg(&interrupted)
        .env("CAMSCOPE_CAMERA_USER", "admin")
        .env("CAMSCOPE_CAMERA_PASSWORD", PASSWORD)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut progress = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    // Wait until the whole fleet streams.
    let started = Instant::now();
    loop {
        let line = progress.next().unwrap().unwrap();
        let v: Value = serde_json::from_str(&line).unwrap();
        // Long enough for whole GOPs (2 s here) on every camera.
        if v["event"] == "progress" && v["streaming"] == 64 && v["elapsed_s"].as_f64() > Some(6.0) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "never streaming: {line}"
        );
    }
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let stopped_at = Instant::now();
    let rest: Vec<String> = progress.map_while(Result::ok).collect();
    let status = child.wait().unwrap();
    assert!(
        stopped_at.elapsed() < Duration::from_secs(20),
        "took {:?}",
        stopped_at.elapsed()
    );
    assert_eq!(status.code(), Some(1));
    assert!(
        rest.iter().any(|l| l.contains("\"event\":\"interrupted\"")),
        "{rest:?}"
    );
    let r = results(&interrupted);
    assert_eq!(schema_errors(&r), Vec::<String>::new());
    assert!(r["interrupted_after_s"].as_f64().unwrap() < 60.0);
    assert_eq!(codes(&r), ["interrupted"], "{}", r["reasons"]);
    // Every camera was measured up to the stop, and passed on what arrived.
    assert_eq!(r["summary"]["passed"], 64);
    drop(sim);
}

#[test]
fn faults_fail_the_run_with_the_right_reason_for_the_right_camera() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = manifest(dir.path());
    // The dock's recorder as installed ingests 1.25 times its cameras' planned rate, not the
    // plan's ceiling: its cameras then overload it when they spike to 1.5 times their rate.
    let mut m: Value = serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    let recorders = m["recorders"].as_array().unwrap();
    let index = recorders
        .iter()
        .position(|r| r["site"] == "dock")
        .unwrap_or_else(|| panic!("no recorder for the dock site: {recorders:?}"));
    let server2 = recorders[index]["id"].as_str().unwrap().to_string();
    let planned = recorders[index]["ingest_bps"].as_u64().unwrap();
    m["recorders"][index]["ingest_limit_bps"] = (planned * 5 / 4).into();
    let server2_cameras: Vec<String> = m["recorders"][index]["cameras"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert!(!server2_cameras.is_empty());
    std::fs::write(&manifest, serde_json::to_string_pretty(&m).unwrap()).unwrap();
    let half = "warehouse/aisle-3";
    let dropped = "warehouse/aisle-7";
    let mut faults = format!(
        "[[fault]]\ncamera = \"{half}\"\nkind = \"bitrate\"\nat = \"0s\"\nfactor = 0.5\n\n\
         [[fault]]\ncamera = \"{dropped}\"\nkind = \"drop\"\nat = \"6s\"\n\n"
    );
    for c in &server2_cameras {
        faults += &format!(
            "[[fault]]\ncamera = \"{c}\"\nkind = \"bitrate\"\nat = \"0s\"\nfactor = 1.5\n\n"
        );
    }
    let faults_file = dir.path().join("faults.toml");
    std::fs::write(&faults_file, faults).unwrap();
    let sim = simulate(dir.path(), &manifest, Some(&faults_file));
    let out_file = dir.path().join("faults.json");
    let out = validate(
        &manifest,
        &[
            "--endpoints",
            sim.endpoints.to_str().unwrap(),
            "--duration",
            "8s",
            "--out",
            out_file.to_str().unwrap(),
        ],
        PASSWORD,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let r = results(&out_file);
    assert_eq!(schema_errors(&r), Vec::<String>::new());
    assert_eq!(
        codes(camera(&r, half)),
        ["bitrate-short"],
        "{}",
        camera(&r, half)
    );
    assert_eq!(
        codes(camera(&r, dropped)),
        ["dropped-out"],
        "{}",
        camera(&r, dropped)
    );
    let recorder = r["recorders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == server2.as_str())
        .unwrap();
    // Overloaded, and (at 1.5 times the rate) writing more per day than its storage plan.
    assert_eq!(
        codes(recorder),
        ["recorder-overloaded", "storage-over-plan"],
        "{recorder}"
    );
    assert!(codes(camera(&r, &server2_cameras[0])).contains(&"bitrate-over".to_string()));
    // Every other camera passed: the faults did not disturb their measurements.
    for c in r["cameras"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        if id != half && id != dropped && !server2_cameras.iter().any(|s| s == id) {
            assert_eq!(c["verdict"], "pass", "{c}");
        }
    }
    let overall: Vec<String> = codes(&r);
    for code in ["bitrate-short", "dropped-out", "recorder-overloaded"] {
        assert!(overall.contains(&code.to_string()), "{overall:?}");
    }
    drop(sim);
}

#[test]
fn bad_input_exits_2_naming_the_file_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = manifest(dir.path());
    let endpoints = dir.path().join("e.json");
    std::fs::write(&endpoints, "[{\"name\": 3}]").unwrap();
    let o = validate(
        &manifest,
        &[
            "--endpoints",
            endpoints.to_str().unwrap(),
            "--duration",
            "1s",
        ],
        PASSWORD,
    );
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("e.json:1:") && stderr.contains("name"),
        "{stderr}"
    );
    let inventory = dir.path().join("inv.csv");
    std::fs::write(
        &inventory,
        "camera,onvif\nwarehouse/aisle-1,\"http://a b\"\n",
    )
    .unwrap();
    let o = validate(
        &manifest,
        &[
            "--inventory",
            inventory.to_str().unwrap(),
            "--duration",
            "1s",
        ],
        PASSWORD,
    );
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("inv.csv:2: onvif"), "{stderr}");
    let o = camscope()
        .args(["rig", "validate"])
        .arg(&manifest)
        .args(["--endpoints", endpoints.to_str().unwrap()])
        .env_remove("CAMSCOPE_CAMERA_PASSWORD")
        .env("CAMSCOPE_CAMERA_USER", "admin")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("set CAMSCOPE_CAMERA_PASSWORD"));
    let o = validate(
        &manifest,
        &["--endpoints", endpoints.to_str().unwrap(), "--shard", "3/2"],
        PASSWORD,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&o.stderr).contains("panicked"));
}

/// GStreamer's rtsp-server, started by the peer script hil-rig's tests use; stopped on drop.
struct Gst(Child);

impl Drop for Gst {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn gstreamer_rtsp_server_stands_in_for_third_party_cameras() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let out = camscope()
        .arg("generate")
        .arg(fixture("rig-gst.toml"))
        .arg("--out")
        .arg(dir.path().join("gen"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let manifest = dir.path().join("gen/manifest.json");
    let m: Value = serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    let e = &m["cameras"][0]["encoder"];
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../hil-rig/tests/peers/gst_rtsp_cameras.py");
    // Encoding live (x264 per camera, CBR with filler), with Digest authentication: a camera
    // as a VMS meets one.
    let mut child = Command::new("/usr/bin/python3")
        .arg(&script)
        .args(["--count", "2", "--source", "live", "--codec", "h264"])
        .args([
            "--width",
            &e["width"].to_string(),
            "--height",
            &e["height"].to_string(),
        ])
        .args(["--fps", &(e["fps"].as_f64().unwrap() as u32).to_string()])
        .args([
            "--gop",
            &e["gop"].to_string(),
            "--kbps",
            &e["bitrate_cap_kbps"].to_string(),
        ])
        .args(["--user", "admin", "--password-env", "GST_CAMERA_PASSWORD"])
        .env("GST_CAMERA_PASSWORD", PASSWORD)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("/usr/bin/python3 runs (.ci/run installs python3-gi and GStreamer)");
    let stdout = child.stdout.take().unwrap();
    let gst = Gst(child);
    let mut line = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .unwrap();
    let ready: Value = serde_json::from_str(&line).unwrap_or_else(|e| {
        panic!("GStreamer peer did not start ({e}): {line:?}; see .ci/run for its apt packages")
    });
    let urls: Vec<String> = ready["urls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap().to_string())
        .collect();
    let inventory = dir.path().join("inventory.csv");
    let mut csv = String::from("camera,rtsp\n");
    for (c, url) in m["cameras"].as_array().unwrap().iter().zip(&urls) {
        csv += &format!("{},{url}\n", c["id"].as_str().unwrap());
    }
    std::fs::write(&inventory, csv).unwrap();
    let results_file = dir.path().join("gst.json");
    let o = validate(
        &manifest,
        &[
            "--inventory",
            inventory.to_str().unwrap(),
            "--duration",
            "8s",
            "--out",
            results_file.to_str().unwrap(),
        ],
        PASSWORD,
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    let r = results(&results_file);
    assert_eq!(schema_errors(&r), Vec::<String>::new());
    assert_eq!(o.status.code(), Some(0), "{stdout}\n{r:#}");
    for c in r["cameras"].as_array().unwrap() {
        assert_eq!(c["found_by"], "inventory");
        assert_eq!(c["measured"]["width"], c["planned"]["width"]);
        assert_eq!(c["measured"]["lost_packets"], 0);
        assert_eq!(c["measured"]["codec"], "H.264");
    }
    // Wrong credentials against a server nobody on the team wrote: refused, and named so.
    let o = validate(
        &manifest,
        &[
            "--inventory",
            inventory.to_str().unwrap(),
            "--duration",
            "2s",
        ],
        "wrong-password",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("[credentials-refused] 2 camera(s)"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    drop(gst);
}

/// `rig simulate --duration` read only whole seconds, so "2s" (what `rig validate --duration`
/// takes) was refused; both read the same units now, and a bad one names the option.
#[test]
fn simulate_reads_durations_with_units_as_validate_does() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = camscope()
        .args(["rig", "simulate", "--cameras", "1", "--duration", "1500ms"])
        .env("CAMSCOPE_CAMERA_PASSWORD", PASSWORD)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(started.elapsed() < Duration::from_secs(30));
    let out = camscope()
        .args(["rig", "simulate", "--cameras", "1", "--duration", "soon"])
        .env("CAMSCOPE_CAMERA_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--duration"),
        "{out:?}"
    );
}

/// Ports free on loopback now: a block of `n` consecutive ONVIF ports and one RTSP port, so a
/// restarted simulator listens where the first one did.
fn free_ports(n: u16) -> (u16, u16) {
    use std::net::TcpListener;
    for base in (20_000u16..60_000)
        .step_by(97)
        .skip((std::process::id() % 200) as usize)
    {
        let block: Option<Vec<TcpListener>> = (0..=n)
            .map(|i| TcpListener::bind(("127.0.0.1", base + i)).ok())
            .collect();
        if block.is_some() {
            return (base, base + n);
        }
    }
    panic!("no block of {n} free ports on loopback");
}

/// The fleet is killed 4 s into a 14 s window and comes back 4 s later on the same ports, as
/// when a camera switch reboots. The headline, the table and the JSON all show the outage:
/// received is short of planned over the whole window, every camera has an outage with a
/// cause and a positive length, and every camera fails with a cause — none passes silently and
/// none fails with "unknown".
#[test]
fn a_fleet_killed_and_restarted_mid_window_shows_its_outage_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let full = manifest(dir.path());
    // Eight cameras are enough, and restart fast.
    let mut m: Value = serde_json::from_str(&std::fs::read_to_string(&full).unwrap()).unwrap();
    let keep: Vec<Value> = m["cameras"].as_array().unwrap()[..8].to_vec();
    let ids: Vec<Value> = keep.iter().map(|c| c["id"].clone()).collect();
    m["cameras"] = Value::Array(keep);
    for r in m["recorders"].as_array_mut().unwrap() {
        let cams: Vec<Value> = r["cameras"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| ids.contains(c))
            .cloned()
            .collect();
        r["cameras"] = Value::Array(cams);
    }
    let manifest = dir.path().join("eight.json");
    std::fs::write(&manifest, serde_json::to_string_pretty(&m).unwrap()).unwrap();
    let (base, rtsp) = free_ports(8);
    // The fleet on the same ports each time. The restart may find a port taken for a moment
    // (by a test running beside this one, in the gap): a simulator that exits before it writes
    // its endpoints is started again, a few times, and its error shown if it never comes up.
    let start = |name: &str| {
        let endpoints = dir.path().join(name);
        let log = dir.path().join(format!("{name}.stderr"));
        let mut last = String::new();
        for _attempt in 0..10 {
            let child = camscope()
                .args(["rig", "simulate", "--manifest"])
                .arg(&manifest)
                .args(["--duration", "300", "--base-port", &base.to_string()])
                .args(["--rtsp-port", &rtsp.to_string(), "--endpoints"])
                .arg(&endpoints)
                .env("CAMSCOPE_CAMERA_PASSWORD", PASSWORD)
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(&log).unwrap())
                .spawn()
                .unwrap();
            let mut sim = Sim {
                child,
                endpoints: endpoints.clone(),
            };
            let started = Instant::now();
            while !sim.endpoints.is_file() {
                if let Ok(Some(status)) = sim.child.try_wait() {
                    last = format!(
                        "{status}: {}",
                        std::fs::read_to_string(&log).unwrap_or_default()
                    );
                    break;
                }
                assert!(
                    started.elapsed() < Duration::from_secs(60),
                    "no endpoints file after 60 s: {}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                );
                std::thread::sleep(Duration::from_millis(50));
            }
            if sim.endpoints.is_file() {
                return sim;
            }
            std::thread::sleep(Duration::from_millis(300));
        }
        panic!("the simulated fleet did not start on its ports: {last}");
    };
    let first = start("endpoints-1.json");
    let out_file = dir.path().join("outage.json");
    let validator = camscope()
        .args(["rig", "validate"])
        .arg(&manifest)
        .arg("--endpoints")
        .arg(&first.endpoints)
        .args(["--duration", "14s", "--out"])
        .arg(&out_file)
        .env("CAMSCOPE_CAMERA_USER", "admin")
        .env("CAMSCOPE_CAMERA_PASSWORD", PASSWORD)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(5));
    drop(first);
    std::thread::sleep(Duration::from_secs(4));
    let second = start("endpoints-2.json");
    let out = validator.wait_with_output().unwrap();
    drop(second);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let r = results(&out_file);
    assert_eq!(schema_errors(&r), Vec::<String>::new());
    let s = &r["summary"];
    let share = s["measured_bps"].as_f64().unwrap() / s["planned_bps"].as_f64().unwrap();
    assert!(
        share < 0.85,
        "received {share:.2} of planned over a window with a 4 s gap"
    );
    assert!(s["outages"].as_u64().unwrap() >= 8, "{s}");
    assert!(s["outage_s"].as_f64().unwrap() > 8.0 * 2.0, "{s}");
    // The headline names the outage too.
    assert!(stdout.to_lowercase().contains("outage"), "{stdout}");
    for c in r["cameras"].as_array().unwrap() {
        assert_eq!(c["verdict"], "fail", "{c}");
        let outages = c["measured"]["outages"].as_array().unwrap();
        assert!(!outages.is_empty(), "{c}");
        for o in outages {
            assert!(o["start_s"].as_f64().unwrap() >= 0.0, "{o}");
            assert!(o["length_s"].as_f64().unwrap() > 0.0, "{o}");
            assert!(!o["cause"].as_str().unwrap().is_empty(), "{o}");
        }
        let reasons = c["reasons"].as_array().unwrap();
        assert!(
            reasons
                .iter()
                .all(|x| !x["message"].as_str().unwrap().contains("unknown")),
            "{c}"
        );
    }
}
