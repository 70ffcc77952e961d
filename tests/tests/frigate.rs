//! The Frigate export checked with Frigate's own config model: every file `camscope generate`
//! writes for the repo's examples and for a fixture with every recording mode is loaded exactly
//! as Frigate 0.17.2 loads its configuration at start-up (`../shared/peers/frigate`'s
//! `check_config.py`, in a network namespace with no network), must be accepted, must not make
//! Frigate log the camera password, and must keep, by the record/retain settings Frigate
//! resolved, the storage the plan sized per camera within the export's stated tolerance (1%) —
//! or carry, for that camera, the reason why not and the storage it keeps instead, which must be
//! what Frigate's resolved settings give.
//!
//! Needs the checker's Python environment; the README's test script (`.ci/run`) makes it. Set
//! `CAMSCOPE_FRIGATE_PYTHON` (default `~/.cache/frigate-venv/bin/python`) and
//! `CAMSCOPE_FRIGATE_PEER` (default `../../shared/peers/frigate` from this crate) to point
//! elsewhere. The test fails, never skips, when they are missing.
#![allow(clippy::unwrap_used)]

use camscope_tests::generate;
use serde_json::Value;

use camscope_tests::frigate_check::{PASSWORD, check, labelmap};

/// Seconds of video Frigate keeps for a camera at steady state, from the retention Frigate
/// resolved and the plan's motion share and event rate (the only figures that are not settings).
fn kept_seconds(record: &Value, motion_share: f64, events_per_day: f64, segment: f64) -> f64 {
    let f = |k: &str| record[k].as_f64().unwrap_or(0.0);
    let (c, m) = (f("continuous_days"), f("motion_days"));
    let review = f("alerts_days").max(f("detections_days"));
    let clip = f("pre_capture") + f("post_capture") + segment;
    86_400.0 * c
        + 86_400.0 * motion_share * (m - c).max(0.0)
        + (events_per_day * clip).min(86_400.0) * (review - c.max(m)).max(0.0)
}

fn within(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance * b.max(1.0)
}

/// Generates `site` with `option`, checks every Frigate file, and returns how many cameras
/// matched the plan and how many carry a reason.
fn check_export(site: &str, option: &str) -> (usize, usize) {
    labelmap();
    let dir = generate(site, &["--option", option]);
    let frigate = dir.path().join("frigate");
    let index = dir.json("frigate/index.json");
    let manifest = dir.json("manifest.json");
    let tolerance = index["tolerance"].as_f64().unwrap();
    let segment = index["segment_seconds"].as_f64().unwrap();
    let instances: Vec<&Value> = index["instances"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["file"].is_string())
        .collect();
    // Two checker processes at once: each spends most of its time importing Frigate.
    let reports: Vec<(Value, String)> = std::thread::scope(|s| {
        let chunks: Vec<Vec<&Value>> = instances
            .chunks(instances.len().div_ceil(2).max(1))
            .map(<[_]>::to_vec)
            .collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                let (frigate, scratch) = (&frigate, dir.path());
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|i| check(&frigate.join(i["file"].as_str().unwrap()), scratch))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let (mut matched, mut explained, mut cameras) = (0, 0, 0);
    for (inst, (report, printed)) in instances.iter().zip(&reports) {
        let file = inst["file"].as_str().unwrap();
        assert_eq!(report["result"], "ACCEPTED", "{site} {file}:\n{printed}");
        assert!(
            !printed.contains(PASSWORD),
            "{site} {file}: Frigate printed the password:\n{printed}"
        );
        let text = std::fs::read_to_string(frigate.join(file)).unwrap();
        assert!(!text.contains(PASSWORD) && text.contains("{FRIGATE_RTSP_PASSWORD}"));
        let resolved = report["cameras"].as_object().unwrap();
        let listed = inst["cameras"].as_array().unwrap();
        assert_eq!(resolved.len(), listed.len(), "{site} {file}: cameras lost");
        for cam in listed {
            cameras += 1;
            let name = cam["name"].as_str().unwrap();
            let r = &resolved[name];
            assert!(
                r.is_object(),
                "{site} {file}: {name} not in Frigate's config"
            );
            // Detect size set, so Frigate never probes a stream (and never logs its URL).
            assert!(
                r["detect"]["width"].as_u64().unwrap_or(0) > 0,
                "{file} {name}"
            );
            assert!(
                r["detect"]["height"].as_u64().unwrap_or(0) > 0,
                "{file} {name}"
            );
            let roles: Vec<&str> = r["inputs"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|i| {
                    i["roles"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter_map(Value::as_str)
                })
                .collect();
            assert!(
                roles.contains(&"record") && roles.contains(&"detect"),
                "{file} {name}"
            );
            assert_eq!(r["record"]["enabled"], true, "{file} {name}");
            let kept = kept_seconds(
                &r["record"],
                cam["motion_share"].as_f64().unwrap_or(0.0),
                cam["events_per_day"].as_f64().unwrap_or(0.0),
                segment,
            );
            let bytes = cam["record_bps"].as_f64().unwrap() / 8.0 * kept;
            let planned = cam["planned_bytes"].as_f64().unwrap();
            assert!(planned > 0.0, "{file} {name}: no planned storage");
            // The index's planned figure is the plan's, as the manifest's schedule gives it.
            let id = cam["id"].as_str().unwrap();
            let mc = manifest["cameras"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["id"] == id)
                .unwrap();
            assert_eq!(mc["retention_days"], cam["retention_days"], "{file} {name}");
            if within(bytes, planned, tolerance) {
                matched += 1;
                assert_eq!(cam["matches"], true, "{file} {name}: {cam}");
            } else {
                explained += 1;
                let why = cam["why"].as_str().unwrap_or_else(|| {
                    panic!(
                        "{site} {file} {name}: Frigate keeps {bytes:.0} B, the plan {planned:.0} B, and the export says nothing"
                    )
                });
                assert!(!why.is_empty());
                let said = cam["frigate_bytes"].as_f64().unwrap();
                assert!(
                    within(bytes, said, tolerance),
                    "{site} {file} {name}: Frigate keeps {bytes:.0} B, the export says {said:.0} B"
                );
                let opening: String = why.chars().take(20).collect();
                assert!(
                    text.contains(&opening),
                    "{file} {name}: the file does not say why"
                );
            }
        }
    }
    let in_manifest = manifest["cameras"].as_array().unwrap().len();
    assert_eq!(
        cameras, in_manifest,
        "{site}: every camera in some Frigate file"
    );
    (matched, explained)
}

#[test]
fn frigate_accepts_every_exported_file_and_keeps_what_the_plan_sized() {
    for (site, option) in [
        ("../examples/retail-chain.toml", "vms"),
        ("../examples/retail-chain.toml", "nvr"),
        ("../examples/corner-shop.toml", "nvr"),
        ("../examples/corner-shop.toml", "vms"),
        ("../tests/fixtures/every-recording-mode.toml", "vms"),
        ("../tests/fixtures/colliding-names.toml", "nvr"),
    ] {
        let (matched, explained) = check_export(site, option);
        assert!(matched > 0, "{site}/{option}: no camera matches the plan");
        if site.contains("every-recording-mode") {
            // Continuous, 24 h motion and LPR match; schedule, armed motion, events and a
            // recorded sub-stream cannot, and say so.
            assert_eq!(explained, 2 + 2 + 2 + 1, "{site}");
        }
    }
}
