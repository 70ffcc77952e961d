//! `rig inventory`: asks every camera of a manifest over ONVIF what its streams are
//! (`GetDeviceInformation`, `GetProfiles`, `GetStreamUri` per profile, with the same HTTP
//! Digest / WS-Security login as `rig validate`) and builds the stream inventory that
//! `camscope generate --stream-uris` writes back into the exports.
//!
//! Cameras are found as `rig validate` finds them ([`CameraSource`]) and matched to planned
//! cameras by id, then by address ([`crate::inventory::match_found`]). Every planned camera gets
//! an entry with its status and why; every device that matched nothing is listed.

use std::path::{Path, PathBuf};
use std::time::Duration;

use futures::StreamExt;
use hil_rig::onvif::auth::Credentials;
use hil_rig::onvif::client::{OnvifClient, Profile};

use crate::input::{manifest_credentials, manifest_sha256, read, runtime};
use crate::inventory::{
    Device, Found, INVENTORY_SCHEMA, Inventory, InventoryCamera, InventoryManifest, Match,
    ReportedStream, Status, StreamUri, match_found,
};
use crate::judge::Tolerances;
use crate::locate::{CameraSource, client_reason, list, strip_credentials};
use crate::{Error, ErrorKind};

/// How `survey` runs.
#[derive(Debug, Clone)]
pub struct SurveyOptions {
    /// The manifest `camscope generate` wrote.
    pub manifest: PathBuf,
    /// Where the cameras are listed; none is bad input.
    pub source: Option<CameraSource>,
}

/// What one camera answered.
struct Answer {
    status: Status,
    device: Option<Device>,
    main: Option<ReportedStream>,
    sub: Option<ReportedStream>,
    notes: Vec<String>,
}

impl Answer {
    fn none(note: String) -> Answer {
        Answer {
            status: Status::NoAnswer,
            device: None,
            main: None,
            sub: None,
            notes: vec![note],
        }
    }
}

/// The stream of `profile`, as `GetStreamUri` reports it, credentials removed.
async fn stream_of(client: &OnvifClient, profile: &Profile) -> Result<ReportedStream, String> {
    let uri = client
        .stream_uri(&profile.token)
        .await
        .map_err(|e| client_reason(&format!("GetStreamUri {}", profile.token), &e).message)?;
    let uri = StreamUri::new(&strip_credentials(&uri))
        .map_err(|e| format!("GetStreamUri {}: {e}", profile.token))?;
    Ok(ReportedStream {
        profile: profile.token.clone(),
        uri,
        encoding: profile.encoder.as_ref().map(|e| e.encoding.clone()),
        width: profile.encoder.as_ref().map(|e| e.width),
        height: profile.encoder.as_ref().map(|e| e.height),
    })
}

/// The sub-stream: the smallest of the profiles after the main one.
async fn sub_stream(client: &OnvifClient, others: &[Profile], answer: &mut Answer) {
    let smallest = others.iter().min_by_key(|p| {
        p.encoder
            .as_ref()
            .map_or(u64::MAX, |e| u64::from(e.width) * u64::from(e.height))
    });
    match smallest {
        Some(p) => match stream_of(client, p).await {
            Ok(s) => answer.sub = Some(s),
            Err(e) => answer.notes.push(format!(
                "the planned sub-stream's URI is missing ({e}); the exports detect on the main stream"
            )),
        },
        None => answer.notes.push(
            "the plan pulls a sub-stream but the camera reports one profile; the exports detect on the main stream"
                .into(),
        ),
    }
}

/// Asks one camera for its identity, profiles and stream URIs. The main stream is the first
/// profile (as `rig validate` takes it); the sub-stream, when the plan pulls one, is the
/// smallest of the other profiles.
async fn ask(url: String, credentials: Credentials, wants_sub: bool, timeout: Duration) -> Answer {
    let client = match OnvifClient::connect(&url, credentials, timeout).await {
        Ok(c) => c,
        Err(e) => return Answer::none(client_reason("ONVIF connect", &e).message),
    };
    let mut answer = Answer {
        notes: Vec::new(),
        ..Answer::none(String::new())
    };
    match client.device_information().await {
        Ok(i) => {
            answer.device = Some(Device {
                manufacturer: i.manufacturer,
                model: i.model,
                firmware: i.firmware_version,
                serial: i.serial_number,
            });
        }
        Err(e) => answer
            .notes
            .push(client_reason("GetDeviceInformation", &e).message),
    }
    let profiles = match client.profiles().await {
        Ok(p) => p,
        Err(e) => {
            answer.notes.push(client_reason("GetProfiles", &e).message);
            return answer;
        }
    };
    answer.status = Status::NoStreamUri;
    let Some((first, others)) = profiles.split_first() else {
        answer.notes.push("GetProfiles returned no profile".into());
        return answer;
    };
    match stream_of(&client, first).await {
        Ok(s) => {
            answer.main = Some(s);
            answer.status = Status::Reported;
        }
        Err(e) => {
            answer.notes.push(e);
            return answer;
        }
    }
    if wants_sub {
        sub_stream(&client, others, &mut answer).await;
    }
    answer
}

/// Runs `rig inventory`: the inventory of every planned camera of the manifest, with its
/// status, and the devices that matched none.
pub fn survey(options: &SurveyOptions) -> Result<Inventory, Error> {
    let manifest_text = read(&options.manifest)?;
    let manifest_file = options.manifest.display().to_string();
    let manifest = manifest::parse(&manifest_file, &manifest_text)
        .map_err(|e| Error::of(ErrorKind::Input, e))?;
    let tolerances = Tolerances::shipped()?;
    let timeout = Duration::from_secs_f64(tolerances.onvif_timeout_s);
    let credentials = manifest_credentials(&manifest)?;
    let Some(source) = &options.source else {
        return Err(Error::input(
            "say where the cameras are: --endpoints FILE, --cameras FILE.csv or --discover ADDRESS",
        ));
    };
    let runtime = runtime()?;
    let taken_at = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let cameras: Vec<&manifest::Camera> = manifest.cameras.iter().collect();
    let (found, answers) = runtime.block_on(async {
        let listed = list(source, &credentials, timeout).await?;
        let found: Vec<Found> = listed.iter().map(|l| l.found.clone()).collect();
        let (matched, _) = match_found(&cameras, &found);
        let answers: Vec<(String, Answer)> =
            futures::stream::iter(matched.iter().filter_map(|(id, m)| {
                let l = &listed[m.found];
                let url = l.found.onvif.clone()?;
                let wants_sub = cameras
                    .iter()
                    .any(|c| &c.id == id && c.sub_stream_path.is_some());
                let creds = l.credentials.clone();
                let id = id.clone();
                Some(async move { (id, ask(url, creds, wants_sub, timeout).await) })
            }))
            .buffer_unordered(tolerances.onvif_concurrency as usize)
            .collect()
            .await;
        Ok::<_, Error>((found, answers))
    })?;
    let (matched, unmatched) = match_found(&cameras, &found);
    let mut answers: std::collections::BTreeMap<String, Answer> = answers.into_iter().collect();
    Ok(Inventory {
        schema: INVENTORY_SCHEMA.into(),
        generated_by: format!("camscope {}", env!("CARGO_PKG_VERSION")),
        taken_at,
        manifest: InventoryManifest {
            path: manifest_file,
            project: manifest.project.clone(),
            sha256: manifest_sha256(&manifest_text),
        },
        source: match source {
            CameraSource::Endpoints(_) => "endpoints",
            CameraSource::CameraList(_) => "camera-list",
            CameraSource::Discover(_) => "discovery",
        }
        .into(),
        credentials: manifest.credentials.clone(),
        cameras: cameras
            .iter()
            .map(|c| entry(c, matched.get(&c.id), &found, answers.remove(&c.id)))
            .collect(),
        unmatched,
    })
}

/// The inventory entry of one planned camera.
fn entry(
    c: &manifest::Camera,
    matched: Option<&Match>,
    found: &[Found],
    answer: Option<Answer>,
) -> InventoryCamera {
    let Some(m) = matched else {
        return InventoryCamera {
            id: c.id.clone(),
            status: Status::NotFound,
            matched_by: None,
            listed_as: None,
            onvif: None,
            device: None,
            main: None,
            sub: None,
            notes: vec![format!(
                "no camera listed under its id and none at its planned address {}",
                c.address
            )],
        };
    };
    let f = &found[m.found];
    let listed_as = f.name.clone().filter(|n| n != &c.id);
    let answer = answer.unwrap_or_else(|| {
        Answer::none("listed without an ONVIF address, so it could not be asked".into())
    });
    InventoryCamera {
        id: c.id.clone(),
        status: answer.status,
        matched_by: Some(m.by),
        listed_as,
        onvif: f.onvif.clone(),
        device: answer.device,
        main: answer.main,
        sub: answer.sub,
        notes: answer.notes,
    }
}

/// Writes the inventory (JSON, `camscope-inventory/1`) to `path`.
pub fn write_inventory(inventory: &Inventory, path: &Path) -> Result<(), Error> {
    let text = serde_json::to_string_pretty(inventory)
        .map_err(|e| Error::caused(ErrorKind::Io, "writing the inventory", e))?
        + "\n";
    std::fs::write(path, text).map_err(|e| Error::io(path, e))
}
