//! A site that requires Section 889 has the cameras it names screened by `plan`, with the same
//! compliance data and verdicts as `camscope check`: a covered brand is an error (exit 1), an
//! unresolved one a warning unless the site makes it an error, and a group with no brand or
//! model says it could not be screened.
// Test helpers unwrap: a panic here is a failed test, not a crash on input.
#![allow(clippy::unwrap_used)]

use camscope_tests::camscope;
use planner::catalog::Catalog;
use planner::plan::plan;
use planner::screen::Severity;
use planner::site::SiteFile;

fn site(requirements: &str, groups: &[(&str, Option<&str>, Option<&str>)]) -> String {
    let mut s = format!(
        "version = 1\n[project]\nname = \"Screened\"\ncurrency = \"USD\"\n\n[requirements]\n{requirements}\n\n[[site]]\nname = \"Depot\"\n"
    );
    for (name, brand, model) in groups {
        s += &format!("\n  [[site.cameras]]\n  name = \"{name}\"\n  count = 2\n");
        if let Some(b) = brand {
            s += &format!("  brand = \"{b}\"\n");
        }
        if let Some(m) = model {
            s += &format!("  model = \"{m}\"\n");
        }
        s += "  resolution = \"4MP\"\n  codec = \"h265\"\n  fps = 15\n  recording = \"continuous\"\n  retention-days = 30\n";
    }
    s
}

fn screened(text: &str) -> planner::screen::Screening {
    let site = SiteFile::parse("screened.toml", text).unwrap();
    plan(&site, &Catalog::embedded().unwrap())
        .unwrap()
        .section_889
}

#[test]
fn a_covered_brand_is_an_error_and_an_unknown_one_a_warning() {
    let s = screened(&site(
        "section-889 = true",
        &[
            ("Gate", Some("Hikvision"), Some("DS-2CD2143G2-I")),
            ("Yard", Some("Northwind Optronics"), None),
            ("Dock", Some("Axis"), Some("P3265-LVE")),
            ("Office", None, None),
        ],
    ));
    assert!(s.required);
    let got: Vec<(Severity, &str, &str)> = s
        .findings
        .iter()
        .map(|f| (f.severity, f.code.as_str(), f.place.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (Severity::Error, "named-entity", "site Depot / Gate"),
            (Severity::Warning, "maker-not-in-data", "site Depot / Yard"),
            (Severity::Warning, "not-screened", "site Depot / Office"),
        ]
    );
    assert_eq!(
        s.cleared,
        ["Axis P3265-LVE: not_covered (independent-maker)"]
    );
    assert!(s.has_errors());
}

#[test]
fn the_site_can_make_unresolved_cameras_errors() {
    let s = screened(&site(
        "section-889 = true\nsection-889-unresolved = \"error\"",
        &[("Yard", Some("Northwind Optronics"), None)],
    ));
    assert_eq!(s.findings[0].severity, Severity::Error);
}

#[test]
fn brands_named_only_in_the_requirements_are_screened_too_and_nothing_without_the_requirement() {
    let s = screened(&site(
        "section-889 = true\ncamera-brands = [\"Dahua\", \"Axis\"]",
        &[("Dock", Some("Axis"), None)],
    ));
    assert_eq!(s.findings.len(), 1, "{:?}", s.findings);
    assert_eq!(s.findings[0].place, "requirements.camera-brands");
    assert_eq!(s.findings[0].severity, Severity::Error);
    let off = screened(&site("", &[("Gate", Some("Hikvision"), None)]));
    assert!(!off.required && off.findings.is_empty());
}

#[test]
fn plan_exits_1_on_a_covered_camera_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("site.toml");
    std::fs::write(
        &path,
        site("section-889 = true", &[("Gate", Some("Dahua"), None)]),
    )
    .unwrap();
    let p = path.display().to_string();
    let r = camscope(&["plan", &p]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("SECTION 889 SCREENING"), "{}", r.stdout);
    assert!(
        r.stdout.contains("ERROR [named-entity] site Depot / Gate"),
        "{}",
        r.stdout
    );
    let json = camscope(&["plan", &p, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["section_889"]["findings"][0]["severity"], "error");
    // The repo's chain requires Section 889 and names Axis and Hanwha Vision: clear on records.
    let chain = camscope(&["plan", "../examples/retail-chain.toml"]);
    assert_eq!(chain.code, 0, "{}", chain.stdout);
    assert!(
        chain
            .stdout
            .contains("clear: Axis: not_covered (independent-maker)")
    );
}
