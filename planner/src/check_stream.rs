//! The check of a BOM file as a pipeline, so that a million-line BOM is checked in bounded
//! memory: one thread reads lines ([`bom::read_bom_lines`]) and sends them on in batches,
//! this one checks each batch ([`Checker::check_lines`]) and hands the checked lines to the
//! output, which writes them (CSV, JSON) or keeps them (the formats that need every line).
//! At most a few batches are in flight, so reading runs beside checking on a second core
//! without racing ahead of it.

use std::ops::ControlFlow;
use std::path::Path;
use std::sync::mpsc;

use bom::{Bom, BomError, BomLine, ReadOptions};

use crate::check::{CheckReport, CheckedLine, Checker, CsvWriter, DataUsed, JsonWriter};

/// Lines per batch: enough for the checker to share verdicts and split work across cores,
/// small enough that a batch in flight is a few megabytes.
const BATCH: usize = 4096;

/// Batches the reader may be ahead of the checker.
const IN_FLIGHT: usize = 2;

/// Why a streamed check stopped.
#[derive(Debug)]
pub enum StreamError {
    /// The BOM could not be read (lines above the error may have been handed on).
    Read(BomError),
    /// The output refused a batch.
    Write(std::io::Error),
}

/// Reads the BOM at `path`, checks its lines with `checker` in file order and hands each
/// checked batch to `on_checked`. Returns the BOM's description (header, warnings, skipped
/// rows; no lines), for [`Checker::finish`].
pub fn check_file(
    path: &Path,
    read: &ReadOptions,
    checker: &mut Checker<'_>,
    on_checked: &mut dyn FnMut(Vec<CheckedLine>) -> std::io::Result<()>,
) -> Result<Bom, StreamError> {
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::sync_channel::<Vec<BomLine>>(IN_FLIGHT);
        let reader = scope.spawn(move || {
            let mut batch = Vec::with_capacity(BATCH);
            let described = bom::read_bom_lines(path, read, &mut |line| {
                batch.push(line);
                if batch.len() == BATCH {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                    // The checker hung up: the output failed, so reading on is wasted.
                    if tx.send(full).is_err() {
                        return ControlFlow::Break(());
                    }
                }
                ControlFlow::Continue(())
            });
            if !batch.is_empty() {
                let _ = tx.send(batch);
            }
            described
        });
        let mut refused = None;
        for batch in rx {
            if let Err(e) = on_checked(checker.check_lines(batch)) {
                refused = Some(e);
                break;
            }
        }
        // A panic in the reader is a bug in it; re-raise it rather than lose lines.
        let described = reader
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        match (refused, described) {
            (Some(e), _) => Err(StreamError::Write(e)),
            (None, Err(e)) => Err(StreamError::Read(e)),
            (None, Ok(bom)) => Ok(bom),
        }
    })
}

/// Where checked lines go: written as they come (CSV, JSON), or kept for the formats that need
/// every line (table, XLSX, HTML).
pub enum ReportOutput<W: std::io::Write> {
    /// CSV rows, header first.
    Csv(Box<CsvWriter<W>>),
    /// The JSON report, `lines` first.
    Json(JsonWriter<W>),
    /// The checked lines, for [`CheckReport::lines`].
    Keep(Vec<CheckedLine>),
}

impl<W: std::io::Write> ReportOutput<W> {
    /// A CSV output; writes the header row.
    pub fn csv(out: W, data: &DataUsed) -> std::io::Result<Self> {
        CsvWriter::new(out, data).map(|w| ReportOutput::Csv(Box::new(w)))
    }

    /// A JSON output; opens the report object.
    pub fn json(out: W) -> std::io::Result<Self> {
        JsonWriter::new(out).map(ReportOutput::Json)
    }

    /// Takes the next checked lines.
    pub fn lines(&mut self, lines: Vec<CheckedLine>) -> std::io::Result<()> {
        match self {
            ReportOutput::Csv(w) => w.lines(&lines),
            ReportOutput::Json(w) => w.lines(&lines),
            ReportOutput::Keep(kept) => {
                kept.extend(lines);
                Ok(())
            }
        }
    }

    /// Ends the output with what only the finished `report` knows (skipped rows, counts);
    /// returns the written output, or `None` after putting the kept lines into `report`.
    pub fn finish(self, report: &mut CheckReport) -> std::io::Result<Option<W>> {
        match self {
            ReportOutput::Csv(w) => w.finish(&report.skipped).map(Some),
            ReportOutput::Json(w) => w.finish(report).map(Some),
            ReportOutput::Keep(kept) => {
                report.lines = kept;
                Ok(None)
            }
        }
    }
}
