//! The rig report: a validation run's results as a page QA can attach to a sign-off — the
//! verdict and its reasons first, then the fleet's received bitrate over the window, then every
//! camera's planned and measured figures side by side.

use reports::chart::{SeriesData, line_chart};
use reports::{Fact, RigCameraRow, RigView};

use crate::validate::{RigResults, Severity, Verdict};

fn kbps(bps: f64) -> String {
    format!("{:.0}", bps / 1000.0)
}

fn verdict_word(v: Verdict) -> String {
    match v {
        Verdict::Pass => "pass".into(),
        Verdict::Fail => "fail".into(),
    }
}

/// Renders the report of a run (or a merge of shards).
pub fn render(results: &RigResults) -> String {
    let cameras = results
        .cameras
        .iter()
        .map(|c| {
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
                    .map_or("—".into(), |l| format!("{:.0} ms p95", l.p95_ms)),
                result: verdict_word(c.verdict),
                reason: c
                    .reasons
                    .iter()
                    .filter(|r| r.severity == Severity::Fail)
                    .map(|r| format!("[{}] {}", r.code, r.message))
                    .collect::<Vec<_>>()
                    .join("; "),
            }
        })
        .collect();
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
    let labels: Vec<String> = results
        .timeline
        .iter()
        .map(|p| format!("{:.0} s", p.t_s))
        .collect();
    let timeline = line_chart(
        "Received bitrate",
        &labels,
        vec![
            SeriesData {
                name: "received".into(),
                class: "s1".into(),
                values: results
                    .timeline
                    .iter()
                    .map(|p| p.received_bps / 1e6)
                    .collect(),
            },
            SeriesData {
                name: "planned".into(),
                class: "s2".into(),
                values: results
                    .timeline
                    .iter()
                    .map(|_| s.planned_bps / 1e6)
                    .collect(),
            },
        ],
        &|v| format!("{v:.0} Mbit/s"),
        None,
    );
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
        summary,
        timeline,
        cameras,
    };
    reports::render(&view)
}
