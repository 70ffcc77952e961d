//! H.265 syntax writer: just enough of ITU-T H.265 to emit a decodable Main-profile stream with
//! no encoder.
//!
//! Why it exists: the issue asks for H.265 cameras as well as H.264 ones, and for the same reason
//! as the H.264 writer (`super::h264`) we write the bitstream ourselves instead of encoding live.
//! H.265 has no CAVLC, so the slice data is CABAC coded; every picture is flat grey, which keeps
//! the CABAC part down to a few bins per coding tree unit:
//!
//! - the SPS uses 16x16 coding tree blocks that are also the smallest coding blocks, so no
//!   `split_cu_flag` is ever coded, with a conformance window cropping the picture back to sizes
//!   that are not multiples of 16; SAO, PCM, AMP, temporal motion vector prediction and the
//!   deblocking filter are off; one short-term reference picture set (the previous picture) lets
//!   P slices name their reference without slice-level syntax; VUI timing gives the frame rate;
//! - an IDR slice codes every CU as intra 2Nx2N, first most probable mode (planar), chroma as
//!   luma, all coded block flags zero: with no neighbours or only grey ones the prediction is
//!   mid-grey, 128;
//! - a P slice codes every CU as skipped with the only merge candidate, a zero motion vector
//!   into the previous picture, so each picture repeats the last one.
//!
//! The sizes a real camera would send are reached with filler-data NAL units (see `super`).

use super::h264::{BitWriter, escape_rbsp};

/// NAL unit types used here (H.265 Table 7-1).
pub(crate) mod nal_type {
    /// Coded slice of a trailing picture that others may reference.
    pub const TRAIL_R: u8 = 1;
    /// Coded slice of an IDR picture that may have RADL pictures (we send none).
    pub const IDR_W_RADL: u8 = 19;
    /// Video parameter set.
    pub const VPS: u8 = 32;
    /// Sequence parameter set.
    pub const SPS: u8 = 33;
    /// Picture parameter set.
    pub const PPS: u8 = 34;
    /// Filler data.
    pub const FD: u8 = 38;
    /// Supplemental enhancement information placed before the slices.
    pub const PREFIX_SEI: u8 = 39;
}

/// `log2_max_pic_order_cnt_lsb_minus4 + 4` in our SPS: POC LSBs count modulo 256.
pub(crate) const LOG2_MAX_POC_LSB: u32 = 8;

/// Side of a coding tree block, which is also the only coding block size.
const CTB_SIZE: u32 = 16;

/// general_profile_idc 1: Main.
pub(crate) const PROFILE_IDC: u8 = 1;

/// The 2-byte NAL unit header: forbidden bit 0, type, nuh_layer_id 0, nuh_temporal_id_plus1 1.
pub(crate) fn nal_header(nal_unit_type: u8) -> [u8; 2] {
    [nal_unit_type << 1, 1]
}

/// The NAL unit type of an H.265 NAL unit (header included).
pub(crate) fn type_of(nal: &[u8]) -> Option<u8> {
    nal.first().map(|b| (b >> 1) & 0x3F)
}

/// A NAL unit: 2-byte header, then the escaped RBSP.
pub(crate) fn nal(nal_unit_type: u8, rbsp: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(rbsp.len() + rbsp.len() / 64 + 2);
    out.extend_from_slice(&nal_header(nal_unit_type));
    escape_rbsp(rbsp, &mut out);
    out
}

/// Level limits (H.265 Table A.8, Main tier): general_level_idc, MaxLumaPs, MaxLumaSr, MaxBR
/// (kbit/s).
const LEVELS: [(u8, u64, u64, u64); 13] = [
    (30, 36_864, 552_960, 128),
    (60, 122_880, 3_686_400, 1_500),
    (63, 245_760, 7_372_800, 3_000),
    (90, 552_960, 16_588_800, 6_000),
    (93, 983_040, 33_177_600, 10_000),
    (120, 2_228_224, 66_846_720, 12_000),
    (123, 2_228_224, 133_693_440, 20_000),
    (150, 8_912_896, 267_386_880, 25_000),
    (153, 8_912_896, 534_773_760, 40_000),
    (156, 8_912_896, 1_069_547_520, 60_000),
    (180, 35_651_584, 1_069_547_520, 60_000),
    (183, 35_651_584, 2_139_095_040, 120_000),
    (186, 35_651_584, 4_278_190_080, 240_000),
];

/// Geometry shared by the parameter sets and the slices.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Geometry {
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    pub level_idc: u8,
}

impl Geometry {
    pub(crate) fn new(width: u32, height: u32, fps: u32, bitrate_bps: u64) -> Self {
        let mut g = Geometry {
            width,
            height,
            fps,
            level_idc: 0,
        };
        g.level_idc = g.level(bitrate_bps);
        g
    }

    fn width_ctbs(&self) -> u32 {
        self.width.div_ceil(CTB_SIZE)
    }
    fn height_ctbs(&self) -> u32 {
        self.height.div_ceil(CTB_SIZE)
    }
    /// Coded (uncropped) width: a whole number of coding blocks, as the SPS requires.
    fn coded_width(&self) -> u32 {
        self.width_ctbs() * CTB_SIZE
    }
    fn coded_height(&self) -> u32 {
        self.height_ctbs() * CTB_SIZE
    }

    /// The smallest level whose picture size, sample rate, side length and bitrate limits hold
    /// the stream; the highest level (6.2) when none does, since decoders treat it as a hint.
    fn level(&self, bitrate_bps: u64) -> u8 {
        let ps = u64::from(self.coded_width()) * u64::from(self.coded_height());
        let side = u64::from(self.coded_width().max(self.coded_height()));
        LEVELS
            .iter()
            .find(|(_, max_ps, max_sr, max_br)| {
                ps <= *max_ps
                    && side * side <= 8 * max_ps
                    && ps * u64::from(self.fps) <= *max_sr
                    && bitrate_bps <= max_br * 1000
            })
            .map_or(186, |l| l.0)
    }
}

/// profile_tier_level(1, 0): Main profile (compatible with Main 10), Main tier, progressive
/// frames only.
fn profile_tier_level(w: &mut BitWriter, level_idc: u8) {
    w.u(2, 0); // general_profile_space
    w.u(1, 0); // general_tier_flag: Main tier
    w.u(5, PROFILE_IDC.into());
    w.u(32, 0x6000_0000); // general_profile_compatibility_flag[1] (Main) and [2] (Main 10)
    w.u(1, 1); // general_progressive_source_flag
    w.u(1, 0); // general_interlaced_source_flag
    w.u(1, 0); // general_non_packed_constraint_flag
    w.u(1, 1); // general_frame_only_constraint_flag
    w.u(43, 0); // general_reserved_zero_43bits
    w.u(1, 0); // general_reserved_zero_bit
    w.u(8, level_idc.into());
}

/// Video parameter set NAL unit (header included, escaped).
pub(crate) fn vps(g: &Geometry) -> Vec<u8> {
    let mut w = BitWriter::default();
    w.u(4, 0); // vps_video_parameter_set_id
    w.u(1, 1); // vps_base_layer_internal_flag
    w.u(1, 1); // vps_base_layer_available_flag
    w.u(6, 0); // vps_max_layers_minus1
    w.u(3, 0); // vps_max_sub_layers_minus1
    w.u(1, 1); // vps_temporal_id_nesting_flag
    w.u(16, 0xFFFF); // vps_reserved_0xffff_16bits
    profile_tier_level(&mut w, g.level_idc);
    w.u(1, 1); // vps_sub_layer_ordering_info_present_flag
    w.ue(1); // vps_max_dec_pic_buffering_minus1: the reference and the current picture
    w.ue(0); // vps_max_num_reorder_pics
    w.ue(0); // vps_max_latency_increase_plus1
    w.u(6, 0); // vps_max_layer_id
    w.ue(0); // vps_num_layer_sets_minus1
    w.u(1, 0); // vps_timing_info_present_flag: the SPS VUI carries timing
    w.u(1, 0); // vps_extension_flag
    nal(nal_type::VPS, &w.finish())
}

/// Sequence parameter set NAL unit (header included, escaped).
pub(crate) fn sps(g: &Geometry) -> Vec<u8> {
    let mut w = BitWriter::default();
    w.u(4, 0); // sps_video_parameter_set_id
    w.u(3, 0); // sps_max_sub_layers_minus1
    w.u(1, 1); // sps_temporal_id_nesting_flag
    profile_tier_level(&mut w, g.level_idc);
    w.ue(0); // sps_seq_parameter_set_id
    w.ue(1); // chroma_format_idc: 4:2:0
    w.ue(g.coded_width()); // pic_width_in_luma_samples
    w.ue(g.coded_height()); // pic_height_in_luma_samples
    // Offsets count chroma samples (SubWidthC = SubHeightC = 2 in 4:2:0).
    let crop_right = (g.coded_width() - g.width) / 2;
    let crop_bottom = (g.coded_height() - g.height) / 2;
    if crop_right > 0 || crop_bottom > 0 {
        w.u(1, 1); // conformance_window_flag
        w.ue(0);
        w.ue(crop_right);
        w.ue(0);
        w.ue(crop_bottom);
    } else {
        w.u(1, 0);
    }
    w.ue(0); // bit_depth_luma_minus8
    w.ue(0); // bit_depth_chroma_minus8
    w.ue(LOG2_MAX_POC_LSB - 4);
    w.u(1, 1); // sps_sub_layer_ordering_info_present_flag
    w.ue(1); // sps_max_dec_pic_buffering_minus1
    w.ue(0); // sps_max_num_reorder_pics: output order is decoding order
    w.ue(0); // sps_max_latency_increase_plus1
    w.ue(1); // log2_min_luma_coding_block_size_minus3: 16x16
    w.ue(0); // log2_diff_max_min_luma_coding_block_size: CTB = smallest CB, never split
    w.ue(0); // log2_min_luma_transform_block_size_minus2: 4x4
    w.ue(2); // log2_diff_max_min_luma_transform_block_size: 16x16, one TU per CU
    w.ue(0); // max_transform_hierarchy_depth_inter
    w.ue(0); // max_transform_hierarchy_depth_intra
    w.u(1, 0); // scaling_list_enabled_flag
    w.u(1, 0); // amp_enabled_flag
    w.u(1, 0); // sample_adaptive_offset_enabled_flag
    w.u(1, 0); // pcm_enabled_flag
    w.ue(1); // num_short_term_ref_pic_sets
    // st_ref_pic_set(0): the previous picture, used by the current one.
    w.ue(1); // num_negative_pics
    w.ue(0); // num_positive_pics
    w.ue(0); // delta_poc_s0_minus1
    w.u(1, 1); // used_by_curr_pic_s0_flag
    w.u(1, 0); // long_term_ref_pics_present_flag
    w.u(1, 0); // sps_temporal_mvp_enabled_flag
    w.u(1, 0); // strong_intra_smoothing_enabled_flag
    w.u(1, 1); // vui_parameters_present_flag
    w.u(1, 0); // aspect_ratio_info_present_flag
    w.u(1, 0); // overscan_info_present_flag
    w.u(1, 0); // video_signal_type_present_flag
    w.u(1, 0); // chroma_loc_info_present_flag
    w.u(1, 0); // neutral_chroma_indication_flag
    w.u(1, 0); // field_seq_flag
    w.u(1, 0); // frame_field_info_present_flag
    w.u(1, 0); // default_display_window_flag
    w.u(1, 1); // vui_timing_info_present_flag
    w.u(32, 1); // vui_num_units_in_tick
    w.u(32, u64::from(g.fps)); // vui_time_scale: one tick per frame
    w.u(1, 0); // vui_poc_proportional_to_timing_flag
    w.u(1, 0); // vui_hrd_parameters_present_flag
    w.u(1, 0); // bitstream_restriction_flag
    w.u(1, 0); // sps_extension_present_flag
    nal(nal_type::SPS, &w.finish())
}

/// Picture parameter set NAL unit (header included, escaped).
pub(crate) fn pps() -> Vec<u8> {
    let mut w = BitWriter::default();
    w.ue(0); // pps_pic_parameter_set_id
    w.ue(0); // pps_seq_parameter_set_id
    w.u(1, 0); // dependent_slice_segments_enabled_flag
    w.u(1, 0); // output_flag_present_flag
    w.u(3, 0); // num_extra_slice_header_bits
    w.u(1, 0); // sign_data_hiding_enabled_flag
    w.u(1, 0); // cabac_init_present_flag
    w.ue(0); // num_ref_idx_l0_default_active_minus1
    w.ue(0); // num_ref_idx_l1_default_active_minus1
    w.se(0); // init_qp_minus26
    w.u(1, 0); // constrained_intra_pred_flag
    w.u(1, 0); // transform_skip_enabled_flag
    w.u(1, 0); // cu_qp_delta_enabled_flag
    w.se(0); // pps_cb_qp_offset
    w.se(0); // pps_cr_qp_offset
    w.u(1, 0); // pps_slice_chroma_qp_offsets_present_flag
    w.u(1, 0); // weighted_pred_flag
    w.u(1, 0); // weighted_bipred_flag
    w.u(1, 0); // transquant_bypass_enabled_flag
    w.u(1, 0); // tiles_enabled_flag
    w.u(1, 0); // entropy_coding_sync_enabled_flag
    w.u(1, 0); // pps_loop_filter_across_slices_enabled_flag
    w.u(1, 1); // deblocking_filter_control_present_flag
    w.u(1, 0); // deblocking_filter_override_enabled_flag
    w.u(1, 1); // pps_deblocking_filter_disabled_flag: nothing to filter in a flat picture
    w.u(1, 0); // pps_scaling_list_data_present_flag
    w.u(1, 0); // lists_modification_present_flag
    w.ue(0); // log2_parallel_merge_level_minus2
    w.u(1, 0); // slice_segment_header_extension_present_flag
    w.u(1, 0); // pps_extension_present_flag
    nal(nal_type::PPS, &w.finish())
}

/// byte_alignment() at the end of a slice segment header: a one bit, then zero bits.
fn byte_alignment(w: &mut BitWriter) {
    w.u(1, 1);
    while !w.is_byte_aligned() {
        w.u(1, 0);
    }
}

/// The IDR slice: one slice of intra CUs predicting mid-grey with no residual.
pub(crate) fn idr_slice(g: &Geometry) -> Vec<u8> {
    let mut w = BitWriter::default();
    w.u(1, 1); // first_slice_segment_in_pic_flag
    w.u(1, 0); // no_output_of_prior_pics_flag
    w.ue(0); // slice_pic_parameter_set_id
    w.ue(2); // slice_type: I
    w.se(0); // slice_qp_delta
    byte_alignment(&mut w);
    // Context initial values for initType 0 (H.265 Tables 9-11, 9-18, 9-19, 9-22, 9-23).
    let mut part_mode = Context::new(184);
    let mut prev_intra_luma_pred = Context::new(184);
    let mut intra_chroma_pred_mode = Context::new(63);
    // cbf_cb and cbf_cr share contexts; ctxInc is trafoDepth, 0 here.
    let mut cbf_chroma = Context::new(94);
    // cbf_luma ctxInc is 1 at trafoDepth 0.
    let mut cbf_luma = Context::new(141);
    let ctus = g.width_ctbs() * g.height_ctbs();
    let mut cabac = Cabac::new(w);
    for ctu in 0..ctus {
        cabac.decision(&mut part_mode, 1); // PART_2Nx2N
        cabac.decision(&mut prev_intra_luma_pred, 1);
        cabac.bypass(0); // mpm_idx 0
        cabac.decision(&mut intra_chroma_pred_mode, 0); // 4: as luma
        // The transform tree is one 16x16 unit (no split_transform_flag at depth limit 0).
        cabac.decision(&mut cbf_chroma, 0); // cbf_cb
        cabac.decision(&mut cbf_chroma, 0); // cbf_cr
        cabac.decision(&mut cbf_luma, 0);
        cabac.terminate(ctu + 1 == ctus); // end_of_slice_segment_flag
    }
    nal(nal_type::IDR_W_RADL, &cabac.finish())
}

/// A P slice with picture order count LSBs `poc_lsb`: every CU skipped, copying the previous
/// picture.
pub(crate) fn p_slice(g: &Geometry, poc_lsb: u32) -> Vec<u8> {
    let mut w = BitWriter::default();
    w.u(1, 1); // first_slice_segment_in_pic_flag
    w.ue(0); // slice_pic_parameter_set_id
    w.ue(1); // slice_type: P
    w.u(
        LOG2_MAX_POC_LSB,
        u64::from(poc_lsb % (1 << LOG2_MAX_POC_LSB)),
    );
    w.u(1, 1); // short_term_ref_pic_set_sps_flag: the SPS's only set
    w.u(1, 0); // num_ref_idx_active_override_flag
    w.ue(4); // five_minus_max_num_merge_cand: one candidate, so no merge_idx
    w.se(0); // slice_qp_delta
    byte_alignment(&mut w);
    // cu_skip_flag initial values for initType 1 (H.265 Table 9-12); ctxInc counts skipped
    // left and above neighbours, and every available neighbour is skipped.
    let mut cu_skip = [Context::new(197), Context::new(185), Context::new(201)];
    let mut cabac = Cabac::new(w);
    let (cols, rows) = (g.width_ctbs(), g.height_ctbs());
    for y in 0..rows {
        for x in 0..cols {
            let ctx_inc = usize::from(x > 0) + usize::from(y > 0);
            cabac.decision(&mut cu_skip[ctx_inc], 1);
            cabac.terminate(x + 1 == cols && y + 1 == rows);
        }
    }
    nal(nal_type::TRAIL_R, &cabac.finish())
}

/// A filler-data NAL unit of exactly `len` bytes (header, 0xFF bytes, stop bit); `len` ≥ 3.
pub(crate) fn filler(len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    out.extend_from_slice(&nal_header(nal_type::FD));
    out.resize(len.saturating_sub(1).max(2), 0xFF);
    out.push(0x80);
    out
}

/// H.265 Table 9-52, `rangeTabLps[pStateIdx][qRangeIdx]` (the same table as H.264's).
#[rustfmt::skip]
const RANGE_TAB_LPS: [[u8; 4]; 64] = [
    [128, 176, 208, 240], [128, 167, 197, 227], [128, 158, 187, 216], [123, 150, 178, 205],
    [116, 142, 169, 195], [111, 135, 160, 185], [105, 128, 152, 175], [100, 122, 144, 166],
    [95, 116, 137, 158], [90, 110, 130, 150], [85, 104, 123, 142], [81, 99, 117, 135],
    [77, 94, 111, 128], [73, 89, 105, 122], [69, 85, 100, 116], [66, 80, 95, 110],
    [62, 76, 90, 104], [59, 72, 86, 99], [56, 69, 81, 94], [53, 65, 77, 89],
    [51, 62, 73, 85], [48, 59, 69, 80], [46, 56, 66, 76], [43, 53, 63, 72],
    [41, 50, 59, 69], [39, 48, 56, 65], [37, 45, 54, 62], [35, 43, 51, 59],
    [33, 41, 48, 56], [32, 39, 46, 53], [30, 37, 43, 50], [29, 35, 41, 48],
    [27, 33, 39, 45], [26, 31, 37, 43], [24, 30, 35, 41], [23, 28, 33, 39],
    [22, 27, 32, 37], [21, 26, 30, 35], [20, 24, 29, 33], [19, 23, 27, 31],
    [18, 22, 26, 30], [17, 21, 25, 28], [16, 20, 23, 27], [15, 19, 22, 25],
    [14, 18, 21, 24], [14, 17, 20, 23], [13, 16, 19, 22], [12, 15, 18, 21],
    [12, 14, 17, 20], [11, 14, 16, 19], [11, 13, 15, 18], [10, 12, 15, 17],
    [10, 12, 14, 16], [9, 11, 13, 15], [9, 11, 12, 14], [8, 10, 12, 14],
    [8, 9, 11, 13], [7, 9, 11, 12], [7, 9, 10, 12], [7, 8, 10, 11],
    [6, 8, 9, 11], [6, 7, 9, 10], [6, 7, 8, 9], [2, 2, 2, 2],
];

/// H.265 Table 9-53, `transIdxLps[pStateIdx]`: the state after a least probable symbol.
#[rustfmt::skip]
const TRANS_IDX_LPS: [u8; 64] = [
    0, 0, 1, 2, 2, 4, 4, 5, 6, 7, 8, 9, 9, 11, 11, 12,
    13, 13, 15, 15, 16, 16, 18, 18, 19, 19, 21, 21, 22, 22, 23, 24,
    24, 25, 26, 26, 27, 27, 28, 29, 29, 30, 30, 30, 31, 32, 32, 33,
    33, 33, 34, 34, 35, 35, 35, 36, 36, 36, 37, 37, 37, 38, 38, 63,
];

/// Slice QP of every slice (26 + init_qp_minus26 + slice_qp_delta), which context
/// initialisation depends on.
const SLICE_QP: i32 = 26;

/// One CABAC context variable: probability state and most probable symbol.
#[derive(Debug, Clone, Copy)]
struct Context {
    state: u8,
    mps: u8,
}

impl Context {
    /// Initialisation from an initValue at [`SLICE_QP`] (H.265 9.3.2.2).
    fn new(init_value: u8) -> Self {
        let slope = i32::from(init_value >> 4);
        let offset = i32::from(init_value & 15);
        let m = slope * 5 - 45;
        let n = (offset << 3) - 16;
        let pre = (((m * SLICE_QP) >> 4) + n).clamp(1, 126);
        let (state, mps) = if pre <= 63 {
            (63 - pre, 0)
        } else {
            (pre - 64, 1)
        };
        Context {
            state: u8::try_from(state).unwrap_or(0),
            mps,
        }
    }
}

/// The CABAC arithmetic encoder (H.265 9.3.4.x encoding flow), writing after a slice header.
struct Cabac {
    w: BitWriter,
    low: u32,
    range: u32,
    first_bit: bool,
    outstanding: u32,
}

impl Cabac {
    fn new(w: BitWriter) -> Self {
        Cabac {
            w,
            low: 0,
            range: 510,
            first_bit: true,
            outstanding: 0,
        }
    }

    fn put_bit(&mut self, bit: u32) {
        // The first bit out of the register is always 0 and is not part of the stream.
        if self.first_bit {
            self.first_bit = false;
        } else {
            self.w.u(1, bit.into());
        }
        while self.outstanding > 0 {
            self.w.u(1, (1 - bit).into());
            self.outstanding -= 1;
        }
    }

    fn renormalize(&mut self) {
        while self.range < 256 {
            if self.low < 256 {
                self.put_bit(0);
            } else if self.low >= 512 {
                self.low -= 512;
                self.put_bit(1);
            } else {
                self.low -= 256;
                self.outstanding += 1;
            }
            self.range <<= 1;
            self.low <<= 1;
        }
    }

    /// Encodes one context-coded bin.
    fn decision(&mut self, ctx: &mut Context, bin: u8) {
        let q = ((self.range >> 6) & 3) as usize;
        let lps = u32::from(RANGE_TAB_LPS[usize::from(ctx.state)][q]);
        self.range -= lps;
        if bin == ctx.mps {
            ctx.state = (ctx.state + 1).min(62);
        } else {
            self.low += self.range;
            self.range = lps;
            if ctx.state == 0 {
                ctx.mps = 1 - ctx.mps;
            }
            ctx.state = TRANS_IDX_LPS[usize::from(ctx.state)];
        }
        self.renormalize();
    }

    /// Encodes one equiprobable bin.
    fn bypass(&mut self, bin: u8) {
        self.low <<= 1;
        if bin != 0 {
            self.low += self.range;
        }
        if self.low >= 1024 {
            self.put_bit(1);
            self.low -= 1024;
        } else if self.low < 512 {
            self.put_bit(0);
        } else {
            self.low -= 512;
            self.outstanding += 1;
        }
    }

    /// Encodes `end_of_slice_segment_flag`; a one flushes the encoder.
    fn terminate(&mut self, end: bool) {
        self.range -= 2;
        if end {
            self.low += self.range;
            self.range = 2;
            self.renormalize();
            self.put_bit((self.low >> 9) & 1);
            // The flush ends with bit 8 of low and a one bit; that one bit is the
            // rbsp_stop_one_bit, which `finish` writes with the alignment.
            self.w.u(1, u64::from((self.low >> 8) & 1));
        } else {
            self.renormalize();
        }
    }

    /// rbsp_slice_segment_trailing_bits() after the terminating bin: the RBSP.
    fn finish(self) -> Vec<u8> {
        self.w.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::super::h264::unescape_rbsp;
    use super::*;

    use super::super::h264::test_bits::BitReader;

    fn g360() -> Geometry {
        Geometry::new(640, 360, 15, 1_000_000)
    }

    #[test]
    fn nal_headers_carry_type_layer_zero_and_temporal_id_zero() {
        assert_eq!(vps(&g360())[..2], [0x40, 0x01]);
        assert_eq!(sps(&g360())[..2], [0x42, 0x01]);
        assert_eq!(pps()[..2], [0x44, 0x01]);
        assert_eq!(idr_slice(&g360())[..2], [0x26, 0x01]);
        assert_eq!(p_slice(&g360(), 1)[..2], [0x02, 0x01]);
        assert_eq!(filler(3), [0x4C, 0x01, 0x80]);
        assert_eq!(type_of(&nal_header(nal_type::PREFIX_SEI)), Some(39));
    }

    #[test]
    fn sps_fields_read_back() {
        let g = g360();
        assert_eq!(g.level_idc, 63, "level 2.1");
        let sps = sps(&g);
        let rbsp = unescape_rbsp(&sps[2..]);
        let mut r = BitReader {
            data: &rbsp,
            pos: 0,
        };
        assert_eq!(r.u(4), 0);
        assert_eq!(r.u(3), 0);
        assert_eq!(r.u(1), 1);
        assert_eq!(r.u(2 + 1 + 5), 1, "Main profile");
        r.u(32 + 4 + 43 + 1);
        assert_eq!(r.u(8), 63);
        assert_eq!(r.ue(), 0);
        assert_eq!(r.ue(), 1, "4:2:0");
        assert_eq!(r.ue(), 640);
        assert_eq!(r.ue(), 368, "coded height: 23 CTBs of 16");
        assert_eq!(r.u(1), 1, "conformance window");
        assert_eq!(
            [r.ue(), r.ue(), r.ue(), r.ue()],
            [0, 0, 0, 4],
            "8 rows cropped"
        );
    }

    #[test]
    fn filler_has_exact_length() {
        for len in [3, 4, 100] {
            let f = filler(len);
            assert_eq!(f.len(), len);
            assert_eq!(f[..2], [0x4C, 0x01]);
            assert_eq!(f[len - 1], 0x80);
        }
    }

    #[test]
    fn slices_stay_tiny_at_any_size() {
        let g = Geometry::new(1920, 1080, 30, 4_000_000);
        // 8,160 CTUs: one bit each for the bypass-coded mpm_idx, under one bit for the rest
        // (1,823 bytes measured).
        let idr = idr_slice(&g);
        assert!(idr.len() < 8_160 * 2 / 8, "{}", idr.len());
        assert!(p_slice(&g, 7).len() < 100);
    }

    #[test]
    fn context_initialisation_follows_9_3_2_2() {
        // initValue 154 is the equiprobable value at any QP.
        let c = Context::new(154);
        assert_eq!((c.state, c.mps), (0, 1));
        // 63: m = -30, n = 104, preCtxState = floor(-780 / 16) + 104 = 55.
        let c = Context::new(63);
        assert_eq!((c.state, c.mps), (8, 0));
    }

    #[test]
    fn levels_follow_table_a8() {
        assert_eq!(Geometry::new(640, 360, 15, 1_000_000).level_idc, 63);
        assert_eq!(Geometry::new(640, 360, 15, 4_000_000).level_idc, 90);
        assert_eq!(Geometry::new(1280, 720, 25, 4_000_000).level_idc, 93);
        assert_eq!(Geometry::new(1920, 1080, 30, 4_000_000).level_idc, 120);
        assert_eq!(Geometry::new(1920, 1080, 60, 4_000_000).level_idc, 123);
        assert_eq!(Geometry::new(8192, 8192, 240, 1).level_idc, 186);
    }
}
