//! Self-contained HTML reports that people send: one file, inline CSS, no network fetches,
//! every value from a user's file escaped.
//!
//! Each report is an askama template fed by a named view-model struct, so a template reads like
//! the report it renders and the compiler checks every field it uses. Only the compliance report
//! exists so far; the proposal and rig reports come with the reports issue.
#![warn(clippy::print_stdout, clippy::print_stderr)]

use askama::Template;

/// A count shown in the summary.
#[derive(Debug, Clone)]
pub struct Count {
    /// What is counted.
    pub label: String,
    /// How many.
    pub value: usize,
    /// CSS class: good, review or bad.
    pub class: String,
}

/// A link with its text.
#[derive(Debug, Clone)]
pub struct Link {
    /// Text shown.
    pub text: String,
    /// Target, or empty.
    pub url: String,
}

/// One BOM line in the compliance report.
#[derive(Debug, Clone)]
pub struct ComplianceLine {
    /// Row as the spreadsheet numbers it.
    pub row: usize,
    /// deny, warn, waived or ok.
    pub level: String,
    /// Maker / brand / model / part number.
    pub item: String,
    /// Description from the BOM.
    pub description: String,
    /// Section 889 verdict.
    pub verdict_889: String,
    /// Section 889 code.
    pub code_889: String,
    /// Section 889 reason.
    pub reason_889: String,
    /// Relationship chain, or empty.
    pub chain: String,
    /// Citations of both checks.
    pub citations: Vec<Link>,
    /// TAA verdict.
    pub taa_verdict: String,
    /// TAA code.
    pub taa_code: String,
    /// Country resolved.
    pub taa_country: String,
    /// Lists the country is on.
    pub taa_lists: String,
    /// TAA reason.
    pub taa_reason: String,
    /// Waiver reason, or empty.
    pub waiver: String,
}

/// The compliance report.
#[derive(Debug, Clone, Template)]
#[template(path = "compliance.html")]
pub struct ComplianceView {
    /// Page title.
    pub title: String,
    /// camscope version.
    pub tool: String,
    /// Date of the check.
    pub checked_on: String,
    /// BOM file.
    pub file: String,
    /// Sheet, or empty.
    pub sheet: String,
    /// Data version.
    pub data_version: String,
    /// Data hash.
    pub data_hash: String,
    /// Data as-of date.
    pub data_as_of: String,
    /// Embedded or a directory.
    pub data_source: String,
    /// Outcomes at deny level.
    pub deny: String,
    /// Summary counts.
    pub counts: Vec<Count>,
    /// Warnings.
    pub warnings: Vec<String>,
    /// Lines.
    pub lines: Vec<ComplianceLine>,
}

impl ComplianceView {
    /// Renders the report. Rendering a fully built view cannot fail for want of data; a
    /// formatter error (which askama reports for a failing `Display`) is written into the page.
    pub fn render(&self) -> String {
        Template::render(self)
            .unwrap_or_else(|e| format!("<!doctype html><p>report rendering failed: {e}</p>"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(description: &str) -> ComplianceView {
        ComplianceView {
            title: "t".into(),
            tool: "camscope".into(),
            checked_on: "2026-11-22".into(),
            file: "bom.csv".into(),
            sheet: String::new(),
            data_version: "1".into(),
            data_hash: "abc".into(),
            data_as_of: "2026-09-30".into(),
            data_source: "embedded".into(),
            deny: "covered".into(),
            counts: vec![Count {
                label: "covered".into(),
                value: 1,
                class: "bad".into(),
            }],
            warnings: vec![],
            lines: vec![ComplianceLine {
                row: 2,
                level: "deny".into(),
                item: "Hikvision / DS-2CD2143G2-I".into(),
                description: description.into(),
                verdict_889: "covered".into(),
                code_889: "named-entity".into(),
                reason_889: "r".into(),
                chain: String::new(),
                citations: vec![Link {
                    text: "FAR 52.204-25".into(),
                    url: "https://www.acquisition.gov/far/52.204-25".into(),
                }],
                taa_verdict: "non_designated".into(),
                taa_code: "non-designated-country".into(),
                taa_country: "China (CN)".into(),
                taa_lists: String::new(),
                taa_reason: "r".into(),
                waiver: String::new(),
            }],
        }
    }

    #[test]
    fn user_values_are_escaped() {
        let html = view("<script>alert(1)</script>").render();
        assert!(!html.contains("<script>alert(1)</script>"));
        assert!(
            html.contains("&#60;script&#62;alert(1)&#60;/script&#62;")
                || html.contains("&lt;script&gt;"),
            "{html}"
        );
    }

    #[test]
    fn report_carries_data_version_and_citations_and_no_external_fetch() {
        let html = view("camera").render();
        assert!(html.contains("2026-09-30") && html.contains("abc"));
        assert!(html.contains("href=\"https://www.acquisition.gov/far/52.204-25\""));
        // Self-contained: no scripts, stylesheets or images from elsewhere.
        for needle in ["<script", "<link", "src=\"http", "@import"] {
            assert!(!html.contains(needle), "{needle}");
        }
    }
}
