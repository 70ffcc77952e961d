//! The one error type of this crate.
//!
//! Loading data is the only fallible operation; matching is pure and returns verdicts, not
//! errors. An error always names the file and, where known, the field, because the person who
//! reads it is the one who has to fix a record.

use std::fmt;

/// What went wrong, coarsely; the message says the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A file or directory could not be read.
    Io,
    /// A file is not valid TOML.
    Syntax,
    /// A file parsed, but a field has the wrong shape, type or value.
    Schema,
    /// Records contradict each other (duplicate ids, links to unknown ids).
    Consistency,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrorKind::Io => "I/O error",
            ErrorKind::Syntax => "syntax error",
            ErrorKind::Schema => "schema error",
            ErrorKind::Consistency => "consistency error",
        })
    }
}

/// A data-loading error that names the file and field at fault.
#[derive(Debug, thiserror::Error)]
#[error("{kind} in {file}{}: {message}", field_suffix(.field))]
pub struct Error {
    /// Coarse category.
    pub kind: ErrorKind,
    /// Path of the offending file, relative to the data directory where possible.
    pub file: String,
    /// Dotted path of the offending field (`links[0].from`), empty when the whole file is at fault.
    pub field: String,
    /// What is wrong and, where possible, what was expected.
    pub message: String,
    /// The underlying I/O error, if any.
    #[source]
    pub source: Option<std::io::Error>,
}

fn field_suffix(field: &str) -> String {
    if field.is_empty() {
        String::new()
    } else {
        format!(" (field `{field}`)")
    }
}

impl Error {
    pub(crate) fn new(
        kind: ErrorKind,
        file: impl Into<String>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Error {
            kind,
            file: file.into(),
            field: field.into(),
            message: message.into(),
            source: None,
        }
    }

    pub(crate) fn io(file: impl Into<String>, source: std::io::Error) -> Self {
        Error {
            kind: ErrorKind::Io,
            file: file.into(),
            field: String::new(),
            message: format!("cannot read: {source}"),
            source: Some(source),
        }
    }
}
