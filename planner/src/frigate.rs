//! Frigate configurations that store what the plan sized: one file per recorder (a Frigate
//! instance runs per machine) and an index of every camera with the storage the plan sized and
//! the storage Frigate's record/retain settings keep.
//!
//! Frigate records the `record` input as the camera sends it (no re-encoding) in 10-second
//! segments, and keeps them in tiers: `continuous` days of everything, `motion` days of the
//! segments with motion, and `alerts`/`detections` days of the segments around review items with
//! their pre/post capture. Each planned recording mode maps onto those tiers:
//!
//! - continuous: `continuous` days = retention;
//! - schedule: Frigate's configuration has no recording schedule. The file records continuously
//!   and says how to switch recording off outside the planned hours (Frigate's MQTT or HTTP API);
//!   until that is done Frigate keeps 24 h a day, and the file and the index say how much;
//! - motion: `motion` days = retention (Frigate looks for motion all day: planned armed hours under
//!   24 are said to be inexpressible, with the storage Frigate keeps instead);
//! - events: detection on, `alerts`/`detections` retained for the retention with the planned pre
//!   and post capture and mode `all`. Frigate keeps whole segments, so a clip is on average one
//!   segment longer than its window; the file and the index give the storage that implies.
//!
//! Pure: renders text; the CLI writes the files.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::deploy::{Camera, IdPlan, Manifest, Recorder};
use crate::plan::{GroupPlan, Plan};
use crate::site::{Analytics, CameraGroup, RecordingKind, SiteFile};

/// The Frigate release the files are written for and checked against.
pub const FRIGATE_RELEASE: &str = "0.17.2";
/// The oldest Frigate release that reads them: `record.continuous` / `record.motion` arrived in
/// 0.17.0 (earlier releases call them `retain`/`events`).
pub const FRIGATE_MINIMUM: &str = "0.17.0";
/// The `version:` key of a 0.17 configuration; with it Frigate runs no migration at start-up and
/// does not rewrite the file.
pub const FRIGATE_CONFIG_VERSION: &str = "0.17-0";
/// Length of Frigate's recording segments (`-segment_time 10` in its record presets).
pub const SEGMENT_SECONDS: f64 = 10.0;
/// Frigate's recommended detect rate ("Recommended value is 5", its start-up warning above 10).
pub const DETECT_FPS: u32 = 5;
/// Highest detect rate Frigate recommends for LPR cameras (it warns above 15).
pub const LPR_DETECT_FPS: u32 = 15;
/// Longest pre-capture Frigate accepts (`MAX_PRE_CAPTURE`).
pub const MAX_PRE_CAPTURE: f64 = 60.0;
/// Relative difference between the plan's storage and Frigate's within which they are said to
/// match: the plan rounds bitrates up to whole kbit/s and seconds per day to whole seconds.
pub const TOLERANCE: f64 = 0.01;

/// Environment variables Frigate substitutes into its configuration (it only expands names that
/// start with `FRIGATE_`), so the generated file never holds a credential.
pub const FRIGATE_USER_VAR: &str = "FRIGATE_RTSP_USER";
/// See [`FRIGATE_USER_VAR`].
pub const FRIGATE_PASSWORD_VAR: &str = "FRIGATE_RTSP_PASSWORD";

/// Detect size Frigate scales a sub-stream to. An assumption, stated in each file: a common
/// sub-stream size; Frigate resizes whatever the camera sends to it.
const SUB_DETECT: (u32, u32) = (640, 360);
/// Detect size Frigate scales a main stream to when the plan has no sub-stream (Frigate's own
/// default detect size).
const MAIN_DETECT: (u32, u32) = (1280, 720);

/// The files of a Frigate export.
#[derive(Debug, Clone)]
pub struct FrigateExport {
    /// One configuration per recorder that has cameras: (file name, YAML text).
    pub files: Vec<(String, String)>,
    /// Every camera, its file and its storage.
    pub index: FrigateIndex,
}

/// `frigate/index.json`: where each camera went and what Frigate will keep for it.
#[derive(Debug, Clone, Serialize)]
pub struct FrigateIndex {
    /// Frigate release the files are written for.
    pub frigate_release: &'static str,
    /// Oldest Frigate release that reads them.
    pub frigate_minimum: &'static str,
    /// The files' `version:` key.
    pub config_version: &'static str,
    /// Frigate's segment length, seconds.
    pub segment_seconds: f64,
    /// Relative difference within which Frigate's storage matches the plan's.
    pub tolerance: f64,
    /// Environment variables that must be set before Frigate starts.
    pub environment: [&'static str; 2],
    /// One entry per recorder.
    pub instances: Vec<IndexInstance>,
}

/// One Frigate instance (recorder).
#[derive(Debug, Clone, Serialize)]
pub struct IndexInstance {
    /// Recorder id in the manifest.
    pub recorder: String,
    /// Site instance id.
    pub site: String,
    /// File written, or `None` for a standby recorder with no cameras yet.
    pub file: Option<String>,
    /// Why there is no file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Cameras in the file.
    pub cameras: Vec<IndexCamera>,
}

/// One camera in a Frigate file.
#[derive(Debug, Clone, Serialize)]
pub struct IndexCamera {
    /// Camera id in the manifest.
    pub id: String,
    /// Camera name in the Frigate file.
    pub name: String,
    /// Planned recording mode.
    pub mode: String,
    /// Rate Frigate writes (the record input: main stream and audio), bit/s.
    pub record_bps: u64,
    /// Days the plan keeps.
    pub retention_days: u32,
    /// Share of time with motion the plan assumes (motion mode); Frigate keeps the segments with
    /// motion, so its storage is figured at the same share.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub motion_share: Option<f64>,
    /// Events per day the plan assumes (events mode).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events_per_day: Option<f64>,
    /// Bytes the plan sized for this camera.
    pub planned_bytes: u64,
    /// Bytes Frigate keeps with the settings in the file.
    pub frigate_bytes: u64,
    /// Whether the two agree within the tolerance.
    pub matches: bool,
    /// Why they do not, and what to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// Where the stream URIs in the file come from.
    pub streams: StreamSource,
    /// The inputs' URIs, as in the file (credentials as Frigate variables).
    pub stream_uris: Vec<String>,
}

/// Where a camera's stream URIs come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StreamSource {
    /// The planned address and camscope's simulator paths (no inventory, or the camera did not
    /// report its streams).
    Planned,
    /// What the camera reported over ONVIF (`generate --stream-uris`).
    Reported,
}

#[derive(Serialize)]
struct Config {
    version: &'static str,
    mqtt: Enabled,
    record: Enabled,
    #[serde(skip_serializing_if = "Option::is_none")]
    lpr: Option<Enabled>,
}

#[derive(Serialize)]
struct Enabled {
    enabled: bool,
}

#[derive(Serialize)]
struct FrigateCamera {
    friendly_name: String,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    ffmpeg: Ffmpeg,
    detect: Detect,
    #[serde(skip_serializing_if = "Option::is_none")]
    lpr: Option<Enabled>,
    record: Record,
}

#[derive(Serialize)]
struct Ffmpeg {
    inputs: Vec<Input>,
}

#[derive(Serialize)]
struct Input {
    path: String,
    roles: Vec<&'static str>,
}

#[derive(Serialize)]
struct Detect {
    enabled: bool,
    width: u32,
    height: u32,
    fps: u32,
}

#[derive(Serialize)]
struct Record {
    enabled: bool,
    continuous: Days,
    motion: Days,
    alerts: Review,
    detections: Review,
}

#[derive(Serialize)]
struct Days {
    days: u32,
}

#[derive(Serialize, Clone, Copy)]
struct Review {
    pre_capture: u32,
    post_capture: u32,
    retain: ReviewRetain,
}

#[derive(Serialize, Clone, Copy)]
struct ReviewRetain {
    days: u32,
    mode: &'static str,
}

/// What Frigate keeps for one camera, from the tiers written.
struct Retention {
    continuous_days: u32,
    motion_days: u32,
    review_days: u32,
    pre: u32,
    post: u32,
}

impl Retention {
    /// Seconds of video kept at steady state, given the plan's motion share and event rate.
    fn kept_seconds(&self, motion_share: f64, events_per_day: f64) -> f64 {
        let c = f64::from(self.continuous_days);
        let m = f64::from(self.motion_days);
        let r = f64::from(self.review_days);
        let day = 86_400.0;
        let clip = f64::from(self.pre + self.post) + SEGMENT_SECONDS;
        day * c
            + day * motion_share * (m - c).max(0.0)
            + (events_per_day * clip).min(day) * (r - c.max(m)).max(0.0)
    }
}

/// A camera's place in the site file.
struct Source<'a> {
    group: &'a CameraGroup,
    plan: &'a GroupPlan,
}

/// Builds the Frigate export of a deployment: one file per recorder with cameras, and the index.
pub fn frigate_export(
    site: &SiteFile,
    plan: &Plan,
    m: &Manifest,
) -> Result<FrigateExport, serde_norway::Error> {
    let sources = sources(site, plan, m);
    let mut files = Vec::new();
    let mut instances = Vec::new();
    for r in &m.recorders {
        let cams: Vec<&Camera> = r
            .cameras
            .iter()
            .filter_map(|id| m.cameras.iter().find(|c| &c.id == id))
            .collect();
        if cams.is_empty() {
            instances.push(IndexInstance {
                recorder: r.id.clone(),
                site: r.site.clone(),
                file: None,
                note: Some(format!(
                    "{} recorder with no cameras: it takes a failed recorder's file",
                    r.role
                )),
                cameras: Vec::new(),
            });
            continue;
        }
        let name = format!("{}.yml", r.id.replace('/', "."));
        let (text, cameras) = recorder_file(m, r, &cams, &sources)?;
        files.push((name.clone(), text));
        instances.push(IndexInstance {
            recorder: r.id.clone(),
            site: r.site.clone(),
            file: Some(name),
            note: None,
            cameras,
        });
    }
    Ok(FrigateExport {
        files,
        index: FrigateIndex {
            frigate_release: FRIGATE_RELEASE,
            frigate_minimum: FRIGATE_MINIMUM,
            config_version: FRIGATE_CONFIG_VERSION,
            segment_seconds: SEGMENT_SECONDS,
            tolerance: TOLERANCE,
            environment: [FRIGATE_USER_VAR, FRIGATE_PASSWORD_VAR],
            instances,
        },
    })
}

/// Each manifest camera's group in the site file and in the plan, by camera id.
fn sources<'a>(site: &'a SiteFile, plan: &'a Plan, m: &Manifest) -> BTreeMap<String, Source<'a>> {
    let ids = IdPlan::of(site);
    let mut by_prefix: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (si, instances) in ids.instances.iter().enumerate() {
        for inst in instances {
            for (gi, word) in ids.groups[si].iter().enumerate() {
                by_prefix.insert(format!("{inst}/{word}"), (si, gi));
            }
        }
    }
    let mut out = BTreeMap::new();
    for c in &m.cameras {
        let Some((prefix, _)) = c.id.rsplit_once('-') else {
            continue;
        };
        let Some(&(si, gi)) = by_prefix.get(prefix) else {
            continue;
        };
        let s = &site.sites[si];
        let Some(gp) = plan.groups.iter().filter(|g| g.site == s.name).nth(gi) else {
            continue;
        };
        out.insert(
            c.id.clone(),
            Source {
                group: &s.cameras[gi],
                plan: gp,
            },
        );
    }
    out
}

/// One recorder's file and its cameras' index entries.
fn recorder_file(
    m: &Manifest,
    r: &Recorder,
    cams: &[&Camera],
    sources: &BTreeMap<String, Source>,
) -> Result<(String, Vec<IndexCamera>), serde_norway::Error> {
    let mut body = String::new();
    let mut index = Vec::new();
    let mut any_lpr = false;
    for c in cams {
        let src = sources.get(&c.id);
        let (camera, entry, notes) = camera_entry(c, src);
        any_lpr |= camera.kind == Some("lpr");
        let mut one = BTreeMap::new();
        one.insert(entry.name.clone(), camera);
        let yaml = serde_norway::to_string(&one)?;
        let _ = writeln!(
            body,
            "  # {} ({}): plan keeps {} over {} days; Frigate keeps {}{}",
            c.id,
            entry.mode,
            gb(entry.planned_bytes),
            entry.retention_days,
            gb(entry.frigate_bytes),
            if entry.matches {
                " (matches)".to_string()
            } else {
                format!(" ({:.2}× the plan)", ratio(&entry))
            }
        );
        for n in notes {
            for line in wrap(&n, 92) {
                let _ = writeln!(body, "  #   {line}");
            }
        }
        for line in yaml.lines() {
            let _ = writeln!(body, "  {line}");
        }
        index.push(entry);
    }
    let head = serde_norway::to_string(&Config {
        version: FRIGATE_CONFIG_VERSION,
        mqtt: Enabled { enabled: false },
        record: Enabled { enabled: true },
        lpr: any_lpr.then_some(Enabled { enabled: true }),
    })?;
    let reported = index
        .iter()
        .filter(|c| c.streams == StreamSource::Reported)
        .count();
    let streams = if reported == index.len() {
        "# Stream URIs: as each camera reported them over ONVIF (`camscope rig inventory`).\n"
            .to_string()
    } else {
        format!(
            "# Stream URIs: {reported} of {n} cameras as the cameras reported them over ONVIF; the others use\n\
             # the planned address and camscope's simulator paths, which a real camera may not serve:\n\
             # run `camscope rig inventory` and generate again with --stream-uris.\n",
            n = index.len()
        )
    };
    let planned: u64 = index.iter().map(|c| c.planned_bytes).sum();
    let kept: u64 = index.iter().map(|c| c.frigate_bytes).sum();
    let header = format!(
        "# Frigate configuration for recorder {rid} ({model}) of {project}: {n} cameras,\n\
         # generated by camscope. Written for Frigate {FRIGATE_RELEASE}; needs Frigate {FRIGATE_MINIMUM} or\n\
         # later (record.continuous / record.motion). `version: {FRIGATE_CONFIG_VERSION}` stops Frigate migrating and\n\
         # rewriting the file at start-up.\n\
         # Set {FRIGATE_USER_VAR} and {FRIGATE_PASSWORD_VAR} in Frigate's environment before it starts\n\
         # (without them Frigate stops with a KeyError); the file holds no credential.\n\
         # Storage: the plan sizes {planned} for these cameras; these settings keep {kept}\n\
         # (Frigate records the main stream as the camera sends it, in {seg:.0}-second segments).\n\
         # Detect sizes are set so Frigate never probes a stream; a sub-stream is assumed to be\n\
         # {sw}x{sh} (Frigate scales whatever the camera sends to this size).\n{streams}",
        rid = r.id,
        model = r.model,
        project = m.project.replace('\n', " "),
        n = cams.len(),
        planned = gb(planned),
        kept = gb(kept),
        seg = SEGMENT_SECONDS,
        sw = SUB_DETECT.0,
        sh = SUB_DETECT.1,
    );
    Ok((format!("{header}{head}cameras:\n{body}"), index))
}

/// The camera's stream URLs with Frigate's credential variables: the URIs an inventory reported
/// for it, else the planned paths.
fn stream_urls(c: &Camera, notes: &mut Vec<String>) -> (String, Option<String>) {
    let planned_url = |path: &str| {
        format!(
            "rtsp://{{{FRIGATE_USER_VAR}}}:{{{FRIGATE_PASSWORD_VAR}}}@{}:554{path}",
            c.address
        )
    };
    // The camera's own URIs when an inventory reported them, else the planned paths.
    let reported = c.reported_streams.as_ref();
    match reported {
        Some(r) => {
            notes.push(format!(
                "Stream URIs as the camera reported them over ONVIF (matched by {}, at {}, inventory taken {}).",
                r.matched_by.as_str(),
                r.onvif,
                r.taken_at
            ));
            let sub = r.sub_uri.as_deref().map(with_credentials);
            if c.sub_stream_path.is_some() && sub.is_none() {
                notes.push(
                    "The camera reported no sub-stream: Frigate detects on the main stream.".into(),
                );
            }
            (with_credentials(&r.main_uri), sub)
        }
        None => (
            planned_url(&c.main_stream_path),
            c.sub_stream_path.as_deref().map(planned_url),
        ),
    }
}

/// Frigate's inputs (the main stream records; the sub-stream, or else the main, detects) and the
/// detect size.
fn inputs_and_detect_size(
    c: &Camera,
    main_url: String,
    sub_url: Option<String>,
    detect_on: bool,
    notes: &mut Vec<String>,
) -> (Vec<Input>, (u32, u32)) {
    let mut inputs = vec![Input {
        path: main_url,
        roles: vec!["record"],
    }];
    let size = match sub_url {
        Some(sub) => {
            inputs.push(Input {
                path: sub,
                roles: vec!["detect"],
            });
            SUB_DETECT
        }
        None => {
            inputs[0].roles.push("detect");
            if detect_on && c.sub_stream_path.is_none() {
                notes.push(format!(
                    "No sub-stream in the plan: Frigate decodes the {} main stream to detect. \
                     Give the group substream-kbps to detect on a low-resolution stream.",
                    c.encoder.resolution
                ));
            }
            scaled(MAIN_DETECT, c.encoder.width, c.encoder.height)
        }
    };
    (inputs, size)
}

/// The detect rate: the plan's frame rate, capped at Frigate's recommended rate (the LPR rate for
/// LPR cameras).
fn detect_fps(c: &Camera, lpr: bool, notes: &mut Vec<String>) -> u32 {
    let planned_fps = c.encoder.fps.round().max(1.0) as u32;
    if lpr {
        if planned_fps > LPR_DETECT_FPS {
            notes.push(format!(
                "LPR camera planned at {planned_fps} fps: Frigate detects at {LPR_DETECT_FPS} fps \
                 (its highest recommended rate for LPR) and records the stream at {planned_fps} fps as sized."
            ));
        }
        planned_fps.min(LPR_DETECT_FPS)
    } else {
        planned_fps.min(DETECT_FPS)
    }
}

/// Frigate's retention tiers for a recording mode: `days` of what the mode records, with the
/// pre- and post-capture of events.
fn retention_of(mode: RecordingKind, days: u32, pre_c: u32, post_c: u32) -> Retention {
    match mode {
        RecordingKind::Continuous | RecordingKind::Schedule => Retention {
            continuous_days: days,
            motion_days: 0,
            review_days: days,
            pre: 5,
            post: 5,
        },
        RecordingKind::Motion => Retention {
            continuous_days: 0,
            motion_days: days,
            review_days: days,
            pre: 5,
            post: 5,
        },
        RecordingKind::Events => Retention {
            continuous_days: 0,
            motion_days: 0,
            review_days: days,
            pre: pre_c,
            post: post_c,
        },
    }
}

/// Why what Frigate keeps may differ from what the plan sized, for this camera's recording.
fn storage_differences(
    rec: &manifest::RecordingSchedule,
    mode: RecordingKind,
    (pre, post): (f64, f64),
    (pre_c, post_c): (u32, u32),
    src: Option<&Source>,
) -> Vec<String> {
    let hours = rec.hours_per_day;
    let duty = rec.duty_cycle.unwrap_or(1.0);
    let mut why = Vec::new();
    match mode {
        RecordingKind::Schedule if hours < 24.0 => why.push(format!(
            "Schedule of {hours} h a day: Frigate's configuration has no recording schedule, so \
             as written it records 24 h a day. To keep what the plan sized, turn recording off \
             outside the {hours} planned hours from a scheduler (MQTT `frigate/<camera>/recordings/set` \
             OFF/ON, or Frigate's HTTP API)."
        )),
        RecordingKind::Motion if hours < 24.0 => why.push(format!(
            "Motion recording armed {hours} h a day: Frigate cannot arm motion recording by the \
             hour, so it keeps motion all day (at the plan's {:.0}% motion share).",
            duty * 100.0
        )),
        RecordingKind::Events => {
            why.push(format!(
                "Events: Frigate keeps whole {SEGMENT_SECONDS:.0}-second segments, so each clip of \
                 {pre}+{post} s keeps on average {:.0} s.",
                f64::from(pre_c + post_c) + SEGMENT_SECONDS
            ));
            if pre > MAX_PRE_CAPTURE {
                why.push(format!(
                    "Pre-capture of {pre} s is over Frigate's limit of {MAX_PRE_CAPTURE} s: it keeps {pre_c} s."
                ));
            }
        }
        _ => {}
    }
    if src.is_some_and(|s| s.group.record_substream) {
        why.push(
            "The plan records the sub-stream too; Frigate records one input (the main stream)."
                .into(),
        );
    }
    if src.is_none() {
        why.push("camera not found in the plan (a camscope bug; please report it)".into());
    }
    why
}

/// One camera's Frigate entry, its index entry and the notes to write above it.
fn camera_entry(c: &Camera, src: Option<&Source>) -> (FrigateCamera, IndexCamera, Vec<String>) {
    let mut notes = Vec::new();
    let reported = c.reported_streams.as_ref();
    let (main_url, sub_url) = stream_urls(c, &mut notes);
    let lpr = src.is_some_and(|s| s.group.analytics == Some(Analytics::Lpr));
    let mode = src.map_or(RecordingKind::Continuous, |s| s.group.recording);
    let events = mode == RecordingKind::Events;
    let detect_on = events || lpr;
    let (inputs, (width, height)) =
        inputs_and_detect_size(c, main_url, sub_url, detect_on, &mut notes);
    let fps = detect_fps(c, lpr, &mut notes);
    let days = c.retention_days;
    let rec = &c.recording;
    let (pre, post) = (
        rec.pre_seconds.unwrap_or(0.0),
        rec.post_seconds.unwrap_or(0.0),
    );
    let pre_c = pre.min(MAX_PRE_CAPTURE).ceil() as u32;
    let post_c = post.max(0.0).ceil() as u32;
    let ret = retention_of(mode, days, pre_c, post_c);
    let duty = rec.duty_cycle.unwrap_or(1.0);
    let events_per_day = rec.events_per_day.unwrap_or(0.0);
    // What Frigate writes: the record input, i.e. the main stream and its audio.
    let record_bps = src.map_or(c.ingest_bps, |s| s.plan.main_bps + s.plan.audio_bps);
    let planned_bytes = src.map_or(0, |s| s.plan.bytes_per_camera);
    let kept = ret.kept_seconds(duty, events_per_day);
    let frigate_bytes = (record_bps as f64 / 8.0 * kept).round() as u64;
    let why = storage_differences(rec, mode, (pre, post), (pre_c, post_c), src);
    let matches = planned_bytes > 0
        && (frigate_bytes as f64 - planned_bytes as f64).abs() <= TOLERANCE * planned_bytes as f64;
    let why_text = (!matches).then(|| {
        let mut text = why.join(" ");
        if text.is_empty() {
            text = "Frigate's retention tiers differ from the plan's schedule.".into();
        }
        text
    });
    if let Some(w) = &why_text {
        notes.insert(0, w.clone());
    }
    let review = Review {
        pre_capture: ret.pre,
        post_capture: ret.post,
        retain: ReviewRetain {
            days: ret.review_days,
            mode: "all",
        },
    };
    let camera = FrigateCamera {
        friendly_name: format!(
            "{} {}",
            c.group,
            c.id.rsplit('-').next().unwrap_or_default()
        ),
        kind: lpr.then_some("lpr"),
        ffmpeg: Ffmpeg { inputs },
        detect: Detect {
            enabled: detect_on,
            width,
            height,
            fps,
        },
        lpr: lpr.then_some(Enabled { enabled: true }),
        record: Record {
            enabled: true,
            continuous: Days {
                days: ret.continuous_days,
            },
            motion: Days {
                days: ret.motion_days,
            },
            alerts: review,
            detections: review,
        },
    };
    let entry = IndexCamera {
        id: c.id.clone(),
        name: camera_name(c),
        mode: rec.mode.clone(),
        record_bps,
        retention_days: days,
        motion_share: (mode == RecordingKind::Motion).then_some(duty),
        events_per_day: events.then_some(events_per_day),
        planned_bytes,
        frigate_bytes,
        matches,
        why: why_text,
        streams: if reported.is_some() {
            StreamSource::Reported
        } else {
            StreamSource::Planned
        },
        stream_uris: inputs_of(&camera),
    };
    (camera, entry, notes)
}

/// A reported stream URI (which never holds credentials) with Frigate's credential
/// variables as its user and password, so the file still holds no credential.
fn with_credentials(uri: &str) -> String {
    let login = format!("{{{FRIGATE_USER_VAR}}}:{{{FRIGATE_PASSWORD_VAR}}}@");
    match uri.split_once("://") {
        Some((scheme, rest)) => format!("{scheme}://{login}{rest}"),
        None => uri.to_string(),
    }
}

/// A camera's name in its recorder's file: its id within the site instance. Ids are lowercase
/// ASCII words and hyphens, which Frigate's camera names allow.
pub fn camera_name(c: &Camera) -> String {
    c.id.rsplit_once('/')
        .map_or(c.id.as_str(), |(_, n)| n)
        .to_string()
}

/// The URIs of a camera entry's inputs, in order.
fn inputs_of(camera: &FrigateCamera) -> Vec<String> {
    camera
        .ffmpeg
        .inputs
        .iter()
        .map(|i| i.path.clone())
        .collect()
}

/// `target` shrunk to the stream's aspect ratio, even sizes, never above the stream.
fn scaled(target: (u32, u32), w: u32, h: u32) -> (u32, u32) {
    if w == 0 || h == 0 {
        return target;
    }
    let (tw, th) = (f64::from(target.0), f64::from(target.1));
    let s = (tw / f64::from(w)).min(th / f64::from(h)).min(1.0);
    let even = |v: f64| ((v / 2.0).round() as u32 * 2).max(2);
    (even(f64::from(w) * s), even(f64::from(h) * s))
}

fn ratio(c: &IndexCamera) -> f64 {
    if c.planned_bytes == 0 {
        0.0
    } else {
        c.frigate_bytes as f64 / c.planned_bytes as f64
    }
}

fn gb(bytes: u64) -> String {
    if bytes >= 1_000_000_000_000 {
        format!("{:.2} TB", bytes as f64 / 1e12)
    } else {
        format!("{:.1} GB", bytes as f64 / 1e9)
    }
}

fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let last = lines.last_mut().map_or(0, |l| l.chars().count());
        if last > 0 && last + 1 + word.chars().count() > width {
            lines.push(String::new());
        }
        if let Some(l) = lines.last_mut() {
            if !l.is_empty() {
                l.push(' ');
            }
            l.push_str(word);
        }
    }
    lines
}

/// One line per group of cameras whose Frigate storage differs from the plan, for `generate`.
pub fn mismatch_summary(index: &FrigateIndex) -> Vec<String> {
    let mut groups: BTreeMap<(String, String), (u32, u64, u64)> = BTreeMap::new();
    for c in index.instances.iter().flat_map(|i| &i.cameras) {
        if let Some(why) = &c.why {
            let group = c.name.rsplit_once('-').map_or(c.name.as_str(), |(g, _)| g);
            let e = groups
                .entry((group.to_string(), why.clone()))
                .or_insert((0, 0, 0));
            e.0 += 1;
            e.1 += c.planned_bytes;
            e.2 += c.frigate_bytes;
        }
    }
    groups
        .into_iter()
        .map(|((group, why), (n, planned, kept))| {
            format!(
                "frigate: {n} {group} camera(s) keep {} where the plan sized {}: {why}",
                gb(kept),
                gb(planned)
            )
        })
        .collect()
}
