//! A realistic 146-line distributor quote, as a workbook, for the contract-file outputs of
//! `camscope check` (HTML page count, XLSX cell types): the first 146 labelled lines of
//! `compliance-data/tests/fixtures/labeled_lines.csv` under a merged title block, in sections
//! with subtotals, a note and a total, with typed quantities, prices and ship dates.

use std::path::{Path, PathBuf};

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

const LABELLED: &str = include_str!("../../compliance-data/tests/fixtures/labeled_lines.csv");

/// Lines on the quote.
pub const QUOTE_LINES: usize = 146;
/// Rows below the header that are not lines: section headings, subtotals, a note, a total.
pub const QUOTE_SKIPPED: usize = 6 + 6 + 2;
/// The quote's sheet.
pub const QUOTE_SHEET: &str = "Quote";
/// The quote's header row, as the spreadsheet numbers it.
pub const QUOTE_HEADER_ROW: usize = 4;
/// The header.
pub const QUOTE_HEADER: [&str; 11] = [
    "Line #",
    "Mfr",
    "Brand",
    "Model",
    "Mfg Part #",
    "Item Description",
    "SoC",
    "COO",
    "Qty",
    "Unit Price",
    "Ship Date",
];

/// Writes the quote into `dir` as `distributor_quote_146.xlsx`.
pub fn write_quote_146(dir: &Path) -> Result<PathBuf, XlsxError> {
    let path = dir.join("distributor_quote_146.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(QUOTE_SHEET)?;
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("$#,##0.00");
    let day = Format::new().set_num_format("yyyy-mm-dd");
    sheet.merge_range(
        0,
        0,
        0,
        10,
        "ACME Security Distribution — Quotation Q-26-1187 rev B",
        &bold,
    )?;
    sheet.merge_range(
        1,
        0,
        1,
        10,
        "Customer: Riverside Transit Authority · RFQ 24-117 · valid 30 days",
        &Format::new(),
    )?;
    for (c, h) in QUOTE_HEADER.iter().enumerate() {
        sheet.write_string_with_format(3, c as u16, *h, &bold)?;
    }
    let mut reader = csv::Reader::from_reader(LABELLED.as_bytes());
    let records: Vec<csv::StringRecord> = reader
        .records()
        .filter_map(Result::ok)
        .take(QUOTE_LINES)
        .collect();
    let sections = [
        "CAMERAS",
        "RECORDERS",
        "NETWORK",
        "STORAGE",
        "ACCESSORIES",
        "OTHER",
    ];
    let per_section = QUOTE_LINES.div_ceil(sections.len());
    let mut row: u32 = 4;
    for (s, name) in sections.iter().enumerate() {
        sheet.merge_range(row, 0, row, 10, name, &bold)?;
        row += 1;
        let mut subtotal = 0.0;
        for (i, rec) in records
            .iter()
            .enumerate()
            .skip(s * per_section)
            .take(per_section)
        {
            let mut cells: Vec<&str> = (0..7).map(|k| rec.get(k).unwrap_or("")).collect();
            // A line needs something that names a product; a few labelled lines give only a SoC.
            if cells[..4].iter().all(|c| c.is_empty()) {
                cells[3] = "BOARD-1";
            }
            let [maker, brand, model, part, desc, soc, coo] = [
                cells[0], cells[1], cells[2], cells[3], cells[4], cells[5], cells[6],
            ];
            sheet.write_number(row, 0, (i + 1) as f64)?;
            for (c, v) in [
                (1, maker),
                (2, brand),
                (3, model),
                (4, part),
                (5, desc),
                (6, soc),
                (7, coo),
            ] {
                if !v.is_empty() {
                    sheet.write_string(row, c, v)?;
                }
            }
            let qty = (1 + i % 12) as f64;
            let price = 40.0 + ((i * 37) % 900) as f64 + 0.5;
            subtotal += qty * price;
            sheet.write_number(row, 8, qty)?;
            sheet.write_number_with_format(row, 9, price, &money)?;
            let ship = ExcelDateTime::from_ymd(2027, 1 + (i % 12) as u8, 1 + (i % 28) as u8)?;
            sheet.write_datetime_with_format(row, 10, &ship, &day)?;
            row += 1;
        }
        sheet.write_string(row, 5, format!("Subtotal {}", name.to_lowercase()))?;
        sheet.write_number_with_format(row, 9, subtotal, &money)?;
        row += 1;
    }
    sheet.merge_range(
        row,
        0,
        row,
        10,
        "Note: prices exclude freight; lead time 4-6 weeks",
        &Format::new(),
    )?;
    row += 1;
    sheet.write_string(row, 5, "TOTAL")?;
    book.save(&path)?;
    Ok(path)
}
