//! Bills of materials as procurement officers send them: CSV, spreadsheets and TOML.
//!
//! Compliance findings (NDAA Section 889, TAA) are only useful if the officer can find the
//! line they are about, so every [`BomLine`] keeps its [`Origin`]: the file, the sheet and the
//! row number exactly as the spreadsheet shows it. The raw cells of each row are kept too, in
//! their original order, so a report can hand the officer back their own rows with verdict
//! columns added.
//!
//! Reading is strict where a guess could change a verdict and forgiving where it cannot:
//! - Column headers are matched against a fixed synonym table ([`Field::synonyms`]) ignoring
//!   case, spaces and punctuation; anything else is an unknown column, reported as a
//!   [`BomWarning`], never mapped by similarity.
//! - The header row is found below title rows, notes and blank rows.
//! - A row is a line when it identifies a product: a maker, brand, model or part number, or a
//!   description with a model-like token or (with a [`ProductHint`]) a maker's name. Every other
//!   non-blank row below the header is listed in [`Bom::skipped`] with its reason.
//! - A bad quantity or price is a problem on its line ([`BomLine::problems`]), naming the cell;
//!   the line is still read. Broken CSV quoting, text files posing as workbooks, empty or
//!   missing sheets are [`BomError`]s that name the file, sheet, row and column.
//!
//! The crate never prints; the only I/O is reading the file in [`read_bom`] and
//! [`read_bom_lines`], which hands each line on as it is read so that a check of a
//! million-line BOM need not hold it.
//!
//! ```
//! use std::path::Path;
//! use camscope_bom::{Format, ReadOptions, read_bom_from_bytes};
//!
//! let csv = "Riverside BOM\n\nMfr,Model No.,Qty\nAxis,P3265-LVE,4\n";
//! let bom = read_bom_from_bytes(Path::new("bom.csv"), csv.as_bytes(), Format::Csv,
//!     &ReadOptions::default())?;
//! assert_eq!(bom.header_row, 3);
//! assert_eq!(bom.lines[0].model.as_deref(), Some("P3265-LVE"));
//! assert_eq!(bom.lines[0].origin.to_string(), "bom.csv:4");
//!
//! // A bad quantity does not stop the read: the line is kept, the cell is named.
//! let bad = "Mfr,Model,Desc,Qty\nAxis,P3265-LVE,Dome,ten\n";
//! let bom = read_bom_from_bytes(Path::new("bom.csv"), bad.as_bytes(), Format::Csv,
//!     &ReadOptions::default())?;
//! assert_eq!(bom.lines[0].qty, None);
//! assert_eq!(bom.lines[0].problems[0].to_string(),
//!     r#"bom.csv:2: column D (qty): "ten" is not a number; the line is checked without it"#);
//! # Ok::<(), camscope_bom::BomError>(())
//! ```

// A library has no terminal of its own: callers decide how to show errors and warnings.
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod columns;
mod csv_reader;
mod digest;
mod error;
mod table;
mod toml_reader;
mod value;
mod workbook;

use std::io::Read;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

pub use columns::{Field, column_letter};
pub use digest::{DigestError, file_sha256};
pub use error::{BomError, BomWarning, Column, ErrorKind, Location, WarningKind};
pub use table::looks_like_model;
pub use toml_reader::TOML_VERSION;

/// File formats the reader understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// Comma-separated values (`.csv`), UTF-8.
    Csv,
    /// Tab-separated values (`.tsv`, `.tab`), UTF-8.
    Tsv,
    /// Office Open XML workbook (`.xlsx`, `.xlsm`).
    Xlsx,
    /// Excel binary workbook (`.xlsb`).
    Xlsb,
    /// Legacy Excel workbook (`.xls`).
    Xls,
    /// OpenDocument spreadsheet (`.ods`).
    Ods,
    /// TOML BOM with `[[line]]` tables (`.toml`).
    Toml,
}

impl Format {
    /// The format a file's extension names, compared case-insensitively.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "csv" => Format::Csv,
            "tsv" | "tab" => Format::Tsv,
            "xlsx" | "xlsm" => Format::Xlsx,
            "xlsb" => Format::Xlsb,
            "xls" => Format::Xls,
            "ods" => Format::Ods,
            "toml" => Format::Toml,
            _ => return None,
        })
    }
}

/// Tells the reader whether a description names a product (a known maker, a model pattern).
///
/// The reader itself knows no makers; the caller that does (the compliance checker) passes this
/// so that a row holding only "Hikvision DS-2CD2143G2-I dome" is read as a line, never skipped.
#[derive(Clone)]
pub struct ProductHint(std::sync::Arc<dyn Fn(&str) -> bool + Send + Sync>);

impl ProductHint {
    /// Wraps a predicate over description text.
    pub fn new(f: impl Fn(&str) -> bool + Send + Sync + 'static) -> Self {
        ProductHint(std::sync::Arc::new(f))
    }

    /// Whether the text names a product.
    pub fn names_product(&self, text: &str) -> bool {
        (self.0)(text)
    }
}

impl std::fmt::Debug for ProductHint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProductHint(..)")
    }
}

impl PartialEq for ProductHint {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for ProductHint {}

/// How to read a BOM. Build with [`ReadOptions::default`] and the `with_*` methods.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReadOptions {
    /// Worksheet to read, by exact name. Default: the first sheet that is not empty.
    pub sheet: Option<String>,
    /// Field delimiter for CSV. Default: `,` for CSV, tab for TSV.
    pub delimiter: Option<u8>,
    /// Format to use instead of the one the file extension names.
    pub format: Option<Format>,
    /// Recognises descriptions that name a product, so rows without a maker or part number
    /// column value are still read when their description identifies the item.
    pub product_hint: Option<ProductHint>,
}

impl ReadOptions {
    /// Reads the worksheet with this exact name.
    pub fn with_sheet(mut self, sheet: impl Into<String>) -> Self {
        self.sheet = Some(sheet.into());
        self
    }

    /// Splits CSV fields on this byte (for example `b';'` for European Excel exports).
    pub fn with_delimiter(mut self, delimiter: u8) -> Self {
        self.delimiter = Some(delimiter);
        self
    }

    /// Ignores the file extension and reads the file as `format`.
    pub fn with_format(mut self, format: Format) -> Self {
        self.format = Some(format);
        self
    }

    /// Reads rows whose description names a product (see [`ProductHint`]).
    pub fn with_product_hint(mut self, hint: ProductHint) -> Self {
        self.product_hint = Some(hint);
        self
    }
}

/// Why a row below the header was not read as a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SkipReason {
    /// A subtotal, total, tax, freight or discount row.
    Total,
    /// A section heading ("CAMERAS", "Network equipment"): one short text cell.
    SectionHeading,
    /// A note or remark ("Note: prices valid for 30 days").
    Note,
    /// The header row repeated (multi-page exports).
    RepeatedHeader,
    /// Values, but nothing that identifies a product: no maker, brand, model or part number,
    /// and no description naming a maker or a model.
    NoProductIdentity,
}

impl SkipReason {
    /// Every reason.
    pub const ALL: &'static [SkipReason] = &[
        SkipReason::Total,
        SkipReason::SectionHeading,
        SkipReason::Note,
        SkipReason::RepeatedHeader,
        SkipReason::NoProductIdentity,
    ];

    /// Stable kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::Total => "total",
            SkipReason::SectionHeading => "section-heading",
            SkipReason::Note => "note",
            SkipReason::RepeatedHeader => "repeated-header",
            SkipReason::NoProductIdentity => "no-product-identity",
        }
    }
}

/// A row below the header that was not read as a line, kept so that every output can list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedRow {
    /// Where the row is.
    pub origin: Origin,
    /// Why it was skipped.
    pub reason: SkipReason,
    /// Plain-words explanation.
    pub message: String,
    /// The row's non-empty cells, joined with " | ", so the officer recognises it.
    pub text: String,
}

/// A bill of materials read from one file (and one sheet of it).
#[derive(Debug, Clone, PartialEq)]
pub struct Bom {
    /// The file the BOM was read from (the label given for in-memory reads).
    pub source: PathBuf,
    /// The worksheet read, for workbooks.
    pub sheet: Option<String>,
    /// The 1-based row number of the header row; 0 for TOML, which has no header row.
    pub header_row: usize,
    /// The header cells as written, from column A; as wide as the widest row. After
    /// [`read_bom`], every line's `cells` has this length; lines handed on by
    /// [`read_bom_lines`] are as wide as the header row or their own row, whichever is wider,
    /// since a wider row further down is not known yet. For TOML, the canonical names of the
    /// fields used.
    pub headers: Vec<String>,
    /// The lines in file order. Blank rows and rows naming no product are not lines.
    pub lines: Vec<BomLine>,
    /// Unknown or unnamed columns, skipped rows, unreadable cells and similar things worth a
    /// look.
    pub warnings: Vec<BomWarning>,
    /// Every non-blank row below the header that is not a line, with why.
    pub skipped: Vec<SkippedRow>,
}

impl Bom {
    /// Takes the lines of a whole read, padded to the width of the widest row so that every
    /// line's `cells` lines up with `headers`.
    fn keep_lines(&mut self, mut lines: Vec<BomLine>) {
        let width = self.headers.len();
        for line in &mut lines {
            if line.cells.len() < width {
                line.cells.resize(width, String::new());
            }
        }
        self.lines = lines;
    }
}

/// Where a line came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    /// The file, as given to the reader.
    pub file: PathBuf,
    /// The worksheet, for workbooks.
    pub sheet: Option<String>,
    /// The 1-based row number as the spreadsheet shows it: it counts the header and any rows
    /// above it. For CSV it is the physical line where the record starts; for TOML the line
    /// of the `[[line]]` header.
    pub row: usize,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(sheet) = &self.sheet {
            write!(f, "[{sheet}]")?;
        }
        write!(f, ":{}", self.row)
    }
}

/// One line of a BOM. Text fields are trimmed; empty cells are `None`.
///
/// At least one of `manufacturer`, `brand`, `model` and `part_number` is always present.
#[derive(Debug, Clone, PartialEq)]
pub struct BomLine {
    /// Where the line came from.
    pub origin: Origin,
    /// The company that makes the product.
    pub manufacturer: Option<String>,
    /// The brand it is sold under.
    pub brand: Option<String>,
    /// The model designation.
    pub model: Option<String>,
    /// The part number (MPN, SKU, OEM number).
    pub part_number: Option<String>,
    /// Free-text description.
    pub description: Option<String>,
    /// Key components (SoC, chipset).
    pub components: Option<String>,
    /// Country of origin as written.
    pub country_of_origin: Option<String>,
    /// Quantity, a non-negative number.
    pub qty: Option<f64>,
    /// Unit price in US dollars, non-negative.
    pub unit_price: Option<f64>,
    /// Supplier name (FAR 52.204-25(d) reporting).
    pub supplier: Option<String>,
    /// Supplier Unique Entity ID (FAR 52.204-25(d) reporting).
    pub supplier_uei: Option<String>,
    /// Supplier CAGE code (FAR 52.204-25(d) reporting).
    pub cage: Option<String>,
    /// The row's cells as text, untrimmed, in column order; lines up with [`Bom::headers`]
    /// (padded to the header row's width; a cell past the last header has no header).
    pub cells: Vec<String>,
    /// The cells that are numbers, dates or booleans, by column index (into `cells`), in column
    /// order: what the workbook stored, and the quantity and unit price as read from text. A
    /// report hands the officer's cells back with these types rather than as text.
    pub typed: Vec<(usize, TypedCell)>,
    /// Cells of this line that could not be read (a quantity of "2 ea"): the field is left
    /// empty, the line is still checked, and each problem names its cell.
    pub problems: Vec<BomWarning>,
}

impl BomLine {
    /// The value of a text field; `None` for `qty` and `unit_price`, which are numbers.
    pub fn text(&self, field: Field) -> Option<&str> {
        match field {
            Field::Manufacturer => self.manufacturer.as_deref(),
            Field::Brand => self.brand.as_deref(),
            Field::Model => self.model.as_deref(),
            Field::PartNumber => self.part_number.as_deref(),
            Field::Description => self.description.as_deref(),
            Field::Components => self.components.as_deref(),
            Field::CountryOfOrigin => self.country_of_origin.as_deref(),
            Field::Supplier => self.supplier.as_deref(),
            Field::SupplierUei => self.supplier_uei.as_deref(),
            Field::Cage => self.cage.as_deref(),
            Field::Qty | Field::UnitPrice => None,
        }
    }
}

/// A cell value that is not text, as the workbook stored it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TypedCell {
    /// A number.
    Number(f64),
    /// A date or date-time as an Excel serial number (days since 1899-12-30, the time of day
    /// in the fraction); `with_time` when the time of day is not midnight.
    Date {
        /// The serial number.
        serial: f64,
        /// Whether a time of day is part of it.
        with_time: bool,
    },
    /// TRUE or FALSE.
    Bool(bool),
}

/// Reads the BOM in `path`, choosing the format from the extension (or `opts.format`).
///
/// Extensions: `csv`, `tsv`/`tab`, `xlsx`/`xlsm`, `xlsb`, `xls`, `ods`, `toml`. Every line is
/// kept in [`Bom::lines`]; [`read_bom_lines`] hands them on one at a time instead.
pub fn read_bom(path: &Path, opts: &ReadOptions) -> Result<Bom, BomError> {
    let mut lines = Vec::new();
    let mut bom = read_bom_lines(path, opts, &mut |line| {
        lines.push(line);
        ControlFlow::Continue(())
    })?;
    bom.keep_lines(lines);
    Ok(bom)
}

/// Reads the BOM in `path` as [`read_bom`] does, but hands each line to `on_line` as soon as
/// it is read, in file order, and keeps none: the [`Bom`] returned describes the file (header,
/// warnings, skipped rows) with `lines` empty. Memory does not grow with the number of lines
/// for CSV, TSV and XLSX, which are read in blocks; XLS, XLSB and ODS are loaded a sheet at a
/// time. `on_line` returning `Break` stops the read, and the `Bom` then describes the rows
/// read so far.
///
/// An error in the file's layout (no header, two columns for one field) comes before any
/// line. A file that breaks further down (a cell that is not UTF-8 text at row 90,000) is an
/// error after the lines above it were handed on: the caller decides what to do with them.
pub fn read_bom_lines(
    path: &Path,
    opts: &ReadOptions,
    on_line: &mut dyn FnMut(BomLine) -> ControlFlow<()>,
) -> Result<Bom, BomError> {
    let format = resolve_format(path, opts)?;
    read_input(path, Input::File, format, opts, on_line)
}

/// Reads a BOM held in memory. `source` is only a label for origins and messages.
///
/// `format` takes precedence over `opts.format`.
pub fn read_bom_from_bytes(
    source: &Path,
    bytes: &[u8],
    format: Format,
    opts: &ReadOptions,
) -> Result<Bom, BomError> {
    let mut lines = Vec::new();
    let mut bom = read_input(source, Input::Bytes(bytes), format, opts, &mut |line| {
        lines.push(line);
        ControlFlow::Continue(())
    })?;
    bom.keep_lines(lines);
    Ok(bom)
}

/// Where the bytes of a BOM are.
#[derive(Clone, Copy)]
enum Input<'a> {
    /// In the file named by the source path.
    File,
    /// In memory.
    Bytes(&'a [u8]),
}

fn io_error(path: &Path, e: std::io::Error) -> BomError {
    BomError::new(
        ErrorKind::Io,
        Location::file(path, None),
        format!("cannot read the file: {e}"),
    )
    .with_source(e)
}

/// The first bytes of the input, to tell what a file that fails to open as a workbook is.
fn head_of(source: &Path, input: Input<'_>) -> Result<Vec<u8>, BomError> {
    const HEAD: u64 = 4096;
    match input {
        Input::Bytes(bytes) => Ok(bytes[..bytes.len().min(HEAD as usize)].to_vec()),
        Input::File => {
            let mut head = Vec::new();
            std::fs::File::open(source)
                .and_then(|f| f.take(HEAD).read_to_end(&mut head))
                .map_err(|e| io_error(source, e))?;
            Ok(head)
        }
    }
}

fn read_input(
    source: &Path,
    input: Input<'_>,
    format: Format,
    opts: &ReadOptions,
    sink: &mut dyn FnMut(BomLine) -> ControlFlow<()>,
) -> Result<Bom, BomError> {
    let not_a_workbook = |what: &str| {
        BomError::new(
            ErrorKind::Format,
            Location::file(source, None),
            format!("a sheet was requested, but {what} files have no sheets"),
        )
    };
    let hint = opts.product_hint.as_ref();
    match format {
        Format::Csv | Format::Tsv => {
            if opts.sheet.is_some() {
                return Err(not_a_workbook("CSV"));
            }
            let default = if format == Format::Tsv { b'\t' } else { b',' };
            let open = || -> Result<Box<dyn Read + '_>, BomError> {
                match input {
                    Input::Bytes(bytes) => Ok(Box::new(bytes)),
                    Input::File => std::fs::File::open(source)
                        .map(|f| Box::new(f) as Box<dyn Read>)
                        .map_err(|e| io_error(source, e)),
                }
            };
            let delimiter = opts.delimiter.unwrap_or(default);
            csv_reader::read_csv(source, &open, delimiter, hint, sink)
        }
        Format::Toml => {
            if opts.sheet.is_some() {
                return Err(not_a_workbook("TOML"));
            }
            let owned;
            let bytes = match input {
                Input::Bytes(bytes) => bytes,
                Input::File => {
                    owned = std::fs::read(source).map_err(|e| io_error(source, e))?;
                    &owned
                }
            };
            let text = std::str::from_utf8(bytes).map_err(|e| {
                BomError::new(
                    ErrorKind::Format,
                    Location::file(source, None),
                    "the TOML BOM is not UTF-8 text",
                )
                .with_source(e)
            })?;
            // A TOML BOM is typed by hand: small enough to read whole.
            let mut bom = toml_reader::read_toml(source, text)?;
            for line in std::mem::take(&mut bom.lines) {
                if sink(line).is_break() {
                    break;
                }
            }
            Ok(bom)
        }
        Format::Xlsx | Format::Xlsb | Format::Xls | Format::Ods => {
            let head = head_of(source, input)?;
            let sheet = opts.sheet.as_deref();
            match input {
                Input::Bytes(bytes) => workbook::read_workbook(
                    source,
                    std::io::Cursor::new(bytes),
                    &head,
                    format,
                    sheet,
                    hint,
                    sink,
                ),
                Input::File => {
                    let file = std::fs::File::open(source).map_err(|e| io_error(source, e))?;
                    workbook::read_workbook(
                        source,
                        std::io::BufReader::new(file),
                        &head,
                        format,
                        sheet,
                        hint,
                        sink,
                    )
                }
            }
        }
    }
}

fn resolve_format(path: &Path, opts: &ReadOptions) -> Result<Format, BomError> {
    if let Some(format) = opts.format {
        return Ok(format);
    }
    Format::from_path(path).ok_or_else(|| {
        let ext = path
            .extension()
            .map(|e| format!("extension .{}", e.to_string_lossy()))
            .unwrap_or_else(|| "no extension".to_owned());
        BomError::new(
            ErrorKind::Format,
            Location::file(path, None),
            format!(
                "cannot tell the BOM format from {ext}; expected .csv, .tsv, .xlsx, .xlsm, \
                 .xlsb, .xls, .ods or .toml"
            ),
        )
    })
}
