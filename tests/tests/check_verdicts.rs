//! The verdicts of `camscope check` stay what they were when the way it reads and writes changes
//! (issue 12: the streaming check).
//!
//! Every BOM fixture of the workspace, and three generated ones (an officer's workbook with
//! merged maker cells, sections, totals and bad cells, and a 5,000-line mix as XLSX and as CSV,
//! once with a policy), is checked to JSON as of a fixed date. Each line's verdicts, level,
//! decision and problems, the skipped rows with their reasons, the counts, warnings and the
//! decisions register are compared with the JSON lines committed in
//! `tests/fixtures/check-verdicts/`, which were generated from main before the check streamed.
//! The CSV and table outputs of the same run must carry the same rows, levels and verdicts.
//!
//! A change meant to move a verdict (new compliance data) regenerates the files with
//! `CAMSCOPE_BLESS_VERDICTS=1 cargo test -p camscope-tests --test check_verdicts` and explains
//! the diff in its commit.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use camscope_tests::camscope;
use serde_json::{Map, Value, json};

const AS_OF: &str = "2026-11-22";

/// The fields of a line that are compared: its identity as read and everything the check said.
const LINE_KEYS: &[&str] = &[
    "row",
    "sheet",
    "manufacturer",
    "brand",
    "model",
    "part_number",
    "description",
    "country_of_origin",
    "qty",
    "unit_price",
    "section_889",
    "taa",
    "other_lists",
    "denied",
    "warned",
    "waiver",
    "problems",
    "level",
];

/// What the check says about a whole BOM beside its lines.
const REPORT_KEYS: &[&str] = &[
    "header_row",
    "sheet",
    "deny",
    "other_lists",
    "summary",
    "warnings",
    "decisions",
];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn expected_dir() -> PathBuf {
    workspace().join("tests/fixtures/check-verdicts")
}

fn pick(v: &Value, keys: &[&str]) -> Value {
    let mut m = Map::new();
    for k in keys {
        m.insert((*k).to_owned(), v.get(*k).cloned().unwrap_or(Value::Null));
    }
    Value::Object(m)
}

/// Runs the check in FORMAT on `bom`; paths of `dir` read as `<dir>` so the text does not depend
/// on where the workspace or the temporary directory is.
fn run(bom: &Path, format: &str, policy: Option<&Path>) -> (i32, String, String) {
    let b = bom.display().to_string();
    let p = policy.map(|p| p.display().to_string());
    let mut args = vec!["check", b.as_str(), "--format", format, "--as-of", AS_OF];
    if let Some(p) = &p {
        args.extend(["--policy", p.as_str()]);
    }
    let r = camscope(&args);
    let dir = bom.parent().unwrap().display().to_string();
    let clean = |s: &str| s.replace(&dir, "<dir>");
    (r.code, clean(&r.stdout), clean(&r.stderr))
}

/// The JSON lines that pin one run: a head record (exit status and the report's own fields, or
/// the error), then one record per line, then one per skipped row.
fn verdict_records(bom: &Path, policy: Option<&Path>) -> Vec<Value> {
    let (code, stdout, stderr) = run(bom, "json", policy);
    if code == 2 {
        // The error itself; the causes printed under it ("caused by: …") are the libraries' words.
        let error = stderr.lines().next().unwrap_or_default();
        return vec![json!({"exit": 2, "error": error})];
    }
    let report: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{}: not JSON ({e}): {stdout}", bom.display()));
    let mut head = pick(&report, REPORT_KEYS);
    head["exit"] = json!(code);
    let mut out = vec![head];
    for l in report["lines"].as_array().unwrap() {
        out.push(json!({"line": pick(l, LINE_KEYS)}));
    }
    for s in report["skipped"].as_array().unwrap() {
        out.push(json!({"skipped": s}));
    }
    consistent_with_csv_and_table(bom, policy, &report, true);
    out
}

/// The CSV and table outputs carry the same rows, in the same order, with the same levels and
/// verdicts as the JSON.
fn consistent_with_csv_and_table(bom: &Path, policy: Option<&Path>, report: &Value, table: bool) {
    let lines = report["lines"].as_array().unwrap();
    let skipped = report["skipped"].as_array().unwrap();
    let (_, text, _) = run(bom, "csv", policy);
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let cols = [
        col("row"),
        col("level"),
        col("889 verdict"),
        col("889 code"),
        col("TAA verdict"),
        col("TAA code"),
    ];
    let got: Vec<Vec<String>> = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            cols.iter().map(|&c| rec[c].to_owned()).collect()
        })
        .collect();
    let s = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    let want: Vec<Vec<String>> = lines
        .iter()
        .map(|l| {
            vec![
                s(&l["row"]),
                s(&l["level"]),
                s(&l["section_889"]["verdict"]),
                s(&l["section_889"]["code"]),
                s(&l["taa"]["verdict"]),
                s(&l["taa"]["code"]),
            ]
        })
        .chain(skipped.iter().map(|k| {
            vec![
                s(&k["row"]),
                "skipped".into(),
                String::new(),
                s(&k["reason"]),
                String::new(),
                String::new(),
            ]
        }))
        .collect();
    assert_eq!(got, want, "{}: CSV rows differ from JSON", bom.display());
    if !table {
        return;
    }

    let (_, table, _) = run(bom, "table", policy);
    let rows: Vec<(String, String)> = table
        .lines()
        .filter_map(|t| {
            let rest = t.strip_prefix("row ")?;
            let (row, rest) = rest.trim_start().split_once(' ')?;
            let level = rest.strip_prefix('[')?.split_once(']')?.0.trim();
            Some((row.to_owned(), level.to_owned()))
        })
        .collect();
    let want: Vec<(String, String)> = lines
        .iter()
        .map(|l| (s(&l["row"]), s(&l["level"])))
        .chain(skipped.iter().map(|k| (s(&k["row"]), "skipped".into())))
        .collect();
    assert_eq!(rows, want, "{}: table rows differ from JSON", bom.display());
}

/// The generated mix, checked line by line: every line's verdicts are those recorded for its
/// identity (the mix repeats 42 identities), so the expected file stays small while every row
/// of 5,000 is compared, in order.
fn mix_records(bom: &Path, policy: Option<&Path>, rows: &[MixRow]) -> Vec<Value> {
    let (code, stdout, stderr) = run(bom, "json", policy);
    assert!(code == 0 || code == 1, "{}: {stderr}", bom.display());
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let mut head = pick(&report, REPORT_KEYS);
    head["exit"] = json!(code);
    let mut by_identity: BTreeMap<String, Value> = BTreeMap::new();
    let mut problems = Vec::new();
    let mut exceptions = Vec::new();
    let lines = report["lines"].as_array().unwrap();
    let want_rows: Vec<usize> = rows
        .iter()
        .filter(|r| r.kind == MixKind::Line)
        .map(|r| r.number)
        .collect();
    let got_rows: Vec<usize> = lines
        .iter()
        .map(|l| l["row"].as_u64().unwrap() as usize)
        .collect();
    assert_eq!(
        got_rows,
        want_rows,
        "{}: lines or their rows moved",
        bom.display()
    );
    for l in lines {
        let identity = pick(
            l,
            &[
                "manufacturer",
                "model",
                "part_number",
                "description",
                "country_of_origin",
            ],
        );
        let verdict = pick(
            l,
            &[
                "section_889",
                "taa",
                "other_lists",
                "denied",
                "warned",
                "waiver",
                "level",
            ],
        );
        if l["problems"].as_array().is_some_and(|p| !p.is_empty()) {
            problems.push(json!({"row": l["row"], "qty": l["qty"], "problems": l["problems"]}));
        }
        let key = identity.to_string();
        match by_identity.get(&key) {
            // A decision on one row sets that line apart from the others like it.
            Some(first) if first != &verdict => {
                exceptions.push(json!({"row": l["row"], "verdict": verdict}));
            }
            Some(_) => {}
            None => {
                by_identity.insert(key, verdict);
            }
        }
    }
    head["problem_rows"] = Value::Array(problems);
    head["exceptions"] = Value::Array(exceptions);
    let mut out = vec![head];
    for (identity, verdict) in by_identity {
        out.push(json!({"identity": serde_json::from_str::<Value>(&identity).unwrap(), "verdict": verdict}));
    }
    for s in report["skipped"].as_array().unwrap() {
        out.push(json!({"skipped": s}));
    }
    // The table of 5,000 lines adds time, not coverage: its rows are those of the CSV.
    if policy.is_none() {
        consistent_with_csv_and_table(bom, policy, &report, false);
    }
    out
}

/// Compares `records` with the committed file `name`.jsonl (or writes it when blessing).
fn compare(name: &str, records: &[Value]) -> Option<String> {
    let path = expected_dir().join(format!("{name}.jsonl"));
    let text: String = records.iter().map(|r| format!("{r}\n")).collect();
    if std::env::var_os("CAMSCOPE_BLESS_VERDICTS").is_some() {
        std::fs::create_dir_all(expected_dir()).unwrap();
        std::fs::write(&path, &text).unwrap();
        return None;
    }
    let Ok(expected) = std::fs::read_to_string(&path) else {
        return Some(format!(
            "{name}: no expected verdicts in {}; a new fixture needs them (CAMSCOPE_BLESS_VERDICTS=1)",
            path.display()
        ));
    };
    let want: Vec<&str> = expected.lines().collect();
    let got: Vec<&str> = text.lines().collect();
    if want == got {
        return None;
    }
    let first = want
        .iter()
        .zip(&got)
        .position(|(w, g)| w != g)
        .unwrap_or(want.len().min(got.len()));
    Some(format!(
        "{name}: verdicts changed at record {first} ({} expected, {} now)\n expected: {}\n      now: {}",
        want.len(),
        got.len(),
        want.get(first).unwrap_or(&"(none)"),
        got.get(first).unwrap_or(&"(none)")
    ))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MixKind {
    Line,
    Skipped,
    Blank,
}

/// One row of the generated mix, numbered as the sheet numbers it.
struct MixRow {
    number: usize,
    kind: MixKind,
    cells: Vec<String>,
}

const MIX_HEADER: [&str; 7] = [
    "Manufacturer",
    "Model",
    "Part Number",
    "Description",
    "Country of Origin",
    "Qty",
    "Unit Price",
];

/// 5,000 lines of the makers bench/check.sh uses, a subtotal every 1,000 rows, a blank row and
/// a bad quantity now and then: seeded, so every run builds the same rows.
fn mix_rows() -> Vec<MixRow> {
    let makers: [[&str; 4]; 14] = [
        ["Axis", "P3265-LVE", "dome camera", "Sweden"],
        [
            "Hanwha Vision",
            "XNV-8080R",
            "bullet camera",
            "Korea (South)",
        ],
        ["Bosch", "NDE-5503-AL", "dome camera", "Portugal"],
        ["Hikvision", "DS-2CD2143G2-I", "4MP dome", "China"],
        ["Dahua", "IPC-HFW2431S", "bullet", "China"],
        ["Cisco", "C9300-48P", "PoE switch", "Mexico"],
        [
            "Seagate",
            "ST8000VE001",
            "8TB surveillance drive",
            "Thailand",
        ],
        ["Western Digital", "WD84PURZ", "8TB drive", "Malaysia"],
        ["Northwind Optronics", "NW-4410", "4MP dome", "Taiwan"],
        ["LeChange", "LC-C6", "pan/tilt camera", "China"],
        ["Ubiquiti", "UVC-G4-PRO", "camera", "China"],
        ["Dell", "PowerEdge R660", "recording server", "USA"],
        ["", "", "Pole mount bracket", "Taiwan"],
        ["Milestone", "XPCOE", "VMS licence", "Denmark"],
    ];
    let mut seed: u64 = 889;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) as usize
    };
    let mut rows = vec![MixRow {
        number: 1,
        kind: MixKind::Blank,
        cells: MIX_HEADER.iter().map(|h| (*h).to_owned()).collect(),
    }];
    let mut lines = 0;
    while lines < 5_000 {
        let number = rows.len() + 1;
        let (kind, cells) = if number % 1_000 == 0 {
            (
                MixKind::Skipped,
                vec![
                    String::new(),
                    String::new(),
                    String::new(),
                    "Subtotal".into(),
                    String::new(),
                    String::new(),
                    format!("{}.00", next() % 90_000),
                ],
            )
        } else if number % 1_777 == 0 {
            (MixKind::Blank, vec![String::new(); 7])
        } else {
            let [m, model, desc, coo] = makers[next() % makers.len()];
            let part = if model.is_empty() {
                format!("BRK-{}", number % 3)
            } else {
                format!("{model}-{}", number % 3)
            };
            let qty = if number % 997 == 0 {
                "2 ea".to_owned()
            } else {
                (1 + next() % 40).to_string()
            };
            let price = format!("{}.{:02}", 5 + next() % 4_000, next() % 100);
            lines += 1;
            (
                MixKind::Line,
                vec![
                    m.into(),
                    model.into(),
                    part,
                    desc.into(),
                    coo.into(),
                    qty,
                    price,
                ],
            )
        };
        rows.push(MixRow {
            number,
            kind,
            cells,
        });
    }
    rows
}

fn write_mix_csv(dir: &Path, rows: &[MixRow]) -> PathBuf {
    let path = dir.join("mix_5000.csv");
    let mut w = csv::Writer::from_path(&path).unwrap();
    for r in rows {
        w.write_record(&r.cells).unwrap();
    }
    w.flush().unwrap();
    path
}

/// The same rows as a workbook, quantities and prices as numbers where they are numbers.
fn write_mix_xlsx(dir: &Path, rows: &[MixRow]) -> PathBuf {
    let path = dir.join("mix_5000.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("BOM").unwrap();
    for r in rows {
        for (c, v) in r.cells.iter().enumerate() {
            let (row, col) = (r.number as u32 - 1, c as u16);
            if v.is_empty() {
                continue;
            }
            match v.parse::<f64>() {
                Ok(n) if c >= 5 => sheet.write_number(row, col, n).unwrap(),
                _ => sheet.write_string(row, col, v).unwrap(),
            };
        }
    }
    book.save(&path).unwrap();
    path
}

/// An officer's workbook: a merged title, the header on row 3 with synonyms, a maker cell
/// merged down over three lines, section headings, a subtotal, a repeated header, a note, a
/// bad quantity, numbers and a date as typed cells, an unknown and an unnamed column.
fn write_officer_workbook(dir: &Path) -> PathBuf {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let path = dir.join("officer_workbook.xlsx");
    let mut book = Workbook::new();
    let cover = book.add_worksheet();
    cover.set_name("Cover").unwrap();
    let sheet = book.add_worksheet();
    sheet.set_name("Quote").unwrap();
    let plain = Format::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    sheet
        .merge_range(
            0,
            0,
            0,
            7,
            "Riverside Transit — quotation Q-26-1187",
            &plain,
        )
        .unwrap();
    let header = [
        "Mfr",
        "Model No.",
        "MPN",
        "Item Description",
        "COO",
        "Quantity",
        "Unit Price",
        "Quoted on",
    ];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(2, c as u16, *h).unwrap();
    }
    sheet.write_string(2, 9, "").unwrap();
    sheet.merge_range(3, 0, 3, 7, "CAMERAS", &plain).unwrap();
    // A4..A6: one "Hikvision" cell merged down over three lines.
    sheet.merge_range(4, 0, 6, 0, "Hikvision", &plain).unwrap();
    let lines: &[[&str; 7]] = &[
        ["", "DS-2CD2143G2-I", "", "4MP dome", "China", "12", "182"],
        ["", "DS-2CD2183G2-IU", "", "8MP bullet", "PRC", "4", "210.5"],
        ["", "DS-7608NI-K2", "", "8ch NVR", "China", "1", "330"],
        [
            "Axis Communications",
            "P3265-LVE",
            "02328-001",
            "dome",
            "Sweden",
            "6",
            "1234.5",
        ],
        ["Lorex", "LNB4321B", "", "bullet", "Canada", "3 ea", "$95"],
        [
            "",
            "",
            "",
            "Hikvision DS-2CD2143G2-I dome",
            "China",
            "2",
            "182",
        ],
        [
            "Northwind Optronics",
            "NW-4410",
            "",
            "4MP dome",
            "Designed in California, Made in China",
            "8",
            "120",
        ],
        ["", "", "", "Subtotal cameras", "", "", "6044"],
        [
            "Mfr",
            "Model No.",
            "MPN",
            "Item Description",
            "COO",
            "Quantity",
            "Unit Price",
        ],
        [
            "Seagate Technology",
            "ST8000VE001",
            "",
            "8TB drive",
            "Thailand",
            "4",
            "-3",
        ],
        [
            "Cisco",
            "C9300-48P",
            "",
            "PoE switch",
            "Mexico",
            "1",
            "4200",
        ],
        ["", "", "", "Note: prices exclude freight", "", "", ""],
        ["", "", "", "Pole mount bracket", "Taiwan", "12", "18"],
    ];
    for (i, cells) in lines.iter().enumerate() {
        let r = 4 + i as u32;
        for (c, v) in cells.iter().enumerate() {
            if v.is_empty() || (c == 0 && (4..=6).contains(&r)) {
                continue;
            }
            match v.parse::<f64>() {
                Ok(n) if c >= 5 => sheet.write_number(r, c as u16, n).unwrap(),
                _ => sheet.write_string(r, c as u16, *v).unwrap(),
            };
        }
        if i < 3 {
            let d = ExcelDateTime::from_ymd(2026, 11, 2 + i as u8).unwrap();
            sheet.write_datetime_with_format(r, 7, &d, &date).unwrap();
        }
    }
    // A value in a column with no header.
    sheet.write_string(5, 9, "spare").unwrap();
    book.save(&path).unwrap();
    path
}

const POLICY: &str = r#"version = 1

[[decision]]
manufacturer = "Seagate"
check = "taa"
by = "J. Smith, contracting officer"
date = 2026-11-20
reason = "COO certificate on file 26-114"

[[decision]]
row = 30
by = "J. Smith"
date = 2026-11-20
reason = "Removal scheduled under contract mod 0004"
expires = 2027-03-31

[[decision]]
model = "LC-C6"
check = "section-889"
by = "J. Smith"
date = 2025-01-02
reason = "old exception"
expires = 2026-01-31

[[decision]]
model = "NOT-ON-THIS-BOM"
by = "J. Smith"
date = 2025-01-02
reason = "never used"
"#;

#[test]
fn verdicts_are_those_recorded_before_the_check_streamed() {
    let mut failures = Vec::new();
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(workspace().join("bom/tests/fixtures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    fixtures.sort();
    fixtures.push(workspace().join("compliance-data/tests/fixtures/labeled_lines.csv"));
    assert!(fixtures.len() >= 8, "{fixtures:?}");
    for path in &fixtures {
        let name = path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .replace('.', "_");
        failures.extend(compare(&name, &verdict_records(path, None)));
    }

    let dir = tempfile::tempdir().unwrap();
    let quote = write_officer_workbook(dir.path());
    failures.extend(compare(
        "officer_workbook_xlsx",
        &verdict_records(&quote, None),
    ));
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, POLICY).unwrap();
    failures.extend(compare(
        "officer_workbook_xlsx_with_policy",
        &verdict_records(&quote, Some(&policy)),
    ));

    let rows = mix_rows();
    let xlsx = write_mix_xlsx(dir.path(), &rows);
    let csv = write_mix_csv(dir.path(), &rows);
    failures.extend(compare("mix_5000_xlsx", &mix_records(&xlsx, None, &rows)));
    failures.extend(compare("mix_5000_csv", &mix_records(&csv, None, &rows)));
    failures.extend(compare(
        "mix_5000_csv_with_policy",
        &mix_records(&csv, Some(&policy), &rows),
    ));
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
