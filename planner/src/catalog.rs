//! The catalog: products, prices, the bitrate model and planning defaults, with their sources.
//!
//! Every number the planner uses without the designer typing it comes from here, and every record
//! says where it came from (a source with a URL or a note) or which of its fields are assumptions
//! and why. The shipped catalog is embedded in the binary; `--catalog FILE` lays a file over it
//! (a distributor's price list, say) record by record: a record with a shipped id changes the
//! fields it gives and must restate where its figures come from, a new id adds a record
//! (see [`crate::overlay`]).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use sizing::bitrate::{BitrateModel, CodecFactors, PerScene};
use sizing::storage::HeadroomPolicy;
use sizing::{Bitrate, Bytes, RaidLevel, Watts};

use crate::input::{InputError, parse_toml};

/// The embedded catalog files, in overlay order.
pub const EMBEDDED: &[(&str, &str)] = &[
    (
        "catalog/sources.toml",
        include_str!("../catalog/sources.toml"),
    ),
    (
        "catalog/bitrate.toml",
        include_str!("../catalog/bitrate.toml"),
    ),
    (
        "catalog/defaults.toml",
        include_str!("../catalog/defaults.toml"),
    ),
    (
        "catalog/recorders.toml",
        include_str!("../catalog/recorders.toml"),
    ),
    (
        "catalog/licences.toml",
        include_str!("../catalog/licences.toml"),
    ),
    (
        "catalog/switches.toml",
        include_str!("../catalog/switches.toml"),
    ),
    (
        "catalog/operating.toml",
        include_str!("../catalog/operating.toml"),
    ),
];

/// Where a figure comes from.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Source {
    /// What the source is and what it says.
    pub title: String,
    /// Where to read it.
    pub url: Option<String>,
    /// Why there is no URL, or what else to know.
    pub note: Option<String>,
    /// The date the page shows, when it shows one.
    pub published: Option<String>,
    /// When the figure was entered into the catalog.
    pub recorded: String,
}

/// Provenance carried by every record.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Provenance {
    /// The source id (a key of `[sources]`).
    pub source: Option<String>,
    /// Fields of this record the source does not give.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assumed: Vec<String>,
    /// Why the assumed values are what they are.
    pub assumption: Option<String>,
    /// Anything else a reader should know.
    pub note: Option<String>,
}

/// A factor given plainly (covered by its table's source) or with its own source.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(untagged)]
pub enum Factor {
    /// A number covered by the enclosing table's source.
    Plain(f64),
    /// A number with a source of its own.
    Sourced {
        /// The factor.
        value: f64,
        /// Its source id.
        source: String,
    },
}

impl Factor {
    /// The number.
    pub fn value(&self) -> f64 {
        match self {
            Factor::Plain(v) | Factor::Sourced { value: v, .. } => *v,
        }
    }
}

/// One point of the bitrate curve.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CurvePoint {
    /// Megapixels of the resolution.
    pub megapixels: f64,
    /// H.264 kbit/s at a medium scene and the reference frame rate.
    pub kbps: f64,
}

/// `[bitrate.codec-factor]`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CodecFactorTable {
    /// Source of the plain factors.
    pub source: String,
    /// H.264.
    pub h264: Factor,
    /// H.265.
    pub h265: Factor,
    /// H.264 smart.
    pub h264_smart: Factor,
    /// H.265 smart.
    pub h265_smart: Factor,
}

/// A low/medium/high table with provenance.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SceneTable {
    /// Source of the factors, if any.
    pub source: Option<String>,
    /// Why the factors are assumed, when there is no source.
    pub assumption: Option<String>,
    /// Low activity.
    pub low: f64,
    /// Medium activity.
    pub medium: f64,
    /// High activity.
    pub high: f64,
}

/// `[bitrate.audio]`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AudioTable {
    /// Source id.
    pub source: String,
    /// Audio + container kbit/s added to a stream that records audio.
    pub kbps: u64,
}

/// `[bitrate]`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BitrateSection {
    /// Source of the curve.
    pub source: String,
    /// Frame rate the curve is given at.
    pub reference_fps: f64,
    /// Frame-rate scaling exponent.
    pub fps_exponent: f64,
    /// The curve.
    pub curve: Vec<CurvePoint>,
    /// Codec factors.
    pub codec_factor: CodecFactorTable,
    /// Scene factors.
    pub scene_factor: SceneTable,
    /// MJPEG bytes per pixel.
    pub mjpeg_bytes_per_pixel: SceneTable,
    /// Audio overhead.
    pub audio: AudioTable,
}

/// A default value with its provenance.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Sourced<T> {
    /// The value.
    pub value: T,
    /// Source id.
    pub source: Option<String>,
    /// Why, when there is no source.
    pub assumption: Option<String>,
    /// What the source says.
    pub note: Option<String>,
}

/// `[defaults]`: what a site file may leave out.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Defaults {
    /// Fraction of marked capacity lost to formatting.
    pub format_loss: Sourced<f64>,
    /// Highest fill of formatted capacity.
    pub fill_target: Sourced<f64>,
    /// Margin on top of computed recordings.
    pub safety_margin: Sourced<f64>,
    /// NVR incoming-bandwidth reserve.
    pub nvr_ingest_reserve: Sourced<f64>,
    /// Recording-server ingest reserve.
    pub server_ingest_reserve: Sourced<f64>,
    /// Protocol overhead on network links.
    pub network_overhead: Sourced<f64>,
    /// Widest RAID 5/6 group.
    pub raid_max_group: Sourced<u32>,
    /// RAID level when the site file gives none.
    pub raid: Sourced<RaidLevel>,
    /// Hot spares when the site file gives none.
    pub hot_spares: Sourced<u32>,
    /// Retention when a camera group gives none.
    pub retention_days: Sourced<u32>,
    /// Days a failover server keeps a failed server's recordings, when the site file gives none.
    pub failover_retention_days: Sourced<u32>,
    /// Cost year (1-based) of a growth step when the site file gives none.
    pub growth_year: Sourced<u32>,
    /// Frame rate when a camera group gives none.
    pub fps: Sourced<f64>,
    /// Cost horizon when the project gives none.
    pub horizon_years: Sourced<u32>,
    /// NVR appliance replacement cycle.
    pub nvr_refresh_years: Sourced<u32>,
    /// Cloud service shown as context.
    pub cloud: Sourced<String>,
    /// Highest share of a link's capacity the plan may use.
    pub link_utilization: Sourced<f64>,
    /// Live-view clients per site.
    pub viewing_clients: Sourced<u32>,
    /// Streams one live-view client shows at once.
    pub viewing_tiles: Sourced<u32>,
    /// Seconds between key frames.
    pub gop_seconds: Sourced<f64>,
    /// H.264 encoder profile.
    pub h264_profile: Sourced<String>,
    /// H.265 encoder profile.
    pub h265_profile: Sourced<String>,
    /// Network interface speed of recorders and servers.
    pub recorder_nic: Sourced<Bitrate>,
    /// Speed of an NVR's built-in PoE ports.
    pub nvr_poe_port_speed: Sourced<Bitrate>,
    /// Environment variable holding the camera user name.
    pub camera_user_env: Sourced<String>,
    /// Environment variable holding the camera password.
    pub camera_password_env: Sourced<String>,
}

/// Declares `[operating]` once: the struct of sourced figures, the site file's overrides and the
/// list of names, so that a figure added here is read, overridable and provenance-checked.
macro_rules! operating_figures {
    ($($(#[$doc:meta])* $field:ident = $name:literal),* $(,)?) => {
        /// `[operating]`: what running an option costs once it is bought. Each figure is
        /// overridable in the site file's `[costs]` under the same name.
        #[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
        #[serde(deny_unknown_fields, rename_all = "kebab-case")]
        pub struct Operating {
            $($(#[$doc])* pub $field: Sourced<f64>,)*
        }

        /// The site file's `[costs]`: any `[operating]` figure, overridden for this project.
        #[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
        #[serde(deny_unknown_fields, rename_all = "kebab-case")]
        pub struct CostOverrides {
            $($(#[$doc])* pub $field: Option<crate::ranged::Amount>,)*
        }

        impl Operating {
            /// Every figure with its kebab-case name.
            pub fn figures(&self) -> Vec<(&'static str, &Sourced<f64>)> {
                vec![$(($name, &self.$field),)*]
            }
        }

        impl CostOverrides {
            /// The value the site file gives for `name`, if any.
            pub fn get(&self, name: &str) -> Option<f64> {
                $(if name == $name { return self.$field.map(|a| a.0); })*
                None
            }
        }
    };
}

operating_figures!(
    /// Hourly rate of the people who run the system.
    labour_rate = "labour-rate",
    /// Hours a year per NVR appliance (an island managed on its own).
    admin_hours_per_nvr = "admin-hours-per-nvr",
    /// Hours a year for the VMS platform as a whole.
    admin_hours_per_vms_platform = "admin-hours-per-vms-platform",
    /// Hours a year per recording server managed by the VMS.
    admin_hours_per_recording_server = "admin-hours-per-recording-server",
    /// Hours a year per site (visits).
    admin_hours_per_site = "admin-hours-per-site",
    /// Hours a year per camera.
    admin_hours_per_camera = "admin-hours-per-camera",
    /// NVR firmware updates a year.
    nvr_firmware_cycles_per_year = "nvr-firmware-cycles-per-year",
    /// Hours per NVR and firmware update.
    patch_hours_per_nvr = "patch-hours-per-nvr",
    /// Server operating-system patch cycles a year.
    server_patch_cycles_per_year = "server-patch-cycles-per-year",
    /// Hours per server and patch cycle.
    patch_hours_per_server = "patch-hours-per-server",
    /// Health-monitoring hours a year per NVR appliance.
    monitoring_hours_per_nvr = "monitoring-hours-per-nvr",
    /// Health-monitoring hours a year for the VMS platform.
    monitoring_hours_per_vms_platform = "monitoring-hours-per-vms-platform",
    /// Remote-support hours a year per managed system (an NVR, or the VMS platform).
    remote_support_hours_per_system = "remote-support-hours-per-system",
    /// Share of drives that fail each year.
    drive_annual_failure_rate = "drive-annual-failure-rate",
    /// Hours to replace one failed drive.
    drive_swap_hours = "drive-swap-hours",
    /// Watts of an NVR appliance without drives, when its record gives none.
    nvr_watts = "nvr-watts",
    /// Watts of a recording server without drives, when its record gives none.
    server_watts = "server-watts",
    /// Watts per installed drive.
    drive_watts = "drive-watts",
    /// Energy price per kWh.
    energy_price = "energy-price",
    /// Power usage effectiveness of the room the recorders stand in.
    pue = "pue",
    /// Watts of the VMS management server.
    management_server_watts = "management-server-watts",
);

/// What a platform item is.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum PlatformKind {
    /// An operating-system licence.
    Os,
    /// A database licence.
    Database,
    /// The management/directory server's hardware.
    ManagementServer,
}

/// How many of a platform item a VMS option buys.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum PlatformPer {
    /// One per recording server (and per management server).
    Server,
    /// One per system.
    System,
}

/// Software or hardware a VMS product needs besides its own licence.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Platform {
    /// Catalog id, listed in a product's `platform`.
    pub id: String,
    /// What it is.
    pub name: String,
    /// Its kind.
    pub kind: PlatformKind,
    /// How many are bought.
    pub per: PlatformPer,
    /// Price each.
    pub price: f64,
    /// Bought again when the servers are replaced.
    pub refreshed: bool,
    /// Source id.
    pub source: Option<String>,
    /// Assumed fields.
    #[serde(default)]
    pub assumed: Vec<String>,
    /// Why.
    pub assumption: Option<String>,
    /// Remarks.
    pub note: Option<String>,
}

/// An NVR appliance model and its ceilings.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct NvrModel {
    /// Catalog id.
    pub id: String,
    /// Manufacturer.
    pub maker: String,
    /// Model number.
    pub model: String,
    /// The maker is named in NDAA FY2019 §889(f)(3).
    #[serde(default)]
    pub covered_889: bool,
    /// Country of origin (of last substantial transformation), as a source states it; absent
    /// when no source does, and then the BOM leaves it empty for `check` to flag.
    pub origin: Option<String>,
    /// The source id (a key of `[sources]`) that states `origin`; required with it.
    pub origin_source: Option<String>,
    /// Camera channels.
    pub channels: u32,
    /// Incoming bandwidth ceiling.
    pub incoming: Bitrate,
    /// Drive bays.
    pub bays: u32,
    /// Largest drive each bay accepts.
    pub max_drive: Bytes,
    /// Built-in PoE ports.
    pub poe_ports: u32,
    /// Total PoE budget.
    pub poe_budget: Watts,
    /// Most power one port delivers (defaults to the whole budget).
    pub poe_per_port: Option<Watts>,
    /// Power each installed drive takes from the PoE budget (LILIN-style shared budgets).
    pub drive_power: Option<Watts>,
    /// RAID levels offered besides independent disks.
    pub raid: Vec<RaidLevel>,
    /// Unit price in the catalog currency, drives excluded.
    pub price: f64,
    /// Power drawn without drives ([operating] nvr-watts when absent).
    pub watts: Option<Watts>,
    /// Replacement cycle in years (defaults.nvr-refresh-years when absent).
    pub refresh_years: Option<u32>,
    /// Where the figures come from.
    pub source: Option<String>,
    /// Fields the source does not give.
    #[serde(default)]
    pub assumed: Vec<String>,
    /// Why.
    pub assumption: Option<String>,
}

impl NvrModel {
    /// Whether this appliance can run `level`.
    pub fn supports(&self, level: RaidLevel) -> bool {
        level == RaidLevel::None || self.raid.contains(&level)
    }
}

/// Recording-server hardware.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ServerModel {
    /// Catalog id.
    pub id: String,
    /// Description.
    pub name: String,
    /// Manufacturer of the product this record names; absent for a generic class.
    pub maker: Option<String>,
    /// The maker's model number; absent for a generic class, whose BOM line is a placeholder.
    pub model: Option<String>,
    /// Country of origin (of last substantial transformation), as a source states it; absent
    /// when no source does, and then the BOM leaves it empty for `check` to flag.
    pub origin: Option<String>,
    /// The source id (a key of `[sources]`) that states `origin`; required with it.
    pub origin_source: Option<String>,
    /// Cameras per server.
    pub cameras: u32,
    /// Ingest ceiling.
    pub ingest: Bitrate,
    /// Drive bays.
    pub bays: u32,
    /// Largest drive per bay.
    pub max_drive: Bytes,
    /// RAID levels offered.
    pub raid: Vec<RaidLevel>,
    /// Price without drives.
    pub price: f64,
    /// Power drawn without drives ([operating] server-watts when absent).
    pub watts: Option<Watts>,
    /// Replacement cycle in years.
    pub refresh_years: u32,
    /// Source id.
    pub source: Option<String>,
    /// Assumed fields.
    #[serde(default)]
    pub assumed: Vec<String>,
    /// Why.
    pub assumption: Option<String>,
}

/// A drive that can be bought.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DriveModel {
    /// Catalog id.
    pub id: String,
    /// Manufacturer of the product this record names; absent for a generic class.
    pub maker: Option<String>,
    /// The maker's model number; absent for a generic class, whose BOM line is a placeholder.
    pub model: Option<String>,
    /// Country of origin (of last substantial transformation), as a source states it; absent
    /// when no source does, and then the BOM leaves it empty for `check` to flag.
    pub origin: Option<String>,
    /// The source id (a key of `[sources]`) that states `origin`; required with it.
    pub origin_source: Option<String>,
    /// Marked size.
    pub size: Bytes,
    /// Price each.
    pub price: f64,
    /// Source id.
    pub source: Option<String>,
    /// Assumed fields.
    #[serde(default)]
    pub assumed: Vec<String>,
    /// Why.
    pub assumption: Option<String>,
}

/// A VMS licence model.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct VmsProduct {
    /// Catalog id.
    pub id: String,
    /// Product and edition.
    pub name: String,
    /// The company that sells it.
    pub maker: String,
    /// Base (system) licence price.
    pub base: f64,
    /// Price per camera channel.
    pub per_channel: f64,
    /// Channels included free.
    #[serde(default)]
    pub free_channels: u32,
    /// Edition cap on channels.
    pub max_channels: Option<u32>,
    /// One licence per recording server covers any number of channels at this price.
    pub unlimited_per_machine: Option<f64>,
    /// Yearly care/upgrade plan as a fraction of the licence price.
    #[serde(default)]
    pub care_rate: f64,
    /// Yearly care per channel, for products priced that way.
    #[serde(default)]
    pub care_per_channel: f64,
    /// The licence includes the first year of care, so care is billed from year 2.
    #[serde(default = "yes")]
    pub care_first_year_included: bool,
    /// Ids of the `[[platform]]` items the product needs (OS, database, management server).
    #[serde(default)]
    pub platform: Vec<String>,
    /// Source id.
    pub source: Option<String>,
    /// Assumed fields.
    #[serde(default)]
    pub assumed: Vec<String>,
    /// Why.
    pub assumption: Option<String>,
    /// Remarks.
    pub note: Option<String>,
}

impl VmsProduct {
    /// Licence price for `channels` channels on `servers` recording servers, or `None` when the
    /// edition cannot hold that many channels.
    pub fn licence_cost(&self, channels: u64, servers: u64) -> Option<f64> {
        if self
            .max_channels
            .is_some_and(|max| channels > u64::from(max))
        {
            return None;
        }
        let paid = channels.saturating_sub(u64::from(self.free_channels));
        let per_channel = self.base + self.per_channel * paid as f64;
        Some(match self.unlimited_per_machine {
            Some(per_machine) => per_channel.min(self.base + per_machine * servers as f64),
            None => per_channel,
        })
    }

    /// Yearly care cost for a licence of `licence_cost` covering `channels`.
    pub fn care_per_year(&self, licence_cost: f64, channels: u64) -> f64 {
        self.care_rate * licence_cost + self.care_per_channel * channels as f64
    }
}

/// A network switch.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SwitchModel {
    /// Catalog id.
    pub id: String,
    /// Description.
    pub name: String,
    /// Manufacturer of the product this record names; absent for a generic class.
    pub maker: Option<String>,
    /// The maker's model number; absent for a generic class, whose BOM line is a placeholder.
    pub model: Option<String>,
    /// Country of origin (of last substantial transformation), as a source states it; absent
    /// when no source does, and then the BOM leaves it empty for `check` to flag.
    pub origin: Option<String>,
    /// The source id (a key of `[sources]`) that states `origin`; required with it.
    pub origin_source: Option<String>,
    /// Access ports.
    pub ports: u32,
    /// Ports that deliver PoE.
    pub poe_ports: u32,
    /// Total PoE budget.
    pub poe_budget: Watts,
    /// Most power one port delivers (defaults to the whole budget).
    pub poe_per_port: Option<Watts>,
    /// Speed of each access port.
    pub port_speed: Bitrate,
    /// Speed of each uplink port.
    pub uplink: Bitrate,
    /// Uplink ports.
    pub uplinks: u32,
    /// An aggregation (core) switch rather than an access switch.
    #[serde(default)]
    pub core: bool,
    /// Price.
    pub price: f64,
    /// Source id.
    pub source: Option<String>,
    /// Assumed fields.
    #[serde(default)]
    pub assumed: Vec<String>,
    /// Why.
    pub assumption: Option<String>,
}

fn yes() -> bool {
    true
}

/// One price tier of a cloud service: what a camera costs a year when it keeps up to
/// `retention-days` of video at up to `max-megapixels`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CloudTier {
    /// Longest retention the tier stores.
    pub retention_days: u32,
    /// Highest resolution the tier records, megapixels.
    pub max_megapixels: f64,
    /// Price per camera per year.
    pub per_camera_year: f64,
}

/// A cloud VMS, for context in the cost table.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CloudService {
    /// Catalog id.
    pub id: String,
    /// Product.
    pub name: String,
    /// Entry price per camera per year, whatever the retention.
    pub per_camera_year: f64,
    /// Prices by retention and resolution; without them the service is not comparable.
    #[serde(default)]
    pub tiers: Vec<CloudTier>,
    /// Source id.
    pub source: Option<String>,
    /// Remarks.
    pub note: Option<String>,
}

/// The provenance fields every product record carries.
trait Provenanced {
    /// What the record is, as errors name it ("nvr", "drive" …).
    const KIND: &'static str;
    fn id(&self) -> &str;
    fn source(&self) -> Option<&str>;
    fn assumed(&self) -> &[String];
    fn assumption(&self) -> Option<&str>;
}

macro_rules! provenanced {
    ($($t:ty => $kind:literal),*) => { $(
        impl Provenanced for $t {
            const KIND: &'static str = $kind;
            fn id(&self) -> &str { &self.id }
            fn source(&self) -> Option<&str> { self.source.as_deref() }
            fn assumed(&self) -> &[String] { &self.assumed }
            fn assumption(&self) -> Option<&str> { self.assumption.as_deref() }
        }
    )* };
}
provenanced!(NvrModel => "nvr", ServerModel => "server", DriveModel => "drive", VmsProduct => "vms", SwitchModel => "switch", Platform => "platform");

/// The maker, model and sourced country of origin a hardware record may carry.
trait Identity: Provenanced {
    fn maker(&self) -> Option<&str>;
    fn model(&self) -> Option<&str>;
    fn origin(&self) -> Option<&str>;
    fn origin_source(&self) -> Option<&str>;
}

impl Identity for NvrModel {
    fn maker(&self) -> Option<&str> {
        Some(&self.maker)
    }
    fn model(&self) -> Option<&str> {
        Some(&self.model)
    }
    fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }
    fn origin_source(&self) -> Option<&str> {
        self.origin_source.as_deref()
    }
}

macro_rules! identity {
    ($($t:ty),*) => { $(
        impl Identity for $t {
            fn maker(&self) -> Option<&str> { self.maker.as_deref() }
            fn model(&self) -> Option<&str> { self.model.as_deref() }
            fn origin(&self) -> Option<&str> { self.origin.as_deref() }
            fn origin_source(&self) -> Option<&str> { self.origin_source.as_deref() }
        }
    )* };
}
identity!(ServerModel, DriveModel, SwitchModel);

/// The record sections whose records carry an [`Identity`].
const IDENTITY_SECTIONS: [&str; 4] = ["nvr", "server", "drive", "switch"];

/// The identity keys of a record; the file that last gave one of them is the one an identity
/// problem names.
const IDENTITY_KEYS: [&str; 4] = ["maker", "model", "origin", "origin-source"];

/// Which file last gave a record's identity fields, by (section, id).
type IdentityFiles = BTreeMap<(String, String), String>;

/// Notes, for each record of `table` that gives an identity field, that `file` gave it.
fn note_identity_files(table: &toml::Table, file: &str, into: &mut IdentityFiles) {
    for section in IDENTITY_SECTIONS {
        let Some(records) = table.get(section).and_then(toml::Value::as_array) else {
            continue;
        };
        for r in records {
            let Some(id) = r.get("id").and_then(toml::Value::as_str) else {
                continue;
            };
            if IDENTITY_KEYS.iter().any(|k| r.get(*k).is_some()) {
                into.insert((section.to_string(), id.to_string()), file.to_string());
            }
        }
    }
}

/// What is wrong with a record's identity, as (field, message): an origin needs the source that
/// states it and a named product to be the origin of; a model needs its maker.
fn identity_problem<T: Identity>(
    r: &T,
    sources: &BTreeMap<String, Source>,
) -> Option<(&'static str, String)> {
    match (r.origin(), r.origin_source()) {
        (Some(o), None) => {
            return Some((
                "origin-source",
                format!(
                    "`origin` {o:?} is given without `origin-source`, the source that states it"
                ),
            ));
        }
        (None, Some(_)) => {
            return Some(("origin", "`origin-source` is given without `origin`".into()));
        }
        (Some(_), Some(id)) if !sources.contains_key(id) => {
            return Some((
                "origin-source",
                format!("source {id:?} is not in [sources]"),
            ));
        }
        _ => {}
    }
    if r.origin().is_some() && r.model().is_none() {
        return Some((
            "model",
            "`origin` is given for a generic class: a country of origin is a product's, so name its `maker` and `model`".into(),
        ));
    }
    if r.model().is_some() && r.maker().is_none() {
        return Some(("maker", "`model` is given without `maker`".into()));
    }
    None
}

/// A record section an overlay may replace whole.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum ReplacedSection {
    Nvr,
    Server,
    Drive,
    Vms,
    Cloud,
    Switch,
    Platform,
}

/// One catalog file: any subset of the sections.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct CatalogFile {
    /// Record sections this file replaces whole instead of merging by id (an overlay with a
    /// distributor's complete drive list: `replace = ["drive"]`).
    #[allow(dead_code)]
    replace: Option<Vec<ReplacedSection>>,
    currency: Option<String>,
    sources: Option<BTreeMap<String, Source>>,
    bitrate: Option<BitrateSection>,
    defaults: Option<Defaults>,
    nvr: Option<Vec<NvrModel>>,
    server: Option<Vec<ServerModel>>,
    drive: Option<Vec<DriveModel>>,
    vms: Option<Vec<VmsProduct>>,
    cloud: Option<Vec<CloudService>>,
    switch: Option<Vec<SwitchModel>>,
    operating: Option<Operating>,
    platform: Option<Vec<Platform>>,
}

/// The resolved catalog.
#[derive(Debug, Clone, Serialize)]
pub struct Catalog {
    /// Currency of every price.
    pub currency: String,
    /// Sources by id.
    pub sources: BTreeMap<String, Source>,
    /// The bitrate model's data.
    pub bitrate: BitrateSection,
    /// Planning defaults.
    pub defaults: Defaults,
    /// NVR appliances.
    pub nvr: Vec<NvrModel>,
    /// Recording servers.
    pub server: Vec<ServerModel>,
    /// Drives.
    pub drive: Vec<DriveModel>,
    /// VMS licence models.
    pub vms: Vec<VmsProduct>,
    /// Cloud services.
    pub cloud: Vec<CloudService>,
    /// Network switches.
    pub switch: Vec<SwitchModel>,
    /// Operating-cost figures.
    pub operating: Operating,
    /// Platform software and hardware VMS products need.
    pub platform: Vec<Platform>,
    /// The files the catalog was built from, in order.
    pub files: Vec<String>,
}

fn hint_for(key: &str) -> Option<String> {
    Some(
        match key {
            "incoming" | "ingest" => "a bitrate with its unit, such as \"160Mbps\"",
            "max-drive" | "size" => "a size with its unit, such as \"10TB\"",
            "poe-budget" | "poe-per-port" | "drive-power" => {
                "a power with its unit, such as \"200W\""
            }
            "raid" => "a list of RAID levels: raid1, raid5, raid6, raid10",
            _ => return None,
        }
        .to_string(),
    )
}

/// The problems [`Catalog::validate`] collects, with the sources provenance is checked against.
struct Problems<'a> {
    sources: &'a BTreeMap<String, Source>,
    list: Vec<String>,
}

impl Problems<'_> {
    fn push(&mut self, problem: String) {
        self.list.push(problem);
    }

    /// A record names a known source, or says why its figures are assumed.
    fn provenance(
        &mut self,
        what: &str,
        source: Option<&str>,
        assumed: &[String],
        assumption: Option<&str>,
    ) {
        match source {
            Some(id) if !self.sources.contains_key(id) => {
                self.push(format!("{what}: source {id:?} is not in [sources]"));
            }
            None if assumption.is_none() => {
                self.push(format!("{what}: has neither a source nor an assumption"));
            }
            _ => {}
        }
        if !assumed.is_empty() && assumption.is_none() {
            self.push(format!(
                "{what}: lists assumed fields without an `assumption` saying why"
            ));
        }
    }
}

/// The catalog the layered files make, read with every field checked; a problem names the last
/// file (the overlay, since the shipped files read alone) and the record by its id.
fn catalog_of_layers(layered: &toml::Table, names: &[String]) -> Result<CatalogFile, InputError> {
    let value = toml::Value::Table(layered.clone());
    serde_path_to_error::deserialize::<_, CatalogFile>(value).map_err(|e| {
        let path = e.path().to_string();
        // `drive[3]` is the merged list's fourth drive; the id says which one the user meant.
        let field = path
            .split_once('[')
            .and_then(|(section, rest)| {
                let (index, tail) = rest.split_once(']')?;
                let id = layered
                    .get(section)?
                    .as_array()?
                    .get(index.parse::<usize>().ok()?)?
                    .get("id")?
                    .as_str()?;
                Some(format!("{section}[id = {id:?}]{tail}"))
            })
            .unwrap_or(path);
        InputError {
            file: names.last().cloned().unwrap_or_default(),
            line: None,
            column: None,
            field: Some(field),
            message: e.inner().to_string().lines().next().unwrap_or_default().trim().to_string(),
            hint: Some(
                "an overlay record with a shipped id changes only the fields it gives; a record with a new id needs every field".into(),
            ),
        }
    })
}

impl Catalog {
    /// The shipped catalog.
    pub fn embedded() -> Result<Catalog, InputError> {
        Catalog::build(EMBEDDED.iter().map(|(n, t)| (n.to_string(), t.to_string())))
    }

    /// The shipped catalog with `text` (read from `file`) laid over it.
    pub fn with_overlay(file: &str, text: &str) -> Result<Catalog, InputError> {
        let files = EMBEDDED.iter().map(|(n, t)| (n.to_string(), t.to_string()));
        Catalog::build(files.chain(std::iter::once((file.to_string(), text.to_string()))))
    }

    fn build(files: impl Iterator<Item = (String, String)>) -> Result<Catalog, InputError> {
        let mut layered = toml::Table::new();
        let mut names = Vec::new();
        let mut identity_files = IdentityFiles::new();
        for (name, text) in files {
            // Each file alone first, so that its mistakes point at their line: a syntax error,
            // an unknown field or a wrong type. A record that only patches a shipped one lacks
            // fields, which is fine here; what the merged records lack is reported below.
            if let Err(e) = parse_toml::<CatalogFile>(&name, &text, &hint_for)
                && !e.message.starts_with("missing field")
            {
                return Err(e);
            }
            let table: toml::Table = parse_toml(&name, &text, &hint_for)?;
            note_identity_files(&table, &name, &mut identity_files);
            crate::overlay::lay_over(&mut layered, table);
            names.push(name);
        }
        let merged = catalog_of_layers(&layered, &names)?;
        let sources = merged.sources.clone().unwrap_or_default();
        let missing = |section: &str| InputError {
            file: names.join(" + "),
            line: None,
            column: None,
            field: Some(section.to_string()),
            message: "the catalog has no such section".into(),
            hint: Some(
                "a catalog overlay changes or adds records; the shipped sections must all exist"
                    .into(),
            ),
        };
        let catalog = Catalog {
            currency: merged.currency.unwrap_or_else(|| "USD".to_string()),
            sources,
            bitrate: merged.bitrate.ok_or_else(|| missing("bitrate"))?,
            defaults: merged.defaults.ok_or_else(|| missing("defaults"))?,
            nvr: merged.nvr.unwrap_or_default(),
            server: merged.server.ok_or_else(|| missing("server"))?,
            drive: merged.drive.ok_or_else(|| missing("drive"))?,
            vms: merged.vms.ok_or_else(|| missing("vms"))?,
            cloud: merged.cloud.unwrap_or_default(),
            switch: merged.switch.ok_or_else(|| missing("switch"))?,
            operating: merged.operating.ok_or_else(|| missing("operating"))?,
            platform: merged.platform.unwrap_or_default(),
            files: names,
        };
        catalog.check_identities(&identity_files)?;
        catalog.validate()?;
        Ok(catalog)
    }

    /// Every record's identity is consistent ([`identity_problem`]); the first problem is an
    /// error naming the file that gave the record's identity, the record and the field.
    fn check_identities(&self, files: &IdentityFiles) -> Result<(), InputError> {
        fn first<T: Identity>(
            items: &[T],
            sources: &BTreeMap<String, Source>,
        ) -> Option<(&'static str, String, &'static str, String)> {
            items.iter().find_map(|r| {
                identity_problem(r, sources)
                    .map(|(field, message)| (T::KIND, r.id().to_string(), field, message))
            })
        }
        let s = &self.sources;
        let found = first(&self.nvr, s)
            .or_else(|| first(&self.server, s))
            .or_else(|| first(&self.drive, s))
            .or_else(|| first(&self.switch, s));
        let Some((kind, id, field, message)) = found else {
            return Ok(());
        };
        let file = files
            .get(&(kind.to_string(), id.clone()))
            .or(self.files.last())
            .cloned()
            .unwrap_or_default();
        Err(InputError {
            file,
            line: None,
            column: None,
            field: Some(format!("{kind}[id = {id:?}].{field}")),
            message,
            hint: Some(
                "a country of origin (where the product was last substantially transformed) needs `origin-source`, a key of [sources] that states it; leave `origin` out when no source does, and the BOM leaves it for `check` to flag".into(),
            ),
        })
    }

    /// Checks what serde cannot: every record has provenance, every source id exists, ids are
    /// unique and numbers are in range. Each stage adds its problems; all are reported at once.
    fn validate(&self) -> Result<(), InputError> {
        let mut problems = Problems {
            sources: &self.sources,
            list: Vec::new(),
        };
        self.check_bitrate_provenance(&mut problems);
        self.check_defaults_provenance(&mut problems);
        self.check_operating(&mut problems);
        self.check_records_provenance(&mut problems);
        self.check_sources(&mut problems);
        self.check_unique_ids(&mut problems);
        self.check_equipment(&mut problems);
        self.check_default_ranges(&mut problems);
        self.check_licences(&mut problems);
        self.check_bitrate_curve(&mut problems);
        if problems.list.is_empty() {
            return Ok(());
        }
        Err(InputError {
            file: self.files.join(" + "),
            line: None,
            column: None,
            field: None,
            message: format!(
                "the catalog is inconsistent:\n  - {}",
                problems.list.join("\n  - ")
            ),
            hint: Some(
                "every record needs `source` (a key of [sources]) or an `assumption`".into(),
            ),
        })
    }

    fn check_bitrate_provenance(&self, p: &mut Problems) {
        let b = &self.bitrate;
        p.provenance("bitrate", Some(&b.source), &[], None);
        p.provenance(
            "bitrate.codec-factor",
            Some(&b.codec_factor.source),
            &[],
            None,
        );
        for f in [
            &b.codec_factor.h264,
            &b.codec_factor.h265,
            &b.codec_factor.h264_smart,
            &b.codec_factor.h265_smart,
        ] {
            if let Factor::Sourced { source, .. } = f {
                p.provenance("bitrate.codec-factor", Some(source), &[], None);
            }
        }
        for (name, t) in [
            ("scene-factor", &b.scene_factor),
            ("mjpeg-bytes-per-pixel", &b.mjpeg_bytes_per_pixel),
        ] {
            p.provenance(
                &format!("bitrate.{name}"),
                t.source.as_deref(),
                &[],
                t.assumption.as_deref(),
            );
        }
        p.provenance("bitrate.audio", Some(&b.audio.source), &[], None);
    }

    fn check_defaults_provenance(&self, p: &mut Problems) {
        macro_rules! defaults {
            ($($field:ident),*) => { $(
                let d = &self.defaults.$field;
                p.provenance(&format!("defaults.{}", stringify!($field).replace('_', "-")), d.source.as_deref(), &[], d.assumption.as_deref());
            )* };
        }
        defaults!(
            format_loss,
            fill_target,
            safety_margin,
            nvr_ingest_reserve,
            server_ingest_reserve,
            network_overhead,
            raid_max_group,
            raid,
            hot_spares,
            retention_days,
            failover_retention_days,
            growth_year,
            fps,
            horizon_years,
            nvr_refresh_years,
            cloud,
            link_utilization,
            viewing_clients,
            viewing_tiles,
            gop_seconds,
            h264_profile,
            h265_profile,
            recorder_nic,
            nvr_poe_port_speed,
            camera_user_env,
            camera_password_env
        );
    }

    /// Every operating figure has provenance and a value a site could have.
    fn check_operating(&self, p: &mut Problems) {
        for (name, f) in self.operating.figures() {
            p.provenance(
                &format!("operating.{name}"),
                f.source.as_deref(),
                &[],
                f.assumption.as_deref(),
            );
            let ceiling = match name {
                "drive-annual-failure-rate" => 1.0,
                "pue" => 5.0,
                _ => 1e9,
            };
            let floor = if name == "pue" { 1.0 } else { 0.0 };
            if !(floor..=ceiling).contains(&f.value) {
                p.push(format!(
                    "operating.{name}: {} is outside {floor}..={ceiling}",
                    f.value
                ));
            }
        }
    }

    fn check_records_provenance(&self, p: &mut Problems) {
        fn each<T: Provenanced>(items: &[T], p: &mut Problems) {
            for r in items {
                p.provenance(
                    &format!("{} {}", T::KIND, r.id()),
                    r.source(),
                    r.assumed(),
                    r.assumption(),
                );
            }
        }
        each(&self.nvr, p);
        each(&self.server, p);
        each(&self.drive, p);
        each(&self.vms, p);
        each(&self.switch, p);
        each(&self.platform, p);
        for c in &self.cloud {
            p.provenance(&format!("cloud {}", c.id), c.source.as_deref(), &[], None);
        }
    }

    fn check_sources(&self, p: &mut Problems) {
        for (id, s) in &self.sources {
            if s.url.is_none() && s.note.is_none() {
                p.push(format!(
                    "sources.{id}: has neither a url nor a note saying why not"
                ));
            }
        }
    }

    fn check_unique_ids(&self, p: &mut Problems) {
        let mut ids = BTreeSet::new();
        let all_ids = self
            .nvr
            .iter()
            .map(|n| &n.id)
            .chain(self.server.iter().map(|s| &s.id))
            .chain(self.switch.iter().map(|d| &d.id))
            .chain(self.drive.iter().map(|d| &d.id))
            .chain(self.vms.iter().map(|v| &v.id))
            .chain(self.platform.iter().map(|v| &v.id));
        for id in all_ids.chain(self.cloud.iter().map(|c| &c.id)) {
            if !ids.insert(id) {
                p.push(format!("id {id:?} is used twice"));
            }
        }
    }

    fn check_equipment(&self, p: &mut Problems) {
        for n in &self.nvr {
            if n.channels == 0 || n.incoming.bps() == 0 || n.bays == 0 || n.max_drive.get() == 0 {
                p.push(format!(
                    "nvr {}: channels, incoming, bays and max-drive must be above zero",
                    n.id
                ));
            }
            if n.raid.contains(&RaidLevel::None) {
                p.push(format!("nvr {}: list only RAID levels in `raid`; independent disks are always possible", n.id));
            }
            if n.refresh_years == Some(0) {
                p.push(format!("nvr {}: refresh-years must be above zero", n.id));
            }
        }
        for s in &self.server {
            if s.cameras == 0 || s.ingest.bps() == 0 || s.bays == 0 || s.refresh_years == 0 {
                p.push(format!(
                    "server {}: cameras, ingest, bays and refresh-years must be above zero",
                    s.id
                ));
            }
        }
        for sw in &self.switch {
            if sw.ports == 0 || sw.port_speed.bps() == 0 || sw.poe_ports > sw.ports {
                p.push(format!(
                    "switch {}: needs ports and a port speed, and no more PoE ports than ports",
                    sw.id
                ));
            }
            if !sw.core && sw.uplinks == 0 {
                p.push(format!(
                    "switch {}: an access switch needs at least one uplink",
                    sw.id
                ));
            }
        }
        if !self.switch.iter().any(|s| !s.core) || !self.switch.iter().any(|s| s.core) {
            p.push("the catalog needs at least one access switch and one core switch".into());
        }
        if self.drive.is_empty() {
            p.push("the catalog lists no drives".into());
        }
    }

    fn check_default_ranges(&self, p: &mut Problems) {
        let d = &self.defaults;
        for (name, v, lo, hi) in [
            ("format-loss", d.format_loss.value, 0.0, 0.9),
            ("fill-target", d.fill_target.value, 0.1, 1.0),
            ("safety-margin", d.safety_margin.value, 0.0, 5.0),
            ("nvr-ingest-reserve", d.nvr_ingest_reserve.value, 0.0, 0.9),
            (
                "server-ingest-reserve",
                d.server_ingest_reserve.value,
                0.0,
                0.9,
            ),
            ("network-overhead", d.network_overhead.value, 0.0, 1.0),
            ("link-utilization", d.link_utilization.value, 0.1, 1.0),
            ("gop-seconds", d.gop_seconds.value, 0.1, 60.0),
        ] {
            if !(lo..=hi).contains(&v) {
                p.push(format!("defaults.{name}: {v} is outside {lo}..={hi}"));
            }
        }
        if !self.cloud.iter().any(|c| c.id == d.cloud.value) {
            p.push(format!(
                "defaults.cloud: {:?} is not a [[cloud]] id",
                d.cloud.value
            ));
        }
        if d.nvr_refresh_years.value == 0 {
            p.push("defaults.nvr-refresh-years must be above zero".into());
        }
        if !(1..=30).contains(&d.growth_year.value) {
            p.push(format!(
                "defaults.growth-year: {} is outside 1..=30",
                d.growth_year.value
            ));
        }
        if !(1..=3650).contains(&d.failover_retention_days.value) {
            p.push(format!(
                "defaults.failover-retention-days: {} is outside 1..=3650",
                d.failover_retention_days.value
            ));
        }
    }

    /// Products name platform items that exist; cloud tiers are usable.
    fn check_licences(&self, p: &mut Problems) {
        for v in &self.vms {
            for id in &v.platform {
                if !self.platform.iter().any(|pl| &pl.id == id) {
                    p.push(format!(
                        "vms {}: platform {id:?} is not a [[platform]] id",
                        v.id
                    ));
                }
            }
        }
        for c in &self.cloud {
            for t in &c.tiers {
                if t.retention_days == 0 || t.max_megapixels <= 0.0 || t.per_camera_year < 0.0 {
                    p.push(format!(
                        "cloud {}: a tier needs retention-days and max-megapixels above zero and a price",
                        c.id
                    ));
                }
            }
        }
    }

    fn check_bitrate_curve(&self, p: &mut Problems) {
        let b = &self.bitrate;
        let mut last = 0.0;
        for point in &b.curve {
            if point.megapixels <= last || point.kbps <= 0.0 {
                p.push(
                    "bitrate.curve: points must have rising megapixels and positive kbps".into(),
                );
                break;
            }
            last = point.megapixels;
        }
        if b.curve.is_empty() || b.reference_fps <= 0.0 {
            p.push(
                "bitrate: the curve must have points and reference-fps must be above zero".into(),
            );
        }
    }

    /// The bitrate model built from `[bitrate]`.
    pub fn bitrate_model(&self) -> BitrateModel {
        let b = &self.bitrate;
        let scene = |t: &SceneTable| PerScene {
            low: t.low,
            medium: t.medium,
            high: t.high,
        };
        BitrateModel {
            reference_fps: b.reference_fps,
            fps_exponent: b.fps_exponent,
            curve: b.curve.iter().map(|p| (p.megapixels, p.kbps)).collect(),
            codec_factor: CodecFactors {
                h264: b.codec_factor.h264.value(),
                h265: b.codec_factor.h265.value(),
                h264_smart: b.codec_factor.h264_smart.value(),
                h265_smart: b.codec_factor.h265_smart.value(),
            },
            scene_factor: scene(&b.scene_factor),
            mjpeg_bytes_per_pixel: scene(&b.mjpeg_bytes_per_pixel),
        }
    }

    /// Headroom policy from the defaults.
    pub fn default_headroom(&self) -> HeadroomPolicy {
        let d = &self.defaults;
        HeadroomPolicy {
            format_loss: d.format_loss.value,
            fill_target: d.fill_target.value,
            safety_margin: d.safety_margin.value,
        }
    }

    /// A VMS product by id.
    pub fn vms_product(&self, id: &str) -> Option<&VmsProduct> {
        self.vms.iter().find(|v| v.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_catalog_is_consistent() {
        let c = Catalog::embedded().unwrap();
        assert!(c.nvr.len() >= 8 && c.server.len() >= 3 && c.vms.len() >= 5);
        assert_eq!(c.currency, "USD");
    }

    #[test]
    fn overlay_adds_a_record_by_a_new_id() {
        let overlay = r#"
[[drive]]
id = "quote-8tb"
size = "8TB"
price = 150.0
assumption = "distributor quote 2026-11"
assumed = ["price"]
"#;
        let shipped = Catalog::embedded().unwrap().drive.len();
        let c = Catalog::with_overlay("quote.toml", overlay).unwrap();
        assert_eq!(c.drive.len(), shipped + 1);
        assert!(c.drive.iter().any(|d| d.id == "quote-8tb"));
    }

    #[test]
    fn overlay_replaces_a_section_whole_when_it_says_so() {
        let overlay = r#"
replace = ["drive"]

[[drive]]
id = "quote-8tb"
size = "8TB"
price = 150.0
assumption = "distributor quote 2026-11"
assumed = ["price"]
"#;
        let c = Catalog::with_overlay("quote.toml", overlay).unwrap();
        assert_eq!(c.drive.len(), 1);
        assert_eq!(c.drive[0].size, Bytes::from_tb(8));
        assert!(c.nvr.len() >= 8, "other sections stay");
    }

    #[test]
    fn a_record_without_provenance_is_rejected() {
        let overlay = "[[drive]]\nid = \"x\"\nsize = \"8TB\"\nprice = 1.0\n";
        let e = Catalog::with_overlay("quote.toml", overlay).unwrap_err();
        assert!(
            e.message
                .contains("drive x: has neither a source nor an assumption"),
            "{e}"
        );
    }

    #[test]
    fn an_unknown_source_is_rejected() {
        let overlay = "[[drive]]\nid = \"x\"\nsize = \"8TB\"\nprice = 1.0\nsource = \"nowhere\"\n";
        let e = Catalog::with_overlay("quote.toml", overlay).unwrap_err();
        assert!(
            e.message.contains("source \"nowhere\" is not in [sources]"),
            "{e}"
        );
    }

    #[test]
    fn an_origin_needs_its_source_and_a_named_product() {
        let server = |fields: &str| format!("[[server]]\nid = \"storage-4u-128\"\n{fields}");
        for (fields, field, says) in [
            (
                "maker = \"N\"\nmodel = \"M\"\norigin = \"Germany\"\n",
                "origin-source",
                "without `origin-source`",
            ),
            (
                "maker = \"N\"\nmodel = \"M\"\norigin = \"Germany\"\norigin-source = \"nowhere\"\n",
                "origin-source",
                "source \"nowhere\" is not in [sources]",
            ),
            (
                "origin = \"Germany\"\norigin-source = \"genetec-mgw\"\n",
                "model",
                "generic class",
            ),
            (
                "maker = \"N\"\norigin-source = \"genetec-mgw\"\n",
                "origin",
                "without `origin`",
            ),
            (
                "model = \"M\"\nassumption = \"quoted\"\n",
                "maker",
                "without `maker`",
            ),
        ] {
            let e = Catalog::with_overlay("quote.toml", &server(fields)).unwrap_err();
            assert_eq!(e.file, "quote.toml", "{e}");
            assert_eq!(
                e.field.as_deref(),
                Some(format!("server[id = \"storage-4u-128\"].{field}").as_str()),
                "{e}"
            );
            assert!(e.message.contains(says), "{e}");
        }
        let named = server(
            "maker = \"N\"\nmodel = \"M\"\norigin = \"Germany\"\norigin-source = \"genetec-mgw\"\nassumption = \"the quote names the model\"\n",
        );
        let c = Catalog::with_overlay("quote.toml", &named).unwrap();
        let s = c.server.iter().find(|s| s.id == "storage-4u-128").unwrap();
        assert_eq!(
            (s.maker.as_deref(), s.model.as_deref(), s.origin.as_deref()),
            (Some("N"), Some("M"), Some("Germany"))
        );
    }

    #[test]
    fn the_shipped_catalog_states_no_origin_no_source_gives() {
        let c = Catalog::embedded().unwrap();
        assert!(c.nvr.iter().all(|n| n.origin.is_none()));
        assert!(c.server.iter().all(|s| s.origin.is_none()));
        assert!(c.drive.iter().all(|d| d.origin.is_none()));
        assert!(c.switch.iter().all(|s| s.origin.is_none()));
    }

    #[test]
    fn licence_cost_follows_the_model() {
        let c = Catalog::embedded().unwrap();
        let milestone = c.vms_product("milestone-xprotect-corporate").unwrap();
        assert_eq!(milestone.licence_cost(10, 1), Some(3342.0 + 3290.0));
        let core = c.vms_product("avigilon-acc-core").unwrap();
        assert_eq!(core.licence_cost(17, 1), None, "edition cap");
    }
}
