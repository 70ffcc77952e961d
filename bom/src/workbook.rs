//! Excel (XLSX, XLSM, XLSB, XLS) and OpenDocument (ODS) workbooks, through calamine.
//!
//! calamine trims a sheet to the rectangle of used cells, so the range's start offset is added
//! back to every row and column: row numbers and column letters are the ones the officer sees
//! in Excel, not positions in the trimmed range.

use std::io::{Read, Seek};
use std::path::Path;

use calamine::{
    Data, DataRef, Dimensions, Ods, Range, Reader, Sheets, Xls, Xlsb, Xlsx, open_workbook_from_rs,
};

use crate::error::{BomError, ErrorKind, Location};
use crate::table::{LineSink, SourceRow, TableBuilder};
use crate::{Bom, Format, TypedCell};

/// Reads a workbook, handing each line to `sink` as it is read; `format` must be one of the
/// workbook formats. `head` is the file's first bytes, to say what a file that is not a
/// workbook is. XLSX sheets are read cell by cell from the archive, never whole; the other
/// formats are loaded a sheet at a time by calamine, and their rows go through one by one.
pub(crate) fn read_workbook<RS: Read + Seek>(
    file: &Path,
    input: RS,
    head: &[u8],
    format: Format,
    sheet: Option<&str>,
    hint: Option<&crate::ProductHint>,
    sink: &mut LineSink<'_>,
) -> Result<Bom, BomError> {
    let mut workbook = open(file, input, head, format)?;
    let names = workbook.sheet_names();
    let listed = || {
        if names.is_empty() {
            "the workbook has no sheets".to_owned()
        } else {
            let quoted: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
            format!("available sheets: {}", quoted.join(", "))
        }
    };
    if let Some(wanted) = sheet {
        if !names.iter().any(|n| n == wanted) {
            return Err(BomError::new(
                ErrorKind::UnknownSheet,
                Location::file(file, None),
                format!("there is no sheet named {wanted:?}; {}", listed()),
            ));
        }
        return read_sheet(&mut workbook, file, wanted, hint, sink)?.finish();
    }
    // The first sheet with any content: workbooks often start with an empty default "Sheet1"
    // or a cover sheet that was never filled in. A blank sheet hands no line on.
    for name in &names {
        let builder = read_sheet(&mut workbook, file, name, hint, sink)?;
        if !builder.is_blank() {
            return builder.finish();
        }
    }
    Err(BomError::new(
        ErrorKind::EmptySheet,
        Location::file(file, None),
        format!("every sheet in the workbook is empty; {}", listed()),
    ))
}

/// Feeds the rows of one sheet, with merged cells filled down, through a table builder.
fn read_sheet<'a, RS: Read + Seek>(
    workbook: &mut Sheets<RS>,
    file: &'a Path,
    name: &str,
    hint: Option<&'a crate::ProductHint>,
    sink: &mut LineSink<'_>,
) -> Result<TableBuilder<'a>, BomError> {
    let sheet_error = |e: &dyn std::fmt::Display| {
        BomError::new(
            ErrorKind::Format,
            Location::file(file, Some(name)),
            format!("the sheet could not be read: {e}"),
        )
    };
    let mut builder = TableBuilder::new(file, Some(name.to_owned()), hint);
    // A sheet whose merges cannot be read is read as it stands: merges only fill cells, they
    // never remove any.
    let merges = match workbook {
        Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
        Sheets::Xls(x) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
        Sheets::Xlsb(_) | Sheets::Ods(_) => Vec::new(),
    };
    let mut fill = FillDown::new(&merges);
    let mut push = |builder: &mut TableBuilder<'a>, mut row: SourceRow| {
        fill.apply(&mut row);
        builder.push(row, sink)
    };
    if let Sheets::Xlsx(x) = workbook {
        let mut cells = x
            .worksheet_cells_reader(name)
            .map_err(|e| sheet_error(&e).with_source(e))?;
        let mut current: Option<SourceRow> = None;
        while let Some(cell) = cells
            .next_cell()
            .map_err(|e| sheet_error(&e).with_source(e))?
        {
            let (r, c) = cell.get_position();
            let number = r as usize + 1;
            if let Some(row) = current.take_if(|row| row.number != number)
                && push(&mut builder, row)?.is_break()
            {
                return Ok(builder);
            }
            let row = current.get_or_insert_with(|| SourceRow {
                number,
                cells: Vec::new(),
                typed: Vec::new(),
            });
            let value = cell.get_value();
            if matches!(value, DataRef::Empty) {
                continue;
            }
            let c = c as usize;
            if row.cells.len() <= c {
                row.cells.resize(c + 1, String::new());
            }
            let (text, typed) = ref_cell(value);
            row.cells[c] = text;
            if let Some(t) = typed {
                row.typed.push((c, t));
            }
        }
        if let Some(row) = current {
            // The last row: whether the sink wants more no longer matters.
            let _ = push(&mut builder, row)?;
        }
        return Ok(builder);
    }
    let range = workbook
        .worksheet_range(name)
        .map_err(|e| sheet_error(&e).with_source(e))?;
    for row in grid_rows(&range) {
        if push(&mut builder, row)?.is_break() {
            break;
        }
    }
    Ok(builder)
}

/// A cell merged down over several rows of one column (a "Mfr" cell spanning the four lines of
/// one maker) shows its value on every one of those rows, so each row gets it. Only the
/// top-left cell holds the value in the file. Regions that span several columns as well are
/// text blocks (titles, notes), and are left as they are: their text stays on their first row.
/// Rows come in order, so only the regions over the current row are looked at.
struct FillDown {
    /// (top, bottom, column) of each one-column region, by top row (0-based).
    regions: Vec<(u32, u32, usize)>,
    next: usize,
    /// Regions over the rows now read: (top, bottom, column, the top cell's value).
    active: Vec<(u32, u32, usize, Option<String>)>,
}

impl FillDown {
    fn new(merges: &[Dimensions]) -> Self {
        let mut regions: Vec<(u32, u32, usize)> = merges
            .iter()
            .filter(|m| m.end.0 > m.start.0 && m.end.1 == m.start.1)
            .map(|m| (m.start.0, m.end.0, m.start.1 as usize))
            .collect();
        regions.sort_unstable();
        FillDown {
            regions,
            next: 0,
            active: Vec::new(),
        }
    }

    fn apply(&mut self, row: &mut SourceRow) {
        if self.regions.is_empty() {
            return;
        }
        let r = u32::try_from(row.number.saturating_sub(1)).unwrap_or(u32::MAX);
        self.active.retain(|&(_, bottom, _, _)| bottom >= r);
        while let Some(&(top, bottom, col)) = self.regions.get(self.next)
            && top <= r
        {
            self.next += 1;
            // A region whose top row holds nothing (or was never seen) fills nothing.
            let value = (top == r)
                .then(|| row.cells.get(col).filter(|v| !v.trim().is_empty()).cloned())
                .flatten();
            if bottom >= r {
                self.active.push((top, bottom, col, value));
            }
        }
        for (top, _, col, value) in &self.active {
            let (Some(value), true) = (value, *top < r) else {
                continue;
            };
            if row.cells.len() <= *col {
                row.cells.resize(col + 1, String::new());
            }
            if row.cells[*col].trim().is_empty() {
                row.cells[*col] = value.clone();
            }
        }
    }
}

/// The text and, for numbers, dates and booleans, the typed value of a streamed XLSX cell.
fn ref_cell(cell: &DataRef<'_>) -> (String, Option<TypedCell>) {
    match cell {
        DataRef::SharedString(s) => ((*s).to_owned(), None),
        DataRef::String(s) => (s.clone(), None),
        other => {
            let data = Data::from(other.clone());
            (cell_text(&data), typed_cell(&data))
        }
    }
}

fn open<RS: Read + Seek>(
    file: &Path,
    input: RS,
    head: &[u8],
    format: Format,
) -> Result<Sheets<RS>, BomError> {
    let opened = match format {
        Format::Xlsx => open_workbook_from_rs::<Xlsx<_>, _>(input)
            .map(Sheets::Xlsx)
            .map_err(calamine::Error::from),
        Format::Xlsb => open_workbook_from_rs::<Xlsb<_>, _>(input)
            .map(Sheets::Xlsb)
            .map_err(calamine::Error::from),
        Format::Xls => open_workbook_from_rs::<Xls<_>, _>(input)
            .map(Sheets::Xls)
            .map_err(calamine::Error::from),
        Format::Ods => open_workbook_from_rs::<Ods<_>, _>(input)
            .map(Sheets::Ods)
            .map_err(calamine::Error::from),
        Format::Csv | Format::Tsv | Format::Toml => {
            return Err(BomError::new(
                ErrorKind::Format,
                Location::file(file, None),
                format!("{format:?} is not a workbook format"),
            ));
        }
    };
    opened.map_err(|e| {
        let what = match format {
            Format::Ods => "ODS spreadsheet",
            Format::Xls => "XLS workbook",
            Format::Xlsb => "XLSB workbook",
            _ => "XLSX workbook",
        };
        BomError::new(
            ErrorKind::Format,
            Location::file(file, None),
            format!("the file is not a valid {what}{}", content_hint(head)),
        )
        .with_source(e)
    })
}

/// A hint about what the bytes really are, for files whose extension lies.
fn content_hint(bytes: &[u8]) -> &'static str {
    const ZIP: &[u8] = b"PK\x03\x04";
    const OLE: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
    if bytes.is_empty() {
        " (the file is empty)"
    } else if bytes.starts_with(OLE) {
        " (it is an OLE compound file: an .xls workbook or a password-protected workbook)"
    } else if bytes.starts_with(ZIP) {
        " (it is a ZIP archive, but not one this reader can open as that format)"
    } else if std::str::from_utf8(&bytes[..bytes.len().min(4096)])
        .map(|s| !s.contains('\0'))
        .unwrap_or(false)
    {
        " (it looks like a text file, perhaps CSV saved with the wrong extension)"
    } else {
        ""
    }
}

/// The rows of a loaded sheet, one at a time, numbered as the spreadsheet numbers them, cells
/// from column A.
fn grid_rows(range: &Range<Data>) -> impl Iterator<Item = SourceRow> + '_ {
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    // u32 always fits in usize on the platforms calamine supports (32 and 64 bit).
    let (first_row, first_col) = (first_row as usize, first_col as usize);
    range.rows().enumerate().map(move |(offset, cells)| {
        let mut row = Vec::with_capacity(first_col + cells.len());
        row.resize(first_col, String::new());
        row.extend(cells.iter().map(cell_text));
        let typed = cells
            .iter()
            .enumerate()
            .filter_map(|(i, c)| typed_cell(c).map(|t| (first_col + i, t)))
            .collect();
        SourceRow {
            number: first_row + offset + 1,
            cells: row,
            typed,
        }
    })
}

/// The value of a cell the workbook stores as a number, date or boolean.
fn typed_cell(cell: &Data) -> Option<TypedCell> {
    match cell {
        Data::Float(f) => Some(TypedCell::Number(*f)),
        // Integers in a BOM (quantities, line numbers) are far below 2^53: exact as f64.
        Data::Int(i) => Some(TypedCell::Number(*i as f64)),
        Data::Bool(b) => Some(TypedCell::Bool(*b)),
        Data::DateTime(dt) if dt.is_datetime() => Some(TypedCell::Date {
            serial: dt.as_f64(),
            with_time: dt.as_f64().fract() != 0.0,
        }),
        _ => None,
    }
}

/// The text a cell shows, close enough to what Excel displays for BOM purposes: numbers
/// without a trailing ".0", dates as ISO dates.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{d:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
            }
        }
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}
