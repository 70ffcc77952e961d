//! One test per matching rule, including the date-aware ownership cases.
// Test helpers unwrap: a panic here is a failed test, not a crash on input.
#![allow(clippy::unwrap_used)]

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
    // Before the link, nothing in the data says who owned Sepura: not covered is not shown.
    let (v, code, _) = v889(&ds, line, date!(2017 - 05 - 24));
    assert_eq!(
        (v, code),
        (Verdict889::NeedsReview, Code889::IndependenceUnverified)
    );
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
    // Before FLIR sold it to Dahua, Lorex had no covered link at all; without a record of its
    // owners then, that is review, not a clear.
    let (v, code, _) = v889(&ds, line, date!(2017 - 01 - 01));
    assert_ne!(v, Verdict889::Covered);
    assert!(
        matches!(
            code,
            Code889::IndependenceUnverified | Code889::IndependentMaker
        ),
        "{code:?}"
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
    // The link ended cleanly; the line clears only if the data also records Honor's owners now.
    let (v, code, _) = v889(&ds, honor, date!(2020 - 11 - 18));
    let vetted = ds
        .entity("honor")
        .is_some_and(|e| e.independence().is_some());
    assert_eq!(code, Code889::FormerAffiliate);
    assert_eq!(
        v,
        if vetted {
            Verdict889::NotCovered
        } else {
            Verdict889::NeedsReview
        }
    );
    let (v, code, _) = v889(&ds, LineFacts::with_manufacturer("H3C"), TODAY);
    let vetted = ds.entity("h3c").is_some_and(|e| e.independence().is_some());
    assert_eq!(code, Code889::FormerAffiliate);
    assert_eq!(v == Verdict889::NotCovered, vetted);
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
    assert_eq!(v889(&ds, line, TODAY).1, Code889::MakerNotInData);
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
        let (v, code, reason) = v889(
            &ds,
            LineFacts::with_manufacturer(name).component("Ambarella CV25"),
            TODAY,
        );
        assert_ne!(v, Verdict889::Covered, "{name}: {reason}");
        assert!(
            matches!(
                code,
                Code889::MakerNotInData
                    | Code889::IndependenceUnverified
                    | Code889::IndependentMaker
            ),
            "{name}: {code:?} {reason}"
        );
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

/// A line whose model says it is still to be chosen is a placeholder: its own code for both
/// checks, still a finding, with what to do; a maker, a covered mention or an origin on the
/// line is judged as on any other line.
#[test]
fn a_placeholder_line_is_to_be_chosen_not_an_unknown_maker() {
    let ds = ds();
    let placeholder = LineFacts::default()
        .model("4U storage recording server (model to be chosen)")
        .part_number("storage-4u-128")
        .description("to be chosen: at least 128 cameras and 1 Gbit/s ingest, 36 bays, RAID 6; maker must be Section 889 eligible");
    let v = check_line(&ds, &placeholder, TODAY);
    assert_eq!(
        (v.section_889.verdict, v.section_889.code),
        (Verdict889::NeedsReview, Code889::ToBeChosen)
    );
    assert!(
        v.section_889
            .reason
            .starts_with("placeholder line: the model is still to be chosen; choose a product whose maker the data clears under §889"),
        "{}",
        v.section_889.reason
    );
    assert_eq!(
        (v.taa.verdict, v.taa.code),
        (TaaVerdict::Unknown, TaaCode::OriginToBeChosen)
    );
    assert!(
        v.taa
            .reason
            .contains("state the chosen product's country of origin"),
        "{}",
        v.taa.reason
    );
    // A placeholder maker is still a placeholder line.
    let (_, code, _) = v889(&ds, placeholder.clone().brand("N/A"), TODAY);
    assert_eq!(code, Code889::ToBeChosen);
    // A maker on the line is judged: Hikvision is covered whatever model is to be chosen.
    let (verdict, code, _) = v889(&ds, placeholder.clone().brand("Hikvision"), TODAY);
    assert_eq!((verdict, code), (Verdict889::Covered, Code889::NamedEntity));
    // A stated origin is judged, placeholder or not.
    let with_origin = check_line(
        &ds,
        &placeholder.clone().country_of_origin("Germany"),
        TODAY,
    );
    assert_eq!(with_origin.taa.verdict, TaaVerdict::Designated);
    // Without the words the line is an unknown maker as before.
    let plain = LineFacts::default().model("4U storage recording server");
    let v = check_line(&ds, &plain, TODAY);
    assert_eq!(v.section_889.code, Code889::UnknownMaker);
    assert_eq!(v.taa.code, TaaCode::NoOrigin);
}

#[test]
fn a_maker_the_data_has_never_heard_of_is_review_not_clear() {
    let ds = ds();
    let (v, code, reason) = v889(
        &ds,
        LineFacts::with_manufacturer("Northwind Optronics"),
        TODAY,
    );
    assert_eq!(
        (v, code),
        (Verdict889::NeedsReview, Code889::MakerNotInData)
    );
    assert!(reason.contains("Northwind Optronics"), "{reason}");
    // A known clean maker with an unknown brand is not cleared either.
    let (v, code, _) = v889(
        &ds,
        LineFacts::with_manufacturer("Hikvision").brand("Northwind"),
        TODAY,
    );
    assert_eq!(v, Verdict889::Covered, "{code:?}");
}

/// Issue 11: these came back `not_covered` / `no-covered-link` on a distributor quote.
#[test]
fn the_names_that_were_cleared_by_mistake_are_never_clear() {
    let ds = ds();
    for name in [
        "LeChange",
        "Zhejiang Huaray Technology",
        "Interlogix",
        "TruVision",
        "Futurewei Technologies",
    ] {
        let (v, code, reason) = v889(&ds, LineFacts::with_manufacturer(name), TODAY);
        assert_ne!(v, Verdict889::NotCovered, "{name}: {code:?} {reason}");
    }
}

/// A copy of the shipped data with `extra` (TOML tables) added to entity `id`'s file.
fn data_with(id: &str, what: &str, extra: &str) -> Dataset {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let dir = std::env::temp_dir().join(format!("camscope-{what}-{id}-{}", std::process::id()));
    copy_dir(&src, &dir);
    let file = dir.join("entities").join(format!("{id}.toml"));
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str(extra);
    std::fs::write(&file, text).unwrap();
    Dataset::load_dir(&dir).unwrap()
}

/// A BOM line without an origin whose maker the data records as making its products in a
/// designated country stays unknown: the fallback on the maker's origin only ever decides
/// against a line, and its reason names the record.
#[test]
fn a_designated_maker_origin_never_clears_a_line_without_its_own() {
    let ds = data_with(
        "axis",
        "origin",
        r#"
[origin]
as_of = "2026-12-03"
countries = ["se"]

[[origin.sources]]
url = "https://www.axis.com/about-axis"
grade = "B"
title = "Axis: about the company"
date = "2026-12-03"
"#,
    );
    let line = LineFacts::with_manufacturer("Axis").model("P3265-LVE");
    let taa = check_line(&ds, &line, TODAY).taa;
    assert_eq!(
        (taa.verdict, taa.code),
        (TaaVerdict::Unknown, TaaCode::NoOrigin),
        "{}",
        taa.reason
    );
    assert!(
        taa.reason.contains("Sweden") && taa.reason.contains("not this product's"),
        "{}",
        taa.reason
    );
    // With its own origin the line is judged on it.
    let stated = check_line(&ds, &line.country_of_origin("Sweden"), TODAY).taa;
    assert_eq!(stated.verdict, TaaVerdict::Designated);
}

/// A copy of the shipped data with an `[independence]` table added to one entity.
fn data_with_independence(id: &str) -> Dataset {
    data_with(
        id,
        "independence",
        r#"
[independence]
as_of = "2026-11-30"
parent = "Canon Inc. (Japan), since 2015"
owners = "wholly owned by Canon Inc., listed on the Tokyo Stock Exchange"
oem = "makes its own cameras; no relabelling of covered producers' products reported"
checked = ["parent", "owners", "oem"]
sources = [{ url = "https://global.canon/en/ir/", grade = "B", title = "Canon annual report" }]
"#,
    )
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn a_clean_verdict_rests_on_a_record_of_independence_and_says_what_was_checked() {
    // The shipped data holds Axis's record; a copy gets one added if it ever does not.
    let shipped = Dataset::embedded().unwrap();
    let ds = if shipped
        .entity("axis")
        .is_some_and(|e| e.independence().is_some())
    {
        shipped
    } else {
        data_with_independence("axis")
    };
    let ind = ds
        .entity("axis")
        .and_then(|e| e.independence())
        .unwrap()
        .clone();
    let v = check_line(
        &ds,
        &LineFacts::with_manufacturer("Axis Communications").model("P3265-LVE"),
        TODAY,
    );
    let s = &v.section_889;
    assert_eq!(
        (s.verdict, s.code),
        (Verdict889::NotCovered, Code889::IndependentMaker)
    );
    assert_eq!(s.basis, Some(camscope_compliance_data::ClearBasis::Record));
    assert_eq!(s.independence.len(), 1);
    assert!(s.independence[0].checked.iter().any(|c| c == "parent"));
    assert!(s.independence[0].checked.iter().any(|c| c == "owners"));
    assert_eq!(s.independence[0].as_of, ind.as_of);
    assert!(s.reason.contains(ind.parent.trim()), "{}", s.reason);
    assert!(s.reason.contains(&ind.as_of.to_string()), "{}", s.reason);
    assert!(
        s.citations
            .iter()
            .any(|c| c.url.as_deref() == Some(ind.sources[0].url.as_str())),
        "the independence source is cited"
    );
    // The same maker without that record is only "in the data": review.
    let shipped = Dataset::embedded().unwrap();
    let plain = check_line(
        &shipped,
        &LineFacts::with_manufacturer("Axis Communications"),
        TODAY,
    );
    if shipped
        .entity("axis")
        .is_some_and(|e| e.independence().is_none())
    {
        assert_eq!(plain.section_889.code, Code889::IndependenceUnverified);
    }
    // A brand the data does not know keeps even a vetted maker from a clear.
    let v = check_line(
        &ds,
        &LineFacts::with_manufacturer("Axis").brand("Northwind"),
        TODAY,
    );
    assert_eq!(
        (v.section_889.verdict, v.section_889.code),
        (Verdict889::NeedsReview, Code889::MakerNotInData)
    );
    // A covered component still wins over the record.
    let v = check_line(
        &ds,
        &LineFacts::with_manufacturer("Axis").component("HiSilicon Hi3516EV300"),
        TODAY,
    );
    assert_eq!(v.section_889.verdict, Verdict889::Covered);
}

#[test]
fn passive_equipment_is_out_of_scope_by_a_cited_rule() {
    let ds = ds();
    let v = check_line(
        &ds,
        &LineFacts::with_manufacturer("Northwind Metalworks")
            .description("Pole mount bracket, aluminium"),
        TODAY,
    );
    let s = &v.section_889;
    assert_eq!(
        (s.verdict, s.code),
        (Verdict889::NotCovered, Code889::PassiveEquipment)
    );
    assert_eq!(s.basis, Some(camscope_compliance_data::ClearBasis::Rule));
    assert!(s.citations.iter().any(|c| c.text.contains("§889(a)(2)(B)")));
    // Anything electronic is not passive, whatever else the description says.
    for desc in [
        "Pole mount with PoE injector",
        "Wall mount IR illuminator",
        "27 inch monitor",
    ] {
        let v = check_line(
            &ds,
            &LineFacts::with_manufacturer("Northwind Metalworks").description(desc),
            TODAY,
        );
        assert_eq!(v.section_889.code, Code889::MakerNotInData, "{desc}");
    }
}

/// Issue 11: a components cell that only denies was read as presence.
#[test]
fn denials_in_components_are_not_evidence_of_presence() {
    let ds = ds();
    for cell in [
        "SoC not HiSilicon",
        "Vendor statement: no HiSilicon or other covered components",
        "non-HiSilicon SoC",
        "without Huawei components",
        "HiSilicon-free",
    ] {
        let v = check_line(
            &ds,
            &LineFacts::with_manufacturer("Northwind Optronics").component(cell),
            TODAY,
        );
        assert!(
            !matches!(
                v.section_889.code,
                Code889::CoveredComponent | Code889::ComponentReview
            ),
            "{cell}: {:?} {}",
            v.section_889.code,
            v.section_889.reason
        );
        assert!(
            v.section_889.notes.iter().any(|n| n.contains("denies")),
            "{cell}: the attestation is noted"
        );
        // A denial never clears a covered maker.
        let v = check_line(
            &ds,
            &LineFacts::with_manufacturer("Hikvision").component(cell),
            TODAY,
        );
        assert_eq!(v.section_889.verdict, Verdict889::Covered, "{cell}");
    }
    // Presence beside a denial is still presence.
    let v = check_line(
        &ds,
        &LineFacts::with_manufacturer("Northwind Optronics").component("Hi3516EV300, no Wi-Fi"),
        TODAY,
    );
    assert_eq!(v.section_889.code, Code889::CoveredComponent);
    let v = check_line(
        &ds,
        &LineFacts::with_manufacturer("Northwind Optronics")
            .description("Dome camera, non-HiSilicon SoC"),
        TODAY,
    );
    assert_ne!(v.section_889.code, Code889::CoveredComponent);
}

/// Issue 11: "Rep. of Korea" and "Korea (South)" were unknown while "S. Korea" passed.
#[test]
fn country_spellings_and_phrases() {
    let ds = ds();
    let taa =
        |origin: &str| check_line(&ds, &LineFacts::default().country_of_origin(origin), TODAY).taa;
    for korea in [
        "Rep. of Korea",
        "Korea (South)",
        "South Korea",
        "Republic of Korea",
        "ROK",
        "KR",
        "KOR",
        "S. Korea",
        "Korea, Rep.",
        "ＫＲ",
        "Made in Rep. of Korea",
        "KOREA, REPUBLIC OF",
    ] {
        let t = taa(korea);
        assert_eq!(t.verdict, TaaVerdict::Designated, "{korea}: {}", t.reason);
        assert_eq!(
            t.country.as_ref().map(|c| c.alpha2.as_str()),
            Some("KR"),
            "{korea}"
        );
    }
    for vietnam in ["Viet Nam", "Vietnam", "VN", "Made in Viet Nam"] {
        let t = taa(vietnam);
        assert_eq!(
            t.country.as_ref().map(|c| c.alpha2.as_str()),
            Some("VN"),
            "{vietnam}: {}",
            t.reason
        );
        assert_eq!(t.verdict, TaaVerdict::NonDesignated, "{vietnam}");
    }
    for (phrase, code) in [
        ("Made in China", "CN"),
        ("Designed in California, Made in China", "CN"),
        ("Designed in USA; manufactured in Taiwan", "TW"),
        ("Made in CN", "CN"),
    ] {
        let t = taa(phrase);
        assert_eq!(
            t.country.as_ref().map(|c| c.alpha2.as_str()),
            Some(code),
            "{phrase}: {}",
            t.reason
        );
    }
    let t = taa("Assembled in Mexico of foreign parts");
    assert_eq!(
        (t.verdict, t.code),
        (TaaVerdict::Unknown, TaaCode::AssembledIn)
    );
    assert!(t.reason.contains("foreign parts"), "{}", t.reason);
    let t = taa("Designed in California");
    assert_eq!(
        (t.verdict, t.code),
        (TaaVerdict::Unknown, TaaCode::NoOriginStatement)
    );
    let t = taa("CN/TW");
    assert_eq!(
        (t.verdict, t.code),
        (TaaVerdict::Unknown, TaaCode::MultipleCountries)
    );
    assert!(
        t.reason.contains("China") && t.reason.contains("Taiwan"),
        "{}",
        t.reason
    );
}

/// "DJI" is Djibouti's alpha-3 code and a drone maker: a maker token is never an origin.
#[test]
fn a_maker_token_is_never_read_as_a_country() {
    let ds = ds();
    let t = check_line(&ds, &LineFacts::default().country_of_origin("DJI"), TODAY).taa;
    assert_eq!(
        (t.verdict, t.code),
        (TaaVerdict::Unknown, TaaCode::AmbiguousOrigin)
    );
    assert!(t.reason.contains("maker"), "{}", t.reason);
    let t = check_line(
        &ds,
        &LineFacts::default().country_of_origin("Djibouti"),
        TODAY,
    )
    .taa;
    assert_eq!(t.country.as_ref().map(|c| c.alpha2.as_str()), Some("DJ"));
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
    assert_ne!(v.section_889.verdict, Verdict889::Covered);
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
    // The data stamp and the date are the run's (DataStamp::of), not copied into every line.
    assert!(json.get("data").is_none(), "{json}");
    assert!(json.get("date").is_none(), "{json}");
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
