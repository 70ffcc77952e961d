//! Self-contained HTML reports that people send: one file, inline CSS and SVG, no network
//! fetches, every value from a user's file escaped, printable on A4 and Letter.
//!
//! Each report is an askama template fed by a named view-model struct, so a template reads like
//! the report it renders and the compiler checks every field it uses. Charts are laid out in
//! [`chart`] as numbers and drawn by the templates, so no markup is assembled by hand and every
//! label is escaped like any other value.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod chart;

use askama::Template;

pub use chart::{BarChart, LineChart, StackedBarChart};

/// A labelled figure.
#[derive(Debug, Clone)]
pub struct Fact {
    /// What it is.
    pub label: String,
    /// The figure, formatted.
    pub value: String,
}

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

/// One BOM line in the compliance report: one compact row.
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
    /// Quantity, or empty.
    pub qty: String,
    /// Section 889 verdict in words ("needs review").
    pub verdict_889: String,
    /// good, review or bad.
    pub class_889: String,
    /// Section 889 code.
    pub code_889: String,
    /// Section 889 reason.
    pub reason_889: String,
    /// Relationship chain, or empty.
    pub chain: String,
    /// TAA verdict in words ("origin unknown").
    pub taa_verdict: String,
    /// good, review or bad.
    pub class_taa: String,
    /// TAA code.
    pub taa_code: String,
    /// Country resolved (or the origin as written).
    pub taa_country: String,
    /// TAA reason when the country is not designated, else empty.
    pub taa_reason: String,
    /// Findings under other lists (FCC Covered List, ASDA, DoD 1260H), one per entry, each
    /// starting with its list's name.
    pub other_lists: Vec<String>,
    /// Numbers of the appendix entries this line rests on, as ranges ("1–4, 9").
    pub cites: String,
    /// The review decision applied, in words, or empty.
    pub decision: String,
    /// Cells that could not be read.
    pub problems: Vec<String>,
}

/// One entry of the citations appendix.
#[derive(Debug, Clone)]
pub struct CitationEntry {
    /// Its number, as the lines reference it.
    pub number: usize,
    /// What is cited.
    pub text: String,
    /// Where to read it, or empty.
    pub url: String,
    /// How many lines cite it.
    pub lines: usize,
    /// The first rows that cite it.
    pub rows: String,
}

/// A review decision of the policy file and what it did.
#[derive(Debug, Clone)]
pub struct DecisionRow {
    /// Index in the policy file.
    pub index: usize,
    /// The lines it names.
    pub names: String,
    /// What it covers.
    pub check: String,
    /// Who decided.
    pub by: String,
    /// When.
    pub date: String,
    /// Until when, or empty.
    pub expires: String,
    /// Why.
    pub reason: String,
    /// What became of it, in words.
    pub status: String,
    /// Rows it accepted.
    pub rows: String,
}

/// A row below the header that was not checked.
#[derive(Debug, Clone)]
pub struct SkippedRowView {
    /// Row as the spreadsheet numbers it.
    pub row: usize,
    /// Stable reason code.
    pub reason: String,
    /// Why, in words.
    pub message: String,
    /// The row's cells.
    pub text: String,
}

/// The compliance report.
#[derive(Debug, Clone, Template)]
#[template(path = "compliance.html")]
pub struct ComplianceView {
    /// Page title.
    pub title: String,
    /// camscope version.
    pub tool: String,
    /// When the report was generated.
    pub generated: String,
    /// Data version line for the footer.
    pub data_stamp: String,
    /// BOM file.
    pub file: String,
    /// SHA-256 of the BOM file, or empty.
    pub file_sha256: String,
    /// Sheet, or empty.
    pub sheet: String,
    /// Row of the header.
    pub header_row: usize,
    /// Project, solicitation and quote, those given.
    pub identity: Vec<Fact>,
    /// Who ran the check, or empty (a line to sign).
    pub prepared_by: String,
    /// Who reviewed it, or empty (a line to sign).
    pub reviewed_by: String,
    /// Date of the check.
    pub checked_on: String,
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
    /// Other lists checked.
    pub other_lists: String,
    /// The exit result in words.
    pub exit: String,
    /// good or bad.
    pub exit_class: String,
    /// Summary counts.
    pub counts: Vec<Count>,
    /// The counts as a bar chart.
    pub counts_chart: BarChart,
    /// Warnings.
    pub warnings: Vec<String>,
    /// Lines.
    pub lines: Vec<ComplianceLine>,
    /// The citations appendix.
    pub citations: Vec<CitationEntry>,
    /// Review decisions and waivers.
    pub decisions: Vec<DecisionRow>,
    /// Rows not checked.
    pub skipped: Vec<SkippedRowView>,
    /// Columns not read: the column, and why.
    pub unread_columns: Vec<Fact>,
    /// Data notes that applied: the rows, and the note.
    pub data_notes: Vec<Fact>,
}

/// A reason for the recommendation.
#[derive(Debug, Clone)]
pub struct ReasonRow {
    /// Stable code.
    pub code: String,
    /// Plain words.
    pub text: String,
}

/// How close an option comes to one ceiling.
#[derive(Debug, Clone)]
pub struct Ceiling {
    /// Which ceiling.
    pub label: String,
    /// "82%".
    pub pct: String,
    /// Meter width, 0-100.
    pub width: f64,
    /// good, review (over 85%) or bad (over 100%).
    pub class: String,
}

/// One option in the side-by-side comparison.
#[derive(Debug, Clone)]
pub struct OptionColumn {
    /// "NVR appliances" or "VMS: product".
    pub name: String,
    /// Why it cannot be built, or empty.
    pub problem: String,
    /// Units, storage, licences, cost.
    pub rows: Vec<Fact>,
    /// Ceiling use.
    pub ceilings: Vec<Ceiling>,
    /// Ceilings broken by fixed equipment.
    pub violations: Vec<String>,
}

/// A year of cost, formatted.
#[derive(Debug, Clone)]
pub struct TcoRow {
    /// Year.
    pub year: u32,
    /// NVR spend.
    pub nvr: String,
    /// VMS spend.
    pub vms: String,
    /// NVR cumulative.
    pub nvr_cumulative: String,
    /// VMS cumulative.
    pub vms_cumulative: String,
    /// Cloud cumulative.
    pub cloud_cumulative: String,
}

/// A camera group, formatted.
#[derive(Debug, Clone)]
pub struct GroupRow {
    /// Site.
    pub site: String,
    /// Group.
    pub name: String,
    /// Cameras across copies.
    pub cameras: u64,
    /// "4MP h265 15 fps".
    pub stream: String,
    /// Main-stream bitrate.
    pub bitrate: String,
    /// "30 days".
    pub retention: String,
    /// Storage kept.
    pub storage: String,
}

/// A site in the network summary.
#[derive(Debug, Clone)]
pub struct TopologyRow {
    /// Site instance (or "Store ×11").
    pub site: String,
    /// Cameras.
    pub cameras: usize,
    /// Recorders.
    pub recorders: usize,
    /// Switches.
    pub switches: usize,
    /// The busiest link.
    pub busiest: String,
    /// Its load and limit.
    pub load: String,
}

/// One line of the design schedule: identical recorders of one site, with what each carries and
/// how its storage is built, and the site's switches.
#[derive(Debug, Clone)]
pub struct ScheduleRow {
    /// Site, with its copies ("Store ×12").
    pub site: String,
    /// Recorder or server model, with its role when it stands by.
    pub model: String,
    /// How many of it at one copy of the site.
    pub count: u32,
    /// Cameras on each over its channels ("10 of 16").
    pub channels: String,
    /// Ingest of each over its limit.
    pub ingest: String,
    /// RAID layout as built ("2 × RAID 6 of 10+10").
    pub raid: String,
    /// Drives in each ("21 × 20 TB").
    pub drives: String,
    /// Hot spares in each.
    pub spares: u32,
    /// The site's switches ("2 × 24-port PoE"), on the site's first line only.
    pub switches: String,
    /// Set when a figure is over its ceiling: what is over, in words.
    pub over: String,
}

/// A priced line of the bill of materials the plan draws.
#[derive(Debug, Clone)]
pub struct PricedBomRow {
    /// Section (cameras, recording, network, software).
    pub section: String,
    /// Item as a buyer orders it.
    pub item: String,
    /// What it is for.
    pub description: String,
    /// Quantity.
    pub qty: String,
    /// Unit price, or why there is none.
    pub unit_price: String,
    /// Quantity × unit price, or empty.
    pub extended: String,
}

/// A BOM line with its verdicts, in the proposal.
#[derive(Debug, Clone)]
pub struct ProposalBomRow {
    /// Row.
    pub row: usize,
    /// Item.
    pub item: String,
    /// Description.
    pub description: String,
    /// Quantity.
    pub qty: String,
    /// deny, warn, waived or ok.
    pub level: String,
    /// Section 889 verdict.
    pub verdict_889: String,
    /// TAA verdict and country.
    pub taa: String,
}

/// A figure the plan used, on the assumptions page.
#[derive(Debug, Clone)]
pub struct AssumptionRow {
    /// Catalog entry ("operating.labour-rate").
    pub entry: String,
    /// What it is.
    pub what: String,
    /// Value with its unit.
    pub value: String,
    /// "source", "assumed" or "site" (styles the row).
    pub class: String,
    /// The source's title, the assumption's reason, or "set in the site file".
    pub basis: String,
    /// The source's address, or empty.
    pub url: String,
    /// The source's date, or empty.
    pub date: String,
}

/// One kind of cost over the horizon, per option.
#[derive(Debug, Clone)]
pub struct CostKindRow {
    /// The kind, in words.
    pub kind: String,
    /// CSS class of its colour in the stacked chart.
    pub class: String,
    /// The NVR option's total, or "—" when it cannot be built.
    pub nvr: String,
    /// The VMS option's total, or "—".
    pub vms: String,
    /// NVR minus VMS, signed; empty when either cannot be built.
    pub difference: String,
}

/// The proposal.
#[derive(Debug, Clone, Template)]
#[template(path = "proposal.html")]
pub struct ProposalView {
    /// Page title.
    pub title: String,
    /// camscope version.
    pub tool: String,
    /// When the report was generated.
    pub generated: String,
    /// Data versions for the footer.
    pub data_stamp: String,
    /// Project.
    pub project: String,
    /// The customer (the project name when the site file names none).
    pub customer: String,
    /// The proposal's details as label and value: prepared by, reference, date, valid until.
    pub details: Vec<Fact>,
    /// Currency.
    pub currency: String,
    /// Catalog files.
    pub catalog: String,
    /// Headline figures.
    pub summary: Vec<Fact>,
    /// "nvr" or "vms" (styles the callout).
    pub choice: String,
    /// The recommendation in one sentence.
    pub recommendation: String,
    /// Every reason that fired.
    pub reasons: Vec<ReasonRow>,
    /// NVR and VMS columns.
    pub options: Vec<OptionColumn>,
    /// Years costed.
    pub horizon: u32,
    /// Cumulative cost chart.
    pub tco_chart: LineChart,
    /// Cost table.
    pub tco: Vec<TcoRow>,
    /// Each option's spend over the horizon, stacked by kind of cost.
    pub cost_kinds_chart: StackedBarChart,
    /// The same figures as a table: one row per kind.
    pub cost_kinds: Vec<CostKindRow>,
    /// Where the options cross, in words.
    pub crossover: String,
    /// What the costs leave out.
    pub excluded_costs: String,
    /// Storage per group chart.
    pub storage_chart: BarChart,
    /// Camera groups.
    pub groups: Vec<GroupRow>,
    /// Option the network summary is for.
    pub topology_option: String,
    /// Network summary.
    pub topology: Vec<TopologyRow>,
    /// BOM source and data version, when a BOM was given.
    pub bom_source: String,
    /// BOM lines with verdicts (empty without a BOM).
    pub bom: Vec<ProposalBomRow>,
    /// Every catalog figure and default the plan used, with its source or assumption.
    pub assumptions: Vec<AssumptionRow>,
    /// The design schedule of the option deployed.
    pub schedule: Vec<ScheduleRow>,
    /// The priced bill of materials of the option deployed.
    pub priced_bom: Vec<PricedBomRow>,
    /// Subtotal per section.
    pub bom_subtotals: Vec<Fact>,
    /// Total of every priced line, with the currency.
    pub bom_total: String,
    /// What the total leaves out (lines without a price).
    pub bom_unpriced: String,
    /// The growth the site file expects: today's and the grown figures (none when it expects
    /// no growth).
    pub growth: Option<GrowthView>,
    /// The compliance screenings the site requires (Section 889, TAA) of what the site file
    /// names and the plan picks; empty when it requires none.
    pub screenings: Vec<ScreeningView>,
}

/// One compliance screening of the plan, as the proposal shows it.
#[derive(Debug, Clone)]
pub struct ScreeningView {
    /// "Section 889" or "Trade Agreements Act (country of origin)".
    pub title: String,
    /// What was screened, in words.
    pub scope: String,
    /// The compliance data version and date.
    pub data: String,
    /// Findings, errors first.
    pub findings: Vec<ScreeningRow>,
    /// What was found clear, in words.
    pub cleared: Vec<String>,
}

/// One finding of a screening.
#[derive(Debug, Clone)]
pub struct ScreeningRow {
    /// "Error" (blocks the option as planned) or "Warning" (to resolve before ordering).
    pub severity: String,
    /// "bad" (an error) or "review" (a warning), for styling.
    pub class: String,
    /// Where in the design: the site and camera group, or the product.
    pub place: String,
    /// What the screening found, in words.
    pub message: String,
}

/// The growth section of a proposal.
#[derive(Debug, Clone)]
pub struct GrowthView {
    /// "Growth to 140 cameras, sized as a step in year 3".
    pub heading: String,
    /// Groups that grow: "Store / Entrance and tills: 5 → 6 per copy".
    pub groups: Vec<String>,
    /// One row per figure: today and grown, for each option.
    pub rows: Vec<GrowthRow>,
    /// What the step buys, per site and option.
    pub steps: Vec<String>,
    /// The growth in words.
    pub text: String,
}

/// One figure of the growth table.
#[derive(Debug, Clone)]
pub struct GrowthRow {
    /// What the figure is.
    pub what: String,
    /// NVR option today.
    pub nvr_today: String,
    /// NVR option grown.
    pub nvr_grown: String,
    /// VMS option today.
    pub vms_today: String,
    /// VMS option grown.
    pub vms_grown: String,
}

/// One camera's result in the rig report.
#[derive(Debug, Clone)]
pub struct RigCameraRow {
    /// Camera id.
    pub camera: String,
    /// Recorder id.
    pub recorder: String,
    /// Planned kbit/s.
    pub planned_kbps: String,
    /// Measured kbit/s.
    pub measured_kbps: String,
    /// Planned fps.
    pub planned_fps: String,
    /// Measured fps.
    pub measured_fps: String,
    /// RTP loss.
    pub loss: String,
    /// Latency.
    pub latency: String,
    /// pass or fail.
    pub result: String,
    /// Why it failed, or empty.
    pub reason: String,
}

/// The rig report (planned versus measured at full camera load).
#[derive(Debug, Clone, Template)]
#[template(path = "rig.html")]
pub struct RigView {
    /// Page title.
    pub title: String,
    /// camscope version.
    pub tool: String,
    /// When the report was generated.
    pub generated: String,
    /// Data version line for the footer.
    pub data_stamp: String,
    /// Manifest file.
    pub manifest: String,
    /// "60 s at full load".
    pub duration: String,
    /// tcp or udp.
    pub transport: String,
    /// pass or fail.
    pub verdict: String,
    /// Why it failed.
    pub reasons: Vec<String>,
    /// Headline figures.
    pub summary: Vec<Fact>,
    /// How the run was made: tolerances, apply, cameras, transport, host, versions.
    pub context: Vec<Fact>,
    /// Received bitrate over time.
    pub timeline: LineChart,
    /// Per camera.
    pub cameras: Vec<RigCameraRow>,
}

/// Renders any report. A fully built view cannot fail for want of data; a formatter error
/// (askama reports a failing `Display`) is written into the page rather than lost.
pub fn render(view: &impl Template) -> String {
    view.render()
        .unwrap_or_else(|e| format!("<!doctype html><p>report rendering failed: {e}</p>"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(description: &str) -> ComplianceView {
        ComplianceView {
            title: "t".into(),
            tool: "camscope".into(),
            generated: "2026-11-22 10:00 UTC".into(),
            data_stamp: "data 1".into(),
            counts_chart: chart::bar_chart("c", &[("covered".into(), 1.0, "bad".into())], &|v| {
                format!("{v}")
            }),
            file: "bom.csv".into(),
            file_sha256: "f00d".into(),
            sheet: String::new(),
            header_row: 1,
            identity: vec![],
            prepared_by: String::new(),
            reviewed_by: "J. Smith".into(),
            checked_on: "2026-11-22".into(),
            data_version: "1".into(),
            data_hash: "abc".into(),
            data_as_of: "2026-09-30".into(),
            data_source: "embedded".into(),
            deny: "covered".into(),
            other_lists: "FCC Covered List".into(),
            exit: "exit 1".into(),
            exit_class: "bad".into(),
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
                qty: "1".into(),
                verdict_889: "covered".into(),
                class_889: "bad".into(),
                code_889: "named-entity".into(),
                reason_889: "r".into(),
                chain: String::new(),
                taa_verdict: "non-designated".into(),
                class_taa: "bad".into(),
                taa_code: "non-designated-country".into(),
                taa_country: "China (CN)".into(),
                taa_reason: String::new(),
                other_lists: vec!["FCC Covered List: listed-entity — <b>r</b>".into()],
                cites: "1".into(),
                decision: String::new(),
                problems: vec![],
            }],
            citations: vec![CitationEntry {
                number: 1,
                text: "FAR 52.204-25".into(),
                url: "https://www.acquisition.gov/far/52.204-25".into(),
                lines: 1,
                rows: "2".into(),
            }],
            decisions: vec![],
            skipped: vec![],
            unread_columns: vec![],
            data_notes: vec![],
        }
    }

    #[test]
    fn user_values_are_escaped() {
        let html = render(&view("<script>alert(1)</script>"));
        assert!(!html.contains("<script>alert(1)</script>"));
        assert!(html.contains("FCC Covered List: listed-entity"));
        assert!(!html.contains("<b>r</b>"), "other-list text is escaped");
        assert!(
            html.contains("&#60;script&#62;alert(1)&#60;/script&#62;")
                || html.contains("&lt;script&gt;"),
            "{html}"
        );
    }

    #[test]
    fn report_carries_data_version_and_citations_and_no_external_fetch() {
        let html = render(&view("camera"));
        assert!(html.contains("2026-09-30") && html.contains("abc"));
        assert!(html.contains("href=\"https://www.acquisition.gov/far/52.204-25\""));
        // Self-contained: no scripts, stylesheets or images from elsewhere.
        for needle in ["<script", "<link", "src=\"http", "@import"] {
            assert!(!html.contains(needle), "{needle}");
        }
    }
}
