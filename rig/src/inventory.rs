//! The stream inventory (`inventory.json`): what each planned camera reported over ONVIF when
//! `camscope rig inventory` asked it, so that `camscope generate --stream-uris` writes the
//! cameras' own stream URIs into the exports instead of the simulator's planned paths.
//!
//! One entry per planned camera of the manifest, in manifest order, with its status (reported,
//! no answer, no stream URI, not found) and why; every device found that matched no planned
//! camera is listed too. Nothing is dropped: a camera without reported URIs keeps its planned
//! path in the exports, and `generate` says which and why.
//!
//! The file never holds a credential: URIs with a user or password in them are refused on
//! reading (and stripped before writing), and the exports keep referring to credentials by
//! environment variable, as they do without an inventory.
//!
//! Pure: matching and applying are functions of their inputs; the ONVIF questions are
//! the CLI's `rig inventory`'s, reading files the CLI's.

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::Error;
use manifest::{Manifest, MatchedBy, ReportedStreams};

/// Identifies the inventory format; bumped when a field changes meaning.
pub const INVENTORY_SCHEMA: &str = "camscope-inventory/1";

/// `inventory.json`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Inventory {
    /// Always "camscope-inventory/1".
    pub schema: String,
    /// camscope version that wrote it.
    pub generated_by: String,
    /// When the cameras were asked (RFC 3339).
    pub taken_at: String,
    /// The manifest whose cameras were asked.
    pub manifest: InventoryManifest,
    /// Where the cameras were found: "endpoints", "camera-list" or "discovery".
    pub source: String,
    /// Environment variables that held the ONVIF credentials; never the credentials.
    pub credentials: manifest::Credentials,
    /// One entry per planned camera, in manifest order.
    pub cameras: Vec<InventoryCamera>,
    /// Devices found that matched no planned camera, with why.
    pub unmatched: Vec<Unmatched>,
}

/// The manifest an inventory was taken for.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InventoryManifest {
    /// Its path as given.
    pub path: String,
    /// Project name.
    pub project: String,
    /// SHA-256 of the file.
    pub sha256: String,
}

/// What became of one planned camera.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// It answered and reported its stream URIs.
    Reported,
    /// It was found but did not answer over ONVIF (unreachable, refused the credentials, a fault).
    NoAnswer,
    /// It answered but reported no usable stream URI (no profile, GetStreamUri failed).
    NoStreamUri,
    /// Nothing in the camera list, endpoints file or discovery matched it.
    NotFound,
}

impl Status {
    /// The name used in files and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Reported => "reported",
            Status::NoAnswer => "no-answer",
            Status::NoStreamUri => "no-stream-uri",
            Status::NotFound => "not-found",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stream URI as a camera reports it: `rtsp://` or `rtsps://`, with a host, without
/// credentials. Checked when read, so a bad one is reported at its line and field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(transparent)]
pub struct StreamUri(String);

impl StreamUri {
    /// Checks `text` as a stream URI.
    pub fn new(text: &str) -> Result<StreamUri, String> {
        // Never echo a URL that may hold a password: the credentials are checked first.
        let url = url::Url::parse(text).map_err(|e| format!("not a URL ({e})"))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err("the URL holds credentials; an inventory never does (credentials stay in the environment variables it names)".into());
        }
        if !matches!(url.scheme(), "rtsp" | "rtsps") {
            return Err(format!("{text:?} is not an RTSP URL (rtsp:// or rtsps://)"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(format!("{text:?} has no host"));
        }
        Ok(StreamUri(text.to_string()))
    }

    /// The URI.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for StreamUri {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<StreamUri, D::Error> {
        let text = String::deserialize(d)?;
        StreamUri::new(&text).map_err(serde::de::Error::custom)
    }
}

/// One stream a camera reported.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportedStream {
    /// The ONVIF profile token.
    pub profile: String,
    /// The URI `GetStreamUri` returned, credentials removed.
    pub uri: StreamUri,
    /// Encoding the profile's encoder reports (H264, H265, JPEG), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// Width in pixels, when reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// Height in pixels, when reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
}

/// Identity from `GetDeviceInformation`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Device {
    /// Manufacturer.
    pub manufacturer: String,
    /// Model.
    pub model: String,
    /// Firmware version.
    pub firmware: String,
    /// Serial number.
    pub serial: String,
}

/// One planned camera in the inventory.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InventoryCamera {
    /// The planned camera's id in the manifest.
    pub id: String,
    /// What became of it.
    pub status: Status,
    /// How the camera that answered was matched to it (absent when not found).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matched_by: Option<MatchedBy>,
    /// The name it was listed under, when that is not its id (a camera list row, a scope).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listed_as: Option<String>,
    /// Its ONVIF device service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub onvif: Option<String>,
    /// What it says it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<Device>,
    /// Its main stream (the first profile).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub main: Option<ReportedStream>,
    /// Its sub-stream (the smallest other profile), when the plan pulls one and it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<ReportedStream>,
    /// Why it is not `reported`, or what is missing (a planned sub-stream it does not have).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// A device found that matched no planned camera.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Unmatched {
    /// The name it was listed under, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its ONVIF device service, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub onvif: Option<String>,
    /// Why it matched nothing.
    pub reason: String,
}

/// A device found in a camera list, an endpoints file or by discovery, before matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The name it is listed under (the camera list's `camera`, an ONVIF `name` scope).
    pub name: Option<String>,
    /// Its ONVIF device service, if known.
    pub onvif: Option<String>,
    /// Its RTSP URL when the list gives one.
    pub rtsp: Option<String>,
}

impl Found {
    /// The host of its ONVIF service (or, without one, of its RTSP URL).
    pub fn host(&self) -> Option<String> {
        self.onvif
            .iter()
            .chain(&self.rtsp)
            .find_map(|u| url::Url::parse(u).ok()?.host_str().map(str::to_string))
    }
}

/// A planned camera matched to a device found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// Index of the device in the list given to [`match_found`].
    pub found: usize,
    /// How.
    pub by: MatchedBy,
}

/// Loose spelling of a name, for names from ONVIF scopes ("Store-01 Door" ~ "store-01/door").
pub(crate) fn simple(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// Matches devices found to planned cameras: first by id (the listed name is the camera's id,
/// exactly or in loose spelling), then, for cameras still unmatched, by address (the device's
/// host is the camera's planned address). A planned camera takes the first device that matches
/// it; every device left over is returned with why it matched nothing.
pub fn match_found(
    cameras: &[&manifest::Camera],
    found: &[Found],
) -> (BTreeMap<String, Match>, Vec<Unmatched>) {
    let mut matched: BTreeMap<String, Match> = BTreeMap::new();
    let mut used = vec![false; found.len()];
    for (fi, f) in found.iter().enumerate() {
        let Some(name) = &f.name else { continue };
        let hit = cameras
            .iter()
            .find(|c| &c.id == name)
            .or_else(|| cameras.iter().find(|c| simple(&c.id) == simple(name)));
        if let Some(c) = hit
            && !matched.contains_key(&c.id)
        {
            matched.insert(
                c.id.clone(),
                Match {
                    found: fi,
                    by: MatchedBy::Id,
                },
            );
            used[fi] = true;
        }
    }
    for (fi, f) in found.iter().enumerate() {
        if used[fi] {
            continue;
        }
        let Some(host) = f.host() else { continue };
        if let Some(c) = cameras
            .iter()
            .find(|c| c.address == host && !matched.contains_key(&c.id))
        {
            matched.insert(
                c.id.clone(),
                Match {
                    found: fi,
                    by: MatchedBy::Address,
                },
            );
            used[fi] = true;
        }
    }
    let unmatched = found
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(f, _)| {
            let host = f.host();
            let taken = |id: &str| {
                matched
                    .get(id)
                    .map(|m| found[m.found].onvif.clone().unwrap_or_default())
            };
            let by_name = f.name.as_deref().and_then(|n| {
                cameras
                    .iter()
                    .find(|c| c.id == n || simple(&c.id) == simple(n))
            });
            let reason = match (by_name, &f.name, &host) {
                (Some(c), _, _) => format!(
                    "planned camera {} is already matched to the device at {}",
                    c.id,
                    taken(&c.id).unwrap_or_default()
                ),
                (None, Some(n), Some(h)) => {
                    format!("no planned camera has the id {n:?} or the address {h}")
                }
                (None, Some(n), None) => format!("no planned camera has the id {n:?}"),
                (None, None, Some(h)) => format!("no planned camera has the address {h}"),
                (None, None, None) => "it has neither a name nor an address".into(),
            };
            Unmatched {
                name: f.name.clone(),
                onvif: f.onvif.clone(),
                reason,
            }
        })
        .collect();
    (matched, unmatched)
}

/// Reads an inventory, naming the file, line, column and field on error.
pub fn parse(file: &str, text: &str) -> Result<Inventory, Error> {
    #[derive(Deserialize)]
    struct Version {
        schema: Option<String>,
    }
    if let Ok(Version {
        schema: Some(found),
    }) = serde_json::from_str::<Version>(text)
        && found != INVENTORY_SCHEMA
    {
        return Err(Error::input(format!(
            "{file}: schema is {found:?}; this camscope reads {INVENTORY_SCHEMA:?} inventories (from `camscope rig inventory`)"
        )));
    }
    let inv: Inventory = crate::judge::read_json(file, text)?;
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, c) in inv.cameras.iter().enumerate() {
        if let Some(first) = seen.insert(c.id.as_str(), i) {
            return Err(Error::input(format!(
                "{file}:{}: cameras[{i}].id: {:?} is already cameras[{first}]",
                line_of_nth(text, &format!("{:?}", c.id), 2),
                c.id
            )));
        }
        if c.status == Status::Reported && c.main.is_none() {
            return Err(Error::input(format!(
                "{file}:{}: cameras[{i}].main: status is \"reported\" but there is no main stream",
                line_of_nth(text, &format!("{:?}", c.id), 1),
            )));
        }
    }
    Ok(inv)
}

/// The 1-based line of the `n`th occurrence of `needle` in `text` (the last line if fewer).
fn line_of_nth(text: &str, needle: &str, n: usize) -> usize {
    let at = text
        .match_indices(needle)
        .nth(n.saturating_sub(1))
        .map_or(text.len(), |(i, _)| i);
    text[..at].matches('\n').count() + 1
}

/// What writing an inventory's URIs into a deployment did, camera by camera.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    /// Cameras that now carry reported URIs: (id, how matched).
    pub reported: Vec<(String, MatchedBy)>,
    /// Cameras that keep their planned paths, with why.
    pub kept: Vec<(String, String)>,
    /// Inventory entries for cameras this deployment does not have.
    pub not_in_plan: Vec<String>,
    /// Devices the inventory found that matched no planned camera.
    pub unmatched: Vec<Unmatched>,
}

/// Writes the reported URIs of `inv` into the cameras of `m` (the exports read them from there).
/// A camera the inventory does not report keeps its planned paths, and is listed with why.
pub fn apply(m: &mut Manifest, inv: &Inventory) -> Applied {
    let by_id: BTreeMap<&str, &InventoryCamera> =
        inv.cameras.iter().map(|c| (c.id.as_str(), c)).collect();
    let mut applied = Applied {
        unmatched: inv.unmatched.clone(),
        ..Applied::default()
    };
    for cam in &mut m.cameras {
        let Some(entry) = by_id.get(cam.id.as_str()) else {
            applied
                .kept
                .push((cam.id.clone(), "not in the inventory".into()));
            continue;
        };
        match (&entry.main, entry.status, entry.matched_by) {
            (Some(main), Status::Reported, Some(by)) => {
                cam.reported_streams = Some(ReportedStreams {
                    main_uri: main.uri.as_str().to_string(),
                    sub_uri: cam
                        .sub_stream_path
                        .as_ref()
                        .and(entry.sub.as_ref())
                        .map(|s| s.uri.as_str().to_string()),
                    matched_by: by,
                    onvif: entry.onvif.clone().unwrap_or_default(),
                    taken_at: inv.taken_at.clone(),
                });
                applied.reported.push((cam.id.clone(), by));
            }
            _ => {
                let why = if entry.notes.is_empty() {
                    entry.status.to_string()
                } else {
                    format!("{}: {}", entry.status, entry.notes.join("; "))
                };
                applied.kept.push((cam.id.clone(), why));
            }
        }
    }
    let planned: BTreeMap<&str, ()> = m.cameras.iter().map(|c| (c.id.as_str(), ())).collect();
    applied.not_in_plan = inv
        .cameras
        .iter()
        .filter(|c| !planned.contains_key(c.id.as_str()))
        .map(|c| c.id.clone())
        .collect();
    applied
}

/// The JSON Schema of `inventory.json`, as published in `docs/inventory.schema.json`.
pub fn schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Inventory)).unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn camera(id: &str, address: &str) -> manifest::Camera {
        let text = format!(
            r#"{{"id":"{id}","site":"s","group":"g","address":"{address}","main_stream_path":"/{id}/main",
            "encoder":{{"codec":"h264","width":1920,"height":1080,"resolution":"1080p","fps":15,"bitrate_cap_kbps":4000,"gop":30,"profile":"main"}},
            "audio":false,"ingest_bps":4000000,"recording":{{"mode":"continuous","hours_per_day":24,"recorded_seconds_per_day":86400}},
            "retention_days":30,"recorder":"s/nvr-1","volume":"s/nvr-1/vol-1","switch":"s/access-1","port":1,"poe_mw":0}}"#
        );
        serde_json::from_str(&text).unwrap()
    }

    fn found(name: Option<&str>, onvif: &str) -> Found {
        Found {
            name: name.map(str::to_string),
            onvif: Some(onvif.to_string()),
            rtsp: None,
        }
    }

    #[test]
    fn devices_match_by_id_then_by_address_and_the_rest_say_why() {
        let a = camera("s/door-1", "10.16.0.100");
        let b = camera("s/door-2", "10.16.0.101");
        let c = camera("s/yard-1", "10.16.0.102");
        let cams = [&a, &b, &c];
        let list = [
            // A vendor name at the planned address of door-2.
            found(Some("Lobby cam"), "http://10.16.0.101/onvif/device_service"),
            found(Some("s/door-1"), "http://192.168.1.20/onvif/device_service"),
            // door-1 again, by its loose spelling: already taken.
            found(Some("S Door 1"), "http://192.168.1.21/onvif/device_service"),
            found(None, "http://192.168.1.99/onvif/device_service"),
        ];
        let (m, rest) = match_found(&cams, &list);
        assert_eq!(
            m["s/door-1"],
            Match {
                found: 1,
                by: MatchedBy::Id
            }
        );
        assert_eq!(
            m["s/door-2"],
            Match {
                found: 0,
                by: MatchedBy::Address
            }
        );
        assert!(!m.contains_key("s/yard-1"));
        assert_eq!(rest.len(), 2);
        assert!(
            rest[0].reason.contains("s/door-1 is already matched"),
            "{rest:?}"
        );
        assert!(rest[1].reason.contains("address 192.168.1.99"), "{rest:?}");
    }

    #[test]
    fn stream_uris_are_rtsp_with_a_host_and_no_credentials() {
        assert!(StreamUri::new("rtsp://10.0.0.5:554/Streaming/Channels/101").is_ok());
        assert!(StreamUri::new("rtsp://10.0.0.5/cam/realmonitor?channel=1&subtype=0").is_ok());
        assert!(StreamUri::new("http://10.0.0.5/x").is_err());
        assert!(StreamUri::new("rtsp://admin:pw@10.0.0.5/x").is_err());
        assert!(StreamUri::new("not a url").is_err());
    }

    #[test]
    fn a_bad_uri_is_reported_at_its_line_and_field() {
        let text = "{\n\"schema\": \"camscope-inventory/1\",\n\"generated_by\": \"t\",\n\"taken_at\": \"t\",\n\"manifest\": {\"path\": \"m\", \"project\": \"p\", \"sha256\": \"x\"},\n\"source\": \"endpoints\",\n\"credentials\": {\"username_env\": \"U\", \"password_env\": \"P\"},\n\"cameras\": [\n{\"id\": \"s/a-1\", \"status\": \"reported\", \"matched_by\": \"id\",\n \"main\": {\"profile\": \"main\", \"uri\": \"rtsp://admin:secret@10.0.0.5/main\"}}\n],\n\"unmatched\": []\n}\n";
        let msg = parse("inv.json", text).unwrap_err().to_string();
        assert!(msg.starts_with("inv.json:10:"), "{msg}");
        assert!(msg.contains("cameras[0].main.uri"), "{msg}");
        assert!(!msg.contains("secret"), "{msg}");
    }
}
