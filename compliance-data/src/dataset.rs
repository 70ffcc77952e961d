//! Loading, hashing and indexing the curated data.
//!
//! The same code path reads the embedded snapshot and a directory given at run time, so a
//! `--data-dir` copy behaves exactly like the shipped one and hashes the same when it has the
//! same bytes. Loading is strict about anything that would make a record silently disappear or
//! be misread (bad syntax, missing required fields, duplicate ids, links to nowhere, regexes that
//! do not compile); style rules such as unknown keys are left to the strict data lint (the
//! `lint` module, which builds on this loader).

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use regex::{Regex, RegexBuilder};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use time::Date;

use crate::error::{Error, ErrorKind};
use crate::graph::EntityGraph;
use crate::normalize;
use crate::record::{
    CategoryRecord, ComponentRecord, CountryRecord, DatasetMeta, EntityRecord, ModelPatternRecord,
    Record, StoredRecord,
};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_data.rs"));
}

/// Name of the header file at the root of a data directory.
pub const HEADER_FILE: &str = "dataset.toml";

/// Citation ids the matcher relies on; a data directory without them is unusable.
pub(crate) const REQUIRED_CITATIONS: &[&str] = &[
    "ndaa-889",
    "far-52.204-25",
    "far-25.003",
    "fcc-covered-list",
    "far-52.240-1",
    "ndaa-fy2021-1260h",
];

/// Where a dataset was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DataOrigin {
    /// The copy compiled into this library.
    Embedded,
    /// A directory read at run time.
    Directory(PathBuf),
}

/// Which data to read: the embedded snapshot or a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataSource {
    /// The copy compiled into this library.
    Embedded,
    /// A directory laid out like `compliance-data/data`.
    Dir(PathBuf),
}

/// One alias of an entity, pre-tokenized.
#[derive(Debug, Clone)]
pub(crate) struct NameEntry {
    pub tokens: Vec<String>,
    pub record: usize,
    /// Matches only when it is the whole field.
    pub exact: bool,
    pub alias: String,
}

/// A single-token alias a misspelling may match, with its letter histogram.
#[derive(Debug, Clone)]
pub(crate) struct FuzzyAlias {
    /// Index into the name table.
    pub entry: usize,
    /// The alias token.
    pub token: String,
    /// Counts of each ASCII letter and digit.
    pub hist: [u8; 36],
}

/// The aliases that take part in fuzzy matching: single tokens, not exact-only, fuzzable.
pub(crate) fn fuzzy_aliases(names: &[NameEntry]) -> Vec<FuzzyAlias> {
    names
        .iter()
        .enumerate()
        .filter(|(_, e)| !e.exact && e.tokens.len() == 1 && normalize::is_fuzzable(&e.tokens[0]))
        .map(|(i, e)| FuzzyAlias {
            entry: i,
            token: e.tokens[0].clone(),
            hist: normalize::histogram(&e.tokens[0]),
        })
        .collect()
}

/// Lookup tables for countries.
#[derive(Debug, Default)]
pub(crate) struct CountryIndex {
    /// Folded name → record index.
    pub by_name: HashMap<String, usize>,
    /// Upper-case alpha-2 or alpha-3 code → record index.
    pub by_code: HashMap<String, usize>,
    /// Longest alias, in tokens.
    pub max_tokens: usize,
    /// Folded ambiguous text → index into `DatasetMeta::ambiguous_origins`.
    pub ambiguous: HashMap<String, usize>,
}

/// Everything the matcher needs, built once per dataset.
#[derive(Debug)]
pub(crate) struct Index {
    pub entity_by_id: HashMap<String, usize>,
    pub names: Vec<NameEntry>,
    /// Every single-token alias, so that a token that is itself a name is never treated as a
    /// misspelling of another (looked up per token of every field: a set, not a scan).
    pub single_tokens: std::collections::HashSet<String>,
    /// The aliases a misspelling may be matched against, with their letter histograms.
    pub fuzzy_aliases: Vec<FuzzyAlias>,
    pub graph: EntityGraph,
    pub components: Vec<(usize, Vec<Regex>)>,
    pub models: Vec<(usize, Regex)>,
    pub countries: CountryIndex,
    /// Category entries: record index, patterns that put a line in the class, patterns that
    /// take it out.
    pub categories: Vec<(usize, Vec<Regex>, Vec<Regex>)>,
}

/// A loaded, indexed and hashed compliance dataset.
#[derive(Debug)]
pub struct Dataset {
    meta: DatasetMeta,
    hash: String,
    origin: DataOrigin,
    records: Vec<StoredRecord>,
    pub(crate) index: Index,
    /// Unique per load, so caches keyed by it can never mix two datasets' answers (an address
    /// could be reused by a later dataset; this number is not).
    pub(crate) instance: u64,
}

static NEXT_INSTANCE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl Dataset {
    /// The snapshot compiled into this library.
    ///
    /// The embedded data is checked by this crate's tests, so this only fails if the crate was
    /// built from a broken checkout; callers should still report the error rather than panic.
    pub fn embedded() -> Result<Dataset, Error> {
        Dataset::from_files(embedded_files(), DataOrigin::Embedded)
    }

    /// Reads a data directory laid out like `compliance-data/data` (for `--data-dir`).
    pub fn load_dir(dir: impl AsRef<Path>) -> Result<Dataset, Error> {
        let dir = dir.as_ref();
        let files = read_dir_files(dir)?;
        Dataset::from_files(files, DataOrigin::Directory(dir.to_path_buf()))
    }

    /// Reads either source.
    pub fn load(source: &DataSource) -> Result<Dataset, Error> {
        match source {
            DataSource::Embedded => Dataset::embedded(),
            DataSource::Dir(dir) => Dataset::load_dir(dir),
        }
    }

    /// Data version from `dataset.toml`.
    pub fn version(&self) -> &str {
        &self.meta.version
    }

    /// Hex SHA-256 over every file, in sorted path order (see [`content_hash`]).
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// The newest retrieval date of the data.
    pub fn as_of(&self) -> Date {
        self.meta.as_of.earliest()
    }

    /// The header.
    pub fn meta(&self) -> &DatasetMeta {
        &self.meta
    }

    /// Where the data was read from.
    pub fn origin(&self) -> &DataOrigin {
        &self.origin
    }

    /// Every record with its file, sorted by file path.
    pub fn records(&self) -> &[StoredRecord] {
        &self.records
    }

    /// The entity with this id.
    pub fn entity(&self, id: &str) -> Option<&EntityRecord> {
        self.index
            .entity_by_id
            .get(id)
            .and_then(|&i| self.entity_at(i))
    }

    pub(crate) fn entity_at(&self, i: usize) -> Option<&EntityRecord> {
        match self.records.get(i).map(|r| &r.record) {
            Some(Record::Entity(e)) => Some(e),
            _ => None,
        }
    }

    pub(crate) fn component_at(&self, i: usize) -> Option<&ComponentRecord> {
        match self.records.get(i).map(|r| &r.record) {
            Some(Record::Component(c)) => Some(c),
            _ => None,
        }
    }

    pub(crate) fn category_at(&self, i: usize) -> Option<&CategoryRecord> {
        match self.records.get(i).map(|r| &r.record) {
            Some(Record::Category(c)) => Some(c),
            _ => None,
        }
    }

    pub(crate) fn model_at(&self, i: usize) -> Option<&ModelPatternRecord> {
        match self.records.get(i).map(|r| &r.record) {
            Some(Record::ModelPattern(m)) => Some(m),
            _ => None,
        }
    }

    pub(crate) fn country_at(&self, i: usize) -> Option<&CountryRecord> {
        match self.records.get(i).map(|r| &r.record) {
            Some(Record::Country(c)) => Some(c),
            _ => None,
        }
    }

    pub(crate) fn file_at(&self, i: usize) -> &str {
        self.records.get(i).map_or("", |r| r.file.as_str())
    }

    /// URL of a dataset-level citation.
    pub(crate) fn citation(&self, id: &str) -> Option<&crate::record::RuleCitation> {
        self.meta.citations.iter().find(|c| c.id == id)
    }

    fn from_files(files: Vec<(String, String)>, origin: DataOrigin) -> Result<Dataset, Error> {
        let hash = content_hash(&files);
        let mut meta = None;
        let mut records = Vec::new();
        for (file, text) in &files {
            if file == HEADER_FILE {
                meta = Some(parse_as::<DatasetMeta>(file, text)?);
            } else if file.ends_with(".toml") {
                records.push(StoredRecord {
                    file: file.clone(),
                    record: parse_record(file, parse_table(file, text)?)?,
                });
            } else {
                return Err(Error::new(
                    ErrorKind::Schema,
                    file.clone(),
                    "",
                    "unexpected file in the data directory: records must be .toml files",
                ));
            }
        }
        let meta = meta.ok_or_else(|| {
            Error::new(
                ErrorKind::Schema,
                HEADER_FILE,
                "",
                "missing dataset header file",
            )
        })?;
        for id in REQUIRED_CITATIONS {
            if !meta.citations.iter().any(|c| c.id == *id) {
                return Err(Error::new(
                    ErrorKind::Consistency,
                    HEADER_FILE,
                    "citations",
                    format!("citation `{id}` is required by the matcher"),
                ));
            }
        }
        let index = build_index(&records, &meta)?;
        Ok(Dataset {
            instance: NEXT_INSTANCE.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            meta,
            hash,
            origin,
            records,
            index,
        })
    }
}

/// The embedded files as owned (path, contents) pairs, sorted by path.
pub(crate) fn embedded_files() -> Vec<(String, String)> {
    embedded::FILES
        .iter()
        .map(|(p, c)| ((*p).to_owned(), (*c).to_owned()))
        .collect()
}

/// SHA-256 over the files in sorted path order. Each file contributes its path and contents,
/// both length-prefixed (u64, little-endian), so no two different file sets hash alike.
pub fn content_hash(files: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = files.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut hasher = Sha256::new();
    for (path, text) in sorted {
        hasher.update((path.len() as u64).to_le_bytes());
        hasher.update(path.as_bytes());
        hasher.update((text.len() as u64).to_le_bytes());
        hasher.update(text.as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every regular file under `dir`, as (relative path with `/`, contents), sorted. Hidden files
/// (editor swap files, `.gitkeep`) are skipped; anything else is returned so that the caller
/// can reject it instead of ignoring it.
pub(crate) fn read_dir_files(dir: &Path) -> Result<Vec<(String, String)>, Error> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) -> Result<(), Error> {
        let entries = fs::read_dir(dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(dir.display().to_string(), e))?;
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            if path.is_dir() {
                walk(root, &path, out)?;
                continue;
            }
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            let text = fs::read_to_string(&path).map_err(|e| Error::io(rel.clone(), e))?;
            out.push((rel, text));
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out)?;
    out.sort();
    Ok(out)
}

/// Parses TOML into a table, reporting syntax errors against the file.
pub(crate) fn parse_table(file: &str, text: &str) -> Result<toml::Table, Error> {
    text.parse::<toml::Table>()
        .map_err(|e| Error::new(ErrorKind::Syntax, file, "", e.to_string().trim().to_owned()))
}

/// Parses a file into a typed value; errors name the field path.
pub(crate) fn parse_as<T: DeserializeOwned>(file: &str, text: &str) -> Result<T, Error> {
    let table = parse_table(file, text)?;
    deserialize_table(file, table)
}

pub(crate) fn deserialize_table<T: DeserializeOwned>(
    file: &str,
    table: toml::Table,
) -> Result<T, Error> {
    serde_path_to_error::deserialize(toml::Value::Table(table)).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { String::new() } else { path };
        Error::new(
            ErrorKind::Schema,
            file,
            field,
            e.into_inner().to_string().trim().to_owned(),
        )
    })
}

/// Deserializes a record by its `kind`. Dispatching by hand (rather than through serde's tagged
/// enums, which buffer the input) keeps the field path in error messages.
pub(crate) fn parse_record(file: &str, table: toml::Table) -> Result<Record, Error> {
    let kind = match table.get("kind") {
        Some(toml::Value::String(k)) => k.clone(),
        Some(_) => {
            return Err(Error::new(
                ErrorKind::Schema,
                file,
                "kind",
                "`kind` must be a string",
            ));
        }
        None => {
            return Err(Error::new(
                ErrorKind::Schema,
                file,
                "kind",
                "missing field `kind`",
            ));
        }
    };
    let mut table = table;
    table.remove("kind");
    Ok(match kind.as_str() {
        "entity" => Record::Entity(deserialize_table(file, table)?),
        "component" => Record::Component(deserialize_table(file, table)?),
        "model-pattern" => Record::ModelPattern(deserialize_table(file, table)?),
        "country" => Record::Country(deserialize_table(file, table)?),
        "category" => Record::Category(deserialize_table(file, table)?),
        other => {
            return Err(Error::new(
                ErrorKind::Schema,
                file,
                "kind",
                format!(
                    "unknown kind `{other}`; expected entity, component, model-pattern, country or category"
                ),
            ));
        }
    })
}

fn compile(file: &str, field: &str, pattern: &str) -> Result<Regex, Error> {
    RegexBuilder::new(pattern)
        .case_insensitive(true)
        .build()
        .map_err(|e| {
            Error::new(
                ErrorKind::Schema,
                file,
                field,
                format!("invalid regular expression: {e}"),
            )
        })
}

/// Builds the matcher's index, rejecting anything that would make a record misread.
fn build_index(records: &[StoredRecord], meta: &DatasetMeta) -> Result<Index, Error> {
    check_unique_ids(records)?;
    let entity_by_id = entity_ids(records);
    let mut names = Vec::new();
    let mut components = Vec::new();
    let mut models = Vec::new();
    let mut countries = CountryIndex::default();
    let mut categories = Vec::new();
    for (i, r) in records.iter().enumerate() {
        let file = r.file.as_str();
        match &r.record {
            Record::Entity(e) => {
                for (n, link) in e.links.iter().enumerate() {
                    need_entity(
                        &entity_by_id,
                        file,
                        format!("links[{n}].target"),
                        &link.target,
                    )?;
                }
                names.extend(entity_names(file, i, e)?);
            }
            Record::Component(c) => {
                need_entity(&entity_by_id, file, "maker".into(), &c.maker)?;
                components.push((i, component_patterns(file, c)?));
            }
            Record::ModelPattern(m) => {
                need_entity(&entity_by_id, file, "maker".into(), &m.maker)?;
                models.push((i, compile(file, "pattern", &m.pattern)?));
            }
            Record::Category(c) => {
                let (patterns, not_patterns) = category_patterns(file, c)?;
                categories.push((i, patterns, not_patterns));
            }
            Record::Country(c) => index_country(&mut countries, i, c),
        }
    }
    index_ambiguous_origins(&mut countries, records, meta)?;
    let graph = EntityGraph::build(records, &entity_by_id);
    Ok(Index {
        entity_by_id,
        single_tokens: names
            .iter()
            .filter(|e| e.tokens.len() == 1)
            .map(|e| e.tokens[0].clone())
            .collect(),
        fuzzy_aliases: fuzzy_aliases(&names),
        names,
        graph,
        components,
        models,
        countries,
        categories,
    })
}

/// No two records may share an id.
fn check_unique_ids(records: &[StoredRecord]) -> Result<(), Error> {
    let mut ids: BTreeMap<&str, &str> = BTreeMap::new();
    for r in records {
        if let Some(first) = ids.insert(r.record.id(), &r.file) {
            return Err(Error::new(
                ErrorKind::Consistency,
                r.file.clone(),
                "id",
                format!("duplicate id `{}` (also in {first})", r.record.id()),
            ));
        }
    }
    Ok(())
}

/// Entity id → record index.
fn entity_ids(records: &[StoredRecord]) -> HashMap<String, usize> {
    let mut entity_by_id = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        if let Record::Entity(e) = &r.record {
            entity_by_id.insert(e.id.clone(), i);
        }
    }
    entity_by_id
}

/// An id a record's `field` names must be an entity's.
fn need_entity(
    entity_by_id: &HashMap<String, usize>,
    file: &str,
    field: String,
    id: &str,
) -> Result<(), Error> {
    if entity_by_id.contains_key(id) {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::Consistency,
            file,
            field,
            format!("`{id}` is not the id of an entity record"),
        ))
    }
}

/// Every spelling of an entity's name (name, aliases, former names, exact-only aliases),
/// tokenized; each must keep a distinctive word.
fn entity_names(file: &str, i: usize, e: &EntityRecord) -> Result<Vec<NameEntry>, Error> {
    let spelled = std::iter::once((&e.name, false, "name".to_owned()))
        .chain(
            e.aliases
                .iter()
                .enumerate()
                .map(|(n, a)| (a, false, format!("aliases[{n}]"))),
        )
        .chain(
            e.former_names
                .iter()
                .enumerate()
                .map(|(n, a)| (a, false, format!("former_names[{n}]"))),
        )
        .chain(
            e.exact_aliases
                .iter()
                .enumerate()
                .map(|(n, a)| (a, true, format!("exact_aliases[{n}]"))),
        );
    // A name that normalizes to an exact-only alias is just as generic ("Sinclair
    // Technologies" is "sinclair" once the legal word goes), so it is exact-only too.
    let exact_forms: Vec<Vec<String>> = e
        .exact_aliases
        .iter()
        .map(|a| normalize::name_tokens(a))
        .collect();
    let mut names = Vec::new();
    for (alias, exact, field) in spelled {
        let tokens = normalize::name_tokens(alias);
        let exact = exact || exact_forms.contains(&tokens);
        if tokens.is_empty() {
            return Err(Error::new(
                ErrorKind::Schema,
                file,
                field,
                format!(
                    "`{alias}` has no distinctive word once legal and generic words are removed"
                ),
            ));
        }
        names.push(NameEntry {
            tokens,
            record: i,
            exact,
            alias: alias.clone(),
        });
    }
    Ok(names)
}

/// A component's patterns, compiled; it needs at least one.
fn component_patterns(file: &str, c: &ComponentRecord) -> Result<Vec<Regex>, Error> {
    if c.patterns.is_empty() {
        return Err(Error::new(
            ErrorKind::Schema,
            file,
            "patterns",
            "a component needs at least one pattern",
        ));
    }
    c.patterns
        .iter()
        .enumerate()
        .map(|(n, p)| compile(file, &format!("patterns[{n}]"), p))
        .collect()
}

/// A category's patterns and not-patterns, compiled; it needs at least one pattern.
fn category_patterns(file: &str, c: &CategoryRecord) -> Result<(Vec<Regex>, Vec<Regex>), Error> {
    if c.patterns.is_empty() {
        return Err(Error::new(
            ErrorKind::Schema,
            file,
            "patterns",
            "a category needs at least one pattern",
        ));
    }
    let compile_all = |field: &str, list: &[String]| {
        list.iter()
            .enumerate()
            .map(|(n, p)| compile(file, &format!("{field}[{n}]"), p))
            .collect::<Result<Vec<_>, _>>()
    };
    Ok((
        compile_all("patterns", &c.patterns)?,
        compile_all("not_patterns", &c.not_patterns)?,
    ))
}

/// Adds a country's names (folded) and codes (upper-case) to the country index.
fn index_country(countries: &mut CountryIndex, i: usize, c: &CountryRecord) {
    let spelled = [&c.name, &c.iso_name]
        .into_iter()
        .chain(c.official_name.iter())
        .chain(c.aliases.iter())
        .chain(c.far_names.iter());
    for name in spelled {
        let key = normalize::fold(name);
        countries.max_tokens = countries.max_tokens.max(key.split(' ').count());
        countries.by_name.entry(key).or_insert(i);
    }
    countries.by_code.insert(c.alpha2.to_ascii_uppercase(), i);
    countries.by_code.insert(c.alpha3.to_ascii_uppercase(), i);
}

/// Adds the header's ambiguous origins to the country index; their candidates must be
/// country records.
fn index_ambiguous_origins(
    countries: &mut CountryIndex,
    records: &[StoredRecord],
    meta: &DatasetMeta,
) -> Result<(), Error> {
    for (n, amb) in meta.ambiguous_origins.iter().enumerate() {
        for cand in &amb.candidates {
            let known = records
                .iter()
                .any(|r| matches!(&r.record, Record::Country(c) if c.id == *cand));
            if !known {
                return Err(Error::new(
                    ErrorKind::Consistency,
                    HEADER_FILE,
                    format!("ambiguous_origins[{n}].candidates"),
                    format!("`{cand}` is not the id of a country record"),
                ));
            }
        }
        countries.ambiguous.insert(normalize::fold(&amb.text), n);
    }
    Ok(())
}
