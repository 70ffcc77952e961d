//! Section 889 verdicts for one BOM line.
//!
//! The rule of thumb is that a wrong clear is the worst possible bug, so every piece of evidence
//! is collected (maker, brand, components, description, model number), each becomes a
//! [`Finding`], and the line gets the most severe one. `not_covered` is only given when a maker
//! is clearly named and nothing on the line points at a covered producer.

use std::collections::BTreeSet;

use serde::Serialize;
use time::Date;

use crate::LineFacts;
use crate::dataset::Dataset;
use crate::date::PartialDate;
use crate::matching::{ChainStep, MatchKind, NameHit, Resolution, match_names, resolve_entity};
use crate::negation;
use crate::normalize;
use crate::placeholder;
use crate::record::{ComponentEvidence, Grade, Limb, Source};
use crate::verdict889::{Code889, Verdict889};

/// What a `not_covered` verdict rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClearBasis {
    /// A data record that establishes the maker's independence.
    Record,
    /// A cited rule that puts the item outside §889 (passive equipment).
    Rule,
}

/// What a record of independence says about one maker on the line, shown with a clean verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct IndependenceShown {
    /// Input field the maker came from.
    pub field: String,
    /// Record id.
    pub record: String,
    /// Display name.
    pub name: String,
    /// When the check was made.
    pub as_of: PartialDate,
    /// Ultimate parent, in words.
    pub parent: String,
    /// Owners, in words.
    pub owners: String,
    /// OEM sourcing, in words, when checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oem: Option<String>,
    /// What was checked (`parent`, `owners`, `oem`).
    pub checked: Vec<String>,
}

impl IndependenceShown {
    /// One line: "Axis Communications (as of 2026-11-30): parent Canon Inc.; owners …; OEM …".
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} (checked {} as of {}): parent {}; owners {}",
            self.name,
            self.checked.join(", "),
            self.as_of,
            self.parent.trim(),
            self.owners.trim()
        );
        if let Some(oem) = &self.oem {
            s.push_str(&format!("; OEM {}", oem.trim()));
        }
        s
    }
}

/// A legal text or source a verdict relies on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Citation {
    /// What is cited.
    pub text: String,
    /// Where to read it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// One piece of evidence about a line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Finding {
    /// What this evidence alone would mean.
    pub verdict: Verdict889,
    /// Why.
    pub code: Code889,
    /// Plain-words reason.
    pub reason: String,
    /// Input field the evidence came from.
    pub field: String,
    /// Data record that matched, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    /// Chain from the matched record to a named entity.
    pub chain: Vec<ChainStep>,
    #[serde(skip)]
    limb: Option<Limb>,
    #[serde(skip)]
    sources: Vec<Source>,
}

/// The Section 889 part of a line's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Section889 {
    /// The verdict.
    pub verdict: Verdict889,
    /// Stable code of the deciding evidence.
    pub code: Code889,
    /// Plain-words reason.
    pub reason: String,
    /// Chain behind the deciding evidence.
    pub chain: Vec<ChainStep>,
    /// Statute, FAR clauses and source URLs; always at least one URL.
    pub citations: Vec<Citation>,
    /// All evidence found, most severe first.
    pub findings: Vec<Finding>,
    /// Informational notes (other regimes, ownership conflicts, vendor declarations).
    pub notes: Vec<String>,
    /// For `not_covered`: whether it rests on a record of independence or on a scope rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<ClearBasis>,
    /// The records of independence a clean verdict rests on: what was checked, as of when.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub independence: Vec<IndependenceShown>,
}

/// Placeholders that name no maker at all.
const PLACEHOLDERS: &[&str] = &[
    "generic",
    "unknown",
    "n a",
    "na",
    "none",
    "oem",
    "odm",
    "unbranded",
    "no brand",
    "noname",
    "no name",
    "white label",
    "whitelabel",
    "tbd",
    "tba",
    "various",
    "other",
    "misc",
    "null",
    "private label",
];

/// Words that mark an item as a passive accessory, display or storage medium.
const ACCESSORY_WORDS: &[&str] = &[
    "mount",
    "bracket",
    "junction",
    "housing",
    "enclosure",
    "display",
    "monitor",
    "cable",
    "adapter",
    "adaptor",
    "pole",
    "hdd",
    "ssd",
    "hard",
    "microsd",
    "sd",
    "memory",
    "storage",
    "lens",
    "sunshield",
    "screws",
    "keyboard",
    "joystick",
];

/// Words that mark an item as an active device, which the accessory words must not downgrade.
const DEVICE_WORDS: &[&str] = &[
    "camera", "cam", "nvr", "dvr", "xvr", "recorder", "radio", "router", "switch", "modem",
    "intercom", "station", "encoder", "decoder", "ptz", "bullet", "dome", "turret", "thermal",
    "gateway", "terminal",
];

/// Words that mark an item as passive equipment in the sense of §889(a)(2)(B): it carries no
/// data at all. Narrower than the accessory words: displays, storage and adapters handle data.
const PASSIVE_WORDS: &[&str] = &[
    "mount",
    "bracket",
    "junction",
    "housing",
    "enclosure",
    "pole",
    "sunshield",
    "screws",
    "conduit",
    "raceway",
    "backbox",
    "gasket",
    "clamp",
    "cable",
    "cabling",
    "patch",
    "rack",
    "connector",
    "connectors",
    "rj45",
    "keystone",
    "ties",
    "labels",
];

/// Words that disqualify the passive reading even beside a passive word: anything electronic.
const ACTIVE_WORDS: &[&str] = &[
    "camera",
    "cam",
    "nvr",
    "dvr",
    "xvr",
    "recorder",
    "radio",
    "router",
    "switch",
    "modem",
    "intercom",
    "station",
    "encoder",
    "decoder",
    "ptz",
    "bullet",
    "dome",
    "turret",
    "thermal",
    "gateway",
    "terminal",
    "poe",
    "powered",
    "heater",
    "fan",
    "ir",
    "illuminator",
    "wireless",
    "wifi",
    "lte",
    "sensor",
    "display",
    "monitor",
    "server",
    "module",
    "injector",
    "transceiver",
    "sfp",
    "media",
    "converter",
    "extender",
    "active",
    "ups",
    "battery",
    "light",
    "lighting",
];

fn is_passive(description: &str) -> bool {
    let toks = normalize::tokens(description);
    let has = |list: &[&str]| toks.iter().any(|t| list.contains(&t.as_str()));
    has(PASSIVE_WORDS) && !has(ACTIVE_WORDS)
}

fn is_placeholder(ds: &Dataset, text: &str) -> bool {
    let folded = normalize::fold(text);
    if folded.is_empty() || normalize::name_tokens(text).is_empty() {
        return true;
    }
    PLACEHOLDERS.contains(&folded.as_str()) || ds.index.countries.by_name.contains_key(&folded)
}

fn is_accessory(description: &str) -> bool {
    let toks = normalize::tokens(description);
    let has = |list: &[&str]| toks.iter().any(|t| list.contains(&t.as_str()));
    has(ACCESSORY_WORDS) && !has(DEVICE_WORDS)
}

fn entity_name(ds: &Dataset, i: usize) -> String {
    ds.entity_at(i).map_or_else(String::new, |e| e.name.clone())
}

fn finding_from(
    ds: &Dataset,
    res: Resolution,
    field: &str,
    record: usize,
    lead: String,
) -> Finding {
    let mut sources: Vec<Source> = ds
        .entity_at(record)
        .map(|e| e.sources.clone())
        .unwrap_or_default();
    if let Some(end) = ds.entity_at(res.end) {
        sources.extend(end.sources.iter().cloned());
    }
    Finding {
        verdict: res.verdict,
        code: res.code,
        reason: format!("{lead}{}.", res.explanation),
        field: field.to_owned(),
        record: ds.entity_at(record).map(|e| e.id.clone()),
        chain: res.chain,
        limb: ds
            .entity_at(res.end)
            .and_then(|e| e.covered.as_ref())
            .map(|c| c.limb),
        sources,
    }
}

/// Findings from a maker or brand field; also returns records matched without a covered link.
fn name_findings(
    ds: &Dataset,
    field: &'static str,
    text: &str,
    date: Date,
    out: &mut Vec<Finding>,
    known: &mut Vec<(&'static str, usize)>,
) {
    for NameHit {
        record,
        kind,
        alias,
        ..
    } in match_names(ds, text)
    {
        let res = resolve_entity(ds, record, date);
        match kind {
            MatchKind::Exact | MatchKind::Contained => match res {
                Some(res) => {
                    let lead = format!(
                        "{field} \"{text}\" matches {} ({alias}); ",
                        entity_name(ds, record)
                    );
                    out.push(finding_from(ds, res, field, record, lead));
                }
                None => known.push((field, record)),
            },
            MatchKind::Partial | MatchKind::Fuzzy => {
                let Some(res) = res.filter(|r| r.verdict > Verdict889::NotCovered) else {
                    continue;
                };
                let (code, how) = if kind == MatchKind::Fuzzy {
                    (Code889::FuzzyMatch, "is a near miss of")
                } else {
                    (Code889::PartialName, "contains the short name")
                };
                let lead = format!(
                    "{field} \"{text}\" {how} \"{alias}\" ({}), which would be {}: ",
                    entity_name(ds, record),
                    res.verdict.as_str()
                );
                let mut f = finding_from(ds, res, field, record, lead);
                f.verdict = Verdict889::NeedsReview;
                f.code = code;
                out.push(f);
            }
        }
    }
}

/// Component families whose patterns occur in `text`, and entity names in component entries.
fn component_findings(ds: &Dataset, field: &str, text: &str, date: Date, out: &mut Vec<Finding>) {
    for (i, patterns) in &ds.index.components {
        let Some(comp) = ds.component_at(*i) else {
            continue;
        };
        let Some(found) = patterns.iter().find_map(|p| p.find(text)) else {
            continue;
        };
        let Some(&maker) = ds.index.entity_by_id.get(&comp.maker) else {
            continue;
        };
        let maker_name = entity_name(ds, maker);
        let resolution = resolve_entity(ds, maker, date);
        let mut chain = vec![ChainStep {
            from: comp.id.clone(),
            from_name: comp.name.clone(),
            relation: "made-by".to_owned(),
            to: comp.maker.clone(),
            to_name: maker_name.clone(),
            valid_from: None,
            valid_to: None,
            active: true,
            grade: comp
                .sources
                .iter()
                .map(|s| s.grade)
                .min()
                .unwrap_or(Grade::C),
            sources: comp.sources.iter().map(|s| s.url.clone()).collect(),
        }];
        let (verdict, code, tail, limb, mut sources) = match resolution {
            Some(res) => {
                chain.extend(res.chain);
                let end = ds.entity_at(res.end);
                let v = if res.verdict == Verdict889::Covered
                    && comp.evidence == ComponentEvidence::Covered
                {
                    Verdict889::Covered
                } else {
                    Verdict889::NeedsReview
                };
                let code = if v == Verdict889::Covered {
                    Code889::CoveredComponent
                } else {
                    Code889::ComponentReview
                };
                (
                    v,
                    code,
                    res.explanation,
                    end.and_then(|e| e.covered.as_ref()).map(|c| c.limb),
                    end.map(|e| e.sources.clone()).unwrap_or_default(),
                )
            }
            None => continue,
        };
        sources.extend(comp.sources.iter().cloned());
        out.push(Finding {
            verdict,
            code,
            reason: format!(
                "{field} mentions \"{}\", part of {} made by {maker_name}; {tail}. A SoC or radio module is a substantial or essential component (FAR 52.204-25).",
                found.as_str(),
                comp.name
            ),
            field: field.to_owned(),
            record: Some(comp.id.clone()),
            chain,
            limb,
            sources,
        });
    }
}

fn model_findings(ds: &Dataset, field: &str, text: &str, date: Date, out: &mut Vec<Finding>) {
    let trimmed = text.trim();
    for (i, re) in &ds.index.models {
        let Some(model) = ds.model_at(*i) else {
            continue;
        };
        if !re.is_match(trimmed) {
            continue;
        }
        let Some(&maker) = ds.index.entity_by_id.get(&model.maker) else {
            continue;
        };
        let Some(res) =
            resolve_entity(ds, maker, date).filter(|r| r.verdict > Verdict889::NotCovered)
        else {
            continue;
        };
        let lead = format!(
            "{field} \"{trimmed}\" follows the pattern of {} (record {}); a pattern is evidence, not proof, because other vendors reuse such prefixes; ",
            model.name, model.id
        );
        let mut f = finding_from(ds, res, field, maker, lead);
        f.verdict = Verdict889::NeedsReview;
        f.code = Code889::ModelPattern;
        f.record = Some(model.id.clone());
        f.sources.extend(model.sources.iter().cloned());
        out.push(f);
    }
}

fn priority(code: Code889) -> usize {
    Code889::ALL
        .iter()
        .position(|c| *c == code)
        .unwrap_or(usize::MAX)
}

fn present(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// The evidence found about the makers named on a line, beside the findings.
#[derive(Default)]
struct Named {
    /// (field, record) of every entity a maker field matched by name with no covered link.
    known: Vec<(&'static str, usize)>,
}

/// Checks one line for Section 889.
pub(crate) fn check(ds: &Dataset, line: &LineFacts, date: Date) -> Section889 {
    let mut findings = Vec::new();
    let mut named = Named::default();
    let maker_fields = [
        ("manufacturer", present(&line.manufacturer)),
        ("brand", present(&line.brand)),
    ];
    for (field, value) in maker_fields {
        if let Some(text) = value {
            name_findings(ds, field, text, date, &mut findings, &mut named.known);
        }
    }
    if let Some(desc) = present(&line.description) {
        mark_accessory_scope(&mut findings, desc);
    }
    let mut notes: Vec<String> = Vec::new();
    let components_listed = listed_component_findings(ds, line, date, &mut findings, &mut notes);
    let description = present(&line.description).map(negation::affirmed);
    for (field, value) in [
        ("description", description.as_deref()),
        ("model", present(&line.model)),
        ("part_number", present(&line.part_number)),
    ] {
        if let Some(text) = value {
            component_findings(ds, field, text, date, &mut findings);
        }
    }
    if let Some(desc) = description.as_deref() {
        description_mentions(ds, desc, date, &mut findings);
    }
    for (field, value) in [
        ("model", present(&line.model)),
        ("part_number", present(&line.part_number)),
    ] {
        if let Some(text) = value {
            model_findings(ds, field, text, date, &mut findings);
        }
    }
    rank_findings(&mut findings);
    notes.extend(entity_notes(ds, &named, &findings));

    let decided = findings
        .first()
        .filter(|f| f.verdict > Verdict889::NotCovered || f.code == Code889::FormerAffiliate)
        .cloned();
    let outcome = match decided {
        Some(f) => from_finding(ds, f, &maker_fields, &named),
        None => without_covered_evidence(ds, line, &maker_fields, &named, components_listed),
    };
    let citations = citations_for(ds, &outcome);
    Section889 {
        verdict: outcome.verdict,
        code: outcome.code,
        reason: outcome.reason,
        chain: outcome.chain,
        citations,
        findings,
        notes,
        basis: outcome.basis,
        independence: outcome.independence,
    }
}

/// A named-entity product that is plainly a passive accessory or display is a scope question:
/// its covered findings become reviews.
fn mark_accessory_scope(findings: &mut [Finding], desc: &str) {
    if !is_accessory(desc) {
        return;
    }
    for f in findings
        .iter_mut()
        .filter(|f| f.verdict == Verdict889::Covered)
    {
        f.verdict = Verdict889::NeedsReview;
        f.code = Code889::ScopeQuestion;
        f.reason.push_str(&format!(
                " The description \"{desc}\" reads as a passive accessory, display or storage item; whether §889 reaches it is disputed (Dahua argued such items are not video surveillance equipment), so it needs review."
            ));
    }
}

/// Findings from the listed components, read with their denials blanked out ("not HiSilicon"
/// is not a HiSilicon): component families and covered entities they name. A denial becomes a
/// note. Returns whether any component was listed without a denial.
fn listed_component_findings(
    ds: &Dataset,
    line: &LineFacts,
    date: Date,
    findings: &mut Vec<Finding>,
    notes: &mut Vec<String>,
) -> bool {
    let mut components_listed = false;
    for (n, comp) in line.components.iter().enumerate() {
        if comp.trim().is_empty() {
            continue;
        }
        let field = format!("components[{n}]");
        let positive = negation::affirmed(comp);
        if negation::has_denial(comp) {
            notes.push(format!(
                "{field} \"{}\" denies covered parts; a statement of absence is neither evidence of presence nor a clear, so it is not read as a component.",
                comp.trim()
            ));
        } else {
            components_listed = true;
        }
        component_findings(ds, &field, &positive, date, findings);
        for NameHit {
            record,
            kind,
            alias,
            ..
        } in match_names(ds, &positive)
        {
            if !matches!(kind, MatchKind::Exact | MatchKind::Contained) {
                continue;
            }
            let Some(res) =
                resolve_entity(ds, record, date).filter(|r| r.verdict > Verdict889::NotCovered)
            else {
                continue;
            };
            let covered = res.verdict == Verdict889::Covered;
            let lead = format!(
                "component \"{}\" names {} ({alias}); ",
                comp.trim(),
                entity_name(ds, record)
            );
            let mut f = finding_from(ds, res, &field, record, lead);
            if covered {
                f.code = Code889::CoveredComponent;
            }
            findings.push(f);
        }
    }
    components_listed
}

/// A covered entity mentioned in the (affirmed) description is evidence for review only: a
/// mention is not proof of who made the item.
fn description_mentions(ds: &Dataset, desc: &str, date: Date, findings: &mut Vec<Finding>) {
    for NameHit {
        record,
        kind,
        alias,
        ..
    } in match_names(ds, desc)
    {
        if !matches!(kind, MatchKind::Exact | MatchKind::Contained) {
            continue;
        }
        let Some(res) =
            resolve_entity(ds, record, date).filter(|r| r.verdict > Verdict889::NotCovered)
        else {
            continue;
        };
        let lead = format!(
            "the description mentions {} ({alias}); a mention (\"compatible with\", \"replaces\") is not proof of who made the item, but ",
            entity_name(ds, record)
        );
        let mut f = finding_from(ds, res, "description", record, lead);
        f.verdict = Verdict889::NeedsReview;
        f.code = Code889::DescriptionMention;
        findings.push(f);
    }
}

/// Most severe first, then by code priority; repeats of one code on one field and record go.
fn rank_findings(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| {
        b.verdict
            .cmp(&a.verdict)
            .then(priority(a.code).cmp(&priority(b.code)))
    });
    findings.dedup_by(|a, b| a.code == b.code && a.field == b.field && a.record == b.record);
}

/// The data's notes on every entity the line's makers named or a finding rests on, in record
/// order.
fn entity_notes(ds: &Dataset, named: &Named, findings: &[Finding]) -> Vec<String> {
    let mut note_records: BTreeSet<usize> = named.known.iter().map(|(_, i)| *i).collect();
    for f in findings {
        if let Some(id) = &f.record
            && let Some(&i) = ds.index.entity_by_id.get(id)
        {
            note_records.insert(i);
        }
    }
    let mut notes = Vec::new();
    for i in note_records {
        if let Some(e) = ds.entity_at(i) {
            for n in &e.notes {
                notes.push(format!("{}: {n}", e.name));
            }
        }
    }
    notes
}

/// The deciding part of a verdict, before citations are attached.
struct Outcome {
    verdict: Verdict889,
    code: Code889,
    reason: String,
    chain: Vec<ChainStep>,
    sources: Vec<Source>,
    limb: Option<Limb>,
    basis: Option<ClearBasis>,
    independence: Vec<IndependenceShown>,
    /// Dataset citation ids to add (a scope rule).
    rules: Vec<&'static str>,
}

impl Outcome {
    fn review(code: Code889, reason: String, sources: Vec<Source>) -> Self {
        Outcome {
            verdict: Verdict889::NeedsReview,
            code,
            reason,
            chain: Vec::new(),
            sources,
            limb: None,
            basis: None,
            independence: Vec::new(),
            rules: Vec::new(),
        }
    }
}

/// A finding decides the line. A link that ended cleanly (former affiliate, `not_covered`)
/// clears only when the maker also has a record of its current independence.
fn from_finding(
    ds: &Dataset,
    f: Finding,
    maker_fields: &[(&'static str, Option<&str>); 2],
    named: &Named,
) -> Outcome {
    let mut out = Outcome {
        verdict: f.verdict,
        code: f.code,
        reason: f.reason,
        chain: f.chain,
        sources: f.sources,
        limb: f.limb,
        basis: None,
        independence: Vec::new(),
        rules: Vec::new(),
    };
    if out.verdict == Verdict889::NotCovered {
        let record = f
            .record
            .as_deref()
            .and_then(|id| ds.index.entity_by_id.get(id).copied());
        match record.and_then(|i| shown(ds, f.field.as_str(), i)) {
            Some(ind) => {
                // Any other maker field must stand on its own record too.
                let others = maker_evidence(ds, maker_fields, named);
                if others.missing.is_empty() && others.unvetted.is_empty() {
                    out.basis = Some(ClearBasis::Record);
                    out.reason
                        .push_str(&format!(" Independence: {}.", ind.summary()));
                    out.sources.extend(
                        record
                            .and_then(|i| ds.entity_at(i))
                            .and_then(|e| e.independence())
                            .map(|x| x.sources.clone())
                            .unwrap_or_default(),
                    );
                    out.independence = others.shown;
                    if !out.independence.iter().any(|s| s.record == ind.record) {
                        out.independence.insert(0, ind);
                    }
                } else {
                    out.verdict = Verdict889::NeedsReview;
                    out.reason.push_str(&format!(
                        " But {} so the line is not cleared.",
                        others.why_not()
                    ));
                }
            }
            None => {
                out.verdict = Verdict889::NeedsReview;
                out.reason.push_str(
                    " The data has no record of who owns the maker now (parent, owners, OEM), so the end of the link alone does not clear it.",
                );
            }
        }
    }
    out
}

/// What the maker fields resolve to when nothing covered was found.
#[derive(Default)]
struct MakerEvidence {
    /// Given names that match no record.
    missing: Vec<String>,
    /// Records matched that carry no independence evidence.
    unvetted: Vec<usize>,
    /// Records with independence evidence.
    shown: Vec<IndependenceShown>,
}

impl MakerEvidence {
    fn why_not(&self) -> String {
        let mut parts = Vec::new();
        if !self.missing.is_empty() {
            parts.push(format!(
                "\"{}\" is not in the data",
                self.missing.join("\" / \"")
            ));
        }
        if !self.unvetted.is_empty() {
            parts.push("a maker in the data has no record of independence".to_owned());
        }
        format!("{},", parts.join(" and "))
    }
}

fn shown(ds: &Dataset, field: &str, record: usize) -> Option<IndependenceShown> {
    let e = ds.entity_at(record)?;
    let ind = e.independence()?;
    Some(IndependenceShown {
        field: field.to_owned(),
        record: e.id.clone(),
        name: e.name.clone(),
        as_of: ind.as_of,
        parent: ind.parent.clone(),
        owners: ind.owners.clone(),
        oem: ind.oem.clone(),
        checked: ind.checked.iter().map(|c| c.as_str().to_owned()).collect(),
    })
}

fn maker_evidence(
    ds: &Dataset,
    maker_fields: &[(&'static str, Option<&str>); 2],
    named: &Named,
) -> MakerEvidence {
    let mut ev = MakerEvidence::default();
    for (field, value) in maker_fields {
        let Some(text) = value.filter(|v| !is_placeholder(ds, v)) else {
            continue;
        };
        let records: Vec<usize> = named
            .known
            .iter()
            .filter(|(f, _)| f == field)
            .map(|(_, i)| *i)
            .collect();
        if records.is_empty() {
            ev.missing.push(text.to_owned());
        }
        for i in records {
            match shown(ds, field, i) {
                Some(s) => {
                    if !ev.shown.iter().any(|x| x.record == s.record) {
                        ev.shown.push(s);
                    }
                }
                None => {
                    if !ev.unvetted.contains(&i) {
                        ev.unvetted.push(i);
                    }
                }
            }
        }
    }
    ev
}

/// No maker is named (`given` lists the placeholders written instead): a placeholder line whose
/// model is still to be chosen says what to do, any other line needs its maker identified.
fn without_maker(line: &LineFacts, given: &[String]) -> Outcome {
    if placeholder::is_to_be_chosen(line) {
        return Outcome::review(
            Code889::ToBeChosen,
            placeholder::what_to_do_889(),
            Vec::new(),
        );
    }
    let what = if given.is_empty() {
        "No manufacturer or brand is given".to_owned()
    } else {
        format!("Only a placeholder is given ({})", given.join(", "))
    };
    Outcome::review(
        Code889::UnknownMaker,
        format!(
            "{what}, so the producer cannot be checked against §889; a reasonable inquiry must identify the maker."
        ),
        Vec::new(),
    )
}

/// No finding points at a covered producer: the line is clear only on positive evidence.
fn without_covered_evidence(
    ds: &Dataset,
    line: &LineFacts,
    maker_fields: &[(&'static str, Option<&str>); 2],
    named: &Named,
    components_listed: bool,
) -> Outcome {
    let given: Vec<String> = maker_fields
        .iter()
        .filter_map(|(f, v)| v.map(|v| format!("{f} \"{v}\"")))
        .collect();
    let ev = maker_evidence(ds, maker_fields, named);
    let passive = present(&line.description).filter(|d| is_passive(d));
    let no_maker = ev.missing.is_empty() && ev.unvetted.is_empty() && ev.shown.is_empty();
    if let Some(desc) = passive
        && (no_maker || !ev.missing.is_empty() || !ev.unvetted.is_empty())
    {
        let who = if no_maker {
            "no maker is named".to_owned()
        } else {
            format!(
                "the maker is not established ({})",
                ev.why_not().trim_end_matches(',')
            )
        };
        return Outcome {
            verdict: Verdict889::NotCovered,
            code: Code889::PassiveEquipment,
            reason: format!(
                "The description \"{desc}\" is passive equipment that cannot route or redirect user data traffic or permit visibility into it, which §889(a)(2)(B) puts outside the prohibition; {who}, and nothing on the line points at a covered producer."
            ),
            chain: Vec::new(),
            sources: Vec::new(),
            limb: None,
            basis: Some(ClearBasis::Rule),
            independence: Vec::new(),
            rules: vec!["ndaa-889"],
        };
    }
    if no_maker {
        return without_maker(line, &given);
    }
    if !ev.missing.is_empty() {
        return Outcome::review(
            Code889::MakerNotInData,
            format!(
                "\"{}\" is not in the data: no record says who owns or makes it, so it is neither linked to nor cleared of the covered entities; identify the maker's parent, owners and OEM source before accepting the line.",
                ev.missing.join("\" / \"")
            ),
            Vec::new(),
        );
    }
    if let Some(&risky) = named
        .known
        .iter()
        .map(|(_, i)| i)
        .find(|&&i| ds.entity_at(i).is_some_and(|e| e.component_risk))
        && !components_listed
    {
        let e = ds.entity_at(risky);
        return Outcome::review(
            Code889::ComponentUnknown,
            format!(
                "{} is not named in §889 and not linked to a named entity, but HiSilicon SoCs are common in its products and the line lists no components; name the SoC to decide.",
                e.map_or("The maker", |e| e.name.as_str())
            ),
            e.map(|e| e.sources.clone()).unwrap_or_default(),
        );
    }
    if let Some(&i) = ev.unvetted.first() {
        let e = ds.entity_at(i);
        return Outcome::review(
            Code889::IndependenceUnverified,
            format!(
                "{} is in the data, not named in §889 and with no documented link to a named entity, but no record establishes who owns it and where its products are made (parent, owners, OEM), so the absence of a link is not a clear.",
                e.map_or("The maker", |e| e.name.as_str())
            ),
            e.map(|e| e.sources.clone()).unwrap_or_default(),
        );
    }
    let mut sources = Vec::new();
    for s in &ev.shown {
        if let Some(e) = ds.entity(&s.record) {
            if let Some(ind) = e.independence() {
                sources.extend(ind.sources.iter().cloned());
            }
            sources.extend(e.sources.iter().cloned());
        }
    }
    let summary: Vec<String> = ev.shown.iter().map(IndependenceShown::summary).collect();
    Outcome {
        verdict: Verdict889::NotCovered,
        code: Code889::IndependentMaker,
        reason: format!(
            "Independence established by the data: {}. Nothing else on the line (components, description, model or part number) points at a covered producer.",
            summary.join("; ")
        ),
        chain: Vec::new(),
        sources,
        limb: None,
        basis: Some(ClearBasis::Record),
        independence: ev.shown,
        rules: Vec::new(),
    }
}

fn citations_for(ds: &Dataset, outcome: &Outcome) -> Vec<Citation> {
    let mut citations = Vec::new();
    let mut push_citation = |c: Citation| {
        if !citations.contains(&c) {
            citations.push(c);
        }
    };
    let rule = |id: &str| {
        ds.citation(id).map(|c| Citation {
            text: c.text.clone(),
            url: Some(c.url.clone()),
        })
    };
    let statute_url = ds.citation("ndaa-889").map(|c| c.url.clone());
    match outcome.limb {
        Some(Limb::A) => push_citation(Citation {
            text: "NDAA FY2019 §889(f)(3)(A)".to_owned(),
            url: statute_url.clone(),
        }),
        Some(Limb::B) => push_citation(Citation {
            text: "NDAA FY2019 §889(f)(3)(B)".to_owned(),
            url: statute_url.clone(),
        }),
        None => {
            if outcome.code == Code889::PassiveEquipment {
                push_citation(Citation {
                    text: "NDAA FY2019 §889(a)(2)(B) (equipment that cannot route, redirect or see user data)".to_owned(),
                    url: statute_url.clone(),
                });
            } else if let Some(c) = rule("ndaa-889") {
                push_citation(c);
            }
        }
    }
    for id in &outcome.rules {
        if let Some(c) = rule(id) {
            push_citation(c);
        }
    }
    if let Some(c) = rule("far-52.204-25") {
        push_citation(c);
    }
    for s in &outcome.sources {
        push_citation(Citation {
            text: s.title.clone().unwrap_or_else(|| "source".to_owned()),
            url: Some(s.url.clone()),
        });
    }
    citations
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_kebab_case() {
        let mut seen = BTreeSet::new();
        for c in Code889::ALL {
            assert!(seen.insert(c.as_str()), "duplicate code {}", c.as_str());
            let json = serde_json::to_string(c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
            assert!(!c.description().is_empty());
        }
    }

    #[test]
    fn accessory_detection_spares_devices() {
        assert!(is_accessory("Pole mount bracket, aluminium"));
        assert!(!is_accessory("4MP dome camera with wall mount"));
        assert!(!is_accessory("8-channel NVR with 2TB HDD"));
        assert!(is_accessory("27 inch LCD monitor"));
    }
}
