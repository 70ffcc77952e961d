//! The one error type of this crate.
//!
//! The rig runs unattended next to a planner that must tell a bad stream configuration (the user
//! fixes a plan) from a socket failure (the machine is at fault) from a client that speaks broken
//! RTSP (the peer is at fault). [`ErrorKind`] carries that distinction for code; the message says
//! which stream, address or request was involved, for people.

use std::fmt;

/// What went wrong, coarsely; the message says the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A stream configuration or mount cannot be served (zero fps, odd width, bitrate too low…).
    Config,
    /// A socket could not be bound, accepted, read or written.
    Io,
    /// A peer sent bytes that are not a valid RTSP message.
    Protocol,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrorKind::Config => "configuration error",
            ErrorKind::Io => "I/O error",
            ErrorKind::Protocol => "protocol error",
        })
    }
}

/// An error of the rig, with its kind, a message naming the stream or peer, and the cause.
#[derive(Debug, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct Error {
    /// Coarse category, for code that reacts to errors.
    pub kind: ErrorKind,
    /// What failed and on which stream, path or address.
    pub message: String,
    /// The underlying I/O error, if any.
    #[source]
    pub source: Option<std::io::Error>,
}

impl Error {
    pub(crate) fn config(message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Config,
            message: message.into(),
            source: None,
        }
    }

    pub(crate) fn io(message: impl Into<String>, source: std::io::Error) -> Self {
        Error {
            kind: ErrorKind::Io,
            message: message.into(),
            source: Some(source),
        }
    }

    pub(crate) fn protocol(message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Protocol,
            message: message.into(),
            source: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_names_kind_and_context_and_keeps_source() {
        let e = Error::io(
            "cannot bind 127.0.0.1:554",
            std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        );
        assert_eq!(e.kind, ErrorKind::Io);
        assert_eq!(e.to_string(), "I/O error: cannot bind 127.0.0.1:554");
        assert!(std::error::Error::source(&e).is_some());
        let c = Error::config("fps must be at least 1");
        assert_eq!(c.to_string(), "configuration error: fps must be at least 1");
        let p = Error::protocol("bad request from 127.0.0.1:5000");
        assert_eq!(p.kind, ErrorKind::Protocol);
        assert!(std::error::Error::source(&p).is_none());
    }
}
