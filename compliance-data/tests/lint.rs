//! The linter catches each kind of broken record, with the file and field named. Each test
//! copies the shipped data to a temporary directory and breaks one thing.

use std::fs;
use std::path::{Path, PathBuf};

use camscope_compliance_data::{DataSource, Dataset, ErrorKind, LintFinding, LintRule, lint};

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("scratch copy of the data");
    for entry in fs::read_dir(from).expect("scratch copy of the data") {
        let entry = entry.expect("scratch copy of the data");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).expect("scratch copy of the data");
        }
    }
}

/// A fresh copy of the shipped data in a unique temporary directory.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("camscope-cd-lint-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    copy_dir(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/data")),
        &dir,
    );
    dir
}

fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = fs::read_to_string(&path).expect("scratch copy of the data");
    assert!(text.contains(from), "{file} does not contain {from:?}");
    fs::write(path, text.replacen(from, to, 1)).expect("scratch copy of the data");
}

fn findings(dir: &Path) -> Vec<LintFinding> {
    let f = lint(&DataSource::Dir(dir.to_path_buf()));
    let _ = fs::remove_dir_all(dir);
    f
}

fn has(f: &[LintFinding], rule: LintRule, file: &str, field: &str) -> bool {
    f.iter()
        .any(|x| x.rule == rule && x.file == file && x.field == field)
}

#[test]
fn unknown_key_is_reported() {
    let dir = scratch("unknown-key");
    edit(
        &dir,
        "entities/ezviz.toml",
        "rationale =",
        "rationalle = \"typo\"\nrationale =",
    );
    let f = findings(&dir);
    assert!(
        has(
            &f,
            LintRule::UnknownKey,
            "entities/ezviz.toml",
            "rationalle"
        ),
        "{f:#?}"
    );
}

#[test]
fn unknown_nested_key_is_reported() {
    let dir = scratch("unknown-nested-key");
    edit(
        &dir,
        "entities/lorex.toml",
        "after_end = \"needs-review\"",
        "after_end = \"needs-review\"\nuntil = \"2022-11-24\"",
    );
    let f = findings(&dir);
    assert!(
        has(
            &f,
            LintRule::UnknownKey,
            "entities/lorex.toml",
            "links[0].until"
        ),
        "{f:#?}"
    );
}

#[test]
fn bad_dates_are_reported() {
    let dir = scratch("bad-date");
    edit(
        &dir,
        "entities/lorex.toml",
        "to = \"2022-11-24\"",
        "to = \"2022-02-30\"",
    );
    edit(
        &dir,
        "entities/honor.toml",
        "retrieved = \"2026-09-30\"",
        "retrieved = 2026-09-30",
    );
    edit(
        &dir,
        "entities/h3c.toml",
        "from = \"2003-11\"",
        "from = \"2007-11\"",
    );
    let f = findings(&dir);
    assert!(
        has(&f, LintRule::BadDate, "entities/lorex.toml", "links[0].to"),
        "{f:#?}"
    );
    assert!(
        has(&f, LintRule::BadDate, "entities/honor.toml", "retrieved"),
        "{f:#?}"
    );
    assert!(
        has(&f, LintRule::BadDate, "entities/h3c.toml", "links[0].to"),
        "{f:#?}"
    );
}

#[test]
fn duplicate_alias_across_records_is_reported() {
    let dir = scratch("dup-alias");
    // "Dahua Co., Ltd." normalizes to "dahua", which the Dahua record already has.
    edit(
        &dir,
        "entities/imou.toml",
        "aliases = [",
        "aliases = [\"Dahua Co., Ltd.\", ",
    );
    let f = findings(&dir);
    assert!(
        f.iter()
            .any(|x| x.rule == LintRule::DuplicateAlias && x.message.contains("dahua")),
        "{f:#?}"
    );
}

#[test]
fn duplicate_country_code_is_reported() {
    let dir = scratch("dup-code");
    edit(
        &dir,
        "countries/hk.toml",
        "alpha3 = \"HKG\"",
        "alpha3 = \"CHN\"",
    );
    let f = findings(&dir);
    assert!(
        f.iter()
            .any(|x| x.rule == LintRule::DuplicateAlias && x.field == "alpha3"),
        "{f:#?}"
    );
}

#[test]
fn link_to_unknown_id_is_reported() {
    let dir = scratch("unknown-id");
    edit(
        &dir,
        "entities/ezviz.toml",
        "target = \"hikvision\"",
        "target = \"hikvisoin\"",
    );
    let f = findings(&dir);
    assert!(
        has(
            &f,
            LintRule::UnknownId,
            "entities/ezviz.toml",
            "links[0].target"
        ),
        "{f:#?}"
    );
    // The loader refuses the same directory rather than dropping the link.
    let dir = scratch("unknown-id-load");
    edit(
        &dir,
        "entities/ezviz.toml",
        "target = \"hikvision\"",
        "target = \"hikvisoin\"",
    );
    let err = Dataset::load_dir(&dir).unwrap_err();
    let _ = fs::remove_dir_all(&dir);
    assert_eq!(
        (err.kind, err.file.as_str(), err.field.as_str()),
        (
            ErrorKind::Consistency,
            "entities/ezviz.toml",
            "links[0].target"
        )
    );
}

#[test]
fn record_without_source_is_reported() {
    let dir = scratch("no-source");
    fs::write(
        dir.join("entities/acme.toml"),
        "id = \"acme\"\nkind = \"entity\"\nname = \"Acme Cameras\"\nretrieved = \"2026-09-30\"\nrationale = \"test\"\n",
    )
    .expect("scratch copy of the data");
    let f = findings(&dir);
    assert!(
        has(&f, LintRule::MissingSource, "entities/acme.toml", "sources"),
        "{f:#?}"
    );
}

#[test]
fn generic_only_alias_is_reported() {
    let dir = scratch("generic-alias");
    edit(
        &dir,
        "entities/imou.toml",
        "aliases = [",
        "aliases = [\"Technology Group Co., Ltd.\", ",
    );
    let f = findings(&dir);
    assert!(
        has(
            &f,
            LintRule::GenericAlias,
            "entities/imou.toml",
            "aliases[0]"
        ),
        "{f:#?}"
    );
}

#[test]
fn id_must_match_file_name_and_be_unique() {
    let dir = scratch("bad-id");
    edit(
        &dir,
        "entities/annke.toml",
        "id = \"annke\"",
        "id = \"swann\"",
    );
    let f = findings(&dir);
    assert!(
        f.iter()
            .any(|x| x.rule == LintRule::BadId && x.file == "entities/annke.toml"),
        "{f:#?}"
    );
}

#[test]
fn bad_regex_is_reported() {
    let dir = scratch("bad-regex");
    edit(
        &dir,
        "models/hikvision-ds-2cd.toml",
        "pattern = \"^DS-2CD\"",
        "pattern = \"^DS-(2CD\"",
    );
    let f = findings(&dir);
    assert!(
        has(
            &f,
            LintRule::BadPattern,
            "models/hikvision-ds-2cd.toml",
            "pattern"
        ),
        "{f:#?}"
    );
}

#[test]
fn syntax_error_fails_loading_with_the_file_named() {
    let dir = scratch("syntax");
    edit(
        &dir,
        "entities/ezviz.toml",
        "id = \"ezviz\"",
        "id = \"ezviz",
    );
    let err = Dataset::load_dir(&dir).unwrap_err();
    assert_eq!(
        (err.kind, err.file.as_str()),
        (ErrorKind::Syntax, "entities/ezviz.toml")
    );
    let f = findings(&dir);
    assert!(
        f.iter()
            .any(|x| x.rule == LintRule::Unreadable && x.file == "entities/ezviz.toml"),
        "{f:#?}"
    );
}

#[test]
fn missing_required_field_fails_loading_with_the_field_named() {
    let dir = scratch("missing-field");
    edit(
        &dir,
        "entities/ezviz.toml",
        "relation = \"subsidiary-of\"",
        "relation = \"cousin-of\"",
    );
    let err = Dataset::load_dir(&dir).unwrap_err();
    let _ = fs::remove_dir_all(&dir);
    assert_eq!(err.kind, ErrorKind::Schema);
    assert_eq!(err.field, "links[0].relation", "{err}");
}

#[test]
fn stray_files_are_not_ignored() {
    let dir = scratch("stray");
    fs::write(dir.join("entities/notes.md"), "# notes").expect("scratch copy of the data");
    assert!(Dataset::load_dir(&dir).is_err());
    let f = findings(&dir);
    assert!(f.iter().any(|x| x.file == "entities/notes.md"), "{f:#?}");
}

#[test]
fn stale_header_is_reported() {
    let dir = scratch("stale");
    let header = fs::read_to_string(dir.join("dataset.toml")).expect("scratch copy of the data");
    let as_of_line = header
        .lines()
        .find(|l| l.starts_with("as_of = "))
        .expect("the header has an as_of line")
        .to_owned();
    edit(&dir, "dataset.toml", &as_of_line, "as_of = \"2026-01-01\"");
    let f = findings(&dir);
    assert!(
        has(&f, LintRule::StaleHeader, "dataset.toml", "as_of"),
        "{f:#?}"
    );
}

#[test]
fn independence_without_a_grade_a_or_b_source_is_reported() {
    let dir = scratch("independence-weak");
    edit(
        &dir,
        "entities/axis.toml",
        "url = \"https://evertiq.com/news/44992\"\ngrade = \"B\"",
        "url = \"https://evertiq.com/news/44992\"\ngrade = \"C\"",
    );
    edit(
        &dir,
        "entities/axis.toml",
        "idINT9N0XC01B20150424\"\ngrade = \"B\"",
        "idINT9N0XC01B20150424\"\ngrade = \"C\"",
    );
    edit(
        &dir,
        "entities/axis.toml",
        "product-performance-for-artpec-8\"\ngrade = \"B\"",
        "product-performance-for-artpec-8\"\ngrade = \"D\"",
    );
    let f = findings(&dir);
    assert!(
        has(
            &f,
            LintRule::WeakEvidence,
            "entities/axis.toml",
            "independence.sources"
        ),
        "{f:#?}"
    );
}

/// An independence block any test can paste into a record.
const INDEPENDENCE: &str = "\n[independence]\nas_of = \"2026-12-02\"\nparent = \"none\"\n\
    owners = \"test owners\"\nchecked = [\"parent\", \"owners\"]\n\
    sources = [{ url = \"https://www.example.com/annual-report\", grade = \"B\" }]\n";

#[test]
fn independence_on_a_covered_entity_is_reported() {
    let dir = scratch("independence-covered");
    let path = dir.join("entities/hikvision.toml");
    let text = fs::read_to_string(&path).expect("scratch copy of the data");
    fs::write(&path, format!("{text}{INDEPENDENCE}")).expect("scratch copy of the data");
    let f = findings(&dir);
    assert!(
        has(
            &f,
            LintRule::IndependenceConflict,
            "entities/hikvision.toml",
            "independence"
        ),
        "{f:#?}"
    );
}

#[test]
fn independence_on_an_entity_linked_to_a_covered_one_is_reported() {
    // EZVIZ is a Hikvision subsidiary; Lorex's Dahua link ended but after_end is needs-review,
    // so neither may claim independence.
    let dir = scratch("independence-linked");
    for file in ["entities/ezviz.toml", "entities/lorex.toml"] {
        let path = dir.join(file);
        let text = fs::read_to_string(&path).expect("scratch copy of the data");
        fs::write(&path, format!("{text}{INDEPENDENCE}")).expect("scratch copy of the data");
    }
    let f = findings(&dir);
    for file in ["entities/ezviz.toml", "entities/lorex.toml"] {
        assert!(
            f.iter().any(|x| x.rule == LintRule::IndependenceConflict
                && x.file == file
                && x.message.contains("covered entity")),
            "{file}: {f:#?}"
        );
    }
}

#[test]
fn a_clean_sale_before_the_check_does_not_conflict() {
    // Honor's Huawei link ended on 2020-11-17 with after_end = "not-covered": a check made
    // after that is not contradicted by the graph.
    let dir = scratch("independence-clean-sale");
    let path = dir.join("entities/honor.toml");
    let text = fs::read_to_string(&path).expect("scratch copy of the data");
    assert!(text.contains("after_end = \"not-covered\""), "{text}");
    fs::write(&path, format!("{text}{INDEPENDENCE}")).expect("scratch copy of the data");
    let f = findings(&dir);
    assert!(
        !f.iter()
            .any(|x| x.rule == LintRule::IndependenceConflict && x.file == "entities/honor.toml"),
        "{f:#?}"
    );
}

#[test]
fn independence_must_check_parent_and_owners() {
    let dir = scratch("independence-checked");
    edit(
        &dir,
        "entities/axis.toml",
        "checked = [\"parent\", \"owners\", \"oem\"]",
        "checked = [\"oem\"]",
    );
    let f = findings(&dir);
    let incomplete: Vec<_> = f
        .iter()
        .filter(|x| x.rule == LintRule::IncompleteCheck && x.field == "independence.checked")
        .collect();
    assert_eq!(incomplete.len(), 2, "{f:#?}");
    assert!(incomplete.iter().any(|x| x.message.contains("owners")));
}

#[test]
fn an_unknown_check_name_is_a_schema_error() {
    let dir = scratch("independence-vocabulary");
    edit(
        &dir,
        "entities/axis.toml",
        "checked = [\"parent\", \"owners\", \"oem\"]",
        "checked = [\"parent\", \"owners\", \"vibes\"]",
    );
    let f = findings(&dir);
    assert!(
        f.iter()
            .any(|x| x.rule == LintRule::Schema && x.file == "entities/axis.toml"),
        "{f:#?}"
    );
}

#[test]
fn grade_a_on_a_host_that_is_not_official_is_reported() {
    let dir = scratch("unofficial-host");
    edit(
        &dir,
        "dataset.toml",
        "url = \"https://www.acquisition.gov/far/52.204-25\"",
        "url = \"https://farclause.com/FARregulation/Clause/FAR52.204-25,_Basic\"",
    );
    edit(
        &dir,
        "entities/axis.toml",
        "url = \"https://evertiq.com/news/44992\"\ngrade = \"B\"",
        "url = \"https://evertiq.com/news/44992\"\ngrade = \"A\"",
    );
    let f = findings(&dir);
    assert!(
        f.iter().any(|x| x.rule == LintRule::UnofficialHost
            && x.file == "dataset.toml"
            && x.message.contains("farclause.com")),
        "{f:#?}"
    );
    assert!(
        has(
            &f,
            LintRule::UnofficialHost,
            "entities/axis.toml",
            "independence.sources[0].url"
        ),
        "{f:#?}"
    );
}

#[test]
fn a_subdomain_of_an_official_host_is_official_but_a_lookalike_is_not() {
    let dir = scratch("host-suffix");
    edit(
        &dir,
        "dataset.toml",
        "url = \"https://www.acquisition.gov/far/52.204-25\"",
        "url = \"https://notacquisition.gov/far/52.204-25\"",
    );
    let f = findings(&dir);
    assert!(
        f.iter().any(|x| x.rule == LintRule::UnofficialHost
            && x.message.contains("notacquisition.gov")),
        "{f:#?}"
    );
    assert!(
        !f.iter()
            .any(|x| x.rule == LintRule::UnofficialHost && x.message.contains("www.congress.gov")),
        "{f:#?}"
    );
}

/// A maker's `[origin]` rests on a grade A or B source and names country records only.
#[test]
fn an_origin_without_a_grade_a_or_b_source_or_with_an_unknown_country_is_reported() {
    let dir = scratch("origin-weak");
    edit(
        &dir,
        "entities/hikvision.toml",
        "002415,8626523465.shtml\"\ngrade = \"B\"",
        "002415,8626523465.shtml\"\ngrade = \"C\"",
    );
    edit(
        &dir,
        "entities/hikvision.toml",
        "countries = [\"cn\"]",
        "countries = [\"cn\", \"xx\"]",
    );
    let f = findings(&dir);
    assert!(
        has(
            &f,
            LintRule::WeakEvidence,
            "entities/hikvision.toml",
            "origin.sources"
        ),
        "{f:#?}"
    );
    assert!(
        has(
            &f,
            LintRule::UnknownId,
            "entities/hikvision.toml",
            "origin.countries[1]"
        ),
        "{f:#?}"
    );
}
