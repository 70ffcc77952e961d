//! Errors and warnings, each pointing at the file, sheet, row and column it is about.
//!
//! A procurement officer has to find the offending cell in their own spreadsheet, so every
//! message carries the spreadsheet's own coordinates (1-based row numbers, column letters) and
//! renders like `bom.csv:14: column D (qty): "ten" is not a number`. Callers that need to act
//! on the failure rather than show it match on [`ErrorKind`].

use std::error::Error as StdError;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::columns::{Field, column_letter};

/// What went wrong, for callers that branch on the failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file could not be read from disk.
    Io,
    /// The file is not what its extension says (a text file named `.xlsx`, broken CSV
    /// quoting, non-UTF-8 text, malformed TOML, an unsupported extension).
    Format,
    /// No usable header row: no recognisable columns, no maker/model column, or two columns
    /// naming the same field.
    Header,
    /// A cell holds a value its column cannot take (a quantity that is not a number).
    Field,
    /// The sheet (or CSV/TOML file) holds no data at all.
    EmptySheet,
    /// The requested sheet does not exist in the workbook.
    UnknownSheet,
}

/// A column of the source table, as the officer sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// 0-based column index; column A is 0.
    pub index: usize,
    /// The header cell as written in the file (may be empty).
    pub header: String,
    /// The field the header maps to, if it is a known column.
    pub field: Option<Field>,
}

impl Column {
    /// The spreadsheet letter of the column ("A", "B", ..., "AA").
    pub fn letter(&self) -> String {
        column_letter(self.index)
    }
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.field {
            Some(field) => write!(f, "column {} ({field})", self.letter()),
            None if self.header.trim().is_empty() => write!(f, "column {}", self.letter()),
            None => write!(f, "column {} {:?}", self.letter(), self.header),
        }
    }
}

/// Where in the input an error or warning applies; as precise as the reader could be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file as the caller named it (or the label given to an in-memory read).
    pub file: PathBuf,
    /// The worksheet, for workbooks.
    pub sheet: Option<String>,
    /// 1-based row number as the spreadsheet shows it (the physical line for CSV and TOML).
    pub row: Option<usize>,
    /// The column, when the problem is in one cell or header.
    pub column: Option<Column>,
}

impl Location {
    pub(crate) fn file(file: &Path, sheet: Option<&str>) -> Self {
        Location {
            file: file.to_path_buf(),
            sheet: sheet.map(str::to_owned),
            row: None,
            column: None,
        }
    }

    pub(crate) fn at_row(mut self, row: usize) -> Self {
        self.row = Some(row);
        self
    }

    pub(crate) fn at_column(mut self, column: Column) -> Self {
        self.column = Some(column);
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(sheet) = &self.sheet {
            write!(f, "[{sheet}]")?;
        }
        if let Some(row) = self.row {
            write!(f, ":{row}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ": {column}")?;
        }
        Ok(())
    }
}

/// A BOM that could not be read, with the place and the reason.
///
/// Boxed so that `Result<Bom, BomError>` stays one pointer wide on the error side.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct BomError(Box<ErrorInner>);

#[derive(Debug, thiserror::Error)]
#[error("{location}: {message}")]
struct ErrorInner {
    kind: ErrorKind,
    location: Location,
    message: String,
    #[source]
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
}

impl BomError {
    pub(crate) fn new(kind: ErrorKind, location: Location, message: impl Into<String>) -> Self {
        BomError(Box::new(ErrorInner {
            kind,
            location,
            message: message.into(),
            source: None,
        }))
    }

    pub(crate) fn with_source(mut self, source: impl StdError + Send + Sync + 'static) -> Self {
        self.0.source = Some(Box::new(source));
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// Where the failure is: file, sheet, row and column as far as known.
    pub fn location(&self) -> &Location {
        &self.0.location
    }

    /// The reason, without the location prefix.
    pub fn message(&self) -> &str {
        &self.0.message
    }
}

/// What a warning is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WarningKind {
    /// A header the reader does not know; the column's values are kept only in the raw cells.
    UnknownColumn,
    /// A column without a header that nevertheless holds values below the header row.
    UnnamedColumn,
    /// A non-blank row with no manufacturer, brand, model or part number (often a totals or
    /// notes row); it was skipped.
    LineWithoutProduct,
    /// The BOM has a header but no lines.
    NoLines,
    /// A cell of a line that could not be read (a quantity of "2 ea"); the line was still read
    /// without that value.
    BadCell,
}

/// Something the officer should look at, which did not stop the read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BomWarning {
    /// What the warning is about.
    pub kind: WarningKind,
    /// Where it applies; for column warnings the header row and the column.
    pub location: Location,
    /// The explanation, without the location prefix.
    pub message: String,
}

impl fmt::Display for BomWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}
