//! The proposal's assumptions page: every figure the cost model and the design used that the
//! site file did not give appears with its catalog entry, its value and its source or the
//! `assumed` mark, and a figure the site file sets is shown as set there. The expected list is
//! derived from the catalog and the plan's own choices, never copied by hand.
// Helpers shared by tests unwrap too: a panic here is a failed test, not a crash on input.
#![allow(clippy::unwrap_used)]

use planner::catalog::Catalog;
use planner::figures::number;
use planner::plan::Plan;

const CHAIN: &str = include_str!("../fixtures/chain-11x9.toml");
const RETAIL: &str = include_str!("../../examples/retail-chain.toml");

fn proposal(text: &str) -> (Plan, String) {
    camscope_tests::proposal_of(text)
}

/// HTML escaping as the template engine does it, for comparing catalog text with the page.
fn escaped(s: &str) -> String {
    s.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

/// The assumptions page's row for `entry`, or a failure naming it.
fn row<'a>(page: &'a str, entry: &str) -> &'a str {
    let section = &page[page
        .find("id=\"assumptions\"")
        .expect("an assumptions section")..];
    let marker = format!("<code class=\"small\">{entry}</code>");
    let at = section
        .find(&marker)
        .unwrap_or_else(|| panic!("{entry} is not on the assumptions page"));
    let end = section[at..].find("</tr>").unwrap() + at;
    &section[at..end]
}

/// The page shows `entry` with `value` and, from the catalog, its source's title or the mark
/// `assumed` with the reason.
fn shows(page: &str, catalog: &Catalog, entry: &str, value: &str, source: Option<&str>) {
    let r = row(page, entry);
    assert!(
        r.contains(&escaped(value)),
        "{entry}: value {value} not in {r}"
    );
    match source.and_then(|s| catalog.sources.get(s)) {
        Some(s) => assert!(
            r.contains(&escaped(&s.title)),
            "{entry}: source {:?} not in {r}",
            s.title
        ),
        None => assert!(
            r.contains("<b>assumed</b>"),
            "{entry}: no assumed mark in {r}"
        ),
    }
}

fn product_source<'a>(source: Option<&'a str>, assumed: &[String], field: &str) -> Option<&'a str> {
    source.filter(|_| !assumed.iter().any(|a| a == field))
}

fn every_default_the_plan_used_is_on_the_page(text: &str) {
    let catalog = Catalog::embedded().unwrap();
    let (p, page) = proposal(text);
    // Every operating figure the cost model reads.
    for (name, f) in catalog.operating.figures() {
        shows(
            &page,
            &catalog,
            &format!("operating.{name}"),
            &number(f.value),
            f.source.as_deref(),
        );
    }
    // The recorders, servers and drives the options were built from.
    for s in &p.nvr.sites {
        for u in &s.units {
            let m = catalog.nvr.iter().find(|m| m.id == u.model_id).unwrap();
            let src = product_source(m.source.as_deref(), &m.assumed, "price");
            shows(
                &page,
                &catalog,
                &format!("nvr.{}.price", m.id),
                &number(m.price),
                src,
            );
        }
    }
    for s in &p.vms.sites {
        for u in &s.units {
            let m = catalog.server.iter().find(|m| m.id == u.model_id).unwrap();
            let src = product_source(m.source.as_deref(), &m.assumed, "price");
            shows(
                &page,
                &catalog,
                &format!("server.{}.price", m.id),
                &number(m.price),
                src,
            );
            let src = product_source(m.source.as_deref(), &m.assumed, "refresh-years");
            shows(
                &page,
                &catalog,
                &format!("server.{}.refresh-years", m.id),
                &m.refresh_years.to_string(),
                src,
            );
        }
    }
    for u in p
        .nvr
        .sites
        .iter()
        .chain(&p.vms.sites)
        .flat_map(|s| &s.units)
    {
        let d = catalog
            .drive
            .iter()
            .filter(|d| d.size.get() == u.drive_size_bytes)
            .min_by(|a, b| a.price.total_cmp(&b.price))
            .unwrap();
        let src = product_source(d.source.as_deref(), &d.assumed, "price");
        shows(
            &page,
            &catalog,
            &format!("drive.{}.price", d.id),
            &number(d.price),
            src,
        );
    }
    // The VMS product's licence and care terms, and the platform items it needs.
    let v = catalog.vms_product(&p.vms.product_id).unwrap();
    let src = |field| product_source(v.source.as_deref(), &v.assumed, field);
    shows(
        &page,
        &catalog,
        &format!("vms.{}.per-channel", v.id),
        &number(v.per_channel),
        src("per-channel"),
    );
    if v.care_rate > 0.0 {
        shows(
            &page,
            &catalog,
            &format!("vms.{}.care-rate", v.id),
            &number(v.care_rate),
            src("care-rate"),
        );
    }
    for item in catalog
        .platform
        .iter()
        .filter(|i| v.platform.contains(&i.id))
    {
        let src = product_source(item.source.as_deref(), &item.assumed, "price");
        shows(
            &page,
            &catalog,
            &format!("platform.{}.price", item.id),
            &number(item.price),
            src,
        );
    }
    // Storage and network defaults, and the refresh age of appliances.
    let d = &catalog.defaults;
    for (name, value, source) in [
        (
            "format-loss",
            number(d.format_loss.value),
            &d.format_loss.source,
        ),
        (
            "fill-target",
            number(d.fill_target.value),
            &d.fill_target.source,
        ),
        (
            "safety-margin",
            number(d.safety_margin.value),
            &d.safety_margin.source,
        ),
        (
            "network-overhead",
            number(d.network_overhead.value),
            &d.network_overhead.source,
        ),
        (
            "nvr-refresh-years",
            d.nvr_refresh_years.value.to_string(),
            &d.nvr_refresh_years.source,
        ),
    ] {
        shows(
            &page,
            &catalog,
            &format!("defaults.{name}"),
            &value,
            source.as_deref(),
        );
    }
    // The plan's JSON carries the same list.
    let json = serde_json::to_value(&p).unwrap();
    let entries: Vec<&str> = json["figures_used"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["entry"].as_str().unwrap())
        .collect();
    for f in &p.figures_used {
        assert!(entries.contains(&f.entry.as_str()));
        row(&page, &f.entry);
    }
}

#[test]
fn the_chain_proposal_lists_every_default_it_used() {
    every_default_the_plan_used_is_on_the_page(CHAIN);
}

#[test]
fn the_retail_example_proposal_lists_every_default_it_used() {
    every_default_the_plan_used_is_on_the_page(RETAIL);
}

#[test]
fn a_figure_the_site_file_sets_is_shown_as_set_there() {
    let text = format!("{CHAIN}\n[costs]\nlabour-rate = 55.5\npue = 1.6\n");
    let (p, page) = proposal(&text);
    for (entry, value) in [("operating.labour-rate", "55.5"), ("operating.pue", "1.6")] {
        let r = row(&page, entry);
        assert!(r.contains(value), "{r}");
        assert!(r.contains("set in the site file"), "{r}");
        assert!(!r.contains("<b>assumed</b>"), "{r}");
    }
    // The other figures still come from the catalog.
    let catalog = Catalog::embedded().unwrap();
    let f = &catalog.operating.energy_price;
    shows(
        &page,
        &catalog,
        "operating.energy-price",
        &number(f.value),
        f.source.as_deref(),
    );
    assert_eq!(
        p.figures_used
            .iter()
            .filter(|f| f.basis == planner::figures::Basis::SiteFile)
            .count(),
        3,
        "labour rate, PUE and the horizon the fixture sets"
    );
}
