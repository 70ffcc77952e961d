//! The shipped data loads, lints clean, hashes stably, and has the counts the reference gives.

use camscope_compliance_data::{DataSource, Dataset, Record, TaaList, lint, summarize};

#[test]
fn embedded_data_loads_and_lints_clean() {
    let ds = Dataset::embedded().unwrap();
    let findings = lint(&DataSource::Embedded);
    assert!(findings.is_empty(), "{findings:#?}");
    // The version is the as-of date with dots, so a data change that moves one moves both.
    assert_eq!(ds.version(), ds.as_of().to_string().replace('-', "."));
    assert!(ds.as_of().to_string().as_str() >= "2026-12-02");
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

#[test]
fn readme_quotes_the_maker_counts_the_data_holds() {
    // The top-level README states how many maker records the data holds and of what grades;
    // it quotes the line `camscope data lint` prints, so a data change that moves a count
    // fails here until the README says so too.
    let ds = Dataset::embedded().unwrap();
    let line = summarize(&ds).to_string();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    assert!(
        readme.contains(&line),
        "README.md must quote the count line of `camscope data lint`:\n{line}"
    );
}

#[test]
fn every_independence_record_rests_on_a_grade_a_or_b_source() {
    let ds = Dataset::embedded().unwrap();
    let s = summarize(&ds);
    assert!(s.independent() >= 2, "{s}");
    for r in ds.records() {
        if let Record::Entity(e) = &r.record
            && let Some(ind) = e.independence()
        {
            assert!(
                ind.best_grade()
                    .is_some_and(|g| g <= camscope_compliance_data::Grade::B),
                "{}",
                e.id
            );
            assert!(e.covered.is_none(), "{}", e.id);
        }
    }
}
