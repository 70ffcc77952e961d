//! What each option costs, year by year: licence pricing and the choice of VMS product, the
//! cloud reference line, the yearly and cumulative spend, and where the two options cross.
//!
//! The plan's design stages (recorders, servers, drives) hand this module their purchase prices;
//! everything about money over time lives here. Pure: no I/O.

use serde::Serialize;

use crate::catalog::{Catalog, VmsProduct};
use crate::input::InputError;
use crate::plan::{NvrOption, VmsOption, input_error};
use crate::site::SiteFile;

/// A VMS licence alternative.
#[derive(Debug, Clone, Serialize)]
pub struct VmsAlternative {
    /// Catalog id.
    pub id: String,
    /// Product name.
    pub name: String,
    /// Licence price.
    pub licence: f64,
    /// Care per year.
    pub care_per_year: f64,
    /// Total over the horizon, servers included.
    pub total: f64,
}

/// Cloud VMS shown as context.
#[derive(Debug, Clone, Serialize)]
pub struct CloudContext {
    /// Catalog id.
    pub id: String,
    /// Product.
    pub name: String,
    /// Price per camera per year.
    pub per_camera_year: f64,
}

/// One year of cost.
#[derive(Debug, Clone, Serialize)]
pub struct YearCost {
    /// Year, 1-based.
    pub year: u32,
    /// NVR option spend in the year.
    pub nvr: f64,
    /// VMS option spend in the year.
    pub vms: f64,
    /// Cloud context spend in the year.
    pub cloud: f64,
    /// NVR cumulative.
    pub nvr_cumulative: f64,
    /// VMS cumulative.
    pub vms_cumulative: f64,
    /// Cloud cumulative.
    pub cloud_cumulative: f64,
}

/// Where the cumulative costs of the two options cross.
#[derive(Debug, Clone, Serialize)]
pub struct Crossover {
    /// First year in which the cumulative order flips.
    pub year: u32,
    /// The option that is cheaper from that year on ("nvr" or "vms").
    pub cheaper_from_then: &'static str,
}

/// What the VMS option's licences are priced against.
#[derive(Debug, Clone, Copy)]
pub struct VmsCosting {
    /// Licensed channels.
    pub channels: u64,
    /// Recording servers, failover included.
    pub servers: u64,
    /// Servers and drives, in the project currency.
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

/// One product priced over the horizon, or `None` when its edition cannot hold the channels.
fn price_product(p: &VmsProduct, c: VmsCosting) -> Option<VmsAlternative> {
    let licence = p.licence_cost(c.channels, c.servers)? * c.rate;
    let care = p.care_per_year(licence / c.rate, c.channels) * c.rate;
    let total = vms_yearly(c.hardware, licence, care, c.refresh_years, c.horizon)
        .iter()
        .sum();
    Some(VmsAlternative {
        id: p.id.clone(),
        name: p.name.clone(),
        licence,
        care_per_year: care,
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
    alternatives.sort_by(|a, b| a.total.total_cmp(&b.total));
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

/// The catalog's default cloud service, priced in the project currency.
pub fn cloud_context(catalog: &Catalog, rate: f64) -> Option<CloudContext> {
    catalog
        .cloud
        .iter()
        .find(|c| c.id == catalog.defaults.cloud.value)
        .map(|c| CloudContext {
            id: c.id.clone(),
            name: c.name.clone(),
            per_camera_year: c.per_camera_year * rate,
        })
}

/// Spend per year and cumulative for both options and the cloud reference.
pub fn years(
    nvr: &NvrOption,
    vms: &VmsOption,
    cloud: Option<&CloudContext>,
    cameras: u64,
    horizon: u32,
) -> Vec<YearCost> {
    let nvr_years = refresh_schedule(nvr.capex, 0.0, nvr.refresh_years, horizon);
    let vms_years = vms_yearly(
        vms.hardware,
        vms.licence,
        vms.care_per_year,
        vms.refresh_years,
        horizon,
    );
    let cloud_year = cloud.map_or(0.0, |c| c.per_camera_year * cameras as f64);
    let mut tco = Vec::new();
    let (mut nc, mut vc, mut cc) = (0.0, 0.0, 0.0);
    for (i, (n, v)) in nvr_years.iter().zip(&vms_years).enumerate() {
        nc += n;
        vc += v;
        cc += cloud_year;
        tco.push(YearCost {
            year: i as u32 + 1,
            nvr: *n,
            vms: *v,
            cloud: cloud_year,
            nvr_cumulative: nc,
            vms_cumulative: vc,
            cloud_cumulative: cc,
        });
    }
    tco
}

/// Spend per year for a purchase of `capex` replaced every `refresh` years, plus `yearly`.
fn refresh_schedule(capex: f64, yearly: f64, refresh: u32, horizon: u32) -> Vec<f64> {
    (0..horizon)
        .map(|y| yearly + if y % refresh.max(1) == 0 { capex } else { 0.0 })
        .collect()
}

/// VMS spend per year: hardware bought and refreshed, licences bought once, care every year
/// (vendors sell the first year of care with the licence).
fn vms_yearly(hardware: f64, licence: f64, care: f64, refresh: u32, horizon: u32) -> Vec<f64> {
    let mut years = refresh_schedule(hardware, care, refresh, horizon);
    if let Some(first) = years.first_mut() {
        *first += licence;
    }
    years
}

/// The first year in which the cheaper option by cumulative cost changes, if any.
pub fn find_crossover(tco: &[YearCost]) -> Option<Crossover> {
    let first = tco.first()?;
    let nvr_cheaper_at_start = first.nvr_cumulative <= first.vms_cumulative;
    tco.iter().skip(1).find_map(|y| {
        let nvr_cheaper = y.nvr_cumulative <= y.vms_cumulative;
        (nvr_cheaper != nvr_cheaper_at_start).then_some(Crossover {
            year: y.year,
            cheaper_from_then: if nvr_cheaper { "nvr" } else { "vms" },
        })
    })
}
