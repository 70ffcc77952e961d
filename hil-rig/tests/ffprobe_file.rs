//! ffmpeg, a decoder nobody on the team wrote, reads the generated H.264 as a real stream.
//!
//! Scope: the Annex B output of `video::H264Generator` written to a file; codec, size, frame rate,
//! frame count and an error-free decode. Needs Debian's `ffmpeg` package (ffprobe and ffmpeg);
//! fails loudly when it is missing rather than skipping.

use std::process::Command;

use camscope_hil_rig::video::{H264Generator, VideoConfig, unix_micros_now};

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
        "profile=Constrained Baseline",
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
