//! Recorder ingest: how much a recorder receives and how many cameras its ceiling admits.
//!
//! A recorder receives every stream it pulls, recorded or not: NVRs pull the sub-stream for live
//! grids even when only the main stream is stored, so both count against the incoming-bandwidth
//! ceiling (Hikvision's spec-sheet rule: cameras = incoming ÷ (main + sub)). Vendors advise keeping
//! a reserve of that ceiling free for playback and remote viewing.

use crate::units::Bitrate;

/// The part of a ceiling usable for recording after keeping `reserve` (a fraction, 0–1) free.
pub fn usable_ceiling(ceiling: Bitrate, reserve: f64) -> Bitrate {
    Bitrate((ceiling.bps() as f64 * (1.0 - reserve.clamp(0.0, 1.0))).floor() as u64)
}

/// What a stream of `bps` puts on a network link once protocol traffic (`overhead`, a fraction:
/// TCP acknowledgements, RTSP/RTP headers) is added. The one rule `plan` and `generate` both use
/// for link load, applied per stream and rounded up.
pub fn on_the_wire(bps: u64, overhead: f64) -> u64 {
    (bps as f64 * (1.0 + overhead.max(0.0))).ceil() as u64
}

/// The load a link of `capacity` may carry when links are kept below `utilization` (a fraction).
pub fn link_limit(capacity: Bitrate, utilization: f64) -> u64 {
    (capacity.bps() as f64 * utilization.clamp(0.0, 1.0)) as u64
}

/// How many identical cameras (main + sub stream) fit under an incoming-bandwidth ceiling once
/// the reserve is kept free. A camera with no bitrate at all is not a meaningful question and
/// returns `None`.
pub fn cameras_within(ceiling: Bitrate, reserve: f64, main: Bitrate, sub: Bitrate) -> Option<u64> {
    let per_camera = main.bps().checked_add(sub.bps())?;
    (per_camera > 0).then(|| usable_ceiling(ceiling, reserve).bps() / per_camera)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hikvision_spec_sheet_example() {
        // 200 Mbit/s incoming, 6 Mbit/s main + 1 Mbit/s sub: 28 cameras.
        let n = cameras_within(
            Bitrate::from_mbps(200),
            0.0,
            Bitrate::from_mbps(6),
            Bitrate::from_mbps(1),
        );
        assert_eq!(n, Some(28));
    }

    #[test]
    fn wire_load_adds_the_overhead_and_rounds_up() {
        // The server: 725.64 Mbit/s of streams is 776.43 Mbit/s on the wire at 7%.
        assert_eq!(on_the_wire(725_640_000, 0.07), 776_434_800);
        assert_eq!(on_the_wire(3, 0.5), 5);
        assert_eq!(link_limit(Bitrate::from_mbps(1000), 0.75), 750_000_000);
    }

    #[test]
    fn reserve_reduces_the_count() {
        // With a 25% reserve, 150 Mbit/s is left: 21 cameras.
        let n = cameras_within(
            Bitrate::from_mbps(200),
            0.25,
            Bitrate::from_mbps(6),
            Bitrate::from_mbps(1),
        );
        assert_eq!(n, Some(21));
        assert_eq!(
            cameras_within(Bitrate::from_mbps(200), 0.0, Bitrate(0), Bitrate(0)),
            None
        );
    }
}
