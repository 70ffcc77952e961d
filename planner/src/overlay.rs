//! Laying a catalog overlay over the shipped catalog, record by record.
//!
//! A designer who changes one drive's price writes only that drive (`[[drive]]` with its `id`
//! and `price`) and keeps every other drive, NVR and default. The rules, on TOML tables:
//! - a record section (`[[nvr]]`, `[[drive]]` …) merges by `id`: a record with a known id
//!   changes the fields it gives, a new id is added;
//! - `[sources]` merges by source id, each source replaced whole;
//! - other tables (`[defaults]`, `[bitrate]`, `[operating]`) merge key by key, a nested table
//!   (a sourced default such as `raid = { value = …, source = … }`) the same way;
//! - a record or sourced figure the overlay changes loses the provenance it had (`source`,
//!   `assumption`, `assumed`, `note`) unless the overlay gives its own: a changed price is not
//!   the vendor's price any more, and the catalog refuses a figure without provenance.
//!
//! - a product's country of origin (`origin`) goes with the source that states it
//!   (`origin-source`) and with the product it is of: a patch that gives `origin` without
//!   `origin-source` drops the record's `origin-source`, and a patch that names another `maker`
//!   or `model` without an `origin` drops the record's `origin` and `origin-source`. Neither key
//!   is a figure: giving them keeps the record's other provenance.
//!
//! - `replace = ["drive"]` replaces the sections it lists whole (a complete price list).
//!
//! Pure: tables in, table out.

use toml::{Table, Value};

/// The record sections, merged by `id`.
const RECORD_SECTIONS: &[&str] = &[
    "nvr", "server", "drive", "vms", "cloud", "switch", "platform",
];

/// The keys that say where a record's figures come from.
const PROVENANCE: &[&str] = &["source", "assumption", "assumed", "note"];

/// A product's country of origin and the source that states it, which carry their own
/// provenance and so leave the record's alone.
const ORIGIN: &[&str] = &["origin", "origin-source"];

/// The keys that say which product a record is; the origin was the previous product's.
const IDENTITY: &[&str] = &["maker", "model"];

/// Lays `over` over `base`. The sections `over` lists in `replace` are replaced whole.
pub(crate) fn lay_over(base: &mut Table, mut over: Table) {
    if let Some(Value::Array(replaced)) = over.remove("replace") {
        for section in replaced.iter().filter_map(Value::as_str) {
            base.remove(section);
        }
    }
    for (key, value) in over {
        match (key.as_str(), value) {
            (section, Value::Array(records)) if RECORD_SECTIONS.contains(&section) => {
                let existing = base
                    .entry(key.clone())
                    .or_insert_with(|| Value::Array(Vec::new()));
                match existing {
                    Value::Array(list) => merge_records(list, records),
                    other => *other = Value::Array(records),
                }
            }
            ("sources", Value::Table(sources)) => match base.get_mut("sources") {
                Some(Value::Table(known)) => known.extend(sources),
                _ => {
                    base.insert(key, Value::Table(sources));
                }
            },
            (_, Value::Table(table)) => match base.get_mut(&key) {
                Some(Value::Table(known)) => merge_table(known, table),
                _ => {
                    base.insert(key, Value::Table(table));
                }
            },
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// Merges records by `id`; a record without an id is added as it is (and the catalog then says
/// what it lacks).
fn merge_records(list: &mut Vec<Value>, records: Vec<Value>) {
    for record in records {
        let id = record.get("id").and_then(Value::as_str).map(str::to_owned);
        let known = id.as_deref().and_then(|id| {
            list.iter_mut()
                .find(|r| r.get("id").and_then(Value::as_str) == Some(id))
        });
        match (known, record) {
            (Some(Value::Table(known)), Value::Table(patch)) => merge_table(known, patch),
            (_, record) => list.push(record),
        }
    }
}

/// Merges `patch` into `table` key by key; when the patch changes a figure, the table's own
/// provenance goes unless the patch brings its own.
fn merge_table(table: &mut Table, patch: Table) {
    // A figure of this table changes when the patch gives a value other than a sub-table (which
    // carries its own provenance), the id that names the record, or provenance itself.
    let changes_a_figure = patch.iter().any(|(k, v)| {
        !v.is_table()
            && k != "id"
            && !PROVENANCE.contains(&k.as_str())
            && !ORIGIN.contains(&k.as_str())
    });
    if changes_a_figure {
        for k in PROVENANCE {
            table.remove(*k);
        }
    }
    let gives = |keys: &[&str]| keys.iter().any(|k| patch.contains_key(*k));
    if !patch.contains_key("origin") && gives(IDENTITY) {
        table.remove("origin");
    }
    if !patch.contains_key("origin-source") && (gives(IDENTITY) || gives(&["origin"])) {
        table.remove("origin-source");
    }
    for (key, value) in patch {
        match (table.get_mut(&key), value) {
            (Some(Value::Table(known)), Value::Table(inner)) => merge_table(known, inner),
            (_, value) => {
                table.insert(key, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn table(text: &str) -> Table {
        text.parse().unwrap()
    }

    #[test]
    fn one_drive_price_changes_and_the_other_drives_stay() {
        let mut base = table(
            r#"
[[drive]]
id = "d8"
size = "8TB"
price = 180.0
source = "vendor"

[[drive]]
id = "d16"
size = "16TB"
price = 320.0
source = "vendor"
"#,
        );
        lay_over(
            &mut base,
            table(
                r#"
[[drive]]
id = "d8"
price = 150.0
assumption = "our distributor's quote of 2026-11-28"
"#,
            ),
        );
        let drives = base["drive"].as_array().unwrap();
        assert_eq!(drives.len(), 2);
        assert_eq!(drives[0]["price"].as_float(), Some(150.0));
        assert_eq!(drives[0]["size"].as_str(), Some("8TB"));
        assert!(
            drives[0].get("source").is_none(),
            "the vendor did not quote 150"
        );
        assert_eq!(
            drives[0]["assumption"].as_str(),
            Some("our distributor's quote of 2026-11-28")
        );
        assert_eq!(drives[1]["price"].as_float(), Some(320.0));
        assert_eq!(drives[1]["source"].as_str(), Some("vendor"));
    }

    #[test]
    fn a_sub_table_or_a_note_keeps_the_provenance_around_it() {
        let mut base = table(
            r#"
[bitrate]
source = "redzilla"
reference-fps = 15.0
[bitrate.scene-factor]
high = 1.3
source = "redzilla"
[[drive]]
id = "d8"
price = 180.0
source = "vendor"
"#,
        );
        lay_over(
            &mut base,
            table(
                r#"
[bitrate.scene-factor]
high = 1.6
source = "my-measurement"
[[drive]]
id = "d8"
note = "checked against the 2026 list"
"#,
            ),
        );
        assert_eq!(base["bitrate"]["source"].as_str(), Some("redzilla"));
        assert_eq!(
            base["bitrate"]["scene-factor"]["source"].as_str(),
            Some("my-measurement")
        );
        let d8 = &base["drive"].as_array().unwrap()[0];
        assert_eq!(d8["source"].as_str(), Some("vendor"));
        assert_eq!(d8["note"].as_str(), Some("checked against the 2026 list"));
    }

    #[test]
    fn an_origin_keeps_to_its_source_and_to_its_product() {
        let base = || {
            table(
                r#"
[[server]]
id = "s"
maker = "Northwind"
model = "NW-1"
origin = "Germany"
origin-source = "quote-a"
price = 100.0
source = "vendor"
"#,
            )
        };
        let server = |t: &Table| t["server"].as_array().unwrap()[0].clone();
        // Another origin without its source loses the old source; the figures keep theirs.
        let mut t = base();
        lay_over(
            &mut t,
            table("[[server]]\nid = \"s\"\norigin = \"Mexico\"\n"),
        );
        let s = server(&t);
        assert_eq!(s["origin"].as_str(), Some("Mexico"));
        assert!(s.get("origin-source").is_none(), "quote-a says Germany");
        assert_eq!(s["source"].as_str(), Some("vendor"));
        // Another model without an origin loses the old product's origin.
        let mut t = base();
        lay_over(
            &mut t,
            table("[[server]]\nid = \"s\"\nmodel = \"NW-2\"\nassumption = \"quoted\"\n"),
        );
        let s = server(&t);
        assert!(s.get("origin").is_none() && s.get("origin-source").is_none());
        // Origin and source together replace both.
        let mut t = base();
        lay_over(
            &mut t,
            table("[[server]]\nid = \"s\"\norigin = \"Japan\"\norigin-source = \"quote-b\"\n"),
        );
        let s = server(&t);
        assert_eq!(s["origin-source"].as_str(), Some("quote-b"));
        assert_eq!(s["source"].as_str(), Some("vendor"));
    }

    #[test]
    fn a_new_record_is_added_and_a_default_changes_alone() {
        let mut base = table(
            r#"
[defaults]
raid = { value = "raid5", source = "vendor" }
hot-spares = { value = 0, source = "vendor" }
[[nvr]]
id = "a"
"#,
        );
        lay_over(
            &mut base,
            table(
                r#"
[defaults]
raid = { value = "raid6", assumption = "the customer's policy" }
[[nvr]]
id = "b"
"#,
            ),
        );
        let d = base["defaults"].as_table().unwrap();
        assert_eq!(d["raid"]["value"].as_str(), Some("raid6"));
        assert!(d["raid"].get("source").is_none());
        assert_eq!(d["hot-spares"]["source"].as_str(), Some("vendor"));
        assert_eq!(base["nvr"].as_array().unwrap().len(), 2);
    }
}
