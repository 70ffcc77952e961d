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
            let code = l["section_889"]["code"].as_str().unwrap();
            assert!(
                [
                    "maker-not-in-data",
                    "independence-unverified",
                    "independent-maker",
                    "passive-equipment"
                ]
                .contains(&code),
                "lookalike matched to a covered name: {} [{code}]",
                want.note
            );
        }
        // No maker absent from the data is ever cleared.
        if l["section_889"]["code"] == "maker-not-in-data" {
            assert_eq!(got, "needs_review");
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
fn the_default_gate_denies_everything_unresolved_and_decisions_are_recorded() {
    let dir = tempfile::tempdir().unwrap();
    // Issue 11: Amcrest, LTS, a Hikvision monitor and LeChange with COO Taiwan exited 0.
    let unresolved = write(
        dir.path(),
        "unresolved.csv",
        b"Manufacturer,Model,Description,Country of Origin
Amcrest,IP8M-2496EB,bullet camera,China
LTS,CMIP3C42W,turret,Taiwan
Hikvision,DS-D5027FN,27 inch monitor,China
LeChange,LC-C6,pan/tilt camera,Taiwan
",
    );
    let r = camscope(&["check", &unresolved, "--as-of", AS_OF]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout
            .contains("deny: covered, needs-review, non-designated, unknown-origin"),
        "{}",
        r.stdout
    );
    let bom = write(
        dir.path(),
        "small.csv",
        b"Manufacturer,Model,Country of Origin
Northwind Optronics,NW-4410,Sweden
Hikvision,DS-2CD2143G2-I,China
",
    );
    let r = camscope(&["check", &bom, "--as-of", AS_OF]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("row     2 [ deny ]"), "{}", r.stdout);
    assert!(r.stdout.contains("maker-not-in-data"), "{}", r.stdout);
    assert!(r.stdout.contains("row     3 [ deny ]"), "{}", r.stdout);
    // --deny still overrides: only an unknown origin fails, and both origins are known.
    let r = camscope(&["check", &bom, "--deny", "unknown-origin", "--as-of", AS_OF]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    // Recorded review decisions clear the exit status and stay visible on the line.
    let policy = write(
        dir.path(),
        "policy.toml",
        b"version = 1\n\n[[decision]]\nmanufacturer = \"Northwind Optronics\"\ncheck = \"section-889\"\nby = \"J. Smith, contracting officer\"\ndate = 2026-11-20\nreason = \"Ownership confirmed from the vendor's annual report; file 26-114\"\n\n[[waiver]]\nrow = 3\nby = \"J. Smith\"\ndate = 2026-11-20\nreason = \"Removal scheduled under contract mod 0004; DIBNET report 2026-11-20\"\nexpires = 2027-03-31\n\n[[decision]]\nmodel = \"NOT-ON-THIS-BOM\"\nby = \"J. Smith\"\ndate = 2025-01-02\nreason = \"old exception\"\n",
    );
    let r = camscope(&[
        "check", &bom, "--policy", &policy, "--format", "json", "--as-of", AS_OF,
    ]);
    assert_eq!(
        r.code, 0,
        "every line is accepted by a decision: {}",
        r.stdout
    );
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["lines"][0]["level"], "waived", "{:#}", v["lines"][0]);
    assert_eq!(
        v["lines"][0]["section_889"]["verdict"], "needs_review",
        "a decision never changes the verdict"
    );
    assert_eq!(
        v["lines"][0]["waiver"]["by"],
        "J. Smith, contracting officer"
    );
    assert_eq!(v["lines"][0]["waiver"]["date"], "2026-11-20");
    // The decision accepts Section 889 and TAA; the FCC Covered List finding on Hikvision is
    // another list's, which a `both` decision does not accept, so the line stays a warning.
    assert_eq!(v["lines"][1]["level"], "warn", "{:#}", v["lines"][1]);
    assert_eq!(
        v["lines"][1]["warned"],
        serde_json::json!(["fcc-covered-list"])
    );
    assert_eq!(v["lines"][1]["other_lists"][0]["code"], "listed-entity");
    assert!(
        v["lines"][1]["waiver"]["reason"]
            .as_str()
            .unwrap()
            .contains("DIBNET")
    );
    assert!(
        r.stderr
            .contains("decision[1] (model \"NOT-ON-THIS-BOM\") matches no line"),
        "{}",
        r.stderr
    );
    let r = camscope(&["check", &bom, "--policy", &policy, "--as-of", AS_OF]);
    assert!(
        r.stdout.contains(
            "decision: accepted (section-889) by J. Smith, contracting officer on 2026-11-20: Ownership confirmed"
        ),
        "{}",
        r.stdout
    );
    let csv = camscope(&[
        "check", &bom, "--policy", &policy, "--format", "csv", "--as-of", AS_OF,
    ]);
    assert!(
        csv.stdout
            .contains("by J. Smith, contracting officer on 2026-11-20"),
        "{}",
        csv.stdout
    );
    // After it expires the line fails again, with a warning.
    let r = camscope(&["check", &bom, "--policy", &policy, "--as-of", "2027-04-01"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("expired on 2027-03-31"), "{}", r.stdout);
    // A decision without who, when or why is bad input.
    for (text, message) in [
        (
            &b"version = 1\n[[decision]]\nrow = 3\nby = \"x\"\ndate = 2026-01-01\nreason = \"\"\n"
                [..],
            "decision[0].reason: a review decision needs a reason",
        ),
        (
            &b"version = 1\n[[decision]]\nrow = 3\ndate = 2026-01-01\nreason = \"ok\"\n"[..],
            "decision[0].by: a review decision needs `by`",
        ),
        (
            &b"version = 1\n[[waiver]]\nrow = 3\nby = \"x\"\nreason = \"ok\"\n"[..],
            "decision[0].date: a review decision needs `date`",
        ),
    ] {
        let bad = write(dir.path(), "bad_policy.toml", text);
        let r = camscope(&["check", &bom, "--policy", &bad]);
        assert_eq!(r.code, 2);
        assert!(r.stderr.contains(message), "{}", r.stderr);
    }
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
    // Exit 1: Axis has no record of independence in the shipped data yet, or the Axis line is
    // clear; either way the report is written.
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
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

/// A distributor quote as an officer receives it: a title block in merged cells, the header
/// "Line # | Mfr | Mfg Part # | Item Description | COO | Qty | Unit Price", sections, subtotals,
/// notes, a blank maker under a part number, a description-only line and a bad quantity.
fn write_officer_quote(dir: &Path) -> PathBuf {
    use rust_xlsxwriter::{Format, Workbook};
    let path = dir.join("distributor_quote.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Quote").unwrap();
    let merged = Format::new().set_bold();
    sheet
        .merge_range(
            0,
            0,
            0,
            6,
            "ACME Security Distribution — Quotation Q-26-1187",
            &merged,
        )
        .unwrap();
    sheet
        .merge_range(
            1,
            0,
            1,
            6,
            "Customer: Riverside Transit Authority   Valid 30 days",
            &Format::new(),
        )
        .unwrap();
    let header = [
        "Line #",
        "Mfr",
        "Mfg Part #",
        "Item Description",
        "COO",
        "Qty",
        "Unit Price",
    ];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(3, c as u16, *h).unwrap();
    }
    let rows: &[&[&str]] = &[
        &["CAMERAS"],
        &[
            "1",
            "Hikvision",
            "DS-2CD2143G2-I",
            "4MP dome",
            "China",
            "12",
            "$182.00",
        ],
        &[
            "2",
            "",
            "DS-2CD2183G2-IU",
            "8MP bullet",
            "China",
            "4",
            "$210.00",
        ],
        &[
            "3",
            "",
            "",
            "Hikvision DS-2CD2143G2-I dome",
            "China",
            "2",
            "$182.00",
        ],
        &[
            "4",
            "LeChange",
            "LC-C6",
            "Pan/tilt camera",
            "Taiwan",
            "2 ea",
            "$60",
        ],
        &[
            "5",
            "Zhejiang Huaray Technology",
            "A7500MG20",
            "Machine vision camera",
            "China",
            "1",
            "$900",
        ],
        &[
            "6",
            "Interlogix",
            "TVD-5801",
            "TruVision dome",
            "Rep. of Korea",
            "6",
            "$140",
        ],
        &[
            "7",
            "Futurewei Technologies",
            "AR651",
            "Branch router",
            "Korea (South)",
            "1",
            "$700",
        ],
        &[
            "8",
            "Northwind Optronics",
            "NW-4410",
            "4MP dome, SoC not HiSilicon",
            "Designed in California, Made in China",
            "8",
            "$120",
        ],
        &["", "", "", "Subtotal cameras", "", "", "$6,044.00"],
        &["NETWORK"],
        &[
            "9",
            "Huawei",
            "ME909s-120",
            "LTE module for NVR",
            "China",
            "1",
            "$45",
        ],
        &[
            "10",
            "",
            "",
            "Pole mount bracket, aluminium",
            "Taiwan",
            "12",
            "$18",
        ],
        &["", "", "", "Subtotal network", "", "", "$261.00"],
        &["Note: prices exclude freight; lead time 4-6 weeks"],
        &["", "", "", "Freight", "", "", "$150.00"],
        &["", "", "", "TOTAL", "", "", "$6,455.00"],
    ];
    for (i, cells) in rows.iter().enumerate() {
        let r = 4 + i as u32;
        if cells.len() == 1 {
            sheet.merge_range(r, 0, r, 6, cells[0], &merged).unwrap();
            continue;
        }
        for (c, v) in cells.iter().enumerate() {
            if !v.is_empty() {
                sheet.write_string(r, c as u16, *v).unwrap();
            }
        }
    }
    book.save(&path).unwrap();
    path
}

#[test]
fn an_officers_quote_is_read_line_by_line_and_nothing_is_dropped_silently() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_officer_quote(dir.path());
    let (code, report) = check_json(&path, &[]);
    assert_eq!(code, 1);
    let lines = report["lines"].as_array().unwrap();
    let skipped = report["skipped"].as_array().unwrap();
    let checked: Vec<u64> = lines.iter().map(|l| l["row"].as_u64().unwrap()).collect();
    let listed: Vec<(u64, &str)> = skipped
        .iter()
        .map(|s| (s["row"].as_u64().unwrap(), s["reason"].as_str().unwrap()))
        .collect();
    // Rows 5..21 below the header on row 4: every product line is checked, every other row is
    // listed with its reason, and nothing falls between.
    assert_eq!(checked, [6, 7, 8, 9, 10, 11, 12, 13, 16, 17], "{listed:?}");
    assert_eq!(
        listed,
        [
            (5, "section-heading"),
            (14, "total"),
            (15, "section-heading"),
            (18, "total"),
            (19, "note"),
            (20, "total"),
            (21, "total")
        ]
    );
    assert_eq!(report["summary"]["skipped"], 7);
    let by_row = |row: u64| lines.iter().find(|l| l["row"] == row).unwrap();
    // The blank-maker Hikvision part number and the description-only line are not cleared.
    assert_ne!(by_row(7)["section_889"]["verdict"], "not_covered");
    assert_ne!(by_row(8)["section_889"]["verdict"], "not_covered");
    // The names cleared by mistake before are never clear.
    for row in [9, 10, 11, 12, 13] {
        assert_ne!(
            by_row(row)["section_889"]["verdict"],
            "not_covered",
            "{:#}",
            by_row(row)
        );
    }
    // "2 ea" is a problem on its line, and the line is still checked.
    assert!(
        by_row(9)["problems"][0]
            .as_str()
            .unwrap()
            .contains("column F (qty): \"2 ea\" is not a number"),
        "{:#}",
        by_row(9)
    );
    // Countries as written on quotes, and the made-in clause decides.
    assert_eq!(by_row(11)["taa"]["country"]["alpha2"], "KR");
    assert_eq!(by_row(12)["taa"]["country"]["alpha2"], "KR");
    assert_eq!(by_row(13)["taa"]["country"]["alpha2"], "CN");
    // The denial is not read as a HiSilicon component.
    assert_ne!(by_row(13)["section_889"]["code"], "covered-component");
    // Passive equipment is clear by a cited rule.
    assert_eq!(by_row(17)["section_889"]["code"], "passive-equipment");
    assert_eq!(by_row(17)["section_889"]["basis"], "rule");
    // The table and the CSV list the rows not checked as well.
    let p = path.display().to_string();
    let table = camscope(&["check", &p, "--as-of", AS_OF]);
    assert!(
        table.stdout.contains("not checked (7 row(s))"),
        "{}",
        table.stdout
    );
    assert!(
        table.stdout.contains("row    14 [skipped]"),
        "{}",
        table.stdout
    );
    let csv = camscope(&["check", &p, "--format", "csv", "--as-of", AS_OF]);
    assert_eq!(csv.stdout.matches(",skipped,").count(), 7, "{}", csv.stdout);
}

/// docs/check.md has one line per code camscope can print, and no line for a code it cannot.
#[test]
fn every_code_has_one_line_in_docs_check_md() {
    let doc = include_str!("../../docs/check.md");
    let table = doc
        .split("## Codes")
        .nth(1)
        .and_then(|t| t.split("\n## ").next())
        .unwrap();
    let mut documented: Vec<String> = table
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_owned)
        .collect();
    let mut codes: Vec<String> = compliance_data::Code889::ALL
        .iter()
        .map(|c| c.as_str().to_owned())
        .chain(
            compliance_data::TaaCode::ALL
                .iter()
                .map(|c| c.as_str().to_owned()),
        )
        .chain(bom::SkipReason::ALL.iter().map(|c| c.as_str().to_owned()))
        .chain(
            compliance_data::ListCode::ALL
                .iter()
                .map(|c| c.as_str().to_owned()),
        )
        .collect();
    let before = documented.len();
    documented.sort();
    documented.dedup();
    assert_eq!(before, documented.len(), "a code is listed twice");
    codes.sort();
    assert_eq!(documented, codes);
    // The codes the JSON prints are the ones the table lists.
    for c in compliance_data::TaaCode::ALL {
        assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
    }
    for c in compliance_data::ListCode::ALL {
        assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
    }
}

#[test]
fn policy_keys_have_one_spelling_and_decisions_match_the_normalised_maker() {
    let dir = tempfile::tempdir().unwrap();
    let bom = write(
        dir.path(),
        "drives.csv",
        b"Manufacturer,Model,Description,Country of Origin,Qty,Unit Price
Seagate Technology,ST8000VE001,SkyHawk 8TB surveillance drive,Thailand,4,$189.50
Seagate,ST4000VX016,SkyHawk 4TB,Thailand,2,$99
Northwind Optronics,NW-4410,4MP dome,Taiwan,6,$240
,,Subtotal,,,$1152
",
    );
    // The documented spelling is `section-889`; the undashed one is refused, with the right one.
    let wrong = write(
        dir.path(),
        "wrong.toml",
        b"version = 1\n[[decision]]\nmanufacturer = \"Seagate\"\ncheck = \"section889\"\nby = \"J. Smith\"\ndate = 2026-11-20\nreason = \"file 26-120\"\n",
    );
    let r = camscope(&["check", &bom, "--policy", &wrong, "--as-of", AS_OF]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("wrong.toml"), "{}", r.stderr);
    assert!(r.stderr.contains("section889"), "{}", r.stderr);
    assert!(
        r.stderr.contains("did you mean `section-889`?"),
        "{}",
        r.stderr
    );
    // A decision for "Seagate" covers "Seagate Technology": both are the same maker to the check.
    let policy = write(
        dir.path(),
        "policy.toml",
        b"version = 1\n[[decision]]\nmanufacturer = \"Seagate\"\ncheck = \"taa\"\nby = \"J. Smith, contracting officer\"\ndate = 2026-11-20\nreason = \"Thai origin accepted under the COTS exception; file 26-120\"\n\n[[decision]]\nmodel = \"NOT-ON-THIS-BOM\"\nby = \"J. Smith\"\ndate = 2026-11-20\nreason = \"old exception\"\n",
    );
    let (_, report) = check_json(Path::new(&bom), &["--policy", &policy]);
    let lines = report["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 3);
    // Both Seagate lines are non-designated (Thailand) and both are accepted by the decision.
    for l in &lines[..2] {
        assert_eq!(l["taa"]["verdict"], "non_designated", "{l}");
        assert_eq!(l["level"], "waived", "{l}");
        assert!(
            l["waiver"]["reason"]
                .as_str()
                .unwrap()
                .contains("file 26-120"),
            "row {} ({}) is not covered by the Seagate decision: {l}",
            l["row"],
            l["manufacturer"]
        );
    }
    assert_eq!(report["decisions"][0]["rows"], serde_json::json!([2, 3]));
    assert_eq!(report["decisions"][0]["status"], "applied");
    // JSON lines carry their identifying cells; skipped rows and decisions are in the JSON.
    assert_eq!(lines[0]["description"], "SkyHawk 8TB surveillance drive");
    assert_eq!(lines[0]["qty"], 4.0);
    assert_eq!(lines[0]["unit_price"], 189.5);
    let skipped = report["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0]["row"], 5);
    assert_eq!(skipped[0]["reason"], "total");
    let decisions = report["decisions"].as_array().unwrap();
    assert_eq!(decisions.len(), 2);
    assert_eq!(decisions[0]["by"], "J. Smith, contracting officer");
    assert_eq!(decisions[1]["status"], "unused");
    assert!(decisions[1]["rows"].as_array().unwrap().is_empty());
    // CSV lines carry description, quantity and price beside the verdicts.
    let r = camscope(&[
        "check", &bom, "--policy", &policy, "--format", "csv", "--as-of", AS_OF,
    ]);
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    let mut rd = csv::Reader::from_reader(r.stdout.as_bytes());
    let header: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 4, "three lines and the skipped subtotal");
    assert_eq!(&rows[2][col("manufacturer")], "Northwind Optronics");
    assert_eq!(&rows[2][col("description")], "4MP dome");
    assert_eq!(&rows[2][col("qty")], "6");
    assert_eq!(&rows[2][col("unit_price")], "240");
    assert_eq!(&rows[3][col("level")], "skipped");
    assert!(rows[3][col("description")].contains("Subtotal"));
}

/// The XLSX hands the officer's own cells back with their types: the 146-line quote's line
/// numbers, quantities and prices are numbers and its ship dates are dates, the verdicts sit
/// beside them, and the Summary and Skipped sheets carry the counts and every row not checked.
#[test]
fn xlsx_keeps_the_officers_numbers_and_dates_and_has_summary_and_skipped_sheets() {
    use calamine::{Data, Reader, open_workbook_auto};
    use camscope_tests::quote::{QUOTE_HEADER, QUOTE_LINES, QUOTE_SKIPPED, write_quote_146};
    let dir = tempfile::tempdir().unwrap();
    let input = write_quote_146(dir.path()).unwrap();
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
    let (_, json) = check_json(&input, &[]);
    let mut book = open_workbook_auto(&out).unwrap();
    assert_eq!(
        book.sheet_names(),
        ["Compliance", "Summary", "Skipped", "About"]
    );
    let sheet = book.worksheet_range("Compliance").unwrap();
    let rows: Vec<&[Data]> = sheet.rows().collect();
    let header: Vec<String> = rows[0].iter().map(ToString::to_string).collect();
    assert_eq!(&header[1..=QUOTE_HEADER.len()], QUOTE_HEADER.as_slice());
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(rows.len(), 1 + QUOTE_LINES + QUOTE_SKIPPED);
    let lines = &rows[1..=QUOTE_LINES];
    for (i, row) in lines.iter().enumerate() {
        assert!(matches!(row[0], Data::Float(_)), "source row is a number");
        assert_eq!(row[col("Line #")], Data::Float((i + 1) as f64), "line {i}");
        assert!(
            matches!(row[col("Qty")], Data::Float(q) if q >= 1.0),
            "{:?}",
            row[col("Qty")]
        );
        assert!(matches!(row[col("Unit Price")], Data::Float(p) if p > 40.0));
        match &row[col("Ship Date")] {
            Data::DateTime(d) => assert!(d.is_datetime() && d.as_f64() > 46_000.0, "{d:?}"),
            other => panic!("ship date came back as {other:?}"),
        }
        assert!(matches!(&row[col("Mfr")], Data::String(_) | Data::Empty));
    }
    // The verdicts are those of the JSON report, line for line.
    let verdict_889: Vec<String> = lines
        .iter()
        .map(|r| r[col("889 verdict")].to_string())
        .collect();
    let from_json: Vec<String> = json["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["section_889"]["verdict"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(verdict_889, from_json);
    // Summary: counts as numbers, equal to the JSON summary.
    let summary = book.worksheet_range("Summary").unwrap();
    let count = |label: &str| -> f64 {
        summary
            .rows()
            .find(|r| r[1] == label)
            .and_then(|r| match r[2] {
                Data::Float(f) => Some(f),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no count {label:?}"))
    };
    assert_eq!(count("lines checked"), QUOTE_LINES as f64);
    assert_eq!(
        count("covered"),
        json["summary"]["covered"].as_f64().unwrap()
    );
    assert_eq!(
        count("needs review"),
        json["summary"]["needs_review"].as_f64().unwrap()
    );
    assert_eq!(
        count("non-designated country"),
        json["summary"]["non_designated"].as_f64().unwrap()
    );
    assert_eq!(
        count("at deny level"),
        json["summary"]["denied"].as_f64().unwrap()
    );
    assert_eq!(count("rows not checked"), QUOTE_SKIPPED as f64);
    // Skipped: every row not checked, with its reason.
    let skipped = book.worksheet_range("Skipped").unwrap();
    let listed: Vec<(f64, String)> = skipped
        .rows()
        .skip(1)
        .map(|r| {
            (
                match r[0] {
                    Data::Float(f) => f,
                    ref other => panic!("{other:?}"),
                },
                r[1].to_string(),
            )
        })
        .collect();
    assert_eq!(listed.len(), QUOTE_SKIPPED);
    assert_eq!(listed[0], (5.0, "section-heading".to_owned()));
    assert!(listed.iter().any(|(_, reason)| reason == "total"));
    assert!(listed.iter().any(|(_, reason)| reason == "note"));
    let about = book.worksheet_range("About").unwrap();
    assert!(
        about
            .rows()
            .any(|r| r[0] == "file sha256" && r[1].to_string().len() == 64)
    );
}

/// The HTML report is a record for a contract file: the BOM's hash, who prepared and reviewed
/// it (policy `[report]`, overridden by flags), the counts, the exit result, what the check is
/// not, the decisions register, the rows and columns not read, the data notes, and every
/// citation once in a numbered appendix that the lines refer to.
#[test]
fn html_report_is_a_record_for_the_contract_file() {
    use camscope_tests::quote::{QUOTE_LINES, QUOTE_SKIPPED, write_quote_146};
    use sha2::Digest as _;
    let dir = tempfile::tempdir().unwrap();
    let input = write_quote_146(dir.path()).unwrap();
    let hash: String = sha2::Sha256::digest(std::fs::read(&input).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let policy = write(
        dir.path(),
        "policy.toml",
        b"version = 1\n[report]\nproject = \"Riverside Transit Center cameras\"\nsolicitation = \"RFQ 24-117\"\nprepared-by = \"A. Analyst, procurement\"\nreviewed-by = \"someone else\"\n\n[[decision]]\nmanufacturer = \"Seagate\"\ncheck = \"taa\"\nby = \"J. Smith, contracting officer\"\ndate = 2026-11-20\nexpires = 2027-03-31\nreason = \"Thai origin accepted under the COTS exception; file 26-120\"\n",
    );
    let out = dir.path().join("compliance.html");
    let r = camscope(&[
        "check",
        &input.display().to_string(),
        "--format",
        "html",
        "--out",
        &out.display().to_string(),
        "--as-of",
        AS_OF,
        "--policy",
        &policy,
        "--quote",
        "ACME Q-26-1187 rev B",
        "--reviewed-by",
        "J. Smith, contracting officer",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let html = std::fs::read_to_string(&out).unwrap();
    let (_, json) = check_json(&input, &["--policy", &policy]);
    assert_eq!(json["file_sha256"], hash.as_str());
    for needle in [
        hash.as_str(),
        "Riverside Transit Center cameras",
        "RFQ 24-117",
        "ACME Q-26-1187 rev B",
        "A. Analyst, procurement",
        "J. Smith, contracting officer",
        "sheet “Quote”",
        "an aid to a determination, not the determination",
        "exit 1 — ",
        "Appendix: citations",
        "Review decisions and waivers (1)",
        "Thai origin accepted under the COTS exception",
        "2027-03-31",
        &format!("Rows not checked ({QUOTE_SKIPPED})"),
        "Columns not read (2)",
        "“Ship Date”",
        "Data notes that applied",
        &format!("Lines ({QUOTE_LINES})"),
    ] {
        assert!(html.contains(needle), "the report lacks {needle:?}");
    }
    assert!(
        !html.contains("someone else"),
        "--reviewed-by overrides the policy"
    );
    let deny = json["summary"]["denied"].as_u64().unwrap();
    assert!(html.contains(&format!("exit 1 — {deny} line(s) at deny level")));
    // One compact row per line, and each citation once: far fewer appendix entries than
    // citations on the lines, every one referred to by number.
    let rows = html.matches("<tr class=\"line-").count();
    assert_eq!(rows, QUOTE_LINES);
    let entries = html.matches("<li id=\"cite-").count();
    let cited: usize = json["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["section_889"]["citations"].as_array().unwrap().len())
        .sum();
    assert!(
        entries > 5 && entries * 4 < cited,
        "{entries} entries for {cited} citations"
    );
    assert!(
        html.matches("href=\"https://www.acquisition.gov/far/52.204-25\"")
            .count()
            <= 2,
        "the FAR clause is cited once, not on every line"
    );
}

/// A large BOM is checked as it streams: the CSV and JSON written to --out are byte for byte
/// what stdout gets, JSON keeps every line and the counts, and a file that breaks at row
/// 9,002 (a cell that is not UTF-8) exits 2 naming the row and leaves no report behind, not
/// even the 9,000 lines above it, and no temporary file.
#[test]
fn a_streamed_check_writes_what_stdout_gets_and_nothing_when_the_file_breaks() {
    let dir = tempfile::tempdir().unwrap();
    let bom = dir.path().join("big.csv");
    let mut text = String::from("Manufacturer,Model,Description,Qty,Country of Origin\n");
    for i in 0..12_000 {
        let (maker, model, country) = match i % 4 {
            0 => ("Axis", "P3265-LVE", "Sweden"),
            1 => ("Hikvision", "DS-2CD2143G2-I", "China"),
            2 => ("Seagate", "ST8000VE001", "Thailand"),
            _ => ("Bosch", "NDE-5503-AL", "Portugal"),
        };
        text.push_str(&format!(
            "{maker},{model},line {i},{},{country}\n",
            1 + i % 5
        ));
    }
    std::fs::write(&bom, &text).unwrap();
    let b = bom.to_str().unwrap();
    for format in ["csv", "json"] {
        let file = dir.path().join(format!("out.{format}"));
        let f = file.to_str().unwrap();
        let stdout = camscope(&["check", b, "--format", format, "--as-of", AS_OF]);
        let written = camscope(&["check", b, "--format", format, "--as-of", AS_OF, "--out", f]);
        assert_eq!(stdout.code, 1, "{}", stdout.stderr);
        assert_eq!(written.code, 1, "{}", written.stderr);
        assert!(
            written.stdout.contains("12000 line(s), 3000 covered"),
            "{}",
            written.stdout
        );
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            stdout.stdout,
            "{format}"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_ne!(
                mode & 0o044,
                0,
                "the report is readable as other outputs are: {mode:o}"
            );
        }
    }
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.json")).unwrap())
            .unwrap();
    assert_eq!(json["lines"].as_array().unwrap().len(), 12_000);
    assert_eq!(json["lines"][11_999]["row"], 12_001);
    assert_eq!(json["summary"]["covered"], 3000);

    let mut bytes = text.into_bytes();
    let at = bytes.windows(10).position(|w| w == b"line 9000,").unwrap();
    bytes[at + 5] = 0xFF;
    std::fs::write(&bom, &bytes).unwrap();
    let out = dir.path().join("broken.csv");
    let run = camscope(&[
        "check",
        b,
        "--format",
        "csv",
        "--as-of",
        AS_OF,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("big.csv:9002"), "{}", run.stderr);
    let mut left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        ["big.csv", "out.csv", "out.json"],
        "no report, no temporary file"
    );
}

/// A quote line without a country of origin: a maker the data records as making its products in
/// a non-designated country (Hikvision, China, from its own filing) makes the line
/// `non_designated`, as `camscope plan` screens the same camera; a maker the data holds no origin
/// for stays `unknown`. A line's own origin still wins.
#[test]
fn a_line_without_origin_takes_its_makers_recorded_origin_against_it_never_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let bom = write(
        dir.path(),
        "quote.csv",
        b"Manufacturer,Model,Description,Country of Origin,Qty\n\
Hikvision,DS-2CD2143G2-I,4MP dome,,4\n\
Axis,P3265-LVE,dome,,2\n\
Hikvision,DS-2CD2143G2-I,4MP dome,Germany,1\n",
    );
    let (code, report) = check_json(Path::new(&bom), &[]);
    assert_eq!(code, 1, "{report}");
    let lines = report["lines"].as_array().unwrap();
    let taa: Vec<(&str, &str)> = lines
        .iter()
        .map(|l| {
            (
                l["taa"]["verdict"].as_str().unwrap(),
                l["taa"]["code"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        taa,
        [
            ("non_designated", "maker-origin-non-designated"),
            ("unknown", "no-origin"),
            ("designated", "designated-country"),
        ]
    );
    let reason = lines[0]["taa"]["reason"].as_str().unwrap();
    assert!(
        reason.contains("states no country of origin") && reason.contains("China"),
        "{reason}"
    );
}
