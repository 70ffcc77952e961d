//! A retina ingest for benchmarks: pulls every main stream of an endpoints file at once over TCP
//! and reports what arrived. Usage:
//!     cargo run --release -p camscope-hil-rig --example ingest -- ENDPOINTS.json SECONDS
//! Prints one JSON object: streams, streams_failed, frames, bytes, mbit_per_s, lost_packets.
//! The simulated cameras ask for credentials on RTSP: the password comes from the environment
//! variable `CAMSCOPE_CAMERA_PASSWORD` (as for `camscope rig simulate`), the user from
//! `CAMSCOPE_CAMERA_USER` (default `admin`).
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::time::Duration;

use futures::StreamExt;
use retina::client::{Credentials, PlayOptions, SessionOptions, SetupOptions, Transport};
use retina::codec::CodecItem;

#[derive(Default, Clone, Copy)]
struct Tally {
    frames: u64,
    bytes: u64,
    lost: u64,
    failed: bool,
}

async fn pull(url: String, creds: Option<Credentials>, until: tokio::time::Instant) -> Tally {
    let mut t = Tally::default();
    let Ok(parsed) = url::Url::parse(&url) else {
        return Tally { failed: true, ..t };
    };
    let opened = async {
        let mut session =
            retina::client::Session::describe(parsed, SessionOptions::default().creds(creds))
                .await?;
        let video = session
            .streams()
            .iter()
            .position(|s| s.media() == "video")
            .unwrap_or(0);
        session
            .setup(
                video,
                SetupOptions::default().transport(Transport::Tcp(Default::default())),
            )
            .await?;
        session.play(PlayOptions::default()).await?.demuxed()
    };
    let mut frames = match opened.await {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{url}: {e}");
            return Tally { failed: true, ..t };
        }
    };
    while let Ok(Some(item)) = tokio::time::timeout_at(until, frames.next()).await {
        match item {
            Ok(CodecItem::VideoFrame(f)) => {
                t.frames += 1;
                t.bytes += f.data().len() as u64;
                t.lost += u64::from(f.loss());
            }
            Ok(_) => {}
            Err(e) => {
                eprintln!("{url}: {e}");
                t.failed = true;
                break;
            }
        }
    }
    t
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(path), Some(secs)) = (args.get(1), args.get(2).and_then(|s| s.parse::<u64>().ok()))
    else {
        eprintln!("usage: ingest ENDPOINTS.json SECONDS");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(2)
    });
    let list: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(2)
    });
    let urls: Vec<String> = list
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["rtsp"].as_str().map(String::from))
        .collect();
    let creds = std::env::var("CAMSCOPE_CAMERA_PASSWORD")
        .ok()
        .map(|password| Credentials {
            username: std::env::var("CAMSCOPE_CAMERA_USER").unwrap_or_else(|_| "admin".into()),
            password,
        });
    // Measure a window after every session is up, so slow starts do not count as shortfall.
    let start = tokio::time::Instant::now() + Duration::from_secs(2);
    let until = start + Duration::from_secs(secs);
    let tasks: Vec<_> = urls
        .into_iter()
        .map(|u| tokio::spawn(pull(u, creds.clone(), until)))
        .collect();
    let mut total = Tally::default();
    let (mut streams, mut failed) = (0u64, 0u64);
    for t in tasks {
        let r = t.await.unwrap_or(Tally {
            failed: true,
            ..Tally::default()
        });
        streams += 1;
        failed += u64::from(r.failed);
        total.frames += r.frames;
        total.bytes += r.bytes;
        total.lost += r.lost;
    }
    let elapsed = (tokio::time::Instant::now()
        - (until - Duration::from_secs(secs) - Duration::from_secs(2)))
    .as_secs_f64();
    println!(
        "{}",
        serde_json::json!({
            "streams": streams, "streams_failed": failed, "frames": total.frames, "bytes": total.bytes,
            "seconds": elapsed, "mbit_per_s": total.bytes as f64 * 8.0 / elapsed / 1e6, "lost_packets": total.lost,
        })
    );
}
