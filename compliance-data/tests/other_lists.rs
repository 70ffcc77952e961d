//! Findings under the other lists a Section 889 buyer checks (FCC Covered List, ASDA, DoD
//! 1260H): labelled with their list, resting on the data's records, and never changing the
//! Section 889 or TAA verdict.
// Test helpers unwrap: a panic here is a failed test, not a crash on input.
#![allow(clippy::unwrap_used)]

use camscope_compliance_data::{
    DEFAULT_REGIMES, Dataset, LineFacts, ListCode, ListFinding, Regime, TaaCode, check_line,
    check_line_with,
};
use time::Date;
use time::macros::date;

const TODAY: Date = date!(2026 - 12 - 02);
const ALL: &[Regime] = &Regime::ALL;

fn ds() -> Dataset {
    Dataset::embedded().expect("embedded data loads")
}

fn findings(ds: &Dataset, line: &LineFacts, regimes: &[Regime]) -> Vec<ListFinding> {
    check_line_with(ds, line, TODAY, regimes).other_lists
}

fn codes(f: &[ListFinding]) -> Vec<(Regime, ListCode, String)> {
    f.iter()
        .map(|f| (f.regime, f.code, f.record.clone()))
        .collect()
}

fn drone(maker: &str, origin: &str) -> LineFacts {
    LineFacts::with_manufacturer(maker)
        .model("M-350")
        .description("Enterprise drone with thermal camera")
        .country_of_origin(origin)
}

#[test]
fn a_dji_drone_made_in_china_is_listed_and_inside_the_uas_entry() {
    let ds = ds();
    let f = findings(&ds, &drone("DJI", "China"), DEFAULT_REGIMES);
    assert_eq!(
        codes(&f),
        vec![
            (Regime::FccCoveredList, ListCode::ListedEntity, "dji".into()),
            (
                Regime::FccCoveredList,
                ListCode::InCategory,
                "fcc-foreign-uas".into()
            ),
            (Regime::Asda, ListCode::CategoryReview, "asda-uas".into()),
        ]
    );
    // The list's own primary text is cited first, on its official host.
    for x in &f {
        let first = x.citations[0].url.as_deref().unwrap();
        assert!(
            first.starts_with("https://www.fcc.gov/")
                || first.starts_with("https://www.acquisition.gov/"),
            "{first}"
        );
        assert!(
            x.reason.contains("not a Section 889 finding"),
            "{}",
            x.reason
        );
    }
    // The ASDA finding sends the buyer to the FASC list in SAM.gov, which camscope does not hold.
    assert!(f[2].reason.contains("SAM.gov"), "{}", f[2].reason);
}

#[test]
fn a_us_made_drone_is_outside_the_fcc_entry_but_still_an_asda_check() {
    let ds = ds();
    let f = findings(&ds, &drone("Skydio", "United States"), DEFAULT_REGIMES);
    assert_eq!(
        codes(&f),
        vec![(Regime::Asda, ListCode::CategoryReview, "asda-uas".into())]
    );
}

#[test]
fn a_drone_of_unknown_origin_is_a_review_and_dji_is_not_djibouti() {
    let ds = ds();
    let v = check_line(&ds, &drone("DJI", "DJI"), TODAY);
    assert_eq!(v.taa.code, TaaCode::AmbiguousOrigin);
    assert!(
        v.taa.country.is_none(),
        "DJI read as a country: {:?}",
        v.taa.country
    );
    let uas = v
        .other_lists
        .iter()
        .find(|f| f.record == "fcc-foreign-uas")
        .unwrap();
    assert_eq!(uas.code, ListCode::CategoryReview);
    assert!(uas.reason.contains("not known"), "{}", uas.reason);
}

#[test]
fn counter_drone_equipment_is_not_a_drone() {
    let ds = ds();
    for text in [
        "drone detection radar",
        "RF drone detector, 3 km",
        "anti-drone jammer",
        "counter-UAS sensor",
    ] {
        let line = LineFacts::with_manufacturer("Axis")
            .description(text)
            .country_of_origin("China");
        let f = findings(&ds, &line, ALL);
        assert!(f.is_empty(), "{text}: {:?}", codes(&f));
    }
}

#[test]
fn a_foreign_router_asks_whether_it_is_consumer_grade_and_a_us_one_is_outside() {
    let ds = ds();
    let line = |origin: &str| {
        LineFacts::with_manufacturer("Netgear")
            .model("RAX50")
            .description("Wi-Fi 6 router")
            .country_of_origin(origin)
    };
    let f = findings(&ds, &line("Vietnam"), DEFAULT_REGIMES);
    assert_eq!(
        codes(&f),
        vec![(
            Regime::FccCoveredList,
            ListCode::CategoryReview,
            "fcc-foreign-consumer-routers".into()
        )]
    );
    assert!(f[0].reason.contains("consumer-grade"), "{}", f[0].reason);
    assert!(findings(&ds, &line("USA"), DEFAULT_REGIMES).is_empty());
    // A router bit is woodworking.
    let bit = LineFacts::with_manufacturer("Bosch")
        .description("1/4in router bit set")
        .country_of_origin("China");
    assert!(findings(&ds, &bit, ALL).is_empty());
}

#[test]
fn a_covered_list_entity_reaches_its_subsidiaries_through_the_graph() {
    let ds = ds();
    let f = findings(
        &ds,
        &LineFacts::with_manufacturer("EZVIZ").country_of_origin("China"),
        DEFAULT_REGIMES,
    );
    let hik = f.iter().find(|f| f.record == "hikvision").unwrap();
    assert_eq!(hik.code, ListCode::ListedEntity);
    assert!(!hik.chain.is_empty(), "the chain from EZVIZ is shown");
    assert!(
        hik.reason.contains("EZVIZ") || hik.reason.contains("Ezviz"),
        "{}",
        hik.reason
    );
}

#[test]
fn the_1260h_list_is_checked_only_when_asked() {
    let ds = ds();
    let camera = LineFacts::with_manufacturer("Axis")
        .model("Q1800-LE-3")
        .component("Quectel EG25-G LTE module")
        .country_of_origin("Sweden");
    assert!(findings(&ds, &camera, DEFAULT_REGIMES).is_empty());
    let f = findings(&ds, &camera, &[Regime::Dod1260h]);
    assert_eq!(
        codes(&f),
        vec![(Regime::Dod1260h, ListCode::ListedEntity, "quectel".into())]
    );
    assert_eq!(f[0].field, "components");
    // "no Quectel module" denies the component; it is not evidence of it.
    let denied = LineFacts::with_manufacturer("Axis").component("no Quectel module");
    assert!(findings(&ds, &denied, ALL).is_empty());
}

#[test]
fn a_listing_the_sources_do_not_establish_is_reported_not_listed() {
    let ds = ds();
    for maker in ["Dahua", "Hikvision", "Huawei", "DJI"] {
        let f = findings(
            &ds,
            &LineFacts::with_manufacturer(maker),
            &[Regime::Dod1260h],
        );
        assert_eq!(f.len(), 1, "{maker}: {:?}", codes(&f));
        assert_eq!(f[0].code, ListCode::ReportedListing, "{maker}");
    }
    let f = findings(
        &ds,
        &LineFacts::with_manufacturer("Autel Robotics"),
        &[Regime::Dod1260h],
    );
    assert_eq!(f[0].code, ListCode::ListedEntity);
}

#[test]
fn a_listing_applies_from_its_date() {
    let ds = ds();
    let before = check_line_with(
        &ds,
        &LineFacts::with_manufacturer("DJI").description("camera gimbal"),
        date!(2025 - 06 - 01),
        DEFAULT_REGIMES,
    );
    assert!(
        before.other_lists.is_empty(),
        "{:?}",
        codes(&before.other_lists)
    );
}

#[test]
fn other_lists_never_change_the_section_889_or_taa_verdict() {
    let ds = ds();
    let lines = [
        drone("DJI", "China"),
        drone("Skydio", "USA"),
        LineFacts::with_manufacturer("Hikvision").model("DS-2CD2143G2-I"),
        LineFacts::with_manufacturer("Kaspersky").description("anti-virus"),
        LineFacts::with_manufacturer("TP-Link")
            .description("router")
            .country_of_origin("CN/TW"),
    ];
    for line in &lines {
        let with = check_line_with(&ds, line, TODAY, ALL);
        let without = check_line_with(&ds, line, TODAY, &[]);
        assert!(without.other_lists.is_empty());
        assert_eq!(with.section_889, without.section_889, "{line:?}");
        assert_eq!(with.taa, without.taa, "{line:?}");
    }
}

#[test]
fn a_listing_suggested_only_by_a_model_pattern_or_a_description_is_reported() {
    let ds = ds();
    for line in [
        LineFacts::default().part_number("DS-2CD2183G2-IU"),
        LineFacts::default().description("Hikvision DS-2CD2143G2-I dome"),
    ] {
        let f = findings(&ds, &line, DEFAULT_REGIMES);
        let hik = f.iter().find(|f| f.record == "hikvision").unwrap();
        assert_eq!(hik.code, ListCode::ReportedListing, "{line:?}");
        assert!(hik.reason.contains("evidence, not proof"), "{}", hik.reason);
    }
    // Named in the maker cell as well: listed.
    let named = LineFacts::with_manufacturer("Hikvision").part_number("DS-2CD2183G2-IU");
    let f = findings(&ds, &named, DEFAULT_REGIMES);
    assert_eq!(f[0].code, ListCode::ListedEntity);
    assert_eq!(f[0].field, "manufacturer");
}
