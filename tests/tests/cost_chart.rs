//! The proposal's "what the money is spent on": each option's spend over the horizon stacked by
//! kind of cost, and the same figures as a table. The expected figures are summed here from the
//! plan's own year-by-year lines, so the chart can only pass by drawing what the plan costed.
// Helpers shared by tests unwrap too: a panic here is a failed test, not a crash on input.
#![allow(clippy::unwrap_used)]

use planner::cost::{CostKind, YearCost};
use planner::money::Money;
use planner::plan::Plan;
use planner::render::money;

use camscope_tests::CHAIN_11X9 as CHAIN;

fn proposal(text: &str) -> (Plan, String) {
    camscope_tests::proposal_of(text)
}

/// One option's spend on `kind` over every year, summed from the plan's year lines.
fn spent(tco: &[YearCost], nvr: bool, kind: CostKind) -> Money {
    tco.iter()
        .map(|y| {
            let lines = if nvr { &y.nvr_lines } else { &y.vms_lines };
            lines
                .as_ref()
                .unwrap()
                .get(&kind)
                .copied()
                .unwrap_or(Money::ZERO)
        })
        .sum()
}

/// The stacked segments drawn for one column: (kind, height, title).
fn segments<'a>(html: &'a str, column: &str) -> Vec<(&'a str, f64, &'a str)> {
    let start = html
        .find(&format!("<g class=\"stack\" data-name=\"{column}\">"))
        .unwrap_or_else(|| panic!("no stacked column {column}"));
    let group = &html[start..start + html[start..].find("</g>").unwrap()];
    group
        .split("<rect class=\"segment ")
        .skip(1)
        .map(|r| {
            let attr = |name: &str| {
                let at = r.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                &r[at..at + r[at..].find('"').unwrap()]
            };
            let title = &r[r.find("<title>").unwrap() + 7..r.find("</title>").unwrap()];
            (attr("data-kind"), attr("height").parse().unwrap(), title)
        })
        .collect()
}

#[test]
fn the_chain_proposal_stacks_each_options_spend_by_kind_as_the_plan_costed_it() {
    let (p, html) = proposal(CHAIN);
    let last = p.tco.last().unwrap();
    for (nvr, column, cumulative) in [
        (true, "NVR appliances", last.nvr_cumulative.unwrap()),
        (false, "VMS", last.vms_cumulative.unwrap()),
    ] {
        let drawn = segments(&html, column);
        let expected: Vec<(CostKind, Money)> = CostKind::ALL
            .iter()
            .map(|&k| (k, spent(&p.tco, nvr, k)))
            .filter(|(_, m)| *m != Money::ZERO)
            .collect();
        assert_eq!(drawn.len(), expected.len(), "{column}: {drawn:?}");
        let total: Money = expected.iter().map(|(_, m)| *m).sum();
        // The stack adds up to the cumulative cost at the horizon, as the line chart shows it.
        assert_eq!(total, cumulative, "{column}");
        let height: f64 = drawn.iter().map(|d| d.1).sum();
        for ((kind, h, title), (k, m)) in drawn.iter().zip(&expected) {
            assert_eq!(*kind, k.label());
            assert_eq!(
                *title,
                format!("{column}, {}: {}", k.label(), money(m.as_f64()))
            );
            // Each segment's share of the column is its share of the money (to the 0.1 unit
            // the geometry is rounded to).
            let share = m.as_f64() / total.as_f64();
            assert!(
                (h / height - share).abs() < 0.01,
                "{column} {kind}: {h} of {height}"
            );
        }
    }
    // The table beside it: one row per kind, NVR and VMS, and the signed difference. On the
    // chain, management labour is where eleven islands cost more than one platform.
    let labour = CostKind::Management;
    let (n, v) = (spent(&p.tco, true, labour), spent(&p.tco, false, labour));
    assert!(n > v, "eleven NVR islands cost more to manage than one VMS");
    let row = format!(
        "{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">+{}</td>",
        labour.label(),
        n.whole(),
        v.whole(),
        (n - v).whole()
    );
    assert!(html.contains(&row), "no management row {row}");
}

#[test]
fn an_option_that_cannot_be_built_is_a_column_that_says_so_never_a_zero_stack() {
    // RAID 6 with Section 889: no eligible NVR appliance offers it.
    let (p, html) = proposal(&camscope_tests::without_a_buildable_nvr(CHAIN));
    assert!(!p.nvr.feasible);
    assert!(segments(&html, "NVR appliances").is_empty());
    assert!(
        html.contains(">cannot be built</text><text"),
        "the NVR column says why"
    );
    assert!(!segments(&html, "VMS").is_empty());
    let table = &html[html.find("<table class=\"cost-kinds\">").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    assert!(table.contains("<td class=\"num\">—</td>"), "{table}");
    assert!(
        !table.contains("+"),
        "no difference against an option that cannot be built"
    );
}
