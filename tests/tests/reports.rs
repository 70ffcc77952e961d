//! The reports people send: snapshots of the rendered HTML (with a fixed generation time),
//! escaping of every user value, self-containment, and the end-to-end check in a real browser.
// Helpers shared by tests unwrap too: a panic here is a failed test, not a crash on input.
#![allow(clippy::unwrap_used)]

use camscope_tests::{Run, camscope};
use std::path::{Path, PathBuf};

use planner::catalog::Catalog;
use planner::deploy::{Choice, deploy};
use planner::plan::plan;
use planner::site::{EXAMPLE, SiteFile};
use reports::chart::{SeriesData, line_chart};
use reports::{Fact, RigCameraRow, RigView};

const GENERATED: &str = "2026-11-22 09:00 UTC";

fn proposal_html(bom: Option<&planner::check::CheckReport>) -> String {
    let site = SiteFile::parse("retail-chain.toml", EXAMPLE).unwrap();
    let catalog = Catalog::embedded().unwrap();
    let p = plan(&site, &catalog).unwrap();
    let m = deploy(&site, &catalog, &p, Choice::Vms).unwrap();
    let priced = planner::generate::bill_of_materials(&site, &catalog, &p, &m);
    reports::render(&planner::proposal::proposal_view(
        &p, &m, &priced, bom, GENERATED,
    ))
}

fn checked(csv: &[u8]) -> planner::check::CheckReport {
    // Read from memory under a fixed name, so snapshots do not depend on a temporary path.
    let bom = bom::read_bom_from_bytes(
        Path::new("quote.csv"),
        csv,
        bom::Format::Csv,
        &bom::ReadOptions::default(),
    )
    .unwrap();
    let ds = compliance_data::Dataset::embedded().unwrap();
    planner::check::check(
        &bom,
        &ds,
        "embedded",
        &Default::default(),
        planner::check::DEFAULT_DENY,
        time::macros::date!(2026 - 11 - 22),
    )
}

/// A rig report filled with sample results, until the rig produces real ones.
pub fn sample_rig() -> RigView {
    let seconds: Vec<String> = (0..=6).map(|i| format!("{}s", i * 10)).collect();
    RigView {
        title: "Rig validation — Northwind Retail".into(),
        tool: "camscope 0.1.0".into(),
        generated: GENERATED.into(),
        data_stamp: "manifest camscope-manifest/1".into(),
        manifest: "out/manifest.json".into(),
        duration: "60 s at full camera load".into(),
        transport: "tcp".into(),
        verdict: "fail".into(),
        reasons: vec!["store-03/sales-floor-2 sent 48% of its planned bitrate".into()],
        summary: vec![
            Fact {
                label: "cameras".into(),
                value: "2".into(),
            },
            Fact {
                label: "passed".into(),
                value: "1".into(),
            },
        ],
        context: vec![Fact {
            label: "transport".into(),
            value: "RTP over TCP".into(),
        }],
        timeline: line_chart(
            "Received bitrate (Mbit/s)",
            &seconds,
            vec![
                SeriesData {
                    name: "planned".into(),
                    class: "nvr".into(),
                    values: vec![5.6; 7],
                },
                SeriesData {
                    name: "received".into(),
                    class: "vms".into(),
                    values: vec![0.0, 5.4, 5.6, 4.1, 3.0, 3.0, 3.1],
                },
            ],
            &|v| format!("{v:.1}"),
            None,
        ),
        cameras: vec![
            RigCameraRow {
                camera: "store-03/entrance-and-tills-1".into(),
                recorder: "store-03/server-1".into(),
                planned_kbps: "4070".into(),
                measured_kbps: "4052".into(),
                planned_fps: "15".into(),
                measured_fps: "15.0".into(),
                loss: "0".into(),
                latency: "41 ms".into(),
                result: "pass".into(),
                reason: String::new(),
            },
            RigCameraRow {
                camera: "store-03/sales-floor-2<b>".into(),
                recorder: "store-03/server-1".into(),
                planned_kbps: "1600".into(),
                measured_kbps: "768".into(),
                planned_fps: "12".into(),
                measured_fps: "12.0".into(),
                loss: "0".into(),
                latency: "38 ms".into(),
                result: "fail".into(),
                reason: "sent 48% of the planned bitrate".into(),
            },
        ],
    }
}

#[test]
fn proposal_html_snapshot() {
    insta::assert_snapshot!(proposal_html(None));
}

#[test]
fn compliance_html_snapshot() {
    let r = checked(b"Manufacturer,Model,Description,Country of Origin\nAxis,P3265-LVE,Dome,Sweden\nHikvision,DS-2CD2143G2-I,Dome,China\n");
    insta::assert_snapshot!(planner::check_html::html(&r, GENERATED));
}

/// The rig report of a long run stays readable: about a dozen time labels, lines without a dot
/// per second, the outage shaded and named, latency under a millisecond as "< 1 ms", no "-0",
/// and the run's context (tolerances, apply, cameras, transport, host, versions).
#[test]
fn a_long_rig_run_reads_as_a_qa_lead_needs() {
    let mut results: rig::judge::RigResults =
        serde_json::from_str(&std::fs::read_to_string("fixtures/rig-results.json").unwrap())
            .unwrap();
    let cameras = results.summary.cameras;
    let first = results.timeline[0].clone();
    results.timeline = (0..600)
        .map(|i| {
            let mut p = first.clone();
            p.t_s = f64::from(i + 1);
            // Six cameras drop out from 200 s to 260 s.
            p.streaming = if (200..260).contains(&i) {
                cameras - 6
            } else {
                cameras
            };
            p
        })
        .collect();
    if let Some(m) = results.cameras[0].measured.as_mut() {
        if let Some(l) = m.latency.as_mut() {
            l.p95_ms = 0.4;
        }
        m.bitrate_bps = Some(-0.0);
    }
    results.rig_host = "rig-a".into();
    let html = rig::report::render(&results);
    let chart = html
        .split("<svg class=\"chart line\"")
        .nth(1)
        .and_then(|c| c.split("</svg>").next())
        .unwrap();
    let x_labels = chart.matches("text-anchor=\"middle\"").count();
    assert!((2..=12).contains(&x_labels), "{x_labels} x-axis labels");
    assert_eq!(
        chart.matches("<circle").count(),
        0,
        "a dot per second hides the line"
    );
    assert_eq!(chart.matches("<polyline class=\"received\"").count(), 1);
    assert_eq!(chart.matches("<polyline class=\"planned\"").count(), 1);
    assert_eq!(chart.matches("<rect class=\"band\"").count(), 1, "{chart}");
    assert!(
        chart.contains(&format!(
            "as few as {} of {cameras} cameras streaming",
            cameras - 6
        )),
        "{chart}"
    );
    assert!(
        html.contains("&#60; 1 ms p95"),
        "latency under a millisecond"
    );
    assert!(
        !html.contains(">-0<") && !html.contains("-0 ·"),
        "a negative zero is printed"
    );
    for label in [
        "tolerances",
        "encoder settings",
        "cameras",
        "transport",
        "rig host",
        "versions",
    ] {
        assert!(
            html.contains(&format!("<th>{label}</th>")),
            "no {label} in the run context"
        );
    }
    assert!(html.contains("rig-a"));
}

#[test]
fn rig_html_snapshot() {
    insta::assert_snapshot!(reports::render(&sample_rig()));
}

#[test]
fn every_user_value_is_escaped() {
    let r =
        checked(b"Manufacturer,Model,Description\nAxis,P3265-LVE,<script>alert('bom')</script>\n");
    for html in [
        planner::check_html::html(&r, GENERATED),
        proposal_html(Some(&r)),
    ] {
        assert!(
            !html.contains("<script>alert"),
            "BOM text reached the page unescaped"
        );
        assert!(html.contains("&#60;script&#62;") || html.contains("&lt;script&gt;"));
    }
    let rig = reports::render(&sample_rig());
    assert!(!rig.contains("sales-floor-2<b>"));
    // A site named like markup stays text in the proposal too.
    let site = EXAMPLE.replace(
        "name = \"Store\"",
        "name = \"<img src=x onerror=alert(1)>\"",
    );
    let s = SiteFile::parse("x.toml", &site).unwrap();
    let c = Catalog::embedded().unwrap();
    let p = plan(&s, &c).unwrap();
    let m = deploy(&s, &c, &p, Choice::Vms).unwrap();
    let priced = planner::generate::bill_of_materials(&s, &c, &p, &m);
    let html = reports::render(&planner::proposal::proposal_view(
        &p, &m, &priced, None, GENERATED,
    ));
    assert!(
        !html.contains("<img src=x"),
        "site name reached the page unescaped"
    );
}

#[test]
fn reports_fetch_nothing_from_the_network() {
    let r = checked(b"Manufacturer,Model\nHikvision,DS-2CD2143G2-I\n");
    for html in [
        proposal_html(Some(&r)),
        planner::check_html::html(&r, GENERATED),
        reports::render(&sample_rig()),
    ] {
        for needle in [
            "<script", "<link", "<img", "<iframe", " src=", "@import", "url(",
        ] {
            assert!(
                !html.contains(needle),
                "{needle} would fetch or run something"
            );
        }
        // Links to sources are for the reader to follow, never loaded by the page.
        assert!(html.contains("Generated 2026-11-22 09:00 UTC"));
    }
}

fn write_reports(dir: &Path) -> Vec<PathBuf> {
    let d = dir.display().to_string();
    let Run {
        code,
        stdout: _,
        stderr: err,
    } = camscope(&[
        "generate",
        "../examples/retail-chain.toml",
        "--out",
        &format!("{d}/gen"),
    ]);
    assert_eq!(code, 0, "{err}");
    let proposal = dir.join("proposal.html");
    let Run {
        code,
        stdout: _,
        stderr: err,
    } = camscope(&[
        "report",
        "proposal",
        "../examples/retail-chain.toml",
        "--bom",
        &format!("{d}/gen/bom.csv"),
        "--out",
        &proposal.display().to_string(),
        "--as-of",
        "2026-11-22",
    ]);
    assert_eq!(code, 0, "{err}");
    let compliance = dir.join("compliance.html");
    let Run {
        code,
        stdout: _,
        stderr: err,
    } = camscope(&[
        "check",
        "../bom/tests/fixtures/integrator_bom.csv",
        "--format",
        "html",
        "--out",
        &compliance.display().to_string(),
        "--as-of",
        "2026-11-22",
    ]);
    assert_eq!(code, 1, "{err}");
    // The 146-line distributor quote as a contract-file record: prepared and reviewed, with a
    // recorded decision; what the browser must find in it goes into expect.json.
    let quote = camscope_tests::quote::write_quote_146(dir).unwrap();
    let policy = dir.join("policy.toml");
    std::fs::write(
        &policy,
        "version = 1\n[report]\nproject = \"Riverside Transit Center cameras\"\nsolicitation = \"RFQ 24-117\"\nquote = \"ACME Q-26-1187 rev B\"\n\n[[decision]]\nmanufacturer = \"Seagate\"\ncheck = \"taa\"\nby = \"J. Smith, contracting officer\"\ndate = 2026-11-20\nreason = \"Thai origin accepted under the COTS exception; file 26-120\"\n",
    )
    .unwrap();
    let quote_html = dir.join("compliance-quote.html");
    let args = |format: &str, out: &Path| {
        vec![
            "check".to_owned(),
            quote.display().to_string(),
            "--policy".into(),
            policy.display().to_string(),
            "--format".into(),
            format.into(),
            "--out".into(),
            out.display().to_string(),
            "--as-of".into(),
            "2026-11-22".into(),
            "--prepared-by".into(),
            "A. Analyst, procurement".into(),
            "--reviewed-by".into(),
            "J. Smith, contracting officer".into(),
        ]
    };
    for (format, out) in [
        ("html", quote_html.clone()),
        ("json", dir.join("quote.json")),
    ] {
        let a = args(format, &out);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let r = camscope(&a);
        assert_eq!(r.code, 1, "{}", r.stderr);
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("quote.json")).unwrap()).unwrap();
    let expect = serde_json::json!({
        "compliance-quote.html": {
            "hash": json["file_sha256"],
            "lines": json["summary"]["lines"],
            "denied": json["summary"]["denied"],
            "covered": json["summary"]["covered"],
            "skipped": json["summary"]["skipped"],
            "prepared_by": "A. Analyst, procurement",
            "reviewed_by": "J. Smith, contracting officer",
            "max_pages": 12,
        }
    });
    std::fs::write(dir.join("expect.json"), expect.to_string()).unwrap();
    // The rig report of a real run: 64 simulated cameras validated with faults injected
    // (`rig-results.json`, recorded with `camscope rig validate … --out`).
    let results: rig::judge::RigResults =
        serde_json::from_str(&std::fs::read_to_string("fixtures/rig-results.json").unwrap())
            .unwrap();
    let rig = dir.join("rig.html");
    std::fs::write(&rig, rig::report::render(&results)).unwrap();
    let mut files = vec![proposal, compliance, quote_html, rig];
    // Each design fixture's proposal (issue 14): the schedule, the priced BOM with its total,
    // the assumptions page and the reason codes in the appendix only.
    for name in ["shop", "chain", "campus", "federal"] {
        let file = dir.join(format!("proposal-{name}.html"));
        let Run {
            code,
            stdout: _,
            stderr: err,
        } = camscope(&[
            "report",
            "proposal",
            &format!("fixtures/designs/{name}.toml"),
            "--out",
            &file.display().to_string(),
        ]);
        // The federal site names a covered camera brand: the plan's finding does not stop the
        // proposal.
        assert_eq!(code, 0, "{name}: {err}");
        files.push(file);
    }
    files
}

/// Opens every report in headless Chromium: no console error, no request beyond the file,
/// every chart drawn with its series; the 146-line quote's report shows its BOM hash, counts,
/// reviewer fields and appendix, and prints to at most 12 A4 pages. Needs Debian's chromium and `npm ci --prefix
/// tests/browser`; `.ci/run` installs both and runs this with `--ignored`. Screenshots go to
/// `CAMSCOPE_SCREENSHOTS` (the ones in docs/images were made that way) or a temporary directory.
#[test]
#[ignore = "needs chromium and node; run by .ci/run"]
fn reports_render_in_headless_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let files = write_reports(dir.path());
    let shots = std::env::var("CAMSCOPE_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| dir.path().to_path_buf());
    std::fs::create_dir_all(&shots).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("browser/check_reports.mjs");
    assert!(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("browser/node_modules/playwright-core")
            .is_dir(),
        "run `npm ci --prefix tests/browser` first"
    );
    let out = std::process::Command::new("node")
        .arg(script)
        .arg("--shots")
        .arg(&shots)
        .arg("--expect")
        .arg(dir.path().join("expect.json"))
        .args(&files)
        .output()
        .expect("node must be installed to run the browser test");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "browser check failed:\n{stdout}");
    assert!(stdout.contains("8 passed, 0 failed"), "{stdout}");
    // The 146-line quote prints to about a dozen A4 pages (the issue found 108).
    assert!(stdout.contains("compliance-quote.html: A4 "), "{stdout}");
    for f in [
        "proposal.png",
        "compliance.png",
        "compliance-quote.png",
        "rig.png",
    ] {
        assert!(
            std::fs::metadata(shots.join(f)).unwrap().len() > 10_000,
            "{f} looks empty"
        );
    }
}
