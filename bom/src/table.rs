//! Turns a grid of cells (from CSV or a worksheet) into a [`Bom`]: finds the header row, maps
//! its columns, and reads every line below it.
//!
//! Both CSV and workbook readers go through here so that the same layout gives the same lines
//! and the same row numbers whatever the file format; format readers only have to supply each
//! row with the number the spreadsheet shows for it.

use std::collections::BTreeMap;
use std::path::Path;

use crate::columns::Field;
use crate::error::{BomError, BomWarning, Column, ErrorKind, Location, WarningKind};
use crate::value::{ValueError, parse_price, parse_qty};
use crate::{Bom, BomLine, Origin, ProductHint, SkipReason, SkippedRow, TypedCell};

/// One row of the source, numbered as the spreadsheet numbers it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SourceRow {
    /// 1-based row number (the physical line where a CSV record starts).
    pub number: usize,
    /// The cells from column A onwards, as text.
    pub cells: Vec<String>,
    /// The cells the workbook stores as numbers, dates or booleans, by column index.
    pub typed: Vec<(usize, TypedCell)>,
}

impl SourceRow {
    fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.trim().is_empty())
    }
}

/// The outcome of looking for the header row.
#[cfg(test)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum HeaderSearch {
    /// The first row naming two or more known columns, one of which identifies the product.
    Found {
        /// Index into the rows slice.
        index: usize,
        /// The field each column maps to.
        fields: Vec<Option<Field>>,
    },
    /// No such row, but this one names two or more known columns without a maker or model
    /// column: almost certainly the header, missing the columns that matter.
    WithoutProductColumn {
        /// Index into the rows slice.
        index: usize,
        /// The field each column maps to.
        fields: Vec<Option<Field>>,
    },
    /// No row names two known columns.
    NotFound,
}

/// The fields a row's cells name, when it can be the header: two or more distinct known
/// fields. The flag tells whether one of them identifies the product.
fn header_fields(row: &SourceRow) -> Option<(Vec<Option<Field>>, bool)> {
    let fields: Vec<Option<Field>> = row.cells.iter().map(|c| Field::from_header(c)).collect();
    let mut distinct: Vec<Field> = fields.iter().flatten().copied().collect();
    distinct.sort();
    distinct.dedup();
    if distinct.len() < 2 {
        return None;
    }
    let identifies = distinct.iter().any(|f| f.identifies_product());
    Some((fields, identifies))
}

/// Picks the header row: title rows, notes and blank rows above it are common, so the first
/// row that names at least two known fields, one of them maker/brand/model/part number, wins.
#[cfg(test)]
pub(crate) fn find_header(rows: &[SourceRow]) -> HeaderSearch {
    let mut fallback = None;
    for (index, row) in rows.iter().enumerate() {
        let Some((fields, identifies)) = header_fields(row) else {
            continue;
        };
        if identifies {
            return HeaderSearch::Found { index, fields };
        }
        if fallback.is_none() {
            fallback = Some((index, fields));
        }
    }
    match fallback {
        Some((index, fields)) => HeaderSearch::WithoutProductColumn { index, fields },
        None => HeaderSearch::NotFound,
    }
}

/// Header names listed in the "expected" part of header errors.
const EXPECTED_PRODUCT_COLUMNS: &str = "a maker column (Manufacturer, Mfr, Mfg, Make, Vendor, \
     Maker or Brand) or a model/part column (Model, Model No., Part Number, Part No, MPN, SKU \
     or OEM Number)";

/// What a [`LineSink`] tells the reader after each line.
pub type Flow = std::ops::ControlFlow<()>;

/// Where lines go as they are read.
pub type LineSink<'s> = dyn FnMut(BomLine) -> Flow + 's;

/// Reads the rows of one table into a BOM, keeping every line (the tests' entry point; the
/// readers stream through [`TableBuilder`]).
#[cfg(test)]
pub(crate) fn build_bom(
    file: &Path,
    sheet: Option<String>,
    rows: Vec<SourceRow>,
    hint: Option<&ProductHint>,
) -> Result<Bom, BomError> {
    let mut lines = Vec::new();
    let mut builder = TableBuilder::new(file, sheet, hint);
    for row in rows {
        if builder
            .push(row, &mut |line| {
                lines.push(line);
                Flow::Continue(())
            })?
            .is_break()
        {
            break;
        }
    }
    let mut bom = builder.finish()?;
    bom.lines = lines;
    Ok(bom)
}

/// Turns rows, fed in order one at a time, into lines handed to a [`LineSink`] as soon as each
/// is read, and at the end into the [`Bom`] that describes them (header, warnings, skipped
/// rows; its `lines` are left empty). Only the header's layout and the rows not read as lines
/// are kept, so memory does not grow with the number of lines.
///
/// `file` and `sheet` are only used to label origins, errors and warnings.
pub(crate) struct TableBuilder<'a> {
    file: &'a Path,
    sheet: Option<String>,
    hint: Option<&'a ProductHint>,
    /// Whether any row so far shows a value.
    any_value: bool,
    state: State,
}

enum State {
    /// Above the header: the first row naming known columns but none identifying the product,
    /// for the error if no better row follows.
    Searching {
        fallback: Option<(usize, Vec<Option<Field>>)>,
    },
    Reading(Box<Layout>),
}

/// The header's layout and what was gathered below it.
struct Layout {
    header_row: usize,
    /// Header cells as written; grows when a later row is wider than the header row.
    headers: Vec<String>,
    /// Header cells trimmed, as wide as the header row (for repeated-header detection).
    header_cells: Vec<String>,
    fields: Vec<Option<Field>>,
    /// Which column feeds each field, indexed by `Field as usize`: it is looked up for every
    /// cell read.
    by_field: [Option<usize>; Field::ALL.len()],
    /// Unknown-column warnings, then bad cells in line order.
    warnings: Vec<BomWarning>,
    /// The skipped rows' warnings, listed after the others.
    skipped_warnings: Vec<BomWarning>,
    skipped: Vec<SkippedRow>,
    /// Columns without a header holding values, with the first row where they do.
    unnamed_with_data: BTreeMap<usize, usize>,
    lines: usize,
}

impl Layout {
    fn column(&self, index: usize) -> Column {
        Column {
            index,
            header: self.headers.get(index).cloned().unwrap_or_default(),
            field: self.fields.get(index).copied().flatten(),
        }
    }
}

impl<'a> TableBuilder<'a> {
    pub(crate) fn new(
        file: &'a Path,
        sheet: Option<String>,
        hint: Option<&'a ProductHint>,
    ) -> Self {
        TableBuilder {
            file,
            sheet,
            hint,
            any_value: false,
            state: State::Searching { fallback: None },
        }
    }

    /// Whether no row so far showed a value (a workbook's empty cover sheet).
    pub(crate) fn is_blank(&self) -> bool {
        !self.any_value
    }

    fn place(&self) -> Location {
        Location::file(self.file, self.sheet.as_deref())
    }

    /// Takes the next row: above the header it may be the header; below it, it is a line
    /// (handed to `sink`), a skipped row (kept) or blank.
    pub(crate) fn push(
        &mut self,
        row: SourceRow,
        sink: &mut LineSink<'_>,
    ) -> Result<Flow, BomError> {
        if row.is_blank() {
            return Ok(Flow::Continue(()));
        }
        self.any_value = true;
        match &mut self.state {
            State::Searching { fallback } => {
                if let Some((fields, identifies)) = header_fields(&row) {
                    if identifies {
                        let layout = self.layout(row, fields)?;
                        self.state = State::Reading(Box::new(layout));
                    } else if fallback.is_none() {
                        *fallback = Some((row.number, fields));
                    }
                }
                Ok(Flow::Continue(()))
            }
            State::Reading(layout) => {
                let (file, sheet, hint) = (self.file, self.sheet.as_ref(), self.hint);
                Ok(read_row(file, sheet, hint, layout, row).map_or(Flow::Continue(()), sink))
            }
        }
    }

    /// The header row's layout: which column feeds which field, and the unknown columns.
    fn layout(&self, row: SourceRow, fields: Vec<Option<Field>>) -> Result<Layout, BomError> {
        let header_row = row.number;
        let headers = row.cells;
        let mut by_field: [Option<usize>; Field::ALL.len()] = [None; Field::ALL.len()];
        for (index, field) in fields.iter().enumerate() {
            let Some(field) = *field else { continue };
            // Two columns for one field would force a guess.
            if let Some(first) = by_field[field as usize] {
                return Err(BomError::new(
                    ErrorKind::Header,
                    self.place().at_row(header_row),
                    format!(
                        "columns {} {:?} and {} {:?} both name the {field} column; rename or \
                         remove one so that it is clear which to read",
                        column_name(first),
                        headers[first],
                        column_name(index),
                        headers[index]
                    ),
                ));
            }
            by_field[field as usize] = Some(index);
        }
        let mut layout = Layout {
            header_row,
            header_cells: headers.iter().map(|h| h.trim().to_owned()).collect(),
            headers,
            fields,
            by_field,
            warnings: Vec::new(),
            skipped_warnings: Vec::new(),
            skipped: Vec::new(),
            unnamed_with_data: BTreeMap::new(),
            lines: 0,
        };
        for index in 0..layout.headers.len() {
            if !layout.headers[index].trim().is_empty() && layout.fields[index].is_none() {
                layout.warnings.push(BomWarning {
                    kind: WarningKind::UnknownColumn,
                    location: self
                        .place()
                        .at_row(header_row)
                        .at_column(layout.column(index)),
                    message: "unknown column; its values are kept in the raw cells but not read"
                        .to_owned(),
                });
            }
        }
        Ok(layout)
    }

    /// The BOM's description once every row went through [`TableBuilder::push`]; its `lines`
    /// are empty (they went to the sink).
    pub(crate) fn finish(self) -> Result<Bom, BomError> {
        let place = self.place();
        let mut layout = match self.state {
            State::Reading(layout) => layout,
            State::Searching { .. } if !self.any_value => {
                let what = if self.sheet.is_some() {
                    "sheet"
                } else {
                    "file"
                };
                return Err(BomError::new(
                    ErrorKind::EmptySheet,
                    place,
                    format!("the {what} is empty: there is no header row and no line to read"),
                ));
            }
            State::Searching {
                fallback: Some((row, fields)),
            } => {
                let found: Vec<String> = fields
                    .iter()
                    .enumerate()
                    .filter_map(|(i, f)| f.map(|f| format!("{} ({f})", column_name(i))))
                    .collect();
                return Err(BomError::new(
                    ErrorKind::Header,
                    place.at_row(row),
                    format!(
                        "the header row has {} but no column naming the product; expected {}",
                        found.join(", "),
                        EXPECTED_PRODUCT_COLUMNS
                    ),
                ));
            }
            State::Searching { fallback: None } => {
                return Err(BomError::new(
                    ErrorKind::Header,
                    place,
                    format!(
                        "no header row found: no row names at least two known columns; expected \
                         {EXPECTED_PRODUCT_COLUMNS}, plus another known column such as Description, \
                         Qty or Country of Origin"
                    ),
                ));
            }
        };
        let header_row = layout.header_row;
        let unnamed = std::mem::take(&mut layout.unnamed_with_data);
        for (index, first_row) in unnamed {
            let warning = BomWarning {
                kind: WarningKind::UnnamedColumn,
                location: place
                    .clone()
                    .at_row(header_row)
                    .at_column(layout.column(index)),
                message: format!(
                    "column has no header but holds values (first at row {first_row}); they are \
                     kept in the raw cells but not read"
                ),
            };
            layout.warnings.push(warning);
        }
        let Layout {
            headers,
            mut warnings,
            skipped_warnings,
            skipped,
            lines,
            ..
        } = *layout;
        warnings.extend(skipped_warnings);
        if lines == 0 {
            warnings.push(BomWarning {
                kind: WarningKind::NoLines,
                location: place.at_row(header_row),
                message: "the header row is not followed by any line".to_owned(),
            });
        }
        Ok(Bom {
            source: self.file.to_path_buf(),
            sheet: self.sheet,
            header_row,
            headers,
            lines: Vec::new(),
            warnings,
            skipped,
        })
    }
}

/// One non-blank row below the header: its line, or `None` when it is kept as skipped.
fn read_row(
    file: &Path,
    sheet: Option<&String>,
    hint: Option<&ProductHint>,
    layout: &mut Layout,
    row: SourceRow,
) -> Option<BomLine> {
    let place = || Location::file(file, sheet.map(String::as_str));
    if row.cells.len() > layout.headers.len() {
        layout.headers.resize(row.cells.len(), String::new());
    }
    for (index, cell) in row.cells.iter().enumerate() {
        if layout.headers[index].trim().is_empty() && !cell.trim().is_empty() {
            layout.unnamed_with_data.entry(index).or_insert(row.number);
        }
    }
    let by_field = layout.by_field;
    let text = |field: Field| -> Option<String> {
        let index = by_field[field as usize]?;
        let cell = row.cells.get(index)?.trim();
        (!cell.is_empty()).then(|| cell.to_owned())
    };
    let manufacturer = text(Field::Manufacturer);
    let brand = text(Field::Brand);
    let model = text(Field::Model);
    let part_number = text(Field::PartNumber);
    let description = text(Field::Description);
    let identified =
        manufacturer.is_some() || brand.is_some() || model.is_some() || part_number.is_some();
    // A description names the product when it holds a model number or a maker the caller
    // knows; a described row with a quantity is an ordered item, not a total or a note.
    let described = !identified
        && description.as_deref().is_some_and(|d| {
            looks_like_model(d)
                || hint.is_some_and(|h| h.names_product(d))
                || (text(Field::Qty).is_some() && !is_total(d))
        });
    // A remark typed into the first column, which is the maker column on many quotes
    // ("Note: lead time 4-6 weeks"), is a note, not a maker: the row holds nothing else.
    let lone_note = row.cells.iter().filter(|c| !c.trim().is_empty()).count() == 1
        && [&manufacturer, &brand, &model, &part_number, &description]
            .iter()
            .filter_map(|v| v.as_deref())
            .any(is_note);
    let origin = Origin {
        file: file.to_path_buf(),
        sheet: sheet.cloned(),
        row: row.number,
    };
    if (!identified && !described) || lone_note {
        let (reason, message) = classify_skipped(&row, &layout.header_cells);
        layout.skipped_warnings.push(BomWarning {
            kind: WarningKind::LineWithoutProduct,
            location: place().at_row(row.number),
            message: format!("skipped: {message}"),
        });
        layout.skipped.push(SkippedRow {
            origin,
            reason,
            message,
            text: row
                .cells
                .iter()
                .map(|c| c.trim())
                .filter(|c| !c.is_empty())
                .collect::<Vec<_>>()
                .join(" | "),
        });
        return None;
    }
    // A cell that cannot be read is a problem on the line, never the end of the read: the
    // other lines (and this line's identity) still matter.
    let mut problems = Vec::new();
    let mut number = |field: Field, parse: fn(&str) -> Result<f64, ValueError>| {
        let raw = text(field)?;
        match parse(&raw) {
            Ok(v) => Some(v),
            Err(ValueError(message)) => {
                let index = by_field[field as usize].unwrap_or_default();
                problems.push(BomWarning {
                    kind: WarningKind::BadCell,
                    location: place().at_row(row.number).at_column(layout.column(index)),
                    message: format!("{message}; the line is checked without it"),
                });
                None
            }
        }
    };
    let qty = number(Field::Qty, parse_qty);
    let unit_price = number(Field::UnitPrice, parse_price);
    layout.warnings.extend(problems.iter().cloned());
    // A quantity or price read from text ("$182.00", or any CSV cell) is handed back as the
    // number it was read as.
    let mut typed = row.typed;
    for (field, value) in [(Field::Qty, qty), (Field::UnitPrice, unit_price)] {
        if let (Some(index), Some(v)) = (by_field[field as usize], value)
            && !typed.iter().any(|(i, _)| *i == index)
        {
            typed.push((index, TypedCell::Number(v)));
        }
    }
    typed.sort_by_key(|(i, _)| *i);
    layout.lines += 1;
    Some(BomLine {
        origin,
        description,
        components: text(Field::Components),
        country_of_origin: text(Field::CountryOfOrigin),
        supplier: text(Field::Supplier),
        supplier_uei: text(Field::SupplierUei),
        cage: text(Field::Cage),
        manufacturer,
        brand,
        model,
        part_number,
        qty,
        unit_price,
        cells: {
            let mut cells = row.cells;
            if cells.len() < layout.header_cells.len() {
                cells.resize(layout.header_cells.len(), String::new());
            }
            cells
        },
        typed,
        problems,
    })
}

/// Whether a text holds a model-number-like token: letters and digits mixed, at least five
/// characters ("DS-2CD2143G2-I", "P3265-LVE", "XNV-6081", "Hi3516EV300"). Sizes and ratings
/// ("4MP", "2.8mm", "24V", "1TB", "Cat6") are too short or too regular to count.
pub fn looks_like_model(text: &str) -> bool {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '/' | '|'))
        .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric()))
        .any(|t| {
            let letters = t.chars().filter(|c| c.is_ascii_alphabetic()).count();
            let digits = t.chars().filter(|c| c.is_ascii_digit()).count();
            let alnum = letters + digits;
            t.len() >= 5
                && alnum >= 5
                && letters >= 1
                && digits >= 2
                && t.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
                && !is_measurement(t)
        })
}

/// "1080p", "2.8mm", "12VDC", "1000ft", "2160x": a number with a unit, not a model.
fn is_measurement(token: &str) -> bool {
    let lower = token.to_ascii_lowercase();
    let unit = lower.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == '-');
    let units = [
        "mm", "cm", "m", "ft", "in", "mp", "p", "k", "tb", "gb", "mb", "w", "v", "vac", "vdc", "a",
        "ma", "mah", "hz", "mhz", "ghz", "fps", "x", "ch", "port", "ports", "db", "lux", "ip",
        "mbps", "gbps", "kg", "lb", "lbs", "awg", "u", "yr", "yrs", "year", "years", "day", "days",
        "pcs", "pack", "ea",
    ];
    unit.len() < lower.len() && units.contains(&unit)
}

/// Whether a cell reads as a total ("Subtotal cameras", "TOTAL", "Grand total").
fn is_total(text: &str) -> bool {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| matches!(w, "total" | "subtotal" | "totals" | "sub" | "grand"))
}

/// Whether a cell reads as a note or remark rather than a value.
fn is_note(cell: &str) -> bool {
    let c = cell.trim().to_lowercase();
    let word = |w: &str| {
        c.strip_prefix(w)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', ' ', '-', 's', '.']))
    };
    word("note")
        || word("remark")
        || word("comment")
        || c.starts_with('*')
        || c.starts_with("prices ")
        || c.starts_with("quote ")
}

/// Why a row with values but no product identity is not a line.
fn classify_skipped(row: &SourceRow, headers: &[String]) -> (SkipReason, String) {
    let cells: Vec<&str> = row
        .cells
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .collect();
    let lower: Vec<String> = cells.iter().map(|c| c.to_lowercase()).collect();
    let has_word = |words: &[&str]| {
        lower.iter().any(|c| {
            c.split(|ch: char| !ch.is_alphanumeric())
                .any(|w| words.contains(&w))
        })
    };
    let repeated = row
        .cells
        .iter()
        .zip(headers)
        .filter(|(c, h)| !h.is_empty() && c.trim() == h.as_str())
        .count();
    if repeated >= 2 {
        return (
            SkipReason::RepeatedHeader,
            "the header row repeated (a page break in the export)".to_owned(),
        );
    }
    if cells.first().is_some_and(|c| is_note(c)) {
        return (
            SkipReason::Note,
            "a note or remark; it names no product".to_owned(),
        );
    }
    if cells.iter().any(|c| is_total(c)) || has_word(&["tax", "freight", "shipping", "discount"]) {
        return (
            SkipReason::Total,
            "a total, tax, shipping or discount row; it names no product".to_owned(),
        );
    }
    if cells.len() == 1 && cells[0].split_whitespace().count() <= 6 && !looks_like_model(cells[0]) {
        return (
            SkipReason::SectionHeading,
            format!("a section heading (\"{}\"); it names no product", cells[0]),
        );
    }
    (
        SkipReason::NoProductIdentity,
        "no manufacturer, brand, model or part number, and no description naming a maker or a \
         model; it cannot be checked, so look at it"
            .to_owned(),
    )
}

fn column_name(index: usize) -> String {
    crate::columns::column_letter(index)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rows(grid: &[&[&str]]) -> Vec<SourceRow> {
        grid.iter()
            .enumerate()
            .map(|(i, cells)| SourceRow {
                number: i + 1,
                cells: cells.iter().map(|c| (*c).to_owned()).collect(),
                typed: Vec::new(),
            })
            .collect()
    }

    #[test]
    fn header_below_title_and_notes() {
        let grid = rows(&[
            &["Camera schedule, Building 4", ""],
            &["", ""],
            &["Model numbers as quoted", "Qty"],
            &["Mfr", "Model No.", "Qty"],
            &["Axis", "P3265-LVE", "4"],
        ]);
        match find_header(&grid) {
            HeaderSearch::Found { index, fields } => {
                assert_eq!(index, 3);
                assert_eq!(
                    fields,
                    vec![
                        Some(Field::Manufacturer),
                        Some(Field::Model),
                        Some(Field::Qty)
                    ]
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn header_without_product_column_is_reported_as_such() {
        let grid = rows(&[
            &["Description", "Qty", "Unit Price"],
            &["Dome camera", "2", "$3"],
        ]);
        assert!(matches!(
            find_header(&grid),
            HeaderSearch::WithoutProductColumn { index: 0, .. }
        ));
    }

    /// Cells that are never a known header, so they can stand in for title and note rows.
    fn filler() -> impl Strategy<Value = String> {
        "[ -~]{0,12}".prop_filter("not a known header", |s| Field::from_header(s).is_none())
    }

    proptest! {
        #[test]
        fn finder_never_panics(grid in prop::collection::vec(prop::collection::vec(".{0,10}", 0..6), 0..8)) {
            let rows: Vec<SourceRow> = grid
                .into_iter()
                .enumerate()
                .map(|(i, cells)| SourceRow { number: i + 1, cells, typed: Vec::new() })
                .collect();
            let _ = find_header(&rows);
            let _ = build_bom(Path::new("fuzz.csv"), None, rows, None);
        }

        #[test]
        fn finder_skips_any_rows_without_known_headers(
            above in prop::collection::vec(prop::collection::vec(filler(), 0..5), 0..6),
            leading in 0usize..3,
        ) {
            let mut grid: Vec<Vec<String>> = above;
            let mut header = vec![String::new(); leading];
            header.extend(["Make".to_owned(), "Part No".to_owned(), "QTY".to_owned()]);
            grid.push(header);
            grid.push(vec![String::new(); leading].into_iter().chain(["Hanwha".to_owned(), "XNV-6081".to_owned(), "3".to_owned()]).collect());
            let expected = grid.len() - 2;
            let rows: Vec<SourceRow> = grid
                .into_iter()
                .enumerate()
                .map(|(i, cells)| SourceRow { number: i + 1, cells, typed: Vec::new() })
                .collect();
            match find_header(&rows) {
                HeaderSearch::Found { index, .. } => prop_assert_eq!(index, expected),
                other => prop_assert!(false, "{:?}", other),
            }
            let bom = build_bom(Path::new("fuzz.csv"), None, rows, None).unwrap();
            prop_assert_eq!(bom.header_row, expected + 1);
            prop_assert_eq!(bom.lines.len(), 1);
            prop_assert_eq!(bom.lines[0].origin.row, expected + 2);
            prop_assert_eq!(bom.lines[0].qty, Some(3.0));
        }
    }
}
