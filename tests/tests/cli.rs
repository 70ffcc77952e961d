//! The `camscope` command line as a user meets it: exit codes, figures, and errors on bad input.
//! Commands run in-process through `cli::run`, so a panic would fail the test rather than hide
//! behind an exit code.
// Helpers shared by tests unwrap too: a panic here is a failed test, not a crash on input.
#![allow(clippy::unwrap_used)]

use camscope_tests::{Run, camscope};
use std::path::Path;

use serde_json::Value;

fn json(args: &[&str]) -> Value {
    let r = camscope(args);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    serde_json::from_str(&r.stdout).unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn storage_for_eight_4mbps_cameras_over_30_days() {
    let v = json(&[
        "calc",
        "storage",
        "--cameras",
        "8",
        "--bitrate",
        "4Mbps",
        "--days",
        "30",
        "--format",
        "json",
    ]);
    assert_eq!(v["storage"]["bytes"], 10_368_000_000_000u64);
    assert_eq!(v["storage"]["human"], "10.37 TB (9.43 TiB)");
    assert_eq!(v["storage"]["tb"], 10.368);
}

#[test]
fn raid6_with_a_hot_spare() {
    let r = camscope(&[
        "calc",
        "raid",
        "--level",
        "raid6",
        "--drives",
        "8",
        "--drive-size",
        "12TB",
        "--hot-spares",
        "1",
    ]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("usable  60.00 TB"), "{}", r.stdout);
    let v = json(&[
        "calc",
        "raid",
        "--level",
        "raid6",
        "--drives",
        "8",
        "--drive-size",
        "12TB",
        "--hot-spares",
        "1",
        "--format",
        "json",
    ]);
    assert_eq!(v["usable"]["bytes"], 60_000_000_000_000u64);
}

#[test]
fn nvr_capacity_hikvision_rule() {
    let v = json(&[
        "calc",
        "nvr-capacity",
        "--incoming",
        "200Mbps",
        "--main",
        "6Mbps",
        "--sub",
        "1Mbps",
        "--reserve",
        "0",
        "--format",
        "json",
    ]);
    // Hikvision's rule counts the whole incoming figure: no reserve.
    assert_eq!(v["cameras"], 28);
    assert_eq!(v["defaults_used"], serde_json::json!([]));
    // Without --reserve, calc keeps the reserve plan keeps (the catalog's 25 %), and says so.
    let v = json(&[
        "calc",
        "nvr-capacity",
        "--incoming",
        "200Mbps",
        "--main",
        "6Mbps",
        "--sub",
        "1Mbps",
        "--format",
        "json",
    ]);
    assert_eq!(v["cameras"], 21);
    assert_eq!(v["reserve"], 0.25);
    assert_eq!(
        v["defaults_used"][0]["entry"],
        "defaults.nvr-ingest-reserve"
    );
}

/// `calc raid` splits a wide RAID 6 into the groups `plan` would build (the catalog's
/// raid-max-group), not into one 14-drive group.
#[test]
fn calc_raid_takes_the_group_limit_plan_takes() {
    let catalog = planner::catalog::Catalog::embedded().unwrap();
    let v = json(&[
        "calc",
        "raid",
        "--level",
        "raid6",
        "--drives",
        "14",
        "--drive-size",
        "12TB",
        "--format",
        "json",
    ]);
    assert_eq!(v["max_group"], catalog.defaults.raid_max_group.value);
    assert_eq!(v["groups"], serde_json::json!([7, 7]), "{v}");
    let entries: Vec<&str> = v["defaults_used"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["entry"].as_str().unwrap())
        .collect();
    assert_eq!(entries, ["defaults.hot-spares", "defaults.raid-max-group"]);
}

#[test]
fn retention_from_capacity() {
    // 1000 GB / (2 cameras × 2.048 Mbit/s ÷ 8 × 86,400 s) = 22.6 days.
    let v = json(&[
        "calc",
        "retention",
        "--cameras",
        "2",
        "--bitrate",
        "2048kbps",
        "--capacity",
        "1000GB",
        "--format",
        "json",
    ]);
    let days = v["days"].as_f64().unwrap();
    assert!(
        (days - 1e12 / (2.0 * 2_048_000.0 / 8.0 * 86_400.0)).abs() < 0.001,
        "{days}"
    );
    assert_eq!(v["whole_days"], 22.0);
}

#[test]
fn bitrate_model_comes_from_the_catalog() {
    let v = json(&[
        "calc",
        "bitrate",
        "--resolution",
        "4MP",
        "--codec",
        "h265",
        "--fps",
        "15",
        "--scene",
        "medium",
        "--format",
        "json",
    ]);
    // redzilla: 4MP at H.264/15 fps/medium is 8 Mbit/s; H.265 halves it.
    assert_eq!(v["bitrate_bps"], 4_000_000);
    let v = json(&[
        "calc",
        "bitrate",
        "--resolution",
        "4MP",
        "--codec",
        "h265",
        "--fps",
        "30",
        "--scene",
        "high",
        "--format",
        "json",
    ]);
    assert_eq!(v["bitrate_bps"], 11_200_000);
}

#[test]
fn calc_rejects_bad_quantities_with_exit_2() {
    let r = camscope(&[
        "calc",
        "storage",
        "--cameras",
        "8",
        "--bitrate",
        "4",
        "--days",
        "30",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("a unit is required"), "{}", r.stderr);
    let r = camscope(&[
        "calc",
        "storage",
        "--cameras",
        "8",
        "--bitrate",
        "4Mbps",
        "--days",
        "30",
        "--duty",
        "1.5",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("--duty must be from 0 to 1"),
        "{}",
        r.stderr
    );
    let r = camscope(&[
        "calc",
        "raid",
        "--level",
        "raid6",
        "--drives",
        "3",
        "--drive-size",
        "12TB",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("needs at least 4 drives"), "{}", r.stderr);
}

#[test]
fn built_in_example_plans_both_options_with_costs_and_reasons() {
    let r = camscope(&["plan"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for needle in [
        "RECOMMENDATION: VMS",
        "[multi-site] more than one site",
        "OPTION A — NVR APPLIANCES",
        "OPTION B — VMS",
        "COST PER YEAR (USD)",
        "NVR cumul.",
    ] {
        assert!(
            r.stdout.contains(needle),
            "missing {needle:?} in\n{}",
            r.stdout
        );
    }
    let v = json(&["plan", "--format", "json"]);
    assert_eq!(v["tco"].as_array().unwrap().len(), 5);
    assert_eq!(v["summary"]["cameras"], 30 + 11 * 9);
}

const STORE: &str = r#"
version = 1
[project]
name = "Eleven stores"
[requirements]
camera-brands = ["Axis"]
analytics = "motion"
[[site]]
name = "Store"
copies = 11
  [[site.cameras]]
  count = 9
  resolution = "1080p"
  codec = "h265"
  fps = 15
  retention-days = 30
"#;

#[test]
fn eleven_identical_stores_plan_as_a_vms_because_of_the_sites() {
    let dir = tempfile::tempdir().unwrap();
    let site = write(dir.path(), "stores.toml", STORE);
    let v = json(&["plan", &site, "--format", "json"]);
    assert_eq!(v["recommendation"]["choice"], "vms");
    let reasons = v["recommendation"]["reasons"].as_array().unwrap();
    assert_eq!(
        reasons.len(),
        1,
        "only the site count should fire: {reasons:?}"
    );
    assert_eq!(reasons[0]["code"], "multi-site");
    assert!(
        reasons[0]["text"]
            .as_str()
            .unwrap()
            .contains("more than one site")
    );
    assert_eq!(v["nvr"]["units"], 11, "one NVR per store, never shared");
}

#[test]
fn a_six_camera_single_brand_shop_plans_as_an_nvr() {
    let v = json(&["plan", "../examples/corner-shop.toml", "--format", "json"]);
    assert_eq!(v["recommendation"]["choice"], "nvr");
    assert_eq!(v["recommendation"]["reasons"].as_array().unwrap().len(), 0);
    assert_eq!(v["nvr"]["units"], 1);
    assert_eq!(v["summary"]["cameras"], 6);
}

#[test]
fn csv_lists_every_group() {
    let r = camscope(&["plan", "--format", "csv"]);
    assert_eq!(r.code, 0);
    let mut rows = csv::Reader::from_reader(r.stdout.as_bytes());
    assert_eq!(rows.headers().unwrap().get(0), Some("site"));
    assert_eq!(rows.records().count(), 5);
}

/// A malformed site file: exit 2, file:line:column, the field and a hint; never a panic.
fn bad_site(text: &str) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let site = write(dir.path(), "bad.toml", text);
    let r = camscope(&["plan", &site]);
    assert_eq!(r.code, 2, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(r.stderr.contains("bad.toml:"), "{}", r.stderr);
    r
}

#[test]
fn unknown_field_is_located_with_a_suggestion() {
    let r = bad_site(&STORE.replace("retention-days = 30", "retention-dayz = 30"));
    assert!(
        r.stderr
            .contains("bad.toml:16:3: site[0].cameras[0].retention-dayz: unknown field"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("hint: did you mean `retention-days`?"),
        "{}",
        r.stderr
    );
}

#[test]
fn wrong_type_is_located() {
    let r = bad_site(&STORE.replace("fps = 15", "fps = \"fast\""));
    assert!(
        r.stderr.contains("bad.toml:15:9: site[0].cameras[0].fps:"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("hint: frames per second"), "{}", r.stderr);
}

#[test]
fn negative_retention_is_located() {
    let r = bad_site(&STORE.replace("retention-days = 30", "retention-days = -5"));
    assert!(r.stderr.contains("bad.toml:16:20: site[0].cameras[0].retention-days: retention in days must be from 1 to 3650, not -5"), "{}", r.stderr);
    assert!(r.stderr.contains("hint: whole days"), "{}", r.stderr);
}

/// `taa` is a boolean like `section-889`: a quoted "yes" is refused with the hint, and how an
/// unknown origin counts is one of the two severities.
#[test]
fn taa_takes_a_boolean_and_taa_unresolved_a_severity() {
    let r = bad_site(&STORE.replace(
        "analytics = \"motion\"",
        "analytics = \"motion\"\ntaa = \"yes\"",
    ));
    assert!(
        r.stderr.contains("bad.toml:8:7: requirements.taa:"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("hint: true or false"), "{}", r.stderr);
    let r = bad_site(&STORE.replace(
        "analytics = \"motion\"",
        "analytics = \"motion\"\ntaa = true\ntaa-unresolved = \"fatal\"",
    ));
    assert!(
        r.stderr
            .contains("requirements.taa-unresolved: unknown variant `fatal`"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("hint: \"warning\" (default) or \"error\""),
        "{}",
        r.stderr
    );
}

#[test]
fn unknown_resolution_lists_the_choices() {
    let r = bad_site(&STORE.replace("\"1080p\"", "\"5K\""));
    assert!(
        r.stderr
            .contains("bad.toml:13:16: site[0].cameras[0].resolution: unknown resolution \"5K\""),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("WIDTHxHEIGHT"), "{}", r.stderr);
}

#[test]
fn unknown_codec_gets_a_suggestion() {
    let r = bad_site(&STORE.replace("\"h265\"", "\"h256\""));
    assert!(
        r.stderr
            .contains("bad.toml:14:11: site[0].cameras[0].codec: unknown variant `h256`"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("did you mean `h265`?"), "{}", r.stderr);
}

#[test]
fn recording_mode_fields_must_match_the_mode() {
    let r = bad_site(&STORE.replace("fps = 15", "fps = 15\n  recording = \"motion\""));
    assert!(
        r.stderr
            .contains("site[0].cameras[0].duty-cycle: recording = \"motion\" needs `duty-cycle`"),
        "{}",
        r.stderr
    );
    let r = bad_site(&STORE.replace("fps = 15", "fps = 15\n  duty-cycle = 0.3"));
    assert!(
        r.stderr
            .contains("`duty-cycle` does not apply to recording = \"continuous\""),
        "{}",
        r.stderr
    );
}

#[test]
fn version_other_than_one_is_refused() {
    let r = bad_site(&STORE.replace("version = 1", "version = 2"));
    assert!(
        r.stderr
            .contains("bad.toml:2:11: version: this camscope reads site-file version 1, not 2"),
        "{}",
        r.stderr
    );
}

#[test]
fn syntax_errors_and_missing_files_exit_2() {
    let r = bad_site("version = 1\n[project\nname = \"x\"\n");
    assert!(r.stderr.contains("bad.toml:2:"), "{}", r.stderr);
    let r = camscope(&["plan", "/nonexistent/site.toml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("/nonexistent/site.toml"), "{}", r.stderr);
}

/// An error keeps its cause: the message says what failed, a `caused by:` line what the
/// operating system answered (tests run as root, so the cause is one root still gets).
#[test]
fn an_error_prints_its_causes() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "").unwrap();
    let site = file.join("site.toml");
    let r = camscope(&["plan", site.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(
        lines[0],
        format!("error: {}", site.display()),
        "{}",
        r.stderr
    );
    assert_eq!(
        lines[1], "caused by: Not a directory (os error 20)",
        "{}",
        r.stderr
    );

    // The rig's "cannot listen" names the port and keeps why the socket was refused.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let r = camscope(&[
        "rig",
        "simulate",
        "--cameras",
        "1",
        "--base-port",
        &port,
        "--duration",
        "1s",
        // Any variable that is set will do for the password: the fleet never starts.
        "--password-env",
        "PATH",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "cannot listen on 127.0.0.1:{port}\ncaused by: Address already in use"
        )),
        "{}",
        r.stderr
    );
}

#[test]
fn unknown_vms_product_is_named() {
    let r = bad_site(&STORE.replace(
        "analytics = \"motion\"",
        "analytics = \"motion\"\nvms = \"nx-witnes\"",
    ));
    assert!(
        r.stderr
            .contains("requirements.vms: \"nx-witnes\" is not a VMS in the catalog"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("did you mean \"nx-witness\"?"),
        "{}",
        r.stderr
    );
}

#[test]
fn init_writes_the_example_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    assert_eq!(camscope(&["init", "--dir", &d]).code, 0);
    let written = std::fs::read_to_string(dir.path().join("retail-chain.toml")).unwrap();
    assert_eq!(written, planner::site::EXAMPLE);
    let again = camscope(&["init", "--dir", &d]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("--force"));
    // What init writes plans cleanly.
    let site = dir.path().join("retail-chain.toml").display().to_string();
    assert_eq!(camscope(&["plan", &site]).code, 0);
}

#[test]
fn catalog_overlay_without_provenance_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cat = write(
        dir.path(),
        "quote.toml",
        "[[drive]]\nid = \"q\"\nsize = \"8TB\"\nprice = 99.0\n",
    );
    let r = camscope(&["--catalog", &cat, "plan"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("drive q: has neither a source nor an assumption"),
        "{}",
        r.stderr
    );
}

#[test]
fn binary_convention_reproduces_oem_manual_figures() {
    // Dahua's HDD appendix (and the OEM manuals that copy it): 2048 kbit/s is 900 MB an hour.
    let v = json(&[
        "calc",
        "storage",
        "--cameras",
        "1",
        "--bitrate",
        "2048kbps",
        "--hours-per-day",
        "1",
        "--days",
        "1",
        "--convention",
        "binary",
        "--format",
        "json",
    ]);
    assert_eq!(v["storage"]["bytes"], 900u64 * 1024 * 1024);
    assert_eq!(v["convention"], "binary");
    let r = camscope(&[
        "calc",
        "storage",
        "--cameras",
        "1",
        "--bitrate",
        "2048kbps",
        "--hours-per-day",
        "1",
        "--days",
        "1",
        "--convention",
        "binary",
    ]);
    assert!(r.stdout.contains("900.00 MiB"), "{}", r.stdout);
    // The same stream in SI is 921.6 MB.
    let v = json(&[
        "calc",
        "storage",
        "--cameras",
        "1",
        "--bitrate",
        "2048kbps",
        "--hours-per-day",
        "1",
        "--days",
        "1",
        "--format",
        "json",
    ]);
    assert_eq!(v["storage"]["bytes"], 921_600_000u64);
}

/// `--version` says which compliance data the verdicts come from: its version and as-of date,
/// the same stamp the check report prints.
#[test]
fn version_names_the_compliance_data_built_in() {
    let r = camscope(&["--version"]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    let ds = compliance_data::Dataset::embedded().unwrap();
    let mut lines = r.stdout.lines();
    assert_eq!(
        lines.next(),
        Some(format!("camscope {}", env!("CARGO_PKG_VERSION")).as_str())
    );
    let data = lines.next().unwrap_or_default();
    assert!(
        data.starts_with(&format!(
            "compliance data {} (as of {}, sha256 {}",
            ds.version(),
            ds.as_of(),
            &ds.hash()[..12]
        )),
        "{data}"
    );
}

/// The spellings designers copy from spec sheets are read as the canonical names: `H.265`,
/// `4 MP`, `N+1`, `Access Control`; the plan is the one the canonical spellings give.
#[test]
fn spec_sheet_spellings_plan_as_the_canonical_names() {
    let dir = tempfile::tempdir().unwrap();
    let canonical = std::fs::read_to_string("../examples/corner-shop.toml")
        .unwrap()
        .replace(
            "analytics = \"motion\"",
            "analytics = \"motion\"\nredundancy = \"n+1\"\nintegrations = [\"access-control\"]",
        );
    let typed = canonical
        .replace("codec = \"h265\"", "codec = \"H.265\"")
        .replace("resolution = \"4MP\"", "resolution = \"4 MP\"")
        .replace("redundancy = \"n+1\"", "redundancy = \"N+1\"")
        .replace("\"access-control\"", "\"Access Control\"");
    assert_ne!(canonical, typed);
    let a = write(dir.path(), "canonical.toml", &canonical);
    let b = write(dir.path(), "typed.toml", &typed);
    let plan_a = json(&["plan", &a, "--format", "json"]);
    let plan_b = json(&["plan", &b, "--format", "json"]);
    assert_eq!(plan_a["groups"], plan_b["groups"]);
    assert_eq!(plan_a["vms"], plan_b["vms"]);
    assert_eq!(plan_a["recommendation"], plan_b["recommendation"]);
}

/// A misspelt integration is an error at its place in the file that names the nearest known
/// integration, not a silent extra VMS reason.
#[test]
fn a_misspelt_integration_is_refused_with_the_nearest_name() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string("../examples/corner-shop.toml")
        .unwrap()
        .replace(
            "analytics = \"motion\"",
            "analytics = \"motion\"\nintegrations = [\"acess-control\"]",
        );
    let site = write(dir.path(), "typo.toml", &text);
    let r = camscope(&["plan", &site]);
    assert_eq!(r.code, 2, "stdout: {}", r.stdout);
    assert!(
        r.stderr.contains("typo.toml:12:16: requirements.integrations[0]: unknown integration `acess-control`; did you mean `access-control`?"),
        "{}",
        r.stderr
    );
}

/// A distributor's price for one drive changes that drive and nothing else: the plan prices its
/// drives at the new figure with the quote as its basis, and every other drive stays.
#[test]
fn a_catalog_overlay_changes_one_drive_price_and_keeps_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let overlay = write(
        dir.path(),
        "quote.toml",
        r#"
[sources.dist-quote]
title = "Distributor quote Q-1182"
recorded = "2026-11-28"
note = "written quote to the integrator, not public"

[[drive]]
id = "surveillance-12tb"
price = 200.0
source = "dist-quote"
"#,
    );
    let shipped = json(&["plan", "../examples/corner-shop.toml", "--format", "json"]);
    let quoted = json(&[
        "--catalog",
        &overlay,
        "plan",
        "../examples/corner-shop.toml",
        "--format",
        "json",
    ]);
    let figure = |p: &Value, entry: &str| {
        p["figures_used"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["entry"] == entry)
            .cloned()
            .unwrap_or(Value::Null)
    };
    let was = figure(&shipped, "drive.surveillance-12tb.price");
    assert_eq!(was["value"], "270", "the shop is planned on 12 TB drives");
    let now = figure(&quoted, "drive.surveillance-12tb.price");
    assert_eq!(now["value"], "200");
    assert_eq!(now["basis"]["id"], "dist-quote");
    let drives: u64 = quoted["nvr"]["sites"][0]["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["drives"].as_u64().unwrap())
        .sum();
    let capex = |p: &Value| p["nvr"]["capex"].as_str().unwrap().parse::<f64>().unwrap();
    assert_eq!(capex(&shipped) - capex(&quoted), 70.0 * drives as f64);
    // The other drives are still in the catalog: a site fixing 8 TB drives still plans.
    let fixed = std::fs::read_to_string("../examples/corner-shop.toml")
        .unwrap()
        .replace("[[site]]", "[storage]\ndrive-size = \"8TB\"\n\n[[site]]");
    let site = write(dir.path(), "eight.toml", &fixed);
    let r = camscope(&["--catalog", &overlay, "plan", &site]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// A one-brand site gets appliances of its cameras' brand, and the plan says what that costs
/// against the cheapest appliances of any maker; `prefer-camera-brand = false` plans those.
#[test]
fn the_camera_brand_preference_is_priced_and_can_be_turned_off() {
    let preferred = json(&["plan", "fixtures/designs/shop.toml", "--format", "json"]);
    let unit = |p: &Value| p["nvr"]["sites"][0]["units"][0]["model"].clone();
    assert_eq!(unit(&preferred), "Axis AXIS S3016 Recorder");
    let note = preferred["nvr"]["brand_notes"][0].as_str().unwrap();
    assert!(
        note.contains("Axis appliances for the site's Axis cameras, 2,400 USD a copy more"),
        "{note}"
    );
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string("fixtures/designs/shop.toml")
        .unwrap()
        .replace(
            "camera-brands = [\"Axis\"]",
            "camera-brands = [\"Axis\"]\nprefer-camera-brand = false",
        );
    let site = write(dir.path(), "any.toml", &text);
    let any = json(&["plan", &site, "--format", "json"]);
    assert_ne!(unit(&any), unit(&preferred));
    assert_eq!(any["nvr"]["brand_notes"], serde_json::json!([]));
    let capex = |p: &Value| p["nvr"]["capex"].as_str().unwrap().parse::<f64>().unwrap();
    assert_eq!(capex(&preferred) - capex(&any), 2400.0);
}

/// A misspelt `failover-pool` is an unknown field that names the right one.
#[test]
fn a_misspelt_failover_pool_gets_did_you_mean() {
    let r = bad_site(&STORE.replace("copies = 11", "failover-pol = \"campus\""));
    assert!(
        r.stderr
            .contains("bad.toml:10:1: site[0].failover-pol: unknown field"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("hint: did you mean `failover-pool`?"),
        "{}",
        r.stderr
    );
}

/// A failover pool on a site with copies is refused: each copy is a place of its own, and the
/// pool's one standby can only stand in one of them.
#[test]
fn a_failover_pool_on_a_copied_site_is_refused() {
    let r = bad_site(&STORE.replace("copies = 11", "copies = 11\nfailover-pool = \"stores\""));
    assert!(
        r.stderr.contains("site[0].failover-pool:") && r.stderr.contains("copies = 11"),
        "{}",
        r.stderr
    );
}

/// `failover-retention-days` is range-checked where it is written.
#[test]
fn failover_retention_days_out_of_range_is_located() {
    let r = bad_site(&STORE.replace(
        "analytics = \"motion\"",
        "analytics = \"motion\"\nfailover-retention-days = 0",
    ));
    assert!(
        r.stderr
            .contains("bad.toml:8:27: requirements.failover-retention-days:"),
        "{}",
        r.stderr
    );
}

/// A head office and a branch recording at it, for the `record-at` errors below.
const CENTRAL: &str = r#"
version = 1
[project]
name = "Central"
[[site]]
name = "Head office"
  [[site.cameras]]
  count = 10
  resolution = "1080p"
  codec = "h265"
[[site]]
name = "Branch"
record-at = "Head office"
  [[site.cameras]]
  count = 4
  resolution = "1080p"
  codec = "h265"
"#;

/// `record-at` must name another site of the file: a misspelt one gets the nearest name, and
/// the error points at the field in the branch's table.
#[test]
fn record_at_an_unknown_site_is_refused_with_the_nearest_name() {
    let r = bad_site(&CENTRAL.replace("record-at = \"Head office\"", "record-at = \"Head ofice\""));
    assert!(
        r.stderr
            .contains("bad.toml:13:1: site[1].record-at: site \"Branch\" records at \"Head ofice\", which is not a site of this file"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("did you mean \"Head office\"?"),
        "{}",
        r.stderr
    );
}

/// A site recording at itself, a chain of sites recording at sites that record elsewhere, and a
/// recording site of several copies are refused, each naming the field.
#[test]
fn record_at_itself_a_chain_or_a_copied_site_is_refused() {
    let itself =
        bad_site(&CENTRAL.replace("record-at = \"Head office\"", "record-at = \"branch\""));
    assert!(
        itself
            .stderr
            .contains("site[1].record-at: site \"Branch\" records at itself"),
        "{}",
        itself.stderr
    );
    let chain = format!(
        "{CENTRAL}[[site]]\nname = \"Kiosk\"\nrecord-at = \"Branch\"\n  [[site.cameras]]\n  count = 1\n  resolution = \"1080p\"\n  codec = \"h265\"\n"
    );
    let r = bad_site(&chain);
    assert!(
        r.stderr.contains("site[2].record-at:")
            && r.stderr.contains("which itself records at \"Head office\""),
        "{}",
        r.stderr
    );
    let copied = bad_site(&CENTRAL.replace(
        "name = \"Head office\"",
        "name = \"Head office\"\ncopies = 2",
    ));
    assert!(
        copied.stderr.contains("site[1].record-at:") && copied.stderr.contains("copies = 2"),
        "{}",
        copied.stderr
    );
}

/// A site that records elsewhere has no recorders of its own, and `wan-uplink` needs
/// `record-at`.
#[test]
fn record_at_with_own_recorders_or_a_wan_uplink_without_it_is_refused() {
    let own = bad_site(&format!(
        "{CENTRAL}  [site.network]\n  recorder = \"rack-2u-128\"\n"
    ));
    assert!(
        own.stderr.contains("site[1].record-at:")
            && own.stderr.contains("names recorders of its own"),
        "{}",
        own.stderr
    );
    let wan = bad_site(&CENTRAL.replace(
        "name = \"Head office\"",
        "name = \"Head office\"\n[site.network]\nwan-uplink = \"100Mbps\"",
    ));
    assert!(
        wan.stderr.contains("site[0].network.wan-uplink:")
            && wan.stderr.contains("records on its own recorders"),
        "{}",
        wan.stderr
    );
    let unit = bad_site(&format!(
        "{CENTRAL}  [site.network]\n  wan-uplink = \"fast\"\n"
    ));
    assert!(
        unit.stderr.contains("site[1].network.wan-uplink:"),
        "{}",
        unit.stderr
    );
}

/// A link of zero capacity is a typo, not a design: `wan-uplink = "0Mbps"` and `uplink =
/// "0Mbps"` are refused at the field, in the branch's own table.
#[test]
fn a_zero_capacity_link_is_refused_at_its_line() {
    let wan = bad_site(&format!(
        "{CENTRAL}  [site.network]\n  wan-uplink = \"0Mbps\"\n"
    ));
    assert!(
        wan.stderr
            .contains("bad.toml:19:3: site[1].network.wan-uplink:")
            && wan.stderr.contains("gives wan-uplink = 0"),
        "{}",
        wan.stderr
    );
    let access = bad_site(&format!(
        "{CENTRAL}  [site.network]\n  wan-uplink = \"50Mbps\"\n  uplink = \"0Mbps\"\n"
    ));
    assert!(
        access
            .stderr
            .contains("bad.toml:20:3: site[1].network.uplink:"),
        "{}",
        access.stderr
    );
}

/// `taa-unresolved` (or `section-889-unresolved`) without its screening switched on screens
/// nothing: it is refused rather than read as if the screening ran.
#[test]
fn an_unresolved_severity_without_its_screening_is_refused() {
    for key in ["taa", "section-889"] {
        let r = bad_site(&STORE.replace(
            "[requirements]\n",
            &format!("[requirements]\n{key}-unresolved = \"error\"\n"),
        ));
        assert!(
            r.stderr
                .contains(&format!("requirements.{key}-unresolved:"))
                && r.stderr.contains(&format!("add `{key} = true`")),
            "{}",
            r.stderr
        );
    }
}

/// An error on a field of one site points at that site's table, not at another site's
/// `record-at` naming it, nor at the same key of another site.
#[test]
fn a_field_error_points_at_its_own_sites_table() {
    let text = r#"
version = 1
[project]
name = "Two"
[[site]]
name = "Branch"
record-at = "HQ"
  [[site.cameras]]
  count = 4
  resolution = "1080p"
  codec = "h265"
  [site.network]
  uplink = "1Gbps"
[[site]]
name = "HQ"
  [[site.cameras]]
  count = 10
  resolution = "1080p"
  codec = "h265"
  [site.network]
  uplink = "0Mbps"
"#;
    let r = bad_site(text);
    assert!(
        r.stderr.contains("bad.toml:21:3: site[1].network.uplink:")
            && r.stderr.contains("site \"HQ\" gives uplink = 0")
            && r.stderr.contains("more than zero"),
        "{}",
        r.stderr
    );
}

/// Errors the plan finds after reading name the line too (the table a missing key belongs in,
/// or the key itself); a missing field gets its own hint; a growth without a count says it is
/// not set rather than quoting today's count as if given.
#[test]
fn plan_stage_errors_name_their_line_and_missing_fields_their_hint() {
    let eur = bad_site(&STORE.replace("[project]\n", "[project]\ncurrency = \"EUR\"\n"));
    assert!(
        eur.stderr.contains("bad.toml:3:1: project.exchange-rate:"),
        "{}",
        eur.stderr
    );
    let growth = bad_site(&STORE.replace("[requirements]\n", "[requirements]\ngrowth = \"now\"\n"));
    assert!(
        growth.stderr.contains("bad.toml:6:1: requirements.growth:")
            && growth.stderr.contains("cameras-in-36-months is not:"),
        "{}",
        growth.stderr
    );
    let count = bad_site(&STORE.replace("count = ", "cont = "));
    assert!(
        count.stderr.contains("did you mean `count`?"),
        "{}",
        count.stderr
    );
    let missing = bad_site(&STORE.replace("  count = ", "  # count = "));
    assert!(
        missing.stderr.contains("missing field `count`")
            && missing.stderr.contains("a whole number of cameras"),
        "{}",
        missing.stderr
    );
    let dup = bad_site(&STORE.replace(
        "retention-days = 30",
        "retention-days = 30\n  retention-days = 31",
    ));
    assert!(
        dup.stderr.contains("duplicate key `retention-days`"),
        "{}",
        dup.stderr
    );
}
