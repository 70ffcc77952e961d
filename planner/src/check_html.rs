//! The BOM check as an HTML report for a contract file: a first page that says what was checked
//! (the file and its SHA-256, the data, the gate, who prepared and reviewed it) and what the
//! check is and is not; then one compact row per line, the citations gathered once in a
//! numbered appendix, the review decisions, the rows not checked, the columns not read and the
//! data notes that applied.
//!
//! Fed from the compact per-line result ([`CheckReport`]); the markup lives in
//! `reports/templates/compliance.html`.

use std::collections::{BTreeMap, HashMap};

use compliance_data::{Citation, TaaVerdict, Verdict889};

use crate::check::{
    AppliedWaiver, CheckReport, DecisionStatus, chain_text, code_of, other_lists_checked,
};

/// One summary count, shared by the HTML report and the XLSX Summary sheet.
#[derive(Debug, Clone)]
pub struct SummaryCount {
    /// "Section 889", "TAA", "other lists" or "lines".
    pub group: &'static str,
    /// What is counted, in words.
    pub label: String,
    /// How many lines (or rows).
    pub value: usize,
    /// good, review or bad.
    pub class: &'static str,
}

/// The summary counts per verdict and per TAA result, then the gate's counts.
pub fn summary_counts(r: &CheckReport) -> Vec<SummaryCount> {
    let s = &r.summary;
    let c = |group, label: &str, value, class| SummaryCount {
        group,
        label: label.to_owned(),
        value,
        class,
    };
    vec![
        c("lines", "lines checked", s.lines, "muted"),
        c("Section 889", "covered", s.covered, "bad"),
        c("Section 889", "needs review", s.needs_review, "review"),
        c(
            "Section 889",
            "not covered, on a record of independence",
            s.clear_on_record,
            "good",
        ),
        c(
            "Section 889",
            "not covered, by a cited rule",
            s.clear_on_rule,
            "good",
        ),
        c("TAA", "designated country", s.designated, "good"),
        c("TAA", "non-designated country", s.non_designated, "bad"),
        c("TAA", "origin unknown", s.unknown, "review"),
        SummaryCount {
            group: "other lists",
            label: format!("with findings ({})", other_lists_checked(r)),
            value: s.other_lists,
            class: "review",
        },
        c("lines", "at deny level", s.denied, "bad"),
        c("lines", "accepted by a review decision", s.waived, "review"),
        c("lines", "rows not checked", s.skipped, "muted"),
    ]
}

/// The exit result in words, and its class.
pub fn exit_result(r: &CheckReport) -> (String, &'static str) {
    if r.fails() {
        (
            format!(
                "exit 1 — {} line(s) at deny level: this BOM does not pass the gate",
                r.summary.denied
            ),
            "bad",
        )
    } else {
        (
            "exit 0 — no line at deny level: every line is clear on evidence or accepted by a recorded decision".to_owned(),
            "good",
        )
    }
}

fn words_889(v: Verdict889) -> &'static str {
    match v {
        Verdict889::Covered => "covered",
        Verdict889::NeedsReview => "needs review",
        Verdict889::NotCovered => "not covered",
    }
}

fn words_taa(v: TaaVerdict) -> &'static str {
    match v {
        TaaVerdict::Designated => "designated",
        TaaVerdict::NonDesignated => "non-designated",
        TaaVerdict::Unknown => "origin unknown",
    }
}

fn class_889(v: Verdict889) -> &'static str {
    match v {
        Verdict889::Covered => "bad",
        Verdict889::NeedsReview => "review",
        Verdict889::NotCovered => "good",
    }
}

fn class_taa(v: TaaVerdict) -> &'static str {
    match v {
        TaaVerdict::Designated => "good",
        TaaVerdict::NonDesignated => "bad",
        TaaVerdict::Unknown => "review",
    }
}

/// Numbers each distinct citation (text and address) in the order first met.
#[derive(Default)]
struct Appendix {
    numbers: BTreeMap<(String, String), usize>,
    entries: Vec<reports::CitationEntry>,
}

impl Appendix {
    fn cite(&mut self, c: &Citation, row: usize) -> usize {
        self.entry(c.text.clone(), c.url.clone().unwrap_or_default(), row)
    }

    /// The number of an entry (a citation, or a statement about an entity or rule that many
    /// lines share), counting `row` among the lines that refer to it.
    fn entry(&mut self, text: String, url: String, row: usize) -> usize {
        let key = (text, url);
        let n = match self.numbers.get(&key) {
            Some(n) => *n,
            None => {
                let n = self.entries.len() + 1;
                self.numbers.insert(key.clone(), n);
                self.entries.push(reports::CitationEntry {
                    number: n,
                    text: key.0,
                    url: key.1,
                    lines: 0,
                    rows: String::new(),
                });
                n
            }
        };
        let e = &mut self.entries[n - 1];
        e.lines += 1;
        if e.lines <= 4 {
            if !e.rows.is_empty() {
                e.rows.push_str(", ");
            }
            e.rows.push_str(&row.to_string());
        } else if e.lines == 5 {
            e.rows.push_str(", …");
        }
        n
    }
}

/// Citation numbers as ranges: "1–4, 9, 12–13".
fn ranges_text(numbers: &[usize]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < numbers.len() {
        let start = numbers[i];
        let mut end = start;
        while i + 1 < numbers.len() && numbers[i + 1] == end + 1 {
            i += 1;
            end = numbers[i];
        }
        out.push(if end > start {
            format!("{start}–{end}")
        } else {
            start.to_string()
        });
        i += 1;
    }
    out.join(", ")
}

/// A list of rows, shortened past a dozen ("5, 6, 7, … (40 rows)").
fn rows_text(rows: &[usize]) -> String {
    const SHOWN: usize = 12;
    let mut t: Vec<String> = rows.iter().take(SHOWN).map(ToString::to_string).collect();
    if rows.len() > SHOWN {
        t.push(format!("… ({} rows)", rows.len()));
    }
    t.join(", ")
}

/// The statements of a reason after its first (which names the line's own cells): "A is a
/// subsidiary of B [grade B]", "B is named in NDAA FY2019 §889(f)(3)(B).".
fn statements(reason: &str) -> impl Iterator<Item = &str> {
    reason.split("; ").skip(1)
}

/// How many lines each statement of a Section 889 reason appears on, and each whole tail of
/// statements, so that what many lines share is said once in the appendix.
fn shared_statements(r: &CheckReport) -> HashMap<String, usize> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for l in &r.lines {
        let reason = &l.section_889.reason;
        let mut parts: Vec<&str> = statements(reason).collect();
        if parts.len() > 1 {
            *seen.entry(parts.join("; ")).or_default() += 1;
        }
        parts.sort_unstable();
        parts.dedup();
        for p in parts {
            *seen.entry(p.to_owned()).or_default() += 1;
        }
    }
    seen
}

/// A Section 889 reason with the statements many lines share replaced by appendix numbers:
/// the line keeps what is its own ("manufacturer “HiLook” matches HiLook") in words.
fn reason_with_references(
    reason: &str,
    shared: &HashMap<String, usize>,
    appendix: &mut Appendix,
    row: usize,
) -> String {
    let is_shared = |t: &str| shared.get(t).is_some_and(|n| *n > 1);
    let first = reason.split("; ").next().unwrap_or_default();
    let tail: Vec<&str> = statements(reason).collect();
    let mut own = vec![first.to_owned()];
    let mut refs = Vec::new();
    let whole = tail.join("; ");
    if tail.len() > 1 && is_shared(&whole) {
        refs.push(appendix.entry(whole, String::new(), row));
    } else {
        for t in tail {
            if is_shared(t) {
                refs.push(appendix.entry(t.to_owned(), String::new(), row));
            } else {
                own.push(t.to_owned());
            }
        }
    }
    let mut text = own.join("; ");
    if !refs.is_empty() {
        let numbers: Vec<String> = refs.iter().map(ToString::to_string).collect();
        text.push_str(&format!(" [{}]", numbers.join(", ")));
    }
    text
}

fn line_view(
    l: &crate::check::CheckedLine,
    shared: &HashMap<String, usize>,
    appendix: &mut Appendix,
    notes: &mut Vec<(String, Vec<usize>)>,
) -> reports::ComplianceLine {
    let mut cites: Vec<usize> = Vec::new();
    for c in l
        .section_889
        .citations
        .iter()
        .chain(&l.taa.citations)
        .chain(l.other_lists.iter().flat_map(|f| &f.citations))
    {
        let n = appendix.cite(c, l.row);
        if !cites.contains(&n) {
            cites.push(n);
        }
    }
    // What many lines share is said once in the appendix: what a list entry means, and the
    // records of independence a clear verdict rests on.
    let other_lists = l
        .other_lists
        .iter()
        .map(|f| {
            // Each statement once: "A is a subsidiary of B", "B is on the list since …".
            let numbers: Vec<String> = f
                .reason
                .split("; ")
                .map(|part| {
                    appendix
                        .entry(
                            format!("{}: {part}", f.regime.label()),
                            String::new(),
                            l.row,
                        )
                        .to_string()
                })
                .collect();
            format!("{}: {} [{}]", f.regime.label(), f.code, numbers.join(", "))
        })
        .collect();
    let reason_889 = if l.section_889.independence.is_empty() {
        reason_with_references(&l.section_889.reason, shared, appendix, l.row)
    } else {
        let shown: Vec<String> = l
            .section_889
            .independence
            .iter()
            .map(|ind| {
                let n = appendix.entry(
                    format!("Record of independence: {}", ind.summary()),
                    String::new(),
                    l.row,
                );
                format!("{} [{n}]", ind.name)
            })
            .collect();
        format!(
            "Independence established by the data: {}. Nothing else on the line points at a covered producer.",
            shown.join("; ")
        )
    };
    cites.sort_unstable();
    for n in &l.section_889.notes {
        match notes.iter_mut().find(|(t, _)| t == n) {
            Some((_, rows)) => rows.push(l.row),
            None => notes.push((n.clone(), vec![l.row])),
        }
    }
    let item = [&l.manufacturer, &l.brand, &l.model, &l.part_number]
        .iter()
        .filter_map(|v| v.as_deref())
        .collect::<Vec<_>>()
        .join(" / ");
    let country = l
        .taa
        .country
        .as_ref()
        .map(|c| format!("{} ({})", c.name, c.alpha2))
        .or_else(|| l.taa.input.clone())
        .unwrap_or_default();
    reports::ComplianceLine {
        row: l.row,
        level: l.level.to_string(),
        item,
        description: l.description.clone().unwrap_or_default(),
        qty: l.qty.map(|q| q.to_string()).unwrap_or_default(),
        verdict_889: words_889(l.section_889.verdict).to_owned(),
        class_889: class_889(l.section_889.verdict).to_owned(),
        code_889: l.section_889.code.as_str().to_string(),
        reason_889,
        chain: chain_text(&l.section_889),
        taa_verdict: words_taa(l.taa.verdict).to_owned(),
        class_taa: class_taa(l.taa.verdict).to_owned(),
        taa_code: code_of(&l.taa.code),
        taa_country: country,
        // A resolved country says it all (its name and the verdict); an unknown origin says why.
        taa_reason: if l.taa.verdict == TaaVerdict::Unknown {
            l.taa.reason.clone()
        } else {
            String::new()
        },
        other_lists,
        cites: ranges_text(&cites),
        decision: l
            .waiver
            .as_ref()
            .map(AppliedWaiver::summary)
            .unwrap_or_default(),
        problems: l.problems.clone(),
    }
}

fn status_words(s: DecisionStatus) -> &'static str {
    match s {
        DecisionStatus::Applied => "applied",
        DecisionStatus::NothingToAccept => "matched, nothing to accept",
        DecisionStatus::Unused => "matches no line",
        DecisionStatus::Expired => "expired",
    }
}

/// The self-contained HTML compliance report; `generated` is the time printed on it.
pub fn html(r: &CheckReport, generated: &str) -> String {
    let counts = summary_counts(r);
    let mut appendix = Appendix::default();
    let shared = shared_statements(r);
    let mut notes: Vec<(String, Vec<usize>)> = Vec::new();
    let lines: Vec<reports::ComplianceLine> = r
        .lines
        .iter()
        .map(|l| line_view(l, &shared, &mut appendix, &mut notes))
        .collect();
    let (exit, exit_class) = exit_result(r);
    let bars: Vec<(String, f64, String)> = counts
        .iter()
        .filter(|c| matches!(c.group, "Section 889" | "TAA"))
        .map(|c| {
            (
                format!("{}: {}", c.group.replace("Section ", ""), c.label),
                c.value as f64,
                c.class.to_owned(),
            )
        })
        .collect();
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let identity: Vec<reports::Fact> = [
        ("Project", &r.report.project),
        ("Solicitation / contract", &r.report.solicitation),
        ("Quote", &r.report.quote),
    ]
    .into_iter()
    .filter_map(|(label, v)| {
        v.as_ref().map(|v| reports::Fact {
            label: label.to_owned(),
            value: v.clone(),
        })
    })
    .collect();
    let view = reports::ComplianceView {
        title: format!("Compliance check — {}", r.file),
        tool: r.tool.clone(),
        generated: generated.to_string(),
        data_stamp: r.data.stamp.to_string(),
        file: r.file.clone(),
        file_sha256: r.file_sha256.clone(),
        sheet: r.sheet.clone().unwrap_or_default(),
        header_row: r.header_row,
        identity,
        prepared_by: opt(&r.report.prepared_by),
        reviewed_by: opt(&r.report.reviewed_by),
        checked_on: r.checked_on.clone(),
        data_version: r.data.stamp.version.clone(),
        data_hash: r.data.stamp.hash.clone(),
        data_as_of: r.data.stamp.as_of.to_string(),
        data_source: r.data.source.clone(),
        deny: if r.deny.is_empty() {
            "nothing".to_owned()
        } else {
            r.deny
                .iter()
                .map(|d| d.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        },
        other_lists: other_lists_checked(r),
        exit,
        exit_class: exit_class.to_owned(),
        counts: counts
            .iter()
            .map(|c| reports::Count {
                label: if c.group == "lines" {
                    c.label.clone()
                } else {
                    format!("{} {}", c.group, c.label)
                },
                value: c.value,
                class: c.class.to_owned(),
            })
            .collect(),
        counts_chart: reports::chart::bar_chart("Lines by verdict", &bars, &|v| format!("{v:.0}")),
        warnings: r.warnings.clone(),
        lines,
        citations: appendix.entries,
        decisions: r
            .decisions
            .iter()
            .map(|d| reports::DecisionRow {
                index: d.index,
                names: d.names.clone(),
                check: code_of(&d.check),
                by: d.by.clone(),
                date: d.date.map(|x| x.0.to_string()).unwrap_or_default(),
                expires: d.expires.map(|x| x.0.to_string()).unwrap_or_default(),
                reason: d.reason.clone(),
                status: status_words(d.status).to_owned(),
                rows: rows_text(&d.rows),
            })
            .collect(),
        skipped: r
            .skipped
            .iter()
            .map(|k| reports::SkippedRowView {
                row: k.row,
                reason: k.reason.to_owned(),
                message: k.message.clone(),
                text: k.text.clone(),
            })
            .collect(),
        unread_columns: r
            .unread_columns
            .iter()
            .map(|c| reports::Fact {
                label: if c.header.is_empty() {
                    format!("column {}", c.column)
                } else {
                    format!("column {} “{}”", c.column, c.header)
                },
                value: c.reason.clone(),
            })
            .collect(),
        data_notes: notes
            .into_iter()
            .map(|(note, rows)| reports::Fact {
                label: rows_text(&rows),
                value: note,
            })
            .collect(),
    };
    reports::render(&view)
}
