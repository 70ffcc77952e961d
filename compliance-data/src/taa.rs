//! Trade Agreements Act verdicts from a free-text country of origin.
//!
//! Origins are typed by people: "Made in P.R.C.", "Taiwan (ROC)", "Hong Kong SAR, China", "IN".
//! The parser is deliberately unforgiving: it accepts one country and a few filler words
//! ("made", "in", "product of"); anything else — an assembly statement, two countries, an
//! ambiguous name or code, a word it does not know — gives `unknown`, because TAA origin is the
//! place of last substantial transformation and a guess could clear a non-designated product.

use std::collections::HashSet;

use serde::Serialize;
use time::Date;

use crate::LineFacts;
use crate::dataset::Dataset;
use crate::date::{PartialDate, within};
use crate::normalize;
use crate::placeholder;
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
    /// No origin given on a placeholder line, whose model is still to be chosen.
    OriginToBeChosen,
    /// An assembly statement, which does not establish substantial transformation.
    AssembledIn,
    /// More than one country and no place of substantial transformation.
    MultipleCountries,
    /// A code or name that can mean countries with different status.
    AmbiguousOrigin,
    /// Text that is not recognisably a country.
    UnrecognisedOrigin,
    /// Only a design, distribution or import statement ("Designed in California"), which says
    /// nothing about where the product was made.
    NoOriginStatement,
    /// No country of origin is given, and the data records none for the maker (or knows no
    /// such maker): the planner's check of a camera named by brand and model.
    OriginNotInData,
    /// No country of origin is given, and the data records the maker's products as made in a
    /// country on no FAR 25.003 list (from the maker's own filings): taken as non-designated
    /// until the quote states the model's own origin.
    MakerOriginNonDesignated,
}

impl TaaCode {
    /// Every code.
    pub const ALL: &'static [TaaCode] = &[
        TaaCode::DesignatedCountry,
        TaaCode::NonDesignatedCountry,
        TaaCode::NoOrigin,
        TaaCode::OriginToBeChosen,
        TaaCode::AssembledIn,
        TaaCode::MultipleCountries,
        TaaCode::AmbiguousOrigin,
        TaaCode::UnrecognisedOrigin,
        TaaCode::NoOriginStatement,
        TaaCode::OriginNotInData,
        TaaCode::MakerOriginNonDesignated,
    ];

    /// Stable kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            TaaCode::DesignatedCountry => "designated-country",
            TaaCode::NonDesignatedCountry => "non-designated-country",
            TaaCode::NoOrigin => "no-origin",
            TaaCode::OriginToBeChosen => "origin-to-be-chosen",
            TaaCode::AssembledIn => "assembled-in",
            TaaCode::MultipleCountries => "multiple-countries",
            TaaCode::AmbiguousOrigin => "ambiguous-origin",
            TaaCode::UnrecognisedOrigin => "unrecognised-origin",
            TaaCode::NoOriginStatement => "no-origin-statement",
            TaaCode::OriginNotInData => "origin-not-in-data",
            TaaCode::MakerOriginNonDesignated => "maker-origin-non-designated",
        }
    }

    /// One-line description for documentation.
    pub fn description(self) -> &'static str {
        match self {
            TaaCode::DesignatedCountry => {
                "The origin is the US or a FAR 25.003 designated country on the date checked."
            }
            TaaCode::NonDesignatedCountry => {
                "The origin is a country on no FAR 25.003 list on the date checked."
            }
            TaaCode::NoOrigin => "No country of origin is given.",
            TaaCode::OriginToBeChosen => {
                "No country of origin is given on a placeholder line, whose model is still to be chosen."
            }
            TaaCode::AssembledIn => {
                "An assembly or packaging statement (\"Assembled in X of foreign parts\"), which does not establish substantial transformation."
            }
            TaaCode::MultipleCountries => {
                "Several countries (\"CN/TW\") and no place of substantial transformation."
            }
            TaaCode::AmbiguousOrigin => {
                "A name or code that can mean countries with different status (\"Korea\", \"CA\"), or that is also a maker's name (\"DJI\")."
            }
            TaaCode::UnrecognisedOrigin => "Text that is not recognisably a country.",
            TaaCode::NoOriginStatement => {
                "Only a design, distribution or import statement, which says nothing about where the product was made."
            }
            TaaCode::OriginNotInData => {
                "No country of origin is given and the data records none for the maker (or knows no such maker): state the model's origin."
            }
            TaaCode::MakerOriginNonDesignated => {
                "No country of origin is given, and the data records the maker's products as made in a non-designated country (from the maker's own filings): taken as non-designated until the quote states the model's own origin."
            }
        }
    }
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

/// Words that make a statement about assembly or packing, which does not establish substantial
/// transformation.
const ASSEMBLY: &[&str] = &["assembled", "assembly", "assy", "packaged", "packed"];

/// Words that open a statement about something other than where the product was made; the
/// statement runs to the next statement word and is set aside ("Designed in California").
const NOT_ORIGIN: &[&str] = &[
    "designed",
    "design",
    "engineered",
    "developed",
    "distributed",
    "distributor",
    "imported",
    "importer",
    "shipped",
    "ships",
    "sold",
    "marketed",
    "branded",
    "headquartered",
    "hq",
];

/// Words that open a statement of where the product was made.
const ORIGIN: &[&str] = &[
    "made",
    "manufactured",
    "manufacture",
    "produced",
    "product",
    "mfd",
    "mfg",
    "fabricated",
    "built",
    "origin",
    "coo",
];

/// Abbreviations expanded before a name is looked up ("Rep. of Korea").
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("rep", "republic"),
    ("repub", "republic"),
    ("dem", "democratic"),
    ("s", "south"),
    ("n", "north"),
    ("utd", "united"),
    ("st", "saint"),
];

/// Spellings of one name: the folded text, its abbreviations expanded, and a two-word name
/// turned round ("Korea (South)" is "South Korea").
fn name_variants(folded: &str) -> Vec<String> {
    let mut out = vec![folded.to_owned()];
    let expanded: Vec<&str> = folded
        .split(' ')
        .map(|t| {
            ABBREVIATIONS
                .iter()
                .find(|(a, _)| *a == t)
                .map_or(t, |(_, full)| *full)
        })
        .collect();
    out.push(expanded.join(" "));
    for words in [folded.split(' ').collect::<Vec<_>>(), expanded] {
        if words.len() == 2 {
            out.push(format!("{} {}", words[1], words[0]));
        }
    }
    out.dedup();
    out
}

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

/// Reads a free-text origin as one country, or says why it cannot.
fn parse(ds: &Dataset, raw: &str, date: Date) -> Parsed {
    use unicode_normalization::UnicodeNormalization;
    let trimmed = raw.trim();
    let narrow: String = trimmed.nfkc().collect();
    if let Some(parsed) = parse_code(ds, trimmed, &narrow, date) {
        return parsed;
    }
    let folded = normalize::fold(trimmed);
    if folded.is_empty() {
        return Parsed::Unknown(
            TaaCode::NoOrigin,
            "the country of origin is empty".to_owned(),
        );
    }
    let all_toks: Vec<&str> = folded.split(' ').collect();
    if let Some(parsed) = assembly_statement(trimmed, &all_toks) {
        return parsed;
    }
    let (toks, set_aside) = origin_statement(&all_toks);
    if toks.iter().all(|t| FILLER.contains(t)) && !set_aside.is_empty() {
        return Parsed::Unknown(
            TaaCode::NoOriginStatement,
            format!(
                "\"{trimmed}\" is a \"{}\" statement, which says nothing about where the product was made or substantially transformed",
                set_aside.join("\"/\"")
            ),
        );
    }
    if let Some(parsed) = parse_whole_name(ds, trimmed, &toks) {
        return parsed;
    }
    let scan = scan_countries(ds, &toks, &upper_case_codes(&narrow));
    judge_scan(ds, trimmed, scan)
}

/// A text that is only a two- or three-letter code: rejected when it is also a maker's name,
/// otherwise read as the ISO code (with care for codes that are also US postal codes). `None`
/// when the text is not a known code.
fn parse_code(ds: &Dataset, trimmed: &str, narrow: &str, date: Date) -> Option<Parsed> {
    let idx = &ds.index.countries;
    // A maker's name is never read as a country code: "DJI" is Djibouti's alpha-3 code.
    if (2..=3).contains(&narrow.len())
        && narrow.chars().all(|c| c.is_ascii_alphabetic())
        && idx.by_code.contains_key(&narrow.to_ascii_uppercase())
        && ds
            .index
            .single_tokens
            .contains(&narrow.to_ascii_lowercase())
    {
        let country = idx
            .by_code
            .get(&narrow.to_ascii_uppercase())
            .and_then(|&i| ds.country_at(i))
            .map_or("a country", |c| c.name.as_str());
        return Some(Parsed::Unknown(
            TaaCode::AmbiguousOrigin,
            format!(
                "\"{trimmed}\" is the ISO code of {country} but also the name of a maker in the data; a maker is not an origin, so spell the country out"
            ),
        ));
    }
    // A bare code. Two-letter codes that are also US postal codes are only trusted when both
    // readings have the same TAA status.
    if (2..=3).contains(&narrow.len())
        && narrow.chars().all(|c| c.is_ascii_alphabetic())
        && let Some(&i) = idx.by_code.get(&narrow.to_ascii_uppercase())
    {
        let Some(c) = ds.country_at(i) else {
            return Some(Parsed::Unknown(
                TaaCode::UnrecognisedOrigin,
                format!("\"{trimmed}\" could not be resolved"),
            ));
        };
        if trimmed.len() == 2
            && let Some(state) = &c.also_us_state
        {
            let us_designated = true;
            let here = !active_lists(c, date).is_empty();
            if here != us_designated {
                return Some(Parsed::Unknown(
                    TaaCode::AmbiguousOrigin,
                    format!(
                        "\"{trimmed}\" is the ISO code of {} ({}) but also the US postal code of {state} (US origin, acceptable); spell the country out",
                        c.name,
                        if here { "designated" } else { "not designated" }
                    ),
                ));
            }
            return Some(Parsed::One(
                i,
                format!(
                    "\"{trimmed}\" read as the ISO code of {}; it is also the postal code of {state}, but both readings are acceptable origins",
                    c.name
                ),
            ));
        }
        return Some(Parsed::One(
            i,
            format!("\"{trimmed}\" is the ISO 3166-1 code of {}", c.name),
        ));
    }
    None
}

/// An assembly or packaging statement, which never establishes an origin.
fn assembly_statement(trimmed: &str, all_toks: &[&str]) -> Option<Parsed> {
    let word = all_toks.iter().find(|t| ASSEMBLY.contains(t))?;
    let parts = if all_toks.contains(&"foreign") {
        " of foreign parts"
    } else {
        ""
    };
    Some(Parsed::Unknown(
        TaaCode::AssembledIn,
        format!(
            "\"{trimmed}\" is a \"{word}\" statement{parts}; assembly or packaging alone does not establish the country of substantial transformation (CBP decides case by case)"
        ),
    ))
}

/// The tokens that speak of origin, and the statement words set aside. Design, distribution
/// and import statements are set aside: "Designed in California, Made in China" says the
/// product was made in China. A statement runs from its word to the next statement word.
fn origin_statement<'a>(all_toks: &[&'a str]) -> (Vec<&'a str>, Vec<&'a str>) {
    let mut toks: Vec<&str> = Vec::with_capacity(all_toks.len());
    let mut set_aside: Vec<&str> = Vec::new();
    let mut skipping = false;
    for &t in all_toks {
        if NOT_ORIGIN.contains(&t) {
            skipping = true;
            set_aside.push(t);
            continue;
        }
        if ORIGIN.contains(&t) {
            skipping = false;
        }
        if !skipping {
            toks.push(t);
        }
    }
    (toks, set_aside)
}

/// Upper-case codes inside a longer text ("CN/TW", "Made in CN"), lower-cased.
fn upper_case_codes(narrow: &str) -> HashSet<String> {
    narrow
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| (2..=3).contains(&t.len()) && t.chars().all(|c| c.is_ascii_uppercase()))
        .map(str::to_ascii_lowercase)
        .collect()
}

/// The origin tokens taken together: an ambiguous text, or one country's name in its usual
/// variants, with or without filler words ("Rep. of Korea"). `None` when they are neither.
fn parse_whole_name(ds: &Dataset, trimmed: &str, toks: &[&str]) -> Option<Parsed> {
    let idx = &ds.index.countries;
    let folded = toks.join(" ");
    if let Some(&a) = idx.ambiguous.get(&folded) {
        let note = ds
            .meta()
            .ambiguous_origins
            .get(a)
            .map_or("", |x| x.note.as_str());
        return Some(Parsed::Unknown(
            TaaCode::AmbiguousOrigin,
            format!("\"{trimmed}\" is ambiguous: {note}"),
        ));
    }
    let core: Vec<&str> = toks
        .iter()
        .copied()
        .filter(|t| !FILLER.contains(t) || *t == "of")
        .collect();
    let core = core.join(" ");
    let core = core.trim_start_matches("of ").trim_end_matches(" of");
    for key in name_variants(&folded)
        .into_iter()
        .chain(name_variants(core))
    {
        if let Some(&i) = idx.by_name.get(&key) {
            return Some(Parsed::One(
                i,
                format!(
                    "\"{trimmed}\" names {}",
                    ds.country_at(i).map_or("", |c| c.name.as_str())
                ),
            ));
        }
    }
    None
}

/// What a scan of the origin tokens found.
struct Scan<'a> {
    /// Countries named, in order of first mention.
    found: Vec<usize>,
    /// Words that are neither a country, a code nor filler.
    unknown_words: Vec<&'a str>,
    /// Notes of the ambiguous names met.
    ambiguous: Vec<String>,
}

/// Scans for country names as whole-token runs, longest first, so "Hong Kong SAR China" is one
/// name and "Republic of China" is Taiwan, never "China"; a token left over may be an
/// upper-case code (never a filler word or a maker's name).
fn scan_countries<'a>(ds: &Dataset, toks: &[&'a str], upper_codes: &HashSet<String>) -> Scan<'a> {
    let idx = &ds.index.countries;
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
            let code = (upper_codes.contains(t)
                && !FILLER.contains(&t)
                && !ds.index.single_tokens.contains(t))
            .then(|| idx.by_code.get(&t.to_ascii_uppercase()).copied())
            .flatten();
            if let Some(i) = code {
                if !found.contains(&i) {
                    found.push(i);
                }
            } else if !FILLER.contains(&t) && !["and", "or", "with", "plus"].contains(&t) {
                unknown_words.push(t);
            }
            pos += 1;
        }
    }
    Scan {
        found,
        unknown_words,
        ambiguous,
    }
}

/// The origin a scan supports: exactly one country and nothing doubtful.
fn judge_scan(ds: &Dataset, trimmed: &str, scan: Scan<'_>) -> Parsed {
    let Scan {
        found,
        unknown_words,
        ambiguous,
    } = scan;
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

/// Checks a line's country of origin. A placeholder line (its model still to be chosen) without
/// one says so: no origin can be stated before the product is chosen.
pub(crate) fn check_line(ds: &Dataset, line: &LineFacts, date: Date) -> Taa {
    let taa = check(ds, line.country_of_origin.as_deref(), date);
    if taa.code == TaaCode::NoOrigin && placeholder::is_to_be_chosen(line) {
        return Taa {
            code: TaaCode::OriginToBeChosen,
            reason: placeholder::what_to_do_taa(),
            ..taa
        };
    }
    taa
}

/// Placeholders a quote writes in the origin column for "not stated", read as no origin.
const NO_ORIGIN: &[&str] = &[
    "n/a",
    "na",
    "n.a.",
    "tbd",
    "tba",
    "tbc",
    "unknown",
    "none",
    "not stated",
    "not known",
    "-",
    "--",
    "?",
];

/// Whether an origin cell states something: not empty and not a placeholder for "not stated"
/// (`n/a`, `TBD`, `unknown` …).
pub(crate) fn states_origin(origin: &str) -> bool {
    let t = origin.trim();
    !t.is_empty() && !NO_ORIGIN.contains(&t.to_lowercase().as_str())
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
    let Some(raw) = origin.filter(|o| states_origin(o)) else {
        let reason = match origin.map(str::trim).filter(|o| !o.is_empty()) {
            Some(o) => format!(
                "\"{o}\" is a placeholder, not a country of origin; TAA compliance cannot be judged."
            ),
            None => "No country of origin is given; TAA compliance cannot be judged.".to_owned(),
        };
        return Taa {
            verdict: TaaVerdict::Unknown,
            code: TaaCode::NoOrigin,
            input,
            country: None,
            lists: Vec::new(),
            reason,
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
