//! The rig's error: what went wrong (a kind the CLI can act on), a message naming the file,
//! field or camera, and the error that caused it, kept so the binary can print the whole chain.

use std::fmt;

/// What kind of failure ended a rig command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad input: a file, field or option the user gave (exit status 2).
    Input,
    /// Reading or writing a file, or starting the runtime.
    Io,
    /// The shipped data of the rig itself does not load (a bug in camscope).
    Data,
}

/// A failure of a rig command, with its cause.
#[derive(Debug)]
pub struct Error {
    /// What kind of failure.
    pub kind: ErrorKind,
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    /// Bad input, described by `message` (file:line:column: field: why).
    pub fn input(message: impl Into<String>) -> Error {
        Error {
            kind: ErrorKind::Input,
            message: message.into(),
            source: None,
        }
    }

    /// `message` says what failed; `source` why.
    pub fn caused(
        kind: ErrorKind,
        message: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Error {
        Error {
            kind,
            message: message.into(),
            source: Some(source.into()),
        }
    }

    /// Shipped data that does not load.
    pub fn data(message: impl Into<String>) -> Error {
        Error {
            kind: ErrorKind::Data,
            message: message.into(),
            source: None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}
