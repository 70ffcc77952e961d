//! The shipped data loads, lints clean, hashes stably, and has the counts the reference gives.

use camscope_compliance_data::{DataSource, Dataset, Record, TaaList, lint};

#[test]
fn embedded_data_loads_and_lints_clean() {
    let ds = Dataset::embedded().unwrap();
    let findings = lint(&DataSource::Embedded);
    assert!(findings.is_empty(), "{findings:#?}");
    assert_eq!(ds.version(), "2026.09.30");
    assert_eq!(ds.as_of().to_string(), "2026-09-30");
    assert_eq!(ds.hash().len(), 64);
}

#[test]
fn load_dir_matches_embedded_hash() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data");
    let from_dir = Dataset::load_dir(dir).unwrap();
    let embedded = Dataset::embedded().unwrap();
    assert_eq!(from_dir.hash(), embedded.hash());
    assert_eq!(from_dir.records().len(), embedded.records().len());
    assert!(lint(&DataSource::Dir(dir.into())).is_empty());
}

#[test]
fn designated_country_counts_match_far_25_003() {
    let ds = Dataset::embedded().unwrap();
    let mut per_list = std::collections::BTreeMap::new();
    let mut unique = 0;
    for r in ds.records() {
        if let Record::Country(c) = &r.record {
            let lists: Vec<TaaList> = c
                .lists
                .iter()
                .map(|l| l.list)
                .filter(|l| *l != TaaList::UnitedStates)
                .collect();
            if !lists.is_empty() {
                unique += c.far_names.len();
            }
            for l in lists {
                *per_list.entry(l).or_insert(0) += c.far_names.len().max(1);
            }
        }
    }
    assert_eq!(per_list.get(&TaaList::WtoGpa), Some(&47));
    assert_eq!(per_list.get(&TaaList::Fta), Some(&17));
    assert_eq!(per_list.get(&TaaList::Ldc), Some(&47));
    assert_eq!(per_list.get(&TaaList::Cbi), Some(&21));
    assert_eq!(unique, 127);
}
