//! Finding the cameras of a manifest: an endpoints file (`rig simulate --endpoints`), a camera
//! list (CSV), or WS-Discovery, each giving where a camera answers and how to log in to it.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use hil_rig::onvif::auth::{Credentials, Secret};
use hil_rig::onvif::client::{ClientError, OnvifClient};

use crate::input::{env_secret, read};
use crate::inventory::{Found, simple};
use crate::judge::{self, Reason, ReasonCode};
use crate::{Error, ErrorKind};

/// Where the cameras are listed.
#[derive(Debug, Clone)]
pub enum CameraSource {
    /// A JSON array of {name, onvif, rtsp}, as `rig simulate --endpoints` writes it.
    Endpoints(PathBuf),
    /// A CSV of cameras: camera, onvif, [rtsp], [username_env], [password_env].
    CameraList(PathBuf),
    /// WS-Discovery through the interface with this address.
    Discover(Ipv4Addr),
}

/// A camera as a source lists it, before matching, and how to log in to it.
pub(crate) struct Listed {
    pub(crate) found: Found,
    pub(crate) credentials: Credentials,
}

/// Where one planned camera is, and how to log in.
#[derive(Debug, Clone)]
pub(crate) struct Located {
    pub(crate) found_by: &'static str,
    pub(crate) onvif: Option<String>,
    pub(crate) rtsp: Option<String>,
    pub(crate) credentials: Credentials,
}

#[derive(serde::Deserialize)]
struct EndpointEntry {
    name: String,
    #[serde(default)]
    onvif: Option<String>,
    #[serde(default)]
    rtsp: Option<String>,
}

/// Every camera of an endpoints file.
pub(crate) fn list_endpoints(path: &Path, credentials: &Credentials) -> Result<Vec<Listed>, Error> {
    let text = read(path)?;
    let entries: Vec<EndpointEntry> = judge::read_json(&path.display().to_string(), &text)?;
    Ok(entries
        .into_iter()
        .map(|e| Listed {
            found: Found {
                name: Some(e.name),
                onvif: e.onvif,
                rtsp: e.rtsp,
            },
            credentials: credentials.clone(),
        })
        .collect())
}

/// The columns of a camera list, by position.
struct Columns {
    camera: usize,
    onvif: Option<usize>,
    rtsp: Option<usize>,
    username_env: Option<usize>,
    password_env: Option<usize>,
}

impl Columns {
    /// The columns of `headers`; an unknown or missing one is bad input on line 1.
    fn of(file: &str, headers: &csv::StringRecord) -> Result<Columns, Error> {
        let headers: Vec<String> = headers
            .iter()
            .map(|h| h.to_ascii_lowercase().replace([' ', '-'], "_"))
            .collect();
        let known = ["camera", "onvif", "rtsp", "username_env", "password_env"];
        if let Some(h) = headers.iter().find(|h| !known.contains(&h.as_str())) {
            return Err(Error::input(format!(
                "{file}:1: unknown column `{h}` (columns: {})",
                known.join(", ")
            )));
        }
        let column = |name: &str| headers.iter().position(|h| h == name);
        let Some(camera) = column("camera") else {
            return Err(Error::input(format!("{file}:1: no `camera` column")));
        };
        let (onvif, rtsp) = (column("onvif"), column("rtsp"));
        if onvif.is_none() && rtsp.is_none() {
            return Err(Error::input(format!(
                "{file}:1: needs an `onvif` or an `rtsp` column"
            )));
        }
        Ok(Columns {
            camera,
            onvif,
            rtsp,
            username_env: column("username_env"),
            password_env: column("password_env"),
        })
    }
}

/// Every row of a camera list, checked: a bad row ends the run naming its line and field.
pub(crate) fn list_camera_list(
    path: &Path,
    credentials: &Credentials,
) -> Result<Vec<Listed>, Error> {
    let text = read(path)?;
    let file = path.display().to_string();
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| Error::input(format!("{file}:1: {e}")))?;
    let columns = Columns::of(&file, headers)?;
    let mut listed = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| Error::input(format!("{file}:{line}: {e}")))?;
        let l = camera_list_row(&file, line, &record, &columns, credentials)?;
        if let Some(id) = &l.found.name
            && let Some(first) = seen.insert(id.clone(), line)
        {
            return Err(Error::input(format!(
                "{file}:{line}: camera: {id} is already on line {first}"
            )));
        }
        listed.push(l);
    }
    Ok(listed)
}

/// One row of a camera list.
fn camera_list_row(
    file: &str,
    line: usize,
    record: &csv::StringRecord,
    columns: &Columns,
    credentials: &Credentials,
) -> Result<Listed, Error> {
    let get = |col: Option<usize>| {
        col.and_then(|c| record.get(c))
            .map(str::to_string)
            .filter(|s| !s.is_empty())
    };
    let Some(id) = get(Some(columns.camera)) else {
        return Err(Error::input(format!("{file}:{line}: camera: empty")));
    };
    let mut onvif = get(columns.onvif);
    if let Some(o) = &onvif
        && !o.contains("://")
    {
        // A bare host[:port] is the usual way inventories list cameras.
        onvif = Some(format!("http://{o}/onvif/device_service"));
    }
    let rtsp = get(columns.rtsp);
    for (field, value) in [("onvif", &onvif), ("rtsp", &rtsp)] {
        if let Some(v) = value {
            let url = url::Url::parse(v)
                .map_err(|e| Error::input(format!("{file}:{line}: {field}: {v:?}: {e}")))?;
            if !url.username().is_empty() || url.password().is_some() {
                return Err(Error::input(format!(
                    "{file}:{line}: {field}: credentials in the URL; name environment variables in username_env/password_env instead"
                )));
            }
        }
    }
    if onvif.is_none() && rtsp.is_none() {
        return Err(Error::input(format!(
            "{file}:{line}: camera {id}: give an onvif address or an rtsp URL"
        )));
    }
    let credentials = match (get(columns.username_env), get(columns.password_env)) {
        (None, None) => credentials.clone(),
        (user_env, pass_env) => Credentials {
            username: match user_env {
                Some(v) => env_secret(&v, &format!("user name (inventory line {line})"))?,
                None => credentials.username.clone(),
            },
            password: match pass_env {
                Some(v) => Secret::new(env_secret(
                    &v,
                    &format!("password (inventory line {line})"),
                )?),
                None => credentials.password.clone(),
            },
        },
    };
    Ok(Listed {
        found: Found {
            name: Some(id),
            onvif,
            rtsp,
        },
        credentials,
    })
}

/// The name a camera's `onvif://www.onvif.org/name/…` scope would carry.
fn scope_name(scopes: &[String]) -> Option<String> {
    scopes.iter().find_map(|s| {
        s.strip_prefix("onvif://www.onvif.org/name/").map(|n| {
            url::form_urlencoded::parse(format!("n={n}").as_bytes())
                .next()
                .map_or_else(|| n.to_string(), |(_, v)| v.into_owned())
        })
    })
}

/// Every camera that answers a WS-Discovery probe through `interface`, named by its ONVIF
/// `name` scope (asked over ONVIF when the probe match does not carry it).
pub(crate) async fn list_discovered(
    interface: Ipv4Addr,
    credentials: &Credentials,
    timeout: Duration,
) -> Result<Vec<Listed>, Error> {
    let options = hil_rig::discovery::ProbeOptions::cameras(interface);
    let found = hil_rig::discovery::probe(&options)
        .await
        .map_err(|e| Error::caused(ErrorKind::Io, format!("--discover {interface}"), e))?;
    let mut listed = Vec::new();
    for endpoint in found {
        let Some(xaddr) = endpoint.xaddrs.first().cloned() else {
            continue;
        };
        let mut name = scope_name(&endpoint.scopes);
        if name.is_none()
            && let Ok(Ok(client)) = tokio::time::timeout(
                timeout,
                OnvifClient::connect(&xaddr, credentials.clone(), timeout),
            )
            .await
            && let Ok(scopes) = client.scopes().await
        {
            name = scope_name(&scopes);
        }
        listed.push(Listed {
            found: Found {
                name,
                onvif: Some(xaddr),
                rtsp: None,
            },
            credentials: credentials.clone(),
        });
    }
    Ok(listed)
}

/// Every listed camera of `source`, by name; discovery runs on the current runtime.
pub(crate) async fn list(
    source: &CameraSource,
    credentials: &Credentials,
    timeout: Duration,
) -> Result<Vec<Listed>, Error> {
    match source {
        CameraSource::Endpoints(path) => list_endpoints(path, credentials),
        CameraSource::CameraList(path) => list_camera_list(path, credentials),
        CameraSource::Discover(interface) => {
            list_discovered(*interface, credentials, timeout).await
        }
    }
}

/// Where each of `cameras` is, by id: endpoints and camera lists name cameras by their planned
/// id; discovered cameras match by their name scope (exactly or simplified) or their address.
pub(crate) async fn locate(
    source: &CameraSource,
    cameras: &[&manifest::Camera],
    credentials: &Credentials,
    timeout: Duration,
) -> Result<BTreeMap<String, Located>, Error> {
    let listed = list(source, credentials, timeout).await?;
    let mut located = BTreeMap::new();
    for l in listed {
        let matched = match source {
            CameraSource::Endpoints(_) | CameraSource::CameraList(_) => cameras
                .iter()
                .find(|c| l.found.name.as_deref() == Some(c.id.as_str())),
            CameraSource::Discover(_) => {
                let host = l.found.host();
                cameras.iter().find(|c| {
                    l.found
                        .name
                        .as_deref()
                        .is_some_and(|n| n == c.id || simple(n) == simple(&c.id))
                        || host.as_deref() == Some(c.address.as_str())
                })
            }
        };
        let Some(c) = matched else { continue };
        let (found_by, rtsp) = match source {
            CameraSource::Endpoints(_) => ("endpoints", l.found.rtsp),
            CameraSource::CameraList(_) => ("inventory", l.found.rtsp),
            CameraSource::Discover(_) => ("discovery", None),
        };
        let credentials = match source {
            CameraSource::CameraList(_) => l.credentials,
            _ => credentials.clone(),
        };
        located.entry(c.id.clone()).or_insert(Located {
            found_by,
            onvif: l.found.onvif,
            rtsp,
            credentials,
        });
    }
    Ok(located)
}

/// A failed ONVIF call as a rig reason: refused credentials, an unreachable camera, or another
/// ONVIF error.
pub(crate) fn client_reason(stage: &str, e: &ClientError) -> Reason {
    let code = match e {
        ClientError::NotAuthorized { .. } => ReasonCode::CredentialsRefused,
        ClientError::Timeout { .. } | ClientError::Connect { .. } => ReasonCode::OnvifUnreachable,
        _ => ReasonCode::OnvifError,
    };
    Reason::fail(code, format!("{stage}: {e}"))
}

/// Some cameras put credentials in the stream URI; they must not reach results or logs.
pub(crate) fn strip_credentials(uri: &str) -> String {
    match url::Url::parse(uri) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        _ => uri.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_survive_in_a_stream_uri() {
        assert_eq!(
            strip_credentials("rtsp://admin:hunter2@10.0.0.5:554/main"),
            "rtsp://10.0.0.5:554/main"
        );
        assert_eq!(
            strip_credentials("rtsp://10.0.0.5/main"),
            "rtsp://10.0.0.5/main"
        );
    }

    #[test]
    fn scope_names_match_camera_ids() {
        let scopes = vec![
            "onvif://www.onvif.org/Profile/Streaming".to_string(),
            "onvif://www.onvif.org/name/store-01%2Fdoor".to_string(),
        ];
        assert_eq!(scope_name(&scopes).as_deref(), Some("store-01/door"));
        assert_eq!(simple("store-01/door"), simple("Store-01-Door"));
    }
}
