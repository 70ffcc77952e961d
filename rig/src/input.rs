//! What every rig command reads the same way: files, the manifest, credentials from the
//! environment, and the machine it runs on (host name, interrupt signals, the async runtime).

use std::path::Path;

use crate::{Error, ErrorKind};

/// The text of `path`, or an error naming it with the io cause.
pub(crate) fn read(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|e| Error::io(path, e))
}

/// A manifest read for the rig.
pub(crate) struct ReadManifest {
    pub(crate) manifest: manifest::Manifest,
    /// Its text, as hashed into the results.
    pub(crate) text: String,
    /// One line per unknown field read past.
    pub(crate) warnings: Vec<String>,
}

/// Reads a manifest for the rig, the same way for every rig command: JSON of another shape, no
/// cameras, an id used twice, a missing camera or recorder and (unless `allow_unknown`) an
/// unknown field are bad input naming file, line, column and field.
pub(crate) fn read_manifest(path: &Path, allow_unknown: bool) -> Result<ReadManifest, Error> {
    let text = read(path)?;
    let file = path.display().to_string();
    let unknown = if allow_unknown {
        manifest::UnknownFields::Allow
    } else {
        manifest::UnknownFields::Refuse
    };
    let parsed =
        manifest::parse_with(&file, &text, unknown).map_err(|e| Error::of(ErrorKind::Input, e))?;
    let warnings = parsed
        .unknown_fields
        .iter()
        .map(|f| format!("{file}: {f}: unknown field, read past (--allow-unknown-fields)"))
        .collect();
    Ok(ReadManifest {
        manifest: parsed.manifest,
        text,
        warnings,
    })
}

/// The SHA-256 of a manifest's text, as results and inventories record it.
pub(crate) fn manifest_sha256(text: &str) -> String {
    use sha2::{Digest, Sha256};
    format!("{:x}", Sha256::digest(text.as_bytes()))
}

/// The value of the environment variable `var`, which holds the cameras' `what`; credentials
/// are read from the environment, never from the command line.
pub(crate) fn env_secret(var: &str, what: &str) -> Result<String, Error> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Ok(v),
        _ => Err(Error::input(format!(
            "set {var} to the cameras' {what}: it is read from the environment, never from the command line"
        ))),
    }
}

/// The login the manifest names (its user name and password variables).
pub(crate) fn manifest_credentials(
    m: &manifest::Manifest,
) -> Result<hil_rig::onvif::auth::Credentials, Error> {
    Ok(hil_rig::onvif::auth::Credentials {
        username: env_secret(&m.credentials.username_env, "user name")?,
        password: hil_rig::onvif::auth::Secret::new(env_secret(
            &m.credentials.password_env,
            "password",
        )?),
    })
}

/// A multi-threaded runtime for one rig command.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::caused(ErrorKind::Io, "cannot start the async runtime", e))
}

/// This machine's host name, or empty when the system does not say.
pub(crate) fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_string())
        .unwrap_or_default()
}

/// Resolves on Ctrl-C (SIGINT) or, on Unix, SIGTERM (what job runners send).
pub(crate) async fn stop_signal() {
    #[cfg(unix)]
    {
        if let Ok(mut term) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {},
                _ = term.recv() => {},
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Parses `60s`, `1500ms`, `2m`, `1h` or plain seconds, as `--duration` takes them.
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let t = text.trim();
    let (number, unit) = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map_or((t, "s"), |i| (&t[..i], t[i..].trim()));
    let value: f64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration (60s, 1500ms, 2m)"))?;
    let seconds = match unit {
        "ms" => value / 1000.0,
        "s" | "" => value,
        "m" | "min" => value * 60.0,
        "h" => value * 3600.0,
        _ => return Err(format!("{text:?}: unknown unit {unit:?} (ms, s, m, h)")),
    };
    if !(seconds.is_finite() && seconds > 0.0 && seconds < 7.0 * 86_400.0) {
        return Err(format!("{text:?}: must be more than 0 and under a week"));
    }
    Ok(std::time::Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("60s"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1500ms"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("15"), Ok(Duration::from_secs(15)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("ten").is_err());
        assert!(parse_duration("5 parsecs").is_err());
    }
}
