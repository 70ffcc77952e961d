//! `camscope rig inventory`: asks every camera of a manifest over ONVIF what its streams are
//! (`GetDeviceInformation`, `GetProfiles`, `GetStreamUri` per profile, with the same HTTP
//! Digest / WS-Security login as `rig validate`) and writes the stream inventory that
//! `camscope generate --stream-uris` writes back into the exports.
//!
//! Cameras are found as `rig validate` finds them (an endpoints file, a camera-list CSV or
//! WS-Discovery) and matched to planned cameras by id, then by address
//! ([`rig::inventory::match_found`]). Every planned camera gets an entry with its status and
//! why; every device that matched nothing is listed. Progress and the report go to the CLI's
//! streams; exit status 0 when every planned camera reported its streams, 1 when some did not,
//! 2 for bad input.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use futures::StreamExt;
use hil_rig::onvif::auth::{Credentials, Secret};
use hil_rig::onvif::client::{OnvifClient, Profile};
use sha2::{Digest, Sha256};

use crate::cli::Failure;
use crate::rig_validate::{
    Listed, client_reason, env_secret, list_camera_list, list_discovered, list_endpoints, read,
    strip_credentials,
};
use rig::inventory::{
    Device, Found, INVENTORY_SCHEMA, Inventory, InventoryCamera, InventoryManifest, Match,
    ReportedStream, Status, StreamUri, match_found,
};
use rig::judge::Tolerances;

/// Arguments of `camscope rig inventory`.
#[derive(Debug, Args)]
pub struct InventoryArgs {
    /// The manifest `camscope generate` wrote.
    pub manifest: PathBuf,
    /// A JSON array of {name, onvif, rtsp} (as `camscope rig simulate --endpoints` writes).
    #[arg(long, value_name = "FILE", group = "source")]
    pub endpoints: Option<PathBuf>,
    /// A camera-list CSV: camera, onvif, [rtsp], [username_env], [password_env] (as
    /// `rig validate --inventory` reads it). `camera` is the planned id or any name; a camera
    /// whose name is no planned id is matched by its address.
    #[arg(long, value_name = "FILE", group = "source")]
    pub cameras: Option<PathBuf>,
    /// Find the cameras with WS-Discovery through the interface with this IPv4 address.
    #[arg(long, value_name = "INTERFACE-ADDRESS", group = "source")]
    pub discover: Option<std::net::Ipv4Addr>,
    /// Where to write the inventory (JSON, `camscope-inventory/1`).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// What one camera answered.
struct Answer {
    status: Status,
    device: Option<Device>,
    main: Option<ReportedStream>,
    sub: Option<ReportedStream>,
    notes: Vec<String>,
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

/// Asks one camera for its identity, profiles and stream URIs. The main stream is the first
/// profile (as `rig validate` takes it); the sub-stream, when the plan pulls one, is the
/// smallest of the other profiles.
async fn ask(url: String, credentials: Credentials, wants_sub: bool, timeout: Duration) -> Answer {
    let mut answer = Answer {
        status: Status::NoAnswer,
        device: None,
        main: None,
        sub: None,
        notes: Vec::new(),
    };
    let client = match OnvifClient::connect(&url, credentials, timeout).await {
        Ok(c) => c,
        Err(e) => {
            answer
                .notes
                .push(client_reason("ONVIF connect", &e).message);
            return answer;
        }
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
        let smallest = others.iter().min_by_key(|p| {
            p.encoder
                .as_ref()
                .map_or(u64::MAX, |e| u64::from(e.width) * u64::from(e.height))
        });
        match smallest {
            Some(p) => match stream_of(&client, p).await {
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
    answer
}

/// Runs `camscope rig inventory`.
pub fn inventory(
    args: InventoryArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32, Failure> {
    let manifest_text = read(&args.manifest)?;
    let manifest_file = args.manifest.display().to_string();
    let manifest = manifest::parse(&manifest_file, &manifest_text).map_err(Failure::of)?;
    let tolerances = Tolerances::shipped()?;
    let timeout = Duration::from_secs_f64(tolerances.onvif_timeout_s);
    let credentials = Credentials {
        username: env_secret(&manifest.credentials.username_env, "user name")?,
        password: Secret::new(env_secret(&manifest.credentials.password_env, "password")?),
    };
    let (listed, source): (Vec<Listed>, &str) = match (&args.endpoints, &args.cameras) {
        (Some(path), _) => (list_endpoints(path, &credentials)?, "endpoints"),
        (None, Some(path)) => (list_camera_list(path, &credentials)?, "camera-list"),
        (None, None) => (Vec::new(), "discovery"),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::caused("cannot start the async runtime", e))?;
    let taken_at = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let cameras: Vec<&manifest::Camera> = manifest.cameras.iter().collect();
    let (listed, answers) = runtime.block_on(async {
        let listed = match (source, args.discover) {
            ("discovery", Some(interface)) => {
                list_discovered(interface, &credentials, timeout).await?
            }
            ("discovery", None) => {
                return Err(Failure::new(
                    "say where the cameras are: --endpoints FILE, --cameras FILE.csv or --discover ADDRESS"
                        .into(),
                ));
            }
            _ => listed,
        };
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
        Ok::<_, Failure>((found, answers))
    })?;
    let (matched, unmatched) = match_found(&cameras, &listed);
    let mut answers: std::collections::BTreeMap<String, Answer> = answers.into_iter().collect();
    let entries: Vec<InventoryCamera> = cameras
        .iter()
        .map(|c| entry(c, matched.get(&c.id), &listed, answers.remove(&c.id)))
        .collect();
    let inventory = Inventory {
        schema: INVENTORY_SCHEMA.into(),
        generated_by: format!("camscope {}", env!("CARGO_PKG_VERSION")),
        taken_at,
        manifest: InventoryManifest {
            path: manifest_file,
            project: manifest.project.clone(),
            sha256: format!("{:x}", Sha256::digest(manifest_text.as_bytes())),
        },
        source: source.into(),
        credentials: manifest.credentials.clone(),
        cameras: entries,
        unmatched,
    };
    let text = serde_json::to_string_pretty(&inventory)
        .map_err(|e| Failure::caused("writing the inventory", e))?
        + "\n";
    std::fs::write(&args.out, text)
        .map_err(|e| Failure::caused(args.out.display().to_string(), e))?;
    report(&inventory, &args.out.display().to_string(), out, err);
    let complete = inventory
        .cameras
        .iter()
        .all(|c| c.status == Status::Reported);
    Ok(if complete { 0 } else { 1 })
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
    let answer = answer.unwrap_or(Answer {
        status: Status::NoAnswer,
        device: None,
        main: None,
        sub: None,
        notes: vec!["listed without an ONVIF address, so it could not be asked".into()],
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

/// One line per camera: how it was matched and what it reported, or why not; then the devices
/// that matched nothing and a summary.
fn report(inv: &Inventory, file: &str, out: &mut dyn Write, err: &mut dyn Write) {
    for c in &inv.cameras {
        let how = c.matched_by.map_or(String::new(), |by| match &c.listed_as {
            Some(name) => format!(" (matched by {by} as {name:?})", by = by.as_str()),
            None => format!(" (matched by {})", by.as_str()),
        });
        match (&c.main, c.status) {
            (Some(main), Status::Reported) => {
                let _ = writeln!(
                    out,
                    "{}{how}: main {}{}",
                    c.id,
                    main.uri.as_str(),
                    c.sub
                        .as_ref()
                        .map(|s| format!(", sub {}", s.uri.as_str()))
                        .unwrap_or_default()
                );
                for n in &c.notes {
                    let _ = writeln!(err, "note: {}: {n}", c.id);
                }
            }
            _ => {
                let _ = writeln!(out, "{}{how}: {}: {}", c.id, c.status, c.notes.join("; "));
            }
        }
    }
    for u in &inv.unmatched {
        let _ = writeln!(
            out,
            "unmatched device {}{}: {}",
            u.name
                .as_deref()
                .map_or("(no name)".to_string(), |n| format!("{n:?}")),
            u.onvif
                .as_deref()
                .map(|o| format!(" at {o}"))
                .unwrap_or_default(),
            u.reason
        );
    }
    let count = |s: Status| inv.cameras.iter().filter(|c| c.status == s).count();
    let _ = writeln!(
        out,
        "wrote {file}: {} of {} planned camera(s) reported their streams; {} did not answer, {} reported no stream URI, {} not found; {} device(s) matched no planned camera",
        count(Status::Reported),
        inv.cameras.len(),
        count(Status::NoAnswer),
        count(Status::NoStreamUri),
        count(Status::NotFound),
        inv.unmatched.len()
    );
}
