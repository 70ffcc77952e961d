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

/// Each campus standby says what it was sized for, and its drives hold that: the most cameras,
/// ingest and link load of any one server of its site, and a week (the catalog default, an
/// assumption the plan lists) of that server's recordings with the headroom policy in force.
#[test]
fn the_campus_standby_shows_what_it_takes_over() {
    let p = plan_of(CAMPUS);
    let catalog = Catalog::embedded().unwrap();
    let days = catalog.defaults.failover_retention_days.value;
    assert_eq!(days, 7);
    for s in &p.vms.sites {
        let f = standbys(s)[0];
        let c = f.covers.as_ref().unwrap();
        assert_eq!((f.cameras, f.ingest_bps, f.recorded_bytes), (0, 0, 0));
        assert_eq!(c.sites, vec![s.site.clone()]);
        assert_eq!(c.server, None);
        assert_eq!(c.servers as usize, primaries(s).len());
        assert_eq!(c.retention_days, days);
        let most = |g: fn(&RecorderUnit) -> u64| primaries(s).into_iter().map(g).max().unwrap();
        assert_eq!(u64::from(c.cameras), most(|u| u64::from(u.cameras)));
        assert_eq!(c.ingest_bps, most(|u| u.ingest_bps));
        assert_eq!(c.link_bps, most(|u| u.link_bps));
        // Every campus camera keeps 30 days: the standby keeps 7/30 of a server's recordings.
        assert_eq!(
            c.recorded_bytes.div_ceil(1_000_000),
            (most(|u| u.recorded_bytes) * 7 / 30).div_ceil(1_000_000)
        );
        let need = p
            .storage
            .headroom
            .capacity_needed(sizing::Bytes(c.recorded_bytes));
        assert_eq!(f.capacity_needed_bytes, need.get());
        assert!(f.capacity_needed_bytes <= f.usable_bytes);
        assert!(c.cameras <= f.camera_limit && c.ingest_bps <= f.ingest_limit_bps);
        assert!(c.link_bps <= f.link_limit_bps);
    }
    let figure = p
        .figures_used
        .iter()
        .find(|f| f.entry == "defaults.failover-retention-days")
        .unwrap();
    assert!(figure.basis.is_assumed(), "{figure:?}");
    assert_eq!(figure.value, "7");
    // Set in the site file, it is shown as set there.
    let set = plan_of(&CAMPUS.replace(
        "redundancy = \"n+1\"",
        "redundancy = \"n+1\"\nfailover-retention-days = 21",
    ));
    let figure = set
        .figures_used
        .iter()
        .find(|f| f.entry == "defaults.failover-retention-days")
        .unwrap();
    assert_eq!(figure.basis, planner::figures::Basis::SiteFile);
    assert_eq!(figure.value, "21");
}

/// The whole campus in one pool: one standby at the Main hospital, sized for the biggest server
/// of any building (the Outpatients' 120 cameras, the Main hospital's 580 Mbit/s), and the plan
/// says what a building's failure puts on the campus network. `generate` places it on the Main
/// hospital's network and finds every building's servers within what it can take over.
#[test]
fn a_campus_pool_shares_one_standby_that_generate_checks_against_every_building() {
    let text = pooled(&["Main hospital", "Outpatients", "Parking structure"]);
    let p = plan_of(&text);
    assert_eq!(p.vms.failover_servers, 1);
    let f = standbys(&p.vms.sites[0])[0];
    let c = f.covers.as_ref().unwrap();
    assert_eq!(c.pool.as_deref(), Some("campus"));
    assert_eq!(c.sites.len(), 3);
    assert_eq!(c.servers, 6);
    assert_eq!(c.cameras, 120);
    assert_eq!(c.ingest_bps, 580_000_000);
    assert!(p.vms.violations.is_empty(), "{:?}", p.vms.violations);
    assert!(
        p.vms.failover_notes.iter().any(|n| n.contains("\"campus\"")
            && n.contains("Main hospital")
            && n.contains("513.60 Mbit/s")),
        "{:?}",
        p.vms.failover_notes
    );
    let site = SiteFile::parse("campus.toml", &text).unwrap();
    let catalog = Catalog::embedded().unwrap();
    let m = planner::deploy::deploy(&site, &catalog, &p, planner::deploy::Choice::Vms).unwrap();
    let standby: Vec<_> = m
        .recorders
        .iter()
        .filter(|r| r.role == "failover")
        .collect();
    assert_eq!(standby.len(), 1);
    assert_eq!(standby[0].site, m.sites[0].id);
    assert!(m.fits, "{:#?}", m.violations);
    // Without the pool, the same campus pays for three standbys.
    let own = plan_of(CAMPUS);
    let hardware = |p: &Plan| p.vms.hardware.unwrap().as_f64();
    assert!(
        hardware(&p) + 30_000.0 < hardware(&own),
        "{} vs {}",
        hardware(&p),
        hardware(&own)
    );
}

/// A pool name one site gives alone changes nothing; pools with `redundancy = "failover"` do
/// nothing either, and the plan says so.
#[test]
fn a_lone_pool_or_a_pool_without_n_plus_one_changes_nothing() {
    let alone = plan_of(&pooled(&["Outpatients"]));
    let own = plan_of(CAMPUS);
    assert_eq!(alone.vms.hardware, own.vms.hardware);
    assert_eq!(alone.vms.failover_servers, 3);
    assert!(alone.vms.failover_notes.is_empty());
    let failover = pooled(&["Main hospital", "Outpatients"])
        .replace("redundancy = \"n+1\"", "redundancy = \"failover\"");
    let p = plan_of(&failover);
    assert_eq!(p.vms.failover_servers, 6, "one standby per server");
    assert!(
        p.vms
            .failover_notes
            .iter()
            .any(|n| n.contains("failover-pool has no effect")),
        "{:?}",
        p.vms.failover_notes
    );
}

/// With `redundancy = "failover"` every server has a standby sized for that server alone, and
/// `generate` checks each standby against its own server only.
#[test]
fn failover_pairs_each_server_with_a_standby_sized_for_it() {
    let text = CAMPUS.replace("redundancy = \"n+1\"", "redundancy = \"failover\"");
    let p = plan_of(&text);
    for s in &p.vms.sites {
        let own = primaries(s);
        let standby = standbys(s);
        assert_eq!(own.len(), standby.len(), "{}", s.site);
        for f in standby {
            let c = f.covers.as_ref().unwrap();
            let n = c.server.unwrap() as usize;
            let primary = &s.units[n - 1];
            assert!(!primary.failover);
            assert_eq!(c.servers, 1);
            assert_eq!(
                (c.cameras, c.ingest_bps, c.link_bps),
                (primary.cameras, primary.ingest_bps, primary.link_bps)
            );
            assert!(f.price() < primary.price(), "{}", s.site);
        }
    }
    let site = SiteFile::parse("campus.toml", &text).unwrap();
    let catalog = Catalog::embedded().unwrap();
    let m = planner::deploy::deploy(&site, &catalog, &p, planner::deploy::Choice::Vms).unwrap();
    assert!(m.fits, "{:#?}", m.violations);
}

/// A standby that cannot hold what it stands by for is reported by both `plan` and `generate`:
/// 300 cameras on one fixed 2U server is more than any catalog server can take over.
#[test]
fn a_standby_that_cannot_take_over_is_reported_by_plan_and_generate() {
    let text = "version = 1\n[project]\nname = \"overload\"\n[requirements]\ncamera-brands = [\"Axis\"]\nanalytics = \"motion\"\nredundancy = \"n+1\"\n[[site]]\nname = \"Depot\"\n[site.network]\nrecorder = \"rack-2u-128\"\n[[site.cameras]]\ncount = 300\nresolution = \"1080p\"\ncodec = \"h265\"\nfps = 15\nretention-days = 14\n";
    let p = plan_of(text);
    let taking_over: Vec<_> = p
        .vms
        .violations
        .iter()
        .filter(|v| v.element.contains("taking over"))
        .collect();
    assert!(
        taking_over
            .iter()
            .any(|v| v.message.contains("300 cameras on 128 channels")),
        "{:?}",
        p.vms.violations
    );
    let site = SiteFile::parse("overload.toml", text).unwrap();
    let catalog = Catalog::embedded().unwrap();
    let m = planner::deploy::deploy(&site, &catalog, &p, planner::deploy::Choice::Vms).unwrap();
    assert!(!m.fits);
    assert!(
        m.violations
            .iter()
            .any(|v| v.ceiling == planner::plan::Ceiling::Failover
                && v.message.contains("cannot take over depot/server-1")),
        "{:#?}",
        m.violations
    );
}

use proptest::prelude::*;

/// A random camera group: count, resolution, codec, fps.
type RandomGroup = (u32, &'static str, &'static str, u32);

/// A random site file: sites of one copy, each of camera groups (count, resolution, codec, fps)
/// all kept `retention` days, some in failover pool "a" or "b", with N+1 and a failover
/// retention of `failover_days`.
fn random_site(
    sites: &[(Option<&str>, Vec<RandomGroup>)],
    retention: u32,
    failover_days: u32,
) -> String {
    let mut t = format!(
        "version = 1\n[project]\nname = \"random\"\n[requirements]\nanalytics = \"detection\"\nredundancy = \"n+1\"\nfailover-retention-days = {failover_days}\n[storage]\nraid = \"raid6\"\nhot-spares = 1\n"
    );
    for (i, (pool, groups)) in sites.iter().enumerate() {
        t.push_str(&format!("[[site]]\nname = \"building {i}\"\n"));
        if let Some(pool) = pool {
            t.push_str(&format!("failover-pool = \"{pool}\"\n"));
        }
        for (count, resolution, codec, fps) in groups {
            t.push_str(&format!(
                "[[site.cameras]]\ncount = {count}\nresolution = \"{resolution}\"\ncodec = \"{codec}\"\nfps = {fps}\nretention-days = {retention}\n"
            ));
        }
    }
    t
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Every server has exactly one standby standing by for it (its site's, or its pool's at
    /// the pool's first site), and that standby's ceilings hold the server's cameras, ingest and
    /// link load, with drives for the server's recordings over the failover days; and
    /// `generate` finds no standby short of a server it covers.
    #[test]
    fn every_server_has_one_standby_that_holds_it(
        sites in prop::collection::vec((
            prop::option::of(prop::sample::select(vec!["a", "b"])),
            prop::collection::vec((
                1u32..150,
                prop::sample::select(vec!["720p", "1080p", "4MP", "4K"]),
                prop::sample::select(vec!["h264", "h265"]),
                5u32..31,
            ), 1..3),
        ), 1..5),
        retention in 1u32..60,
        failover_days in 1u32..40,
    ) {
        let text = random_site(&sites, retention, failover_days);
        let p = plan_of(&text);
        prop_assume!(p.vms.feasible);
        // `generate` agrees: no standby it deploys falls short of a server it stands by for.
        let site = SiteFile::parse("random.toml", &text).unwrap();
        let m = planner::deploy::deploy(&site, &Catalog::embedded().unwrap(), &p, planner::deploy::Choice::Vms).unwrap();
        let short: Vec<_> = m.violations.iter().filter(|v| v.ceiling == planner::plan::Ceiling::Failover).collect();
        prop_assert!(short.is_empty(), "{:?}", short);
        let all = &p.vms.sites;
        let standbys_of = |site: &str| -> Vec<&RecorderUnit> {
            all.iter()
                .flat_map(|s| &s.units)
                .filter(|u| u.covers.as_ref().is_some_and(|c| c.sites.iter().any(|n| n == site)))
                .collect()
        };
        for (k, s) in all.iter().enumerate() {
            let pool = sites[k].0;
            let first_of_pool = pool.is_none_or(|name| sites.iter().position(|x| x.0 == Some(name)) == Some(k));
            prop_assert_eq!(standbys(s).len(), usize::from(first_of_pool), "{}", &s.site);
            let covering = standbys_of(&s.site);
            prop_assert_eq!(covering.len(), 1, "{}", &s.site);
            let f = covering[0];
            let c = f.covers.as_ref().unwrap();
            prop_assert_eq!(c.retention_days, failover_days);
            prop_assert!(f.capacity_needed_bytes <= f.usable_bytes);
            for u in primaries(s) {
                prop_assert!(u.cameras <= c.cameras && c.cameras <= f.camera_limit);
                prop_assert!(u.ingest_bps <= c.ingest_bps && c.ingest_bps <= f.ingest_limit_bps);
                prop_assert!(u.link_bps <= c.link_bps && c.link_bps <= f.link_limit_bps);
                // Its recordings over the failover days (rounding: under a byte a camera-day).
                let days = u128::from(failover_days.min(retention));
                let kept = u128::from(u.recorded_bytes) * days / u128::from(retention);
                let slack = u128::from(u.cameras) * u128::from(failover_days);
                prop_assert!(u128::from(c.recorded_bytes) + slack >= kept);
            }
        }
    }
}

/// A pool one site names alone, close to another pool's name, is probably a typo: the plan
/// says so rather than silently giving that building a standby of its own.
#[test]
fn a_lone_pool_close_to_another_is_noted_as_a_likely_typo() {
    let text = pooled(&["Main hospital", "Outpatients"]).replace(
        "name = \"Parking structure\"\n",
        "name = \"Parking structure\"\nfailover-pool = \"campsu\"\n",
    );
    let p = plan_of(&text);
    assert_eq!(p.vms.failover_servers, 2);
    assert!(
        p.vms.failover_notes.iter().any(|n| n.contains("\"campsu\"")
            && n.contains("Parking structure")
            && n.contains("did you mean \"campus\"?")),
        "{:?}",
        p.vms.failover_notes
    );
}

/// A pool's link between buildings is modelled: the plan states what each building's link to
/// the standby's building needs (its busiest server's streams, under the link utilisation
/// ceiling), a `wan-uplink` below that is a finding of the plan, and `generate` deploys the
/// link from the building's core to the standby's core, carrying nothing until a server fails,
/// and reports it as a failover ceiling when it is too small.
#[test]
fn a_pool_links_each_building_to_the_standby_and_checks_that_link() {
    let text = pooled(&["Main hospital", "Outpatients", "Parking structure"]);
    let p = plan_of(&text);
    assert_eq!(p.vms.pool_links.len(), 2);
    for l in &p.vms.pool_links {
        assert_eq!(l.host, "Main hospital");
        let busiest = p
            .vms
            .sites
            .iter()
            .find(|s| s.site == l.site)
            .unwrap()
            .units
            .iter()
            .map(|u| u.link_bps)
            .max()
            .unwrap();
        assert_eq!(l.load_bps, busiest);
        assert!(l.needed_bps as f64 * 0.75 >= l.load_bps as f64);
        assert_eq!(l.uplink_bps, None);
    }
    let site = SiteFile::parse("campus.toml", &text).unwrap();
    let catalog = Catalog::embedded().unwrap();
    let m = planner::deploy::deploy(&site, &catalog, &p, planner::deploy::Choice::Vms).unwrap();
    assert!(m.fits, "{:#?}", m.violations);
    let between: Vec<_> = m
        .network
        .links
        .iter()
        .filter(|l| l.from.starts_with("outpatients/") || l.from.starts_with("parking-structure/"))
        .filter(|l| l.to.starts_with("main-hospital/"))
        .collect();
    assert_eq!(between.len(), 2, "{:#?}", m.network.links);
    assert!(between.iter().all(|l| l.load_bps() == 0));
    // Outpatients' link at 100 Mbit/s is too small for its busiest server.
    let small = text.replace(
        "name = \"Outpatients\"\nfailover-pool = \"campus\"\n",
        "name = \"Outpatients\"\nfailover-pool = \"campus\"\n[site.network]\nwan-uplink = \"100Mbps\"\n",
    );
    assert_ne!(small, text);
    let p = plan_of(&small);
    assert!(
        p.vms.violations.iter().any(
            |v| v.element.starts_with("Outpatients → Main hospital link") && v.limit == 75_000_000
        ),
        "{:?}",
        p.vms.violations
    );
    let site = SiteFile::parse("campus.toml", &small).unwrap();
    let m = planner::deploy::deploy(&site, &catalog, &p, planner::deploy::Choice::Vms).unwrap();
    // On the pool's first site, where the standby stands, a wan-uplink has no effect: said.
    let host = text.replace(
        "name = \"Main hospital\"\nfailover-pool = \"campus\"\n",
        "name = \"Main hospital\"\nfailover-pool = \"campus\"\n[site.network]\nwan-uplink = \"1Gbps\"\n",
    );
    assert_ne!(host, text);
    let notes = plan_of(&host).vms.failover_notes;
    assert!(
        notes
            .iter()
            .any(|n| n.contains("on Main hospital has no effect")),
        "{notes:?}"
    );
    // The link is reported once, by generate, under its ids; not again as the plan's finding.
    let outpatients: Vec<_> = m
        .violations
        .iter()
        .filter(|v| {
            v.element.starts_with("outpatients/") || v.element.starts_with("Outpatients → ")
        })
        .collect();
    assert_eq!(outpatients.len(), 1, "{:#?}", m.violations);
    assert!(
        outpatients[0].ceiling == planner::plan::Ceiling::Failover
            && outpatients[0].element.contains(" → main-hospital/"),
        "{:#?}",
        m.violations
    );
}
