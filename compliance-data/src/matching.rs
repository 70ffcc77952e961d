//! Name matching and entity resolution, shared by the verdicts and `explain`.
//!
//! Matching works on whole tokens after [`crate::normalize`]: an alias matches when its tokens
//! appear as a contiguous run in the field, an exact-only alias only when it is the whole field,
//! and a near miss (a small edit distance on a long enough token) is reported as fuzzy so that
//! it can only ever lead to review, never to a clear or a hard "covered".

use std::collections::BTreeMap;

use serde::Serialize;
use time::Date;

use crate::dataset::Dataset;
use crate::date::PartialDate;
use crate::graph::{EdgeState, Walk, link_at};
use crate::normalize::{self, find_run, fuzzy_budget, histogram, histogram_distance, is_fuzzable};
use crate::record::{AfterEnd, Grade, Relation};
use crate::verdict889::{Code889, Verdict889};

/// How a name in the input relates to an alias in the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchKind {
    /// Within an edit or two of an alias: a likely misspelling.
    Fuzzy,
    /// Contains an alias that is only trusted as the whole field.
    Partial,
    /// Contains an alias as whole tokens.
    Contained,
    /// Equals an alias.
    Exact,
}

#[derive(Debug, Clone)]
pub(crate) struct NameHit {
    pub record: usize,
    pub kind: MatchKind,
    pub alias: String,
    pub alias_len: usize,
}

/// Names looked up per thread, so that a BOM that repeats the same makers, brands and
/// descriptions on thousands of lines matches each text once. Keyed by the dataset's instance
/// id and the text; bounded, and cleared whole when full (simple, and the hit rate on real BOMs
/// recovers within a few lines).
const NAME_CACHE_LIMIT: usize = 20_000;

thread_local! {
    static NAME_CACHE: std::cell::RefCell<std::collections::HashMap<(u64, String), Vec<NameHit>>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// All entity records a name refers to, strongest match per record. Memoized per thread: the
/// result depends only on the dataset and the text.
pub(crate) fn match_names(ds: &Dataset, text: &str) -> Vec<NameHit> {
    let key = (ds.instance, text.to_owned());
    if let Some(hit) = NAME_CACHE.with(|c| c.borrow().get(&key).cloned()) {
        return hit;
    }
    let hits = match_names_uncached(ds, text);
    NAME_CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= NAME_CACHE_LIMIT {
            c.clear();
        }
        c.insert(key, hits.clone());
    });
    hits
}

fn match_names_uncached(ds: &Dataset, text: &str) -> Vec<NameHit> {
    let input = normalize::name_tokens(text);
    if input.is_empty() {
        return Vec::new();
    }
    let mut best: BTreeMap<usize, NameHit> = BTreeMap::new();
    let mut keep = |hit: NameHit| {
        let better = match best.get(&hit.record) {
            Some(old) => (hit.kind, hit.alias_len) > (old.kind, old.alias_len),
            None => true,
        };
        if better {
            best.insert(hit.record, hit);
        }
    };
    for entry in &ds.index.names {
        let kind = if entry.tokens == input {
            Some(MatchKind::Exact)
        } else if find_run(&input, &entry.tokens).is_some() {
            Some(if entry.exact {
                MatchKind::Partial
            } else {
                MatchKind::Contained
            })
        } else {
            None
        };
        if let Some(kind) = kind {
            keep(NameHit {
                record: entry.record,
                kind,
                alias: entry.alias.clone(),
                alias_len: entry.tokens.len(),
            });
        }
    }
    // Misspellings: single tokens and joined neighbours ("Hik Vison") against single-token
    // aliases. A token that is itself some alias is a different name, not a typo.
    // Joined neighbours may equal an alias exactly ("Hua Wei"); that is still only a likely
    // match, so it is reported as fuzzy rather than dropped.
    let singles = input
        .iter()
        .filter(|c| !ds.index.single_tokens.contains(c.as_str()))
        .map(|c| (c.clone(), 1));
    let joined = input.windows(2).map(|w| (format!("{}{}", w[0], w[1]), 0));
    let candidates: Vec<(String, usize)> = singles.chain(joined).collect();
    for (cand, min_distance) in candidates.iter().filter(|(c, _)| is_fuzzable(c)) {
        let cand_hist = histogram(cand);
        for fa in &ds.index.fuzzy_aliases {
            // Fuzzable tokens are ASCII, so byte lengths are character counts. The edit
            // distance is at least the length difference, and at least half the letter-histogram
            // difference (one edit moves the histogram by at most two): most pairs are ruled out
            // before the quadratic distance is computed.
            let budget = fuzzy_budget(fa.token.len().min(cand.len()));
            if cand.len().abs_diff(fa.token.len()) > budget
                || budget < *min_distance
                || histogram_distance(&cand_hist, &fa.hist).div_ceil(2) > budget
            {
                continue;
            }
            let distance = strsim::damerau_levenshtein(cand, &fa.token);
            if distance >= *min_distance && distance <= budget {
                let entry = &ds.index.names[fa.entry];
                keep(NameHit {
                    record: entry.record,
                    kind: MatchKind::Fuzzy,
                    alias: entry.alias.clone(),
                    alias_len: 1,
                });
            }
        }
    }
    best.into_values().collect()
}

/// One hop of a chain, as shown to users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ChainStep {
    /// Id of the record the step starts from.
    pub from: String,
    /// Display name of `from`.
    pub from_name: String,
    /// Relation in kebab-case (`subsidiary-of`, `brand-of`, `affiliate-of`, `oem-for`,
    /// `owned-by`, or `made-by` from a component family to its maker).
    pub relation: String,
    /// Id of the record the step leads to.
    pub to: String,
    /// Display name of `to`.
    pub to_name: String,
    /// First day the relation held, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<PartialDate>,
    /// Last day the relation held, if it ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<PartialDate>,
    /// Whether the relation held on the date checked.
    pub active: bool,
    /// Solidity of the relation.
    pub grade: Grade,
    /// Source URLs for the relation.
    pub sources: Vec<String>,
}

/// What the data says about one entity on one date.
#[derive(Debug, Clone)]
pub(crate) struct Resolution {
    pub verdict: Verdict889,
    pub code: Code889,
    pub chain: Vec<ChainStep>,
    /// Named entity at the end of the chain.
    pub end: usize,
    pub explanation: String,
}

fn phrase(relation: Relation) -> &'static str {
    match relation {
        Relation::SubsidiaryOf => "a subsidiary of",
        Relation::BrandOf => "a brand of",
        Relation::AffiliateOf => "an affiliate of",
        Relation::OemFor => "reported as an OEM relabeller for",
        Relation::OwnedBy => "owned by",
    }
}

fn grade_letter(g: Grade) -> &'static str {
    match g {
        Grade::A => "A",
        Grade::B => "B",
        Grade::C => "C",
        Grade::D => "D",
    }
}

fn classify(ds: &Dataset, walk: &Walk, date: Date) -> Option<(Verdict889, Code889)> {
    let records = ds.records();
    let links: Vec<_> = walk
        .hops
        .iter()
        .map(|h| link_at(records, h.from, h.link).map(|l| (h, l)))
        .collect::<Option<Vec<_>>>()?;
    let ended: Vec<_> = links
        .iter()
        .filter(|(h, _)| h.state == EdgeState::Ended)
        .collect();
    if !ended.is_empty() {
        let review = ended
            .iter()
            .any(|(_, l)| l.after_end == AfterEnd::NeedsReview);
        let verdict = if review {
            Verdict889::NeedsReview
        } else {
            Verdict889::NotCovered
        };
        return Some((verdict, Code889::FormerAffiliate));
    }
    if links.iter().any(|(_, l)| l.relation == Relation::OemFor) {
        return Some((Verdict889::NeedsReview, Code889::OemRebrand));
    }
    let end = ds.entity_at(walk.end)?;
    let effective_from = end.effective.as_ref().and_then(|e| e.from.as_ref());
    if effective_from.is_some_and(|f| date < f.earliest()) {
        return Some((Verdict889::NeedsReview, Code889::BeforeEffective));
    }
    let code = if links.is_empty() {
        Code889::NamedEntity
    } else if links
        .iter()
        .any(|(_, l)| l.relation == Relation::AffiliateOf)
    {
        Code889::Affiliate
    } else if links.iter().any(|(_, l)| l.relation == Relation::BrandOf) {
        Code889::SubBrand
    } else {
        Code889::Subsidiary
    };
    Some((Verdict889::Covered, code))
}

/// Turns a walk into user-facing steps.
pub(crate) fn chain_steps(ds: &Dataset, walk: &Walk) -> Vec<ChainStep> {
    let records = ds.records();
    walk.hops
        .iter()
        .filter_map(|h| {
            let link = link_at(records, h.from, h.link)?;
            let from = ds.entity_at(h.from)?;
            let to = ds.entity_at(h.to)?;
            Some(ChainStep {
                from: from.id.clone(),
                from_name: from.name.clone(),
                relation: link.relation.as_str().to_owned(),
                to: to.id.clone(),
                to_name: to.name.clone(),
                valid_from: link.from,
                valid_to: link.to,
                active: h.state == EdgeState::Active,
                grade: link.grade,
                sources: link.sources.iter().map(|s| s.url.clone()).collect(),
            })
        })
        .collect()
}

/// Plain-words description of a chain.
pub(crate) fn describe_chain(ds: &Dataset, walk: &Walk) -> String {
    let records = ds.records();
    let mut parts = Vec::new();
    for h in &walk.hops {
        let (Some(link), Some(from), Some(to)) = (
            link_at(records, h.from, h.link),
            ds.entity_at(h.from),
            ds.entity_at(h.to),
        ) else {
            continue;
        };
        let mut s = format!("{} is {} {}", from.name, phrase(link.relation), to.name);
        match (link.from, link.to) {
            (Some(f), Some(t)) => s.push_str(&format!(" from {f} to {t}")),
            (Some(f), None) => s.push_str(&format!(" since {f}")),
            (None, Some(t)) => s.push_str(&format!(" until {t}")),
            (None, None) => {}
        }
        if h.state == EdgeState::Ended {
            s.push_str(" (ended before the date checked)");
        }
        s.push_str(&format!(" [grade {}]", grade_letter(link.grade)));
        parts.push(s);
    }
    parts.join("; ")
}

/// The most severe reading of an entity on a date, or `None` if no chain reaches a covered
/// entity at all.
pub(crate) fn resolve_entity(ds: &Dataset, record: usize, date: Date) -> Option<Resolution> {
    let walks = ds.index.graph.walks(ds.records(), record, date);
    let mut best: Option<(Verdict889, Code889, &Walk)> = None;
    for walk in &walks {
        let Some((verdict, code)) = classify(ds, walk, date) else {
            continue;
        };
        let better = match &best {
            None => true,
            Some((v, _, w)) => verdict > *v || (verdict == *v && walk.hops.len() < w.hops.len()),
        };
        if better {
            best = Some((verdict, code, walk));
        }
    }
    let (verdict, code, walk) = best?;
    let end = ds.entity_at(walk.end)?;
    let start = ds.entity_at(record)?;
    let citation = end
        .covered
        .as_ref()
        .map_or("§889(f)(3)", |c| c.citation.as_str());
    let explanation = if walk.hops.is_empty() {
        format!("{} is named in {citation}", start.name)
    } else {
        format!(
            "{}; {} is named in {citation}",
            describe_chain(ds, walk),
            end.name
        )
    };
    Some(Resolution {
        verdict,
        code,
        chain: chain_steps(ds, walk),
        end: walk.end,
        explanation,
    })
}
