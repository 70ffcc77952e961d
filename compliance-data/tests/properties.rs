//! Property tests: spelling noise never clears a covered name, and random words never become
//! covered.

use std::sync::OnceLock;

use camscope_compliance_data::{Dataset, LineFacts, Verdict889, check_line, explain};
use proptest::prelude::*;
use time::Date;
use time::macros::date;

const TODAY: Date = date!(2026 - 09 - 30);

fn ds() -> &'static Dataset {
    static DS: OnceLock<Dataset> = OnceLock::new();
    DS.get_or_init(|| Dataset::embedded().expect("embedded data loads"))
}

const COVERED_NAMES: &[&str] = &[
    "Hikvision",
    "Hangzhou Hikvision Digital Technology",
    "Dahua",
    "Zhejiang Dahua",
    "Huawei",
    "ZTE",
    "Hytera",
    "EZVIZ",
    "HiSilicon",
    "Sepura",
    "Hikvision USA",
];

const SUFFIXES: &[&str] = &[
    "",
    " Co., Ltd.",
    " Inc.",
    " Corporation",
    " Company Limited",
    " Technology Co. Ltd",
    " Group",
    " Technologies, Inc.",
    " (Digital)",
];

fn perturb_case(s: &str, mask: &[bool]) -> String {
    s.chars()
        .zip(mask.iter().cycle())
        .map(|(c, up)| {
            if *up {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Case, whitespace, punctuation and legal-suffix noise around a covered name stays covered.
    #[test]
    fn noisy_covered_names_stay_covered(
        name in prop::sample::select(COVERED_NAMES),
        suffix in prop::sample::select(SUFFIXES),
        mask in prop::collection::vec(any::<bool>(), 1..8),
        lead in "[ \t]{0,3}",
        trail in "[ \t.,;]{0,3}",
        punct in prop::sample::select(&[" ", "  ", " - ", ", ", " / "][..]),
    ) {
        let spaced = name.replace(' ', punct);
        let input = format!("{lead}{}{}{trail}", perturb_case(&spaced, &mask), perturb_case(suffix, &mask));
        let v = check_line(ds(), &LineFacts::with_manufacturer(input.clone()), TODAY);
        prop_assert_eq!(v.section_889.verdict, Verdict889::Covered, "{:?} -> {}", input, v.section_889.reason);
    }

    /// Random words that are not entity names are never covered by name.
    #[test]
    fn random_words_are_never_covered(words in prop::collection::vec("[a-z]{2,10}", 1..4)) {
        let input = words.join(" ");
        // Skip inputs that really are (or contain) a covered alias.
        let hit = explain(ds(), &input, TODAY).entities.iter().any(|e| {
            matches!(e.match_kind, camscope_compliance_data::MatchKind::Exact | camscope_compliance_data::MatchKind::Contained)
        });
        prop_assume!(!hit);
        let v = check_line(ds(), &LineFacts::with_manufacturer(input.clone()), TODAY);
        prop_assert_ne!(v.section_889.verdict, Verdict889::Covered, "{:?}: {}", input, v.section_889.reason);
        prop_assert!(v.section_889.citations.iter().any(|c| c.url.is_some()));
    }

    /// A maker the data does not know is never `not_covered`, whatever else the line says
    /// (a model, a clean component, a designated origin): "not in the data" is not "clear".
    #[test]
    fn a_maker_absent_from_the_data_is_never_not_covered(
        maker in "[A-Za-z][A-Za-z0-9 .,&-]{0,30}",
        brand in prop::option::of("[A-Za-z][A-Za-z0-9 ]{0,15}"),
        model in prop::option::of("[A-Z]{1,3}-?[0-9]{2,5}[A-Z]{0,3}"),
        component in prop::option::of(prop::sample::select(&["Ambarella CV25", "Novatek NT98528", "no HiSilicon parts", ""][..])),
        origin in prop::option::of(prop::sample::select(&["Taiwan", "USA", "Made in Japan", "Korea (South)"][..])),
    ) {
        let known = |text: &str| !explain(ds(), text, TODAY).entities.is_empty();
        prop_assume!(!known(&maker));
        prop_assume!(brand.as_deref().is_none_or(|b| !known(b)));
        let mut line = LineFacts::with_manufacturer(maker.clone());
        if let Some(b) = &brand {
            line = line.brand(b.clone());
        }
        if let Some(m) = &model {
            line = line.model(m.clone());
        }
        if let Some(c) = component {
            line = line.component(c);
        }
        if let Some(o) = origin {
            line = line.country_of_origin(o);
        }
        let v = check_line(ds(), &line, TODAY);
        prop_assert_ne!(v.section_889.verdict, Verdict889::NotCovered, "{:?}: {:?} {}", line, v.section_889.code, v.section_889.reason);
    }

    /// Checking never panics on arbitrary text in any field.
    #[test]
    fn arbitrary_text_does_not_panic(
        m in ".{0,40}", b in ".{0,20}", model in ".{0,20}", d in ".{0,60}", c in ".{0,30}", o in ".{0,30}",
    ) {
        let line = LineFacts::with_manufacturer(m).brand(b).model(model).description(d).component(c).country_of_origin(o);
        let v = check_line(ds(), &line, TODAY);
        prop_assert!(!v.section_889.reason.is_empty());
        prop_assert!(!v.taa.reason.is_empty());
    }
}

const MAKERS: &[&str] = &[
    "DJI",
    "Autel",
    "Skydio",
    "Hikvision",
    "EZVIZ",
    "Axis",
    "Quectel",
    "Kaspersky",
    "TP-Link",
    "Netgear",
    "Northwind Optronics",
    "",
];
const DESCRIPTIONS: &[&str] = &[
    "enterprise drone",
    "UAV with gimbal camera",
    "drone detection radar",
    "Wi-Fi 6 router",
    "4MP dome camera",
    "LTE module",
    "anti-virus licence",
    "",
];
const ORIGINS: &[&str] = &[
    "China",
    "USA",
    "Vietnam",
    "DJI",
    "Made in Taiwan",
    "CN/TW",
    "",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// The other lists (FCC Covered List, ASDA, DoD 1260H) are findings beside the verdicts:
    /// turning them on or off never changes a Section 889 or TAA verdict, and every finding is
    /// labelled with one of the lists that was asked for.
    #[test]
    fn other_lists_never_change_a_verdict(
        maker in prop::sample::select(MAKERS),
        description in prop::sample::select(DESCRIPTIONS),
        origin in prop::sample::select(ORIGINS),
        component in prop::option::of(prop::sample::select(&["Quectel EG25-G", "no Quectel parts", "Ambarella CV25"][..])),
        asked in prop::sample::subsequence(camscope_compliance_data::Regime::ALL.to_vec(), 0..=3),
    ) {
        let mut line = LineFacts::with_manufacturer(maker).description(description).country_of_origin(origin);
        if let Some(c) = component {
            line = line.component(c);
        }
        let with = camscope_compliance_data::check_line_with(ds(), &line, TODAY, &asked);
        let without = camscope_compliance_data::check_line_with(ds(), &line, TODAY, &[]);
        prop_assert_eq!(&with.section_889, &without.section_889);
        prop_assert_eq!(&with.taa, &without.taa);
        for f in &with.other_lists {
            prop_assert!(asked.contains(&f.regime), "{:?} not asked for", f.regime);
        }
    }
}
