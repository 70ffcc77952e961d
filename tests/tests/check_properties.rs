//! Properties of `camscope check` over whole BOMs: a column the reader does not know is
//! reported, never read, so adding one never changes any line's verdicts.
// Test helpers unwrap: a panic here is a failed test, not a crash on input.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::OnceLock;

use compliance_data::Dataset;
use planner::check::{CheckReport, DEFAULT_DENY, Policy, check};
use proptest::prelude::*;
use time::macros::date;

fn ds() -> &'static Dataset {
    static DS: OnceLock<Dataset> = OnceLock::new();
    DS.get_or_init(|| Dataset::embedded().unwrap())
}

const HEADER: [&str; 6] = [
    "Mfr",
    "Mfg Part #",
    "Item Description",
    "COO",
    "Qty",
    "Unit Price",
];

/// Lines as an officer's quote holds them: covered, unknown, clean, passive and drone lines.
const ROWS: &[[&str; 6]] = &[
    [
        "Hikvision",
        "DS-2CD2143G2-I",
        "4MP dome",
        "China",
        "4",
        "$120",
    ],
    ["", "DS-2CD2183G2-IU", "8MP bullet", "China", "2", "$210"],
    ["Axis", "P3265-LVE", "dome camera", "Sweden", "10", "$899"],
    [
        "Northwind Optronics",
        "NW-4410",
        "4MP dome",
        "Taiwan",
        "6",
        "$240",
    ],
    ["", "", "Pole mount bracket", "Taiwan", "6", "$18"],
    ["DJI", "M350", "enterprise drone", "China", "1", "$9,000"],
    [
        "LeChange",
        "C6",
        "indoor camera",
        "Designed in California, Made in China",
        "2 ea",
        "$40",
    ],
    ["Cisco", "C9300-48P", "PoE switch", "Mexico", "1", "$7,000"],
];

fn csv(rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.into_inner().unwrap()
}

fn run(bytes: &[u8]) -> CheckReport {
    let opts = bom::ReadOptions::default().with_product_hint(planner::check::product_hint(
        std::sync::Arc::new(Dataset::embedded().unwrap()),
    ));
    let bom =
        bom::read_bom_from_bytes(Path::new("quote.csv"), bytes, bom::Format::Csv, &opts).unwrap();
    check(
        &bom,
        ds(),
        "embedded",
        &Policy::default(),
        DEFAULT_DENY,
        date!(2026 - 12 - 02),
    )
}

/// What a verdict says. A bad cell is named by its column letter, which moves when a column is
/// inserted before it, so problems are compared by field and message.
fn verdicts(r: &CheckReport) -> Vec<String> {
    r.lines
        .iter()
        .map(|l| {
            let problems: Vec<&str> = l
                .problems
                .iter()
                .map(|p| p.split_once(" (").map_or(p.as_str(), |(_, rest)| rest))
                .collect();
            serde_json::to_string(&(
                &l.section_889,
                &l.taa,
                &l.other_lists,
                &l.denied,
                &l.warned,
                l.level,
                problems,
            ))
            .unwrap()
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// An extra column with a header the reader does not know, anywhere, holding anything — even
    /// a covered maker's name — leaves every verdict as it was, and is reported as unread.
    #[test]
    fn an_unknown_column_never_changes_a_verdict(
        at in 0usize..=6,
        name in "Zq[a-z]{3,8}",
        values in prop::collection::vec(
            prop::sample::select(&["", "Hikvision", "Huawei inside", "USA", "42", "drone", "=SUM(A1)", "n/a"][..]),
            ROWS.len(),
        ),
        picked in prop::sample::subsequence((0..ROWS.len()).collect::<Vec<_>>(), 1..=ROWS.len()),
    ) {
        let rows: Vec<&[&str; 6]> = picked.iter().map(|&i| &ROWS[i]).collect();
        let plain: Vec<Vec<String>> = std::iter::once(HEADER.map(str::to_owned).to_vec())
            .chain(rows.iter().map(|r| r.map(str::to_owned).to_vec()))
            .collect();
        let mut extra = plain.clone();
        extra[0].insert(at, name.clone());
        for (k, row) in extra.iter_mut().skip(1).enumerate() {
            row.insert(at, values[k].to_owned());
        }
        let before = run(&csv(&plain));
        let after = run(&csv(&extra));
        prop_assert_eq!(before.lines.len(), picked.len(), "a line was dropped");
        prop_assert_eq!(verdicts(&before), verdicts(&after));
        prop_assert_eq!(before.skipped.len(), after.skipped.len());
        prop_assert!(
            after.warnings.iter().any(|w| w.contains(&name)),
            "the unknown column {} is not reported: {:?}", name, after.warnings
        );
    }
}
