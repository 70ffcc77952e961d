//! How many bytes a recording schedule writes, how much disk that needs, and the inverse.
//!
//! The core relation is bytes = bit/s ÷ 8 × seconds recorded. Recording modes only change the
//! seconds: continuous recording writes 86,400 s a day, a schedule its hours, motion recording a
//! duty cycle of its hours, event recording a clip (pre + post seconds) per event. Seconds are
//! whole numbers, so storage comes out in exact bytes and matches hand arithmetic to the byte.
//!
//! Disk headroom is applied in one documented order (see [`HeadroomPolicy`]): the bytes the
//! cameras write, plus a safety margin, fit under a fill target of the formatted capacity, which is
//! the marked capacity less the format loss.

use serde::{Deserialize, Serialize};

use crate::units::{Bitrate, Bytes};

/// Seconds in a day.
pub const SECONDS_PER_DAY: u64 = 86_400;

/// When a camera's stream is written to disk.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "kebab-case")]
pub enum RecordingMode {
    /// Around the clock.
    Continuous,
    /// A fixed number of hours per day (opening hours, night only …).
    Schedule {
        /// Hours recorded per day, 0–24.
        hours_per_day: f64,
    },
    /// On motion: a fraction of the scheduled hours holds motion and is recorded.
    Motion {
        /// Hours per day during which motion recording is armed, 0–24.
        hours_per_day: f64,
        /// Fraction of the armed time with motion, 0–1.
        duty_cycle: f64,
    },
    /// On events (alarm inputs, analytics): a clip per event.
    Events {
        /// Average events per day.
        events_per_day: f64,
        /// Seconds kept before each event (the pre-alarm buffer).
        pre_seconds: f64,
        /// Seconds kept after each event starts, the event itself included.
        post_seconds: f64,
    },
}

impl RecordingMode {
    /// Whole seconds of video written per day, never more than a day.
    pub fn recorded_seconds_per_day(&self) -> u64 {
        let seconds = match *self {
            RecordingMode::Continuous => return SECONDS_PER_DAY,
            RecordingMode::Schedule { hours_per_day } => hours_per_day * 3600.0,
            RecordingMode::Motion {
                hours_per_day,
                duty_cycle,
            } => hours_per_day * 3600.0 * duty_cycle,
            RecordingMode::Events {
                events_per_day,
                pre_seconds,
                post_seconds,
            } => events_per_day * (pre_seconds + post_seconds),
        };
        (seconds.round().max(0.0) as u64).min(SECONDS_PER_DAY)
    }

    /// Short human description: "continuous", "schedule 12 h/day", "motion 24 h × 30%" …
    pub fn describe(&self) -> String {
        match *self {
            RecordingMode::Continuous => "continuous".into(),
            RecordingMode::Schedule { hours_per_day } => format!("schedule {hours_per_day} h/day"),
            RecordingMode::Motion {
                hours_per_day,
                duty_cycle,
            } => {
                format!("motion {hours_per_day} h × {:.0}%", duty_cycle * 100.0)
            }
            RecordingMode::Events {
                events_per_day,
                pre_seconds,
                post_seconds,
            } => {
                format!("events {events_per_day}/day × ({pre_seconds}+{post_seconds}) s")
            }
        }
    }
}

/// Bytes written by `cameras` streams of `bitrate` recording `seconds_per_day` for `days`.
///
/// Exact: computed in 128-bit integers and rounded up to a whole byte. Saturates at `u64::MAX`
/// (18 EB), far beyond any real system.
pub fn recorded_bytes(cameras: u64, bitrate: Bitrate, seconds_per_day: u64, days: u64) -> Bytes {
    let bits = u128::from(cameras)
        * u128::from(bitrate.bps())
        * u128::from(seconds_per_day)
        * u128::from(days);
    Bytes(u64::try_from(bits.div_ceil(8)).unwrap_or(u64::MAX))
}

/// Days of retention that `capacity` holds for a total write rate, as a fraction of days.
/// Returns `None` when nothing is written (retention is unbounded).
pub fn retention_days(
    capacity: Bytes,
    total_bitrate: Bitrate,
    seconds_per_day: u64,
) -> Option<f64> {
    let bytes_per_day = total_bitrate.bps() as f64 / 8.0 * seconds_per_day as f64;
    (bytes_per_day > 0.0).then(|| capacity.get() as f64 / bytes_per_day)
}

/// Headroom between what the cameras write and the marked drive capacity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HeadroomPolicy {
    /// Fraction of marked capacity lost to formatting and the file system (e.g. 0.10).
    pub format_loss: f64,
    /// Highest fraction of the formatted capacity the recordings may fill (e.g. 0.80); recorders
    /// slow down and fragment near full.
    pub fill_target: f64,
    /// Extra fraction on top of the computed recordings, for bitrate variance (e.g. 0.20).
    pub safety_margin: f64,
}

impl HeadroomPolicy {
    /// No headroom at all: marked capacity equals recorded bytes.
    pub const NONE: HeadroomPolicy = HeadroomPolicy {
        format_loss: 0.0,
        fill_target: 1.0,
        safety_margin: 0.0,
    };

    /// Usable (post-RAID) marked capacity needed so that `recorded` fits with this headroom:
    /// recorded × (1 + safety) ÷ fill ÷ (1 − format loss), rounded up to a byte.
    pub fn capacity_needed(&self, recorded: Bytes) -> Bytes {
        let factor = (1.0 + self.safety_margin) / self.fill_target / (1.0 - self.format_loss);
        Bytes((recorded.get() as f64 * factor).ceil() as u64)
    }

    /// Bytes of recordings that a usable marked capacity can hold with this headroom (the
    /// inverse of [`capacity_needed`](Self::capacity_needed)), rounded down.
    pub fn recordable(&self, usable: Bytes) -> Bytes {
        let factor = (1.0 - self.format_loss) * self.fill_target / (1.0 + self.safety_margin);
        Bytes((usable.get() as f64 * factor).floor() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eight_cameras_at_4_mbps_for_30_days() {
        // 4,000,000 / 8 × 86,400 × 30 × 8 = 10,368,000,000,000 bytes.
        let b = recorded_bytes(8, Bitrate::from_mbps(4), SECONDS_PER_DAY, 30);
        assert_eq!(b, Bytes(10_368_000_000_000));
        assert_eq!(b.both(), "10.37 TB (9.43 TiB)");
    }

    #[test]
    fn one_mbps_for_a_day_is_10_8_gb() {
        // The forasoft/philibert constant: 1 Mbit/s continuous is 10.8 GB a day.
        assert_eq!(
            recorded_bytes(1, Bitrate::from_mbps(1), SECONDS_PER_DAY, 1),
            Bytes(10_800_000_000)
        );
    }

    #[test]
    fn modes_count_whole_seconds() {
        assert_eq!(RecordingMode::Continuous.recorded_seconds_per_day(), 86_400);
        assert_eq!(
            RecordingMode::Schedule {
                hours_per_day: 12.0
            }
            .recorded_seconds_per_day(),
            43_200
        );
        assert_eq!(
            RecordingMode::Motion {
                hours_per_day: 24.0,
                duty_cycle: 0.3
            }
            .recorded_seconds_per_day(),
            25_920
        );
        // Panasonic-style events: 40 alarms × (5 s pre + 15 s post) = 800 s.
        assert_eq!(
            RecordingMode::Events {
                events_per_day: 40.0,
                pre_seconds: 5.0,
                post_seconds: 15.0
            }
            .recorded_seconds_per_day(),
            800
        );
        // A day never holds more than a day.
        assert_eq!(
            RecordingMode::Events {
                events_per_day: 10_000.0,
                pre_seconds: 10.0,
                post_seconds: 30.0
            }
            .recorded_seconds_per_day(),
            86_400
        );
    }

    #[test]
    fn retention_is_the_inverse_of_storage() {
        let cap = recorded_bytes(8, Bitrate::from_mbps(4), SECONDS_PER_DAY, 30);
        let days = retention_days(cap, Bitrate::from_mbps(32), SECONDS_PER_DAY).unwrap();
        assert!((days - 30.0).abs() < 1e-9);
        assert_eq!(retention_days(cap, Bitrate(0), SECONDS_PER_DAY), None);
    }

    #[test]
    fn headroom_order_is_documented_and_invertible() {
        let p = HeadroomPolicy {
            format_loss: 0.10,
            fill_target: 0.80,
            safety_margin: 0.20,
        };
        // 1 TB × 1.2 ÷ 0.8 ÷ 0.9 = 1.6667 TB.
        let need = p.capacity_needed(Bytes::from_tb(1));
        assert_eq!(need, Bytes(1_666_666_666_667));
        let back = p.recordable(need);
        assert!(back.get().abs_diff(1_000_000_000_000) <= 1);
    }
}
