//! H.264 and H.265 access units at an exact bitrate, with no encoder at run time.
//!
//! A simulated camera must look like a real one to a VMS (decodable H.264 or H.265, IDR key
//! frames with in-band parameter sets, I frames larger than P frames) and load the network
//! exactly like the planned camera (a given average bitrate). Encoding live costs a share of a
//! core per stream, so this module writes the bitstream itself (flat grey pictures: one byte per
//! macroblock for an H.264 IDR frame, a few bits per coding tree unit in H.265, a few bytes for a
//! P frame) and pads every access unit with one filler-data NAL unit (H.264 type 12, H.265 type
//! 38) to its planned size. Decoders drop filler; RTP, retina and ffmpeg count it as payload.
//! [`H264Generator`] and [`H265Generator`] share the plan below; [`VideoGenerator`] picks one by
//! [`Codec`].
//!
//! # Frame-size plan
//!
//! Sizes count every NAL unit plus a 4-byte prefix (the Annex B start code `00 00 00 01`, or the
//! 4-byte length in the AVC/MP4 form retina hands out), so "bytes" here are what a receiver
//! counts.
//!
//! - Cumulative budget: the first `n` frames get `C(n) = ⌊n · bitrate / (8 · fps)⌋` bytes, so
//!   the average over any whole number of GOPs is exact to one byte, and never drifts.
//! - GOP `k` (frames `kG .. (k+1)G`) gets `C((k+1)G) − C(kG)` bytes.
//! - Inside a GOP, the IDR frame weighs [`VideoConfig::i_to_p_ratio`] and each P frame weighs 1;
//!   each frame's share is a difference of floored cumulative shares, so the GOP sum is exact.
//!   With the default ratio 4, GOP 30 and 1 Mbit/s at 15 fps, a GOP gets 250,000 bytes: the I
//!   frame 30,303 and each P frame 7,575 or 7,576.
//! - Each access unit is `[SPS, PPS,] SEI, slice, filler` (H.265: `[VPS, SPS, PPS,]` first):
//!   parameter sets only on IDR frames, the SEI carries the send time (see
//!   [`TIMESTAMP_SEI_UUID`]), and the filler NAL takes exactly the bytes that remain.
//!   [`H264Generator::new`] and [`H265Generator::new`] reject a bitrate too low to leave room for
//!   filler.

mod h264;
mod h265;

use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;

use crate::error::Error;
use h264::{Geometry, nal_type};

/// UUID of our `user_data_unregistered` SEI (payload type 5) carrying the send time.
///
/// The 16 UUID bytes are followed by the send time as 8 big-endian bytes of microseconds since
/// the UNIX epoch. The UUID has no zero byte, so it never creates an emulation-prevention byte.
pub const TIMESTAMP_SEI_UUID: [u8; 16] = [
    0x5c, 0x1d, 0x3a, 0x6e, 0x8b, 0x2f, 0x4c, 0x7a, 0x9e, 0x41, 0xd2, 0xb7, 0xf6, 0xa3, 0xc9, 0x15,
];

/// Bytes a NAL unit adds to a frame besides its own: start code or length prefix.
pub const NAL_PREFIX_BYTES: usize = 4;

/// SEI payload type `user_data_unregistered`.
const SEI_USER_DATA_UNREGISTERED: u8 = 5;

/// Smallest filler NAL unit: header and stop-bit byte, plus its prefix.
const MIN_FILLER_BYTES: usize = NAL_PREFIX_BYTES + 2;

/// What one simulated video stream looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VideoConfig {
    /// Picture width in pixels; even, 16 to 8192.
    pub width: u32,
    /// Picture height in pixels; even, 16 to 8192.
    pub height: u32,
    /// Frames per second, 1 to 240.
    pub fps: u32,
    /// Frames per GOP: an IDR frame every `gop` frames, 1 to 65,535.
    pub gop: u32,
    /// Average bitrate in bit/s over each GOP, counted as receivers count it (see module docs).
    pub bitrate_bps: u64,
    /// Size of an I frame over the size of a P frame, 1 to 100; 4 by default.
    pub i_to_p_ratio: u32,
}

impl VideoConfig {
    /// A stream with the default I/P size ratio (4).
    pub fn new(width: u32, height: u32, fps: u32, gop: u32, bitrate_bps: u64) -> Self {
        VideoConfig {
            width,
            height,
            fps,
            gop,
            bitrate_bps,
            i_to_p_ratio: 4,
        }
    }

    fn describe(&self) -> String {
        format!(
            "{}x{} at {} fps, GOP {}, {} bit/s",
            self.width, self.height, self.fps, self.gop, self.bitrate_bps
        )
    }

    fn check_ranges(&self) -> Result<(), Error> {
        let what = self.describe();
        let bad = |field: &str, rule: &str| {
            Err(Error::config(format!(
                "stream {what}: {field} must be {rule}"
            )))
        };
        for (field, v) in [("width", self.width), ("height", self.height)] {
            if !(16..=8192).contains(&v) || v % 2 != 0 {
                return bad(field, "even and between 16 and 8192 pixels");
            }
        }
        if !(1..=240).contains(&self.fps) {
            return bad("fps", "between 1 and 240");
        }
        if !(1..=65_535).contains(&self.gop) {
            return bad("gop", "between 1 and 65535 frames");
        }
        if self.bitrate_bps == 0 || self.bitrate_bps > 10_000_000_000 {
            return bad("bitrate", "between 1 bit/s and 10 Gbit/s");
        }
        if !(1..=100).contains(&self.i_to_p_ratio) {
            return bad("I/P ratio", "between 1 and 100");
        }
        Ok(())
    }
}

/// One coded picture with everything a receiver gets for it.
#[derive(Debug, Clone)]
pub struct AccessUnit {
    /// Frame number since the generator started (0 is the first IDR).
    pub index: u64,
    /// Whether this is an IDR frame (it then starts with its parameter sets: SPS and PPS in
    /// H.264, VPS, SPS and PPS in H.265).
    pub is_idr: bool,
    /// NAL units in decoding order, each with its header (1 byte in H.264, 2 in H.265), without
    /// start code or length.
    pub nals: Vec<Bytes>,
}

impl AccessUnit {
    /// Bytes a receiver counts: every NAL unit plus its 4-byte start code or length prefix.
    pub fn size(&self) -> usize {
        self.nals.iter().map(|n| n.len() + NAL_PREFIX_BYTES).sum()
    }

    /// Appends the access unit in Annex B form (4-byte start codes) to `out`.
    pub fn write_annex_b(&self, out: &mut Vec<u8>) {
        for n in &self.nals {
            out.extend_from_slice(&[0, 0, 0, 1]);
            out.extend_from_slice(n);
        }
    }
}

/// Generates the H.264 stream of one simulated camera, one access unit at a time.
#[derive(Debug, Clone)]
pub struct H264Generator {
    config: VideoConfig,
    geometry: Geometry,
    sps: Bytes,
    pps: Bytes,
    next_index: u64,
    /// Bitrate the frame budgets follow: the configured one unless a fault changed it.
    delivered_bps: u64,
}

impl H264Generator {
    /// Checks the configuration and prepares the parameter sets.
    ///
    /// Fails with [`ErrorKind::Config`](crate::ErrorKind::Config) when a field is out of range or
    /// the bitrate leaves no room for filler in some frame (the message gives the least bitrate
    /// that works).
    pub fn new(config: VideoConfig) -> Result<Self, Error> {
        config.check_ranges()?;
        let mut geometry = Geometry {
            width: config.width,
            height: config.height,
            fps: config.fps,
            level_idc: 0,
        };
        geometry.level_idc =
            h264::level_idc(u64::from(geometry.mbs()), config.fps, config.bitrate_bps);
        let generator = H264Generator {
            config,
            geometry,
            sps: Bytes::from(h264::sps(&geometry)),
            pps: Bytes::from(h264::pps()),
            next_index: 0,
            delivered_bps: config.bitrate_bps,
        };
        generator.check_room_for_filler()?;
        Ok(generator)
    }

    /// Worst-case bytes of an IDR and a P frame before filler.
    fn base_sizes(&self) -> (usize, usize) {
        // The SEI grows by at most one emulation-prevention byte per two bytes of timestamp.
        let sei_max = sei_nal(u64::MAX).len() + 4 + NAL_PREFIX_BYTES;
        let idr = self.sps.len()
            + self.pps.len()
            + h264::idr_slice(&self.geometry, 65_535).len()
            + 3 * NAL_PREFIX_BYTES
            + sei_max;
        let p = h264::p_slice(&self.geometry, 255).len() + NAL_PREFIX_BYTES + sei_max;
        (idr, p)
    }

    fn check_room_for_filler(&self) -> Result<(), Error> {
        let (idr_base, p_base) = self.base_sizes();
        check_room_for_filler(&self.config, idr_base, p_base, MIN_FILLER_BYTES)
    }

    /// The configuration this generator was built from.
    pub fn config(&self) -> &VideoConfig {
        &self.config
    }

    /// The sequence parameter set NAL unit (header byte included), as sent before every IDR.
    pub fn sps(&self) -> &Bytes {
        &self.sps
    }

    /// The picture parameter set NAL unit (header byte included), as sent before every IDR.
    pub fn pps(&self) -> &Bytes {
        &self.pps
    }

    /// `profile-level-id` for SDP: profile, constraint flags and level as six hex digits.
    pub fn profile_level_id(&self) -> String {
        format!(
            "{:02X}{:02X}{:02X}",
            h264::PROFILE_IDC,
            h264::CONSTRAINT_FLAGS,
            self.geometry.level_idc
        )
    }

    /// `sprop-parameter-sets` for SDP: base64 SPS, a comma, base64 PPS.
    pub fn sprop_parameter_sets(&self) -> String {
        format!("{},{}", h264::base64(&self.sps), h264::base64(&self.pps))
    }

    /// Planned size in bytes of frame `index` (see the module docs for the plan), at the
    /// [delivered bitrate](Self::set_delivered_bitrate).
    pub fn frame_budget(&self, index: u64) -> usize {
        frame_budget(&self.config, self.delivered_bps, index)
    }

    /// Makes the following frames follow `bitrate_bps` instead of the configured bitrate, while
    /// the parameter sets, picture size, rate and GOP stay as configured: a camera that sends
    /// more or less than it says. Frames whose budget at this bitrate is smaller than the frame
    /// without filler are sent without filler, so the stream never goes below that floor.
    pub fn set_delivered_bitrate(&mut self, bitrate_bps: u64) {
        self.delivered_bps = bitrate_bps.max(1);
    }

    /// The bitrate the frames follow now.
    pub fn delivered_bitrate(&self) -> u64 {
        self.delivered_bps
    }

    /// Index of the frame the next call to [`next_access_unit`](Self::next_access_unit) makes.
    pub fn next_index(&self) -> u64 {
        self.next_index
    }

    /// Makes the next access unit, stamping `send_time_us` (microseconds since the UNIX epoch,
    /// see [`unix_micros_now`]) into its SEI. Its [`size`](AccessUnit::size) is exactly
    /// [`frame_budget`](Self::frame_budget) of its index.
    pub fn next_access_unit(&mut self, send_time_us: u64) -> AccessUnit {
        let index = self.next_index;
        self.next_index += 1;
        let gop = u64::from(self.config.gop);
        let j = index % gop;
        let is_idr = j == 0;
        let mut nals = Vec::with_capacity(5);
        if is_idr {
            nals.push(self.sps.clone());
            nals.push(self.pps.clone());
        }
        nals.push(Bytes::from(sei_nal(send_time_us)));
        let slice = if is_idr {
            // Consecutive IDR pictures must differ in idr_pic_id (H.264 7.4.3).
            let idr_pic_id = u32::try_from((index / gop) % 65_536).unwrap_or(0);
            h264::idr_slice(&self.geometry, idr_pic_id)
        } else {
            h264::p_slice(&self.geometry, u32::try_from(j % 256).unwrap_or(0))
        };
        nals.push(Bytes::from(slice));
        let used: usize = nals.iter().map(|n| n.len() + NAL_PREFIX_BYTES).sum();
        let deficit = self.frame_budget(index).saturating_sub(used);
        // `new` guarantees room for the smallest filler in every frame.
        if deficit >= MIN_FILLER_BYTES {
            nals.push(Bytes::from(h264::filler(deficit - NAL_PREFIX_BYTES)));
        }
        AccessUnit {
            index,
            is_idr,
            nals,
        }
    }
}

/// Smallest H.265 filler NAL unit: 2-byte header and stop-bit byte, plus its prefix.
const MIN_FILLER_BYTES_H265: usize = NAL_PREFIX_BYTES + 3;

/// Generates the H.265 stream of one simulated camera, one access unit at a time.
///
/// The same contract as [`H264Generator`]: every access unit is exactly
/// [`frame_budget`](Self::frame_budget) bytes, an IDR picture (type 19, `IDR_W_RADL`) opens
/// every GOP behind VPS, SPS and PPS, and P pictures (type 1, `TRAIL_R`) fill the rest. IDR
/// rather than CRA pictures because retina only reports IDR pictures as random access points.
/// Each access unit is `[VPS, SPS, PPS,] prefix SEI, slice, filler (type 38)`.
#[derive(Debug, Clone)]
pub struct H265Generator {
    config: VideoConfig,
    vps: Bytes,
    sps: Bytes,
    pps: Bytes,
    /// The IDR slice: every IDR picture is the same grey picture with the same header.
    idr_slice: Bytes,
    /// P slices by picture order count LSB, the only field that differs between them, made once
    /// so that serving many cameras costs no CABAC coding.
    p_slices: Vec<Bytes>,
    next_index: u64,
    /// Bitrate the frame budgets follow: the configured one unless a fault changed it.
    delivered_bps: u64,
}

impl H265Generator {
    /// Checks the configuration and prepares the parameter sets and slices.
    ///
    /// Fails with [`ErrorKind::Config`](crate::ErrorKind::Config) when a field is out of range or
    /// the bitrate leaves no room for filler in some frame (the message gives the least bitrate
    /// that works).
    pub fn new(config: VideoConfig) -> Result<Self, Error> {
        config.check_ranges()?;
        let geometry =
            h265::Geometry::new(config.width, config.height, config.fps, config.bitrate_bps);
        // POC LSBs of P pictures run 1, 2, … from each IDR and wrap at 2^LOG2_MAX_POC_LSB.
        let distinct = (1u32 << h265::LOG2_MAX_POC_LSB).min(config.gop);
        let p_slices = (0..distinct)
            .map(|lsb| Bytes::from(h265::p_slice(&geometry, lsb)))
            .collect();
        let generator = H265Generator {
            config,
            vps: Bytes::from(h265::vps(&geometry)),
            sps: Bytes::from(h265::sps(&geometry)),
            pps: Bytes::from(h265::pps()),
            idr_slice: Bytes::from(h265::idr_slice(&geometry)),
            p_slices,
            next_index: 0,
            delivered_bps: config.bitrate_bps,
        };
        let sei_max = sei_nal_h265(u64::MAX).len() + 4 + NAL_PREFIX_BYTES;
        let idr_base = generator.vps.len()
            + generator.sps.len()
            + generator.pps.len()
            + generator.idr_slice.len()
            + 4 * NAL_PREFIX_BYTES
            + sei_max;
        let p_base = generator.p_slices.iter().map(Bytes::len).max().unwrap_or(0)
            + NAL_PREFIX_BYTES
            + sei_max;
        check_room_for_filler(&config, idr_base, p_base, MIN_FILLER_BYTES_H265)?;
        Ok(generator)
    }

    /// The configuration this generator was built from.
    pub fn config(&self) -> &VideoConfig {
        &self.config
    }

    /// The video parameter set NAL unit (2-byte header included), as sent before every IDR.
    pub fn vps(&self) -> &Bytes {
        &self.vps
    }

    /// The sequence parameter set NAL unit (2-byte header included), as sent before every IDR.
    pub fn sps(&self) -> &Bytes {
        &self.sps
    }

    /// The picture parameter set NAL unit (2-byte header included), as sent before every IDR.
    pub fn pps(&self) -> &Bytes {
        &self.pps
    }

    /// `sprop-vps` for SDP (RFC 7798 §7.1): the VPS in base64.
    pub fn sprop_vps(&self) -> String {
        h264::base64(&self.vps)
    }

    /// `sprop-sps` for SDP (RFC 7798 §7.1): the SPS in base64.
    pub fn sprop_sps(&self) -> String {
        h264::base64(&self.sps)
    }

    /// `sprop-pps` for SDP (RFC 7798 §7.1): the PPS in base64.
    pub fn sprop_pps(&self) -> String {
        h264::base64(&self.pps)
    }

    /// Planned size in bytes of frame `index` (see the module docs for the plan), at the
    /// [delivered bitrate](Self::set_delivered_bitrate).
    pub fn frame_budget(&self, index: u64) -> usize {
        frame_budget(&self.config, self.delivered_bps, index)
    }

    /// Makes the following frames follow `bitrate_bps` instead of the configured bitrate, while
    /// the parameter sets, picture size, rate and GOP stay as configured: a camera that sends
    /// more or less than it says. Frames whose budget at this bitrate is smaller than the frame
    /// without filler are sent without filler, so the stream never goes below that floor.
    pub fn set_delivered_bitrate(&mut self, bitrate_bps: u64) {
        self.delivered_bps = bitrate_bps.max(1);
    }

    /// The bitrate the frames follow now.
    pub fn delivered_bitrate(&self) -> u64 {
        self.delivered_bps
    }

    /// Index of the frame the next call to [`next_access_unit`](Self::next_access_unit) makes.
    pub fn next_index(&self) -> u64 {
        self.next_index
    }

    /// Makes the next access unit, stamping `send_time_us` (microseconds since the UNIX epoch,
    /// see [`unix_micros_now`]) into its prefix SEI. Its [`size`](AccessUnit::size) is exactly
    /// [`frame_budget`](Self::frame_budget) of its index.
    pub fn next_access_unit(&mut self, send_time_us: u64) -> AccessUnit {
        let index = self.next_index;
        self.next_index += 1;
        let j = index % u64::from(self.config.gop);
        let is_idr = j == 0;
        let mut nals = Vec::with_capacity(6);
        if is_idr {
            nals.push(self.vps.clone());
            nals.push(self.sps.clone());
            nals.push(self.pps.clone());
        }
        nals.push(Bytes::from(sei_nal_h265(send_time_us)));
        let slice = if is_idr {
            self.idr_slice.clone()
        } else {
            // The POC of a P picture is its distance from the IDR, and `p_slices` holds one
            // slice per LSB value the GOP reaches.
            let lsb = usize::try_from(j % (1 << h265::LOG2_MAX_POC_LSB)).unwrap_or(0);
            self.p_slices.get(lsb).cloned().unwrap_or_default()
        };
        nals.push(slice);
        let used: usize = nals.iter().map(|n| n.len() + NAL_PREFIX_BYTES).sum();
        let deficit = self.frame_budget(index).saturating_sub(used);
        // `new` guarantees room for the smallest filler in every frame.
        if deficit >= MIN_FILLER_BYTES_H265 {
            nals.push(Bytes::from(h265::filler(deficit - NAL_PREFIX_BYTES)));
        }
        AccessUnit {
            index,
            is_idr,
            nals,
        }
    }
}

/// The video coding standard of a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Codec {
    /// ITU-T H.264 / AVC, Main profile.
    #[default]
    H264,
    /// ITU-T H.265 / HEVC, Main.
    H265,
}

impl Codec {
    /// The RTP encoding name (`a=rtpmap` in SDP, RFC 6184 and RFC 7798): `H264` or `H265`.
    pub fn encoding_name(self) -> &'static str {
        match self {
            Codec::H264 => "H264",
            Codec::H265 => "H265",
        }
    }

    /// Reads the send time from one of our timestamp SEI NAL units of this codec; `None` for any
    /// other NAL unit. The message is the same in both codecs, only the NAL header differs.
    pub fn parse_timestamp_sei(self, nal: &[u8]) -> Option<u64> {
        match self {
            Codec::H264 => parse_timestamp_sei(nal),
            Codec::H265 => parse_timestamp_sei_h265(nal),
        }
    }
}

impl std::fmt::Display for Codec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Codec::H264 => "H.264",
            Codec::H265 => "H.265",
        })
    }
}

/// The stream generator of either codec, for code that serves both.
#[derive(Debug, Clone)]
pub enum VideoGenerator {
    /// An H.264 stream.
    H264(H264Generator),
    /// An H.265 stream.
    H265(H265Generator),
}

impl VideoGenerator {
    /// A generator of `codec` for `config`, checked as [`H264Generator::new`] and
    /// [`H265Generator::new`] check it.
    pub fn new(codec: Codec, config: VideoConfig) -> Result<Self, Error> {
        Ok(match codec {
            Codec::H264 => VideoGenerator::H264(H264Generator::new(config)?),
            Codec::H265 => VideoGenerator::H265(H265Generator::new(config)?),
        })
    }

    /// The codec of the stream.
    pub fn codec(&self) -> Codec {
        match self {
            VideoGenerator::H264(_) => Codec::H264,
            VideoGenerator::H265(_) => Codec::H265,
        }
    }

    /// The configuration this generator was built from.
    pub fn config(&self) -> &VideoConfig {
        match self {
            VideoGenerator::H264(g) => g.config(),
            VideoGenerator::H265(g) => g.config(),
        }
    }

    /// The parameter sets sent before every IDR, in order: SPS and PPS, or VPS, SPS and PPS.
    pub fn parameter_sets(&self) -> Vec<&Bytes> {
        match self {
            VideoGenerator::H264(g) => vec![g.sps(), g.pps()],
            VideoGenerator::H265(g) => vec![g.vps(), g.sps(), g.pps()],
        }
    }

    /// Planned size in bytes of frame `index` (see the module docs for the plan).
    pub fn frame_budget(&self, index: u64) -> usize {
        match self {
            VideoGenerator::H264(g) => g.frame_budget(index),
            VideoGenerator::H265(g) => g.frame_budget(index),
        }
    }

    /// See [`H264Generator::set_delivered_bitrate`].
    pub fn set_delivered_bitrate(&mut self, bitrate_bps: u64) {
        match self {
            VideoGenerator::H264(g) => g.set_delivered_bitrate(bitrate_bps),
            VideoGenerator::H265(g) => g.set_delivered_bitrate(bitrate_bps),
        }
    }

    /// The bitrate the frames follow now.
    pub fn delivered_bitrate(&self) -> u64 {
        match self {
            VideoGenerator::H264(g) => g.delivered_bitrate(),
            VideoGenerator::H265(g) => g.delivered_bitrate(),
        }
    }

    /// Index of the frame the next call to [`next_access_unit`](Self::next_access_unit) makes.
    pub fn next_index(&self) -> u64 {
        match self {
            VideoGenerator::H264(g) => g.next_index(),
            VideoGenerator::H265(g) => g.next_index(),
        }
    }

    /// Makes the next access unit of the stream, stamped with `send_time_us`.
    pub fn next_access_unit(&mut self, send_time_us: u64) -> AccessUnit {
        match self {
            VideoGenerator::H264(g) => g.next_access_unit(send_time_us),
            VideoGenerator::H265(g) => g.next_access_unit(send_time_us),
        }
    }
}

/// Planned size in bytes of frame `index` of a `config` stream at `bitrate_bps` (see the module
/// docs for the plan).
fn frame_budget(config: &VideoConfig, bitrate_bps: u64, index: u64) -> usize {
    let g = u128::from(config.gop);
    let ratio = u128::from(config.i_to_p_ratio);
    let per_frame_num = u128::from(bitrate_bps);
    let per_frame_den = 8 * u128::from(config.fps);
    let cumulative = |n: u128| n * per_frame_num / per_frame_den;
    let gop_index = u128::from(index) / g;
    let j = u128::from(index) % g;
    let gop_bytes = cumulative((gop_index + 1) * g) - cumulative(gop_index * g);
    let weight = ratio + g - 1;
    let weight_before = |j: u128| if j == 0 { 0 } else { ratio + j - 1 };
    let share = gop_bytes * weight_before(j + 1) / weight - gop_bytes * weight_before(j) / weight;
    usize::try_from(share).unwrap_or(usize::MAX)
}

/// Fails unless every frame of `config`'s plan has room for its access unit without filler
/// (`idr_base` or `p_base` bytes, worst case) plus the smallest filler NAL unit (`min_filler`
/// bytes with its prefix); the message gives the least bitrate that works.
fn check_room_for_filler(
    config: &VideoConfig,
    idr_base: usize,
    p_base: usize,
    min_filler: usize,
) -> Result<(), Error> {
    let need_i = (idr_base + min_filler) as u128;
    let need_p = (p_base + min_filler) as u128;
    let g = u128::from(config.gop);
    let ratio = u128::from(config.i_to_p_ratio);
    let weight = ratio + g - 1;
    // The smallest GOP budget is one byte under the exact share; frames lose one more byte
    // to flooring.
    let gop_min =
        (g * u128::from(config.bitrate_bps) / (8 * u128::from(config.fps))).saturating_sub(1);
    let i_min = gop_min * ratio / weight;
    let p_min = (gop_min / weight).saturating_sub(1);
    if i_min >= need_i && (g == 1 || p_min >= need_p) {
        return Ok(());
    }
    let mut gop_need = (need_i * weight).div_ceil(ratio) + 2;
    if g > 1 {
        gop_need = gop_need.max((need_p + 2) * weight + 1);
    }
    let least_bps = (gop_need * 8 * u128::from(config.fps)).div_ceil(g);
    Err(Error::config(format!(
        "stream {}: the bitrate is too low for this picture size and GOP \
         (an I frame needs {need_i} bytes and a P frame {need_p}); use at least {least_bps} \
         bit/s",
        config.describe()
    )))
}

/// The SEI RBSP carrying one send time: one `user_data_unregistered` message, the same bytes in
/// H.264 and H.265.
fn sei_rbsp(send_time_us: u64) -> Vec<u8> {
    let mut rbsp = Vec::with_capacity(28);
    rbsp.push(SEI_USER_DATA_UNREGISTERED);
    rbsp.push(24); // payloadSize: UUID + timestamp
    rbsp.extend_from_slice(&TIMESTAMP_SEI_UUID);
    rbsp.extend_from_slice(&send_time_us.to_be_bytes());
    rbsp.push(0x80); // rbsp_trailing_bits
    rbsp
}

/// The H.264 SEI NAL unit carrying one send time.
fn sei_nal(send_time_us: u64) -> Vec<u8> {
    h264::nal(0, nal_type::SEI, &sei_rbsp(send_time_us))
}

/// The H.265 prefix SEI NAL unit carrying one send time.
fn sei_nal_h265(send_time_us: u64) -> Vec<u8> {
    h265::nal(h265::nal_type::PREFIX_SEI, &sei_rbsp(send_time_us))
}

/// Reads the send time (microseconds since the UNIX epoch) from one of our H.264 timestamp SEI
/// NAL units; `None` for any other NAL unit or SEI message. [`Codec::parse_timestamp_sei`]
/// reads either codec's.
pub fn parse_timestamp_sei(nal: &[u8]) -> Option<u64> {
    let (&header, payload) = nal.split_first()?;
    if header & 0x1F != nal_type::SEI {
        return None;
    }
    parse_sei_payload(payload)
}

/// Reads the send time from one of our H.265 prefix SEI NAL units (2-byte header); `None` for
/// any other NAL unit or SEI message.
pub fn parse_timestamp_sei_h265(nal: &[u8]) -> Option<u64> {
    if nal.len() < 2 || h265::type_of(nal) != Some(h265::nal_type::PREFIX_SEI) {
        return None;
    }
    parse_sei_payload(&nal[2..])
}

/// Finds our timestamp message among the SEI messages of an escaped SEI payload.
fn parse_sei_payload(payload: &[u8]) -> Option<u64> {
    let rbsp = h264::unescape_rbsp(payload);
    let mut rest = rbsp.as_slice();
    // sei_message(): payload type and size are coded as runs of 0xFF plus a last byte.
    let read_value = |rest: &mut &[u8]| -> Option<usize> {
        let mut value = 0usize;
        loop {
            let (&b, tail) = rest.split_first()?;
            *rest = tail;
            value += usize::from(b);
            if b != 0xFF {
                return Some(value);
            }
        }
    };
    while rest.first().is_some_and(|&b| b != 0x80) {
        let payload_type = read_value(&mut rest)?;
        let size = read_value(&mut rest)?;
        let body = rest.get(..size)?;
        rest = &rest[size..];
        if payload_type == usize::from(SEI_USER_DATA_UNREGISTERED)
            && size == 24
            && body[..16] == TIMESTAMP_SEI_UUID
        {
            let mut ts = [0u8; 8];
            ts.copy_from_slice(&body[16..]);
            return Some(u64::from_be_bytes(ts));
        }
    }
    None
}

/// NAL units of an Annex B byte stream (3- or 4-byte start codes), without their start codes.
pub fn split_annex_b(stream: &[u8]) -> Vec<&[u8]> {
    let mut starts = Vec::new();
    let mut i = 0;
    while i + 3 <= stream.len() {
        if stream[i] == 0 && stream[i + 1] == 0 && stream[i + 2] == 1 {
            starts.push(i + 3);
            i += 3;
        } else {
            i += 1;
        }
    }
    let mut nals = Vec::with_capacity(starts.len());
    for (k, &start) in starts.iter().enumerate() {
        let mut end = starts.get(k + 1).map_or(stream.len(), |&next| next - 3);
        // A 4-byte start code's leading zero belongs to no NAL unit (trailing_zero_8bits).
        while end > start && stream[end - 1] == 0 {
            end -= 1;
        }
        nals.push(&stream[start..end]);
    }
    nals
}

/// The current time in microseconds since the UNIX epoch, as stamped into the SEI.
pub fn unix_micros_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg_360p() -> VideoConfig {
        VideoConfig::new(640, 360, 15, 30, 1_000_000)
    }

    fn nal_types(au: &AccessUnit) -> Vec<u8> {
        au.nals.iter().map(|n| n[0] & 0x1F).collect()
    }

    #[test]
    fn idr_every_gop_with_parameter_sets_first() {
        let mut g = H264Generator::new(cfg_360p()).unwrap();
        for i in 0..95u64 {
            let au = g.next_access_unit(1_000 + i);
            assert_eq!(au.index, i);
            assert_eq!(au.is_idr, i % 30 == 0, "frame {i}");
            if au.is_idr {
                assert_eq!(nal_types(&au), [7, 8, 6, 5, 12], "frame {i}");
            } else {
                assert_eq!(nal_types(&au), [6, 1, 12], "frame {i}");
            }
        }
    }

    #[test]
    fn annex_b_output_parses_back_into_the_same_nal_units() {
        let mut g = H264Generator::new(cfg_360p()).unwrap();
        let mut stream = Vec::new();
        let mut expected = Vec::new();
        for _ in 0..40 {
            let au = g.next_access_unit(unix_micros_now());
            au.write_annex_b(&mut stream);
            expected.extend(au.nals.iter().cloned());
        }
        let parsed = split_annex_b(&stream);
        assert_eq!(parsed.len(), expected.len());
        for (p, e) in parsed.iter().zip(&expected) {
            assert_eq!(*p, &e[..]);
            assert_eq!(p[0] & 0x80, 0, "forbidden_zero_bit");
            // No start code or forbidden sequence inside a NAL unit.
            for w in p.windows(3) {
                assert!(!(w[0] == 0 && w[1] == 0 && w[2] <= 2));
            }
        }
    }

    #[test]
    fn every_frame_has_its_budget_and_every_gop_is_exact() {
        for cfg in [
            cfg_360p(),
            VideoConfig::new(1280, 720, 25, 50, 4_000_000),
            VideoConfig::new(1920, 1080, 30, 60, 6_000_000),
            VideoConfig {
                i_to_p_ratio: 9,
                ..VideoConfig::new(352, 288, 7, 14, 333_333)
            },
            VideoConfig::new(640, 480, 10, 1, 2_000_000),
        ] {
            let mut g = H264Generator::new(cfg).unwrap();
            let gop = u64::from(cfg.gop);
            let mut total = 0u128;
            for k in 0..5u64 {
                let mut gop_bytes = 0usize;
                for j in 0..gop {
                    let au = g.next_access_unit(unix_micros_now());
                    assert_eq!(au.size(), g.frame_budget(k * gop + j), "{cfg:?} frame {j}");
                    gop_bytes += au.size();
                }
                total += gop_bytes as u128;
                let exact = f64::from(cfg.gop) * cfg.bitrate_bps as f64 / 8.0 / f64::from(cfg.fps);
                assert!(
                    (gop_bytes as f64 - exact).abs() <= 1.0,
                    "{cfg:?}: {gop_bytes} vs {exact}"
                );
            }
            // Cumulative budget: no drift over many GOPs.
            let frames = 5 * u128::from(cfg.gop);
            let exact = frames * u128::from(cfg.bitrate_bps) / (8 * u128::from(cfg.fps));
            assert_eq!(total, exact, "{cfg:?}");
        }
    }

    #[test]
    fn i_frames_are_ratio_times_p_frames() {
        let g = H264Generator::new(cfg_360p()).unwrap();
        // The figures in the module docs.
        assert_eq!(g.frame_budget(0), 30_303);
        let p_sizes: std::collections::BTreeSet<_> = (1..30).map(|i| g.frame_budget(i)).collect();
        assert_eq!(p_sizes.into_iter().collect::<Vec<_>>(), [7_575, 7_576]);
        assert_eq!((0..30).map(|i| g.frame_budget(i)).sum::<usize>(), 250_000);
        let i = g.frame_budget(0) as f64;
        let p = g.frame_budget(1) as f64;
        assert!((i / p - 4.0).abs() < 0.01, "{i} / {p}");
        let g9 = H264Generator::new(VideoConfig {
            i_to_p_ratio: 9,
            ..cfg_360p()
        })
        .unwrap();
        assert!((g9.frame_budget(30) as f64 / g9.frame_budget(31) as f64 - 9.0).abs() < 0.01);
    }

    #[test]
    fn sei_round_trips_any_timestamp() {
        for ts in [0, 1, 0x0000_0300_0000_0001, 1_795_000_000_123_456, u64::MAX] {
            let nal = sei_nal(ts);
            assert_eq!(parse_timestamp_sei(&nal), Some(ts), "{ts:#x}");
        }
        let mut g = H264Generator::new(cfg_360p()).unwrap();
        let au = g.next_access_unit(1_795_000_000_000_000);
        let stamps: Vec<_> = au
            .nals
            .iter()
            .filter_map(|n| parse_timestamp_sei(n))
            .collect();
        assert_eq!(stamps, [1_795_000_000_000_000]);
        // Not ours: another UUID, another NAL type, truncated.
        let mut other = sei_nal(5);
        other[3] ^= 0x01;
        assert_eq!(parse_timestamp_sei(&other), None);
        assert_eq!(parse_timestamp_sei(g.sps()), None);
        assert_eq!(parse_timestamp_sei(&sei_nal(5)[..10]), None);
        assert_eq!(parse_timestamp_sei(&[]), None);
    }

    #[test]
    fn sei_parser_survives_arbitrary_bytes() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let len = (next() % 64) as usize;
            let mut nal: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            if let Some(first) = nal.first_mut() {
                *first = (*first & 0xE0) | 6;
            }
            let _ = parse_timestamp_sei(&nal);
            let _ = split_annex_b(&nal);
        }
    }

    #[test]
    fn sdp_parameters_come_from_the_sps() {
        let g = H264Generator::new(cfg_360p()).unwrap();
        assert_eq!(g.profile_level_id(), "4D0016"); // level 2.2
        let sprop = g.sprop_parameter_sets();
        let (sps, pps) = sprop.split_once(',').unwrap();
        assert!(sps.starts_with("Z00AF"), "{sps}"); // 0x67 0x4D 0x00 0x16: Main profile, level 2.2
        assert_eq!(pps, h264::base64(g.pps()));
    }

    #[test]
    fn bad_configurations_are_refused_with_reasons() {
        let cases = [
            (VideoConfig::new(641, 360, 15, 30, 1_000_000), "width"),
            (VideoConfig::new(640, 0, 15, 30, 1_000_000), "height"),
            (VideoConfig::new(640, 360, 0, 30, 1_000_000), "fps"),
            (VideoConfig::new(640, 360, 15, 0, 1_000_000), "gop"),
            (VideoConfig::new(640, 360, 15, 30, 0), "bitrate"),
            (
                VideoConfig {
                    i_to_p_ratio: 0,
                    ..cfg_360p()
                },
                "I/P ratio",
            ),
            (VideoConfig::new(1920, 1080, 25, 50, 20_000), "use at least"),
        ];
        for (cfg, needle) in cases {
            let err = H264Generator::new(cfg).unwrap_err();
            assert_eq!(err.kind, crate::ErrorKind::Config);
            assert!(err.to_string().contains(needle), "{err}");
        }
    }

    /// Whenever `new` accepts a configuration, every frame has room for filler, so every access
    /// unit has exactly its budget; checked near the smallest accepted bitrate, where it is
    /// tightest, across sizes, rates, GOPs and ratios.
    #[test]
    fn accepted_configurations_always_hit_their_budget() {
        for (width, height) in [(16, 16), (176, 144), (640, 360), (1920, 1080)] {
            for fps in [1, 7, 25, 60] {
                for gop in [1, 2, 25, 120] {
                    for ratio in [1, 4, 100] {
                        let base = VideoConfig {
                            i_to_p_ratio: ratio,
                            ..VideoConfig::new(width, height, fps, gop, 1)
                        };
                        let least: u64 = match H264Generator::new(base) {
                            Ok(_) => 1,
                            Err(e) => e
                                .message
                                .rsplit("use at least ")
                                .next()
                                .and_then(|s| s.split(' ').next())
                                .unwrap()
                                .parse()
                                .unwrap(),
                        };
                        for bitrate in [least, least + 1, least + 997, least * 3 / 2] {
                            let cfg = VideoConfig {
                                bitrate_bps: bitrate,
                                ..base
                            };
                            let mut g = H264Generator::new(cfg)
                                .unwrap_or_else(|e| panic!("{cfg:?} refused: {e}"));
                            for i in 0..u64::from(2 * gop + 1) {
                                // Time 0 needs the most emulation-prevention bytes.
                                let au = g.next_access_unit(if i % 2 == 0 { 0 } else { u64::MAX });
                                assert_eq!(au.size(), g.frame_budget(i), "{cfg:?} frame {i}");
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn least_bitrate_in_the_message_is_enough() {
        let low = VideoConfig::new(1920, 1080, 25, 50, 20_000);
        let msg = H264Generator::new(low).unwrap_err().to_string();
        let least: u64 = msg
            .rsplit("use at least ")
            .next()
            .and_then(|s| s.split(' ').next())
            .unwrap()
            .parse()
            .unwrap();
        H264Generator::new(VideoConfig {
            bitrate_bps: least,
            ..low
        })
        .unwrap();
    }
    fn h265_types(au: &AccessUnit) -> Vec<u8> {
        au.nals.iter().map(|n| (n[0] >> 1) & 0x3F).collect()
    }

    #[test]
    fn h265_idr_every_gop_with_parameter_sets_first() {
        let mut g = H265Generator::new(cfg_360p()).unwrap();
        for i in 0..95u64 {
            let au = g.next_access_unit(1_000 + i);
            assert_eq!(au.index, i);
            assert_eq!(au.is_idr, i % 30 == 0, "frame {i}");
            if au.is_idr {
                // VPS, SPS, PPS, prefix SEI, IDR_W_RADL, filler.
                assert_eq!(h265_types(&au), [32, 33, 34, 39, 19, 38], "frame {i}");
                assert_eq!(au.nals[0], g.vps());
                assert_eq!(au.nals[1], g.sps());
                assert_eq!(au.nals[2], g.pps());
            } else {
                // Prefix SEI, TRAIL_R, filler.
                assert_eq!(h265_types(&au), [39, 1, 38], "frame {i}");
            }
        }
    }

    #[test]
    fn h265_annex_b_output_parses_back_into_the_same_nal_units() {
        let mut g = H265Generator::new(cfg_360p()).unwrap();
        let mut stream = Vec::new();
        let mut expected = Vec::new();
        for i in 0..40 {
            // Time 0 needs the most emulation-prevention bytes.
            let au = g.next_access_unit(if i % 2 == 0 { 0 } else { unix_micros_now() });
            au.write_annex_b(&mut stream);
            expected.extend(au.nals.iter().cloned());
        }
        let parsed = split_annex_b(&stream);
        assert_eq!(parsed.len(), expected.len());
        for (p, e) in parsed.iter().zip(&expected) {
            assert_eq!(*p, &e[..]);
            assert_eq!(p[0] & 0x80, 0, "forbidden_zero_bit");
            assert_eq!(p[1], 1, "nuh_layer_id 0, nuh_temporal_id_plus1 1");
            for w in p.windows(3) {
                assert!(!(w[0] == 0 && w[1] == 0 && w[2] <= 2));
            }
            assert_ne!(p.last(), Some(&0), "RBSP ends with its stop bit");
        }
    }

    #[test]
    fn h265_p_slices_count_picture_order_from_the_idr() {
        let mut g = H265Generator::new(VideoConfig::new(320, 240, 25, 300, 2_000_000)).unwrap();
        for i in 0..300u64 {
            let au = g.next_access_unit(0);
            if au.is_idr {
                continue;
            }
            let slice = &au.nals[1];
            let rbsp = h264::unescape_rbsp(&slice[2..]);
            // first_slice_segment_in_pic_flag "1", slice_pic_parameter_set_id ue(0) "1",
            // slice_type ue(1) "010", then 8 bits of slice_pic_order_cnt_lsb.
            assert_eq!(rbsp[0] >> 3, 0b11010, "frame {i}");
            let lsb = ((u16::from(rbsp[0]) << 5) | u16::from(rbsp[1] >> 3)) & 0xFF;
            assert_eq!(u64::from(lsb), i % 256, "frame {i}");
        }
    }

    #[test]
    fn both_codecs_give_every_frame_its_budget_and_every_gop_is_exact() {
        for codec in [Codec::H264, Codec::H265] {
            for cfg in [
                cfg_360p(),
                VideoConfig::new(1280, 720, 25, 50, 4_000_000),
                VideoConfig::new(1920, 1080, 30, 60, 6_000_000),
                VideoConfig {
                    i_to_p_ratio: 9,
                    ..VideoConfig::new(352, 288, 7, 14, 333_333)
                },
                VideoConfig::new(640, 480, 10, 1, 2_000_000),
            ] {
                let mut g = VideoGenerator::new(codec, cfg).unwrap();
                assert_eq!(g.codec(), codec);
                assert_eq!(g.config(), &cfg);
                let gop = u64::from(cfg.gop);
                let mut total = 0u128;
                for k in 0..4u64 {
                    let mut gop_bytes = 0usize;
                    for j in 0..gop {
                        assert_eq!(g.next_index(), k * gop + j);
                        let au = g.next_access_unit(unix_micros_now());
                        assert_eq!(au.size(), g.frame_budget(k * gop + j), "{codec} {cfg:?}");
                        gop_bytes += au.size();
                    }
                    total += gop_bytes as u128;
                    let exact =
                        f64::from(cfg.gop) * cfg.bitrate_bps as f64 / 8.0 / f64::from(cfg.fps);
                    assert!((gop_bytes as f64 - exact).abs() <= 1.0, "{codec} {cfg:?}");
                }
                let frames = 4 * u128::from(cfg.gop);
                let exact = frames * u128::from(cfg.bitrate_bps) / (8 * u128::from(cfg.fps));
                assert_eq!(total, exact, "{codec} {cfg:?}");
            }
        }
    }

    #[test]
    fn video_generator_keeps_each_codec_s_stream() {
        let mut direct = H264Generator::new(cfg_360p()).unwrap();
        let mut through = VideoGenerator::new(Codec::H264, cfg_360p()).unwrap();
        assert_eq!(through.parameter_sets(), [direct.sps(), direct.pps()]);
        for t in 0..31 {
            assert_eq!(
                through.next_access_unit(t).nals,
                direct.next_access_unit(t).nals
            );
        }
        let h265 = VideoGenerator::new(Codec::H265, cfg_360p()).unwrap();
        let sets: Vec<_> = h265.parameter_sets().iter().map(|n| n[0] >> 1).collect();
        assert_eq!(sets, [32, 33, 34]);
        assert_eq!(Codec::default(), Codec::H264);
        assert_eq!(Codec::H265.encoding_name(), "H265");
        assert_eq!(Codec::H264.encoding_name(), "H264");
        assert_eq!(Codec::H265.to_string(), "H.265");
    }

    #[test]
    fn h265_sei_round_trips_any_timestamp_and_only_for_its_codec() {
        for ts in [0, 1, 0x0000_0300_0000_0001, 1_795_000_000_123_456, u64::MAX] {
            let nal = sei_nal_h265(ts);
            assert_eq!(nal[..2], [0x4E, 0x01]);
            assert_eq!(parse_timestamp_sei_h265(&nal), Some(ts), "{ts:#x}");
            assert_eq!(Codec::H265.parse_timestamp_sei(&nal), Some(ts));
            assert_eq!(Codec::H264.parse_timestamp_sei(&sei_nal(ts)), Some(ts));
            // The same message: only the NAL header differs.
            assert_eq!(nal[2..], sei_nal(ts)[1..]);
        }
        let mut g = H265Generator::new(cfg_360p()).unwrap();
        let au = g.next_access_unit(1_795_000_000_000_000);
        let stamps: Vec<_> = au
            .nals
            .iter()
            .filter_map(|n| parse_timestamp_sei_h265(n))
            .collect();
        assert_eq!(stamps, [1_795_000_000_000_000]);
        let mut other = sei_nal_h265(5);
        other[4] ^= 0x01;
        assert_eq!(parse_timestamp_sei_h265(&other), None);
        assert_eq!(parse_timestamp_sei_h265(g.sps()), None);
        assert_eq!(parse_timestamp_sei_h265(&sei_nal_h265(5)[..10]), None);
        assert_eq!(parse_timestamp_sei_h265(&[0x4E]), None);
        assert_eq!(parse_timestamp_sei_h265(&[]), None);
        // An H.264 SEI is not an H.265 one.
        assert_eq!(parse_timestamp_sei_h265(&sei_nal(5)), None);
    }

    #[test]
    fn h265_sei_parser_survives_arbitrary_bytes() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let len = (next() % 64) as usize;
            let mut nal: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            if let Some(first) = nal.first_mut() {
                *first = 0x4E;
            }
            let _ = parse_timestamp_sei_h265(&nal);
        }
    }

    #[test]
    fn h265_bad_configurations_are_refused_with_reasons() {
        let cases = [
            (VideoConfig::new(641, 360, 15, 30, 1_000_000), "width"),
            (VideoConfig::new(640, 360, 0, 30, 1_000_000), "fps"),
            (VideoConfig::new(640, 360, 15, 0, 1_000_000), "gop"),
            (VideoConfig::new(640, 360, 15, 30, 0), "bitrate"),
            (VideoConfig::new(1920, 1080, 25, 50, 2_000), "use at least"),
        ];
        for (cfg, needle) in cases {
            let err = VideoGenerator::new(Codec::H265, cfg).unwrap_err();
            assert_eq!(err.kind, crate::ErrorKind::Config);
            assert!(err.to_string().contains(needle), "{err}");
        }
    }

    /// As for H.264: whenever `new` accepts a configuration, every access unit has exactly its
    /// budget, checked near the smallest accepted bitrate.
    #[test]
    fn h265_accepted_configurations_always_hit_their_budget() {
        for (width, height) in [(16, 16), (176, 144), (1000, 562), (1920, 1080)] {
            for fps in [1, 25, 60] {
                for gop in [1, 2, 25, 300] {
                    for ratio in [1, 4, 100] {
                        let base = VideoConfig {
                            i_to_p_ratio: ratio,
                            ..VideoConfig::new(width, height, fps, gop, 1)
                        };
                        let least: u64 = match H265Generator::new(base) {
                            Ok(_) => 1,
                            Err(e) => e
                                .message
                                .rsplit("use at least ")
                                .next()
                                .and_then(|s| s.split(' ').next())
                                .unwrap()
                                .parse()
                                .unwrap(),
                        };
                        for bitrate in [least, least + 1, least * 3 / 2] {
                            let cfg = VideoConfig {
                                bitrate_bps: bitrate,
                                ..base
                            };
                            let mut g = H265Generator::new(cfg)
                                .unwrap_or_else(|e| panic!("{cfg:?} refused: {e}"));
                            for i in 0..u64::from(gop + 2).min(270) {
                                let au = g.next_access_unit(if i % 2 == 0 { 0 } else { u64::MAX });
                                assert_eq!(au.size(), g.frame_budget(i), "{cfg:?} frame {i}");
                            }
                        }
                    }
                }
            }
        }
    }

    /// A bitrate fault changes what frames weigh, exactly, and nothing a decoder reads: the
    /// parameter sets, GOP and frame count stay those of the configuration.
    #[test]
    fn delivered_bitrate_scales_every_whole_gop_and_keeps_the_stream_shape() {
        for codec in [Codec::H264, Codec::H265] {
            let cfg = VideoConfig::new(640, 360, 15, 15, 1_000_000);
            let mut g = VideoGenerator::new(codec, cfg).unwrap();
            let params: Vec<Bytes> = g.parameter_sets().into_iter().cloned().collect();
            let gop_bytes = |g: &mut VideoGenerator| -> (usize, bool, Vec<Bytes>) {
                let aus: Vec<AccessUnit> = (0..15).map(|_| g.next_access_unit(7)).collect();
                let firsts = aus[0].nals[..params.len()].to_vec();
                let shape = aus[0].is_idr && aus[1..].iter().all(|a| !a.is_idr);
                (aus.iter().map(AccessUnit::size).sum(), shape, firsts)
            };
            assert_eq!(gop_bytes(&mut g).0, 125_000, "{codec}");
            for (bps, expected) in [(500_000, 62_500), (2_000_000, 250_000)] {
                g.set_delivered_bitrate(bps);
                assert_eq!(g.delivered_bitrate(), bps);
                let (bytes, shape, firsts) = gop_bytes(&mut g);
                assert_eq!(bytes, expected, "{codec} at {bps} bit/s");
                assert!(shape, "{codec}: one IDR opens each GOP");
                assert_eq!(firsts, params, "{codec}: the same parameter sets");
                assert_eq!(
                    g.config().bitrate_bps,
                    1_000_000,
                    "the configuration is kept"
                );
            }
            // Below what a frame needs without filler, frames go without filler, whole: the
            // GOP weighs more than the 125 bytes 1 kbit/s would allow.
            g.set_delivered_bitrate(1_000);
            let (bytes, shape, _) = gop_bytes(&mut g);
            assert!(
                shape && bytes > 125 && bytes < 62_500,
                "{codec}: {bytes} bytes"
            );
        }
    }
}
