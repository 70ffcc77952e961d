//! TOML BOMs: a `version = 1` key and one `[[line]]` table per line, keyed by the canonical
//! field names (`manufacturer`, `part_number`, `country_of_origin`...).
//!
//! TOML is the format officers or integrators write by hand for this tool, so unlike
//! spreadsheets (where foreign columns are expected and only warned about) an unknown key is
//! an error: it is almost always a misspelt field whose value would otherwise be lost.
//! Each line's row number is the line of its `[[line]]` header in the file.

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::columns::Field;
use crate::error::{BomError, BomWarning, ErrorKind, Location, WarningKind};
use crate::value::{ValueError, parse_price, parse_qty};
use crate::{Bom, BomLine, Origin, TypedCell};

/// The only TOML BOM version this reader knows.
pub const TOML_VERSION: i64 = 1;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlBom {
    version: Option<Spanned<i64>>,
    #[serde(default)]
    line: Vec<Spanned<TomlLine>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlLine {
    manufacturer: Option<String>,
    brand: Option<String>,
    model: Option<String>,
    part_number: Option<String>,
    description: Option<String>,
    components: Option<String>,
    country_of_origin: Option<String>,
    qty: Option<Spanned<Number>>,
    unit_price: Option<Spanned<Number>>,
    supplier: Option<String>,
    supplier_uei: Option<String>,
    cage: Option<String>,
}

/// A numeric field may be written as a TOML number or as text such as `"$1,234.50"`.
#[derive(Deserialize)]
#[serde(untagged)]
enum Number {
    Integer(i64),
    Float(f64),
    Text(String),
}

impl Number {
    fn as_text(&self) -> String {
        match self {
            Number::Integer(i) => i.to_string(),
            Number::Float(f) => f.to_string(),
            Number::Text(t) => t.clone(),
        }
    }
}

/// One `[[line]]` as read, before the columns of the whole BOM are known.
struct RawLine {
    /// The line of its `[[line]]` header in the file.
    row: usize,
    /// Every field with its text as written.
    raw: Vec<(Field, Option<String>)>,
    qty: Option<f64>,
    unit_price: Option<f64>,
    /// Bad numbers, reported on the line.
    problems: Vec<BomWarning>,
}

/// Reads a TOML BOM from text; `file` labels origins and errors.
pub(crate) fn read_toml(file: &Path, text: &str) -> Result<Bom, BomError> {
    let parsed = parse_toml_bom(file, text)?;
    let raw_lines: Vec<RawLine> = parsed
        .line
        .into_iter()
        .map(|spanned| raw_line(file, text, spanned))
        .collect();
    let used = used_fields(&raw_lines);
    let mut lines = Vec::with_capacity(raw_lines.len());
    let mut warnings = Vec::new();
    for raw in raw_lines {
        warnings.extend(raw.problems.iter().cloned());
        lines.push(bom_line(file, raw, &used)?);
    }
    Ok(Bom {
        source: file.to_path_buf(),
        sheet: None,
        header_row: 0,
        headers: used.iter().map(|f| f.name().to_owned()).collect(),
        lines,
        warnings,
        skipped: Vec::new(),
    })
}

/// Where byte `offset` of `text` sits in `file`.
fn at_offset(file: &Path, text: &str, offset: usize) -> Location {
    Location::file(file, None).at_row(line_of(text, offset))
}

/// The TOML document with a supported `version` and at least one `[[line]]`.
fn parse_toml_bom(file: &Path, text: &str) -> Result<TomlBom, BomError> {
    let parsed: TomlBom = toml::from_str(text).map_err(|e| {
        let location = match e.span() {
            Some(span) => at_offset(file, text, span.start),
            None => Location::file(file, None),
        };
        let message = format!("invalid TOML BOM: {}", e.message().trim_end());
        BomError::new(ErrorKind::Format, location, message).with_source(e)
    })?;
    match &parsed.version {
        None => {
            return Err(BomError::new(
                ErrorKind::Format,
                Location::file(file, None),
                format!("missing `version = {TOML_VERSION}` at the top of the TOML BOM"),
            ));
        }
        Some(v) if *v.get_ref() != TOML_VERSION => {
            return Err(BomError::new(
                ErrorKind::Format,
                at_offset(file, text, v.span().start),
                format!(
                    "unsupported TOML BOM version {}; this reader knows version {TOML_VERSION}",
                    v.get_ref()
                ),
            ));
        }
        Some(_) => {}
    }
    if parsed.line.is_empty() {
        return Err(BomError::new(
            ErrorKind::EmptySheet,
            Location::file(file, None),
            "the TOML BOM has no [[line]] tables",
        ));
    }
    Ok(parsed)
}

/// A numeric field's value; a bad number is a problem on the line, never the end of the read.
fn numeric_field(
    at: impl Fn(usize) -> Location,
    value: &Option<Spanned<Number>>,
    field: Field,
    parse: fn(&str) -> Result<f64, ValueError>,
    problems: &mut Vec<BomWarning>,
) -> Option<f64> {
    let value = value.as_ref()?;
    let text_value = value.get_ref().as_text();
    if text_value.trim().is_empty() {
        return None;
    }
    parse(&text_value)
        .map(Some)
        .unwrap_or_else(|ValueError(message)| {
            problems.push(BomWarning {
                kind: WarningKind::BadCell,
                location: at(value.span().start),
                message: format!("{field}: {message}; the line is checked without it"),
            });
            None
        })
}

/// One `[[line]]`: its row, its fields as written and its parsed numbers.
fn raw_line(file: &Path, text: &str, spanned: Spanned<TomlLine>) -> RawLine {
    let row = line_of(text, spanned.span().start);
    let line = spanned.into_inner();
    let at = |offset: usize| at_offset(file, text, offset);
    let mut problems = Vec::new();
    let qty = numeric_field(at, &line.qty, Field::Qty, parse_qty, &mut problems);
    let unit_price = numeric_field(
        at,
        &line.unit_price,
        Field::UnitPrice,
        parse_price,
        &mut problems,
    );
    let raw: Vec<(Field, Option<String>)> = vec![
        (Field::Manufacturer, line.manufacturer),
        (Field::Brand, line.brand),
        (Field::Model, line.model),
        (Field::PartNumber, line.part_number),
        (Field::Description, line.description),
        (Field::Components, line.components),
        (Field::CountryOfOrigin, line.country_of_origin),
        (Field::Qty, line.qty.map(|q| q.get_ref().as_text())),
        (
            Field::UnitPrice,
            line.unit_price.map(|p| p.get_ref().as_text()),
        ),
        (Field::Supplier, line.supplier),
        (Field::SupplierUei, line.supplier_uei),
        (Field::Cage, line.cage),
    ];
    RawLine {
        row,
        raw,
        qty,
        unit_price,
        problems,
    }
}

/// The "columns" of a TOML BOM: the fields used by any line, in canonical order, so that
/// `cells` lines up with `headers` as it does for spreadsheets.
fn used_fields(raw_lines: &[RawLine]) -> Vec<Field> {
    Field::ALL
        .into_iter()
        .filter(|field| {
            raw_lines
                .iter()
                .any(|l| l.raw.iter().any(|(f, v)| f == field && v.is_some()))
        })
        .collect()
}

/// The BOM line, with cells for the `used` columns; it must name a maker, brand, model or
/// part number.
fn bom_line(file: &Path, raw_line: RawLine, used: &[Field]) -> Result<BomLine, BomError> {
    let RawLine {
        row,
        raw,
        qty,
        unit_price,
        problems,
    } = raw_line;
    let get = |field: Field| -> Option<String> {
        raw.iter()
            .find(|(f, _)| *f == field)
            .and_then(|(_, v)| v.as_deref())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let line = BomLine {
        origin: Origin {
            file: file.to_path_buf(),
            sheet: None,
            row,
        },
        manufacturer: get(Field::Manufacturer),
        brand: get(Field::Brand),
        model: get(Field::Model),
        part_number: get(Field::PartNumber),
        description: get(Field::Description),
        components: get(Field::Components),
        country_of_origin: get(Field::CountryOfOrigin),
        qty,
        unit_price,
        supplier: get(Field::Supplier),
        supplier_uei: get(Field::SupplierUei),
        cage: get(Field::Cage),
        cells: used
            .iter()
            .map(|field| {
                raw.iter()
                    .find(|(f, _)| f == field)
                    .and_then(|(_, v)| v.clone())
                    .unwrap_or_default()
            })
            .collect(),
        typed: used
            .iter()
            .enumerate()
            .filter_map(|(i, field)| match field {
                Field::Qty => qty.map(|v| (i, TypedCell::Number(v))),
                Field::UnitPrice => unit_price.map(|v| (i, TypedCell::Number(v))),
                _ => None,
            })
            .collect(),
        problems,
    };
    if line.manufacturer.is_none()
        && line.brand.is_none()
        && line.model.is_none()
        && line.part_number.is_none()
    {
        return Err(BomError::new(
            ErrorKind::Field,
            Location::file(file, None).at_row(row),
            "the line has no manufacturer, brand, model or part_number; at least one is \
             needed to check it",
        ));
    }
    Ok(line)
}

/// The 1-based line holding byte `offset` of `text`.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}
