//! Money as whole cents, so that every figure a plan prints or serialises is exact: the yearly
//! lines add up to the cumulative ones to the cent, and JSON carries `"97225.50"` rather than
//! `97225.50000000003` or `-0.0`.
//!
//! Prices enter as catalog decimals (`f64`) and are rounded to the cent once, where a cost line
//! is made; everything after that is integer arithmetic. In JSON a money value is a decimal
//! string with two places (docs/json.md).

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub};

use serde::{Serialize, Serializer};

/// An amount in the project currency, in cents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(pub i64);

impl Money {
    /// Zero.
    pub const ZERO: Money = Money(0);

    /// `amount` rounded to the nearest cent (half away from zero).
    pub fn from_f64(amount: f64) -> Money {
        let cents = (amount * 100.0).round();
        if cents.is_finite() {
            Money(cents as i64)
        } else {
            Money(0)
        }
    }

    /// The amount as a decimal number (for charts and ratios, never for sums).
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// The cents.
    pub fn cents(self) -> i64 {
        self.0
    }

    /// `self × factor`, rounded to the cent.
    pub fn times(self, factor: f64) -> Money {
        Money::from_f64(self.as_f64() * factor)
    }

    /// The absolute amount.
    pub fn abs(self) -> Money {
        Money(self.0.abs())
    }

    /// Whole currency units with thousands separators, rounded: "17,715".
    pub fn whole(self) -> String {
        let units = (self.0 + if self.0 >= 0 { 50 } else { -50 }) / 100;
        let digits = units.unsigned_abs().to_string();
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        if units < 0 {
            format!("-{grouped}")
        } else {
            grouped
        }
    }
}

/// The exact decimal: "97225.50", "-3.05".
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, o: Money) -> Money {
        Money(self.0.saturating_add(o.0))
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, o: Money) {
        self.0 = self.0.saturating_add(o.0);
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, o: Money) -> Money {
        Money(self.0.saturating_sub(o.0))
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

/// Serialises a price held as `f64` the way [`Money`] serialises: a decimal string, to the cent.
pub fn f64_as_money<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    Money::from_f64(*v).serialize(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_exact_and_never_negative_zero() {
        assert_eq!(Money::from_f64(97225.50000000003).to_string(), "97225.50");
        assert_eq!(Money::from_f64(-0.0).to_string(), "0.00");
        assert_eq!(Money::from_f64(-3.049).to_string(), "-3.05");
        assert_eq!(Money(1_771_549).whole(), "17,715");
        assert_eq!(Money(-1_771_549).whole(), "-17,715");
        let parts = [Money::from_f64(0.1), Money::from_f64(0.2)];
        assert_eq!(parts.iter().copied().sum::<Money>(), Money(30));
    }
}
