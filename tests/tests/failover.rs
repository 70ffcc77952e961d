//! Failover recording servers (issue 14 item 6): an N+1 standby is sized for what it holds when
//! a server fails — that server's cameras and ingest, and its recordings for the days until the
//! server is back — not for the biggest server's full retention; and the buildings of a campus
//! may share one standby through a failover pool.
// Helpers shared by tests unwrap too: a panic here is a failed test, not a crash on input.
#![allow(clippy::unwrap_used)]

use planner::catalog::Catalog;
use planner::plan::{Plan, RecorderUnit, SiteRecorders, plan};
use planner::site::SiteFile;

const CAMPUS: &str = include_str!("../fixtures/designs/campus.toml");

fn plan_of(text: &str) -> Plan {
    let site = SiteFile::parse("campus.toml", text).unwrap_or_else(|e| panic!("{e}"));
    plan(&site, &Catalog::embedded().unwrap()).unwrap()
}

/// The campus with `failover-pool = "campus"` on the sites named.
fn pooled(sites: &[&str]) -> String {
    let mut text = CAMPUS.to_string();
    for s in sites {
        text = text.replace(
            &format!("name = \"{s}\"\n"),
            &format!("name = \"{s}\"\nfailover-pool = \"campus\"\n"),
        );
    }
    text
}

fn standbys(s: &SiteRecorders) -> Vec<&RecorderUnit> {
    s.units.iter().filter(|u| u.failover).collect()
}

fn primaries(s: &SiteRecorders) -> Vec<&RecorderUnit> {
    s.units.iter().filter(|u| !u.failover).collect()
}

/// Before: each site's standby was a copy of its most expensive server, drives included (the
/// Main hospital's: a 4U server with 21 × 20 TB for 30 days of 100 cameras). Now it holds a
/// failed server's cameras and ingest, and a week of its recordings: it costs less than the
/// server it covers, and its drives are a fraction of that server's.
#[test]
fn the_campus_standby_costs_less_than_the_biggest_server() {
    let p = plan_of(CAMPUS);
    for s in &p.vms.sites {
        let standby = standbys(s);
        assert_eq!(standby.len(), 1, "{}: one N+1 standby", s.site);
        let f = standby[0];
        let biggest = primaries(s)
            .into_iter()
            .max_by(|a, b| a.price().total_cmp(&b.price()))
            .unwrap();
        assert!(
            f.price() < biggest.price(),
            "{}: standby {} vs server {}",
            s.site,
            f.price(),
            biggest.price()
        );
        assert!(
            f.usable_bytes * 2 < biggest.usable_bytes,
            "{}: standby keeps {} usable, the server {}",
            s.site,
            f.usable_bytes,
            biggest.usable_bytes
        );
        for primary in primaries(s) {
            assert!(primary.cameras <= f.camera_limit, "{}", s.site);
            assert!(primary.ingest_bps <= f.ingest_limit_bps, "{}", s.site);
            assert!(primary.link_bps <= f.link_limit_bps, "{}", s.site);
        }
    }
}

/// Two buildings naming one failover pool share one standby, placed at the first of them in
/// file order; the third building keeps its own.
#[test]
fn two_buildings_in_one_pool_get_one_standby() {
    let p = plan_of(&pooled(&["Main hospital", "Outpatients"]));
    let count = |name: &str| {
        let s = p.vms.sites.iter().find(|s| s.site == name).unwrap();
        standbys(s).len()
    };
    assert_eq!(count("Main hospital"), 1);
    assert_eq!(count("Outpatients"), 0);
    assert_eq!(count("Parking structure"), 1);
    assert_eq!(p.vms.failover_servers, 2);
    // The pool's standby holds any one server of either building.
    let main = p
        .vms
        .sites
        .iter()
        .find(|s| s.site == "Main hospital")
        .unwrap();
    let f = standbys(main)[0];
    for s in p.vms.sites.iter().take(2) {
        for primary in primaries(s) {
            assert!(primary.cameras <= f.camera_limit, "{}", s.site);
            assert!(primary.ingest_bps <= f.ingest_limit_bps, "{}", s.site);
            assert!(primary.link_bps <= f.link_limit_bps, "{}", s.site);
        }
    }
}

/// A longer failover retention in the site file buys the standbys more drives.
#[test]
fn failover_retention_days_in_the_site_file_changes_the_standby_drives() {
    let week = plan_of(CAMPUS);
    let fortnight = plan_of(&CAMPUS.replace(
        "redundancy = \"n+1\"",
        "redundancy = \"n+1\"\nfailover-retention-days = 21",
    ));
    let standby_drives =
        |p: &Plan| -> Vec<u32> { p.vms.sites.iter().map(|s| standbys(s)[0].drives).collect() };
    let (a, b) = (standby_drives(&week), standby_drives(&fortnight));
    assert!(a.iter().zip(&b).all(|(x, y)| x <= y), "{a:?} vs {b:?}");
    assert!(a.iter().zip(&b).any(|(x, y)| x < y), "{a:?} vs {b:?}");
}
