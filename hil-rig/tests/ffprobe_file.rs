//! ffmpeg, a decoder nobody on the team wrote, reads the generated H.264 and H.265 as real
//! streams.
//!
//! Scope: the Annex B output of `video::H264Generator` and `video::H265Generator` written to a
//! file; codec, size, frame rate, frame count and an error-free decode (for H.265 also the
//! decoded samples, since its slices are CABAC coded by hand). Needs Debian's `ffmpeg` package (ffprobe and ffmpeg);
//! fails loudly when it is missing rather than skipping.

use std::process::Command;

use camscope_hil_rig::video::{H264Generator, H265Generator, VideoConfig, unix_micros_now};

fn require(tool: &str) {
    let ok = Command::new(tool)
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(ok, "{tool} not installed: apt-get install ffmpeg");
}

#[test]
fn ffprobe_reads_codec_size_and_rate_and_ffmpeg_decodes_without_error() {
    require("ffprobe");
    require("ffmpeg");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gen_640x360_15fps_1mbps.h264");
    let config = VideoConfig::new(640, 360, 15, 15, 1_000_000);
    let mut generator = H264Generator::new(config).unwrap();
    let mut stream = Vec::new();
    for _ in 0..30 {
        generator
            .next_access_unit(unix_micros_now())
            .write_annex_b(&mut stream);
    }
    // 2 s at exactly 1 Mbit/s, every byte counted as a receiver counts it.
    assert_eq!(stream.len(), 250_000);
    std::fs::write(&path, &stream).unwrap();

    let out = Command::new("ffprobe")
        .args(["-v", "error", "-count_frames", "-select_streams", "v:0"])
        .args([
            "-show_entries",
            "stream=codec_name,profile,width,height,r_frame_rate,nb_read_frames",
        ])
        .args(["-of", "default=noprint_wrappers=1"])
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "ffprobe failed: {stderr}");
    assert!(
        stderr.trim().is_empty(),
        "ffprobe reported errors: {stderr}"
    );
    for expected in [
        "codec_name=h264",
        // What the camera reports over ONVIF and the plan asks for, read by ffprobe.
        "profile=Main",
        "width=640",
        "height=360",
        "r_frame_rate=15/1",
        "nb_read_frames=30",
    ] {
        assert!(
            stdout.lines().any(|l| l == expected),
            "missing {expected} in ffprobe output:\n{stdout}"
        );
    }

    let decode = Command::new("ffmpeg")
        .args(["-v", "error", "-xerror", "-i"])
        .arg(&path)
        .args(["-f", "null", "-"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&decode.stderr);
    assert!(
        decode.status.success() && stderr.trim().is_empty(),
        "ffmpeg decode: {stderr}"
    );
}

#[test]
fn ffprobe_reads_h265_and_ffmpeg_decodes_grey_pictures_without_error() {
    require("ffprobe");
    require("ffmpeg");
    // 2 s at exactly 1 Mbit/s, as the example.
    check_h265_file(VideoConfig::new(640, 360, 15, 15, 1_000_000), 30, 250_000);
    // A size that is no multiple of the 16x16 coding block, so the conformance window crops it,
    // an odd GOP and a steep I/P ratio: 4 whole GOPs (2.08 s) at 3 Mbit/s.
    let cropped = VideoConfig {
        i_to_p_ratio: 9,
        ..VideoConfig::new(1000, 562, 25, 13, 3_000_000)
    };
    check_h265_file(cropped, 52, 780_000);
}

/// Writes `frames` access units of `config` to an Annex B file, checks that they are `bytes`
/// long, and has ffprobe and ffmpeg read them.
fn check_h265_file(config: VideoConfig, frames: usize, bytes: usize) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("gen.h265");
    let mut generator = H265Generator::new(config).expect("an accepted configuration");
    let mut stream = Vec::new();
    for _ in 0..frames {
        generator
            .next_access_unit(unix_micros_now())
            .write_annex_b(&mut stream);
    }
    // Every byte counted as a receiver counts it.
    assert_eq!(stream.len(), bytes);
    std::fs::write(&path, &stream).expect("write the .h265 file");

    let out = Command::new("ffprobe")
        .args(["-v", "warning", "-count_frames", "-select_streams", "v:0"])
        .args([
            "-show_entries",
            "stream=codec_name,profile,width,height,r_frame_rate,nb_read_frames",
        ])
        .args(["-of", "default=noprint_wrappers=1"])
        .arg(&path)
        .output()
        .expect("run ffprobe");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "ffprobe failed: {stderr}");
    assert!(
        stderr.trim().is_empty(),
        "ffprobe reported warnings: {stderr}"
    );
    for expected in [
        "codec_name=hevc".to_string(),
        "profile=Main".to_string(),
        format!("width={}", config.width),
        format!("height={}", config.height),
        format!("r_frame_rate={}/1", config.fps),
        format!("nb_read_frames={frames}"),
    ] {
        assert!(
            stdout.lines().any(|l| l == expected),
            "{config:?}: missing {expected} in ffprobe output:\n{stdout}"
        );
    }

    // Decode every picture to raw 4:2:0 samples: not even a warning, and every sample mid-grey,
    // which a misread CABAC bin would not leave.
    let decode = Command::new("ffmpeg")
        .args(["-v", "warning", "-xerror", "-i"])
        .arg(&path)
        .args(["-f", "rawvideo", "-pix_fmt", "yuv420p", "-"])
        .output()
        .expect("run ffmpeg");
    let stderr = String::from_utf8_lossy(&decode.stderr);
    assert!(
        decode.status.success() && stderr.trim().is_empty(),
        "{config:?}: ffmpeg decode: {stderr}"
    );
    let luma = config.width as usize * config.height as usize;
    assert_eq!(decode.stdout.len(), frames * (luma + 2 * (luma / 4)));
    let off_grey = decode.stdout.iter().filter(|&&b| b != 128).count();
    assert_eq!(off_grey, 0, "{config:?}: samples that are not mid-grey");
}
