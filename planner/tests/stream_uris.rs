//! Real cameras' stream URIs written back into the exports, end to end: a generated manifest
//! with every recording mode (sub-streams included), camscope's simulated fleet for it on
//! loopback (stopped when the test ends), `camscope rig inventory` asking every camera over
//! ONVIF, and `camscope generate --stream-uris` writing what they reported into manifest.json
//! and the Frigate files, which Frigate 0.17.2's own config loader must accept.
//!
//! The endpoints file is doctored as a real site would be: one camera listed at an address
//! nothing answers on, one not listed at all, and one device listed that is no planned camera.
//! Each must be reported with why, never dropped, and keep its planned path in the exports.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use camscope_tests::frigate_check;
use serde_json::Value;

const PASSWORD: &str = "inventory-e2e-secret-pw";

fn camscope() -> Command {
    Command::new(env!("CARGO_BIN_EXE_camscope"))
}

fn site() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/every-recording-mode.toml")
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn generate(out: &Path, extra: &[&str]) -> Output {
    let o = camscope()
        .arg("generate")
        .arg(site())
        .args(["--option", "vms", "--out"])
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    assert_ne!(o.status.code(), Some(2), "{o:?}");
    o
}

/// The simulated fleet, stopped when dropped (and by itself after its --duration).
struct Sim(Child);

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn with_login(uri: &str) -> String {
    uri.replacen(
        "rtsp://",
        "rtsp://{FRIGATE_RTSP_USER}:{FRIGATE_RTSP_PASSWORD}@",
        1,
    )
}

#[test]
fn reported_stream_uris_reach_the_frigate_files_and_frigate_accepts_them() {
    let dir = tempfile::tempdir().unwrap();
    let gen1 = dir.path().join("gen");
    generate(&gen1, &[]);
    let manifest_path = gen1.join("manifest.json");
    let manifest = json(&manifest_path);
    let cameras = manifest["cameras"].as_array().unwrap();

    let endpoints = dir.path().join("endpoints.json");
    let sim = Sim(camscope()
        .args(["rig", "simulate", "--manifest"])
        .arg(&manifest_path)
        .args(["--duration", "300", "--endpoints"])
        .arg(&endpoints)
        .env("CAMSCOPE_CAMERA_PASSWORD", PASSWORD)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap());
    let started = Instant::now();
    while !endpoints.is_file() {
        assert!(started.elapsed() < Duration::from_secs(60), "no endpoints");
        std::thread::sleep(Duration::from_millis(100));
    }
    // What the simulator serves, by camera: the truth the exports must end up with.
    let served: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(&endpoints).unwrap()).unwrap();
    let served_of = |id: &str| served.iter().find(|e| e["name"] == id).unwrap().clone();
    let silent = cameras[1]["id"].as_str().unwrap().to_string();
    let missing = cameras[2]["id"].as_str().unwrap().to_string();
    let mut listed: Vec<Value> = served
        .iter()
        .filter(|e| e["name"] != missing.as_str())
        .cloned()
        .collect();
    for e in &mut listed {
        if e["name"] == silent.as_str() {
            e["onvif"] = format!("http://127.0.0.1:{}/onvif/device_service", closed_port()).into();
        }
    }
    listed.push(serde_json::json!({
        "name": "Lobby camera",
        "onvif": format!("http://127.0.0.1:{}/onvif/device_service", closed_port()),
    }));
    let doctored = dir.path().join("endpoints-site.json");
    std::fs::write(&doctored, serde_json::to_string_pretty(&listed).unwrap()).unwrap();

    let inventory = dir.path().join("inventory.json");
    let run = camscope()
        .args(["rig", "inventory"])
        .arg(&manifest_path)
        .arg("--endpoints")
        .arg(&doctored)
        .arg("--out")
        .arg(&inventory)
        .env("CAMSCOPE_CAMERA_USER", "admin")
        .env("CAMSCOPE_CAMERA_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    drop(sim);
    let said = text(&run);
    // Not every planned camera reported: a finding (1), not bad input (2).
    assert_eq!(run.status.code(), Some(1), "{said}");
    assert!(!said.contains(PASSWORD));
    let n = cameras.len();
    assert!(
        said.contains(&format!(
            "{} of {n} planned camera(s) reported their streams; 1 did not answer, 0 reported no stream URI, 1 not found; 1 device(s) matched no planned camera",
            n - 2
        )),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "{silent} (matched by id): no-answer: ONVIF connect"
        )),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "{missing}: not-found: no camera listed under its id and none at its planned address"
        )),
        "{said}"
    );
    assert!(said.contains("unmatched device \"Lobby camera\""), "{said}");

    // The inventory: schema-valid, no password, one entry per planned camera in order.
    let inv_text = std::fs::read_to_string(&inventory).unwrap();
    assert!(!inv_text.contains(PASSWORD));
    let inv: Value = serde_json::from_str(&inv_text).unwrap();
    let schema = json(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/inventory.schema.json"));
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&inv).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let entries = inv["cameras"].as_array().unwrap();
    assert_eq!(entries.len(), n);
    let mut with_sub = 0;
    for (c, e) in cameras.iter().zip(entries) {
        let id = c["id"].as_str().unwrap();
        assert_eq!(e["id"], id);
        if id == silent || id == missing {
            assert_ne!(e["status"], "reported", "{e}");
            continue;
        }
        let s = served_of(id);
        assert_eq!(e["status"], "reported", "{e}");
        assert_eq!(e["main"]["uri"], s["rtsp"], "{id}");
        if c.get("sub_stream_path").is_some() {
            assert_eq!(e["sub"]["uri"], s["sub_rtsp"], "{id}");
            with_sub += 1;
        }
    }
    assert!(with_sub > 0, "the fixture has sub-streams");

    // Written back: manifest.json and every Frigate file.
    let gen2 = dir.path().join("gen2");
    let o = generate(&gen2, &["--stream-uris", inventory.to_str().unwrap()]);
    let said = text(&o);
    assert!(
        said.contains(&format!(
            "{} of {n} camera(s) as the cameras reported them ({} matched by id, 0 by address); 2 keep the planned path",
            n - 2,
            n - 2
        )),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "note: {silent} keeps its planned stream path: no-answer"
        )),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "note: {missing} keeps its planned stream path: not-found"
        )),
        "{said}"
    );
    assert!(
        said.contains("matched no planned camera (Lobby camera"),
        "{said}"
    );
    let m2 = json(&gen2.join("manifest.json"));
    let index = json(&gen2.join("frigate/index.json"));
    let listed_in_index: Vec<&Value> = index["instances"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["cameras"].as_array().unwrap())
        .collect();
    assert_eq!(
        listed_in_index.len(),
        n,
        "every camera in the Frigate export"
    );
    for c in m2["cameras"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        let entry = listed_in_index.iter().find(|x| x["id"] == id).unwrap();
        let uris: Vec<&str> = entry["stream_uris"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u.as_str().unwrap())
            .collect();
        if id == silent || id == missing {
            assert!(c.get("reported_streams").is_none(), "{id}");
            assert_eq!(entry["streams"], "planned");
            assert!(
                uris[0].contains(&format!("@{}:554/", c["address"].as_str().unwrap())),
                "{uris:?}"
            );
            continue;
        }
        let s = served_of(id);
        assert_eq!(c["reported_streams"]["main_uri"], s["rtsp"], "{id}");
        assert_eq!(entry["streams"], "reported");
        assert_eq!(uris[0], with_login(s["rtsp"].as_str().unwrap()), "{id}");
        if c.get("sub_stream_path").is_some() {
            assert_eq!(uris[1], with_login(s["sub_rtsp"].as_str().unwrap()), "{id}");
        }
    }

    // Frigate's own loader accepts each rewritten file, with the URIs as written.
    frigate_check::labelmap();
    for inst in index["instances"].as_array().unwrap() {
        let Some(file) = inst["file"].as_str() else {
            continue;
        };
        let path = gen2.join("frigate").join(file);
        let yaml = std::fs::read_to_string(&path).unwrap();
        assert!(!yaml.contains(PASSWORD) && !yaml.contains(frigate_check::PASSWORD));
        for cam in inst["cameras"].as_array().unwrap() {
            for uri in cam["stream_uris"].as_array().unwrap() {
                assert!(
                    yaml.contains(&format!("- path: {}\n", uri.as_str().unwrap())),
                    "{file}: {uri}"
                );
            }
        }
        let (report, printed) = frigate_check::check(&path, dir.path());
        assert_eq!(report["result"], "ACCEPTED", "{file}:\n{printed}");
        assert!(
            !printed.contains(frigate_check::PASSWORD),
            "{file}: Frigate printed the password"
        );
        let resolved = report["cameras"].as_object().unwrap();
        for cam in inst["cameras"].as_array().unwrap() {
            let r = &resolved[cam["name"].as_str().unwrap()];
            let inputs = r["inputs"].as_array().unwrap();
            assert_eq!(
                inputs.len(),
                cam["stream_uris"].as_array().unwrap().len(),
                "{file} {cam}"
            );
        }
    }
}

#[test]
fn a_bad_inventory_exits_2_naming_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let gen1 = dir.path().join("gen");
    generate(&gen1, &[]);
    let manifest = json(&gen1.join("manifest.json"));
    let id = manifest["cameras"][0]["id"].as_str().unwrap();
    let good = |uri: &str| {
        format!(
            "{{\n  \"schema\": \"camscope-inventory/1\",\n  \"generated_by\": \"test\",\n  \"taken_at\": \"2026-12-02T08:00:00Z\",\n  \"manifest\": {{\"path\": \"m\", \"project\": \"p\", \"sha256\": \"0\"}},\n  \"source\": \"camera-list\",\n  \"credentials\": {{\"username_env\": \"U\", \"password_env\": \"P\"}},\n  \"cameras\": [\n    {{\n      \"id\": \"{id}\",\n      \"status\": \"reported\",\n      \"matched_by\": \"address\",\n      \"main\": {{\"profile\": \"101\", \"uri\": \"{uri}\"}}\n    }}\n  ],\n  \"unmatched\": []\n}}\n"
        )
    };
    let cases = [
        (
            "creds.json",
            good("rtsp://admin:hunter2@10.1.2.3:554/Streaming/Channels/101"),
            ":13:",
            "cameras[0].main.uri",
        ),
        (
            "scheme.json",
            good("http://10.1.2.3/live"),
            ":13:",
            "cameras[0].main.uri",
        ),
        (
            "status.json",
            good("rtsp://10.1.2.3/x").replace("\"reported\"", "\"fine\""),
            ":11:",
            "cameras[0].status",
        ),
        (
            "schema.json",
            good("rtsp://10.1.2.3/x").replace("camscope-inventory/1", "camscope-inventory/9"),
            "",
            "schema is",
        ),
        (
            "truncated.json",
            good("rtsp://10.1.2.3/x")[..200].to_string(),
            ":7:",
            "EOF while parsing",
        ),
    ];
    for (name, body, line, field) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, body).unwrap();
        let out = dir.path().join(format!("out-{name}"));
        let o = camscope()
            .arg("generate")
            .arg(site())
            .arg("--out")
            .arg(&out)
            .arg("--stream-uris")
            .arg(&path)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert!(
            err.contains(&format!("{}{line}", path.display())),
            "{name}: {err}"
        );
        assert!(err.contains(field), "{name}: {err}");
        assert!(
            !err.contains("hunter2"),
            "{name}: the password was echoed: {err}"
        );
        assert!(
            !out.exists(),
            "{name}: files were written from a bad inventory"
        );
    }
    // A good one with a vendor's path: written as given, query string and all.
    let path = dir.path().join("vendor.json");
    let uri = "rtsp://10.1.2.3:554/cam/realmonitor?channel=1&subtype=0";
    std::fs::write(&path, good(uri)).unwrap();
    let out = dir.path().join("out-vendor");
    let o = generate(&out, &["--stream-uris", path.to_str().unwrap()]);
    assert!(
        text(&o).contains("was taken for project \"p\", not \"Every recording mode"),
        "{}",
        text(&o)
    );
    assert!(
        text(&o).contains("(0 matched by id, 1 by address)"),
        "{}",
        text(&o)
    );
    let index = json(&out.join("frigate/index.json"));
    let entry = index["instances"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["cameras"].as_array().unwrap())
        .find(|c| c["id"] == id)
        .unwrap();
    assert_eq!(entry["stream_uris"][0], with_login(uri));
}

#[test]
fn published_inventory_schema_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/inventory.schema.json");
    let generated = serde_json::to_string_pretty(&rig::inventory::schema()).unwrap() + "\n";
    if std::env::var_os("CAMSCOPE_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/inventory.schema.json is stale: run CAMSCOPE_UPDATE_SCHEMA=1 cargo test -p camscope-planner --test stream_uris"
    );
}
