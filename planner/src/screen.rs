//! Section 889 and the TAA across what the plan selects: when the site requires Section 889,
//! every camera the site file names by brand or model is checked with the compliance data, the
//! same check `camscope check` runs on a BOM line. A covered camera is an error; an unresolved one
//! (a maker the data does not know, or knows without a record of its independence) is a warning,
//! or an error when the site file says so; a camera group with neither brand nor model cannot be
//! screened and says so. When the site requires the TAA, the same cameras are checked against
//! where the data records their makers make their products, and the catalog products the plan
//! picks against their sourced origin, in the same finding shape: a non-designated origin is an
//! error, an unknown one (not stated, not in the data) a warning or, when the site says so, an
//! error. Pure: the data is the compiled-in snapshot, checked as of its own date.

use compliance_data::{Dataset, LineFacts, TaaVerdict, Verdict889};
use serde::Serialize;

use crate::site::SiteFile;

pub use crate::severity::Severity;

/// One camera group (or a brand from `requirements.camera-brands`) screened.
#[derive(Debug, Clone, Serialize)]
pub struct ScreenFinding {
    /// Error or warning.
    pub severity: Severity,
    /// The Section 889 code (`named-entity`, `maker-not-in-data` …), the TAA code
    /// (`non-designated-country`, `origin-not-in-data` …), `origin-to-be-confirmed` (a catalog
    /// product without a sourced origin), or `not-screened`.
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
    /// Whether the site requires it (`requirements.section-889`, `requirements.taa`).
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

    /// Whether the site does not require what this screening checks (nothing to show).
    pub fn not_required(&self) -> bool {
        !self.required
    }

    /// An empty screening: nothing found yet.
    fn empty(required: bool, ds: &Dataset) -> Screening {
        Screening {
            required,
            data: compliance_data::DataStamp::of(ds).to_string(),
            cleared: Vec::new(),
            findings: Vec::new(),
        }
    }

    /// Records `line` as cleared, once.
    fn clear(&mut self, line: String) {
        if !self.cleared.contains(&line) {
            self.cleared.push(line);
        }
    }
}

/// A camera the site file names: where, and the brand and model as written (blank is none).
struct Named {
    place: String,
    brand: Option<String>,
    model: Option<String>,
}

impl Named {
    /// Brand and model as one phrase.
    fn shown(&self) -> String {
        [self.brand.as_deref(), self.model.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The facts a check reads.
    fn facts(&self) -> LineFacts {
        let mut facts = LineFacts::default();
        facts.manufacturer = self.brand.clone();
        facts.model = self.model.clone();
        facts
    }

    /// A finding about this camera.
    fn finding(&self, severity: Severity, code: &str, message: String) -> ScreenFinding {
        ScreenFinding {
            severity,
            code: code.to_string(),
            place: self.place.clone(),
            brand: self.brand.clone(),
            model: self.model.clone(),
            message,
        }
    }
}

/// Every camera group of `site` in file order, then each of `requirements.camera-brands` whose
/// brand no earlier camera named.
fn named_cameras(site: &SiteFile) -> Vec<Named> {
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
    let mut out: Vec<Named> = Vec::new();
    for (place, brand, model) in groups.chain(brands) {
        let brand = brand.filter(|b| !b.trim().is_empty());
        let model = model.filter(|m| !m.trim().is_empty());
        let named = brand.is_some() || model.is_some();
        if named
            && place == "requirements.camera-brands"
            && out
                .iter()
                .any(|n| (n.brand.is_some() || n.model.is_some()) && n.brand == brand)
        {
            continue;
        }
        out.push(Named {
            place,
            brand,
            model,
        });
    }
    out
}

/// Screens the cameras of `site` with `ds` as of the data's own date.
pub fn screen(site: &SiteFile, ds: &Dataset) -> Screening {
    let mut out = Screening::empty(site.requirements.section_889, ds);
    if !out.required {
        return out;
    }
    let unresolved = site
        .requirements
        .section_889_unresolved
        .unwrap_or(Severity::Warning);
    for cam in named_cameras(site) {
        if cam.brand.is_none() && cam.model.is_none() {
            out.findings.push(cam.finding(unresolved, "not-screened", "no brand or model is given, so Section 889 cannot be checked for these cameras; name the brand (and model) in the site file".into()));
            continue;
        }
        let v = compliance_data::check_line_with(ds, &cam.facts(), ds.as_of(), &[]).section_889;
        let shown = cam.shown();
        match v.verdict {
            Verdict889::NotCovered => {
                out.clear(format!(
                    "{shown}: {} ({})",
                    v.verdict.as_str(),
                    v.code.as_str()
                ));
            }
            verdict => {
                let severity = if verdict == Verdict889::Covered {
                    Severity::Error
                } else {
                    unresolved
                };
                let message = format!("{shown}: {} — {}", verdict.as_str(), v.reason);
                out.findings
                    .push(cam.finding(severity, v.code.as_str(), message));
            }
        }
    }
    out.findings.sort_by_key(|f| f.severity);
    out
}

/// A catalog product the plan picks, as the TAA screening reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct PickedProduct {
    /// What it is and its catalog id ("NVR nvr-16p").
    pub what: String,
    /// Maker, when the catalog names one.
    pub maker: Option<String>,
    /// Model, when the catalog names one (a class to be chosen has none).
    pub model: Option<String>,
    /// Country of origin, when a source in the catalog states it.
    pub origin: Option<String>,
}

/// Screens the cameras of `site` and the `products` the plan picks for the TAA, with `ds` as of
/// the data's own date.
pub fn screen_taa(site: &SiteFile, ds: &Dataset, products: &[PickedProduct]) -> Screening {
    let mut out = Screening::empty(site.requirements.taa, ds);
    if !out.required {
        return out;
    }
    let unresolved = site
        .requirements
        .taa_unresolved
        .unwrap_or(Severity::Warning);
    let severity = |v: TaaVerdict| match v {
        TaaVerdict::NonDesignated => Severity::Error,
        _ => unresolved,
    };
    for cam in named_cameras(site) {
        if cam.brand.is_none() && cam.model.is_none() {
            out.findings.push(cam.finding(unresolved, "not-screened", "no brand or model is given, so the country of origin cannot be checked for these cameras; name the brand and model in the site file, and state the origin on the quote".into()));
            continue;
        }
        let taa = compliance_data::maker_origin(ds, &cam.facts(), ds.as_of());
        let shown = cam.shown();
        if taa.verdict == TaaVerdict::Designated {
            out.clear(format!(
                "{shown}: {} ({}) — {}",
                taa.verdict.as_str(),
                taa.code.as_str(),
                taa.reason
            ));
        } else {
            let message = format!("{shown}: {} — {}", taa.verdict.as_str(), taa.reason);
            out.findings
                .push(cam.finding(severity(taa.verdict), taa.code.as_str(), message));
        }
    }
    for (i, p) in products.iter().enumerate() {
        if !products[..i].contains(p) {
            product_origin(&mut out, ds, p, unresolved);
        }
    }
    out.findings.sort_by_key(|f| f.severity);
    out
}

/// The TAA finding (or clear) of one catalog product: its sourced origin checked as `check`
/// checks a BOM line's, or, without one, a finding that its origin is still to be confirmed.
fn product_origin(out: &mut Screening, ds: &Dataset, p: &PickedProduct, unresolved: Severity) {
    let shown = [p.maker.as_deref(), p.model.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let finding = |severity, code: &str, message: String| ScreenFinding {
        severity,
        code: code.to_string(),
        place: p.what.clone(),
        brand: p.maker.clone(),
        model: p.model.clone(),
        message,
    };
    let Some(origin) = &p.origin else {
        // No origin in the catalog: a maker whose sourced origin the data holds and is not
        // designated rules the product out all the same.
        if p.maker.is_some() {
            let mut facts = LineFacts::default();
            facts.manufacturer = p.maker.clone();
            facts.model = p.model.clone();
            let taa = compliance_data::maker_origin(ds, &facts, ds.as_of());
            if taa.verdict == TaaVerdict::NonDesignated {
                let message = format!("{shown}: {} — {}", taa.verdict.as_str(), taa.reason);
                out.findings
                    .push(finding(Severity::Error, taa.code.as_str(), message));
                return;
            }
        }
        let message = if p.model.is_none() {
            "origin to be confirmed — the model is still to be chosen; its country of origin (where it is last substantially transformed) must be TAA-designated".to_string()
        } else {
            format!(
                "{shown}: origin to be confirmed — the catalog states no sourced country of origin for it; state it (where it is last substantially transformed) before ordering"
            )
        };
        out.findings
            .push(finding(unresolved, "origin-to-be-confirmed", message));
        return;
    };
    let mut facts = LineFacts::default();
    facts.manufacturer = p.maker.clone();
    facts.model = p.model.clone();
    facts.country_of_origin = Some(origin.clone());
    let taa = compliance_data::check_line_with(ds, &facts, ds.as_of(), &[]).taa;
    match taa.verdict {
        TaaVerdict::Designated => out.clear(format!(
            "{shown} ({}): {} ({})",
            p.what,
            taa.verdict.as_str(),
            taa.code.as_str()
        )),
        verdict => {
            let severity = if verdict == TaaVerdict::NonDesignated {
                Severity::Error
            } else {
                unresolved
            };
            let message = format!("{shown}: {} — {}", verdict.as_str(), taa.reason);
            out.findings
                .push(finding(severity, taa.code.as_str(), message));
        }
    }
}

/// The NVR models of `catalog` a site requiring the TAA cannot buy: their maker's sourced
/// country of origin in `ds` is not TAA-designated (and the catalog states no origin of the
/// model's own that is). Each with the reason, by catalog id.
pub fn taa_excluded_nvrs(
    site: &SiteFile,
    catalog: &crate::catalog::Catalog,
    ds: &Dataset,
) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    if !site.requirements.taa {
        return out;
    }
    for m in &catalog.nvr {
        let mut facts = LineFacts::default();
        facts.manufacturer = Some(m.maker.clone());
        facts.model = Some(m.model.clone());
        facts.country_of_origin = m.origin.clone();
        let taa = compliance_data::maker_origin(ds, &facts, ds.as_of());
        if taa.verdict == TaaVerdict::NonDesignated {
            out.insert(m.id.clone(), taa.reason);
        }
    }
    out
}
