//! The site file's numbers, each checked against its range while it is read, so that an error
//! points at the number (file, line, field) instead of surfacing later as a strange plan.

use serde::{Deserialize, Deserializer, Serialize};

/// Whole numbers checked against a range while they are read, so that the error points at them.
macro_rules! ranged_int {
    ($(#[$doc:meta])* $name:ident: $inner:ty, $lo:expr, $hi:expr, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
        pub struct $name(pub $inner);
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let v = i64::deserialize(d)?;
                <$inner>::try_from(v).ok().filter(|v| ($lo..=$hi).contains(v)).map($name).ok_or_else(|| {
                    serde::de::Error::custom(format!("{} must be from {} to {}, not {v}", $what, $lo, $hi))
                })
            }
        }
    };
}

/// Decimal numbers checked against a range while they are read.
macro_rules! ranged_float {
    ($(#[$doc:meta])* $name:ident, $lo:expr, $hi:expr, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
        pub struct $name(pub f64);
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let v = f64::deserialize(d)?;
                if !($lo..=$hi).contains(&v) {
                    return Err(serde::de::Error::custom(format!("{} must be from {} to {}, not {v}", $what, $lo, $hi)));
                }
                Ok($name(v))
            }
        }
    };
}

ranged_int!(
    /// A camera count, 1 to 100,000.
    Count: u32, 1, 100_000, "a camera count");
ranged_int!(
    /// Identical copies of a site, 1 to 10,000.
    Copies: u32, 1, 10_000, "copies");
ranged_int!(
    /// Retention in days, 1 to 3,650.
    Days: u32, 1, 3650, "retention in days");
ranged_float!(
    /// Frames per second, 0.1 to 120.
    Fps, 0.1, 120.0, "frames per second");
ranged_float!(
    /// Hours per day, 0 to 24.
    Hours, 0.0, 24.0, "hours per day");
ranged_float!(
    /// A fraction, 0 to 1.
    Fraction, 0.0, 1.0, "a fraction");
ranged_float!(
    /// A fraction below one (losses), 0 to 0.9.
    Loss, 0.0, 0.9, "a loss fraction");
ranged_float!(
    /// A fill target, 0.1 to 1.
    Fill, 0.1, 1.0, "a fill target");
ranged_float!(
    /// A safety margin, 0 to 5 (500%).
    Margin, 0.0, 5.0, "a safety margin");
ranged_int!(
    /// A bitrate in kbit/s, 16 to 200,000.
    Kbps: u64, 16, 200_000, "a bitrate in kbit/s");
ranged_float!(
    /// A JPEG frame in KB (1000 bytes), 1 to 20,000.
    FrameKb, 1.0, 20_000.0, "a frame size in KB");
ranged_float!(
    /// Power in watts, 0 to 100.
    PoeWatts, 0.0, 100.0, "PoE watts");
ranged_int!(
    /// Years, 1 to 30.
    Years: u32, 1, 30, "years");
ranged_float!(
    /// Events per day, 0 to 100,000.
    PerDay, 0.0, 100_000.0, "events per day");
ranged_float!(
    /// Seconds, 0 to 3,600.
    Seconds, 0.0, 3600.0, "seconds");
ranged_int!(
    /// Hot spares, 0 to 8.
    Spares: u32, 0, 8, "hot spares");
ranged_int!(
    /// Live-view clients at a site, 0 to 8.
    Clients: u32, 0, 8, "live-view clients");
ranged_float!(
    /// An operating-cost figure (money, hours, watts, a rate or a PUE), 0 to 10^9.
    Amount, 0.0, 1e9, "an operating-cost figure");
ranged_float!(
    /// A positive exchange rate.
    Rate, 0.000_001, 1_000_000.0, "an exchange rate");
