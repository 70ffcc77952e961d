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

fn taa_of(text: &str) -> planner::screen::Screening {
    let site = SiteFile::parse("screened.toml", text).unwrap();
    plan(&site, &Catalog::embedded().unwrap()).unwrap().taa
}

/// The camera findings of a TAA screening, as (severity, code, place).
fn camera_findings(s: &planner::screen::Screening) -> Vec<(Severity, &str, &str)> {
    s.findings
        .iter()
        .filter(|f| f.place.starts_with("site ") || f.place.starts_with("requirements."))
        .map(|f| (f.severity, f.code.as_str(), f.place.as_str()))
        .collect()
}

/// `taa = true`: a camera whose maker the data records as making its products in China (not a
/// FAR 25.003 designated country) is an error; a maker the data knows without an origin, or
/// does not know at all, is a visible warning (never a clear); a group with no brand or model
/// says it could not be checked.
#[test]
fn taa_makes_a_chinese_origin_brand_an_error_and_an_unknown_origin_a_warning() {
    let s = taa_of(&site(
        "taa = true",
        &[
            ("Gate", Some("Hikvision"), Some("DS-2CD2143G2-I")),
            ("Dock", Some("Axis"), Some("P3265-LVE")),
            ("Yard", Some("Northwind Optronics"), None),
            ("Office", None, None),
        ],
    ));
    assert!(s.required);
    assert_eq!(
        camera_findings(&s),
        [
            (
                Severity::Error,
                "maker-origin-non-designated",
                "site Depot / Gate"
            ),
            (Severity::Warning, "origin-not-in-data", "site Depot / Dock"),
            (Severity::Warning, "origin-not-in-data", "site Depot / Yard"),
            (Severity::Warning, "not-screened", "site Depot / Office"),
        ]
    );
    let gate = &s.findings[0];
    assert!(
        gate.message.contains("China") && gate.message.contains("not a FAR 25.003 designated"),
        "{}",
        gate.message
    );
    let dock = s
        .findings
        .iter()
        .find(|f| f.place.ends_with("Dock"))
        .unwrap();
    assert!(
        dock.message
            .contains("records no country of origin for Axis"),
        "{}",
        dock.message
    );
    assert!(s.cleared.is_empty(), "nothing is clear: {:?}", s.cleared);
    assert!(s.has_errors());
}

/// A brand of a maker (HiLook, a Hikvision brand) takes the maker's origin; a camera named by
/// a Hikvision model number alone is not taken for Hikvision's (a model-number pattern is
/// evidence, not proof, and the Section 889 screening holds it for review): its origin is
/// unknown, a warning, as `camscope check` reads the same line.
#[test]
fn taa_follows_a_brand_to_its_maker_but_not_a_model_number_alone() {
    let s = taa_of(&site(
        "taa = true",
        &[
            ("Gate", Some("HiLook"), None),
            ("Dock", None, Some("DS-2CD2143G2-I")),
        ],
    ));
    assert_eq!(
        camera_findings(&s),
        [
            (
                Severity::Error,
                "maker-origin-non-designated",
                "site Depot / Gate"
            ),
            (Severity::Warning, "origin-not-in-data", "site Depot / Dock"),
        ]
    );
}

#[test]
fn taa_unresolved_can_be_made_an_error_and_nothing_is_checked_without_taa() {
    let s = taa_of(&site(
        "taa = true\ntaa-unresolved = \"error\"",
        &[("Dock", Some("Axis"), None)],
    ));
    assert!(s.findings.iter().all(|f| f.severity == Severity::Error));
    let text = site("section-889 = true", &[("Gate", Some("Hikvision"), None)]);
    let off = taa_of(&text);
    assert!(!off.required && off.findings.is_empty() && off.cleared.is_empty());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("site.toml");
    std::fs::write(&path, &text).unwrap();
    let p = path.display().to_string();
    let json = camscope(&["plan", &p, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert!(v.get("taa").is_none(), "no taa key without the requirement");
    let table = camscope(&["plan", &p]);
    assert!(!table.stdout.contains("TAA"), "{}", table.stdout);
}

/// The catalog products the plan picks are checked too: without a sourced origin each is a
/// visible "origin to be confirmed"; an NVR whose overlay gives it a sourced Chinese origin is an
/// error; `plan` exits 1 on a non-designated origin and prints the screening.
#[test]
fn taa_checks_the_picked_products_and_plan_exits_1_on_a_non_designated_origin() {
    let text = site("taa = true", &[("Dock", Some("Axis"), None)]);
    let s = taa_of(&text);
    let products: Vec<&planner::screen::ScreenFinding> = s
        .findings
        .iter()
        .filter(|f| !f.place.starts_with("site "))
        .collect();
    assert!(!products.is_empty());
    assert!(
        products.iter().all(|f| f.code == "origin-to-be-confirmed"
            && f.severity == Severity::Warning
            && f.message.contains("origin to be confirmed")),
        "{products:#?}"
    );
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
    let fixed = text.replace(
        "name = \"Depot\"\n",
        "name = \"Depot\"\n[site.network]\nrecorder = \"dahua-nvr4116hs-ei\"\nrecorders = 1\n",
    );
    let site_file = SiteFile::parse("site.toml", &fixed).unwrap();
    let catalog = Catalog::with_overlay("quote.toml", overlay).unwrap();
    let s = plan(&site_file, &catalog).unwrap().taa;
    let nvr = s
        .findings
        .iter()
        .find(|f| f.place == "NVR dahua-nvr4116hs-ei")
        .unwrap_or_else(|| panic!("{:#?}", s.findings));
    assert_eq!(
        (nvr.severity, nvr.code.as_str()),
        (Severity::Error, "non-designated-country")
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("site.toml");
    std::fs::write(
        &path,
        site("taa = true", &[("Gate", Some("Hikvision"), None)]),
    )
    .unwrap();
    let r = camscope(&["plan", &path.display().to_string()]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("TAA SCREENING"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("ERROR [maker-origin-non-designated] site Depot / Gate"),
        "{}",
        r.stdout
    );
}

/// `taa = true` rules appliances out as Section 889 does: the NVR option never picks a maker
/// whose sourced origin is not designated (Hikvision, China, in the data), and a Hikvision
/// recorder the site file fixes is an error in the screening, not an "origin to be confirmed".
/// Before, the plan designed with Hikvision NVRs, called them "to be confirmed" and compared
/// that option on cost.
#[test]
fn taa_keeps_non_designated_appliances_out_of_the_nvr_option() {
    let catalog = Catalog::embedded().unwrap();
    let hik: Vec<&str> = catalog
        .nvr
        .iter()
        .filter(|m| m.maker == "Hikvision")
        .map(|m| m.id.as_str())
        .collect();
    assert!(
        !hik.is_empty(),
        "the catalog has Hikvision appliances to exclude"
    );
    // The central fixture (RAID 5, Axis cameras) used to get Hikvision DS-9632NI-RT units.
    let central = include_str!("../fixtures/designs/central.toml")
        .replace("[requirements]\n", "[requirements]\ntaa = true\n");
    let p = plan(
        &SiteFile::parse("central.toml", &central).unwrap(),
        &catalog,
    )
    .unwrap();
    assert!(p.nvr.problem.is_none(), "{:?}", p.nvr.problem);
    for s in &p.nvr.sites {
        for u in &s.units {
            assert!(!hik.contains(&u.model_id.as_str()), "{}", u.model_id);
        }
    }
    // A Hikvision recorder the site file fixes is an error, with the maker's origin.
    let text = site("taa = true", &[("Yard", Some("Axis"), None)]);
    let fixed = format!("{text}\n  [site.network]\n  recorder = \"{}\"\n", hik[0]);
    let s = taa_of(&fixed);
    let f = s
        .findings
        .iter()
        .find(|f| f.place.contains(hik[0]))
        .unwrap_or_else(|| panic!("{:#?}", s.findings));
    assert_eq!(f.severity, Severity::Error, "{f:?}");
    assert_eq!(f.code, "maker-origin-non-designated", "{f:?}");
    assert!(f.message.contains("China"), "{}", f.message);
}
