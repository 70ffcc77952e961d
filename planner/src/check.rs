//! The BOM check: every line's Section 889 and TAA verdicts, the officer's policy (which outcomes
//! deny, which lines are waived and why), and the report in each output format.
//!
//! Verdicts come from `compliance-data` and are never softened here: a policy can only decide
//! what blocks (exit status 1) and record a waiver with its reason beside the verdict, which stays
//! visible. A waiver that matches no line, or that has expired, is itself a warning, as in
//! cargo-deny, so stale exceptions do not pile up unnoticed.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::sync::Arc;

use bom::{Bom, BomLine};
use compliance_data::{
    Dataset, LineFacts, LineVerdict, ListFinding, Regime, Section889, Taa, TaaVerdict, Verdict889,
};
use serde::{Deserialize, Deserializer, Serialize};
use time::Date;

use crate::input::{InputError, parse_toml};

/// An outcome a policy can deny.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Section 889: covered.
    Covered,
    /// Section 889: needs review.
    NeedsReview,
    /// TAA: made in a non-designated country.
    NonDesignated,
    /// TAA: origin unknown, ambiguous or only "assembled in".
    UnknownOrigin,
    /// A finding under the FCC Covered List (a named entity or a category entry).
    FccCoveredList,
    /// A finding under the American Security Drone Act (a drone line).
    Asda,
    /// A finding under the DoD 1260H list (checked when the policy asks for it).
    #[serde(rename = "dod-1260h")]
    #[value(name = "dod-1260h")]
    Dod1260h,
}

impl Outcome {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Covered => "covered",
            Outcome::NeedsReview => "needs-review",
            Outcome::NonDesignated => "non-designated",
            Outcome::UnknownOrigin => "unknown-origin",
            Outcome::FccCoveredList => "fcc-covered-list",
            Outcome::Asda => "asda",
            Outcome::Dod1260h => "dod-1260h",
        }
    }
    /// The outcome of a finding under another list.
    pub fn of_regime(regime: Regime) -> Outcome {
        match regime {
            Regime::FccCoveredList => Outcome::FccCoveredList,
            Regime::Asda => Outcome::Asda,
            Regime::Dod1260h => Outcome::Dod1260h,
        }
    }
}

/// What a waiver covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WaiverScope {
    /// Both checks.
    #[default]
    Both,
    /// Section 889 only.
    #[serde(rename = "section-889")]
    Section889,
    /// TAA only.
    Taa,
    /// Findings under the FCC Covered List only.
    FccCoveredList,
    /// Findings under the American Security Drone Act only (say what the SAM.gov check found).
    Asda,
    /// Findings under the DoD 1260H list only.
    #[serde(rename = "dod-1260h")]
    Dod1260h,
}

impl WaiverScope {
    /// Whether a decision of this scope accepts `o`. `both` means Section 889 and TAA: a
    /// finding under another list is accepted only by a decision that names that list.
    fn accepts(self, o: Outcome) -> bool {
        match self {
            WaiverScope::Both => matches!(
                o,
                Outcome::Covered
                    | Outcome::NeedsReview
                    | Outcome::NonDesignated
                    | Outcome::UnknownOrigin
            ),
            WaiverScope::Section889 => matches!(o, Outcome::Covered | Outcome::NeedsReview),
            WaiverScope::Taa => matches!(o, Outcome::NonDesignated | Outcome::UnknownOrigin),
            WaiverScope::FccCoveredList => o == Outcome::FccCoveredList,
            WaiverScope::Asda => o == Outcome::Asda,
            WaiverScope::Dod1260h => o == Outcome::Dod1260h,
        }
    }
}

/// A date written in a policy file (`2027-01-31`, bare or quoted); written back the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PolicyDate(pub Date);

impl Serialize for PolicyDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PolicyDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = toml::Value::deserialize(d)?;
        let text = match &v {
            toml::Value::Datetime(dt) => dt.to_string(),
            toml::Value::String(s) => s.clone(),
            other => {
                return Err(serde::de::Error::custom(format!(
                    "expected a date such as 2027-01-31, found {other}"
                )));
            }
        };
        parse_date(&text)
            .map(PolicyDate)
            .map_err(serde::de::Error::custom)
    }
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<Date, String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), format)
        .map_err(|e| format!("{text:?} is not a date such as 2027-01-31 ({e})"))
}

/// One recorded review decision (`[[decision]]`, or `[[waiver]]` as older files spell it): an
/// officer looked at the lines it names and accepted them, for the reason given.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Waiver {
    /// Row as the spreadsheet numbers it.
    pub row: Option<usize>,
    /// Manufacturer, compared case-insensitively.
    pub manufacturer: Option<String>,
    /// Model, compared case-insensitively.
    pub model: Option<String>,
    /// Part number, compared case-insensitively.
    pub part_number: Option<String>,
    /// Which check it waives.
    #[serde(default)]
    pub check: WaiverScope,
    /// Why the line is accepted despite its verdict (required).
    pub reason: String,
    /// Who decided (required): a name, role or office an auditor can ask.
    #[serde(default)]
    pub by: String,
    /// When the decision was made (required).
    pub date: Option<PolicyDate>,
    /// Last day the waiver applies.
    pub expires: Option<PolicyDate>,
}

impl Waiver {
    /// Whether the decision names this line. The manufacturer is compared as the verdicts read
    /// makers ([`compliance_data::same_maker`]: "Seagate" covers "Seagate Technology"); model
    /// and part number case-insensitively.
    fn matches(&self, ds: &Dataset, line: &BomLine) -> bool {
        let same = |want: &Option<String>, have: &Option<String>| match want {
            None => true,
            Some(w) => have
                .as_deref()
                .is_some_and(|h| h.trim().eq_ignore_ascii_case(w.trim())),
        };
        let same_maker = match &self.manufacturer {
            None => true,
            Some(w) => line.manufacturer.as_deref().is_some_and(|h| {
                h.trim().eq_ignore_ascii_case(w.trim()) || compliance_data::same_maker(ds, w, h)
            }),
        };
        self.row.is_none_or(|r| r == line.origin.row)
            && same_maker
            && same(&self.model, &line.model)
            && same(&self.part_number, &line.part_number)
    }
    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(r) = self.row {
            parts.push(format!("row {r}"));
        }
        for (k, v) in [
            ("manufacturer", &self.manufacturer),
            ("model", &self.model),
            ("part-number", &self.part_number),
        ] {
            if let Some(v) = v {
                parts.push(format!("{k} {v:?}"));
            }
        }
        parts.join(", ")
    }
}

/// A policy file.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Policy {
    /// Format version; 1.
    #[serde(default = "one")]
    pub version: u32,
    /// Outcomes that fail the check (overridden by `--deny`).
    pub deny: Option<Vec<Outcome>>,
    /// The other lists to check beside Section 889 and TAA (default: the FCC Covered List
    /// and the ASDA; add `dod-1260h` to check the DoD 1260H list; `[]` checks none).
    pub other_lists: Option<Vec<Regime>>,
    /// Recorded review decisions (`[[decision]]` tables, then `[[waiver]]` tables).
    #[serde(default, rename = "decision")]
    pub waivers: Vec<Waiver>,
    /// `[[waiver]]` tables as older policy files write them; moved into `waivers` on parse.
    #[serde(default, rename = "waiver", skip_serializing)]
    pub older_waivers: Vec<Waiver>,
    /// Who and what the report is for (`[report]`), printed on its first page.
    #[serde(default)]
    pub report: ReportFields,
}

/// The identity of a check for the contract file: what it is about and who ran and reviewed
/// it. Every field is optional; each `camscope check` flag of the same name overrides it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ReportFields {
    /// The project ("Riverside Transit Center cameras").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    /// The solicitation or contract ("RFQ 24-117").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub solicitation: Option<String>,
    /// The quote or BOM being checked ("ACME Q-26-1187 rev B").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    /// Who ran the check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prepared_by: Option<String>,
    /// Who reviewed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reviewed_by: Option<String>,
}

impl ReportFields {
    /// These fields, each replaced by `other`'s where `other` has one.
    pub fn overridden_by(&self, other: &ReportFields) -> ReportFields {
        let pick = |a: &Option<String>, b: &Option<String>| {
            b.clone()
                .or_else(|| a.clone())
                .filter(|v| !v.trim().is_empty())
        };
        ReportFields {
            project: pick(&self.project, &other.project),
            solicitation: pick(&self.solicitation, &other.solicitation),
            quote: pick(&self.quote, &other.quote),
            prepared_by: pick(&self.prepared_by, &other.prepared_by),
            reviewed_by: pick(&self.reviewed_by, &other.reviewed_by),
        }
    }

    fn is_empty(&self) -> bool {
        *self == ReportFields::default()
    }
}

fn one() -> u32 {
    1
}

/// The outcomes denied when neither the command line nor the policy says: everything that is not
/// positively resolved, so a run exits 0 only when every line is clear on evidence or accepted by
/// a recorded decision.
///
/// Of the other lists, an ASDA finding (a drone line, to be checked against the FASC list in
/// SAM.gov) and a DoD 1260H finding (when the policy asks for that list) are denied: both bar
/// the purchase for the buyers who check them. An FCC Covered List finding is a warning: the
/// list bars new FCC authorizations and federal subsidies, not the purchase itself.
pub const DEFAULT_DENY: &[Outcome] = &[
    Outcome::Covered,
    Outcome::NeedsReview,
    Outcome::NonDesignated,
    Outcome::UnknownOrigin,
    Outcome::Asda,
    Outcome::Dod1260h,
];

/// Days after which the data is called stale.
pub const STALE_AFTER_DAYS: i64 = 180;

impl Policy {
    /// Reads a policy file.
    pub fn parse(file: &str, text: &str) -> Result<Policy, InputError> {
        let hint = |key: &str| {
            match key {
            "deny" => Some(
                "a list of: covered, needs-review, non-designated, unknown-origin, fcc-covered-list, asda, dod-1260h"
                    .to_string(),
            ),
            "other-lists" => Some("a list of: fcc-covered-list, asda, dod-1260h".to_string()),
            "check" => Some(
                "one of both, section-889, taa, fcc-covered-list, asda, dod-1260h".to_string(),
            ),
            "expires" => Some("a date such as 2027-01-31".to_string()),
            _ => None,
        }
        };
        let mut p: Policy = parse_toml(file, text, &hint)?;
        let older = std::mem::take(&mut p.older_waivers);
        p.waivers.extend(older);
        let err = |field: String, message: String, hint: &str| InputError {
            file: file.to_string(),
            line: None,
            column: None,
            field: Some(field),
            message,
            hint: Some(hint.to_string()),
        };
        if p.version != 1 {
            return Err(err(
                "version".into(),
                format!("this camscope reads policy version 1, not {}", p.version),
                "write `version = 1`",
            ));
        }
        for (i, w) in p.waivers.iter().enumerate() {
            if w.reason.trim().is_empty() {
                return Err(err(
                    format!("decision[{i}].reason"),
                    "a review decision needs a reason".into(),
                    "say why the line is accepted, for the audit trail",
                ));
            }
            if w.by.trim().is_empty() {
                return Err(err(
                    format!("decision[{i}].by"),
                    "a review decision needs `by`: who decided".into(),
                    "write by = \"J. Smith, contracting officer\"",
                ));
            }
            if w.date.is_none() {
                return Err(err(
                    format!("decision[{i}].date"),
                    "a review decision needs `date`: when it was decided".into(),
                    "write date = 2026-11-20",
                ));
            }
            if w.row.is_none()
                && w.manufacturer.is_none()
                && w.model.is_none()
                && w.part_number.is_none()
            {
                return Err(err(
                    format!("decision[{i}]"),
                    "a review decision must name the lines it accepts".into(),
                    "give row, manufacturer, model or part-number",
                ));
            }
        }
        Ok(p)
    }
}

/// The review decision applied to a line.
#[derive(Debug, Clone, Serialize)]
pub struct AppliedWaiver {
    /// Index in the policy file.
    pub index: usize,
    /// What it covers.
    pub check: WaiverScope,
    /// Why.
    pub reason: String,
    /// Who decided.
    pub by: String,
    /// When.
    pub date: Option<PolicyDate>,
    /// Until when.
    pub expires: Option<PolicyDate>,
}

impl AppliedWaiver {
    /// One line for every output: "accepted (section-889) by J. Smith on 2026-11-20, until
    /// 2027-03-31: reason".
    pub fn summary(&self) -> String {
        let scope = match self.check {
            WaiverScope::Both => String::new(),
            WaiverScope::Section889 => " (section-889)".to_owned(),
            WaiverScope::Taa => " (taa)".to_owned(),
            WaiverScope::FccCoveredList => " (fcc-covered-list)".to_owned(),
            WaiverScope::Asda => " (asda)".to_owned(),
            WaiverScope::Dod1260h => " (dod-1260h)".to_owned(),
        };
        let date = self
            .date
            .map(|d| format!(" on {}", d.0))
            .unwrap_or_default();
        let until = self
            .expires
            .map(|d| format!(", until {}", d.0))
            .unwrap_or_default();
        format!(
            "accepted{scope} by {}{date}{until}: {}",
            self.by.trim(),
            self.reason.trim()
        )
    }
}

/// A row below the header that was not checked, and why.
#[derive(Debug, Clone, Serialize)]
pub struct SkippedLine {
    /// Row as the spreadsheet numbers it.
    pub row: usize,
    /// Sheet, for workbooks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// Stable reason code (`total`, `section-heading`, `note`, `repeated-header`,
    /// `no-product-identity`).
    pub reason: &'static str,
    /// Plain-words explanation.
    pub message: String,
    /// The row's non-empty cells, so it can be recognised.
    pub text: String,
}

/// One checked line.
#[derive(Debug, Clone, Serialize)]
pub struct CheckedLine {
    /// Row as the spreadsheet numbers it.
    pub row: usize,
    /// Sheet, for workbooks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// Manufacturer.
    pub manufacturer: Option<String>,
    /// Brand.
    pub brand: Option<String>,
    /// Model.
    pub model: Option<String>,
    /// Part number.
    pub part_number: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Country of origin as written.
    pub country_of_origin: Option<String>,
    /// Quantity.
    pub qty: Option<f64>,
    /// Unit price in US dollars.
    pub unit_price: Option<f64>,
    /// Section 889 verdict.
    pub section_889: Arc<Section889>,
    /// TAA verdict.
    pub taa: Arc<Taa>,
    /// Findings under the other lists checked, each labelled with its list; they never change
    /// the Section 889 verdict.
    pub other_lists: Arc<Vec<ListFinding>>,
    /// Outcomes of this line that the policy denies and no waiver covers.
    pub denied: Vec<Outcome>,
    /// Outcomes of this line that are not denied but deserve attention.
    pub warned: Vec<Outcome>,
    /// The review decision applied, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<AppliedWaiver>,
    /// Cells of this line that could not be read (a quantity of "2 ea"), each naming its cell;
    /// the line was checked without them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
    /// What the line needs: denied, a warning, waived, or nothing.
    pub level: LineLevel,
    /// The officer's own cells, as read, for the formats that hand them back (XLSX).
    #[serde(skip)]
    pub cells: OwnCells,
}

/// What a checked line needs, worst first: a denied outcome, a warning, a waiver applied, or
/// nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LineLevel {
    /// An outcome the policy denies, not waived.
    Deny,
    /// An outcome that deserves attention.
    Warn,
    /// Every denied outcome is covered by a waiver.
    Waived,
    /// Nothing to do.
    Ok,
}

impl LineLevel {
    /// The kebab-case name, as the reports and CSV write it.
    pub fn as_str(self) -> &'static str {
        match self {
            LineLevel::Deny => "deny",
            LineLevel::Warn => "warn",
            LineLevel::Waived => "waived",
            LineLevel::Ok => "ok",
        }
    }
}

impl std::fmt::Display for LineLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// A line's cells as the officer wrote them: the text of each column and the cells that are
/// numbers, dates or booleans ([`bom::BomLine::typed`]).
#[derive(Debug, Clone, Default)]
pub struct OwnCells {
    /// Text of every column, lined up with [`CheckReport::headers`].
    pub text: Vec<String>,
    /// The typed cells, by column index.
    pub typed: Vec<(usize, bom::TypedCell)>,
}

/// A column of the BOM whose values were not read.
#[derive(Debug, Clone, Serialize)]
pub struct UnreadColumn {
    /// Spreadsheet letter ("G").
    pub column: String,
    /// Header as written (empty for a column without one).
    pub header: String,
    /// Why it was not read.
    pub reason: String,
}

/// Counts by verdict.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    /// Lines checked.
    pub lines: usize,
    /// Section 889 covered.
    pub covered: usize,
    /// Section 889 needs review.
    pub needs_review: usize,
    /// Section 889 not covered.
    pub not_covered: usize,
    /// TAA designated.
    pub designated: usize,
    /// TAA non-designated.
    pub non_designated: usize,
    /// TAA unknown.
    pub unknown: usize,
    /// Lines at deny level.
    pub denied: usize,
    /// Lines with a waiver applied.
    pub waived: usize,
    /// Rows below the header that were not checked (listed in `skipped`).
    pub skipped: usize,
    /// `not_covered` verdicts that rest on a record of independence.
    pub clear_on_record: usize,
    /// `not_covered` verdicts that rest on a scope rule (passive equipment).
    pub clear_on_rule: usize,
    /// Lines with at least one finding under another list.
    pub other_lists: usize,
}

/// The data that decided the verdicts: its stamp and where it was loaded from.
#[derive(Debug, Clone, Serialize)]
pub struct DataUsed {
    /// Version, content hash (SHA-256) and newest retrieval date.
    #[serde(flatten)]
    pub stamp: compliance_data::DataStamp,
    /// "embedded" or the directory given with --data-dir.
    pub source: String,
}

impl DataUsed {
    /// The data of `ds`, loaded from `source` ("embedded" or a directory).
    pub fn of(ds: &Dataset, source: &str) -> Self {
        DataUsed {
            stamp: compliance_data::DataStamp::of(ds),
            source: source.to_string(),
        }
    }

    /// The version and as-of date, as the "data version" column of every line shows them.
    pub fn column_text(&self) -> String {
        format!("{} ({})", self.stamp.version, self.stamp.as_of)
    }
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// camscope version.
    pub tool: String,
    /// The date verdicts were computed as of.
    pub checked_on: String,
    /// The data used.
    pub data: DataUsed,
    /// The BOM file.
    pub file: String,
    /// SHA-256 of the BOM file's bytes, as read (empty when checked from memory).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub file_sha256: String,
    /// What the check is for and who ran and reviewed it (policy `[report]` and flags).
    #[serde(skip_serializing_if = "ReportFields::is_empty")]
    pub report: ReportFields,
    /// The sheet read, for workbooks.
    pub sheet: Option<String>,
    /// Row of the header.
    pub header_row: usize,
    /// The header cells as written, from column A.
    #[serde(skip)]
    pub headers: Vec<String>,
    /// Columns whose values were not read: unknown headers, values under no header.
    pub unread_columns: Vec<UnreadColumn>,
    /// Outcomes at deny level.
    pub deny: Vec<Outcome>,
    /// The other lists checked beside Section 889 and TAA.
    pub other_lists: Vec<Regime>,
    /// Counts.
    pub summary: Counts,
    /// Warnings: reader warnings, stale data, unused or expired waivers.
    pub warnings: Vec<String>,
    /// Every line.
    pub lines: Vec<CheckedLine>,
    /// Every non-blank row below the header that was not checked, with why.
    pub skipped: Vec<SkippedLine>,
    /// Every review decision of the policy file, with the lines it accepted.
    pub decisions: Vec<DecisionRecord>,
}

/// What became of a review decision on this BOM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DecisionStatus {
    /// It accepted at least one outcome of a line.
    Applied,
    /// It names lines, but none of them had an outcome within its scope.
    NothingToAccept,
    /// It matches no line of this BOM.
    Unused,
    /// It expired before the date checked and no longer applies.
    Expired,
}

/// A review decision of the policy file and what it did (the waiver register).
#[derive(Debug, Clone, Serialize)]
pub struct DecisionRecord {
    /// Index in the policy file (`decision[i]`).
    pub index: usize,
    /// The lines it names ("manufacturer \"Seagate\"").
    pub names: String,
    /// What it covers.
    pub check: WaiverScope,
    /// Who decided.
    pub by: String,
    /// When.
    pub date: Option<PolicyDate>,
    /// Until when.
    pub expires: Option<PolicyDate>,
    /// Why.
    pub reason: String,
    /// What became of it.
    pub status: DecisionStatus,
    /// Rows whose outcomes it accepted.
    pub rows: Vec<usize>,
}

impl CheckReport {
    /// Whether anything is at deny level.
    pub fn fails(&self) -> bool {
        self.summary.denied > 0
    }
}

fn facts(line: &BomLine) -> LineFacts {
    let mut f = LineFacts::default();
    f.manufacturer = line.manufacturer.clone();
    f.brand = line.brand.clone();
    f.model = line.model.clone();
    f.part_number = line.part_number.clone();
    f.description = line.description.clone();
    // A components cell lists parts separated by commas, semicolons or newlines.
    f.components = line
        .components
        .iter()
        .flat_map(|c| c.split([',', ';', '\n']))
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect();
    f.country_of_origin = line.country_of_origin.clone();
    f
}

/// The verdicts of `facts`, in order. Lines are independent and `check_line` is pure, so many
/// are split across the machine's cores; a few stay on this thread.
fn verdicts_in_parallel(
    facts: &[LineFacts],
    ds: &Dataset,
    date: Date,
    regimes: &[Regime],
) -> Vec<LineVerdict> {
    const PER_THREAD_AT_LEAST: usize = 2_000;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = cores.min(facts.len() / PER_THREAD_AT_LEAST).max(1);
    if threads == 1 {
        return facts
            .iter()
            .map(|f| compliance_data::check_line_with(ds, f, date, regimes))
            .collect();
    }
    let chunk = facts.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = facts
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|f| compliance_data::check_line_with(ds, f, date, regimes))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        // A panic in a worker is a bug in the matcher; re-raise it rather than lose lines.
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// One line's verdicts as the check keeps them: lines with the same facts share one copy.
#[derive(Debug, Clone)]
struct SharedVerdict {
    section_889: Arc<Section889>,
    taa: Arc<Taa>,
    other_lists: Arc<Vec<ListFinding>>,
    outcomes: Arc<[Outcome]>,
}

impl SharedVerdict {
    fn of(v: LineVerdict) -> SharedVerdict {
        let outcomes = outcomes(&v).into();
        SharedVerdict {
            section_889: Arc::new(v.section_889),
            taa: Arc::new(v.taa),
            other_lists: Arc::new(v.other_lists),
            outcomes,
        }
    }
}

fn outcomes(v: &LineVerdict) -> Vec<Outcome> {
    let mut o = Vec::new();
    match v.section_889.verdict {
        Verdict889::Covered => o.push(Outcome::Covered),
        Verdict889::NeedsReview => o.push(Outcome::NeedsReview),
        Verdict889::NotCovered => {}
    }
    match v.taa.verdict {
        TaaVerdict::NonDesignated => o.push(Outcome::NonDesignated),
        TaaVerdict::Unknown => o.push(Outcome::UnknownOrigin),
        TaaVerdict::Designated => {}
    }
    for f in &v.other_lists {
        let outcome = Outcome::of_regime(f.regime);
        if !o.contains(&outcome) {
            o.push(outcome);
        }
    }
    o
}

/// The verdicts of lines whose facts were seen before are reused, not computed again: a large
/// BOM repeats its products (the same camera on every floor). At most this many distinct facts
/// are kept; past it the memory is dropped and filled again, so a BOM of all-different lines
/// stays bounded. Assumed: a few thousand distinct products cover any real BOM's repeats.
const REMEMBERED_FACTS_AT_MOST: usize = 16_384;

/// The check of one BOM, fed its lines in order in batches of any size ([`Checker::check_lines`])
/// so that a caller can write each batch before reading the next, then closed with
/// [`Checker::finish`], which adds the counts, warnings and the decisions register.
pub struct Checker<'a> {
    ds: &'a Dataset,
    policy: &'a Policy,
    deny_set: BTreeSet<Outcome>,
    date: Date,
    regimes: Vec<Regime>,
    used: Vec<bool>,
    accepted: Vec<Vec<usize>>,
    counts: Counts,
    remembered: HashMap<LineFacts, SharedVerdict>,
}

impl<'a> Checker<'a> {
    /// A check as of `date` under `policy`, denying `deny`.
    pub fn new(ds: &'a Dataset, policy: &'a Policy, deny: &[Outcome], date: Date) -> Self {
        Checker {
            ds,
            policy,
            deny_set: deny.iter().copied().collect(),
            date,
            regimes: policy
                .other_lists
                .clone()
                .unwrap_or_else(|| compliance_data::DEFAULT_REGIMES.to_vec()),
            used: vec![false; policy.waivers.len()],
            accepted: vec![Vec::new(); policy.waivers.len()],
            counts: Counts::default(),
            remembered: HashMap::new(),
        }
    }

    /// Checks the next lines of the BOM, in file order.
    pub fn check_lines(&mut self, lines: Vec<BomLine>) -> Vec<CheckedLine> {
        if self.remembered.len() > REMEMBERED_FACTS_AT_MOST {
            self.remembered.clear();
        }
        let facts: Vec<LineFacts> = lines.iter().map(facts).collect();
        let mut new: Vec<LineFacts> = Vec::new();
        {
            let mut seen = std::collections::HashSet::new();
            for f in &facts {
                if !self.remembered.contains_key(f) && seen.insert(f) {
                    new.push(f.clone());
                }
            }
        }
        let verdicts = verdicts_in_parallel(&new, self.ds, self.date, &self.regimes);
        for (f, v) in new.into_iter().zip(verdicts) {
            self.remembered.insert(f, SharedVerdict::of(v));
        }
        lines
            .into_iter()
            .zip(&facts)
            .map(|(line, f)| {
                let v = match self.remembered.get(f) {
                    Some(v) => v.clone(),
                    None => SharedVerdict::of(compliance_data::check_line_with(
                        self.ds,
                        f,
                        self.date,
                        &self.regimes,
                    )),
                };
                self.line(line, v)
            })
            .collect()
    }

    fn line(&mut self, line: BomLine, v: SharedVerdict) -> CheckedLine {
        let (ds, date, policy) = (self.ds, self.date, self.policy);
        let (used, accepted, counts) = (&mut self.used, &mut self.accepted, &mut self.counts);
        let deny_set = &self.deny_set;
        counts.lines += 1;
        let waiver = policy.waivers.iter().enumerate().find(|(i, w)| {
            let live = w.expires.is_none_or(|e| e.0 >= date);
            let matches = w.matches(ds, &line);
            if matches {
                used[*i] = true;
            }
            live && matches
        });
        let (mut denied, mut warned) = (Vec::new(), Vec::new());
        let mut waived_any = false;
        for &o in v.outcomes.iter() {
            let waived = waiver.is_some_and(|(_, w)| w.check.accepts(o));
            if waived {
                waived_any = true;
            } else if deny_set.contains(&o) {
                denied.push(o);
            } else {
                warned.push(o);
            }
        }
        match v.section_889.verdict {
            Verdict889::Covered => counts.covered += 1,
            Verdict889::NeedsReview => counts.needs_review += 1,
            Verdict889::NotCovered => {
                counts.not_covered += 1;
                match v.section_889.basis {
                    Some(compliance_data::ClearBasis::Rule) => counts.clear_on_rule += 1,
                    _ => counts.clear_on_record += 1,
                }
            }
        }
        match v.taa.verdict {
            TaaVerdict::Designated => counts.designated += 1,
            TaaVerdict::NonDesignated => counts.non_designated += 1,
            TaaVerdict::Unknown => counts.unknown += 1,
        }
        if !v.other_lists.is_empty() {
            counts.other_lists += 1;
        }
        let level = if !denied.is_empty() {
            counts.denied += 1;
            LineLevel::Deny
        } else if !warned.is_empty() {
            LineLevel::Warn
        } else if waived_any {
            LineLevel::Waived
        } else {
            LineLevel::Ok
        };
        if waived_any {
            counts.waived += 1;
            if let Some((i, _)) = waiver {
                accepted[i].push(line.origin.row);
            }
        }
        CheckedLine {
            row: line.origin.row,
            sheet: line.origin.sheet,
            manufacturer: line.manufacturer,
            brand: line.brand,
            model: line.model,
            part_number: line.part_number,
            description: line.description,
            country_of_origin: line.country_of_origin,
            qty: line.qty,
            unit_price: line.unit_price,
            section_889: v.section_889,
            taa: v.taa,
            other_lists: v.other_lists,
            denied,
            warned,
            waiver: waiver.filter(|_| waived_any).map(|(i, w)| AppliedWaiver {
                index: i,
                check: w.check,
                reason: w.reason.clone(),
                by: w.by.clone(),
                date: w.date,
                expires: w.expires,
            }),
            problems: line.problems.iter().map(ToString::to_string).collect(),
            level,
            cells: OwnCells {
                text: line.cells,
                typed: line.typed,
            },
        }
    }

    /// The report, after every line went through [`Checker::check_lines`]; `lines` are the
    /// checked lines the caller kept (all of them, or none when they were written as they came).
    /// `bom` gives the file, sheet, header, warnings and skipped rows; its own lines are not read.
    pub fn finish(self, bom: &Bom, data_source: &str, lines: Vec<CheckedLine>) -> CheckReport {
        let Checker {
            ds,
            policy,
            deny_set,
            date,
            regimes,
            used,
            mut accepted,
            mut counts,
            ..
        } = self;
        counts.skipped = bom.skipped.len();
        // Skipped rows are listed on their own; bad cells are shown on their lines.
        let mut warnings: Vec<String> = bom
            .warnings
            .iter()
            .filter(|w| {
                !matches!(
                    w.kind,
                    bom::WarningKind::LineWithoutProduct | bom::WarningKind::BadCell
                )
            })
            .map(ToString::to_string)
            .collect();
        let age = (date - ds.as_of()).whole_days();
        if age > STALE_AFTER_DAYS {
            warnings.push(format!(
                "the compliance data is {age} days old (as of {}); lists change — update camscope or pass --data-dir with newer data",
                ds.as_of()
            ));
        }
        for (i, w) in policy.waivers.iter().enumerate() {
            if !used[i] {
                warnings.push(format!(
                    "decision[{i}] ({}) matches no line of this BOM",
                    w.describe()
                ));
            } else if let Some(e) = w.expires.filter(|e| e.0 < date) {
                warnings.push(format!(
                    "decision[{i}] ({}) expired on {} and no longer applies",
                    w.describe(),
                    e.0
                ));
            }
        }
        let decisions = policy
            .waivers
            .iter()
            .enumerate()
            .map(|(i, w)| DecisionRecord {
                index: i,
                names: w.describe(),
                check: w.check,
                by: w.by.clone(),
                date: w.date,
                expires: w.expires,
                reason: w.reason.clone(),
                status: if !used[i] {
                    DecisionStatus::Unused
                } else if w.expires.is_some_and(|e| e.0 < date) {
                    DecisionStatus::Expired
                } else if accepted[i].is_empty() {
                    DecisionStatus::NothingToAccept
                } else {
                    DecisionStatus::Applied
                },
                rows: std::mem::take(&mut accepted[i]),
            })
            .collect();
        CheckReport {
            tool: format!("camscope {}", env!("CARGO_PKG_VERSION")),
            checked_on: date.to_string(),
            data: DataUsed::of(ds, data_source),
            file: bom.source.display().to_string(),
            file_sha256: String::new(),
            report: policy.report.clone(),
            sheet: bom.sheet.clone(),
            header_row: bom.header_row,
            headers: bom.headers.clone(),
            unread_columns: bom
                .warnings
                .iter()
                .filter(|w| {
                    matches!(
                        w.kind,
                        bom::WarningKind::UnknownColumn | bom::WarningKind::UnnamedColumn
                    )
                })
                .filter_map(|w| {
                    let c = w.location.column.as_ref()?;
                    Some(UnreadColumn {
                        column: c.letter(),
                        header: c.header.trim().to_owned(),
                        reason: w.message.clone(),
                    })
                })
                .collect(),
            deny: deny_set.into_iter().collect(),
            other_lists: regimes,
            summary: counts,
            warnings,
            lines,
            skipped: bom
                .skipped
                .iter()
                .map(|s| SkippedLine {
                    row: s.origin.row,
                    sheet: s.origin.sheet.clone(),
                    reason: s.reason.as_str(),
                    message: s.message.clone(),
                    text: s.text.clone(),
                })
                .collect(),
            decisions,
        }
    }
}

/// Checks every line of `bom` as of `date`. Pure apart from what it is given.
pub fn check(
    bom: &Bom,
    ds: &Dataset,
    data_source: &str,
    policy: &Policy,
    deny: &[Outcome],
    date: Date,
) -> CheckReport {
    let mut checker = Checker::new(ds, policy, deny, date);
    let lines = checker.check_lines(bom.lines.clone());
    checker.finish(bom, data_source, lines)
}

/// Tells the BOM reader which descriptions name a product, from the compliance data, so that a
/// row with only "Hikvision DS-2CD2143G2-I dome" is checked rather than skipped.
pub fn product_hint(ds: std::sync::Arc<Dataset>) -> bom::ProductHint {
    bom::ProductHint::new(move |text| compliance_data::names_product(&ds, text))
}

pub(crate) fn code_of(v: &impl Serialize) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The relationship chain as one line: "Lorex -[owned-by 2018-02-06..2022-11-24]-> Dahua".
pub fn chain_text(s: &Section889) -> String {
    let mut out = String::new();
    for (i, step) in s.chain.iter().enumerate() {
        if i == 0 {
            out.push_str(&step.from_name);
        }
        let dates = match (&step.valid_from, &step.valid_to) {
            (None, None) => String::new(),
            (f, t) => format!(
                " {}..{}",
                f.as_ref().map(ToString::to_string).unwrap_or_default(),
                t.as_ref().map(ToString::to_string).unwrap_or_default()
            ),
        };
        let _ = write!(out, " -[{}{dates}]-> {}", step.relation, step.to_name);
    }
    out
}

fn first_url(citations: &[compliance_data::Citation]) -> String {
    citations
        .iter()
        .find_map(|c| c.url.clone())
        .unwrap_or_default()
}

fn citation_text(citations: &[compliance_data::Citation]) -> String {
    citations
        .iter()
        .map(|c| c.text.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Text for a terminal.
pub fn table(r: &CheckReport) -> String {
    let mut o = String::new();
    let s = &r.summary;
    let _ = writeln!(
        o,
        "camscope check — {}{}",
        r.file,
        r.sheet
            .as_ref()
            .map(|s| format!(" [{s}]"))
            .unwrap_or_default()
    );
    let _ = writeln!(
        o,
        "{} from {}; checked as of {}",
        r.data.stamp, r.data.source, r.checked_on
    );
    let deny: Vec<&str> = r.deny.iter().map(|d| d.as_str()).collect();
    let _ = writeln!(
        o,
        "deny: {}",
        if deny.is_empty() {
            "nothing".into()
        } else {
            deny.join(", ")
        }
    );
    let _ = writeln!(o, "other lists checked: {}\n", other_lists_checked(r));
    for l in &r.lines {
        let item = [&l.manufacturer, &l.brand, &l.model, &l.part_number]
            .iter()
            .filter_map(|v| v.as_deref())
            .collect::<Vec<_>>()
            .join(" / ");
        let _ = writeln!(o, "row {:>5} [{:^6}] {item}", l.row, l.level);
        let chain = chain_text(&l.section_889);
        let _ = writeln!(
            o,
            "      889: {} ({}) — {}{}",
            l.section_889.verdict.as_str(),
            l.section_889.code.as_str(),
            l.section_889.reason,
            if chain.is_empty() {
                String::new()
            } else {
                format!("\n           chain: {chain}")
            }
        );
        let _ = writeln!(
            o,
            "           cite: {} {}",
            citation_text(&l.section_889.citations),
            first_url(&l.section_889.citations)
        );
        // The country when one was resolved; no dash standing for "none".
        let country = l
            .taa
            .country
            .as_ref()
            .map(|c| format!(" — {} ({})", c.name, c.alpha2))
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "      TAA: {} ({}){country}{}: {}",
            l.taa.verdict.as_str(),
            code_of(&l.taa.code),
            if l.taa.lists.is_empty() {
                String::new()
            } else {
                format!(" [{}]", l.taa.lists.join(", "))
            },
            l.taa.reason
        );
        for ind in &l.section_889.independence {
            let _ = writeln!(o, "           independence: {}", ind.summary());
        }
        for f in l.other_lists.iter() {
            let _ = writeln!(
                o,
                "      {}: {} — {}\n           cite: {} {}",
                f.regime.label(),
                f.code,
                f.reason,
                citation_text(&f.citations),
                first_url(&f.citations)
            );
        }
        for p in &l.problems {
            let _ = writeln!(o, "      cell: {p}");
        }
        if let Some(w) = &l.waiver {
            let _ = writeln!(o, "      decision: {}", w.summary());
        }
    }
    if !r.skipped.is_empty() {
        let _ = writeln!(o, "\nnot checked ({} row(s)):", r.skipped.len());
        for k in &r.skipped {
            let _ = writeln!(
                o,
                "row {:>5} [skipped] {} — {}: {}",
                k.row, k.text, k.reason, k.message
            );
        }
    }
    let _ = writeln!(
        o,
        "\n{} line(s): 889 covered {}, needs review {}, not covered {} ({} on a record, {} on a rule); TAA designated {}, non-designated {}, unknown {}; {} with findings under other lists; {} at deny level, {} accepted by a decision; {} row(s) not checked",
        s.lines,
        s.covered,
        s.needs_review,
        s.not_covered,
        s.clear_on_record,
        s.clear_on_rule,
        s.designated,
        s.non_designated,
        s.unknown,
        s.other_lists,
        s.denied,
        s.waived,
        s.skipped
    );
    for w in &r.warnings {
        let _ = writeln!(o, "warning: {w}");
    }
    o
}

/// The other lists a report checked, by name ("none" when the policy turned them off).
pub fn other_lists_checked(r: &CheckReport) -> String {
    if r.other_lists.is_empty() {
        "none".into()
    } else {
        r.other_lists
            .iter()
            .map(|g| g.label())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// One cell for a line's other-list findings: `list: code (subject)`, separated by `; `.
pub fn other_lists_text(findings: &[ListFinding]) -> String {
    findings
        .iter()
        .map(|f| format!("{}: {} ({})", f.regime.label(), f.code, f.subject))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Column headers of the verdict columns added to CSV and XLSX output.
pub const VERDICT_COLUMNS: &[&str] = &[
    "level",
    "889 verdict",
    "889 code",
    "889 reason",
    "889 chain",
    "889 citation",
    "889 source",
    "TAA verdict",
    "TAA code",
    "TAA country",
    "TAA lists",
    "TAA reason",
    "TAA citation",
    "other lists",
    "waiver",
    "data version",
];

/// The verdict columns of a checked line; `data` is [`DataUsed::column_text`].
pub(crate) fn verdict_cells(data: &str, l: &CheckedLine) -> Vec<String> {
    vec![
        l.level.to_string(),
        l.section_889.verdict.as_str().to_string(),
        l.section_889.code.as_str().to_string(),
        l.section_889.reason.clone(),
        chain_text(&l.section_889),
        citation_text(&l.section_889.citations),
        first_url(&l.section_889.citations),
        l.taa.verdict.as_str().to_string(),
        code_of(&l.taa.code),
        l.taa
            .country
            .as_ref()
            .map(|c| c.alpha2.clone())
            .unwrap_or_default(),
        l.taa.lists.join(", "),
        l.taa.reason.clone(),
        citation_text(&l.taa.citations),
        other_lists_text(&l.other_lists),
        l.waiver
            .as_ref()
            .map(AppliedWaiver::summary)
            .unwrap_or_default(),
        data.to_owned(),
    ]
}

/// The verdict columns of a row that was not checked: level `skipped` and the reason.
pub(crate) fn skipped_cells(data: &str, k: &SkippedLine) -> Vec<String> {
    let mut cells = vec![String::new(); VERDICT_COLUMNS.len()];
    cells[0] = "skipped".to_owned();
    cells[2] = k.reason.to_owned();
    cells[3] = format!("not checked: {}", k.message);
    if let Some(last) = cells.last_mut() {
        *last = data.to_owned();
    }
    cells
}

/// CSV: one row per line with its identity and the verdict columns, then the skipped rows.
pub fn csv(r: &CheckReport, out: &mut Vec<u8>) -> std::io::Result<()> {
    let mut w = CsvWriter::new(out, &r.data)?;
    w.lines(&r.lines)?;
    w.finish(&r.skipped)?;
    Ok(())
}

/// Writes the CSV of a check as its lines come: the header first, each batch of checked
/// lines as it is checked, the skipped rows at the end.
pub struct CsvWriter<W: std::io::Write> {
    w: csv::Writer<W>,
    data: String,
}

impl<W: std::io::Write> CsvWriter<W> {
    /// Writes the header row.
    pub fn new(out: W, data: &DataUsed) -> std::io::Result<Self> {
        let mut w = csv::Writer::from_writer(out);
        let mut header = vec![
            "row",
            "sheet",
            "manufacturer",
            "brand",
            "model",
            "part_number",
            "description",
            "qty",
            "unit_price",
            "country_of_origin",
        ];
        header.extend_from_slice(VERDICT_COLUMNS);
        w.write_record(&header)?;
        Ok(CsvWriter {
            w,
            data: data.column_text(),
        })
    }

    /// Writes checked lines, in order.
    pub fn lines(&mut self, lines: &[CheckedLine]) -> std::io::Result<()> {
        let text = |v: &Option<String>| v.as_deref().unwrap_or_default().to_owned();
        let number = |v: Option<f64>| v.map(|n| n.to_string()).unwrap_or_default();
        for l in lines {
            let mut rec = vec![
                l.row.to_string(),
                text(&l.sheet),
                text(&l.manufacturer),
                text(&l.brand),
                text(&l.model),
                text(&l.part_number),
                text(&l.description),
                number(l.qty),
                number(l.unit_price),
                text(&l.country_of_origin),
            ];
            rec.extend(verdict_cells(&self.data, l));
            self.w.write_record(&rec)?;
        }
        Ok(())
    }

    /// Writes the skipped rows and flushes; returns the output.
    pub fn finish(mut self, skipped: &[SkippedLine]) -> std::io::Result<W> {
        for k in skipped {
            let mut rec = vec![k.row.to_string(), k.sheet.clone().unwrap_or_default()];
            // The skipped row's own cells go in the description column, so it can be recognised.
            rec.extend(std::iter::repeat_n(String::new(), 4));
            rec.push(k.text.clone());
            rec.extend(std::iter::repeat_n(String::new(), 3));
            rec.extend(skipped_cells(&self.data, k));
            self.w.write_record(&rec)?;
        }
        self.w.flush()?;
        self.w
            .into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))
    }
}

/// Writes the JSON report of a check as its lines come: `lines` first, each batch as it is
/// checked, then every other field of the report once the check is finished. The layout is
/// the same pretty-printed JSON whatever the size of the BOM.
pub struct JsonWriter<W: std::io::Write> {
    out: W,
    lines: usize,
    buf: Vec<u8>,
}

impl<W: std::io::Write> JsonWriter<W> {
    /// Opens the report object and its `lines` array.
    pub fn new(mut out: W) -> std::io::Result<Self> {
        out.write_all(b"{\n  \"lines\": [")?;
        Ok(JsonWriter {
            out,
            lines: 0,
            buf: Vec::new(),
        })
    }

    /// Writes checked lines, in order, as elements of `lines`.
    pub fn lines(&mut self, lines: &[CheckedLine]) -> std::io::Result<()> {
        for l in lines {
            self.buf.clear();
            serde_json::to_writer_pretty(&mut self.buf, l)?;
            self.out.write_all(if self.lines == 0 {
                b"\n    "
            } else {
                b",\n    "
            })?;
            // Pretty JSON has raw newlines only between tokens (strings escape theirs), so
            // indenting after each one nests the line inside the array.
            for (i, part) in self.buf.split(|&b| b == b'\n').enumerate() {
                if i > 0 {
                    self.out.write_all(b"\n    ")?;
                }
                self.out.write_all(part)?;
            }
            self.lines += 1;
        }
        Ok(())
    }

    /// Closes `lines` and writes the rest of `report`, whose own `lines` must be empty (they
    /// were written already). Returns the output.
    pub fn finish(mut self, report: &CheckReport) -> std::io::Result<W> {
        if !report.lines.is_empty() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "the report's lines were to be written through JsonWriter::lines",
            ));
        }
        let rest = serde_json::to_string_pretty(report)?;
        // The empty array the report serialises stands where `lines` would be; its fields at
        // the top level are indented by two spaces, and no string holds a raw newline.
        const EMPTY_LINES: &str = "\n  \"lines\": [],";
        let Some(at) = rest.find(EMPTY_LINES) else {
            return Err(std::io::Error::other(
                "the report's JSON has no empty lines array to replace",
            ));
        };
        self.out
            .write_all(if self.lines == 0 { b"]," } else { b"\n  ]," })?;
        // `rest` opens with "{"; the fields follow.
        self.out.write_all(&rest.as_bytes()[1..at])?;
        self.out
            .write_all(&rest.as_bytes()[at + EMPTY_LINES.len()..])?;
        self.out.write_all(b"\n")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// `camscope data show` as text.
pub fn explanation_text(e: &compliance_data::Explanation) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "{:?} as of {} ({})", e.query, e.date, e.data);
    if e.entities.is_empty()
        && e.components.is_empty()
        && e.model_patterns.is_empty()
        && e.country.is_none()
    {
        let _ = writeln!(
            o,
            "the data knows nothing about this name: a BOM line naming only it would be checked on its other fields"
        );
    }
    for ent in &e.entities {
        let _ = writeln!(
            o,
            "\n{} ({}; matched {:?} as {})",
            ent.name,
            ent.id,
            ent.matched_alias,
            code_of(&ent.match_kind)
        );
        let _ = writeln!(o, "  889: {} — {}", ent.verdict.as_str(), ent.reason);
        if !ent.chain.is_empty() {
            let steps: Vec<String> = ent
                .chain
                .iter()
                .map(|s| format!("{} -[{}]-> {}", s.from_name, s.relation, s.to_name))
                .collect();
            let _ = writeln!(o, "  chain: {}", steps.join(", "));
        }
        if !ent.names.is_empty() {
            let _ = writeln!(o, "  names: {}", ent.names.join(" | "));
        }
        for l in &ent.links {
            let dates = match (&l.valid_from, &l.valid_to) {
                (None, None) => String::new(),
                (f, t) => format!(
                    " ({}..{})",
                    f.as_ref().map(ToString::to_string).unwrap_or_default(),
                    t.as_ref().map(ToString::to_string).unwrap_or_default()
                ),
            };
            let _ = writeln!(
                o,
                "  {} {}{dates}{}",
                l.relation,
                l.to_name,
                if l.active {
                    ""
                } else {
                    " [not in force on this date]"
                }
            );
        }
        for n in &ent.notes {
            let _ = writeln!(o, "  note: {n}");
        }
        let _ = writeln!(o, "  why: {}", ent.rationale.trim());
        for s in &ent.sources {
            let title = s
                .title
                .as_deref()
                .map(|t| format!(" — {t}"))
                .unwrap_or_default();
            let _ = writeln!(o, "  source [{:?}]: {}{title}", s.grade, s.url);
        }
    }
    for c in &e.components {
        let _ = writeln!(
            o,
            "\ncomponent family {} ({}), made by {}",
            c.name, c.id, c.maker
        );
        let _ = writeln!(o, "  why: {}", c.rationale.trim());
    }
    for m in &e.model_patterns {
        let _ = writeln!(
            o,
            "\nmodel pattern {} ({}): {} {} — evidence only, never proof on its own",
            m.name, m.id, m.maker, m.product_class
        );
    }
    if let Some(t) = &e.country {
        let country = t
            .country
            .as_ref()
            .map(|c| format!("{} ({}/{})", c.name, c.alpha2, c.alpha3))
            .unwrap_or_else(|| "—".into());
        let _ = writeln!(
            o,
            "\nTAA: {} — {country} [{}]: {}",
            t.verdict.as_str(),
            t.lists.join(", "),
            t.reason
        );
    }
    o
}
