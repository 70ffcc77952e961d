//! WS-Discovery (2005/04, SOAP 1.2 over UDP) for simulated cameras, and a probe to find cameras.
//!
//! VMSs and tools such as ONVIF Device Manager do not ask for a camera's address: they multicast
//! a `Probe` for `dn:NetworkVideoTransmitter` to 239.255.255.250:3702 and list whatever answers.
//! A simulated fleet must answer like real cameras to be found at all, and the rig's own
//! `--discover` must find real cameras the same way. So this module has three parts:
//!
//! - [`parse`] and the `write_*` functions: the messages, read with a namespace-aware quick-xml
//!   reader (the `Types` list holds QNames whose prefixes are resolved against the declarations
//!   in scope, so any client's prefixes work) and written with [`crate::onvif::soap::XmlOut`];
//! - [`Responder`]: one UDP socket that answers probes for many cameras at once (a fleet of
//!   hundreds runs in one process), sends `Hello` on start and `Bye` on shutdown, and drops
//!   malformed or foreign datagrams, as the ONVIF Core spec requires;
//! - [`probe`]: the client side, which sends one `Probe` and collects the `ProbeMatches` that
//!   relate to it.
//!
//! Each camera answers with its own `ProbeMatches` datagram after a random delay of up to
//! [`APP_MAX_DELAY`], as WS-Discovery asks, so that a fleet's answers do not arrive as one burst
//! and a fleet of hundreds never needs a datagram larger than UDP allows.

use std::collections::{BTreeMap, VecDeque};
use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{QName, ResolveResult};
use quick_xml::reader::NsReader;
use sha1::{Digest, Sha1};
use tokio::net::UdpSocket;
use tokio::task::JoinSet;

use crate::Error;
use crate::onvif::camera::CameraState;
use crate::onvif::device::scope_list;
use crate::onvif::soap::{NS_ENV, NS_TDS, XmlOut};

/// WS-Addressing (2004/08) namespace, the version WS-Discovery 2005/04 uses.
pub const NS_WSA: &str = "http://schemas.xmlsoap.org/ws/2004/08/addressing";
/// WS-Discovery 2005/04 namespace, the version ONVIF requires.
pub const NS_WSD: &str = "http://schemas.xmlsoap.org/ws/2005/04/discovery";
/// ONVIF network namespace, home of `NetworkVideoTransmitter`.
pub const NS_DN: &str = "http://www.onvif.org/ver10/network/wsdl";
/// IPv4 multicast group and port of WS-Discovery.
pub const MULTICAST_V4: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::new(239, 255, 255, 250), 3702);
/// Longest random wait before answering a multicast probe (WS-Discovery `APP_MAX_DELAY`).
pub const APP_MAX_DELAY: Duration = Duration::from_millis(500);

const ACTION_PROBE: &str = "http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe";
const ACTION_PROBE_MATCHES: &str = "http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches";
const ACTION_HELLO: &str = "http://schemas.xmlsoap.org/ws/2005/04/discovery/Hello";
const ACTION_BYE: &str = "http://schemas.xmlsoap.org/ws/2005/04/discovery/Bye";
/// `wsa:To` of multicast messages.
const TO_DISCOVERY: &str = "urn:schemas-xmlsoap-org:ws:2005:04:discovery";
/// `wsa:To` of a reply sent to whoever probed.
const TO_ANONYMOUS: &str = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous";
/// Scope matching by URI segments; 2005/04 names it after RFC 2396, later drafts after 3986.
const MATCH_BY_RFC2396: &str = "http://schemas.xmlsoap.org/ws/2005/04/discovery/rfc2396";
const MATCH_BY_RFC3986: &str = "http://schemas.xmlsoap.org/ws/2005/04/discovery/rfc3986";
/// Scope matching by exact string comparison.
const MATCH_BY_STRCMP: &str = "http://schemas.xmlsoap.org/ws/2005/04/discovery/strcmp0";

/// Largest UDP payload; a datagram is read whole or not at all.
const MAX_DATAGRAM: usize = 65_535;
/// Deepest nesting accepted; discovery messages need 6 levels.
const MAX_DEPTH: usize = 16;
/// Most elements accepted in one message; a ProbeMatches for one camera has about 20.
const MAX_ELEMENTS: usize = 1024;
/// Probe message IDs remembered, so that the repeats SOAP-over-UDP senders make (wsdiscovery
/// sends every multicast probe several times) get one answer.
const SEEN_PROBES: usize = 256;
/// Probes answered at once; beyond this a flood of probes is dropped instead of queued.
const MAX_PENDING_REPLIES: usize = 64;
/// Fixed UUID under which camera endpoint UUIDs are derived (UUID v5), so a camera keeps its
/// endpoint reference across restarts as a real one does.
const ENDPOINT_NAMESPACE: [u8; 16] = [
    0x3c, 0x8e, 0x5a, 0x41, 0x97, 0x0d, 0x4b, 0x6f, 0x8a, 0x52, 0x1e, 0xc4, 0x7b, 0x90, 0x2d, 0x63,
];

/// A namespace-qualified name, such as a WS-Discovery type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct QualifiedName {
    /// Namespace URI.
    pub namespace: String,
    /// Local name.
    pub local: String,
}

impl QualifiedName {
    /// A name from its namespace and local part.
    pub fn new(namespace: &str, local: &str) -> Self {
        QualifiedName {
            namespace: namespace.to_owned(),
            local: local.to_owned(),
        }
    }

    /// `dn:NetworkVideoTransmitter`, the type an ONVIF video device is probed for.
    pub fn network_video_transmitter() -> Self {
        Self::new(NS_DN, "NetworkVideoTransmitter")
    }

    /// `tds:Device`, which the Core spec requires every ONVIF device to announce.
    pub fn device() -> Self {
        Self::new(NS_TDS, "Device")
    }
}

/// One discoverable service: what a `Hello` or `ProbeMatch` says about a camera.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Endpoint reference address, `urn:uuid:…`; stable for the camera.
    pub address: String,
    /// Types the endpoint implements.
    pub types: Vec<QualifiedName>,
    /// Scope URIs.
    pub scopes: Vec<String>,
    /// Transport addresses: the ONVIF device service URL.
    pub xaddrs: Vec<String>,
    /// Incremented whenever types, scopes or addresses change.
    pub metadata_version: u32,
}

impl Endpoint {
    /// The endpoint of a simulated camera, once its HTTP port is known: types
    /// `dn:NetworkVideoTransmitter tds:Device`, the scopes `GetScopes` reports, the device
    /// service URL, and an endpoint UUID derived from the serial number.
    pub fn for_camera(state: &CameraState) -> Self {
        Endpoint {
            address: format!(
                "urn:uuid:{}",
                uuid_v5(&ENDPOINT_NAMESPACE, state.info.serial_number.as_bytes())
            ),
            types: vec![
                QualifiedName::network_video_transmitter(),
                QualifiedName::device(),
            ],
            // Scopes are a space-separated list, so a space inside a value is percent-encoded.
            scopes: scope_list(state)
                .into_iter()
                .map(|(_, scope)| scope.replace(' ', "%20"))
                .collect(),
            xaddrs: vec![state.http_url("/onvif/device_service")],
            metadata_version: 1,
        }
    }

    /// Whether this endpoint answers `probe`: it has every probed type and every probed scope
    /// matches one of its scopes under the probe's rule.
    pub fn matches(&self, probe: &Probe) -> bool {
        probe.types.iter().all(|t| self.types.contains(t))
            && probe.scopes.iter().all(|wanted| {
                self.scopes
                    .iter()
                    .any(|own| scope_matches(probe.match_by.as_deref(), wanted, own))
            })
    }
}

/// A `Probe`: what the client is looking for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Probe {
    /// `wsa:MessageID`, which answers carry as `wsa:RelatesTo`.
    pub message_id: String,
    /// Wanted types; empty matches every endpoint.
    pub types: Vec<QualifiedName>,
    /// Wanted scopes; empty matches every endpoint.
    pub scopes: Vec<String>,
    /// `Scopes@MatchBy`; `None` means the default rule, segment-wise URI prefix.
    pub match_by: Option<String>,
}

/// A WS-Discovery message this module understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A client looks for endpoints.
    Probe(Probe),
    /// Endpoints answer a probe.
    ProbeMatches {
        /// `wsa:RelatesTo`: the probe's message ID.
        relates_to: String,
        /// The endpoints that matched.
        matches: Vec<Endpoint>,
    },
    /// An endpoint joined the network.
    Hello(Endpoint),
    /// An endpoint is leaving; only its address is required.
    Bye {
        /// Endpoint reference address of the leaving endpoint.
        address: String,
    },
}

/// Why a datagram is not a WS-Discovery message this module understands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Not UTF-8 or not well-formed XML.
    #[error("malformed XML: {0}")]
    Xml(String),
    /// A document type declaration, which could declare entities, was present.
    #[error("DOCTYPE is not allowed in SOAP messages")]
    Doctype,
    /// Nesting or element count beyond any discovery message.
    #[error("message too large or too deeply nested")]
    TooLarge,
    /// The root is not a SOAP 1.2 envelope.
    #[error("root element is not a SOAP 1.2 Envelope")]
    NotEnvelope,
    /// The body holds no discovery operation this module handles (e.g. Resolve, or foreign
    /// SOAP).
    #[error("not a Probe, ProbeMatches, Hello or Bye")]
    Foreign,
    /// A required element is missing or empty.
    #[error("{0} is missing")]
    Missing(&'static str),
    /// A `Types` entry has a prefix with no namespace declaration in scope.
    #[error("type {0} has an undeclared prefix")]
    UnboundPrefix(String),
    /// `MetadataVersion` is not an unsigned integer.
    #[error("MetadataVersion is not a number")]
    MetadataVersion,
}

/// The body element a message is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operation {
    Probe,
    ProbeMatches,
    Hello,
    Bye,
    Other,
}

/// Fields of a `Probe`, `ProbeMatch`, `Hello` or `Bye` while they are read.
#[derive(Debug, Default)]
struct Fields {
    address: Option<String>,
    types: Vec<QualifiedName>,
    scopes: Vec<String>,
    match_by: Option<String>,
    xaddrs: Vec<String>,
    metadata_version: Option<String>,
}

impl Fields {
    fn into_endpoint(self) -> Result<Endpoint, ParseError> {
        let address = self
            .address
            .filter(|a| !a.is_empty())
            .ok_or(ParseError::Missing("EndpointReference/Address"))?;
        let metadata_version = match self.metadata_version {
            Some(v) => v.parse().map_err(|_| ParseError::MetadataVersion)?,
            None => return Err(ParseError::Missing("MetadataVersion")),
        };
        Ok(Endpoint {
            address,
            types: self.types,
            scopes: self.scopes,
            xaddrs: self.xaddrs,
            metadata_version,
        })
    }
}

/// An open element: its namespace, if any, and its local name.
type OpenElement = (Option<String>, String);

/// Whether `entry` is the element `name` of namespace `ns`.
fn is_element(entry: Option<&OpenElement>, ns: &str, name: &str) -> bool {
    entry.is_some_and(|(n, l)| n.as_deref() == Some(ns) && l == name)
}

/// A WS-Discovery message while it is read: the open elements and what has been found so far.
#[derive(Debug, Default)]
struct Reading {
    /// Open elements; the root is index 0.
    path: Vec<OpenElement>,
    /// Elements seen so far, for the size cap.
    count: usize,
    /// Text of the innermost element since it opened or a child closed.
    text: String,
    message_id: Option<String>,
    relates_to: Option<String>,
    operation: Option<Operation>,
    fields: Fields,
    matches: Vec<Endpoint>,
}

impl Reading {
    /// Takes an opened element: checks the caps and the envelope, notes the operation (the
    /// first element of the body) and a `Scopes@MatchBy`, and pushes it on the path.
    fn open(
        &mut self,
        namespace: Option<String>,
        start: &BytesStart<'_>,
    ) -> Result<(), ParseError> {
        self.count += 1;
        if self.count > MAX_ELEMENTS || self.path.len() >= MAX_DEPTH {
            return Err(ParseError::TooLarge);
        }
        let local = start.local_name().as_ref().to_owned();
        if self.path.is_empty() && !(namespace.as_deref() == Some(NS_ENV) && local == "Envelope") {
            return Err(ParseError::NotEnvelope);
        }
        // Only the first element of the body is the operation.
        if self.path.len() == 2
            && is_element(self.path.get(1), NS_ENV, "Body")
            && self.operation.is_none()
        {
            self.operation = Some(match (namespace.as_deref(), local.as_str()) {
                (Some(NS_WSD), "Probe") => Operation::Probe,
                (Some(NS_WSD), "ProbeMatches") => Operation::ProbeMatches,
                (Some(NS_WSD), "Hello") => Operation::Hello,
                (Some(NS_WSD), "Bye") => Operation::Bye,
                _ => Operation::Other,
            });
        }
        if namespace.as_deref() == Some(NS_WSD)
            && local == "Scopes"
            && is_element(self.path.get(1), NS_ENV, "Body")
        {
            for attribute in start.attributes() {
                let attribute = attribute.map_err(|e| ParseError::Xml(e.to_string()))?;
                if attribute.key.as_ref() == "MatchBy" {
                    let value = attribute
                        .normalized_value(quick_xml::XmlVersion::default())
                        .map_err(|e| ParseError::Xml(e.to_string()))?;
                    self.fields.match_by = Some(value.trim().to_owned());
                }
            }
        }
        self.path.push((namespace, local));
        self.text.clear();
        Ok(())
    }

    /// Takes the close of the innermost element: stores its text in the field it is, if any,
    /// finishes a `ProbeMatch`, and pops it off the path.
    fn close(&mut self, reader: &NsReader<&[u8]>) -> Result<(), ParseError> {
        let depth = self.path.len();
        let item_depth = match self.operation {
            Some(Operation::ProbeMatches) => 4,
            _ => 3,
        };
        let path = &self.path;
        let in_body = is_element(path.get(1), NS_ENV, "Body");
        if let Some((Some(ns), local)) = path.last().filter(|_| in_body || depth == 3) {
            let value = self.text.trim();
            let fields = &mut self.fields;
            match (ns.as_str(), local.as_str(), depth) {
                (NS_WSA, "MessageID", 3) if is_element(path.get(1), NS_ENV, "Header") => {
                    self.message_id = Some(value.to_owned());
                }
                (NS_WSA, "RelatesTo", 3) if is_element(path.get(1), NS_ENV, "Header") => {
                    self.relates_to = Some(value.to_owned());
                }
                (NS_WSA, "Address", d)
                    if d == item_depth + 2
                        && is_element(path.get(d - 2), NS_WSA, "EndpointReference") =>
                {
                    fields.address = Some(value.to_owned());
                }
                (NS_WSD, "Types", d) if d == item_depth + 1 => {
                    for item in value.split_whitespace() {
                        let (resolved, local) = reader.resolver().resolve_element(QName(item));
                        let namespace = match resolved {
                            ResolveResult::Bound(n) => n.as_ref().to_owned(),
                            _ => return Err(ParseError::UnboundPrefix(item.to_owned())),
                        };
                        fields.types.push(QualifiedName {
                            namespace,
                            local: local.as_ref().to_owned(),
                        });
                    }
                }
                (NS_WSD, "Scopes", d) if d == item_depth + 1 => {
                    fields.scopes = value.split_whitespace().map(str::to_owned).collect();
                }
                (NS_WSD, "XAddrs", d) if d == item_depth + 1 => {
                    fields.xaddrs = value.split_whitespace().map(str::to_owned).collect();
                }
                (NS_WSD, "MetadataVersion", d) if d == item_depth + 1 => {
                    fields.metadata_version = Some(value.to_owned());
                }
                (NS_WSD, "ProbeMatch", 4) if self.operation == Some(Operation::ProbeMatches) => {
                    self.matches.push(std::mem::take(fields).into_endpoint()?);
                }
                _ => {}
            }
        }
        self.path.pop();
        self.text.clear();
        Ok(())
    }

    /// Appends the text an event carries; refuses a `<!DOCTYPE>`, an undeclared entity and an
    /// early end of the document.
    fn take_text(&mut self, event: Event<'_>) -> Result<(), ParseError> {
        match event {
            Event::Text(t) => self.text.push_str(&t.xml10_content()),
            Event::CData(c) => self.text.push_str(&c.xml10_content()),
            Event::GeneralRef(r) => match r.resolve_char_ref() {
                Ok(Some(ch)) => self.text.push(ch),
                Ok(None) => {
                    let name = r.xml10_content();
                    let resolved = quick_xml::escape::resolve_predefined_entity(&name)
                        .ok_or_else(|| ParseError::Xml(format!("undeclared entity &{name};")))?;
                    self.text.push_str(resolved);
                }
                Err(e) => return Err(ParseError::Xml(e.to_string())),
            },
            Event::DocType(_) => return Err(ParseError::Doctype),
            Event::Eof => return Err(ParseError::Xml("unexpected end of document".into())),
            _ => {}
        }
        Ok(())
    }

    /// The message read, once the envelope has closed.
    fn into_message(self) -> Result<Message, ParseError> {
        let Reading {
            message_id,
            relates_to,
            operation,
            fields,
            matches,
            ..
        } = self;
        let message_id = message_id.filter(|m| !m.is_empty());
        match operation {
            Some(Operation::Probe) => Ok(Message::Probe(Probe {
                message_id: message_id.ok_or(ParseError::Missing("MessageID"))?,
                types: fields.types,
                scopes: fields.scopes,
                match_by: fields.match_by,
            })),
            Some(Operation::ProbeMatches) => Ok(Message::ProbeMatches {
                relates_to: relates_to
                    .filter(|r| !r.is_empty())
                    .ok_or(ParseError::Missing("RelatesTo"))?,
                matches,
            }),
            Some(Operation::Hello) => Ok(Message::Hello(fields.into_endpoint()?)),
            Some(Operation::Bye) => Ok(Message::Bye {
                address: fields
                    .address
                    .filter(|a| !a.is_empty())
                    .ok_or(ParseError::Missing("EndpointReference/Address"))?,
            }),
            Some(Operation::Other) | None => Err(ParseError::Foreign),
        }
    }
}

/// Reads one WS-Discovery message.
///
/// Elements are identified by namespace and local name, never by prefix. A `<!DOCTYPE>` is
/// refused (so no entity can be declared), only predefined entities and character references
/// are resolved, and depth and size are capped, because every datagram on the multicast group
/// is untrusted.
pub fn parse(datagram: &[u8]) -> Result<Message, ParseError> {
    let xml = std::str::from_utf8(datagram).map_err(|e| ParseError::Xml(e.to_string()))?;
    let mut reader = NsReader::from_str(xml);
    reader.config_mut().trim_text(false);
    let mut reading = Reading::default();
    loop {
        let (ns, event) = reader
            .read_resolved_event()
            .map_err(|e| ParseError::Xml(e.to_string()))?;
        let namespace = match ns {
            ResolveResult::Bound(n) => Some(n.as_ref().to_owned()),
            ResolveResult::Unbound => None,
            ResolveResult::Unknown(p) => {
                return Err(ParseError::Xml(format!("unbound prefix {p}")));
            }
        };
        let (start, empty) = match &event {
            Event::Start(s) => (Some(s), false),
            Event::Empty(s) => (Some(s), true),
            _ => (None, false),
        };
        if let Some(start) = start {
            reading.open(namespace, start)?;
        }
        if empty || matches!(event, Event::End(_)) {
            reading.close(&reader)?;
            if reading.path.is_empty() {
                break;
            }
        }
        reading.take_text(event)?;
    }
    reading.into_message()
}

/// Whether the probed scope `wanted` matches the endpoint's scope `own` under `match_by`.
///
/// The default rule (RFC 2396/3986) compares scheme and authority case-insensitively and
/// requires `wanted`'s path segments to be a leading run of `own`'s, so
/// `onvif://www.onvif.org/Profile` matches `onvif://www.onvif.org/Profile/Streaming` but not
/// `…/ProfileX`. Unknown rules match nothing, as WS-Discovery requires.
pub fn scope_matches(match_by: Option<&str>, wanted: &str, own: &str) -> bool {
    match match_by {
        None | Some("" | MATCH_BY_RFC2396 | MATCH_BY_RFC3986) => {
            let (Some(w), Some(o)) = (split_uri(wanted), split_uri(own)) else {
                return false;
            };
            let dots = |s: &[&str]| s.iter().any(|seg| *seg == "." || *seg == "..");
            w.0.eq_ignore_ascii_case(o.0)
                && w.1.eq_ignore_ascii_case(o.1)
                && !dots(&w.2)
                && !dots(&o.2)
                && o.2.starts_with(&w.2)
        }
        Some(MATCH_BY_STRCMP) => wanted == own,
        Some(_) => false,
    }
}

/// Splits `scheme://authority/path` into scheme, authority and non-empty path segments.
fn split_uri(uri: &str) -> Option<(&str, &str, Vec<&str>)> {
    let (scheme, rest) = uri.split_once(':')?;
    let rest = rest.strip_prefix("//")?;
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    Some((
        scheme,
        authority,
        path.split('/').filter(|s| !s.is_empty()).collect(),
    ))
}

/// `urn:uuid:` plus a fresh random (version 4) UUID, for message IDs.
pub fn random_urn() -> String {
    let mut bytes: [u8; 16] = rand::random();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    format!("urn:uuid:{}", format_uuid(&bytes))
}

/// A name-based (version 5, SHA-1) UUID, as RFC 9562 defines it.
fn uuid_v5(namespace: &[u8; 16], name: &[u8]) -> String {
    let mut hasher = Sha1::new();
    hasher.update(namespace);
    hasher.update(name);
    let digest = hasher.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x50;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    format_uuid(&bytes)
}

fn format_uuid(b: &[u8; 16]) -> String {
    let hex = |range: std::ops::Range<usize>| -> String {
        b[range].iter().map(|x| format!("{x:02x}")).collect()
    };
    format!(
        "{}-{}-{}-{}-{}",
        hex(0..4),
        hex(4..6),
        hex(6..8),
        hex(8..10),
        hex(10..16)
    )
}

/// `wsd:AppSequence`: lets receivers order messages from one sender and notice its restarts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppSequence {
    /// Changes on every restart of the sender (seconds since the Unix epoch at start).
    pub instance_id: u32,
    /// Grows with every message of this instance.
    pub message_number: u32,
}

/// Opens a SOAP 1.2 envelope with the discovery namespaces and writes the WS-Addressing
/// header; the caller writes the body content and [`close_envelope`] finishes it.
fn open_envelope(
    out: &mut XmlOut,
    action: &str,
    to: &str,
    relates_to: Option<&str>,
    sequence: Option<AppSequence>,
) {
    out.open_with(
        "s:Envelope",
        &[
            ("xmlns:s", NS_ENV),
            ("xmlns:a", NS_WSA),
            ("xmlns:d", NS_WSD),
        ],
    );
    out.open("s:Header")
        .leaf("a:MessageID", &random_urn())
        .leaf("a:To", to)
        .leaf("a:Action", action);
    if let Some(relates_to) = relates_to {
        out.leaf("a:RelatesTo", relates_to);
    }
    if let Some(seq) = sequence {
        out.empty(
            "d:AppSequence",
            &[
                ("InstanceId", seq.instance_id.to_string().as_str()),
                ("MessageNumber", seq.message_number.to_string().as_str()),
            ],
        );
    }
    out.close("s:Header").open("s:Body");
}

fn close_envelope(mut out: XmlOut) -> io::Result<Vec<u8>> {
    out.close("s:Body").close("s:Envelope");
    out.finish()
}

/// Writes `d:Types` with a namespace declaration for every namespace its names use.
fn write_types(out: &mut XmlOut, types: &[QualifiedName]) {
    let mut prefixes: BTreeMap<&str, String> = BTreeMap::new();
    for t in types {
        let next = prefixes.len();
        prefixes
            .entry(t.namespace.as_str())
            .or_insert_with(|| match t.namespace.as_str() {
                NS_DN => "dn".to_owned(),
                NS_TDS => "tds".to_owned(),
                _ => format!("t{next}"),
            });
    }
    let declarations: Vec<(String, &str)> = prefixes
        .iter()
        .map(|(ns, prefix)| (format!("xmlns:{prefix}"), *ns))
        .collect();
    let attributes: Vec<(&str, &str)> = declarations
        .iter()
        .map(|(name, ns)| (name.as_str(), *ns))
        .collect();
    let list: Vec<String> = types
        .iter()
        .filter_map(|t| {
            prefixes
                .get(t.namespace.as_str())
                .map(|p| format!("{p}:{}", t.local))
        })
        .collect();
    out.open_with("d:Types", &attributes)
        .text(&list.join(" "))
        .close("d:Types");
}

/// Writes the content every `Hello` and `ProbeMatch` carries, in schema order.
fn write_endpoint(out: &mut XmlOut, endpoint: &Endpoint) {
    out.open("a:EndpointReference")
        .leaf("a:Address", &endpoint.address)
        .close("a:EndpointReference");
    write_types(out, &endpoint.types);
    out.leaf("d:Scopes", &endpoint.scopes.join(" "))
        .leaf("d:XAddrs", &endpoint.xaddrs.join(" "))
        .leaf("d:MetadataVersion", &endpoint.metadata_version.to_string());
}

/// A `Probe` with this message ID for `types` (and `scopes`, matched by the default rule).
pub fn write_probe(
    message_id: &str,
    types: &[QualifiedName],
    scopes: &[String],
) -> io::Result<Vec<u8>> {
    let mut out = XmlOut::new();
    out.open_with(
        "s:Envelope",
        &[
            ("xmlns:s", NS_ENV),
            ("xmlns:a", NS_WSA),
            ("xmlns:d", NS_WSD),
        ],
    );
    out.open("s:Header")
        .leaf("a:MessageID", message_id)
        .leaf("a:To", TO_DISCOVERY)
        .leaf("a:Action", ACTION_PROBE)
        .close("s:Header")
        .open("s:Body")
        .open("d:Probe");
    if !types.is_empty() {
        write_types(&mut out, types);
    }
    if !scopes.is_empty() {
        out.leaf("d:Scopes", &scopes.join(" "));
    }
    out.close("d:Probe");
    close_envelope(out)
}

/// A `ProbeMatches` answering the probe `relates_to` for one endpoint.
pub fn write_probe_matches(
    relates_to: &str,
    sequence: AppSequence,
    endpoint: &Endpoint,
) -> io::Result<Vec<u8>> {
    let mut out = XmlOut::new();
    open_envelope(
        &mut out,
        ACTION_PROBE_MATCHES,
        TO_ANONYMOUS,
        Some(relates_to),
        Some(sequence),
    );
    out.open("d:ProbeMatches").open("d:ProbeMatch");
    write_endpoint(&mut out, endpoint);
    out.close("d:ProbeMatch").close("d:ProbeMatches");
    close_envelope(out)
}

/// A `Hello` announcing `endpoint`.
pub fn write_hello(sequence: AppSequence, endpoint: &Endpoint) -> io::Result<Vec<u8>> {
    let mut out = XmlOut::new();
    open_envelope(&mut out, ACTION_HELLO, TO_DISCOVERY, None, Some(sequence));
    out.open("d:Hello");
    write_endpoint(&mut out, endpoint);
    out.close("d:Hello");
    close_envelope(out)
}

/// A `Bye` for `endpoint`; WS-Discovery requires only the endpoint address in it.
pub fn write_bye(sequence: AppSequence, endpoint: &Endpoint) -> io::Result<Vec<u8>> {
    let mut out = XmlOut::new();
    open_envelope(&mut out, ACTION_BYE, TO_DISCOVERY, None, Some(sequence));
    out.open("d:Bye")
        .open("a:EndpointReference")
        .leaf("a:Address", &endpoint.address)
        .close("a:EndpointReference")
        .close("d:Bye");
    close_envelope(out)
}

/// Where a [`Responder`] listens and announces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponderConfig {
    /// Local address to bind: the group address and port 3702 to receive only multicast
    /// probes, or a unicast address for directed probes. Bound with `SO_REUSEADDR`, so a
    /// discovery client on the same host can share the port.
    pub bind: SocketAddrV4,
    /// Multicast group to join and the address of the interface to join it on; `None` answers
    /// only probes sent straight to `bind` (directed probes).
    pub join: Option<(Ipv4Addr, Ipv4Addr)>,
    /// Where `Hello` and `Bye` go: the group, normally; `None` sends none.
    pub announce_to: Option<SocketAddrV4>,
    /// Upper bound of the random wait before each answer.
    pub max_delay: Duration,
}

impl ResponderConfig {
    /// Standard WS-Discovery on the interface with address `interface`: port 3702, group
    /// 239.255.255.250, announcements to the group, answers delayed up to 500 ms.
    ///
    /// The socket is bound to the group address rather than `0.0.0.0`, so a datagram sent to
    /// port 3702 of any of the host's own addresses is never seen; on Linux it also receives
    /// only the group on `interface` (`IP_MULTICAST_ALL` off), not the same group joined by
    /// another program on another interface. A simulator bound to a test network therefore
    /// never answers a probe from a real one.
    pub fn multicast(interface: Ipv4Addr) -> Self {
        ResponderConfig {
            bind: MULTICAST_V4,
            join: Some((*MULTICAST_V4.ip(), interface)),
            announce_to: Some(MULTICAST_V4),
            max_delay: APP_MAX_DELAY,
        }
    }
}

/// Answers WS-Discovery probes for a set of endpoints from one UDP socket.
#[derive(Debug)]
pub struct Responder {
    socket: Arc<UdpSocket>,
    endpoints: Arc<[Endpoint]>,
    config: ResponderConfig,
    instance_id: u32,
    message_number: Arc<AtomicU32>,
}

impl Responder {
    /// Binds the socket and joins the group; nothing is sent until [`Responder::serve`].
    pub async fn bind(config: ResponderConfig, endpoints: Vec<Endpoint>) -> Result<Self, Error> {
        let socket = bind_socket(&config)
            .map_err(|e| Error::io(format!("cannot bind WS-Discovery on {}", config.bind), e))?;
        let instance_id = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| u32::try_from(d.as_secs()).unwrap_or(u32::MAX))
            .unwrap_or(1);
        Ok(Responder {
            socket: Arc::new(socket),
            endpoints: endpoints.into(),
            config,
            instance_id,
            message_number: Arc::new(AtomicU32::new(0)),
        })
    }

    /// The bound address (useful with port 0).
    pub fn local_addr(&self) -> Result<SocketAddr, Error> {
        self.socket
            .local_addr()
            .map_err(|e| Error::io("cannot read WS-Discovery socket address", e))
    }

    fn sequence(&self) -> AppSequence {
        next_sequence(self.instance_id, &self.message_number)
    }

    /// Sends `Hello` for every endpoint, answers probes until `shutdown` completes, then sends
    /// `Bye` for every endpoint. Bad datagrams and failed sends are logged and skipped: one
    /// misbehaving client must not silence the fleet.
    pub async fn serve(self, shutdown: impl Future<Output = ()>) {
        self.announce(true).await;
        tokio::pin!(shutdown);
        let mut buffer = vec![0u8; MAX_DATAGRAM];
        let mut seen: VecDeque<String> = VecDeque::with_capacity(SEEN_PROBES);
        let mut replies = JoinSet::new();
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                Some(_) = replies.join_next(), if !replies.is_empty() => {}
                received = self.socket.recv_from(&mut buffer) => {
                    let (len, from) = match received {
                        Ok(r) => r,
                        Err(e) => {
                            // ICMP errors from earlier sends surface here on some systems; the
                            // pause keeps a persistent error from spinning the loop.
                            tracing::debug!(error = %e, "WS-Discovery receive failed");
                            tokio::time::sleep(Duration::from_millis(10)).await;
                            continue;
                        }
                    };
                    let probe = match buffer.get(..len).map(parse) {
                        Some(Ok(Message::Probe(probe))) => probe,
                        Some(Ok(_)) => continue,
                        Some(Err(e)) => {
                            tracing::debug!(%from, error = %e, "dropped WS-Discovery datagram");
                            continue;
                        }
                        None => continue,
                    };
                    if seen.contains(&probe.message_id) {
                        continue;
                    }
                    if seen.len() == SEEN_PROBES {
                        seen.pop_front();
                    }
                    seen.push_back(probe.message_id.clone());
                    if replies.len() >= MAX_PENDING_REPLIES {
                        tracing::debug!(%from, "too many probes in flight; dropped one");
                        continue;
                    }
                    replies.spawn(answer(
                        Arc::clone(&self.socket),
                        Arc::clone(&self.endpoints),
                        probe,
                        from,
                        self.config.max_delay,
                        self.instance_id,
                        Arc::clone(&self.message_number),
                    ));
                }
            }
        }
        replies.abort_all();
        self.announce(false).await;
    }

    /// Sends `Hello` (or `Bye`) for every endpoint to the announcement address.
    async fn announce(&self, hello: bool) {
        let Some(target) = self.config.announce_to else {
            return;
        };
        for endpoint in self.endpoints.iter() {
            let message = if hello {
                write_hello(self.sequence(), endpoint)
            } else {
                write_bye(self.sequence(), endpoint)
            };
            send(&self.socket, message, SocketAddr::V4(target)).await;
        }
    }
}

fn next_sequence(instance_id: u32, counter: &AtomicU32) -> AppSequence {
    AppSequence {
        instance_id,
        message_number: counter.fetch_add(1, Ordering::Relaxed).wrapping_add(1),
    }
}

/// Answers one probe: each matching endpoint replies after its own random delay.
async fn answer(
    socket: Arc<UdpSocket>,
    endpoints: Arc<[Endpoint]>,
    probe: Probe,
    to: SocketAddr,
    max_delay: Duration,
    instance_id: u32,
    counter: Arc<AtomicU32>,
) {
    let max_ms = u64::try_from(max_delay.as_millis()).unwrap_or(u64::MAX);
    let mut schedule: Vec<(u64, &Endpoint)> = endpoints
        .iter()
        .filter(|e| e.matches(&probe))
        .map(|e| (rand::random_range(0..=max_ms), e))
        .collect();
    schedule.sort_by_key(|(at, _)| *at);
    let start = tokio::time::Instant::now();
    for (at, endpoint) in schedule {
        tokio::time::sleep_until(start + Duration::from_millis(at)).await;
        let message = write_probe_matches(
            &probe.message_id,
            next_sequence(instance_id, &counter),
            endpoint,
        );
        send(&socket, message, to).await;
    }
}

async fn send(socket: &UdpSocket, message: io::Result<Vec<u8>>, to: SocketAddr) {
    let result = match message {
        Ok(bytes) => socket.send_to(&bytes, to).await.map(drop),
        Err(e) => Err(e),
    };
    if let Err(e) = result {
        tracing::warn!(%to, error = %e, "cannot send WS-Discovery message");
    }
}

fn bind_socket(config: &ResponderConfig) -> io::Result<UdpSocket> {
    let socket = socket2::Socket::new(
        socket2::Domain::IPV4,
        socket2::Type::DGRAM,
        Some(socket2::Protocol::UDP),
    )?;
    socket.set_reuse_address(true)?;
    socket.set_nonblocking(true)?;
    socket.bind(&SocketAddr::V4(config.bind).into())?;
    if let Some((group, interface)) = config.join {
        // By default Linux hands this socket every group joined by anyone on any interface.
        #[cfg(target_os = "linux")]
        socket.set_multicast_all_v4(false)?;
        socket.join_multicast_v4(&group, &interface)?;
        socket.set_multicast_if_v4(&interface)?;
        // Hello must reach discovery clients on this host too, and must not leave the link.
        socket.set_multicast_loop_v4(true)?;
        socket.set_multicast_ttl_v4(1)?;
    }
    UdpSocket::from_std(socket.into())
}

/// What [`probe`] sends and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeOptions {
    /// Where the probe goes: [`MULTICAST_V4`], or one responder for a directed probe.
    pub destination: SocketAddrV4,
    /// Address of the interface to send from (and to send multicast through).
    pub interface: Ipv4Addr,
    /// Wanted types; [`QualifiedName::network_video_transmitter`] finds ONVIF cameras.
    pub types: Vec<QualifiedName>,
    /// Wanted scopes, matched by the default segment-prefix rule.
    pub scopes: Vec<String>,
    /// How long to collect answers; responders wait up to [`APP_MAX_DELAY`] before answering.
    pub wait: Duration,
}

impl ProbeOptions {
    /// A multicast probe for ONVIF video devices through the interface with address
    /// `interface`, collecting answers for one second.
    pub fn cameras(interface: Ipv4Addr) -> Self {
        ProbeOptions {
            destination: MULTICAST_V4,
            interface,
            types: vec![QualifiedName::network_video_transmitter()],
            scopes: Vec::new(),
            wait: APP_MAX_DELAY * 2,
        }
    }
}

/// Sends a probe and returns the endpoints that answered it, one per endpoint address, in
/// address order. Datagrams that are malformed or answer another probe are ignored.
pub async fn probe(options: &ProbeOptions) -> Result<Vec<Endpoint>, Error> {
    let socket = UdpSocket::bind(SocketAddrV4::new(options.interface, 0))
        .await
        .map_err(|e| Error::io(format!("cannot bind a probe on {}", options.interface), e))?;
    if options.destination.ip().is_multicast() {
        let configure = socket2::SockRef::from(&socket);
        configure
            .set_multicast_if_v4(&options.interface)
            .and_then(|()| configure.set_multicast_ttl_v4(1))
            .map_err(|e| Error::io("cannot configure the probe's multicast interface", e))?;
    }
    let message_id = random_urn();
    let message = write_probe(&message_id, &options.types, &options.scopes)
        .map_err(|e| Error::io("cannot write a Probe", e))?;
    // SOAP-over-UDP repeats a message because UDP may lose it; responders ignore the repeat.
    for _ in 0..2 {
        socket
            .send_to(&message, SocketAddr::V4(options.destination))
            .await
            .map_err(|e| Error::io(format!("cannot send a Probe to {}", options.destination), e))?;
    }
    let mut found: BTreeMap<String, Endpoint> = BTreeMap::new();
    let mut buffer = vec![0u8; MAX_DATAGRAM];
    let deadline = tokio::time::Instant::now() + options.wait;
    loop {
        let received = tokio::time::timeout_at(deadline, socket.recv_from(&mut buffer)).await;
        let len = match received {
            Err(_elapsed) => break,
            Ok(Ok((len, _from))) => len,
            Ok(Err(e)) => {
                // As in the responder: a persistent error must not spin until the deadline.
                tracing::debug!(error = %e, "probe receive failed");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        if let Some(Ok(Message::ProbeMatches {
            relates_to,
            matches,
        })) = buffer.get(..len).map(parse)
            && relates_to == message_id
        {
            for endpoint in matches {
                found.insert(endpoint.address.clone(), endpoint);
            }
        }
    }
    Ok(found.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn camera(index: u32) -> Endpoint {
        let mut state = CameraState::example(index, Ipv4Addr::new(10, 0, 0, 7), 8554);
        state.network.http_port = 8000 + u16::try_from(index).unwrap();
        Endpoint::for_camera(&state)
    }

    fn probe_for(types: Vec<QualifiedName>, scopes: &[&str], match_by: Option<&str>) -> Probe {
        Probe {
            message_id: "urn:uuid:p".into(),
            types,
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            match_by: match_by.map(str::to_owned),
        }
    }

    /// A probe laid out as wsdiscovery 2.1.2 writes one: prefixes `s`/`a`/`d`, the type's
    /// prefix declared on the envelope, Action first, whitespace between elements.
    const PYTHON_STYLE_PROBE: &str = r#"<?xml version="1.0" ?>
<s:Envelope xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:dp0="http://www.onvif.org/ver10/network/wsdl">
  <s:Header>
    <a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action>
    <a:MessageID>urn:uuid:7f1c0e1e-5a8e-4d0e-9d55-3a2b1c0d9e8f</a:MessageID>
    <a:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>
  </s:Header>
  <s:Body>
    <d:Probe>
      <d:Types>dp0:NetworkVideoTransmitter</d:Types>
    </d:Probe>
  </s:Body>
</s:Envelope>
"#;

    /// A probe with default namespaces and the type prefix declared on `Types`, as npm `onvif`
    /// writes it.
    const DEFAULT_NAMESPACE_PROBE: &str = r#"<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope" xmlns:dn="http://www.onvif.org/ver10/network/wsdl"><Header><MessageID xmlns="http://schemas.xmlsoap.org/ws/2004/08/addressing">uuid:1</MessageID><To xmlns="http://schemas.xmlsoap.org/ws/2004/08/addressing">urn:schemas-xmlsoap-org:ws:2005:04:discovery</To></Header><Body><Probe xmlns="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><Types>dn:NetworkVideoTransmitter</Types><Scopes /></Probe></Body></Envelope>"#;

    #[test]
    fn probes_from_other_writers_resolve_type_prefixes() {
        let Ok(Message::Probe(p)) = parse(PYTHON_STYLE_PROBE.as_bytes()) else {
            panic!("not a probe");
        };
        assert_eq!(
            p.message_id,
            "urn:uuid:7f1c0e1e-5a8e-4d0e-9d55-3a2b1c0d9e8f"
        );
        assert_eq!(p.types, [QualifiedName::network_video_transmitter()]);
        assert!(p.scopes.is_empty() && p.match_by.is_none());
        let Ok(Message::Probe(p)) = parse(DEFAULT_NAMESPACE_PROBE.as_bytes()) else {
            panic!("not a probe");
        };
        assert_eq!(p.message_id, "uuid:1");
        assert_eq!(p.types, [QualifiedName::network_video_transmitter()]);
        assert!(camera(1).matches(&p));
    }

    #[test]
    fn written_messages_read_back() {
        let types = vec![
            QualifiedName::network_video_transmitter(),
            QualifiedName::new("urn:example", "Other"),
        ];
        let xml = write_probe(
            "urn:uuid:abc",
            &types,
            &["onvif://www.onvif.org/name".into()],
        )
        .unwrap();
        assert_eq!(
            parse(&xml).unwrap(),
            Message::Probe(Probe {
                message_id: "urn:uuid:abc".into(),
                types,
                scopes: vec!["onvif://www.onvif.org/name".into()],
                match_by: None,
            })
        );

        let cam = camera(3);
        let seq = AppSequence {
            instance_id: 9,
            message_number: 4,
        };
        let xml = write_probe_matches("urn:uuid:abc", seq, &cam).unwrap();
        assert_eq!(
            parse(&xml).unwrap(),
            Message::ProbeMatches {
                relates_to: "urn:uuid:abc".into(),
                matches: vec![cam.clone()],
            }
        );
        let text = String::from_utf8(xml).unwrap();
        assert!(text.contains(r#"<d:AppSequence InstanceId="9" MessageNumber="4"/>"#));
        assert!(text.contains(TO_ANONYMOUS) && text.contains(ACTION_PROBE_MATCHES));

        let hello = write_hello(seq, &cam).unwrap();
        assert_eq!(parse(&hello).unwrap(), Message::Hello(cam.clone()));
        let bye = write_bye(seq, &cam).unwrap();
        assert_eq!(
            parse(&bye).unwrap(),
            Message::Bye {
                address: cam.address.clone()
            }
        );
    }

    #[test]
    fn camera_endpoint_is_stable_distinct_and_onvif_shaped() {
        let a = camera(1);
        assert_eq!(a, camera(1));
        assert_ne!(a.address, camera(2).address);
        let uuid = a.address.strip_prefix("urn:uuid:").unwrap();
        let groups: Vec<usize> = uuid.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12]);
        assert_eq!(uuid.as_bytes()[14], b'5', "version 5 UUID: {uuid}");
        assert_eq!(
            a.types,
            [
                QualifiedName::network_video_transmitter(),
                QualifiedName::device()
            ]
        );
        assert_eq!(a.xaddrs, ["http://10.0.0.7:8001/onvif/device_service"]);
        assert!(
            a.scopes
                .iter()
                .all(|s| s.starts_with("onvif://www.onvif.org/"))
        );
        assert!(
            a.scopes
                .contains(&"onvif://www.onvif.org/name/simcam-1".to_owned())
        );
        assert!(a.scopes.iter().any(|s| s.contains("/Profile/")));
        assert!(a.scopes.iter().any(|s| s.contains("/hardware/")));
        let r1 = random_urn();
        assert_ne!(r1, random_urn());
        assert_eq!(r1.as_bytes()["urn:uuid:".len() + 14], b'4');
    }

    #[test]
    fn one_camera_s_answer_fits_one_ethernet_frame() {
        // The longest address, port and index a fleet can have.
        let mut state = CameraState::example(u32::MAX, Ipv4Addr::new(255, 255, 255, 255), u16::MAX);
        state.network.http_port = u16::MAX;
        let seq = AppSequence {
            instance_id: u32::MAX,
            message_number: u32::MAX,
        };
        let relates_to = format!("urn:uuid:{}", "f".repeat(36));
        let answer = write_probe_matches(&relates_to, seq, &Endpoint::for_camera(&state)).unwrap();
        // 1500-byte MTU less IPv4 and UDP headers: one datagram per camera is never fragmented,
        // so losing one fragment can never lose a camera.
        assert!(answer.len() <= 1472, "{} bytes", answer.len());
    }

    #[test]
    fn types_and_scopes_decide_what_matches() {
        let cam = camera(2);
        let nvt = QualifiedName::network_video_transmitter();
        assert!(cam.matches(&probe_for(vec![], &[], None)));
        assert!(cam.matches(&probe_for(vec![nvt.clone()], &[], None)));
        assert!(cam.matches(&probe_for(
            vec![nvt.clone(), QualifiedName::device()],
            &[],
            None
        )));
        assert!(!cam.matches(&probe_for(
            vec![nvt.clone(), QualifiedName::new(NS_DN, "Printer")],
            &[],
            None
        )));
        // Same local name in another namespace is another type.
        assert!(!cam.matches(&probe_for(
            vec![QualifiedName::new("urn:x", "NetworkVideoTransmitter")],
            &[],
            None
        )));
        let scoped = |scopes: &[&str], by| cam.matches(&probe_for(vec![nvt.clone()], scopes, by));
        assert!(scoped(&["onvif://www.onvif.org/name/simcam-2"], None));
        assert!(scoped(&["ONVIF://WWW.ONVIF.ORG/Profile/"], None));
        assert!(scoped(&["onvif://www.onvif.org"], Some(MATCH_BY_RFC2396)));
        assert!(!scoped(&["onvif://www.onvif.org/name/simcam"], None));
        assert!(!scoped(&["onvif://www.onvif.org/name/simcam-2/x"], None));
        assert!(!scoped(&["onvif://www.onvif.org/Name/simcam-2"], None));
        assert!(!scoped(
            &["onvif://www.onvif.org/name/../name/simcam-2"],
            None
        ));
        assert!(!scoped(
            &["onvif://www.onvif.org/name/simcam-2", "onvif://other/x"],
            None
        ));
        assert!(scoped(
            &["onvif://www.onvif.org/name/simcam-2"],
            Some(MATCH_BY_STRCMP)
        ));
        assert!(!scoped(
            &["onvif://www.onvif.org/name"],
            Some(MATCH_BY_STRCMP)
        ));
        assert!(!scoped(
            &["onvif://www.onvif.org/name/simcam-2"],
            Some("urn:unknown-rule")
        ));
    }

    #[test]
    fn foreign_and_hostile_messages_are_errors() {
        let soap = |body: &str| {
            format!(
                r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"><s:Header><a:MessageID>urn:uuid:1</a:MessageID></s:Header><s:Body>{body}</s:Body></s:Envelope>"#
            )
        };
        assert_eq!(
            parse(soap("<d:Resolve/>").as_bytes()),
            Err(ParseError::Foreign)
        );
        assert_eq!(
            parse(soap(r#"<x:Probe xmlns:x="urn:other"/>"#).as_bytes()),
            Err(ParseError::Foreign)
        );
        assert_eq!(parse(soap("").as_bytes()), Err(ParseError::Foreign));
        assert_eq!(
            parse(
                soap("<d:Probe><d:Types>zz:NetworkVideoTransmitter</d:Types></d:Probe>").as_bytes()
            ),
            Err(ParseError::UnboundPrefix(
                "zz:NetworkVideoTransmitter".into()
            ))
        );
        assert_eq!(
            parse(soap("<d:Hello/>").as_bytes()),
            Err(ParseError::Missing("EndpointReference/Address"))
        );
        assert_eq!(
            parse(b"<Envelope><Body/></Envelope>"),
            Err(ParseError::NotEnvelope)
        );
        let no_id = PYTHON_STYLE_PROBE.replace("urn:uuid:7f1c0e1e-5a8e-4d0e-9d55-3a2b1c0d9e8f", "");
        assert_eq!(
            parse(no_id.as_bytes()),
            Err(ParseError::Missing("MessageID"))
        );
        let xxe = format!(
            r#"<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x "y">]>{}"#,
            soap("<d:Probe/>")
        );
        assert_eq!(parse(xxe.as_bytes()), Err(ParseError::Doctype));
        assert!(matches!(
            parse(soap("<d:Probe><d:Scopes>&x;</d:Scopes></d:Probe>").as_bytes()),
            Err(ParseError::Xml(_))
        ));
        let deep = soap(&format!("{}{}", "<a>".repeat(40), "</a>".repeat(40)));
        assert_eq!(parse(deep.as_bytes()), Err(ParseError::TooLarge));
        assert!(matches!(
            parse(&[0xff, 0xfe, 0x3c]),
            Err(ParseError::Xml(_))
        ));
    }

    #[test]
    fn truncated_corrupted_and_random_datagrams_never_panic() {
        let good = write_probe_matches(
            "urn:uuid:abc",
            AppSequence {
                instance_id: 1,
                message_number: 1,
            },
            &camera(1),
        )
        .unwrap();
        for end in 0..good.len() {
            assert!(parse(&good[..end]).is_err(), "prefix of {end} bytes parsed");
        }
        for i in (0..good.len()).step_by(3) {
            for b in [b'<', b'>', b'&', b'"', b'/', b':', 0x80, 0] {
                let mut corrupted = good.clone();
                corrupted[i] = b;
                let _ = parse(&corrupted);
            }
        }
        for _ in 0..2000 {
            let len = rand::random_range(0..512);
            let noise: Vec<u8> = (0..len).map(|_| rand::random()).collect();
            assert!(parse(&noise).is_err());
            // Random bytes spliced into a valid message exercise the XML states, not just the
            // UTF-8 check.
            let at = rand::random_range(0..good.len());
            let printable: Vec<u8> = (0..16).map(|_| rand::random_range(0x20u8..0x7f)).collect();
            let mut spliced = good[..at].to_vec();
            spliced.extend_from_slice(&printable);
            spliced.extend_from_slice(&good[at..]);
            let _ = parse(&spliced);
        }
    }
}
