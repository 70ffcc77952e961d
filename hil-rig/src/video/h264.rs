//! H.264 syntax writer: just enough of ITU-T H.264 to emit a decodable stream with no encoder.
//!
//! Why it exists: encoding every simulated camera live costs a share of a core per stream, and a
//! pre-encoded template needs ffmpeg at run time. Instead we write the bitstream ourselves.
//! Every picture is flat grey, which lets each one be coded with almost no bits:
//!
//! - the SPS is Main profile, what the simulated camera reports over ONVIF and what plans ask
//!   for (coded with CAVLC, frames only, picture order count type 2, one reference frame: tools
//!   that Constrained Baseline shares with Main), with cropping for sizes that are not multiples of 16 and VUI timing so that readers
//!   report the frame rate;
//! - an IDR slice codes every macroblock as `I_16x16` with DC prediction and no residual, exactly
//!   one byte (`0x27`) per macroblock once the slice header is written;
//! - a P slice is a single `mb_skip_run` covering the whole picture (every macroblock `P_Skip`),
//!   a handful of bytes at any resolution.
//!
//! The sizes a real camera would send are reached with filler-data NAL units (see `super`).

/// NAL unit types used here (H.264 Table 7-1).
pub(crate) mod nal_type {
    /// Coded slice of a non-IDR picture.
    pub const SLICE: u8 = 1;
    /// Coded slice of an IDR picture.
    pub const IDR: u8 = 5;
    /// Supplemental enhancement information.
    pub const SEI: u8 = 6;
    /// Sequence parameter set.
    pub const SPS: u8 = 7;
    /// Picture parameter set.
    pub const PPS: u8 = 8;
    /// Filler data.
    pub const FILLER: u8 = 12;
}

/// `log2_max_frame_num_minus4` in our SPS: frame_num counts modulo 256.
const LOG2_MAX_FRAME_NUM: u32 = 8;

/// MSB-first bit writer for RBSP syntax (u(n), ue(v), se(v), trailing bits).
#[derive(Default)]
pub(crate) struct BitWriter {
    bytes: Vec<u8>,
    current: u8,
    used: u8,
}

impl BitWriter {
    /// Writes the `bits` low bits of `value`, most significant first (u(n)).
    pub(crate) fn u(&mut self, bits: u32, value: u64) {
        for i in (0..bits).rev() {
            self.bit((value >> i) & 1 == 1);
        }
    }

    fn bit(&mut self, one: bool) {
        self.current = (self.current << 1) | u8::from(one);
        self.used += 1;
        if self.used == 8 {
            self.bytes.push(self.current);
            self.current = 0;
            self.used = 0;
        }
    }

    /// Unsigned Exp-Golomb code (ue(v)).
    pub(crate) fn ue(&mut self, value: u32) {
        let code = u64::from(value) + 1;
        let len = 64 - code.leading_zeros();
        self.u(len - 1, 0);
        self.u(len, code);
    }

    /// Signed Exp-Golomb code (se(v)).
    pub(crate) fn se(&mut self, value: i32) {
        let mapped = if value > 0 {
            value.unsigned_abs() * 2 - 1
        } else {
            value.unsigned_abs() * 2
        };
        self.ue(mapped);
    }

    /// Whether the next bit starts a byte.
    pub(crate) fn is_byte_aligned(&self) -> bool {
        self.used == 0
    }

    /// rbsp_trailing_bits(): a stop bit, then zero bits to the byte boundary.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        self.bit(true);
        while self.used != 0 {
            self.bit(false);
        }
        self.bytes
    }
}

/// Inserts emulation-prevention bytes so that no `00 00 0x` (x ≤ 3) remains in the payload.
pub(crate) fn escape_rbsp(rbsp: &[u8], out: &mut Vec<u8>) {
    let mut zeros = 0;
    for &b in rbsp {
        if zeros >= 2 && b <= 3 {
            out.push(3);
            zeros = 0;
        }
        out.push(b);
        zeros = if b == 0 { zeros + 1 } else { 0 };
    }
}

/// Removes emulation-prevention bytes (the inverse of [`escape_rbsp`]).
pub(crate) fn unescape_rbsp(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len());
    let mut zeros = 0;
    for &b in payload {
        if zeros >= 2 && b == 3 {
            zeros = 0;
            continue;
        }
        out.push(b);
        zeros = if b == 0 { zeros + 1 } else { 0 };
    }
    out
}

/// A NAL unit: header byte, then the escaped RBSP.
pub(crate) fn nal(nal_ref_idc: u8, nal_unit_type: u8, rbsp: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(rbsp.len() + rbsp.len() / 64 + 1);
    out.push((nal_ref_idc << 5) | nal_unit_type);
    escape_rbsp(rbsp, &mut out);
    out
}

/// Level limits (H.264 Table A-1): level_idc, MaxMBPS, MaxFS, MaxBR (kbit/s, Baseline).
const LEVELS: [(u8, u64, u64, u64); 15] = [
    (10, 1_485, 99, 64),
    (11, 3_000, 396, 192),
    (12, 6_000, 396, 384),
    (13, 11_880, 396, 768),
    (20, 11_880, 396, 2_000),
    (21, 19_800, 792, 4_000),
    (22, 20_250, 1_620, 4_000),
    (30, 40_500, 1_620, 10_000),
    (31, 108_000, 3_600, 14_000),
    (32, 216_000, 5_120, 20_000),
    (40, 245_760, 8_192, 20_000),
    (41, 245_760, 8_192, 50_000),
    (42, 522_240, 8_704, 50_000),
    (50, 589_824, 22_080, 135_000),
    (51, 983_040, 36_864, 240_000),
];

/// The smallest level whose frame size, macroblock rate and bitrate limits hold the stream; the
/// highest level we know (5.2) when none does, since decoders treat the level as a hint.
pub(crate) fn level_idc(mbs: u64, fps: u32, bitrate_bps: u64) -> u8 {
    LEVELS
        .iter()
        .find(|(_, max_mbps, max_fs, max_br)| {
            mbs <= *max_fs && mbs * u64::from(fps) <= *max_mbps && bitrate_bps <= max_br * 1000
        })
        .map_or(52, |l| l.0)
}

/// Geometry shared by the SPS and the slices.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Geometry {
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    pub level_idc: u8,
}

impl Geometry {
    pub(crate) fn width_mbs(&self) -> u32 {
        self.width.div_ceil(16)
    }
    pub(crate) fn height_mbs(&self) -> u32 {
        self.height.div_ceil(16)
    }
    pub(crate) fn mbs(&self) -> u32 {
        self.width_mbs() * self.height_mbs()
    }
}

/// profile_idc 77: Main, as the camera reports it (the SPS syntax is Baseline's).
pub(crate) const PROFILE_IDC: u8 = 77;
pub(crate) const CONSTRAINT_FLAGS: u8 = 0x00;

/// Sequence parameter set NAL unit (header included, escaped).
pub(crate) fn sps(g: &Geometry) -> Vec<u8> {
    let mut w = BitWriter::default();
    w.u(8, PROFILE_IDC.into());
    w.u(8, CONSTRAINT_FLAGS.into());
    w.u(8, g.level_idc.into());
    w.ue(0); // seq_parameter_set_id
    w.ue(LOG2_MAX_FRAME_NUM - 4);
    w.ue(2); // pic_order_cnt_type: order follows frame_num, no B frames
    w.ue(1); // max_num_ref_frames
    w.u(1, 0); // gaps_in_frame_num_value_allowed_flag
    w.ue(g.width_mbs() - 1);
    w.ue(g.height_mbs() - 1);
    w.u(1, 1); // frame_mbs_only_flag
    w.u(1, 1); // direct_8x8_inference_flag
    let crop_right = (g.width_mbs() * 16 - g.width) / 2;
    let crop_bottom = (g.height_mbs() * 16 - g.height) / 2;
    if crop_right > 0 || crop_bottom > 0 {
        w.u(1, 1);
        w.ue(0);
        w.ue(crop_right);
        w.ue(0);
        w.ue(crop_bottom);
    } else {
        w.u(1, 0);
    }
    w.u(1, 1); // vui_parameters_present_flag
    w.u(1, 0); // aspect_ratio_info_present_flag
    w.u(1, 0); // overscan_info_present_flag
    w.u(1, 0); // video_signal_type_present_flag
    w.u(1, 0); // chroma_loc_info_present_flag
    w.u(1, 1); // timing_info_present_flag
    w.u(32, 1); // num_units_in_tick
    w.u(32, 2 * u64::from(g.fps)); // time_scale: two ticks per frame
    w.u(1, 1); // fixed_frame_rate_flag
    w.u(1, 0); // nal_hrd_parameters_present_flag
    w.u(1, 0); // vcl_hrd_parameters_present_flag
    w.u(1, 0); // pic_struct_present_flag
    w.u(1, 1); // bitstream_restriction_flag
    w.u(1, 1); // motion_vectors_over_pic_boundaries_flag
    w.ue(0); // max_bytes_per_pic_denom: no limit
    w.ue(0); // max_bits_per_mb_denom: no limit
    w.ue(15); // log2_max_mv_length_horizontal
    w.ue(15); // log2_max_mv_length_vertical
    w.ue(0); // max_num_reorder_frames: output order is decode order
    w.ue(1); // max_dec_frame_buffering
    nal(3, nal_type::SPS, &w.finish())
}

/// Picture parameter set NAL unit (header included, escaped).
pub(crate) fn pps() -> Vec<u8> {
    let mut w = BitWriter::default();
    w.ue(0); // pic_parameter_set_id
    w.ue(0); // seq_parameter_set_id
    w.u(1, 0); // entropy_coding_mode_flag: CAVLC
    w.u(1, 0); // bottom_field_pic_order_in_frame_present_flag
    w.ue(0); // num_slice_groups_minus1
    w.ue(0); // num_ref_idx_l0_default_active_minus1
    w.ue(0); // num_ref_idx_l1_default_active_minus1
    w.u(1, 0); // weighted_pred_flag
    w.u(2, 0); // weighted_bipred_idc
    w.se(0); // pic_init_qp_minus26
    w.se(0); // pic_init_qs_minus26
    w.se(0); // chroma_qp_index_offset
    w.u(1, 1); // deblocking_filter_control_present_flag
    w.u(1, 0); // constrained_intra_pred_flag
    w.u(1, 0); // redundant_pic_cnt_present_flag
    nal(3, nal_type::PPS, &w.finish())
}

/// IDR slice: every macroblock `I_16x16` DC-predicted with no residual (a grey picture).
pub(crate) fn idr_slice(g: &Geometry, idr_pic_id: u32) -> Vec<u8> {
    let mut w = BitWriter::default();
    w.ue(0); // first_mb_in_slice
    w.ue(7); // slice_type: I, and all slices of the picture are I
    w.ue(0); // pic_parameter_set_id
    w.u(LOG2_MAX_FRAME_NUM, 0); // frame_num
    w.ue(idr_pic_id);
    w.u(1, 0); // no_output_of_prior_pics_flag
    w.u(1, 0); // long_term_reference_flag
    w.se(0); // slice_qp_delta
    w.ue(1); // disable_deblocking_filter_idc: off, nothing to filter
    for _ in 0..g.mbs() {
        // mb_type ue(3) = I_16x16_2_0_0 (DC prediction, no coded block pattern) "00100",
        // intra_chroma_pred_mode ue(0) = DC "1", mb_qp_delta se(0) "1",
        // Intra16x16DCLevel coeff_token for nC 0..2 and no coefficients "1".
        w.u(8, 0x27);
    }
    nal(3, nal_type::IDR, &w.finish())
}

/// P slice: one `mb_skip_run` over the whole picture, so every macroblock repeats the reference.
pub(crate) fn p_slice(g: &Geometry, frame_num: u32) -> Vec<u8> {
    let mut w = BitWriter::default();
    w.ue(0); // first_mb_in_slice
    w.ue(5); // slice_type: P, and all slices of the picture are P
    w.ue(0); // pic_parameter_set_id
    w.u(
        LOG2_MAX_FRAME_NUM,
        u64::from(frame_num % (1 << LOG2_MAX_FRAME_NUM)),
    );
    w.u(1, 0); // num_ref_idx_active_override_flag
    w.u(1, 0); // ref_pic_list_modification_flag_l0
    w.u(1, 0); // adaptive_ref_pic_marking_mode_flag: sliding window
    w.se(0); // slice_qp_delta
    w.ue(1); // disable_deblocking_filter_idc
    w.ue(g.mbs()); // mb_skip_run: every macroblock is P_Skip
    nal(2, nal_type::SLICE, &w.finish())
}

/// A filler-data NAL unit of exactly `len` bytes (header, 0xFF bytes, stop bit); `len` ≥ 2.
pub(crate) fn filler(len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    out.push(nal_type::FILLER);
    out.resize(len.saturating_sub(1).max(1), 0xFF);
    out.push(0x80);
    out
}

/// Standard base64 with padding (RFC 4648 §4), as `sprop-parameter-sets` needs.
pub(crate) fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A bit reader for the H.264 and H.265 tests, which read back what the writers wrote.
#[cfg(test)]
pub(crate) mod test_bits {
    /// Minimal Exp-Golomb reader.
    pub(crate) struct BitReader<'a> {
        pub(crate) data: &'a [u8],
        pub(crate) pos: usize,
    }

    impl BitReader<'_> {
        /// The next `bits` bits, most significant first.
        pub(crate) fn u(&mut self, bits: u32) -> u64 {
            let mut v = 0;
            for _ in 0..bits {
                let bit = (self.data[self.pos / 8] >> (7 - self.pos % 8)) & 1;
                v = (v << 1) | u64::from(bit);
                self.pos += 1;
            }
            v
        }

        /// An unsigned Exp-Golomb value.
        pub(crate) fn ue(&mut self) -> u32 {
            let mut zeros = 0;
            while self.u(1) == 0 {
                zeros += 1;
            }
            ((1u64 << zeros) - 1 + self.u(zeros)) as u32
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::test_bits::BitReader;

    #[test]
    fn exp_golomb_round_trip() {
        let mut w = BitWriter::default();
        for v in [0, 1, 2, 3, 7, 255, 920, 65_535] {
            w.ue(v);
        }
        w.se(-3);
        w.se(4);
        let bytes = w.finish();
        let mut r = BitReader {
            data: &bytes,
            pos: 0,
        };
        for v in [0, 1, 2, 3, 7, 255, 920, 65_535] {
            assert_eq!(r.ue(), v);
        }
        assert_eq!(r.ue(), 6); // se(-3) maps to 6
        assert_eq!(r.ue(), 7); // se(4) maps to 7
        assert_eq!(r.u(1), 1, "stop bit");
    }

    #[test]
    fn sps_fields_read_back() {
        let g = Geometry {
            width: 640,
            height: 360,
            fps: 15,
            level_idc: 30,
        };
        let sps = sps(&g);
        assert_eq!(sps[0], 0x67);
        let rbsp = unescape_rbsp(&sps[1..]);
        let mut r = BitReader {
            data: &rbsp,
            pos: 0,
        };
        assert_eq!(r.u(8), 77);
        assert_eq!(r.u(8), 0x00);
        assert_eq!(r.u(8), 30);
        assert_eq!(r.ue(), 0);
        assert_eq!(r.ue(), 4);
        assert_eq!(r.ue(), 2);
        assert_eq!(r.ue(), 1);
        assert_eq!(r.u(1), 0);
        assert_eq!(r.ue(), 39, "640 / 16 - 1");
        assert_eq!(r.ue(), 22, "ceil(360 / 16) - 1");
        assert_eq!(r.u(2), 0b11);
        assert_eq!(r.u(1), 1, "cropping");
        assert_eq!([r.ue(), r.ue(), r.ue(), r.ue()], [0, 0, 0, 4]);
    }

    #[test]
    fn escaping_round_trips_and_removes_start_codes() {
        let raw = [0, 0, 0, 0, 0, 1, 0, 0, 2, 0, 0, 3, 7, 0, 0];
        let mut esc = Vec::new();
        escape_rbsp(&raw, &mut esc);
        for w in esc.windows(3) {
            assert!(!(w[0] == 0 && w[1] == 0 && w[2] <= 2), "{esc:?}");
        }
        assert_eq!(unescape_rbsp(&esc), raw);
    }

    #[test]
    fn idr_macroblocks_are_one_byte_each() {
        let g = Geometry {
            width: 1280,
            height: 720,
            fps: 25,
            level_idc: 31,
        };
        let idr = idr_slice(&g, 0);
        assert!(idr.len() > 3600 && idr.len() < 3600 + 16, "{}", idr.len());
        assert!(p_slice(&g, 1).len() < 16);
    }

    #[test]
    fn levels_follow_table_a1() {
        assert_eq!(level_idc(920, 15, 1_000_000), 22); // 640x360
        assert_eq!(level_idc(920, 25, 1_000_000), 30);
        assert_eq!(level_idc(3600, 25, 4_000_000), 31); // 1280x720
        assert_eq!(level_idc(8160, 25, 4_000_000), 40); // 1920x1080
        assert_eq!(level_idc(8160, 30, 30_000_000), 41);
        assert_eq!(level_idc(1_000_000, 60, 1), 52);
    }

    #[test]
    fn base64_matches_rfc4648_vectors() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(&[0xFB, 0xFF]), "+/8=");
    }

    #[test]
    fn filler_has_exact_length() {
        for len in [2, 3, 100] {
            let f = filler(len);
            assert_eq!(f.len(), len);
            assert_eq!(f[0], 12);
            assert_eq!(f[len - 1], 0x80);
        }
    }
}
