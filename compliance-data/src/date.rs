//! Dates as the sources give them: sometimes only a year or a month.
//!
//! "Acquired in June 2007" must not be turned into a made-up day. A [`PartialDate`] keeps the
//! precision it was given and answers the two questions the matcher asks conservatively: the
//! earliest day a relationship may have started and the latest day it may have ended. Using
//! those bounds makes a link count as active for longer, which can only move a verdict towards
//! `covered` or `needs_review`, never towards a wrong clear.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::{Date, Month};

/// A calendar date written as `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PartialDate {
    year: i32,
    month: Option<u8>,
    day: Option<u8>,
}

impl PartialDate {
    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, rejecting impossible dates such as `2023-02-30`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let parts: Vec<&str> = text.split('-').collect();
        let number = |s: &str, width: usize, what: &str| -> Result<u32, String> {
            if s.len() != width || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!(
                    "`{text}` is not a date: bad {what} (expected YYYY, YYYY-MM or YYYY-MM-DD)"
                ));
            }
            s.parse::<u32>().map_err(|e| format!("`{text}`: {e}"))
        };
        let (year, month, day) = match parts.as_slice() {
            [y] => (number(y, 4, "year")?, None, None),
            [y, m] => (number(y, 4, "year")?, Some(number(m, 2, "month")?), None),
            [y, m, d] => (
                number(y, 4, "year")?,
                Some(number(m, 2, "month")?),
                Some(number(d, 2, "day")?),
            ),
            _ => {
                return Err(format!(
                    "`{text}` is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)"
                ));
            }
        };
        let year = i32::try_from(year).map_err(|e| e.to_string())?;
        let month_u8 = match month {
            Some(m) => Some(u8::try_from(m).map_err(|e| e.to_string())?),
            None => None,
        };
        let day_u8 = match day {
            Some(d) => Some(u8::try_from(d).map_err(|e| e.to_string())?),
            None => None,
        };
        if let Some(m) = month_u8 {
            let month =
                Month::try_from(m).map_err(|_| format!("`{text}`: month {m} does not exist"))?;
            if let Some(d) = day_u8 {
                Date::from_calendar_date(year, month, d)
                    .map_err(|_| format!("`{text}`: day {d} does not exist in that month"))?;
            }
        }
        Ok(PartialDate {
            year,
            month: month_u8,
            day: day_u8,
        })
    }

    /// The first day the written date can mean.
    pub fn earliest(&self) -> Date {
        let month = self
            .month
            .and_then(|m| Month::try_from(m).ok())
            .unwrap_or(Month::January);
        let day = self.day.unwrap_or(1);
        Date::from_calendar_date(self.year, month, day).unwrap_or(Date::MIN)
    }

    /// The last day the written date can mean.
    pub fn latest(&self) -> Date {
        let month = self
            .month
            .and_then(|m| Month::try_from(m).ok())
            .unwrap_or(Month::December);
        let day = match self.day {
            Some(d) => d,
            None => month.length(self.year),
        };
        Date::from_calendar_date(self.year, month, day).unwrap_or(Date::MAX)
    }
}

impl From<Date> for PartialDate {
    fn from(d: Date) -> Self {
        PartialDate {
            year: d.year(),
            month: Some(u8::from(d.month())),
            day: Some(d.day()),
        }
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

impl Serialize for PartialDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        PartialDate::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Whether `date` falls inside the optional bounds, read conservatively (see module docs).
pub(crate) fn within(date: Date, from: Option<&PartialDate>, to: Option<&PartialDate>) -> bool {
    from.is_none_or(|f| f.earliest() <= date) && to.is_none_or(|t| date <= t.latest())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn precision_is_kept_and_bounds_are_conservative() {
        let d = PartialDate::parse("2021-04").unwrap();
        assert_eq!(d.to_string(), "2021-04");
        assert_eq!(d.earliest(), date!(2021 - 04 - 01));
        assert_eq!(d.latest(), date!(2021 - 04 - 30));
        let y = PartialDate::parse("2024").unwrap();
        assert_eq!(y.latest(), date!(2024 - 12 - 31));
        assert_eq!(
            PartialDate::parse("2024-02").unwrap().latest(),
            date!(2024 - 02 - 29)
        );
    }

    #[test]
    fn impossible_dates_are_rejected() {
        for bad in [
            "2023-02-30",
            "2023-13",
            "23-01-01",
            "2023/01/01",
            "",
            "2023-1-1",
            "soon",
        ] {
            assert!(PartialDate::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn within_is_inclusive() {
        let from = PartialDate::parse("2018-02-06").unwrap();
        let to = PartialDate::parse("2022-11-24").unwrap();
        assert!(within(date!(2022 - 11 - 24), Some(&from), Some(&to)));
        assert!(!within(date!(2022 - 11 - 25), Some(&from), Some(&to)));
        assert!(!within(date!(2018 - 02 - 05), Some(&from), Some(&to)));
        assert!(within(date!(1990 - 01 - 01), None, None));
    }
}
