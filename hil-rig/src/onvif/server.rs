//! The HTTP side of a simulated camera's ONVIF services.
//!
//! ONVIF is SOAP 1.2 over HTTP POST; clients learn the service URLs from `GetServices`, and
//! the paths here are the conventional ones real cameras and clients use. The same server
//! answers an HTTP GET of each profile's snapshot URI (from `GetSnapshotUri`) with a JPEG, as
//! real cameras do. [`answer`] turns one HTTP request into one HTTP response without any I/O,
//! so the routing and the Core spec's authentication rules are testable on their own;
//! [`OnvifServer`] carries it over hyper on a loopback (or any) address, one tokio task per
//! connection.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue, WWW_AUTHENTICATE};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use crate::onvif::auth::Refusal;
use crate::onvif::camera::Camera;
use crate::onvif::soap::{Fault, NS_TDS, NS_TR2, NS_TRT, parse_request};
use crate::onvif::{device, media, media2, snapshot};

/// Largest request body accepted; real ONVIF requests are a few kilobytes.
const MAX_BODY: usize = 1 << 20;
/// Time a client has to send its request headers, and then its body.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// `Content-Type` of every SOAP answer.
const SOAP_CONTENT_TYPE: &str = "application/soap+xml; charset=utf-8";

/// One HTTP answer, independent of the HTTP library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpAnswer {
    /// HTTP status code.
    pub status: u16,
    /// `WWW-Authenticate` header value for a 401.
    pub www_authenticate: Option<String>,
    /// `Content-Type` of the body, if there is one.
    pub content_type: Option<&'static str>,
    /// SOAP envelope or JPEG (empty for 404, 405 and a snapshot's 401). `Bytes`, so that a
    /// cached snapshot is served without a copy.
    pub body: Bytes,
}

impl HttpAnswer {
    fn fault(fault: &Fault) -> Self {
        Self::fault_with_status(fault, fault.http_status(), None)
    }

    fn fault_with_status(fault: &Fault, status: u16, www_authenticate: Option<String>) -> Self {
        match fault.to_xml() {
            Ok(body) => HttpAnswer {
                status,
                www_authenticate,
                content_type: Some(SOAP_CONTENT_TYPE),
                body: body.into(),
            },
            Err(e) => {
                tracing::error!(error = %e, "cannot write SOAP fault");
                Self::empty(500)
            }
        }
    }

    fn empty(status: u16) -> Self {
        HttpAnswer {
            status,
            www_authenticate: None,
            content_type: None,
            body: Bytes::new(),
        }
    }
}

/// The services a camera serves, by path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// `/onvif/device_service`.
    Device,
    /// `/onvif/media_service` (Media1).
    Media,
    /// `/onvif/media2_service`.
    Media2,
}

impl Service {
    /// The service at `path`, if any.
    pub fn from_path(path: &str) -> Option<Self> {
        match path {
            device::PATH => Some(Service::Device),
            media::PATH => Some(Service::Media),
            media2::PATH => Some(Service::Media2),
            _ => None,
        }
    }

    fn namespace(self) -> &'static str {
        match self {
            Service::Device => NS_TDS,
            Service::Media => NS_TRT,
            Service::Media2 => NS_TR2,
        }
    }

    fn is_pre_auth(self, operation: &str) -> bool {
        match self {
            Service::Device => device::is_pre_auth(operation),
            // PRE_AUTH in the Core spec covers every service's GetServiceCapabilities.
            Service::Media | Service::Media2 => operation == "GetServiceCapabilities",
        }
    }
}

/// Answers one HTTP request to the camera. `uri` is the request target as sent (it must match
/// the Digest `uri` parameter), `authorization` the `Authorization` header.
pub fn answer(
    camera: &Camera,
    method: &str,
    uri: &str,
    authorization: Option<&str>,
    body: &[u8],
) -> HttpAnswer {
    let path = uri.split('?').next().unwrap_or(uri);
    let faults = camera.faults();
    if faults.refuse_onvif {
        // Only a request already in flight when a reboot starts gets here.
        return HttpAnswer::empty(503);
    }
    let Some(service) = Service::from_path(path) else {
        return answer_snapshot(camera, method, uri, path, authorization);
    };
    if method != "POST" {
        return HttpAnswer::empty(405);
    }
    let request = match std::str::from_utf8(body)
        .map_err(|e| crate::onvif::soap::ParseError::Xml(e.to_string()))
        .and_then(parse_request)
    {
        Ok(request) => request,
        Err(e) => {
            // The HTTP layer authenticates before the SOAP layer reads: a request without
            // valid HTTP credentials gets the Digest challenge whatever its body (an empty
            // probe is how `curl --digest` and other HTTP clients learn the challenge), and
            // only an authenticated one is told its body is malformed.
            if let Err(Refusal::Challenge(challenge)) =
                camera
                    .auth()
                    .check(authorization, method, uri, None, camera.now())
            {
                tracing::debug!(path, "unreadable SOAP request without credentials: 401");
                return HttpAnswer::fault_with_status(
                    &Fault::not_authorized(),
                    401,
                    Some(challenge),
                );
            }
            tracing::debug!(error = %e, path, "unreadable SOAP request");
            return HttpAnswer::fault(&Fault::malformed(&e));
        }
    };
    let operation = &request.operation;
    if operation.namespace.as_deref() != Some(service.namespace()) {
        return HttpAnswer::fault(&Fault::action_not_supported(&operation.name));
    }
    if !service.is_pre_auth(&operation.name) {
        let mut checked = camera.auth().check(
            authorization,
            method,
            uri,
            request.token.as_ref(),
            camera.now(),
        );
        if faults.refuse_credentials && checked.is_ok() {
            // Refuse the right credentials the way wrong ones of the same kind are refused.
            tracing::debug!(operation = %operation.name, "credentials refused by a fault");
            checked = Err(match (authorization, &request.token) {
                (None, Some(_)) => Refusal::NotAuthorized,
                _ => Refusal::Challenge(camera.auth().challenge(camera.now(), false)),
            });
        }
        match checked {
            Ok(()) => {}
            Err(Refusal::Challenge(challenge)) => {
                tracing::debug!(operation = %operation.name, "401 with Digest challenge");
                return HttpAnswer::fault_with_status(
                    &Fault::not_authorized(),
                    401,
                    Some(challenge),
                );
            }
            Err(Refusal::NotAuthorized) => {
                return HttpAnswer::fault(&Fault::not_authorized());
            }
        }
    }
    let result = match service {
        Service::Device => device::handle(camera, operation),
        Service::Media => media::handle(camera, operation),
        Service::Media2 => media2::handle(camera, operation),
    };
    match result {
        Ok(body) => {
            tracing::debug!(operation = %operation.name, "200");
            HttpAnswer {
                status: 200,
                www_authenticate: None,
                content_type: Some(SOAP_CONTENT_TYPE),
                body: body.into(),
            }
        }
        Err(fault) => {
            tracing::debug!(operation = %operation.name, reason = %fault.reason, "fault");
            HttpAnswer::fault(&fault)
        }
    }
}

/// Answers a GET of a profile's snapshot URI with a JPEG at the profile's current resolution.
///
/// A GET carries no SOAP header, so no UsernameToken: only HTTP Digest can authenticate it,
/// the Core spec's rule for HTTP. Without valid Digest credentials (Basic included, which would
/// put the password on the wire) the answer is 401 with a Digest challenge, as for SOAP.
fn answer_snapshot(
    camera: &Camera,
    method: &str,
    uri: &str,
    path: &str,
    authorization: Option<&str>,
) -> HttpAnswer {
    let Some(resolution) = camera
        .state()
        .snapshot_profile(path)
        .map(|p| p.encoder.resolution)
    else {
        return HttpAnswer::empty(404);
    };
    if method != "GET" {
        return HttpAnswer::empty(405);
    }
    if let Err(refusal) = camera
        .auth()
        .check(authorization, method, uri, None, camera.now())
    {
        tracing::debug!(path, "snapshot refused: 401 with Digest challenge");
        let challenge = match refusal {
            Refusal::Challenge(challenge) => challenge,
            Refusal::NotAuthorized => camera.auth().challenge(camera.now(), false),
        };
        let mut answer = HttpAnswer::empty(401);
        answer.www_authenticate = Some(challenge);
        return answer;
    }
    match camera.snapshots().get(resolution) {
        Ok(jpeg) => {
            tracing::debug!(
                path,
                width = resolution.width,
                height = resolution.height,
                "snapshot 200"
            );
            HttpAnswer {
                status: 200,
                www_authenticate: None,
                content_type: Some(snapshot::CONTENT_TYPE),
                body: jpeg,
            }
        }
        Err(e) => {
            tracing::error!(path, error = %e, "cannot make the snapshot");
            HttpAnswer::empty(500)
        }
    }
}

/// Encodes the snapshot a GET of `path` will be answered with, off the async workers: the
/// first request for a size costs tens of milliseconds of CPU, which must not stall the
/// streams served from the same runtime. Later requests find it cached.
async fn prepare_snapshot(camera: &Arc<Camera>, method: &str, path: &str) {
    if method != "GET" {
        return;
    }
    let Some(resolution) = camera
        .state()
        .snapshot_profile(path)
        .map(|p| p.encoder.resolution)
    else {
        return;
    };
    let cache = Arc::clone(camera.snapshots());
    if cache.is_cached(resolution) {
        return;
    }
    // An encoding error is reported by `answer`, which meets it again from the cache.
    let _ = tokio::task::spawn_blocking(move || cache.get(resolution)).await;
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
#[error("cannot listen for ONVIF on {addr}")]
pub struct BindError {
    /// The address asked for.
    pub addr: SocketAddr,
    /// The socket error.
    #[source]
    pub source: std::io::Error,
}

/// The ONVIF HTTP server of one camera.
#[derive(Debug)]
pub struct OnvifServer {
    listener: TcpListener,
    local_addr: SocketAddr,
    camera: Arc<Camera>,
}

impl OnvifServer {
    /// Binds `addr` (port 0 picks a free port) and records the bound port in the camera state,
    /// so that the XAddrs it reports point back here.
    pub async fn bind(addr: SocketAddr, camera: Arc<Camera>) -> Result<Self, BindError> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| BindError { addr, source })?;
        let local_addr = listener
            .local_addr()
            .map_err(|source| BindError { addr, source })?;
        camera.set_http_port(local_addr.port());
        Ok(OnvifServer {
            listener,
            local_addr,
            camera,
        })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The device service URL clients connect to.
    pub fn device_url(&self) -> String {
        format!("http://{}{}", self.local_addr, device::PATH)
    }

    /// Serves until `shutdown` completes; open connections are then dropped. While the camera
    /// reboots (an injected fault) every connection is closed as soon as it is accepted.
    pub async fn serve(self, shutdown: impl Future<Output = ()>) {
        let mut connections = JoinSet::new();
        tokio::pin!(shutdown);
        let mut faults = self.camera.fault_changes();
        let mut epoch = self.camera.faults().epoch;
        loop {
            let fault_change = async {
                match &mut faults {
                    Some(rx) => match rx.changed().await {
                        Ok(()) => Some(*rx.borrow_and_update()),
                        // The fleet is stopping; `shutdown` ends this loop.
                        Err(_) => std::future::pending().await,
                    },
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = &mut shutdown => break,
                Some(now) = fault_change => {
                    if now.epoch != epoch && now.refuse_onvif {
                        tracing::debug!("reboot: closing every ONVIF connection");
                        connections.abort_all();
                    }
                    epoch = now.epoch;
                }
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, _)) if self.camera.faults().refuse_onvif => drop(stream),
                    Ok((stream, peer)) => {
                        let camera = Arc::clone(&self.camera);
                        connections.spawn(serve_connection(stream, peer, camera));
                    }
                    Err(e) => {
                        // Typically EMFILE under load; back off instead of spinning.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
    }
}

async fn serve_connection(stream: tokio::net::TcpStream, peer: SocketAddr, camera: Arc<Camera>) {
    let service = hyper::service::service_fn(move |request| {
        let camera = Arc::clone(&camera);
        async move { Ok::<_, Infallible>(respond(&camera, request).await) }
    });
    let result = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(READ_TIMEOUT)
        .serve_connection(TokioIo::new(stream), service)
        .await;
    if let Err(e) = result {
        tracing::debug!(%peer, error = %e, "ONVIF connection ended with an error");
    }
}

async fn respond(camera: &Arc<Camera>, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let uri = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned());
    let collected =
        tokio::time::timeout(READ_TIMEOUT, Limited::new(body, MAX_BODY).collect()).await;
    let answer = match collected {
        Ok(Ok(body)) => {
            prepare_snapshot(camera, parts.method.as_str(), parts.uri.path()).await;
            let authorization = parts
                .headers
                .get(hyper::header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok());
            answer(
                camera,
                parts.method.as_str(),
                &uri,
                authorization,
                &body.to_bytes(),
            )
        }
        Ok(Err(_)) => HttpAnswer::empty(413),
        Err(_) => HttpAnswer::empty(408),
    };
    let mut response = Response::new(Full::new(answer.body));
    *response.status_mut() =
        StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Some(content_type) = answer.content_type {
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    if let Some(challenge) = answer
        .www_authenticate
        .and_then(|c| HeaderValue::from_str(&c).ok())
    {
        response.headers_mut().insert(WWW_AUTHENTICATE, challenge);
    }
    response
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use base64::Engine as _;
    use time::format_description::well_known::Rfc3339;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;
    use crate::onvif::auth::{Credentials, Secret, digest_response, password_digest};
    use crate::onvif::camera::CameraState;
    use crate::onvif::snapshot::tests::jpeg_size;
    use crate::onvif::soap::parse_document;

    fn camera() -> Camera {
        Camera::new(
            CameraState::example(2, Ipv4Addr::LOCALHOST, 8554),
            Credentials {
                username: "admin".into(),
                password: Secret::new("s3cret"),
            },
        )
    }

    fn envelope(header: &str, operation: &str, namespace: &str) -> Vec<u8> {
        format!(
            r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header>{header}</s:Header><s:Body><{operation} xmlns="{namespace}"/></s:Body></s:Envelope>"#
        )
        .into_bytes()
    }

    fn token_header(password: &str, created: &str) -> String {
        let nonce: [u8; 16] = rand::random();
        let digest = password_digest(&nonce, created, password);
        let nonce = base64::engine::general_purpose::STANDARD.encode(nonce);
        format!(
            r#"<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"><wsse:UsernameToken><wsse:Username>admin</wsse:Username><wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">{digest}</wsse:Password><wsse:Nonce>{nonce}</wsse:Nonce><wsu:Created>{created}</wsu:Created></wsse:UsernameToken></wsse:Security>"#
        )
    }

    fn subcodes(body: &[u8]) -> Vec<String> {
        let root = parse_document(std::str::from_utf8(body).unwrap()).unwrap();
        let mut code = root.path(&["Body", "Fault", "Code"]).unwrap();
        let mut values = vec![code.child_text("Value").unwrap().to_owned()];
        while let Some(sub) = code.child("Subcode") {
            values.push(sub.child_text("Value").unwrap().to_owned());
            code = sub;
        }
        values
    }

    const DEVICE: &str = "/onvif/device_service";

    #[test]
    fn pre_auth_operations_need_no_credentials() {
        let camera = camera();
        for op in [
            "GetSystemDateAndTime",
            "GetServices",
            "GetCapabilities",
            "GetHostname",
        ] {
            let a = answer(&camera, "POST", DEVICE, None, &envelope("", op, NS_TDS));
            assert_eq!(a.status, 200, "{op}");
        }
    }

    #[test]
    fn missing_credentials_get_401_with_digest_challenge() {
        let camera = camera();
        let a = answer(
            &camera,
            "POST",
            DEVICE,
            None,
            &envelope("", "GetDeviceInformation", NS_TDS),
        );
        assert_eq!(a.status, 401);
        let challenge = a.www_authenticate.unwrap();
        assert!(challenge.starts_with("Digest realm=\"SimCam-SIM000002\""));
        assert_eq!(subcodes(&a.body), ["env:Sender", "ter:NotAuthorized"]);
    }

    #[test]
    fn bad_token_gets_400_not_authorized_and_good_token_passes() {
        let camera = camera();
        let created = camera.now().format(&Rfc3339).unwrap();
        let bad = envelope(
            &token_header("wrong", &created),
            "GetDeviceInformation",
            NS_TDS,
        );
        let a = answer(&camera, "POST", DEVICE, None, &bad);
        assert_eq!(a.status, 400);
        assert!(a.www_authenticate.is_none());
        assert_eq!(subcodes(&a.body), ["env:Sender", "ter:NotAuthorized"]);
        let good = envelope(
            &token_header("s3cret", &created),
            "GetDeviceInformation",
            NS_TDS,
        );
        assert_eq!(answer(&camera, "POST", DEVICE, None, &good).status, 200);
        let stale = (camera.now() - time::Duration::minutes(10))
            .format(&Rfc3339)
            .unwrap();
        let old = envelope(
            &token_header("s3cret", &stale),
            "GetDeviceInformation",
            NS_TDS,
        );
        assert_eq!(answer(&camera, "POST", DEVICE, None, &old).status, 400);
    }

    #[test]
    fn http_digest_answer_passes() {
        let camera = camera();
        let body = envelope("", "GetProfiles", NS_TRT);
        let first = answer(&camera, "POST", media::PATH, None, &body);
        let challenge = first.www_authenticate.unwrap();
        let nonce = challenge
            .split("nonce=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let credentials = Credentials {
            username: "admin".into(),
            password: Secret::new("s3cret"),
        };
        let realm = "SimCam-SIM000002";
        let response = digest_response(
            &credentials,
            realm,
            "POST",
            media::PATH,
            nonce,
            "00000001",
            "c0ffee",
        );
        let header = format!(
            "Digest username=\"admin\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"{}\", qop=auth, nc=00000001, cnonce=\"c0ffee\", response=\"{response}\"",
            media::PATH
        );
        let a = answer(&camera, "POST", media::PATH, Some(&header), &body);
        assert_eq!(a.status, 200);
    }

    #[test]
    fn routing_and_malformed_requests() {
        let camera = camera();
        let body = envelope("", "GetSystemDateAndTime", NS_TDS);
        assert_eq!(answer(&camera, "POST", "/nope", None, &body).status, 404);
        assert_eq!(answer(&camera, "GET", DEVICE, None, &body).status, 405);
        // Without credentials the challenge comes first; authenticated, the body is judged.
        let first = answer(&camera, "POST", DEVICE, None, b"<not xml");
        assert_eq!(first.status, 401);
        let good = digest_for(&first, "POST", DEVICE, "s3cret");
        let a = answer(&camera, "POST", DEVICE, Some(&good), b"<not xml");
        assert_eq!(a.status, 400);
        assert_eq!(subcodes(&a.body), ["env:Sender", "ter:WellFormed"]);
        let good = digest_for(&first, "POST", DEVICE, "s3cret");
        let a = answer(&camera, "POST", DEVICE, Some(&good), &[0xff, 0xfe]);
        assert_eq!(a.status, 400);
        // A Media operation sent to the device service is not a device operation.
        let a = answer(
            &camera,
            "POST",
            DEVICE,
            None,
            &envelope("", "GetProfiles", NS_TRT),
        );
        assert_eq!(
            subcodes(&a.body),
            ["env:Receiver", "ter:ActionNotSupported"]
        );
        assert_eq!(a.status, 500);
    }

    /// `curl --digest` first sends its request without credentials and with an empty body,
    /// expecting the 401 challenge; a 400 for the empty body left it nothing to answer.
    #[test]
    fn unauthenticated_requests_get_the_challenge_whatever_their_body() {
        let camera = camera();
        for body in [&b""[..], b"not xml", b"<a/>"] {
            let a = answer(&camera, "POST", DEVICE, None, body);
            assert_eq!(a.status, 401, "{:?}", String::from_utf8_lossy(body));
            assert!(a.www_authenticate.unwrap().starts_with("Digest "));
        }
        // Authenticated, the same empty body is what it is: malformed.
        let first = answer(&camera, "POST", DEVICE, None, b"");
        let good = digest_for(&first, "POST", DEVICE, "s3cret");
        let a = answer(&camera, "POST", DEVICE, Some(&good), b"");
        assert_eq!(a.status, 400);
        // And the full exchange curl makes: challenge, then the call with Digest.
        let good = digest_for(&first, "POST", DEVICE, "s3cret");
        let body = envelope("", "GetDeviceInformation", NS_TDS);
        assert_eq!(
            answer(&camera, "POST", DEVICE, Some(&good), &body).status,
            200
        );
    }

    /// An HTTP Digest `Authorization` for `method uri`, answering the challenge in `first`.
    fn digest_for(first: &HttpAnswer, method: &str, uri: &str, password: &str) -> String {
        let challenge = first.www_authenticate.as_deref().unwrap();
        let nonce = challenge
            .split("nonce=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let realm = "SimCam-SIM000002";
        let credentials = Credentials {
            username: "admin".into(),
            password: Secret::new(password),
        };
        let cnonce = format!("{:08x}", rand::random::<u32>());
        let response =
            digest_response(&credentials, realm, method, uri, nonce, "00000001", &cnonce);
        format!(
            "Digest username=\"admin\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"{uri}\", algorithm=MD5, qop=auth, nc=00000001, cnonce=\"{cnonce}\", response=\"{response}\""
        )
    }

    #[test]
    fn snapshot_needs_digest_and_follows_the_profile_resolution() {
        let camera = camera();
        let state = camera.state();
        let main = state.profile("main").unwrap().snapshot_path.clone();
        let sub = state.profile("sub").unwrap().snapshot_path.clone();

        let first = answer(&camera, "GET", &main, None, b"");
        assert_eq!(first.status, 401);
        assert!(first.body.is_empty());
        assert!(
            first
                .www_authenticate
                .as_deref()
                .unwrap()
                .starts_with("Digest realm=\"SimCam-SIM000002\"")
        );
        // Basic would carry the password in clear; the camera asks for Digest instead.
        let basic = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("admin:s3cret")
        );
        let refused = answer(&camera, "GET", &main, Some(&basic), b"");
        assert_eq!(refused.status, 401);
        assert!(refused.www_authenticate.unwrap().starts_with("Digest "));
        let wrong = digest_for(&first, "GET", &main, "wrong");
        assert_eq!(answer(&camera, "GET", &main, Some(&wrong), b"").status, 401);

        let good = digest_for(&first, "GET", &main, "s3cret");
        let jpeg = answer(&camera, "GET", &main, Some(&good), b"");
        assert_eq!(jpeg.status, 200);
        assert_eq!(jpeg.content_type, Some("image/jpeg"));
        assert_eq!(jpeg_size(&jpeg.body), Some((1920, 1080)));
        let good = digest_for(&first, "GET", &sub, "s3cret");
        let jpeg = answer(&camera, "GET", &sub, Some(&good), b"");
        assert_eq!(jpeg_size(&jpeg.body), Some((640, 360)));

        let mut config = state.profiles[0].encoder.clone();
        config.resolution = crate::onvif::camera::Resolution {
            width: 1280,
            height: 720,
        };
        camera.set_encoder(config).unwrap();
        let good = digest_for(&first, "GET", &main, "s3cret");
        let jpeg = answer(&camera, "GET", &main, Some(&good), b"");
        assert_eq!(jpeg_size(&jpeg.body), Some((1280, 720)));

        // Only GET, and only the profiles' paths.
        let good = digest_for(&first, "POST", &main, "s3cret");
        assert_eq!(answer(&camera, "POST", &main, Some(&good), b"").status, 405);
        assert_eq!(
            answer(&camera, "GET", "/cam9/main.jpg", None, b"").status,
            404
        );
    }

    #[tokio::test]
    async fn serves_soap_over_loopback_and_reports_its_port() {
        let camera = Arc::new(camera());
        let server = OnvifServer::bind("127.0.0.1:0".parse().unwrap(), Arc::clone(&camera))
            .await
            .unwrap();
        let addr = server.local_addr();
        assert_ne!(addr.port(), 0);
        assert_eq!(camera.state().network.http_port, addr.port());
        assert_eq!(
            server.device_url(),
            format!("http://{addr}/onvif/device_service")
        );
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(server.serve(async {
            let _ = stopped.await;
        }));
        let body = envelope("", "GetSystemDateAndTime", NS_TDS);
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let head = format!(
            "POST {DEVICE} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/soap+xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        stream.write_all(&body).await.unwrap();
        let mut response = String::new();
        tokio::time::timeout(Duration::from_secs(5), stream.read_to_string(&mut response))
            .await
            .unwrap()
            .unwrap();
        assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
        assert!(response.contains("content-type: application/soap+xml; charset=utf-8\r\n"));
        assert!(response.contains("GetSystemDateAndTimeResponse"));
        stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(5), task)
            .await
            .unwrap()
            .unwrap();
    }
}
