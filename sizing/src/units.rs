//! Quantities with units: bitrates, byte counts and watts.
//!
//! Designers type "4Mbps", "12TB" or "2048kbps"; vendors mix decimal and binary prefixes. These
//! types store exact integers in base units and parse the suffixes people actually write, so a
//! figure never passes through a float on its way in. Decimal prefixes (k, M, G, T, P) are powers
//! of 1000 and binary prefixes (Ki, Mi, Gi, Ti, Pi) powers of 1024, as IEC 80000-13 defines them;
//! a bare "KB" is read as 1000 bytes, like drive vendors and the SI calculators do.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a quantity could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a valid {what}: {why}")]
pub struct UnitError {
    /// The text that was given.
    pub input: String,
    /// What was expected ("bitrate", "byte count", "power").
    pub what: &'static str,
    /// Why it failed, with the accepted forms.
    pub why: String,
}

/// Splits "12.5 TB" into the number and the unit, and turns the number into an exact multiple of
/// `scale` (rounded to the nearest integer), without going through floating point.
fn scaled(input: &str, what: &'static str, units: &[(&str, u128)]) -> Result<u64, UnitError> {
    let err = |why: String| UnitError {
        input: input.to_string(),
        what,
        why,
    };
    let text = input.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_' || c == ','))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: String = number.chars().filter(|c| *c != '_' && *c != ',').collect();
    let unit = unit.trim();
    if number.is_empty() {
        return Err(err("it does not start with a number".into()));
    }
    let accepted = || units.iter().map(|(u, _)| *u).collect::<Vec<_>>().join(", ");
    // Exact spelling first, then any case, so "mbps", "MBPS" and "Mbps" all read as megabits.
    let scale = units
        .iter()
        .find(|(u, _)| *u == unit)
        .or_else(|| units.iter().find(|(u, _)| u.eq_ignore_ascii_case(unit)))
        .map(|(_, s)| *s)
        .ok_or_else(|| {
            if unit.is_empty() {
                err(format!("a unit is required (one of {})", accepted()))
            } else {
                err(format!("unknown unit {unit:?} (use one of {})", accepted()))
            }
        })?;
    let (int_part, frac_part) = match number.split_once('.') {
        Some((i, f)) => (i, f),
        None => (number.as_str(), ""),
    };
    if frac_part.contains('.') {
        return Err(err("the number has more than one decimal point".into()));
    }
    if frac_part.len() > 18 {
        return Err(err("too many decimal places".into()));
    }
    let int: u128 = if int_part.is_empty() {
        0
    } else {
        int_part
            .parse()
            .map_err(|_| err("the number is too large".into()))?
    };
    let frac_digits: u128 = if frac_part.is_empty() {
        0
    } else {
        frac_part
            .parse()
            .map_err(|_| err("bad decimal digits".into()))?
    };
    let denom = 10u128.pow(frac_part.len() as u32);
    let value = int
        .checked_mul(scale)
        .and_then(|v| v.checked_add((frac_digits * scale + denom / 2) / denom))
        .ok_or_else(|| err("the number is too large".into()))?;
    u64::try_from(value).map_err(|_| err("the number is too large".into()))
}

const K: u128 = 1000;
const KI: u128 = 1024;

/// A stream or link rate in bits per second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Bitrate(pub u64);

impl Bitrate {
    /// From kilobits per second (1 kbit = 1000 bit).
    pub const fn from_kbps(kbps: u64) -> Self {
        Bitrate(kbps * 1000)
    }
    /// From megabits per second (1 Mbit = 10^6 bit).
    pub const fn from_mbps(mbps: u64) -> Self {
        Bitrate(mbps * 1_000_000)
    }
    /// Bits per second.
    pub const fn bps(self) -> u64 {
        self.0
    }
    /// Kilobits per second, as a float for display.
    pub fn kbps(self) -> f64 {
        self.0 as f64 / 1e3
    }
    /// Megabits per second, as a float for display.
    pub fn mbps(self) -> f64 {
        self.0 as f64 / 1e6
    }
    /// The sum of two rates, saturating rather than wrapping.
    pub const fn saturating_add(self, other: Bitrate) -> Bitrate {
        Bitrate(self.0.saturating_add(other.0))
    }
}

/// How a calculator counts kilo, mega and giga.
///
/// SI (the default) is what drive vendors, Genetec, WD and Axis use: 1 kbit = 1000 bit and
/// 1 MB = 10^6 bytes. Dahua's "HDD capacity calculation" appendix, copied into many OEM manuals
/// (Honeywell HSVR, Q-See, LT Security, Provision-ISR …), computes MB/h = kbit/s ÷ 8 × 3600 ÷ 1024,
/// which is 1 kbit = 1024 bit and MB = MiB: 2048 kbit/s is 900 MB an hour. A published figure
/// reproduces exactly only under its own convention, so the convention is an explicit input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Convention {
    /// Decimal prefixes throughout.
    #[default]
    Si,
    /// Binary prefixes throughout: kbit = 1024 bit, MB = MiB, as in Dahua-style manuals.
    Binary,
}

impl Bitrate {
    /// Reads a bitrate under `convention`: "2048kbps" is 2,048,000 bit/s in SI and
    /// 2,097,152 bit/s in the binary convention.
    pub fn parse_as(text: &str, convention: Convention) -> Result<Bitrate, UnitError> {
        match convention {
            Convention::Si => text.parse(),
            Convention::Binary => {
                const UNITS: &[(&str, u128)] = &[
                    ("bps", 1),
                    ("bit/s", 1),
                    ("kbps", KI),
                    ("kbit/s", KI),
                    ("kb/s", KI),
                    ("Mbps", KI * KI),
                    ("Mbit/s", KI * KI),
                    ("Mb/s", KI * KI),
                    ("Gbps", KI * KI * KI),
                    ("Gbit/s", KI * KI * KI),
                    ("Gb/s", KI * KI * KI),
                ];
                scaled(text, "bitrate", UNITS).map(Bitrate)
            }
        }
    }
}

impl FromStr for Bitrate {
    type Err = UnitError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const UNITS: &[(&str, u128)] = &[
            ("bps", 1),
            ("bit/s", 1),
            ("kbps", K),
            ("kbit/s", K),
            ("kb/s", K),
            ("Mbps", K * K),
            ("Mbit/s", K * K),
            ("Mb/s", K * K),
            ("Gbps", K * K * K),
            ("Gbit/s", K * K * K),
            ("Gb/s", K * K * K),
        ];
        scaled(s, "bitrate", UNITS).map(Bitrate)
    }
}

impl fmt::Display for Bitrate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        if b >= 1_000_000_000 {
            write!(f, "{:.2} Gbit/s", b as f64 / 1e9)
        } else if b >= 1_000_000 {
            write!(f, "{:.2} Mbit/s", b as f64 / 1e6)
        } else {
            write!(f, "{:.0} kbit/s", b as f64 / 1e3)
        }
    }
}

/// A number of bytes (storage capacity, data written).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Bytes(pub u64);

/// One decimal terabyte, 10^12 bytes, as drive vendors mark capacity.
pub const TB: u64 = 1_000_000_000_000;
/// One tebibyte, 2^40 bytes, as operating systems often show capacity.
pub const TIB: u64 = 1 << 40;

impl Bytes {
    /// From whole decimal terabytes.
    pub const fn from_tb(tb: u64) -> Self {
        Bytes(tb * TB)
    }
    /// The count of bytes.
    pub const fn get(self) -> u64 {
        self.0
    }
    /// Decimal terabytes (10^12).
    pub fn tb(self) -> f64 {
        self.0 as f64 / TB as f64
    }
    /// Binary tebibytes (2^40).
    pub fn tib(self) -> f64 {
        self.0 as f64 / TIB as f64
    }
    /// Decimal gigabytes (10^9).
    pub fn gb(self) -> f64 {
        self.0 as f64 / 1e9
    }
    /// Binary units only, in the largest unit that keeps the figure at or above one:
    /// "900.00 MiB", "48.28 TiB".
    pub fn binary(self) -> String {
        const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
        let mut value = self.0 as f64 / 1024.0;
        let mut unit = 0;
        while value >= 1024.0 && unit < UNITS.len() - 1 {
            value /= 1024.0;
            unit += 1;
        }
        format!("{value:.2} {}", UNITS[unit])
    }

    /// Renders both unit systems side by side, so nobody mistakes one for the other:
    /// "10.37 TB (9.43 TiB)".
    pub fn both(self) -> String {
        if self.0 >= TB / 10 {
            format!("{:.2} TB ({:.2} TiB)", self.tb(), self.tib())
        } else {
            format!(
                "{:.2} GB ({:.2} GiB)",
                self.gb(),
                self.0 as f64 / (1u64 << 30) as f64
            )
        }
    }
}

impl FromStr for Bytes {
    type Err = UnitError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const UNITS: &[(&str, u128)] = &[
            ("B", 1),
            ("KB", K),
            ("MB", K * K),
            ("GB", K * K * K),
            ("TB", K * K * K * K),
            ("PB", K * K * K * K * K),
            ("KiB", KI),
            ("MiB", KI * KI),
            ("GiB", KI * KI * KI),
            ("TiB", KI * KI * KI * KI),
            ("PiB", KI * KI * KI * KI * KI),
        ];
        scaled(s, "byte count", UNITS).map(Bytes)
    }
}

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.both())
    }
}

/// Electrical power in milliwatts (PoE budgets are given to a tenth of a watt).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Watts(pub u64);

impl Watts {
    /// Milliwatts.
    pub const fn milliwatts(self) -> u64 {
        self.0
    }
    /// Watts, as a float for display.
    pub fn watts(self) -> f64 {
        self.0 as f64 / 1e3
    }
}

impl FromStr for Watts {
    type Err = UnitError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const UNITS: &[(&str, u128)] = &[("W", 1000), ("mW", 1), ("kW", 1_000_000)];
        scaled(s, "power", UNITS).map(Watts)
    }
}

impl fmt::Display for Watts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.1} W", self.watts())
    }
}

/// Serde support: quantities are written as strings with units ("4Mbps", "12TB", "15.4W") in
/// files people edit, and as exact integers in base units in JSON output.
macro_rules! serde_quantity {
    ($t:ty) => {
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_u64(self.0)
            }
        }
    };
}
serde_quantity!(Bitrate);
serde_quantity!(Bytes);
serde_quantity!(Watts);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitrates_parse_with_decimal_prefixes() {
        assert_eq!("4Mbps".parse::<Bitrate>().unwrap(), Bitrate(4_000_000));
        assert_eq!("2048kbps".parse::<Bitrate>().unwrap(), Bitrate(2_048_000));
        assert_eq!("1.5 Mbit/s".parse::<Bitrate>().unwrap(), Bitrate(1_500_000));
        assert_eq!("1Gbps".parse::<Bitrate>().unwrap(), Bitrate(1_000_000_000));
        assert_eq!("200mbps".parse::<Bitrate>().unwrap(), Bitrate(200_000_000));
    }

    #[test]
    fn byte_counts_keep_decimal_and_binary_apart() {
        assert_eq!("12TB".parse::<Bytes>().unwrap(), Bytes(12 * TB));
        assert_eq!("1TiB".parse::<Bytes>().unwrap(), Bytes(TIB));
        assert_eq!("1000GB".parse::<Bytes>().unwrap(), Bytes(TB));
        assert_eq!("0.5 KiB".parse::<Bytes>().unwrap(), Bytes(512));
        assert_eq!(Bytes(10_368_000_000_000).both(), "10.37 TB (9.43 TiB)");
    }

    #[test]
    fn binary_convention_reproduces_the_dahua_appendix() {
        // Dahua: MB/h = kbps / 8 × 3600 / 1024, so 2048 kbit/s is 900 MB an hour.
        let b = Bitrate::parse_as("2048kbps", Convention::Binary).unwrap();
        assert_eq!(b, Bitrate(2_097_152));
        let hour = Bytes(b.bps() / 8 * 3600);
        assert_eq!(hour.binary(), "900.00 MiB");
        // And 0.4394 MB per kbit/s-hour, as the OEM manuals print it.
        let per_kbps = Bitrate::parse_as("1kbps", Convention::Binary)
            .unwrap()
            .bps() as f64
            / 8.0
            * 3600.0
            / 1_048_576.0;
        assert!((per_kbps - 0.4394).abs() < 0.0001);
        assert_eq!(
            Bitrate::parse_as("2048kbps", Convention::Si).unwrap(),
            Bitrate(2_048_000)
        );
    }

    #[test]
    fn watts_parse_to_milliwatts() {
        assert_eq!("12.95W".parse::<Watts>().unwrap(), Watts(12_950));
        assert_eq!("200 W".parse::<Watts>().unwrap(), Watts(200_000));
    }

    #[test]
    fn bad_quantities_say_why() {
        let e = "4".parse::<Bitrate>().unwrap_err();
        assert!(e.why.contains("unit is required"), "{e}");
        let e = "4 furlongs".parse::<Bitrate>().unwrap_err();
        assert!(e.why.contains("unknown unit"), "{e}");
        assert!(e.why.contains("Mbps"), "{e}");
        let e = "Mbps".parse::<Bitrate>().unwrap_err();
        assert!(e.why.contains("number"), "{e}");
        let e = "99999999999999999999999TB".parse::<Bytes>().unwrap_err();
        assert!(e.why.contains("too large"), "{e}");
        assert!("-4Mbps".parse::<Bitrate>().is_err());
        assert!("1.2.3Mbps".parse::<Bitrate>().is_err());
    }
}
