//! The `camscope` command line: argument parsing, reading files, choosing the output format and
//! the exit status. Planning and arithmetic live in other modules and crates.
//!
//! Exit status: 0 success, 2 bad input or usage (with the file, line, column and field), 1 is
//! reserved for findings at deny level (the BOM check). A closed stdout (`camscope plan | head`)
//! is success, not an error.

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde_json::json;
use sizing::raid::RaidLayout;
use sizing::storage::{recorded_bytes, retention_days};
use sizing::{
    Bitrate, Bytes, Codec, Convention, RaidLevel, RecordingMode, Resolution, Scene, ingest,
};

use crate::catalog::Catalog;
use crate::check_stream::{self, ReportOutput};
pub use crate::failure::Failure;
use crate::site::{EXAMPLE, EXAMPLE_NAME, SiteFile};
use crate::{check, check_html, check_xlsx, deploy, frigate, generate, plan, render, topology};

/// Plan video-surveillance systems: cameras → bitrate → storage → recorders → licences → cost.
#[derive(Debug, Parser)]
#[command(name = "camscope", version, about, max_term_width = 100)]
pub struct Cli {
    /// A catalog file laid over the built-in catalog, record by record: a record with a shipped id
    /// changes only the fields it gives (with its own source or assumption), a new id adds one.
    #[arg(long, global = true, value_name = "FILE", env = "CAMSCOPE_CATALOG")]
    pub catalog: Option<PathBuf>,
    /// A compliance-data directory to use instead of the data built into camscope.
    #[arg(long, global = true, value_name = "DIR", env = "CAMSCOPE_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Plan a site file (the built-in example when none is given): both options, cost and advice.
    /// Exit status 1 when the Section 889 / TAA screening has an error or the recommended
    /// option is over a ceiling.
    Plan {
        /// The site file (TOML, version 1).
        site: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Write the deployment for a site file: manifest.json, bom.csv, bom.xlsx, topology/<site>.dot
    /// (and .svg with Graphviz) and frigate/<recorder>.yml with frigate/index.json. Exit status 1
    /// when something is over a ceiling or the plan's Section 889 / TAA screening has an error
    /// (listed on stderr).
    Generate {
        /// The site file (TOML, version 1).
        site: PathBuf,
        /// Directory to write into (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Option to deploy [default: the recommended one].
        #[arg(long, value_enum)]
        option: Option<ChoiceArg>,
        /// A stream inventory (`camscope rig inventory --out FILE`): write the stream URIs the
        /// cameras reported into manifest.json and the Frigate files instead of the planned
        /// paths. Cameras it does not report keep their planned paths, listed with why.
        #[arg(long, value_name = "INVENTORY")]
        stream_uris: Option<PathBuf>,
    },
    /// The hardware-in-the-loop rig: simulated cameras.
    #[command(subcommand)]
    Rig(RigCommand),
    /// Write a report people send (self-contained HTML, optionally printed to PDF).
    #[command(subcommand)]
    Report(ReportCommand),
    /// One calculation at a time, without a site file.
    #[command(subcommand)]
    Calc(Calc),
    /// Check a bill of materials line by line against Section 889 and the TAA.
    ///
    /// Exit status 0 when nothing is at deny level, 1 when something is, 2 for bad input.
    Check(CheckArgs),
    /// Inspect the compliance data.
    #[command(subcommand)]
    Data(DataCommand),
    /// Write the annotated example site file to start from.
    Init {
        /// Directory to write it into.
        #[arg(long, default_value = ".")]
        dir: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
}

/// Values of `generate --option` (the manifest's [`deploy::Choice`], spelled for the command line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ChoiceArg {
    /// NVR appliances.
    Nvr,
    /// A VMS on recording servers.
    Vms,
}

impl From<ChoiceArg> for deploy::Choice {
    fn from(c: ChoiceArg) -> deploy::Choice {
        match c {
            ChoiceArg::Nvr => deploy::Choice::Nvr,
            ChoiceArg::Vms => deploy::Choice::Vms,
        }
    }
}

/// Arguments of `camscope check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The BOM: .csv, .tsv, .xlsx, .xlsm, .xls, .xlsb, .ods or .toml.
    pub bom: PathBuf,
    /// Worksheet to read (default: the first one with data).
    #[arg(long)]
    pub sheet: Option<String>,
    /// Output format; xlsx needs --out.
    #[arg(long, value_enum, default_value_t = CheckFormat::Table)]
    pub format: CheckFormat,
    /// Write the report to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Outcomes that fail the check [default: covered,non-designated, or the policy's].
    #[arg(long, value_enum, value_delimiter = ',')]
    pub deny: Option<Vec<check::Outcome>>,
    /// Policy file (TOML): deny levels and waivers with their reasons.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Check as of this date (YYYY-MM-DD) instead of today, to reproduce a past report.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// With --format html and --out: also print the report to PDF through headless Chromium.
    #[arg(long)]
    pub pdf: bool,
    /// The project the BOM is for, printed on the report (overrides the policy's `[report]`).
    #[arg(long, value_name = "TEXT")]
    pub project: Option<String>,
    /// The solicitation or contract number, printed on the report.
    #[arg(long, value_name = "TEXT")]
    pub solicitation: Option<String>,
    /// The quote or BOM identity (vendor, number, revision), printed on the report.
    #[arg(long, value_name = "TEXT")]
    pub quote: Option<String>,
    /// Who ran the check, printed on the report.
    #[arg(long, value_name = "NAME")]
    pub prepared_by: Option<String>,
    /// Who reviewed it, printed on the report.
    #[arg(long, value_name = "NAME")]
    pub reviewed_by: Option<String>,
}

/// Rig commands.
#[derive(Debug, Subcommand)]
pub enum RigCommand {
    /// Run simulated ONVIF cameras (device, Media, Media2 over HTTP; H.264/H.265 over RTSP) until
    /// interrupted. The password comes from the environment (--password-env), never the command line.
    Simulate(crate::rig_cli::SimulateArgs),
    /// Prove a plan on cameras: find every camera of a manifest, optionally push its settings,
    /// pull every stream at once with retina and judge what arrived against the plan.
    /// Exit 0 pass, 1 fail, 2 bad input.
    Validate(crate::rig_cli::ValidateArgs),
    /// Combine the results of `rig validate --shard` runs into one verdict.
    Merge(crate::rig_cli::MergeArgs),
    /// Ask every camera of a manifest over ONVIF for its stream URIs (GetProfiles,
    /// GetStreamUri) and write the inventory `generate --stream-uris` writes back into the
    /// exports. Exit 0 when every planned camera reported, 1 when some did not, 2 bad input.
    Inventory(crate::rig_cli::InventoryArgs),
}

/// Reports.
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// The proposal: recommendation with reasons, NVR vs VMS side by side, cost over the years,
    /// storage by group, network summary and, with --bom, the BOM's compliance verdicts.
    Proposal {
        /// The site file.
        site: PathBuf,
        /// A BOM to check and include (the plan's own bom.csv, or a distributor's quote).
        #[arg(long, value_name = "FILE")]
        bom: Option<PathBuf>,
        /// Worksheet of the BOM.
        #[arg(long)]
        sheet: Option<String>,
        /// Where to write the HTML.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Also print it to PDF (next to the HTML) through headless Chromium.
        #[arg(long)]
        pdf: bool,
        /// Check the BOM as of this date (YYYY-MM-DD) instead of today.
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
    },
}

/// Compliance data commands.
#[derive(Debug, Subcommand)]
pub enum DataCommand {
    /// Check the data records: unknown keys, bad dates, duplicate aliases, missing sources.
    Lint,
    /// Explain what the data knows about a name (maker, brand, component, model or country).
    Show {
        /// The name to look up.
        name: String,
        /// As of this date (YYYY-MM-DD) instead of today.
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
        format: ShowFormat,
    },
}

/// Formats of `data show`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    /// Text for people.
    Table,
    /// JSON.
    Json,
}

/// Formats of the BOM check report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// Text for people.
    Table,
    /// JSON: data version, hash and as-of date, and a `lines` array.
    Json,
    /// One CSV row per line with the verdict columns.
    Csv,
    /// The officer's own rows plus verdict columns (needs --out).
    Xlsx,
    /// A self-contained HTML report.
    Html,
}

/// The cameras and streams the storage and retention calculators work on.
#[derive(Debug, Args)]
pub struct StreamArgs {
    /// Cameras.
    #[arg(long)]
    pub cameras: u64,
    /// Bitrate per camera, with unit (4Mbps, 2048kbps), read under --convention.
    #[arg(long)]
    pub bitrate: String,
    /// How kilo/mega count: si (1000; drive vendors, Genetec, WD) or binary (1024; the Dahua HDD
    /// appendix copied into many OEM manuals, where 2048 kbit/s is 900 MB/h).
    #[arg(long, value_enum, default_value_t = ConventionArg::Si)]
    pub convention: ConventionArg,
    /// Hours recorded per day.
    #[arg(long, default_value_t = 24.0)]
    pub hours_per_day: f64,
    /// Fraction of those hours recorded (motion duty cycle).
    #[arg(long, default_value_t = 1.0)]
    pub duty: f64,
}

impl StreamArgs {
    /// The bitrate under the convention, and the whole seconds recorded per day.
    fn resolve(&self) -> Result<(Bitrate, u64), Failure> {
        let bitrate = Bitrate::parse_as(&self.bitrate, self.convention.into())
            .map_err(|e| Failure::new(format!("--bitrate: {e}")))?;
        Ok((bitrate, seconds_per_day(self.hours_per_day, self.duty)?))
    }
}

/// Unit conventions on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConventionArg {
    /// Decimal: 1 kbit = 1000 bit, 1 MB = 10^6 bytes.
    Si,
    /// Binary: 1 kbit = 1024 bit, MB = MiB (Dahua-style manuals).
    Binary,
}

impl From<ConventionArg> for Convention {
    fn from(c: ConventionArg) -> Convention {
        match c {
            ConventionArg::Si => Convention::Si,
            ConventionArg::Binary => Convention::Binary,
        }
    }
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned text for people.
    Table,
    /// JSON with exact integers (bytes, bit/s) beside human units.
    Json,
    /// Comma-separated values for spreadsheets.
    Csv,
}

/// Options shared by the calculators.
#[derive(Debug, Args)]
pub struct FormatArg {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Calculators.
#[derive(Debug, Subcommand)]
pub enum Calc {
    /// Storage for N cameras at a bitrate for D days.
    Storage {
        #[command(flatten)]
        #[allow(missing_docs)]
        streams: StreamArgs,
        /// Retention in days.
        #[arg(long)]
        days: u64,
        /// Output format.
        #[command(flatten)]
        format: FormatArg,
    },
    /// Days of retention a capacity holds.
    Retention {
        #[command(flatten)]
        #[allow(missing_docs)]
        streams: StreamArgs,
        /// Capacity, with unit (1000GB, 12TB, 10TiB).
        #[arg(long)]
        capacity: Bytes,
        /// Output format.
        #[command(flatten)]
        format: FormatArg,
    },
    /// Usable capacity of a RAID array.
    Raid {
        /// Level: none, raid1, raid5, raid6, raid10.
        #[arg(long)]
        level: RaidLevel,
        /// Drives in total, hot spares included.
        #[arg(long)]
        drives: u32,
        /// Marked size of each drive, with unit.
        #[arg(long)]
        drive_size: Bytes,
        /// Hot spares [default: the catalog's `hot-spares`, as `plan` uses it].
        #[arg(long)]
        hot_spares: Option<u32>,
        /// Widest RAID 5/6 group; wider arrays are split into groups [default: the catalog's
        /// `raid-max-group`, as `plan` uses it].
        #[arg(long)]
        max_group: Option<u32>,
        /// Output format.
        #[command(flatten)]
        format: FormatArg,
    },
    /// How many cameras an NVR's incoming bandwidth admits.
    NvrCapacity {
        /// Incoming bandwidth ceiling, with unit.
        #[arg(long)]
        incoming: Bitrate,
        /// Main-stream bitrate per camera.
        #[arg(long)]
        main: Bitrate,
        /// Sub-stream bitrate per camera, if the NVR pulls one.
        #[arg(long, default_value = "0bps")]
        sub: Bitrate,
        /// Fraction of the ceiling kept free for playback and remote view [default: the
        /// catalog's `nvr-ingest-reserve`, as `plan` uses it; 0 for a vendor's bare figure].
        #[arg(long)]
        reserve: Option<f64>,
        /// Output format.
        #[command(flatten)]
        format: FormatArg,
    },
    /// Estimated bitrate of one camera stream from the catalog's model.
    Bitrate {
        /// Resolution: 1080p, 4MP, 4K, 4CIF, CIF … or WIDTHxHEIGHT.
        #[arg(long)]
        resolution: Resolution,
        /// Codec: mjpeg, h264, h265, h264-smart, h265-smart.
        #[arg(long)]
        codec: Codec,
        /// Frames per second.
        #[arg(long, default_value_t = 15.0)]
        fps: f64,
        /// Scene activity: low, medium, high.
        #[arg(long, default_value = "medium")]
        scene: Scene,
        /// Output format.
        #[command(flatten)]
        format: FormatArg,
    },
}

fn io_failure(path: &Path, e: io::Error) -> Failure {
    Failure::caused(path.display().to_string(), e)
}

/// Runs the binary against the process's arguments and streams.
pub fn main() -> i32 {
    let stdout = io::stdout();
    // Not locked for the whole run: `rig simulate` logs to stderr from its runtime's threads,
    // which would wait forever for a lock this thread holds.
    run(std::env::args_os(), &mut stdout.lock(), &mut io::stderr())
}

/// Runs `camscope` with `args` (program name first), writing to `out` and `err`, and returns the
/// exit status. Tests call this in-process.
pub fn run(
    args: impl IntoIterator<Item = OsString>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        // `--version` names the compliance data built in too: a verdict is only as good as it.
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayVersion => {
            let _ = out.write_all(version_text().as_bytes());
            return 0;
        }
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let text = e.render().to_string();
            let _ = if code == 0 {
                out.write_all(text.as_bytes())
            } else {
                err.write_all(text.as_bytes())
            };
            return code;
        }
    };
    // The simulator runs until interrupted: its status lines go out as they happen, unbuffered.
    if let Command::Rig(RigCommand::Simulate(args)) = cli.command {
        return match crate::rig_cli::simulate(args, out) {
            Ok(code) => code,
            Err(failure) => {
                failure.report(err);
                2
            }
        };
    }
    // Validation shows progress while it runs, so it writes straight to the streams too.
    if let Command::Rig(RigCommand::Validate(args)) = cli.command {
        return match crate::rig_cli::validate(args, out, err) {
            Ok(code) => code,
            Err(failure) => {
                failure.report(err);
                2
            }
        };
    }
    if let Command::Rig(RigCommand::Inventory(args)) = cli.command {
        return match crate::rig_cli::inventory(args, out, err) {
            Ok(code) => code,
            Err(failure) => {
                failure.report(err);
                2
            }
        };
    }
    let mut buffer = Vec::new();
    let mut notes = Vec::new();
    let result = execute(cli, &mut buffer, &mut notes);
    // Warnings go to stderr whatever the outcome, so a pipe of JSON stays clean.
    let _ = err.write_all(&notes);
    match result {
        Ok(status) => match out.write_all(&buffer).and_then(|()| out.flush()) {
            Ok(()) => status,
            // A reader that went away (`| head`) is not a failure of ours.
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => 0,
            Err(e) => {
                let _ = writeln!(err, "error: writing output: {e}");
                2
            }
        },
        Err(failure) => {
            failure.report(err);
            2
        }
    }
}

/// What `camscope --version` prints: the version, and the compliance data compiled in.
fn version_text() -> String {
    let data = match compliance_data::Dataset::embedded() {
        Ok(ds) => compliance_data::DataStamp::of(&ds).to_string(),
        Err(e) => format!("compliance data: the built-in data does not load ({e})"),
    };
    format!("camscope {}\n{data}\n", env!("CARGO_PKG_VERSION"))
}

fn load_catalog(path: Option<&Path>) -> Result<Catalog, Failure> {
    match path {
        None => Ok(Catalog::embedded()?),
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| io_failure(p, e))?;
            Ok(Catalog::with_overlay(&p.display().to_string(), &text)?)
        }
    }
}

fn execute(cli: Cli, out: &mut Vec<u8>, notes: &mut Vec<u8>) -> Result<i32, Failure> {
    match cli.command {
        Command::Check(args) => return run_check(args, cli.data_dir.as_deref(), out, notes),
        Command::Data(cmd) => return run_data(cmd, cli.data_dir.as_deref(), out),
        Command::Rig(
            RigCommand::Simulate(_) | RigCommand::Validate(_) | RigCommand::Inventory(_),
        ) => {
            return Err(Failure::new(
                "rig simulate, validate and inventory run unbuffered; this path is not reached"
                    .into(),
            ));
        }
        Command::Rig(RigCommand::Merge(args)) => return crate::rig_cli::merge(args, out),
        Command::Report(ReportCommand::Proposal {
            site,
            bom,
            sheet,
            out: file,
            pdf,
            as_of,
        }) => {
            let catalog = load_catalog(cli.catalog.as_deref())?;
            let (site_file, plan) = read_plan(&site, &catalog)?;
            let choice = if plan.recommendation.choice == crate::plan::Choice::Nvr {
                deploy::Choice::Nvr
            } else {
                deploy::Choice::Vms
            };
            let manifest =
                deploy::deploy(&site_file, &catalog, &plan, choice).map_err(|mut e| {
                    e.file = site.display().to_string();
                    Failure::from(e)
                })?;
            let report = match &bom {
                Some(path) => {
                    let (ds, source) = load_dataset(cli.data_dir.as_deref())?;
                    let ds = std::sync::Arc::new(ds);
                    let mut read = bom::ReadOptions::default()
                        .with_product_hint(check::product_hint(ds.clone()));
                    if let Some(s) = &sheet {
                        read = read.with_sheet(s.clone());
                    }
                    let lines = bom::read_bom(path, &read).map_err(Failure::of)?;
                    let date = check_date(as_of.as_deref())?;
                    Some(check::check(
                        &lines,
                        &ds,
                        &source,
                        &check::Policy::default(),
                        check::DEFAULT_DENY,
                        date,
                    ))
                }
                None => None,
            };
            let priced = crate::generate::bill_of_materials(&site_file, &catalog, &plan, &manifest);
            let view = crate::proposal::proposal_view(
                &plan,
                &manifest,
                &priced,
                report.as_ref(),
                &now_text(),
            );
            let html = reports::render(&view);
            std::fs::write(&file, html).map_err(|e| io_failure(&file, e))?;
            let _ = writeln!(out, "wrote {}", file.display());
            if pdf {
                let written = print_pdf(&file)?;
                let _ = writeln!(out, "wrote {}", written.display());
            }
        }
        Command::Plan { site, format } => {
            return run_plan(site.as_deref(), format, cli.catalog.as_deref(), out);
        }
        Command::Generate {
            site,
            out: dir,
            option,
            stream_uris,
        } => {
            return run_generate(
                &site,
                &dir,
                option.map(deploy::Choice::from),
                stream_uris.as_deref(),
                cli.catalog.as_deref(),
                out,
                notes,
            );
        }
        Command::Init { dir, force } => {
            let path = dir.join(EXAMPLE_NAME);
            if path.exists() && !force {
                return Err(Failure::new(format!(
                    "{} already exists; pass --force to overwrite it",
                    path.display()
                )));
            }
            std::fs::write(&path, EXAMPLE).map_err(|e| io_failure(&path, e))?;
            out.extend_from_slice(
                format!(
                    "wrote {}\nnext: camscope plan {}\n",
                    path.display(),
                    path.display()
                )
                .as_bytes(),
            );
        }
        Command::Calc(calc) => calculate(calc, cli.catalog.as_deref(), out)?,
    }
    Ok(0)
}

fn load_dataset(dir: Option<&Path>) -> Result<(compliance_data::Dataset, String), Failure> {
    match dir {
        None => compliance_data::Dataset::embedded()
            .map(|d| (d, "embedded".to_string()))
            .map_err(|e| Failure::caused("the built-in compliance data does not load", e)),
        Some(d) => compliance_data::Dataset::load_dir(d)
            .map(|ds| (ds, d.display().to_string()))
            .map_err(|e| Failure::caused(format!("--data-dir {}", d.display()), e)),
    }
}

fn check_date(as_of: Option<&str>) -> Result<time::Date, Failure> {
    match as_of {
        Some(text) => check::parse_date(text).map_err(|e| Failure::new(format!("--as-of: {e}"))),
        None => Ok(time::OffsetDateTime::now_utc().date()),
    }
}

/// `camscope plan`: the site file (or the built-in example) planned and printed in `format`.
/// Exit status 1 when the Section 889 / TAA screening has an error or the recommended option is
/// over a ceiling.
fn run_plan(
    site: Option<&Path>,
    format: Format,
    catalog: Option<&Path>,
    out: &mut Vec<u8>,
) -> Result<i32, Failure> {
    let catalog = load_catalog(catalog)?;
    let (name, text) = match &site {
        Some(p) => (
            p.display().to_string(),
            std::fs::read_to_string(p).map_err(|e| io_failure(p, e))?,
        ),
        None => (
            format!("(built-in example {EXAMPLE_NAME})"),
            EXAMPLE.to_string(),
        ),
    };
    let site = SiteFile::parse(&name, &text)?;
    let plan = plan::plan(&site, &catalog).map_err(|e| Failure::from(e.in_file(&name, &text)))?;
    match format {
        Format::Table => out.extend_from_slice(render::plan_table(&plan).as_bytes()),
        Format::Json => write_json(out, &plan)?,
        Format::Csv => {
            render::plan_csv(&plan, out).map_err(|e| Failure::caused("writing CSV", e))?
        }
    }
    // A covered camera (or, when the site says so, an unresolved one) in a site that
    // requires Section 889 is a finding, like a BOM line at deny level; so is a camera or
    // product of a non-designated origin in a site that requires the TAA.
    if plan.section_889.has_errors() || plan.taa.has_errors() {
        return Ok(1);
    }
    // So is a recommended design over a ceiling (a WAN or failover link the site file
    // gives too small, a fixed recorder overloaded): it is printed, and not passed.
    let recommended = match plan.recommendation.choice {
        crate::plan::Choice::Nvr => &plan.nvr.violations,
        crate::plan::Choice::Vms => &plan.vms.violations,
    };
    if !recommended.is_empty() {
        return Ok(1);
    }
    Ok(0)
}

fn run_check(
    o: CheckArgs,
    data_dir: Option<&Path>,
    out: &mut Vec<u8>,
    notes: &mut Vec<u8>,
) -> Result<i32, Failure> {
    let date = check_date(o.as_of.as_deref())?;
    let policy = match &o.policy {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| io_failure(p, e))?;
            check::Policy::parse(&p.display().to_string(), &text)?
        }
        None => check::Policy::default(),
    };
    let deny = o
        .deny
        .clone()
        .or_else(|| policy.deny.clone())
        .unwrap_or_else(|| check::DEFAULT_DENY.to_vec());
    let (ds, source) = load_dataset(data_dir)?;
    let ds = std::sync::Arc::new(ds);
    let mut read = bom::ReadOptions::default().with_product_hint(check::product_hint(ds.clone()));
    if let Some(s) = &o.sheet {
        read = read.with_sheet(s.clone());
    }
    if o.format == CheckFormat::Xlsx && o.out.is_none() {
        return Err(Failure::new(
            "--format xlsx writes a workbook: give --out FILE.xlsx".into(),
        ));
    }
    // CSV and JSON are written as the lines are checked (to a temporary file beside --out,
    // persisted once the check is whole, so a failed check leaves no half-written report); the
    // other formats need every line and keep the compact checked lines.
    let streamed = matches!(o.format, CheckFormat::Csv | CheckFormat::Json);
    let sink = match o.out.as_deref().filter(|_| streamed) {
        Some(path) => Sink::File(io::BufWriter::with_capacity(
            1 << 16,
            report_file_builder()
                .tempfile_in(
                    path.parent()
                        .filter(|d| !d.as_os_str().is_empty())
                        .unwrap_or(Path::new(".")),
                )
                .map_err(|e| io_failure(path, e))?,
        )),
        // Without --out, the report is printed once written.
        None => Sink::Memory(Vec::new()),
    };
    let data = check::DataUsed::of(&ds, &source);
    let mut output = match o.format {
        CheckFormat::Csv => ReportOutput::csv(sink, &data),
        CheckFormat::Json => ReportOutput::json(sink),
        _ => Ok(ReportOutput::Keep(Vec::new())),
    }
    .map_err(|e| Failure::caused("writing the report", e))?;
    let mut checker = check::Checker::new(&ds, &policy, &deny, date);
    let described = check_stream::check_file(&o.bom, &read, &mut checker, &mut |lines| {
        output.lines(lines)
    })
    .map_err(|e| match e {
        check_stream::StreamError::Read(e) => Failure::of(e),
        check_stream::StreamError::Write(e) => Failure::caused("writing the report", e),
    })?;
    let mut report = checker.finish(&described, &source, Vec::new());
    drop(described);
    report.file_sha256 = bom::file_sha256(&o.bom).map_err(|e| io_failure(&e.path, e.source))?;
    report.report = policy.report.overridden_by(&check::ReportFields {
        project: o.project.clone(),
        solicitation: o.solicitation.clone(),
        quote: o.quote.clone(),
        prepared_by: o.prepared_by.clone(),
        reviewed_by: o.reviewed_by.clone(),
    });
    let mut body = Vec::new();
    let written = output
        .finish(&mut report)
        .map_err(|e| Failure::caused("writing the report", e))?;
    match (written, &o.out) {
        (Some(Sink::Memory(bytes)), _) => body = bytes,
        (Some(Sink::File(file)), Some(path)) => {
            file.into_inner()
                .map_err(|e| io_failure(path, e.into_error()))?
                .persist(path)
                .map_err(|e| io_failure(path, e.error))?;
        }
        _ => {}
    }
    match o.format {
        CheckFormat::Table => body.extend_from_slice(check::table(&report).as_bytes()),
        CheckFormat::Csv | CheckFormat::Json => {}
        CheckFormat::Xlsx => {
            body = check_xlsx::xlsx(&report).map_err(|e| Failure::caused("writing XLSX", e))?;
        }
        CheckFormat::Html => {
            body.extend_from_slice(check_html::html(&report, &now_text()).as_bytes())
        }
    }
    if o.format != CheckFormat::Table {
        for w in &report.warnings {
            let _ = writeln!(notes, "warning: {w}");
        }
    }
    if o.pdf && (o.format != CheckFormat::Html || o.out.is_none()) {
        return Err(Failure::new(
            "--pdf prints the HTML report: use it with --format html --out FILE.html".into(),
        ));
    }
    match &o.out {
        Some(path) => {
            if !streamed {
                std::fs::write(path, &body).map_err(|e| io_failure(path, e))?;
            }
            if o.pdf {
                let written = print_pdf(path)?;
                let _ = writeln!(out, "wrote {}", written.display());
            }
            let s = &report.summary;
            let _ = writeln!(
                out,
                "wrote {}: {} line(s), {} covered, {} needs review, {} non-designated, {} at deny level",
                path.display(),
                s.lines,
                s.covered,
                s.needs_review,
                s.non_designated,
                s.denied
            );
        }
        None => out.extend_from_slice(&body),
    }
    Ok(if report.fails() { 1 } else { 0 })
}

/// A temporary report file beside --out, with the permissions any other output gets (the
/// process's umask applied to 0666) rather than tempfile's private 0600.
fn report_file_builder() -> tempfile::Builder<'static, 'static> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".camscope-check-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder
}

/// Where a streamed report goes: a temporary file beside --out, or memory for stdout.
enum Sink {
    File(io::BufWriter<tempfile::NamedTempFile>),
    Memory(Vec<u8>),
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Sink::File(f) => f.write(buf),
            Sink::Memory(m) => m.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::File(f) => f.flush(),
            Sink::Memory(m) => m.flush(),
        }
    }
}

/// The current time as printed on reports.
fn now_text() -> String {
    let now = time::OffsetDateTime::now_utc();
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    now.format(format).unwrap_or_else(|_| now.to_string())
}

/// Browsers that can print a page to PDF headless, in the order tried.
const CHROMIUM_NAMES: &[&str] = &[
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];

/// Prints `html` to a PDF beside it with headless Chromium, or explains how to get one.
fn print_pdf(html: &Path) -> Result<PathBuf, Failure> {
    let pdf = html.with_extension("pdf");
    let browser = std::env::var_os("CAMSCOPE_CHROMIUM")
        .map(PathBuf::from)
        .or_else(|| {
            let path = std::env::var_os("PATH")?;
            std::env::split_paths(&path)
                .flat_map(|dir| CHROMIUM_NAMES.iter().map(move |n| dir.join(n)))
                .find(|p| p.is_file())
        });
    let Some(browser) = browser else {
        return Err(Failure::new(format!(
            "--pdf needs Chromium, and none was found (looked for {} on PATH and CAMSCOPE_CHROMIUM). The HTML report was written: {}. Install Chromium (Debian: apt-get install chromium) or open the HTML and print it.",
            CHROMIUM_NAMES.join(", "),
            html.display()
        )));
    };
    let html_abs = std::fs::canonicalize(html).map_err(|e| io_failure(html, e))?;
    let profile = std::env::temp_dir().join(format!("camscope-chromium-{}", std::process::id()));
    let status = std::process::Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html_abs.display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map_err(|e| Failure::caused(format!("could not start {}", browser.display()), e))?;
    let _ = std::fs::remove_dir_all(&profile);
    if !status.success() || !pdf.is_file() {
        return Err(Failure::new(format!(
            "{} did not print {} to PDF ({status})",
            browser.display(),
            html.display()
        )));
    }
    Ok(pdf)
}

fn read_plan(path: &Path, catalog: &Catalog) -> Result<(SiteFile, plan::Plan), Failure> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| io_failure(path, e))?;
    let site = SiteFile::parse(&name, &text)?;
    let plan = plan::plan(&site, catalog).map_err(|e| Failure::from(e.in_file(&name, &text)))?;
    Ok((site, plan))
}

fn run_generate(
    path: &Path,
    dir: &Path,
    option: Option<deploy::Choice>,
    stream_uris: Option<&Path>,
    catalog: Option<&Path>,
    out: &mut Vec<u8>,
    notes: &mut Vec<u8>,
) -> Result<i32, Failure> {
    let catalog = load_catalog(catalog)?;
    let (site, plan) = read_plan(path, &catalog)?;
    // The inventory is read before anything is written, so a bad one leaves the directory as it was.
    let inventory = match stream_uris {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| io_failure(p, e))?;
            Some((p, rig::inventory::parse(&p.display().to_string(), &text)?))
        }
        None => None,
    };
    let choice = option.unwrap_or(if plan.recommendation.choice == crate::plan::Choice::Nvr {
        deploy::Choice::Nvr
    } else {
        deploy::Choice::Vms
    });
    let mut manifest = deploy::deploy(&site, &catalog, &plan, choice).map_err(|mut e| {
        e.file = path.display().to_string();
        Failure::from(e)
    })?;
    let applied = inventory
        .as_ref()
        .map(|(p, inv)| (*p, inv, rig::inventory::apply(&mut manifest, inv)));
    let bom = generate::bill_of_materials(&site, &catalog, &plan, &manifest);
    let mut files: Vec<(&str, Vec<u8>)> = Vec::new();
    let mut json = Vec::new();
    write_json(&mut json, &manifest)?;
    files.push(("manifest.json", json));
    files.push((
        "bom.csv",
        generate::bom_csv(&bom).map_err(|e| Failure::caused("writing bom.csv", e))?,
    ));
    files.push((
        "bom.xlsx",
        generate::bom_xlsx(&plan.project, &bom)
            .map_err(|e| Failure::caused("writing bom.xlsx", e))?,
    ));
    let export = frigate::frigate_export(&site, &plan, &manifest)
        .map_err(|e| Failure::caused("writing the Frigate configurations", e))?;
    let mut owned: Vec<(String, Vec<u8>)> = Vec::new();
    for (name, text) in &export.files {
        owned.push((format!("frigate/{name}"), text.clone().into_bytes()));
    }
    let mut index = Vec::new();
    write_json(&mut index, &export.index)?;
    owned.push(("frigate/index.json".into(), index));
    let graphs = topology::site_graphs(&manifest);
    for (site_id, dot) in &graphs {
        owned.push((format!("topology/{site_id}.dot"), dot.clone().into_bytes()));
    }
    files.extend(owned.iter().map(|(n, b)| (n.as_str(), b.clone())));
    for sub in ["frigate", "topology"] {
        let d = dir.join(sub);
        std::fs::create_dir_all(&d).map_err(|e| io_failure(&d, e))?;
    }
    for (name, bytes) in &files {
        let p = dir.join(name);
        std::fs::write(&p, bytes).map_err(|e| io_failure(&p, e))?;
        let _ = writeln!(out, "wrote {}", p.display());
    }
    render_topology(dir, &graphs, out, notes);
    let _ = writeln!(
        out,
        "{} option: {} cameras on {} recorder(s), {} switch(es), {} link(s); {}",
        if choice == deploy::Choice::Nvr {
            "NVR"
        } else {
            "VMS"
        },
        manifest.cameras.len(),
        manifest.recorders.len(),
        manifest.network.switches.len(),
        manifest.network.links.len(),
        if manifest.fits {
            "everything within its ceilings".to_string()
        } else {
            format!("{} ceiling(s) exceeded", manifest.violations.len())
        }
    );
    if let Some((p, inv, applied)) = &applied {
        if inv.manifest.project != manifest.project {
            let _ = writeln!(
                notes,
                "note: {} was taken for project {:?}, not {:?}: cameras are matched by id only",
                p.display(),
                inv.manifest.project,
                manifest.project
            );
        }
        stream_uri_report(p, inv, applied, out, notes);
    }
    for n in deploy::IdPlan::of(&site).notes() {
        let _ = writeln!(notes, "note: {n}");
    }
    for n in frigate::mismatch_summary(&export.index) {
        let _ = writeln!(notes, "note: {n}");
    }
    for v in &manifest.violations {
        let _ = writeln!(notes, "over a ceiling: {}", v.message);
    }
    let screened = screening_errors(&plan, notes);
    Ok(if manifest.fits && !screened { 0 } else { 1 })
}

/// The plan's compliance errors hold for what is deployed too: each Section 889 or TAA error
/// of the screening the site requires (a covered camera brand, a non-designated origin) is
/// named on `notes`; whether there was one (the run then fails, as `plan` does).
fn screening_errors(plan: &crate::plan::Plan, notes: &mut Vec<u8>) -> bool {
    let mut any = false;
    for (s, what) in [(&plan.section_889, "Section 889"), (&plan.taa, "TAA")] {
        for f in s
            .findings
            .iter()
            .filter(|f| f.severity == crate::severity::Severity::Error)
        {
            any = true;
            let _ = writeln!(notes, "{what} error: {}: {}", f.place, f.message);
        }
    }
    any
}

/// What `generate --stream-uris` did: on stdout the count of cameras given their reported URIs
/// and how they were matched; on stderr every camera that keeps its planned path, every
/// inventory entry this plan does not have and every device that matched nothing, with why.
fn stream_uri_report(
    file: &Path,
    inv: &rig::inventory::Inventory,
    applied: &rig::inventory::Applied,
    out: &mut Vec<u8>,
    notes: &mut Vec<u8>,
) {
    let by = |m: deploy::MatchedBy| applied.reported.iter().filter(|(_, b)| *b == m).count();
    let _ = writeln!(
        out,
        "stream URIs from {} (taken {}): {} of {} camera(s) as the cameras reported them ({} matched by id, {} by address); {} keep the planned path",
        file.display(),
        inv.taken_at,
        applied.reported.len(),
        applied.reported.len() + applied.kept.len(),
        by(deploy::MatchedBy::Id),
        by(deploy::MatchedBy::Address),
        applied.kept.len()
    );
    for (id, why) in &applied.kept {
        let _ = writeln!(notes, "note: {id} keeps its planned stream path: {why}");
    }
    for id in &applied.not_in_plan {
        let _ = writeln!(
            notes,
            "note: {} lists {id}, which this plan does not have: not used",
            file.display()
        );
    }
    for u in &applied.unmatched {
        let _ = writeln!(
            notes,
            "note: {} lists a device that matched no planned camera ({}{}): {}",
            file.display(),
            u.name.as_deref().unwrap_or("no name"),
            u.onvif
                .as_deref()
                .map(|o| format!(" at {o}"))
                .unwrap_or_default(),
            u.reason
        );
    }
}

/// Renders each site's topology to SVG with Graphviz's `dot` when it is installed, and says so
/// when it is not (the DOT files are written either way).
fn render_topology(
    dir: &Path,
    graphs: &[(String, String)],
    out: &mut Vec<u8>,
    notes: &mut Vec<u8>,
) {
    let dot = std::env::var_os("CAMSCOPE_DOT").unwrap_or_else(|| "dot".into());
    let found = std::process::Command::new(&dot)
        .arg("-V")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        let _ = writeln!(
            notes,
            "note: Graphviz `dot` is not installed: wrote topology/*.dot only; install graphviz \
             (apt-get install graphviz) and run `dot -Tsvg -O {}/topology/*.dot`",
            dir.display()
        );
        return;
    }
    for (site_id, _) in graphs {
        let src = dir.join("topology").join(format!("{site_id}.dot"));
        let svg = src.with_extension("svg");
        let run = std::process::Command::new(&dot)
            .arg("-Tsvg")
            .arg("-o")
            .arg(&svg)
            .arg(&src)
            .output();
        match run {
            Ok(o) if o.status.success() => {
                let _ = writeln!(out, "wrote {}", svg.display());
            }
            Ok(o) => {
                let _ = writeln!(
                    notes,
                    "note: dot could not render {}: {}",
                    src.display(),
                    String::from_utf8_lossy(&o.stderr).trim()
                );
            }
            Err(e) => {
                let _ = writeln!(notes, "note: cannot run dot on {}: {e}", src.display());
            }
        }
    }
}

fn run_data(cmd: DataCommand, data_dir: Option<&Path>, out: &mut Vec<u8>) -> Result<i32, Failure> {
    match cmd {
        DataCommand::Lint => {
            let source = match data_dir {
                Some(d) => compliance_data::DataSource::Dir(d.to_path_buf()),
                None => compliance_data::DataSource::Embedded,
            };
            let findings = compliance_data::lint(&source);
            for f in &findings {
                let field = if f.field.is_empty() {
                    String::new()
                } else {
                    format!("{}: ", f.field)
                };
                let rule = serde_json::to_value(f.rule)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                let _ = writeln!(out, "{}: {field}{} [{rule}]", f.file, f.message);
            }
            if findings.is_empty() {
                let (ds, src) = load_dataset(data_dir)?;
                let _ = writeln!(
                    out,
                    "ok: {} records, version {}, as of {}, sha256 {} ({src})",
                    ds.records().len(),
                    ds.version(),
                    ds.as_of(),
                    ds.hash()
                );
                let _ = writeln!(out, "{}", compliance_data::summarize(&ds));
                Ok(0)
            } else {
                let _ = writeln!(out, "{} problem(s) found", findings.len());
                Ok(1)
            }
        }
        DataCommand::Show {
            name,
            as_of,
            format,
        } => {
            let (ds, _) = load_dataset(data_dir)?;
            let date = check_date(as_of.as_deref())?;
            let e = compliance_data::explain(&ds, &name, date);
            match format {
                ShowFormat::Json => write_json(out, &e)?,
                ShowFormat::Table => out.extend_from_slice(check::explanation_text(&e).as_bytes()),
            }
            Ok(0)
        }
    }
}

fn write_json(out: &mut Vec<u8>, value: &impl serde::Serialize) -> Result<(), Failure> {
    serde_json::to_writer_pretty(&mut *out, value)
        .map_err(|e| Failure::caused("writing JSON", e))?;
    out.push(b'\n');
    Ok(())
}

fn check_fraction(name: &str, v: f64, lo: f64, hi: f64) -> Result<(), Failure> {
    if (lo..=hi).contains(&v) {
        Ok(())
    } else {
        Err(Failure::new(format!(
            "--{name} must be from {lo} to {hi}, not {v}"
        )))
    }
}

fn seconds_per_day(hours: f64, duty: f64) -> Result<u64, Failure> {
    check_fraction("hours-per-day", hours, 0.0, 24.0)?;
    check_fraction("duty", duty, 0.0, 1.0)?;
    Ok(RecordingMode::Motion {
        hours_per_day: hours,
        duty_cycle: duty,
    }
    .recorded_seconds_per_day())
}

fn bytes_json(b: Bytes) -> serde_json::Value {
    json!({ "bytes": b.get(), "tb": round(b.tb(), 4), "tib": round(b.tib(), 4), "human": b.both() })
}

fn round(v: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (v * f).round() / f
}

fn emit(
    out: &mut Vec<u8>,
    format: Format,
    value: serde_json::Value,
    table: Vec<(&str, String)>,
) -> Result<(), Failure> {
    match format {
        Format::Json => write_json(out, &value),
        Format::Table => {
            // The result aligned; the catalog defaults it used under it, one per line.
            let (defaults, figures): (Vec<_>, Vec<_>) =
                table.into_iter().partition(|(k, _)| *k == DEFAULT_ROW);
            let width = figures.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
            for (k, v) in figures {
                out.extend_from_slice(format!("{k:<width$}  {v}\n").as_bytes());
            }
            for (k, v) in defaults {
                out.extend_from_slice(format!("{k}: {v}\n").as_bytes());
            }
            Ok(())
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(&mut *out);
            let fail = |e: csv::Error| Failure::caused("writing CSV", e);
            w.write_record(["quantity", "value"]).map_err(fail)?;
            for (k, v) in table {
                w.write_record([k, v.as_str()]).map_err(fail)?;
            }
            w.flush().map_err(|e| Failure::caused("writing CSV", e))
        }
    }
}

/// `calc storage`: what N cameras record in D days.
fn calc_storage(
    streams: &StreamArgs,
    days: u64,
    format: Format,
    out: &mut Vec<u8>,
) -> Result<(), Failure> {
    let (bitrate, secs) = streams.resolve()?;
    let (cameras, convention) = (streams.cameras, Convention::from(streams.convention));
    let total = recorded_bytes(cameras, bitrate, secs, days);
    let per_day = recorded_bytes(cameras, bitrate, secs, 1);
    let human = |b: Bytes| match convention {
        Convention::Si => b.both(),
        Convention::Binary => b.binary(),
    };
    emit(
        out,
        format,
        json!({
            "cameras": cameras, "bitrate_bps": bitrate.bps(), "convention": convention,
            "recorded_seconds_per_day": secs, "days": days,
            "per_day": bytes_json(per_day), "storage": bytes_json(total),
            "formula": "cameras × bit/s ÷ 8 × seconds per day × days (no overhead)",
        }),
        vec![
            ("cameras", cameras.to_string()),
            (
                "bitrate per camera",
                format!("{bitrate} ({} bit/s)", bitrate.bps()),
            ),
            ("recorded per day", format!("{secs} s")),
            ("per day", human(per_day)),
            (
                "storage",
                format!("{} = {} bytes", human(total), total.get()),
            ),
        ],
    )
}

/// `calc retention`: the days a capacity holds.
fn calc_retention(
    streams: &StreamArgs,
    capacity: Bytes,
    format: Format,
    out: &mut Vec<u8>,
) -> Result<(), Failure> {
    let (bitrate, secs) = streams.resolve()?;
    let cameras = streams.cameras;
    let total = Bitrate(bitrate.bps().saturating_mul(cameras));
    let days = retention_days(capacity, total, secs);
    let whole = days.map(f64::floor);
    emit(
        out,
        format,
        json!({
            "cameras": cameras, "bitrate_bps": bitrate.bps(), "capacity": bytes_json(capacity),
            "recorded_seconds_per_day": secs, "days": days.map(|d| round(d, 3)), "whole_days": whole,
        }),
        vec![
            ("cameras", cameras.to_string()),
            ("bitrate per camera", bitrate.to_string()),
            ("capacity", capacity.both()),
            (
                "retention",
                days.map_or("unbounded (nothing is recorded)".into(), |d| {
                    format!("{d:.2} days ({} whole days)", d.floor())
                }),
            ),
        ],
    )
}

/// The label of a row naming a catalog default a calculation used.
const DEFAULT_ROW: &str = "catalog default";

/// The catalog defaults a calculation used because its option was not given: `calc` takes the
/// same defaults as `plan`, and says so beside the result.
#[derive(Default)]
struct CalcDefaults(Vec<(String, String, String)>);

impl CalcDefaults {
    /// `given`, or the catalog's `default` for `name`, noted.
    fn take<T: Copy + std::fmt::Display>(
        &mut self,
        catalog: &Catalog,
        name: &str,
        given: Option<T>,
        default: &crate::catalog::Sourced<T>,
    ) -> T {
        if let Some(v) = given {
            return v;
        }
        let basis = crate::figures::Basis::of(
            catalog,
            default.source.as_deref(),
            default.source.is_none(),
            default.assumption.as_deref(),
        );
        self.0.push((
            format!("defaults.{name}"),
            default.value.to_string(),
            basis.short(),
        ));
        default.value
    }

    /// One table row per default used.
    fn rows(&self) -> Vec<(&'static str, String)> {
        self.0
            .iter()
            .map(|(entry, value, basis)| {
                ("catalog default", format!("{entry} = {value} ({basis})"))
            })
            .collect()
    }

    /// The defaults used, for JSON.
    fn json(&self) -> serde_json::Value {
        self.0
            .iter()
            .map(|(entry, value, basis)| json!({"entry": entry, "value": value, "basis": basis}))
            .collect()
    }
}

fn calculate(calc: Calc, catalog: Option<&Path>, out: &mut Vec<u8>) -> Result<(), Failure> {
    match calc {
        Calc::Storage {
            streams,
            days,
            format,
        } => calc_storage(&streams, days, format.format, out),
        Calc::Retention {
            streams,
            capacity,
            format,
        } => calc_retention(&streams, capacity, format.format, out),
        Calc::Raid {
            level,
            drives,
            drive_size,
            hot_spares,
            max_group,
            format,
        } => {
            let catalog = load_catalog(catalog)?;
            let d = &catalog.defaults;
            let mut defaults = CalcDefaults::default();
            let hot_spares = defaults.take(&catalog, "hot-spares", hot_spares, &d.hot_spares);
            let max_group = defaults.take(&catalog, "raid-max-group", max_group, &d.raid_max_group);
            let l = RaidLayout::new(level, drives, hot_spares, drive_size, Some(max_group))
                .map_err(Failure::of)?;
            let mut rows = vec![
                ("layout", l.describe()),
                ("raw", l.raw.both()),
                (
                    "usable",
                    format!("{} = {} bytes", l.usable.both(), l.usable.get()),
                ),
            ];
            rows.extend(defaults.rows());
            emit(
                out,
                format.format,
                json!({
                    "level": level, "drives": drives, "hot_spares": hot_spares, "max_group": max_group,
                    "groups": l.groups, "drive_size": bytes_json(drive_size), "raw": bytes_json(l.raw),
                    "usable": bytes_json(l.usable), "layout": l.describe(), "defaults_used": defaults.json(),
                }),
                rows,
            )
        }
        Calc::NvrCapacity {
            incoming,
            main,
            sub,
            reserve,
            format,
        } => {
            let catalog = load_catalog(catalog)?;
            let mut defaults = CalcDefaults::default();
            let reserve = defaults.take(
                &catalog,
                "nvr-ingest-reserve",
                reserve,
                &catalog.defaults.nvr_ingest_reserve,
            );
            check_fraction("reserve", reserve, 0.0, 0.9)?;
            let n = ingest::cameras_within(incoming, reserve, main, sub).ok_or_else(|| {
                Failure::new("--main and --sub are both zero: every camera sends something".into())
            })?;
            let usable = ingest::usable_ceiling(incoming, reserve);
            emit(
                out,
                format.format,
                json!({
                    "incoming_bps": incoming.bps(), "usable_bps": usable.bps(), "reserve": reserve,
                    "per_camera_bps": main.bps() + sub.bps(), "cameras": n,
                    "defaults_used": defaults.json(),
                }),
                [
                    ("incoming", incoming.to_string()),
                    ("usable after reserve", usable.to_string()),
                    (
                        "per camera (main + sub)",
                        main.saturating_add(sub).to_string(),
                    ),
                    ("cameras", n.to_string()),
                ]
                .into_iter()
                .chain(defaults.rows())
                .collect(),
            )
        }
        Calc::Bitrate {
            resolution,
            codec,
            fps,
            scene,
            format,
        } => {
            check_fraction("fps", fps, 0.1, 120.0)?;
            let catalog = load_catalog(catalog)?;
            let model = catalog.bitrate_model();
            let b = model.estimate(&resolution, codec, fps, scene, None);
            emit(
                out,
                format.format,
                json!({
                    "resolution": resolution.to_string(), "width": resolution.width, "height": resolution.height,
                    "codec": codec, "fps": fps, "scene": scene, "bitrate_bps": b.bps(), "kbps": b.bps() / 1000,
                    "model_source": catalog.sources.get(&catalog.bitrate.source).and_then(|s| s.url.clone()),
                }),
                vec![
                    (
                        "resolution",
                        format!("{resolution} ({}x{})", resolution.width, resolution.height),
                    ),
                    ("codec / fps / scene", format!("{codec} / {fps} / {scene}")),
                    ("bitrate", format!("{b} ({} kbit/s)", b.bps() / 1000)),
                ],
            )
        }
    }
}

#[cfg(test)]
mod failure_tests {
    use super::Failure;

    /// The case the chain exists for: "cannot listen on 127.0.0.1:80" alone does not say why;
    /// the operating system's "Permission denied" under it does. (The tests run as root, which
    /// the kernel does not deny, so the error is the OS's own for EACCES rather than a real bind.)
    #[test]
    fn permission_denied_is_printed_under_the_message() {
        let failure = Failure::caused(
            "camera cam0: cannot listen on 127.0.0.1:80",
            std::io::Error::from_raw_os_error(13),
        );
        let mut err = Vec::new();
        failure.report(&mut err);
        assert_eq!(
            String::from_utf8(err).unwrap(),
            "error: camera cam0: cannot listen on 127.0.0.1:80\n\
             caused by: Permission denied (os error 13)\n"
        );
    }

    /// An error that already prints its source inline does not print it twice.
    #[test]
    fn a_cause_already_shown_is_not_repeated() {
        let io = std::io::Error::from_raw_os_error(2);
        let failure = Failure::caused(format!("site.toml: {io}"), io);
        assert!(failure.causes().is_empty());
    }
}
