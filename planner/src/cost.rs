//! What each option costs, year by year, as it is really paid: purchase and refresh at each
//! product's age, licences, care from the year the terms bill it, the platform software a VMS
//! needs, drives that fail, power, and the people who run the system. Then where the cumulative
//! costs cross, the cost lines that make the difference, and what would make them cross when they
//! do not within the horizon.
//!
//! The plan's design stages (recorders, servers, drives) hand this module what they chose;
//! everything about money over time lives here, in exact cents ([`Money`]). An option that cannot
//! be built has no cost (`None`) and is never compared. Pure: no I/O.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::catalog::{Catalog, PlatformKind, PlatformPer, VmsProduct};
use crate::design::{GroupPlan, NvrOption, RecorderUnit, SiteRecorders, VmsOption};
use crate::figures::{Basis, FigureUsed};
use crate::growth::OptionStep;
use crate::input::InputError;
use crate::input::input_error;
use crate::money::Money;
use crate::site::SiteFile;

/// Years looked ahead, past the horizon, to say when options that do not cross would.
const LOOK_AHEAD_YEARS: u32 = 30;

/// A kind of cost: the lines of each year and the stacks of the cost chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CostKind {
    /// Recorders, servers and their drives, bought and replaced at their refresh age.
    Hardware,
    /// VMS licences.
    Licences,
    /// Software care (upgrade plans, support agreements).
    Care,
    /// Operating system, database and management server a VMS needs.
    Platform,
    /// Failed drives replaced.
    Drives,
    /// Electricity.
    Power,
    /// The hours people spend running the system, at the labour rate.
    Management,
}

impl CostKind {
    /// Every kind, in the order of the chart's stacks.
    pub const ALL: [CostKind; 7] = [
        CostKind::Hardware,
        CostKind::Licences,
        CostKind::Care,
        CostKind::Platform,
        CostKind::Drives,
        CostKind::Power,
        CostKind::Management,
    ];

    /// The stable kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            CostKind::Hardware => "hardware",
            CostKind::Licences => "licences",
            CostKind::Care => "care",
            CostKind::Platform => "platform",
            CostKind::Drives => "drives",
            CostKind::Power => "power",
            CostKind::Management => "management",
        }
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            CostKind::Hardware => "hardware (purchase and refresh)",
            CostKind::Licences => "VMS licences",
            CostKind::Care => "software care",
            CostKind::Platform => "OS, database and management server",
            CostKind::Drives => "failed drives replaced",
            CostKind::Power => "power",
            CostKind::Management => "management labour",
        }
    }
}

/// An option's cost in one year, by kind (kinds that cost nothing are left out).
pub type Lines = BTreeMap<CostKind, Money>;

pub use crate::design::VmsAlternative;

/// Cloud VMS shown as a reference line.
#[derive(Debug, Clone, Serialize)]
pub struct CloudContext {
    /// Catalog id.
    pub id: String,
    /// Product.
    pub name: String,
    /// Price per camera per year: the entry price, or the average of the tiers the cameras need.
    pub per_camera_year: Money,
    /// Spend per year for every camera.
    pub per_year: Money,
    /// Whether the price follows what the cameras store (retention and resolution tiers).
    pub comparable: bool,
    /// Why not, when it is not.
    pub not_comparable: Option<String>,
    /// With growth as a step: the reference for the grown cameras from the step year on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_step: Option<CloudFromStep>,
}

/// The cloud reference after a growth step, priced the same way for the grown cameras.
#[derive(Debug, Clone, Serialize)]
pub struct CloudFromStep {
    /// The step's cost year, 1-based: the first year at this price.
    pub year: u32,
    /// Price per camera per year after the step.
    pub per_camera_year: Money,
    /// Spend per year for every camera after the step.
    pub per_year: Money,
}

impl CloudContext {
    /// The reference's spend in `year` (1-based): the grown cameras' from a step's year on.
    pub fn per_year_in(&self, year: u32) -> Money {
        match &self.from_step {
            Some(s) if year >= s.year => s.per_year,
            _ => self.per_year,
        }
    }
}

/// One year of cost.
#[derive(Debug, Clone, Serialize)]
pub struct YearCost {
    /// Year, 1-based.
    pub year: u32,
    /// NVR option spend in the year (`null` when the option cannot be built).
    pub nvr: Option<Money>,
    /// VMS option spend in the year (`null` when the option cannot be built).
    pub vms: Option<Money>,
    /// Cloud reference spend in the year.
    pub cloud: Money,
    /// NVR cumulative.
    pub nvr_cumulative: Option<Money>,
    /// VMS cumulative.
    pub vms_cumulative: Option<Money>,
    /// Cloud cumulative.
    pub cloud_cumulative: Money,
    /// The NVR option's spend by kind.
    pub nvr_lines: Option<Lines>,
    /// The VMS option's spend by kind.
    pub vms_lines: Option<Lines>,
}

/// Which option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Side {
    /// NVR appliances.
    Nvr,
    /// VMS.
    Vms,
}

impl Side {
    /// "nvr" or "vms".
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Nvr => "nvr",
            Side::Vms => "vms",
        }
    }

    /// "NVR appliances" or "the VMS".
    pub fn label(self) -> &'static str {
        match self {
            Side::Nvr => "NVR appliances",
            Side::Vms => "the VMS",
        }
    }

    /// The other option.
    fn other(self) -> Side {
        match self {
            Side::Nvr => Side::Vms,
            Side::Vms => Side::Nvr,
        }
    }

    /// The verb ending that agrees with [`Side::label`]: "cost" / "costs".
    fn s(self) -> &'static str {
        match self {
            Side::Nvr => "",
            Side::Vms => "s",
        }
    }
}

/// Where the cumulative costs of the two options cross.
#[derive(Debug, Clone, Serialize)]
pub struct Crossover {
    /// First year in which the cumulative order flips.
    pub year: u32,
    /// The option that is cheaper from that year on.
    pub cheaper_from_then: Side,
}

/// Hours a year for one kind of work.
#[derive(Debug, Clone, Serialize)]
pub struct HourLine {
    /// What the hours are for.
    pub what: &'static str,
    /// How many things need them (systems, servers, sites, cameras, expected failed drives).
    pub count: f64,
    /// Hours a year for each.
    pub hours_each: f64,
    /// Hours a year in all.
    pub hours: f64,
}

/// What an option costs to run, a year.
#[derive(Debug, Clone, Serialize)]
pub struct Operating {
    /// Systems managed one by one: each NVR appliance, or the one VMS platform.
    pub managed_systems: u64,
    /// Hours a year by kind of work.
    pub hours: Vec<HourLine>,
    /// Hours a year in all.
    pub hours_per_year: f64,
    /// Labour a year.
    pub labour_per_year: Money,
    /// Power drawn by recorders, servers, drives and the cameras' PoE, watts.
    pub watts: f64,
    /// Energy a year, kWh (PUE included).
    pub kwh_per_year: f64,
    /// Power a year.
    pub power_per_year: Money,
    /// Drives installed.
    pub drives: u64,
    /// Drives expected to fail a year.
    pub drive_failures_per_year: f64,
    /// Replacement drives a year (parts; the swap is in the hours).
    pub drives_per_year: Money,
    /// Care a year once billed.
    pub care_per_year: Money,
    /// Labour, power, drives and care: what the option costs a year once bought.
    pub per_year: Money,
}

/// One cost line that makes the options differ over the horizon.
#[derive(Debug, Clone, Serialize)]
pub struct Driver {
    /// The kind of cost.
    pub kind: CostKind,
    /// The NVR option's total of it over the horizon.
    pub nvr: Money,
    /// The VMS option's total of it over the horizon.
    pub vms: Money,
    /// NVR minus VMS: positive when it makes the NVR option dearer.
    pub nvr_minus_vms: Money,
}

/// What would make options that do not cross within the horizon cross.
#[derive(Debug, Clone, Serialize)]
pub struct WouldCross {
    /// The year they would cross with today's figures, within 30 years, if they would.
    pub year: Option<u32>,
    /// The labour rate at which they would cross within the horizon, if one would.
    pub labour_rate: Option<Money>,
}

/// The cost model's results beyond the yearly table.
#[derive(Debug, Clone, Serialize)]
pub struct Costs {
    /// The NVR option's operating costs (`null` when it cannot be built).
    pub nvr: Option<Operating>,
    /// The VMS option's operating costs (`null` when it cannot be built).
    pub vms: Option<Operating>,
    /// The three cost lines that differ most between the options over the horizon.
    pub drivers: Vec<Driver>,
    /// When the options do not cross within the horizon: what would make them.
    pub would_cross: Option<WouldCross>,
    /// The comparison in one or two sentences.
    pub verdict: String,
}

/// What the VMS option's licences are priced against.
#[derive(Debug, Clone, Copy)]
pub struct VmsCosting<'a> {
    /// The catalog (platform items).
    pub catalog: &'a Catalog,
    /// Licensed channels.
    pub channels: u64,
    /// Recording servers, failover included.
    pub servers: u64,
    /// Servers and drives as bought, in the project currency.
    pub hardware: f64,
    /// Server replacement cycle.
    pub refresh_years: u32,
    /// Years costed.
    pub horizon: u32,
    /// Project currency per catalog currency.
    pub rate: f64,
}

/// The VMS product chosen, why, and every eligible one cheapest first.
#[derive(Debug, Clone)]
pub struct PricedVms {
    /// The product used by the VMS option.
    pub chosen: VmsAlternative,
    /// Why this one.
    pub reason: String,
    /// Every product that can license the channels, cheapest over the horizon first.
    pub alternatives: Vec<VmsAlternative>,
}

/// Whether `year` (0-based) is one in which equipment replaced every `refresh` years is bought.
fn bought_in(year: u32, refresh: u32) -> bool {
    year.is_multiple_of(refresh.max(1))
}

/// The platform items `p` needs, priced for `servers` recording servers: (first purchase, bought
/// again at each refresh).
fn platform_prices(p: &VmsProduct, catalog: &Catalog, servers: u64, rate: f64) -> (Money, Money) {
    let has_management = p.platform.iter().any(|id| {
        catalog
            .platform
            .iter()
            .any(|pl| &pl.id == id && pl.kind == PlatformKind::ManagementServer)
    });
    let machines = servers + u64::from(has_management);
    let (mut first, mut refreshed) = (Money::ZERO, Money::ZERO);
    for item in catalog
        .platform
        .iter()
        .filter(|pl| p.platform.contains(&pl.id))
    {
        let count = match item.per {
            PlatformPer::Server => machines,
            PlatformPer::System => 1,
        };
        let cost = Money::from_f64(item.price * rate * count as f64);
        first += cost;
        if item.refreshed {
            refreshed += cost;
        }
    }
    (first, refreshed)
}

/// The first year (1-based) care is billed.
fn care_from_year(p: &VmsProduct) -> u32 {
    if p.care_first_year_included { 2 } else { 1 }
}

/// One product priced over the horizon, or `None` when its edition cannot hold the channels.
fn price_product(p: &VmsProduct, c: VmsCosting) -> Option<VmsAlternative> {
    let licence = Money::from_f64(p.licence_cost(c.channels, c.servers)? * c.rate);
    let care = Money::from_f64(p.care_per_year(licence.as_f64() / c.rate, c.channels) * c.rate);
    let (platform, platform_refreshed) = platform_prices(p, c.catalog, c.servers, c.rate);
    let hardware = Money::from_f64(c.hardware);
    let from = care_from_year(p);
    let total = (0..c.horizon)
        .map(|y| {
            let mut t = Money::ZERO;
            if bought_in(y, c.refresh_years) {
                t += hardware + if y == 0 { platform } else { platform_refreshed };
            }
            if y == 0 {
                t += licence;
            }
            if y + 1 >= from {
                t += care;
            }
            t
        })
        .sum();
    Some(VmsAlternative {
        id: p.id.clone(),
        name: p.name.clone(),
        licence,
        care_per_year: care,
        care_from_year: from,
        platform,
        total,
    })
}

/// The product the site file asks for (`requirements.vms`), or the cheapest over the horizon.
pub fn choose_vms(
    site: &SiteFile,
    catalog: &Catalog,
    c: VmsCosting,
) -> Result<PricedVms, InputError> {
    let mut alternatives: Vec<VmsAlternative> = catalog
        .vms
        .iter()
        .filter_map(|p| price_product(p, c))
        .collect();
    alternatives.sort_by_key(|a| a.total);
    let channels = c.channels;
    let asked = site
        .requirements
        .vms
        .as_deref()
        .filter(|v| !v.eq_ignore_ascii_case("cheapest"));
    let (chosen, reason) = match asked {
        Some(id) => {
            let product = catalog.vms_product(id).ok_or_else(|| {
                let ids: Vec<&str> = catalog.vms.iter().map(|v| v.id.as_str()).collect();
                let mut hint = format!("use \"cheapest\" or one of: {}", ids.join(", "));
                if let Some(best) = crate::input::did_you_mean(id, ids.iter().copied()) {
                    hint = format!("did you mean {best:?}? ({hint})");
                }
                input_error(
                    "requirements.vms",
                    format!("{id:?} is not a VMS in the catalog"),
                    hint,
                )
            })?;
            let alt = price_product(product, c).ok_or_else(|| {
                input_error(
                    "requirements.vms",
                    format!(
                        "{} is capped at {} channels; the plan needs {channels}",
                        product.name,
                        product.max_channels.unwrap_or(0)
                    ),
                    "choose a larger edition or \"cheapest\"".into(),
                )
            })?;
            (alt, "asked for in the site file".to_string())
        }
        None => match alternatives.first() {
            Some(a) => (
                a.clone(),
                format!(
                    "cheapest of {} eligible products over {} years",
                    alternatives.len(),
                    c.horizon
                ),
            ),
            None => {
                return Err(input_error(
                    "requirements.vms",
                    format!("no VMS in the catalog can license {channels} channels"),
                    "add a licence model with --catalog".into(),
                ));
            }
        },
    };
    Ok(PricedVms {
        chosen,
        reason,
        alternatives,
    })
}

/// The catalog's default cloud service priced for what the cameras store: each group at the
/// cheapest tier that keeps its retention at its resolution. A service without tiers, or without
/// a tier some group needs, is shown at its entry price and marked not comparable.
pub fn cloud_context(
    catalog: &Catalog,
    groups: &[GroupPlan],
    megapixels: &[f64],
    rate: f64,
) -> Option<CloudContext> {
    let c = catalog
        .cloud
        .iter()
        .find(|c| c.id == catalog.defaults.cloud.value)?;
    let cameras: u64 = groups.iter().map(|g| g.total_count).sum();
    let entry = Money::from_f64(c.per_camera_year * rate);
    let flat = |why: String| CloudContext {
        id: c.id.clone(),
        name: c.name.clone(),
        per_camera_year: entry,
        per_year: Money::from_f64(c.per_camera_year * rate * cameras as f64),
        comparable: false,
        not_comparable: Some(why),
        from_step: None,
    };
    if c.tiers.is_empty() {
        return Some(flat(format!(
            "priced at its entry price of {} a camera a year whatever the retention and resolution; the catalog has no price tiers for it",
            entry.whole()
        )));
    }
    let mut per_year = Money::ZERO;
    for (g, mp) in groups.iter().zip(megapixels) {
        let tier = c
            .tiers
            .iter()
            .filter(|t| t.retention_days >= g.retention_days && t.max_megapixels + 1e-9 >= *mp)
            .min_by(|a, b| a.per_camera_year.total_cmp(&b.per_camera_year));
        match tier {
            Some(t) => {
                per_year += Money::from_f64(t.per_camera_year * rate * g.total_count as f64);
            }
            None => {
                return Some(flat(format!(
                    "no tier of it keeps {} days at {} ({}: {})",
                    g.retention_days, g.resolution, g.site, g.name
                )));
            }
        }
    }
    Some(CloudContext {
        id: c.id.clone(),
        name: c.name.clone(),
        per_camera_year: if cameras == 0 {
            entry
        } else {
            Money(per_year.cents() / cameras as i64)
        },
        per_year,
        comparable: true,
        not_comparable: None,
        from_step: None,
    })
}

/// The operating figures in force: the site file's `[costs]` over the catalog's `[operating]`.
pub struct Figures {
    values: BTreeMap<&'static str, f64>,
    /// Each figure with where it came from.
    pub used: Vec<FigureUsed>,
}

/// The unit of an `[operating]` figure, money in `currency`.
pub fn operating_unit(name: &str, currency: &str) -> String {
    match name {
        "labour-rate" => format!("{currency}/h"),
        "energy-price" => format!("{currency}/kWh"),
        "pue" => String::new(),
        "drive-annual-failure-rate" => "failures per drive-year".into(),
        "drive-swap-hours" => "h per failed drive".into(),
        n if n.ends_with("-watts") => "W".into(),
        n if n.ends_with("-cycles-per-year") => "cycles/year".into(),
        n if n.starts_with("patch-hours-") => "h per cycle".into(),
        _ => "h/year".into(),
    }
}

impl Figures {
    /// Resolves every figure for `site`.
    pub fn resolve(site: &SiteFile, catalog: &Catalog) -> Figures {
        let mut values = BTreeMap::new();
        let mut used = Vec::new();
        for (name, f) in catalog.operating.figures() {
            let (value, basis) = match site.costs.get(name) {
                Some(v) => (v, Basis::SiteFile),
                None => (
                    f.value,
                    Basis::of(
                        catalog,
                        f.source.as_deref(),
                        f.source.is_none(),
                        f.assumption.as_deref(),
                    ),
                ),
            };
            values.insert(name, value);
            used.push(FigureUsed {
                entry: format!("operating.{name}"),
                what: name.replace('-', " "),
                value: crate::figures::number(value),
                unit: operating_unit(name, &catalog.currency),
                basis,
            });
        }
        Figures { values, used }
    }

    /// A figure by its `[operating]` name (0 for a name the catalog does not have).
    pub fn get(&self, name: &str) -> f64 {
        self.values.get(name).copied().unwrap_or(0.0)
    }
}

/// Everything the cost model reads besides the two options.
pub struct CostInputs<'a> {
    /// The catalog.
    pub catalog: &'a Catalog,
    /// Operating figures in force.
    pub figures: &'a Figures,
    /// Project currency per catalog currency.
    pub rate: f64,
    /// Years costed.
    pub horizon: u32,
    /// Sites, copies included.
    pub sites: u64,
    /// Cameras, copies included.
    pub cameras: u64,
    /// PoE drawn by every camera, milliwatts.
    pub poe_mw: u64,
    /// The chosen VMS product.
    pub vms_product: Option<&'a VmsProduct>,
    /// The growth step, when the site file sizes growth as a step.
    pub step: Option<&'a CostStep<'a>>,
}

/// A growth step as the cost model reads it: the grown options, what the step buys for each
/// and the cameras after it.
pub struct CostStep<'a> {
    /// The step's cost year, 1-based.
    pub year: u32,
    /// The NVR option for the grown site.
    pub nvr: &'a NvrOption,
    /// The VMS option for the grown site.
    pub vms: &'a VmsOption,
    /// What the NVR option's step buys.
    pub nvr_buys: &'a OptionStep,
    /// What the VMS option's step buys.
    pub vms_buys: &'a OptionStep,
    /// Cameras after the step, copies included.
    pub cameras: u64,
    /// PoE drawn by every camera after the step, milliwatts.
    pub poe_mw: u64,
    /// The cloud reference for the grown site.
    pub cloud: Option<&'a CloudContext>,
}

impl CostInputs<'_> {
    /// The inputs for the grown site after a step: its cameras, no further step.
    fn after<'b>(&'b self, step: &'b CostStep<'b>) -> CostInputs<'b> {
        CostInputs {
            catalog: self.catalog,
            figures: self.figures,
            rate: self.rate,
            horizon: self.horizon,
            sites: self.sites,
            cameras: step.cameras,
            poe_mw: step.poe_mw,
            vms_product: self.vms_product,
            step: None,
        }
    }
}

/// Today's purchases of an option (replaced at the step where the step says so) and the
/// step's own, each on its model's refresh cycle.
fn purchases(
    units: &[(&RecorderUnit, u64, &str)],
    step: Option<(u32, &OptionStep)>,
    refresh_of: &dyn Fn(&str) -> u32,
) -> (Vec<Purchase>, Vec<Purchase>) {
    let replaced = |site: &str| step.and_then(|(year, buys)| buys.replaces(site).then_some(year));
    let today = units
        .iter()
        .map(|(u, copies, site)| Purchase {
            price: Money::from_f64(u.price() * *copies as f64),
            refresh: refresh_of(&u.model_id),
            from: 0,
            first: 0,
            until: replaced(site),
        })
        .collect();
    let added = step.map_or_else(Vec::new, |(year, buys)| {
        buys.purchases
            .iter()
            .map(|(p, copies)| Purchase {
                price: Money::from_f64(p.price * *copies as f64),
                refresh: refresh_of(&p.model_id),
                from: if p.with_kept_unit { 0 } else { year },
                first: year,
                until: None,
            })
            .collect()
    });
    (today, added)
}

/// Units of an option with their copies and site: (unit, copies, site name).
fn units_of(sites: &[SiteRecorders]) -> impl Iterator<Item = (&RecorderUnit, u64, &str)> {
    sites.iter().flat_map(|s| {
        s.units
            .iter()
            .map(move |u| (u, u64::from(s.copies), s.site.as_str()))
    })
}

/// Equipment on a refresh cycle that starts in year `from` (0-based), bought first in year
/// `first` and at each refresh after it, until year `until` when the growth step replaces it.
/// Drives a step adds to a kept recorder are bought first in the step year and then refreshed
/// with the recorder (`from` 0).
#[derive(Debug, Clone, Copy)]
struct Purchase {
    price: Money,
    refresh: u32,
    from: u32,
    first: u32,
    until: Option<u32>,
}

impl Purchase {
    fn bought_in(&self, year: u32) -> bool {
        year >= self.first
            && year >= self.from
            && self.until.is_none_or(|u| year < u)
            && (year == self.first || bought_in(year - self.from, self.refresh))
    }
}

/// What a growth step adds to an option's schedule from its year on.
struct StepSchedule {
    /// The step's year, 0-based.
    year: u32,
    /// Units and drives the step buys (refreshed on their own cycle from the step on).
    hardware: Vec<Purchase>,
    /// Licences for the added channels.
    licence: Money,
    /// Platform items for the added servers.
    platform: Money,
    /// The grown option's running costs, which apply from the step on.
    after: Schedule,
}

/// How an option is bought and run, before it is spread over the years.
struct Schedule {
    hardware: Vec<Purchase>,
    licence: Money,
    care: Money,
    care_from: u32,
    platform_first: Money,
    platform_refreshed: Money,
    platform_refresh: u32,
    operating: Operating,
    step: Option<Box<StepSchedule>>,
}

impl Schedule {
    /// The option's spend in `year` (0-based), by kind; labour left out unless `labour`.
    fn year(&self, year: u32, labour: bool) -> Lines {
        let mut lines = Lines::new();
        let mut add = |k: CostKind, m: Money| {
            if m != Money::ZERO {
                *lines.entry(k).or_default() += m;
            }
        };
        for p in &self.hardware {
            if p.bought_in(year) {
                add(CostKind::Hardware, p.price);
            }
        }
        if year == 0 {
            add(CostKind::Licences, self.licence);
            add(CostKind::Platform, self.platform_first);
        } else if bought_in(year, self.platform_refresh) {
            // After a growth step the platform is refreshed for the grown option's servers.
            let refreshed = match &self.step {
                Some(step) if year > step.year => step.after.platform_refreshed,
                _ => self.platform_refreshed,
            };
            add(CostKind::Platform, refreshed);
        }
        let running = match &self.step {
            Some(step) if year >= step.year => {
                for p in &step.hardware {
                    if p.bought_in(year) {
                        add(CostKind::Hardware, p.price);
                    }
                }
                if year == step.year {
                    add(CostKind::Licences, step.licence);
                    add(CostKind::Platform, step.platform);
                }
                &step.after
            }
            _ => self,
        };
        // Licences a step buys are billed care on their own terms: with the first year included,
        // from the year after the step; until then only today's licences' care runs.
        let care_terms = match &self.step {
            Some(step) if year >= step.year && year + 1 < step.year + step.after.care_from => self,
            _ => running,
        };
        if year + 1 >= care_terms.care_from {
            add(CostKind::Care, care_terms.care);
        }
        add(CostKind::Drives, running.operating.drives_per_year);
        add(CostKind::Power, running.operating.power_per_year);
        if labour {
            add(CostKind::Management, running.operating.labour_per_year);
        }
        lines
    }

    fn cumulative(&self, years: u32, labour: bool) -> Money {
        (0..years)
            .map(|y| self.year(y, labour).values().copied().sum::<Money>())
            .sum()
    }

    /// Hours of work over the first `years` years.
    fn hours(&self, years: u32) -> f64 {
        (0..years)
            .map(|y| match &self.step {
                Some(step) if y >= step.year => step.after.operating.hours_per_year,
                _ => self.operating.hours_per_year,
            })
            .sum()
    }
}

fn hour_line(what: &'static str, count: f64, hours_each: f64) -> HourLine {
    HourLine {
        what,
        count,
        hours_each,
        hours: count * hours_each,
    }
}

/// Power, drives and hours common to both options' shapes.
struct Running {
    watts: f64,
    drives: u64,
    drive_price_sum: f64,
}

fn running(
    units: &[(&RecorderUnit, u64, &str)],
    watts_of: &dyn Fn(&RecorderUnit) -> f64,
    f: &Figures,
) -> Running {
    let mut r = Running {
        watts: 0.0,
        drives: 0,
        drive_price_sum: 0.0,
    };
    for (u, copies, _) in units {
        let n = *copies as f64;
        r.watts += n * (watts_of(u) + f64::from(u.drives) * f.get("drive-watts"));
        r.drives += u64::from(u.drives) * copies;
        r.drive_price_sum += n * u.drives_price;
    }
    r
}

fn operating(
    inp: &CostInputs,
    managed_systems: u64,
    mut hours: Vec<HourLine>,
    run: Running,
    care: Money,
) -> Operating {
    let f = inp.figures;
    let afr = f.get("drive-annual-failure-rate");
    let failures = run.drives as f64 * afr;
    hours.push(hour_line(
        "site visits",
        inp.sites as f64,
        f.get("admin-hours-per-site"),
    ));
    hours.push(hour_line(
        "cameras",
        inp.cameras as f64,
        f.get("admin-hours-per-camera"),
    ));
    hours.push(hour_line(
        "failed drives swapped",
        failures,
        f.get("drive-swap-hours"),
    ));
    let hours_per_year: f64 = hours.iter().map(|h| h.hours).sum();
    let labour_per_year = Money::from_f64(hours_per_year * f.get("labour-rate") * inp.rate);
    let watts = run.watts + inp.poe_mw as f64 / 1000.0;
    let kwh_per_year = watts * 24.0 * 365.0 / 1000.0 * f.get("pue");
    let power_per_year = Money::from_f64(kwh_per_year * f.get("energy-price") * inp.rate);
    let drives_per_year = Money::from_f64(run.drive_price_sum * afr);
    Operating {
        managed_systems,
        hours,
        hours_per_year,
        labour_per_year,
        watts,
        kwh_per_year,
        power_per_year,
        drives: run.drives,
        drive_failures_per_year: failures,
        drives_per_year,
        care_per_year: care,
        per_year: labour_per_year + power_per_year + drives_per_year + care,
    }
}

fn nvr_schedule(inp: &CostInputs, nvr: &NvrOption) -> Option<Schedule> {
    if !nvr.feasible {
        return None;
    }
    let f = inp.figures;
    let units: Vec<(&RecorderUnit, u64, &str)> = units_of(&nvr.sites).collect();
    let model = |id: &str| inp.catalog.nvr.iter().find(|m| m.id == id);
    let watts_of = |u: &RecorderUnit| {
        model(&u.model_id)
            .and_then(|m| m.watts)
            .map_or(f.get("nvr-watts"), |w| w.milliwatts() as f64 / 1000.0)
    };
    let run = running(&units, &watts_of, f);
    let refresh_of = |id: &str| {
        model(id)
            .and_then(|m| m.refresh_years)
            .unwrap_or(nvr.refresh_years)
    };
    let step = inp
        .step
        .filter(|st| st.nvr.feasible && st.nvr_buys.feasible);
    let (hardware, added) = purchases(
        &units,
        step.map(|st| (st.year - 1, st.nvr_buys)),
        &refresh_of,
    );
    let step = match step {
        Some(st) => Some(Box::new(StepSchedule {
            year: st.year - 1,
            hardware: added,
            licence: Money::ZERO,
            platform: Money::ZERO,
            after: nvr_schedule(&inp.after(st), st.nvr)?,
        })),
        None => None,
    };
    let n = nvr.units as f64;
    let hours = vec![
        hour_line(
            "administration (each NVR on its own)",
            n,
            f.get("admin-hours-per-nvr"),
        ),
        hour_line(
            "firmware updates",
            n,
            f.get("nvr-firmware-cycles-per-year") * f.get("patch-hours-per-nvr"),
        ),
        hour_line(
            "health monitoring (each NVR on its own)",
            n,
            f.get("monitoring-hours-per-nvr"),
        ),
        hour_line(
            "remote support",
            n,
            f.get("remote-support-hours-per-system"),
        ),
    ];
    Some(Schedule {
        hardware,
        licence: Money::ZERO,
        care: Money::ZERO,
        care_from: 1,
        platform_first: Money::ZERO,
        platform_refreshed: Money::ZERO,
        platform_refresh: nvr.refresh_years,
        operating: operating(inp, nvr.units, hours, run, Money::ZERO),
        step,
    })
}

fn vms_schedule(inp: &CostInputs, vms: &VmsOption) -> Option<Schedule> {
    if !vms.feasible {
        return None;
    }
    let f = inp.figures;
    let units: Vec<(&RecorderUnit, u64, &str)> = units_of(&vms.sites).collect();
    let model = |id: &str| inp.catalog.server.iter().find(|m| m.id == id);
    let watts_of = |u: &RecorderUnit| {
        model(&u.model_id)
            .and_then(|m| m.watts)
            .map_or(f.get("server-watts"), |w| w.milliwatts() as f64 / 1000.0)
    };
    let mut run = running(&units, &watts_of, f);
    let refresh_of = |id: &str| model(id).map_or(vms.refresh_years, |m| m.refresh_years);
    let step = inp
        .step
        .filter(|st| st.vms.feasible && st.vms_buys.feasible);
    let (hardware, added) = purchases(
        &units,
        step.map(|st| (st.year - 1, st.vms_buys)),
        &refresh_of,
    );
    let (platform_first, platform_refreshed, management) = match inp.vms_product {
        Some(p) => {
            let (first, again) = platform_prices(p, inp.catalog, vms.servers, inp.rate);
            let management = p.platform.iter().any(|id| {
                inp.catalog
                    .platform
                    .iter()
                    .any(|pl| &pl.id == id && pl.kind == PlatformKind::ManagementServer)
            });
            (first, again, management)
        }
        None => (Money::ZERO, Money::ZERO, false),
    };
    if management {
        run.watts += f.get("management-server-watts");
    }
    let s = vms.servers as f64;
    let machines = s + if management { 1.0 } else { 0.0 };
    let hours = vec![
        hour_line(
            "administration of the VMS platform",
            1.0,
            f.get("admin-hours-per-vms-platform"),
        ),
        hour_line(
            "administration per recording server",
            s,
            f.get("admin-hours-per-recording-server"),
        ),
        hour_line(
            "operating-system patches",
            machines,
            f.get("server-patch-cycles-per-year") * f.get("patch-hours-per-server"),
        ),
        hour_line(
            "health monitoring (one dashboard)",
            1.0,
            f.get("monitoring-hours-per-vms-platform"),
        ),
        hour_line(
            "remote support",
            1.0,
            f.get("remote-support-hours-per-system"),
        ),
    ];
    let care = vms.care_per_year.unwrap_or_default();
    let licence = vms.licence.unwrap_or_default();
    let step = match step {
        Some(st) => {
            let after = vms_schedule(&inp.after(st), st.vms)?;
            Some(Box::new(StepSchedule {
                year: st.year - 1,
                hardware: added,
                licence: (after.licence - licence).max(Money::ZERO),
                platform: (after.platform_first - platform_first).max(Money::ZERO),
                after,
            }))
        }
        None => None,
    };
    Some(Schedule {
        hardware,
        licence,
        care,
        care_from: inp.vms_product.map_or(1, care_from_year),
        platform_first,
        platform_refreshed,
        platform_refresh: vms.refresh_years,
        operating: operating(inp, 1, hours, run, care),
        step,
    })
}

/// The yearly table, the crossover and the cost model's findings for both options.
pub fn costs(
    inp: &CostInputs,
    nvr: &NvrOption,
    vms: &VmsOption,
    cloud: Option<&CloudContext>,
) -> (Vec<YearCost>, Option<Crossover>, Costs) {
    let ns = nvr_schedule(inp, nvr);
    let vs = vms_schedule(inp, vms);
    let mut tco = Vec::new();
    let (mut nc, mut vc, mut cc) = (Money::ZERO, Money::ZERO, Money::ZERO);
    for y in 0..inp.horizon {
        let nl = ns.as_ref().map(|s| s.year(y, true));
        let vl = vs.as_ref().map(|s| s.year(y, true));
        let n = nl.as_ref().map(|l| l.values().copied().sum::<Money>());
        let v = vl.as_ref().map(|l| l.values().copied().sum::<Money>());
        nc += n.unwrap_or_default();
        vc += v.unwrap_or_default();
        let cloud_year = cloud.map_or(Money::ZERO, |c| c.per_year_in(y + 1));
        cc += cloud_year;
        tco.push(YearCost {
            year: y + 1,
            nvr: n,
            vms: v,
            cloud: cloud_year,
            nvr_cumulative: n.map(|_| nc),
            vms_cumulative: v.map(|_| vc),
            cloud_cumulative: cc,
            nvr_lines: nl,
            vms_lines: vl,
        });
    }
    let crossover = find_crossover(&tco);
    let drivers = match (&ns, &vs) {
        (Some(_), Some(_)) => drivers(&tco),
        _ => Vec::new(),
    };
    let would_cross = match (&ns, &vs, &crossover) {
        (Some(n), Some(v), None) => Some(would_cross(inp, n, v)),
        _ => None,
    };
    let verdict = verdict(
        inp,
        nvr,
        vms,
        &tco,
        crossover.as_ref(),
        would_cross.as_ref(),
        &drivers,
    );
    let costs = Costs {
        nvr: ns.map(|s| s.operating),
        vms: vs.map(|s| s.operating),
        drivers,
        would_cross,
        verdict,
    };
    (tco, crossover, costs)
}

/// The first year in which the cheaper option by cumulative cost changes, if any. Options that
/// cannot be built have no cost and never cross.
pub fn find_crossover(tco: &[YearCost]) -> Option<Crossover> {
    let order = |y: &YearCost| Some(y.nvr_cumulative? <= y.vms_cumulative?);
    let nvr_cheaper_at_start = order(tco.first()?)?;
    // The crossover that lasts: the last change of the cheaper option, when the horizon ends on
    // the other option (lines that cross and cross back have not crossed by the end).
    let mut last = None;
    let mut before = nvr_cheaper_at_start;
    for y in tco.iter().skip(1) {
        let nvr_cheaper = order(y)?;
        if nvr_cheaper != before {
            last = Some((y.year, nvr_cheaper));
        }
        before = nvr_cheaper;
    }
    let (year, nvr_cheaper) = last?;
    (nvr_cheaper != nvr_cheaper_at_start).then_some(Crossover {
        year,
        cheaper_from_then: if nvr_cheaper { Side::Nvr } else { Side::Vms },
    })
}

/// One option's spend over the whole horizon by kind (`None` when it cannot be built). The
/// proposal stacks these; `drivers` ranks their differences.
pub fn totals_by_kind(tco: &[YearCost], side: Side) -> Option<Lines> {
    fn lines(y: &YearCost, side: Side) -> Option<&Lines> {
        match side {
            Side::Nvr => y.nvr_lines.as_ref(),
            Side::Vms => y.vms_lines.as_ref(),
        }
    }
    if tco.is_empty() || tco.iter().any(|y| lines(y, side).is_none()) {
        return None;
    }
    let mut totals = Lines::new();
    for (kind, money) in tco.iter().filter_map(|y| lines(y, side)).flatten() {
        *totals.entry(*kind).or_insert(Money::ZERO) += *money;
    }
    Some(totals)
}

/// The three kinds of cost that differ most between the options over the horizon.
fn drivers(tco: &[YearCost]) -> Vec<Driver> {
    let nvr_totals = totals_by_kind(tco, Side::Nvr).unwrap_or_default();
    let vms_totals = totals_by_kind(tco, Side::Vms).unwrap_or_default();
    let total = |totals: &Lines, kind: CostKind| totals.get(&kind).copied().unwrap_or(Money::ZERO);
    let mut d: Vec<Driver> = CostKind::ALL
        .iter()
        .map(|&kind| {
            let nvr = total(&nvr_totals, kind);
            let vms = total(&vms_totals, kind);
            Driver {
                kind,
                nvr,
                vms,
                nvr_minus_vms: nvr - vms,
            }
        })
        .filter(|d| d.nvr_minus_vms != Money::ZERO)
        .collect();
    d.sort_by_key(|d| std::cmp::Reverse(d.nvr_minus_vms.abs()));
    d.truncate(3);
    d
}

/// With today's figures, the year within 30 the options would cross; and the labour rate at
/// which they would cross within the horizon (costs are linear in the rate).
fn would_cross(inp: &CostInputs, n: &Schedule, v: &Schedule) -> WouldCross {
    let year = (1..=LOOK_AHEAD_YEARS).find(|&y| {
        let a = n.cumulative(y, true) <= v.cumulative(y, true);
        let b = n.cumulative(y + 1, true) <= v.cumulative(y + 1, true);
        a != b
    });
    let year = year.map(|y| y + 1).filter(|&y| y > inp.horizon);
    let h = inp.horizon;
    let no_labour = |s: &Schedule| s.cumulative(h, false).as_f64();
    let dh = n.hours(h) - v.hours(h);
    let labour_rate = (dh.abs() > 1e-9)
        .then(|| (no_labour(v) - no_labour(n)) / dh)
        .filter(|r| r.is_finite() && *r > 0.0)
        .map(Money::from_f64);
    WouldCross { year, labour_rate }
}

/// The comparison in words: who is cheaper, by how much, why, and what would change it.
fn verdict(
    inp: &CostInputs,
    nvr: &NvrOption,
    vms: &VmsOption,
    tco: &[YearCost],
    crossover: Option<&Crossover>,
    would: Option<&WouldCross>,
    drivers: &[Driver],
) -> String {
    let h = inp.horizon;
    if !nvr.feasible || !vms.feasible {
        let (side, why) = if nvr.feasible {
            ("The VMS option", vms.problem.clone())
        } else {
            ("The NVR option", nvr.problem.clone())
        };
        return format!(
            "{side} is not feasible ({}), so the options are not compared on cost.",
            why.unwrap_or_default()
        );
    }
    let Some(last) = tco.last() else {
        return String::new();
    };
    let (Some(nc), Some(vc)) = (last.nvr_cumulative, last.vms_cumulative) else {
        return String::new();
    };
    let driver_words = if drivers.is_empty() {
        String::new()
    } else {
        let named: Vec<String> = drivers
            .iter()
            .map(|d| {
                let dearer = if d.nvr_minus_vms > Money::ZERO {
                    "NVR"
                } else {
                    "VMS"
                };
                format!(
                    "{} ({dearer} +{})",
                    d.kind.label(),
                    d.nvr_minus_vms.abs().whole()
                )
            })
            .collect();
        format!(" Main drivers of the difference: {}.", named.join(", "))
    };
    let head = match crossover {
        Some(x) => format!(
            "The cumulative costs cross in year {}: {} cost{} less from then on ({} less by year {h}).",
            x.year,
            x.cheaper_from_then.label(),
            x.cheaper_from_then.s(),
            (nc - vc).abs().whole()
        ),
        None => {
            let cheaper = if nc <= vc { Side::Nvr } else { Side::Vms };
            // Years in which the other option was ahead, though the lines crossed back.
            let other_ahead: Vec<String> = tco
                .iter()
                .filter(|y| match (y.nvr_cumulative, y.vms_cumulative) {
                    (Some(n), Some(v)) => (n <= v) != (cheaper == Side::Nvr),
                    _ => false,
                })
                .map(|y| y.year.to_string())
                .collect();
            let mut t = if other_ahead.is_empty() {
                format!(
                    "No crossover within {h} years: {} stay{} cheaper, by {} at year {h}.",
                    cheaper.label(),
                    if cheaper == Side::Vms { "s" } else { "" },
                    (nc - vc).abs().whole()
                )
            } else {
                format!(
                    "No lasting crossover within {h} years: {} {} cheaper by {} at year {h}, though {} {} ahead in year(s) {} and the lines crossed back.",
                    cheaper.label(),
                    if cheaper == Side::Vms { "is" } else { "are" },
                    (nc - vc).abs().whole(),
                    cheaper.other().label(),
                    if cheaper == Side::Vms { "were" } else { "was" },
                    other_ahead.join(", ")
                )
            };
            if let Some(w) = would {
                match (w.year, w.labour_rate) {
                    (Some(y), _) => t.push_str(&format!(
                        " With these figures they would cross in year {y}."
                    )),
                    (None, _) => t.push_str(&format!(
                        " With these figures they would not cross within {LOOK_AHEAD_YEARS} years."
                    )),
                }
                if let Some(r) = w.labour_rate {
                    let now = inp.figures.get("labour-rate") * inp.rate;
                    let side = if r.as_f64() > now { "above" } else { "below" };
                    t.push_str(&format!(
                        " At a labour rate {side} {r} an hour (now {now:.2}) they would cross within {h} years."
                    ));
                } else {
                    t.push_str(" No labour rate would make them cross within the horizon.");
                }
            }
            t
        }
    };
    head + &driver_words
}

#[cfg(test)]
mod crossover_tests {
    use super::*;

    fn years(pairs: &[(i64, i64)]) -> Vec<YearCost> {
        pairs
            .iter()
            .enumerate()
            .map(|(i, (n, v))| YearCost {
                year: i as u32 + 1,
                nvr: None,
                vms: None,
                cloud: Money::ZERO,
                nvr_cumulative: Some(Money::from_f64(*n as f64)),
                vms_cumulative: Some(Money::from_f64(*v as f64)),
                cloud_cumulative: Money::ZERO,
                nvr_lines: None,
                vms_lines: None,
            })
            .collect()
    }

    #[test]
    fn drives_added_at_a_step_are_refreshed_with_their_recorder() {
        let added = Purchase {
            price: Money::from_f64(95.0),
            refresh: 5,
            from: 0,
            first: 2,
            until: None,
        };
        let years: Vec<u32> = (0..12).filter(|y| added.bought_in(*y)).collect();
        assert_eq!(years, vec![2, 5, 10]);
        let new_unit = Purchase { from: 2, ..added };
        let years: Vec<u32> = (0..12).filter(|y| new_unit.bought_in(*y)).collect();
        assert_eq!(years, vec![2, 7]);
    }

    #[test]
    fn lines_that_cross_and_cross_back_have_not_crossed() {
        // The campus before this fix: VMS cheaper in year 5 only, NVR cheaper again from year 6.
        let t = years(&[
            (10, 20),
            (20, 25),
            (30, 31),
            (40, 40),
            (50, 49),
            (60, 62),
            (70, 77),
        ]);
        assert!(find_crossover(&t).is_none());
    }

    #[test]
    fn the_crossover_is_the_one_that_lasts() {
        let t = years(&[(10, 20), (30, 25), (40, 41), (55, 50), (70, 60)]);
        let c = find_crossover(&t).map(|c| (c.year, c.cheaper_from_then));
        assert_eq!(c, Some((4, Side::Vms)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An option with only care: `care` a year from year `care_from` (1-based), and a step.
    fn schedule(care: f64, care_from: u32, step: Option<Box<StepSchedule>>) -> Schedule {
        let operating = Operating {
            managed_systems: 1,
            hours: Vec::new(),
            hours_per_year: 0.0,
            labour_per_year: Money::ZERO,
            watts: 0.0,
            kwh_per_year: 0.0,
            power_per_year: Money::ZERO,
            drives: 0,
            drive_failures_per_year: 0.0,
            drives_per_year: Money::ZERO,
            care_per_year: Money::from_f64(care),
            per_year: Money::from_f64(care),
        };
        Schedule {
            hardware: Vec::new(),
            licence: Money::ZERO,
            care: Money::from_f64(care),
            care_from,
            platform_first: Money::ZERO,
            platform_refreshed: Money::ZERO,
            platform_refresh: 5,
            operating,
            step,
        }
    }

    /// Care billed in each of the first `years` years.
    fn care_by_year(s: &Schedule, years: u32) -> Vec<Money> {
        (0..years)
            .map(|y| {
                s.year(y, false)
                    .get(&CostKind::Care)
                    .copied()
                    .unwrap_or_default()
            })
            .collect()
    }

    /// A step in year 3 (index 2) grows care from 100 to 150 a year.
    fn with_step(care_from: u32) -> Schedule {
        let step = StepSchedule {
            year: 2,
            hardware: Vec::new(),
            licence: Money::from_f64(500.0),
            platform: Money::ZERO,
            after: schedule(150.0, care_from, None),
        };
        schedule(100.0, care_from, Some(Box::new(step)))
    }

    #[test]
    fn care_for_step_licences_starts_the_year_after_the_step_when_the_first_year_is_included() {
        let m = Money::from_f64;
        assert_eq!(
            care_by_year(&with_step(2), 5),
            [m(0.0), m(100.0), m(100.0), m(150.0), m(150.0)],
            "today's licences from year 2; the step's from year 4, the year after the step"
        );
        assert_eq!(
            care_by_year(&with_step(1), 5),
            [m(100.0), m(100.0), m(150.0), m(150.0), m(150.0)],
            "without the first year included, the step's care is billed from its own year"
        );
    }
}
