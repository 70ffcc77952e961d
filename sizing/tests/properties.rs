//! Properties every sizing formula must keep, whatever the inputs.

use camscope_sizing::raid::RaidLayout;
use camscope_sizing::storage::{HeadroomPolicy, recorded_bytes};
use camscope_sizing::units::{TB, TIB};
use camscope_sizing::{Bitrate, Bytes, RaidLevel};
use proptest::prelude::*;

fn level() -> impl Strategy<Value = RaidLevel> {
    prop_oneof![
        Just(RaidLevel::None),
        Just(RaidLevel::Raid1),
        Just(RaidLevel::Raid5),
        Just(RaidLevel::Raid6),
        Just(RaidLevel::Raid10),
    ]
}

proptest! {
    #[test]
    fn storage_never_falls_when_an_input_rises(
        cameras in 1u64..10_000, kbps in 64u64..50_000, secs in 0u64..=86_400, days in 1u64..3650,
        more_cameras in 0u64..100, more_kbps in 0u64..5_000, more_secs in 0u64..3_600, more_days in 0u64..365,
    ) {
        let base = recorded_bytes(cameras, Bitrate::from_kbps(kbps), secs, days);
        prop_assert!(recorded_bytes(cameras + more_cameras, Bitrate::from_kbps(kbps), secs, days) >= base);
        prop_assert!(recorded_bytes(cameras, Bitrate::from_kbps(kbps + more_kbps), secs, days) >= base);
        prop_assert!(recorded_bytes(cameras, Bitrate::from_kbps(kbps), (secs + more_secs).min(86_400), days) >= base);
        prop_assert!(recorded_bytes(cameras, Bitrate::from_kbps(kbps), secs, days + more_days) >= base);
    }

    #[test]
    fn tb_and_tib_round_trip(bytes in 0u64..u64::MAX / 2) {
        let b = Bytes(bytes);
        // Rendering in either unit system and converting back lands on the same byte count
        // within the rounding of an f64 (53 bits of mantissa).
        let from_tb = (b.tb() * TB as f64).round() as u64;
        let from_tib = (b.tib() * TIB as f64).round() as u64;
        let tolerance = (bytes >> 50).max(1);
        prop_assert!(from_tb.abs_diff(bytes) <= tolerance, "{bytes} via TB gave {from_tb}");
        prop_assert!(from_tib.abs_diff(bytes) <= tolerance, "{bytes} via TiB gave {from_tib}");
        // A TiB is bigger than a TB: the TiB figure is always the smaller number.
        prop_assert!(b.tib() <= b.tb());
    }

    #[test]
    fn raid_usable_never_exceeds_raw_and_falls_with_spares(
        lvl in level(), drives in 1u32..40, spares in 0u32..4, size_tb in 1u64..30, group in prop::option::of(4u32..16),
    ) {
        if let Ok(l) = RaidLayout::new(lvl, drives, spares, Bytes::from_tb(size_tb), group) {
            prop_assert!(l.usable <= l.raw);
            prop_assert_eq!(l.groups.iter().sum::<u32>() + spares, drives);
            // One more spare (same drives) never gives more usable space in a single group. With a
            // group-size limit it can: 8 data drives need two RAID 6 groups, 7 fit in one (see the
            // `grouping_can_make_a_spare_free` test).
            if let Ok(fewer) = RaidLayout::new(lvl, drives, spares + 1, Bytes::from_tb(size_tb), None)
                && let Ok(l) = RaidLayout::new(lvl, drives, spares, Bytes::from_tb(size_tb), None)
            {
                prop_assert!(fewer.usable <= l.usable);
            }
        }
    }

    #[test]
    fn more_parity_never_gives_more_space(drives in 4u32..40, spares in 0u32..3, size_tb in 1u64..30) {
        let at = |lvl| RaidLayout::new(lvl, drives, spares, Bytes::from_tb(size_tb), None).ok().map(|l| l.usable);
        if let (Some(none), Some(r5), Some(r6)) = (at(RaidLevel::None), at(RaidLevel::Raid5), at(RaidLevel::Raid6)) {
            prop_assert!(none >= r5 && r5 >= r6);
        }
    }

    #[test]
    fn smallest_array_is_enough_and_minimal(lvl in level(), need_tb in 0u64..200, size_tb in 1u64..24, spares in 0u32..3) {
        let need = Bytes::from_tb(need_tb);
        if let Some(l) = RaidLayout::smallest_for(lvl, need, Bytes::from_tb(size_tb), spares, Some(12), 64) {
            prop_assert!(l.usable >= need);
            // One drive fewer (or two, for mirrors) falls short or is not a valid layout.
            for fewer in 1..=2 {
                if let Some(n) = l.drives.checked_sub(fewer)
                    && let Ok(smaller) = RaidLayout::new(lvl, n, spares, Bytes::from_tb(size_tb), Some(12))
                {
                    prop_assert!(smaller.usable < need, "{} drives would do", n);
                }
            }
        }
    }

    #[test]
    fn headroom_needs_at_least_what_is_recorded(tb in 0u64..1000, loss in 0.0f64..0.3, fill in 0.5f64..1.0, margin in 0.0f64..0.5) {
        let p = HeadroomPolicy { format_loss: loss, fill_target: fill, safety_margin: margin };
        prop_assert!(p.capacity_needed(Bytes::from_tb(tb)) >= Bytes::from_tb(tb));
    }
}

#[test]
fn grouping_can_make_a_spare_free() {
    // Found by the property above: with groups of at most 7, RAID 6 over 8 data drives is two
    // groups of 4 (4 drives of parity); over 7 it is one group (2 of parity).
    let one_spare = RaidLayout::new(RaidLevel::Raid6, 9, 1, Bytes::from_tb(1), Some(7)).unwrap();
    let two_spares = RaidLayout::new(RaidLevel::Raid6, 9, 2, Bytes::from_tb(1), Some(7)).unwrap();
    assert_eq!(one_spare.usable, Bytes::from_tb(4));
    assert_eq!(two_spares.usable, Bytes::from_tb(5));
}
