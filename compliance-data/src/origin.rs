//! The country of origin of a product named only by its maker (and model): what the planner
//! checks when a site requires the TAA and its site file names a camera's brand, before any
//! quote states where the model is made.
//!
//! TAA origin is a product's (the place of its last substantial transformation), so a line's own
//! origin always wins. Without one, the maker's `[origin]` record says where the maker makes its
//! products, as its filings state it; a brand without one takes its owner's (`brand-of`). A maker
//! the data does not know, or knows without an origin, gives `unknown` (`origin-not-in-data`):
//! not being in the data is never a clear. Pure.

use time::Date;

use crate::LineFacts;
use crate::dataset::Dataset;
use crate::date::within;
use crate::matching::{MatchKind, match_names};
use crate::record::{EntityRecord, MakerOrigin, Relation};
use crate::section889::Citation;
use crate::taa::{self, Taa, TaaCode, TaaVerdict};

/// How many `brand-of` links are followed to find an owner's origin.
const BRAND_DEPTH: usize = 3;

/// The TAA verdict of a line from its own country of origin or, without one, from where the
/// data records that its maker makes its products.
pub fn maker_origin(ds: &Dataset, line: &LineFacts, date: Date) -> Taa {
    if line
        .country_of_origin
        .as_deref()
        .is_some_and(taa::states_origin)
    {
        return taa::check_line(ds, line, date);
    }
    let makers = makers_named(ds, line);
    let base = taa::check(ds, None, date);
    let shown = shown(line);
    let [maker] = makers.as_slice() else {
        let why = if makers.is_empty() {
            format!(
                "The data knows no maker named {shown}, so where it is made is not known; state the model's country of origin (where it is last substantially transformed) before ordering."
            )
        } else {
            format!(
                "{shown} names more than one maker in the data, so where it is made is not known; state the model's country of origin before ordering."
            )
        };
        return not_in_data(base, why);
    };
    let Some((owner, origin)) = origin_of(ds, maker, date) else {
        return not_in_data(
            base,
            format!(
                "The data records no country of origin for {}; state the model's country of origin (where it is last substantially transformed) before ordering.",
                maker.name
            ),
        );
    };
    judge(ds, base, owner, origin, date)
}

/// A BOM line's TAA verdict when the line states no country of origin (`taa`, code
/// `no-origin`): the data's record of where the maker the line names (by manufacturer or
/// brand) makes its products decides against it when that is a non-designated country (a Hikvision camera without an origin on
/// the quote is not "unknown"), and never for it: a designated maker origin is not the
/// product's own, so the line stays unknown, its reason naming what the data records. Any other
/// verdict is returned as it is.
pub(crate) fn without_line_origin(ds: &Dataset, line: &LineFacts, taa: Taa, date: Date) -> Taa {
    if taa.code != TaaCode::NoOrigin {
        return taa;
    }
    let maker = maker_origin(ds, line, date);
    match maker.verdict {
        TaaVerdict::NonDesignated => Taa {
            reason: match taa
                .input
                .as_deref()
                .map(str::trim)
                .filter(|o| !o.is_empty())
            {
                Some(o) => format!(
                    "The line's origin \"{o}\" is a placeholder, not a country. {}",
                    maker.reason
                ),
                None => format!("The line states no country of origin. {}", maker.reason),
            },
            input: taa.input,
            ..maker
        },
        TaaVerdict::Designated => {
            let mut citations = taa.citations.clone();
            for c in maker.citations {
                if !citations.contains(&c) {
                    citations.push(c);
                }
            }
            Taa {
                reason: format!(
                    "{} {} A maker's usual origin is not this product's: the quote must state the model's own country of origin (where it is last substantially transformed).",
                    taa.reason, maker.reason
                ),
                citations,
                ..taa
            }
        }
        TaaVerdict::Unknown => taa,
    }
}

/// A verdict of `unknown` for a maker whose origin the data does not hold.
fn not_in_data(base: Taa, reason: String) -> Taa {
    Taa {
        verdict: TaaVerdict::Unknown,
        code: TaaCode::OriginNotInData,
        reason,
        ..base
    }
}

/// The maker, brand or model as the line gives them, for reasons.
fn shown(line: &LineFacts) -> String {
    let parts: Vec<&str> = [
        line.manufacturer.as_deref(),
        line.brand.as_deref(),
        line.model.as_deref(),
    ]
    .into_iter()
    .flatten()
    .filter(|s| !s.trim().is_empty())
    .collect();
    if parts.is_empty() {
        "(no maker given)".to_owned()
    } else {
        format!("\"{}\"", parts.join(" "))
    }
}

/// The entities the line's maker and brand name (whole names, no near misses). A model number
/// alone names no maker here: a model-number pattern is evidence, not proof (the Section 889
/// check holds such a line for review), and a lookalike model can match it.
fn makers_named<'a>(ds: &'a Dataset, line: &LineFacts) -> Vec<&'a EntityRecord> {
    let mut found: Vec<usize> = Vec::new();
    for text in [line.manufacturer.as_deref(), line.brand.as_deref()]
        .into_iter()
        .flatten()
    {
        for hit in match_names(ds, text) {
            if matches!(hit.kind, MatchKind::Exact | MatchKind::Contained)
                && !found.contains(&hit.record)
            {
                found.push(hit.record);
            }
        }
    }
    found.iter().filter_map(|&i| ds.entity_at(i)).collect()
}

/// The maker's origin, or its owner's through `brand-of` links in force on `date`.
fn origin_of<'a>(
    ds: &'a Dataset,
    maker: &'a EntityRecord,
    date: Date,
) -> Option<(&'a EntityRecord, &'a MakerOrigin)> {
    let mut at = maker;
    for _ in 0..=BRAND_DEPTH {
        if let Some(o) = at.origin.as_deref() {
            return Some((at, o));
        }
        at = at
            .links
            .iter()
            .filter(|l| l.relation == Relation::BrandOf)
            .filter(|l| within(date, l.from.as_ref(), l.to.as_ref()))
            .find_map(|l| ds.entity(&l.target))?;
    }
    None
}

/// The verdict the recorded countries give: non-designated when none is designated on `date`,
/// designated when all are, unknown when they differ.
fn judge(ds: &Dataset, base: Taa, owner: &EntityRecord, o: &MakerOrigin, date: Date) -> Taa {
    let checked: Vec<Taa> = o
        .countries
        .iter()
        .map(|id| taa::check(ds, Some(&id.to_ascii_uppercase()), date))
        .collect();
    let names: Vec<String> = checked
        .iter()
        .zip(&o.countries)
        .map(|(t, id)| t.country.as_ref().map_or(id.clone(), |c| c.name.clone()))
        .collect();
    let mut citations = base.citations.clone();
    citations.extend(o.sources.iter().map(|s| Citation {
        text: s.title.clone().unwrap_or_else(|| "source".to_owned()),
        url: Some(s.url.clone()),
    }));
    let note = o
        .note
        .as_deref()
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    let recorded = format!(
        "The data records {} as where {} makes its products{note}",
        names.join(" and "),
        owner.name
    );
    let all = |v: TaaVerdict| checked.iter().all(|t| t.verdict == v);
    let (verdict, code, what) = if all(TaaVerdict::NonDesignated) {
        (
            TaaVerdict::NonDesignated,
            TaaCode::MakerOriginNonDesignated,
            "not a FAR 25.003 designated country, so the product is taken as non-designated until the quote states the model's own country of origin (a model made in a designated country needs that statement)",
        )
    } else if all(TaaVerdict::Designated) {
        (
            TaaVerdict::Designated,
            TaaCode::DesignatedCountry,
            "a FAR 25.003 designated country; the quote must still state the model's own country of origin",
        )
    } else {
        (
            TaaVerdict::Unknown,
            TaaCode::MultipleCountries,
            "countries of different status; state the model's country of origin before ordering",
        )
    };
    let single = match checked.as_slice() {
        [one] => one.clone(),
        _ => base.clone(),
    };
    Taa {
        verdict,
        code,
        input: None,
        country: single.country,
        lists: single.lists,
        reason: format!("{recorded}: {what}."),
        citations,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(line: LineFacts) -> Taa {
        let ds = Dataset::embedded().expect("the embedded data loads");
        let date = ds.as_of();
        maker_origin(&ds, &line, date)
    }

    #[test]
    fn a_maker_recorded_as_making_in_china_is_non_designated_and_its_brand_too() {
        for maker in ["Hikvision", "HiLook"] {
            let t = origin(LineFacts::with_manufacturer(maker));
            assert_eq!(
                (t.verdict, t.code),
                (TaaVerdict::NonDesignated, TaaCode::MakerOriginNonDesignated),
                "{maker}: {}",
                t.reason
            );
            assert_eq!(t.country.map(|c| c.alpha2), Some("CN".to_owned()));
            assert!(
                t.citations
                    .iter()
                    .any(|c| c.url.as_deref().is_some_and(|u| u.contains("002415")))
            );
        }
        // A model number alone names no maker: a pattern is evidence, not proof.
        let by_model = origin(LineFacts::default().model("DS-2CD2143G2-I"));
        assert_eq!(
            (by_model.verdict, by_model.code),
            (TaaVerdict::Unknown, TaaCode::OriginNotInData)
        );
    }

    #[test]
    fn a_maker_without_an_origin_or_not_in_the_data_is_unknown_never_clear() {
        for line in [
            LineFacts::with_manufacturer("Axis"),
            LineFacts::with_manufacturer("Northwind Optronics"),
            LineFacts::default(),
        ] {
            let t = origin(line);
            assert_eq!(
                (t.verdict, t.code),
                (TaaVerdict::Unknown, TaaCode::OriginNotInData),
                "{}",
                t.reason
            );
        }
    }

    fn checked(line: LineFacts) -> Taa {
        let ds = Dataset::embedded().expect("the embedded data loads");
        let date = ds.as_of();
        crate::check_line(&ds, &line, date).taa
    }

    #[test]
    fn a_bom_line_without_origin_from_a_non_designated_maker_is_non_designated() {
        let t = checked(LineFacts::with_manufacturer("Hikvision").model("DS-2CD2143G2-I"));
        assert_eq!(
            (t.verdict, t.code),
            (TaaVerdict::NonDesignated, TaaCode::MakerOriginNonDesignated),
            "{}",
            t.reason
        );
        assert!(
            t.reason
                .starts_with("The line states no country of origin.")
        );
        assert!(
            t.citations
                .iter()
                .any(|c| c.url.as_deref().is_some_and(|u| u.contains("002415")))
        );
        // A placeholder in the origin cell is no origin: the same fallback.
        for placeholder in ["n/a", "TBD", "Unknown", " - "] {
            let t = checked(
                LineFacts::with_manufacturer("Hikvision")
                    .model("DS-2CD2143G2-I")
                    .country_of_origin(placeholder),
            );
            assert_eq!(
                (t.verdict, t.code),
                (TaaVerdict::NonDesignated, TaaCode::MakerOriginNonDesignated),
                "{placeholder}: {}",
                t.reason
            );
        }
        // A maker the data holds no origin for stays unknown: never a clear.
        let axis = checked(LineFacts::with_manufacturer("Axis").model("P3265-LVE"));
        assert_eq!(
            (axis.verdict, axis.code),
            (TaaVerdict::Unknown, TaaCode::NoOrigin)
        );
        // The line's own origin still wins.
        let de = checked(LineFacts::with_manufacturer("Hikvision").country_of_origin("Germany"));
        assert_eq!(de.verdict, TaaVerdict::Designated, "{}", de.reason);
    }

    #[test]
    fn the_lines_own_origin_wins_over_the_makers() {
        let t = origin(LineFacts::with_manufacturer("Hikvision").country_of_origin("Germany"));
        assert_eq!(t.verdict, TaaVerdict::Designated, "{}", t.reason);
    }
}
