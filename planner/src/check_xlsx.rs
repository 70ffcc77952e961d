//! The BOM check as a workbook the officer keeps working in: their own rows with their own cell
//! types (numbers stay numbers, dates stay dates), the verdict columns beside them with the
//! verdicts coloured, a frozen header with a filter, and Summary, Skipped and About sheets.
//!
//! Fed from the compact per-line result ([`CheckReport`]), never from the raw workbook; the
//! Compliance sheet is written in rust_xlsxwriter's low-memory mode, row by row.

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use crate::check::{CheckReport, CheckedLine, VERDICT_COLUMNS, skipped_cells, verdict_cells};
use crate::check_html::{exit_result, summary_counts};

/// Widest a column is set, in characters; longer text wraps.
const MAX_WIDTH: usize = 50;
/// Lines looked at to size the officer's columns (enough to see what a column holds).
const SIZE_FROM_LINES: usize = 500;

/// Fill colours of the verdict cells (level, 889 verdict, TAA verdict), by what the value means
/// to the officer: red blocks, amber needs a person, purple was accepted, green is clear.
const FILLS: [(&[&str], u32); 5] = [
    (&["deny", "covered", "non_designated"], 0xFFD7D5),
    (&["warn", "needs_review", "unknown"], 0xFFF1C2),
    (&["waived"], 0xE8DDFB),
    (&["ok", "not_covered", "designated"], 0xD5F0DC),
    (&["skipped"], 0xEAEEF2),
];

fn fill_of(value: &str) -> Option<usize> {
    FILLS.iter().position(|(values, _)| values.contains(&value))
}

/// Width in characters of the verdict columns, by header; the long ones wrap.
fn verdict_width(header: &str) -> (f64, bool) {
    match header {
        "889 reason" | "TAA reason" => (48.0, true),
        "889 chain" | "889 citation" | "TAA citation" | "other lists" | "waiver" => (34.0, true),
        "889 source" => (30.0, false),
        "889 code" | "TAA code" => (22.0, false),
        "data version" => (24.0, false),
        _ => (14.0, false),
    }
}

struct Formats {
    header: Format,
    wrap: Format,
    date: Format,
    date_time: Format,
}

/// XLSX: the officer's own columns, as read and with their types, then the verdict columns;
/// the first column gives the source row so every line can be found in the original sheet.
pub fn xlsx(r: &CheckReport) -> Result<Vec<u8>, XlsxError> {
    let f = Formats {
        header: Format::new()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Top)
            .set_background_color(Color::RGB(0xF6F8FA))
            .set_border_bottom(FormatBorder::Thin),
        wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
        date: Format::new()
            .set_num_format("yyyy-mm-dd")
            .set_align(FormatAlign::Top),
        date_time: Format::new()
            .set_num_format("yyyy-mm-dd hh:mm")
            .set_align(FormatAlign::Top),
    };
    let mut book = Workbook::new();
    // The lines sheet is written row by row to a temporary file rather than held as cells in
    // memory: a 100,000-line check otherwise holds every cell twice over while it saves.
    compliance_sheet(book.add_worksheet_with_low_memory()?, r, &f)?;
    summary_sheet(book.add_worksheet(), r, &f)?;
    skipped_sheet(book.add_worksheet(), r, &f)?;
    about_sheet(book.add_worksheet(), r, &f)?;
    book.save_to_buffer()
}

fn compliance_sheet(sheet: &mut Worksheet, r: &CheckReport, f: &Formats) -> Result<(), XlsxError> {
    sheet.set_name("Compliance")?;
    let data = r.data.column_text();
    let own = r.headers.len() as u16;
    sheet.write_string_with_format(0, 0, "source row", &f.header)?;
    sheet.set_column_width(0, 8)?;
    for (i, h) in r.headers.iter().enumerate() {
        sheet.write_string_with_format(0, i as u16 + 1, h, &f.header)?;
    }
    for (i, h) in VERDICT_COLUMNS.iter().enumerate() {
        let col = own + 1 + i as u16;
        sheet.write_string_with_format(0, col, *h, &f.header)?;
        let (width, wrap) = verdict_width(h);
        if wrap {
            sheet.set_column_format(col, &f.wrap)?;
        }
        sheet.set_column_width(col, width)?;
    }
    // The officer's columns as wide as what they hold (header included), wrapping past that.
    for k in 0..r.headers.len() {
        let widest = r
            .lines
            .iter()
            .take(SIZE_FROM_LINES)
            .filter_map(|l| l.cells.text.get(k))
            .chain(std::iter::once(&r.headers[k]))
            .map(|t| t.trim().chars().count())
            .max()
            .unwrap_or(0);
        let col = k as u16 + 1;
        if widest > MAX_WIDTH {
            sheet.set_column_format(col, &f.wrap)?;
        }
        sheet.set_column_width(col, widest.clamp(6, MAX_WIDTH) as f64 + 1.0)?;
    }
    let fills: Vec<Format> = FILLS
        .iter()
        .map(|(_, rgb)| {
            Format::new()
                .set_background_color(Color::RGB(*rgb))
                .set_align(FormatAlign::Top)
        })
        .collect();
    let colour = |value: &str| fill_of(value).map(|i| &fills[i]);
    let verdict_cols: Vec<bool> = VERDICT_COLUMNS
        .iter()
        .map(|h| matches!(*h, "level" | "889 verdict" | "TAA verdict"))
        .collect();
    for (i, l) in r.lines.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_number(row, 0, l.row as f64)?;
        write_own_cells(sheet, row, l, f)?;
        for (k, cell) in verdict_cells(&data, l).iter().enumerate() {
            let col = own + 1 + k as u16;
            match colour(cell).filter(|_| verdict_cols[k]) {
                Some(fmt) => sheet.write_string_with_format(row, col, cell, fmt)?,
                None if cell.is_empty() => sheet,
                None => sheet.write_string(row, col, cell)?,
            };
        }
    }
    for (i, k) in r.skipped.iter().enumerate() {
        let row = (r.lines.len() + i) as u32 + 1;
        sheet.write_number(row, 0, k.row as f64)?;
        sheet.write_string(row, 1, &k.text)?;
        for (j, cell) in skipped_cells(&data, k).iter().enumerate() {
            let col = own + 1 + j as u16;
            match colour(cell).filter(|_| verdict_cols[j]) {
                Some(fmt) => sheet.write_string_with_format(row, col, cell, fmt)?,
                None if cell.is_empty() => sheet,
                None => sheet.write_string(row, col, cell)?,
            };
        }
    }
    let last_col = own + VERDICT_COLUMNS.len() as u16;
    sheet.set_freeze_panes(1, 1)?;
    sheet.autofilter(0, 0, (r.lines.len() + r.skipped.len()) as u32, last_col)?;
    Ok(())
}

/// The officer's cells of one line: typed where the workbook typed them, text otherwise.
fn write_own_cells(
    sheet: &mut Worksheet,
    row: u32,
    l: &CheckedLine,
    f: &Formats,
) -> Result<(), XlsxError> {
    let mut typed = l.cells.typed.iter().peekable();
    for (k, text) in l.cells.text.iter().enumerate() {
        let col = k as u16 + 1;
        while typed.peek().is_some_and(|(i, _)| *i < k) {
            typed.next();
        }
        match typed.peek().filter(|(i, _)| *i == k).map(|(_, t)| *t) {
            Some(bom::TypedCell::Number(n)) => {
                sheet.write_number(row, col, n)?;
            }
            Some(bom::TypedCell::Date { serial, with_time }) => {
                let fmt = if with_time { &f.date_time } else { &f.date };
                sheet.write_number_with_format(row, col, serial, fmt)?;
            }
            Some(bom::TypedCell::Bool(b)) => {
                sheet.write_boolean(row, col, b)?;
            }
            None if text.trim().is_empty() => {}
            None => {
                sheet.write_string(row, col, text)?;
            }
        }
    }
    Ok(())
}

fn summary_sheet(sheet: &mut Worksheet, r: &CheckReport, f: &Formats) -> Result<(), XlsxError> {
    sheet.set_name("Summary")?;
    sheet.set_column_width(0, 16)?;
    sheet.set_column_width(1, 44)?;
    sheet.set_column_width(2, 10)?;
    sheet.write_string_with_format(0, 0, "group", &f.header)?;
    sheet.write_string_with_format(0, 1, "count", &f.header)?;
    sheet.write_string_with_format(0, 2, "lines", &f.header)?;
    let mut row = 1;
    for c in summary_counts(r) {
        sheet.write_string(row, 0, c.group)?;
        sheet.write_string(row, 1, &c.label)?;
        sheet.write_number(row, 2, c.value as f64)?;
        row += 1;
    }
    row += 1;
    let (exit, _) = exit_result(r);
    for (k, v) in [("deny level", deny_text(r)), ("result", exit)] {
        sheet.write_string_with_format(row, 0, k, &f.header)?;
        sheet.write_string(row, 1, &v)?;
        row += 1;
    }
    Ok(())
}

fn skipped_sheet(sheet: &mut Worksheet, r: &CheckReport, f: &Formats) -> Result<(), XlsxError> {
    sheet.set_name("Skipped")?;
    for (c, (h, w)) in [
        ("source row", 10.0),
        ("reason", 20.0),
        ("why", 60.0),
        ("the row's cells", 60.0),
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string_with_format(0, c as u16, *h, &f.header)?;
        sheet.set_column_width(c as u16, *w)?;
    }
    sheet.set_column_format(2, &f.wrap)?;
    sheet.set_column_format(3, &f.wrap)?;
    for (i, k) in r.skipped.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_number(row, 0, k.row as f64)?;
        sheet.write_string(row, 1, k.reason)?;
        sheet.write_string(row, 2, &k.message)?;
        sheet.write_string(row, 3, &k.text)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, r.skipped.len() as u32, 3)?;
    Ok(())
}

fn deny_text(r: &CheckReport) -> String {
    if r.deny.is_empty() {
        "nothing".into()
    } else {
        r.deny
            .iter()
            .map(|d| d.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn about_sheet(sheet: &mut Worksheet, r: &CheckReport, f: &Formats) -> Result<(), XlsxError> {
    sheet.set_name("About")?;
    sheet.set_column_width(0, 18)?;
    sheet.set_column_width(1, 80)?;
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let rows = [
        ("tool", r.tool.clone()),
        ("file", r.file.clone()),
        ("file sha256", r.file_sha256.clone()),
        ("sheet", opt(&r.sheet)),
        ("project", opt(&r.report.project)),
        ("solicitation", opt(&r.report.solicitation)),
        ("quote", opt(&r.report.quote)),
        ("prepared by", opt(&r.report.prepared_by)),
        ("reviewed by", opt(&r.report.reviewed_by)),
        ("checked as of", r.checked_on.clone()),
        ("data version", r.data.stamp.version.clone()),
        ("data as of", r.data.stamp.as_of.to_string()),
        ("data sha256", r.data.stamp.hash.clone()),
        ("data source", r.data.source.clone()),
        ("deny", deny_text(r)),
    ];
    let mut row = 0;
    for (k, v) in rows.iter().filter(|(_, v)| !v.is_empty()) {
        sheet.write_string_with_format(row, 0, *k, &f.header)?;
        sheet.write_string(row, 1, v)?;
        row += 1;
    }
    row += 1;
    for w in &r.warnings {
        sheet.write_string_with_format(row, 0, "warning", &f.header)?;
        sheet.write_string_with_format(row, 1, w, &f.wrap)?;
        row += 1;
    }
    Ok(())
}
