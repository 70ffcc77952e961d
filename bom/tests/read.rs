//! End-to-end reads of real-world-shaped BOMs: every format, the header finder, origins and
//! row numbers, and every error the issue lists, checked through the public API only.
//!
//! Workbooks are generated with rust_xlsxwriter into Cargo's per-target temp dir rather than
//! committed as binaries, so the layout they test is readable in this file.

// clippy's allow-unwrap-in-tests covers #[test] functions but not the helpers beside them;
// a panic here is a failed test, not a crash on user input.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use camscope_bom::{
    Bom, BomLine, ErrorKind, Field, Format, ReadOptions, WarningKind, read_bom, read_bom_from_bytes,
};
use proptest::prelude::*;
use rust_xlsxwriter::Workbook;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn temp_path(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("camscope-bom");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn read(path: &Path) -> Bom {
    read_bom(path, &ReadOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

/// A row to write: its 1-based row number and its cells from column A.
type Record = (u32, Vec<String>);

/// The CSV fixture's records with the physical line each starts on. csv's position is where
/// it started looking for the record, before any blank lines it skipped, hence the skip.
fn csv_records(path: &Path) -> Vec<Record> {
    let bytes = std::fs::read(path).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes.as_slice());
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.unwrap();
        let position = record.position().unwrap();
        let skipped = bytes[position.byte() as usize..]
            .iter()
            .take_while(|b| **b == b'\n')
            .count();
        let line = position.line() as usize + skipped;
        out.push((line as u32, record.iter().map(str::to_owned).collect()));
    }
    out
}

/// Writes `records` into sheet `sheet` of a new workbook at the same rows they occupy in the
/// CSV (row = line), so the two files have the same layout. Cells that are plain numbers are
/// written as numbers, as an officer's spreadsheet would hold them.
fn write_xlsx(path: &Path, sheets: &[(&str, &[Record])]) {
    let mut workbook = Workbook::new();
    for (name, records) in sheets {
        let sheet = workbook.add_worksheet();
        sheet.set_name(*name).unwrap();
        for (line, cells) in *records {
            for (col, cell) in cells.iter().enumerate() {
                if cell.is_empty() {
                    continue;
                }
                let (row, col) = (line - 1, col as u16);
                match cell.parse::<f64>() {
                    Ok(n) if n.to_string() == *cell => sheet.write_number(row, col, n),
                    _ => sheet.write_string(row, col, cell),
                }
                .unwrap();
            }
        }
    }
    workbook.save(path).unwrap();
}

fn identity(line: &BomLine) -> (Option<&str>, Option<&str>, Option<&str>, Option<&str>) {
    (
        line.manufacturer.as_deref(),
        line.brand.as_deref(),
        line.model.as_deref(),
        line.part_number.as_deref(),
    )
}

#[test]
fn integrator_csv_synonyms_title_rows_and_multiline_cells() {
    let path = fixture("integrator_bom.csv");
    let bom = read(&path);
    assert_eq!(bom.source, path);
    assert_eq!(bom.sheet, None);
    assert_eq!(
        bom.header_row, 4,
        "title, subtitle and a blank line sit above the header"
    );
    assert_eq!(
        bom.headers.len(),
        14,
        "widened to the row with an unnamed 14th cell"
    );
    assert_eq!(bom.headers[0], "Mfr");
    assert_eq!(bom.headers[8], "Unit Price");
    assert_eq!(bom.headers[13], "");

    let rows: Vec<usize> = bom.lines.iter().map(|l| l.origin.row).collect();
    assert_eq!(
        rows,
        [5, 6, 9, 10],
        "physical lines; the quoted cell spans lines 6-7"
    );

    let axis = &bom.lines[0];
    assert_eq!(
        identity(axis),
        (
            Some("Axis Communications"),
            Some("Axis"),
            Some("P3265-LVE"),
            Some("02328-001")
        )
    );
    assert_eq!(axis.description.as_deref(), Some("Outdoor dome, 2MP"));
    assert_eq!(axis.components.as_deref(), Some("ARTPEC-8"));
    assert_eq!(axis.country_of_origin.as_deref(), Some("Sweden"));
    assert_eq!(axis.qty, Some(12.0));
    assert_eq!(axis.unit_price, Some(1234.5));
    assert_eq!(axis.supplier.as_deref(), Some("Example Distribution"));
    assert_eq!(axis.supplier_uei.as_deref(), Some("ABCDEF123456"));
    assert_eq!(axis.cage.as_deref(), Some("1ABC2"));
    assert_eq!(axis.text(Field::Cage), Some("1ABC2"));
    assert_eq!(axis.origin.to_string(), format!("{}:5", path.display()));

    let hanwha = &bom.lines[1];
    assert_eq!(hanwha.part_number, None);
    assert_eq!(
        hanwha.description.as_deref(),
        Some("Outdoor dome\n6MP, IR 50 m")
    );
    assert_eq!(
        hanwha.cells[9], "pole mount",
        "raw cells keep unknown columns"
    );

    let bosch = &bom.lines[2];
    assert_eq!(bosch.unit_price, Some(1020.0), "\"USD 1020\"");
    assert_eq!(bosch.brand, None);

    let hik = &bom.lines[3];
    assert_eq!(hik.description.as_deref(), Some("Turret, 4MP \"AcuSense\""));
    assert_eq!(hik.cells.len(), 14);
    assert_eq!(hik.cells[13], "check with PM");
    assert!(bom.lines.iter().all(|l| l.cells.len() == bom.headers.len()));

    let warnings: Vec<String> = bom.warnings.iter().map(ToString::to_string).collect();
    let p = path.display();
    assert_eq!(
        warnings,
        [
            format!(
                "{p}:4: column J \"Notes\": unknown column; its values are kept in the raw \
                 cells but not read"
            ),
            format!(
                "{p}:4: column N: column has no header but holds values (first at row 10); \
                 they are kept in the raw cells but not read"
            ),
            format!("{p}:11: skipped: a total, tax, shipping or discount row; it names no product"),
        ]
    );
    assert_eq!(
        bom.skipped.len(),
        1,
        "the skipped row is listed with its reason"
    );
    assert_eq!(bom.skipped[0].origin.row, 11);
    assert_eq!(bom.skipped[0].reason, camscope_bom::SkipReason::Total);
    let kinds: Vec<WarningKind> = bom.warnings.iter().map(|w| w.kind).collect();
    assert_eq!(
        kinds,
        [
            WarningKind::UnknownColumn,
            WarningKind::UnnamedColumn,
            WarningKind::LineWithoutProduct
        ]
    );
    let notes = bom.warnings[0].location.column.as_ref().unwrap();
    assert_eq!(
        (notes.letter().as_str(), notes.header.as_str()),
        ("J", "Notes")
    );
}

#[test]
fn xlsx_with_the_same_layout_gives_the_same_lines_and_rows() {
    let csv_path = fixture("integrator_bom.csv");
    let records = csv_records(&csv_path);
    let xlsx_path = temp_path("distributor_quote_v2.xlsx");
    write_xlsx(&xlsx_path, &[("Quote", &records)]);

    let from_csv = read(&csv_path);
    let from_xlsx = read(&xlsx_path);
    assert_eq!(from_xlsx.sheet.as_deref(), Some("Quote"));
    assert_eq!(from_xlsx.header_row, from_csv.header_row);
    assert_eq!(from_xlsx.headers, from_csv.headers);
    assert_eq!(from_xlsx.lines.len(), from_csv.lines.len());
    for (x, c) in from_xlsx.lines.iter().zip(&from_csv.lines) {
        assert_eq!(x.origin.file, xlsx_path);
        assert_eq!(x.origin.sheet.as_deref(), Some("Quote"));
        let mut x = x.clone();
        x.origin = c.origin.clone();
        assert_eq!(&x, c);
    }
    let strip = |bom: &Bom| -> Vec<_> {
        bom.warnings
            .iter()
            .map(|w| {
                (
                    w.kind,
                    w.location.row,
                    w.location.column.clone(),
                    w.message.clone(),
                )
            })
            .collect()
    };
    assert_eq!(strip(&from_xlsx), strip(&from_csv));
    assert_eq!(
        from_xlsx.lines[0].origin.to_string(),
        format!("{}[Quote]:5", xlsx_path.display())
    );
}

#[test]
fn xlsx_header_below_blank_rows_and_offset_columns() {
    // Nothing in column A or rows 1-2: calamine trims the range, the reader must not.
    let path = temp_path("distributor_quote_offset.xlsx");
    let mut workbook = Workbook::new();
    workbook.add_worksheet().set_name("Cover").unwrap();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Quote").unwrap();
    sheet.write_string(2, 1, "QUOTE #Q-2291").unwrap();
    sheet.write_string(4, 1, "Make").unwrap();
    sheet.write_string(4, 2, "Part No").unwrap();
    sheet.write_string(4, 3, "QTY").unwrap();
    sheet.write_string(5, 1, "Axis").unwrap();
    sheet.write_string(5, 2, "01532-001").unwrap();
    sheet.write_string(5, 3, "three").unwrap();
    workbook.save(&path).unwrap();

    let bom = read_bom(&path, &ReadOptions::default()).unwrap();
    assert_eq!(bom.lines.len(), 1);
    assert_eq!(
        bom.lines[0].problems[0].to_string(),
        format!(
            "{}[Quote]:6: column D (qty): \"three\" is not a number; the line is checked without it",
            path.display()
        ),
        "the empty first sheet is skipped; rows and letters are the spreadsheet's"
    );
    let column = bom.lines[0].problems[0].location.column.as_ref().unwrap();
    assert_eq!(column.header, "QTY");
}

#[test]
fn xlsx_sheet_option_selects_by_name() {
    let path = temp_path("distributor_quote_two_sheets.xlsx");
    let first: Vec<Record> = vec![
        (1, vec!["Manufacturer".into(), "Model".into()]),
        (2, vec!["Axis".into(), "P3265-LVE".into()]),
    ];
    let second: Vec<Record> = vec![
        (3, vec!["Brand".into(), "SKU".into(), "Price".into()]),
        (
            4,
            vec!["Wisenet".into(), "XNV-8081Z".into(), "889.99".into()],
        ),
    ];
    write_xlsx(&path, &[("Cameras", &first), ("Options", &second)]);

    let default = read(&path);
    assert_eq!(default.sheet.as_deref(), Some("Cameras"));
    assert_eq!(default.lines[0].model.as_deref(), Some("P3265-LVE"));

    let options = read_bom(&path, &ReadOptions::default().with_sheet("Options")).unwrap();
    assert_eq!(options.sheet.as_deref(), Some("Options"));
    assert_eq!(options.header_row, 3);
    let line = &options.lines[0];
    assert_eq!(line.origin.row, 4);
    assert_eq!(line.brand.as_deref(), Some("Wisenet"));
    assert_eq!(line.part_number.as_deref(), Some("XNV-8081Z"));
    assert_eq!(line.unit_price, Some(889.99));
}

#[test]
fn unknown_sheet_lists_the_available_ones() {
    let path = temp_path("distributor_quote_unknown_sheet.xlsx");
    let rows: Vec<Record> = vec![(1, vec!["Mfr".into(), "Model".into()])];
    write_xlsx(&path, &[("Cameras", &rows), ("Mounts", &rows)]);
    let err = read_bom(&path, &ReadOptions::default().with_sheet("Sheet1")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownSheet);
    assert_eq!(
        err.to_string(),
        format!(
            "{}: there is no sheet named \"Sheet1\"; available sheets: \"Cameras\", \"Mounts\"",
            path.display()
        )
    );
}

#[test]
fn empty_sheet_is_an_error() {
    let path = temp_path("distributor_quote_empty_sheet.xlsx");
    let rows: Vec<Record> = vec![
        (1, vec!["Mfr".into(), "Model".into()]),
        (2, vec!["Axis".into(), "M3086-V".into()]),
    ];
    write_xlsx(&path, &[("Cameras", &rows), ("Blank", &[])]);
    let err = read_bom(&path, &ReadOptions::default().with_sheet("Blank")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::EmptySheet);
    assert_eq!(
        err.to_string(),
        format!(
            "{}[Blank]: the sheet is empty: there is no header row and no line to read",
            path.display()
        )
    );

    let all_blank = temp_path("distributor_quote_all_blank.xlsx");
    write_xlsx(&all_blank, &[("Sheet1", &[]), ("Sheet2", &[])]);
    let err = read_bom(&all_blank, &ReadOptions::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::EmptySheet);
    assert!(err.message().contains("\"Sheet1\", \"Sheet2\""), "{err}");
}

#[test]
fn text_file_named_xlsx_is_not_a_workbook() {
    let path = fixture("distributor_quote_saved_as_csv.xlsx");
    let err = read_bom(&path, &ReadOptions::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Format);
    assert_eq!(
        err.to_string(),
        format!(
            "{}: the file is not a valid XLSX workbook (it looks like a text file, perhaps CSV \
             saved with the wrong extension)",
            path.display()
        )
    );
    assert!(
        std::error::Error::source(&err).is_some(),
        "calamine's error is kept"
    );
}

#[test]
fn broken_csv_quoting_names_the_line() {
    let path = fixture("site_survey_unclosed_quote.csv");
    let err = read_bom(&path, &ReadOptions::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Format);
    assert_eq!(err.location().row, Some(3));
    assert_eq!(
        err.to_string(),
        format!(
            "{}:3: broken CSV quoting in column C: the quote opened here is never closed, so \
             the rest of the file would be read as one cell",
            path.display()
        )
    );

    let inner_quotes =
        "Mfr,Model,Description\nAxis,P3265-LVE,\"Dome\"\nAxis,Q6135,\"PTZ \"outdoor\" camera\"\n";
    let err = read_bom_from_bytes(
        Path::new("survey.csv"),
        inner_quotes.as_bytes(),
        Format::Csv,
        &ReadOptions::default(),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Format);
    assert_eq!(
        err.to_string(),
        "survey.csv:3: broken CSV quoting in column C: text follows a closing quote; a quote \
         inside a quoted field must be doubled (\"\")"
    );
}

#[test]
fn bad_qty_is_a_problem_on_its_line_and_the_line_is_still_read() {
    let path = fixture("integrator_bom_bad_qty.csv");
    let bom = read_bom(&path, &ReadOptions::default()).unwrap();
    assert_eq!(bom.lines.len(), 2, "both lines are read");
    let bad = &bom.lines[1];
    assert_eq!(bad.model.as_deref(), Some("M3086-V"));
    assert_eq!(bad.qty, None);
    assert_eq!(
        bad.problems[0].to_string(),
        format!(
            "{}:3: column D (qty): \"ten\" is not a number; the line is checked without it",
            path.display()
        )
    );
    assert_eq!(bad.problems[0].kind, WarningKind::BadCell);
    let column = bad.problems[0].location.column.as_ref().unwrap();
    assert_eq!(
        (column.letter(), column.field),
        ("D".to_owned(), Some(Field::Qty))
    );
    assert_eq!(
        bom.warnings, bad.problems,
        "and it is reported with the warnings"
    );
}

#[test]
fn every_bad_cell_is_reported_not_just_the_first() {
    let text = "Mfr,Model,Qty,Unit Price\nAxis,P3265-LVE,2 ea,$100\nBosch,NDE-3503-AL,3,TBD\nHanwha,XNV-6081,x,n/a\n";
    let bom = read_bom_from_bytes(
        Path::new("quote.csv"),
        text.as_bytes(),
        Format::Csv,
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(bom.lines.len(), 3);
    let named: Vec<String> = bom.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(named.len(), 4, "{named:#?}");
    assert!(
        named[0].starts_with("quote.csv:2: column C (qty): \"2 ea\""),
        "{named:#?}"
    );
    assert!(
        named[1].starts_with("quote.csv:3: column D (unit_price): \"TBD\""),
        "{named:#?}"
    );
    assert!(
        named[2].starts_with("quote.csv:4: column C (qty)"),
        "{named:#?}"
    );
    assert!(
        named[3].starts_with("quote.csv:4: column D (unit_price)"),
        "{named:#?}"
    );
    assert_eq!(
        bom.lines[0].unit_price,
        Some(100.0),
        "good cells on a bad line are kept"
    );
}

#[test]
fn negative_qty_and_foreign_price_are_problems_on_the_line() {
    let read = |text: &str| {
        read_bom_from_bytes(
            Path::new("bom.csv"),
            text.as_bytes(),
            Format::Csv,
            &ReadOptions::default(),
        )
        .unwrap()
    };
    let bom = read("Model,Qty\nP3265,-2\n");
    assert_eq!(
        bom.lines[0].problems[0].to_string(),
        "bom.csv:2: column B (qty): \"-2\" is negative; a quantity must be 0 or more; the line \
         is checked without it"
    );
    let bom = read("Model,Price\nP3265,€120\n");
    assert_eq!(
        bom.lines[0].problems[0].to_string(),
        "bom.csv:2: column B (unit_price): \"€120\" is not a price (expected a number, \
         optionally with $ or USD); the line is checked without it"
    );
}

#[test]
fn header_without_maker_or_model_column_is_an_error() {
    let path = fixture("county_purchasing_no_maker_column.csv");
    let err = read_bom(&path, &ReadOptions::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Header);
    assert_eq!(err.location().row, Some(3), "names the header row it found");
    let text = err.to_string();
    assert!(
        text.starts_with(&format!(
            "{}:3: the header row has A (description), B (qty), C (unit_price) but no column \
             naming the product; expected a maker column (Manufacturer",
            path.display()
        )),
        "{text}"
    );
}

#[test]
fn no_recognisable_columns_is_an_error() {
    let path = fixture("meeting_notes_not_a_bom.csv");
    let err = read_bom(&path, &ReadOptions::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Header);
    assert!(
        err.to_string()
            .starts_with(&format!("{}: no header row found", path.display())),
        "{err}"
    );
}

#[test]
fn two_columns_for_one_field_is_an_error_not_a_guess() {
    let text = "Vendor,Manufacturer,Model\nAnixter,Axis,P3265\n";
    let err = read_bom_from_bytes(
        Path::new("quote.csv"),
        text.as_bytes(),
        Format::Csv,
        &ReadOptions::default(),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Header);
    assert_eq!(
        err.to_string(),
        "quote.csv:1: columns A \"Vendor\" and B \"Manufacturer\" both name the manufacturer \
         column; rename or remove one so that it is clear which to read"
    );
}

#[test]
fn empty_csv_is_an_error_and_header_only_is_a_warning() {
    let read = |text: &str| {
        read_bom_from_bytes(
            Path::new("bom.csv"),
            text.as_bytes(),
            Format::Csv,
            &ReadOptions::default(),
        )
    };
    assert_eq!(read("").unwrap_err().kind(), ErrorKind::EmptySheet);
    assert_eq!(read("\n,,\n\n").unwrap_err().kind(), ErrorKind::EmptySheet);
    let bom = read("Mfr,Model\n").unwrap();
    assert!(bom.lines.is_empty());
    assert_eq!(bom.warnings[0].kind, WarningKind::NoLines);
}

#[test]
fn crlf_bom_marker_tsv_and_semicolons() {
    let crlf =
        "\u{feff}Title\r\n\r\nManufacturer,Model\r\n\"Axis\",\"P3265\r\nLVE\"\r\nBosch,NDE\r\n";
    let bom = read_bom_from_bytes(
        Path::new("bom.csv"),
        crlf.as_bytes(),
        Format::Csv,
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(bom.header_row, 3);
    let rows: Vec<usize> = bom.lines.iter().map(|l| l.origin.row).collect();
    assert_eq!(rows, [4, 6]);
    assert_eq!(bom.lines[0].model.as_deref(), Some("P3265\r\nLVE"));

    let tsv = "Make\tSKU\tQty\nAxis\t01532-001\t2\n";
    let bom = read_bom_from_bytes(
        Path::new("bom.tsv"),
        tsv.as_bytes(),
        Format::Tsv,
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(bom.lines[0].part_number.as_deref(), Some("01532-001"));

    let semi = "Hersteller;Model;Qty\nAxis;P3265;4\n";
    let bom = read_bom_from_bytes(
        Path::new("bom.csv"),
        semi.as_bytes(),
        Format::Csv,
        &ReadOptions::default().with_delimiter(b';'),
    )
    .unwrap();
    assert_eq!(bom.lines[0].qty, Some(4.0));
    assert_eq!(
        bom.warnings[0].kind,
        WarningKind::UnknownColumn,
        "Hersteller"
    );
}

#[test]
fn non_utf8_csv_names_the_cell() {
    let bytes = b"Mfr,Model,COO\nAxis,P3265,Schweden \xE4\n";
    let err = read_bom_from_bytes(
        Path::new("bom.csv"),
        bytes,
        Format::Csv,
        &ReadOptions::default(),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Format);
    assert!(
        err.to_string().starts_with("bom.csv:2: column C: "),
        "{err}"
    );
}

#[test]
fn toml_bom() {
    let path = fixture("officer_bom.toml");
    let bom = read(&path);
    assert_eq!(bom.header_row, 0);
    assert_eq!(
        bom.headers,
        [
            "manufacturer",
            "brand",
            "model",
            "part_number",
            "components",
            "country_of_origin",
            "qty",
            "unit_price"
        ]
    );
    let rows: Vec<usize> = bom.lines.iter().map(|l| l.origin.row).collect();
    assert_eq!(rows, [4, 11], "the lines of the [[line]] headers");
    let axis = &bom.lines[0];
    assert_eq!(axis.manufacturer.as_deref(), Some("Axis Communications"));
    assert_eq!(axis.qty, Some(4.0));
    assert_eq!(axis.unit_price, Some(1234.5));
    assert_eq!(axis.cells[0], "Axis Communications");
    assert_eq!(axis.cells[7], "$1,234.50");
    let wisenet = &bom.lines[1];
    assert_eq!(wisenet.brand.as_deref(), Some("Wisenet"));
    assert_eq!(wisenet.qty, Some(2.0));
    assert_eq!(wisenet.unit_price, Some(889.99));
    assert_eq!(wisenet.components.as_deref(), Some("Wisenet 7"));
    assert!(bom.warnings.is_empty());
}

#[test]
fn toml_errors() {
    let read = |text: &str| {
        read_bom_from_bytes(
            Path::new("bom.toml"),
            text.as_bytes(),
            Format::Toml,
            &ReadOptions::default(),
        )
        .unwrap_err()
    };
    let err = read("[[line]]\nmodel = \"P3265\"\n");
    assert_eq!(err.kind(), ErrorKind::Format);
    assert!(err.message().contains("version = 1"), "{err}");

    let err = read("version = 2\n[[line]]\nmodel = \"P3265\"\n");
    assert_eq!(
        err.to_string(),
        "bom.toml:1: unsupported TOML BOM version 2; this reader knows version 1"
    );

    let err = read("version = 1\n\n[[line]]\nmanufactuer = \"Axis\"\nmodel = \"P3265\"\n");
    assert_eq!(err.kind(), ErrorKind::Format);
    assert_eq!(err.location().row, Some(4), "{err}");
    assert!(err.message().contains("manufactuer"), "{err}");

    let bom = read_bom_from_bytes(
        Path::new("bom.toml"),
        b"version = 1\n[[line]]\nmodel = \"P3265\"\nqty = \"ten\"\n",
        Format::Toml,
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(
        bom.lines[0].problems[0].to_string(),
        "bom.toml:4: qty: \"ten\" is not a number; the line is checked without it"
    );

    let err = read("version = 1\n[[line]]\ndescription = \"Mount\"\n");
    assert_eq!(err.kind(), ErrorKind::Field);
    assert_eq!(err.location().row, Some(2));

    let err = read("version = 1\n");
    assert_eq!(err.kind(), ErrorKind::EmptySheet);
}

#[test]
fn unsupported_extension_and_missing_file() {
    let err = read_bom(Path::new("quote.pdf"), &ReadOptions::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Format);
    assert!(err.message().contains(".pdf"), "{err}");

    let missing = temp_path("does_not_exist.csv");
    let err = read_bom(&missing, &ReadOptions::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io);

    // An explicit format overrides the extension.
    let bom = read_bom(
        &fixture("distributor_quote_saved_as_csv.xlsx"),
        &ReadOptions::default().with_format(Format::Csv),
    )
    .unwrap();
    assert_eq!(bom.lines[0].model.as_deref(), Some("P3265-LVE"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Arbitrary cells, joined without escaping so that stray quotes and delimiters occur:
    /// the reader may refuse the file but must never panic.
    #[test]
    fn csv_reader_never_panics_on_raw_text(
        rows in prop::collection::vec(prop::collection::vec(any::<String>(), 0..6), 0..8),
        sep in prop::sample::select(vec![",", "\n", "\r\n", "\"", ";"]),
    ) {
        let text: String = rows
            .iter()
            .map(|r| r.join(sep))
            .collect::<Vec<_>>()
            .join("\n");
        let _ = read_bom_from_bytes(Path::new("fuzz.csv"), text.as_bytes(), Format::Csv, &ReadOptions::default());
    }

    /// Properly escaped arbitrary cells under a real header always read, and every line keeps
    /// its cells and the line number where its record starts.
    #[test]
    fn escaped_csv_keeps_cells_and_line_numbers(
        cells in prop::collection::vec(("[A-Za-z0-9 ]{1,8}", any::<String>(), "[0-9]{1,4}"), 1..6),
    ) {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(["Manufacturer", "Description", "Qty"]).unwrap();
        for (maker, desc, qty) in &cells {
            writer.write_record([maker.as_str(), desc.as_str(), qty.as_str()]).unwrap();
        }
        let bytes = writer.into_inner().unwrap();
        let bom = read_bom_from_bytes(Path::new("fuzz.csv"), &bytes, Format::Csv, &ReadOptions::default());
        let bom = match bom {
            Ok(bom) => bom,
            Err(e) => return Err(TestCaseError::fail(e.to_string())),
        };
        let text = String::from_utf8(bytes).unwrap();
        for line in &bom.lines {
            // The record starts at the line it names: the text before it has row-1 newlines.
            let start = text.match_indices('\n').nth(line.origin.row - 2).map(|(i, _)| i + 1).unwrap();
            let maker_cell = &line.cells[0];
            prop_assert!(text[start..].starts_with(maker_cell.as_str()) || text[start..].starts_with('"'));
        }
        let kept: Vec<&str> = bom.lines.iter().map(|l| l.cells[1].as_str()).collect();
        let expected: Vec<&str> = cells
            .iter()
            // A row is a line when it names a maker, or when its description holds a model
            // number or describes an ordered item (every generated row has a quantity) that is
            // not a total.
            .filter(|(m, d, _)| {
                !m.trim().is_empty()
                    || camscope_bom::looks_like_model(d.trim())
                    || (!d.trim().is_empty() && !names_a_total(d))
            })
            .map(|(_, d, _)| d.as_str())
            .collect();
        prop_assert_eq!(kept, expected);
    }
}

/// Whether a description reads as a total row (the reader's words for one).
fn names_a_total(text: &str) -> bool {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| matches!(w, "total" | "subtotal" | "totals" | "sub" | "grand"))
}

/// Escapes text for XML content and attributes.
fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Writes a minimal OpenDocument spreadsheet holding `records` at their row numbers. Cells
/// with line breaks become one `<text:p>` per line, as LibreOffice writes them.
fn write_ods(path: &Path, sheet: &str, records: &[Record]) {
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    let mut content = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>"#,
    );
    content.push_str(&format!(
        r#"<table:table table:name="{}">"#,
        xml_escape(sheet)
    ));
    let mut next_row = 1;
    for (line, cells) in records {
        while next_row < *line {
            content.push_str("<table:table-row><table:table-cell/></table:table-row>");
            next_row += 1;
        }
        content.push_str("<table:table-row>");
        for cell in cells {
            match cell.parse::<f64>() {
                _ if cell.is_empty() => content.push_str("<table:table-cell/>"),
                Ok(n) if n.to_string() == *cell => content.push_str(&format!(
                    r#"<table:table-cell office:value-type="float" office:value="{cell}"><text:p>{cell}</text:p></table:table-cell>"#
                )),
                _ => {
                    content.push_str(r#"<table:table-cell office:value-type="string">"#);
                    for paragraph in cell.split('\n') {
                        content.push_str(&format!("<text:p>{}</text:p>", xml_escape(paragraph)));
                    }
                    content.push_str("</table:table-cell>");
                }
            }
        }
        content.push_str("</table:table-row>");
        next_row += 1;
    }
    content.push_str("</table:table></office:spreadsheet></office:body></office:document-content>");

    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"#;

    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    zip.start_file("META-INF/manifest.xml", stored).unwrap();
    zip.write_all(manifest.as_bytes()).unwrap();
    zip.start_file("content.xml", stored).unwrap();
    zip.write_all(content.as_bytes()).unwrap();
    zip.finish().unwrap();
}

#[test]
fn ods_with_the_same_layout_gives_the_same_lines_and_rows() {
    let csv_path = fixture("integrator_bom.csv");
    let records = csv_records(&csv_path);
    let ods_path = temp_path("county_inventory.ods");
    write_ods(&ods_path, "Inventory", &records);

    let from_csv = read(&csv_path);
    let from_ods = read(&ods_path);
    assert_eq!(from_ods.sheet.as_deref(), Some("Inventory"));
    assert_eq!(from_ods.header_row, from_csv.header_row);
    assert_eq!(from_ods.headers, from_csv.headers);
    assert_eq!(from_ods.lines.len(), from_csv.lines.len());
    for (o, c) in from_ods.lines.iter().zip(&from_csv.lines) {
        assert_eq!(o.origin.sheet.as_deref(), Some("Inventory"));
        let mut o = o.clone();
        o.origin = c.origin.clone();
        assert_eq!(&o, c);
    }
}

#[test]
fn text_file_named_ods_is_not_a_spreadsheet() {
    let err = read_bom_from_bytes(
        Path::new("inventory.ods"),
        b"Mfr,Model\nAxis,P3265\n",
        Format::Ods,
        &ReadOptions::default(),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Format);
    assert!(
        err.to_string()
            .starts_with("inventory.ods: the file is not a valid ODS spreadsheet"),
        "{err}"
    );
}

/// Issue 11: an officer's quote whose part-number header was unknown lost a Hikvision line, and
/// a row holding only a description was skipped like a subtotal.
#[test]
fn product_rows_are_never_skipped_and_skipped_rows_say_why() {
    let text = "\
ACME Distribution — Quote Q-1187,,,,,,
Line #,Mfr,Mfg Part #,Item Description,COO,Qty,Unit Price
CAMERAS,,,,,,
1,,DS-2CD2183G2-IU,8MP bullet,China,4,$210
2,,,Hikvision DS-2CD2143G2-I dome,China,2,$180
3,,,Ceiling mount for dome,,2,$12
,,,Subtotal,,,$1212
Note: prices valid 30 days,,,,,,
";
    let bom = read_bom_from_bytes(
        Path::new("quote.csv"),
        text.as_bytes(),
        Format::Csv,
        &ReadOptions::default(),
    )
    .unwrap();
    let rows: Vec<usize> = bom.lines.iter().map(|l| l.origin.row).collect();
    assert_eq!(
        rows,
        [4, 5, 6],
        "the part-number row, the description-with-model row and the described row with a \
         quantity (an ordered accessory) are lines"
    );
    assert_eq!(bom.lines[0].part_number.as_deref(), Some("DS-2CD2183G2-IU"));
    assert_eq!(bom.lines[0].country_of_origin.as_deref(), Some("China"));
    let skipped: Vec<(usize, &str)> = bom
        .skipped
        .iter()
        .map(|s| (s.origin.row, s.reason.as_str()))
        .collect();
    assert_eq!(skipped, [(3, "section-heading"), (7, "total"), (8, "note")]);

    // With a hint that knows makers, a description naming one is a line too.
    let hint = camscope_bom::ProductHint::new(|d| {
        d.to_lowercase().contains("hikvision") || d.contains("mount")
    });
    let bom = read_bom_from_bytes(
        Path::new("quote.csv"),
        text.as_bytes(),
        Format::Csv,
        &ReadOptions::default().with_product_hint(hint),
    )
    .unwrap();
    let rows: Vec<usize> = bom.lines.iter().map(|l| l.origin.row).collect();
    assert_eq!(rows, [4, 5, 6]);
}

#[test]
fn model_like_tokens() {
    for yes in [
        "DS-2CD2183G2-IU",
        "Hikvision DS-2CD2143G2-I dome",
        "P3265-LVE",
        "XNV-6081",
        "Hi3516EV300",
    ] {
        assert!(camscope_bom::looks_like_model(yes), "{yes}");
    }
    for no in [
        "Subtotal",
        "4MP dome 2.8mm",
        "1000ft Cat6 cable",
        "Prices valid 30 days",
        "24VAC 12VDC",
    ] {
        assert!(!camscope_bom::looks_like_model(no), "{no}");
    }
}

/// A maker cell merged down over the lines of that maker (Excel shows "Hikvision" beside each
/// of them) gives every one of those lines the maker; a note merged over several rows and
/// columns stays one note on its first row, and nothing else moves.
#[test]
fn a_maker_cell_merged_down_belongs_to_every_row_it_spans() {
    use rust_xlsxwriter::Format;
    let path = temp_path("merged_maker.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let plain = Format::new();
    for (c, h) in ["Mfr", "Mfg Part #", "Item Description", "COO", "Qty"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    // B2:E4 hold three Hikvision lines; A2:A4 is one merged "Hikvision" cell.
    sheet.merge_range(1, 0, 3, 0, "Hikvision", &plain).unwrap();
    for (r, (pn, d)) in [
        ("DS-2CD2143G2-I", "4MP dome"),
        ("DS-2CD2183G2-IU", "8MP bullet"),
        ("DS-7608NXI-K2", "8-channel NVR"),
    ]
    .iter()
    .enumerate()
    {
        let r = r as u32 + 1;
        sheet.write_string(r, 1, *pn).unwrap();
        sheet.write_string(r, 2, *d).unwrap();
        sheet.write_string(r, 3, "China").unwrap();
        sheet.write_number(r, 4, 2.0).unwrap();
    }
    sheet.write_string(4, 0, "Axis").unwrap();
    sheet.write_string(4, 1, "P3265-LVE").unwrap();
    sheet.write_string(4, 2, "dome").unwrap();
    sheet.write_string(4, 3, "Sweden").unwrap();
    sheet.write_number(4, 4, 1.0).unwrap();
    // A note merged over A7:E8.
    sheet
        .merge_range(6, 0, 7, 4, "Note: lead time 4-6 weeks", &plain)
        .unwrap();
    book.save(&path).unwrap();

    let bom = read(&path);
    let makers: Vec<(usize, Option<&str>)> = bom
        .lines
        .iter()
        .map(|l| (l.origin.row, l.manufacturer.as_deref()))
        .collect();
    assert_eq!(
        makers,
        [
            (2, Some("Hikvision")),
            (3, Some("Hikvision")),
            (4, Some("Hikvision")),
            (5, Some("Axis"))
        ]
    );
    let skipped: Vec<usize> = bom.skipped.iter().map(|s| s.origin.row).collect();
    assert_eq!(skipped, [7], "the note is listed once, on its first row");
}

/// A CSV far larger than the reader's blocks, with blank lines, CRLF and LF line ends and
/// quoted cells spanning lines scattered through it: read from the file line by line, every
/// line has the row number of the physical line its record starts on and its own cells, the
/// same as a whole read, and a `Break` stops the read at once.
#[test]
fn streamed_csv_keeps_row_numbers_across_blocks() {
    let path = temp_path("streamed.csv");
    let mut text = String::from("Quote 2291\r\n\r\nMfr,Model,Description,Qty\n");
    let mut line = 4usize;
    let mut expected = Vec::new();
    for i in 0..40_000usize {
        // Every 7th record is preceded by blank lines, every 5th ends in CRLF, every 11th
        // holds a description over three lines.
        for _ in 0..(i % 7 == 0) as usize * (1 + i % 3) {
            text.push_str(if i % 2 == 0 { "\r\n" } else { "\n" });
            line += 1;
        }
        let description = if i % 11 == 0 {
            format!("\"dome {i}\nsecond line\r\nthird\"")
        } else {
            format!("dome {i}")
        };
        expected.push((line, format!("M-{i:05}")));
        text.push_str(&format!("Axis,M-{i:05},{description},{}", 1 + i % 9));
        text.push_str(if i % 5 == 0 { "\r\n" } else { "\n" });
        line += 1 + if i % 11 == 0 { 2 } else { 0 };
    }
    std::fs::write(&path, &text).unwrap();

    let mut streamed = Vec::new();
    let described = camscope_bom::read_bom_lines(&path, &ReadOptions::default(), &mut |l| {
        streamed.push((l.origin.row, l.model.clone().unwrap_or_default()));
        std::ops::ControlFlow::Continue(())
    })
    .unwrap();
    assert!(described.lines.is_empty(), "a streamed read keeps no line");
    assert_eq!(described.header_row, 3);
    assert_eq!(streamed.len(), expected.len());
    for (got, want) in streamed.iter().zip(&expected) {
        assert_eq!(got, want);
    }
    let whole = read(&path);
    let rows: Vec<usize> = whole.lines.iter().map(|l| l.origin.row).collect();
    assert_eq!(rows, expected.iter().map(|e| e.0).collect::<Vec<_>>());
    assert_eq!(
        whole.lines[11].description.as_deref(),
        Some("dome 11\nsecond line\r\nthird")
    );

    let mut seen = 0;
    camscope_bom::read_bom_lines(&path, &ReadOptions::default(), &mut |_| {
        seen += 1;
        if seen == 3 {
            std::ops::ControlFlow::Break(())
        } else {
            std::ops::ControlFlow::Continue(())
        }
    })
    .unwrap();
    assert_eq!(seen, 3, "Break stops the read");
}

/// An XLSX read cell by cell gives the same lines, rows, types and merged-cell fill as the
/// whole read, and lines come before the sheet is finished.
#[test]
fn streamed_xlsx_matches_the_whole_read() {
    let path = temp_path("streamed.xlsx");
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Quote").unwrap();
    sheet.write_string(0, 0, "Quote 77").unwrap();
    for (c, h) in ["Mfr", "Model", "Qty", "Unit Price"].iter().enumerate() {
        sheet.write_string(2, c as u16, *h).unwrap();
    }
    let plain = rust_xlsxwriter::Format::new();
    for i in 0..3000u32 {
        let row = 3 + i;
        if i % 10 == 0 {
            sheet
                .merge_range(row, 0, row + 2, 0, "Hikvision", &plain)
                .unwrap();
        } else if i % 10 > 2 {
            sheet.write_string(row, 0, "Axis").unwrap();
        }
        sheet.write_string(row, 1, format!("P{i:05}-LVE")).unwrap();
        sheet.write_number(row, 2, f64::from(1 + i % 4)).unwrap();
        sheet.write_number(row, 3, 99.5).unwrap();
    }
    workbook.save(&path).unwrap();

    let whole = read(&path);
    let mut streamed = Vec::new();
    camscope_bom::read_bom_lines(&path, &ReadOptions::default(), &mut |l| {
        streamed.push(l);
        std::ops::ControlFlow::Continue(())
    })
    .unwrap();
    assert_eq!(whole.lines.len(), 3000);
    assert_eq!(streamed.len(), 3000);
    for (s, w) in streamed.iter().zip(&whole.lines) {
        assert_eq!(identity(s), identity(w));
        assert_eq!(
            (s.origin.row, s.qty, &s.typed),
            (w.origin.row, w.qty, &w.typed)
        );
    }
    // Rows 4..6 are under one merged "Hikvision" cell; row 7 (i = 3) is Axis.
    let makers: Vec<&str> = whole.lines[..4]
        .iter()
        .map(|l| l.manufacturer.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(makers, ["Hikvision", "Hikvision", "Hikvision", "Axis"]);
    assert_eq!(whole.lines[0].origin.row, 4);
}
