//! The design a plan proposes: camera groups sized, recorders (NVR appliances or recording
//! servers) per site with their drives and RAID layout, and the two options built from them.
//! The plan's stages fill these in; the cost model, the deployment and the reports read them.

use serde::Serialize;

use crate::money::Money;

/// One camera group, sized.
#[derive(Debug, Clone, Serialize)]
pub struct GroupPlan {
    /// Site name.
    pub site: String,
    /// Group name.
    pub name: String,
    /// Cameras in the group at one copy of the site.
    pub count: u32,
    /// Cameras in the group across all copies of the site.
    pub total_count: u64,
    /// Resolution as written.
    pub resolution: String,
    /// Codec.
    pub codec: String,
    /// Frames per second.
    pub fps: f64,
    /// Main-stream bitrate per camera, bit/s.
    pub main_bps: u64,
    /// "measured" when the site file gave it, "model" when estimated.
    pub bitrate_from: BitrateFrom,
    /// Sub-stream bitrate per camera, bit/s (0 when none).
    pub sub_bps: u64,
    /// Audio + container bitrate per camera, bit/s (0 without audio).
    pub audio_bps: u64,
    /// What a recorder receives per camera, bit/s.
    pub ingest_bps: u64,
    /// What is written to disk while recording, bit/s.
    pub recorded_bps: u64,
    /// Recording mode, described.
    pub recording: String,
    /// Seconds recorded per day.
    pub recorded_seconds_per_day: u64,
    /// Retention in days.
    pub retention_days: u32,
    /// Bytes one camera keeps at full retention.
    pub bytes_per_camera: u64,
    /// Bytes the whole group keeps, all copies.
    pub bytes_total: u64,
    /// PoE per camera, milliwatts.
    pub poe_mw: u64,
}

/// A recorder unit (NVR appliance or recording server) in a plan.
#[derive(Debug, Clone, Serialize)]
pub struct RecorderUnit {
    /// Catalog id of the model.
    pub model_id: String,
    /// Model name as shown to people.
    pub model: String,
    /// Cameras assigned.
    pub cameras: u32,
    /// Camera ceiling (channels or cameras per server).
    pub camera_limit: u32,
    /// Ingest of the assigned cameras, bit/s.
    pub ingest_bps: u64,
    /// Ingest ceiling after the reserve, bit/s.
    pub ingest_limit_bps: u64,
    /// Ingest ceiling as the datasheet gives it, bit/s.
    pub ingest_rated_bps: u64,
    /// What the cameras that reach the unit through the network (not its own PoE ports) put on
    /// its network link, protocol overhead included, bit/s: the load `generate` routes over the
    /// link from the site's core to the unit.
    pub link_bps: u64,
    /// The unit's link ceiling: the recorder NIC at the link utilisation limit, bit/s.
    pub link_limit_bps: u64,
    /// Bytes the assigned cameras keep at full retention.
    pub recorded_bytes: u64,
    /// Usable marked capacity needed with headroom.
    pub capacity_needed_bytes: u64,
    /// Drive layout chosen.
    pub layout: String,
    /// Drives installed.
    pub drives: u32,
    /// Marked size of each drive, bytes.
    pub drive_size_bytes: u64,
    /// Usable marked capacity of the layout.
    pub usable_bytes: u64,
    /// Largest usable capacity the unit could take (all bays, largest allowed drive).
    pub max_usable_bytes: u64,
    /// PoE drawn from the unit's own ports, milliwatts.
    pub poe_used_mw: u64,
    /// PoE budget left for cameras after drives, milliwatts.
    pub poe_budget_mw: u64,
    /// Cameras powered by the unit's own ports.
    pub poe_powered: u32,
    /// Cameras that need PoE from a switch instead.
    pub external_poe: u32,
    /// Unit price, drives excluded.
    #[serde(serialize_with = "crate::money::f64_as_money")]
    pub unit_price: f64,
    /// Price of the drives.
    #[serde(serialize_with = "crate::money::f64_as_money")]
    pub drives_price: f64,
    /// Whether this unit stands by for another (failover).
    pub failover: bool,
    /// When growth is sized now: the load the unit was designed for, the expected cameras
    /// included (its own loads above are today's cameras').
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sized_for: Option<SizedFor>,
    /// For a failover unit, what it is sized to take over; `None` for the others.
    pub covers: Option<Covers>,
    /// The site's cameras on this unit, as positions in the site's camera list (groups in file
    /// order, cameras in order within a group).
    #[serde(skip)]
    pub camera_slots: Vec<usize>,
    /// The cameras among them powered by the unit's own PoE ports.
    #[serde(skip)]
    pub poe_slots: Vec<usize>,
}

/// What a failover server is sized to take over when one of the servers it stands by for fails:
/// the largest of each load among them (cameras, ingest, link load, storage), so it holds any one
/// of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Covers {
    /// The failover pool it serves, when sites share it.
    pub pool: Option<String>,
    /// The sites whose servers it stands by for (one, unless a pool shares it).
    pub sites: Vec<String>,
    /// How many servers it stands by for (at one copy of its site).
    pub servers: u32,
    /// With `redundancy = "failover"`, the one server it pairs with, numbered at its site as
    /// the deployment numbers them (`server-3`); `None` when it stands by for every server of
    /// `sites`.
    pub server: Option<u32>,
    /// The most cameras any one of them records.
    pub cameras: u32,
    /// The most ingest of any one of them, bit/s.
    pub ingest_bps: u64,
    /// The most any one of them puts on its network link, protocol overhead included, bit/s:
    /// what this unit's link carries once it takes over.
    pub link_bps: u64,
    /// Days it keeps a failed server's recordings (a camera's own retention where shorter).
    pub retention_days: u32,
    /// The most bytes it records for one of them over those days.
    pub recorded_bytes: u64,
}

impl RecorderUnit {
    /// Unit plus drives.
    pub fn price(&self) -> f64 {
        self.unit_price + self.drives_price
    }
}

/// The load a recorder was designed for when growth is sized now.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct SizedFor {
    /// Cameras, the expected ones included.
    pub cameras: u32,
    /// Their ingest, bit/s.
    pub ingest_bps: u64,
    /// Their load on the unit's link, protocol overhead included, bit/s.
    pub link_bps: u64,
    /// Usable capacity they need with headroom, bytes.
    pub capacity_needed_bytes: u64,
}

/// The recorders for one site (all copies alike).
#[derive(Debug, Clone, Serialize)]
pub struct SiteRecorders {
    /// Site name.
    pub site: String,
    /// Identical copies.
    pub copies: u32,
    /// Cameras at one copy that these recorders record: the site's own and those of the sites
    /// recording here (`recorded_here`); for a site that records elsewhere, its own.
    pub cameras: u32,
    /// Units at one copy (none when the site records elsewhere).
    pub units: Vec<RecorderUnit>,
    /// Network load of the streams these recorders receive (or, for a site that records
    /// elsewhere, that leave it) including protocol overhead, bit/s, one copy.
    pub network_bps: u64,
    /// Central recording: the site whose recorders record this site's cameras over a WAN link;
    /// absent when the site records on its own recorders.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub records_at: Option<String>,
    /// Central recording: each copy of another site whose cameras these recorders record too;
    /// absent when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub recorded_here: Vec<RecordedHere>,
}

/// One copy of a site recorded at another site's recorders (central recording), and where its
/// cameras are among the positions the recorders' `camera_slots` use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordedHere {
    /// The site recording here.
    pub site: String,
    /// Which copy of it (1-based).
    pub copy: u32,
    /// Its cameras.
    pub cameras: u32,
    /// The site's position in the site file.
    #[serde(skip)]
    pub site_index: usize,
    /// The position of its first camera among the recorders' camera slots: its camera `k` (as
    /// that site numbers them) is slot `first_slot + k`.
    #[serde(skip)]
    pub first_slot: usize,
    /// The slots it spans (its cameras in the design, which may be more than today's).
    #[serde(skip)]
    pub slots: usize,
}

/// Central recording: what one site that records at another site's recorders needs of its WAN
/// link, per copy.
#[derive(Debug, Clone, Serialize)]
pub struct WanLink {
    /// The site that records elsewhere.
    pub site: String,
    /// The site whose recorders record it.
    pub records_at: String,
    /// Its copies, each with a WAN link of its own.
    pub copies: u32,
    /// Cameras at one copy.
    pub cameras: u32,
    /// What its recorders would receive from one copy (the cameras' ingest), bit/s.
    pub ingest_bps: u64,
    /// That ingest on the wire, protocol overhead included: the WAN uplink's load, bit/s.
    pub wire_bps: u64,
    /// The link utilisation ceiling the plan keeps links under, a fraction.
    pub utilization: f64,
    /// The WAN uplink capacity one copy needs: the load at the utilisation ceiling, bit/s.
    pub needed_bps: u64,
    /// The capacity the site file gives (`wan-uplink`), bit/s; `null` when it gives none.
    pub uplink_bps: Option<u64>,
    /// Whether the given capacity carries the load under the ceiling; `null` without one.
    pub fits: Option<bool>,
    /// When the site file's growth adds cameras to the site: the same figures after the
    /// growth; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grown: Option<GrownWan>,
    /// The figure in words, as the plan states it.
    pub text: String,
}

/// Central recording seen from the recording site: what it takes in over the WAN from all
/// the site copies recording there, and the capacity its own WAN link needs for that.
#[derive(Debug, Clone, Serialize)]
pub struct WanIntake {
    /// The site whose recorders record the others.
    pub site: String,
    /// The site copies recording there.
    pub copies: u32,
    /// Their cameras, all copies together.
    pub cameras: u32,
    /// Their streams on the wire, protocol overhead included, bit/s.
    pub wire_bps: u64,
    /// The capacity the recording site's WAN link needs for them under the utilisation
    /// ceiling, bit/s (its own internet traffic and live view from elsewhere not included).
    pub needed_bps: u64,
    /// The same after the growth the site file expects, when it adds cameras to a site
    /// recording there; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grown: Option<GrownIntake>,
    /// The figure in words, as the plan states it.
    pub text: String,
}

/// A recording site's WAN intake after the growth.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct GrownIntake {
    /// Cameras recording there after the growth, all copies together.
    pub cameras: u32,
    /// Their streams on the wire, bit/s.
    pub wire_bps: u64,
    /// The capacity they need under the ceiling, bit/s.
    pub needed_bps: u64,
}

/// A site's WAN uplink need after the growth the site file expects.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct GrownWan {
    /// Cameras at one copy after the growth.
    pub cameras: u32,
    /// Their streams with the protocol overhead, bit/s.
    pub wire_bps: u64,
    /// The capacity they need under the utilisation ceiling, bit/s.
    pub needed_bps: u64,
    /// Whether the site file's `wan-uplink` carries them; `null` without one.
    pub fits: Option<bool>,
}

impl WanLink {
    /// The link as the plan's findings name it.
    pub fn element(&self) -> String {
        format!("{} → {} WAN uplink", self.site, self.records_at)
    }

    /// What the link is bought for, per copy: cameras, their streams on the wire and the
    /// capacity they need; the grown figures when the growth is bought now (`grows_now`),
    /// today's otherwise. The proposal states it and `generate` deploys it.
    pub fn as_bought(&self, grows_now: bool) -> (u32, u64, u64) {
        match (&self.grown, grows_now) {
            (Some(g), true) => (g.cameras, g.wire_bps, g.needed_bps.max(self.needed_bps)),
            _ => (self.cameras, self.wire_bps, self.needed_bps),
        }
    }

    /// Whether the site file's `wan-uplink` is too small, today or after the growth.
    pub fn too_small(&self) -> bool {
        self.fits == Some(false) || self.grown.is_some_and(|g| g.fits == Some(false))
    }
}

impl PoolLink {
    /// The link as the plan's findings name it.
    pub fn element(&self) -> String {
        format!(
            "{} → {} link (failover pool {:?})",
            self.site, self.host, self.pool
        )
    }
}

impl SiteRecorders {
    /// Price of one copy's units and drives.
    pub fn price_per_copy(&self) -> f64 {
        self.units.iter().map(RecorderUnit::price).sum()
    }
}

pub use manifest::{Ceiling, Unit, Violation};

/// The NVR appliance option.
#[derive(Debug, Clone, Serialize)]
pub struct NvrOption {
    /// Whether every site could be equipped.
    pub feasible: bool,
    /// Why not, when it could not.
    pub problem: Option<String>,
    /// Per site.
    pub sites: Vec<SiteRecorders>,
    /// NVR units in total.
    pub units: u64,
    /// Purchase price of units and drives (`null` when the option cannot be built).
    pub capex: Option<Money>,
    /// Replacement cycle in years.
    pub refresh_years: u32,
    /// Models excluded by the Section 889 requirement.
    pub excluded_889: Vec<String>,
    /// Ceilings broken by equipment the site file fixes.
    pub violations: Vec<Violation>,
    /// Per site, how the cameras' brand chose the appliances' maker (or why it did not).
    pub brand_notes: Vec<String>,
}

/// The VMS option.
#[derive(Debug, Clone, Serialize)]
pub struct VmsOption {
    /// Whether servers could be planned for every site.
    pub feasible: bool,
    /// Why not.
    pub problem: Option<String>,
    /// Chosen product id.
    pub product_id: String,
    /// Chosen product name.
    pub product: String,
    /// Why this product.
    pub product_reason: String,
    /// Per site.
    pub sites: Vec<SiteRecorders>,
    /// Recording servers in total, failover included.
    pub servers: u64,
    /// Failover servers among them.
    pub failover_servers: u64,
    /// Licensed channels.
    pub channels: u64,
    /// Licence price (`null` when the option cannot be built).
    pub licence: Option<Money>,
    /// Care per year once billed (`null` when the option cannot be built).
    pub care_per_year: Option<Money>,
    /// First year care is billed (2 when the licence includes the first year).
    pub care_from_year: u32,
    /// OS, database and management server bought with the servers.
    pub platform: Option<Money>,
    /// Servers and drives (`null` when the option cannot be built).
    pub hardware: Option<Money>,
    /// Server replacement cycle in years.
    pub refresh_years: u32,
    /// Every eligible product, cheapest first.
    pub alternatives: Vec<VmsAlternative>,
    /// How the failover servers were placed: each failover pool's shared server and what a
    /// building's failure puts on the campus network, or why a pool had no effect.
    pub failover_notes: Vec<String>,
    /// Each failover pool's links from its other sites to the site of its shared failover
    /// server, with what crosses them when a server there fails; absent without pools.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pool_links: Vec<PoolLink>,
    /// Ceilings broken by equipment the site file fixes.
    pub violations: Vec<Violation>,
}

/// A failover pool's link from one of its sites to the site of the pool's failover server: it
/// carries nothing until a server at that site fails, then that server's streams.
#[derive(Debug, Clone, Serialize)]
pub struct PoolLink {
    /// The failover pool.
    pub pool: String,
    /// The site the link leaves.
    pub site: String,
    /// The site of the failover server.
    pub host: String,
    /// What crosses it when the site's busiest server fails: that server's streams with the
    /// protocol overhead, bit/s.
    pub load_bps: u64,
    /// The link utilisation ceiling, a fraction.
    pub utilization: f64,
    /// The capacity that load needs under the ceiling, bit/s.
    pub needed_bps: u64,
    /// The capacity the site file gives (`wan-uplink` on the site), bit/s; `null` without one.
    pub uplink_bps: Option<u64>,
    /// Whether the given capacity carries the load; `null` without one.
    pub fits: Option<bool>,
}

/// A VMS licence alternative.
#[derive(Debug, Clone, Serialize)]
pub struct VmsAlternative {
    /// Catalog id.
    pub id: String,
    /// Product name.
    pub name: String,
    /// Licence price.
    pub licence: Money,
    /// Care per year, once billed.
    pub care_per_year: Money,
    /// First year care is billed (2 when the licence includes the first year).
    pub care_from_year: u32,
    /// Platform software and hardware bought with the first servers.
    pub platform: Money,
    /// Total over the horizon: servers, licences, care and platform (operating costs are the
    /// same for every VMS product and left out of this ranking).
    pub total: Money,
}

/// Where a camera group's bitrate came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BitrateFrom {
    /// The site file gives a measured bitrate.
    Measured,
    /// The catalog's bitrate model estimated it.
    Model,
}

impl BitrateFrom {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            BitrateFrom::Measured => "measured",
            BitrateFrom::Model => "model",
        }
    }
}
