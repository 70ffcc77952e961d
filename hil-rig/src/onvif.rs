//! The ONVIF side of one simulated camera: SOAP 1.2 parsing and writing, authentication,
//! the device, Media and Media2 services, JPEG snapshots, the HTTP server that carries them,
//! and the client the rig uses to drive real and simulated cameras.
//!
//! Real clients (Home Assistant's onvif-zeep-async, npm `onvif`, VMSs) must take a simulated
//! camera for a real one, so the wire format follows the ONVIF WSDLs and schema: elements in
//! schema order, ONVIF fault subcodes, and the Core spec's authentication rules.

pub mod auth;
pub mod camera;
pub mod client;
pub mod device;
pub mod media;
pub mod media2;
pub mod media_common;
pub mod resolution;
pub mod secret;
pub mod server;
pub mod snapshot;
pub mod soap;
