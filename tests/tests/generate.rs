//! `camscope generate`: its files, the plan's BOM through `camscope check`, overloads
//! reported with element, load and limit, N+1 takeover, the manifest against its published
//! schema, the Frigate config, and properties of deployments over random sites.
// Helpers shared by tests unwrap too: a panic here is a failed test, not a crash on input.
#![allow(clippy::unwrap_used)]

use camscope_tests::{Run, camscope, generate};
use std::collections::BTreeMap;
use std::path::Path;

use planner::catalog::Catalog;
use planner::deploy::{Choice, Manifest, deploy};
use planner::plan::plan;
use planner::site::SiteFile;
use proptest::prelude::*;
use serde_json::Value;

fn manifest_of(text: &str, choice: Choice) -> Manifest {
    let site = SiteFile::parse("site.toml", text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let catalog = Catalog::embedded().unwrap();
    let p = plan(&site, &catalog).unwrap();
    deploy(&site, &catalog, &p, choice).unwrap()
}

const FILES: [&str; 4] = ["manifest.json", "bom.csv", "bom.xlsx", "frigate/index.json"];

#[test]
fn generate_writes_its_files_and_check_reads_the_bom() {
    for example in ["retail-chain", "corner-shop"] {
        for option in ["nvr", "vms"] {
            let dir = tempfile::tempdir().unwrap();
            let out = dir.path().display().to_string();
            let site = format!("../examples/{example}.toml");
            let Run {
                code,
                stdout,
                stderr,
            } = camscope(&["generate", &site, "--out", &out, "--option", option]);
            assert_eq!(code, 0, "{example}/{option}: {stdout}{stderr}");
            for f in FILES {
                let meta = std::fs::metadata(dir.path().join(f)).unwrap();
                assert!(meta.len() > 0, "{f} is empty");
            }
            for bom in ["bom.csv", "bom.xlsx"] {
                let path = dir.path().join(bom).display().to_string();
                let Run {
                    code,
                    stdout,
                    stderr,
                } = camscope(&["check", &path, "--format", "json", "--as-of", "2026-11-22"]);
                assert_ne!(code, 2, "check could not read {bom}: {stderr}");
                let report: Value = serde_json::from_str(&stdout).unwrap();
                assert!(report["summary"]["lines"].as_u64().unwrap() >= 4);
            }
        }
    }
}

#[test]
fn a_covered_nvr_in_the_plan_is_caught_by_checking_the_plans_own_bom() {
    // The corner shop does not ask for Section 889; with a covered make fixed as its recorder,
    // checking the plan's own BOM must deny that line as covered.
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("shop.toml");
    let fixed = std::fs::read_to_string("../examples/corner-shop.toml")
        .unwrap()
        .replace(
            "name = \"Shop\"\n",
            "name = \"Shop\"\n[site.network]\nrecorder = \"Dahua NVR4116HS-EI\"\n",
        );
    std::fs::write(&site, fixed).unwrap();
    let out = dir.path().join("out").display().to_string();
    camscope(&["generate", &site.display().to_string(), "--out", &out]);
    let bom = dir.path().join("out/bom.csv").display().to_string();
    let Run {
        code,
        stdout,
        stderr,
    } = camscope(&["check", &bom, "--as-of", "2026-11-22", "--format", "json"]);
    assert_eq!(code, 1, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let covered: Vec<&Value> = report["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["section_889"]["verdict"] == "covered")
        .collect();
    assert_eq!(covered.len(), 1, "{stdout}");
    assert!(
        covered[0]["model"]
            .as_str()
            .unwrap_or_default()
            .contains("NVR4116HS-EI"),
        "{}",
        covered[0]
    );
    // With section-889 required the plan never proposes one.
    let text = std::fs::read_to_string("../examples/corner-shop.toml")
        .unwrap()
        .replace(
            "analytics = \"motion\"",
            "analytics = \"motion\"\nsection-889 = true",
        );
    let m = manifest_of(&text, Choice::Nvr);
    assert!(
        m.recorders
            .iter()
            .all(|r| !r.model.starts_with("Dahua") && !r.model.starts_with("Hikvision"))
    );
}

fn shop(extra_network: &str, cameras: u32, resolution: &str, poe: f64) -> String {
    format!(
        "version = 1\n[project]\nname = \"overload\"\n[requirements]\ncamera-brands = [\"Axis\"]\nanalytics = \"motion\"\n[[site]]\nname = \"Depot\"\n[site.network]\n{extra_network}\n[[site.cameras]]\nname = \"Yard\"\ncount = {cameras}\nresolution = \"{resolution}\"\ncodec = \"h264\"\nfps = 30\nscene = \"high\"\nretention-days = 14\npoe-watts = {poe}\n"
    )
}

fn violation<'a>(m: &'a Manifest, ceiling: &str) -> &'a planner::plan::Violation {
    m.violations
        .iter()
        .find(|v| v.ceiling.as_str() == ceiling)
        .unwrap_or_else(|| panic!("no {ceiling} violation in {:#?}", m.violations))
}

#[test]
fn an_overloaded_uplink_is_reported_with_element_load_and_limit() {
    // 20 4K cameras at 30 fps (high scene, H.264: ~67 Mbit/s each) over two switches whose
    // uplinks are fixed at 100 Mbit/s.
    let m = manifest_of(
        &shop(
            "access-switch = \"poe-24\"\naccess-switches = 2\nuplink = \"100Mbps\"",
            20,
            "4K",
            10.0,
        ),
        Choice::Vms,
    );
    assert!(!m.fits);
    let v = violation(&m, "link");
    assert!(
        v.element.starts_with("depot/access-") && v.element.ends_with("→ depot/core"),
        "{}",
        v.element
    );
    assert_eq!(v.limit, 75_000_000, "75% of 100 Mbit/s");
    assert!(v.load > v.limit);
    assert!(
        v.message.contains("over its limit of 75.00 Mbit/s"),
        "{}",
        v.message
    );
}

#[test]
fn an_overloaded_poe_budget_is_reported_with_element_load_and_limit() {
    // Eight 25 W PTZs on one 8-port switch with a 120 W budget.
    let m = manifest_of(
        &shop(
            "access-switch = \"poe-8\"\naccess-switches = 1",
            8,
            "1080p",
            25.0,
        ),
        Choice::Vms,
    );
    let v = violation(&m, "poe");
    assert_eq!(v.element, "depot/access-1");
    assert_eq!((v.load, v.limit), (200_000, 120_000));
    assert!(
        v.message.contains("200.0 W") && v.message.contains("120.0 W"),
        "{}",
        v.message
    );
}

#[test]
fn an_overloaded_recorder_is_reported_with_element_load_and_limit() {
    // Sixteen 4K cameras on the one existing 16-channel NVR (256 Mbit/s, 25% reserve → 192).
    let m = manifest_of(
        &shop(
            "recorder = \"dahua-nvr4116hs-ei\"\nrecorders = 1",
            16,
            "4K",
            10.0,
        ),
        Choice::Nvr,
    );
    let v = violation(&m, "ingest");
    assert!(
        v.element.starts_with("Depot / nvr-1 (Dahua NVR4116HS-EI)"),
        "{}",
        v.element
    );
    assert_eq!(v.limit, 192_000_000);
    assert!(v.load > v.limit, "{v:?}");
    // The plan shows it too, and generate exits 1 listing it.
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("depot.toml");
    std::fs::write(
        &site,
        shop(
            "recorder = \"dahua-nvr4116hs-ei\"\nrecorders = 1",
            16,
            "4K",
            10.0,
        ),
    )
    .unwrap();
    let Run {
        code,
        stdout: _,
        stderr,
    } = camscope(&[
        "generate",
        &site.display().to_string(),
        "--out",
        &dir.path().join("out").display().to_string(),
        "--option",
        "nvr",
    ]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("over a ceiling: Depot / nvr-1 (Dahua NVR4116HS-EI): ingest"),
        "{stderr}"
    );
    let Run {
        code: _,
        stdout: table,
        stderr: _,
    } = camscope(&["plan", &site.display().to_string()]);
    assert!(table.contains("OVER A CEILING: Depot / nvr-1"), "{table}");
}

#[test]
fn with_n_plus_one_any_servers_cameras_fit_on_the_failover_server() {
    let text = shop("", 300, "1080p", 6.0).replace(
        "analytics = \"motion\"",
        "analytics = \"motion\"\nredundancy = \"n+1\"",
    );
    let m = manifest_of(&text, Choice::Vms);
    let standby: Vec<_> = m
        .recorders
        .iter()
        .filter(|r| r.role == "failover")
        .collect();
    let primaries: Vec<_> = m.recorders.iter().filter(|r| r.role == "primary").collect();
    assert_eq!(standby.len(), 1);
    assert!(primaries.len() >= 2, "the test needs several servers");
    let f = standby[0];
    for p in primaries {
        // Remove this server: its cameras move to the failover server.
        assert!(
            p.cameras.len() as u32 <= f.camera_limit,
            "{} cameras vs {}",
            p.cameras.len(),
            f.camera_limit
        );
        assert!(p.ingest_bps <= f.ingest_limit_bps);
        assert!(p.volume.needed_bytes <= f.volume.usable_bytes.max(p.volume.usable_bytes));
    }
    assert!(m.fits, "{:#?}", m.violations);
}

fn schema_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/manifest.schema.json")
}

#[test]
fn published_manifest_schema_is_current() {
    let generated =
        serde_json::to_string_pretty(&planner::generate::manifest_schema()).unwrap() + "\n";
    if std::env::var_os("CAMSCOPE_UPDATE_SCHEMA").is_some() {
        std::fs::write(schema_path(), &generated).unwrap();
    }
    let committed = std::fs::read_to_string(schema_path()).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/manifest.schema.json is stale: run CAMSCOPE_UPDATE_SCHEMA=1 cargo test -p camscope-tests --test generate"
    );
}

#[test]
fn generated_manifests_validate_against_the_published_schema() {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path()).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for (example, choice) in [
        ("retail-chain", Choice::Vms),
        ("retail-chain", Choice::Nvr),
        ("corner-shop", Choice::Nvr),
    ] {
        let text = std::fs::read_to_string(format!("../examples/{example}.toml")).unwrap();
        let m = serde_json::to_value(manifest_of(&text, choice)).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&m)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{example}: {errors:#?}");
    }
    // And the validator is not vacuous: a manifest missing its cameras fails.
    let mut broken = serde_json::to_value(manifest_of(
        &std::fs::read_to_string("../examples/corner-shop.toml").unwrap(),
        Choice::Nvr,
    ))
    .unwrap();
    broken.as_object_mut().unwrap().remove("cameras");
    assert!(!validator.is_valid(&broken));
}

#[test]
fn frigate_files_list_every_camera_once_per_recorder_without_credentials() {
    let text = std::fs::read_to_string("../examples/retail-chain.toml").unwrap();
    let site = SiteFile::parse("site.toml", &text).unwrap();
    let catalog = Catalog::embedded().unwrap();
    let p = plan(&site, &catalog).unwrap();
    let m = deploy(&site, &catalog, &p, Choice::Vms).unwrap();
    let export = planner::frigate::frigate_export(&site, &p, &m).unwrap();
    let with_cameras = m.recorders.iter().filter(|r| !r.cameras.is_empty()).count();
    assert_eq!(export.files.len(), with_cameras, "one file per recorder");
    let mut seen = 0;
    for ((name, yaml), inst) in export
        .files
        .iter()
        .zip(export.index.instances.iter().filter(|i| i.file.is_some()))
    {
        assert_eq!(inst.file.as_deref(), Some(name.as_str()));
        let v: Value = serde_norway::from_str(yaml).unwrap();
        assert_eq!(v["version"], "0.17-0", "{name}");
        let cameras = v["cameras"].as_object().unwrap();
        let recorder = m.recorders.iter().find(|r| r.id == inst.recorder).unwrap();
        assert_eq!(cameras.len(), recorder.cameras.len(), "{name}");
        for id in &recorder.cameras {
            let c = m.cameras.iter().find(|c| &c.id == id).unwrap();
            let entry = &cameras[id.rsplit_once('/').unwrap().1];
            let path = entry["ffmpeg"]["inputs"][0]["path"].as_str().unwrap();
            assert!(
                path.contains(&c.address) && path.ends_with(&c.main_stream_path),
                "{path}"
            );
            assert!(path.contains("{FRIGATE_RTSP_PASSWORD}"));
            assert!(entry["detect"]["width"].as_u64().unwrap() > 0);
            seen += 1;
        }
    }
    assert_eq!(seen, m.cameras.len());
}

// ---- properties over random sites ----

#[derive(Debug, Clone)]
struct G {
    count: u32,
    resolution: &'static str,
    codec: &'static str,
    fps: u32,
    poe: f64,
    sub: Option<u32>,
}

fn group() -> impl Strategy<Value = G> {
    (
        1u32..30,
        prop::sample::select(vec!["720p", "1080p", "4MP", "4K"]),
        prop::sample::select(vec!["h264", "h265", "h265-smart"]),
        5u32..31,
        prop::sample::select(vec![0.0, 4.0, 6.5, 12.0, 25.0]),
        prop::option::of(256u32..1024),
    )
        .prop_map(|(count, resolution, codec, fps, poe, sub)| G {
            count,
            resolution,
            codec,
            fps,
            poe,
            sub,
        })
}

fn random_site(sites: &[(u32, Vec<G>)], redundancy: &str) -> String {
    let mut t = format!(
        "version = 1\n[project]\nname = \"random\"\n[requirements]\nredundancy = \"{redundancy}\"\n[storage]\nraid = \"raid5\"\n"
    );
    for (i, (copies, groups)) in sites.iter().enumerate() {
        t.push_str(&format!(
            "[[site]]\nname = \"Site {i}\"\ncopies = {copies}\n"
        ));
        for (j, g) in groups.iter().enumerate() {
            t.push_str(&format!(
                "[[site.cameras]]\nname = \"g{j}\"\ncount = {}\nresolution = \"{}\"\ncodec = \"{}\"\nfps = {}\nretention-days = 14\npoe-watts = {}\n",
                g.count, g.resolution, g.codec, g.fps, g.poe
            ));
            if let Some(s) = g.sub {
                t.push_str(&format!("substream-kbps = {s}\n"));
            }
        }
    }
    t
}

fn with_overhead(bps: u64) -> u64 {
    (bps as f64 * 1.07).ceil() as u64
}

fn check_deployment(m: &Manifest) -> Result<(), TestCaseError> {
    prop_assert!(
        m.fits,
        "camscope chose everything, so everything must fit: {:#?}",
        m.violations
    );
    // Every camera on exactly one recorder, and that recorder is the one it names.
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &m.recorders {
        for c in &r.cameras {
            *seen.entry(c.as_str()).or_default() += 1;
        }
    }
    for c in &m.cameras {
        prop_assert_eq!(
            seen.get(c.id.as_str()).copied(),
            Some(1),
            "camera {} assigned {:?} times",
            c.id,
            seen.get(c.id.as_str())
        );
        let r = m.recorders.iter().find(|r| r.id == c.recorder).unwrap();
        prop_assert!(r.cameras.contains(&c.id));
    }
    prop_assert_eq!(seen.len(), m.cameras.len());
    // No recorder, switch or link over a ceiling.
    for r in &m.recorders {
        prop_assert!(r.cameras.len() as u32 <= r.camera_limit);
        prop_assert!(r.ingest_bps <= r.ingest_limit_bps);
        prop_assert!(r.volume.needed_bytes <= r.volume.usable_bytes);
        prop_assert!(r.poe_used_mw <= r.poe_budget_mw);
    }
    for s in &m.network.switches {
        prop_assert!(s.poe_used_mw <= s.poe_budget_mw, "{} PoE", s.id);
        let cams = m.cameras.iter().filter(|c| c.switch == s.id).count() as u32;
        prop_assert!(cams <= s.ports, "{} ports", s.id);
        // PoE drawn is exactly what its cameras draw.
        prop_assert_eq!(
            s.poe_used_mw,
            m.cameras
                .iter()
                .filter(|c| c.switch == s.id)
                .map(|c| c.poe_mw)
                .sum::<u64>()
        );
    }
    for l in &m.network.links {
        prop_assert!(l.load_bps() <= l.limit_bps, "{} → {}", l.from, l.to);
    }
    // Link loads add up to the streams that cross them, recomputed from the cameras alone.
    let is_switch = |id: &str| m.network.switches.iter().any(|s| s.id == id);
    for l in &m.network.links {
        let expected_forward: u64 = if let Some(c) = m.cameras.iter().find(|c| c.id == l.from) {
            with_overhead(c.ingest_bps)
        } else if m.recorders.iter().any(|r| r.id == l.to) {
            // Towards a recorder: its cameras that do not plug straight into it.
            m.cameras
                .iter()
                .filter(|c| c.recorder == l.to && c.switch != l.to)
                .map(|c| with_overhead(c.ingest_bps))
                .sum()
        } else if is_switch(&l.from) && is_switch(&l.to) {
            // An access uplink: every camera on the access switch.
            m.cameras
                .iter()
                .filter(|c| c.switch == l.from)
                .map(|c| with_overhead(c.ingest_bps))
                .sum()
        } else if let Some(client) = m.network.clients.iter().find(|c| c.id == l.to) {
            // Towards a client: the live view it shows.
            client.load_bps
        } else {
            0
        };
        prop_assert_eq!(l.forward_bps, expected_forward, "{} → {}", l.from, l.to);
    }
    // Live view leaves each recorder towards the clients: what the recorders send out adds up
    // to what the clients receive.
    let sent: u64 = m
        .network
        .links
        .iter()
        .filter(|l| m.recorders.iter().any(|r| r.id == l.to))
        .map(|l| l.reverse_bps)
        .sum();
    let received: u64 = m.network.clients.iter().map(|c| c.load_bps).sum();
    prop_assert_eq!(sent, received);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn deployments_fit_place_every_camera_once_and_link_loads_add_up(
        sites in prop::collection::vec((1u32..3, prop::collection::vec(group(), 1..4)), 1..3),
        redundancy in prop::sample::select(vec!["none", "n+1"]),
        nvr in any::<bool>(),
    ) {
        let text = random_site(&sites, redundancy);
        let site = SiteFile::parse("random.toml", &text).unwrap();
        let catalog = Catalog::embedded().unwrap();
        let p = plan(&site, &catalog).unwrap();
        let choice = if nvr && p.nvr.feasible { Choice::Nvr } else { Choice::Vms };
        prop_assume!(choice == Choice::Vms || p.nvr.feasible);
        let m = deploy(&site, &catalog, &p, choice).unwrap();
        check_deployment(&m)?;
        let expected: u64 = sites.iter().map(|(c, gs)| u64::from(*c) * gs.iter().map(|g| u64::from(g.count)).sum::<u64>()).sum();
        prop_assert_eq!(m.cameras.len() as u64, expected);
    }
}

/// A fixed recorder can be named by the model a designer types, not only by catalog id: the
/// design is the one the id gives; a model two records share is refused with their ids.
#[test]
fn a_fixed_recorder_named_by_its_model_is_the_catalog_record() {
    let by_id = manifest_of(
        &shop(
            "recorder = \"dahua-nvr4116hs-ei\"\nrecorders = 1",
            8,
            "1080p",
            10.0,
        ),
        Choice::Nvr,
    );
    let by_model = manifest_of(
        &shop(
            "recorder = \"Dahua NVR4116HS-EI\"\nrecorders = 1",
            8,
            "1080p",
            10.0,
        ),
        Choice::Nvr,
    );
    assert_eq!(by_id.recorders.len(), 1);
    assert_eq!(by_model.recorders[0].model_id, by_id.recorders[0].model_id);
    assert_eq!(by_model.recorders[0].model, "Dahua NVR4116HS-EI");
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("typo.toml");
    std::fs::write(
        &site,
        shop(
            "recorder = \"NVR4116HS-E\"\nrecorders = 1",
            8,
            "1080p",
            10.0,
        ),
    )
    .unwrap();
    let r = camscope(&["plan", &site.display().to_string()]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("site[0].network.recorder: \"NVR4116HS-E\" is neither the id nor the model")
            && r.stderr.contains("dahua-nvr4116hs-ei"),
        "{}",
        r.stderr
    );
}

/// The rows of a BOM CSV `generate` wrote, each as header → value.
fn bom_rows(g: &camscope_tests::Generated) -> Vec<BTreeMap<String, String>> {
    let text = g.text("bom.csv");
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_owned))
                .collect()
        })
        .collect()
}

/// The row with part number `id`; panics listing the rows when there is none.
fn row_of<'a>(rows: &'a [BTreeMap<String, String>], id: &str) -> &'a BTreeMap<String, String> {
    rows.iter()
        .find(|r| r["Part Number"] == id)
        .unwrap_or_else(|| panic!("no BOM row {id}: {rows:#?}"))
}

/// `camscope check FILE --format json` on a BOM `generate` wrote: its lines.
fn checked_lines(g: &camscope_tests::Generated, file: &str) -> Vec<Value> {
    let path = g.path().join(file).display().to_string();
    let r = camscope(&["check", &path, "--format", "json", "--as-of", "2026-12-02"]);
    assert_ne!(r.code, 2, "check could not read {file}: {}", r.stderr);
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    report["lines"].as_array().unwrap().clone()
}

/// Issue 14: the federal site's servers, drives and switches are generic classes in the
/// catalog. Its BOM says each is still to be chosen and states what the plan sized it for, with
/// what the site requires (Section 889 and the TAA), and `check` calls such a line a placeholder
/// (`to-be-chosen`, `origin-to-be-chosen`), not a quote that forgot its maker.
#[test]
fn generic_hardware_is_a_placeholder_line_stating_its_constraint() {
    let g = generate("fixtures/designs/federal.toml", &[]);
    let rows = bom_rows(&g);
    let eligible = "; maker must be Section 889 eligible; country of origin must be TAA-designated";
    for (id, model, description) in [
        (
            "storage-4u-128",
            "4U storage recording server (model to be chosen)",
            "to be chosen: at least 128 cameras and 1 Gbit/s ingest, 36 bays, RAID 6",
        ),
        (
            "surveillance-20tb",
            "20 TB surveillance drive (model to be chosen)",
            "to be chosen: 20 TB 3.5-inch surveillance-rated drive",
        ),
        (
            "poe-16",
            "16-port PoE+ access switch (model to be chosen)",
            "to be chosen: 16 ports PoE+ (240 W budget), 1 Gbit/s ports, 2 × 1 Gbit/s uplinks",
        ),
        (
            "core-24-10g",
            "24-port 10G aggregation (core) switch (model to be chosen)",
            "to be chosen: 24 ports, 10 Gbit/s ports, aggregation (core)",
        ),
    ] {
        let row = row_of(&rows, id);
        assert_eq!(row["Manufacturer"], "", "{row:?}");
        assert_eq!(row["Brand"], "", "{row:?}");
        assert_eq!(row["Model"], model);
        assert_eq!(row["Description"], format!("{description}{eligible}"));
        assert_eq!(row["Country of Origin"], "", "no source states an origin");
    }
    for file in ["bom.csv", "bom.xlsx"] {
        let lines = checked_lines(&g, file);
        for id in [
            "storage-4u-128",
            "surveillance-20tb",
            "poe-16",
            "core-24-10g",
        ] {
            let line = lines
                .iter()
                .find(|l| l["part_number"] == id)
                .unwrap_or_else(|| panic!("{file}: no checked line {id}"));
            let s889 = &line["section_889"];
            assert_eq!(
                (s889["verdict"].as_str(), s889["code"].as_str()),
                (Some("needs_review"), Some("to-be-chosen")),
                "{file} {id}: {s889}"
            );
            let reason = s889["reason"].as_str().unwrap();
            assert!(
                reason.contains("placeholder line: the model is still to be chosen")
                    && reason.contains("§889")
                    && reason.contains("country of origin"),
                "{reason}"
            );
            let taa = &line["taa"];
            assert_eq!(
                (taa["verdict"].as_str(), taa["code"].as_str()),
                (Some("unknown"), Some("origin-to-be-chosen")),
                "{file} {id}: {taa}"
            );
            assert!(
                taa["reason"]
                    .as_str()
                    .unwrap()
                    .contains("placeholder line: the model is still to be chosen"),
                "{taa}"
            );
            assert!(
                line["level"] == "deny",
                "a placeholder is not clear: {line}"
            );
        }
        assert!(
            lines
                .iter()
                .all(|l| l["section_889"]["code"] != "unknown-maker"),
            "{file}: every generated line names a maker or says it is to be chosen"
        );
    }
}

/// Without `taa` in the site file a placeholder states only what the site does require: the
/// chain requires Section 889, not the TAA, and its BOM says nothing of the TAA; with `taa` and
/// without Section 889 it states only the origin constraint, and `check` still gives those lines
/// a visible TAA status (`origin-to-be-chosen`) with its reason.
#[test]
fn a_placeholder_states_the_taa_only_when_the_site_requires_it() {
    let chain = include_str!("../../examples/retail-chain.toml");
    assert!(chain.contains("section-889 = true") && !chain.contains("taa ="));
    let g = generate("../examples/retail-chain.toml", &["--option", "vms"]);
    let placeholders: Vec<BTreeMap<String, String>> = bom_rows(&g)
        .into_iter()
        .filter(|r| r["Model"].contains("(model to be chosen)"))
        .collect();
    assert!(!placeholders.is_empty());
    for row in &placeholders {
        assert!(
            !row["Description"].starts_with("to be chosen:")
                || row["Description"].ends_with("; maker must be Section 889 eligible"),
            "{row:?}"
        );
        assert!(!row["Description"].contains("TAA"), "{row:?}");
    }
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("taa-only.toml");
    std::fs::write(&site, chain.replace("section-889 = true", "taa = true")).unwrap();
    let g = generate(&site.display().to_string(), &["--option", "vms"]);
    let rows = bom_rows(&g);
    let lines = checked_lines(&g, "bom.csv");
    let mut seen = 0;
    for row in rows
        .iter()
        .filter(|r| r["Model"].contains("(model to be chosen)"))
    {
        assert!(
            row["Description"].ends_with("; country of origin must be TAA-designated")
                && !row["Description"].contains("889"),
            "{row:?}"
        );
        let line = lines
            .iter()
            .find(|l| l["description"] == row["Description"].as_str())
            .unwrap_or_else(|| panic!("no checked line for {row:?}"));
        assert_eq!(line["taa"]["verdict"], "unknown", "{}", line["taa"]);
        assert_eq!(line["taa"]["code"], "origin-to-be-chosen");
        assert!(
            line["taa"]["reason"]
                .as_str()
                .unwrap()
                .contains("TAA compliance cannot be judged"),
            "{}",
            line["taa"]
        );
        seen += 1;
    }
    assert!(seen > 0);
}

/// A distributor overlay that names the server the 4U class stands for (maker, model and a
/// sourced country of origin) makes the generated line carry them, and `check` judges that
/// origin for TAA; the maker, not in the compliance data, is still for review.
#[test]
fn an_overlay_naming_a_server_with_its_origin_reaches_the_bom_and_the_check() {
    let dir = tempfile::tempdir().unwrap();
    let overlay = dir.path().join("quote.toml");
    std::fs::write(
        &overlay,
        r#"
[sources.dist-quote]
title = "Distributor quote Q-1190: recording server, made in Germany"
recorded = "2026-12-03"
note = "written quote to the integrator, not public"

[[server]]
id = "storage-4u-128"
maker = "Northwind Systems"
model = "NW-4U36"
origin = "Germany"
origin-source = "dist-quote"
source = "dist-quote"
"#,
    )
    .unwrap();
    let overlay = overlay.display().to_string();
    let g = generate("fixtures/designs/federal.toml", &["--catalog", &overlay]);
    let rows = bom_rows(&g);
    let server = row_of(&rows, "storage-4u-128");
    assert_eq!(server["Manufacturer"], "Northwind Systems");
    assert_eq!(server["Brand"], "Northwind Systems");
    assert_eq!(server["Model"], "NW-4U36");
    assert_eq!(server["Country of Origin"], "Germany");
    assert!(
        !server["Description"].contains("to be chosen"),
        "{server:?}"
    );
    // The drives the overlay does not name stay placeholders.
    assert!(row_of(&rows, "surveillance-20tb")["Model"].contains("(model to be chosen)"));
    let lines = checked_lines(&g, "bom.csv");
    let line = lines
        .iter()
        .find(|l| l["part_number"] == "storage-4u-128")
        .unwrap();
    assert_eq!(line["taa"]["verdict"], "designated", "{}", line["taa"]);
    assert_eq!(line["taa"]["code"], "designated-country");
    assert_eq!(line["section_889"]["verdict"], "needs_review");
    assert_eq!(line["section_889"]["code"], "maker-not-in-data");
}

/// A country of origin is a fact with a source: an overlay giving `origin` without
/// `origin-source` is refused (exit 2) naming the file, the record and the field.
#[test]
fn an_origin_without_its_source_is_refused_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let overlay = dir.path().join("quote.toml");
    std::fs::write(
        &overlay,
        "[[server]]\nid = \"storage-4u-128\"\nmaker = \"Northwind Systems\"\nmodel = \"NW-4U36\"\norigin = \"Germany\"\nassumption = \"quoted by phone\"\n",
    )
    .unwrap();
    let overlay = overlay.display().to_string();
    let r = camscope(&[
        "--catalog",
        &overlay,
        "plan",
        "fixtures/designs/federal.toml",
    ]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    for part in [
        "quote.toml",
        "server[id = \"storage-4u-128\"]",
        "origin-source",
    ] {
        assert!(r.stderr.contains(part), "{part} not in: {}", r.stderr);
    }
}

/// An NVR record's sourced origin reaches its BOM line; giving it keeps the record's own
/// provenance (the origin has its own source).
#[test]
fn an_nvr_with_a_sourced_origin_gives_its_line_the_origin() {
    let overlay = r#"
[sources.label-photo]
title = "Photo of the unit's rating label: Made in China"
recorded = "2026-12-03"
note = "taken on site, not public"

[[nvr]]
id = "dahua-nvr4116hs-ei"
origin = "China"
origin-source = "label-photo"
"#;
    let text = shop(
        "recorder = \"dahua-nvr4116hs-ei\"\nrecorders = 1",
        8,
        "1080p",
        10.0,
    );
    let site = SiteFile::parse("site.toml", &text).unwrap();
    let catalog = Catalog::with_overlay("quote.toml", overlay).unwrap();
    let nvr = catalog
        .nvr
        .iter()
        .find(|n| n.id == "dahua-nvr4116hs-ei")
        .unwrap();
    assert_eq!(nvr.source.as_deref(), Some("cctvplanner-nvr4116"));
    let p = plan(&site, &catalog).unwrap();
    let m = deploy(&site, &catalog, &p, Choice::Nvr).unwrap();
    let lines = planner::generate::bill_of_materials(&site, &catalog, &p, &m);
    let line = lines
        .iter()
        .find(|l| l.part_number == "dahua-nvr4116hs-ei")
        .unwrap();
    assert_eq!(
        (
            line.manufacturer.as_str(),
            line.model.as_str(),
            line.country_of_origin.as_str()
        ),
        ("Dahua", "NVR4116HS-EI", "China")
    );
}

/// The federal site names Hikvision cameras under Section 889 and the TAA: `plan` exits 1 on
/// them, and so does `generate`, which writes the deployment as the site file has it and names
/// each screening error on stderr; a site without such findings generates with exit 0.
#[test]
fn generate_fails_on_the_plans_screening_errors_and_names_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().display().to_string();
    let r = camscope(&["generate", "fixtures/designs/federal.toml", "--out", &out]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(dir.path().join("manifest.json").is_file());
    assert!(
        r.stderr
            .contains("Section 889 error: site Records centre / Legacy loading dock: Hikvision")
            && r.stderr
                .contains("TAA error: site Records centre / Legacy loading dock"),
        "{}",
        r.stderr
    );
    assert!(
        r.stdout.contains("everything within its ceilings"),
        "{}",
        r.stdout
    );
    let plan = camscope(&["plan", "fixtures/designs/federal.toml"]);
    assert_eq!(plan.code, 1);
    let shop = camscope(&["generate", "fixtures/designs/shop.toml", "--out", &out]);
    assert_eq!(shop.code, 0, "{}", shop.stderr);
}

/// An option the plan cannot build is refused up front with the plan's reason, also when a
/// site records at another site's recorders (it used to be deployed first and end in "camera
/// … was not assigned a recorder (a camscope bug …)").
#[test]
fn an_infeasible_option_is_refused_with_its_reason_even_with_central_recording() {
    let federal = std::fs::read_to_string("fixtures/designs/federal.toml").unwrap();
    let text = format!(
        "{federal}\n[[site]]\nname = \"Annex\"\nrecord-at = \"Records centre\"\n  [[site.cameras]]\n  count = 6\n  brand = \"Axis\"\n  resolution = \"1080p\"\n  codec = \"h265\"\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("federal-annex.toml");
    std::fs::write(&site, text).unwrap();
    let out = dir.path().join("out").display().to_string();
    let r = camscope(&[
        "generate",
        &site.display().to_string(),
        "--out",
        &out,
        "--option",
        "nvr",
    ]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("the NVR option cannot be built:")
            && r.stderr.contains("--option")
            && !r.stderr.contains("camscope bug"),
        "{}",
        r.stderr
    );
}
