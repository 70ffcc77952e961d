//! The record types, one per kind of data file.
//!
//! The loader is tolerant on purpose: unknown keys are ignored so that an older camscope can read
//! a newer data directory (the rustsec pattern). Strictness lives in the data lint (the `lint`
//! module), which runs on the shipped data in tests and is meant for CI on any data change.
//! Required fields are still required here, so a record is never half-read.

use serde::{Deserialize, Serialize};

use crate::date::PartialDate;

/// How much a source can be trusted (the legend of the reference document).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Grade {
    /// Primary text: statute, FAR/CFR, Federal Register, FCC, court, agency page.
    A,
    /// Reputable secondary: law firm, trade press, company filing or press release.
    B,
    /// Community or vendor material: datasets, issues, integrator blogs, wiki mirrors.
    C,
    /// Unreliable; kept only to warn.
    D,
}

/// Where a fact comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Source {
    /// Address of the source.
    pub url: String,
    /// Reliability of the source.
    pub grade: Grade,
    /// Short title, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Publication date, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<PartialDate>,
}

/// The period in which a record or rule applies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Effective {
    /// First day it applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<PartialDate>,
    /// Last day it applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<PartialDate>,
}

/// The kind of relationship an edge records, from the child's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Relation {
    /// A company majority-owned by the target.
    SubsidiaryOf,
    /// A brand or trading name of the target.
    BrandOf,
    /// A joint venture, minority holding or other affiliate of the target.
    AffiliateOf,
    /// A company reported to relabel products made by the target.
    OemFor,
    /// A company owned by the target (used for dated ownership).
    OwnedBy,
}

impl Relation {
    /// The stable kebab-case name of the relation.
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::SubsidiaryOf => "subsidiary-of",
            Relation::BrandOf => "brand-of",
            Relation::AffiliateOf => "affiliate-of",
            Relation::OemFor => "oem-for",
            Relation::OwnedBy => "owned-by",
        }
    }
}

/// What a link means once its `to` date has passed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AfterEnd {
    /// Products may still come from the covered producer (old stock, alleged supply): review.
    #[default]
    NeedsReview,
    /// The relationship has ended cleanly: the brand is no longer covered through this link.
    NotCovered,
}

/// An edge from this record to another entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Link {
    /// Kind of relationship.
    pub relation: Relation,
    /// Id of the entity this record relates to.
    pub target: String,
    /// First day the relationship held.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<PartialDate>,
    /// Last day the relationship held.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<PartialDate>,
    /// How to read the link after `to`.
    #[serde(default)]
    pub after_end: AfterEnd,
    /// How solid the relationship is.
    pub grade: Grade,
    /// Evidence for the relationship.
    #[serde(default)]
    pub sources: Vec<Source>,
    /// Free-text qualifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Which limb of §889(f)(3) names an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Limb {
    /// (A): Huawei, ZTE — telecommunications equipment, no purpose limitation.
    A,
    /// (B): Hytera, Hikvision, Dahua — video surveillance and telecom equipment for security purposes.
    B,
}

/// Marks a record as a statutorily named entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Covered {
    /// The limb of §889(f)(3).
    pub limb: Limb,
    /// Citation text, e.g. "NDAA FY2019 §889(f)(3)(A)".
    pub citation: String,
    /// What equipment the limb reaches.
    pub scope: String,
}

/// One thing a curator checked before recording a maker as independent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IndependenceCheck {
    /// Who the ultimate parent company is.
    Parent,
    /// Who owns the company (shareholders, controlling holders).
    Owners,
    /// Whether products are made or relabelled by another maker (OEM sourcing).
    Oem,
}

impl IndependenceCheck {
    /// Every check, in the order they are shown.
    pub const ALL: [IndependenceCheck; 3] = [
        IndependenceCheck::Parent,
        IndependenceCheck::Owners,
        IndependenceCheck::Oem,
    ];

    /// The stable kebab-case name of the check.
    pub fn as_str(self) -> &'static str {
        match self {
            IndependenceCheck::Parent => "parent",
            IndependenceCheck::Owners => "owners",
            IndependenceCheck::Oem => "oem",
        }
    }
}

/// Positive evidence that a maker is independent of the covered entities, as of a date.
///
/// This is what a clean verdict rests on: not the absence of a link in the data, but a record
/// of who the parent and owners are, what is known of OEM sourcing, and where that was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Independence {
    /// When the check was made.
    pub as_of: PartialDate,
    /// The ultimate parent, in words, or `none`.
    pub parent: String,
    /// Who owns the company, in words.
    pub owners: String,
    /// What is known of OEM sourcing or relabelling, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oem: Option<String>,
    /// What was checked (the linter requires at least parent and owners).
    pub checked: Vec<IndependenceCheck>,
    /// Where the facts were read (the linter requires a grade A or B source).
    pub sources: Vec<Source>,
}

impl Independence {
    /// Whether this check was made.
    pub fn has_checked(&self, check: IndependenceCheck) -> bool {
        self.checked.contains(&check)
    }

    /// The best (lowest) grade among the sources.
    pub fn best_grade(&self) -> Option<Grade> {
        self.sources.iter().map(|s| s.grade).min()
    }
}

/// Where a maker makes its products, as its own filings or a regulator state it: the maker-level
/// country of origin the planner uses for a camera named only by brand and model, before a quote
/// states the model's own origin (TAA origin is a product's, so a model made elsewhere says so).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MakerOrigin {
    /// When the sources were read.
    pub as_of: PartialDate,
    /// Ids of the country records where the maker makes its products.
    pub countries: Vec<String>,
    /// What the sources leave open (plants abroad, contract manufacturers), in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Where the facts were read (the linter requires a grade A or B source).
    pub sources: Vec<Source>,
}

/// A company or brand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EntityRecord {
    /// Stable id, equal to the file stem.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Names matched as whole tokens anywhere in a maker or brand field.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Names too generic to match inside a longer name: they match only the whole field.
    #[serde(default)]
    pub exact_aliases: Vec<String>,
    /// Earlier names, matched like aliases.
    #[serde(default)]
    pub former_names: Vec<String>,
    /// Exchange listings, for display.
    #[serde(default)]
    pub stock_codes: Vec<String>,
    /// HiSilicon SoCs are common in this maker's products: unknown components need review.
    #[serde(default)]
    pub component_risk: bool,
    /// Informational notes shown with any verdict about this entity.
    #[serde(default)]
    pub notes: Vec<String>,
    /// When the sources were last checked.
    pub retrieved: PartialDate,
    /// Why the record says what it says.
    pub rationale: String,
    /// Present only for entities named in §889(f)(3).
    #[serde(default)]
    pub covered: Option<Covered>,
    /// When the record's rule applies (for named entities: when the prohibition took effect).
    #[serde(default)]
    pub effective: Option<Effective>,
    /// Evidence for the record.
    #[serde(default)]
    pub sources: Vec<Source>,
    /// Edges to other entities.
    #[serde(default)]
    pub links: Vec<Link>,
    /// Positive evidence of independence from the covered entities, if it was checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub independence: Option<Independence>,
    /// Entries on other lists a buyer checks (FCC Covered List, DoD 1260H). They are shown as
    /// their own findings and never change the Section 889 verdict.
    #[serde(default)]
    pub listings: Vec<Listing>,
    /// Where the maker makes its products, when a source says so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Box<MakerOrigin>>,
}

impl EntityRecord {
    /// The record's evidence of independence from the covered entities, if any.
    pub fn independence(&self) -> Option<&Independence> {
        self.independence.as_ref()
    }

    /// Whether the record is a statutorily named (covered) entity.
    pub fn is_covered(&self) -> bool {
        self.covered.is_some()
    }
}

/// How strongly a component match points at a covered producer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ComponentEvidence {
    /// The part is made by a covered producer: the product is covered.
    Covered,
    /// The part suggests a covered producer without proving it: review.
    Review,
}

/// A family of parts (SoCs, radio modules) whose maker is known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ComponentRecord {
    /// Stable id, equal to the file stem.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Entity id of the maker.
    pub maker: String,
    /// Part class (`soc`, `radio-module`).
    pub class: String,
    /// Strength of a match.
    pub evidence: ComponentEvidence,
    /// Case-insensitive regular expressions searched in every text field of a line.
    pub patterns: Vec<String>,
    /// Example part names (also used by tests).
    #[serde(default)]
    pub examples: Vec<String>,
    /// When the sources were last checked.
    pub retrieved: PartialDate,
    /// Why the record says what it says.
    pub rationale: String,
    /// When the record applies.
    #[serde(default)]
    pub effective: Option<Effective>,
    /// Evidence for the record.
    #[serde(default)]
    pub sources: Vec<Source>,
}

/// A model-number pattern that suggests a maker. Evidence only, never proof.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ModelPatternRecord {
    /// Stable id, equal to the file stem.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Entity id of the maker the pattern suggests.
    pub maker: String,
    /// Product class (`ip-camera`, `recorder`, …).
    pub product_class: String,
    /// Case-insensitive regular expression matched against model and part number.
    pub pattern: String,
    /// Example model numbers (also used by tests).
    #[serde(default)]
    pub examples: Vec<String>,
    /// When the sources were last checked.
    pub retrieved: PartialDate,
    /// Why the record says what it says.
    pub rationale: String,
    /// When the record applies.
    #[serde(default)]
    pub effective: Option<Effective>,
    /// Evidence for the record.
    #[serde(default)]
    pub sources: Vec<Source>,
}

/// A list that makes an origin acceptable under the TAA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TaaList {
    /// U.S.-made end products are always acceptable.
    UnitedStates,
    /// WTO Government Procurement Agreement country.
    WtoGpa,
    /// Free Trade Agreement country.
    Fta,
    /// Least developed country.
    Ldc,
    /// Caribbean Basin country.
    Cbi,
}

impl TaaList {
    /// Short label as used in FAR 25.003.
    pub fn label(self) -> &'static str {
        match self {
            TaaList::UnitedStates => "US",
            TaaList::WtoGpa => "WTO GPA",
            TaaList::Fta => "FTA",
            TaaList::Ldc => "LDC",
            TaaList::Cbi => "CBI",
        }
    }
}

/// Membership of a list, possibly dated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ListEntry {
    /// The list.
    pub list: TaaList,
    /// First day of membership.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<PartialDate>,
    /// Last day of membership.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<PartialDate>,
}

/// A country or territory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CountryRecord {
    /// Stable id: the lower-case alpha-2 code.
    pub id: String,
    /// Common English name.
    pub name: String,
    /// ISO 3166-1 short name.
    pub iso_name: String,
    /// Official long name, if different.
    #[serde(default)]
    pub official_name: Option<String>,
    /// ISO 3166-1 alpha-2 code.
    pub alpha2: String,
    /// ISO 3166-1 alpha-3 code.
    pub alpha3: String,
    /// Other spellings found on BOMs.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The wording(s) FAR 25.003 uses; several when one ISO code covers several FAR entries.
    #[serde(default)]
    pub far_names: Vec<String>,
    /// The US state whose postal code equals this alpha-2 code (`CA`, `IN`, …).
    #[serde(default)]
    pub also_us_state: Option<String>,
    /// When the sources were last checked.
    pub retrieved: PartialDate,
    /// Why the record says what it says.
    pub rationale: String,
    /// Designated-country lists, empty for non-designated countries.
    #[serde(default)]
    pub lists: Vec<ListEntry>,
    /// Evidence for the record.
    #[serde(default)]
    pub sources: Vec<Source>,
}

/// A list other than Section 889 that the same buyer checks. Findings under these never change
/// the Section 889 verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Regime {
    /// The FCC Covered List (Secure and Trusted Communications Networks Act of 2019, 47 U.S.C.
    /// 1601): named entities and category entries.
    FccCoveredList,
    /// The American Security Drone Act (FY2024 NDAA §§1821–1833; FAR 52.240-1).
    Asda,
    /// The DoD list of Chinese military companies under §1260H of the FY2021 NDAA.
    #[serde(rename = "dod-1260h")]
    Dod1260h,
}

impl Regime {
    /// Every regime, in display order.
    pub const ALL: [Regime; 3] = [Regime::FccCoveredList, Regime::Asda, Regime::Dod1260h];

    /// The kebab-case name used in data, policy files and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Regime::FccCoveredList => "fcc-covered-list",
            Regime::Asda => "asda",
            Regime::Dod1260h => "dod-1260h",
        }
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Regime::FccCoveredList => "FCC Covered List",
            Regime::Asda => "American Security Drone Act",
            Regime::Dod1260h => "DoD 1260H list",
        }
    }

    /// The id of the dataset citation for the regime's primary text.
    pub fn citation_id(self) -> &'static str {
        match self {
            Regime::FccCoveredList => "fcc-covered-list",
            Regime::Asda => "far-52.240-1",
            Regime::Dod1260h => "ndaa-fy2021-1260h",
        }
    }
}

impl std::fmt::Display for Regime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An entity's entry on another regime's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Listing {
    /// Which list.
    pub regime: Regime,
    /// The date the entry was added, as the sources give it.
    pub added: PartialDate,
    /// The date it was removed, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removed: Option<PartialDate>,
    /// What the entry covers, in the list's own terms.
    pub scope: String,
    /// Whether the sources establish the entry itself. `false` when they show only a
    /// predecessor list or a second-hand account: the finding is then `reported-listing`.
    #[serde(default = "yes")]
    pub established: bool,
    /// Evidence that the entry exists (a grade A or B source makes it `listed`; weaker sources
    /// make it `reported`).
    pub sources: Vec<Source>,
}

fn yes() -> bool {
    true
}

impl Listing {
    /// The best grade among the listing's sources.
    pub fn best_grade(&self) -> Option<Grade> {
        self.sources.iter().map(|s| s.grade).min()
    }
}

/// The kind of product a category entry names, recognised from a line's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProductClass {
    /// Unmanned aircraft (drones) and their critical components.
    UnmannedAircraft,
    /// Routers.
    Router,
}

/// How a category entry decides whether a line of its product class is within it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CategoryTest {
    /// Within the entry when produced outside the United States: read from the line's country
    /// of origin; an unknown origin needs review.
    ForeignProduced,
    /// Within the entry when the maker or assembler is on a list camscope does not hold (the
    /// FASC list in SAM.gov for the ASDA): always a check for the buyer to make.
    ExternalList,
}

/// A category entry of another regime: a product class rather than a named maker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CategoryRecord {
    /// Stable id, equal to the file stem.
    pub id: String,
    /// The entry as people call it.
    pub name: String,
    /// Which regime it belongs to.
    pub regime: Regime,
    /// When the entry took effect.
    pub added: PartialDate,
    /// The product class it names.
    pub product: ProductClass,
    /// Case-insensitive regular expressions over the maker, model, part number and description
    /// that put a line in the product class.
    pub patterns: Vec<String>,
    /// Expressions that take a line back out (a "drone detection radar" is not a drone).
    #[serde(default)]
    pub not_patterns: Vec<String>,
    /// How a line of the class is decided.
    pub test: CategoryTest,
    /// A question only the buyer can answer, even for a foreign-produced line ("is it
    /// consumer-grade?"): when present, such a line needs review instead of being inside.
    #[serde(default)]
    pub also_ask: Option<String>,
    /// What being within the entry means for the buyer.
    pub consequence: String,
    /// Exceptions the list itself makes, which camscope cannot see from a BOM line.
    #[serde(default)]
    pub exceptions: Vec<String>,
    /// When the sources were last checked.
    pub retrieved: PartialDate,
    /// Why the record says what it says.
    pub rationale: String,
    /// Evidence for the record.
    #[serde(default)]
    pub sources: Vec<Source>,
}

/// One data record of any kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Record {
    /// A company or brand.
    Entity(EntityRecord),
    /// A component family.
    Component(ComponentRecord),
    /// A model-number pattern.
    ModelPattern(ModelPatternRecord),
    /// A country.
    Country(CountryRecord),
    /// A category entry of another regime (foreign-produced drones, consumer routers).
    Category(CategoryRecord),
}

impl Record {
    /// The record's id.
    pub fn id(&self) -> &str {
        match self {
            Record::Entity(r) => &r.id,
            Record::Component(r) => &r.id,
            Record::ModelPattern(r) => &r.id,
            Record::Country(r) => &r.id,
            Record::Category(r) => &r.id,
        }
    }

    /// The record's sources.
    pub fn sources(&self) -> &[Source] {
        match self {
            Record::Entity(r) => &r.sources,
            Record::Component(r) => &r.sources,
            Record::ModelPattern(r) => &r.sources,
            Record::Country(r) => &r.sources,
            Record::Category(r) => &r.sources,
        }
    }

    /// When the record's sources were last checked.
    pub fn retrieved(&self) -> PartialDate {
        match self {
            Record::Entity(r) => r.retrieved,
            Record::Component(r) => r.retrieved,
            Record::ModelPattern(r) => r.retrieved,
            Record::Country(r) => r.retrieved,
            Record::Category(r) => r.retrieved,
        }
    }
}

/// A record together with the file it came from.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StoredRecord {
    /// Path relative to the data directory, with `/` separators.
    pub file: String,
    /// The record.
    pub record: Record,
}

/// A legal text that verdicts cite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RuleCitation {
    /// Stable id used by the matcher (`ndaa-889`, `far-52.204-25`, `far-25.003`, …).
    pub id: String,
    /// Citation text.
    pub text: String,
    /// Where to read it.
    pub url: String,
    /// Reliability of the copy.
    pub grade: Grade,
}

/// An origin string that names more than one country.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AmbiguousOrigin {
    /// The ambiguous text.
    pub text: String,
    /// Country ids it may mean.
    pub candidates: Vec<String>,
    /// What to tell the user.
    pub note: String,
}

/// The header file `dataset.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DatasetMeta {
    /// Data version.
    pub version: String,
    /// Record format version.
    pub schema: u32,
    /// Newest retrieval date of any record.
    pub as_of: PartialDate,
    /// What the snapshot contains.
    #[serde(default)]
    pub description: String,
    /// Legal texts cited by verdicts.
    #[serde(default)]
    pub citations: Vec<RuleCitation>,
    /// Origin strings that need a human.
    #[serde(default)]
    pub ambiguous_origins: Vec<AmbiguousOrigin>,
    /// Hosts a grade A citation may point at (primary texts: statute, FAR, FCC, Federal
    /// Register, regulators). A host matches itself and its subdomains.
    #[serde(default)]
    pub official_hosts: Vec<String>,
}

impl DatasetMeta {
    /// Whether `url` points at one of the official hosts (the host or a subdomain of it).
    pub fn is_official(&self, url: &str) -> bool {
        let Some(host) = url_host(url) else {
            return false;
        };
        self.official_hosts.iter().any(|h| {
            let h = h.trim().to_ascii_lowercase();
            host == h
                || host
                    .strip_suffix(h.as_str())
                    .is_some_and(|p| p.ends_with('.'))
        })
    }
}

/// The lower-case host of an `http(s)://` URL, without port or user.
pub fn url_host(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?;
    let host = host.split(':').next()?;
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}
