//! The cost model against hand-worked figures: a single shop where the NVR stays cheaper, the
//! guides' eleven stores of nine cameras where eleven NVR islands cost more to run than one VMS,
//! an option that cannot be built and is never compared, and properties over random chains.
// Helpers shared by tests unwrap too: a panic here is a failed test, not a crash on input.
#![allow(clippy::unwrap_used)]

use planner::catalog::Catalog;
use planner::cost::CostKind;
use planner::money::Money;
use planner::plan::{Choice, Plan, plan};
use planner::render::plan_table;
use planner::site::SiteFile;
use proptest::prelude::*;

const CHAIN: &str = include_str!("../fixtures/chain-11x9.toml");
const SHOP: &str = include_str!("../../examples/corner-shop.toml");

fn plan_of(text: &str) -> Plan {
    let site = SiteFile::parse("site.toml", text).unwrap();
    plan(&site, &Catalog::embedded().unwrap()).unwrap()
}

fn with_costs(text: &str, costs: &str) -> String {
    format!("{text}\n[costs]\n{costs}\n")
}

fn with_horizon(text: &str, years: u32) -> String {
    if text.contains("horizon-years") {
        text.replace("horizon-years = 5", &format!("horizon-years = {years}"))
    } else {
        text.replace(
            "currency = \"USD\"",
            &format!("currency = \"USD\"\nhorizon-years = {years}"),
        )
    }
}

#[test]
fn a_single_shop_keeps_the_nvr_cheaper_over_every_horizon() {
    for years in 1..=10 {
        let p = plan_of(&with_horizon(SHOP, years));
        assert_eq!(p.recommendation.choice, Choice::Nvr);
        for y in &p.tco {
            assert!(
                y.nvr_cumulative.unwrap() < y.vms_cumulative.unwrap(),
                "year {} of {years}: NVR {:?} VMS {:?}",
                y.year,
                y.nvr_cumulative,
                y.vms_cumulative
            );
        }
        assert!(p.crossover.is_none());
        assert!(
            p.recommendation.cost_note.is_none(),
            "money and choice agree"
        );
    }
}

#[test]
fn eleven_nvr_islands_cost_more_to_run_than_one_vms() {
    let p = plan_of(CHAIN);
    assert_eq!(p.summary.sites, 11);
    assert_eq!(p.summary.cameras, 99);
    assert_eq!(p.nvr.units, 11, "one appliance per store");
    let nvr = p.costs.nvr.as_ref().unwrap();
    let vms = p.costs.vms.as_ref().unwrap();
    assert_eq!(nvr.managed_systems, 11);
    assert_eq!(vms.managed_systems, 1);
    assert!(
        nvr.per_year > vms.per_year,
        "NVR {:?} a year vs VMS {:?}",
        nvr.per_year,
        vms.per_year
    );
    // The management labour is what differs most in favour of the VMS.
    let management = p
        .costs
        .drivers
        .iter()
        .find(|d| d.kind == CostKind::Management)
        .expect("management is among the top three drivers");
    assert!(management.nvr_minus_vms > Money::ZERO);
    assert!(
        p.costs.verdict.contains("management labour"),
        "{}",
        p.costs.verdict
    );
    // Either a crossover year, or the verdict says when and at what rate there would be one.
    match &p.crossover {
        Some(x) => assert!(p.costs.verdict.contains(&format!("year {}", x.year))),
        None => {
            let w = p.costs.would_cross.as_ref().unwrap();
            assert!(w.year.is_some() || w.labour_rate.is_some(), "{w:?}");
            assert!(p.costs.verdict.contains("would"), "{}", p.costs.verdict);
        }
    }
    let table = plan_table(&p);
    assert!(table.contains("operating cost per year"), "{table}");
    assert!(table.contains("main drivers of the difference"), "{table}");
}

#[test]
fn the_chain_hours_are_the_hand_worked_ones() {
    let p = plan_of(CHAIN);
    let c = Catalog::embedded().unwrap();
    let f = |name: &str| {
        c.operating
            .figures()
            .into_iter()
            .find(|(n, _)| *n == name)
            .unwrap()
            .1
            .value
    };
    let nvr = p.costs.nvr.as_ref().unwrap();
    let afr = f("drive-annual-failure-rate");
    // 11 appliances × (12 admin + 4 updates × 1 h + 12 monitoring + 2 support) = 330 h,
    // 11 site visits × 2 h = 22 h, 99 cameras × 0.5 h = 49.5 h, plus failed drives swapped.
    let by_hand = 11.0 * (12.0 + 4.0 * 1.0 + 12.0 + 2.0)
        + 11.0 * 2.0
        + 99.0 * 0.5
        + nvr.drives as f64 * afr * 1.0;
    assert!(
        (nvr.hours_per_year - by_hand).abs() < 1e-9,
        "{} vs {by_hand}",
        nvr.hours_per_year
    );
    assert_eq!(
        nvr.labour_per_year,
        Money::from_f64(by_hand * f("labour-rate"))
    );
    // The VMS: one platform (24 admin + 12 monitoring + 2 support), 4 h per recording server,
    // and monthly patches of a quarter hour on every server (plus a management server when the
    // product needs one).
    let vms = p.costs.vms.as_ref().unwrap();
    let servers = p.vms.servers as f64;
    let product = c.vms_product(&p.vms.product_id).unwrap();
    let machines = servers
        + if product.platform.iter().any(|i| i == "management-server") {
            1.0
        } else {
            0.0
        };
    let by_hand = 24.0
        + 12.0
        + 2.0
        + servers * 4.0
        + machines * 12.0 * 0.25
        + 11.0 * 2.0
        + 99.0 * 0.5
        + vms.drives as f64 * afr;
    assert!(
        (vms.hours_per_year - by_hand).abs() < 1e-9,
        "{} vs {by_hand}",
        vms.hours_per_year
    );
}

#[test]
fn a_zero_labour_rate_leaves_hardware_licences_and_care() {
    let text = with_costs(
        CHAIN,
        "labour-rate = 0\nenergy-price = 0\ndrive-annual-failure-rate = 0",
    );
    let p = plan_of(&text);
    let capex = p.nvr.capex.unwrap();
    let refresh = p.nvr.refresh_years;
    let hardware = p.vms.hardware.unwrap();
    let licence = p.vms.licence.unwrap();
    let care = p.vms.care_per_year.unwrap();
    let platform = p.vms.platform.unwrap();
    for y in &p.tco {
        let bought = (y.year - 1).is_multiple_of(refresh);
        let expected_nvr = if bought { capex } else { Money::ZERO };
        assert_eq!(y.nvr.unwrap(), expected_nvr, "year {}", y.year);
        let mut expected_vms = if y.year == 1 {
            hardware + licence + platform
        } else {
            Money::ZERO
        };
        if y.year >= p.vms.care_from_year {
            expected_vms += care;
        }
        if y.year > 1 && (y.year - 1).is_multiple_of(p.vms.refresh_years) {
            expected_vms += hardware;
        }
        assert_eq!(y.vms.unwrap(), expected_vms, "year {}", y.year);
        for lines in [y.nvr_lines.as_ref().unwrap(), y.vms_lines.as_ref().unwrap()] {
            assert!(!lines.contains_key(&CostKind::Management));
            assert!(!lines.contains_key(&CostKind::Power));
            assert!(!lines.contains_key(&CostKind::Drives));
        }
    }
}

#[test]
fn care_is_billed_from_year_two_when_the_licence_includes_the_first() {
    let text = CHAIN.replace(
        "analytics = \"motion\"",
        "analytics = \"motion\"\nvms = \"milestone-xprotect-corporate\"",
    );
    let p = plan_of(&text);
    assert_eq!(p.vms.care_from_year, 2);
    let y1 = p.tco[0].vms_lines.as_ref().unwrap();
    let y2 = p.tco[1].vms_lines.as_ref().unwrap();
    assert!(!y1.contains_key(&CostKind::Care));
    assert_eq!(y2[&CostKind::Care], p.vms.care_per_year.unwrap());
    assert!(
        y1[&CostKind::Platform] > Money::ZERO,
        "Windows, SQL and a management server"
    );
}

#[test]
fn an_infeasible_option_is_never_drawn_at_zero_or_called_cheaper() {
    // RAID 6 with Section 889: no eligible NVR appliance offers it.
    let p = plan_of(&camscope_tests::without_a_buildable_nvr(CHAIN));
    assert!(!p.nvr.feasible);
    assert!(p.nvr.capex.is_none());
    assert!(
        p.tco
            .iter()
            .all(|y| y.nvr.is_none() && y.nvr_cumulative.is_none())
    );
    assert!(p.crossover.is_none());
    assert!(p.costs.drivers.is_empty());
    assert!(
        p.costs.verdict.contains("not compared on cost"),
        "{}",
        p.costs.verdict
    );
    let json = serde_json::to_value(&p).unwrap();
    assert_eq!(json["nvr"]["feasible"], false);
    assert!(json["nvr"]["capex"].is_null());
    assert!(json["tco"][0]["nvr_cumulative"].is_null());
    let table = plan_table(&p);
    assert!(table.contains("not feasible"), "{table}");
    assert!(!table.contains("NVR appliances stay cheaper"), "{table}");
}

#[test]
fn money_in_json_is_an_exact_decimal_string() {
    let p = plan_of(CHAIN);
    let json = serde_json::to_value(&p).unwrap();
    for v in [
        &json["nvr"]["capex"],
        &json["vms"]["licence"],
        &json["tco"][4]["vms_cumulative"],
        &json["nvr"]["sites"][0]["units"][0]["unit_price"],
    ] {
        let s = v.as_str().unwrap_or_else(|| panic!("not a string: {v}"));
        let (whole, cents) = s.split_once('.').unwrap();
        assert!(
            whole
                .trim_start_matches('-')
                .chars()
                .all(|c| c.is_ascii_digit()),
            "{s}"
        );
        assert_eq!(cents.len(), 2, "{s}");
    }
    // Cumulative figures are sums of the yearly ones to the cent.
    let mut sum = Money::ZERO;
    for y in &p.tco {
        sum += y.vms.unwrap();
        assert_eq!(y.vms_cumulative.unwrap(), sum);
    }
}

#[test]
fn the_cloud_line_without_tiers_is_not_comparable() {
    let p = plan_of(CHAIN);
    let cloud = p.cloud.as_ref().unwrap();
    assert!(!cloud.comparable);
    assert!(plan_table(&p).contains("not comparable"));
}

#[test]
fn cloud_tiers_price_what_the_cameras_store() {
    // The overlay replaces the [[cloud]] section; the default service id stays the same.
    let overlay = r#"
[[cloud]]
id = "avigilon-alta"
name = "Tiered cloud"
per-camera-year = 100.0
source = "cloud-prices"
tiers = [
  { retention-days = 30, max-megapixels = 2.1, per-camera-year = 150.0 },
  { retention-days = 90, max-megapixels = 8.3, per-camera-year = 400.0 },
]
"#;
    let catalog = Catalog::with_overlay("tiers.toml", overlay).unwrap();
    let site = SiteFile::parse("site.toml", CHAIN).unwrap();
    let p = plan(&site, &catalog).unwrap();
    let cloud = p.cloud.as_ref().unwrap();
    assert!(cloud.comparable);
    assert_eq!(cloud.per_year, Money::from_f64(99.0 * 150.0));
    // 90 days at 4K fits no tier: the line is shown at its entry price, not comparable.
    let long = CHAIN
        .replace("retention-days = 30", "retention-days = 120")
        .replace("1080p", "4K");
    let p = plan(&SiteFile::parse("site.toml", &long).unwrap(), &catalog).unwrap();
    let cloud = p.cloud.as_ref().unwrap();
    assert!(!cloud.comparable);
    assert!(cloud.not_comparable.as_ref().unwrap().contains("120 days"));
}

#[test]
fn the_cost_model_page_shows_what_the_plan_computes() {
    let page = include_str!("../../docs/cost-model.md");
    let p = plan_of(CHAIN);
    let nvr = p.costs.nvr.as_ref().unwrap();
    let vms = p.costs.vms.as_ref().unwrap();
    for figure in [
        format!("{} USD", nvr.per_year.whole()),
        format!("{} USD", vms.per_year.whole()),
        format!("{} USD", nvr.labour_per_year.whole()),
        format!("{} USD", vms.labour_per_year.whole()),
        format!("{} USD", p.tco[4].nvr_cumulative.unwrap().whole()),
        format!("{} USD", p.tco[4].vms_cumulative.unwrap().whole()),
    ] {
        assert!(page.contains(&figure), "docs/cost-model.md lacks {figure}");
    }
}

fn chain(copies: u32, cameras: u32) -> String {
    CHAIN
        .replace("copies = 11", &format!("copies = {copies}"))
        .replace("count = 9", &format!("count = {cameras}"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn more_sites_never_lower_the_nvr_operating_cost(copies in 1u32..30, cameras in 1u32..16) {
        let fewer = plan_of(&chain(copies, cameras));
        let more = plan_of(&chain(copies + 1, cameras));
        let a = fewer.costs.nvr.as_ref().unwrap();
        let b = more.costs.nvr.as_ref().unwrap();
        prop_assert!(b.per_year >= a.per_year, "{:?} < {:?}", b.per_year, a.per_year);
        prop_assert!(b.hours_per_year >= a.hours_per_year);
    }
}

/// Growth is costed: a site expecting more cameras within 36 months gets them bought as a step
/// (by default in year 3), and the comparison says so where it is shown. Before, the comparison
/// said the growth was not costed.
#[test]
fn growth_is_costed_and_named_beside_the_comparison() {
    let text = CHAIN.replace(
        "analytics = \"motion\"",
        "analytics = \"motion\"\ncameras-in-36-months = 140",
    );
    assert_ne!(
        text, CHAIN,
        "the fixture has the requirement line to extend"
    );
    let p = plan_of(&text);
    assert!(
        p.costs
            .verdict
            .contains("The costs include the growth to 1"),
        "{}",
        p.costs.verdict
    );
    assert!(plan_table(&p).contains("GROWTH (sized as a step in year 3)"));
    let plain = plan_of(CHAIN);
    assert!(plain.growth.is_none());
    assert!(
        !plain.costs.verdict.contains("growth"),
        "{}",
        plain.costs.verdict
    );
    let year3 = |p: &planner::plan::Plan| p.tco[2].nvr.unwrap();
    assert!(year3(&p) > year3(&plain), "the step is bought in year 3");
}

/// The campus's cumulative costs cross in year 5 and cross back in year 6: the plan reported
/// "the VMS costs less from then on" while the VMS was 7,483 dearer at year 7. A crossing that
/// does not last is named as such, and is not the crossover.
#[test]
fn lines_that_cross_back_are_no_lasting_crossover() {
    let campus = include_str!("../fixtures/designs/campus.toml");
    let p = plan_of(campus);
    let last = p.tco.last().unwrap();
    let nvr_cheaper_at_end = last.nvr_cumulative.unwrap() <= last.vms_cumulative.unwrap();
    let flips = p
        .tco
        .windows(2)
        .filter(|w| {
            let o = |y: &planner::plan::YearCost| {
                y.nvr_cumulative.unwrap() <= y.vms_cumulative.unwrap()
            };
            o(&w[0]) != o(&w[1])
        })
        .count();
    assert!(flips >= 2, "the fixture crosses and crosses back");
    assert!(nvr_cheaper_at_end);
    assert!(p.crossover.is_none());
    assert!(
        p.costs
            .verdict
            .starts_with("No lasting crossover within 7 years"),
        "{}",
        p.costs.verdict
    );
}
