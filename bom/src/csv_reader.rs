//! CSV and TSV input.
//!
//! The `csv` crate is forgiving about quotes: an unclosed quote swallows the rest of the file
//! into one cell, and `"Axis "Q6135" PTZ"` silently becomes one mangled value. Both would turn
//! into wrong BOM lines without a word, so the bytes are first checked against RFC 4180
//! quoting and such files are rejected with the line where the quoting breaks. Row numbers are
//! the physical line where each record starts, taken from the `csv` reader's position (moved
//! past the blank lines it skipped), so they stay right across quoted multi-line cells, blank
//! lines and CRLF line ends. Neither pass holds the file whole: each line goes to the caller as
//! soon as it is read.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::Bom;
use crate::error::{BomError, Column, ErrorKind, Location};
use crate::table::{Flow, LineSink, SourceRow, TableBuilder};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Bytes read per call while checking the quoting.
const CHUNK: usize = 1 << 16;

/// Opens the CSV's bytes from their start; called twice (quoting check, then the read).
pub(crate) type Open<'o> = dyn Fn() -> Result<Box<dyn Read + 'o>, BomError> + 'o;

/// Reads CSV separated by `delimiter`, handing each line to `sink` as it is read; `file`
/// labels origins and errors. The bytes are read twice, in blocks, never held whole: once to
/// check the quoting, so a broken file is refused before any line is handed on, then to read.
pub(crate) fn read_csv(
    file: &Path,
    open: &Open<'_>,
    delimiter: u8,
    hint: Option<&crate::ProductHint>,
    sink: &mut LineSink<'_>,
) -> Result<Bom, BomError> {
    let io_error = |e: std::io::Error| {
        BomError::new(
            ErrorKind::Io,
            Location::file(file, None),
            format!("cannot read the file: {e}"),
        )
        .with_source(e)
    };
    let mut check = QuotingCheck::new(delimiter);
    let mut input = without_byte_order_mark(open()?).map_err(io_error)?;
    let mut chunk = vec![0u8; CHUNK];
    loop {
        let n = input.read(&mut chunk).map_err(io_error)?;
        if n == 0 {
            break;
        }
        check
            .feed(&chunk[..n])
            .map_err(|broken| quoting_error(file, broken))?;
    }
    check.end().map_err(|broken| quoting_error(file, broken))?;
    drop(chunk);

    // Excel's "CSV UTF-8" starts with a byte-order mark that would otherwise stick to the
    // first header cell and hide it from the synonym table.
    let input = without_byte_order_mark(open()?).map_err(io_error)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(LineEnds::new(input));
    let mut builder = TableBuilder::new(file, None, hint);
    let mut record = csv::ByteRecord::new();
    let mut records = 0usize;
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
        records += 1;
        let line = match record.position() {
            Some(p) => {
                let line = usize::try_from(p.line()).unwrap_or(usize::MAX);
                line.saturating_add(reader.get_mut().newlines_from(p.byte()))
            }
            None => records,
        };
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
        let row = SourceRow {
            number: line,
            cells,
            typed: Vec::new(),
        };
        if builder.push(row, sink)? == Flow::Break(()) {
            break;
        }
    }
    builder.finish()
}

fn quoting_error(file: &Path, broken: BrokenQuoting) -> BomError {
    BomError::new(
        ErrorKind::Format,
        Location::file(file, None).at_row(broken.line),
        broken.message,
    )
}

/// The reader, past a UTF-8 byte-order mark if the bytes start with one.
fn without_byte_order_mark<'r>(
    input: Box<dyn Read + 'r>,
) -> std::io::Result<BufReader<Box<dyn Read + 'r>>> {
    let mut input = BufReader::with_capacity(CHUNK, input);
    // A byte-order mark split across reads is not worth handling: fill_buf returns at least
    // the first block of a file or slice.
    if input.fill_buf()?.starts_with(UTF8_BOM) {
        input.consume(UTF8_BOM.len());
    }
    Ok(input)
}

/// Passes bytes through to the `csv` reader and remembers where the runs of line-end bytes
/// (`\r`, `\n`) lie, so that the physical line of a record's first byte can be told after the
/// reader has moved past it.
///
/// The `csv` reader stamps a record with the position where it started looking for it, which
/// is just after the previous record's terminator: blank lines it skipped, and the `\n` of a
/// CRLF pair, are still ahead. The `\n`s of the run of line-end bytes at that position, added
/// to the position's line, give the line the officer sees the record on. Runs the reader has
/// passed are dropped, so this holds no more than the reader's buffer spans.
struct LineEnds<R> {
    inner: R,
    /// Bytes passed through so far.
    offset: u64,
    /// Start of the run of line-end bytes the last block ended in.
    open_run: Option<u64>,
    /// Runs `[start, end)` that ended, oldest first.
    runs: VecDeque<(u64, u64)>,
    /// Offsets of the `\n` bytes in runs not yet dropped.
    newlines: VecDeque<u64>,
}

impl<R: Read> LineEnds<R> {
    fn new(inner: R) -> Self {
        LineEnds {
            inner,
            offset: 0,
            open_run: None,
            runs: VecDeque::new(),
            newlines: VecDeque::new(),
        }
    }

    /// The `\n` bytes in the run of line-end bytes starting at `at` (0 when a record starts
    /// there). Forgets everything before `at`: records come in order.
    fn newlines_from(&mut self, at: u64) -> usize {
        while self.runs.front().is_some_and(|&(_, end)| end <= at) {
            self.runs.pop_front();
        }
        while self.newlines.front().is_some_and(|&n| n < at) {
            self.newlines.pop_front();
        }
        let run_end = match (self.runs.front(), self.open_run) {
            (Some(&(start, end)), _) if start <= at => end,
            (None, Some(start)) if start <= at => u64::MAX,
            _ => return 0,
        };
        self.newlines.iter().take_while(|&&n| n < run_end).count()
    }
}

impl<R: Read> Read for LineEnds<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let base = self.offset;
        let block = &buf[..n];
        let mut i = 0;
        while i < n {
            match self.open_run {
                Some(start) => {
                    // Inside a run: it goes on while line-end bytes do.
                    let len = block[i..]
                        .iter()
                        .position(|&b| b != b'\n' && b != b'\r')
                        .unwrap_or(n - i);
                    for (k, &b) in block[i..i + len].iter().enumerate() {
                        if b == b'\n' {
                            self.newlines.push_back(base + (i + k) as u64);
                        }
                    }
                    i += len;
                    if i < n {
                        self.runs.push_back((start, base + i as u64));
                        self.open_run = None;
                    }
                }
                None => match memchr::memchr2(b'\n', b'\r', &block[i..]) {
                    Some(k) => {
                        i += k;
                        self.open_run = Some(base + i as u64);
                    }
                    None => i = n,
                },
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

/// Where and how the quoting of a CSV file breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BrokenQuoting {
    /// 1-based physical line.
    pub line: usize,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// Checks RFC 4180 quoting over bytes fed in blocks: a quote that opens a field must be
/// closed, and a closing quote must be followed by a delimiter or the end of the record.
/// Quotes inside unquoted fields (`12" monitor`) are left alone: they are common and
/// unambiguous.
pub(crate) struct QuotingCheck {
    delimiter: u8,
    state: QuoteState,
    line: usize,
    field: usize,
}

#[derive(Clone, Copy)]
enum QuoteState {
    FieldStart,
    Unquoted,
    Quoted { opened_line: usize },
    AfterQuote { opened_line: usize },
}

impl QuotingCheck {
    pub(crate) fn new(delimiter: u8) -> Self {
        QuotingCheck {
            delimiter,
            state: QuoteState::FieldStart,
            line: 1,
            field: 0,
        }
    }

    /// The next block of bytes.
    pub(crate) fn feed(&mut self, bytes: &[u8]) -> Result<(), BrokenQuoting> {
        use QuoteState as State;
        let delimiter = self.delimiter;
        let (mut state, mut line, mut field) = (self.state, self.line, self.field);
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
        (self.state, self.line, self.field) = (state, line, field);
        Ok(())
    }

    /// The end of the bytes: a quoted field still open is never closed.
    pub(crate) fn end(&self) -> Result<(), BrokenQuoting> {
        if let QuoteState::Quoted { opened_line } = self.state {
            return Err(BrokenQuoting {
                line: opened_line,
                message: format!(
                    "broken CSV quoting in column {}: the quote opened here is never closed, so the \
                     rest of the file would be read as one cell",
                    crate::columns::column_letter(self.field)
                ),
            });
        }
        Ok(())
    }
}

/// Checks the quoting of bytes held whole (see [`QuotingCheck`]).
#[cfg(test)]
pub(crate) fn check_quoting(bytes: &[u8], delimiter: u8) -> Result<(), BrokenQuoting> {
    let mut check = QuotingCheck::new(delimiter);
    check.feed(bytes)?;
    check.end()
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
