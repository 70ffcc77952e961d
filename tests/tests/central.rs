//! Central recording (issue 14, item 6): sites that record at another site's recorders over a
//! WAN link. A head office of 40 cameras records its own and six branches' 8 cameras each: the
//! branches get no recorders, the head office's recorders hold all 88 cameras, each branch's
//! WAN uplink need is stated from its cameras' bitrate, and `generate` routes the branches'
//! streams over their WAN links to the head office's recorders.
// Helpers shared by tests unwrap too: a panic here is a failed test, not a crash on input.
#![allow(clippy::unwrap_used)]

use planner::catalog::Catalog;
use planner::deploy::{Choice, Manifest, deploy};
use planner::plan::{Ceiling, Plan, RecorderUnit, SiteRecorders, plan};
use planner::site::SiteFile;

const CENTRAL: &str = include_str!("../fixtures/designs/central.toml");

/// One branch camera on the wire: 4096 kbit/s with the catalog's 7 % protocol overhead.
const BRANCH_CAMERA_WIRE: u64 = 4_096_000 * 107 / 100;
/// One branch's 8 cameras on its WAN uplink.
const BRANCH_WIRE: u64 = 8 * BRANCH_CAMERA_WIRE;

fn site_of(text: &str) -> SiteFile {
    SiteFile::parse("central.toml", text).unwrap()
}

fn plan_of(text: &str) -> Plan {
    plan(&site_of(text), &Catalog::embedded().unwrap()).unwrap()
}

fn manifest_of(text: &str, choice: Choice) -> Manifest {
    let p = plan_of(text);
    deploy(&site_of(text), &Catalog::embedded().unwrap(), &p, choice).unwrap()
}

/// The branches with a WAN uplink of `capacity`.
fn with_wan(capacity: &str) -> String {
    format!("{CENTRAL}\n  [site.network]\n  wan-uplink = \"{capacity}\"\n")
}

/// `camscope report proposal` of the site file `text`: the HTML it writes.
fn proposal_of(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("central.toml");
    std::fs::write(&file, text).unwrap();
    let out = dir.path().join("proposal.html");
    let r = camscope_tests::camscope(&[
        "report",
        "proposal",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    std::fs::read_to_string(&out).unwrap()
}

/// The proposal's design schedule section.
fn schedule_of(html: &str) -> &str {
    let schedule = &html[html.find("id=\"schedule\"").unwrap()..];
    &schedule[..schedule.find("</section>").unwrap()]
}

fn primaries(s: &SiteRecorders) -> Vec<&RecorderUnit> {
    s.units.iter().filter(|u| !u.failover).collect()
}

/// No recorder at a branch in either option; the head office's primaries hold all 88 cameras
/// and their recordings (40 of its own, 6 × 8 of the branches), and the standby covers them.
#[test]
fn branches_get_no_recorders_and_the_head_office_records_all_88_cameras() {
    let p = plan_of(CENTRAL);
    let per_camera = |name: &str| {
        p.groups
            .iter()
            .find(|g| g.name == name)
            .unwrap()
            .bytes_per_camera
    };
    let all_bytes = 40 * per_camera("Offices") + 48 * per_camera("Counters");
    for sites in [&p.nvr.sites, &p.vms.sites] {
        let (hq, branch) = (&sites[0], &sites[1]);
        assert!(branch.units.is_empty(), "{:?}", branch.units);
        assert_eq!(branch.records_at.as_deref(), Some("Head office"));
        assert_eq!(branch.copies, 6);
        let held: Vec<&RecorderUnit> = primaries(hq);
        assert_eq!(held.iter().map(|u| u.cameras).sum::<u32>(), 88);
        assert_eq!(
            held.iter().map(|u| u.recorded_bytes).sum::<u64>(),
            all_bytes
        );
        assert_eq!(hq.cameras, 88);
        assert_eq!(hq.recorded_here.len(), 6);
    }
    assert!(p.nvr.feasible && p.vms.feasible);
    // Servers only at the head office; every camera still has its channel licence.
    assert_eq!(
        p.vms.servers,
        p.vms.sites[0].units.len() as u64,
        "{:?}",
        p.vms.sites
    );
    assert_eq!(p.vms.channels, 88);
    // The N+1 standby at the head office is sized for its biggest primary, branch cameras
    // included.
    let standby = p.vms.sites[0].units.iter().find(|u| u.failover).unwrap();
    let biggest = primaries(&p.vms.sites[0])
        .iter()
        .map(|u| u.cameras)
        .max()
        .unwrap();
    assert_eq!(standby.covers.as_ref().unwrap().cameras, biggest);
}

/// Each branch's WAN uplink: its 8 cameras' streams with the protocol overhead, over the link
/// utilisation ceiling (75 %), stated in the plan's JSON and table; without a capacity in the
/// site file the WAN is named as not costed.
#[test]
fn each_branch_needs_a_wan_uplink_for_its_cameras_recordings() {
    let p = plan_of(CENTRAL);
    assert_eq!(p.central_recording.len(), 1);
    let w = &p.central_recording[0];
    assert_eq!(
        (w.site.as_str(), w.records_at.as_str()),
        ("Branch", "Head office")
    );
    assert_eq!((w.copies, w.cameras), (6, 8));
    assert_eq!(w.wire_bps, BRANCH_WIRE);
    // 35,061,760 bit/s at 75 %: 46,749,013.3 rounded up.
    assert_eq!(w.needed_bps, 46_749_014);
    assert_eq!(w.uplink_bps, None);
    assert!(p.vms.violations.is_empty() && p.nvr.violations.is_empty());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("central.toml");
    std::fs::write(&file, CENTRAL).unwrap();
    let r = camscope_tests::camscope(&["plan", file.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("Branch → Head office")
            && r.stdout.contains("46.75 Mbit/s")
            && r.stdout.contains("not costed")
            // 6 × 35,061,760 bit/s in all, under 75 %.
            && r.stdout.contains("Head office takes in 210.37 Mbit/s over the WAN from the 6 site copies recording there (48 cameras): its own WAN link needs 280.49 Mbit/s"),
        "{}",
        r.stdout
    );
    let json = camscope_tests::camscope(&["plan", file.to_str().unwrap(), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["central_recording"][0]["needed_bps"], 46_749_014);
    // The head office's intake, in the JSON as in the table.
    let intake = &v["central_intake"][0];
    assert_eq!(intake["site"], "Head office");
    assert_eq!(
        (intake["copies"].as_u64(), intake["cameras"].as_u64()),
        (Some(6), Some(48))
    );
    assert_eq!(intake["wire_bps"], 6 * BRANCH_WIRE);
    assert_eq!(intake["needed_bps"], 280_494_080);
    assert_eq!(v["vms"]["sites"][1]["records_at"], "Head office");
}

/// A WAN uplink below the need is a finding of both options in the plan and a link violation
/// in `generate`, one per branch, naming the WAN link.
#[test]
fn a_too_small_wan_uplink_is_a_plan_finding_and_a_generate_violation() {
    let text = with_wan("40Mbps");
    let p = plan_of(&text);
    for violations in [&p.nvr.violations, &p.vms.violations] {
        let wan: Vec<_> = violations
            .iter()
            .filter(|v| v.ceiling == Ceiling::Link && v.element.contains("Branch"))
            .collect();
        assert_eq!(wan.len(), 1, "{violations:?}");
        assert_eq!((wan[0].load, wan[0].limit), (BRANCH_WIRE, 30_000_000));
        assert!(wan[0].message.contains("WAN"), "{}", wan[0].message);
    }
    assert_eq!(p.central_recording[0].fits, Some(false));
    // `plan` prints the recommended design over a ceiling and exits 1 on it, as generate does.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("central.toml");
    std::fs::write(&file, &text).unwrap();
    let r = camscope_tests::camscope(&["plan", file.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    std::fs::write(&file, with_wan("50Mbps")).unwrap();
    assert_eq!(
        camscope_tests::camscope(&["plan", file.to_str().unwrap()]).code,
        0
    );
    let m = manifest_of(&text, Choice::Vms);
    assert!(!m.fits);
    let wan: Vec<_> = m
        .violations
        .iter()
        .filter(|v| {
            v.ceiling == Ceiling::Link
                && v.element.starts_with("branch-")
                && v.element.contains(" → head-office/")
        })
        .collect();
    assert_eq!(wan.len(), 6, "{:#?}", m.violations);
    // Each branch link once: generate's finding per link replaces the plan's for them all.
    assert_eq!(
        m.violations
            .iter()
            .filter(|v| v.ceiling == Ceiling::Link && v.element.contains("Branch"))
            .count(),
        0,
        "{:#?}",
        m.violations
    );
    assert!(
        wan.iter()
            .all(|v| v.load == BRANCH_WIRE && v.limit == 30_000_000)
    );
    // Enough WAN: no finding, and the deployment fits.
    let p = plan_of(&with_wan("50Mbps"));
    assert!(p.vms.violations.is_empty(), "{:?}", p.vms.violations);
    assert_eq!(p.central_recording[0].fits, Some(true));
    assert!(manifest_of(&with_wan("50Mbps"), Choice::Vms).fits);
}

/// `generate`: the branch cameras stay at their branch (addresses, switches) and record on the
/// head office's recorders, which list them; each branch's WAN link carries its 8 cameras'
/// streams to the head office's core, and the head office's recorder links carry them on.
#[test]
fn generate_routes_the_branch_cameras_over_the_wan_to_head_office_recorders() {
    for choice in [Choice::Nvr, Choice::Vms] {
        let m = manifest_of(CENTRAL, choice);
        assert!(m.fits, "{:#?}", m.violations);
        assert_eq!(m.sites.len(), 7);
        assert_eq!(m.sites[0].id, "head-office", "sites in file order");
        assert!(m.recorders.iter().all(|r| r.site == "head-office"));
        let branch_cams: Vec<_> = m
            .cameras
            .iter()
            .filter(|c| c.site.starts_with("branch"))
            .collect();
        assert_eq!(branch_cams.len(), 48);
        for c in &branch_cams {
            let r = m.recorders.iter().find(|r| r.id == c.recorder).unwrap();
            assert!(r.cameras.contains(&c.id), "{} not on {}", c.id, r.id);
            assert!(c.switch.starts_with(&c.site), "{} on {}", c.id, c.switch);
        }
        let listed: usize = m.recorders.iter().map(|r| r.cameras.len()).sum();
        assert_eq!(listed, 88);
        let wan: Vec<_> = m
            .network
            .links
            .iter()
            .filter(|l| l.from.starts_with("branch-") && l.to.starts_with("head-office/"))
            .collect();
        assert_eq!(wan.len(), 6, "{:#?}", m.network.links);
        assert!(wan.iter().all(|l| l.forward_bps == BRANCH_WIRE));
        // What reaches the head office's recorders over their links from the core: every
        // camera's streams but those on a recorder's own PoE ports, once.
        let into_recorders: u64 = m
            .network
            .links
            .iter()
            .filter(|l| m.network.switches.iter().any(|s| s.id == l.from))
            .filter(|l| m.recorders.iter().any(|r| r.id == l.to))
            .map(|l| l.forward_bps)
            .sum();
        let all: u64 = m.cameras.iter().map(|c| c.ingest_bps * 107 / 100).sum();
        let on_ports: u64 = m
            .cameras
            .iter()
            .filter(|c| m.recorders.iter().any(|r| r.id == c.switch))
            .map(|c| c.ingest_bps * 107 / 100)
            .sum();
        assert_eq!(into_recorders, all - on_ports);
    }
}

/// The Frigate export of the head office's recorders configures the branch cameras they record.
#[test]
fn the_frigate_export_of_the_head_office_includes_the_branch_cameras() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("central.toml");
    std::fs::write(&file, CENTRAL).unwrap();
    let g = camscope_tests::generate(file.to_str().unwrap(), &["--option", "nvr"]);
    assert_eq!(g.run.code, 0, "{}{}", g.run.stdout, g.run.stderr);
    let index = g.json("frigate/index.json");
    let cameras: usize = index["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["cameras"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(cameras, 88, "{index:#}");
    assert!(
        index["instances"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["site"] == "head-office")
    );
}

/// The proposal says which site records at which, with the WAN uplink each copy needs.
#[test]
fn the_proposal_states_central_recording_and_the_wan_figure() {
    let html = proposal_of(CENTRAL);
    assert!(
        html.contains("central recording: Branch → Head office")
            && html.contains("each of its 6 copies needs 46.75 Mbit/s of WAN uplink"),
        "{html}"
    );
    // What the head office takes in from the six branches, beside each branch's figure.
    assert!(
        html.contains("WAN intake at Head office")
            && html.contains("takes in 210.37 Mbit/s over the WAN from the 6 site copies"),
        "{html}"
    );
    // The schedule lists the branches too: no recorders, where they record, their switches.
    let schedule = schedule_of(&html);
    let branch = schedule
        .split("<tr")
        .find(|row| row.contains("<td>Branch ×6</td>"))
        .unwrap_or_else(|| panic!("no branch row: {schedule}"));
    assert!(
        branch.contains("none: recorded at Head office")
            && branch.contains("35.06 Mbit/s over the WAN")
            && branch.contains("× "),
        "{branch}"
    );
}

/// Growth sized now or as a step keeps the branches recording at the head office: the grown
/// design is deployed with today's cameras, every branch camera on a head office recorder.
#[test]
fn growth_keeps_the_branches_recording_at_the_head_office() {
    for sizing in ["now", "step"] {
        let text = CENTRAL.replace(
            "redundancy = \"n+1\"",
            &format!("redundancy = \"n+1\"\ncameras-in-36-months = 120\ngrowth = \"{sizing}\""),
        );
        let p = plan_of(&text);
        let g = p.growth.as_ref().unwrap();
        if let Some(step) = &g.vms_step {
            let branch = step.sites.iter().find(|s| s.site == "Branch").unwrap();
            assert!(
                branch.text.contains("recorded at Head office"),
                "{}",
                branch.text
            );
        }
        assert!(p.vms.sites[1].units.is_empty() && p.nvr.sites[1].units.is_empty());
        let m = manifest_of(&text, Choice::Vms);
        assert_eq!(m.cameras.len(), 88, "{sizing}");
        assert!(m.recorders.iter().all(|r| r.site == "head-office"));
        let listed: usize = m.recorders.iter().map(|r| r.cameras.len()).sum();
        assert_eq!(listed, 88, "{sizing}");
        assert!(m.fits, "{sizing}: {:#?}", m.violations);
        let wan: Vec<_> = m
            .network
            .links
            .iter()
            .filter(|l| l.from.starts_with("branch-") && l.to.starts_with("head-office/"))
            .collect();
        assert!(wan.iter().all(|l| l.forward_bps == BRANCH_WIRE), "{sizing}");
        // Without a wan-uplink the link gets the capacity the plan found it needs: the grown
        // need when the growth is bought now, today's when the added cameras come in a step.
        let w = &p.central_recording[0];
        let capacity = match sizing {
            "now" => w.grown.unwrap().needed_bps,
            _ => w.needed_bps,
        };
        assert!(w.grown.unwrap().needed_bps > w.needed_bps);
        assert!(
            wan.iter().all(|l| l.capacity_bps == capacity),
            "{sizing}: {wan:?}"
        );
    }
}

/// The WAN figure after the growth: the branches' 8 cameras grow to 11 by year 3, which need
/// 11 × 4,382,720 bit/s under 75 %; a 50 Mbit/s uplink carries today's and not the grown, which
/// the plan reports as a ceiling broken after the growth.
#[test]
fn the_wan_need_after_the_growth_is_stated_and_checked() {
    let text = with_wan("50Mbps").replace(
        "redundancy = \"n+1\"",
        "redundancy = \"n+1\"\ncameras-in-36-months = 120",
    );
    let p = plan_of(&text);
    let w = &p.central_recording[0];
    assert_eq!(w.fits, Some(true));
    let g = w.grown.unwrap();
    assert_eq!(g.cameras, 11);
    assert_eq!(g.wire_bps, 11 * BRANCH_CAMERA_WIRE);
    // 48,209,920 bit/s at 75 %: 64,279,893.3 rounded up.
    assert_eq!(g.needed_bps, 64_279_894);
    assert_eq!(g.fits, Some(false));
    // The head office takes in the six branches' grown streams after the growth.
    let intake = p.central_intake[0].grown.unwrap();
    assert_eq!(intake.cameras, 66);
    assert_eq!(intake.wire_bps, 6 * 11 * BRANCH_CAMERA_WIRE);
    assert!(
        p.central_intake[0]
            .text
            .contains("beside its other traffic; after the growth, their 66 cameras need"),
        "{}",
        p.central_intake[0].text
    );
    assert!(
        w.text
            .contains("after the growth its 11 cameras need 64.28 Mbit/s"),
        "{}",
        w.text
    );
    for violations in [&p.nvr.violations, &p.vms.violations] {
        assert!(
            violations.iter().any(|v| v.element
                == "Branch → Head office WAN uplink (after the growth)"
                && v.load == 11 * BRANCH_CAMERA_WIRE),
            "{violations:?}"
        );
    }
}

/// Seven sites, but recorders at one: "more than one site" is not a reason for a VMS when the
/// branches record at the head office. A second site with recorders of its own makes it one,
/// and the reason says how many sites hold recorders.
#[test]
fn sites_recorded_centrally_do_not_make_the_plan_multi_site() {
    let p = plan_of(CENTRAL);
    assert_eq!(p.summary.sites, 7);
    assert!(
        p.recommendation
            .reasons
            .iter()
            .all(|r| r.code != "multi-site"),
        "{:?}",
        p.recommendation.reasons
    );
    let two = format!(
        "{CENTRAL}\n[[site]]\nname = \"Depot\"\n  [[site.cameras]]\n  name = \"Yard\"\n  count = 4\n  brand = \"Axis\"\n  resolution = \"1080p\"\n  codec = \"h265\"\n  fps = 15\n  retention-days = 30\n"
    );
    let p = plan_of(&two);
    let reason = p
        .recommendation
        .reasons
        .iter()
        .find(|r| r.code == "multi-site")
        .unwrap();
    assert!(
        reason
            .text
            .contains("2 sites with recorders, besides 6 recorded at one of them"),
        "{}",
        reason.text
    );
}

/// The proposal's schedule row for the branches shows the WAN link as bought: with the growth
/// bought now, sized for the grown 11 cameras (64.28 Mbit/s, what `generate` deploys), and
/// marked over a ceiling when the site file's 50 Mbit/s carries today's cameras but not those.
#[test]
fn the_branch_row_shows_the_wan_link_as_bought_and_marks_it_too_small_after_the_growth() {
    let text = with_wan("50Mbps").replace(
        "redundancy = \"n+1\"",
        "redundancy = \"n+1\"\ncameras-in-36-months = 120\ngrowth = \"now\"",
    );
    let html = proposal_of(&text);
    let schedule = schedule_of(&html);
    let at = schedule.find("<td>Branch ×6</td>").unwrap();
    let rest = &schedule[schedule[..at].rfind("<tr").unwrap()..];
    let end = rest.find("</tr>").unwrap();
    let (row, after) = (&rest[..end], &rest[end + 5..]);
    assert!(
        row.contains("11 cameras (8 today)") && row.contains("(link of 64.28 Mbit/s needed)"),
        "{row}"
    );
    assert!(row.starts_with("<tr class=\"over\""), "{row}");
    let over = &after[..after.find("</tr>").unwrap()];
    assert!(
        over.contains("Over a ceiling") && over.contains("more than its wan-uplink carries"),
        "{over}"
    );
}
