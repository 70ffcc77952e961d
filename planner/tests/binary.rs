//! The real `camscope` process: exit codes and messages where the environment matters.

use std::process::Command;

fn camscope() -> Command {
    Command::new(env!("CARGO_BIN_EXE_camscope"))
}

#[test]
fn pdf_without_chromium_says_how_to_get_one_and_keeps_the_html() {
    let dir = tempfile::tempdir().expect("temp dir");
    let html = dir.path().join("proposal.html");
    let site = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/corner-shop.toml");
    let out = camscope()
        .args(["report", "proposal", site, "--out"])
        .arg(&html)
        .arg("--pdf")
        .env_remove("CAMSCOPE_CHROMIUM")
        .env("PATH", dir.path())
        .output()
        .expect("camscope runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--pdf needs Chromium"), "{stderr}");
    assert!(stderr.contains("apt-get install chromium"), "{stderr}");
    assert!(
        html.is_file(),
        "the HTML is written before printing is attempted"
    );
    assert!(!stderr.contains("panicked"));
}

#[test]
fn a_bad_site_file_exits_2_without_a_panic() {
    let dir = tempfile::tempdir().expect("temp dir");
    let site = dir.path().join("bad.toml");
    std::fs::write(&site, "version = 1\n[project]\nname = 3\n").expect("write");
    let out = camscope()
        .arg("plan")
        .arg(&site)
        .output()
        .expect("camscope runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad.toml:3:8: project.name:"), "{stderr}");
    assert!(!stderr.contains("panicked"));
}

#[test]
fn a_closed_stdout_is_not_an_error() {
    // `camscope plan | head -1`: the reader goes away early.
    let mut child = camscope()
        .arg("plan")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("camscope runs");
    drop(child.stdout.take());
    let status = child.wait().expect("exits");
    assert_eq!(status.code(), Some(0));
}

/// Runs a peer script with a time limit; panics with its output if it fails.
fn peer(mut command: Command, what: &str, install: &str) {
    let mut child = command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what} could not start ({e}): {install}"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let out = child.wait_with_output().expect("output");
            let (stdout, stderr) = (
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
            );
            assert_ne!(
                status.code(),
                Some(2),
                "{what} is not installed: {install}\n{stderr}"
            );
            assert!(
                status.success(),
                "{what} failed\nstdout: {stdout}\nstderr: {stderr}"
            );
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{what} did not finish in 90 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

#[test]
fn rig_simulate_serves_four_cameras_that_real_clients_use() {
    let dir = tempfile::tempdir().expect("temp dir");
    let endpoints = dir.path().join("e.json");
    let password = format!("pw-{}-not-in-any-output", std::process::id());
    let mut sim = camscope()
        .args([
            "rig",
            "simulate",
            "--cameras",
            "4",
            "--user",
            "operator",
            "--duration",
            "120",
            // ffprobe below would need the password on its command line.
            "--rtsp-auth",
            "none",
            "--endpoints",
        ])
        .arg(&endpoints)
        .env("CAMSCOPE_CAMERA_PASSWORD", &password)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("camscope runs");
    let started = std::time::Instant::now();
    while !endpoints.is_file() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "no endpoints file after 30 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let text = std::fs::read_to_string(&endpoints).expect("endpoints");
    assert!(!text.contains(&password));
    let list: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let list = list.as_array().expect("an array");
    assert_eq!(list.len(), 4);
    let port = |i: usize| {
        list[i]["onvif"]
            .as_str()
            .and_then(|u| u.rsplit(':').next())
            .and_then(|p| p.split('/').next())
            .expect("port")
            .to_string()
    };
    let rig_tests = concat!(env!("CARGO_MANIFEST_DIR"), "/../hil-rig/tests");

    // ffprobe reads codec, size and frame rate from camera 3's stream.
    let probe = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-rtsp_transport",
            "tcp",
            "-show_entries",
            "stream=codec_name,width,height,r_frame_rate",
            "-of",
            "csv=p=0",
        ])
        .arg(list[3]["rtsp"].as_str().expect("rtsp url"))
        .output()
        .expect("ffprobe must be installed: apt-get install ffmpeg");
    assert_eq!(
        String::from_utf8_lossy(&probe.stdout).trim(),
        "h264,1920,1080,25/1"
    );

    // onvif-zeep-async (Home Assistant's library) on camera 0, npm onvif through Media2 on camera 1.
    let mut zeep =
        Command::new(std::env::var("CAMSCOPE_PYTHON").unwrap_or_else(|_| "python3".into()));
    let snapshot = dir.path().join("snapshot.jpg");
    zeep.arg(format!("{rig_tests}/onvif_zeep_check.py"))
        .args(["127.0.0.1", &port(0), "operator"])
        .env("ONVIF_TEST_PASSWORD", &password)
        .env("ONVIF_TEST_SNAPSHOT", &snapshot);
    peer(
        zeep,
        "onvif-zeep-async",
        "pip install onvif-zeep-async==4.3.0",
    );
    // The snapshot it fetched with HTTP Digest after setting 1280x720 is a 1280x720 JPEG.
    let probe = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "stream=codec_name,width,height",
        ])
        .args(["-of", "csv=p=0"])
        .arg(&snapshot)
        .output()
        .expect("ffprobe");
    assert_eq!(
        String::from_utf8_lossy(&probe.stdout).trim(),
        "mjpeg,1280,720"
    );
    let mut npm = Command::new("node");
    npm.arg(format!("{rig_tests}/onvif_npm_check.js"))
        .args(["127.0.0.1", &port(1), "operator"])
        .env("NODE_PATH", format!("{rig_tests}/npm/node_modules"))
        .env("ONVIF_TEST_PASSWORD", &password)
        .env("ONVIF_TEST_ENCODING", "H265");
    peer(npm, "npm onvif", "npm ci --prefix hil-rig/tests/npm");
    // npm onvif set camera 1 to H.265 1280x720 at 10 fps through Media2: a new session gets it.
    let probe = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-rtsp_transport",
            "tcp",
            "-show_entries",
            "stream=codec_name,width,height,r_frame_rate",
            "-of",
            "csv=p=0",
        ])
        .arg(list[1]["rtsp"].as_str().expect("rtsp url"))
        .output()
        .expect("ffprobe");
    assert_eq!(
        String::from_utf8_lossy(&probe.stdout).trim(),
        "hevc,1280,720,10/1"
    );

    let _ = sim.kill();
    let out = sim.wait_with_output().expect("simulate output");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(all.contains("serving 4 simulated camera(s)"), "{all}");
    assert!(
        !all.contains(&password),
        "the password reached the simulator's output"
    );
}

#[test]
fn rig_simulate_without_a_password_says_where_it_comes_from() {
    let out = camscope()
        .args(["rig", "simulate", "--cameras", "2"])
        .env_remove("CAMSCOPE_CAMERA_PASSWORD")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("set CAMSCOPE_CAMERA_PASSWORD"), "{stderr}");
    assert!(stderr.contains("never from the command line"));
}

#[test]
fn rig_simulate_discovery_needs_a_concrete_interface_address() {
    // 0.0.0.0 names no interface to join the group on, and no address clients could reach.
    let out = camscope()
        .args(["rig", "simulate", "--cameras", "1", "--discovery"])
        .args(["--bind", "0.0.0.0", "--duration", "1"])
        .env("CAMSCOPE_CAMERA_PASSWORD", "unused")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--discovery needs --bind to be the IPv4 address"),
        "{stderr}"
    );
    assert!(stderr.contains("not 0.0.0.0"), "{stderr}");
    assert!(!stderr.contains("panicked"));
}

#[test]
fn rig_simulate_with_a_bad_fault_plan_exits_2_naming_file_line_and_field() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = dir.path().join("faults.toml");
    std::fs::write(
        &plan,
        "[[fault]]\ncamera = \"cam0\"\nkind = \"drop\"\nat = \"1s\"\n\n\
         [[fault]]\ncamera = \"cam1\"\nkind = \"bitrate\"\nat = \"2s\"\nfactor = 0\n",
    )
    .expect("write");
    let password = format!("pw-{}-not-in-any-output", std::process::id());
    let out = camscope()
        .args([
            "rig",
            "simulate",
            "--cameras",
            "2",
            "--duration",
            "30",
            "--faults",
        ])
        .arg(&plan)
        .env("CAMSCOPE_CAMERA_PASSWORD", &password)
        .output()
        .expect("camscope runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let at = format!("{}:10:10: fault[1].factor: must be > 0", plan.display());
    assert!(stderr.contains(&at), "{stderr}");
    assert!(!stderr.contains("panicked") && !stderr.contains(&password));
    assert!(
        String::from_utf8_lossy(&out.stdout).is_empty(),
        "nothing was served"
    );

    // A camera the fleet does not have is caught before anything listens, too.
    std::fs::write(
        &plan,
        "[[fault]]\ncamera = \"cam7\"\nkind = \"stall\"\nat = \"1s\"\n",
    )
    .expect("write");
    let out = camscope()
        .args([
            "rig",
            "simulate",
            "--cameras",
            "2",
            "--duration",
            "30",
            "--faults",
        ])
        .arg(&plan)
        .env("CAMSCOPE_CAMERA_PASSWORD", &password)
        .output()
        .expect("camscope runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let at = format!(
        "{}:2:10: fault[0].camera: no camera named \"cam7\"",
        plan.display()
    );
    assert!(stderr.contains(&at), "{stderr}");
}

#[test]
fn rig_simulate_logs_each_fault_as_it_starts_and_ends() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = dir.path().join("faults.toml");
    std::fs::write(
        &plan,
        "[[fault]]\ncamera = \"*\"\nkind = \"latency\"\nat = \"0s\"\nfor = \"1s\"\n\
         delay = \"150ms\"\njitter = \"20ms\"\n",
    )
    .expect("write");
    let password = format!("pw-{}-not-in-any-output", std::process::id());
    let out = camscope()
        .args([
            "rig",
            "simulate",
            "--cameras",
            "1",
            "--duration",
            "2",
            "--faults",
        ])
        .arg(&plan)
        .env("CAMSCOPE_CAMERA_PASSWORD", &password)
        .output()
        .expect("camscope runs");
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let starts = stderr
        .lines()
        .find(|l| l.contains("fault starts"))
        .expect(&stderr);
    let ends = stderr
        .lines()
        .find(|l| l.contains("fault ends"))
        .expect(&stderr);
    for line in [starts, ends] {
        assert!(line.contains("INFO"), "{line}");
        assert!(
            line.contains("camera=\"cam0\"") && line.contains("kind=\"latency\""),
            "{line}"
        );
        assert!(
            line.contains("delay=150ms") && line.contains("jitter=20ms"),
            "{line}"
        );
    }
    assert!(!stderr.contains(&password));
}
