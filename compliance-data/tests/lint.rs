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
    edit(
        &dir,
        "dataset.toml",
        "as_of = \"2026-09-30\"",
        "as_of = \"2026-01-01\"",
    );
    let f = findings(&dir);
    assert!(
        has(&f, LintRule::StaleHeader, "dataset.toml", "as_of"),
        "{f:#?}"
    );
}
