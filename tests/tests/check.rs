//! `camscope check` and `camscope data` as a procurement officer meets them: the same verdicts
//! from CSV and XLSX, row numbers as the spreadsheet shows them, the labelled fixture end to
//! end, deny levels and waivers, and clear errors on bad files.
// Helpers shared by tests unwrap too: a panic here is a failed test, not a crash on input.
#![allow(clippy::unwrap_used)]

use camscope_tests::camscope;
use std::path::{Path, PathBuf};

use serde_json::Value;

const LABELLED: &str = include_str!("../../compliance-data/tests/fixtures/labeled_lines.csv");
const AS_OF: &str = "2026-11-22";
const HEADER: [&str; 8] = [
    "Manufacturer",
    "Brand",
    "Model No.",
    "MPN",
    "Item Description",
    "SoC",
    "Country of Origin",
    "Qty",
];

struct Labelled {
    cells: Vec<String>,
    expected_889: String,
    expected_taa: String,
    note: String,
}

fn labelled() -> Vec<Labelled> {
    let mut r = csv::Reader::from_reader(LABELLED.as_bytes());
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            // A line needs something that names a product; a few fixture lines give only a SoC.
            let mut cells: Vec<String> = (0..7).map(|i| rec[i].to_string()).collect();
            if cells[..4].iter().all(String::is_empty) {
                cells[3] = "BOARD-1".into();
            }
            cells.push("1".into());
            Labelled {
                cells,
                expected_889: rec[7].into(),
                expected_taa: rec[8].into(),
                note: rec[9].into(),
            }
        })
        .collect()
}

/// The labelled lines under two title rows and a blank row, as officers' sheets often are.
fn write_csv(dir: &Path) -> PathBuf {
    let path = dir.join("officer_bom.csv");
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_path(&path)
        .unwrap();
    w.write_record(["Riverside Transit Center — camera BOM"])
        .unwrap();
    w.write_record(["RFQ 24-117, rev B"]).unwrap();
    w.write_record([""]).unwrap();
    w.write_record(HEADER).unwrap();
    for l in labelled() {
        w.write_record(&l.cells).unwrap();
    }
    w.flush().unwrap();
    path
}

/// The same lines in the same layout as a workbook.
fn write_xlsx(dir: &Path) -> PathBuf {
    let path = dir.join("officer_bom.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("BOM").unwrap();
    sheet
        .write_string(0, 0, "Riverside Transit Center — camera BOM")
        .unwrap();
    sheet.write_string(1, 0, "RFQ 24-117, rev B").unwrap();
    for (c, h) in HEADER.iter().enumerate() {
        sheet.write_string(3, c as u16, *h).unwrap();
    }
    for (i, l) in labelled().iter().enumerate() {
        for (c, v) in l.cells.iter().enumerate() {
            if c == 7 {
                sheet.write_number(4 + i as u32, 7, 1.0).unwrap();
            } else if !v.is_empty() {
                sheet.write_string(4 + i as u32, c as u16, v).unwrap();
            }
        }
    }
    book.save(&path).unwrap();
    path
}

fn check_json(path: &Path, extra: &[&str]) -> (i32, Value) {
    let p = path.display().to_string();
    let mut args = vec!["check", p.as_str(), "--format", "json", "--as-of", AS_OF];
    args.extend_from_slice(extra);
    let r = camscope(&args);
    assert!(r.code == 0 || r.code == 1, "exit {}: {}", r.code, r.stderr);
    (r.code, serde_json::from_str(&r.stdout).unwrap())
}

fn verdicts(report: &Value) -> Vec<(u64, String, String, String, String)> {
    report["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["row"].as_u64().unwrap(),
                l["section_889"]["verdict"].as_str().unwrap().to_string(),
                l["section_889"]["code"].as_str().unwrap().to_string(),
                l["taa"]["verdict"].as_str().unwrap().to_string(),
                l["taa"]["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn csv_and_xlsx_with_the_same_lines_get_the_same_verdicts_and_spreadsheet_rows() {
    let dir = tempfile::tempdir().unwrap();
    let (_, from_csv) = check_json(&write_csv(dir.path()), &[]);
    let (_, from_xlsx) = check_json(&write_xlsx(dir.path()), &[]);
    let (a, b) = (verdicts(&from_csv), verdicts(&from_xlsx));
    assert_eq!(a.len(), labelled().len());
    assert_eq!(a, b);
    // Header on row 4, first line on row 5, as both the spreadsheet and a text editor show it.
    for (i, v) in a.iter().enumerate() {
        assert_eq!(v.0, 5 + i as u64);
    }
    assert_eq!(from_xlsx["sheet"], "BOM");
    assert_eq!(from_csv["header_row"], 4);
}

#[test]
fn labelled_fixture_end_to_end_no_covered_line_is_cleared() {
    let dir = tempfile::tempdir().unwrap();
    let (code, report) = check_json(&write_xlsx(dir.path()), &[]);
    assert_eq!(code, 1, "covered lines are at deny level");
    let lines = report["lines"].as_array().unwrap();
    let labels = labelled();
    let (mut true_pos, mut flagged) = (0usize, 0usize);
    for (l, want) in lines.iter().zip(&labels) {
        let got = l["section_889"]["verdict"].as_str().unwrap();
        if want.expected_889 == "covered" {
            assert_ne!(
                got,
                "not_covered",
                "a covered line was cleared: {} ({})",
                want.cells.join(" | "),
                want.note
            );
        }
        if want.note.starts_with("lookalike") {
            assert_eq!(got, "not_covered", "lookalike flagged: {}", want.note);
        }
        if got == "covered" {
            flagged += 1;
            true_pos += usize::from(want.expected_889 == "covered");
        }
        assert_eq!(
            l["taa"]["verdict"].as_str().unwrap(),
            want.expected_taa,
            "TAA of {}",
            want.cells.join(" | ")
        );
    }
    println!("covered precision through the CLI: {true_pos}/{flagged}");
    assert!(flagged > 0);
}

#[test]
fn every_verdict_names_its_code_chain_and_a_source_url() {
    let dir = tempfile::tempdir().unwrap();
    let (_, report) = check_json(&write_csv(dir.path()), &[]);
    assert!(report["data"]["version"].is_string());
    assert_eq!(report["data"]["hash"].as_str().unwrap().len(), 64);
    assert!(report["data"]["as_of"].is_string());
    for l in report["lines"].as_array().unwrap() {
        for check in ["section_889", "taa"] {
            let v = &l[check];
            assert!(!v["code"].as_str().unwrap().is_empty());
            let urls = v["citations"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["url"].as_str().is_some_and(|u| u.starts_with("http")));
            assert!(
                urls.count() >= 1,
                "{check} of row {} has no source URL",
                l["row"]
            );
        }
        // Verdicts reached through a relationship show it.
        let code = l["section_889"]["code"].as_str().unwrap();
        if [
            "subsidiary",
            "brand",
            "affiliate",
            "oem-rebrand",
            "former-affiliate",
        ]
        .contains(&code)
        {
            assert!(
                !l["section_889"]["chain"].as_array().unwrap().is_empty(),
                "row {} ({code}) has no chain",
                l["row"]
            );
        }
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.display().to_string()
}

#[test]
fn bad_files_are_located_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(String, &str)> = vec![
        (
            write(
                dir.path(),
                "wrong_header.csv",
                b"Item,Price,Notes\nwidget,3,x\n",
            ),
            "wrong_header.csv",
        ),
        (
            write(
                dir.path(),
                "broken_quote.csv",
                b"Manufacturer,Model\nAxis,\"P3265\nBosch,NDE\n",
            ),
            "broken_quote.csv",
        ),
        (
            write(
                dir.path(),
                "not_really.xlsx",
                b"Manufacturer,Model\nAxis,P3265\n",
            ),
            "not_really.xlsx",
        ),
        (write(dir.path(), "empty.csv", b""), "empty.csv"),
    ];
    for (path, name) in &cases {
        let r = camscope(&["check", path]);
        assert_eq!(r.code, 2, "{name}: {}", r.stderr);
        assert!(r.stderr.contains(name), "{name}: {}", r.stderr);
        assert!(!r.stderr.contains("panicked"));
    }
    // An empty sheet in a workbook, named.
    let path = dir.path().join("empty_sheet.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    book.add_worksheet().set_name("Quote").unwrap();
    book.save(&path).unwrap();
    let r = camscope(&["check", &path.display().to_string()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("empty_sheet.xlsx"), "{}", r.stderr);
    // An unknown sheet lists the ones there are.
    let xlsx = write_xlsx(dir.path());
    let r = camscope(&["check", &xlsx.display().to_string(), "--sheet", "Quote"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("BOM"), "{}", r.stderr);
}

#[test]
fn deny_levels_and_waivers_decide_the_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    let bom = write(
        dir.path(),
        "small.csv",
        b"Manufacturer,Model,Country of Origin\nAxis Communications,P3265-LVE,Sweden\nHikvision,DS-2CD2143G2-I,China\n",
    );
    let r = camscope(&["check", &bom, "--as-of", AS_OF]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("row     3 [ deny ]"), "{}", r.stdout);
    // Deny only needs-review: the covered line is reported but does not fail the check.
    let r = camscope(&["check", &bom, "--deny", "needs-review", "--as-of", AS_OF]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    // A waiver with its reason clears the exit status and stays visible.
    let policy = write(
        dir.path(),
        "policy.toml",
        b"version = 1\n[[waiver]]\nrow = 3\nreason = \"Removal scheduled under contract mod 0004; DIBNET report 2026-11-20\"\nexpires = 2027-03-31\n\n[[waiver]]\nmodel = \"NOT-ON-THIS-BOM\"\nreason = \"old exception\"\n",
    );
    let r = camscope(&[
        "check", &bom, "--policy", &policy, "--format", "json", "--as-of", AS_OF,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["lines"][1]["level"], "waived");
    assert_eq!(
        v["lines"][1]["section_889"]["verdict"], "covered",
        "a waiver never changes the verdict"
    );
    assert!(
        v["lines"][1]["waiver"]["reason"]
            .as_str()
            .unwrap()
            .contains("DIBNET")
    );
    assert!(
        r.stderr
            .contains("waiver[1] (model \"NOT-ON-THIS-BOM\") matches no line"),
        "{}",
        r.stderr
    );
    // After it expires the line fails again, with a warning.
    let r = camscope(&["check", &bom, "--policy", &policy, "--as-of", "2027-04-01"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("expired on 2027-03-31"), "{}", r.stdout);
    // A waiver without a reason is bad input.
    let bad = write(
        dir.path(),
        "bad_policy.toml",
        b"version = 1\n[[waiver]]\nrow = 3\nreason = \"\"\n",
    );
    let r = camscope(&["check", &bom, "--policy", &bad]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("waiver[0].reason: a waiver needs a reason"),
        "{}",
        r.stderr
    );
}

#[test]
fn stale_data_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let bom = write(
        dir.path(),
        "one.csv",
        b"Manufacturer,Model\nAxis,P3265-LVE\n",
    );
    let r = camscope(&["check", &bom, "--as-of", "2027-06-30"]);
    assert!(
        r.stdout.contains("warning: the compliance data is"),
        "{}",
        r.stdout
    );
    let r = camscope(&["check", &bom, "--as-of", AS_OF]);
    assert!(!r.stdout.contains("days old"), "{}", r.stdout);
}

#[test]
fn xlsx_report_is_the_officers_rows_plus_verdict_columns() {
    use calamine::{Reader, open_workbook_auto};
    let dir = tempfile::tempdir().unwrap();
    let input = write_xlsx(dir.path());
    let out = dir.path().join("verdicts.xlsx");
    let r = camscope(&[
        "check",
        &input.display().to_string(),
        "--format",
        "xlsx",
        "--out",
        &out.display().to_string(),
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let mut book = open_workbook_auto(&out).unwrap();
    let range = book.worksheet_range("Compliance").unwrap();
    let header: Vec<String> = range
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header[0], "source row");
    assert_eq!(&header[1..9], HEADER.map(String::from).as_slice());
    assert!(
        header.contains(&"889 verdict".to_string()) && header.contains(&"TAA verdict".to_string())
    );
    let first: Vec<String> = range
        .rows()
        .nth(1)
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(first[0], "5");
    assert_eq!(range.rows().count(), labelled().len() + 1);
    assert!(book.worksheet_range("About").is_ok());
}

#[test]
fn html_report_escapes_bom_text_and_fetches_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let bom = write(
        dir.path(),
        "x.csv",
        b"Manufacturer,Model,Description\nAxis,P3265-LVE,<script>alert('bom')</script>\n",
    );
    let out = dir.path().join("compliance.html");
    let r = camscope(&[
        "check",
        &bom,
        "--format",
        "html",
        "--out",
        &out.display().to_string(),
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(!html.contains("<script>alert"), "BOM text must be escaped");
    assert!(
        html.contains("alert(&#39;bom&#39;)") || html.contains("alert(&#x27;bom&#x27;)"),
        "{html}"
    );
    for needle in ["<script", "<link", "src=\"http", "@import"] {
        assert!(!html.contains(needle), "{needle}");
    }
}

#[test]
fn data_lint_passes_on_shipped_data_and_fails_on_a_broken_record() {
    let r = camscope(&["data", "lint"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.starts_with("ok: "), "{}", r.stdout);
    // The counts by grade that the README quotes are printed with the result.
    assert!(
        r.stdout.contains("maker records:") && r.stdout.contains("cite only grade C/D"),
        "{}",
        r.stdout
    );
    // Copy the data, break one record, lint the copy.
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../compliance-data/data");
    copy_dir(&src, dir.path());
    let lorex = dir.path().join("entities/lorex.toml");
    let text = std::fs::read_to_string(&lorex).unwrap();
    std::fs::write(&lorex, format!("{text}\nsurprise = true\n")).unwrap();
    let d = dir.path().display().to_string();
    let r = camscope(&["--data-dir", &d, "data", "lint"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains("lorex.toml") && r.stdout.contains("surprise"),
        "{}",
        r.stdout
    );
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn data_show_explains_lorex_with_its_dated_ownership() {
    let r = camscope(&["data", "show", "Lorex", "--as-of", "2021-06-01"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("2018-02-06") && r.stdout.contains("2022-11-24"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("covered"), "{}", r.stdout);
    let r = camscope(&[
        "data",
        "show",
        "Lorex",
        "--as-of",
        "2024-01-01",
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_ne!(
        v["entities"][0]["verdict"], "covered",
        "Dahua sold Lorex on 2022-11-24"
    );
}
