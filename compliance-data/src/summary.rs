//! Counts that say how much of the data rests on what evidence.
//!
//! `camscope data lint` prints these, and the README quotes them; a test keeps the README's
//! figures equal to what this module computes from the shipped data.

use serde::Serialize;

use crate::dataset::Dataset;
use crate::record::{Grade, Record};

/// How many maker (entity) records the data holds, by what they establish, and how many records
/// still rest only on weak (grade C/D) sources.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct DataSummary {
    /// Entity records (companies and brands) in total.
    pub makers: usize,
    /// Entities named in §889(f)(3) (`[covered]`).
    pub named: usize,
    /// Other entities with at least one link (subsidiary, brand, affiliate, OEM, ownership).
    pub linked: usize,
    /// Entities with an `[independence]` record whose best source is grade A.
    pub independent_a: usize,
    /// Entities with an `[independence]` record whose best source is grade B.
    pub independent_b: usize,
    /// Entities that are neither named, linked nor recorded as independent (known names whose
    /// status is not established: a line naming them needs review).
    pub unresolved: usize,
    /// Records of any kind whose sources (own, links' and independence's) are all grade C or D.
    pub records_only_weak: usize,
    /// Entity records among `records_only_weak`.
    pub makers_only_weak: usize,
    /// Records of any kind, countries included.
    pub records: usize,
}

impl DataSummary {
    /// Entities with an independence record.
    pub fn independent(&self) -> usize {
        self.independent_a + self.independent_b
    }
}

/// Counts the dataset's records by what they establish and how well they are sourced.
pub fn summarize(ds: &Dataset) -> DataSummary {
    let mut s = DataSummary {
        records: ds.records().len(),
        ..DataSummary::default()
    };
    for stored in ds.records() {
        let mut grades: Vec<Grade> = stored.record.sources().iter().map(|x| x.grade).collect();
        if let Record::Entity(e) = &stored.record {
            s.makers += 1;
            grades.extend(
                e.links
                    .iter()
                    .flat_map(|k| k.sources.iter().map(|x| x.grade)),
            );
            if let Some(ind) = e.independence() {
                grades.extend(ind.sources.iter().map(|x| x.grade));
            }
            match (
                e.is_covered(),
                e.independence().and_then(|i| i.best_grade()),
            ) {
                (true, _) => s.named += 1,
                (false, Some(Grade::A)) => s.independent_a += 1,
                (false, Some(Grade::B)) => s.independent_b += 1,
                // An independence record with only weak sources fails the lint; it is counted
                // with the unresolved names, since it cannot carry a clean verdict.
                (false, _) if !e.links.is_empty() => s.linked += 1,
                (false, _) => s.unresolved += 1,
            }
        }
        let weak = grades.iter().all(|g| matches!(g, Grade::C | Grade::D));
        if weak {
            s.records_only_weak += 1;
            if matches!(stored.record, Record::Entity(_)) {
                s.makers_only_weak += 1;
            }
        }
    }
    s
}

impl std::fmt::Display for DataSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} maker records: {} named in §889, {} linked to another record, {} independent \
             (grade A {}, grade B {}), {} not resolved; {} of {} records cite only grade C/D \
             sources ({} of them makers)",
            self.makers,
            self.named,
            self.linked,
            self.independent(),
            self.independent_a,
            self.independent_b,
            self.unresolved,
            self.records_only_weak,
            self.records,
            self.makers_only_weak,
        )
    }
}
