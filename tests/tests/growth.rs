//! Growth (issue 14 item 5): `cameras-in-36-months` is sized, either as a step bought in the
//! growth year or now, and the plan shows today's and the grown figures. Before, it only
//! triggered a reason and the costs said the growth was not costed.
// Helpers shared by tests unwrap too: a panic here is a failed test, not a crash on input.
#![allow(clippy::unwrap_used)]

use planner::catalog::Catalog;
use planner::plan::{Plan, plan};
use planner::site::SiteFile;

const CHAIN: &str = include_str!("../../examples/retail-chain.toml");

fn site_of(text: &str) -> SiteFile {
    SiteFile::parse("retail-chain.toml", text).unwrap_or_else(|e| panic!("{e}"))
}

fn plan_of(text: &str) -> Plan {
    plan(&site_of(text), &Catalog::embedded().unwrap()).unwrap()
}

/// The example with its `growth = "step"` line replaced by `line`.
fn with_growth(line: &str) -> String {
    let text = CHAIN.replace("growth = \"step\"", line);
    assert_ne!(text, CHAIN, "the example has the growth line to replace");
    text
}

/// The example grows from 129 to 140 cameras: one more entrance camera in each of the eleven
/// stores. As a step in year 3, the cost table buys nothing extra in years 1 and 2, and in year
/// 3 the added drives and the 11 licences; the plan carries both designs' figures.
#[test]
fn a_step_buys_the_growth_in_its_year_and_both_figures_are_shown() {
    let p = plan_of(CHAIN);
    let g = p.growth.as_ref().expect("growth is planned");
    assert_eq!(g.year, Some(3));
    assert_eq!(
        (g.cameras_today, g.cameras_asked, g.cameras_grown),
        (129, 140, 140)
    );
    let grown: Vec<_> = g.groups.iter().filter(|x| x.grown != x.today).collect();
    assert_eq!(grown.len(), 1, "{grown:?}");
    assert_eq!((grown[0].today, grown[0].grown), (5, 6));
    // Today's design is what is deployed; the grown one holds more.
    assert_eq!(p.vms.channels, 129);
    assert_eq!(g.grown.vms.channels, 140);
    assert!(g.grown.nvr.drives > g.today.nvr.drives);
    let step = g.nvr_step.as_ref().unwrap();
    assert!(step.feasible);
    let hw = step.hardware.unwrap();
    assert!(hw.as_f64() > 0.0);
    // Year 3 (index 2) buys the step's hardware and the VMS's added licences; year 2 does not.
    let lines = |y: usize| p.tco[y].nvr_lines.clone().unwrap();
    let hardware = |y: usize| {
        lines(y)
            .iter()
            .find(|(k, _)| k.as_str() == "hardware")
            .map(|(_, m)| *m)
    };
    assert_eq!(hardware(1), None);
    assert_eq!(hardware(2), Some(hw));
    let vms3 = p.tco[2].vms_lines.clone().unwrap();
    let licences = vms3
        .iter()
        .find(|(k, _)| k.as_str() == "licences")
        .map(|(_, m)| m.as_f64());
    assert!(licences.is_some_and(|l| l > 0.0), "{vms3:?}");
    assert!(
        p.costs
            .verdict
            .contains("growth to 140 cameras, bought in year 3")
    );
    // The year is the catalog's default, an assumption shown with the result.
    let year = p
        .figures_used
        .iter()
        .find(|f| f.entry == "defaults.growth-year")
        .expect("the growth year is among the figures used");
    assert_eq!(year.value, "3");
    assert!(matches!(
        year.basis,
        planner::figures::Basis::Assumed { .. }
    ));
}

/// Sized now, the design holds the grown count from year 1 and today's cameras are deployed on
/// it: every unit's loads are today's, what it was sized for is kept, and `generate` places
/// exactly today's 129 cameras within every ceiling.
#[test]
fn sized_now_the_design_holds_the_growth_and_deploys_todays_cameras() {
    let text = with_growth("growth = \"now\"");
    let site = site_of(&text);
    let catalog = Catalog::embedded().unwrap();
    let p = plan(&site, &catalog).unwrap();
    let g = p.growth.as_ref().unwrap();
    assert_eq!(g.year, None);
    assert_eq!(p.vms.channels, 140, "licences for the grown count");
    let store = p.nvr.sites.iter().find(|s| s.site == "Store").unwrap();
    assert_eq!(store.cameras, 9);
    let u = &store.units[0];
    assert_eq!(u.cameras, 9);
    let sized = u.sized_for.unwrap();
    assert_eq!(sized.cameras, 10);
    assert!(u.usable_bytes >= sized.capacity_needed_bytes);
    assert!(u.capacity_needed_bytes < sized.capacity_needed_bytes);
    let step_plan = plan_of(CHAIN);
    assert!(
        p.tco[0].nvr.unwrap() > step_plan.tco[0].nvr.unwrap(),
        "bought now costs more in year 1"
    );
    for choice in [planner::deploy::Choice::Nvr, planner::deploy::Choice::Vms] {
        let m = planner::deploy::deploy(&site, &catalog, &p, choice).unwrap();
        assert_eq!(m.cameras.len(), 129);
        assert!(m.violations.is_empty(), "{:?}", m.violations);
    }
}

#[test]
fn a_growth_year_past_the_horizon_or_a_typo_is_an_input_error() {
    let text = with_growth("growth-year = 9");
    let e = plan(&site_of(&text), &Catalog::embedded().unwrap()).err();
    assert_eq!(
        e.and_then(|e| e.field).as_deref(),
        Some("requirements.growth-year")
    );
    let text = with_growth("growth = \"later\"");
    let e = SiteFile::parse("t.toml", &text).err().unwrap();
    assert!(e.to_string().contains("step"), "{e}");
}

/// A recorder the site file fixes holds today's cameras but not the grown count: sized as a
/// step, the plan reports the grown ceiling now, naming the growth, rather than calling the
/// step free ("today's recorders hold them as they are").
#[test]
fn a_fixed_recorder_the_growth_outgrows_is_reported_now() {
    let text = r#"
version = 1
[project]
name = "t"
[requirements]
cameras-in-36-months = 12
[[site]]
name = "Shop"
[site.network]
recorder = "lilin-nvr5208e"
  [[site.cameras]]
  count = 6
  brand = "Axis"
  resolution = "1080p"
  codec = "h265"
"#;
    let p = plan_of(text);
    let grown: Vec<_> = p
        .nvr
        .violations
        .iter()
        .filter(|v| {
            v.message
                .starts_with("after the growth to 12 cameras in year 3")
        })
        .collect();
    assert!(!grown.is_empty(), "{:?}", p.nvr.violations);
    let today: Vec<_> = p
        .nvr
        .violations
        .iter()
        .filter(|v| !v.element.ends_with("(after the growth)"))
        .collect();
    assert!(today.is_empty(), "today's 6 cameras fit: {today:?}");
}

/// A small office of LILIN cameras grown from 8 to 10, sized now: the grown design puts the
/// added 27 W cameras on the NVR's own PoE ports ahead of today's 5 W ones, but once the added
/// cameras are dropped today's 8 (172 W) fit its 198.6 W budget, and every one of them is on
/// the NVR's PoE: none is counted as needing a PoE switch while the NVR's budget sits idle.
#[test]
fn sized_now_todays_cameras_that_fit_the_nvrs_poe_are_all_on_it() {
    let group = |name: &str, count: u32, watts: u32| {
        format!(
            "\n  [[site.cameras]]\n  name = \"{name}\"\n  count = {count}\n  brand = \"LILIN\"\n  resolution = \"1080p\"\n  codec = \"h265\"\n  fps = 10\n  retention-days = 7\n  poe-watts = {watts}\n"
        )
    };
    let text = format!(
        "version = 1\n[project]\nname = \"PoE now\"\ncurrency = \"USD\"\n[requirements]\ncameras-in-36-months = 10\ngrowth = \"now\"\n[[site]]\nname = \"Office\"\n{}{}",
        group("Small", 2, 5),
        group("Big", 6, 27)
    );
    let site = site_of(&text);
    let catalog = Catalog::embedded().unwrap();
    let p = plan(&site, &catalog).unwrap();
    let u = &p.nvr.sites[0].units[0];
    assert_eq!(u.model_id, "lilin-nvr5416e");
    assert_eq!(u.sized_for.unwrap().cameras, 10);
    assert_eq!(u.cameras, 8);
    assert_eq!(
        (u.poe_powered, u.external_poe, u.poe_used_mw),
        (8, 0, 172_000),
        "{u:#?}"
    );
    assert_eq!(u.poe_slots.len(), 8);
    assert_eq!(u.link_bps, 0, "every camera is on the NVR's own ports");
    let m = planner::deploy::deploy(&site, &catalog, &p, planner::deploy::Choice::Nvr).unwrap();
    assert_eq!(m.cameras.len(), 8);
    assert!(m.violations.is_empty(), "{:?}", m.violations);
}

/// The cloud reference follows the same growth as the options: as a step, today's 129 cameras
/// until the step year and the grown 140 from it; sized now, the grown 140 from year 1.
#[test]
fn the_cloud_reference_grows_with_the_options() {
    let step = plan_of(CHAIN);
    let now = plan_of(&with_growth("growth = \"now\""));
    let cloud = step.cloud.as_ref().unwrap();
    let per_camera = cloud.per_camera_year.as_f64();
    let year = |p: &Plan, y: usize| p.tco[y].cloud.as_f64();
    assert!((year(&step, 0) - 129.0 * per_camera).abs() < 0.01);
    assert!((year(&step, 1) - 129.0 * per_camera).abs() < 0.01);
    for y in 2..step.tco.len() {
        assert!(
            (year(&step, y) - 140.0 * per_camera).abs() < 0.01,
            "year {}: {}",
            y + 1,
            year(&step, y)
        );
    }
    let after = cloud
        .from_step
        .as_ref()
        .expect("the step's cloud is reported");
    assert_eq!(after.year, 3);
    assert!((after.per_year.as_f64() - 140.0 * per_camera).abs() < 0.01);
    for y in 0..now.tco.len() {
        assert!((year(&now, y) - 140.0 * per_camera).abs() < 0.01);
    }
    assert!(now.cloud.as_ref().unwrap().from_step.is_none());
}

/// Sized now, the access switches bought today keep ports and PoE for the added cameras: a
/// 16-camera office growing to 24, on recording servers (no NVR PoE), gets switches with at
/// least 24 ports for cameras (those the recorders, clients and uplinks take left out) and a
/// PoE budget for 24 cameras, while a step buys for today's 16.
#[test]
fn sized_now_the_access_switches_keep_ports_for_the_added_cameras() {
    let text = |growth: &str| {
        format!(
            "version = 1\n[project]\nname = \"Switches now\"\ncurrency = \"USD\"\n[requirements]\ncameras-in-36-months = 24\ngrowth = \"{growth}\"\n[[site]]\nname = \"Office\"\n  [[site.cameras]]\n  name = \"Desks\"\n  count = 16\n  brand = \"Axis\"\n  resolution = \"1080p\"\n  codec = \"h265\"\n  fps = 15\n  retention-days = 14\n  poe-watts = 12\n"
        )
    };
    let catalog = Catalog::embedded().unwrap();
    let access = |growth: &str| {
        let site = site_of(&text(growth));
        let p = plan(&site, &catalog).unwrap();
        let m = planner::deploy::deploy(&site, &catalog, &p, planner::deploy::Choice::Vms).unwrap();
        assert_eq!(m.cameras.len(), 16);
        assert!(m.violations.is_empty(), "{:?}", m.violations);
        let cams: Vec<_> = m
            .network
            .switches
            .iter()
            .filter(|s| m.cameras.iter().any(|c| c.switch == s.id))
            .collect();
        // Ports left for cameras: the ports less those its recorders, clients and uplink take.
        let ports: u32 = cams
            .iter()
            .map(|s| {
                let on = m.cameras.iter().filter(|c| c.switch == s.id).count() as u32;
                s.ports - (s.ports_used - on)
            })
            .sum();
        let budget: u64 = cams.iter().map(|s| s.poe_budget_mw).sum();
        (ports, budget)
    };
    let (now_ports, now_budget) = access("now");
    assert!(now_ports >= 24, "{now_ports} camera ports for 24 cameras");
    assert!(now_budget >= 24 * 12_000, "{now_budget} mW for 24 cameras");
    let (step_ports, _) = access("step");
    assert!(
        step_ports < 24,
        "a step buys today's switches: {step_ports} ports"
    );
}
