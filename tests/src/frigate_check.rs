//! Frigate 0.17.2's own config loader (`../shared/peers/frigate`'s `check_config.py`), run on a
//! generated file in a network namespace with no network, with the camera password set. Needs
//! the checker's Python environment (scripts/test.sh makes it); fails, never skips, without it.
//! `CAMSCOPE_FRIGATE_PYTHON` (default `~/.cache/frigate-venv/bin/python`) and
//! `CAMSCOPE_FRIGATE_PEER` (default `../../shared/peers/frigate` from the tests crate) point
//! elsewhere.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The password Frigate is given; no file or log line may contain it.
pub const PASSWORD: &str = "Pw-7c1e9a-not-in-any-file";

/// The Python of the checker's environment.
pub fn python() -> PathBuf {
    std::env::var_os("CAMSCOPE_FRIGATE_PYTHON").map_or_else(
        || {
            let home = std::env::var_os("HOME").unwrap_or_else(|| "/root".into());
            Path::new(&home).join(".cache/frigate-venv/bin/python")
        },
        PathBuf::from,
    )
}

/// The Frigate peer (`../shared/peers/frigate`).
pub fn peer() -> PathBuf {
    std::env::var_os("CAMSCOPE_FRIGATE_PEER").map_or_else(
        || {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../shared/peers/frigate"
            ))
        },
        PathBuf::from,
    )
}

/// Frigate reads its labelmap from `/labelmap.txt`.
pub fn labelmap() {
    let target = Path::new("/labelmap.txt");
    if !target.exists() {
        std::fs::copy(peer().join("src/labelmap.txt"), target).unwrap_or_else(|e| {
            panic!("Frigate needs /labelmap.txt (copy it from the peer's src/): {e}")
        });
    }
}

/// Runs Frigate's checker on one file; returns its JSON report and everything it printed.
pub fn check(file: &Path, scratch: &Path) -> (Value, String) {
    let py = python();
    assert!(
        py.exists(),
        "Frigate's Python environment is missing at {}: run the README's test script, or\n  \
         python3 -m venv ~/.cache/frigate-venv && ~/.cache/frigate-venv/bin/pip install -r {}",
        py.display(),
        peer().join("requirements.txt").display()
    );
    let json = scratch.join(format!(
        "{}.json",
        file.file_name()
            .unwrap_or_else(|| panic!("{} names no file", file.display()))
            .to_string_lossy()
    ));
    let script = peer().join("check_config.py");
    let src = peer().join("src");
    // No network: Frigate must not reach, or try to probe, any camera.
    let unshare = Command::new("unshare").args(["-n", "true"]).status();
    let mut cmd = if unshare.is_ok_and(|s| s.success()) {
        let mut c = Command::new("unshare");
        c.arg("-n").arg(&py);
        c
    } else {
        Command::new(&py)
    };
    let out = cmd
        .arg(&script)
        .arg(file)
        .arg("--json")
        .arg(&json)
        .env("PYTHONPATH", &src)
        .env("FRIGATE_RTSP_USER", "operator")
        .env("FRIGATE_RTSP_PASSWORD", PASSWORD)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", py.display()));
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(&json)
            .unwrap_or_else(|e| panic!("no report from the checker ({e}):\n{printed}")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    (report, printed)
}
