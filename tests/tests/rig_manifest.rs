//! A manifest is input like any other: `rig simulate`, `rig validate` and `rig merge` refuse a
//! broken one the same way, with exit 2, the file, line, column and field path, before any
//! camera is started or contacted.
// Test helpers unwrap: a panic here is a failed test, not a crash on input.
#![allow(clippy::unwrap_used)]

use camscope_tests::{camscope, generate};
use serde_json::Value;

/// The retail example's manifest, changed by `edit`, written beside it; returns its path.
fn broken(name: &str, edit: impl Fn(&mut Value)) -> (tempfile::TempDir, String) {
    let g = generate("../examples/retail-chain.toml", &[]);
    let mut m = g.json("manifest.json");
    edit(&mut m);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{name}.json"));
    std::fs::write(&path, serde_json::to_string_pretty(&m).unwrap()).unwrap();
    (dir, path.display().to_string())
}

/// The 1-based line and column of the first occurrence of `needle` at or after line `from`.
fn line_col(text: &str, needle: &str) -> (usize, usize) {
    let at = text.find(needle).unwrap();
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = at - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, column)
}

/// Every rig command that reads a manifest gives the same error, exit 2, and nothing else runs.
fn refused_everywhere(path: &str, want: &str) {
    let runs = [
        camscope(&["rig", "simulate", "--manifest", path, "--duration", "1s"]),
        camscope(&[
            "rig",
            "validate",
            path,
            "--endpoints",
            "/nonexistent.json",
            "--duration",
            "1s",
        ]),
        camscope(&[
            "rig",
            "merge",
            "--manifest",
            path,
            "/nonexistent-results.json",
        ]),
    ];
    for r in &runs {
        assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains(want), "want {want:?} in:\n{}", r.stderr);
        assert!(
            !r.stdout.contains("listening"),
            "a camera started: {}",
            r.stdout
        );
    }
}

#[test]
fn an_empty_camera_list_is_refused() {
    let (_d, path) = broken("empty", |m| m["cameras"] = Value::Array(vec![]));
    let text = std::fs::read_to_string(&path).unwrap();
    let (line, _) = line_col(&text, "\"cameras\": []");
    refused_everywhere(&path, &format!("{path}:{line}:"));
    refused_everywhere(&path, ": cameras: the manifest lists no cameras");
}

#[test]
fn a_camera_id_used_twice_is_refused_at_the_second() {
    let (_d, path) = broken("dup", |m| {
        let first = m["cameras"][1]["id"].clone();
        m["cameras"][3]["id"] = first;
    });
    refused_everywhere(&path, ": cameras[3].id: camera id ");
    refused_everywhere(&path, "is used twice (also cameras[1])");
}

#[test]
fn a_recorder_naming_an_unknown_camera_is_refused() {
    let (_d, path) = broken("ghost", |m| {
        m["recorders"][0]["cameras"]
            .as_array_mut()
            .unwrap()
            .push("store-99/ghost-1".into());
    });
    let text = std::fs::read_to_string(&path).unwrap();
    let (line, _) = line_col(&text, "\"store-99/ghost-1\"");
    let n = text.matches("\"store-99/ghost-1\"").count();
    assert_eq!(n, 1);
    refused_everywhere(&path, &format!("{path}:{line}:"));
    refused_everywhere(
        &path,
        "names camera \"store-99/ghost-1\", which is not in `cameras`",
    );
}

#[test]
fn a_wrong_type_is_refused_with_its_path() {
    let (_d, path) = broken("type", |m| {
        m["cameras"][2]["encoder"]["fps"] = "fast".into()
    });
    let text = std::fs::read_to_string(&path).unwrap();
    let (line, _) = line_col(&text, "\"fast\"");
    refused_everywhere(&path, &format!("{path}:{line}:"));
    refused_everywhere(
        &path,
        ": cameras[2].encoder.fps: invalid type: string \"fast\"",
    );
}

#[test]
fn an_unknown_field_is_refused_unless_allowed() {
    let (_d, path) = broken("field", |m| {
        m["cameras"][4]["encoder"]["gop_lenght"] = 50.into()
    });
    let text = std::fs::read_to_string(&path).unwrap();
    let (line, _) = line_col(&text, "\"gop_lenght\"");
    refused_everywhere(&path, &format!("{path}:{line}:"));
    refused_everywhere(&path, ": cameras[4].encoder.gop_lenght: unknown field");
    // Allowed, the manifest is read and the field is named as read past; the run then stops at
    // the next thing it needs (credentials, endpoints), not at the manifest.
    let r = camscope(&[
        "rig",
        "validate",
        &path,
        "--allow-unknown-fields",
        "--endpoints",
        "/nonexistent.json",
    ]);
    assert!(
        r.stderr
            .contains("cameras[4].encoder.gop_lenght: unknown field, read past"),
        "{}",
        r.stderr
    );
    assert!(
        !r.stderr.contains("gop_lenght: unknown field:"),
        "{}",
        r.stderr
    );
}
