//! The rig's error: what went wrong (a kind the CLI can act on), a message naming the file,
//! field or camera, and the error that caused it, kept so the binary can print the whole chain.

use std::fmt;

/// What kind of failure ended a rig command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad input: a file, field or option the user gave (exit status 2).
    Input,
    /// Reading or writing a file, listening, or starting the runtime.
    Io,
    /// The shipped data of the rig itself does not load (a bug in camscope).
    Data,
}

type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

#[derive(Debug)]
enum Repr {
    /// Only a message.
    Message(String),
    /// What failed, and why.
    Caused(String, Cause),
    /// Another crate's error that already says what failed (a manifest or fault plan that does
    /// not parse, a port that cannot be bound): shown as it is, with its own causes.
    Transparent(Cause),
}

/// A failure of a rig command, with its cause.
#[derive(Debug)]
pub struct Error {
    /// What kind of failure.
    pub kind: ErrorKind,
    repr: Repr,
}

impl Error {
    /// Bad input, described by `message` (file:line:column: field: why).
    pub fn input(message: impl Into<String>) -> Error {
        Error {
            kind: ErrorKind::Input,
            repr: Repr::Message(message.into()),
        }
    }

    /// `message` says what failed; `source` why.
    pub fn caused(kind: ErrorKind, message: impl Into<String>, source: impl Into<Cause>) -> Error {
        Error {
            kind,
            repr: Repr::Caused(message.into(), source.into()),
        }
    }

    /// A file that cannot be read or written: the path, and the io error that says why.
    pub fn io(path: &std::path::Path, source: std::io::Error) -> Error {
        Error::caused(ErrorKind::Io, path.display().to_string(), source)
    }

    /// Another crate's error that names what failed itself, kept whole with its causes.
    pub fn of(kind: ErrorKind, source: impl std::error::Error + Send + Sync + 'static) -> Error {
        Error {
            kind,
            repr: Repr::Transparent(Box::new(source)),
        }
    }

    /// Shipped data that does not load.
    pub fn data(message: impl Into<String>) -> Error {
        Error {
            kind: ErrorKind::Data,
            repr: Repr::Message(message.into()),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Message(m) | Repr::Caused(m, _) => f.write_str(m),
            Repr::Transparent(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.repr {
            Repr::Message(_) => None,
            Repr::Caused(_, e) => Some(&**e as &(dyn std::error::Error + 'static)),
            Repr::Transparent(e) => e.source(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn a_wrapped_error_reads_as_itself_and_keeps_its_causes() {
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "Permission denied");
        let listen = Error::caused(ErrorKind::Io, "cannot listen on 127.0.0.1:80", io);
        let outer = Error::of(ErrorKind::Io, listen);
        assert_eq!(outer.to_string(), "cannot listen on 127.0.0.1:80");
        assert_eq!(
            outer.source().map(ToString::to_string).as_deref(),
            Some("Permission denied")
        );
    }
}
