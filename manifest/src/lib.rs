//! The deployment manifest (`manifest.json`): one typed contract between its writer
//! (`camscope generate`, through the planner's `deploy`) and its readers (`camscope rig
//! simulate` and `camscope rig validate`).
//!
//! Every field is defined once, here: the writer fills these types, the readers [`parse`] them,
//! and the published JSON Schema (`docs/manifest.schema.json`) is [`schema`] generated from them,
//! so the three cannot drift apart. Values that are compared are enums ([`Codec`], [`Choice`],
//! [`Ceiling`], [`Unit`]), never strings that two tables must agree on.
//!
//! Pure: no I/O. Reading a file is the caller's job; [`parse`] takes its name and text.
#![warn(clippy::print_stdout, clippy::print_stderr)]

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
pub use sizing::Codec;

/// Identifies the manifest format; bumped when a field changes meaning.
pub const MANIFEST_SCHEMA: &str = "camscope-manifest/1";

/// Which option to deploy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Choice {
    /// NVR appliances.
    Nvr,
    /// A VMS on recording servers.
    Vms,
}

/// The deployment manifest (`manifest.json`).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Manifest {
    /// Always "camscope-manifest/1".
    pub schema: String,
    /// camscope version that wrote it.
    pub generated_by: String,
    /// Project name.
    pub project: String,
    /// The option deployed.
    pub option: Choice,
    /// The option the plan recommends.
    pub recommended: Choice,
    /// Where camera credentials come from; never the credentials themselves.
    pub credentials: Credentials,
    /// Site instances (one per copy of each site).
    pub sites: Vec<SiteInstance>,
    /// Every recorder (NVR unit or recording server).
    pub recorders: Vec<Recorder>,
    /// Every camera.
    pub cameras: Vec<Camera>,
    /// Switches, links and live-view clients.
    pub network: Network,
    /// Every ceiling broken; empty when the deployment fits.
    pub violations: Vec<Violation>,
    /// True when nothing is over a ceiling.
    pub fits: bool,
}

/// Environment variables holding camera credentials.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Credentials {
    /// Variable with the user name.
    pub username_env: String,
    /// Variable with the password.
    pub password_env: String,
}

/// One copy of a site.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct SiteInstance {
    /// Identifier ("store-03").
    pub id: String,
    /// Display name ("Store #03").
    pub name: String,
    /// The `[[site]]` it is a copy of.
    pub site: String,
    /// Copy number, 1-based.
    pub copy: u32,
    /// Address block of the site (a /22).
    pub subnet: String,
}

/// A storage volume on a recorder.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Volume {
    /// Identifier ("store-03/nvr-1/vol-1").
    pub id: String,
    /// Layout ("4 × 10 TB (RAID 5)").
    pub layout: String,
    /// Drives installed.
    pub drives: u32,
    /// Marked size of each drive, bytes.
    pub drive_size_bytes: u64,
    /// Usable marked capacity, bytes.
    pub usable_bytes: u64,
    /// Capacity the assigned cameras need with headroom, bytes.
    pub needed_bytes: u64,
}

/// A recorder.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Recorder {
    /// Identifier ("store-03/nvr-1").
    pub id: String,
    /// Site instance id.
    pub site: String,
    /// "nvr" or "recording-server".
    pub kind: String,
    /// "primary" or "failover".
    pub role: String,
    /// Catalog id of the model.
    pub model_id: String,
    /// Model name.
    pub model: String,
    /// Planned address.
    pub address: String,
    /// Camera ceiling.
    pub camera_limit: u32,
    /// Ingest ceiling after the reserve, bit/s.
    pub ingest_limit_bps: u64,
    /// Ingest of the assigned cameras, bit/s.
    pub ingest_bps: u64,
    /// PoE drawn from the recorder's own ports, milliwatts.
    pub poe_used_mw: u64,
    /// PoE budget for cameras, milliwatts.
    pub poe_budget_mw: u64,
    /// The storage volume.
    pub volume: Volume,
    /// Camera ids assigned (empty for a failover server until it takes over).
    pub cameras: Vec<String>,
}

/// Encoder settings to apply to a camera's main stream.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Encoder {
    /// mjpeg, h264, h265, h264-smart or h265-smart.
    #[schemars(schema_with = "codec_schema")]
    pub codec: Codec,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Resolution name, when it has one.
    pub resolution: String,
    /// Frames per second.
    pub fps: f64,
    /// Bitrate cap in kbit/s: the plan's storage holds at this rate.
    pub bitrate_cap_kbps: u64,
    /// Frames between key frames (0 for MJPEG).
    pub gop: u32,
    /// Encoder profile (main, high …; empty for MJPEG).
    pub profile: String,
}

/// The sub-stream, when the recorder pulls one.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct SubStream {
    /// Bitrate in kbit/s.
    pub bitrate_kbps: u64,
    /// Whether it is recorded too.
    pub recorded: bool,
}

/// When a camera records.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct RecordingSchedule {
    /// continuous, schedule, motion or events.
    pub mode: String,
    /// Hours recorded or armed per day.
    pub hours_per_day: f64,
    /// Share of armed time with motion (motion mode).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duty_cycle: Option<f64>,
    /// Events per day (events mode).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events_per_day: Option<f64>,
    /// Seconds kept before each event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pre_seconds: Option<f64>,
    /// Seconds kept after each event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post_seconds: Option<f64>,
    /// Seconds written per day, as planned.
    pub recorded_seconds_per_day: u64,
}

/// One camera.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Camera {
    /// Identifier ("store-03/entrance-and-tills-2").
    pub id: String,
    /// Site instance id.
    pub site: String,
    /// Camera group name.
    pub group: String,
    /// Brand, when the site file gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
    /// Model, when the site file gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Planned address.
    pub address: String,
    /// RTSP path of the main stream on a camscope-simulated camera.
    pub main_stream_path: String,
    /// RTSP path of the sub-stream, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_stream_path: Option<String>,
    /// The stream URIs the camera itself reported over ONVIF (`camscope rig inventory`), when
    /// `camscope generate --stream-uris` was given an inventory that has this camera. Exports
    /// use them instead of the planned address and paths.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reported_streams: Option<ReportedStreams>,
    /// Main-stream encoder settings.
    pub encoder: Encoder,
    /// Sub-stream, when the recorder pulls one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub substream: Option<SubStream>,
    /// Records audio.
    pub audio: bool,
    /// What the recorder receives from this camera, bit/s.
    pub ingest_bps: u64,
    /// Recording schedule.
    pub recording: RecordingSchedule,
    /// Days kept.
    pub retention_days: u32,
    /// Recorder id.
    pub recorder: String,
    /// Volume id.
    pub volume: String,
    /// Switch (or recorder) the camera plugs into.
    pub switch: String,
    /// Port number on it, 1-based.
    pub port: u32,
    /// PoE draw, milliwatts.
    pub poe_mw: u64,
}

/// How a camera that answered was matched to the planned camera.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum MatchedBy {
    /// Its name in the camera list (endpoints file, CSV, or its ONVIF `name` scope) is the
    /// planned camera's id.
    Id,
    /// Its address is the planned camera's address.
    Address,
}

impl MatchedBy {
    /// The name used in files and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchedBy::Id => "id",
            MatchedBy::Address => "address",
        }
    }
}

/// Stream URIs a camera reported over ONVIF (`GetProfiles` and `GetStreamUri`), never with
/// credentials in them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ReportedStreams {
    /// Main stream (the first profile), e.g. `rtsp://10.1.2.3:554/Streaming/Channels/101`.
    pub main_uri: String,
    /// Sub-stream (the smallest other profile), when the plan pulls one and the camera has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_uri: Option<String>,
    /// How the camera was matched to this planned camera.
    pub matched_by: MatchedBy,
    /// The camera's ONVIF device service.
    pub onvif: String,
    /// When the inventory was taken (RFC 3339).
    pub taken_at: String,
}

/// A switch's place in a site's network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum SwitchRole {
    /// Cameras plug into it; its uplink goes to the core or an aggregation switch.
    #[serde(rename = "access")]
    Access,
    /// The site's one access switch, with room for the recorders and clients: its own core.
    #[serde(rename = "access+core")]
    AccessCore,
    /// A distribution-tier switch: a block of access switches and the recorders of their
    /// cameras, its uplink on the core.
    #[serde(rename = "aggregation")]
    Aggregation,
    /// The site's core: access or aggregation switches, recorders and clients.
    #[serde(rename = "core")]
    Core,
}

impl SwitchRole {
    /// The name used in files and drawings.
    pub fn as_str(self) -> &'static str {
        match self {
            SwitchRole::Access => "access",
            SwitchRole::AccessCore => "access+core",
            SwitchRole::Aggregation => "aggregation",
            SwitchRole::Core => "core",
        }
    }
}

impl fmt::Display for SwitchRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A switch.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Switch {
    /// Identifier ("store-03/access-1").
    pub id: String,
    /// Site instance id.
    pub site: String,
    /// Its place in the site's network.
    pub role: SwitchRole,
    /// Catalog id.
    pub model_id: String,
    /// Model name.
    pub model: String,
    /// Ports.
    pub ports: u32,
    /// Ports in use.
    pub ports_used: u32,
    /// PoE budget, milliwatts.
    pub poe_budget_mw: u64,
    /// PoE drawn, milliwatts.
    pub poe_used_mw: u64,
}

/// A link and what crosses it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Link {
    /// One end (the end nearer the cameras).
    pub from: String,
    /// Other end.
    pub to: String,
    /// Line rate, bit/s.
    pub capacity_bps: u64,
    /// Highest load allowed (capacity × utilization limit), bit/s.
    pub limit_bps: u64,
    /// Traffic from `from` to `to`, bit/s (protocol overhead included).
    pub forward_bps: u64,
    /// Traffic from `to` to `from`, bit/s.
    pub reverse_bps: u64,
}

impl Link {
    /// The busier direction.
    pub fn load_bps(&self) -> u64 {
        self.forward_bps.max(self.reverse_bps)
    }
}

/// A live-view client.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Client {
    /// Identifier ("store-03/client-1").
    pub id: String,
    /// Site instance id.
    pub site: String,
    /// Planned address.
    pub address: String,
    /// Streams it shows at once.
    pub streams: u32,
    /// What it receives, bit/s.
    pub load_bps: u64,
}

/// The network.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct Network {
    /// Switches.
    pub switches: Vec<Switch>,
    /// Links.
    pub links: Vec<Link>,
    /// Live-view clients.
    pub clients: Vec<Client>,
}

impl Choice {
    /// The name used in files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Choice::Nvr => "nvr",
            Choice::Vms => "vms",
        }
    }
}

impl fmt::Display for Choice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The schema of a [`Codec`] field: one of the codec names `Codec::as_str` gives.
fn codec_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let names: Vec<&str> = Codec::ALL.iter().map(|c| c.as_str()).collect();
    schemars::json_schema!({
        "type": "string",
        "enum": names,
    })
}

/// A ceiling a recorder, switch or link can break.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Ceiling {
    /// A recorder's camera channels.
    Channels,
    /// A recorder's ingest after its reserve.
    Ingest,
    /// A recorder's usable storage.
    Storage,
    /// A switch's or recorder's PoE budget.
    Poe,
    /// A switch's ports.
    Ports,
    /// A link's utilization limit.
    Link,
    /// What a failover server can take over.
    Failover,
}

impl Ceiling {
    /// The name used in files and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Ceiling::Channels => "channels",
            Ceiling::Ingest => "ingest",
            Ceiling::Storage => "storage",
            Ceiling::Poe => "poe",
            Ceiling::Ports => "ports",
            Ceiling::Link => "link",
            Ceiling::Failover => "failover",
        }
    }
}

impl fmt::Display for Ceiling {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The unit of a violation's load and limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum Unit {
    /// Cameras (channels).
    #[serde(rename = "cameras")]
    Cameras,
    /// Bits per second.
    #[serde(rename = "bit/s")]
    BitsPerSecond,
    /// Bytes.
    #[serde(rename = "bytes")]
    Bytes,
    /// Milliwatts.
    #[serde(rename = "mW")]
    Milliwatts,
    /// Switch ports.
    #[serde(rename = "ports")]
    Ports,
}

impl Unit {
    /// The name used in files and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Cameras => "cameras",
            Unit::BitsPerSecond => "bit/s",
            Unit::Bytes => "bytes",
            Unit::Milliwatts => "mW",
            Unit::Ports => "ports",
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A ceiling the plan breaks, with the element, its load and its limit. Only equipment fixed in
/// the site file (`[site.network]`) can break a ceiling: what camscope chooses always fits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Violation {
    /// The element: "Store #3 / nvr-1 (Dahua NVR4116HS-EI)", "Store #3 / access-1 → core".
    pub element: String,
    /// What is exceeded.
    pub ceiling: Ceiling,
    /// The load.
    pub load: u64,
    /// The limit.
    pub limit: u64,
    /// Unit of load and limit.
    pub unit: Unit,
    /// The whole finding in words.
    pub message: String,
}

/// A manifest that cannot be read, with where and why.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Not JSON, or JSON of another shape.
    #[error("{file}:{line}:{column}: {path}: {message}")]
    Shape {
        /// The file's name as the user gave it.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// Field path ("cameras[3].encoder.fps"; "." for the whole document).
        path: String,
        /// What is wrong there.
        message: String,
        /// The JSON parser's error.
        #[source]
        source: serde_json::Error,
    },
    /// JSON of the right shape that does not hold together: no cameras, an id used twice, a
    /// reference to a camera or recorder that is not there, or a field this camscope does not
    /// know (when unknown fields are refused).
    #[error("{file}:{line}:{column}: {path}: {message}")]
    Invalid {
        /// The file's name as the user gave it.
        file: String,
        /// 1-based line of the value at fault.
        line: usize,
        /// 1-based column of the value at fault.
        column: usize,
        /// Field path ("recorders[0].cameras[2]").
        path: String,
        /// What is wrong there.
        message: String,
    },
    /// A manifest of another format version.
    #[error(
        "{file}: schema is {found:?}; this camscope reads {MANIFEST_SCHEMA:?} manifests (from `camscope generate`)"
    )]
    Schema {
        /// The file's name.
        file: String,
        /// The schema it names.
        found: String,
    },
}

/// What to do with a field the manifest format does not define.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnknownFields {
    /// Refuse it, naming where it is: a misspelt field is never silently ignored.
    #[default]
    Refuse,
    /// Read past it (a manifest written by a newer camscope); the fields are returned.
    Allow,
}

/// A manifest read, and the unknown fields read past (empty unless they were allowed).
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The manifest.
    pub manifest: Manifest,
    /// Paths of the fields that were read past.
    pub unknown_fields: Vec<String>,
}

/// Reads a manifest, refusing unknown fields; see [`parse_with`].
pub fn parse(file: &str, text: &str) -> Result<Manifest, Error> {
    parse_with(file, text, UnknownFields::Refuse).map(|p| p.manifest)
}

/// Reads a manifest, naming the file, line, column and field path on error: JSON of another
/// shape, a schema version other than this camscope's, an unknown field (unless `unknown` allows
/// it), an empty camera list, an id used twice, and a camera or recorder referenced but absent.
pub fn parse_with(file: &str, text: &str, unknown: UnknownFields) -> Result<Parsed, Error> {
    let mut ignored = Vec::new();
    let manifest = parse_shape(file, text, &mut ignored)?;
    let invalid = |path: String, message: String| {
        let (line, column) = locate::position(text, &path).unwrap_or((1, 1));
        Error::Invalid {
            file: file.to_string(),
            line,
            column,
            path,
            message,
        }
    };
    if unknown == UnknownFields::Refuse
        && let Some(path) = ignored.first()
    {
        return Err(invalid(
            path.clone(),
            "unknown field: this camscope's manifest format has no such field (a misspelling, or a manifest from a newer camscope: pass --allow-unknown-fields to read past it)".into(),
        ));
    }
    if let Some((path, message)) = check_references(&manifest) {
        return Err(invalid(path, message));
    }
    Ok(Parsed {
        manifest,
        unknown_fields: ignored,
    })
}

/// The first thing in a well-shaped manifest that does not hold together, as (path, message).
fn check_references(m: &Manifest) -> Option<(String, String)> {
    use std::collections::HashMap;
    if m.cameras.is_empty() {
        return Some((
            "cameras".into(),
            "the manifest lists no cameras: there is nothing to simulate or validate".into(),
        ));
    }
    let mut cameras: HashMap<&str, usize> = HashMap::new();
    for (i, c) in m.cameras.iter().enumerate() {
        if let Some(first) = cameras.insert(c.id.as_str(), i) {
            return Some((
                format!("cameras[{i}].id"),
                format!("camera id {:?} is used twice (also cameras[{first}])", c.id),
            ));
        }
    }
    let mut recorders: HashMap<&str, usize> = HashMap::new();
    for (i, r) in m.recorders.iter().enumerate() {
        if let Some(first) = recorders.insert(r.id.as_str(), i) {
            return Some((
                format!("recorders[{i}].id"),
                format!(
                    "recorder id {:?} is used twice (also recorders[{first}])",
                    r.id
                ),
            ));
        }
        for (j, c) in r.cameras.iter().enumerate() {
            if !cameras.contains_key(c.as_str()) {
                return Some((
                    format!("recorders[{i}].cameras[{j}]"),
                    format!(
                        "recorder {:?} names camera {c:?}, which is not in `cameras`",
                        r.id
                    ),
                ));
            }
        }
    }
    for (i, c) in m.cameras.iter().enumerate() {
        if !recorders.contains_key(c.recorder.as_str()) {
            return Some((
                format!("cameras[{i}].recorder"),
                format!(
                    "camera {:?} records to {:?}, which is not in `recorders`",
                    c.id, c.recorder
                ),
            ));
        }
    }
    None
}

/// The JSON read into the types, collecting the paths of fields the types do not define.
fn parse_shape(file: &str, text: &str, ignored: &mut Vec<String>) -> Result<Manifest, Error> {
    // The version first, so a manifest of another version says so rather than failing on
    // whichever field changed.
    #[derive(Deserialize)]
    struct Version {
        schema: Option<String>,
    }
    if let Ok(Version {
        schema: Some(found),
    }) = serde_json::from_str::<Version>(text)
        && found != MANIFEST_SCHEMA
    {
        return Err(Error::Schema {
            file: file.to_string(),
            found,
        });
    }
    let de = &mut serde_json::Deserializer::from_str(text);
    let mut note = |path: serde_ignored::Path<'_>| ignored.push(field_path(&path));
    let de = serde_ignored::Deserializer::new(de, &mut note);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let source = e.into_inner();
        Error::Shape {
            file: file.to_string(),
            line: source.line(),
            column: source.column(),
            path,
            message: strip_position(&source),
            source,
        }
    })
}

/// A serde_ignored path in the form the errors use: `cameras[3].encoder.gop`.
fn field_path(path: &serde_ignored::Path<'_>) -> String {
    use serde_ignored::Path;
    match path {
        Path::Root => String::new(),
        Path::Seq { parent, index } => format!("{}[{index}]", field_path(parent)),
        Path::Map { parent, key } => {
            let parent = field_path(parent);
            if parent.is_empty() {
                key.clone()
            } else {
                format!("{parent}.{key}")
            }
        }
        Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => field_path(parent),
    }
}

/// serde_json's message without its " at line L column C" tail (the error names them first).
fn strip_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// The JSON Schema of `manifest.json`, as published in `docs/manifest.schema.json`.
pub fn schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Manifest)).unwrap_or(serde_json::Value::Null)
}

/// Where a value sits in JSON text, found by serde_json itself: a walk down the path that fails
/// on purpose at the value, so the parser reports its line and column.
mod locate {
    use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
    use std::fmt;

    /// One step of a field path.
    enum Step {
        Key(String),
        Index(usize),
    }

    /// `recorders[0].cameras[2]` as steps; `None` for a path this module cannot read.
    fn steps(path: &str) -> Option<Vec<Step>> {
        let mut out = Vec::new();
        for part in path.split('.') {
            let (key, rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
            if !key.is_empty() {
                out.push(Step::Key(key.to_string()));
            }
            for index in rest.split('[').filter(|s| !s.is_empty()) {
                out.push(Step::Index(index.strip_suffix(']')?.parse().ok()?));
            }
        }
        Some(out)
    }

    /// 1-based line and column of the value at `path`.
    pub(super) fn position(text: &str, path: &str) -> Option<(usize, usize)> {
        let steps = steps(path)?;
        let mut de = serde_json::Deserializer::from_str(text);
        match (Walk { steps: &steps }).deserialize(&mut de) {
            Err(e) if e.to_string().starts_with(FOUND) => Some((e.line(), e.column())),
            _ => None,
        }
    }

    const FOUND: &str = "camscope-manifest: found";

    struct Walk<'a> {
        steps: &'a [Step],
    }

    impl<'de> DeserializeSeed<'de> for Walk<'_> {
        type Value = ();
        fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for Walk<'_> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            let Some((Step::Key(want), rest)) = self.steps.split_first() else {
                return Err(de::Error::custom(FOUND));
            };
            while let Some(key) = map.next_key::<String>()? {
                if key == *want {
                    return map.next_value_seed(Walk { steps: rest });
                }
                map.next_value::<IgnoredAny>()?;
            }
            Err(de::Error::custom("camscope-manifest: path not found"))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            let Some((Step::Index(want), rest)) = self.steps.split_first() else {
                return Err(de::Error::custom(FOUND));
            };
            for _ in 0..*want {
                if seq.next_element::<IgnoredAny>()?.is_none() {
                    return Err(de::Error::custom("camscope-manifest: path not found"));
                }
            }
            seq.next_element_seed(Walk { steps: rest })?
                .ok_or_else(|| de::Error::custom("camscope-manifest: path not found"))
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
            self.leaf()
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
            self.leaf()
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
            self.leaf()
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
            self.leaf()
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
            self.leaf()
        }
        fn visit_unit<E: de::Error>(self) -> Result<(), E> {
            self.leaf()
        }
    }

    impl Walk<'_> {
        fn leaf<E: de::Error>(&self) -> Result<(), E> {
            if self.steps.is_empty() {
                Err(E::custom(FOUND))
            } else {
                Err(E::custom("camscope-manifest: path not found"))
            }
        }
    }
}
