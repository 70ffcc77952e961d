//! SOAP 1.2 envelopes as a simulated ONVIF camera receives and sends them.
//!
//! Real clients differ in prefixes, namespace declarations, headers and whitespace (zeep uses
//! `soap-env:`/`ns0:`, npm `onvif` declares default namespaces), so requests are read with a
//! namespace-aware XML reader and every element is identified by namespace plus local name,
//! never by prefix or by searching the text. The body is kept as a small element tree because
//! ONVIF parameters are nested (`StreamSetup/Transport/Protocol`, a whole
//! `Configuration` for `SetVideoEncoderConfiguration`) and handlers pick what they need.
//!
//! Untrusted input is bounded: a `<!DOCTYPE>` is refused outright (so no entity can be
//! declared, let alone expanded), only the five predefined entities and character references
//! are resolved, and nesting depth and element count are capped.
//!
//! Responses and faults are written with quick-xml's writer through [`XmlOut`], which declares
//! every ONVIF namespace once on the envelope so handlers can use fixed prefixes.

use std::fmt;
use std::io;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use crate::onvif::secret::Secret;

/// SOAP 1.2 envelope namespace.
pub const NS_ENV: &str = "http://www.w3.org/2003/05/soap-envelope";
/// ONVIF device service namespace (`tds`).
pub const NS_TDS: &str = "http://www.onvif.org/ver10/device/wsdl";
/// ONVIF Media (ver10) service namespace (`trt`).
pub const NS_TRT: &str = "http://www.onvif.org/ver10/media/wsdl";
/// ONVIF Media2 (ver20) service namespace (`tr2`).
pub const NS_TR2: &str = "http://www.onvif.org/ver20/media/wsdl";
/// ONVIF schema namespace for all data types (`tt`).
pub const NS_TT: &str = "http://www.onvif.org/ver10/schema";
/// ONVIF fault subcode namespace (`ter`).
pub const NS_TER: &str = "http://www.onvif.org/ver10/error";
/// WS-Security extension namespace (`wsse`).
pub const NS_WSSE: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
/// WS-Security utility namespace (`wsu`), home of `Created`.
pub const NS_WSU: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
/// `Password@Type` value of a UsernameToken carrying a digest.
pub const PASSWORD_DIGEST: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest";
/// `Password@Type` value of a UsernameToken carrying the password itself.
pub const PASSWORD_TEXT: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText";

/// Deepest element nesting accepted; ONVIF requests need fewer than 12 levels.
const MAX_DEPTH: usize = 32;
/// Most elements accepted in one request; the largest real request has a few dozen.
const MAX_ELEMENTS: usize = 4096;

/// Why a request could not be read as a SOAP 1.2 ONVIF request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The bytes are not well-formed XML (or not UTF-8).
    #[error("malformed XML: {0}")]
    Xml(String),
    /// The request carries a document type declaration, which could declare entities.
    #[error("DOCTYPE is not allowed in SOAP messages")]
    Doctype,
    /// An entity other than the predefined five or a character reference was used.
    #[error("undeclared entity reference &{0};")]
    Entity(String),
    /// Nesting or element count is beyond what any ONVIF request needs.
    #[error("request too large or too deeply nested")]
    TooLarge,
    /// The root element is not a SOAP 1.2 `Envelope`.
    #[error("root element is not a SOAP 1.2 Envelope")]
    NotEnvelope,
    /// The envelope has no `Body` or the body is empty.
    #[error("SOAP Body has no operation element")]
    NoOperation,
    /// A `wsse:UsernameToken` lacks a required part.
    #[error("UsernameToken lacks {0}")]
    Token(&'static str),
}

/// One attribute of an [`Element`], with its resolved namespace (attributes without a prefix
/// have none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// Namespace URI, if the attribute was prefixed.
    pub namespace: Option<String>,
    /// Local name.
    pub name: String,
    /// Unescaped value.
    pub value: String,
}

/// An XML element with its namespace resolved, its attributes, text and child elements.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    /// Namespace URI, or `None` for an element in no namespace.
    pub namespace: Option<String>,
    /// Local name (without prefix).
    pub name: String,
    /// Attributes in document order, namespace declarations excluded.
    pub attributes: Vec<Attribute>,
    /// Concatenated text content directly inside this element, unescaped.
    pub text: String,
    /// Child elements in document order.
    pub children: Vec<Element>,
}

impl Element {
    /// Whether this element has the given namespace and local name.
    pub fn is(&self, namespace: &str, name: &str) -> bool {
        self.name == name && self.namespace.as_deref() == Some(namespace)
    }

    /// The first child with this local name, in any namespace.
    ///
    /// ONVIF request parameters are declared in the service namespace while the types inside
    /// them use `tt`; some clients (zeep with an older WSDL, hand-written scripts) get the
    /// parameter namespace wrong, and a camera accepts them, so parameters are matched by local
    /// name within an operation element whose namespace was already checked.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// All children with this local name.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Trimmed text of the first child with this local name.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim())
    }

    /// Follows a path of local names, e.g. `["StreamSetup", "Transport", "Protocol"]`.
    pub fn path(&self, names: &[&str]) -> Option<&Element> {
        names.iter().try_fold(self, |e, n| e.child(n))
    }

    /// Value of the unprefixed attribute with this local name.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.name == name && a.namespace.is_none())
            .map(|a| a.value.as_str())
    }
}

/// A WS-Security UsernameToken as sent in the SOAP header.
#[derive(Clone, PartialEq, Eq)]
pub struct UsernameToken {
    /// The user name.
    pub username: String,
    /// The password digest or, for [`PasswordType::Text`], the password itself.
    pub password: Secret,
    /// How `password` is to be read.
    pub password_type: PasswordType,
    /// The decoded nonce bytes (Base64 on the wire), if sent.
    pub nonce: Option<Vec<u8>>,
    /// `wsu:Created` exactly as sent, because the digest covers this string.
    pub created: Option<String>,
}

impl fmt::Debug for UsernameToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UsernameToken")
            .field("username", &self.username)
            .field("password", &self.password)
            .field("password_type", &self.password_type)
            .field("nonce_len", &self.nonce.as_ref().map(Vec::len))
            .field("created", &self.created)
            .finish()
    }
}

/// The `Type` of a UsernameToken password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordType {
    /// `#PasswordDigest`: Base64(SHA-1(nonce ‖ created ‖ password)).
    Digest,
    /// `#PasswordText`: the password in clear.
    Text,
}

/// A parsed SOAP request: the security token, if any, and the operation element of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The WS-Security UsernameToken from the header, if present.
    pub token: Option<UsernameToken>,
    /// The first element child of `Body`: the operation with its parameters.
    pub operation: Element,
}

/// Parses a SOAP 1.2 request.
pub fn parse_request(xml: &str) -> Result<Request, ParseError> {
    let root = parse_document(xml)?;
    if !root.is(NS_ENV, "Envelope") {
        return Err(ParseError::NotEnvelope);
    }
    let header = root.children.iter().find(|c| c.is(NS_ENV, "Header"));
    let body = root
        .children
        .iter()
        .find(|c| c.is(NS_ENV, "Body"))
        .ok_or(ParseError::NoOperation)?;
    let operation = body
        .children
        .first()
        .cloned()
        .ok_or(ParseError::NoOperation)?;
    let token = match header
        .and_then(|h| h.children.iter().find(|c| c.is(NS_WSSE, "Security")))
        .and_then(|s| s.children.iter().find(|c| c.is(NS_WSSE, "UsernameToken")))
    {
        Some(t) => Some(parse_token(t)?),
        None => None,
    };
    Ok(Request { token, operation })
}

fn parse_token(t: &Element) -> Result<UsernameToken, ParseError> {
    use base64::Engine as _;
    let find = |ns: &str, name: &str| t.children.iter().find(|c| c.is(ns, name));
    let username = find(NS_WSSE, "Username")
        .ok_or(ParseError::Token("Username"))?
        .text
        .trim()
        .to_owned();
    let password = find(NS_WSSE, "Password").ok_or(ParseError::Token("Password"))?;
    // The profile makes PasswordText the default when Type is absent.
    let password_type = match password.attribute("Type") {
        None | Some(PASSWORD_TEXT) => PasswordType::Text,
        Some(PASSWORD_DIGEST) => PasswordType::Digest,
        Some(_) => return Err(ParseError::Token("a known Password Type")),
    };
    let nonce = match find(NS_WSSE, "Nonce") {
        Some(n) => Some(
            base64::engine::general_purpose::STANDARD
                .decode(n.text.trim())
                .map_err(|_| ParseError::Token("a Base64 Nonce"))?,
        ),
        None => None,
    };
    let created = find(NS_WSU, "Created").map(|c| c.text.trim().to_owned());
    Ok(UsernameToken {
        username,
        password: Secret::new(password.text.trim()),
        password_type,
        nonce,
        created,
    })
}

/// Parses a whole XML document into its root element.
pub fn parse_document(xml: &str) -> Result<Element, ParseError> {
    let mut reader = NsReader::from_str(xml);
    reader.config_mut().trim_text(false);
    let mut stack: Vec<Element> = Vec::new();
    let mut count = 0usize;
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
        match event {
            Event::Start(start) => {
                count += 1;
                if count > MAX_ELEMENTS || stack.len() >= MAX_DEPTH {
                    return Err(ParseError::TooLarge);
                }
                stack.push(element_from(&reader, &start, namespace)?);
            }
            Event::Empty(start) => {
                count += 1;
                if count > MAX_ELEMENTS || stack.len() >= MAX_DEPTH {
                    return Err(ParseError::TooLarge);
                }
                stack.push(element_from(&reader, &start, namespace)?);
                if let Some(done) = close(&mut stack) {
                    return finish(&mut reader, done);
                }
            }
            Event::End(_) => {
                if let Some(done) = close(&mut stack) {
                    return finish(&mut reader, done);
                }
            }
            Event::Text(t) => {
                let text = t.xml10_content();
                if stack.is_empty() && !text.trim().is_empty() {
                    return Err(ParseError::Xml("text outside the root element".into()));
                }
                push_text(&mut stack, &text);
            }
            Event::CData(c) => {
                push_text(&mut stack, &c);
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(ch)) => ch.to_string(),
                    Ok(None) => {
                        let name = r.xml10_content();
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| ParseError::Entity(name.clone().into_owned()))?
                            .to_owned()
                    }
                    Err(e) => return Err(ParseError::Xml(e.to_string())),
                };
                push_text(&mut stack, &resolved);
            }
            Event::DocType(_) => return Err(ParseError::Doctype),
            Event::Eof => return Err(ParseError::Xml("unexpected end of document".into())),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
}

/// Pops the innermost open element and attaches it to its parent; returns it when it was the
/// root, i.e. the document element is complete.
fn close(stack: &mut Vec<Element>) -> Option<Element> {
    let done = stack.pop()?;
    match stack.last_mut() {
        Some(parent) => {
            parent.children.push(done);
            None
        }
        None => Some(done),
    }
}

/// Appends text to the innermost open element; whitespace before the root has none and is
/// dropped (non-whitespace there was already refused).
fn push_text(stack: &mut [Element], text: &str) {
    if let Some(open) = stack.last_mut() {
        open.text.push_str(text);
    }
}

/// Checks that nothing but comments, processing instructions and whitespace follows the root.
fn finish(reader: &mut NsReader<&[u8]>, root: Element) -> Result<Element, ParseError> {
    loop {
        match reader
            .read_event()
            .map_err(|e| ParseError::Xml(e.to_string()))?
        {
            Event::Eof => return Ok(root),
            Event::Comment(_) | Event::PI(_) => {}
            Event::Text(t) if t.xml10_content().trim().is_empty() => {}
            Event::DocType(_) => return Err(ParseError::Doctype),
            _ => return Err(ParseError::Xml("content after the root element".into())),
        }
    }
}

fn element_from(
    reader: &NsReader<&[u8]>,
    start: &BytesStart<'_>,
    namespace: Option<String>,
) -> Result<Element, ParseError> {
    let name = start.local_name().as_ref().to_owned();
    let mut attributes = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| ParseError::Xml(e.to_string()))?;
        if attr.key.as_namespace_binding().is_some() {
            continue;
        }
        let (ns, local) = reader.resolver().resolve_attribute(attr.key);
        let namespace = match ns {
            ResolveResult::Bound(n) => Some(n.as_ref().to_owned()),
            ResolveResult::Unbound => None,
            ResolveResult::Unknown(p) => {
                return Err(ParseError::Xml(format!("unbound prefix {p}")));
            }
        };
        let value = attr
            .normalized_value(quick_xml::XmlVersion::default())
            .map_err(|e| ParseError::Xml(e.to_string()))?
            .into_owned();
        attributes.push(Attribute {
            namespace,
            name: local.as_ref().to_owned(),
            value,
        });
    }
    Ok(Element {
        namespace,
        name,
        attributes,
        text: String::new(),
        children: Vec::new(),
    })
}

/// Builds an XML response with quick-xml's writer.
///
/// Writing into a `Vec<u8>` cannot fail in practice, but the writer's API is fallible; rather
/// than thread `?` through every line of every handler, the first error is kept and returned by
/// [`XmlOut::finish`], and later writes are skipped.
pub struct XmlOut {
    writer: Writer<Vec<u8>>,
    error: Option<io::Error>,
}

impl Default for XmlOut {
    fn default() -> Self {
        Self::new()
    }
}

impl XmlOut {
    /// An empty document with an XML declaration.
    pub fn new() -> Self {
        let mut out = XmlOut {
            writer: Writer::new(Vec::with_capacity(2048)),
            error: None,
        };
        out.event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
        out
    }

    fn event(&mut self, event: Event<'_>) -> &mut Self {
        if self.error.is_none()
            && let Err(e) = self.writer.write_event(event)
        {
            self.error = Some(e);
        }
        self
    }

    /// Opens `name` with attributes.
    pub fn open_with(&mut self, name: &str, attributes: &[(&str, &str)]) -> &mut Self {
        let mut start = BytesStart::new(name);
        for attribute in attributes {
            start.push_attribute(*attribute);
        }
        self.event(Event::Start(start))
    }

    /// Opens `name`.
    pub fn open(&mut self, name: &str) -> &mut Self {
        self.open_with(name, &[])
    }

    /// Closes `name`.
    pub fn close(&mut self, name: &str) -> &mut Self {
        self.event(Event::End(BytesEnd::new(name)))
    }

    /// Writes `<name>text</name>`, escaping the text.
    pub fn leaf(&mut self, name: &str, text: &str) -> &mut Self {
        self.open(name);
        self.event(Event::Text(BytesText::new(text)));
        self.close(name)
    }

    /// Writes escaped text inside the open element, for elements that also carry attributes.
    pub fn text(&mut self, text: &str) -> &mut Self {
        self.event(Event::Text(BytesText::new(text)))
    }

    /// Writes `<name attributes…/>`.
    pub fn empty(&mut self, name: &str, attributes: &[(&str, &str)]) -> &mut Self {
        let mut start = BytesStart::new(name);
        for attribute in attributes {
            start.push_attribute(*attribute);
        }
        self.event(Event::Empty(start))
    }

    /// The document, or the first write error.
    pub fn finish(self) -> io::Result<Vec<u8>> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.writer.into_inner()),
        }
    }
}

/// Writes a SOAP 1.2 envelope whose body is produced by `body`.
///
/// The envelope declares `env`, `tt`, `tds`, `trt`, `tr2` and `ter`, so the body can use those
/// prefixes without declaring them again.
pub fn envelope(body: impl FnOnce(&mut XmlOut)) -> io::Result<Vec<u8>> {
    let mut out = XmlOut::new();
    out.open_with(
        "env:Envelope",
        &[
            ("xmlns:env", NS_ENV),
            ("xmlns:tt", NS_TT),
            ("xmlns:tds", NS_TDS),
            ("xmlns:trt", NS_TRT),
            ("xmlns:tr2", NS_TR2),
            ("xmlns:ter", NS_TER),
        ],
    );
    out.open("env:Body");
    body(&mut out);
    out.close("env:Body").close("env:Envelope");
    out.finish()
}

/// Writes a response envelope; a writer failure becomes an `env:Receiver/ter:Action` fault.
pub fn respond(body: impl FnOnce(&mut XmlOut)) -> Result<Vec<u8>, Fault> {
    envelope(body)
        .map_err(|e| Fault::receiver(&["ter:Action"], format!("cannot write response: {e}")))
}

/// `"true"` or `"false"`, as `xs:boolean` is written.
pub fn xs_bool(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

/// The top-level SOAP 1.2 fault code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultCode {
    /// The request was wrong (`env:Sender`); answered with HTTP 400.
    Sender,
    /// The camera could not do what was asked (`env:Receiver`); answered with HTTP 500.
    Receiver,
}

/// A SOAP 1.2 fault with ONVIF `ter:` subcodes, outermost first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// `env:Sender` or `env:Receiver`.
    pub code: FaultCode,
    /// ONVIF subcodes as `ter:` QNames, outermost first, e.g. `["ter:InvalidArgVal",
    /// "ter:NoProfile"]`.
    pub subcodes: Vec<&'static str>,
    /// Human-readable reason (`env:Reason/env:Text`).
    pub reason: String,
}

impl Fault {
    /// A Sender fault with the given subcodes.
    pub fn sender(subcodes: &[&'static str], reason: impl Into<String>) -> Self {
        Fault {
            code: FaultCode::Sender,
            subcodes: subcodes.to_vec(),
            reason: reason.into(),
        }
    }

    /// A Receiver fault with the given subcodes.
    pub fn receiver(subcodes: &[&'static str], reason: impl Into<String>) -> Self {
        Fault {
            code: FaultCode::Receiver,
            subcodes: subcodes.to_vec(),
            reason: reason.into(),
        }
    }

    /// `env:Sender/ter:NotAuthorized`: credentials missing or wrong for a UsernameToken.
    pub fn not_authorized() -> Self {
        Self::sender(&["ter:NotAuthorized"], "Sender not Authorized")
    }

    /// `env:Receiver/ter:ActionNotSupported`: the Core spec's "optional action not
    /// implemented", which clients treat as a failure of that one call.
    pub fn action_not_supported(operation: &str) -> Self {
        Self::receiver(
            &["ter:ActionNotSupported"],
            format!("{operation} is not supported by this device"),
        )
    }

    /// `env:Sender/ter:WellFormed`: the request could not be parsed.
    pub fn malformed(error: &ParseError) -> Self {
        Self::sender(&["ter:WellFormed"], error.to_string())
    }

    /// `env:Sender/ter:InvalidArgVal/<detail>`, e.g. `ter:NoProfile`, `ter:NoConfig`,
    /// `ter:ConfigModify`.
    pub fn invalid_arg(detail: &'static str, reason: impl Into<String>) -> Self {
        Self::sender(&["ter:InvalidArgVal", detail], reason)
    }

    /// The HTTP status this fault is sent with: 400 for Sender, 500 for Receiver.
    pub fn http_status(&self) -> u16 {
        match self.code {
            FaultCode::Sender => 400,
            FaultCode::Receiver => 500,
        }
    }

    /// The fault as a SOAP 1.2 envelope: `Code` (with nested `Subcode`s) then `Reason`, the
    /// order the SOAP 1.2 schema requires.
    pub fn to_xml(&self) -> io::Result<Vec<u8>> {
        envelope(|out| {
            out.open("env:Fault").open("env:Code");
            out.leaf(
                "env:Value",
                match self.code {
                    FaultCode::Sender => "env:Sender",
                    FaultCode::Receiver => "env:Receiver",
                },
            );
            for subcode in &self.subcodes {
                out.open("env:Subcode").leaf("env:Value", subcode);
            }
            for _ in &self.subcodes {
                out.close("env:Subcode");
            }
            out.close("env:Code").open("env:Reason");
            out.open_with("env:Text", &[("xml:lang", "en")]);
            out.event(Event::Text(BytesText::new(&self.reason)));
            out.close("env:Text").close("env:Reason").close("env:Fault");
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A request as zeep 4.3.3 writes it: `soap-env`/`ns0` prefixes, WS-Security header.
    const ZEEP_STYLE: &str = r#"<?xml version='1.0' encoding='utf-8'?>
<soap-env:Envelope xmlns:soap-env="http://www.w3.org/2003/05/soap-envelope"><soap-env:Header><wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><wsse:UsernameToken><wsse:Username>admin</wsse:Username><wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">4oqfNVwvkF9yTNka5MZw0PT6sr8=</wsse:Password><wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">LKqI6G/AikKCQrN0zqZFlg==</wsse:Nonce><wsu:Created xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">2026-11-22T09:48:29Z</wsu:Created></wsse:UsernameToken></wsse:Security></soap-env:Header><soap-env:Body><ns0:GetStreamUri xmlns:ns0="http://www.onvif.org/ver10/media/wsdl"><ns0:StreamSetup><ns1:Stream xmlns:ns1="http://www.onvif.org/ver10/schema">RTP-Unicast</ns1:Stream><ns2:Transport xmlns:ns2="http://www.onvif.org/ver10/schema"><ns2:Protocol>RTSP</ns2:Protocol></ns2:Transport></ns0:StreamSetup><ns0:ProfileToken>main&amp;1</ns0:ProfileToken></ns0:GetStreamUri></soap-env:Body></soap-env:Envelope>"#;

    #[test]
    fn parses_operation_parameters_and_token_regardless_of_prefix() {
        let request = parse_request(ZEEP_STYLE).unwrap();
        assert!(request.operation.is(NS_TRT, "GetStreamUri"));
        assert_eq!(
            request
                .operation
                .path(&["StreamSetup", "Transport", "Protocol"])
                .map(|e| e.text.as_str()),
            Some("RTSP")
        );
        assert_eq!(request.operation.child_text("ProfileToken"), Some("main&1"));
        let token = request.token.unwrap();
        assert_eq!(token.username, "admin");
        assert_eq!(token.password_type, PasswordType::Digest);
        assert_eq!(token.password.expose(), "4oqfNVwvkF9yTNka5MZw0PT6sr8=");
        assert_eq!(token.nonce.as_ref().map(Vec::len), Some(16));
        assert_eq!(token.created.as_deref(), Some("2026-11-22T09:48:29Z"));
    }

    #[test]
    fn default_namespace_and_no_header_are_accepted() {
        let xml = r#"<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope"><Body><GetProfiles xmlns="http://www.onvif.org/ver20/media/wsdl"><Type>All</Type></GetProfiles></Body></Envelope>"#;
        let request = parse_request(xml).unwrap();
        assert!(request.token.is_none());
        assert!(request.operation.is(NS_TR2, "GetProfiles"));
        assert_eq!(request.operation.child_text("Type"), Some("All"));
    }

    #[test]
    fn set_video_encoder_configuration_subtree_and_attributes_are_kept() {
        let xml = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tr2="http://www.onvif.org/ver20/media/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema"><s:Body><tr2:SetVideoEncoderConfiguration><tr2:Configuration token="vec_main" GovLength="20" Profile="Main"><tt:Name>main</tt:Name><tt:Encoding>H265</tt:Encoding><tt:Resolution><tt:Width>1280</tt:Width><tt:Height>720</tt:Height></tt:Resolution><tt:RateControl ConstantBitRate="true"><tt:FrameRateLimit>10</tt:FrameRateLimit><tt:BitrateLimit>1024</tt:BitrateLimit></tt:RateControl></tr2:Configuration></tr2:SetVideoEncoderConfiguration></s:Body></s:Envelope>"#;
        let request = parse_request(xml).unwrap();
        let config = request.operation.child("Configuration").unwrap();
        assert_eq!(config.attribute("token"), Some("vec_main"));
        assert_eq!(config.attribute("GovLength"), Some("20"));
        assert_eq!(config.path(&["Resolution", "Width"]).unwrap().text, "1280");
        assert_eq!(
            config
                .path(&["RateControl"])
                .unwrap()
                .attribute("ConstantBitRate"),
            Some("true")
        );
        assert!(config.child("Encoding").unwrap().is(NS_TT, "Encoding"));
    }

    #[test]
    fn doctype_and_entities_are_refused() {
        let xxe = r#"<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><x>&x;</x></s:Body></s:Envelope>"#;
        assert_eq!(parse_request(xxe), Err(ParseError::Doctype));
        let undeclared = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><x>&x;</x></s:Body></s:Envelope>"#;
        assert_eq!(
            parse_request(undeclared),
            Err(ParseError::Entity("x".into()))
        );
    }

    #[test]
    fn malformed_and_foreign_documents_are_refused() {
        assert!(matches!(
            parse_request("<a><b></a>"),
            Err(ParseError::Xml(_))
        ));
        assert_eq!(
            parse_request("<Envelope><Body/></Envelope>"),
            Err(ParseError::NotEnvelope)
        );
        assert_eq!(
            parse_request(
                r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body/></s:Envelope>"#
            ),
            Err(ParseError::NoOperation)
        );
        assert!(matches!(parse_request("<p:a/>"), Err(ParseError::Xml(_))));
        let deep = format!(
            r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>{}{}</s:Body></s:Envelope>"#,
            "<a>".repeat(100),
            "</a>".repeat(100)
        );
        assert_eq!(parse_request(&deep), Err(ParseError::TooLarge));
    }

    #[test]
    fn every_truncation_and_corruption_is_an_error_not_a_panic() {
        for end in 0..ZEEP_STYLE.len() {
            if let Some(prefix) = ZEEP_STYLE.get(..end) {
                assert!(
                    parse_request(prefix).is_err(),
                    "prefix of {end} bytes parsed"
                );
            }
        }
        // Flip one byte at a time to characters that matter to XML.
        for (i, _) in ZEEP_STYLE.char_indices().step_by(7) {
            for c in ['<', '>', '&', '"', '/', ':'] {
                let mut corrupted = ZEEP_STYLE.to_owned();
                corrupted.replace_range(i..=i, &c.to_string());
                let _ = parse_request(&corrupted);
            }
        }
        assert!(parse_request("text<a/>").is_err());
    }

    #[test]
    fn token_without_password_is_refused() {
        let xml = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header><wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><wsse:UsernameToken><wsse:Username>admin</wsse:Username></wsse:UsernameToken></wsse:Security></s:Header><s:Body><x/></s:Body></s:Envelope>"#;
        assert_eq!(parse_request(xml), Err(ParseError::Token("Password")));
    }

    #[test]
    fn fault_has_code_nested_subcodes_then_reason() {
        let fault = Fault::invalid_arg("ter:NoProfile", "no profile <x>");
        assert_eq!(fault.http_status(), 400);
        let xml = String::from_utf8(fault.to_xml().unwrap()).unwrap();
        let root = parse_document(&xml).unwrap();
        let f = root.path(&["Body", "Fault"]).unwrap();
        assert!(f.is(NS_ENV, "Fault"));
        let names: Vec<&str> = f.children.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Code", "Reason"]);
        assert_eq!(f.path(&["Code", "Value"]).unwrap().text, "env:Sender");
        assert_eq!(
            f.path(&["Code", "Subcode", "Value"]).unwrap().text,
            "ter:InvalidArgVal"
        );
        assert_eq!(
            f.path(&["Code", "Subcode", "Subcode", "Value"])
                .unwrap()
                .text,
            "ter:NoProfile"
        );
        assert_eq!(f.path(&["Reason", "Text"]).unwrap().text, "no profile <x>");
        let unsupported = Fault::action_not_supported("SystemReboot");
        assert_eq!(unsupported.http_status(), 500);
        let xml = String::from_utf8(unsupported.to_xml().unwrap()).unwrap();
        let root = parse_document(&xml).unwrap();
        assert_eq!(
            root.path(&["Body", "Fault", "Code", "Value"]).unwrap().text,
            "env:Receiver"
        );
        assert_eq!(
            root.path(&["Body", "Fault", "Code", "Subcode", "Value"])
                .unwrap()
                .text,
            "ter:ActionNotSupported"
        );
    }
}
