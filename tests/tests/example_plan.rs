//! Snapshots of the built-in example's plan: any change to the figures, the catalog or the
//! rendering shows up as a reviewed diff (`cargo insta review`), never silently.
// Helpers shared by tests unwrap too: a panic here is a failed test, not a crash on input.
#![allow(clippy::unwrap_used)]

use planner::catalog::Catalog;
use planner::plan::plan;
use planner::render::plan_table;
use planner::site::{EXAMPLE, SiteFile};

fn example() -> planner::plan::Plan {
    let site = SiteFile::parse("retail-chain.toml", EXAMPLE).unwrap();
    plan(&site, &Catalog::embedded().unwrap()).unwrap()
}

#[test]
fn example_plan_json() {
    insta::assert_json_snapshot!(example());
}

#[test]
fn example_plan_table() {
    insta::assert_snapshot!(plan_table(&example()));
}

#[test]
fn example_figures_add_up() {
    let p = example();
    // The summary's retention need is the sum of the groups' (copies included).
    let groups: u64 = p.groups.iter().map(|g| g.bytes_total).sum();
    assert_eq!(p.summary.recorded_bytes, groups);
    // Each NVR site carries every one of its cameras.
    for s in &p.nvr.sites {
        assert_eq!(s.units.iter().map(|u| u.cameras).sum::<u32>(), s.cameras);
    }
    // Cumulative costs are running sums of the yearly ones.
    let mut nvr = planner::money::Money::ZERO;
    for y in &p.tco {
        nvr += y.nvr.unwrap();
        assert_eq!(y.nvr_cumulative.unwrap(), nvr);
    }
}
