//! RTP packets for H.264 (RFC 6184, non-interleaved mode) and H.265 (RFC 7798, no DONL) and
//! RTCP sender reports (RFC 3550), framed for RTSP interleaved TCP (RFC 2326 §10.12).
//!
//! Kept apart from the RTSP state machine so that the byte layout, the part clients are
//! strictest about (retina rejects a marker bit on a non-final FU-A fragment, a timestamp change
//! inside a fragmented NAL unit, or a start code inside a payload), is tested on its own.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::video::{AccessUnit, Codec};

/// Dynamic payload type announced in the SDP.
pub(crate) const PAYLOAD_TYPE: u8 = 96;

/// RTP clock of H.264 and H.265 video (RFC 6184 §8.2.1, RFC 7798 §7.1).
pub(crate) const CLOCK_RATE: u64 = 90_000;

/// FU-A NAL unit type (RFC 6184 §5.8).
const FU_A: u8 = 28;

/// Fragmentation unit payload type of H.265 (RFC 7798 §4.4.3).
const FU_H265: u8 = 49;

/// RTCP packet type of a sender report.
const RTCP_SR: u8 = 200;

/// Seconds from the NTP epoch (1900) to the UNIX epoch (1970).
const NTP_UNIX_OFFSET: u64 = 2_208_988_800;

/// Turns access units into interleaved RTP packets for one stream, keeping sequence numbers and
/// the counters a sender report needs.
#[derive(Debug)]
pub(crate) struct Packetizer {
    codec: Codec,
    ssrc: u32,
    seq: u16,
    max_payload: usize,
    packets: u32,
    octets: u32,
}

impl Packetizer {
    /// A packetizer of `codec` NAL units whose first packet gets `first_seq`; payloads stay at
    /// or under `max_payload` bytes (at least 4, so that a fragment of either codec carries
    /// data).
    pub(crate) fn new(codec: Codec, ssrc: u32, first_seq: u16, max_payload: usize) -> Self {
        Packetizer {
            codec,
            ssrc,
            seq: first_seq,
            max_payload: max_payload.max(4),
            packets: 0,
            octets: 0,
        }
    }

    /// Sequence number of the next packet.
    pub(crate) fn next_seq(&self) -> u16 {
        self.seq
    }

    /// The synchronisation source of this stream.
    pub(crate) fn ssrc(&self) -> u32 {
        self.ssrc
    }

    /// Appends `au` as `$`-framed RTP packets on `channel` to `out`: one single-NAL packet per NAL
    /// unit that fits, fragmentation units otherwise (FU-A in H.264, FU in H.265); the marker bit
    /// on the access unit's last packet.
    pub(crate) fn push_access_unit(
        &mut self,
        au: &AccessUnit,
        timestamp: u32,
        channel: u8,
        out: &mut Vec<u8>,
    ) {
        let count = au.nals.len();
        for (i, nal) in au.nals.iter().enumerate() {
            let last_nal = i + 1 == count;
            if nal.len() <= self.max_payload {
                self.push_packet(out, channel, last_nal, timestamp, &[nal]);
                continue;
            }
            // The fragments carry the NAL unit without its header, which the FU header and the
            // payload header (FU indicator) rebuild.
            let (indicator, body, nal_type): (&[u8], &[u8], u8) = match self.codec {
                Codec::H264 => {
                    let Some((&header, body)) = nal.split_first() else {
                        continue;
                    };
                    (&[(header & 0xE0) | FU_A], body, header & 0x1F)
                }
                Codec::H265 => {
                    let (Some(&h0), Some(&h1)) = (nal.first(), nal.get(1)) else {
                        continue;
                    };
                    // PayloadHdr: F and LayerId's high bit kept, Type 49, LayerId and TID kept.
                    (
                        &[(h0 & 0x81) | (FU_H265 << 1), h1],
                        &nal[2..],
                        (h0 >> 1) & 0x3F,
                    )
                }
            };
            let chunk = self.max_payload - indicator.len() - 1;
            let pieces = body.len().div_ceil(chunk);
            for (k, piece) in body.chunks(chunk).enumerate() {
                let start = if k == 0 { 0x80 } else { 0 };
                let end = if k + 1 == pieces { 0x40 } else { 0 };
                let fu = [start | end | nal_type];
                let marker = last_nal && end != 0;
                self.push_packet(out, channel, marker, timestamp, &[indicator, &fu, piece]);
            }
        }
    }

    fn push_packet(
        &mut self,
        out: &mut Vec<u8>,
        channel: u8,
        marker: bool,
        timestamp: u32,
        payload: &[&[u8]],
    ) {
        let payload_len: usize = payload.iter().map(|p| p.len()).sum();
        let len = u16::try_from(12 + payload_len).unwrap_or(u16::MAX);
        out.extend_from_slice(&[b'$', channel]);
        out.extend_from_slice(&len.to_be_bytes());
        out.push(0x80); // version 2, no padding, no extension, no CSRC
        out.push((u8::from(marker) << 7) | PAYLOAD_TYPE);
        out.extend_from_slice(&self.seq.to_be_bytes());
        out.extend_from_slice(&timestamp.to_be_bytes());
        out.extend_from_slice(&self.ssrc.to_be_bytes());
        for p in payload {
            out.extend_from_slice(p);
        }
        self.seq = self.seq.wrapping_add(1);
        self.packets = self.packets.wrapping_add(1);
        self.octets = self
            .octets
            .wrapping_add(u32::try_from(payload_len).unwrap_or(u32::MAX));
    }

    /// Appends a `$`-framed RTCP sender report on `channel`: wall time `now` and the RTP
    /// timestamp of that same instant, with the packet and payload octet counts so far.
    pub(crate) fn push_sender_report(
        &self,
        now: SystemTime,
        rtp_timestamp: u32,
        channel: u8,
        out: &mut Vec<u8>,
    ) {
        let (ntp_seconds, ntp_fraction) = ntp(now);
        out.extend_from_slice(&[b'$', channel, 0, 28]);
        out.extend_from_slice(&[0x80, RTCP_SR, 0, 6]); // V=2, no report blocks, 7 words - 1
        out.extend_from_slice(&self.ssrc.to_be_bytes());
        out.extend_from_slice(&ntp_seconds.to_be_bytes());
        out.extend_from_slice(&ntp_fraction.to_be_bytes());
        out.extend_from_slice(&rtp_timestamp.to_be_bytes());
        out.extend_from_slice(&self.packets.to_be_bytes());
        out.extend_from_slice(&self.octets.to_be_bytes());
    }
}

/// NTP timestamp (seconds since 1900, 32-bit binary fraction) of a wall-clock time.
pub(crate) fn ntp(t: SystemTime) -> (u32, u32) {
    let since_unix = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    // NTP seconds wrap in 2036 (era 1); the low 32 bits are what RFC 3550 carries.
    let seconds = (since_unix.as_secs() + NTP_UNIX_OFFSET) as u32;
    let fraction = ((u64::from(since_unix.subsec_nanos()) << 32) / 1_000_000_000) as u32;
    (seconds, fraction)
}

/// RTP timestamp offset of frame `index` at `fps`: `index · 90000 / fps`, wrapping like RTP.
pub(crate) fn frame_timestamp_offset(index: u64, fps: u32) -> u32 {
    ((u128::from(index) * u128::from(CLOCK_RATE) / u128::from(fps.max(1))) % (1u128 << 32)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::video::{H264Generator, H265Generator, VideoConfig};

    struct Packet {
        channel: u8,
        marker: bool,
        seq: u16,
        timestamp: u32,
        payload: Vec<u8>,
    }

    fn parse(mut data: &[u8]) -> Vec<Packet> {
        let mut out = Vec::new();
        while !data.is_empty() {
            assert_eq!(data[0], b'$');
            let len = usize::from(u16::from_be_bytes([data[2], data[3]]));
            let rtp = &data[4..4 + len];
            assert_eq!(rtp[0], 0x80);
            assert_eq!(rtp[1] & 0x7F, 96);
            assert_eq!(&rtp[8..12], &0x1234_5678u32.to_be_bytes());
            out.push(Packet {
                channel: data[1],
                marker: rtp[1] & 0x80 != 0,
                seq: u16::from_be_bytes([rtp[2], rtp[3]]),
                timestamp: u32::from_be_bytes([rtp[4], rtp[5], rtp[6], rtp[7]]),
                payload: rtp[12..].to_vec(),
            });
            data = &data[4 + len..];
        }
        out
    }

    /// Reassembles NAL units from single-NAL and FU-A payloads, checking the FU-A rules.
    fn depacketize(packets: &[Packet]) -> Vec<Vec<u8>> {
        depacketize_codec(Codec::H264, packets)
    }

    /// Reassembles NAL units from single-NAL and fragmentation-unit payloads of `codec` (FU-A,
    /// or RFC 7798 FU with its 2-byte payload header), checking the fragment rules retina checks.
    fn depacketize_codec(codec: Codec, packets: &[Packet]) -> Vec<Vec<u8>> {
        let mut nals = Vec::new();
        let mut partial: Option<Vec<u8>> = None;
        for p in packets {
            let (is_fu, header_len) = match codec {
                Codec::H264 => (p.payload[0] & 0x1F == FU_A, 1),
                Codec::H265 => ((p.payload[0] >> 1) & 0x3F == FU_H265, 2),
            };
            if is_fu {
                let fu = p.payload[header_len];
                let (start, end) = (fu & 0x80 != 0, fu & 0x40 != 0);
                assert!(!p.marker || end, "marker on a non-final fragment");
                if start {
                    assert!(partial.is_none(), "start while a fragment is open");
                    partial = Some(match codec {
                        Codec::H264 => vec![(p.payload[0] & 0xE0) | (fu & 0x1F)],
                        Codec::H265 => {
                            vec![(p.payload[0] & 0x81) | ((fu & 0x3F) << 1), p.payload[1]]
                        }
                    });
                }
                partial
                    .as_mut()
                    .unwrap()
                    .extend_from_slice(&p.payload[header_len + 1..]);
                if end {
                    nals.push(partial.take().unwrap());
                }
            } else {
                assert!(partial.is_none(), "single NAL inside a fragment");
                nals.push(p.payload.clone());
            }
        }
        assert!(partial.is_none());
        nals
    }

    #[test]
    fn access_units_round_trip_through_single_and_fu_a_packets() {
        let mut g = H264Generator::new(VideoConfig::new(1280, 720, 25, 10, 4_000_000)).unwrap();
        let mut p = Packetizer::new(Codec::H264, 0x1234_5678, 65_530, 1400);
        let mut seq = 65_530u16;
        for i in 0..12u64 {
            let au = g.next_access_unit(42);
            let ts = frame_timestamp_offset(i, 25).wrapping_add(u32::MAX - 5000);
            let mut out = Vec::new();
            p.push_access_unit(&au, ts, 4, &mut out);
            let packets = parse(&out);
            assert!(packets.len() > 1);
            for (k, pkt) in packets.iter().enumerate() {
                assert_eq!(pkt.channel, 4);
                assert_eq!(pkt.seq, seq, "continuous across frames and the 16-bit wrap");
                seq = seq.wrapping_add(1);
                assert_eq!(pkt.timestamp, ts, "one timestamp per access unit");
                assert_eq!(
                    pkt.marker,
                    k + 1 == packets.len(),
                    "marker on the last packet only"
                );
                assert!(pkt.payload.len() <= 1400);
            }
            let nals = depacketize(&packets);
            let expected: Vec<Vec<u8>> = au.nals.iter().map(|n| n.to_vec()).collect();
            assert_eq!(nals, expected, "frame {i}");
        }
        assert_eq!(p.next_seq(), seq);
    }

    #[test]
    fn h265_access_units_round_trip_through_single_and_fu_packets() {
        let cfg = VideoConfig::new(1280, 720, 25, 10, 4_000_000);
        let mut g = H265Generator::new(cfg).unwrap();
        let mut p = Packetizer::new(Codec::H265, 0x1234_5678, 65_000, 1400);
        let mut seq = 65_000u16;
        let mut fragments = 0;
        for i in 0..12u64 {
            let au = g.next_access_unit(0);
            let ts = frame_timestamp_offset(i, 25);
            let mut out = Vec::new();
            p.push_access_unit(&au, ts, 0, &mut out);
            let packets = parse(&out);
            for (k, pkt) in packets.iter().enumerate() {
                assert_eq!(pkt.seq, seq);
                seq = seq.wrapping_add(1);
                assert_eq!(pkt.timestamp, ts);
                assert_eq!(pkt.marker, k + 1 == packets.len());
                assert!(pkt.payload.len() <= 1400);
                let kind = (pkt.payload[0] >> 1) & 0x3F;
                fragments += usize::from(kind == FU_H265);
                // Payload header: F = 0, LayerId 0, TID 1 as in the NAL units.
                assert_eq!(pkt.payload[0] & 0x81, 0);
                assert_eq!(pkt.payload[1], 1);
                // No start code or forbidden sequence anywhere in a payload (retina checks).
                for w in pkt.payload.windows(3) {
                    assert!(!(w[0] == 0 && w[1] == 0 && w[2] <= 2));
                }
            }
            let nals = depacketize_codec(Codec::H265, &packets);
            let expected: Vec<Vec<u8>> = au.nals.iter().map(|n| n.to_vec()).collect();
            assert_eq!(nals, expected, "frame {i}");
        }
        // 4 Mbit/s at 25 fps is 20 kB per frame: the filler always fragments.
        assert!(fragments > 12 * 10, "{fragments} fragments");
    }

    #[test]
    fn sender_report_layout() {
        let mut g = H264Generator::new(VideoConfig::new(640, 360, 15, 15, 1_000_000)).unwrap();
        let mut p = Packetizer::new(Codec::H264, 0x1234_5678, 1, 1400);
        let mut frames = Vec::new();
        let au = g.next_access_unit(7);
        p.push_access_unit(&au, 0, 0, &mut frames);
        let packets = parse(&frames);
        let octets: usize = packets.iter().map(|p| p.payload.len()).sum();
        let now = UNIX_EPOCH + std::time::Duration::from_millis(1_795_000_000_500);
        let mut out = Vec::new();
        p.push_sender_report(now, 0xAABB_CCDD, 1, &mut out);
        assert_eq!(out.len(), 32);
        assert_eq!(&out[..4], &[b'$', 1, 0, 28]);
        let sr = &out[4..];
        assert_eq!(&sr[..4], &[0x80, 200, 0, 6]);
        assert_eq!(&sr[4..8], &0x1234_5678u32.to_be_bytes());
        let secs = u32::from_be_bytes(sr[8..12].try_into().unwrap());
        assert_eq!(u64::from(secs), 1_795_000_000 + NTP_UNIX_OFFSET);
        assert_eq!(
            u32::from_be_bytes(sr[12..16].try_into().unwrap()),
            1 << 31,
            "half a second"
        );
        assert_eq!(&sr[16..20], &0xAABB_CCDDu32.to_be_bytes());
        assert_eq!(
            u32::from_be_bytes(sr[20..24].try_into().unwrap()) as usize,
            packets.len()
        );
        assert_eq!(
            u32::from_be_bytes(sr[24..28].try_into().unwrap()) as usize,
            octets
        );
    }

    #[test]
    fn timestamps_advance_by_exact_frame_steps() {
        assert_eq!(frame_timestamp_offset(1, 25), 3600);
        assert_eq!(frame_timestamp_offset(3, 7), 38_571); // floor(3 * 90000 / 7)
        assert_eq!(frame_timestamp_offset(7, 7), 90_000);
        // Wraps modulo 2^32 instead of saturating.
        let wrap_frame = (1u64 << 32) / 3600 + 1;
        assert!(frame_timestamp_offset(wrap_frame, 25) < 3600);
    }
}
