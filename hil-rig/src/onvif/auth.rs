//! Authentication of ONVIF requests: WS-Security UsernameToken and HTTP Digest.
//!
//! Real clients use both: onvif-zeep-async and npm `onvif` send a UsernameToken with a
//! PasswordDigest by default, npm `onvif` with `useWSSecurity: false` and curl answer an HTTP
//! Digest challenge. The ONVIF Core spec fixes how a device that supports both must answer:
//! no credentials → HTTP 401 with a Digest challenge; a wrong UsernameToken → HTTP 400 with
//! `env:Sender/ter:NotAuthorized`; HTTP credentials are checked first when both are present.
//!
//! The password comes from outside (the rig's `--password-env`) and is held in a [`Secret`]
//! whose `Debug` and `Display` print `***`, so it cannot leak into a log line, an error or a
//! panic message by accident; every error here names the user and the reason only.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use base64::Engine as _;
use md5::Md5;
use sha1::{Digest, Sha1};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub use crate::onvif::secret::Secret;
use crate::onvif::soap::{PasswordType, UsernameToken};

/// The one user account of a simulated camera.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// User name clients must send.
    pub username: String,
    /// The password, never printed.
    pub password: Secret,
}

/// Why a request's credentials were refused. The messages name the user and the reason, never
/// the password or the digest sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// The user name is not the camera's user.
    #[error("unknown user {0:?}")]
    UnknownUser(String),
    /// The password or digest does not match.
    #[error("wrong password for user {0:?}")]
    WrongPassword(String),
    /// A PasswordDigest token lacks its Nonce or Created, which the Core spec requires.
    #[error("UsernameToken of {0:?} lacks Nonce or Created")]
    Incomplete(String),
    /// `Created` is not an RFC 3339 date-time.
    #[error("UsernameToken Created {0:?} is not a valid date-time")]
    BadCreated(String),
    /// `Created` is further from the camera clock than the allowed skew.
    #[error("UsernameToken Created {created} is {skew_s} s from the device clock")]
    Skewed {
        /// The Created string sent.
        created: String,
        /// Distance from the device clock in whole seconds.
        skew_s: i64,
    },
    /// The same UsernameToken Nonce and Created, or HTTP Digest nonce, nc and cnonce, were
    /// already used.
    #[error("credentials of {0:?} were already used once")]
    Replayed(String),
    /// The HTTP `Authorization` header is not a usable Digest response.
    #[error("malformed HTTP Digest authorization: {0}")]
    MalformedDigest(&'static str),
    /// The HTTP Digest nonce was issued too long ago; the client should retry with a new one.
    #[error("HTTP Digest nonce expired")]
    StaleNonce,
}

/// `Base64(SHA-1(nonce ‖ created ‖ password))`, the WS-Security UsernameToken Profile 1.0
/// PasswordDigest. `nonce` is the decoded bytes; `created` is hashed exactly as sent.
pub fn password_digest(nonce: &[u8], created: &str, password: &str) -> String {
    let mut hasher = Sha1::new();
    hasher.update(nonce);
    hasher.update(created.as_bytes());
    hasher.update(password.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(hasher.finalize())
}

/// Compares without an early exit, so response time does not reveal how much of a digest was
/// right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

pub(crate) fn md5_hex(parts: &[&str]) -> String {
    let mut hasher = Md5::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            hasher.update(b":");
        }
        hasher.update(part.as_bytes());
    }
    hex(&hasher.finalize())
}

/// Remembers recently used (Nonce, Created) pairs so a captured request cannot be replayed
/// while its Created is still inside the skew window.
#[derive(Debug, Default)]
pub(crate) struct ReplayCache {
    inner: Mutex<ReplayInner>,
}

#[derive(Debug, Default)]
struct ReplayInner {
    order: VecDeque<(OffsetDateTime, Vec<u8>)>,
    seen: HashSet<Vec<u8>>,
}

/// Enough for thousands of requests per skew window; beyond it the oldest entries go first.
const REPLAY_CAPACITY: usize = 16_384;

impl ReplayCache {
    /// Records `key` until `expires`; false if it was already recorded.
    fn insert(&self, key: Vec<u8>, now: OffsetDateTime, expires: OffsetDateTime) -> bool {
        // A poisoned lock only means another request panicked mid-insert; the set is still a
        // valid set, so keep using it.
        let mut inner = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while let Some((expiry, _)) = inner.order.front() {
            if *expiry > now && inner.order.len() < REPLAY_CAPACITY {
                break;
            }
            if let Some((_, old)) = inner.order.pop_front() {
                inner.seen.remove(&old);
            }
        }
        if !inner.seen.insert(key.clone()) {
            return false;
        }
        inner.order.push_back((expires, key));
        true
    }
}

/// What the server must answer when a request is not authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// HTTP 401 with this `WWW-Authenticate` value: no credentials, or HTTP Digest ones that
    /// failed.
    Challenge(String),
    /// HTTP 400 with `env:Sender/ter:NotAuthorized`: a UsernameToken that failed.
    NotAuthorized,
}

/// Seconds an HTTP Digest nonce stays valid before the client is told it is stale.
const DIGEST_NONCE_LIFETIME_S: i64 = 300;

/// Checks credentials of requests to one camera.
pub struct Authenticator {
    credentials: Credentials,
    realm: String,
    /// Keys the HTTP Digest nonces, so they can be checked without storing them.
    nonce_key: [u8; 16],
    max_skew: Duration,
    /// False for a camera that ignores WS-Security and answers every request without HTTP
    /// credentials with a Digest challenge.
    username_token: bool,
    replay: ReplayCache,
}

impl fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authenticator")
            .field("credentials", &self.credentials)
            .field("realm", &self.realm)
            .field("max_skew", &self.max_skew)
            .field("username_token", &self.username_token)
            .finish_non_exhaustive()
    }
}

/// Clients correct their Created by the offset read from GetSystemDateAndTime, so what is left
/// is request latency plus clock drift; ±5 min is what common devices allow.
pub const DEFAULT_MAX_SKEW: Duration = Duration::from_secs(300);

impl Authenticator {
    /// An authenticator for one account; `realm` appears in Digest challenges.
    pub fn new(credentials: Credentials, realm: impl Into<String>, max_skew: Duration) -> Self {
        Authenticator {
            credentials,
            realm: realm.into(),
            nonce_key: rand::random(),
            max_skew,
            username_token: true,
            replay: ReplayCache::default(),
        }
    }

    /// Accepts HTTP Digest only: a UsernameToken is ignored, as on the many real cameras that
    /// ship with WS-Security off, so a client must answer the 401 challenge instead.
    pub fn http_digest_only(mut self) -> Self {
        self.username_token = false;
        self
    }

    /// Sets how far a UsernameToken's Created may be from the device clock.
    pub fn with_max_skew(mut self, max_skew: Duration) -> Self {
        self.max_skew = max_skew;
        self
    }

    /// Decides whether a request may proceed. `authorization` is the HTTP `Authorization`
    /// header, `method` and `uri` the request line, `now` the device clock.
    pub fn check(
        &self,
        authorization: Option<&str>,
        method: &str,
        uri: &str,
        token: Option<&UsernameToken>,
        now: OffsetDateTime,
    ) -> Result<(), Refusal> {
        // Core spec: with both kinds present, HTTP authentication is checked first.
        if let Some(header) = authorization.filter(|h| is_digest(h)) {
            return match self.verify_http_digest(header, method, uri, now) {
                Ok(()) => Ok(()),
                Err(e) => {
                    tracing::debug!(error = %e, "HTTP Digest refused");
                    Err(Refusal::Challenge(
                        self.challenge(now, e == AuthError::StaleNonce),
                    ))
                }
            };
        }
        match token.filter(|_| self.username_token) {
            Some(token) => self.verify_username_token(token, now).map_err(|e| {
                tracing::debug!(error = %e, "UsernameToken refused");
                Refusal::NotAuthorized
            }),
            None => Err(Refusal::Challenge(self.challenge(now, false))),
        }
    }

    /// Verifies a UsernameToken against the account and the device clock `now`.
    pub fn verify_username_token(
        &self,
        token: &UsernameToken,
        now: OffsetDateTime,
    ) -> Result<(), AuthError> {
        if token.username != self.credentials.username {
            return Err(AuthError::UnknownUser(token.username.clone()));
        }
        let user = || token.username.clone();
        let created = match &token.created {
            Some(created) => {
                let at = OffsetDateTime::parse(created, &Rfc3339)
                    .map_err(|_| AuthError::BadCreated(created.clone()))?;
                let skew = (at - now).whole_seconds();
                if skew.unsigned_abs() > self.max_skew.as_secs() {
                    return Err(AuthError::Skewed {
                        created: created.clone(),
                        skew_s: skew,
                    });
                }
                Some(created)
            }
            None => None,
        };
        let password = self.credentials.password.expose();
        let matches = match token.password_type {
            PasswordType::Digest => {
                let (Some(nonce), Some(created)) = (&token.nonce, created) else {
                    return Err(AuthError::Incomplete(user()));
                };
                let expected = password_digest(nonce, created, password);
                constant_time_eq(expected.as_bytes(), token.password.expose().as_bytes())
            }
            PasswordType::Text => {
                constant_time_eq(password.as_bytes(), token.password.expose().as_bytes())
            }
        };
        if !matches {
            return Err(AuthError::WrongPassword(user()));
        }
        if let (Some(nonce), Some(created)) = (&token.nonce, created) {
            let mut key = nonce.clone();
            key.extend_from_slice(created.as_bytes());
            let expires = now + self.max_skew * 2;
            if !self.replay.insert(key, now, expires) {
                return Err(AuthError::Replayed(user()));
            }
        }
        Ok(())
    }

    fn nonce_mac(&self, issued: i64) -> String {
        let mut hasher = Sha1::new();
        hasher.update(self.nonce_key);
        hasher.update(issued.to_be_bytes());
        hex(&hasher.finalize())
    }

    /// A `WWW-Authenticate` value offering MD5 Digest with `qop="auth"`; the nonce encodes
    /// its issue time and a keyed hash, so it can be verified without server-side state.
    pub fn challenge(&self, now: OffsetDateTime, stale: bool) -> String {
        let issued = now.unix_timestamp();
        let nonce = format!("{:016x}{}", issued, self.nonce_mac(issued));
        format!(
            "Digest realm=\"{}\", qop=\"auth\", algorithm=MD5, nonce=\"{nonce}\"{}",
            self.realm,
            if stale { ", stale=true" } else { "" }
        )
    }

    fn check_nonce(&self, nonce: &str, now: OffsetDateTime) -> Result<(), AuthError> {
        let bad = AuthError::MalformedDigest("nonce was not issued by this device");
        let (stamp, mac) = nonce.split_at_checked(16).ok_or(bad.clone())?;
        let issued = i64::from_str_radix(stamp, 16).map_err(|_| bad.clone())?;
        if !constant_time_eq(mac.as_bytes(), self.nonce_mac(issued).as_bytes()) {
            return Err(bad);
        }
        let age = now.unix_timestamp() - issued;
        if !(-DIGEST_NONCE_LIFETIME_S..=DIGEST_NONCE_LIFETIME_S).contains(&age) {
            return Err(AuthError::StaleNonce);
        }
        Ok(())
    }

    /// Verifies an HTTP Digest (RFC 7616 / 2617, MD5, `qop=auth`) `Authorization` header.
    pub fn verify_http_digest(
        &self,
        header: &str,
        method: &str,
        uri: &str,
        now: OffsetDateTime,
    ) -> Result<(), AuthError> {
        let params = parse_digest_params(header)?;
        let get = |name: &'static str| {
            params
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
                .ok_or(AuthError::MalformedDigest(name))
        };
        let username = get("username")?;
        if username != self.credentials.username {
            return Err(AuthError::UnknownUser(username.to_owned()));
        }
        if get("realm")? != self.realm {
            return Err(AuthError::MalformedDigest("realm"));
        }
        if get("uri")? != uri {
            return Err(AuthError::MalformedDigest("uri does not match the request"));
        }
        if let Ok(algorithm) = get("algorithm")
            && !algorithm.eq_ignore_ascii_case("MD5")
        {
            return Err(AuthError::MalformedDigest("algorithm other than MD5"));
        }
        if get("qop")? != "auth" {
            return Err(AuthError::MalformedDigest("qop other than auth"));
        }
        let nonce = get("nonce")?;
        let (nc, cnonce, response) = (get("nc")?, get("cnonce")?, get("response")?);
        let expected = digest_response(
            &self.credentials,
            &self.realm,
            method,
            uri,
            nonce,
            nc,
            cnonce,
        );
        if !constant_time_eq(
            expected.as_bytes(),
            response.to_ascii_lowercase().as_bytes(),
        ) {
            return Err(AuthError::WrongPassword(username.to_owned()));
        }
        // Checked after the response so that a stale nonce with the right password gets
        // `stale=true`, telling the client to retry without asking the user again.
        self.check_nonce(nonce, now)?;
        // Clients count requests per nonce in `nc`, so a repeated (nonce, nc, cnonce) is a
        // captured request sent again.
        let key = format!("digest:{nonce}:{nc}:{cnonce}").into_bytes();
        let expires = now + Duration::from_secs(2 * DIGEST_NONCE_LIFETIME_S.unsigned_abs());
        if !self.replay.insert(key, now, expires) {
            return Err(AuthError::Replayed(username.to_owned()));
        }
        Ok(())
    }
}

impl Authenticator {
    /// Verifies the `Authorization` header of an RTSP request: `Basic`, or MD5 `Digest` with
    /// `qop=auth` (RFC 2617/7616) or without `qop` (the RFC 2069 form many RTSP clients still
    /// send). `method` is the request's method; `uri_matches` says whether the Digest `uri`
    /// parameter names the requested resource (RTSP clients send the absolute URL, which a
    /// server may see normalised).
    ///
    /// A nonce must have been issued by this authenticator within the nonce lifetime, or be
    /// `session_nonce`, the one this connection already authenticated with: RTSP clients such
    /// as retina answer one challenge per session and treat any later 401 as fatal, so the
    /// nonce a session started with stays good on its connection for as long as the session
    /// lasts, while an answer recorded once cannot be replayed on a new connection for ever
    /// (without `qop` nothing else tells a replay apart).
    pub fn verify_rtsp(
        &self,
        header: &str,
        method: &str,
        uri_matches: impl Fn(&str) -> bool,
        now: OffsetDateTime,
        session_nonce: Option<&str>,
    ) -> Result<(), AuthError> {
        let trimmed = header.trim_start();
        if let Some(encoded) = trimmed
            .get(..6)
            .filter(|scheme| scheme.eq_ignore_ascii_case("basic "))
            .and_then(|_| trimmed.get(6..))
        {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(encoded.trim())
                .map_err(|_| AuthError::MalformedDigest("Basic credentials are not base64"))?;
            let text = String::from_utf8(decoded)
                .map_err(|_| AuthError::MalformedDigest("Basic credentials are not UTF-8"))?;
            let (user, password) = text
                .split_once(':')
                .ok_or(AuthError::MalformedDigest("Basic credentials lack a colon"))?;
            if user != self.credentials.username {
                return Err(AuthError::UnknownUser(user.to_owned()));
            }
            let expected = self.credentials.password.expose().as_bytes();
            if !constant_time_eq(expected, password.as_bytes()) {
                return Err(AuthError::WrongPassword(user.to_owned()));
            }
            return Ok(());
        }
        if !is_digest(header) {
            return Err(AuthError::MalformedDigest("neither Basic nor Digest"));
        }
        let params = parse_digest_params(header)?;
        let get = |name: &'static str| {
            params
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
                .ok_or(AuthError::MalformedDigest(name))
        };
        let username = get("username")?;
        if username != self.credentials.username {
            return Err(AuthError::UnknownUser(username.to_owned()));
        }
        if get("realm")? != self.realm {
            return Err(AuthError::MalformedDigest("realm"));
        }
        let uri = get("uri")?;
        if !uri_matches(uri) {
            return Err(AuthError::MalformedDigest("uri does not match the request"));
        }
        if let Ok(algorithm) = get("algorithm")
            && !algorithm.eq_ignore_ascii_case("MD5")
        {
            return Err(AuthError::MalformedDigest("algorithm other than MD5"));
        }
        let nonce = get("nonce")?;
        let response = get("response")?.to_ascii_lowercase();
        let qop = get("qop").ok();
        let expected = match qop {
            Some("auth") => {
                let (nc, cnonce) = (get("nc")?, get("cnonce")?);
                digest_response(
                    &self.credentials,
                    &self.realm,
                    method,
                    uri,
                    nonce,
                    nc,
                    cnonce,
                )
            }
            Some(_) => return Err(AuthError::MalformedDigest("qop other than auth")),
            None => {
                let ha1 = md5_hex(&[
                    &self.credentials.username,
                    &self.realm,
                    self.credentials.password.expose(),
                ]);
                md5_hex(&[&ha1, nonce, &md5_hex(&[method, uri])])
            }
        };
        if !constant_time_eq(expected.as_bytes(), response.as_bytes()) {
            return Err(AuthError::WrongPassword(username.to_owned()));
        }
        if session_nonce != Some(nonce) {
            self.check_nonce(nonce, now)?;
        }
        // With qop the client counts its requests in `nc`, so a repeat is a replay; without
        // qop every request of a session carries the same answer by design.
        if qop.is_some() {
            let key = format!("rtsp:{nonce}:{}:{}", get("nc")?, get("cnonce")?).into_bytes();
            let expires = now + Duration::from_secs(24 * 3600);
            if !self.replay.insert(key, now, expires) {
                return Err(AuthError::Replayed(username.to_owned()));
            }
        }
        Ok(())
    }
}

/// The `nonce` of a Digest `Authorization` header.
pub fn digest_nonce(header: &str) -> Option<String> {
    if !is_digest(header) {
        return None;
    }
    parse_digest_params(header)
        .ok()?
        .into_iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("nonce"))
        .map(|(_, v)| v)
}

fn is_digest(header: &str) -> bool {
    header
        .trim_start()
        .get(..7)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("digest "))
}

/// The RFC 2617 `qop=auth` response: MD5(HA1:nonce:nc:cnonce:auth:HA2) with
/// HA1 = MD5(user:realm:password) and HA2 = MD5(method:uri).
pub fn digest_response(
    credentials: &Credentials,
    realm: &str,
    method: &str,
    uri: &str,
    nonce: &str,
    nc: &str,
    cnonce: &str,
) -> String {
    let ha1 = md5_hex(&[&credentials.username, realm, credentials.password.expose()]);
    let ha2 = md5_hex(&[method, uri]);
    md5_hex(&[&ha1, nonce, nc, cnonce, "auth", &ha2])
}

/// Splits `Digest k=v, k="quoted \"v\"", …` into pairs.
pub(crate) fn parse_digest_params(header: &str) -> Result<Vec<(String, String)>, AuthError> {
    let rest = header.trim_start();
    let rest = rest
        .get(7..)
        .ok_or(AuthError::MalformedDigest("not a Digest header"))?;
    let mut params = Vec::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace() || *c == ',').is_some() {}
        if chars.peek().is_none() {
            return Ok(params);
        }
        let mut key = String::new();
        while let Some(c) = chars.next_if(|c| *c != '=' && !c.is_whitespace()) {
            key.push(c);
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.next() != Some('=') {
            return Err(AuthError::MalformedDigest("parameter without value"));
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut value = String::new();
        if chars.next_if_eq(&'"').is_some() {
            loop {
                match chars.next() {
                    Some('"') => break,
                    Some('\\') => match chars.next() {
                        Some(c) => value.push(c),
                        None => return Err(AuthError::MalformedDigest("unterminated quote")),
                    },
                    Some(c) => value.push(c),
                    None => return Err(AuthError::MalformedDigest("unterminated quote")),
                }
            }
        } else {
            while let Some(c) = chars.next_if(|c| *c != ',' && !c.is_whitespace()) {
                value.push(c);
            }
        }
        params.push((key, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn authenticator(user: &str, password: &str, realm: &str) -> Authenticator {
        Authenticator::new(
            Credentials {
                username: user.into(),
                password: Secret::new(password),
            },
            realm,
            DEFAULT_MAX_SKEW,
        )
    }

    fn token(password: &str, created: &str, nonce: &[u8]) -> UsernameToken {
        UsernameToken {
            username: "admin".into(),
            password: Secret::new(password_digest(nonce, created, password)),
            password_type: PasswordType::Digest,
            nonce: Some(nonce.to_vec()),
            created: Some(created.into()),
        }
    }

    #[test]
    fn password_digest_matches_independent_computation() {
        // Computed with Python's hashlib/base64, independently of this code:
        // b64encode(sha1(b64decode(nonce) + created + password)).
        let nonce = base64::engine::general_purpose::STANDARD
            .decode("LKqI6G/AikKCQrN0zqZFlg==")
            .unwrap();
        assert_eq!(
            password_digest(&nonce, "2026-11-22T09:48:29Z", "userPassword"),
            "4oqfNVwvkF9yTNka5MZw0PT6sr8="
        );
    }

    #[test]
    fn http_digest_matches_rfc2617_example() {
        // RFC 2617 §3.5.
        let credentials = Credentials {
            username: "Mufasa".into(),
            password: Secret::new("Circle Of Life"),
        };
        assert_eq!(
            digest_response(
                &credentials,
                "testrealm@host.com",
                "GET",
                "/dir/index.html",
                "dcd98b7102dd2f0e8b11d0f600bfb0c093",
                "00000001",
                "0a4f113b",
            ),
            "6629fae49393a05397450978507c4ef1"
        );
    }

    #[test]
    fn username_token_accepts_zulu_offset_and_fractional_created_within_skew() {
        let auth = authenticator("admin", "pw", "cam");
        let now = datetime!(2026-11-22 09:48:29 UTC);
        for (i, created) in [
            "2026-11-22T09:48:29Z",
            "2026-11-22T09:48:29+00:00",
            "2026-11-22T09:52:00.123Z",
            "2026-11-22T09:44:00Z",
        ]
        .into_iter()
        .enumerate()
        {
            let nonce = [u8::try_from(i).unwrap(); 16];
            assert_eq!(
                auth.verify_username_token(&token("pw", created, &nonce), now),
                Ok(()),
                "{created}"
            );
        }
    }

    #[test]
    fn username_token_refusals() {
        let auth = authenticator("admin", "pw", "cam");
        let now = datetime!(2026-11-22 09:48:29 UTC);
        let good = token("pw", "2026-11-22T09:48:29Z", &[7; 16]);
        assert_eq!(auth.verify_username_token(&good, now), Ok(()));
        assert_eq!(
            auth.verify_username_token(&good, now),
            Err(AuthError::Replayed("admin".into()))
        );
        assert_eq!(
            auth.verify_username_token(&token("nope", "2026-11-22T09:48:29Z", &[8; 16]), now),
            Err(AuthError::WrongPassword("admin".into()))
        );
        assert!(matches!(
            auth.verify_username_token(&token("pw", "2026-11-22T09:54:30Z", &[9; 16]), now),
            Err(AuthError::Skewed { skew_s: 361, .. })
        ));
        assert!(matches!(
            auth.verify_username_token(&token("pw", "yesterday", &[9; 16]), now),
            Err(AuthError::BadCreated(_))
        ));
        let mut no_nonce = token("pw", "2026-11-22T09:48:29Z", &[10; 16]);
        no_nonce.nonce = None;
        assert_eq!(
            auth.verify_username_token(&no_nonce, now),
            Err(AuthError::Incomplete("admin".into()))
        );
        let mut other = token("pw", "2026-11-22T09:48:29Z", &[11; 16]);
        other.username = "root".into();
        assert_eq!(
            auth.verify_username_token(&other, now),
            Err(AuthError::UnknownUser("root".into()))
        );
        let text = UsernameToken {
            username: "admin".into(),
            password: Secret::new("pw"),
            password_type: PasswordType::Text,
            nonce: None,
            created: None,
        };
        assert_eq!(auth.verify_username_token(&text, now), Ok(()));
    }

    fn answer(auth: &Authenticator, challenge: &str, password: &str, uri: &str) -> String {
        let params = parse_digest_params(challenge).unwrap();
        let nonce = &params.iter().find(|(k, _)| k == "nonce").unwrap().1;
        let credentials = Credentials {
            username: "admin".into(),
            password: Secret::new(password),
        };
        let response = digest_response(
            &credentials,
            &auth.realm,
            "POST",
            uri,
            nonce,
            "00000001",
            "abcdef",
        );
        format!(
            "Digest username=\"admin\", realm=\"{}\", nonce=\"{nonce}\", uri=\"{uri}\", \
             algorithm=MD5, qop=auth, nc=00000001, cnonce=\"abcdef\", response=\"{response}\"",
            auth.realm
        )
    }

    #[test]
    fn check_applies_the_core_spec_401_400_rules() {
        let auth = authenticator("admin", "pw", "camscope");
        let now = datetime!(2026-11-22 09:48:29 UTC);
        let uri = "/onvif/device_service";
        // No credentials: a Digest challenge.
        let Err(Refusal::Challenge(challenge)) = auth.check(None, "POST", uri, None, now) else {
            panic!("expected a challenge");
        };
        assert!(challenge.starts_with("Digest realm=\"camscope\", qop=\"auth\""));
        // Right Digest answer.
        let good = answer(&auth, &challenge, "pw", uri);
        assert_eq!(auth.check(Some(&good), "POST", uri, None, now), Ok(()));
        // The same Authorization header again is a replay.
        assert!(auth.check(Some(&good), "POST", uri, None, now).is_err());
        // Wrong password or wrong URI: a new challenge, not stale.
        let bad = answer(&auth, &challenge, "wrong", uri);
        let Err(Refusal::Challenge(again)) = auth.check(Some(&bad), "POST", uri, None, now) else {
            panic!("expected a challenge");
        };
        assert!(!again.contains("stale"));
        assert!(
            auth.check(Some(&good), "POST", "/other", None, now)
                .is_err()
        );
        // Expired nonce with the right password: stale=true.
        let later = now + Duration::from_secs(301);
        let Err(Refusal::Challenge(stale)) = auth.check(Some(&good), "POST", uri, None, later)
        else {
            panic!("expected a challenge");
        };
        assert!(stale.ends_with("stale=true"));
        // A forged nonce is refused.
        let forged = good.replace(&challenge[challenge.len() - 20..challenge.len() - 1], "0");
        assert!(auth.check(Some(&forged), "POST", uri, None, now).is_err());
        // Bad UsernameToken: 400 NotAuthorized.
        let wrong = token("wrong", "2026-11-22T09:48:29Z", &[1; 16]);
        assert_eq!(
            auth.check(None, "POST", uri, Some(&wrong), now),
            Err(Refusal::NotAuthorized)
        );
        let right = token("pw", "2026-11-22T09:48:29Z", &[2; 16]);
        assert_eq!(auth.check(None, "POST", uri, Some(&right), now), Ok(()));
        // A Digest-only camera challenges even a right UsernameToken, and still takes Digest.
        let digest_only = authenticator("admin", "pw", "camscope").http_digest_only();
        let right = token("pw", "2026-11-22T09:48:29Z", &[3; 16]);
        let Err(Refusal::Challenge(challenge)) =
            digest_only.check(None, "POST", uri, Some(&right), now)
        else {
            panic!("expected a challenge");
        };
        let good = answer(&digest_only, &challenge, "pw", uri);
        assert_eq!(
            digest_only.check(Some(&good), "POST", uri, Some(&right), now),
            Ok(())
        );
    }

    #[test]
    fn rtsp_accepts_basic_and_digest_with_or_without_qop() {
        let auth = authenticator("admin", "pw", "camscope-hil-rig");
        let now = datetime!(2026-11-22 09:48:29 UTC);
        let url = "rtsp://127.0.0.1:8554/cam0/main";
        let any = |_: &str| true;
        let basic = |user: &str, pw: &str| {
            let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pw}"));
            format!("Basic {token}")
        };
        assert_eq!(
            auth.verify_rtsp(&basic("admin", "pw"), "DESCRIBE", any, now, None),
            Ok(())
        );
        assert_eq!(
            auth.verify_rtsp(&basic("admin", "nope"), "DESCRIBE", any, now, None),
            Err(AuthError::WrongPassword("admin".into()))
        );
        assert_eq!(
            auth.verify_rtsp(&basic("root", "pw"), "DESCRIBE", any, now, None),
            Err(AuthError::UnknownUser("root".into()))
        );
        assert!(
            auth.verify_rtsp("Basic !!!", "DESCRIBE", any, now, None)
                .is_err()
        );

        let challenge = auth.challenge(now, false);
        let params = parse_digest_params(&challenge).unwrap();
        let nonce = params.iter().find(|(k, _)| k == "nonce").unwrap().1.clone();
        // RFC 2069 form, as clients that ignore qop send it: MD5(HA1:nonce:HA2).
        let legacy = |pw: &str, method: &str| {
            let ha1 = md5_hex(&["admin", "camscope-hil-rig", pw]);
            let response = md5_hex(&[&ha1, &nonce, &md5_hex(&[method, url])]);
            format!(
                "Digest username=\"admin\", realm=\"camscope-hil-rig\", nonce=\"{nonce}\", \
                 uri=\"{url}\", response=\"{response}\""
            )
        };
        let header = legacy("pw", "DESCRIBE");
        assert_eq!(
            auth.verify_rtsp(&header, "DESCRIBE", any, now, None),
            Ok(())
        );
        // Without qop there is no counter: the same answer again is how such clients work.
        assert_eq!(
            auth.verify_rtsp(&header, "DESCRIBE", any, now, None),
            Ok(())
        );
        assert!(
            auth.verify_rtsp(&header, "SETUP", any, now, None).is_err(),
            "method is hashed"
        );
        assert!(
            auth.verify_rtsp(&legacy("x", "DESCRIBE"), "DESCRIBE", any, now, None)
                .is_err()
        );
        assert!(
            auth.verify_rtsp(&header, "DESCRIBE", |u| u == "/other", now, None)
                .is_err(),
            "uri must name the request"
        );
        // The nonce a connection authenticated with stays good there for as long as an RTSP
        // session may last; recorded and replayed on a new connection later, it is stale.
        let next_week = now + Duration::from_secs(7 * 24 * 3600);
        assert_eq!(
            auth.verify_rtsp(&header, "DESCRIBE", any, next_week, Some(&nonce)),
            Ok(())
        );
        assert_eq!(
            auth.verify_rtsp(&header, "DESCRIBE", any, next_week, None),
            Err(AuthError::StaleNonce)
        );
        assert_eq!(digest_nonce(&header).as_deref(), Some(nonce.as_str()));

        // qop=auth, as retina and ffmpeg answer the challenge; nc counts requests.
        let credentials = Credentials {
            username: "admin".into(),
            password: Secret::new("pw"),
        };
        let with_qop = |nc: &str| {
            let response = digest_response(
                &credentials,
                "camscope-hil-rig",
                "DESCRIBE",
                url,
                &nonce,
                nc,
                "0a4f113b",
            );
            format!(
                "Digest username=\"admin\", realm=\"camscope-hil-rig\", nonce=\"{nonce}\", \
                 uri=\"{url}\", qop=auth, nc={nc}, cnonce=\"0a4f113b\", response=\"{response}\", \
                 algorithm=MD5"
            )
        };
        assert_eq!(
            auth.verify_rtsp(&with_qop("00000001"), "DESCRIBE", any, now, None),
            Ok(())
        );
        assert_eq!(
            auth.verify_rtsp(&with_qop("00000002"), "DESCRIBE", any, now, None),
            Ok(())
        );
        assert_eq!(
            auth.verify_rtsp(&with_qop("00000002"), "DESCRIBE", any, now, None),
            Err(AuthError::Replayed("admin".into()))
        );
        // A nonce this device never issued.
        let forged = header.replace(&nonce[..16], "00000000deadbeef");
        assert!(
            auth.verify_rtsp(&forged, "DESCRIBE", any, now, None)
                .is_err()
        );
        let other = authenticator("admin", "pw", "camscope-hil-rig");
        assert!(
            other
                .verify_rtsp(&header, "DESCRIBE", any, now, None)
                .is_err()
        );
    }

    #[test]
    fn password_never_appears_in_debug_or_errors() {
        let password = "hunter2-very-secret";
        let auth = authenticator("admin", password, "cam");
        let now = datetime!(2026-11-22 09:48:29 UTC);
        let mut shown = vec![format!("{auth:?}"), format!("{}", Secret::new(password))];
        let text = UsernameToken {
            username: "admin".into(),
            password: Secret::new(password),
            password_type: PasswordType::Text,
            nonce: None,
            created: Some("bad".into()),
        };
        shown.push(format!("{text:?}"));
        if let Err(e) = auth.verify_username_token(&text, now) {
            shown.push(e.to_string());
            shown.push(format!("{e:?}"));
        }
        let digest = token(password, "2026-11-22T09:48:29Z", &[3; 16]);
        shown.push(format!("{digest:?}"));
        let wrong = token("x", "2026-11-22T09:48:29Z", &[4; 16]);
        if let Err(e) = auth.verify_username_token(&wrong, now) {
            shown.push(e.to_string());
        }
        let header = answer(&auth, &auth.challenge(now, false), "x", "/a");
        if let Err(e) = auth.verify_http_digest(&header, "POST", "/a", now) {
            shown.push(e.to_string());
        }
        shown.push(format!(
            "{:?}",
            auth.check(None, "POST", "/a", Some(&wrong), now)
        ));
        for s in &shown {
            assert!(!s.contains(password), "password leaked in {s:?}");
            assert!(
                !s.contains(digest.password.expose()),
                "digest leaked in {s:?}"
            );
        }
        assert!(shown[0].contains("***"));
    }

    #[test]
    fn digest_header_parser_handles_quotes_and_escapes() {
        let params = parse_digest_params(r#"Digest a="x, \"y\"", b=plain,c = "z""#).unwrap();
        assert_eq!(
            params,
            [
                ("a".into(), "x, \"y\"".into()),
                ("b".into(), "plain".into()),
                ("c".into(), "z".into())
            ]
        );
        assert!(parse_digest_params("Digest a=\"open").is_err());
        assert!(parse_digest_params("Digest a").is_err());
    }
}
