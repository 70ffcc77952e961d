//! The rig report: a validation run's results as a page QA can attach to a sign-off — the
//! verdict and its reasons first, then the fleet's received bitrate over the window, then every
//! camera's planned and measured figures side by side.

use reports::chart::{LineChart, SeriesData, line_chart};
use reports::{Fact, RigCameraRow, RigView};

use crate::judge::{CameraResult, RigResults, Severity, Verdict};

fn kbps(bps: f64) -> String {
    fixed(bps / 1000.0, 0)
}

/// A number with `places` decimals, never "-0": a rounding of a tiny negative is zero.
fn fixed(v: f64, places: usize) -> String {
    let text = format!("{v:.places$}");
    if text.starts_with('-') && text[1..].chars().all(|c| c == '0' || c == '.') {
        text[1..].to_string()
    } else {
        text
    }
}

/// A latency as people read it: "< 1 ms" below a millisecond, whole milliseconds above.
fn latency_text(ms: f64) -> String {
    if ms < 1.0 {
        "< 1 ms".into()
    } else {
        format!("{} ms", fixed(ms, 0))
    }
}

/// A fraction as a signed percentage ("±10 %").
fn percent(f: f64) -> String {
    format!("{} %", fixed(f * 100.0, 0))
}

/// How the run was made, for the context block: what a reader needs to repeat it.
fn context(results: &RigResults) -> Vec<Fact> {
    let t = &results.tolerances;
    let fact = |label: &str, value: String| Fact {
        label: label.into(),
        value,
    };
    vec![
        fact(
            "tolerances",
            format!(
                "bitrate −{} / +{} of plan; fps ±{}; key-frame interval ±{}; at most {} RTP packets lost; latency p95 ≤ {}; first frame ≤ {} s; at most {} reconnects; storage +{}",
                percent(t.bitrate_shortfall),
                percent(t.bitrate_excess),
                percent(t.fps_tolerance),
                percent(t.key_frame_tolerance),
                t.max_lost_packets,
                latency_text(t.max_latency_p95_ms),
                fixed(t.max_first_frame_s, 1),
                t.max_reconnects,
                percent(t.storage_excess),
            ),
        ),
        fact(
            "encoder settings",
            if results.applied {
                "pushed to every camera over ONVIF and read back before the window (--apply)".into()
            } else {
                "as the cameras were found (not pushed: no --apply)".into()
            },
        ),
        fact(
            "cameras",
            match results.source.as_str() {
                "endpoints" => "from an endpoints file (as `camscope rig simulate` writes for its simulated fleet)".into(),
                "inventory" => "from an inventory CSV of real cameras".into(),
                "discovery" => "found by WS-Discovery on the network".into(),
                other => other.to_string(),
            },
        ),
        fact(
            "transport",
            format!("RTP over {}", results.transport.to_uppercase()),
        ),
        fact(
            "window",
            format!(
                "{} s{}",
                fixed(results.duration_s, 0),
                results
                    .interrupted_after_s
                    .map(|s| format!(", interrupted after {} s", fixed(s, 1)))
                    .unwrap_or_default()
            ),
        ),
        fact(
            "rig host",
            if results.rig_host.is_empty() {
                "not recorded".into()
            } else {
                results.rig_host.clone()
            },
        ),
        fact(
            "versions",
            format!(
                "{} · results {} · manifest sha256 {}",
                results.generated_by,
                results.schema,
                results.manifest.sha256.chars().take(16).collect::<String>()
            ),
        ),
    ]
}

/// The stretches of the timeline where not every camera was streaming, as (from, to, label)
/// in timeline positions, for shading.
fn outage_bands(results: &RigResults) -> Vec<(f64, f64, String)> {
    let cameras = results.summary.cameras;
    let mut bands: Vec<(f64, f64, String)> = Vec::new();
    let mut open: Option<(usize, u32)> = None;
    for (i, p) in results.timeline.iter().enumerate() {
        let short = p.streaming < cameras;
        match (short, open) {
            (true, None) => open = Some((i, p.streaming)),
            (true, Some((start, least))) => open = Some((start, least.min(p.streaming))),
            (false, Some((start, least))) => {
                bands.push(band(&results.timeline, start, i, least, cameras));
                open = None;
            }
            (false, None) => {}
        }
    }
    if let Some((start, least)) = open {
        let end = results.timeline.len().saturating_sub(1);
        bands.push(band(&results.timeline, start, end, least, cameras));
    }
    bands
}

fn band(
    timeline: &[crate::judge::TimelinePoint],
    start: usize,
    end: usize,
    least: u32,
    cameras: u32,
) -> (f64, f64, String) {
    let t = |i: usize| timeline.get(i).map_or(0.0, |p| p.t_s);
    // Each point covers the second before it: shade from half a step before the first.
    (
        (start as f64 - 0.5).max(0.0),
        end as f64,
        format!(
            "{}–{} s: as few as {least} of {cameras} cameras streaming",
            fixed(t(start).max(0.0), 0),
            fixed(t(end), 0)
        ),
    )
}

fn verdict_word(v: Verdict) -> String {
    match v {
        Verdict::Pass => "pass".into(),
        Verdict::Fail => "fail".into(),
    }
}

/// One camera's row of the report: planned against measured, and why it failed.
fn camera_row(c: &CameraResult) -> RigCameraRow {
    let m = c.measured.as_ref();
    let resolution = m
        .and_then(|m| m.width.zip(m.height))
        .map_or_else(|| "—".to_string(), |(w, h)| format!("{w}x{h}"));
    RigCameraRow {
        camera: c.id.clone(),
        recorder: c.recorder.clone(),
        planned_kbps: format!(
            "{} · {}x{} {}",
            kbps(c.planned.bitrate_bps as f64),
            c.planned.width,
            c.planned.height,
            c.planned.codec
        ),
        measured_kbps: match m.and_then(|m| m.bitrate_bps) {
            Some(b) => format!(
                "{} · {resolution} {}",
                kbps(b),
                m.and_then(|m| m.codec.clone()).unwrap_or_default()
            ),
            None => "—".into(),
        },
        planned_fps: format!("{} (GOP {})", c.planned.fps, c.planned.gop),
        measured_fps: match m.and_then(|m| m.fps) {
            Some(f) => format!(
                "{f:.2} (GOP {})",
                m.and_then(|m| m.gop_frames)
                    .map_or("—".to_string(), |g| format!("{g:.0}"))
            ),
            None => "—".into(),
        },
        loss: m.map_or("—".into(), |m| m.lost_packets.to_string()),
        latency: m
            .and_then(|m| m.latency.as_ref())
            .map_or("—".into(), |l| format!("{} p95", latency_text(l.p95_ms))),
        result: verdict_word(c.verdict),
        reason: c
            .reasons
            .iter()
            .filter(|r| r.severity == Severity::Fail)
            .map(|r| format!("[{}] {}", r.code, r.message))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// The summary facts: cameras passed, what arrived, loss, reconnects, each recorder's ingest
/// and each recording's write rate.
fn summary_facts(results: &RigResults) -> Vec<Fact> {
    let s = &results.summary;
    let mut summary = vec![
        Fact {
            label: "cameras passed".into(),
            value: format!("{} / {}", s.passed, s.cameras),
        },
        Fact {
            label: "received of planned".into(),
            value: format!(
                "{:.1} / {:.1} Mbit/s",
                s.measured_bps / 1e6,
                s.planned_bps / 1e6
            ),
        },
        Fact {
            label: "RTP packets lost".into(),
            value: s.lost_packets.to_string(),
        },
        Fact {
            label: "reconnects".into(),
            value: s.reconnects.to_string(),
        },
    ];
    for r in &results.recorders {
        summary.push(Fact {
            label: format!("{} ingest of {} ceiling", r.id, r.model),
            value: format!(
                "{:.1} / {:.1} Mbit/s",
                r.measured_ingest_bps / 1e6,
                r.ingest_limit_bps as f64 / 1e6
            ),
        });
    }
    for rec in &results.recordings {
        summary.push(Fact {
            label: format!("disk write rate ({})", rec.directory),
            value: format!(
                "{:.1} / {:.1} Mbit/s needed",
                rec.write_rate_bps / 1e6,
                rec.planned_rate_bps / 1e6
            ),
        });
    }
    summary
}

/// The received bitrate over the window against the planned, with the outages as bands.
fn timeline_chart(results: &RigResults) -> LineChart {
    let s = &results.summary;
    let labels: Vec<String> = results
        .timeline
        .iter()
        .map(|p| format!("{:.0} s", p.t_s))
        .collect();
    line_chart(
        "Received bitrate",
        &labels,
        vec![
            SeriesData {
                name: "received".into(),
                class: "received".into(),
                values: results
                    .timeline
                    .iter()
                    .map(|p| p.received_bps / 1e6)
                    .collect(),
            },
            SeriesData {
                name: "planned".into(),
                class: "planned".into(),
                values: results
                    .timeline
                    .iter()
                    .map(|_| s.planned_bps / 1e6)
                    .collect(),
            },
        ],
        &|v| format!("{} Mbit/s", fixed(v, 0)),
        None,
    )
    .with_bands(&outage_bands(results))
}

/// Renders the report of a run (or a merge of shards).
pub fn render(results: &RigResults) -> String {
    let view = RigView {
        title: format!("Rig validation: {}", results.manifest.project),
        tool: results.generated_by.clone(),
        generated: results.started_at.clone(),
        data_stamp: format!(
            "manifest sha256 {}",
            // A merged results file is input: never slice it by bytes.
            results.manifest.sha256.chars().take(16).collect::<String>()
        ),
        manifest: format!(
            "{} ({} of {} cameras{})",
            results.manifest.path,
            results.cameras.len(),
            results.manifest.cameras,
            if results.shards.is_empty() {
                String::new()
            } else {
                format!(
                    ", shards {}",
                    results
                        .shards
                        .iter()
                        .map(|s| format!("{}/{}", s.index, s.count))
                        .collect::<Vec<_>>()
                        .join(" ")
                )
            }
        ),
        duration: format!("{:.0} s at full load", results.duration_s),
        transport: results.transport.clone(),
        verdict: verdict_word(results.verdict),
        reasons: results
            .reasons
            .iter()
            .map(|r| format!("[{}] {}", r.code, r.message))
            .collect(),
        summary: summary_facts(results),
        context: context(results),
        timeline: timeline_chart(results),
        cameras: results.cameras.iter().map(camera_row).collect(),
    };
    reports::render(&view)
}
