//! Excel (XLSX, XLSM, XLSB, XLS) and OpenDocument (ODS) workbooks, through calamine.
//!
//! calamine trims a sheet to the rectangle of used cells, so the range's start offset is added
//! back to every row and column: row numbers and column letters are the ones the officer sees
//! in Excel, not positions in the trimmed range.

use std::io::Cursor;
use std::path::Path;

use calamine::{
    Data, Dimensions, Ods, Range, Reader, Sheets, Xls, Xlsb, Xlsx, open_workbook_from_rs,
};

use crate::error::{BomError, ErrorKind, Location};
use crate::table::{SourceRow, build_bom};
use crate::{Bom, Format, TypedCell};

/// Reads a workbook held in memory; `format` must be one of the workbook formats.
pub(crate) fn read_workbook(
    file: &Path,
    bytes: &[u8],
    format: Format,
    sheet: Option<&str>,
    hint: Option<&crate::ProductHint>,
) -> Result<Bom, BomError> {
    let mut workbook = open(file, bytes, format)?;
    let names = workbook.sheet_names();
    let listed = || {
        if names.is_empty() {
            "the workbook has no sheets".to_owned()
        } else {
            let quoted: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
            format!("available sheets: {}", quoted.join(", "))
        }
    };

    let (name, range) = match sheet {
        Some(wanted) => {
            if !names.iter().any(|n| n == wanted) {
                return Err(BomError::new(
                    ErrorKind::UnknownSheet,
                    Location::file(file, None),
                    format!("there is no sheet named {wanted:?}; {}", listed()),
                ));
            }
            let range = load_sheet(&mut workbook, file, wanted)?;
            (wanted.to_owned(), range)
        }
        None => {
            // The first sheet with any content: workbooks often start with an empty default
            // "Sheet1" or a cover sheet that was never filled in.
            let mut chosen = None;
            for name in &names {
                let range = load_sheet(&mut workbook, file, name)?;
                if !is_blank(&range) {
                    chosen = Some((name.clone(), range));
                    break;
                }
            }
            chosen.ok_or_else(|| {
                BomError::new(
                    ErrorKind::EmptySheet,
                    Location::file(file, None),
                    format!("every sheet in the workbook is empty; {}", listed()),
                )
            })?
        }
    };
    let mut rows = grid_rows(&range);
    fill_down_merged(&mut rows, &merged_regions(&mut workbook, &name));
    build_bom(file, Some(name), rows, hint)
}

/// The merged regions of a sheet, for the formats that record them (XLSX, XLS). A sheet whose
/// merges cannot be read is read as it stands: merges only fill cells, they never remove any.
fn merged_regions(workbook: &mut Sheets<Cursor<&[u8]>>, name: &str) -> Vec<Dimensions> {
    match workbook {
        Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
        Sheets::Xls(x) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
        Sheets::Xlsb(_) | Sheets::Ods(_) => Vec::new(),
    }
}

/// A cell merged down over several rows of one column (a "Mfr" cell spanning the four lines of
/// one maker) shows its value on every one of those rows, so each row gets it. Only the
/// top-left cell holds the value in the file. Regions that span several columns as well are
/// text blocks (titles, notes), and are left as they are: their text stays on their first row.
fn fill_down_merged(rows: &mut [SourceRow], regions: &[Dimensions]) {
    for region in regions {
        let ((top, col), (bottom, last_col)) = (region.start, region.end);
        if bottom <= top || last_col != col {
            continue;
        }
        let col = col as usize;
        let row_index = |rows: &[SourceRow], number: u32| {
            rows.iter().position(|r| r.number == number as usize + 1)
        };
        let Some(value) = row_index(rows, top)
            .and_then(|i| rows[i].cells.get(col))
            .filter(|v| !v.trim().is_empty())
            .cloned()
        else {
            continue;
        };
        for number in top + 1..=bottom {
            let Some(i) = row_index(rows, number) else {
                continue;
            };
            let cells = &mut rows[i].cells;
            if cells.len() <= col {
                cells.resize(col + 1, String::new());
            }
            if cells[col].trim().is_empty() {
                cells[col] = value.clone();
            }
        }
    }
}

fn open<'a>(
    file: &Path,
    bytes: &'a [u8],
    format: Format,
) -> Result<Sheets<Cursor<&'a [u8]>>, BomError> {
    let cursor = Cursor::new(bytes);
    let opened = match format {
        Format::Xlsx => open_workbook_from_rs::<Xlsx<_>, _>(cursor)
            .map(Sheets::Xlsx)
            .map_err(calamine::Error::from),
        Format::Xlsb => open_workbook_from_rs::<Xlsb<_>, _>(cursor)
            .map(Sheets::Xlsb)
            .map_err(calamine::Error::from),
        Format::Xls => open_workbook_from_rs::<Xls<_>, _>(cursor)
            .map(Sheets::Xls)
            .map_err(calamine::Error::from),
        Format::Ods => open_workbook_from_rs::<Ods<_>, _>(cursor)
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
            format!("the file is not a valid {what}{}", content_hint(bytes)),
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

fn load_sheet(
    workbook: &mut Sheets<Cursor<&[u8]>>,
    file: &Path,
    name: &str,
) -> Result<Range<Data>, BomError> {
    workbook.worksheet_range(name).map_err(|e| {
        BomError::new(
            ErrorKind::Format,
            Location::file(file, Some(name)),
            format!("the sheet could not be read: {e}"),
        )
        .with_source(e)
    })
}

/// Whether no cell shows anything; checked without rendering cells, since a large sheet has
/// hundreds of thousands of them.
fn is_blank(range: &Range<Data>) -> bool {
    range.used_cells().all(|(_, _, cell)| match cell {
        Data::Empty => true,
        Data::String(s) => s.trim().is_empty(),
        _ => false,
    })
}

/// The rows of a sheet numbered as the spreadsheet numbers them, cells from column A.
fn grid_rows(range: &Range<Data>) -> Vec<SourceRow> {
    let Some((first_row, first_col)) = range.start() else {
        return Vec::new();
    };
    // u32 always fits in usize on the platforms calamine supports (32 and 64 bit).
    let (first_row, first_col) = (first_row as usize, first_col as usize);
    range
        .rows()
        .enumerate()
        .map(|(offset, cells)| {
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
        .collect()
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
