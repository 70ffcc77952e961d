//! RAID usable capacity, hot spares, multi-group arrays and the drive count that meets a need.
//!
//! Hot spares come out of the drive count before parity (8 × 12 TB in RAID 6 with one spare is
//! (7 − 2) × 12 = 60 TB). Large parity arrays are split into groups of at most a given size —
//! "28 × 4 TB (2 × RAID 6 + 1 HS)" in AxxonSoft's notation — because rebuilds of wide RAID 5/6
//! arrays take long enough to risk a second failure; each group pays its own parity.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::units::Bytes;

/// A RAID level as recorders and servers offer them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RaidLevel {
    /// Independent disks (JBOD): all capacity usable, a failed disk loses its recordings.
    None,
    /// Mirrored pairs.
    Raid1,
    /// Single parity per group.
    Raid5,
    /// Double parity per group.
    Raid6,
    /// Striped mirrors.
    Raid10,
}

impl RaidLevel {
    /// The name used in files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            RaidLevel::None => "none",
            RaidLevel::Raid1 => "raid1",
            RaidLevel::Raid5 => "raid5",
            RaidLevel::Raid6 => "raid6",
            RaidLevel::Raid10 => "raid10",
        }
    }

    /// Parity drives per group for the parity levels.
    fn parity(self) -> u32 {
        match self {
            RaidLevel::Raid5 => 1,
            RaidLevel::Raid6 => 2,
            _ => 0,
        }
    }

    /// Fewest drives one group (or the whole array, for non-parity levels) needs.
    pub fn min_drives(self) -> u32 {
        match self {
            RaidLevel::None => 1,
            RaidLevel::Raid1 => 2,
            RaidLevel::Raid5 => 3,
            RaidLevel::Raid6 | RaidLevel::Raid10 => 4,
        }
    }
}

impl FromStr for RaidLevel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase().replace([' ', '-', '_'], "");
        match t.as_str() {
            "none" | "jbod" => Ok(RaidLevel::None),
            "1" | "raid1" => Ok(RaidLevel::Raid1),
            "5" | "raid5" => Ok(RaidLevel::Raid5),
            "6" | "raid6" => Ok(RaidLevel::Raid6),
            "10" | "raid10" | "raid1+0" => Ok(RaidLevel::Raid10),
            _ => Err(format!(
                "unknown RAID level {s:?}; use none, raid1, raid5, raid6 or raid10"
            )),
        }
    }
}

impl fmt::Display for RaidLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a drive layout is impossible.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RaidError {
    /// Fewer drives than the level needs once spares are set aside.
    #[error(
        "{level} needs at least {min} drives besides hot spares; {data} left after {spares} spare(s)"
    )]
    TooFewDrives {
        /// The level asked for.
        level: RaidLevel,
        /// Drives left for data and parity.
        data: u32,
        /// Hot spares set aside.
        spares: u32,
        /// The minimum for the level.
        min: u32,
    },
    /// Mirrored levels need an even drive count.
    #[error("{level} mirrors pairs of drives; {data} drives (after spares) is odd")]
    OddMirror {
        /// The level asked for.
        level: RaidLevel,
        /// Drives left for data after spares.
        data: u32,
    },
    /// A group size limit below the level's minimum.
    #[error("a group of at most {max_group} drives cannot hold {level}, which needs {min}")]
    GroupTooSmall {
        /// The level asked for.
        level: RaidLevel,
        /// The group limit.
        max_group: u32,
        /// The minimum for the level.
        min: u32,
    },
}

/// A concrete array: how many drives of what size, in how many groups, with how many spares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RaidLayout {
    /// RAID level of every group.
    pub level: RaidLevel,
    /// Drives in total, spares included.
    pub drives: u32,
    /// Hot spares (hold no data until a drive fails).
    pub hot_spares: u32,
    /// Marked size of each drive.
    pub drive_size: Bytes,
    /// Drives in each parity group (one entry for non-parity levels).
    pub groups: Vec<u32>,
    /// Marked capacity left for recordings.
    pub usable: Bytes,
    /// Marked capacity of all drives.
    pub raw: Bytes,
}

impl RaidLayout {
    /// Lays out `drives` drives (spares included) at `level`, splitting parity levels into groups
    /// of at most `max_group` drives (`None`: one group), as evenly as possible.
    pub fn new(
        level: RaidLevel,
        drives: u32,
        hot_spares: u32,
        drive_size: Bytes,
        max_group: Option<u32>,
    ) -> Result<RaidLayout, RaidError> {
        let min = level.min_drives();
        let data = drives.saturating_sub(hot_spares);
        if data < min || hot_spares >= drives {
            return Err(RaidError::TooFewDrives {
                level,
                data,
                spares: hot_spares,
                min,
            });
        }
        let groups = match level {
            RaidLevel::Raid5 | RaidLevel::Raid6 => {
                let max = max_group.unwrap_or(u32::MAX);
                if max < min {
                    return Err(RaidError::GroupTooSmall {
                        level,
                        max_group: max,
                        min,
                    });
                }
                let count = data.div_ceil(max);
                // Evenly: the first `data % count` groups get one drive more.
                let (base, extra) = (data / count, data % count);
                if base < min {
                    return Err(RaidError::TooFewDrives {
                        level,
                        data,
                        spares: hot_spares,
                        min,
                    });
                }
                (0..count).map(|i| base + u32::from(i < extra)).collect()
            }
            RaidLevel::Raid1 | RaidLevel::Raid10 => {
                if data % 2 == 1 {
                    return Err(RaidError::OddMirror { level, data });
                }
                vec![data]
            }
            RaidLevel::None => vec![data],
        };
        let data_drives: u64 = match level {
            RaidLevel::None => u64::from(data),
            RaidLevel::Raid1 | RaidLevel::Raid10 => u64::from(data / 2),
            RaidLevel::Raid5 | RaidLevel::Raid6 => {
                groups.iter().map(|g| u64::from(g - level.parity())).sum()
            }
        };
        Ok(RaidLayout {
            level,
            drives,
            hot_spares,
            drive_size,
            groups,
            usable: Bytes(data_drives.saturating_mul(drive_size.get())),
            raw: Bytes(u64::from(drives).saturating_mul(drive_size.get())),
        })
    }

    /// No drives at all: what a recorder has when no layout of `level` fits its bays.
    pub fn empty(level: RaidLevel) -> RaidLayout {
        RaidLayout {
            level,
            drives: 0,
            hot_spares: 0,
            drive_size: Bytes(0),
            groups: Vec::new(),
            usable: Bytes(0),
            raw: Bytes(0),
        }
    }

    /// The fewest drives of `drive_size` (at most `max_drives`) whose usable capacity reaches
    /// `needed`, or `None` if even `max_drives` falls short.
    pub fn smallest_for(
        level: RaidLevel,
        needed: Bytes,
        drive_size: Bytes,
        hot_spares: u32,
        max_group: Option<u32>,
        max_drives: u32,
    ) -> Option<RaidLayout> {
        if drive_size.get() == 0 {
            return None;
        }
        // Usable capacity never exceeds the data drives, so start from that lower bound rather
        // than walking up from one drive.
        let at_least = needed.get().div_ceil(drive_size.get());
        let start =
            u64::from(level.min_drives() + hot_spares).max(u64::from(hot_spares) + at_least);
        let start = u32::try_from(start).ok().filter(|s| *s <= max_drives)?;
        (start..=max_drives)
            .filter_map(|n| RaidLayout::new(level, n, hot_spares, drive_size, max_group).ok())
            .find(|l| l.usable >= needed)
    }

    /// AxxonSoft-style summary: "8 × 12 TB (RAID 6, 1 hot spare)" or
    /// "28 × 4 TB (2 × RAID 6 of 14+13, 1 hot spare)".
    pub fn describe(&self) -> String {
        let size = format!("{:.0} TB", self.drive_size.tb());
        let spares = match self.hot_spares {
            0 => String::new(),
            1 => ", 1 hot spare".into(),
            n => format!(", {n} hot spares"),
        };
        let level = match self.level {
            RaidLevel::None => "independent disks".to_string(),
            RaidLevel::Raid1 => "RAID 1".into(),
            RaidLevel::Raid10 => "RAID 10".into(),
            RaidLevel::Raid5 | RaidLevel::Raid6 => {
                let name = if self.level == RaidLevel::Raid5 {
                    "RAID 5"
                } else {
                    "RAID 6"
                };
                if self.groups.len() > 1 {
                    let sizes: Vec<String> = self.groups.iter().map(u32::to_string).collect();
                    format!("{} × {name} of {}", self.groups.len(), sizes.join("+"))
                } else {
                    name.to_string()
                }
            }
        };
        format!("{} × {size} ({level}{spares})", self.drives)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TB12: Bytes = Bytes::from_tb(12);

    #[test]
    fn raid6_eight_12tb_with_a_spare_is_60tb() {
        let l = RaidLayout::new(RaidLevel::Raid6, 8, 1, TB12, None).unwrap();
        assert_eq!(l.usable, Bytes::from_tb(60));
        assert_eq!(l.raw, Bytes::from_tb(96));
        assert_eq!(l.describe(), "8 × 12 TB (RAID 6, 1 hot spare)");
        // Without the spare, the cal57 figure: 72 TB.
        assert_eq!(
            RaidLayout::new(RaidLevel::Raid6, 8, 0, TB12, None)
                .unwrap()
                .usable,
            Bytes::from_tb(72)
        );
    }

    #[test]
    fn levels_match_the_qnap_table() {
        let u = |lvl, n| {
            RaidLayout::new(lvl, n, 0, Bytes::from_tb(1), None)
                .unwrap()
                .usable
        };
        assert_eq!(u(RaidLevel::None, 4), Bytes::from_tb(4));
        assert_eq!(u(RaidLevel::Raid1, 2), Bytes::from_tb(1));
        assert_eq!(u(RaidLevel::Raid5, 4), Bytes::from_tb(3));
        assert_eq!(u(RaidLevel::Raid6, 6), Bytes::from_tb(4));
        assert_eq!(u(RaidLevel::Raid10, 8), Bytes::from_tb(4));
    }

    #[test]
    fn axxonsoft_two_groups_and_a_spare() {
        let l = RaidLayout::new(RaidLevel::Raid6, 28, 1, Bytes::from_tb(4), Some(14)).unwrap();
        assert_eq!(l.groups, vec![14, 13]);
        assert_eq!(l.usable, Bytes::from_tb((12 + 11) * 4));
        assert_eq!(l.describe(), "28 × 4 TB (2 × RAID 6 of 14+13, 1 hot spare)");
    }

    #[test]
    fn impossible_layouts_say_why() {
        assert!(matches!(
            RaidLayout::new(RaidLevel::Raid6, 4, 1, TB12, None),
            Err(RaidError::TooFewDrives {
                data: 3,
                min: 4,
                ..
            })
        ));
        assert!(matches!(
            RaidLayout::new(RaidLevel::Raid10, 5, 0, TB12, None),
            Err(RaidError::OddMirror { .. })
        ));
        assert!(RaidLayout::new(RaidLevel::Raid5, 3, 3, TB12, None).is_err());
    }

    #[test]
    fn smallest_array_that_meets_a_need() {
        // 50 TB in RAID 6 of 12 TB drives with one spare: 5 data + 2 parity + 1 spare = 8.
        let l = RaidLayout::smallest_for(RaidLevel::Raid6, Bytes::from_tb(50), TB12, 1, None, 16)
            .unwrap();
        assert_eq!(l.drives, 8);
        assert_eq!(l.usable, Bytes::from_tb(60));
        // Not reachable within 4 bays.
        assert_eq!(
            RaidLayout::smallest_for(RaidLevel::Raid6, Bytes::from_tb(50), TB12, 1, None, 4),
            None
        );
        // Nothing needed still takes the level's minimum.
        let l = RaidLayout::smallest_for(RaidLevel::Raid5, Bytes(0), TB12, 0, None, 8).unwrap();
        assert_eq!(l.drives, 3);
    }

    #[test]
    fn level_names_parse() {
        assert_eq!("RAID6".parse::<RaidLevel>().unwrap(), RaidLevel::Raid6);
        assert_eq!("raid-10".parse::<RaidLevel>().unwrap(), RaidLevel::Raid10);
        assert_eq!("5".parse::<RaidLevel>().unwrap(), RaidLevel::Raid5);
        assert_eq!("none".parse::<RaidLevel>().unwrap(), RaidLevel::None);
        assert!("raid".parse::<RaidLevel>().is_err());
        assert!("raid7".parse::<RaidLevel>().is_err());
    }
}
