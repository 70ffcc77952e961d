//! The Section 889 verdict scale and the stable codes that say why a verdict was given.
//!
//! A leaf of the crate: the matcher (which classifies an ownership chain), the line check and
//! `explain` all speak this vocabulary, so it lives apart from each of them.

use serde::Serialize;

/// The Section 889 outcome, ordered by severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict889 {
    /// No covered producer or component per the data.
    NotCovered,
    /// Plausible link, weak evidence or a scope question: a person must decide.
    NeedsReview,
    /// Produced by a named entity or a documented subsidiary/affiliate, or contains a covered
    /// component.
    Covered,
}

impl Verdict889 {
    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict889::NotCovered => "not_covered",
            Verdict889::NeedsReview => "needs_review",
            Verdict889::Covered => "covered",
        }
    }
}

macro_rules! codes {
    ($($variant:ident => $name:literal, $desc:literal;)*) => {
        /// Why a Section 889 verdict was given. The kebab-case names are a public interface.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(rename_all = "kebab-case")]
        #[non_exhaustive]
        pub enum Code889 {
            $(#[doc = $desc] $variant,)*
        }

        impl Code889 {
            /// Every code, in priority order (earlier wins a tie between equally severe findings).
            pub const ALL: &'static [Code889] = &[$(Code889::$variant,)*];

            /// Stable kebab-case name.
            pub fn as_str(self) -> &'static str {
                match self { $(Code889::$variant => $name,)* }
            }

            /// One-line description for documentation and `--explain`.
            pub fn description(self) -> &'static str {
                match self { $(Code889::$variant => $desc,)* }
            }
        }
    };
}

codes! {
    NamedEntity => "named-entity", "The maker or brand is an entity named in §889(f)(3).";
    Subsidiary => "subsidiary", "The maker or brand is a documented subsidiary of a named entity.";
    SubBrand => "sub-brand", "The brand belongs to a named entity or one of its subsidiaries.";
    Affiliate => "affiliate", "The maker is a documented affiliate or joint venture of a named entity.";
    CoveredComponent => "covered-component", "A component (SoC, radio module) is made by a covered producer.";
    ScopeQuestion => "scope-question", "A covered producer, but the item may be outside the equipment §889 reaches (accessory, display, storage).";
    FormerAffiliate => "former-affiliate", "The link to a named entity existed but had ended by the date checked.";
    OemRebrand => "oem-rebrand", "The brand is reported to relabel a named entity's products.";
    ComponentReview => "component-review", "A component marking suggests a covered producer without proving it.";
    BeforeEffective => "before-effective", "The date checked is before the prohibition took effect.";
    PartialName => "partial-name", "A longer name contains a short, generic alias of a covered entity.";
    FuzzyMatch => "fuzzy-match", "A name is a near miss of a covered entity's name (likely misspelling).";
    ModelPattern => "model-pattern", "The model number follows a covered maker's catalogue pattern (evidence only).";
    DescriptionMention => "description-mention", "The description mentions a covered entity.";
    ComponentUnknown => "component-unknown", "The maker often uses HiSilicon SoCs and the components are not given.";
    ToBeChosen => "to-be-chosen", "A placeholder line: no maker is given and the model says it is still to be chosen.";
    UnknownMaker => "unknown-maker", "No maker or brand is given, or only a placeholder.";
    MakerNotInData => "maker-not-in-data", "The maker or brand is not in the data: nothing says who owns it, so it cannot be cleared.";
    IndependenceUnverified => "independence-unverified", "The maker is in the data without a covered link, but no record establishes its independence (parent, owners, OEM).";
    PassiveEquipment => "passive-equipment", "Passive equipment (mount, cable, enclosure) that cannot route, redirect or see user data: outside §889 by §889(a)(2)(B).";
    IndependentMaker => "independent-maker", "The maker (and brand) resolve to records that establish independence from the covered entities (parent, owners, OEM, as of a date), and nothing else on the line points at a covered producer.";
}
