//! The figures a plan used that the designer did not type: catalog defaults, operating-cost
//! figures, product prices, care rates, refresh ages, power draws and the bitrate model, each
//! with its catalog entry and where it comes from (a source, an assumption, or the site file).
//!
//! One list, [`FigureUsed`], is built while the plan is made and shown as it is by the plan
//! table, the JSON and the proposal's assumptions page, so nothing re-derives it. Pure: no I/O.

use serde::Serialize;

use crate::catalog::Catalog;

/// Where a figure the plan used comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Basis {
    /// The site file sets it (overriding the catalog, where the catalog has the figure).
    SiteFile,
    /// A catalog source says so.
    Source {
        /// The source id (a key of `[sources]`).
        id: String,
        /// What the source is.
        title: String,
        /// Where to read it.
        url: Option<String>,
        /// The date the page shows, or else the date the figure was recorded.
        date: String,
    },
    /// The catalog marks it as an assumption.
    Assumed {
        /// Why the value is what it is.
        why: String,
    },
}

impl Basis {
    /// The basis of a catalog figure: its source when the figure is not among the record's
    /// assumed fields, else the record's assumption.
    pub fn of(
        catalog: &Catalog,
        source: Option<&str>,
        assumed: bool,
        assumption: Option<&str>,
    ) -> Basis {
        if !assumed && let Some(s) = source.and_then(|id| catalog.sources.get(id).map(|s| (id, s)))
        {
            return Basis::Source {
                id: s.0.to_string(),
                title: s.1.title.clone(),
                url: s.1.url.clone(),
                date: s
                    .1
                    .published
                    .clone()
                    .unwrap_or_else(|| s.1.recorded.clone()),
            };
        }
        Basis::Assumed {
            why: assumption
                .unwrap_or("the catalog gives no source for this figure")
                .to_string(),
        }
    }

    /// Whether the figure is an assumption.
    pub fn is_assumed(&self) -> bool {
        matches!(self, Basis::Assumed { .. })
    }

    /// A few words for the plan table: "set in the site file", "source: id", "assumed".
    pub fn short(&self) -> String {
        match self {
            Basis::SiteFile => "set in the site file".into(),
            Basis::Source { id, .. } => format!("source: {id}"),
            Basis::Assumed { .. } => "assumed".into(),
        }
    }
}

/// One figure the plan used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureUsed {
    /// The catalog entry: `defaults.fill-target`, `operating.labour-rate`,
    /// `drive.<id>.price`, `vms.<id>.care-rate`, `bitrate.curve` …
    pub entry: String,
    /// What it is, in words.
    pub what: String,
    /// The value, formatted.
    pub value: String,
    /// Its unit ("" for a plain number).
    pub unit: String,
    /// Where it comes from.
    pub basis: Basis,
}

/// The list being built: each entry once, in the order the plan first used it.
#[derive(Debug, Clone, Default)]
pub struct FiguresUsed(Vec<FigureUsed>);

impl FiguresUsed {
    /// Records a figure, unless its entry is already recorded.
    pub fn push(&mut self, entry: String, what: &str, value: String, unit: &str, basis: Basis) {
        if self.0.iter().any(|f| f.entry == entry) {
            return;
        }
        self.0.push(FigureUsed {
            entry,
            what: what.to_string(),
            value,
            unit: unit.to_string(),
            basis,
        });
    }

    /// A product record's field: sourced unless the record lists it among its assumed fields.
    #[allow(clippy::too_many_arguments)]
    pub fn product(
        &mut self,
        catalog: &Catalog,
        kind: &str,
        id: &str,
        field: &str,
        what: &str,
        value: String,
        unit: &str,
        provenance: (Option<&str>, &[String], Option<&str>),
    ) {
        let (source, assumed, assumption) = provenance;
        let basis = Basis::of(
            catalog,
            source,
            assumed.iter().any(|a| a == field),
            assumption,
        );
        self.push(format!("{kind}.{id}.{field}"), what, value, unit, basis);
    }

    /// The list.
    pub fn into_vec(self) -> Vec<FigureUsed> {
        self.0
    }
}

/// A number without trailing zeros ("0.1107", "12", "1.5").
pub fn number(v: f64) -> String {
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_lose_trailing_zeros_only() {
        assert_eq!(number(0.1107), "0.1107");
        assert_eq!(number(12.0), "12");
        assert_eq!(number(30.17), "30.17");
        assert_eq!(number(0.0), "0");
        assert_eq!(number(100.0), "100");
    }

    #[test]
    fn an_assumed_field_is_assumed_even_when_the_record_has_a_source() {
        let c = Catalog::embedded().unwrap();
        let id = c.sources.keys().next().unwrap().clone();
        assert!(Basis::of(&c, Some(&id), true, Some("why")).is_assumed());
        assert!(matches!(
            Basis::of(&c, Some(&id), false, Some("why")),
            Basis::Source { .. }
        ));
        assert!(Basis::of(&c, None, false, None).is_assumed());
    }
}
