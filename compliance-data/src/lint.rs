//! The strict checker for data changes.
//!
//! The loader ([`crate::Dataset`]) ignores unknown keys so that old binaries can read new data.
//! This linter is the other half: it is meant to run in CI on every data change and rejects
//! anything a curator probably did not mean — unknown or misspelled keys, impossible dates,
//! records without a source, the same alias on two records, links to ids that do not exist.
//! It reports every problem it finds instead of stopping at the first.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::dataset::{self, DataSource, HEADER_FILE, REQUIRED_CITATIONS, read_dir_files};
use crate::date::PartialDate;
use crate::normalize;
use crate::record::{
    CategoryRecord, ComponentRecord, CountryRecord, DatasetMeta, EntityRecord, Grade,
    ModelPatternRecord, Record, url_host,
};

/// Which rule a finding breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum LintRule {
    /// The file or directory cannot be read, or is not TOML.
    Unreadable,
    /// A key the format does not define (often a typo).
    UnknownKey,
    /// A required key is missing or has the wrong type or value.
    Schema,
    /// A date that is not `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, does not exist, or ends before it starts.
    BadDate,
    /// A record or link without any source, or a source without a usable URL.
    MissingSource,
    /// Two records share an alias after normalization.
    DuplicateAlias,
    /// Two records share an id, or an id differs from its file name.
    BadId,
    /// A link, maker or candidate names an id that does not exist.
    UnknownId,
    /// A regular expression that does not compile.
    BadPattern,
    /// An alias that is empty once legal and generic words are removed.
    GenericAlias,
    /// The header's `as_of` is not the newest retrieval date.
    StaleHeader,
    /// A grade A citation whose host is not on the header's `official_hosts` list.
    UnofficialHost,
    /// An `[independence]` or `[origin]` record without a grade A or B source.
    WeakEvidence,
    /// An `[independence]` record on a covered entity, or on one linked to a covered entity.
    IndependenceConflict,
    /// An `[independence]` record that does not say it checked the parent and the owners.
    IncompleteCheck,
}

/// One problem in the data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct LintFinding {
    /// Path relative to the data directory.
    pub file: String,
    /// Dotted path of the field (`links[0].from`), empty for the whole file.
    pub field: String,
    /// Rule broken.
    pub rule: LintRule,
    /// What is wrong.
    pub message: String,
}

/// Allowed keys per table shape. `*` entries name nested shapes.
fn allowed(shape: &str) -> &'static [&'static str] {
    match shape {
        "entity" => &[
            "id",
            "kind",
            "name",
            "aliases",
            "exact_aliases",
            "former_names",
            "stock_codes",
            "component_risk",
            "notes",
            "retrieved",
            "rationale",
            "covered",
            "effective",
            "sources",
            "links",
            "independence",
            "listings",
            "origin",
        ],
        "listing" => &[
            "regime",
            "added",
            "removed",
            "scope",
            "established",
            "sources",
        ],
        "category" => &[
            "id",
            "kind",
            "name",
            "regime",
            "added",
            "product",
            "patterns",
            "not_patterns",
            "test",
            "also_ask",
            "consequence",
            "exceptions",
            "retrieved",
            "rationale",
            "sources",
        ],
        "independence" => &["as_of", "parent", "owners", "oem", "checked", "sources"],
        "origin" => &["as_of", "countries", "note", "sources"],
        "component" => &[
            "id",
            "kind",
            "name",
            "maker",
            "class",
            "evidence",
            "patterns",
            "examples",
            "retrieved",
            "rationale",
            "effective",
            "sources",
        ],
        "model-pattern" => &[
            "id",
            "kind",
            "name",
            "maker",
            "product_class",
            "pattern",
            "examples",
            "retrieved",
            "rationale",
            "effective",
            "sources",
        ],
        "country" => &[
            "id",
            "kind",
            "name",
            "iso_name",
            "official_name",
            "alpha2",
            "alpha3",
            "aliases",
            "far_names",
            "also_us_state",
            "retrieved",
            "rationale",
            "lists",
            "sources",
        ],
        "header" => &[
            "version",
            "schema",
            "as_of",
            "description",
            "citations",
            "ambiguous_origins",
            "official_hosts",
        ],
        "source" => &["url", "grade", "title", "date"],
        "effective" => &["from", "to"],
        "covered" => &["limb", "citation", "scope"],
        "link" => &[
            "relation",
            "target",
            "from",
            "to",
            "after_end",
            "grade",
            "sources",
            "note",
        ],
        "list" => &["list", "from", "to"],
        "citation" => &["id", "text", "url", "grade"],
        "ambiguous" => &["text", "candidates", "note"],
        _ => &[],
    }
}

/// The shape of a nested key, if it holds tables.
fn nested(shape: &str, key: &str) -> Option<&'static str> {
    Some(match (shape, key) {
        (_, "sources") => "source",
        (_, "effective") => "effective",
        ("entity", "covered") => "covered",
        ("entity", "links") => "link",
        ("entity", "independence") => "independence",
        ("entity", "listings") => "listing",
        ("entity", "origin") => "origin",
        ("country", "lists") => "list",
        ("header", "citations") => "citation",
        ("header", "ambiguous_origins") => "ambiguous",
        _ => return None,
    })
}

const DATE_KEYS: &[&str] = &[
    "retrieved",
    "from",
    "to",
    "date",
    "as_of",
    "added",
    "removed",
];

struct Linter {
    findings: Vec<LintFinding>,
    /// Every grade A source or citation seen, as (file, field, url): checked against the
    /// official hosts once the header has been read.
    grade_a: Vec<(String, String, String)>,
}

impl Linter {
    fn push(
        &mut self,
        file: &str,
        field: impl Into<String>,
        rule: LintRule,
        message: impl Into<String>,
    ) {
        self.findings.push(LintFinding {
            file: file.to_owned(),
            field: field.into(),
            rule,
            message: message.into(),
        });
    }

    /// Unknown keys, dates and source URLs, recursively.
    fn walk(&mut self, file: &str, shape: &str, prefix: &str, table: &toml::Table) {
        let keys = allowed(shape);
        for (key, value) in table {
            let path = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            if !keys.contains(&key.as_str()) {
                self.push(
                    file,
                    &path,
                    LintRule::UnknownKey,
                    format!("unknown key `{key}`; expected one of: {}", keys.join(", ")),
                );
                continue;
            }
            if DATE_KEYS.contains(&key.as_str()) {
                match value.as_str() {
                    Some(s) => {
                        if let Err(e) = PartialDate::parse(s) {
                            self.push(file, &path, LintRule::BadDate, e);
                        }
                    }
                    None => self.push(
                        file,
                        &path,
                        LintRule::BadDate,
                        "dates are quoted strings such as \"2018-02-06\"",
                    ),
                }
            }
            if key == "url"
                && table.get("grade").and_then(|g| g.as_str()) == Some("A")
                && let Some(url) = value.as_str()
            {
                self.grade_a
                    .push((file.to_owned(), path.clone(), url.to_owned()));
            }
            if key == "url" {
                let ok = value
                    .as_str()
                    .is_some_and(|u| u.starts_with("http://") || u.starts_with("https://"));
                if !ok {
                    self.push(
                        file,
                        &path,
                        LintRule::MissingSource,
                        "a source URL must start with http:// or https://",
                    );
                }
            }
            if let Some(inner) = nested(shape, key) {
                match value {
                    toml::Value::Table(t) => self.walk(file, inner, &path, t),
                    toml::Value::Array(items) => {
                        for (n, item) in items.iter().enumerate() {
                            if let toml::Value::Table(t) = item {
                                self.walk(file, inner, &format!("{path}[{n}]"), t);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        // A period that ends before it starts is a typo.
        let date = |k: &str| {
            table
                .get(k)
                .and_then(|v| v.as_str())
                .and_then(|s| PartialDate::parse(s).ok())
        };
        if let (Some(from), Some(to)) = (date("from"), date("to"))
            && to.latest() < from.earliest()
        {
            let field = if prefix.is_empty() {
                "to".to_owned()
            } else {
                format!("{prefix}.to")
            };
            self.push(
                file,
                field,
                LintRule::BadDate,
                format!("`to` ({to}) is before `from` ({from})"),
            );
        }
    }
}

fn sources_present(table: &toml::Table) -> bool {
    table
        .get("sources")
        .and_then(|v| v.as_array())
        .is_some_and(|a| !a.is_empty())
}

/// Checks a data directory or the embedded snapshot and returns every problem found; an empty
/// list means the data is clean.
pub fn lint(source: &DataSource) -> Vec<LintFinding> {
    let files: Vec<(String, String)> = match source {
        DataSource::Embedded => dataset::embedded_files(),
        DataSource::Dir(dir) => match read_dir_files(dir) {
            Ok(f) => f,
            Err(e) => {
                return vec![LintFinding {
                    file: e.file.clone(),
                    field: String::new(),
                    rule: LintRule::Unreadable,
                    message: e.to_string(),
                }];
            }
        },
    };
    lint_files(&files)
}

/// What the per-file checks gather for the rules that span files.
#[derive(Default)]
struct Survey {
    /// The header, once it has been read and parsed.
    official: Option<DatasetMeta>,
    /// What the independence rules need, per entity id.
    graph: BTreeMap<String, EntityFacts>,
    /// Record id → the file that first used it.
    ids: BTreeMap<String, String>,
    entity_ids: HashSet<String>,
    country_ids: HashSet<String>,
    /// (file, field, id, must be an entity (else a country)).
    refs: Vec<(String, String, String, bool)>,
    /// Normalized entity alias → (file, id) of the record that uses it.
    entity_aliases: BTreeMap<String, (String, String)>,
    /// Folded country name or `code:XX` → (file, id) of the record that uses it.
    country_aliases: BTreeMap<String, (String, String)>,
    /// The newest retrieval date of any record.
    newest: Option<PartialDate>,
    /// The header's `as_of`, when the header parsed.
    header_as_of: Option<PartialDate>,
    saw_header: bool,
}

/// Lints every file on its own, then the rules that span files.
fn lint_files(files: &[(String, String)]) -> Vec<LintFinding> {
    let mut l = Linter {
        findings: Vec::new(),
        grade_a: Vec::new(),
    };
    let mut survey = Survey::default();
    for (file, text) in files {
        lint_file(&mut l, &mut survey, file, text);
    }
    lint_references(&mut l, &survey);
    lint_independence_graph(&mut l, &survey.graph);
    lint_official_hosts(&mut l, survey.official.as_ref());
    lint_header_freshness(&mut l, &survey);
    l.findings
}

/// Lints one file and records in `survey` what the cross-file rules need from it.
fn lint_file(l: &mut Linter, survey: &mut Survey, file: &str, text: &str) {
    if !file.ends_with(".toml") {
        l.push(
            file,
            "",
            LintRule::Unreadable,
            "unexpected file: records must be .toml files",
        );
        return;
    }
    let table = match dataset::parse_table(file, text) {
        Ok(t) => t,
        Err(e) => {
            l.push(file, "", LintRule::Unreadable, e.message);
            return;
        }
    };
    if file == HEADER_FILE {
        lint_header(l, survey, file, table);
        return;
    }
    let Some(kind) = record_kind(l, file, &table) else {
        return;
    };
    l.walk(file, &kind, "", &table);
    lint_record_sources(l, file, &table);
    let Some(record) = parse_linted_record(l, file, table) else {
        return;
    };
    let id = record.id().to_owned();
    lint_record_id(l, survey, file, &id);
    let retrieved = record.retrieved();
    if survey
        .newest
        .is_none_or(|n| retrieved.latest() > n.latest())
    {
        survey.newest = Some(retrieved);
    }
    match &record {
        Record::Entity(e) => lint_entity(l, survey, file, &id, e),
        Record::Component(c) => lint_component(l, survey, file, c),
        Record::Category(c) => lint_category(l, file, c),
        Record::ModelPattern(m) => lint_model_pattern(l, survey, file, m),
        Record::Country(c) => lint_country(l, survey, file, &id, c),
    }
}

/// The header file: its keys, official hosts, required citations and the country ids its
/// ambiguous origins name.
fn lint_header(l: &mut Linter, survey: &mut Survey, file: &str, table: toml::Table) {
    survey.saw_header = true;
    l.walk(file, "header", "", &table);
    match dataset::deserialize_table::<DatasetMeta>(file, table) {
        Ok(meta) => {
            survey.header_as_of = Some(meta.as_of);
            if meta.official_hosts.is_empty() {
                l.push(
                    file,
                    "official_hosts",
                    LintRule::Schema,
                    "the header must list the official hosts grade A citations may use",
                );
            }
            for id in REQUIRED_CITATIONS {
                if !meta.citations.iter().any(|c| c.id == *id) {
                    l.push(
                        file,
                        "citations",
                        LintRule::Schema,
                        format!("citation `{id}` is required by the matcher"),
                    );
                }
            }
            for (n, a) in meta.ambiguous_origins.iter().enumerate() {
                for c in &a.candidates {
                    survey.refs.push((
                        file.to_owned(),
                        format!("ambiguous_origins[{n}].candidates"),
                        c.clone(),
                        false,
                    ));
                }
            }
            survey.official = Some(meta);
        }
        Err(e) => l.push(file, e.field, LintRule::Schema, e.message),
    }
}

/// The record's `kind`, if it is one the format defines.
fn record_kind(l: &mut Linter, file: &str, table: &toml::Table) -> Option<String> {
    let kind = table
        .get("kind")
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_owned();
    if !matches!(
        kind.as_str(),
        "entity" | "component" | "model-pattern" | "country" | "category"
    ) {
        l.push(
            file,
            "kind",
            LintRule::Schema,
            format!(
                "kind `{kind}` is not one of entity, component, model-pattern, country, category"
            ),
        );
        return None;
    }
    Some(kind)
}

/// Every record and every link of a record needs a source.
fn lint_record_sources(l: &mut Linter, file: &str, table: &toml::Table) {
    if !sources_present(table) {
        l.push(
            file,
            "sources",
            LintRule::MissingSource,
            "every record needs at least one source",
        );
    }
    if let Some(links) = table.get("links").and_then(|v| v.as_array()) {
        for (n, link) in links.iter().enumerate() {
            if let Some(t) = link.as_table()
                && !sources_present(t)
            {
                l.push(
                    file,
                    format!("links[{n}].sources"),
                    LintRule::MissingSource,
                    "every link needs at least one source",
                );
            }
        }
    }
}

/// The typed record, or a schema finding (unless the file already has a bad-date finding,
/// which says the same with a better message).
fn parse_linted_record(l: &mut Linter, file: &str, table: toml::Table) -> Option<Record> {
    match dataset::parse_record(file, table) {
        Ok(r) => Some(r),
        Err(e) => {
            if !l
                .findings
                .iter()
                .any(|f| f.file == *file && f.rule == LintRule::BadDate)
            {
                l.push(file, e.field, LintRule::Schema, e.message);
            }
            None
        }
    }
}

/// A record's id must match its file name and be used by no other record.
fn lint_record_id(l: &mut Linter, survey: &mut Survey, file: &str, id: &str) {
    let stem = file
        .rsplit('/')
        .next()
        .unwrap_or(file)
        .trim_end_matches(".toml");
    if stem != id {
        l.push(
            file,
            "id",
            LintRule::BadId,
            format!("id `{id}` differs from the file name `{stem}.toml`"),
        );
    }
    if let Some(other) = survey.ids.insert(id.to_owned(), file.to_owned()) {
        l.push(
            file,
            "id",
            LintRule::BadId,
            format!("id `{id}` is also used by {other}"),
        );
    }
}

/// One spelling of a record's name: it must keep a distinctive word and must not normalize to
/// another record's alias. The first record to use a key owns it.
fn check_alias(
    l: &mut Linter,
    map: &mut BTreeMap<String, (String, String)>,
    (file, id): (&str, &str),
    key: String,
    field: String,
    shown: &str,
) {
    if key.is_empty() {
        l.push(
            file,
            &field,
            LintRule::GenericAlias,
            format!("`{shown}` has no distinctive word once legal and generic words are removed"),
        );
        return;
    }
    match map.get(&key) {
        Some((other_file, other_id)) if *other_id != id => l.push(
            file,
            &field,
            LintRule::DuplicateAlias,
            format!(
                "`{shown}` normalizes to `{key}`, already an alias of `{other_id}` ({other_file})"
            ),
        ),
        Some(_) => {}
        None => {
            map.insert(key, (file.to_owned(), id.to_owned()));
        }
    }
}

/// An entity: its independence record, its names, its listings and the ids its links name.
fn lint_entity(l: &mut Linter, survey: &mut Survey, file: &str, id: &str, e: &EntityRecord) {
    survey.entity_ids.insert(e.id.clone());
    survey.graph.insert(e.id.clone(), EntityFacts::of(file, e));
    if let Some(ind) = &e.independence {
        lint_independence(l, file, ind);
    }
    let names = std::iter::once(("name".to_owned(), &e.name))
        .chain(
            e.aliases
                .iter()
                .enumerate()
                .map(|(n, a)| (format!("aliases[{n}]"), a)),
        )
        .chain(
            e.exact_aliases
                .iter()
                .enumerate()
                .map(|(n, a)| (format!("exact_aliases[{n}]"), a)),
        )
        .chain(
            e.former_names
                .iter()
                .enumerate()
                .map(|(n, a)| (format!("former_names[{n}]"), a)),
        );
    for (field, name) in names {
        check_alias(
            l,
            &mut survey.entity_aliases,
            (file, id),
            normalize::name_tokens(name).join(" "),
            field,
            name,
        );
    }
    for (n, listing) in e.listings.iter().enumerate() {
        if listing.sources.is_empty() {
            l.push(
                file,
                format!("listings[{n}].sources"),
                LintRule::MissingSource,
                "a listing needs at least one source",
            );
        }
        if listing.scope.trim().is_empty() {
            l.push(
                file,
                format!("listings[{n}].scope"),
                LintRule::Schema,
                "a listing says what the entry covers",
            );
        }
    }
    for (n, link) in e.links.iter().enumerate() {
        survey.refs.push((
            file.to_owned(),
            format!("links[{n}].target"),
            link.target.clone(),
            true,
        ));
    }
    if let Some(origin) = &e.origin {
        lint_origin(l, survey, file, origin);
    }
}

/// A maker's `[origin]`: at least one country, each a country record, and a grade A or B
/// source (a filing or a regulator), since a planner finding rests on it.
fn lint_origin(l: &mut Linter, survey: &mut Survey, file: &str, o: &crate::record::MakerOrigin) {
    if o.countries.is_empty() {
        l.push(
            file,
            "origin.countries",
            LintRule::Schema,
            "an origin names at least one country (a country record id)",
        );
    }
    for (n, c) in o.countries.iter().enumerate() {
        survey.refs.push((
            file.to_owned(),
            format!("origin.countries[{n}]"),
            c.clone(),
            false,
        ));
    }
    if !o
        .sources
        .iter()
        .any(|s| matches!(s.grade, Grade::A | Grade::B))
    {
        l.push(
            file,
            "origin.sources",
            LintRule::WeakEvidence,
            "an origin record must cite at least one grade A or B source (a filing, a regulator)",
        );
    }
}

/// A component: its maker must exist and its patterns must compile.
fn lint_component(l: &mut Linter, survey: &mut Survey, file: &str, c: &ComponentRecord) {
    survey
        .refs
        .push((file.to_owned(), "maker".into(), c.maker.clone(), true));
    for (n, p) in c.patterns.iter().enumerate() {
        if let Err(err) = regex::Regex::new(p) {
            l.push(
                file,
                format!("patterns[{n}]"),
                LintRule::BadPattern,
                err.to_string(),
            );
        }
    }
    if c.patterns.is_empty() {
        l.push(
            file,
            "patterns",
            LintRule::Schema,
            "a component needs at least one pattern",
        );
    }
}

/// A category: its patterns must compile and it must rest on strong sources.
fn lint_category(l: &mut Linter, file: &str, c: &CategoryRecord) {
    for (field, list) in [("patterns", &c.patterns), ("not_patterns", &c.not_patterns)] {
        for (n, p) in list.iter().enumerate() {
            if let Err(err) = regex::Regex::new(p) {
                l.push(
                    file,
                    format!("{field}[{n}]"),
                    LintRule::BadPattern,
                    err.to_string(),
                );
            }
        }
    }
    if c.patterns.is_empty() {
        l.push(
            file,
            "patterns",
            LintRule::Schema,
            "a category needs at least one pattern",
        );
    }
    // A category entry decides lines on its own, so it rests on the list itself or a
    // reputable account of it.
    if !c
        .sources
        .iter()
        .any(|s| matches!(s.grade, Grade::A | Grade::B))
    {
        l.push(
            file,
            "sources",
            LintRule::WeakEvidence,
            "a category entry must cite at least one grade A or B source",
        );
    }
}

/// A model pattern: its maker must exist and its pattern must compile.
fn lint_model_pattern(l: &mut Linter, survey: &mut Survey, file: &str, m: &ModelPatternRecord) {
    survey
        .refs
        .push((file.to_owned(), "maker".into(), m.maker.clone(), true));
    if let Err(err) = regex::Regex::new(&m.pattern) {
        l.push(file, "pattern", LintRule::BadPattern, err.to_string());
    }
}

/// A country: its id is its alpha-2 code, and no name or code is shared with another country.
fn lint_country(l: &mut Linter, survey: &mut Survey, file: &str, id: &str, c: &CountryRecord) {
    survey.country_ids.insert(c.id.clone());
    if c.id != c.alpha2.to_ascii_lowercase() {
        l.push(
            file,
            "id",
            LintRule::BadId,
            "a country id is its lower-case alpha-2 code",
        );
    }
    let names = [("name", &c.name), ("iso_name", &c.iso_name)]
        .into_iter()
        .map(|(f, n)| (f.to_owned(), n))
        .chain(
            c.official_name
                .iter()
                .map(|n| ("official_name".to_owned(), n)),
        )
        .chain(
            c.aliases
                .iter()
                .enumerate()
                .map(|(n, a)| (format!("aliases[{n}]"), a)),
        )
        .chain(
            c.far_names
                .iter()
                .enumerate()
                .map(|(n, a)| (format!("far_names[{n}]"), a)),
        );
    for (field, name) in names {
        check_alias(
            l,
            &mut survey.country_aliases,
            (file, id),
            normalize::fold(name),
            field,
            name,
        );
    }
    for (field, code) in [("alpha2", &c.alpha2), ("alpha3", &c.alpha3)] {
        check_alias(
            l,
            &mut survey.country_aliases,
            (file, id),
            format!("code:{}", code.to_ascii_uppercase()),
            field.to_owned(),
            code,
        );
    }
}

/// Every id a link, maker or ambiguous origin names must be a record of the right kind.
fn lint_references(l: &mut Linter, survey: &Survey) {
    for (file, field, id, entity) in &survey.refs {
        let known = if *entity {
            survey.entity_ids.contains(id)
        } else {
            survey.country_ids.contains(id)
        };
        if !known {
            let what = if *entity { "entity" } else { "country" };
            l.push(
                file,
                field,
                LintRule::UnknownId,
                format!("`{id}` is not the id of any {what} record"),
            );
        }
    }
}

/// Grade A sources must be on the header's official hosts (checked only when the header
/// parsed).
fn lint_official_hosts(l: &mut Linter, official: Option<&DatasetMeta>) {
    if let Some(meta) = official {
        for (file, field, url) in std::mem::take(&mut l.grade_a) {
            if !meta.is_official(&url) {
                let host = url_host(&url).unwrap_or_default();
                l.push(
                    &file,
                    field,
                    LintRule::UnofficialHost,
                    format!(
                        "grade A is for primary texts, but `{host}` is not on the official hosts \
                         list in {HEADER_FILE}; cite the primary host or grade the source B/C/D"
                    ),
                );
            }
        }
    }
}

/// The header must exist, and its `as_of` must be the newest retrieval date.
fn lint_header_freshness(l: &mut Linter, survey: &Survey) {
    if !survey.saw_header {
        l.push(
            HEADER_FILE,
            "",
            LintRule::Unreadable,
            "the dataset header file is missing",
        );
    }
    if let (Some(as_of), Some(newest)) = (survey.header_as_of, survey.newest)
        && as_of.latest() != newest.latest()
    {
        l.push(
            HEADER_FILE,
            "as_of",
            LintRule::StaleHeader,
            format!("as_of is {as_of} but the newest record was retrieved {newest}"),
        );
    }
}

/// What the independence rules need to know about one entity.
struct EntityFacts {
    file: String,
    covered: bool,
    independent_as_of: Option<PartialDate>,
    /// (target, link ended cleanly before the independence check).
    links: Vec<(String, bool)>,
}

impl EntityFacts {
    fn of(file: &str, e: &EntityRecord) -> Self {
        let as_of = e.independence.as_ref().map(|i| i.as_of);
        let links = e
            .links
            .iter()
            .map(|k| {
                let ended_cleanly = k.after_end == crate::record::AfterEnd::NotCovered
                    && match (k.to, as_of) {
                        (Some(to), Some(as_of)) => to.latest() < as_of.earliest(),
                        _ => false,
                    };
                (k.target.clone(), ended_cleanly)
            })
            .collect();
        EntityFacts {
            file: file.to_owned(),
            covered: e.covered.is_some(),
            independent_as_of: as_of,
            links,
        }
    }
}

/// The rules an `[independence]` record must meet on its own.
fn lint_independence(l: &mut Linter, file: &str, ind: &crate::record::Independence) {
    use crate::record::IndependenceCheck;
    if !ind
        .sources
        .iter()
        .any(|s| matches!(s.grade, Grade::A | Grade::B))
    {
        l.push(
            file,
            "independence.sources",
            LintRule::WeakEvidence,
            "an independence record must cite at least one grade A or B source \
             (a filing, an investor page, a regulator)",
        );
    }
    for need in [IndependenceCheck::Parent, IndependenceCheck::Owners] {
        if !ind.has_checked(need) {
            l.push(
                file,
                "independence.checked",
                LintRule::IncompleteCheck,
                format!("`checked` must name `{}`", need.as_str()),
            );
        }
    }
    let mut seen = HashSet::new();
    for c in &ind.checked {
        if !seen.insert(*c) {
            l.push(
                file,
                "independence.checked",
                LintRule::IncompleteCheck,
                format!("`{}` is listed twice", c.as_str()),
            );
        }
    }
    let blank = |s: &str| s.trim().is_empty();
    if blank(&ind.parent) {
        l.push(
            file,
            "independence.parent",
            LintRule::IncompleteCheck,
            "say who the ultimate parent is, or \"none\"",
        );
    }
    if blank(&ind.owners) {
        l.push(
            file,
            "independence.owners",
            LintRule::IncompleteCheck,
            "say who owns the company",
        );
    }
    if ind.has_checked(IndependenceCheck::Oem) && ind.oem.as_deref().is_none_or(blank) {
        l.push(
            file,
            "independence.oem",
            LintRule::IncompleteCheck,
            "`checked` names `oem`, so say what is known of OEM sourcing",
        );
    }
}

/// An independence record must not sit on a covered entity or reach one through the graph
/// (a link that ended cleanly before the check does not count).
fn lint_independence_graph(l: &mut Linter, graph: &BTreeMap<String, EntityFacts>) {
    for (id, facts) in graph {
        if facts.independent_as_of.is_none() {
            continue;
        }
        if facts.covered {
            l.push(
                &facts.file,
                "independence",
                LintRule::IndependenceConflict,
                "a covered (named) entity cannot also carry an independence record",
            );
            continue;
        }
        // Breadth-first walk over live links, keeping the path for the message.
        let mut seen: HashSet<&str> = HashSet::from([id.as_str()]);
        let mut queue: std::collections::VecDeque<(&str, Vec<&str>)> =
            std::collections::VecDeque::from([(id.as_str(), vec![id.as_str()])]);
        while let Some((at, path)) = queue.pop_front() {
            let Some(node) = graph.get(at) else { continue };
            if node.covered && at != id {
                l.push(
                    &facts.file,
                    "independence",
                    LintRule::IndependenceConflict,
                    format!(
                        "the record is linked to the covered entity `{at}` ({}), so it cannot \
                         also state independence",
                        path.join(" -> ")
                    ),
                );
                break;
            }
            for (target, ended_cleanly) in &node.links {
                // Only the record's own ended links are judged against its own check date.
                if *ended_cleanly && at == id {
                    continue;
                }
                if seen.insert(target.as_str()) {
                    let mut next = path.clone();
                    next.push(target.as_str());
                    queue.push_back((target.as_str(), next));
                }
            }
        }
    }
}
