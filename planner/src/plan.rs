//! From a site file and a catalog to a plan: both options, their cost over the years, and a
//! recommendation with every reason that fired.
//!
//! The NVR option is the cheapest set of appliances per site that respects every ceiling
//! (channels, incoming bandwidth after its reserve, bays × largest drive, PoE); sites never share
//! an appliance. The VMS option is recording servers per site (cameras and ingest per server, plus
//! failover when asked), licences, storage and care. Both are costed per year over the horizon.
//! The recommendation follows the decision questions, not the price: each answer that needs what
//! only a VMS offers is a reason, any one reason recommends a VMS, none recommends an NVR.
//!
//! This module is pure: no I/O, so plans are easy to test and to benchmark.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use sizing::raid::RaidLayout;
use sizing::storage::{HeadroomPolicy, recorded_bytes};
use sizing::{Bitrate, Bytes, RaidLevel, Watts, ingest};

use crate::catalog::{Catalog, DriveModel, NvrModel, ServerModel};
use crate::cost::{self, Costs};
pub use crate::cost::{CloudContext, Crossover, YearCost};
pub use crate::design::VmsAlternative;
use crate::figures::{Basis, FigureUsed, FiguresUsed, number};
use crate::growth::{self, GrownSite, GrowthPlan, OptionStep};
use crate::input::{InputError, input_error};
use crate::money::Money;
use crate::site::{Analytics, DriveSize, GrowthSizing, Redundancy, SiteFile};

pub use crate::design::{
    BitrateFrom, Covers, GroupPlan, GrownIntake, GrownWan, NvrOption, PoolLink, RecordedHere,
    RecorderUnit, SiteRecorders, VmsOption, WanIntake, WanLink,
};
pub use manifest::{Ceiling, Unit, Violation};

/// A reason that points to a VMS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// Stable code.
    pub code: &'static str,
    /// Plain words.
    pub text: String,
}

/// What the recommendation chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Choice {
    /// NVR appliances.
    Nvr,
    /// A VMS.
    Vms,
}

impl Choice {
    /// "nvr" or "vms".
    pub fn as_str(self) -> &'static str {
        match self {
            Choice::Nvr => "nvr",
            Choice::Vms => "vms",
        }
    }
}

impl std::fmt::Display for Choice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The recommendation.
#[derive(Debug, Clone, Serialize)]
pub struct Recommendation {
    /// NVR appliances or a VMS.
    pub choice: Choice,
    /// Every reason that fired (empty for an NVR).
    pub reasons: Vec<Reason>,
    /// One-sentence summary.
    pub summary: String,
    /// Why the recommendation stands when the money points the other way, or why the options
    /// are not compared on cost; `null` when the money agrees.
    pub cost_note: Option<String>,
}

/// Totals across the project.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Sites, copies included.
    pub sites: u64,
    /// Cameras, copies included.
    pub cameras: u64,
    /// Expected cameras within 36 months.
    pub cameras_in_36_months: u64,
    /// Sum of every recorder's ingest, bit/s.
    pub ingest_bps: u64,
    /// Bytes written per day.
    pub bytes_per_day: u64,
    /// Bytes kept at full retention.
    pub recorded_bytes: u64,
    /// Usable capacity needed with headroom.
    pub capacity_needed_bytes: u64,
    /// PoE draw of all cameras, milliwatts.
    pub poe_mw: u64,
}

/// Storage policy in force, after defaults.
#[derive(Debug, Clone, Serialize)]
pub struct StorageInForce {
    /// RAID level.
    pub raid: RaidLevel,
    /// Hot spares per recorder.
    pub hot_spares: u32,
    /// Fixed drive size, bytes, or none to choose.
    pub drive_size_bytes: Option<u64>,
    /// Headroom.
    pub headroom: HeadroomPolicy,
    /// Widest RAID 5/6 group.
    pub raid_max_group: u32,
}

/// The plan.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// Project name.
    pub project: String,
    /// The proposal's details from `[project]` (customer, prepared by, reference, date,
    /// validity); absent when the site file gives none.
    #[serde(skip_serializing_if = "crate::site::ProposalDetails::is_empty")]
    pub proposal: crate::site::ProposalDetails,
    /// Currency of every figure.
    pub currency: String,
    /// Years costed.
    pub horizon_years: u32,
    /// Catalog files used.
    pub catalog: Vec<String>,
    /// Every catalog figure and default the plan used, with its entry and its source or
    /// assumption; figures the site file sets are marked as set there.
    pub figures_used: Vec<FigureUsed>,
    /// Storage policy in force.
    pub storage: StorageInForce,
    /// Totals.
    pub summary: Summary,
    /// Camera groups.
    pub groups: Vec<GroupPlan>,
    /// NVR option.
    pub nvr: NvrOption,
    /// VMS option.
    pub vms: VmsOption,
    /// Cloud context.
    pub cloud: Option<CloudContext>,
    /// Cost per year.
    pub tco: Vec<YearCost>,
    /// Where the options cross.
    pub crossover: Option<Crossover>,
    /// Operating costs, the drivers of the difference and the comparison in words.
    pub costs: Costs,
    /// The recommendation.
    pub recommendation: Recommendation,
    /// Section 889 across the cameras the site file names (when the site requires it).
    pub section_889: crate::screen::Screening,
    /// The TAA across the cameras the site file names and the catalog products the plan picks
    /// (shown when the site requires it).
    #[serde(skip_serializing_if = "crate::screen::Screening::not_required")]
    pub taa: crate::screen::Screening,
    /// The growth the site file expects and how it was sized (`null` when it expects none).
    pub growth: Option<growth::GrowthPlan>,
    /// Central recording: per site that records at another site's recorders, the WAN uplink
    /// each copy needs; absent when every site records on its own recorders.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub central_recording: Vec<WanLink>,
    /// Central recording per recording site: what it takes in over the WAN from the sites
    /// recording there; absent when every site records on its own recorders.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub central_intake: Vec<WanIntake>,
    /// What the costs leave out.
    pub excluded_costs: &'static str,
}

/// A camera as the packer sees it.
#[derive(Debug, Clone, Copy)]
struct Item {
    slot: usize,
    ingest: u64,
    /// `ingest` on the wire (protocol overhead included).
    wire: u64,
    bytes: u64,
    /// Bytes recorded a day, and the days `bytes` keeps.
    per_day: u64,
    days: u32,
    poe_mw: u64,
}

impl Bin<'_> {
    /// What the model's own PoE ports can power.
    fn poe(&self) -> PoePorts {
        PoePorts {
            ports: self.poe_ports,
            per_port_mw: self.poe_per_port_mw,
            budget_mw: self.poe_budget_mw,
        }
    }
}

impl Item {
    /// The bytes this camera keeps over `days` (its own retention where shorter).
    fn kept_for(&self, days: u32) -> u64 {
        if days >= self.days {
            self.bytes
        } else {
            self.per_day.saturating_mul(u64::from(days))
        }
    }
}

/// A recorder model as the packer sees it.
#[derive(Debug, Clone)]
struct Bin<'a> {
    id: &'a str,
    name: String,
    price: f64,
    cameras: u32,
    ingest_rated: u64,
    ingest_limit: u64,
    link_limit: u64,
    bays: u32,
    max_drive: Bytes,
    /// Largest usable capacity packing may fill (all bays of the drive size being tried).
    max_usable: u64,
    /// Largest usable capacity the model can take at all (all bays, largest allowed drive).
    max_usable_any: u64,
    poe_ports: u32,
    poe_budget_mw: u64,
    poe_per_port_mw: u64,
}

/// Everything the packer needs to know about storage.
#[derive(Clone)]
struct StorageRules<'a> {
    level: RaidLevel,
    spares: u32,
    max_group: u32,
    headroom: HeadroomPolicy,
    drives: Vec<&'a DriveModel>,
    rate: f64,
}

impl StorageRules<'_> {
    fn drives_for(&self, max_drive: Bytes) -> impl Iterator<Item = &&DriveModel> {
        self.drives.iter().filter(move |d| d.size <= max_drive)
    }

    /// The largest usable capacity a unit with `bays` bays can have.
    fn max_usable(&self, bays: u32, max_drive: Bytes) -> u64 {
        self.drives_for(max_drive)
            .filter_map(|d| {
                RaidLayout::new(self.level, bays, self.spares, d.size, Some(self.max_group)).ok()
            })
            .map(|l| l.usable.get())
            .max()
            .unwrap_or(0)
    }

    /// The cheapest drive layout that holds `need` (usable, headroom included).
    fn cheapest_layout(
        &self,
        need: Bytes,
        bays: u32,
        max_drive: Bytes,
    ) -> Option<(RaidLayout, f64)> {
        self.drives_for(max_drive)
            .filter_map(|d| {
                RaidLayout::smallest_for(
                    self.level,
                    need,
                    d.size,
                    self.spares,
                    Some(self.max_group),
                    bays,
                )
                .map(|l| {
                    let price = f64::from(l.drives) * d.price * self.rate;
                    (l, price)
                })
            })
            .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.drives.cmp(&b.0.drives)))
    }
}

/// Contents of one unit during packing.
#[derive(Debug, Clone, Default)]
struct Load {
    cameras: u32,
    ingest: u64,
    wire: u64,
    bytes: u64,
    items: Vec<Item>,
}

impl Load {
    fn fits(&self, bin: &Bin, item: &Item, headroom: &HeadroomPolicy) -> bool {
        self.cameras < bin.cameras
            && self.ingest + item.ingest <= bin.ingest_limit
            && self.wire + item.wire <= bin.link_limit
            && headroom
                .capacity_needed(Bytes(self.bytes + item.bytes))
                .get()
                <= bin.max_usable
    }
    /// Whether the whole load fits a unit of `bin` (for moving it to a cheaper model).
    fn fits_in(&self, bin: &Bin, headroom: &HeadroomPolicy) -> bool {
        self.cameras <= bin.cameras
            && self.ingest <= bin.ingest_limit
            && self.wire <= bin.link_limit
            && headroom.capacity_needed(Bytes(self.bytes)).get() <= bin.max_usable
    }
    fn add(&mut self, item: Item) {
        self.cameras += 1;
        self.ingest += item.ingest;
        self.wire += item.wire;
        self.bytes += item.bytes;
        self.items.push(item);
    }
}

/// First-fit decreasing of `items` into units of `bin`. `None` if one camera alone exceeds the
/// model's ceilings.
fn pack(items: &[Item], bin: &Bin, headroom: &HeadroomPolicy) -> Option<Vec<Load>> {
    let mut loads: Vec<Load> = Vec::new();
    // Units before `open` have every channel taken: no camera fits them again.
    let mut open = 0;
    for item in items {
        while loads.get(open).is_some_and(|l| l.cameras >= bin.cameras) {
            open += 1;
        }
        match loads[open..]
            .iter_mut()
            .find(|l| l.fits(bin, item, headroom))
        {
            Some(l) => l.add(*item),
            None => {
                let mut l = Load::default();
                if !l.fits(bin, item, headroom) {
                    return None;
                }
                l.add(*item);
                loads.push(l);
            }
        }
    }
    Some(loads)
}

/// Turns a packed load into a costed unit on `bin`, or `None` if no drive layout fits.
fn realise(load: &Load, bin: &Bin, rules: &StorageRules, failover: bool) -> Option<RecorderUnit> {
    let need = rules.headroom.capacity_needed(Bytes(load.bytes));
    let (layout, drives_price) = rules.cheapest_layout(need, bin.bays, bin.max_drive)?;
    Some(unit_on(load, bin, need, &layout, drives_price, failover))
}

/// Like [`realise`] for equipment the site file fixes: when no drive layout meets the need, the
/// unit gets the biggest layout it can take and the shortfall is reported as a violation.
fn realise_fixed(load: &Load, bin: &Bin, rules: &StorageRules) -> RecorderUnit {
    if let Some(u) = realise(load, bin, rules, false) {
        return u;
    }
    let need = rules.headroom.capacity_needed(Bytes(load.bytes));
    let biggest = rules
        .drives_for(bin.max_drive)
        .filter_map(|d| {
            RaidLayout::new(
                rules.level,
                bin.bays,
                rules.spares,
                d.size,
                Some(rules.max_group),
            )
            .ok()
            .map(|l| (l, f64::from(bin.bays) * d.price * rules.rate))
        })
        .max_by_key(|(l, _)| l.usable);
    match biggest {
        Some((layout, price)) => unit_on(load, bin, need, &layout, price, false),
        None => {
            let mut u = unit_on(load, bin, need, &RaidLayout::empty(rules.level), 0.0, false);
            u.layout = format!("no {} layout fits {} bay(s)", rules.level, bin.bays);
            u
        }
    }
}

fn unit_on(
    load: &Load,
    bin: &Bin,
    need: Bytes,
    layout: &RaidLayout,
    drives_price: f64,
    failover: bool,
) -> RecorderUnit {
    let poe = poe_and_link(&load.items, bin.poe());
    RecorderUnit {
        model_id: bin.id.to_string(),
        model: bin.name.clone(),
        cameras: load.cameras,
        camera_limit: bin.cameras,
        ingest_bps: load.ingest,
        ingest_limit_bps: bin.ingest_limit,
        ingest_rated_bps: bin.ingest_rated,
        link_bps: poe.link_bps,
        link_limit_bps: bin.link_limit,
        recorded_bytes: load.bytes,
        capacity_needed_bytes: need.get(),
        layout: layout.describe(),
        drives: layout.drives,
        drive_size_bytes: layout.drive_size.get(),
        usable_bytes: layout.usable.get(),
        max_usable_bytes: bin.max_usable_any,
        poe_used_mw: poe.used_mw,
        poe_budget_mw: bin.poe_budget_mw,
        poe_powered: poe.slots.len() as u32,
        external_poe: poe.external,
        unit_price: bin.price,
        drives_price,
        failover,
        sized_for: None,
        covers: None,
        camera_slots: load.items.iter().map(|i| i.slot).collect(),
        poe_slots: poe.slots,
    }
}

/// What a unit's own PoE ports can power: how many ports, the most one port gives, and the
/// budget left for cameras, milliwatts.
#[derive(Debug, Clone, Copy, Default)]
struct PoePorts {
    ports: u32,
    per_port_mw: u64,
    budget_mw: u64,
}

/// The cameras a unit's own PoE ports power and what the rest put on its link.
struct PoeLink {
    /// Slots of the cameras on the unit's own ports.
    slots: Vec<usize>,
    /// PoE drawn from the unit, milliwatts.
    used_mw: u64,
    /// Cameras drawing PoE that the unit cannot power (a PoE switch powers them).
    external: u32,
    /// Wire load of the cameras not on the unit's own ports, bit/s.
    link_bps: u64,
}

/// The PoE-and-link stage of a unit: `items` take its own PoE ports, biggest draw first, while
/// ports, per-port limit and budget allow (the rest need a PoE switch); cameras on its ports
/// reach it directly, the rest come over its link.
fn poe_and_link(items: &[Item], ports: PoePorts) -> PoeLink {
    let mut draws: Vec<(u64, usize)> = items
        .iter()
        .filter(|i| i.poe_mw > 0)
        .map(|i| (i.poe_mw, i.slot))
        .collect();
    draws.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut used_mw = 0u64;
    let mut slots = Vec::new();
    for (w, slot) in &draws {
        if (slots.len() as u32) < ports.ports
            && *w <= ports.per_port_mw
            && used_mw + w <= ports.budget_mw
        {
            used_mw += w;
            slots.push(*slot);
        }
    }
    let on_ports: BTreeSet<usize> = slots.iter().copied().collect();
    let link_bps = items
        .iter()
        .filter(|i| !on_ports.contains(&i.slot))
        .map(|i| i.wire)
        .sum();
    PoeLink {
        external: (draws.len() - slots.len()) as u32,
        slots,
        used_mw,
        link_bps,
    }
}

/// The PoE an NVR model gives its cameras: its ports, the per-port limit (the whole budget
/// when the catalog gives none) and its budget less what its drives draw from it.
fn nvr_poe(m: &NvrModel) -> PoePorts {
    let drive_power = m.drive_power.map_or(0, Watts::milliwatts) * u64::from(m.bays);
    PoePorts {
        ports: m.poe_ports,
        per_port_mw: m.poe_per_port.unwrap_or(m.poe_budget).milliwatts(),
        budget_mw: m.poe_budget.milliwatts().saturating_sub(drive_power),
    }
}

/// Spreads `items` over `count` units of a fixed model, largest first onto the least-loaded
/// unit that still has a channel (or the least loaded of all, when every channel is taken).
fn fixed_units(items: &[Item], bin: &Bin, count: u32, rules: &StorageRules) -> Vec<RecorderUnit> {
    let mut loads: Vec<Load> = (0..count.max(1)).map(|_| Load::default()).collect();
    for item in items {
        let least = |free_only: bool| {
            loads
                .iter()
                .enumerate()
                .filter(|(_, l)| !free_only || l.cameras < bin.cameras)
                .min_by_key(|(_, l)| (l.ingest, l.cameras))
                .map(|(i, _)| i)
        };
        if let Some(i) = least(true).or_else(|| least(false)) {
            loads[i].add(*item);
        }
    }
    loads.iter().map(|l| realise_fixed(l, bin, rules)).collect()
}

/// Every ceiling `unit` breaks. Units camscope chooses never break one; fixed ones may.
pub fn unit_violations(element: &str, u: &RecorderUnit) -> Vec<Violation> {
    let mut v = Vec::new();
    let mut push = |ceiling, load: u64, limit: u64, unit, what: String| {
        if load > limit {
            v.push(Violation {
                element: element.to_string(),
                ceiling,
                load,
                limit,
                unit,
                message: format!("{element}: {what}"),
            });
        }
    };
    push(
        Ceiling::Channels,
        u64::from(u.cameras),
        u64::from(u.camera_limit),
        Unit::Cameras,
        format!("{} cameras on {} channels", u.cameras, u.camera_limit),
    );
    push(
        Ceiling::Ingest,
        u.ingest_bps,
        u.ingest_limit_bps,
        Unit::BitsPerSecond,
        format!(
            "ingest {} over its limit of {} ({} rated, less the reserve)",
            Bitrate(u.ingest_bps),
            Bitrate(u.ingest_limit_bps),
            Bitrate(u.ingest_rated_bps)
        ),
    );
    push(
        Ceiling::Link,
        u.link_bps,
        u.link_limit_bps,
        Unit::BitsPerSecond,
        format!(
            "its network link carries {}, over its limit of {}",
            Bitrate(u.link_bps),
            Bitrate(u.link_limit_bps)
        ),
    );
    push(
        Ceiling::Storage,
        u.capacity_needed_bytes,
        u.usable_bytes,
        Unit::Bytes,
        format!(
            "needs {} usable, its drives give {}",
            Bytes(u.capacity_needed_bytes),
            Bytes(u.usable_bytes)
        ),
    );
    push(
        Ceiling::Poe,
        u.poe_used_mw,
        u.poe_budget_mw,
        Unit::Milliwatts,
        format!(
            "PoE {} over its budget of {}",
            Watts(u.poe_used_mw),
            Watts(u.poe_budget_mw)
        ),
    );
    v
}

/// The design a designer would draw for one site from `bins`: the fewest recorders first, then
/// every drive of the site one size, then the lowest price. Each pair of a model and a drive
/// size is packed first-fit decreasing against the capacity of all the model's bays filled with
/// that drive; the cameras are then spread evenly over that many units, and each unit moves to
/// the cheapest model that holds its share with drives of the same size.
fn design_units(
    items: &[Item],
    bins: &[Bin],
    rules: &StorageRules,
) -> Result<Vec<RecorderUnit>, String> {
    let mut best: Option<(usize, f64, Vec<RecorderUnit>)> = None;
    for drive in &rules.drives {
        let sized = StorageRules {
            drives: vec![*drive],
            ..*rules
        };
        let sized_bins: Vec<Bin> = bins
            .iter()
            .filter(|b| drive.size <= b.max_drive)
            .map(|b| Bin {
                max_usable: sized.max_usable(b.bays, b.max_drive),
                ..b.clone()
            })
            .filter(|b| b.max_usable > 0)
            .collect();
        for bin in &sized_bins {
            let beaten = |count: usize| best.as_ref().is_some_and(|(n, _, _)| count > *n);
            if beaten(fewest_possible(items, bin, &sized.headroom)) {
                continue;
            }
            let Some(loads) = pack(items, bin, &sized.headroom) else {
                continue;
            };
            if beaten(loads.len()) {
                continue;
            }
            let loads = spread(items, bin, loads.len(), &sized.headroom).unwrap_or(loads);
            let Some(units) = cheapest_models(&loads, &sized_bins, &sized) else {
                continue;
            };
            let cost: f64 = units.iter().map(RecorderUnit::price).sum();
            let better = best
                .as_ref()
                .is_none_or(|(n, c, _)| units.len() < *n || (units.len() == *n && cost < *c));
            if better {
                best = Some((units.len(), cost, units));
            }
        }
    }
    best.map(|(_, _, u)| u).ok_or_else(|| {
        let biggest = items.iter().map(|i| i.ingest).max().unwrap_or(0);
        format!(
            "no model holds these cameras: the most demanding sends {} and every candidate is short of channels, ingest, network link or storage",
            Bitrate(biggest)
        )
    })
}

/// No packing onto units of `bin` can use fewer units than this: the cameras, ingest, link load
/// and storage of the whole site over one unit's ceilings.
fn fewest_possible(items: &[Item], bin: &Bin, headroom: &HeadroomPolicy) -> usize {
    let (ingest, wire, bytes) = items.iter().fold((0u64, 0u64, 0u64), |(a, b, c), i| {
        (a + i.ingest, b + i.wire, c + i.bytes)
    });
    let need = headroom.capacity_needed(Bytes(bytes)).get();
    let over = |total: u64, limit: u64| {
        if limit == 0 {
            usize::MAX
        } else {
            total.div_ceil(limit) as usize
        }
    };
    over(items.len() as u64, u64::from(bin.cameras))
        .max(over(ingest, bin.ingest_limit))
        .max(over(wire, bin.link_limit))
        .max(over(need, bin.max_usable))
}

/// The cameras spread over exactly `count` units of `bin`, each (largest first) onto the unit
/// holding the least storage that still takes it, so that units of one site carry like shares
/// rather than a full unit and a remainder. `None` when spreading needs more units.
fn spread(items: &[Item], bin: &Bin, count: usize, headroom: &HeadroomPolicy) -> Option<Vec<Load>> {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let mut loads: Vec<Load> = (0..count).map(|_| Load::default()).collect();
    let mut lightest: BinaryHeap<Reverse<(u64, u32, usize)>> =
        (0..count).map(|i| Reverse((0, 0, i))).collect();
    for item in items {
        let mut tried = Vec::new();
        let mut placed = None;
        while let Some(Reverse(top)) = lightest.pop() {
            let load = &loads[top.2];
            if load.fits(bin, item, headroom) {
                placed = Some(top.2);
                break;
            }
            // A unit with every channel taken never takes another camera.
            if load.cameras < bin.cameras {
                tried.push(top);
            }
        }
        lightest.extend(tried.into_iter().map(Reverse));
        let i = placed?;
        loads[i].add(*item);
        lightest.push(Reverse((loads[i].bytes, loads[i].cameras, i)));
    }
    Some(loads)
}

/// Each load on the cheapest model (unit and drives) among `bins` that holds it, or `None` if
/// one load fits none.
fn cheapest_models(
    loads: &[Load],
    bins: &[Bin],
    rules: &StorageRules,
) -> Option<Vec<RecorderUnit>> {
    loads
        .iter()
        .map(|load| {
            bins.iter()
                .filter(|b| load.fits_in(b, &rules.headroom))
                .filter_map(|b| realise(load, b, rules, false))
                .min_by(|a, b| a.price().total_cmp(&b.price()))
        })
        .collect()
}

/// What the packer needs from the plan's network rule: the overhead on every stream and the
/// load a recorder's link may carry.
#[derive(Debug, Clone, Copy)]
struct LinkRule {
    overhead: f64,
    recorder_limit: u64,
}

fn nvr_bin<'a>(
    m: &'a NvrModel,
    rules: &StorageRules,
    reserve: f64,
    rate: f64,
    link: LinkRule,
) -> Bin<'a> {
    let poe = nvr_poe(m);
    Bin {
        id: &m.id,
        name: format!("{} {}", m.maker, m.model),
        price: m.price * rate,
        cameras: m.channels,
        ingest_rated: m.incoming.bps(),
        ingest_limit: ingest::usable_ceiling(m.incoming, reserve).bps(),
        link_limit: link.recorder_limit,
        bays: m.bays,
        max_drive: m.max_drive,
        max_usable: rules.max_usable(m.bays, m.max_drive),
        max_usable_any: rules.max_usable(m.bays, m.max_drive),
        poe_ports: poe.ports,
        poe_budget_mw: poe.budget_mw,
        poe_per_port_mw: poe.per_port_mw,
    }
}

fn server_bin<'a>(
    s: &'a ServerModel,
    rules: &StorageRules,
    reserve: f64,
    rate: f64,
    link: LinkRule,
) -> Bin<'a> {
    Bin {
        id: &s.id,
        name: s.name.clone(),
        price: s.price * rate,
        cameras: s.cameras,
        ingest_rated: s.ingest.bps(),
        ingest_limit: ingest::usable_ceiling(s.ingest, reserve).bps(),
        link_limit: link.recorder_limit,
        bays: s.bays,
        max_drive: s.max_drive,
        max_usable: rules.max_usable(s.bays, s.max_drive),
        max_usable_any: rules.max_usable(s.bays, s.max_drive),
        poe_ports: 0,
        poe_budget_mw: 0,
        poe_per_port_mw: 0,
    }
}

/// The Section 889 and TAA screenings of the site's cameras (and, for the TAA, of the
/// `products` the plan picks) with the compiled-in compliance data.
fn screening(
    site: &SiteFile,
    products: &[crate::screen::PickedProduct],
) -> (crate::screen::Screening, crate::screen::Screening) {
    match compliance_data::Dataset::embedded() {
        Ok(ds) => (
            crate::screen::screen(site, &ds),
            crate::screen::screen_taa(site, &ds, products),
        ),
        Err(e) => {
            let failed = |required: bool, place: &str| crate::screen::Screening {
                required,
                data: "compliance data unavailable".into(),
                cleared: Vec::new(),
                findings: vec![crate::screen::ScreenFinding {
                    severity: crate::severity::Severity::Error,
                    code: "no-data".into(),
                    place: place.into(),
                    brand: None,
                    model: None,
                    message: format!("the compiled-in compliance data could not be read: {e}"),
                }],
            };
            (
                failed(site.requirements.section_889, "requirements.section-889"),
                failed(site.requirements.taa, "requirements.taa"),
            )
        }
    }
}

/// The catalog products the plan picks, as the TAA screening reads them: the NVR and server
/// models of both options and the drive of each size they fill (the cheapest of that size, as
/// the plan prices it), each once.
fn picked_products(
    catalog: &Catalog,
    nvr: &NvrOption,
    vms: &VmsOption,
) -> Vec<crate::screen::PickedProduct> {
    use crate::screen::PickedProduct;
    let units = || nvr.sites.iter().chain(&vms.sites).flat_map(|s| &s.units);
    let mut out: Vec<PickedProduct> = Vec::new();
    let mut push = |p: PickedProduct| {
        if !out.contains(&p) {
            out.push(p);
        }
    };
    for u in units() {
        if let Some(m) = catalog.nvr.iter().find(|m| m.id == u.model_id) {
            push(PickedProduct {
                what: format!("NVR {}", m.id),
                maker: Some(m.maker.clone()),
                model: Some(m.model.clone()),
                origin: m.origin.clone(),
            });
        } else if let Some(m) = catalog.server.iter().find(|m| m.id == u.model_id) {
            push(PickedProduct {
                what: format!("server {}", m.id),
                maker: m.maker.clone(),
                model: m.model.clone(),
                origin: m.origin.clone(),
            });
        }
    }
    let mut sizes: Vec<u64> = units()
        .filter(|u| u.drives > 0)
        .map(|u| u.drive_size_bytes)
        .collect();
    sizes.sort_unstable();
    sizes.dedup();
    for size in sizes {
        if let Some(d) = catalog
            .drive
            .iter()
            .filter(|d| d.size.get() == size)
            .min_by(|a, b| a.price.total_cmp(&b.price))
        {
            push(PickedProduct {
                what: format!("drive {}", d.id),
                maker: d.maker.clone(),
                model: d.model.clone(),
                origin: d.origin.clone(),
            });
        }
    }
    out
}

/// The currency of the plan's figures and the exchange rate from the catalog's currency.
fn currency_of(site: &SiteFile, catalog: &Catalog) -> Result<(String, f64), InputError> {
    let currency = site
        .project
        .currency
        .clone()
        .unwrap_or_else(|| catalog.currency.clone());
    let rate = if currency.eq_ignore_ascii_case(&catalog.currency) {
        1.0
    } else {
        site.project.exchange_rate.map(|r| r.0).ok_or_else(|| {
            input_error(
                "project.exchange-rate",
                format!(
                    "the catalog's prices are in {} but the project is in {currency}",
                    catalog.currency
                ),
                format!(
                    "add `exchange-rate = …` ({currency} per {}) to [project]",
                    catalog.currency
                ),
            )
        })?
    };
    Ok((currency, rate))
}

/// A figure the site file may set and the catalog defaults, noted where it came from.
fn site_or_default<T: Copy + std::fmt::Display>(
    used: &mut FiguresUsed,
    catalog: &Catalog,
    name: &str,
    given: Option<T>,
    default: &crate::catalog::Sourced<T>,
) -> T {
    match given {
        Some(v) => {
            set_in_site(used, name, v.to_string());
            v
        }
        None => {
            note_default(
                used,
                catalog,
                name,
                default.value.to_string(),
                &default.source,
                &default.assumption,
            );
            default.value
        }
    }
}

/// The drives the packer may use: every catalog drive, or the size the site file fixes.
fn drives_allowed<'a>(
    site: &SiteFile,
    catalog: &'a Catalog,
) -> Result<Vec<&'a DriveModel>, InputError> {
    match site.storage.drive_size {
        DriveSize::Choose => Ok(catalog.drive.iter().collect()),
        DriveSize::Fixed(size) => {
            let found: Vec<&DriveModel> =
                catalog.drive.iter().filter(|dm| dm.size == size).collect();
            if found.is_empty() {
                let sizes: Vec<String> = catalog
                    .drive
                    .iter()
                    .map(|dm| format!("{:.0}TB", dm.size.tb()))
                    .collect();
                return Err(input_error(
                    "storage.drive-size",
                    format!("the catalog has no {:.0} TB drive to price", size.tb()),
                    format!(
                        "use \"choose\" or one of {}, or add the drive with --catalog",
                        sizes.join(", ")
                    ),
                ));
            }
            Ok(found)
        }
    }
}

/// The storage policy in force: RAID level, spares, headroom and drives, from the site file or
/// the catalog's defaults.
fn storage_rules<'a>(
    site: &SiteFile,
    catalog: &'a Catalog,
    rate: f64,
    used: &mut FiguresUsed,
) -> Result<StorageRules<'a>, InputError> {
    let d = &catalog.defaults;
    let st = &site.storage;
    let level = site_or_default(used, catalog, "raid", st.raid.map(|r| r.0), &d.raid);
    let spares = site_or_default(
        used,
        catalog,
        "hot-spares",
        st.hot_spares.map(|s| s.0),
        &d.hot_spares,
    );
    let mut headroom = catalog.default_headroom();
    macro_rules! headroom_field {
        ($field:ident, $name:literal) => {
            match st.$field {
                Some(v) => {
                    headroom.$field = v.0;
                    set_in_site(used, $name, number(v.0));
                }
                None => note_default(
                    used,
                    catalog,
                    $name,
                    d.$field.value.to_string(),
                    &d.$field.source,
                    &d.$field.assumption,
                ),
            }
        };
    }
    headroom_field!(format_loss, "format-loss");
    headroom_field!(fill_target, "fill-target");
    headroom_field!(safety_margin, "safety-margin");
    Ok(StorageRules {
        level,
        spares,
        max_group: d.raid_max_group.value,
        headroom,
        drives: drives_allowed(site, catalog)?,
        rate,
    })
}

/// A site's position in the site file and its cameras as packer items.
type SiteItems = (usize, Vec<Item>);

/// Camera groups sized, and each site's cameras as packer items (largest first).
struct Sized {
    groups: Vec<GroupPlan>,
    /// Each site's own cameras.
    site_items: Vec<(usize, Vec<Item>)>,
    /// The cameras each site's recorders record (see [`recorded_items`]).
    recorded: Vec<(usize, Vec<Item>)>,
    /// Per site, the copies of other sites recorded at it.
    here: Vec<Vec<RecordedHere>>,
}

/// Central recording: each site's cameras as its recorders see them (its own, then each copy
/// of every site recording at it, in file order, numbered after its own, largest first) and
/// the copies recorded at each site. A site that records elsewhere records nothing itself.
fn recorded_items(
    site: &SiteFile,
    site_items: &[SiteItems],
) -> (Vec<SiteItems>, Vec<Vec<RecordedHere>>) {
    let mut recorded = Vec::new();
    let mut here_all = Vec::new();
    for (si, items) in site_items {
        let mut here = Vec::new();
        let mut all = Vec::new();
        if site.record_target(*si).is_none() {
            all.clone_from(items);
            let mut next = items.len();
            for sj in site.recorded_at(*si) {
                let (Some(s), Some((_, theirs))) = (site.sites.get(sj), site_items.get(sj)) else {
                    continue;
                };
                for copy in 1..=s.copies.0 {
                    // Powered at their own site: never on a port of a recorder here.
                    all.extend(theirs.iter().map(|i| Item {
                        slot: next + i.slot,
                        poe_mw: 0,
                        ..*i
                    }));
                    here.push(RecordedHere {
                        site: s.name.clone(),
                        copy,
                        cameras: theirs.len() as u32,
                        site_index: sj,
                        first_slot: next,
                        slots: theirs.len(),
                    });
                    next += theirs.len();
                }
            }
            if !here.is_empty() {
                all.sort_unstable_by(|a, b| b.bytes.cmp(&a.bytes).then(b.ingest.cmp(&a.ingest)));
            }
        }
        recorded.push((*si, all));
        here_all.push(here);
    }
    (recorded, here_all)
}

impl Sized {
    /// The recorders of site `si`, which record `units`: its cameras and those of the sites
    /// recording at it.
    fn recorders(&self, site: &SiteFile, si: usize, units: Vec<RecorderUnit>) -> SiteRecorders {
        let s = &site.sites[si];
        let items = self.recorded.get(si).map_or(&[][..], |(_, i)| i.as_slice());
        SiteRecorders {
            site: s.name.clone(),
            copies: s.copies.0,
            cameras: items.len() as u32,
            units,
            network_bps: network_bps(items),
            records_at: None,
            recorded_here: self.here.get(si).cloned().unwrap_or_default(),
        }
    }

    /// Site `si` when it records at another site's recorders: no units of its own, its own
    /// cameras and the load they send; `None` when it records on its own.
    fn recorded_elsewhere(&self, site: &SiteFile, si: usize) -> Option<SiteRecorders> {
        let target = site.sites.get(site.record_target(si)?)?;
        let s = &site.sites[si];
        let own = self
            .site_items
            .get(si)
            .map_or(&[][..], |(_, i)| i.as_slice());
        Some(SiteRecorders {
            site: s.name.clone(),
            copies: s.copies.0,
            cameras: own.len() as u32,
            units: Vec::new(),
            network_bps: network_bps(own),
            records_at: Some(target.name.clone()),
            recorded_here: Vec::new(),
        })
    }
}

/// One camera group of `s`, sized; its cameras are appended to `items`, the `k`-th at position
/// `slot_of(k)` of the site's camera list.
fn size_group(
    s: &crate::site::Site,
    gi: usize,
    g: &crate::site::CameraGroup,
    catalog: &Catalog,
    link: LinkRule,
    (items, slot_of): (&mut Vec<Item>, &dyn Fn(u32) -> usize),
) -> GroupPlan {
    let d = &catalog.defaults;
    let main = g.main_bitrate(&catalog.bitrate_model(), d.fps.value);
    let audio = Bitrate::from_kbps(catalog.bitrate.audio.kbps);
    let sub = g
        .substream_kbps
        .map_or(Bitrate(0), |k| Bitrate::from_kbps(k.0));
    let audio_bps = if g.audio { audio } else { Bitrate(0) };
    let ingest_bps = main.saturating_add(sub).saturating_add(audio_bps);
    let recorded_rate = main
        .saturating_add(audio_bps)
        .saturating_add(if g.record_substream { sub } else { Bitrate(0) });
    let mode = g.mode();
    let seconds = mode.recorded_seconds_per_day();
    let retention = g.retention_days.map_or(d.retention_days.value, |r| r.0);
    let per_camera = recorded_bytes(1, recorded_rate, seconds, u64::from(retention));
    let poe_mw = g.poe_watts.map_or(0, |w| (w.0 * 1000.0).round() as u64);
    let total_count = u64::from(g.count.0) * u64::from(s.copies.0);
    for k in 0..g.count.0 {
        items.push(Item {
            slot: slot_of(k),
            ingest: ingest_bps.bps(),
            wire: ingest::on_the_wire(ingest_bps.bps(), link.overhead),
            bytes: per_camera.get(),
            per_day: recorded_bytes(1, recorded_rate, seconds, 1).get(),
            days: retention,
            poe_mw,
        });
    }
    GroupPlan {
        site: s.name.clone(),
        name: g
            .name
            .clone()
            .unwrap_or_else(|| format!("group {}", gi + 1)),
        count: g.count.0,
        total_count,
        resolution: g.resolution.to_string(),
        codec: g.codec.to_string(),
        fps: g.fps.map_or(d.fps.value, |f| f.0),
        main_bps: main.bps(),
        bitrate_from: if g.bitrate_kbps.is_some() {
            BitrateFrom::Measured
        } else {
            BitrateFrom::Model
        },
        sub_bps: sub.bps(),
        audio_bps: audio_bps.bps(),
        ingest_bps: ingest_bps.bps(),
        recorded_bps: recorded_rate.bps(),
        recording: mode.describe(),
        recorded_seconds_per_day: seconds,
        retention_days: retention,
        bytes_per_camera: per_camera.get(),
        bytes_total: per_camera.get().saturating_mul(total_count),
        poe_mw,
    }
}

/// Every camera group sized; the fps and retention defaults are noted when a group used them.
/// `today` numbers the cameras: a site grown from `today` keeps today's cameras at today's
/// positions and numbers the added ones after them, so a design for the grown site deploys
/// today's cameras by the same positions (`today` is `site` itself when nothing grows).
fn size_groups(
    site: &SiteFile,
    today: &SiteFile,
    catalog: &Catalog,
    link: LinkRule,
    used: &mut FiguresUsed,
) -> Sized {
    let d = &catalog.defaults;
    let mut groups = Vec::new();
    let mut site_items: Vec<(usize, Vec<Item>)> = Vec::new();
    let mut used_default_fps = false;
    let mut used_default_retention = false;
    for (si, s) in site.sites.iter().enumerate() {
        let mut items = Vec::new();
        let today_counts: Vec<u32> = today.sites[si].cameras.iter().map(|g| g.count.0).collect();
        let today_total: usize = today_counts.iter().map(|c| *c as usize).sum();
        let (mut first, mut added) = (0usize, 0usize);
        for (gi, g) in s.cameras.iter().enumerate() {
            used_default_fps |= g.fps.is_none() && g.bitrate_kbps.is_none();
            used_default_retention |= g.retention_days.is_none();
            let here = today_counts.get(gi).copied().unwrap_or(0);
            let (f, a) = (first, added);
            let slot_of = move |k: u32| {
                if k < here {
                    f + k as usize
                } else {
                    today_total + a + (k - here) as usize
                }
            };
            groups.push(size_group(s, gi, g, catalog, link, (&mut items, &slot_of)));
            first += here as usize;
            added += g.count.0.saturating_sub(here) as usize;
        }
        // Decreasing order for first-fit: storage first, then ingest.
        items.sort_unstable_by(|a, b| b.bytes.cmp(&a.bytes).then(b.ingest.cmp(&a.ingest)));
        site_items.push((si, items));
    }
    if used_default_fps {
        note_sourced(used, catalog, "fps", &d.fps);
    }
    if used_default_retention {
        note_sourced(used, catalog, "retention-days", &d.retention_days);
    }
    let (recorded, here) = recorded_items(site, &site_items);
    Sized {
        groups,
        site_items,
        recorded,
        here,
    }
}

/// Notes the catalog default `name` as used.
fn note_sourced<T: std::fmt::Display>(
    used: &mut FiguresUsed,
    catalog: &Catalog,
    name: &str,
    default: &crate::catalog::Sourced<T>,
) {
    note_default(
        used,
        catalog,
        name,
        default.value.to_string(),
        &default.source,
        &default.assumption,
    );
}

/// The network load of a site's streams, protocol overhead included.
fn network_bps(items: &[Item]) -> u64 {
    items.iter().map(|i| i.wire).sum()
}

/// The VMS option's servers: per site, the first problem that made the option infeasible, and
/// the ceilings fixed servers break.
struct Servers {
    sites: Vec<SiteRecorders>,
    problem: Option<String>,
    violations: Vec<Violation>,
    failover_notes: Vec<String>,
    pool_links: Vec<PoolLink>,
}

/// What the design stages share.
struct Design<'a> {
    site: &'a SiteFile,
    catalog: &'a Catalog,
    rules: StorageRules<'a>,
    link: LinkRule,
    rate: f64,
    /// NVR models a site requiring the TAA cannot buy (maker's origin not designated), by id,
    /// with the reason.
    taa_excluded: BTreeMap<String, String>,
}

impl Design<'_> {
    /// The NVR option: appliances per site (the site file's fixed model, or the packer's), with
    /// Section 889 makers left out when the site requires it.
    fn nvr_option(&self, sized: &Sized, used: &mut FiguresUsed) -> Result<NvrOption, InputError> {
        let (site, catalog, d) = (self.site, self.catalog, &self.catalog.defaults);
        let level = self.rules.level;
        note_sourced(used, catalog, "nvr-ingest-reserve", &d.nvr_ingest_reserve);
        let excluded_889: Vec<String> = if site.requirements.section_889 {
            catalog
                .nvr
                .iter()
                .filter(|m| m.covered_889)
                .map(|m| format!("{} {}", m.maker, m.model))
                .collect()
        } else {
            Vec::new()
        };
        let reserve = d.nvr_ingest_reserve.value;
        let nvr_bins: Vec<Bin> = catalog
            .nvr
            .iter()
            .filter(|m| !(site.requirements.section_889 && m.covered_889))
            .filter(|m| !self.taa_excluded.contains_key(&m.id))
            .filter(|m| m.supports(level))
            .map(|m| nvr_bin(m, &self.rules, reserve, self.rate, self.link))
            .collect();
        let mut nvr_sites = Vec::new();
        let mut nvr_problem = None;
        let mut nvr_violations = Vec::new();
        let mut brand_notes = Vec::new();
        for (si, items) in &sized.recorded {
            let s = &site.sites[*si];
            if let Some(elsewhere) = sized.recorded_elsewhere(site, *si) {
                nvr_sites.push(elsewhere);
                continue;
            }
            let units = if let Some(Fixed::Nvr(model, count)) = fixed_recorder(*si, s, catalog)? {
                let bin = nvr_bin(model, &self.rules, reserve, self.rate, self.link);
                let units = fixed_units(items, &bin, count, &self.rules);
                for (i, u) in units.iter().enumerate() {
                    nvr_violations.extend(unit_violations(
                        &format!("{} / nvr-{} ({})", s.name, i + 1, u.model),
                        u,
                    ));
                }
                Ok(units)
            } else if nvr_bins.is_empty() {
                Err(format!(
                    "no NVR appliance in the catalog offers {level}{}",
                    match (excluded_889.is_empty(), self.taa_excluded.is_empty()) {
                        (true, true) => "",
                        (false, true) => " among makers outside Section 889",
                        (true, false) => " among makers of TAA-designated origin",
                        (false, false) =>
                            " among makers outside Section 889 and of TAA-designated origin",
                    }
                ))
            } else {
                self.brand_or_any(*si, s, items, &nvr_bins, &mut brand_notes)
            };
            let units = units.unwrap_or_else(|why| {
                nvr_problem.get_or_insert_with(|| format!("site {:?}: {why}", s.name));
                Vec::new()
            });
            nvr_sites.push(sized.recorders(site, *si, units));
        }
        let nvr_units: u64 = nvr_sites
            .iter()
            .map(|s| s.units.len() as u64 * u64::from(s.copies))
            .sum();
        let nvr_capex: f64 = nvr_sites
            .iter()
            .map(|s| s.price_per_copy() * f64::from(s.copies))
            .sum();
        note_sourced(used, catalog, "nvr-refresh-years", &d.nvr_refresh_years);
        Ok(NvrOption {
            feasible: nvr_problem.is_none(),
            problem: nvr_problem.clone(),
            sites: nvr_sites,
            violations: nvr_violations,
            units: nvr_units,
            capex: nvr_problem.is_none().then(|| Money::from_f64(nvr_capex)),
            refresh_years: d.nvr_refresh_years.value,
            excluded_889,
            brand_notes,
        })
    }

    /// The appliances for one site: when the site's cameras are all of one brand and that maker
    /// offers an eligible appliance, that maker's, provided it needs no more units than any
    /// maker would; otherwise the design over every eligible model. What was chosen is noted.
    fn brand_or_any(
        &self,
        si: usize,
        s: &crate::site::Site,
        items: &[Item],
        bins: &[Bin],
        notes: &mut Vec<String>,
    ) -> Result<Vec<RecorderUnit>, String> {
        let any = design_units(items, bins, &self.rules);
        if !self.site.requirements.prefer_camera_brand {
            return any;
        }
        let Some(brand) = site_brand(self.site, si) else {
            return any;
        };
        let makers: Vec<Bin> = bins
            .iter()
            .filter(|b| {
                self.catalog
                    .nvr
                    .iter()
                    .any(|m| m.id == b.id && same_maker(&m.maker, &brand))
            })
            .cloned()
            .collect();
        if makers.is_empty() {
            let theirs: Vec<&NvrModel> = self
                .catalog
                .nvr
                .iter()
                .filter(|m| same_maker(&m.maker, &brand))
                .collect();
            let why = if theirs.is_empty() {
                format!("the catalog has no {brand} appliance")
            } else if self.site.requirements.section_889 && theirs.iter().all(|m| m.covered_889) {
                format!("{brand} appliances are excluded under Section 889")
            } else if theirs.iter().all(|m| {
                (self.site.requirements.section_889 && m.covered_889)
                    || self.taa_excluded.contains_key(&m.id)
            }) {
                format!(
                    "{brand} appliances are excluded: their country of origin is not TAA-designated"
                )
            } else {
                format!("no {brand} appliance offers {}", self.rules.level)
            };
            notes.push(format!(
                "{}: the cameras are {brand}, but {why}; appliances of other makers are planned",
                s.name
            ));
            return any;
        }
        match (design_units(items, &makers, &self.rules), &any) {
            (Ok(own), Ok(other)) if own.len() > other.len() => {
                notes.push(format!(
                    "{}: {brand} appliances would need {} units where another maker's need {}; the fewer units are planned",
                    s.name,
                    own.len(),
                    other.len()
                ));
                any
            }
            (Ok(own), other) => {
                let price = |u: &[RecorderUnit]| u.iter().map(RecorderUnit::price).sum::<f64>();
                let more = other
                    .as_ref()
                    .map_or(0.0, |o| price(&own) - price(o))
                    .max(0.0);
                let cost = if more >= 0.5 {
                    format!(
                        ", {} {} a copy more than the cheapest appliances of any maker (prefer-camera-brand = false plans those)",
                        Money::from_f64(more * self.rate).whole(),
                        self.site
                            .project
                            .currency
                            .as_deref()
                            .unwrap_or(&self.catalog.currency)
                    )
                } else {
                    String::new()
                };
                notes.push(format!(
                    "{}: {brand} appliances for the site's {brand} cameras{cost}",
                    s.name
                ));
                Ok(own)
            }
            (Err(_), _) => {
                notes.push(format!(
                    "{}: no {brand} appliance holds the site, so any maker's",
                    s.name
                ));
                any
            }
        }
    }

    /// The VMS option's recording servers per site, failover included: the sites, the first
    /// problem that made the option infeasible, and the ceilings fixed servers break.
    fn vms_servers(&self, sized: &Sized, used: &mut FiguresUsed) -> Result<Servers, InputError> {
        let (site, catalog, d) = (self.site, self.catalog, &self.catalog.defaults);
        let level = self.rules.level;
        note_sourced(
            used,
            catalog,
            "server-ingest-reserve",
            &d.server_ingest_reserve,
        );
        let reserve = d.server_ingest_reserve.value;
        let server_bins: Vec<Bin> = catalog
            .server
            .iter()
            .filter(|s| level == RaidLevel::None || s.raid.contains(&level))
            .map(|s| server_bin(s, &self.rules, reserve, self.rate, self.link))
            .collect();
        let mut vms_sites = Vec::new();
        let mut vms_problem = None;
        let mut vms_violations = Vec::new();
        for (si, items) in &sized.recorded {
            let s = &site.sites[*si];
            if let Some(elsewhere) = sized.recorded_elsewhere(site, *si) {
                vms_sites.push(elsewhere);
                continue;
            }
            let units = match fixed_recorder(*si, s, catalog)? {
                Some(Fixed::Server(model, count)) => {
                    let bin = server_bin(model, &self.rules, reserve, self.rate, self.link);
                    let units = fixed_units(items, &bin, count, &self.rules);
                    for (i, u) in units.iter().enumerate() {
                        vms_violations.extend(unit_violations(
                            &format!("{} / server-{} ({})", s.name, i + 1, u.model),
                            u,
                        ));
                    }
                    units
                }
                _ => design_units(items, &server_bins, &self.rules).unwrap_or_else(|why| {
                    vms_problem.get_or_insert_with(|| format!("site {:?}: {why}", s.name));
                    Vec::new()
                }),
            };
            vms_sites.push(sized.recorders(site, *si, units));
        }
        let mut servers = Servers {
            sites: vms_sites,
            problem: vms_problem,
            violations: vms_violations,
            failover_notes: Vec::new(),
            pool_links: Vec::new(),
        };
        self.add_standbys(&mut servers, &sized.recorded, &server_bins, reserve, used)?;
        Ok(servers)
    }

    /// The VMS option: servers, then licences (the product asked for, or the cheapest over the
    /// horizon).
    fn vms_option(
        &self,
        sized: &Sized,
        horizon: u32,
        used: &mut FiguresUsed,
    ) -> Result<VmsOption, InputError> {
        let (site, catalog) = (self.site, self.catalog);
        let Servers {
            sites: vms_sites,
            problem: vms_problem,
            violations: vms_violations,
            failover_notes,
            pool_links,
        } = self.vms_servers(sized, used)?;
        // Servers are replaced on the shortest cycle among the models planned; with none planned
        // (the option is infeasible and costs nothing), the catalog's shortest server cycle.
        let refresh_of = |id: &str| {
            catalog
                .server
                .iter()
                .find(|m| m.id == id)
                .map(|m| m.refresh_years)
        };
        let refresh_years = vms_sites
            .iter()
            .flat_map(|s| &s.units)
            .filter_map(|u| refresh_of(&u.model_id))
            .min()
            .or_else(|| catalog.server.iter().map(|m| m.refresh_years).min())
            .unwrap_or(catalog.defaults.nvr_refresh_years.value);
        let servers: u64 = vms_sites
            .iter()
            .map(|s| s.units.len() as u64 * u64::from(s.copies))
            .sum();
        let failover_servers: u64 = vms_sites
            .iter()
            .map(|s| s.units.iter().filter(|u| u.failover).count() as u64 * u64::from(s.copies))
            .sum();
        let hardware_f64: f64 = vms_sites
            .iter()
            .map(|s| s.price_per_copy() * f64::from(s.copies))
            .sum();
        let channels = site.camera_count();
        let priced = cost::choose_vms(
            site,
            catalog,
            cost::VmsCosting {
                catalog,
                channels,
                servers,
                hardware: hardware_f64,
                refresh_years,
                horizon,
                rate: self.rate,
            },
        )?;
        let chosen = priced.chosen;
        let feasible = vms_problem.is_none();
        Ok(VmsOption {
            feasible,
            problem: vms_problem,
            product_id: chosen.id.clone(),
            product: chosen.name.clone(),
            product_reason: priced.reason,
            sites: vms_sites,
            violations: vms_violations,
            servers,
            failover_servers,
            channels,
            licence: feasible.then_some(chosen.licence),
            care_per_year: feasible.then_some(chosen.care_per_year),
            care_from_year: chosen.care_from_year,
            platform: feasible.then_some(chosen.platform),
            hardware: feasible.then(|| Money::from_f64(hardware_f64)),
            refresh_years,
            alternatives: priced.alternatives,
            failover_notes,
            pool_links,
        })
    }
}

/// The one camera brand of site `si`, when every group names the same brand (or names none and
/// the site file's `camera-brands` lists exactly one).
fn site_brand(site: &SiteFile, si: usize) -> Option<String> {
    let listed = match site.requirements.camera_brands.as_slice() {
        [one] => Some(one.trim().to_string()),
        _ => None,
    };
    let mut brands = site.sites[si].cameras.iter().map(|g| {
        g.brand
            .as_deref()
            .map(str::trim)
            .map(str::to_string)
            .or(listed.clone())
    });
    let first = brands.next()??;
    brands
        .all(|b| b.is_some_and(|b| same_maker(&b, &first)))
        .then_some(first)
}

/// Whether an appliance maker is the camera brand: "Hanwha" makes "Hanwha Vision" cameras,
/// "Axis" "Axis Communications" ones (the first word decides, without case).
fn same_maker(maker: &str, brand: &str) -> bool {
    let first = |t: &str| {
        t.split_whitespace()
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    !maker.trim().is_empty() && first(maker) == first(brand)
}

/// The totals of the site: cameras, ingest, storage per day and in all, PoE.
fn summarise(site: &SiteFile, sized: &Sized, headroom: &HeadroomPolicy) -> Summary {
    let cameras = site.camera_count();
    let all_items = sized.site_items.iter().flat_map(|(si, items)| {
        let copies = u64::from(site.sites[*si].copies.0);
        items.iter().map(move |i| (i, copies))
    });
    let (mut ingest_bps, mut rec_bytes, mut poe_mw) = (0u64, 0u64, 0u64);
    for (i, copies) in all_items {
        ingest_bps = ingest_bps.saturating_add(i.ingest * copies);
        rec_bytes = rec_bytes.saturating_add(i.bytes.saturating_mul(copies));
        poe_mw = poe_mw.saturating_add(i.poe_mw * copies);
    }
    let bytes_per_day: u64 = sized
        .groups
        .iter()
        .map(|g| {
            recorded_bytes(
                g.total_count,
                Bitrate(g.recorded_bps),
                g.recorded_seconds_per_day,
                1,
            )
            .get()
        })
        .sum();
    Summary {
        sites: site.site_count(),
        cameras,
        cameras_in_36_months: site
            .requirements
            .cameras_in_36_months
            .map_or(cameras, |c| u64::from(c.0)),
        ingest_bps,
        bytes_per_day,
        recorded_bytes: rec_bytes,
        capacity_needed_bytes: headroom.capacity_needed(Bytes(rec_bytes)).get(),
        poe_mw,
    }
}

/// The cloud reference for the cameras of `site` sized as `groups`.
fn cloud_of(
    site: &SiteFile,
    catalog: &Catalog,
    groups: &[GroupPlan],
    rate: f64,
) -> Option<CloudContext> {
    let megapixels: Vec<f64> = site
        .sites
        .iter()
        .flat_map(|s| s.cameras.iter().map(|g| g.resolution.megapixels()))
        .collect();
    cost::cloud_context(catalog, groups, &megapixels, rate)
}

/// Costs over the years: the cloud reference, both options and where they cross; the figures
/// the cost model used are noted.
fn cost_stage(
    site: &SiteFile,
    catalog: &Catalog,
    options: (&NvrOption, &VmsOption, Option<&cost::CostStep>),
    groups: &[GroupPlan],
    summary: &Summary,
    (rate, horizon): (f64, u32),
    used: &mut FiguresUsed,
) -> (
    Option<CloudContext>,
    Vec<YearCost>,
    Option<Crossover>,
    Costs,
) {
    let (nvr, vms, step) = options;
    let mut cloud = cloud_of(site, catalog, groups, rate);
    if let (Some(c), Some(st)) = (cloud.as_mut(), step)
        && let Some(grown) = st.cloud
    {
        c.from_step = Some(cost::CloudFromStep {
            year: st.year,
            per_camera_year: grown.per_camera_year,
            per_year: grown.per_year,
        });
    }
    let figures = cost::Figures::resolve(site, catalog);
    let inputs = cost::CostInputs {
        catalog,
        figures: &figures,
        rate,
        horizon,
        sites: site.site_count(),
        cameras: summary.cameras,
        poe_mw: summary.poe_mw,
        vms_product: catalog.vms_product(&vms.product_id),
        step,
    };
    let (tco, crossover, costs) = cost::costs(&inputs, nvr, vms, cloud.as_ref());
    for f in &figures.used {
        used.push(
            f.entry.clone(),
            &f.what,
            f.value.clone(),
            &f.unit,
            f.basis.clone(),
        );
    }
    (cloud, tco, crossover, costs)
}

/// The plan of `site` with `catalog`: groups sized, both options designed and costed, and the
/// recommendation with its reasons.
pub fn plan(site: &SiteFile, catalog: &Catalog) -> Result<Plan, InputError> {
    let d = &catalog.defaults;
    let mut used = FiguresUsed::default();
    let (currency, rate) = currency_of(site, catalog)?;
    let horizon = site_or_default(
        &mut used,
        catalog,
        "horizon-years",
        site.project.horizon_years.map(|y| y.0),
        &d.horizon_years,
    );
    let rules = storage_rules(site, catalog, rate, &mut used)?;
    let storage = StorageInForce {
        raid: rules.level,
        hot_spares: rules.spares,
        drive_size_bytes: match site.storage.drive_size {
            DriveSize::Fixed(b) => Some(b.get()),
            DriveSize::Choose => None,
        },
        headroom: rules.headroom,
        raid_max_group: d.raid_max_group.value,
    };
    // The network rule `generate` applies too: every stream carries the protocol overhead, and
    // a recorder's link (its NIC) is kept below the link utilisation limit.
    let link = LinkRule {
        overhead: d.network_overhead.value,
        recorder_limit: ingest::link_limit(d.recorder_nic.value, d.link_utilization.value),
    };
    let sized = size_groups(site, site, catalog, link, &mut used);
    let taa_excluded = compliance_data::Dataset::embedded()
        .map(|ds| crate::screen::taa_excluded_nvrs(site, catalog, &ds))
        .unwrap_or_default();
    let design = Design {
        site,
        catalog,
        rules,
        link,
        rate,
        taa_excluded,
    };
    let mut nvr = design.nvr_option(&sized, &mut used)?;
    let mut vms = design.vms_option(&sized, horizon, &mut used)?;
    let summary = summarise(site, &sized, &storage.headroom);
    let year = match growth::expects_step(site) {
        true => site_or_default(
            &mut used,
            catalog,
            "growth-year",
            site.requirements.growth_year.map(|y| y.0),
            &d.growth_year,
        ),
        false => d.growth_year.value,
    };
    let grown = match growth::grown_site(site, horizon, year)? {
        Some(g) => Some(grow(&design, &g, horizon, (&mut nvr, &mut vms), &mut used)?),
        None => None,
    };
    let mut central = central_recording(site, &sized, catalog, &mut used);
    let grown_over = grown_wan(&mut central, grown.as_ref().map_or(&[], Grown::wan));
    for v in wan_violations(&central).into_iter().chain(grown_over) {
        nvr.violations.push(v.clone());
        vms.violations.push(v);
    }
    let (cloud, tco, crossover, mut costs) = costed(
        site,
        catalog,
        (&nvr, &vms, grown.as_ref()),
        (&sized, &summary),
        (rate, horizon),
        &mut used,
    );
    let growth = grown.map(Grown::into_plan);
    if let Some(g) = &growth {
        let words = match g.year {
            Some(y) => format!(
                " The costs include the growth to {} cameras, bought in year {y}.",
                g.cameras_grown
            ),
            None => format!(
                " The costs are for the {} cameras the design is sized for, bought in year 1.",
                g.cameras_grown
            ),
        };
        costs.verdict.push_str(&words);
    }
    note_products(&mut used, catalog, site, &nvr, &vms, cloud.as_ref());
    let (section_889, taa) = screening(site, &picked_products(catalog, &nvr, &vms));
    let mut recommendation = recommend(site, &nvr, &summary);
    recommendation.cost_note = cost_note(&recommendation, &tco, &nvr, &vms, horizon);
    Ok(Plan {
        project: site.project.name.clone(),
        proposal: site.project.details(),
        currency,
        horizon_years: horizon,
        catalog: catalog.files.clone(),
        figures_used: used.into_vec(),
        storage,
        summary,
        groups: sized.groups,
        nvr,
        vms,
        cloud,
        tco,
        crossover,
        costs,
        recommendation,
        section_889,
        taa,
        growth,
        central_intake: wan_intake(&central),
        central_recording: central,
        excluded_costs: "Left out of both options' costs: cameras, cabling, installation and commissioning (the same for either option), and the network switches, which differ by option (the NVR option's PoE and ports are not the servers'): each option's switches are priced in the bill of materials generated for that option. The switches' own power and VMS client licences are left out too.",
    })
}

/// Costs over the years for the design as the growth sizes it: the grown site's when growth is
/// sized now, today's with the step bought in its year, or today's alone.
fn costed(
    site: &SiteFile,
    catalog: &Catalog,
    (nvr, vms, grown): (&NvrOption, &VmsOption, Option<&Grown>),
    (sized, summary): (&Sized, &Summary),
    (rate, horizon): (f64, u32),
    used: &mut FiguresUsed,
) -> (
    Option<CloudContext>,
    Vec<YearCost>,
    Option<Crossover>,
    Costs,
) {
    match grown {
        Some(Grown::Now {
            site: gsite,
            summary: gsummary,
            groups,
            ..
        }) => cost_stage(
            gsite,
            catalog,
            (nvr, vms, None),
            groups,
            gsummary,
            (rate, horizon),
            used,
        ),
        Some(Grown::Step {
            nvr: gnvr,
            vms: gvms,
            nvr_buys,
            vms_buys,
            year,
            summary: gsummary,
            cloud: gcloud,
            ..
        }) => {
            let step = cost::CostStep {
                year: *year,
                nvr: gnvr,
                vms: gvms,
                nvr_buys,
                vms_buys,
                cameras: gsummary.cameras,
                poe_mw: gsummary.poe_mw,
                cloud: gcloud.as_ref(),
            };
            cost_stage(
                site,
                catalog,
                (nvr, vms, Some(&step)),
                &sized.groups,
                summary,
                (rate, horizon),
                used,
            )
        }
        None => cost_stage(
            site,
            catalog,
            (nvr, vms, None),
            &sized.groups,
            summary,
            (rate, horizon),
            used,
        ),
    }
}

/// Central recording: per site that records at another site's recorders, the WAN uplink one
/// copy needs (its cameras' ingest with the protocol overhead `generate` routes, at the link
/// utilisation ceiling), checked against the `wan-uplink` the site file gives. The ceiling is
/// noted among the figures used when some site records elsewhere.
fn central_recording(
    site: &SiteFile,
    sized: &Sized,
    catalog: &Catalog,
    used: &mut FiguresUsed,
) -> Vec<WanLink> {
    let utilization = catalog.defaults.link_utilization.value;
    let links: Vec<WanLink> = sized
        .site_items
        .iter()
        .filter_map(|(si, items)| {
            let target = site.sites.get(site.record_target(*si)?)?;
            let s = &site.sites[*si];
            let wire = network_bps(items);
            let uplink = s.network.wan_uplink;
            let limit = uplink.map(|c| ingest::link_limit(c, utilization));
            let mut link = WanLink {
                site: s.name.clone(),
                records_at: target.name.clone(),
                copies: s.copies.0,
                cameras: items.len() as u32,
                ingest_bps: items.iter().map(|i| i.ingest).sum(),
                wire_bps: wire,
                utilization,
                needed_bps: capacity_for(wire, utilization),
                uplink_bps: uplink.map(Bitrate::bps),
                fits: limit.map(|l| wire <= l),
                grown: None,
                text: String::new(),
            };
            link.text = wan_words(&link);
            Some(link)
        })
        .collect();
    if !links.is_empty() {
        note_sourced(
            used,
            catalog,
            "link-utilization",
            &catalog.defaults.link_utilization,
        );
    }
    links
}

/// Today's WAN needs with the grown figure beside each that the growth adds cameras to; the
/// WAN uplinks too small for their grown figure, as ceilings broken after the growth.
fn grown_wan(central: &mut [WanLink], grown: &[WanLink]) -> Vec<Violation> {
    let mut over = Vec::new();
    for w in central.iter_mut() {
        let Some(gw) = grown
            .iter()
            .find(|g| g.site == w.site && g.cameras > w.cameras)
        else {
            continue;
        };
        w.grown = Some(GrownWan {
            cameras: gw.cameras,
            wire_bps: gw.wire_bps,
            needed_bps: gw.needed_bps,
            fits: gw.fits,
        });
        w.text = wan_words(w);
        over.extend(
            wan_violations(std::slice::from_ref(gw))
                .into_iter()
                .map(|v| Violation {
                    element: format!("{} (after the growth)", v.element),
                    message: format!("after the growth: {}", v.message),
                    ..v
                }),
        );
    }
    over
}

/// What each recording site takes in over the WAN from the site copies recording there (all
/// copies of each such site), today and after the growth, in file order of the recording
/// sites' first mention.
fn wan_intake(central: &[WanLink]) -> Vec<WanIntake> {
    let mut out: Vec<WanIntake> = Vec::new();
    let mut grown: Vec<Option<GrownIntake>> = Vec::new();
    let utilization = central.first().map_or(1.0, |w| w.utilization);
    for w in central {
        let copies = u64::from(w.copies);
        let at = match out.iter().position(|t| t.site == w.records_at) {
            Some(at) => at,
            None => {
                out.push(WanIntake {
                    site: w.records_at.clone(),
                    copies: 0,
                    cameras: 0,
                    wire_bps: 0,
                    needed_bps: 0,
                    grown: None,
                    text: String::new(),
                });
                grown.push(None);
                out.len() - 1
            }
        };
        let t = &mut out[at];
        t.copies += w.copies;
        t.cameras += w.cameras * w.copies;
        t.wire_bps = t.wire_bps.saturating_add(w.wire_bps.saturating_mul(copies));
        // After the growth: the grown figure where the growth adds cameras, today's elsewhere.
        let (cams, wire) = w
            .grown
            .map_or((w.cameras, w.wire_bps), |g| (g.cameras, g.wire_bps));
        let g = grown[at].get_or_insert(GrownIntake {
            cameras: 0,
            wire_bps: 0,
            needed_bps: 0,
        });
        g.cameras += cams * w.copies;
        g.wire_bps = g.wire_bps.saturating_add(wire.saturating_mul(copies));
    }
    for (t, g) in out.iter_mut().zip(grown) {
        t.needed_bps = capacity_for(t.wire_bps, utilization);
        t.grown = g.filter(|g| g.cameras > t.cameras).map(|g| GrownIntake {
            needed_bps: capacity_for(g.wire_bps, utilization),
            ..g
        });
        let after = match &t.grown {
            Some(g) => format!(
                "; after the growth, their {} cameras need {}",
                g.cameras,
                Bitrate(g.needed_bps)
            ),
            None => String::new(),
        };
        t.text = format!(
            "{} takes in {} over the WAN from the {} site {} recording there ({} cameras): its own WAN link needs {} for them, beside its other traffic{after}",
            t.site,
            Bitrate(t.wire_bps),
            t.copies,
            if t.copies == 1 { "copy" } else { "copies" },
            t.cameras,
            Bitrate(t.needed_bps),
        );
    }
    out
}

/// The smallest link capacity whose load limit at `utilization` carries `load`, bit/s.
pub(crate) fn capacity_for(load: u64, utilization: f64) -> u64 {
    let mut capacity = (load as f64 / utilization.clamp(0.01, 1.0)).ceil() as u64;
    while ingest::link_limit(Bitrate(capacity), utilization) < load {
        capacity += 1;
    }
    capacity
}

/// A site's WAN need in words: per copy, what it needs for how many cameras, what the site
/// file gives, and that the WAN is not costed.
fn wan_words(w: &WanLink) -> String {
    let each = if w.copies > 1 {
        format!("each of its {} copies needs", w.copies)
    } else {
        "needs".to_string()
    };
    let given = match (w.uplink_bps, w.fits) {
        (Some(c), Some(true)) => format!("its wan-uplink of {} carries it", Bitrate(c)),
        (Some(c), _) => format!(
            "its wan-uplink of {} is too small (it may carry {})",
            Bitrate(c),
            Bitrate(ingest::link_limit(Bitrate(c), w.utilization))
        ),
        (None, _) => "the site file gives no wan-uplink to check it against".to_string(),
    };
    let grown = match &w.grown {
        Some(g) => format!(
            "; after the growth its {} cameras need {}{}",
            g.cameras,
            Bitrate(g.needed_bps),
            match g.fits {
                Some(false) => ", more than its wan-uplink carries",
                _ => "",
            }
        ),
        None => String::new(),
    };
    format!(
        "{} → {}: {each} {} of WAN uplink for its {} cameras' recordings ({} with protocol overhead, kept under {:.0}% of the link); {given}{grown}; the WAN service and its routers are not costed",
        w.site,
        w.records_at,
        Bitrate(w.needed_bps),
        w.cameras,
        Bitrate(w.wire_bps),
        w.utilization * 100.0
    )
}

/// The WAN uplinks the site file gives that are too small for the recordings they carry, as
/// ceilings broken by equipment the site file fixes (both options record centrally alike).
fn wan_violations(links: &[WanLink]) -> Vec<Violation> {
    links
        .iter()
        .filter(|w| w.fits == Some(false))
        .filter_map(|w| {
            let capacity = Bitrate(w.uplink_bps?);
            let limit = ingest::link_limit(capacity, w.utilization);
            let each = if w.copies > 1 {
                format!(" (each of {} copies)", w.copies)
            } else {
                String::new()
            };
            let element = w.element();
            Some(Violation {
                message: format!(
                    "{element}{each}: {} cameras' recordings put {} on it, over its limit of {} ({:.0}% of {}); it needs {}",
                    w.cameras,
                    Bitrate(w.wire_bps),
                    Bitrate(limit),
                    w.utilization * 100.0,
                    capacity,
                    Bitrate(w.needed_bps)
                ),
                element,
                ceiling: Ceiling::Link,
                load: w.wire_bps,
                limit,
                unit: Unit::BitsPerSecond,
            })
        })
        .collect()
}

impl Plan {
    /// Whether the site file's growth is bought now (`growth = "now"`): the design, and what
    /// `generate` deploys, is the grown site's.
    pub fn grows_now(&self) -> bool {
        self.growth
            .as_ref()
            .is_some_and(|g| g.sizing == GrowthSizing::Now)
    }
}

/// The grown design, as the site file's growth sizing asks for it.
enum Grown {
    /// Designed for the grown site now, today's cameras deployed on it.
    Now {
        /// The grown site (costed instead of today's).
        site: SiteFile,
        /// Its totals.
        summary: Summary,
        /// Its groups.
        groups: Vec<GroupPlan>,
        /// The growth as the plan reports it.
        plan: GrowthPlan,
        /// The WAN uplinks the grown sites recording elsewhere need.
        wan: Vec<WanLink>,
    },
    /// Today's design now, and the step to the grown design bought in `year`.
    Step {
        /// The NVR option for the grown site.
        nvr: NvrOption,
        /// The VMS option for the grown site.
        vms: VmsOption,
        /// What the step buys for the NVR option.
        nvr_buys: OptionStep,
        /// What the step buys for the VMS option.
        vms_buys: OptionStep,
        /// The step's cost year, 1-based.
        year: u32,
        /// The grown site's totals.
        summary: Summary,
        /// The cloud reference for the grown site.
        cloud: Option<CloudContext>,
        /// The growth as the plan reports it (without the steps, which are kept above).
        plan: GrowthPlan,
        /// The WAN uplinks the grown sites recording elsewhere need.
        wan: Vec<WanLink>,
    },
}

impl Grown {
    /// The WAN uplinks the grown sites recording elsewhere need.
    fn wan(&self) -> &[WanLink] {
        match self {
            Grown::Now { wan, .. } | Grown::Step { wan, .. } => wan,
        }
    }

    /// The growth as the plan reports it.
    fn into_plan(self) -> GrowthPlan {
        match self {
            Grown::Now { plan, .. } => plan,
            Grown::Step {
                plan,
                nvr_buys,
                vms_buys,
                ..
            } => GrowthPlan {
                nvr_step: Some(nvr_buys),
                vms_step: Some(vms_buys),
                ..plan
            },
        }
    }
}

/// Designs the grown site `g`. Sized now, today's options become the grown design with today's
/// cameras deployed on it; sized as a step, today's options stay and the grown design is what
/// the step buys toward. An option that cannot hold the grown site cannot be built for the plan.
fn grow(
    design: &Design,
    g: &GrownSite,
    horizon: u32,
    (nvr, vms): (&mut NvrOption, &mut VmsOption),
    used: &mut FiguresUsed,
) -> Result<Grown, InputError> {
    let mut gsite = g.site.clone();
    if vms.feasible && g.sizing == GrowthSizing::Step {
        // A step grows the same VMS product: its licences are bought for the added channels.
        // Sized now, the product is chosen for the grown count as the site file asks.
        gsite.requirements.vms = Some(vms.product_id.clone());
    }
    let gsized = size_groups(&gsite, design.site, design.catalog, design.link, used);
    let wan = central_recording(&gsite, &gsized, design.catalog, used);
    let gdesign = Design {
        site: &gsite,
        catalog: design.catalog,
        rules: design.rules.clone(),
        link: design.link,
        rate: design.rate,
        taa_excluded: design.taa_excluded.clone(),
    };
    let mut gnvr = gdesign.nvr_option(&gsized, used)?;
    let mut gvms = gdesign.vms_option(&gsized, horizon, used)?;
    let headroom = design.rules.headroom;
    let gsummary = summarise(&gsite, &gsized, &headroom);
    let today = growth::Figures::of(nvr, vms);
    let grown = growth::Figures::of(&gnvr, &gvms);
    let plan = GrowthPlan {
        sizing: g.sizing,
        year: None,
        cameras_today: design.site.camera_count(),
        cameras_asked: g.asked,
        cameras_grown: g.cameras,
        groups: growth::group_growth(design.site, &gsite),
        today,
        grown,
        nvr_step: None,
        vms_step: None,
        text: String::new(),
    };
    match g.sizing {
        GrowthSizing::Now => {
            let rules = (&headroom, design.catalog);
            deploy_today(&mut gnvr.sites, &gsized, design.site, rules);
            deploy_today(&mut gvms.sites, &gsized, design.site, rules);
            let text = format!(
                "Growth is sized now: the design holds the {} cameras expected within 36 months ({}), today's {} are deployed on it, and recorders, drives and licences for the grown count are bought in year 1 and costed from then.",
                g.cameras,
                asked_words(g),
                plan.cameras_today
            );
            *nvr = gnvr;
            *vms = gvms;
            Ok(Grown::Now {
                site: gsite,
                summary: gsummary,
                groups: gsized.groups,
                plan: GrowthPlan { text, ..plan },
                wan,
            })
        }
        GrowthSizing::Step => {
            let infeasible = |feasible: bool, problem: &Option<String>| {
                (!feasible).then(|| problem.clone().unwrap_or_default())
            };
            let nvr_buys = growth::option_step(
                &nvr.sites,
                &gnvr.sites,
                infeasible(gnvr.feasible, &gnvr.problem).as_deref(),
            );
            let vms_buys = growth::option_step(
                &vms.sites,
                &gvms.sites,
                infeasible(gvms.feasible, &gvms.problem).as_deref(),
            );
            let after = |p: &str| {
                format!(
                    "it cannot hold the {} cameras expected by year {}: {p}",
                    g.cameras, g.year
                )
            };
            if nvr.feasible && !gnvr.feasible {
                nvr.feasible = false;
                nvr.problem = Some(after(gnvr.problem.as_deref().unwrap_or("")));
                nvr.capex = None;
            }
            if vms.feasible && !gvms.feasible {
                vms.feasible = false;
                vms.problem = Some(after(gvms.problem.as_deref().unwrap_or("")));
                vms.licence = None;
                vms.care_per_year = None;
                vms.platform = None;
                vms.hardware = None;
            }
            // Equipment the site file fixes may hold today's cameras and not the grown ones: the
            // plan says so now rather than in the growth year.
            nvr.violations.extend(after_growth(&gnvr.violations, g));
            vms.violations.extend(after_growth(&gvms.violations, g));
            let text = step_words(g, &plan, (&nvr_buys, &vms_buys), vms, &gvms);
            Ok(Grown::Step {
                nvr: gnvr,
                vms: gvms,
                nvr_buys,
                vms_buys,
                year: g.year,
                summary: gsummary,
                cloud: cloud_of(&gsite, design.catalog, &gsized.groups, design.rate),
                plan: GrowthPlan {
                    year: Some(g.year),
                    text,
                    ..plan
                },
                wan,
            })
        }
    }
}

/// Ceilings the grown design breaks, named as after the growth to `g`'s cameras in its year.
fn after_growth(vs: &[Violation], g: &GrownSite) -> Vec<Violation> {
    vs.iter()
        .map(|v| Violation {
            element: format!("{} (after the growth)", v.element),
            message: format!(
                "after the growth to {} cameras in year {}: {}",
                g.cameras, g.year, v.message
            ),
            ..v.clone()
        })
        .collect()
}

/// How the growth was spread, in words.
fn asked_words(g: &GrownSite) -> String {
    let spread = "the added cameras given to today's groups in proportion to their size, one per copy of a site";
    if g.cameras == g.asked {
        spread.into()
    } else {
        format!(
            "{} asked; {spread}, so the nearest count at or above it",
            g.asked
        )
    }
}

/// What one option's step buys, in words.
fn buys_words(name: &str, buys: &OptionStep) -> String {
    if !buys.feasible {
        return format!(
            "the {name} option cannot hold the grown site ({})",
            buys.problem.as_deref().unwrap_or("")
        );
    }
    let units: u64 = buys
        .sites
        .iter()
        .map(|s| s.units_added.len() as u64 * u64::from(s.copies))
        .sum();
    let drives: u64 = buys
        .sites
        .iter()
        .map(|s| u64::from(s.drives_added) * u64::from(s.copies))
        .sum();
    let replaced: u64 = buys
        .sites
        .iter()
        .filter(|s| s.replaces)
        .map(|s| u64::from(s.copies))
        .sum();
    let price = buys.hardware.unwrap_or_default().whole();
    let mut parts = Vec::new();
    if units > 0 {
        parts.push(format!("{units} recorder(s)"));
    }
    if drives > 0 {
        parts.push(format!("{drives} drive(s) for today's recorders"));
    }
    let mut t = if parts.is_empty() {
        format!("the {name} option's recorders hold the added cameras as they are")
    } else {
        format!("the {name} option adds {} ({price})", parts.join(" and "))
    };
    if replaced > 0 {
        t.push_str(&format!(
            ", replacing today's recorders at {replaced} site(s) whose added cameras they cannot take"
        ));
    }
    t
}

/// The step in words: what each option buys in the growth year.
fn step_words(
    g: &GrownSite,
    plan: &GrowthPlan,
    (nvr_buys, vms_buys): (&OptionStep, &OptionStep),
    vms: &VmsOption,
    gvms: &VmsOption,
) -> String {
    let licences = if vms_buys.feasible {
        format!(
            ", with {} more VMS licence(s)",
            gvms.channels.saturating_sub(vms.channels)
        )
    } else {
        String::new()
    };
    format!(
        "Growth is sized as a step in year {}: today's {} cameras now, {} from year {} ({}). In year {} {}; {}{licences}. The costs include the step.",
        g.year,
        plan.cameras_today,
        g.cameras,
        g.year,
        asked_words(g),
        g.year,
        buys_words("NVR", nvr_buys),
        buys_words("VMS", vms_buys),
    )
}

/// The grown design's units carry today's cameras only: the added cameras' positions are
/// dropped, each unit's loads are today's, with what it was sized for kept in `sized_for`, and
/// its own PoE ports are handed out again over the cameras it keeps.
fn deploy_today(
    sites: &mut [SiteRecorders],
    gsized: &Sized,
    today: &SiteFile,
    (headroom, catalog): (&HeadroomPolicy, &Catalog),
) {
    let today_count = |si: usize| -> usize {
        today.sites[si]
            .cameras
            .iter()
            .map(|g| g.count.0 as usize)
            .sum()
    };
    for (sr, (si, items)) in sites.iter_mut().zip(&gsized.recorded) {
        let own = gsized
            .site_items
            .get(*si)
            .map_or(&[][..], |(_, i)| i.as_slice());
        // Today's cameras: the site's own below today's count, and those of each copy recorded
        // here below that site's count today (each numbers today's cameras first).
        let here = sr.recorded_here.clone();
        let is_today = |slot: usize| {
            if slot < own.len() {
                return slot < today_count(*si);
            }
            here.iter()
                .find(|h| (h.first_slot..h.first_slot + h.slots).contains(&slot))
                .is_some_and(|h| slot - h.first_slot < today_count(h.site_index))
        };
        if sr.records_at.is_some() {
            sr.cameras = today_count(*si) as u32;
            sr.network_bps = own
                .iter()
                .filter(|i| is_today(i.slot))
                .map(|i| i.wire)
                .sum();
            continue;
        }
        let by_slot: std::collections::BTreeMap<usize, &Item> =
            items.iter().map(|i| (i.slot, i)).collect();
        for u in sr.units.iter_mut().filter(|u| !u.failover) {
            u.sized_for = Some(crate::design::SizedFor {
                cameras: u.cameras,
                ingest_bps: u.ingest_bps,
                link_bps: u.link_bps,
                capacity_needed_bytes: u.capacity_needed_bytes,
            });
            u.camera_slots.retain(|s| is_today(*s));
            let kept: Vec<Item> = u
                .camera_slots
                .iter()
                .filter_map(|s| by_slot.get(s).copied().copied())
                .collect();
            u.cameras = kept.len() as u32;
            u.ingest_bps = kept.iter().map(|i| i.ingest).sum();
            u.recorded_bytes = kept.iter().map(|i| i.bytes).sum();
            u.capacity_needed_bytes = headroom.capacity_needed(Bytes(u.recorded_bytes)).get();
            let ports = catalog
                .nvr
                .iter()
                .find(|m| m.id == u.model_id)
                .map_or_else(PoePorts::default, nvr_poe);
            let poe = poe_and_link(&kept, ports);
            u.link_bps = poe.link_bps;
            u.poe_used_mw = poe.used_mw;
            u.poe_powered = poe.slots.len() as u32;
            u.external_poe = poe.external;
            u.poe_slots = poe.slots;
        }
        for h in &mut sr.recorded_here {
            h.cameras = today_count(h.site_index) as u32;
        }
        sr.cameras = items.iter().filter(|i| is_today(i.slot)).count() as u32;
        sr.network_bps = items
            .iter()
            .filter(|i| is_today(i.slot))
            .map(|i| i.wire)
            .sum();
    }
}

/// A recorder the site file fixes, and how many of it.
enum Fixed<'a> {
    Nvr(&'a NvrModel, u32),
    Server(&'a ServerModel, u32),
}

fn fixed_recorder<'a>(
    index: usize,
    s: &crate::site::Site,
    catalog: &'a Catalog,
) -> Result<Option<Fixed<'a>>, InputError> {
    let Some(id) = s.network.recorder.as_deref() else {
        return Ok(None);
    };
    let count = s.network.recorders.map_or(1, |c| c.0);
    // By catalog id, or by the model as a designer types it ("Hanwha XRN-1620B2", "xrn1620b2"),
    // letters and digits compared without case.
    let simple = |t: &str| -> String {
        t.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let wanted = simple(id);
    let mut found: Vec<(&str, Fixed<'a>)> = Vec::new();
    for m in &catalog.nvr {
        let names = [
            m.id.clone(),
            m.model.clone(),
            format!("{} {}", m.maker, m.model),
        ];
        if m.id == id || names.iter().any(|n| simple(n) == wanted) {
            found.push((m.id.as_str(), Fixed::Nvr(m, count)));
        }
    }
    for m in &catalog.server {
        if m.id == id || simple(&m.id) == wanted || simple(&m.name) == wanted {
            found.push((m.id.as_str(), Fixed::Server(m, count)));
        }
    }
    if let Some(exact) = found.iter().position(|(fid, _)| *fid == id) {
        return Ok(Some(found.swap_remove(exact).1));
    }
    match found.len() {
        1 => return Ok(found.pop().map(|(_, f)| f)),
        0 => {}
        _ => {
            let ids: Vec<&str> = found.iter().map(|(fid, _)| *fid).collect();
            return Err(input_error(
                &format!("site[{index}].network.recorder"),
                format!("{id:?} names more than one catalog recorder"),
                format!("name it by catalog id: one of {}", ids.join(", ")),
            ));
        }
    }
    let ids: Vec<&str> = catalog
        .nvr
        .iter()
        .map(|m| m.id.as_str())
        .chain(catalog.server.iter().map(|m| m.id.as_str()))
        .collect();
    let hint = match crate::input::did_you_mean(id, ids.iter().copied()) {
        Some(best) => format!("did you mean {best:?}?"),
        None => format!("one of: {}", ids.join(", ")),
    };
    Err(input_error(
        &format!("site[{index}].network.recorder"),
        format!("{id:?} is neither the id nor the model of an NVR or server in the catalog"),
        hint,
    ))
}

/// The servers one failover server stands by for: positions in the plan's site list, the one
/// server it pairs with (`failover`) or every server of those sites (N+1), and its pool.
struct StandbyFor {
    pool: Option<String>,
    sites: Vec<usize>,
    server: Option<usize>,
}

/// Who shares a failover server. N+1: each failover pool's sites (in file order; names compared
/// without case or surrounding spaces) share one, and every site outside a pool has its own.
/// `failover`: every server has its own.
fn standby_groups(site: &SiteFile, servers: &[SiteRecorders]) -> Vec<StandbyFor> {
    let mut groups: Vec<StandbyFor> = Vec::new();
    for (k, s) in site.sites.iter().enumerate().take(servers.len()) {
        match site.requirements.redundancy {
            Redundancy::None => {}
            Redundancy::Failover => {
                groups.extend((0..servers[k].units.len()).map(|n| StandbyFor {
                    pool: None,
                    sites: vec![k],
                    server: Some(n),
                }));
            }
            Redundancy::NPlusOne => {
                let pool = s.failover_pool.as_deref().map(str::trim);
                let same = |g: &&mut StandbyFor| {
                    g.pool
                        .as_deref()
                        .zip(pool)
                        .is_some_and(|(a, b)| a.eq_ignore_ascii_case(b))
                };
                match groups.iter_mut().find(|g| same(g)) {
                    Some(g) => g.sites.push(k),
                    None => groups.push(StandbyFor {
                        pool: pool.map(str::to_string),
                        sites: vec![k],
                        server: None,
                    }),
                }
            }
        }
    }
    groups
}

/// What a failover server must hold to take over any one of the servers `group` names: the
/// largest camera count, ingest, link load and `days` of recordings among them (each camera's
/// own retention where shorter). `None` when those sites have no servers.
fn cover_of(
    group: &StandbyFor,
    servers: &[SiteRecorders],
    site_items: &[(usize, Vec<Item>)],
    days: u32,
) -> Option<(Load, Covers)> {
    let mut load = Load::default();
    let mut covers = Covers {
        pool: group.pool.clone(),
        sites: Vec::new(),
        servers: 0,
        server: group.server.map(|n| n as u32 + 1),
        cameras: 0,
        ingest_bps: 0,
        link_bps: 0,
        retention_days: days,
        recorded_bytes: 0,
    };
    for &k in &group.sites {
        let items: BTreeMap<usize, &Item> = site_items[k].1.iter().map(|i| (i.slot, i)).collect();
        covers.sites.push(servers[k].site.clone());
        let units = servers[k]
            .units
            .iter()
            .enumerate()
            .filter(|(n, u)| !u.failover && group.server.is_none_or(|only| only == *n));
        for (_, u) in units {
            let kept: u64 = u
                .camera_slots
                .iter()
                .filter_map(|slot| items.get(slot))
                .map(|i| i.kept_for(days))
                .sum();
            covers.servers += 1;
            load.cameras = load.cameras.max(u.cameras);
            load.ingest = load.ingest.max(u.ingest_bps);
            load.wire = load.wire.max(u.link_bps);
            load.bytes = load.bytes.max(kept);
        }
    }
    covers.cameras = load.cameras;
    covers.ingest_bps = load.ingest;
    covers.link_bps = load.wire;
    covers.recorded_bytes = load.bytes;
    (covers.servers > 0).then_some((load, covers))
}

/// `u` as the failover server it is: no cameras of its own until it takes over, and what it was
/// sized for.
fn standby_of(u: RecorderUnit, covers: Covers) -> RecorderUnit {
    RecorderUnit {
        cameras: 0,
        ingest_bps: 0,
        link_bps: 0,
        recorded_bytes: 0,
        failover: true,
        covers: Some(covers),
        camera_slots: Vec::new(),
        poe_slots: Vec::new(),
        ..u
    }
}

/// A failover server with the load it carries once it has taken over, for its ceilings to be
/// checked against.
fn taking_over(u: &RecorderUnit) -> RecorderUnit {
    let c = u.covers.as_ref();
    RecorderUnit {
        cameras: c.map_or(u.cameras, |c| c.cameras),
        ingest_bps: c.map_or(u.ingest_bps, |c| c.ingest_bps),
        link_bps: c.map_or(u.link_bps, |c| c.link_bps),
        ..u.clone()
    }
}

impl Design<'_> {
    /// Adds the failover servers the site file's `redundancy` asks for, each at the first site
    /// it stands by for, sized by [`cover_of`] on the cheapest model that holds it; notes the
    /// failover retention used and how pools were placed.
    fn add_standbys(
        &self,
        servers: &mut Servers,
        site_items: &[(usize, Vec<Item>)],
        server_bins: &[Bin],
        reserve: f64,
        used: &mut FiguresUsed,
    ) -> Result<(), InputError> {
        let (site, d) = (self.site, &self.catalog.defaults);
        servers.failover_notes = pool_notes(site);
        if site.requirements.redundancy == Redundancy::None {
            return Ok(());
        }
        let days = site_or_default(
            used,
            self.catalog,
            "failover-retention-days",
            site.requirements.failover_retention_days.map(|r| r.0),
            &d.failover_retention_days,
        );
        for group in standby_groups(site, &servers.sites) {
            let Some((load, covers)) = cover_of(&group, &servers.sites, site_items, days) else {
                continue;
            };
            let mut bins: Vec<Bin> = server_bins.to_vec();
            for &k in &group.sites {
                if let Some(Fixed::Server(model, _)) =
                    fixed_recorder(site_items[k].0, &site.sites[site_items[k].0], self.catalog)?
                {
                    bins.push(server_bin(
                        model,
                        &self.rules,
                        reserve,
                        self.rate,
                        self.link,
                    ));
                }
            }
            let host = group.sites[0];
            let Some(unit) = self.standby_unit(&load, &bins, &servers.sites[host]) else {
                servers.problem.get_or_insert_with(|| {
                    format!(
                        "site {:?}: no server model can stand by for its servers",
                        servers.sites[host].site
                    )
                });
                continue;
            };
            if covers.sites.len() > 1 {
                // The streams that cross between sites: another site's server failing.
                let crossing = group.sites[1..]
                    .iter()
                    .flat_map(|k| &servers.sites[*k].units)
                    .map(|u| u.link_bps)
                    .max()
                    .unwrap_or(0);
                let pool = covers.pool.as_deref().unwrap_or_default();
                let links = self.pool_links(&group, pool, &servers.sites);
                servers.failover_notes.push(format!(
                    "failover pool {:?}: one failover server at {} stands by for the {} servers of {}; when a server at another of these sites fails, its streams (up to {} with protocol overhead) cross the network between the sites to it{}",
                    pool,
                    covers.sites[0],
                    covers.servers,
                    covers.sites.join(", "),
                    Bitrate(crossing),
                    pool_link_words(&links)
                ));
                servers
                    .violations
                    .extend(links.iter().filter_map(pool_link_violation));
                if let Some(c) = site.sites[site_items[host].0].network.wan_uplink {
                    servers.failover_notes.push(format!(
                        "wan-uplink = {c} on {} has no effect: the failover server of pool {pool:?} stands there, and the links of the pool's other sites lead to it",
                        covers.sites[0]
                    ));
                }
                servers.pool_links.extend(links);
                if !servers.pool_links.is_empty() {
                    note_sourced(used, self.catalog, "link-utilization", &d.link_utilization);
                }
            }
            let at = &mut servers.sites[host];
            at.units.push(standby_of(unit, covers));
            let n = at.units.len();
            if let Some(u) = at.units.last() {
                servers.violations.extend(unit_violations(
                    &format!("{} / server-{n} ({}) taking over", at.site, u.model),
                    &taking_over(u),
                ));
            }
        }
        Ok(())
    }

    /// The links of a failover pool's other sites to the site of its failover server (the
    /// first of `group`'s sites): each carries, when that site's busiest server fails, that
    /// server's streams; checked against the site's `wan-uplink` when it gives one.
    fn pool_links(&self, group: &StandbyFor, pool: &str, sites: &[SiteRecorders]) -> Vec<PoolLink> {
        let utilization = self.catalog.defaults.link_utilization.value;
        let host = &sites[group.sites[0]].site;
        group.sites[1..]
            .iter()
            .map(|&k| {
                let load = sites[k]
                    .units
                    .iter()
                    .filter(|u| !u.failover)
                    .map(|u| u.link_bps)
                    .max()
                    .unwrap_or(0);
                let uplink = self.site.sites.get(k).and_then(|s| s.network.wan_uplink);
                PoolLink {
                    pool: pool.to_string(),
                    site: sites[k].site.clone(),
                    host: host.clone(),
                    load_bps: load,
                    utilization,
                    needed_bps: capacity_for(load, utilization),
                    uplink_bps: uplink.map(Bitrate::bps),
                    fits: uplink.map(|c| load <= ingest::link_limit(c, utilization)),
                }
            })
            .collect()
    }

    /// The cheapest of `bins` that holds `load` with drives of the size `host`'s servers use
    /// (one drive size per site), else with any allowed size; when none holds it, the model of
    /// `host`'s biggest server with the most drives it takes, for its shortfall to be reported.
    fn standby_unit(
        &self,
        load: &Load,
        bins: &[Bin],
        host: &SiteRecorders,
    ) -> Option<RecorderUnit> {
        let cheapest = |rules: &StorageRules| {
            bins.iter()
                .filter(|b| load.fits_in(b, &rules.headroom))
                .filter_map(|b| realise(load, b, rules, true))
                .min_by(|a, b| a.price().total_cmp(&b.price()))
        };
        let site_size = host
            .units
            .iter()
            .find(|u| u.drives > 0)
            .map(|u| u.drive_size_bytes);
        let same_size = site_size.and_then(|size| {
            cheapest(&StorageRules {
                drives: self
                    .rules
                    .drives
                    .iter()
                    .copied()
                    .filter(|dm| dm.size.get() == size)
                    .collect(),
                ..self.rules
            })
        });
        same_size.or_else(|| cheapest(&self.rules)).or_else(|| {
            let biggest = host
                .units
                .iter()
                .max_by(|a, b| a.price().total_cmp(&b.price()))?;
            let bin = bins.iter().find(|b| b.id == biggest.model_id)?;
            Some(realise_fixed(load, bin, &self.rules))
        })
    }
}

/// A pool's links in words, after the pool's note: what each needs and what it is given.
fn pool_link_words(links: &[PoolLink]) -> String {
    let each: Vec<String> = links
        .iter()
        .map(|l| {
            let given = match (l.uplink_bps, l.fits) {
                (Some(c), Some(true)) => format!(", its wan-uplink of {} carries it", Bitrate(c)),
                (Some(c), _) => format!(", its wan-uplink of {} is too small", Bitrate(c)),
                (None, _) => String::new(),
            };
            format!(
                "{} → {} needs {} ({} under {:.0}% of the link){given}",
                l.site,
                l.host,
                Bitrate(l.needed_bps),
                Bitrate(l.load_bps),
                l.utilization * 100.0
            )
        })
        .collect();
    if each.is_empty() {
        return String::new();
    }
    format!("; the link {}", each.join("; "))
}

/// A pool link the site file gives that is too small for a failed server's streams.
fn pool_link_violation(l: &PoolLink) -> Option<Violation> {
    let capacity = Bitrate(l.uplink_bps?);
    let limit = ingest::link_limit(capacity, l.utilization);
    (l.fits == Some(false)).then(|| {
        let element = l.element();
        Violation {
            message: format!(
                "{element}: when a server at {} fails, up to {} of its streams cross it to the failover server at {}, over its limit of {} ({:.0}% of {}); it needs {}",
                l.site,
                Bitrate(l.load_bps),
                l.host,
                Bitrate(limit),
                l.utilization * 100.0,
                capacity,
                Bitrate(l.needed_bps)
            ),
            element,
            ceiling: Ceiling::Failover,
            load: l.load_bps,
            limit,
            unit: Unit::BitsPerSecond,
        }
    })
}

/// Why a site's failover pool has no effect: pools share an N+1 server, so with any other
/// redundancy they change nothing; and a pool one site names alone, when its name is close to
/// another pool's (a likely typo).
fn pool_notes(site: &SiteFile) -> Vec<String> {
    let pooled: Vec<(&str, &str)> = site
        .sites
        .iter()
        .filter_map(|s| {
            s.failover_pool
                .as_deref()
                .map(|p| (s.name.as_str(), p.trim()))
        })
        .collect();
    if pooled.is_empty() {
        return Vec::new();
    }
    if site.requirements.redundancy != Redundancy::NPlusOne {
        let what = match site.requirements.redundancy {
            Redundancy::Failover => {
                "with redundancy = \"failover\" every server has its own failover server at its site"
            }
            _ => "without redundancy there is no failover server to share",
        };
        return vec![format!(
            "failover-pool has no effect: pools share one N+1 failover server, and {what} (set on {})",
            pooled
                .iter()
                .map(|(s, _)| *s)
                .collect::<Vec<_>>()
                .join(", ")
        )];
    }
    let count = |pool: &str| {
        pooled
            .iter()
            .filter(|(_, p)| p.eq_ignore_ascii_case(pool))
            .count()
    };
    pooled
        .iter()
        .filter(|(_, p)| count(p) == 1)
        .filter_map(|(s, p)| {
            let others = pooled.iter().map(|(_, o)| *o).filter(|o| !o.eq_ignore_ascii_case(p));
            crate::input::did_you_mean(p, others).map(|near| {
                format!(
                    "failover pool {p:?} is named by {s} alone, so it shares nothing; did you mean {near:?}?"
                )
            })
        })
        .collect()
}

/// The decision path: every answer that needs a VMS is a reason.
fn recommend(site: &SiteFile, nvr: &NvrOption, summary: &Summary) -> Recommendation {
    let r = &site.requirements;
    let mut reasons = Vec::new();
    let mut fire = |code: &'static str, text: String| reasons.push(Reason { code, text });
    // Sites that record at another site's recorders keep none of their own: what a VMS would
    // join is the places that hold recorders.
    let recording_places: u64 = site
        .sites
        .iter()
        .filter(|s| s.record_at.is_none())
        .map(|s| u64::from(s.copies.0))
        .sum();
    if recording_places > 1 {
        let central = match summary.sites - recording_places {
            0 => String::new(),
            n => format!(" with recorders, besides {n} recorded at one of them"),
        };
        fire(
            "multi-site",
            format!(
                "more than one site ({recording_places} sites{central}): a VMS manages every site's recorders, users and video as one system"
            ),
        );
    }
    if let Some(s) = nvr.sites.iter().find(|s| s.units.len() > 1) {
        fire(
            "exceeds-one-recorder",
            format!(
                "more cameras than one recorder holds: site {:?} needs {} NVR units for {} cameras",
                s.site,
                s.units.len(),
                s.cameras
            ),
        );
    }
    let mut brands: BTreeSet<String> = r
        .camera_brands
        .iter()
        .map(|b| b.trim().to_lowercase())
        .collect();
    brands.extend(
        site.sites
            .iter()
            .flat_map(|s| &s.cameras)
            .filter_map(|g| g.brand.as_ref())
            .map(|b| b.trim().to_lowercase()),
    );
    if brands.len() > 1 {
        fire(
            "multiple-brands",
            format!(
                "more than one camera brand ({}): NVR appliances are tuned for their own brand; a VMS supports each through its own driver or ONVIF",
                brands.into_iter().collect::<Vec<_>>().join(", ")
            ),
        );
    }
    if !matches!(r.analytics, Analytics::None | Analytics::Motion) {
        fire(
            "advanced-analytics",
            format!(
                "analytics beyond motion detection ({}): needs a VMS analytics plug-in or server",
                r.analytics
            ),
        );
    }
    if !r.integrations.is_empty() {
        fire(
            "integrations",
            format!(
                "integration with {}: VMS platforms offer these through SDKs and certified plug-ins",
                r.integrations
                    .iter()
                    .map(|i| i.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    if r.role_based_users {
        fire(
            "role-based-users",
            "role-based users: per-site and per-camera permissions need a VMS user model".into(),
        );
    }
    if r.audit_trail {
        fire(
            "audit-trail",
            "an audit trail of viewing and export is required: a VMS logs who did what".into(),
        );
    }
    let planned_channels: u64 = nvr
        .sites
        .iter()
        .map(|s| {
            s.units
                .iter()
                .map(|u| u64::from(u.camera_limit))
                .sum::<u64>()
                * u64::from(s.copies)
        })
        .sum();
    // Only an NVR option that can be built has channels to outgrow: an infeasible one's "0"
    // would be an artefact, not a reason (its own problem is stated with it).
    if nvr.feasible
        && summary.cameras_in_36_months > summary.cameras
        && summary.cameras_in_36_months > planned_channels
    {
        fire(
            "growth",
            format!(
                "growth beyond the recorder: {} cameras expected within 36 months, the planned NVR units hold {planned_channels}",
                summary.cameras_in_36_months
            ),
        );
    }
    match r.redundancy {
        Redundancy::None => {}
        Redundancy::NPlusOne => fire("redundancy", "N+1 redundancy: a failover recording server takes over from a failed one; NVR appliances have no failover".into()),
        Redundancy::Failover => fire("redundancy", "failover: a standby recording server per server; NVR appliances have no failover".into()),
    }
    if let Some(p) = &nvr.problem {
        fire(
            "nvr-infeasible",
            format!("no NVR appliance option fits: {p}"),
        );
    }
    let (choice, summary_text) = if reasons.is_empty() {
        (Choice::Nvr, "NVR appliance: no requirement calls for a VMS, and an appliance is the simplest system to run.".to_string())
    } else {
        (
            Choice::Vms,
            format!("VMS: {} requirement(s) call for it.", reasons.len()),
        )
    };
    Recommendation {
        choice,
        reasons,
        summary: summary_text,
        cost_note: None,
    }
}

/// The sentence that reconciles the recommendation with the money: why a dearer option is
/// recommended, or why an option is not compared on cost. `None` when the money agrees.
fn cost_note(
    r: &Recommendation,
    tco: &[YearCost],
    nvr: &NvrOption,
    vms: &VmsOption,
    horizon: u32,
) -> Option<String> {
    if let Some(p) = &nvr.problem {
        return Some(format!(
            "NVR appliances cannot be built ({p}), so they are not compared on cost."
        ));
    }
    if let Some(p) = &vms.problem {
        return Some(format!(
            "The VMS option cannot be built ({p}), so it is not compared on cost."
        ));
    }
    let last = tco.last()?;
    let (n, v) = (last.nvr_cumulative?, last.vms_cumulative?);
    match r.choice {
        Choice::Vms if n < v => Some(format!(
            "The VMS is recommended for what it does, not for its price: over {horizon} years it costs {} more than NVR appliances, which is what meeting the {} requirement(s) above costs.",
            (v - n).whole(),
            r.reasons.len()
        )),
        Choice::Nvr if v < n => Some(format!(
            "NVR appliances are recommended because no requirement calls for a VMS, although over {horizon} years a VMS would cost {} less; consider it when the people who run the system matter more than its simplicity.",
            (n - v).whole()
        )),
        _ => None,
    }
}

/// Records a `[defaults]` figure the plan used because the site file left it out.
fn note_default(
    used: &mut FiguresUsed,
    catalog: &Catalog,
    what: &str,
    value: String,
    source: &Option<String>,
    assumption: &Option<String>,
) {
    let basis = Basis::of(
        catalog,
        source.as_deref(),
        source.is_none(),
        assumption.as_deref(),
    );
    used.push(
        format!("defaults.{what}"),
        &what.replace('-', " "),
        value,
        default_unit(what),
        basis,
    );
}

/// Records a figure the catalog has a default for and the site file sets.
fn set_in_site(used: &mut FiguresUsed, what: &str, value: String) {
    used.push(
        format!("defaults.{what}"),
        &what.replace('-', " "),
        value,
        default_unit(what),
        Basis::SiteFile,
    );
}

/// The unit of a `[defaults]` figure.
fn default_unit(name: &str) -> &'static str {
    match name {
        "horizon-years" | "nvr-refresh-years" => "years",
        "growth-year" => "cost year",
        "retention-days" | "failover-retention-days" => "days",
        "fps" => "frames/s",
        "hot-spares" => "drives per recorder",
        "raid-max-group" => "drives per RAID group",
        "format-loss"
        | "fill-target"
        | "safety-margin"
        | "nvr-ingest-reserve"
        | "server-ingest-reserve"
        | "network-overhead"
        | "link-utilization" => "fraction",
        _ => "",
    }
}

/// Records the catalog's product figures the options used: recorder, server and drive prices,
/// power draws and refresh ages, the VMS product's licence and care terms, its platform items,
/// the cloud reference's price, and the bitrate model where a group's bitrate was estimated.
fn note_products(
    used: &mut FiguresUsed,
    catalog: &Catalog,
    site: &SiteFile,
    nvr: &NvrOption,
    vms: &VmsOption,
    cloud: Option<&CloudContext>,
) {
    note_design_rules(used, catalog, site, nvr, vms);
    note_nvr_models(used, catalog, nvr);
    note_server_models(used, catalog, vms);
    note_drives(used, catalog, nvr, vms);
    if vms.feasible
        && let Some(p) = catalog.vms_product(&vms.product_id)
    {
        note_vms_product(used, catalog, p);
    }
    if let Some(c) = cloud {
        note_cloud(used, catalog, c);
    }
    note_bitrate_model(used, catalog, site);
}

/// The catalog ids of the units planned at `sites`, each once.
fn unit_models(sites: &[SiteRecorders]) -> Vec<String> {
    let mut ids: Vec<String> = sites
        .iter()
        .flat_map(|s| s.units.iter().map(|u| u.model_id.clone()))
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// The design rules the plan applied: protocol overhead, and the RAID group limit when a
/// parity RAID was planned.
fn note_design_rules(
    used: &mut FiguresUsed,
    catalog: &Catalog,
    site: &SiteFile,
    nvr: &NvrOption,
    vms: &VmsOption,
) {
    let d = &catalog.defaults;
    note_default(
        used,
        catalog,
        "network-overhead",
        number(d.network_overhead.value),
        &d.network_overhead.source,
        &d.network_overhead.assumption,
    );
    if nvr
        .sites
        .iter()
        .chain(&vms.sites)
        .flat_map(|s| &s.units)
        .any(|u| u.layout.contains("RAID 5") || u.layout.contains("RAID 6"))
        || matches!(
            site.storage.raid.map(|r| r.0),
            Some(RaidLevel::Raid5 | RaidLevel::Raid6)
        )
    {
        note_default(
            used,
            catalog,
            "raid-max-group",
            d.raid_max_group.value.to_string(),
            &d.raid_max_group.source,
            &d.raid_max_group.assumption,
        );
    }
}

/// Price, power and refresh of every NVR model planned.
fn note_nvr_models(used: &mut FiguresUsed, catalog: &Catalog, nvr: &NvrOption) {
    let cur = catalog.currency.as_str();
    let d = &catalog.defaults;
    for id in unit_models(&nvr.sites) {
        let Some(m) = catalog.nvr.iter().find(|m| m.id == id) else {
            continue;
        };
        let prov = (
            m.source.as_deref(),
            m.assumed.as_slice(),
            m.assumption.as_deref(),
        );
        let name = format!("{} {}", m.maker, m.model);
        used.product(
            catalog,
            "nvr",
            &id,
            "price",
            &format!("{name}: price, drives excluded"),
            number(m.price),
            cur,
            prov,
        );
        if let Some(w) = m.watts {
            used.product(
                catalog,
                "nvr",
                &id,
                "watts",
                &format!("{name}: power without drives"),
                number(w.milliwatts() as f64 / 1000.0),
                "W",
                prov,
            );
        }
        match m.refresh_years {
            Some(r) => used.product(
                catalog,
                "nvr",
                &id,
                "refresh-years",
                &format!("{name}: replaced after"),
                r.to_string(),
                "years",
                prov,
            ),
            None => note_default(
                used,
                catalog,
                "nvr-refresh-years",
                d.nvr_refresh_years.value.to_string(),
                &d.nvr_refresh_years.source,
                &d.nvr_refresh_years.assumption,
            ),
        }
    }
}

/// Price, power and refresh of every server model planned.
fn note_server_models(used: &mut FiguresUsed, catalog: &Catalog, vms: &VmsOption) {
    let cur = catalog.currency.as_str();
    for id in unit_models(&vms.sites) {
        let Some(m) = catalog.server.iter().find(|m| m.id == id) else {
            continue;
        };
        let prov = (
            m.source.as_deref(),
            m.assumed.as_slice(),
            m.assumption.as_deref(),
        );
        used.product(
            catalog,
            "server",
            &id,
            "price",
            &format!("{}: price, drives excluded", m.name),
            number(m.price),
            cur,
            prov,
        );
        if let Some(w) = m.watts {
            used.product(
                catalog,
                "server",
                &id,
                "watts",
                &format!("{}: power without drives", m.name),
                number(w.milliwatts() as f64 / 1000.0),
                "W",
                prov,
            );
        }
        used.product(
            catalog,
            "server",
            &id,
            "refresh-years",
            &format!("{}: replaced after", m.name),
            m.refresh_years.to_string(),
            "years",
            prov,
        );
    }
}

/// The price of each drive size planned (the cheapest drive of that size).
fn note_drives(used: &mut FiguresUsed, catalog: &Catalog, nvr: &NvrOption, vms: &VmsOption) {
    let cur = catalog.currency.as_str();
    let mut sizes: Vec<u64> = nvr
        .sites
        .iter()
        .chain(&vms.sites)
        .flat_map(|s| &s.units)
        .filter(|u| u.drives > 0)
        .map(|u| u.drive_size_bytes)
        .collect();
    sizes.sort_unstable();
    sizes.dedup();
    for size in sizes {
        let drive = catalog
            .drive
            .iter()
            .filter(|dm| dm.size.get() == size)
            .min_by(|a, b| a.price.total_cmp(&b.price));
        if let Some(dm) = drive {
            used.product(
                catalog,
                "drive",
                &dm.id,
                "price",
                &format!("{} drive: price each", Bytes(size)),
                number(dm.price),
                cur,
                (
                    dm.source.as_deref(),
                    dm.assumed.as_slice(),
                    dm.assumption.as_deref(),
                ),
            );
        }
    }
}

/// The licence, care and platform figures of the VMS product chosen.
fn note_vms_product(used: &mut FiguresUsed, catalog: &Catalog, p: &crate::catalog::VmsProduct) {
    let cur = catalog.currency.as_str();
    let prov = (
        p.source.as_deref(),
        p.assumed.as_slice(),
        p.assumption.as_deref(),
    );
    let mut field = |f: &str, what: &str, value: String, unit: &str| {
        used.product(
            catalog,
            "vms",
            &p.id,
            f,
            &format!("{}: {what}", p.name),
            value,
            unit,
            prov,
        );
    };
    field("base", "base licence", number(p.base), cur);
    field(
        "per-channel",
        "licence per channel",
        number(p.per_channel),
        cur,
    );
    if p.free_channels > 0 {
        field(
            "free-channels",
            "channels included",
            p.free_channels.to_string(),
            "channels",
        );
    }
    if let Some(m) = p.unlimited_per_machine {
        field(
            "unlimited-per-machine",
            "licence per recording server, any channels",
            number(m),
            cur,
        );
    }
    if p.care_rate > 0.0 {
        field(
            "care-rate",
            "care per year, share of the licence",
            number(p.care_rate),
            "fraction/year",
        );
    }
    if p.care_per_channel > 0.0 {
        field(
            "care-per-channel",
            "care per channel a year",
            number(p.care_per_channel),
            &format!("{cur}/channel/year"),
        );
    }
    field(
        "care-first-year-included",
        "first year of care included",
        if p.care_first_year_included {
            "yes"
        } else {
            "no"
        }
        .into(),
        "",
    );
    for item in catalog
        .platform
        .iter()
        .filter(|pl| p.platform.contains(&pl.id))
    {
        used.product(
            catalog,
            "platform",
            &item.id,
            "price",
            &format!("{}: price each", item.name),
            number(item.price),
            cur,
            (
                item.source.as_deref(),
                item.assumed.as_slice(),
                item.assumption.as_deref(),
            ),
        );
    }
}

/// The cloud reference: which service, its price and tiers.
fn note_cloud(used: &mut FiguresUsed, catalog: &Catalog, c: &CloudContext) {
    let cur = catalog.currency.as_str();
    let d = &catalog.defaults;
    note_default(
        used,
        catalog,
        "cloud",
        d.cloud.value.clone(),
        &d.cloud.source,
        &d.cloud.assumption,
    );
    if let Some(svc) = catalog.cloud.iter().find(|s| s.id == c.id) {
        let basis = Basis::of(catalog, svc.source.as_deref(), false, svc.note.as_deref());
        used.push(
            format!("cloud.{}.per-camera-year", svc.id),
            &format!("{}: entry price per camera a year", svc.name),
            number(svc.per_camera_year),
            cur,
            basis.clone(),
        );
        if !svc.tiers.is_empty() {
            let tiers: Vec<String> = svc
                .tiers
                .iter()
                .map(|t| {
                    format!(
                        "{} days ≤{} MP: {}",
                        t.retention_days,
                        number(t.max_megapixels),
                        number(t.per_camera_year)
                    )
                })
                .collect();
            used.push(
                format!("cloud.{}.tiers", svc.id),
                &format!("{}: price tiers per camera a year", svc.name),
                tiers.join("; "),
                cur,
                basis,
            );
        }
    }
}

/// Records the bitrate model's figures for the groups whose bitrate was estimated.
fn note_bitrate_model(used: &mut FiguresUsed, catalog: &Catalog, site: &SiteFile) {
    let b = &catalog.bitrate;
    let modelled: Vec<&crate::site::CameraGroup> = site
        .sites
        .iter()
        .flat_map(|s| &s.cameras)
        .filter(|g| g.bitrate_kbps.is_none())
        .collect();
    let src = |id: &str| Basis::of(catalog, Some(id), false, None);
    if modelled.iter().any(|g| g.codec != sizing::Codec::Mjpeg) {
        let curve: Vec<String> = b
            .curve
            .iter()
            .map(|p| format!("{} MP {}", number(p.megapixels), number(p.kbps)))
            .collect();
        used.push(
            "bitrate.curve".into(),
            "H.264 bitrate by resolution, medium scene, at the reference frame rate",
            curve.join(", "),
            &format!("kbit/s at {} fps", number(b.reference_fps)),
            src(&b.source),
        );
    }
    if modelled
        .iter()
        .any(|g| g.fps.is_some_and(|f| (f.0 - b.reference_fps).abs() > 1e-9))
    {
        used.push(
            "bitrate.fps-exponent".into(),
            "frame-rate scaling exponent",
            number(b.fps_exponent),
            "",
            src(&b.source),
        );
    }
    let cf = &b.codec_factor;
    for g in &modelled {
        let factor = match g.codec {
            sizing::Codec::Mjpeg => None,
            sizing::Codec::H264 => Some(&cf.h264),
            sizing::Codec::H265 => Some(&cf.h265),
            sizing::Codec::H264Smart => Some(&cf.h264_smart),
            sizing::Codec::H265Smart => Some(&cf.h265_smart),
        };
        let scene = format!("{:?}", g.scene).to_lowercase();
        if let Some(f) = factor {
            let source = match f {
                crate::catalog::Factor::Sourced { source, .. } => source.clone(),
                crate::catalog::Factor::Plain(_) => cf.source.clone(),
            };
            used.push(
                format!("bitrate.codec-factor.{}", g.codec.as_str()),
                &format!("{} bitrate relative to H.264", g.codec.as_str()),
                number(f.value()),
                "",
                src(&source),
            );
            let st = &b.scene_factor;
            let v = match g.scene {
                sizing::Scene::Low => st.low,
                sizing::Scene::Medium => st.medium,
                sizing::Scene::High => st.high,
            };
            used.push(
                format!("bitrate.scene-factor.{scene}"),
                &format!("{scene}-activity scene factor"),
                number(v),
                "",
                Basis::of(
                    catalog,
                    st.source.as_deref(),
                    st.source.is_none(),
                    st.assumption.as_deref(),
                ),
            );
        } else if g.mjpeg_frame_kb.is_none() {
            let st = &b.mjpeg_bytes_per_pixel;
            let v = match g.scene {
                sizing::Scene::Low => st.low,
                sizing::Scene::Medium => st.medium,
                sizing::Scene::High => st.high,
            };
            used.push(
                format!("bitrate.mjpeg-bytes-per-pixel.{scene}"),
                &format!("MJPEG bytes per pixel, {scene}-activity scene"),
                number(v),
                "B/px",
                Basis::of(
                    catalog,
                    st.source.as_deref(),
                    st.source.is_none(),
                    st.assumption.as_deref(),
                ),
            );
        }
    }
    if site.sites.iter().flat_map(|s| &s.cameras).any(|g| g.audio) {
        used.push(
            "bitrate.audio".into(),
            "audio and container on top of the video stream",
            b.audio.kbps.to_string(),
            "kbit/s",
            src(&b.audio.source),
        );
    }
}
