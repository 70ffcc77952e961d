//! Trade Agreements Act verdicts from a free-text country of origin.
//!
//! Origins are typed by people: "Made in P.R.C.", "Taiwan (ROC)", "Hong Kong SAR, China", "IN".
//! The parser is deliberately unforgiving: it accepts one country and a few filler words
//! ("made", "in", "product of"); anything else — an assembly statement, two countries, an
//! ambiguous name or code, a word it does not know — gives `unknown`, because TAA origin is the
//! place of last substantial transformation and a guess could clear a non-designated product.

use serde::Serialize;
use time::Date;

use crate::dataset::Dataset;
use crate::date::{PartialDate, within};
use crate::normalize;
use crate::record::{CountryRecord, TaaList};
use crate::section889::Citation;

/// The TAA outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaaVerdict {
    /// The US or a FAR 25.003 designated country on the date checked.
    Designated,
    /// Another country.
    NonDesignated,
    /// No usable origin.
    Unknown,
}

impl TaaVerdict {
    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            TaaVerdict::Designated => "designated",
            TaaVerdict::NonDesignated => "non_designated",
            TaaVerdict::Unknown => "unknown",
        }
    }
}

/// Why a TAA verdict was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum TaaCode {
    /// A designated country (or the US).
    DesignatedCountry,
    /// A country not on any list on the date checked.
    NonDesignatedCountry,
    /// No origin given.
    NoOrigin,
    /// An assembly statement, which does not establish substantial transformation.
    AssembledIn,
    /// More than one country and no place of substantial transformation.
    MultipleCountries,
    /// A code or name that can mean countries with different status.
    AmbiguousOrigin,
    /// Text that is not recognisably a country.
    UnrecognisedOrigin,
}

/// A country as resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CountryRef {
    /// Record id.
    pub id: String,
    /// Common English name.
    pub name: String,
    /// ISO 3166-1 alpha-2.
    pub alpha2: String,
    /// ISO 3166-1 alpha-3.
    pub alpha3: String,
}

/// The TAA part of a line's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Taa {
    /// The verdict.
    pub verdict: TaaVerdict,
    /// Stable code.
    pub code: TaaCode,
    /// The origin text as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// The resolved country, when exactly one was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<CountryRef>,
    /// Lists the country is on at the date checked (`US`, `WTO GPA`, `FTA`, `LDC`, `CBI`).
    pub lists: Vec<String>,
    /// Plain-words reason.
    pub reason: String,
    /// FAR clauses and sources; always at least one URL.
    pub citations: Vec<Citation>,
}

/// Words that may surround a country without changing what it says.
const FILLER: &[&str] = &[
    "made",
    "in",
    "product",
    "of",
    "origin",
    "country",
    "coo",
    "manufactured",
    "produced",
    "the",
    "from",
    "mfd",
    "mfg",
    "manufacture",
];

/// Words that make a statement about something other than substantial transformation.
const ASSEMBLY: &[&str] = &[
    "assembled",
    "assembly",
    "assy",
    "packaged",
    "packed",
    "designed",
    "engineered",
    "distributed",
    "imported",
    "shipped",
];

fn active_lists(c: &CountryRecord, date: Date) -> Vec<TaaList> {
    let mut lists: Vec<TaaList> = c
        .lists
        .iter()
        .filter(|l| within(date, l.from.as_ref(), l.to.as_ref()))
        .map(|l| l.list)
        .collect();
    lists.sort();
    lists.dedup();
    lists
}

fn country_ref(c: &CountryRecord) -> CountryRef {
    CountryRef {
        id: c.id.clone(),
        name: c.name.clone(),
        alpha2: c.alpha2.clone(),
        alpha3: c.alpha3.clone(),
    }
}

enum Parsed {
    One(usize, String),
    Unknown(TaaCode, String),
}

fn parse(ds: &Dataset, raw: &str, date: Date) -> Parsed {
    let idx = &ds.index.countries;
    let trimmed = raw.trim();
    // A bare code. Two-letter codes that are also US postal codes are only trusted when both
    // readings have the same TAA status.
    if (2..=3).contains(&trimmed.len())
        && trimmed.chars().all(|c| c.is_ascii_alphabetic())
        && let Some(&i) = idx.by_code.get(&trimmed.to_ascii_uppercase())
    {
        let Some(c) = ds.country_at(i) else {
            return Parsed::Unknown(
                TaaCode::UnrecognisedOrigin,
                format!("\"{trimmed}\" could not be resolved"),
            );
        };
        if trimmed.len() == 2
            && let Some(state) = &c.also_us_state
        {
            let us_designated = true;
            let here = !active_lists(c, date).is_empty();
            if here != us_designated {
                return Parsed::Unknown(
                    TaaCode::AmbiguousOrigin,
                    format!(
                        "\"{trimmed}\" is the ISO code of {} ({}) but also the US postal code of {state} (US origin, acceptable); spell the country out",
                        c.name,
                        if here { "designated" } else { "not designated" }
                    ),
                );
            }
            return Parsed::One(
                i,
                format!(
                    "\"{trimmed}\" read as the ISO code of {}; it is also the postal code of {state}, but both readings are acceptable origins",
                    c.name
                ),
            );
        }
        return Parsed::One(
            i,
            format!("\"{trimmed}\" is the ISO 3166-1 code of {}", c.name),
        );
    }
    let folded = normalize::fold(trimmed);
    if folded.is_empty() {
        return Parsed::Unknown(
            TaaCode::NoOrigin,
            "the country of origin is empty".to_owned(),
        );
    }
    let toks: Vec<&str> = folded.split(' ').collect();
    if let Some(word) = toks.iter().find(|t| ASSEMBLY.contains(t)) {
        return Parsed::Unknown(
            TaaCode::AssembledIn,
            format!(
                "\"{trimmed}\" is a \"{word}\" statement; assembly or packaging alone does not establish the country of substantial transformation (CBP decides case by case)"
            ),
        );
    }
    if let Some(&a) = idx.ambiguous.get(&folded) {
        let note = ds
            .meta()
            .ambiguous_origins
            .get(a)
            .map_or("", |x| x.note.as_str());
        return Parsed::Unknown(
            TaaCode::AmbiguousOrigin,
            format!("\"{trimmed}\" is ambiguous: {note}"),
        );
    }
    if let Some(&i) = idx.by_name.get(&folded) {
        return Parsed::One(
            i,
            format!(
                "\"{trimmed}\" names {}",
                ds.country_at(i).map_or("", |c| c.name.as_str())
            ),
        );
    }
    // Scan for country names as whole-token runs, longest first, so "Hong Kong SAR China" is one
    // name and "Republic of China" is Taiwan, never "China".
    let mut found: Vec<usize> = Vec::new();
    let mut unknown_words: Vec<&str> = Vec::new();
    let mut ambiguous: Vec<String> = Vec::new();
    let mut pos = 0;
    while pos < toks.len() {
        let mut matched = false;
        for len in (1..=idx.max_tokens.min(toks.len() - pos)).rev() {
            let key = toks[pos..pos + len].join(" ");
            if let Some(&i) = idx.by_name.get(&key) {
                if !found.contains(&i) {
                    found.push(i);
                }
                pos += len;
                matched = true;
                break;
            }
            if let Some(&a) = idx.ambiguous.get(&key) {
                ambiguous.push(
                    ds.meta()
                        .ambiguous_origins
                        .get(a)
                        .map_or_else(String::new, |x| x.note.clone()),
                );
                pos += len;
                matched = true;
                break;
            }
        }
        if !matched {
            let t = toks[pos];
            if !FILLER.contains(&t) && !["and", "or", "with", "plus"].contains(&t) {
                unknown_words.push(t);
            }
            pos += 1;
        }
    }
    if !ambiguous.is_empty() {
        return Parsed::Unknown(
            TaaCode::AmbiguousOrigin,
            format!("\"{trimmed}\" is ambiguous: {}", ambiguous.join(" ")),
        );
    }
    if !unknown_words.is_empty() {
        return Parsed::Unknown(
            TaaCode::UnrecognisedOrigin,
            format!(
                "\"{trimmed}\" is not recognisably one country (unrecognised: {})",
                unknown_words.join(", ")
            ),
        );
    }
    match found.as_slice() {
        [] => Parsed::Unknown(
            TaaCode::UnrecognisedOrigin,
            format!("\"{trimmed}\" names no country"),
        ),
        [one] => Parsed::One(
            *one,
            format!(
                "\"{trimmed}\" names {}",
                ds.country_at(*one).map_or("", |c| c.name.as_str())
            ),
        ),
        many => Parsed::Unknown(
            TaaCode::MultipleCountries,
            format!(
                "\"{trimmed}\" names several countries ({}) without saying where the product was substantially transformed",
                many.iter()
                    .filter_map(|&i| ds.country_at(i))
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
    }
}

/// Checks a country of origin.
pub(crate) fn check(ds: &Dataset, origin: Option<&str>, date: Date) -> Taa {
    let mut citations = Vec::new();
    for id in ["far-25.003", "far-25.403"] {
        if let Some(c) = ds.citation(id) {
            citations.push(Citation {
                text: c.text.clone(),
                url: Some(c.url.clone()),
            });
        }
    }
    let input = origin.map(str::to_owned);
    let Some(raw) = origin.filter(|o| !o.trim().is_empty()) else {
        return Taa {
            verdict: TaaVerdict::Unknown,
            code: TaaCode::NoOrigin,
            input,
            country: None,
            lists: Vec::new(),
            reason: "No country of origin is given; TAA compliance cannot be judged.".to_owned(),
            citations,
        };
    };
    match parse(ds, raw, date) {
        Parsed::Unknown(code, why) => {
            if code == TaaCode::AssembledIn
                && let Some(c) = ds.citation("cbp-assembly")
            {
                citations.push(Citation {
                    text: c.text.clone(),
                    url: Some(c.url.clone()),
                });
            }
            Taa {
                verdict: TaaVerdict::Unknown,
                code,
                input,
                country: None,
                lists: Vec::new(),
                reason: format!("{why}."),
                citations,
            }
        }
        Parsed::One(i, how) => {
            let Some(c) = ds.country_at(i) else {
                return Taa {
                    verdict: TaaVerdict::Unknown,
                    code: TaaCode::UnrecognisedOrigin,
                    input,
                    country: None,
                    lists: Vec::new(),
                    reason: format!("{how}, but the record could not be read."),
                    citations,
                };
            };
            for s in &c.sources {
                citations.push(Citation {
                    text: s.title.clone().unwrap_or_else(|| "source".to_owned()),
                    url: Some(s.url.clone()),
                });
            }
            let lists = active_lists(c, date);
            let labels: Vec<String> = lists.iter().map(|l| l.label().to_owned()).collect();
            if lists.is_empty() {
                let later: Vec<String> = c
                    .lists
                    .iter()
                    .filter_map(|l| {
                        l.from
                            .filter(|f| date < f.earliest())
                            .map(|f| format!("{} from {f}", l.list.label()))
                    })
                    .collect();
                let when = if later.is_empty() {
                    String::new()
                } else {
                    format!(
                        " on {} (it is designated {})",
                        PartialDate::from(date),
                        later.join(", ")
                    )
                };
                Taa {
                    verdict: TaaVerdict::NonDesignated,
                    code: TaaCode::NonDesignatedCountry,
                    input,
                    country: Some(country_ref(c)),
                    lists: labels,
                    reason: format!("{how}, which is not a FAR 25.003 designated country{when}."),
                    citations,
                }
            } else {
                let what = if lists == [TaaList::UnitedStates] {
                    "U.S.-made end products are acceptable".to_owned()
                } else {
                    format!("a FAR 25.003 designated country ({})", labels.join(", "))
                };
                Taa {
                    verdict: TaaVerdict::Designated,
                    code: TaaCode::DesignatedCountry,
                    input,
                    country: Some(country_ref(c)),
                    lists: labels,
                    reason: format!("{how}: {what}."),
                    citations,
                }
            }
        }
    }
}
