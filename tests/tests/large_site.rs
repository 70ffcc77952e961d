//! A 10,000-camera single site (issue 14 item 8) deploys and reports: every device gets its own
//! address in a block big enough for the site (a /18 rather than the /22 a small site gets),
//! every camera is on a recorder, and the proposal summarises identical recorders on one line.
// Helpers shared by tests unwrap too: a panic here is a failed test, not a crash on input.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use planner::catalog::Catalog;
use planner::deploy::{Choice, deploy};
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
    // Sized to the camera count: 48-port access switches, not 1,251 eight-port ones. Their
    // uplinks need more core ports than the catalog's largest core has; the design says so
    // (an aggregation layer is not designed yet) and nothing else is over a ceiling.
    let access: Vec<_> = m
        .network
        .switches
        .iter()
        .filter(|s| s.role == "access")
        .collect();
    assert!(access.iter().all(|s| s.ports == 48), "{:?}", access.first());
    assert!(
        access.len() <= 10_000 / 48 + 1,
        "{} access switches",
        access.len()
    );
    assert!(!m.fits);
    assert_eq!(m.violations.len(), 1, "{:?}", m.violations);
    assert_eq!(m.violations[0].element, "central-depot/core");
    assert!(
        m.violations[0].message.contains("aggregation layer"),
        "{}",
        m.violations[0].message
    );
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
    let html = reports::render(&view);
    assert!(html.contains("Design schedule"));
}
