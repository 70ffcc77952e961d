//! A 10,000-camera single site (issue 14 item 8) deploys and reports: every device gets its own
//! address in a block big enough for the site (a /18 rather than the /22 a small site gets),
//! every camera is on a recorder, the network has a distribution tier of aggregation switches
//! (access switches and the recorders of their cameras on each, the aggregation switches on the
//! core), and the proposal summarises identical recorders on one line.
// Helpers shared by tests unwrap too: a panic here is a failed test, not a crash on input.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use planner::catalog::Catalog;
use planner::deploy::{Choice, SwitchRole, deploy};
use planner::site::SiteFile;

#[test]
fn ten_thousand_cameras_generate_and_report() {
    let text = include_str!("../fixtures/designs/ten-thousand.toml");
    let site = SiteFile::parse("ten-thousand.toml", text).unwrap();
    let catalog = Catalog::embedded().unwrap();
    let p = planner::plan::plan(&site, &catalog).unwrap();
    assert_eq!(p.summary.cameras, 10_000);
    let m = deploy(&site, &catalog, &p, Choice::Vms).unwrap();
    assert_eq!(m.cameras.len(), 10_000);
    // Sized to the camera count: 48-port access switches, not 1,251 eight-port ones.
    let access: Vec<_> = m
        .network
        .switches
        .iter()
        .filter(|s| s.role == SwitchRole::Access)
        .collect();
    assert!(access.iter().all(|s| s.ports == 48), "{:?}", access.first());
    assert!(
        access.len() <= 10_000 / 48 + 20,
        "{} access switches",
        access.len()
    );
    // Far more access switches than any core has ports: a distribution tier of aggregation
    // switches, each carrying its access switches and the recorders of their cameras, and a
    // core that joins the aggregation switches, the failover server and the clients.
    let aggregation: Vec<_> = m
        .network
        .switches
        .iter()
        .filter(|s| s.role == SwitchRole::Aggregation)
        .collect();
    assert!(
        aggregation.len() > 1,
        "{} aggregation switches",
        aggregation.len()
    );
    assert!(aggregation.iter().all(|s| s.ports_used <= s.ports));
    let core = m
        .network
        .switches
        .iter()
        .find(|s| s.role == SwitchRole::Core)
        .unwrap();
    assert!(core.ports_used <= core.ports, "{core:?}");
    // Every access uplink and every primary recorder ends on an aggregation switch; a camera's
    // recordings never cross the core.
    let agg_ids: BTreeSet<&str> = aggregation.iter().map(|s| s.id.as_str()).collect();
    for a in &access {
        // An access switch's one link from itself is its uplink (cameras link to it).
        let up = m.network.links.iter().find(|l| l.from == a.id).unwrap();
        let other = &up.to;
        assert!(
            agg_ids.contains(other.as_str()),
            "{} uplinks to {other}",
            a.id
        );
    }
    for l in m
        .network
        .links
        .iter()
        .filter(|l| l.from == core.id || l.to == core.id)
    {
        let other = if l.from == core.id { &l.to } else { &l.from };
        assert!(
            agg_ids.contains(other.as_str())
                || m.network.clients.iter().any(|c| &c.id == other)
                || m.recorders
                    .iter()
                    .any(|r| &r.id == other && r.role == "failover"),
            "{other} on the core"
        );
    }
    assert!(m.fits, "{:?}", m.violations.first());
    assert!(m.violations.is_empty(), "{:?}", m.violations);
    assert_eq!(m.sites[0].subnet, "10.16.0.0/18");
    let addresses: BTreeSet<&str> = m
        .cameras
        .iter()
        .map(|c| c.address.as_str())
        .chain(m.recorders.iter().map(|r| r.address.as_str()))
        .chain(m.network.clients.iter().map(|c| c.address.as_str()))
        .collect();
    assert_eq!(
        addresses.len(),
        m.cameras.len() + m.recorders.len() + m.network.clients.len(),
        "two devices share an address"
    );
    let recorder_ids: BTreeSet<&str> = m.recorders.iter().map(|r| r.id.as_str()).collect();
    assert!(
        m.cameras
            .iter()
            .all(|c| recorder_ids.contains(c.recorder.as_str()))
    );
    let priced = planner::generate::bill_of_materials(&site, &catalog, &p, &m);
    let csv = planner::generate::bom_csv(&priced).unwrap();
    assert!(csv.len() > 100);
    let view = planner::proposal::proposal_view(&p, &m, &priced, None, "2026-12-02 09:00 UTC");
    // 80 recording servers and a failover, summarised: a handful of schedule lines.
    assert!(
        view.schedule.len() <= 4,
        "{} schedule lines",
        view.schedule.len()
    );
    assert_eq!(
        view.schedule.iter().map(|r| r.count).sum::<u32>() as usize,
        m.recorders.len()
    );
    // The schedule names the distribution tier: aggregation switches and the core apart, though
    // they are one model.
    let switches = &view.schedule[0].switches;
    assert!(
        switches.contains(&format!(
            "{} × 24-port 10G aggregation (core) switch as aggregation",
            aggregation.len()
        )) && switches.contains("1 × 24-port 10G aggregation (core) switch as core"),
        "{switches}"
    );
    let html = reports::render(&view);
    assert!(html.contains("Design schedule"));
    // The NVR option: 313 appliances need 25 aggregation switches, more than one 24-port core
    // joins; a star of two cores does, and plan and generate agree that it can be built.
    let m = deploy(&site, &catalog, &p, Choice::Nvr).unwrap();
    assert!(m.violations.is_empty(), "{:?}", m.violations);
    let cores: Vec<_> = m
        .network
        .switches
        .iter()
        .filter(|s| s.role == SwitchRole::Core)
        .collect();
    assert!(cores.len() >= 2, "{cores:?}");
    assert!(cores.iter().all(|c| c.ports_used <= c.ports), "{cores:?}");
}

/// Just past what one core joins (800 cameras, n+1), the tier is priced as it is built for each
/// access model. Before, the model was chosen on the flat layout's estimate of a stacked core:
/// 53 sixteen-port switches in blocks of two recorders on 4 aggregation switches, 58 switches
/// for 800 cameras.
#[test]
fn a_site_just_past_one_core_gets_a_tier_priced_as_built() {
    let text = "version = 1\n[project]\nname = \"S800\"\ncurrency = \"USD\"\n[requirements]\ncamera-brands = [\"Axis\"]\nredundancy = \"n+1\"\n[[site]]\nname = \"Big\"\n  [[site.cameras]]\n  name = \"Yard\"\n  count = 800\n  brand = \"Axis\"\n  resolution = \"1080p\"\n  codec = \"h265\"\n  fps = 15\n  retention-days = 30\n  poe-watts = 6\n";
    let site = SiteFile::parse("s800.toml", text).unwrap();
    let catalog = Catalog::embedded().unwrap();
    let p = planner::plan::plan(&site, &catalog).unwrap();
    let m = deploy(&site, &catalog, &p, Choice::Vms).unwrap();
    assert!(m.violations.is_empty(), "{:?}", m.violations);
    let switches = &m.network.switches;
    assert!(
        switches.len() <= 40,
        "{} switches for 800 cameras",
        switches.len()
    );
    let access = switches.iter().filter(|s| s.role == SwitchRole::Access);
    let ports: u32 = access.map(|s| s.ports).sum();
    assert!(
        ports < 800 * 12 / 10,
        "{ports} access ports for 800 cameras"
    );
}
