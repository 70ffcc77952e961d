//! Section 889 across what the plan selects: when the site requires it, every camera the site
//! file names by brand or model is checked with the compliance data, the same check `camscope
//! check` runs on a BOM line. A covered camera is an error; an unresolved one (a maker the data
//! does not know, or knows without a record of its independence) is a warning, or an error when
//! the site file says so; a camera group with neither brand nor model cannot be screened and says
//! so. Pure: the data is the compiled-in snapshot, checked as of its own date.

use compliance_data::{Dataset, LineFacts, Verdict889};
use serde::Serialize;

use crate::site::SiteFile;

pub use crate::severity::Severity;

/// One camera group (or a brand from `requirements.camera-brands`) screened.
#[derive(Debug, Clone, Serialize)]
pub struct ScreenFinding {
    /// Error or warning.
    pub severity: Severity,
    /// The Section 889 code (`named-entity`, `maker-not-in-data` …), or `not-screened`.
    pub code: String,
    /// Where in the site file: "site Store / group Entrances" or "requirements.camera-brands".
    pub place: String,
    /// The brand as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
    /// The model as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// What the check found, in words.
    pub message: String,
}

/// The screening of a plan.
#[derive(Debug, Clone, Serialize)]
pub struct Screening {
    /// Whether the site requires Section 889 (`requirements.section-889`).
    pub required: bool,
    /// Compliance data version and date the cameras were checked with.
    pub data: String,
    /// Cameras found clear, as "brand model: reason".
    pub cleared: Vec<String>,
    /// Everything else, errors first.
    pub findings: Vec<ScreenFinding>,
}

impl Screening {
    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

/// Screens the cameras of `site` with `ds` as of the data's own date.
pub fn screen(site: &SiteFile, ds: &Dataset) -> Screening {
    let required = site.requirements.section_889;
    let data = compliance_data::DataStamp::of(ds).to_string();
    let mut out = Screening {
        required,
        data,
        cleared: Vec::new(),
        findings: Vec::new(),
    };
    if !required {
        return out;
    }
    let unresolved = site
        .requirements
        .section_889_unresolved
        .unwrap_or(Severity::Warning);
    let mut seen: Vec<(Option<String>, Option<String>)> = Vec::new();
    let groups = site.sites.iter().flat_map(|s| {
        s.cameras.iter().enumerate().map(move |(i, g)| {
            let name = g.name.clone().unwrap_or_else(|| format!("group {}", i + 1));
            (
                format!("site {} / {name}", s.name),
                g.brand.clone(),
                g.model.clone(),
            )
        })
    });
    let brands = site.requirements.camera_brands.iter().map(|b| {
        (
            "requirements.camera-brands".to_string(),
            Some(b.clone()),
            None,
        )
    });
    for (place, brand, model) in groups.chain(brands) {
        let brand = brand.filter(|b| !b.trim().is_empty());
        let model = model.filter(|m| !m.trim().is_empty());
        if brand.is_none() && model.is_none() {
            out.findings.push(ScreenFinding {
                severity: unresolved,
                code: "not-screened".into(),
                place,
                brand,
                model,
                message: "no brand or model is given, so Section 889 cannot be checked for these cameras; name the brand (and model) in the site file".into(),
            });
            continue;
        }
        let key = (brand.clone(), model.clone());
        if place == "requirements.camera-brands" && seen.iter().any(|(b, _)| *b == brand) {
            continue;
        }
        seen.push(key);
        let mut facts = LineFacts::default();
        facts.manufacturer = brand.clone();
        facts.model = model.clone();
        let v = compliance_data::check_line_with(ds, &facts, ds.as_of(), &[]).section_889;
        let shown = [brand.as_deref(), model.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        match v.verdict {
            Verdict889::NotCovered => {
                let line = format!("{shown}: {} ({})", v.verdict.as_str(), v.code.as_str());
                if !out.cleared.contains(&line) {
                    out.cleared.push(line);
                }
            }
            verdict => out.findings.push(ScreenFinding {
                severity: if verdict == Verdict889::Covered {
                    Severity::Error
                } else {
                    unresolved
                },
                code: v.code.as_str().to_string(),
                place,
                brand,
                model,
                message: format!("{shown}: {} — {}", verdict.as_str(), v.reason),
            }),
        }
    }
    out.findings.sort_by_key(|f| f.severity);
    out
}
