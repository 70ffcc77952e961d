//! Shared harness for the cross-crate and CLI tests in `tests/tests/`.
//!
//! The tests drive `camscope` in-process through `planner::cli::run`, so a panic fails the test
//! instead of hiding behind an exit code, and no binary has to be found on disk.

use std::ffi::OsString;

/// What one `camscope` invocation produced.
#[derive(Debug)]
pub struct Run {
    /// Exit status.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Runs `camscope ARGS…` in-process.
pub fn camscope(args: &[&str]) -> Run {
    let argv: Vec<OsString> = std::iter::once("camscope")
        .chain(args.iter().copied())
        .map(OsString::from)
        .collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = planner::cli::run(argv, &mut out, &mut err);
    Run {
        code,
        stdout: String::from_utf8_lossy(&out).into_owned(),
        stderr: String::from_utf8_lossy(&err).into_owned(),
    }
}
