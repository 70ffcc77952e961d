//! One test per matching rule, including the date-aware ownership cases.

use camscope_compliance_data::{
    Code889, Dataset, LineFacts, TaaCode, TaaVerdict, Verdict889, check_line, explain,
};
use time::Date;
use time::macros::date;

fn ds() -> Dataset {
    Dataset::embedded().expect("embedded data loads")
}

fn v889(ds: &Dataset, line: LineFacts, on: Date) -> (Verdict889, Code889, String) {
    let v = check_line(ds, &line, on);
    (
        v.section_889.verdict,
        v.section_889.code,
        v.section_889.reason,
    )
}

const TODAY: Date = date!(2026 - 09 - 30);

#[test]
fn named_entities_in_several_scripts_are_covered() {
    let ds = ds();
    for name in [
        "Hikvision",
        "海康威视",
        "Zhejiang Dahua Technology Co., Ltd.",
        "华为",
        "中兴通讯",
        "海能达",
        "HYT",
        "Zhongxing Telecom",
    ] {
        let (v, code, _) = v889(&ds, LineFacts::with_manufacturer(name), TODAY);
        assert_eq!(
            (v, code),
            (Verdict889::Covered, Code889::NamedEntity),
            "{name}"
        );
    }
}

#[test]
fn covered_verdict_cites_the_right_limb() {
    let ds = ds();
    let v = check_line(&ds, &LineFacts::with_manufacturer("ZTE"), TODAY);
    let texts: Vec<&str> = v
        .section_889
        .citations
        .iter()
        .map(|c| c.text.as_str())
        .collect();
    assert!(texts.contains(&"NDAA FY2019 §889(f)(3)(A)"), "{texts:?}");
    assert!(texts.iter().any(|t| t.starts_with("FAR 52.204-25")));
    let v = check_line(&ds, &LineFacts::with_manufacturer("EZVIZ"), TODAY);
    assert!(
        v.section_889
            .citations
            .iter()
            .any(|c| c.text == "NDAA FY2019 §889(f)(3)(B)")
    );
}

#[test]
fn chain_runs_through_every_hop_with_dates_and_sources() {
    let ds = ds();
    let v = check_line(&ds, &LineFacts::with_manufacturer("PowerTrunk"), TODAY);
    assert_eq!(v.section_889.verdict, Verdict889::Covered);
    assert_eq!(v.section_889.code, Code889::SubBrand);
    let hops: Vec<(&str, &str, &str)> = v
        .section_889
        .chain
        .iter()
        .map(|s| (s.from.as_str(), s.relation.as_str(), s.to.as_str()))
        .collect();
    assert_eq!(
        hops,
        [
            ("powertrunk", "brand-of", "teltronic"),
            ("teltronic", "subsidiary-of", "sepura"),
            ("sepura", "subsidiary-of", "hytera")
        ]
    );
    assert!(
        v.section_889
            .chain
            .iter()
            .all(|s| !s.sources.is_empty() && s.active)
    );
    assert_eq!(
        v.section_889.chain[2]
            .valid_from
            .map(|d| d.to_string())
            .as_deref(),
        Some("2017-05-25")
    );
}

#[test]
fn sepura_is_only_covered_after_the_hytera_acquisition() {
    let ds = ds();
    let line = LineFacts::with_manufacturer("Sepura");
    assert_eq!(v889(&ds, line.clone(), TODAY).0, Verdict889::Covered);
    // The link exists from 2017-05-25, but §889 itself only applies from 2019-08-13.
    let (v, code, _) = v889(&ds, line.clone(), date!(2017 - 05 - 25));
    assert_eq!(
        (v, code),
        (Verdict889::NeedsReview, Code889::BeforeEffective)
    );
    let (v, code, _) = v889(&ds, line, date!(2017 - 05 - 24));
    assert_eq!((v, code), (Verdict889::NotCovered, Code889::NoCoveredLink));
}

#[test]
fn lorex_is_covered_only_while_dahua_owned_it() {
    let ds = ds();
    let line = LineFacts::with_manufacturer("Lorex Technology Inc.");
    assert_eq!(
        v889(&ds, line.clone(), date!(2021 - 06 - 01)).1,
        Code889::Subsidiary
    );
    assert_eq!(
        v889(&ds, line.clone(), date!(2021 - 06 - 01)).0,
        Verdict889::Covered
    );
    assert_eq!(
        v889(&ds, line.clone(), date!(2022 - 11 - 24)).0,
        Verdict889::Covered
    );
    let (v, code, reason) = v889(&ds, line.clone(), date!(2022 - 11 - 25));
    assert_eq!(
        (v, code),
        (Verdict889::NeedsReview, Code889::FormerAffiliate)
    );
    assert!(reason.contains("2022-11-24"), "{reason}");
    // Before FLIR sold it to Dahua, Lorex had no covered link at all.
    assert_eq!(
        v889(&ds, line, date!(2017 - 01 - 01)).0,
        Verdict889::NotCovered
    );
}

#[test]
fn honor_and_h3c_are_not_covered_after_huawei_left() {
    let ds = ds();
    let honor = LineFacts::with_manufacturer("Honor");
    assert_eq!(
        v889(&ds, honor.clone(), date!(2020 - 06 - 01)).0,
        Verdict889::Covered
    );
    let (v, code, _) = v889(&ds, honor, date!(2020 - 11 - 18));
    assert_eq!(
        (v, code),
        (Verdict889::NotCovered, Code889::FormerAffiliate)
    );
    let (v, code, _) = v889(&ds, LineFacts::with_manufacturer("H3C"), TODAY);
    assert_eq!(
        (v, code),
        (Verdict889::NotCovered, Code889::FormerAffiliate)
    );
    // In 2004 H3C was a Huawei joint venture, but that predates §889.
    let (v, code, _) = v889(
        &ds,
        LineFacts::with_manufacturer("Huawei-3Com"),
        date!(2004 - 01 - 01),
    );
    assert_eq!(
        (v, code),
        (Verdict889::NeedsReview, Code889::BeforeEffective)
    );
}

#[test]
fn oem_relabellers_need_review_not_a_clear() {
    let ds = ds();
    for name in [
        "Amcrest",
        "IC Realtime",
        "Annke",
        "Swann",
        "LTS",
        "Intelbras",
    ] {
        let (v, code, _) = v889(&ds, LineFacts::with_manufacturer(name), TODAY);
        assert_eq!(
            (v, code),
            (Verdict889::NeedsReview, Code889::OemRebrand),
            "{name}"
        );
    }
}

#[test]
fn covered_components_make_any_product_covered() {
    let ds = ds();
    for part in [
        "Hi3516EV300",
        "hi3518ev200",
        "SD3403V100",
        "SS626V100",
        "HK-2015-1",
        "Huawei LTE module",
    ] {
        let line = LineFacts::with_manufacturer("Axis").component(part);
        let v = check_line(&ds, &line, TODAY);
        assert_eq!(v.section_889.verdict, Verdict889::Covered, "{part}");
        assert_eq!(v.section_889.code, Code889::CoveredComponent, "{part}");
        assert_eq!(
            v.section_889.chain.first().map(|s| s.relation.as_str()),
            Some("made-by")
        );
        assert_eq!(
            v.section_889.chain.last().map(|s| s.to.as_str()),
            Some("huawei"),
            "{part}"
        );
    }
    // Fullhan silicon under a Hikvision marking: review, not covered.
    let line = LineFacts::with_manufacturer("Axis").component("HK-2018-11");
    assert_eq!(v889(&ds, line, TODAY).1, Code889::ComponentReview);
    // Goke parts are HiSilicon analogues, not HiSilicon.
    let line = LineFacts::with_manufacturer("Acme").component("GK7205V200");
    assert_eq!(v889(&ds, line, TODAY).0, Verdict889::NotCovered);
}

#[test]
fn model_pattern_alone_is_evidence_not_proof() {
    let ds = ds();
    let line = LineFacts::with_manufacturer("Acme Resellers").model("DS-2CD2143G2-I");
    let (v, code, reason) = v889(&ds, line, TODAY);
    assert_eq!((v, code), (Verdict889::NeedsReview, Code889::ModelPattern));
    assert!(reason.contains("evidence"), "{reason}");
    let line = LineFacts::with_manufacturer("Hikvision").model("DS-2CD2143G2-I");
    assert_eq!(v889(&ds, line, TODAY).0, Verdict889::Covered);
}

#[test]
fn lookalikes_do_not_match() {
    let ds = ds();
    for name in [
        "Dahuang Foods",
        "Hikari",
        "Aztec",
        "Honeywell",
        "Hyster",
        "Dahlia",
        "Zoned",
        "Pelco",
        "Uniarch",
    ] {
        let (v, _, reason) = v889(
            &ds,
            LineFacts::with_manufacturer(name).component("Ambarella CV25"),
            TODAY,
        );
        assert_eq!(v, Verdict889::NotCovered, "{name}: {reason}");
    }
}

#[test]
fn misspellings_are_reviewed() {
    let ds = ds();
    for name in ["Huaweii", "Hikvison", "Hikvisoin", "Dahau", "Hytrea"] {
        let (v, code, _) = v889(&ds, LineFacts::with_manufacturer(name), TODAY);
        assert_eq!(
            (v, code),
            (Verdict889::NeedsReview, Code889::FuzzyMatch),
            "{name}"
        );
    }
    // "Hik Vison" contains the exact-only short name "Hik" as well as a joined near miss.
    let (v, code, _) = v889(&ds, LineFacts::with_manufacturer("Hik Vison"), TODAY);
    assert_eq!(v, Verdict889::NeedsReview);
    assert!(matches!(code, Code889::PartialName | Code889::FuzzyMatch));
}

#[test]
fn missing_or_placeholder_maker_needs_review() {
    let ds = ds();
    for line in [
        LineFacts::default(),
        LineFacts::with_manufacturer("  "),
        LineFacts::with_manufacturer("N/A"),
        LineFacts::with_manufacturer("China"),
    ] {
        let (v, code, _) = v889(&ds, line, TODAY);
        assert_eq!((v, code), (Verdict889::NeedsReview, Code889::UnknownMaker));
    }
}

#[test]
fn clearly_named_unknown_maker_is_not_covered() {
    let ds = ds();
    let (v, code, reason) = v889(
        &ds,
        LineFacts::with_manufacturer("Milestone Systems"),
        TODAY,
    );
    assert_eq!((v, code), (Verdict889::NotCovered, Code889::NoCoveredLink));
    assert!(reason.contains("Milestone Systems"));
}

#[test]
fn accessories_of_covered_makers_are_a_scope_question() {
    let ds = ds();
    let line = LineFacts::with_manufacturer("Hikvision").description("Pole mount bracket");
    assert_eq!(v889(&ds, line, TODAY).1, Code889::ScopeQuestion);
    let line = LineFacts::with_manufacturer("Hikvision").description("NVR with 4TB HDD");
    assert_eq!(v889(&ds, line, TODAY).0, Verdict889::Covered);
}

#[test]
fn notes_from_other_regimes_are_shown() {
    let ds = ds();
    let v = check_line(
        &ds,
        &LineFacts::with_manufacturer("Uniview").component("Ambarella CV25"),
        TODAY,
    );
    assert_eq!(v.section_889.verdict, Verdict889::NotCovered);
    assert!(
        v.section_889
            .notes
            .iter()
            .any(|n| n.contains("Entity List")),
        "{:?}",
        v.section_889.notes
    );
}

#[test]
fn north_macedonia_is_designated_only_from_2023_11_14() {
    let ds = ds();
    let line = LineFacts::with_manufacturer("Axis").country_of_origin("North Macedonia");
    let before = check_line(&ds, &line, date!(2023 - 11 - 13)).taa;
    assert_eq!(before.verdict, TaaVerdict::NonDesignated);
    assert!(before.reason.contains("2023-11-14"), "{}", before.reason);
    let after = check_line(&ds, &line, date!(2023 - 11 - 14)).taa;
    assert_eq!(after.verdict, TaaVerdict::Designated);
    assert_eq!(after.lists, ["WTO GPA"]);
    assert_eq!(after.country.map(|c| c.alpha2), Some("MK".to_owned()));
}

#[test]
fn taa_pitfalls() {
    let ds = ds();
    let taa = |origin: &str| {
        check_line(
            &ds,
            &LineFacts::with_manufacturer("Axis").country_of_origin(origin),
            TODAY,
        )
        .taa
    };
    let t = taa("Taiwan, Province of China");
    assert_eq!(
        (t.verdict, t.country.map(|c| c.alpha2)),
        (TaaVerdict::Designated, Some("TW".into()))
    );
    assert_eq!(
        taa("Hong Kong SAR").country.map(|c| c.alpha2),
        Some("HK".into())
    );
    assert_eq!(taa("P.R.C.").verdict, TaaVerdict::NonDesignated);
    assert_eq!(taa("Assembled in USA").code, TaaCode::AssembledIn);
    assert_eq!(taa("Korea").code, TaaCode::AmbiguousOrigin);
    assert_eq!(taa("IN").code, TaaCode::AmbiguousOrigin);
    assert_eq!(taa("ID").code, TaaCode::AmbiguousOrigin);
    assert_eq!(taa("CA").verdict, TaaVerdict::Designated);
    assert_eq!(taa("USA").lists, ["US"]);
    assert_eq!(taa("Korea, Republic of").lists, ["WTO GPA", "FTA"]);
    assert_eq!(taa("Haiti").lists, ["LDC", "CBI"]);
    assert_eq!(taa("Saba").country.map(|c| c.alpha2), Some("BQ".into()));
    assert_eq!(taa("").code, TaaCode::NoOrigin);
    assert_eq!(taa("Germany, China").code, TaaCode::MultipleCountries);
}

#[test]
fn verdicts_serialize_with_stable_names() {
    let ds = ds();
    let v = check_line(
        &ds,
        &LineFacts::with_manufacturer("EZVIZ").country_of_origin("China"),
        TODAY,
    );
    let json = serde_json::to_value(&v).unwrap();
    assert_eq!(json["section_889"]["verdict"], "covered");
    assert_eq!(json["section_889"]["code"], "subsidiary");
    assert_eq!(json["section_889"]["chain"][0]["relation"], "subsidiary-of");
    assert_eq!(json["taa"]["verdict"], "non_designated");
    assert_eq!(json["taa"]["country"]["alpha2"], "CN");
    assert_eq!(json["data"]["as_of"], ds.as_of().to_string());
    assert_eq!(json["date"], "2026-09-30");
}

#[test]
fn explain_shows_links_and_dates() {
    let ds = ds();
    let e = explain(&ds, "Lorex", date!(2024 - 01 - 01));
    let lorex = e.entities.iter().find(|x| x.id == "lorex").unwrap();
    assert_eq!(lorex.code, Some(Code889::FormerAffiliate));
    assert_eq!(lorex.links.len(), 1);
    assert!(!lorex.links[0].active);
    assert_eq!(
        lorex.links[0].valid_to.map(|d| d.to_string()).as_deref(),
        Some("2022-11-24")
    );
    let e = explain(&ds, "Hikvision", TODAY);
    let hik = e.entities.iter().find(|x| x.id == "hikvision").unwrap();
    assert!(hik.linked_from.contains(&"ezviz".to_owned()));
    assert!(hik.names.iter().any(|n| n == "海康威视"));
    assert_eq!(explain(&ds, "Hi3516EV300", TODAY).components.len(), 1);
    assert_eq!(
        explain(&ds, "DS-2CD2143G2-I", TODAY).model_patterns.len(),
        1
    );
    assert!(explain(&ds, "Taiwan", TODAY).country.is_some());
}

#[test]
fn record_examples_are_recognised() {
    // Every example in a component or model-pattern record must match its own record, so a
    // regex edit that stops matching the documented examples fails here.
    let ds = ds();
    for r in ds.records() {
        match &r.record {
            camscope_compliance_data::Record::Component(c) => {
                for ex in &c.examples {
                    assert!(
                        explain(&ds, ex, TODAY)
                            .components
                            .iter()
                            .any(|x| x.id == c.id),
                        "{} / {ex}",
                        c.id
                    );
                }
            }
            camscope_compliance_data::Record::ModelPattern(m) => {
                for ex in &m.examples {
                    assert!(
                        explain(&ds, ex, TODAY)
                            .model_patterns
                            .iter()
                            .any(|x| x.id == m.id),
                        "{} / {ex}",
                        m.id
                    );
                }
            }
            _ => {}
        }
    }
}

#[test]
fn split_and_mixed_field_names_are_not_cleared() {
    let ds = ds();
    let (v, code, _) = v889(&ds, LineFacts::with_manufacturer("Hua Wei"), TODAY);
    assert_eq!((v, code), (Verdict889::NeedsReview, Code889::FuzzyMatch));
    let line = LineFacts::with_manufacturer("Axis").brand("Hikvision");
    assert_eq!(v889(&ds, line, TODAY).0, Verdict889::Covered);
    let line = LineFacts::with_manufacturer("Acme").component("HiSilicon SoC");
    assert_eq!(v889(&ds, line, TODAY).1, Code889::CoveredComponent);
    for name in ["海康威視", "浙江大華技術股份有限公司"] {
        assert_eq!(
            v889(&ds, LineFacts::with_manufacturer(name), TODAY).0,
            Verdict889::Covered,
            "{name}"
        );
    }
}
