//! Findings under the other lists a Section 889 buyer checks: the FCC Covered List (named
//! entities and category entries), the American Security Drone Act and, when asked, the DoD
//! 1260H list.
//!
//! These findings sit beside the Section 889 verdict and never change it: a DJI drone is on the
//! FCC Covered List but is not covered telecommunications equipment under §889(f)(3), and a
//! foreign-produced router is within an FCC category entry whatever its maker. A finding says
//! which list, what put the line there (the maker and its chain, or the product class and its
//! origin) and what the entry means, with the list's primary text cited first.

use serde::Serialize;
use time::Date;

use crate::LineFacts;
use crate::dataset::Dataset;
use crate::date::{PartialDate, within};
use crate::graph::{EdgeState, Walk};
use crate::matching::{self, ChainStep, MatchKind};
use crate::negation;
use crate::record::{CategoryRecord, CategoryTest, Grade, Listing, Regime, Source};
use crate::section889::Citation;
use crate::taa::Taa;

/// Why a line has a finding under another list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ListCode {
    /// The maker, or an entity its chain reaches, is on the list (a grade A or B source).
    ListedEntity,
    /// The maker, or an entity its chain reaches, is reported on the list by weaker sources
    /// only, or through a link that has ended: a human confirms.
    ReportedListing,
    /// The line is of a category entry's product class and its stated origin puts it inside.
    InCategory,
    /// The line is of a category entry's product class, and what decides it (origin, grade of
    /// product, a list camscope does not hold) is for the buyer to check.
    CategoryReview,
}

impl ListCode {
    /// Every code.
    pub const ALL: &'static [ListCode] = &[
        ListCode::ListedEntity,
        ListCode::ReportedListing,
        ListCode::InCategory,
        ListCode::CategoryReview,
    ];

    /// Stable kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ListCode::ListedEntity => "listed-entity",
            ListCode::ReportedListing => "reported-listing",
            ListCode::InCategory => "in-category",
            ListCode::CategoryReview => "category-review",
        }
    }

    /// What the code means, for docs/check.md.
    pub fn description(self) -> &'static str {
        match self {
            ListCode::ListedEntity => {
                "the maker, or an entity its chain reaches, is on the list, on a grade A or B source"
            }
            ListCode::ReportedListing => {
                "the listing rests only on grade C/D sources, or on a link that has ended: confirm it"
            }
            ListCode::InCategory => {
                "the line is of the category's product class and its stated origin puts it inside"
            }
            ListCode::CategoryReview => {
                "the line is of the category's product class; its origin, its grade or a list camscope does not hold decides, and the buyer checks it"
            }
        }
    }

    /// Whether the finding is settled by the data (as opposed to a check for a human).
    pub fn is_settled(self) -> bool {
        matches!(self, ListCode::ListedEntity | ListCode::InCategory)
    }
}

impl std::fmt::Display for ListCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding under another list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ListFinding {
    /// Which list.
    pub regime: Regime,
    /// Why.
    pub code: ListCode,
    /// The listed entity or the category entry, by name.
    pub subject: String,
    /// The data record behind the finding.
    pub record: String,
    /// The input field the evidence came from.
    pub field: String,
    /// Plain-words reason, including what the entry means.
    pub reason: String,
    /// The date the entry took effect.
    pub added: PartialDate,
    /// Chain from the maker to the listed entity (empty for a direct listing or a category).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub chain: Vec<ChainStep>,
    /// The list's primary text first, then the record's sources.
    pub citations: Vec<Citation>,
}

/// The regimes checked when the caller does not choose: the FCC Covered List and the ASDA. The
/// DoD 1260H list is checked only when a policy asks for it.
pub const DEFAULT_REGIMES: &[Regime] = &[Regime::FccCoveredList, Regime::Asda];

/// The other-list findings of one line. Pure. `taa` is the line's TAA verdict, whose resolved
/// country decides the "produced abroad" category entries.
pub(crate) fn check(
    ds: &Dataset,
    line: &LineFacts,
    taa: &Taa,
    date: Date,
    regimes: &[Regime],
) -> Vec<ListFinding> {
    let mut out = Vec::new();
    if regimes.is_empty() {
        return out;
    }
    listing_findings(ds, line, date, regimes, &mut out);
    category_findings(ds, line, taa, date, regimes, &mut out);
    out.sort_by(|a, b| {
        (a.regime, !a.code.is_settled(), &a.record).cmp(&(
            b.regime,
            !b.code.is_settled(),
            &b.record,
        ))
    });
    out
}

fn present(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// How a line names an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Naming {
    /// The maker, brand or a component cell names it.
    Named,
    /// A description mentions it, or a model number follows its catalogue pattern: evidence,
    /// not proof, as for the Section 889 verdict.
    Suggested,
}

/// The entity records a line names: its maker, brand and component cells, the makers a
/// description names, and the makers of model-number patterns its model or part number
/// matches (the last two only suggest the maker).
fn named_entities(ds: &Dataset, line: &LineFacts) -> Vec<(String, usize, Naming)> {
    let mut out: Vec<(String, usize, Naming)> = Vec::new();
    let mut add = |field: &str, record: usize, how: Naming| match out
        .iter_mut()
        .find(|(_, r, _)| *r == record)
    {
        Some(seen) if seen.2 == Naming::Suggested && how == Naming::Named => {
            *seen = (field.to_owned(), record, how);
        }
        Some(_) => {}
        None => out.push((field.to_owned(), record, how)),
    };
    let cells = [
        ("manufacturer", present(&line.manufacturer)),
        ("brand", present(&line.brand)),
        ("description", present(&line.description)),
    ];
    let components = line
        .components
        .iter()
        .map(|c| ("components", Some(c.as_str())));
    for (field, text) in cells.into_iter().chain(components) {
        let Some(text) = text else { continue };
        // A description that says "not Huawei" names Huawei only to deny it.
        let text = if field == "description" || field == "components" {
            negation::affirmed(text)
        } else {
            text.to_owned()
        };
        for hit in matching::match_names(ds, &text) {
            if matches!(hit.kind, MatchKind::Exact | MatchKind::Contained) {
                let how = if field == "description" {
                    Naming::Suggested
                } else {
                    Naming::Named
                };
                add(field, hit.record, how);
            }
        }
    }
    for (field, text) in [
        ("model", present(&line.model)),
        ("part_number", present(&line.part_number)),
    ] {
        let Some(text) = text else { continue };
        for word in text.split_whitespace() {
            for (i, re) in &ds.index.models {
                if re.is_match(word)
                    && let Some(m) = ds.model_at(*i)
                    && let Some(&e) = ds.index.entity_by_id.get(&m.maker)
                {
                    add(field, e, Naming::Suggested);
                }
            }
        }
    }
    out
}

fn active(l: &Listing, date: Date) -> bool {
    within(date, Some(&l.added), l.removed.as_ref())
}

fn listing_findings(
    ds: &Dataset,
    line: &LineFacts,
    date: Date,
    regimes: &[Regime],
    out: &mut Vec<ListFinding>,
) {
    let named = named_entities(ds, line);
    for &regime in regimes {
        let is_listed = |e: &crate::record::EntityRecord| {
            e.listings
                .iter()
                .any(|l| l.regime == regime && active(l, date))
        };
        for (field, record, how) in &named {
            let walks = ds
                .index
                .graph
                .walks_to(ds.records(), *record, date, &is_listed);
            // The strongest reading: all links active first, then the shortest chain.
            let Some(walk) = walks.iter().min_by_key(|w| {
                (
                    w.hops.iter().any(|h| h.state == EdgeState::Ended),
                    w.hops.len(),
                )
            }) else {
                continue;
            };
            if out.iter().any(|f| {
                f.regime == regime && ds.index.entity_by_id.get(&f.record) == Some(&walk.end)
            }) {
                continue;
            }
            if let Some(f) = listing_finding(ds, regime, (field, *how), *record, walk, date) {
                out.push(f);
            }
        }
    }
}

fn listing_finding(
    ds: &Dataset,
    regime: Regime,
    (field, how): (&str, Naming),
    start: usize,
    walk: &Walk,
    date: Date,
) -> Option<ListFinding> {
    let end = ds.entity_at(walk.end)?;
    let first = ds.entity_at(start)?;
    let listing = end
        .listings
        .iter()
        .find(|l| l.regime == regime && active(l, date))?;
    let ended = walk.hops.iter().any(|h| h.state == EdgeState::Ended);
    let strong = listing.established && listing.best_grade().is_some_and(|g| g <= Grade::B);
    let code = if strong && !ended && how == Naming::Named {
        ListCode::ListedEntity
    } else {
        ListCode::ReportedListing
    };
    let mut reason = if walk.hops.is_empty() {
        format!(
            "{} is on the {} since {}: {}",
            end.name,
            regime.label(),
            listing.added,
            listing.scope
        )
    } else {
        format!(
            "{}; {} is on the {} since {}: {}",
            matching::describe_chain(ds, walk),
            end.name,
            regime.label(),
            listing.added,
            listing.scope
        )
    };
    if how == Naming::Suggested {
        reason.push_str(&format!(
            " (the {} only suggests {}: a description or a model-number pattern is evidence, not proof, so confirm the maker)",
            field.replace('_', " "),
            first.name
        ));
    } else if !listing.established {
        reason.push_str(" (the sources here do not show the entry itself: confirm it on the list)");
    } else if !strong {
        reason.push_str(" (reported only by sources of grade C or D: confirm it on the list)");
    }
    if ended {
        reason.push_str(&format!(
            " ({} reaches it only through a link that has ended)",
            first.name
        ));
    }
    reason.push_str(" (not a Section 889 finding: the Section 889 verdict is unchanged)");
    Some(ListFinding {
        regime,
        code,
        subject: end.name.clone(),
        record: end.id.clone(),
        field: field.to_owned(),
        reason,
        added: listing.added,
        chain: matching::chain_steps(ds, walk),
        citations: citations(ds, regime, &listing.sources),
    })
}

fn citations(ds: &Dataset, regime: Regime, sources: &[Source]) -> Vec<Citation> {
    let mut out = Vec::new();
    if let Some(c) = ds.citation(regime.citation_id()) {
        out.push(Citation {
            text: c.text.clone(),
            url: Some(c.url.clone()),
        });
    }
    let mut sorted: Vec<&Source> = sources.iter().collect();
    sorted.sort_by_key(|s| s.grade);
    for s in sorted {
        if out.iter().any(|c| c.url.as_deref() == Some(s.url.as_str())) {
            continue;
        }
        out.push(Citation {
            text: s.title.clone().unwrap_or_else(|| s.url.clone()),
            url: Some(s.url.clone()),
        });
    }
    out
}

/// The first field whose text puts the line in the category's product class.
fn product_field<'a>(
    line: &'a LineFacts,
    yes: &[regex::Regex],
    no: &[regex::Regex],
) -> Option<&'static str> {
    let cells: [(&'static str, Option<&'a str>); 3] = [
        ("description", present(&line.description)),
        ("model", present(&line.model)),
        ("part_number", present(&line.part_number)),
    ];
    cells.into_iter().find_map(|(field, text)| {
        let text = text?;
        let hit = yes.iter().any(|re| re.is_match(text)) && !no.iter().any(|re| re.is_match(text));
        hit.then_some(field)
    })
}

fn category_findings(
    ds: &Dataset,
    line: &LineFacts,
    taa: &Taa,
    date: Date,
    regimes: &[Regime],
    out: &mut Vec<ListFinding>,
) {
    for (i, yes, no) in &ds.index.categories {
        let Some(cat) = ds.category_at(*i) else {
            continue;
        };
        if !regimes.contains(&cat.regime) || !within(date, Some(&cat.added), None) {
            continue;
        }
        let Some(field) = product_field(line, yes, no) else {
            continue;
        };
        if let Some(f) = category_finding(ds, cat, field, taa) {
            out.push(f);
        }
    }
}

fn category_finding(
    ds: &Dataset,
    cat: &CategoryRecord,
    field: &str,
    taa: &Taa,
) -> Option<ListFinding> {
    let what = format!(
        "the {} calls this a {} line, within \"{}\" on the {} (since {})",
        field.replace('_', " "),
        product_word(cat),
        cat.name,
        cat.regime.label(),
        cat.added
    );
    let (code, mut reason) = match cat.test {
        CategoryTest::ExternalList => (
            ListCode::CategoryReview,
            format!("{what}: {}", cat.consequence),
        ),
        CategoryTest::ForeignProduced => match &taa.country {
            Some(c) if c.alpha2.eq_ignore_ascii_case("US") => return None,
            Some(c) => match &cat.also_ask {
                Some(q) => (
                    ListCode::CategoryReview,
                    format!(
                        "{what}; it is produced in {} — {q}: {}",
                        c.name, cat.consequence
                    ),
                ),
                None => (
                    ListCode::InCategory,
                    format!("{what}; it is produced in {}: {}", c.name, cat.consequence),
                ),
            },
            None => (
                ListCode::CategoryReview,
                format!(
                    "{what}; where it was produced is not known ({}): {}",
                    taa.reason, cat.consequence
                ),
            ),
        },
    };
    if !cat.exceptions.is_empty() {
        reason.push_str(&format!(
            ". The entry's own exceptions, which a BOM line cannot show: {}",
            cat.exceptions.join("; ")
        ));
    }
    reason.push_str(" (not a Section 889 finding: the Section 889 verdict is unchanged)");
    Some(ListFinding {
        regime: cat.regime,
        code,
        subject: cat.name.clone(),
        record: cat.id.clone(),
        field: field.to_owned(),
        reason,
        added: cat.added,
        chain: Vec::new(),
        citations: citations(ds, cat.regime, &cat.sources),
    })
}

fn product_word(cat: &CategoryRecord) -> &'static str {
    match cat.product {
        crate::record::ProductClass::UnmannedAircraft => "drone (unmanned aircraft)",
        crate::record::ProductClass::Router => "router",
    }
}
