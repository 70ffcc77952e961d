//! A retina ingest for benchmarks: pulls every main stream of an endpoints file at once over TCP
//! and reports what arrived. Usage:
//!     cargo run --release -p camscope-hil-rig --example ingest -- ENDPOINTS.json SECONDS [PID]
//! The measured window opens one second after every session is playing (or has failed), so a
//! server that is slow to set up many sessions is not charged for it as a shortfall, and lasts
//! SECONDS. Prints one JSON object: streams, streams_failed, frames, bytes, seconds (the window),
//! setup_seconds, mbit_per_s, min_stream_mbit_per_s (the slowest stream, which shows a server
//! that falls behind: over TCP that is a lower rate, not loss), lost_packets (over the whole
//! run), and the CPU clock ticks of this process and of process PID (if given) in the window.
//! The simulated cameras ask for credentials on RTSP: the password comes from the environment
//! variable `CAMSCOPE_CAMERA_PASSWORD` (as for `camscope rig simulate`), the user from
//! `CAMSCOPE_CAMERA_USER` (default `admin`).
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::StreamExt;
use retina::client::{Credentials, PlayOptions, SessionOptions, SetupOptions, Transport};
use retina::codec::CodecItem;
use tokio::sync::{Notify, watch};
use tokio::time::Instant;

#[derive(Default, Clone, Copy)]
struct Tally {
    frames: u64,
    bytes: u64,
    lost: u64,
    failed: bool,
}

/// Sessions that are playing or have failed; the window opens when all of them are.
struct Ready {
    count: AtomicUsize,
    notify: Notify,
}

impl Ready {
    fn one_more(&self) {
        self.count.fetch_add(1, Ordering::SeqCst);
        self.notify.notify_one();
    }
}

async fn pull(
    url: String,
    creds: Option<Credentials>,
    ready: Arc<Ready>,
    mut window: watch::Receiver<Option<(Instant, Instant)>>,
) -> Tally {
    let mut t = Tally::default();
    let Ok(parsed) = url::Url::parse(&url) else {
        ready.one_more();
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
    let opened = opened.await;
    ready.one_more();
    let mut frames = match opened {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{url}: {e}");
            return Tally { failed: true, ..t };
        }
    };
    // Until the window is known, read (and count losses) with no deadline but the window's own.
    let mut bounds = *window.borrow();
    loop {
        let item = match bounds {
            Some((_, end)) => match tokio::time::timeout_at(end, frames.next()).await {
                Ok(item) => item,
                Err(_) => break,
            },
            None => tokio::select! {
                item = frames.next() => item,
                changed = window.changed() => {
                    if changed.is_err() {
                        break;
                    }
                    bounds = *window.borrow();
                    continue;
                }
            },
        };
        match item {
            Some(Ok(CodecItem::VideoFrame(f))) => {
                t.lost += u64::from(f.loss());
                if bounds.is_some_and(|(start, _)| Instant::now() >= start) {
                    t.frames += 1;
                    t.bytes += f.data().len() as u64;
                }
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => {
                eprintln!("{url}: {e}");
                t.failed = true;
                break;
            }
            None => {
                eprintln!("{url}: the server ended the stream");
                t.failed = true;
                break;
            }
        }
    }
    t
}

/// utime + stime of a process in clock ticks, from /proc (0 if it cannot be read).
fn cpu_ticks(pid: &str) -> u64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0;
    };
    // The command name may hold spaces; the fields after its closing parenthesis do not.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let field = |i: usize| fields.get(i).and_then(|v| v.parse::<u64>().ok());
    field(11).unwrap_or(0) + field(12).unwrap_or(0)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(path), Some(secs)) = (args.get(1), args.get(2).and_then(|s| s.parse::<u64>().ok()))
    else {
        eprintln!("usage: ingest ENDPOINTS.json SECONDS [SERVER_PID]");
        std::process::exit(2);
    };
    let server_pid = args.get(3).cloned();
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
    let began = Instant::now();
    let ready = Arc::new(Ready {
        count: AtomicUsize::new(0),
        notify: Notify::new(),
    });
    let (set_window, window) = watch::channel(None);
    let tasks: Vec<_> = urls
        .iter()
        .map(|u| {
            tokio::spawn(pull(
                u.clone(),
                creds.clone(),
                Arc::clone(&ready),
                window.clone(),
            ))
        })
        .collect();
    // Every session is playing or has failed, or a minute has passed: whatever is not up by then
    // is the server's shortfall.
    let all_up = async {
        while ready.count.load(Ordering::SeqCst) < urls.len() {
            ready.notify.notified().await;
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(60), all_up).await;
    let setup = began.elapsed();
    let start = Instant::now() + Duration::from_secs(1);
    let end = start + Duration::from_secs(secs);
    let _ = set_window.send(Some((start, end)));
    tokio::time::sleep_until(start).await;
    let ticks_at_start = (cpu_ticks("self"), server_pid.as_deref().map(cpu_ticks));
    tokio::time::sleep_until(end).await;
    let ticks_at_end = (cpu_ticks("self"), server_pid.as_deref().map(cpu_ticks));
    let mut total = Tally::default();
    let (mut streams, mut failed) = (0u64, 0u64);
    let mut min_stream_bytes = u64::MAX;
    for t in tasks {
        let r = t.await.unwrap_or(Tally {
            failed: true,
            ..Tally::default()
        });
        streams += 1;
        failed += u64::from(r.failed);
        min_stream_bytes = min_stream_bytes.min(r.bytes);
        total.frames += r.frames;
        total.bytes += r.bytes;
        total.lost += r.lost;
    }
    let window_s = secs as f64;
    let mbit = |bytes: u64| bytes as f64 * 8.0 / window_s / 1e6;
    println!(
        "{}",
        serde_json::json!({
            "streams": streams, "streams_failed": failed, "frames": total.frames, "bytes": total.bytes,
            "seconds": window_s, "setup_seconds": setup.as_secs_f64(),
            "mbit_per_s": mbit(total.bytes),
            "min_stream_mbit_per_s": if streams > 0 { mbit(min_stream_bytes) } else { 0.0 },
            "lost_packets": total.lost,
            "ingest_ticks": ticks_at_end.0.saturating_sub(ticks_at_start.0),
            "server_ticks": ticks_at_end.1.zip(ticks_at_start.1).map(|(e, s)| e.saturating_sub(s)),
        })
    );
}
