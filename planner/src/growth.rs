//! Growth: the site as it will be once `cameras-in-36-months` is reached, and what the step from
//! today's design to the grown one buys.
//!
//! The added cameras are spread over today's camera groups in proportion to their counts (a copied
//! site grows in every copy). `growth = "now"` designs for the grown site and deploys today's
//! cameras on it; `growth = "step"` deploys today's design and buys, in the growth year, what the
//! grown design adds to it. Pure: no I/O.

use serde::Serialize;

use crate::design::{NvrOption, RecorderUnit, SiteRecorders, VmsOption};
use crate::input::{InputError, input_error};
use crate::money::Money;
use crate::site::{Count, GrowthSizing, SiteFile};

/// The grown site and how it was reached.
#[derive(Debug, Clone)]
pub struct GrownSite {
    /// The site file with every camera group grown.
    pub site: SiteFile,
    /// Cameras the site file expects within 36 months.
    pub asked: u64,
    /// Cameras after spreading the growth over the groups (at least `asked`).
    pub cameras: u64,
    /// How the growth is sized.
    pub sizing: GrowthSizing,
    /// The cost year (1-based) of a step.
    pub year: u32,
}

/// Whether the site file expects more cameras and sizes them as a step (so a growth year is
/// used).
pub fn expects_step(site: &SiteFile) -> bool {
    let today = site.camera_count();
    site.requirements
        .cameras_in_36_months
        .is_some_and(|c| u64::from(c.0) > today)
        && site.requirements.growth.unwrap_or_default() == GrowthSizing::Step
}

/// The site grown to `cameras-in-36-months`, or `None` when the site file expects no more
/// cameras than it has. `year` is the step's cost year (the site file's, or the catalog
/// default); it must fall within the horizon.
pub fn grown_site(
    site: &SiteFile,
    horizon: u32,
    year: u32,
) -> Result<Option<GrownSite>, InputError> {
    let today = site.camera_count();
    let asked = site
        .requirements
        .cameras_in_36_months
        .map_or(today, |c| u64::from(c.0));
    let sizing = site.requirements.growth.unwrap_or_default();
    if asked <= today {
        if site.requirements.growth.is_some() || site.requirements.growth_year.is_some() {
            return Err(input_error(
                "requirements.growth",
                match site.requirements.cameras_in_36_months {
                    Some(_) => format!(
                        "growth is set but cameras-in-36-months ({asked}) is not more than today's {today} cameras"
                    ),
                    None => format!(
                        "growth is set but cameras-in-36-months is not: there is no growth beyond today's {today} cameras to size"
                    ),
                },
                "set `cameras-in-36-months` above today's count, or remove `growth`/`growth-year`"
                    .into(),
            ));
        }
        return Ok(None);
    }
    if sizing == GrowthSizing::Step && year > horizon {
        return Err(input_error(
            "requirements.growth-year",
            format!("the growth step is in year {year} but the costs cover {horizon} years"),
            format!("set `growth-year` between 1 and {horizon}, or `growth = \"now\"`"),
        ));
    }
    let mut grown = site.clone();
    let counts = spread(site, asked - today);
    for (g, n) in grown
        .sites
        .iter_mut()
        .flat_map(|s| s.cameras.iter_mut())
        .zip(counts)
    {
        g.count = Count(n);
    }
    grown.requirements.cameras_in_36_months = None;
    grown.requirements.growth = None;
    grown.requirements.growth_year = None;
    let cameras = grown.camera_count();
    Ok(Some(GrownSite {
        site: grown,
        asked,
        cameras,
        sizing,
        year,
    }))
}

/// Each group's grown count (groups in file order, sites in file order): `added` cameras given
/// one per copy at a time to the group furthest below its proportional share of the growth, as
/// long as its copies fit what is left; a group of a copied site grows by one camera in each
/// copy, so when nothing fits exactly the group furthest below its share takes one more step
/// and the total passes `added` by less than that group's copies.
fn spread(site: &SiteFile, added: u64) -> Vec<u32> {
    let today = site.camera_count().max(1) as f64;
    let groups: Vec<(u32, u64)> = site
        .sites
        .iter()
        .flat_map(|s| {
            s.cameras
                .iter()
                .map(move |g| (g.count.0, u64::from(s.copies.0)))
        })
        .collect();
    // What each group is owed of the growth, in cameras, copies included.
    let mut owed: Vec<f64> = groups
        .iter()
        .map(|(count, copies)| added as f64 * (f64::from(*count) * *copies as f64) / today)
        .collect();
    let mut counts: Vec<u32> = groups.iter().map(|(c, _)| *c).collect();
    let mut remaining = added;
    let most_owed = |owed: &[f64], fits: &dyn Fn(usize) -> bool| {
        (0..owed.len())
            .filter(|i| fits(*i))
            .max_by(|a, b| owed[*a].total_cmp(&owed[*b]).then(b.cmp(a)))
    };
    while remaining > 0 {
        let pick =
            most_owed(&owed, &|i| groups[i].1 <= remaining).or_else(|| most_owed(&owed, &|_| true));
        let Some(i) = pick else { break };
        counts[i] = counts[i].saturating_add(1);
        owed[i] -= groups[i].1 as f64;
        remaining = remaining.saturating_sub(groups[i].1);
    }
    counts
}

/// What the growth step buys at one site.
#[derive(Debug, Clone, Serialize)]
pub struct SiteStep {
    /// Site name.
    pub site: String,
    /// Identical copies.
    pub copies: u32,
    /// Cameras added at one copy.
    pub cameras_added: u32,
    /// Whether the grown design keeps today's recorders (adding units and drives) or replaces
    /// them, because the grown site needs recorders today's design does not have.
    pub replaces: bool,
    /// Recorders bought at the step, at one copy (all of the grown design's when it replaces).
    pub units_added: Vec<String>,
    /// Drives added to today's recorders at one copy.
    pub drives_added: u32,
    /// What the step costs at one copy: units and drives.
    pub price_per_copy: Money,
    /// The step in words.
    pub text: String,
}

/// Today's recorders `today` matched to the grown design's `grown` at one site: every unit of
/// today's kept by a grown unit of the same model and drive size with at least as many drives
/// (the step adds units and drives), or else the grown design replaces today's.
pub fn site_step(today: &SiteRecorders, grown: &SiteRecorders) -> (SiteStep, Vec<StepPurchase>) {
    let mut free: Vec<bool> = vec![true; grown.units.len()];
    let mut extra_drives: Vec<(usize, u32)> = Vec::new();
    let mut kept = true;
    for t in &today.units {
        let matched = grown
            .units
            .iter()
            .enumerate()
            .filter(|(i, g)| {
                free[*i]
                    && g.model_id == t.model_id
                    && g.failover == t.failover
                    && g.drive_size_bytes == t.drive_size_bytes
                    && g.drives >= t.drives
            })
            .min_by_key(|(_, g)| g.drives);
        match matched {
            Some((i, g)) => {
                free[i] = false;
                if g.drives > t.drives {
                    extra_drives.push((i, g.drives - t.drives));
                }
            }
            None => {
                kept = false;
                break;
            }
        }
    }
    let mut purchases = Vec::new();
    let mut units_added = Vec::new();
    let mut drives_added = 0;
    if kept {
        for (_, g) in grown.units.iter().enumerate().filter(|(i, _)| free[*i]) {
            units_added.push(g.model.clone());
            purchases.push(StepPurchase::unit(g));
        }
        for (i, n) in &extra_drives {
            let g = &grown.units[*i];
            drives_added += n;
            purchases.push(StepPurchase::drives(g, *n));
        }
    } else {
        for g in &grown.units {
            units_added.push(g.model.clone());
            purchases.push(StepPurchase::unit(g));
        }
    }
    let price: f64 = purchases.iter().map(|p| p.price).sum();
    let cameras_added = grown.cameras.saturating_sub(today.cameras);
    let text = step_words(today, grown, kept, &units_added, drives_added);
    (
        SiteStep {
            site: today.site.clone(),
            copies: today.copies,
            cameras_added,
            replaces: !kept,
            units_added,
            drives_added,
            price_per_copy: Money::from_f64(price),
            text,
        },
        purchases,
    )
}

/// The step at one site in words.
fn step_words(
    today: &SiteRecorders,
    grown: &SiteRecorders,
    kept: bool,
    units: &[String],
    drives: u32,
) -> String {
    let added = grown.cameras.saturating_sub(today.cameras);
    let per_copy = if today.copies > 1 {
        format!(" (each of {} copies)", today.copies)
    } else {
        String::new()
    };
    if added == 0 {
        return format!("{}{per_copy}: no cameras added", today.site);
    }
    if let Some(at) = &today.records_at {
        return format!(
            "{}{per_copy}: +{added} camera(s), recorded at {at} (its step holds them)",
            today.site
        );
    }
    if !kept {
        return format!(
            "{}{per_copy}: +{added} camera(s) need recorders today's design does not have; the step replaces today's {} with {}",
            today.site,
            models(
                today
                    .units
                    .iter()
                    .map(|u| u.model.clone())
                    .collect::<Vec<_>>()
                    .as_slice()
            ),
            models(units)
        );
    }
    let mut parts = Vec::new();
    if !units.is_empty() {
        parts.push(format!("adds {}", models(units)));
    }
    if drives > 0 {
        parts.push(format!("adds {drives} drive(s) to today's recorders"));
    }
    if parts.is_empty() {
        parts.push("today's recorders hold them as they are".into());
    }
    format!(
        "{}{per_copy}: +{added} camera(s); {}",
        today.site,
        parts.join(" and ")
    )
}

/// Model names summarised: "2 × NVR-16".
fn models(names: &[String]) -> String {
    let mut counted: Vec<(String, usize)> = Vec::new();
    for n in names {
        match counted.iter_mut().find(|(m, _)| m == n) {
            Some((_, c)) => *c += 1,
            None => counted.push((n.clone(), 1)),
        }
    }
    counted
        .iter()
        .map(|(m, c)| {
            if *c == 1 {
                m.clone()
            } else {
                format!("{c} × {m}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The growth the site file expects and how the plan sized it, with today's and the grown
/// figures side by side.
#[derive(Debug, Clone, Serialize)]
pub struct GrowthPlan {
    /// `step` or `now`.
    pub sizing: GrowthSizing,
    /// The cost year (1-based) the step is bought in (`null` when sized now).
    pub year: Option<u32>,
    /// Cameras today, copies included.
    pub cameras_today: u64,
    /// Cameras the site file expects within 36 months.
    pub cameras_asked: u64,
    /// Cameras the grown design holds (the growth spread over the groups; at least as many as
    /// asked).
    pub cameras_grown: u64,
    /// Each group's count today and grown.
    pub groups: Vec<GroupGrowth>,
    /// Both options designed for today's cameras.
    pub today: Figures,
    /// Both options designed for the grown count.
    pub grown: Figures,
    /// What the step buys for the NVR option (`null` when sized now).
    pub nvr_step: Option<OptionStep>,
    /// What the step buys for the VMS option (`null` when sized now).
    pub vms_step: Option<OptionStep>,
    /// The growth in words.
    pub text: String,
}

/// One camera group today and grown.
#[derive(Debug, Clone, Serialize)]
pub struct GroupGrowth {
    /// Site name.
    pub site: String,
    /// Group name.
    pub group: String,
    /// Cameras at one copy today.
    pub today: u32,
    /// Cameras at one copy grown.
    pub grown: u32,
}

/// The headline figures of both options for one camera count.
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    /// The NVR option.
    pub nvr: OptionFigures,
    /// The VMS option.
    pub vms: OptionFigures,
}

/// An option's headline figures.
#[derive(Debug, Clone, Serialize)]
pub struct OptionFigures {
    /// Whether it can be built.
    pub feasible: bool,
    /// Recorders (NVR units or recording servers, failover included), copies included.
    pub recorders: u64,
    /// Drives, copies included.
    pub drives: u64,
    /// Usable marked capacity, bytes, copies included.
    pub usable_bytes: u64,
    /// Camera channels: NVR channels, or VMS licences.
    pub channels: u64,
    /// Recorders and drives (`null` when it cannot be built).
    pub hardware: Option<Money>,
}

impl Figures {
    /// The figures of both options.
    pub fn of(nvr: &NvrOption, vms: &VmsOption) -> Figures {
        let sum = |sites: &[SiteRecorders], f: &dyn Fn(&RecorderUnit) -> u64| -> u64 {
            sites
                .iter()
                .map(|s| s.units.iter().map(f).sum::<u64>() * u64::from(s.copies))
                .sum()
        };
        Figures {
            nvr: OptionFigures {
                feasible: nvr.feasible,
                recorders: nvr.units,
                drives: sum(&nvr.sites, &|u| u64::from(u.drives)),
                usable_bytes: sum(&nvr.sites, &|u| u.usable_bytes),
                channels: sum(&nvr.sites, &|u| u64::from(u.camera_limit)),
                hardware: nvr.capex,
            },
            vms: OptionFigures {
                feasible: vms.feasible,
                recorders: vms.servers,
                drives: sum(&vms.sites, &|u| u64::from(u.drives)),
                usable_bytes: sum(&vms.sites, &|u| u.usable_bytes),
                channels: vms.channels,
                hardware: vms.hardware,
            },
        }
    }
}

/// Each group's count today and in the grown site.
pub fn group_growth(today: &SiteFile, grown: &SiteFile) -> Vec<GroupGrowth> {
    today
        .sites
        .iter()
        .zip(&grown.sites)
        .flat_map(|(t, g)| {
            t.cameras
                .iter()
                .zip(&g.cameras)
                .enumerate()
                .map(move |(gi, (tc, gc))| GroupGrowth {
                    site: t.name.clone(),
                    group: tc
                        .name
                        .clone()
                        .unwrap_or_else(|| format!("group {}", gi + 1)),
                    today: tc.count.0,
                    grown: gc.count.0,
                })
        })
        .collect()
}

/// What a growth step buys for one option.
#[derive(Debug, Clone, Serialize)]
pub struct OptionStep {
    /// Whether the option can hold the grown site.
    pub feasible: bool,
    /// Why not, when it cannot.
    pub problem: Option<String>,
    /// Per site.
    pub sites: Vec<SiteStep>,
    /// What the step's recorders and drives cost, copies included (`null` when infeasible).
    pub hardware: Option<Money>,
    /// The purchases with their copies, for the cost years.
    #[serde(skip)]
    pub purchases: Vec<(StepPurchase, u64)>,
}

impl OptionStep {
    /// Whether the step replaces today's recorders at `site`.
    pub fn replaces(&self, site: &str) -> bool {
        self.sites.iter().any(|s| s.site == site && s.replaces)
    }
}

/// The step from today's recorders to the grown design's, site by site (the two designs list
/// the same sites in the same order); `problem` is the grown design's, when it cannot be built.
pub fn option_step(
    today: &[SiteRecorders],
    grown: &[SiteRecorders],
    problem: Option<&str>,
) -> OptionStep {
    if let Some(p) = problem {
        return OptionStep {
            feasible: false,
            problem: Some(p.to_string()),
            sites: Vec::new(),
            hardware: None,
            purchases: Vec::new(),
        };
    }
    let mut sites = Vec::new();
    let mut purchases = Vec::new();
    for (t, g) in today.iter().zip(grown) {
        let (step, bought) = site_step(t, g);
        purchases.extend(bought.into_iter().map(|p| (p, u64::from(t.copies))));
        sites.push(step);
    }
    let hardware: f64 = purchases.iter().map(|(p, c)| p.price * *c as f64).sum();
    OptionStep {
        feasible: true,
        problem: None,
        sites,
        hardware: Some(Money::from_f64(hardware)),
        purchases,
    }
}

/// One purchase of the step at one copy: a unit with its drives, or drives for a kept unit.
#[derive(Debug, Clone)]
pub struct StepPurchase {
    /// Catalog id of the unit's model (to find its refresh cycle).
    pub model_id: String,
    /// Price at one copy.
    pub price: f64,
    /// Drives added to a recorder today's design keeps: refreshed with that recorder.
    pub with_kept_unit: bool,
}

impl StepPurchase {
    fn unit(u: &RecorderUnit) -> StepPurchase {
        StepPurchase {
            model_id: u.model_id.clone(),
            price: u.price(),
            with_kept_unit: false,
        }
    }

    fn drives(u: &RecorderUnit, n: u32) -> StepPurchase {
        let each = if u.drives == 0 {
            0.0
        } else {
            u.drives_price / f64::from(u.drives)
        };
        StepPurchase {
            model_id: u.model_id.clone(),
            price: each * f64::from(n),
            with_kept_unit: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(text: &str) -> SiteFile {
        match SiteFile::parse("t.toml", text) {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        }
    }

    const TWO_GROUPS: &str = r#"
version = 1
[project]
name = "t"
[requirements]
cameras-in-36-months = 13
[[site]]
name = "A"
  [[site.cameras]]
  count = 6
  resolution = "1080p"
  codec = "h264"
  [[site.cameras]]
  count = 4
  resolution = "4MP"
  codec = "h265"
"#;

    #[test]
    fn growth_is_spread_in_proportion_and_reaches_the_count_asked() {
        let g = grown_site(&site(TWO_GROUPS), 5, 3).ok().flatten().map(|g| {
            (
                g.cameras,
                g.site.sites[0]
                    .cameras
                    .iter()
                    .map(|c| c.count.0)
                    .collect::<Vec<_>>(),
            )
        });
        // 6 × 1.3 = 7.8, 4 × 1.3 = 5.2: floors 7 and 5 (12), the larger remainder gets the 13th.
        assert_eq!(g, Some((13, vec![8, 5])));
    }

    #[test]
    fn a_copied_site_grows_in_every_copy_and_never_below_the_count_asked() {
        let text = TWO_GROUPS
            .replace("cameras-in-36-months = 13", "cameras-in-36-months = 25")
            .replace("name = \"A\"", "name = \"A\"\ncopies = 2");
        let g = grown_site(&site(&text), 5, 3).ok().flatten();
        let cameras = g.as_ref().map(|g| g.cameras);
        // 20 today; +5 asked: each group step adds 2 cameras (two copies), so 26 is the least ≥ 25.
        assert_eq!(cameras, Some(26));
    }

    #[test]
    fn a_step_after_the_horizon_is_an_error_naming_the_field() {
        let text = TWO_GROUPS.replace(
            "cameras-in-36-months = 13",
            "cameras-in-36-months = 13\ngrowth-year = 7",
        );
        let e = grown_site(&site(&text), 5, 7).err();
        assert_eq!(
            e.and_then(|e| e.field),
            Some("requirements.growth-year".to_string())
        );
    }

    #[test]
    fn growth_without_more_cameras_is_an_error() {
        let text = TWO_GROUPS.replace("cameras-in-36-months = 13", "growth = \"now\"");
        assert!(grown_site(&site(&text), 5, 7).is_err());
    }
}
