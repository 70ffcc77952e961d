//! Designs a person would draw (issue 14): for the repo's examples and five fixtures of our own
//! (a shop, a chain, a campus with N+1, a federal site with Section 889 and a covered camera
//! brand, and a head office recording six branches centrally), the recorders, drives and cost each option is drawn with, as reviewed snapshots; the
//! rules a designer holds the design to (one recorder per store where one fits, one drive size
//! per site, no reason from a packing artefact); and `plan` and `generate` reading every
//! recorder ceiling the same way.
// Helpers shared by tests unwrap too: a panic here is a failed test, not a crash on input.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::fmt::Write as _;

use planner::catalog::Catalog;
use planner::plan::{Plan, SiteRecorders, plan};
use planner::site::SiteFile;

/// The fixtures and examples, by name.
const DESIGNS: &[(&str, &str)] = &[
    ("shop", include_str!("../fixtures/designs/shop.toml")),
    ("chain", include_str!("../fixtures/designs/chain.toml")),
    ("campus", include_str!("../fixtures/designs/campus.toml")),
    ("federal", include_str!("../fixtures/designs/federal.toml")),
    ("central", include_str!("../fixtures/designs/central.toml")),
    (
        "corner-shop",
        include_str!("../../examples/corner-shop.toml"),
    ),
    (
        "retail-chain",
        include_str!("../../examples/retail-chain.toml"),
    ),
];

fn planned(name: &str) -> (SiteFile, Catalog, Plan) {
    let text = DESIGNS.iter().find(|(n, _)| *n == name).unwrap().1;
    let site = SiteFile::parse(&format!("{name}.toml"), text).unwrap();
    let catalog = Catalog::embedded().unwrap();
    let p = plan(&site, &catalog).unwrap();
    (site, catalog, p)
}

/// One option as a designer reads it: per site, each model with its count, drives and price;
/// then the totals.
fn schedule(sites: &[SiteRecorders]) -> String {
    let mut out = String::new();
    let (mut units, mut drives, mut cost) = (0u64, 0u64, 0.0f64);
    for s in sites {
        let copies = u64::from(s.copies);
        writeln!(out, "  {} (x{}, {} cameras):", s.site, s.copies, s.cameras).unwrap();
        for u in &s.units {
            writeln!(
                out,
                "    {}{}: {} cams, {} drives of {} TB ({}), {:.0}",
                u.model,
                if u.failover { " [failover]" } else { "" },
                u.cameras,
                u.drives,
                u.drive_size_bytes / 1_000_000_000_000,
                u.layout,
                u.price()
            )
            .unwrap();
            units += copies;
            drives += u64::from(u.drives) * copies;
            cost += u.price() * s.copies as f64;
        }
    }
    writeln!(
        out,
        "  recorders {units}, drives {drives}, hardware {cost:.0}"
    )
    .unwrap();
    out
}

fn designs(p: &Plan) -> String {
    let reasons: Vec<&str> = p.recommendation.reasons.iter().map(|r| r.code).collect();
    format!(
        "recommendation: {} ({})\nNVR (feasible: {}):\n{}VMS (feasible: {}):\n{}",
        p.recommendation.choice,
        reasons.join(", "),
        p.nvr.feasible,
        schedule(&p.nvr.sites),
        p.vms.feasible,
        schedule(&p.vms.sites)
    )
}

#[test]
fn design_snapshots() {
    for (name, _) in DESIGNS {
        let (_, _, p) = planned(name);
        insta::assert_snapshot!(format!("design_{name}"), designs(&p));
    }
}

/// Every site's recorders (failover included) use one drive size.
#[test]
fn every_site_uses_one_drive_size() {
    for (name, _) in DESIGNS {
        let (_, _, p) = planned(name);
        for s in p.nvr.sites.iter().chain(&p.vms.sites) {
            let sizes: BTreeSet<u64> = s
                .units
                .iter()
                .filter(|u| u.drives > 0)
                .map(|u| u.drive_size_bytes)
                .collect();
            assert!(
                sizes.len() <= 1,
                "{name} / {}: drive sizes {sizes:?}",
                s.site
            );
        }
    }
}

/// The chain's stores and the shops get one NVR each; so the plan never says a store exceeds
/// one recorder.
#[test]
fn one_recorder_per_store_where_one_fits() {
    for name in ["shop", "chain", "corner-shop"] {
        let (_, _, p) = planned(name);
        for s in &p.nvr.sites {
            assert_eq!(s.units.len(), 1, "{name} / {}: {:?}", s.site, s.units);
        }
        assert!(
            p.recommendation
                .reasons
                .iter()
                .all(|r| r.code != "exceeds-one-recorder"),
            "{name}: {:?}",
            p.recommendation.reasons
        );
    }
    // Before: 24 NVRs (a 16-channel unit for 7 cameras and one for 3 at every store).
    let (_, _, p) = planned("chain");
    assert_eq!(p.nvr.units, 12);
}

/// "Exceeds one recorder" fires only when no single eligible unit holds the site: then every
/// site named has more cameras, ingest or storage than any one unit can take.
#[test]
fn exceeds_one_recorder_only_when_no_unit_holds_the_site() {
    for (name, _) in DESIGNS {
        let (_, catalog, p) = planned(name);
        let fires = p
            .recommendation
            .reasons
            .iter()
            .any(|r| r.code == "exceeds-one-recorder");
        let split = p.nvr.sites.iter().any(|s| s.units.len() > 1);
        assert_eq!(fires, split, "{name}");
        for s in p.nvr.sites.iter().filter(|s| s.units.len() > 1) {
            let biggest = catalog.nvr.iter().map(|m| m.channels).max().unwrap();
            let needs_two = s.cameras > biggest
                || s.units.iter().all(|u| {
                    u.max_usable_bytes
                        < s.units.iter().map(|v| v.capacity_needed_bytes).sum::<u64>()
                        || u.ingest_limit_bps < s.units.iter().map(|v| v.ingest_bps).sum::<u64>()
                        || u.camera_limit < s.cameras
                });
            assert!(needs_two, "{name} / {} split without need", s.site);
        }
    }
}

/// A site that requires Section 889 and names a covered camera brand gets an error finding.
#[test]
fn covered_camera_brand_is_a_finding() {
    let (_, _, p) = planned("federal");
    assert!(p.section_889.required);
    assert!(
        p.section_889
            .findings
            .iter()
            .any(|f| f.brand.as_deref() == Some("Hikvision")
                && f.severity == planner::screen::Severity::Error),
        "{:?}",
        p.section_889.findings
    );
}

/// For every recorder `generate` deploys, the plan's figures for each ceiling are the ones the
/// deployment checks: cameras, ingest, storage, PoE and the load on its network link (protocol
/// overhead included); and a plan that breaks no ceiling deploys with no recorder over one.
#[test]
fn plan_and_generate_agree_on_every_ceiling() {
    use planner::deploy::Choice;
    for (name, _) in DESIGNS {
        let (site, catalog, p) = planned(name);
        for (choice, sites) in [(Choice::Nvr, &p.nvr.sites), (Choice::Vms, &p.vms.sites)] {
            // An option without recorders at a site cannot be deployed (a site recording at
            // another site's recorders has none of its own, and deploys).
            if sites
                .iter()
                .any(|s| s.units.is_empty() && s.records_at.is_none())
            {
                continue;
            }
            let m = planner::deploy::deploy(&site, &catalog, &p, choice).unwrap();
            let units = sites
                .iter()
                .flat_map(|s| (0..s.copies).flat_map(move |_| s.units.iter()));
            let mut seen = 0;
            for (r, u) in m.recorders.iter().zip(units) {
                seen += 1;
                let at = format!("{name} {choice:?} {}", r.id);
                assert_eq!(r.cameras.len() as u32, u.cameras, "{at} cameras");
                assert_eq!(r.camera_limit, u.camera_limit, "{at} channels");
                assert_eq!(r.ingest_bps, u.ingest_bps, "{at} ingest");
                assert_eq!(r.ingest_limit_bps, u.ingest_limit_bps, "{at} ingest limit");
                assert_eq!(
                    r.volume.needed_bytes, u.capacity_needed_bytes,
                    "{at} storage"
                );
                assert_eq!(r.volume.usable_bytes, u.usable_bytes, "{at} usable");
                assert_eq!(r.poe_used_mw, u.poe_used_mw, "{at} PoE");
                let link = m
                    .network
                    .links
                    .iter()
                    .find(|l| l.to == r.id)
                    .unwrap_or_else(|| panic!("{at}: no link into it"));
                assert_eq!(link.forward_bps, u.link_bps, "{at} link load");
                assert_eq!(link.limit_bps, u.link_limit_bps, "{at} link limit");
                assert!(
                    u.link_bps <= u.link_limit_bps,
                    "{at}: plan chose a unit over its link"
                );
            }
            assert_eq!(seen, m.recorders.len(), "{name} {choice:?}");
            let planned_violations = match choice {
                Choice::Nvr => &p.nvr.violations,
                Choice::Vms => &p.vms.violations,
            };
            if planned_violations.is_empty() {
                let recorder_ids: BTreeSet<&str> =
                    m.recorders.iter().map(|r| r.id.as_str()).collect();
                let over: Vec<_> = m
                    .violations
                    .iter()
                    .filter(|v| {
                        recorder_ids.contains(v.element.as_str())
                            || recorder_ids
                                .iter()
                                .any(|id| v.element.ends_with(&format!("→ {id}")))
                    })
                    .collect();
                assert!(over.is_empty(), "{name} {choice:?}: {over:?}");
            }
        }
    }
}

/// The proposal carries the plan's screenings in the customer's words: the federal site's
/// covered Hikvision cameras are an error under Section 889 and a non-designated origin under
/// the TAA, each with where in the design, and no verdict or finding code is in the text.
#[test]
fn the_federal_proposal_shows_the_section_889_and_taa_findings() {
    let html = proposal_html("fixtures/designs/federal.toml");
    let section = |title: &str| -> String {
        let at = html
            .find(&format!("<h2>{title}"))
            .unwrap_or_else(|| panic!("no {title} section"));
        let rest = &html[at..];
        rest[..rest.find("</section>").unwrap()].to_string()
    };
    let s889 = section("Section 889 screening");
    assert!(
        s889.contains("<td class=\"bad\">Error</td>") && s889.contains("Hikvision"),
        "{s889}"
    );
    let taa = section("Trade Agreements Act screening");
    let hik = taa
        .split("<tr>")
        .find(|row| row.contains("Hikvision"))
        .unwrap_or_else(|| panic!("no Hikvision TAA finding: {taa}"));
    assert!(
        hik.contains("Error") && hik.contains("non-designated") && hik.contains("China"),
        "{hik}"
    );
    for code in [
        "non_designated",
        "not_covered",
        "named-entity",
        "non-designated-country",
        "maker-origin-non-designated",
        "origin-not-in-data",
    ] {
        assert!(
            !s889.contains(code) && !taa.contains(code),
            "{code} in: {s889}{taa}"
        );
    }
}

/// The proposal's header carries the site file's customer, who prepared it, its reference, its
/// date and its validity; without them it is prepared for the project, dated the day it is
/// written, and says its validity is not stated rather than leaving it out.
#[test]
fn the_proposal_names_customer_author_reference_date_and_validity() {
    let html = proposal_html("fixtures/designs/chain.toml");
    let meta = meta_of(&html);
    for part in [
        "Prepared for Harbour Pharmacies plc",
        "project Harbour Pharmacies",
        "prepared by A. Designer, Northwind Security Integration",
        "reference Q-2026-0117",
        "dated 2026-12-04",
        "valid until 2027-01-31",
    ] {
        assert!(meta.contains(part), "{part:?} not in {meta}");
    }
    let bare = planned("chain").0;
    assert_eq!(
        bare.project.details().customer.as_deref(),
        Some("Harbour Pharmacies plc")
    );
    let text = include_str!("../fixtures/designs/shop.toml");
    let without: String = text
        .lines()
        .filter(|l| {
            ![
                "customer",
                "prepared-by",
                "reference",
                "date",
                "valid-until",
            ]
            .iter()
            .any(|k| l.starts_with(&format!("{k} =")))
        })
        .collect::<Vec<_>>()
        .join("\n");
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("shop.toml");
    std::fs::write(&site, without).unwrap();
    let html = proposal_html(site.to_str().unwrap());
    let meta = meta_of(&html);
    assert!(
        meta.contains("Prepared for Corner bakery · dated ")
            && meta.contains("valid until not stated"),
        "{meta}"
    );
}

/// `camscope report proposal` of the site file at `site`: the HTML it writes.
fn proposal_html(site: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("proposal.html");
    let r = camscope_tests::camscope(&["report", "proposal", site, "--out", out.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    std::fs::read_to_string(&out).unwrap()
}

/// The proposal's header line (customer, details, currency).
fn meta_of(html: &str) -> &str {
    let meta = &html[html.find("<div class=\"meta\">").unwrap()..];
    &meta[..meta.find("</div>").unwrap()]
}

/// A proposal date with a time of day, or a validity before the date, is refused at its line.
#[test]
fn proposal_dates_that_cannot_be_are_refused() {
    let text = include_str!("../fixtures/designs/shop.toml");
    let dir = tempfile::tempdir().unwrap();
    for (bad, want) in [
        ("valid-until = 2026-11-30", "before its date 2026-12-04"),
        ("valid-until = 2027-01-31T12:00:00", "is not a calendar day"),
    ] {
        let site = dir.path().join("shop.toml");
        std::fs::write(&site, text.replace("valid-until = 2027-01-31", bad)).unwrap();
        let r = camscope_tests::camscope(&["plan", site.to_str().unwrap()]);
        assert_eq!(r.code, 2, "{bad}: {}", r.stderr);
        assert!(
            r.stderr.contains("project.valid-until:") && r.stderr.contains(want),
            "{bad}: {}",
            r.stderr
        );
        let line = text
            .lines()
            .position(|l| l.starts_with("valid-until"))
            .unwrap()
            + 1;
        assert!(
            r.stderr.contains(&format!("shop.toml:{line}:")),
            "{}",
            r.stderr
        );
    }
}
