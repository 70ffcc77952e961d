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
