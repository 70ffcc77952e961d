//! CSV and TSV input.
//!
//! The `csv` crate is forgiving about quotes: an unclosed quote swallows the rest of the file
//! into one cell, and `"Axis "Q6135" PTZ"` silently becomes one mangled value. Both would turn
//! into wrong BOM lines without a word, so the bytes are first checked against RFC 4180
//! quoting and such files are rejected with the line where the quoting breaks. Row numbers are
//! the physical line where each record starts, taken from the `csv` reader's position (moved
//! past the blank lines it skipped), so they stay right across quoted multi-line cells, blank
//! lines and CRLF line ends.

use std::path::Path;

use crate::Bom;
use crate::error::{BomError, Column, ErrorKind, Location};
use crate::table::{SourceRow, build_bom};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads CSV bytes separated by `delimiter`; `file` labels origins and errors.
pub(crate) fn read_csv(
    file: &Path,
    bytes: &[u8],
    delimiter: u8,
    hint: Option<&crate::ProductHint>,
) -> Result<Bom, BomError> {
    // Excel's "CSV UTF-8" starts with a byte-order mark that would otherwise stick to the
    // first header cell and hide it from the synonym table.
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    check_quoting(bytes, delimiter).map_err(|broken| {
        BomError::new(
            ErrorKind::Format,
            Location::file(file, None).at_row(broken.line),
            broken.message,
        )
    })?;

    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(bytes);
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        let more = reader.read_byte_record(&mut record).map_err(|e| {
            let line = e.position().map(|p| p.line());
            let mut location = Location::file(file, None);
            location.row = line.and_then(|l| usize::try_from(l).ok());
            BomError::new(ErrorKind::Format, location, format!("malformed CSV: {e}")).with_source(e)
        })?;
        if !more {
            break;
        }
        let line = record
            .position()
            .map(|p| record_start_line(bytes, p))
            .unwrap_or(rows.len() + 1);
        let mut cells = Vec::with_capacity(record.len());
        for (index, field) in record.iter().enumerate() {
            let text = std::str::from_utf8(field).map_err(|e| {
                BomError::new(
                    ErrorKind::Format,
                    Location::file(file, None).at_row(line).at_column(Column {
                        index,
                        header: String::new(),
                        field: None,
                    }),
                    "the cell is not UTF-8 text; save the file as \"CSV UTF-8\"",
                )
                .with_source(e)
            })?;
            cells.push(text.to_owned());
        }
        rows.push(SourceRow {
            number: line,
            cells,
            typed: Vec::new(),
        });
    }
    build_bom(file, None, rows, hint)
}

/// The physical line on which a record's first byte sits.
///
/// The `csv` reader stamps a record with the position where it started looking for it, which
/// is just after the previous record's terminator: blank lines it skipped, and the `\n` of a
/// CRLF pair, are still ahead. Skipping those bytes from that position gives the line the
/// officer sees the record on.
fn record_start_line(bytes: &[u8], position: &csv::Position) -> usize {
    let line = usize::try_from(position.line()).unwrap_or(usize::MAX);
    let start = usize::try_from(position.byte()).unwrap_or(usize::MAX);
    let skipped_newlines = bytes
        .get(start..)
        .unwrap_or_default()
        .iter()
        .take_while(|&&b| b == b'\n' || b == b'\r')
        .filter(|&&b| b == b'\n')
        .count();
    line.saturating_add(skipped_newlines)
}

/// Where and how the quoting of a CSV file breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BrokenQuoting {
    /// 1-based physical line.
    pub line: usize,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// Checks RFC 4180 quoting: a quote that opens a field must be closed, and a closing quote
/// must be followed by a delimiter or the end of the record. Quotes inside unquoted fields
/// (`12" monitor`) are left alone: they are common and unambiguous.
pub(crate) fn check_quoting(bytes: &[u8], delimiter: u8) -> Result<(), BrokenQuoting> {
    #[derive(Clone, Copy)]
    enum State {
        FieldStart,
        Unquoted,
        Quoted { opened_line: usize },
        AfterQuote { opened_line: usize },
    }
    let mut state = State::FieldStart;
    let mut line = 1usize;
    let mut field = 0usize;
    for &byte in bytes {
        let ends_record = byte == b'\n' || byte == b'\r';
        state = match state {
            State::FieldStart | State::Unquoted if byte == delimiter => {
                field += 1;
                State::FieldStart
            }
            State::FieldStart | State::Unquoted if ends_record => {
                field = 0;
                State::FieldStart
            }
            State::FieldStart if byte == b'"' => State::Quoted { opened_line: line },
            State::FieldStart | State::Unquoted => State::Unquoted,
            State::Quoted { opened_line } if byte == b'"' => State::AfterQuote { opened_line },
            quoted @ State::Quoted { .. } => quoted,
            State::AfterQuote { opened_line } if byte == b'"' => State::Quoted { opened_line },
            State::AfterQuote { .. } if byte == delimiter => {
                field += 1;
                State::FieldStart
            }
            State::AfterQuote { .. } if ends_record => {
                field = 0;
                State::FieldStart
            }
            State::AfterQuote { opened_line } => {
                let opened = if opened_line == line {
                    String::new()
                } else {
                    format!(" (the quoted field opened on line {opened_line})")
                };
                return Err(BrokenQuoting {
                    line,
                    message: format!(
                        "broken CSV quoting in column {}: text follows a closing quote{opened}; \
                         a quote inside a quoted field must be doubled (\"\")",
                        crate::columns::column_letter(field)
                    ),
                });
            }
        };
        if byte == b'\n' {
            line += 1;
        }
    }
    if let State::Quoted { opened_line } = state {
        return Err(BrokenQuoting {
            line: opened_line,
            message: format!(
                "broken CSV quoting in column {}: the quote opened here is never closed, so the \
                 rest of the file would be read as one cell",
                crate::columns::column_letter(field)
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_rfc4180_and_stray_inch_marks() {
        let ok = "a,\"b, c\",\"say \"\"hi\"\"\"\r\n12\" monitor,\"multi\nline\",x\n\"\"\n";
        assert_eq!(check_quoting(ok.as_bytes(), b','), Ok(()));
    }

    #[test]
    fn reports_unclosed_quote_at_its_line() {
        let text = "Mfr,Model\nAxis,P3265\nBosch,\"FLEXIDOME\nHanwha,XNV\n";
        let err = check_quoting(text.as_bytes(), b',').unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.contains("column B"), "{}", err.message);
        assert!(err.message.contains("never closed"), "{}", err.message);
    }

    #[test]
    fn reports_text_after_closing_quote() {
        let text = "Mfr,Model\nAxis,\"Q6135 \"PTZ\" camera\"\n";
        let err = check_quoting(text.as_bytes(), b',').unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("column B"), "{}", err.message);
    }
}
