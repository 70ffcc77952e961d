//! What the data knows about a name, for `camscope data show NAME`.
//!
//! A verdict says what to do about one line; an explanation shows the curator's view of a name:
//! which records it hits and how, every link with its dates and whether it held on the date
//! asked about, the chain to a named entity, notes and sources. It uses exactly the matching
//! code the verdicts use, so what it shows is what the checker does.

use serde::Serialize;
use time::Date;

use crate::DataStamp;
use crate::dataset::Dataset;
use crate::date::{PartialDate, within};
use crate::graph::{EdgeState, Hop, Walk};
use crate::matching::{
    ChainStep, MatchKind, NameHit, Resolution, chain_steps, match_names, resolve_entity,
};
use crate::record::{ComponentEvidence, Covered, EntityRecord, Record, Source};
use crate::taa::{self, Taa, TaaCode};
use crate::verdict889::{Code889, Verdict889};

/// An entity record a name matched.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct EntityExplanation {
    /// Record id.
    pub id: String,
    /// File the record lives in.
    pub file: String,
    /// Display name.
    pub name: String,
    /// How the query matched.
    pub match_kind: MatchKind,
    /// The alias that matched.
    pub matched_alias: String,
    /// Every spelling the record matches.
    pub names: Vec<String>,
    /// Stock listings.
    pub stock_codes: Vec<String>,
    /// Set for named entities.
    pub covered: Option<Covered>,
    /// What a line naming exactly this record would get on the date (ignoring other fields).
    pub verdict: Verdict889,
    /// Code of that verdict, if a chain to a named entity exists.
    pub code: Option<Code889>,
    /// Plain-words summary.
    pub reason: String,
    /// Chain to a named entity.
    pub chain: Vec<ChainStep>,
    /// Direct links of the record, with whether each held on the date.
    pub links: Vec<ChainStep>,
    /// Ids of records that link to this one.
    pub linked_from: Vec<String>,
    /// Informational notes.
    pub notes: Vec<String>,
    /// The curator's rationale.
    pub rationale: String,
    /// Sources.
    pub sources: Vec<Source>,
}

/// A component family a name matched.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct ComponentExplanation {
    /// Record id.
    pub id: String,
    /// File the record lives in.
    pub file: String,
    /// Display name.
    pub name: String,
    /// Maker id.
    pub maker: String,
    /// Strength of a match.
    pub evidence: ComponentEvidence,
    /// Rationale.
    pub rationale: String,
    /// Sources.
    pub sources: Vec<Source>,
}

/// A model pattern a name matched.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct ModelExplanation {
    /// Record id.
    pub id: String,
    /// File the record lives in.
    pub file: String,
    /// Display name.
    pub name: String,
    /// Maker id.
    pub maker: String,
    /// Product class.
    pub product_class: String,
    /// Rationale.
    pub rationale: String,
    /// Sources.
    pub sources: Vec<Source>,
}

/// Everything the data says about a name on a date.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Explanation {
    /// The name asked about.
    pub query: String,
    /// The date asked about.
    pub date: PartialDate,
    /// Matching entity records, strongest match first.
    pub entities: Vec<EntityExplanation>,
    /// Matching component families.
    pub components: Vec<ComponentExplanation>,
    /// Matching model patterns.
    pub model_patterns: Vec<ModelExplanation>,
    /// The TAA reading, if the name is a country.
    pub country: Option<Taa>,
    /// Which data answered.
    pub data: DataStamp,
}

/// The component records whose patterns match `name`.
fn matching_components(ds: &Dataset, name: &str) -> Vec<ComponentExplanation> {
    ds.index
        .components
        .iter()
        .filter(|(_, pats)| pats.iter().any(|p| p.is_match(name)))
        .filter_map(|(i, _)| {
            let c = ds.component_at(*i)?;
            Some(ComponentExplanation {
                id: c.id.clone(),
                file: ds.file_at(*i).to_owned(),
                name: c.name.clone(),
                maker: c.maker.clone(),
                evidence: c.evidence,
                rationale: c.rationale.clone(),
                sources: c.sources.clone(),
            })
        })
        .collect()
}

/// The model-number patterns `name` follows.
fn matching_model_patterns(ds: &Dataset, name: &str) -> Vec<ModelExplanation> {
    ds.index
        .models
        .iter()
        .filter(|(_, re)| re.is_match(name.trim()))
        .filter_map(|(i, _)| {
            let m = ds.model_at(*i)?;
            Some(ModelExplanation {
                id: m.id.clone(),
                file: ds.file_at(*i).to_owned(),
                name: m.name.clone(),
                maker: m.maker.clone(),
                product_class: m.product_class.clone(),
                rationale: m.rationale.clone(),
                sources: m.sources.clone(),
            })
        })
        .collect()
}

/// Explains what the data knows about `name` on `date`.
pub fn explain(ds: &Dataset, name: &str, date: Date) -> Explanation {
    let mut hits = match_names(ds, name);
    hits.sort_by(|a, b| b.kind.cmp(&a.kind).then(b.alias_len.cmp(&a.alias_len)));
    let entities = hits
        .into_iter()
        .filter_map(|hit| explain_entity(ds, hit, date))
        .collect();
    let components = matching_components(ds, name);
    let model_patterns = matching_model_patterns(ds, name);
    let country = Some(taa::check(ds, Some(name), date)).filter(|t| {
        !matches!(
            t.code,
            TaaCode::UnrecognisedOrigin | TaaCode::NoOrigin | TaaCode::AssembledIn
        )
    });
    Explanation {
        query: name.to_owned(),
        date: PartialDate::from(date),
        entities,
        components,
        model_patterns,
        country,
        data: DataStamp::of(ds),
    }
}

/// The entity record a name matched, with the verdict a line naming it would get.
fn explain_entity(ds: &Dataset, hit: NameHit, date: Date) -> Option<EntityExplanation> {
    let e = ds.entity_at(hit.record)?;
    let res = resolve_entity(ds, hit.record, date);
    let links = direct_links(ds, hit.record, e, date);
    let linked_from = linked_from(ds, &e.id);
    let (verdict, code, reason, chain) = entity_verdict(e, res, date);
    let (verdict, code) = match hit.kind {
        MatchKind::Fuzzy if verdict > Verdict889::NotCovered => {
            (Verdict889::NeedsReview, Some(Code889::FuzzyMatch))
        }
        MatchKind::Partial if verdict > Verdict889::NotCovered => {
            (Verdict889::NeedsReview, Some(Code889::PartialName))
        }
        _ => (verdict, code),
    };
    Some(EntityExplanation {
        id: e.id.clone(),
        file: ds.file_at(hit.record).to_owned(),
        name: e.name.clone(),
        match_kind: hit.kind,
        matched_alias: hit.alias,
        names: std::iter::once(&e.name)
            .chain(&e.aliases)
            .chain(&e.exact_aliases)
            .chain(&e.former_names)
            .cloned()
            .collect(),
        stock_codes: e.stock_codes.clone(),
        covered: e.covered.clone(),
        verdict,
        code,
        reason,
        chain,
        links,
        linked_from,
        notes: e.notes.clone(),
        rationale: e.rationale.clone(),
        sources: e.sources.clone(),
    })
}

/// The record's own links as one-hop chains, each marked active or ended on `date`.
fn direct_links(ds: &Dataset, record: usize, e: &EntityRecord, date: Date) -> Vec<ChainStep> {
    e.links
        .iter()
        .enumerate()
        .filter_map(|(k, l)| {
            let to = *ds.index.entity_by_id.get(&l.target)?;
            let active = within(date, l.from.as_ref(), l.to.as_ref());
            let walk = Walk {
                hops: vec![Hop {
                    from: record,
                    to,
                    link: k,
                    state: if active {
                        EdgeState::Active
                    } else {
                        EdgeState::Ended
                    },
                }],
                end: to,
            };
            chain_steps(ds, &walk).into_iter().next()
        })
        .collect()
}

/// Ids of the entity records that link to `id`.
fn linked_from(ds: &Dataset, id: &str) -> Vec<String> {
    ds.records()
        .iter()
        .filter_map(|r| match &r.record {
            Record::Entity(o) if o.links.iter().any(|l| l.target == id) => Some(o.id.clone()),
            _ => None,
        })
        .collect()
}

/// Verdict, code, reason and chain for a line naming exactly this entity: from its chain to a
/// named entity, else from its independence record (or the lack of one).
fn entity_verdict(
    e: &EntityRecord,
    res: Option<Resolution>,
    date: Date,
) -> (Verdict889, Option<Code889>, String, Vec<ChainStep>) {
    match res {
        Some(r) => (
            r.verdict,
            Some(r.code),
            format!("{}.", r.explanation),
            r.chain,
        ),
        None => match e.independence() {
            Some(ind) => (
                Verdict889::NotCovered,
                Some(Code889::IndependentMaker),
                format!(
                    "{} has no link to a §889 named entity that held on {}, and its independence was checked as of {} (parent: {}; owners: {}).",
                    e.name,
                    PartialDate::from(date),
                    ind.as_of,
                    ind.parent.trim(),
                    ind.owners.trim()
                ),
                Vec::new(),
            ),
            None => (
                Verdict889::NeedsReview,
                Some(Code889::IndependenceUnverified),
                format!(
                    "{} has no link to a §889 named entity that held on {}, but no record establishes its independence (parent, owners, OEM), so a line naming it is not cleared.",
                    e.name,
                    PartialDate::from(date)
                ),
                Vec::new(),
            ),
        },
    }
}
