//! Curated Section 889 / TAA data and the pure matching that turns a BOM line into verdicts.
//!
//! The data (one TOML record per entity, brand, component family, model pattern and country,
//! each with sources, dates and a rationale) is compiled into the library and stamped with a
//! version, a content hash and an "as of" date; [`Dataset::load_dir`] reads another copy for a
//! `--data-dir` override. [`lint`] is the strict checker for data changes.
//!
//! [`check_line`] is pure: given a dataset, a line and a date it returns a serializable
//! [`LineVerdict`] with a Section 889 verdict (`covered`, `not_covered`, `needs_review`, with a
//! stable code, a reason, the ownership/brand chain and citations) and a TAA verdict
//! (`designated`, `non_designated`, `unknown`). It is built so that a doubtful case becomes
//! `needs_review`, never a clear. [`explain`] shows what the data knows about a name.
//!
//! See the crate README for the record format.

mod dataset;
mod date;
mod error;
mod explain;
mod graph;
mod lint;
mod matching;
mod negation;
mod normalize;
mod origin;
mod placeholder;
mod record;
mod regimes;
mod section889;
mod summary;
mod taa;
mod verdict889;

use serde::{Deserialize, Serialize};
use time::Date;

pub use dataset::{DataOrigin, DataSource, Dataset, HEADER_FILE, content_hash};
pub use date::PartialDate;
pub use error::{Error, ErrorKind};
pub use explain::{
    ComponentExplanation, EntityExplanation, Explanation, ModelExplanation, explain,
};
pub use lint::{LintFinding, LintRule, lint};
pub use matching::{ChainStep, MatchKind};
pub use origin::maker_origin;
pub use record::{
    AfterEnd, AmbiguousOrigin, CategoryRecord, CategoryTest, ComponentEvidence, ComponentRecord,
    CountryRecord, Covered, DatasetMeta, Effective, EntityRecord, Grade, Independence,
    IndependenceCheck, Limb, Link, ListEntry, Listing, MakerOrigin, ModelPatternRecord,
    ProductClass, Record, Regime, Relation, RuleCitation, Source, StoredRecord, TaaList, url_host,
};
pub use regimes::{DEFAULT_REGIMES, ListCode, ListFinding};
pub use section889::{Citation, ClearBasis, Finding, IndependenceShown, Section889};
pub use summary::{DataSummary, summarize};
pub use taa::{CountryRef, Taa, TaaCode, TaaVerdict};
pub use verdict889::{Code889, Verdict889};

/// The facts of one BOM line that the checks use. The `bom` crate maps its rows onto this.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct LineFacts {
    /// Manufacturer as written on the BOM.
    pub manufacturer: Option<String>,
    /// Brand or label, if different from the manufacturer.
    pub brand: Option<String>,
    /// Model number.
    pub model: Option<String>,
    /// Manufacturer or distributor part number.
    pub part_number: Option<String>,
    /// Free-text description.
    pub description: Option<String>,
    /// Known components (SoC, modules, boards), one per entry.
    pub components: Vec<String>,
    /// Country of origin as written.
    pub country_of_origin: Option<String>,
}

impl LineFacts {
    /// A line with only a manufacturer.
    pub fn with_manufacturer(manufacturer: impl Into<String>) -> Self {
        LineFacts {
            manufacturer: Some(manufacturer.into()),
            ..LineFacts::default()
        }
    }

    /// Sets the brand.
    pub fn brand(mut self, brand: impl Into<String>) -> Self {
        self.brand = Some(brand.into());
        self
    }

    /// Sets the model number.
    pub fn model(mut self, model: impl Into<String>) -> Self {
        self.model = Some(model.into());
        self
    }

    /// Sets the part number.
    pub fn part_number(mut self, part_number: impl Into<String>) -> Self {
        self.part_number = Some(part_number.into());
        self
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Adds a component.
    pub fn component(mut self, component: impl Into<String>) -> Self {
        self.components.push(component.into());
        self
    }

    /// Sets the country of origin.
    pub fn country_of_origin(mut self, country: impl Into<String>) -> Self {
        self.country_of_origin = Some(country.into());
        self
    }
}

/// Identifies the data a verdict was computed with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct DataStamp {
    /// Data version.
    pub version: String,
    /// Content hash.
    pub hash: String,
    /// Newest retrieval date of the data.
    pub as_of: PartialDate,
}

impl DataStamp {
    /// The stamp of a dataset.
    pub fn of(ds: &Dataset) -> Self {
        DataStamp {
            version: ds.version().to_owned(),
            hash: ds.hash().to_owned(),
            as_of: PartialDate::from(ds.as_of()),
        }
    }
}

/// The one way every output names the data: `compliance data 2026.11 (as of 2026-11-30, sha256
/// 3f9a0c12d4e5…)`, the hash cut to 12 hex digits (the full hash is in the JSON and XLSX).
impl std::fmt::Display for DataStamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let short: String = self.hash.chars().take(12).collect();
        write!(
            f,
            "compliance data {} (as of {}, sha256 {short}…)",
            self.version, self.as_of
        )
    }
}

/// Both verdicts for one line. The date and the data it was checked with are the caller's, one
/// for the whole run ([`DataStamp::of`]), not copied into every line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct LineVerdict {
    /// Section 889.
    pub section_889: Section889,
    /// Trade Agreements Act.
    pub taa: Taa,
    /// Findings under the other lists checked (FCC Covered List, ASDA, DoD 1260H), each
    /// labelled with its list. They never change the Section 889 verdict.
    pub other_lists: Vec<ListFinding>,
}

/// Checks one line as of `date`, with the other lists of [`DEFAULT_REGIMES`]. Pure: no I/O,
/// no clock.
pub fn check_line(ds: &Dataset, line: &LineFacts, date: Date) -> LineVerdict {
    check_line_with(ds, line, date, DEFAULT_REGIMES)
}

/// Checks one line as of `date`, with findings under the other lists in `regimes`. Pure.
pub fn check_line_with(
    ds: &Dataset,
    line: &LineFacts,
    date: Date,
    regimes: &[Regime],
) -> LineVerdict {
    let section_889 = section889::check(ds, line, date);
    let taa = origin::without_line_origin(ds, line, taa::check_line(ds, line, date), date);
    let other_lists = regimes::check(ds, line, &taa, date, regimes);
    LineVerdict {
        section_889,
        taa,
        other_lists,
    }
}

/// Whether a free text (a BOM description) names a product the checks can say something about:
/// a maker or brand in the data, a covered component family or a model-number pattern. The BOM
/// reader uses this so that a row holding only "Hikvision DS-2CD2143G2-I dome" is checked,
/// never skipped. Pure.
pub fn names_product(ds: &Dataset, text: &str) -> bool {
    let affirmed = negation::affirmed(text);
    matching::match_names(ds, &affirmed)
        .iter()
        .any(|h| matches!(h.kind, MatchKind::Exact | MatchKind::Contained))
        || ds
            .index
            .components
            .iter()
            .any(|(_, pats)| pats.iter().any(|p| p.is_match(&affirmed)))
        || text
            .split_whitespace()
            .any(|word| ds.index.models.iter().any(|(_, re)| re.is_match(word)))
}

/// Whether two maker names name the same maker as the checks read them: equal once case,
/// width, accents, punctuation and legal or generic words ("Co., Ltd.", "Technology") are set
/// aside ("Seagate" and "Seagate Technology"), or both aliases of one entity in the data. A
/// review decision uses this, so it covers exactly the lines its verdicts are about. Pure.
pub fn same_maker(ds: &Dataset, a: &str, b: &str) -> bool {
    let (ta, tb) = (normalize::name_tokens(a), normalize::name_tokens(b));
    if ta.is_empty() || tb.is_empty() {
        return false;
    }
    if ta == tb {
        return true;
    }
    let records = |t: &[String]| -> Vec<usize> {
        ds.index
            .names
            .iter()
            .filter(|n| n.tokens == t)
            .map(|n| n.record)
            .collect()
    };
    let ra = records(&ta);
    !ra.is_empty() && records(&tb).iter().any(|r| ra.contains(r))
}
