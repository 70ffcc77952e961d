//! The error that ends a `camscope` command with exit status 2, and how the binary prints it:
//! the message, then one `caused by:` line per cause.

use std::io::Write;

use crate::input::InputError;

/// An error that ends the command with exit status 2: what failed and, when another error caused
/// it, that error with its own causes. `cli::run` prints the message, then one `caused by:` line per
/// cause, as cargo and ripgrep do, so "cannot listen on 127.0.0.1:80" keeps the "Permission
/// denied" that explains it.
#[derive(Debug)]
pub struct Failure(Box<dyn std::error::Error + Send + Sync + 'static>);

/// A failure that is only a message.
#[derive(Debug)]
struct Message(String);

impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Message {}

/// A failure with the error that caused it.
#[derive(Debug)]
struct Caused {
    message: String,
    source: Box<dyn std::error::Error + Send + Sync + 'static>,
}

impl std::fmt::Display for Caused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Caused {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

impl Failure {
    /// A failure that is only `message`.
    pub fn new(message: String) -> Failure {
        Failure(Box::new(Message(message)))
    }

    /// A failure saying what failed (`message`), caused by `source`.
    pub fn caused(
        message: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Failure {
        Failure(Box::new(Caused {
            message: message.into(),
            source: source.into(),
        }))
    }

    /// A failure that is `error` itself: its message, then its causes.
    pub fn of(error: impl std::error::Error + Send + Sync + 'static) -> Failure {
        Failure(Box::new(error))
    }

    /// The causes under the message, outermost first. A cause whose text the lines above
    /// already show (an error that prints its source inline) is left out.
    pub fn causes(&self) -> Vec<String> {
        let mut shown = self.0.to_string();
        let mut causes = Vec::new();
        let mut next = self.0.source();
        while let Some(cause) = next {
            let text = cause.to_string();
            if !shown.contains(&text) {
                shown.push('\n');
                shown.push_str(&text);
                causes.push(text);
            }
            next = cause.source();
        }
        causes
    }

    /// Writes `error: message` and one `caused by: …` line per cause to `err`.
    pub fn report(&self, err: &mut dyn Write) {
        let _ = writeln!(err, "error: {self}");
        for cause in self.causes() {
            let _ = writeln!(err, "caused by: {cause}");
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl From<InputError> for Failure {
    fn from(e: InputError) -> Self {
        Failure::of(e)
    }
}

impl From<rig::Error> for Failure {
    fn from(e: rig::Error) -> Self {
        Failure::of(e)
    }
}
