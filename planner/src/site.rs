//! The site file: what the designer knows about the project, its sites and their cameras.
//!
//! Format version 1, TOML, kebab-case keys, unknown keys rejected. Every field, its unit and its
//! default is documented in `docs/site-file.md`. Values are range-checked while they are read, so
//! an error carries the file, line, column and field of the value at fault. Defaults are not
//! filled in here: they come from the catalog when the plan is made, and the plan records which
//! defaults it used.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};
use sizing::{Bitrate, Bytes, Codec, RaidLevel, Resolution, Scene};

use crate::input::{InputError, parse_toml};

/// The annotated example shipped with camscope, planned when no site file is given.
pub const EXAMPLE: &str = include_str!("../../examples/retail-chain.toml");
/// The name the example is written out under by `camscope init`.
pub const EXAMPLE_NAME: &str = "retail-chain.toml";

pub use crate::ranged::{
    Amount, Clients, Copies, Count, Days, Fill, Fps, Fraction, FrameKb, Hours, Kbps, Loss, Margin,
    PerDay, PoeWatts, Rate, Seconds, Spares, Years,
};

/// The default of switches that are on unless the site file turns them off.
fn yes() -> bool {
    true
}

/// The whole site file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SiteFile {
    /// Format version; must be 1.
    pub version: Version,
    /// The project.
    pub project: Project,
    /// The decision questions.
    #[serde(default)]
    pub requirements: Requirements,
    /// Storage policy.
    #[serde(default)]
    pub storage: StoragePolicy,
    /// The sites.
    #[serde(rename = "site")]
    pub sites: Vec<Site>,
    /// Operating-cost figures overriding the catalog's `[operating]` (labour rate, energy price …).
    #[serde(default)]
    pub costs: crate::catalog::CostOverrides,
}

/// The format version, checked while reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Version(pub u32);

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = i64::deserialize(d)?;
        if v != 1 {
            return Err(serde::de::Error::custom(format!(
                "this camscope reads site-file version 1, not {v}"
            )));
        }
        Ok(Version(1))
    }
}

/// `[project]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Project {
    /// Project name, shown on the plan.
    pub name: String,
    /// ISO 4217 currency of the plan (default: the catalog's).
    pub currency: Option<String>,
    /// Units of `currency` per unit of the catalog currency; required when they differ.
    pub exchange_rate: Option<Rate>,
    /// Years of total cost of ownership (default from the catalog).
    pub horizon_years: Option<Years>,
    /// The customer the proposal is for (default: the project name).
    pub customer: Option<String>,
    /// Who prepared the proposal, as it is to be signed.
    pub prepared_by: Option<String>,
    /// The proposal's reference (a quote or offer number).
    pub reference: Option<String>,
    /// The proposal's date, a TOML date (`date = 2026-12-04`); default: the day it is written.
    pub date: Option<toml::value::Datetime>,
    /// The last day its prices and design hold, a TOML date on or after `date`.
    pub valid_until: Option<toml::value::Datetime>,
}

impl Project {
    /// The proposal's own details as the site file gives them (dates as YYYY-MM-DD).
    pub fn details(&self) -> ProposalDetails {
        ProposalDetails {
            customer: self.customer.clone(),
            prepared_by: self.prepared_by.clone(),
            reference: self.reference.clone(),
            date: self.date.map(|d| d.to_string()),
            valid_until: self.valid_until.map(|d| d.to_string()),
        }
    }
}

/// The proposal's details from `[project]`: for whom, by whom, its reference, date and
/// validity. Absent ones are not invented.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProposalDetails {
    /// The customer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    /// Who prepared it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prepared_by: Option<String>,
    /// Its reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Its date, YYYY-MM-DD.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Valid until, YYYY-MM-DD.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
}

impl ProposalDetails {
    /// Whether the site file gives none of them.
    pub fn is_empty(&self) -> bool {
        *self == ProposalDetails::default()
    }
}

/// Video analytics the customer needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Analytics {
    /// None.
    #[default]
    None,
    /// Motion detection only (every NVR does this).
    Motion,
    /// Object detection and classification.
    Detection,
    /// Licence-plate recognition.
    Lpr,
    /// Face recognition.
    Face,
    /// Forensic search across recordings.
    ForensicSearch,
}

impl fmt::Display for Analytics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string));
        f.write_str(s.as_deref().unwrap_or("?"))
    }
}

/// Failure tolerance asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum Redundancy {
    /// None: a failed recorder loses recording until repaired.
    #[default]
    #[serde(rename = "none")]
    None,
    /// One spare recording server that takes over any one failed server.
    #[serde(rename = "n+1")]
    NPlusOne,
    /// A dedicated failover server for each recording server.
    #[serde(rename = "failover")]
    Failover,
}

/// Reads `none`, `n+1` (also `N+1`, `n + 1`, `n-plus-1`) and `failover`, in any case.
impl<'de> Deserialize<'de> for Redundancy {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let t: String = text
            .to_ascii_lowercase()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        match t.as_str() {
            "none" => Ok(Redundancy::None),
            "n+1" | "n-plus-1" | "nplus1" => Ok(Redundancy::NPlusOne),
            "failover" | "fail-over" => Ok(Redundancy::Failover),
            _ => Err(serde::de::Error::unknown_variant(
                &text,
                &["none", "n+1", "failover"],
            )),
        }
    }
}

/// How the plan sizes the growth the site file expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GrowthSizing {
    /// Today's cameras now; the recorders, drives and licences the added cameras need are
    /// bought in the growth year.
    #[default]
    Step,
    /// Recorders, drives and licences bought today for the grown count.
    Now,
}

/// Reads `step` and `now`, in any case.
impl<'de> Deserialize<'de> for GrowthSizing {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        match text.trim().to_ascii_lowercase().as_str() {
            "step" => Ok(GrowthSizing::Step),
            "now" => Ok(GrowthSizing::Now),
            _ => Err(serde::de::Error::unknown_variant(&text, &["step", "now"])),
        }
    }
}

impl fmt::Display for GrowthSizing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GrowthSizing::Step => "step",
            GrowthSizing::Now => "now",
        })
    }
}

/// A system the video platform must integrate with (`requirements.integrations`). Any one of
/// them is a reason for a VMS: NVR appliances rarely offer certified integrations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Integration {
    /// Access control (doors, badges).
    AccessControl,
    /// Alarm panels.
    Alarms,
    /// Intrusion detection.
    Intrusion,
    /// Fire detection.
    Fire,
    /// Building management systems.
    Bms,
    /// Physical security information management.
    Psim,
    /// Point of sale (transactions over video).
    Pos,
    /// Intercoms.
    Intercom,
    /// Licence-plate recognition systems.
    Lpr,
    /// Video walls.
    VideoWall,
    /// A directory (Active Directory, LDAP, SSO) for user accounts.
    Directory,
}

impl Integration {
    /// Every integration, as documentation lists them.
    pub const ALL: [Integration; 11] = [
        Integration::AccessControl,
        Integration::Alarms,
        Integration::Intrusion,
        Integration::Fire,
        Integration::Bms,
        Integration::Psim,
        Integration::Pos,
        Integration::Intercom,
        Integration::Lpr,
        Integration::VideoWall,
        Integration::Directory,
    ];

    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Integration::AccessControl => "access-control",
            Integration::Alarms => "alarms",
            Integration::Intrusion => "intrusion",
            Integration::Fire => "fire",
            Integration::Bms => "bms",
            Integration::Psim => "psim",
            Integration::Pos => "pos",
            Integration::Intercom => "intercom",
            Integration::Lpr => "lpr",
            Integration::VideoWall => "video-wall",
            Integration::Directory => "directory",
        }
    }
}

impl fmt::Display for Integration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Reads an integration in any case, with spaces or underscores for dashes and the usual other
/// names (`alarm`, `active-directory`, `ldap`); an unknown one names the nearest known name.
impl<'de> Deserialize<'de> for Integration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let t = text.trim().to_ascii_lowercase().replace([' ', '_'], "-");
        let alias = match t.as_str() {
            "alarm" | "alarm-panel" | "alarm-panels" => Some(Integration::Alarms),
            "access" | "acs" => Some(Integration::AccessControl),
            "building-management" => Some(Integration::Bms),
            "point-of-sale" => Some(Integration::Pos),
            "active-directory" | "ldap" | "sso" => Some(Integration::Directory),
            "anpr" => Some(Integration::Lpr),
            _ => None,
        };
        if let Some(i) = alias.or_else(|| Integration::ALL.into_iter().find(|i| i.as_str() == t)) {
            return Ok(i);
        }
        let names: Vec<&str> = Integration::ALL.iter().map(|i| i.as_str()).collect();
        let nearest = crate::input::did_you_mean(&t, names.iter().copied())
            .map(|n| format!("did you mean `{n}`? "))
            .unwrap_or_default();
        Err(serde::de::Error::custom(format!(
            "unknown integration `{text}`; {nearest}known: {}",
            names.join(", ")
        )))
    }
}

/// `[requirements]`: the questions that decide between an NVR and a VMS.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Requirements {
    /// Camera brands in the system (more than one points to a VMS).
    #[serde(default)]
    pub camera_brands: Vec<String>,
    /// Plan NVR appliances of the cameras' own brand when the site's cameras are of one brand
    /// and that maker has an eligible appliance (default true); false plans the cheapest
    /// appliances of any maker.
    #[serde(default = "yes")]
    pub prefer_camera_brand: bool,
    /// Analytics needed.
    #[serde(default)]
    pub analytics: Analytics,
    /// Systems to integrate with: access-control, alarms, intrusion, fire, bms, psim, pos …
    #[serde(default)]
    pub integrations: Vec<Integration>,
    /// Users with different roles and permissions.
    #[serde(default)]
    pub role_based_users: bool,
    /// An audit trail of who viewed or exported what is required.
    #[serde(default)]
    pub audit_trail: bool,
    /// Cameras expected within 36 months, all sites together (default: today's count).
    pub cameras_in_36_months: Option<Count>,
    /// How the growth to `cameras-in-36-months` is sized: `"step"` (default: today's cameras
    /// now, the added ones bought in `growth-year`) or `"now"` (everything bought for the grown
    /// count today).
    pub growth: Option<GrowthSizing>,
    /// The cost year (1-based) in which a `"step"` growth is bought (default 3: the cameras are
    /// expected within 36 months).
    pub growth_year: Option<Years>,
    /// Failure tolerance.
    #[serde(default)]
    pub redundancy: Redundancy,
    /// Days a failover server keeps a failed server's recordings until that server is back and
    /// takes them over (default from the catalog); used with `redundancy` n+1 or failover.
    pub failover_retention_days: Option<Days>,
    /// VMS product id from the catalog, or "cheapest" (default) to compare them all.
    pub vms: Option<String>,
    /// Exclude equipment from makers named in NDAA FY2019 Section 889: the cameras the site
    /// file names are screened, and a covered one is an error in the plan.
    #[serde(default)]
    pub section_889: bool,
    /// How a camera the Section 889 screening cannot resolve is reported: "warning" (default)
    /// or "error".
    pub section_889_unresolved: Option<crate::severity::Severity>,
    /// Buy only U.S.-made or FAR 25.003 designated-country end products (Trade Agreements Act):
    /// the cameras the site file names are checked against where the compliance data records
    /// their makers make their products, the catalog products the plan picks against their
    /// sourced origin, and the BOM's lines still to be chosen say the origin must be designated.
    #[serde(default)]
    pub taa: bool,
    /// How a camera or product whose country of origin is unknown (not stated, not in the data)
    /// is reported under `taa`: "warning" (default) or "error". A non-designated origin is
    /// always an error.
    pub taa_unresolved: Option<crate::severity::Severity>,
}

/// Drive size: a fixed size or "choose".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum DriveSize {
    /// Pick the cheapest drive size that fits.
    #[default]
    Choose,
    /// Use this size.
    Fixed(Bytes),
}

impl<'de> Deserialize<'de> for DriveSize {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s.trim().eq_ignore_ascii_case("choose") {
            return Ok(DriveSize::Choose);
        }
        s.parse::<Bytes>()
            .map(DriveSize::Fixed)
            .map_err(serde::de::Error::custom)
    }
}

/// A RAID level read from a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Raid(pub RaidLevel);

impl<'de> Deserialize<'de> for Raid {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse::<RaidLevel>()
            .map(Raid)
            .map_err(serde::de::Error::custom)
    }
}

/// `[storage]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct StoragePolicy {
    /// RAID level for recorders and servers.
    pub raid: Option<Raid>,
    /// Hot spares per recorder.
    pub hot_spares: Option<Spares>,
    /// Drive size, or "choose".
    #[serde(default)]
    pub drive_size: DriveSize,
    /// Fraction of marked capacity lost to formatting.
    pub format_loss: Option<Loss>,
    /// Highest fill of formatted capacity.
    pub fill_target: Option<Fill>,
    /// Margin on top of computed recordings.
    pub safety_margin: Option<Margin>,
}

/// A `[[site]]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Site {
    /// Site name.
    pub name: String,
    /// Identical copies of this site (a chain of identical stores).
    #[serde(default = "one_copy")]
    pub copies: Copies,
    /// Camera groups.
    pub cameras: Vec<CameraGroup>,
    /// Equipment already on site, which the plan must use rather than choose.
    #[serde(default)]
    pub network: SiteNetwork,
    /// With `redundancy = "n+1"`, sites naming the same pool (the buildings of a campus) share
    /// one failover server, placed at the first of them in file order.
    pub failover_pool: Option<String>,
    /// Central recording: the name of another site whose recorders record this site's cameras.
    /// This site then has no recorders of its own, and each copy of it needs a WAN link to that
    /// site for its cameras' recordings.
    pub record_at: Option<String>,
}

/// `[site.network]`: existing or mandated equipment. Without it camscope chooses switches and
/// recorders; with it, camscope uses what is given and reports every ceiling it breaks (element,
/// load and limit) instead of quietly buying more.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SiteNetwork {
    /// Access switch model (catalog id) already installed.
    pub access_switch: Option<String>,
    /// How many of them (default: as many as the cameras need).
    pub access_switches: Option<Count>,
    /// Capacity of each access switch's uplink to the core, overriding the model's.
    pub uplink: Option<Bitrate>,
    /// With `record-at`: the capacity of the WAN link from each copy of this site to the site
    /// it records at (checked against what its recordings need; without it the plan names the
    /// capacity needed).
    pub wan_uplink: Option<Bitrate>,
    /// Recorder model (catalog NVR or server id) already installed.
    pub recorder: Option<String>,
    /// How many of them (default 1 when `recorder` is given).
    pub recorders: Option<Count>,
    /// Live-view clients at the site (default from the catalog).
    pub viewing_clients: Option<Clients>,
}

fn one_copy() -> Copies {
    Copies(1)
}

/// How a group records, as written in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum RecordingKind {
    /// Around the clock.
    #[default]
    Continuous,
    /// Fixed hours per day.
    Schedule,
    /// Motion-triggered.
    Motion,
    /// Event clips.
    Events,
}

/// A `[[site.cameras]]` group of identical cameras.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CameraGroup {
    /// Group name ("Entrances").
    pub name: Option<String>,
    /// Number of cameras.
    pub count: Count,
    /// Camera brand, if known.
    pub brand: Option<String>,
    /// Camera model, if known.
    pub model: Option<String>,
    /// Resolution: a name (1080p, 4MP, 4K …) or WIDTHxHEIGHT.
    pub resolution: Resolution,
    /// Codec.
    pub codec: Codec,
    /// Frames per second.
    pub fps: Option<Fps>,
    /// Scene activity.
    #[serde(default)]
    pub scene: Scene,
    /// Measured or configured main-stream bitrate; overrides the model.
    pub bitrate_kbps: Option<Kbps>,
    /// Measured MJPEG frame size in KB; overrides the modelled frame size.
    pub mjpeg_frame_kb: Option<FrameKb>,
    /// Sub-stream bitrate the recorder also pulls.
    pub substream_kbps: Option<Kbps>,
    /// Whether the sub-stream is recorded too.
    #[serde(default)]
    pub record_substream: bool,
    /// Recording mode.
    #[serde(default)]
    pub recording: RecordingKind,
    /// Hours recorded (schedule) or armed (motion) per day.
    pub hours_per_day: Option<Hours>,
    /// Fraction of armed time with motion (motion mode).
    pub duty_cycle: Option<Fraction>,
    /// Events per day (events mode).
    pub events_per_day: Option<PerDay>,
    /// Seconds before each event (events mode).
    pub pre_seconds: Option<Seconds>,
    /// Seconds after each event (events mode).
    pub post_seconds: Option<Seconds>,
    /// Days recordings are kept.
    pub retention_days: Option<Days>,
    /// Records audio.
    #[serde(default)]
    pub audio: bool,
    /// PoE draw per camera in watts.
    pub poe_watts: Option<PoeWatts>,
    /// What these cameras are for, when it is more than recording (`lpr` for plate cameras):
    /// the Frigate export turns on its licence-plate reader for `lpr` groups.
    pub analytics: Option<Analytics>,
}

/// Hints shown with an error on a field, keyed by the field's name.
pub fn field_hint(key: &str) -> Option<String> {
    let h = match key {
        "version" => "write `version = 1` at the top of the file",
        "count" => "a whole number of cameras, at least 1",
        "copies" => "how many identical copies of this site, at least 1",
        "retention-days" => "whole days, 1 to 3650, e.g. `retention-days = 30`",
        "fps" => "frames per second, e.g. `fps = 15`",
        "resolution" => {
            "a name such as 1080p, 4MP, 4K, 4CIF, CIF, or WIDTHxHEIGHT such as \"2688x1520\""
        }
        "codec" => "one of mjpeg, h264, h265, h264-smart, h265-smart",
        "scene" => "one of low, medium, high",
        "recording" => "one of continuous, schedule, motion, events",
        "bitrate-kbps" | "substream-kbps" => "kbit/s as a whole number, e.g. `bitrate-kbps = 4096`",
        "mjpeg-frame-kb" => "kilobytes (1000 bytes) per JPEG frame, e.g. 150",
        "hours-per-day" => "hours, 0 to 24",
        "duty-cycle" => "fraction of armed time with motion, 0 to 1, e.g. 0.3",
        "events-per-day" => "average events per day, e.g. 40",
        "pre-seconds" | "post-seconds" => "seconds kept before/after each event, e.g. 5",
        "poe-watts" => "watts drawn per camera, e.g. 6.5 (802.3af devices get at most 12.95 W)",
        "raid" => "one of none, raid1, raid5, raid6, raid10",
        "hot-spares" => "whole drives, 0 to 8",
        "drive-size" => "\"choose\" or a size with unit such as \"12TB\"",
        "format-loss" => "fraction of marked capacity lost to formatting, e.g. 0.10",
        "fill-target" => "highest fill of formatted capacity, e.g. 0.80",
        "safety-margin" => "extra fraction on top of recordings, e.g. 0.20",
        "horizon-years" => "years of total cost, 1 to 30",
        "analytics" => "one of none, motion, detection, lpr, face, forensic-search",
        "redundancy" => "one of none, n+1, failover",
        "failover-retention-days" => {
            "whole days a failover server keeps a failed server's recordings, 1 to 3650, e.g. `failover-retention-days = 7`"
        }
        "failover-pool" => {
            "a name the sites sharing one N+1 failover server all give, e.g. `failover-pool = \"campus\"`"
        }
        "record-at" => {
            "the name of another [[site]] of this file whose recorders record this site's cameras over a WAN link, e.g. `record-at = \"Head office\"`"
        }
        "wan-uplink" => {
            "the capacity of this site's link to the site it records at (record-at) or to its failover pool's failover server, with its unit, such as \"100Mbps\""
        }
        "cameras-in-36-months" => "all cameras expected within 36 months, all sites together",
        "growth" => "\"step\" (added cameras bought in growth-year) or \"now\" (bought today)",
        "growth-year" => {
            "the cost year of the growth step, 1 to the horizon, e.g. `growth-year = 3`"
        }
        "section-889" | "taa" | "audit-trail" | "role-based-users" | "prefer-camera-brand" => {
            "true or false, without quotes, e.g. `taa = true`"
        }
        "section-889-unresolved" | "taa-unresolved" => "\"warning\" (default) or \"error\"",
        "site" => "add at least one [[site]] with a [[site.cameras]] group",
        "customer" | "prepared-by" | "reference" => {
            "text in quotes, e.g. `customer = \"Harbour Pharmacies Ltd\"`"
        }
        "date" | "valid-until" => "a TOML date without quotes, e.g. `valid-until = 2027-01-31`",
        "access-switch" | "recorder" => {
            "a catalog id; `camscope plan --format json` lists the models in use"
        }
        "uplink" => "a bitrate with its unit, such as \"1Gbps\" or \"100Mbps\"",
        "access-switches" | "recorders" => "how many are installed, at least 1",
        "viewing-clients" => "live-view workstations at the site, 0 to 8",
        _ => return None,
    };
    Some(h.to_string())
}

impl SiteFile {
    /// Reads a site file. `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<SiteFile, InputError> {
        let site: SiteFile = parse_toml(file, text, &field_hint)?;
        site.check(file, text)?;
        Ok(site)
    }

    /// Rules across fields, which a single value's check cannot see.
    fn check(&self, file: &str, text: &str) -> Result<(), InputError> {
        let err = |field: String, message: String, hint: &str, needle: &str| {
            let (line, column) = locate(text, needle);
            InputError {
                file: file.to_string(),
                line,
                column,
                field: Some(field),
                message,
                hint: Some(hint.into()),
            }
        };
        if self.sites.is_empty() {
            return Err(err(
                "site".into(),
                "the file has no [[site]]".into(),
                "add a [[site]] table",
                "version",
            ));
        }
        self.check_unresolved(&err)?;
        for (si, site) in self.sites.iter().enumerate() {
            check_link_capacities(si, site, file, text)?;
            check_failover_pool(si, site, &err)?;
            self.check_record_at(si, file, text)?;
            if site.cameras.is_empty() {
                return Err(err(
                    format!("site[{si}].cameras"),
                    format!("site {:?} has no camera groups", site.name),
                    "add a [[site.cameras]] table under it",
                    &format!("\"{}\"", site.name),
                ));
            }
            for (gi, g) in site.cameras.iter().enumerate() {
                let path = format!("site[{si}].cameras[{gi}]");
                let mode_fields: &[(&str, bool)] = &[
                    ("hours-per-day", g.hours_per_day.is_some()),
                    ("duty-cycle", g.duty_cycle.is_some()),
                    ("events-per-day", g.events_per_day.is_some()),
                    ("pre-seconds", g.pre_seconds.is_some()),
                    ("post-seconds", g.post_seconds.is_some()),
                ];
                let (needs, allows): (&[&str], &[&str]) = match g.recording {
                    RecordingKind::Continuous => (&[], &[]),
                    RecordingKind::Schedule => (&["hours-per-day"], &["hours-per-day"]),
                    RecordingKind::Motion => (&["duty-cycle"], &["hours-per-day", "duty-cycle"]),
                    RecordingKind::Events => (
                        &["events-per-day"],
                        &["events-per-day", "pre-seconds", "post-seconds"],
                    ),
                };
                let kind = serde_json::to_value(g.recording).ok();
                let kind = kind.as_ref().and_then(|v| v.as_str()).unwrap_or("?");
                for (name, present) in mode_fields {
                    if *present && !allows.contains(name) {
                        return Err(err(
                            format!("{path}.{name}"),
                            format!("`{name}` does not apply to recording = \"{kind}\""),
                            "continuous takes none; schedule takes hours-per-day; motion takes hours-per-day and duty-cycle; events takes events-per-day, pre-seconds and post-seconds",
                            name,
                        ));
                    }
                }
                for name in needs {
                    if !mode_fields.iter().any(|(n, p)| n == name && *p) {
                        return Err(err(
                            format!("{path}.{name}"),
                            format!("recording = \"{kind}\" needs `{name}`"),
                            field_hint(name).as_deref().unwrap_or(""),
                            &format!("\"{kind}\""),
                        ));
                    }
                }
                if g.mjpeg_frame_kb.is_some() && g.codec != Codec::Mjpeg {
                    return Err(err(
                        format!("{path}.mjpeg-frame-kb"),
                        format!(
                            "mjpeg-frame-kb applies to codec = \"mjpeg\", not {:?}",
                            g.codec.as_str()
                        ),
                        "remove it, or set bitrate-kbps for a measured H.264/H.265 stream",
                        "mjpeg-frame-kb",
                    ));
                }
                if g.record_substream && g.substream_kbps.is_none() {
                    return Err(err(
                        format!("{path}.record-substream"),
                        "record-substream = true needs substream-kbps".into(),
                        "give the sub-stream's bitrate, e.g. substream-kbps = 512",
                        "record-substream",
                    ));
                }
            }
        }
        self.project.check_dates(&err)?;
        if let (Some(cur), Some(_)) = (&self.project.currency, &self.project.exchange_rate)
            && cur.len() != 3
        {
            return Err(err(
                "project.currency".into(),
                format!("{cur:?} is not an ISO 4217 code"),
                "three letters, such as USD, EUR, GBP",
                "currency",
            ));
        }
        Ok(())
    }

    /// All cameras at all sites, copies included.
    pub fn camera_count(&self) -> u64 {
        self.sites
            .iter()
            .map(|s| {
                u64::from(s.copies.0) * s.cameras.iter().map(|g| u64::from(g.count.0)).sum::<u64>()
            })
            .sum()
    }

    /// Sites, copies included.
    pub fn site_count(&self) -> u64 {
        self.sites.iter().map(|s| u64::from(s.copies.0)).sum()
    }
}

impl SiteFile {
    /// `section-889-unresolved` and `taa-unresolved` say how an unresolved screening is
    /// reported: without their screening switched on they would be read and do nothing.
    fn check_unresolved(
        &self,
        err: &dyn Fn(String, String, &str, &str) -> InputError,
    ) -> Result<(), InputError> {
        let req = &self.requirements;
        for (set, severity, needs) in [
            (
                req.section_889,
                req.section_889_unresolved.is_some(),
                "section-889",
            ),
            (req.taa, req.taa_unresolved.is_some(), "taa"),
        ] {
            if severity && !set {
                return Err(err(
                    format!("requirements.{needs}-unresolved"),
                    format!(
                        "`{needs}-unresolved` says how an unresolved {needs} screening is reported, but `{needs}` is not true: nothing is screened"
                    ),
                    &format!(
                        "add `{needs} = true` to [requirements], or remove `{needs}-unresolved`"
                    ),
                    &format!("{needs}-unresolved"),
                ));
            }
        }
        Ok(())
    }
}

/// A site's link capacities (`uplink`, `wan-uplink`): zero carries nothing and is a typo, not a
/// design; the error points at the key in the site's own table.
fn check_link_capacities(si: usize, site: &Site, file: &str, text: &str) -> Result<(), InputError> {
    for (name, rate) in [
        ("uplink", site.network.uplink),
        ("wan-uplink", site.network.wan_uplink),
    ] {
        if rate == Some(Bitrate(0)) {
            let (line, column) = key_in_site(text, &site.name, name);
            return Err(InputError {
                file: file.to_string(),
                line,
                column,
                field: Some(format!("site[{si}].network.{name}")),
                message: format!(
                    "site {:?} gives {name} = 0: a link that carries nothing cannot carry the cameras",
                    site.name
                ),
                hint: Some(format!(
                    "give the link's capacity, more than zero, with its unit, such as \"100Mbps\" ({})",
                    if name == "uplink" {
                        "the access switches' link to the site's core"
                    } else {
                        "the site's link to where it records or to its failover server"
                    }
                )),
            });
        }
    }
    Ok(())
}

impl Project {
    /// `date` and `valid-until` are calendar days (no time of day), and the proposal is not
    /// valid until before it is dated.
    fn check_dates(
        &self,
        err: &dyn Fn(String, String, &str, &str) -> InputError,
    ) -> Result<(), InputError> {
        let day = |key: &str, d: &toml::value::Datetime| match (d.date, d.time, d.offset) {
            (Some(day), None, None) => Ok((day.year, day.month, day.day)),
            _ => Err(err(
                format!("project.{key}"),
                format!("`{key} = {d}` is not a calendar day"),
                "a TOML date without a time, e.g. `2026-12-04` (no quotes)",
                key,
            )),
        };
        let date = self.date.as_ref().map(|d| day("date", d)).transpose()?;
        let until = self
            .valid_until
            .as_ref()
            .map(|d| day("valid-until", d))
            .transpose()?;
        if let (Some(date), Some(until)) = (date, until)
            && until < date
        {
            return Err(err(
                "project.valid-until".into(),
                format!(
                    "the proposal would be valid until {}, before its date {}",
                    self.valid_until.map(|d| d.to_string()).unwrap_or_default(),
                    self.date.map(|d| d.to_string()).unwrap_or_default()
                ),
                "give a valid-until on or after the proposal's date",
                "valid-until",
            ));
        }
        Ok(())
    }
}

/// A site's failover pool: a name, and a site of one copy (a pool's one failover server stands
/// in one place).
fn check_failover_pool(
    si: usize,
    site: &Site,
    err: &dyn Fn(String, String, &str, &str) -> InputError,
) -> Result<(), InputError> {
    if let Some(pool) = &site.failover_pool {
        let field = format!("site[{si}].failover-pool");
        if pool.trim().is_empty() {
            return Err(err(
                field,
                format!("site {:?} names an empty failover pool", site.name),
                field_hint("failover-pool").as_deref().unwrap_or(""),
                "failover-pool",
            ));
        }
        if site.copies.0 > 1 {
            return Err(err(
                field,
                format!(
                    "site {:?} has copies = {} and names failover pool {pool:?}: each copy is a place of its own, and a pool's one failover server can stand in only one place",
                    site.name, site.copies.0
                ),
                "remove failover-pool (each copy gets its own failover server), or write the sites of the pool out one by one with copies = 1",
                &format!("\"{}\"", site.name),
            ));
        }
    }
    Ok(())
}

impl SiteFile {
    /// The site whose recorders record site `si`'s cameras (its `record-at`), by position: the
    /// site of exactly that name, else the one whose name matches without case or surrounding
    /// spaces. `None` when the site records on its own recorders (or names no site, which
    /// reading the file refuses).
    pub fn record_target(&self, si: usize) -> Option<usize> {
        let wanted = self.sites.get(si)?.record_at.as_deref()?;
        self.sites
            .iter()
            .position(|s| s.name == wanted)
            .or_else(|| {
                self.sites
                    .iter()
                    .position(|s| s.name.trim().eq_ignore_ascii_case(wanted.trim()))
            })
    }

    /// The sites recording at site `si` (central recording), in file order.
    pub fn recorded_at(&self, si: usize) -> Vec<usize> {
        (0..self.sites.len())
            .filter(|sj| self.record_target(*sj) == Some(si))
            .collect()
    }

    /// Site `si`'s `record-at` and `wan-uplink`: another site of this file, named once, that
    /// records on recorders of its own in one place (one copy, not recording elsewhere itself);
    /// and a site that records elsewhere names no recorders and no failover pool of its own.
    fn check_record_at(&self, si: usize, file: &str, text: &str) -> Result<(), InputError> {
        let site = &self.sites[si];
        let field = format!("site[{si}].record-at");
        let hint = field_hint("record-at").unwrap_or_default();
        let here = in_site(text, &site.name);
        let err = |field: String, message: String, hint: &str, (line, column)| InputError {
            file: file.to_string(),
            line,
            column,
            field: Some(field),
            message,
            hint: Some(hint.into()),
        };
        let Some(wanted) = site.record_at.as_deref() else {
            if site.network.wan_uplink.is_some() && site.failover_pool.is_none() {
                return Err(err(
                    format!("site[{si}].network.wan-uplink"),
                    format!(
                        "site {:?} gives wan-uplink but records on its own recorders and names no failover pool: wan-uplink is the link to the site named by record-at, or to the site of its failover pool's failover server",
                        site.name
                    ),
                    "add `record-at = \"…\"` or `failover-pool = \"…\"` to the [[site]], or remove wan-uplink",
                    here("wan-uplink"),
                ));
            }
            return Ok(());
        };
        let at = here("record-at");
        let fail = |message: String, hint: &str| Err(err(field.clone(), message, hint, at));
        if wanted.trim().is_empty() {
            return fail(
                format!("site {:?} names an empty record-at", site.name),
                &hint,
            );
        }
        let Some(ti) = self.record_target(si) else {
            let names = self.sites.iter().map(|s| s.name.as_str());
            let near = crate::input::did_you_mean(wanted, names)
                .map(|n| format!("did you mean {n:?}? "))
                .unwrap_or_default();
            let all: Vec<String> = self.sites.iter().map(|s| format!("{:?}", s.name)).collect();
            return fail(
                format!(
                    "site {:?} records at {wanted:?}, which is not a site of this file",
                    site.name
                ),
                &format!("{near}the sites are {}", all.join(", ")),
            );
        };
        self.record_at_rules(si, ti, wanted)
            .map_err(|(message, hint)| err(field.clone(), message, hint, at))
    }

    /// What site `si` recording at site `ti` breaks, as a message and a hint: itself, a name
    /// several sites share, a target that records elsewhere or has copies, and recorders or a
    /// failover pool of its own.
    fn record_at_rules(
        &self,
        si: usize,
        ti: usize,
        wanted: &str,
    ) -> Result<(), (String, &'static str)> {
        let site = &self.sites[si];
        let target = &self.sites[ti];
        let same_name = self
            .sites
            .iter()
            .filter(|s| s.name.trim().eq_ignore_ascii_case(target.name.trim()))
            .count();
        if ti == si {
            Err((
                format!("site {:?} records at itself", site.name),
                "a site records on its own recorders without record-at; remove it, or name the site that records it",
            ))
        } else if same_name > 1 {
            Err((
                format!(
                    "{} sites are named {:?}, so record-at = {wanted:?} does not say which records site {:?}",
                    same_name, target.name, site.name
                ),
                "give the sites different names",
            ))
        } else if target.record_at.is_some() {
            Err((
                format!(
                    "site {:?} records at {:?}, which itself records at {:?}: recordings are not relayed from site to site",
                    site.name,
                    target.name,
                    target.record_at.as_deref().unwrap_or_default()
                ),
                "name the site whose recorders record them all, so that every record-at names a site that records on its own recorders",
            ))
        } else if target.copies.0 > 1 {
            Err((
                format!(
                    "site {:?} records at {:?}, which has copies = {}: its recorders stand in {} places, and record-at needs one",
                    site.name, target.name, target.copies.0, target.copies.0
                ),
                "record at a site of one copy, or write the copies out one by one",
            ))
        } else if site.network.recorder.is_some() || site.network.recorders.is_some() {
            Err((
                format!(
                    "site {:?} records at {:?} but names recorders of its own in [site.network]",
                    site.name, target.name
                ),
                "a site that records elsewhere has no recorders: remove recorder and recorders from its [site.network], or remove record-at",
            ))
        } else if site.failover_pool.is_some() {
            Err((
                format!(
                    "site {:?} records at {:?} and names a failover pool: it has no servers of its own to stand by for",
                    site.name, target.name
                ),
                "remove failover-pool: the servers at the site it records at are its failover's business",
            ))
        } else {
            Ok(())
        }
    }
}

/// The byte range of site `name`'s `[[site]]` table: from the table's `name = "…"` line to
/// the next `[[site]]` header (or the end). The name is looked for as the value of a `name`
/// key under a `[[site]]` header, so another site's `record-at = "…"` naming it is not taken
/// for it; without such a line, from its first quoted mention.
fn site_span(text: &str, name: &str) -> (usize, usize) {
    let quoted = format!("\"{name}\"");
    let mut offset = 0;
    let mut in_site = false;
    let mut start = None;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if t.starts_with('[') {
            if start.is_some() && t == "[[site]]" {
                return (start.unwrap_or(0), offset);
            }
            in_site = t == "[[site]]";
        } else if in_site
            && start.is_none()
            && let Some(rest) = t.strip_prefix("name")
            && let Some(value) = rest.trim_start().strip_prefix('=')
            && value.trim() == quoted
        {
            start = Some(offset);
        }
        offset += line.len();
    }
    match start {
        Some(s) => (s, text.len()),
        None => (text.find(&quoted).unwrap_or(0), text.len()),
    }
}

/// Line and column of `needle` within site `name`'s table, for errors on a field of that site;
/// anywhere in the file when the table does not hold it.
fn in_site<'a>(text: &'a str, name: &str) -> impl Fn(&str) -> (Option<usize>, Option<usize>) + 'a {
    let (from, to) = site_span(text, name);
    move |needle: &str| match text[from..to].find(needle) {
        Some(at) => {
            let (l, c) = crate::input::line_col(text, from + at);
            (Some(l), Some(c))
        }
        None => locate(text, needle),
    }
}

/// Line and column of the key `key` (a line starting with it) in site `name`'s table, else
/// anywhere; `uplink` is not found inside `wan-uplink`.
fn key_in_site(text: &str, name: &str, key: &str) -> (Option<usize>, Option<usize>) {
    let (from, to) = site_span(text, name);
    let is_key = |line: &str| {
        line.trim_start()
            .strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with('='))
    };
    let mut offset = 0;
    let mut fallback = None;
    for line in text.split_inclusive('\n') {
        if is_key(line) {
            let at = offset + (line.len() - line.trim_start().len());
            if (from..to).contains(&at) {
                let (l, c) = crate::input::line_col(text, at);
                return (Some(l), Some(c));
            }
            fallback.get_or_insert(at);
        }
        offset += line.len();
    }
    match fallback {
        Some(at) => {
            let (l, c) = crate::input::line_col(text, at);
            (Some(l), Some(c))
        }
        None => (None, None),
    }
}

/// Line and column of the first occurrence of `needle`, for cross-field errors that have no
/// span of their own. Good enough to bring the editor to the right table.
fn locate(text: &str, needle: &str) -> (Option<usize>, Option<usize>) {
    match text.find(needle) {
        Some(offset) => {
            let (l, c) = crate::input::line_col(text, offset);
            (Some(l), Some(c))
        }
        None => (None, None),
    }
}

impl CameraGroup {
    /// The main-stream bitrate: the designer's figure, or the model's estimate.
    pub fn main_bitrate(&self, model: &sizing::BitrateModel, default_fps: f64) -> Bitrate {
        match self.bitrate_kbps {
            Some(k) => Bitrate::from_kbps(k.0),
            None => {
                let fps = self.fps.map_or(default_fps, |f| f.0);
                let frame = self.mjpeg_frame_kb.map(|k| (k.0 * 1000.0).round() as u64);
                model.estimate(&self.resolution, self.codec, fps, self.scene, frame)
            }
        }
    }

    /// The recording mode in sizing's terms.
    pub fn mode(&self) -> sizing::RecordingMode {
        use sizing::RecordingMode as M;
        match self.recording {
            RecordingKind::Continuous => M::Continuous,
            RecordingKind::Schedule => M::Schedule {
                hours_per_day: self.hours_per_day.map_or(24.0, |h| h.0),
            },
            RecordingKind::Motion => M::Motion {
                hours_per_day: self.hours_per_day.map_or(24.0, |h| h.0),
                duty_cycle: self.duty_cycle.map_or(1.0, |d| d.0),
            },
            RecordingKind::Events => M::Events {
                events_per_day: self.events_per_day.map_or(0.0, |e| e.0),
                pre_seconds: self.pre_seconds.map_or(0.0, |s| s.0),
                post_seconds: self.post_seconds.map_or(0.0, |s| s.0),
            },
        }
    }
}
