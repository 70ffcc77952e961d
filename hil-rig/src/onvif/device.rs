//! The ONVIF device service (`tds`, ver10): what every client calls first.
//!
//! Both tested client libraries open a session with `GetSystemDateAndTime` (unauthenticated, to
//! learn the device clock offset for their UsernameToken) and `GetServices` (to find the Media
//! and Media2 addresses), falling back to `GetCapabilities`; applications then ask for
//! `GetDeviceInformation`, network interfaces, scopes and host name. Operations outside this set
//! answer `env:Receiver/ter:ActionNotSupported`, which clients treat as a failure of that call.

use time::OffsetDateTime;

use crate::onvif::camera::{Camera, CameraState};
use crate::onvif::soap::{Element, Fault, NS_TDS, NS_TR2, NS_TRT, XmlOut, respond, xs_bool};
use crate::onvif::{media, media2};

/// Path of the device service.
pub const PATH: &str = "/onvif/device_service";

/// Service version reported by `GetServices` for device, Media and Media2.
const VERSION: (&str, &str) = ("2", "60");

/// Whether `operation` of the device service needs credentials.
///
/// The Core spec gives these the PRE_AUTH access class ("shall not require user
/// authentication"); clients rely on it for `GetSystemDateAndTime` before they know the clock
/// offset their UsernameToken must use.
pub fn is_pre_auth(operation: &str) -> bool {
    matches!(
        operation,
        "GetSystemDateAndTime"
            | "GetServices"
            | "GetServiceCapabilities"
            | "GetCapabilities"
            | "GetHostname"
            | "GetWsdlUrl"
            | "GetEndpointReference"
    )
}

/// Answers one device-service operation.
pub fn handle(camera: &Camera, operation: &Element) -> Result<Vec<u8>, Fault> {
    let state = camera.state();
    match operation.name.as_str() {
        "GetSystemDateAndTime" => system_date_and_time(camera.now()),
        "GetServices" => services(&state, operation.child_text("IncludeCapability")),
        "GetCapabilities" => capabilities(&state, operation),
        "GetServiceCapabilities" => respond(|out| {
            out.open("tds:GetServiceCapabilitiesResponse");
            write_service_capabilities(out);
            out.close("tds:GetServiceCapabilitiesResponse");
        }),
        "GetDeviceInformation" => respond(|out| {
            let info = &state.info;
            out.open("tds:GetDeviceInformationResponse")
                .leaf("tds:Manufacturer", &info.manufacturer)
                .leaf("tds:Model", &info.model)
                .leaf("tds:FirmwareVersion", &info.firmware_version)
                .leaf("tds:SerialNumber", &info.serial_number)
                .leaf("tds:HardwareId", &info.hardware_id)
                .close("tds:GetDeviceInformationResponse");
        }),
        "GetNetworkInterfaces" => network_interfaces(&state),
        "GetScopes" => scopes(&state),
        "GetHostname" => respond(|out| {
            out.open("tds:GetHostnameResponse")
                .open("tds:HostnameInformation")
                .leaf("tt:FromDHCP", "false")
                .leaf("tt:Name", &state.network.hostname)
                .close("tds:HostnameInformation")
                .close("tds:GetHostnameResponse");
        }),
        other => Err(Fault::action_not_supported(other)),
    }
}

fn system_date_and_time(now: OffsetDateTime) -> Result<Vec<u8>, Fault> {
    respond(|out| {
        out.open("tds:GetSystemDateAndTimeResponse")
            .open("tds:SystemDateAndTime")
            .leaf("tt:DateTimeType", "NTP")
            .leaf("tt:DaylightSavings", "false")
            .open("tt:TimeZone")
            .leaf("tt:TZ", "UTC0")
            .close("tt:TimeZone")
            .open("tt:UTCDateTime")
            .open("tt:Time")
            .leaf("tt:Hour", &now.hour().to_string())
            .leaf("tt:Minute", &now.minute().to_string())
            .leaf("tt:Second", &now.second().to_string())
            .close("tt:Time")
            .open("tt:Date")
            .leaf("tt:Year", &now.year().to_string())
            .leaf("tt:Month", &u8::from(now.month()).to_string())
            .leaf("tt:Day", &now.day().to_string())
            .close("tt:Date")
            .close("tt:UTCDateTime")
            .close("tds:SystemDateAndTime")
            .close("tds:GetSystemDateAndTimeResponse");
    })
}

/// Writes one service's `Capabilities` element.
type WriteCapabilities = fn(&mut XmlOut);

fn services(state: &CameraState, include_capability: Option<&str>) -> Result<Vec<u8>, Fault> {
    let include = matches!(include_capability, Some("true" | "1"));
    let services: [(&str, &str, WriteCapabilities); 3] = [
        (NS_TDS, PATH, write_service_capabilities),
        (NS_TRT, media::PATH, media::write_service_capabilities),
        (NS_TR2, media2::PATH, media2::write_service_capabilities),
    ];
    respond(|out| {
        out.open("tds:GetServicesResponse");
        for (namespace, path, capabilities) in services {
            out.open("tds:Service")
                .leaf("tds:Namespace", namespace)
                .leaf("tds:XAddr", &state.http_url(path));
            if include {
                out.open("tds:Capabilities");
                capabilities(out);
                out.close("tds:Capabilities");
            }
            out.open("tds:Version")
                .leaf("tt:Major", VERSION.0)
                .leaf("tt:Minor", VERSION.1)
                .close("tds:Version")
                .close("tds:Service");
        }
        out.close("tds:GetServicesResponse");
    })
}

/// `tds:Capabilities` of `GetServiceCapabilities`: Network, Security, System, each with its
/// capabilities as attributes. Security advertises both authentication schemes we accept.
pub fn write_service_capabilities(out: &mut XmlOut) {
    out.open("tds:Capabilities")
        .empty(
            "tds:Network",
            &[
                ("IPFilter", "false"),
                ("ZeroConfiguration", "false"),
                ("IPVersion6", "false"),
                ("DynDNS", "false"),
                ("HostnameFromDHCP", "false"),
            ],
        )
        .empty(
            "tds:Security",
            &[("UsernameToken", "true"), ("HttpDigest", "true")],
        )
        .empty(
            "tds:System",
            &[
                ("DiscoveryResolve", "false"),
                ("DiscoveryBye", "true"),
                ("RemoteDiscovery", "false"),
                ("SystemBackup", "false"),
                ("SystemLogging", "false"),
                ("FirmwareUpgrade", "false"),
            ],
        )
        .close("tds:Capabilities");
}

fn capabilities(state: &CameraState, operation: &Element) -> Result<Vec<u8>, Fault> {
    let categories: Vec<&str> = operation
        .children_named("Category")
        .map(|c| c.text.trim())
        .collect();
    let wants = |name: &str| {
        categories.is_empty() || categories.contains(&"All") || categories.contains(&name)
    };
    if let Some(other) = categories
        .iter()
        .find(|c| !matches!(**c, "All" | "Device" | "Media"))
    {
        return Err(Fault::receiver(
            &["ter:ActionNotSupported", "ter:NoSuchService"],
            format!("capability category {other} is not supported"),
        ));
    }
    respond(|out| {
        out.open("tds:GetCapabilitiesResponse")
            .open("tds:Capabilities");
        if wants("Device") {
            out.open("tt:Device")
                .leaf("tt:XAddr", &state.http_url(PATH))
                .close("tt:Device");
        }
        if wants("Media") {
            out.open("tt:Media")
                .leaf("tt:XAddr", &state.http_url(media::PATH))
                .open("tt:StreamingCapabilities")
                .leaf("tt:RTPMulticast", xs_bool(false))
                .leaf("tt:RTP_TCP", xs_bool(true))
                .leaf("tt:RTP_RTSP_TCP", xs_bool(true))
                .close("tt:StreamingCapabilities")
                .close("tt:Media");
        }
        out.close("tds:Capabilities")
            .close("tds:GetCapabilitiesResponse");
    })
}

fn network_interfaces(state: &CameraState) -> Result<Vec<u8>, Fault> {
    let net = &state.network;
    respond(|out| {
        out.open("tds:GetNetworkInterfacesResponse")
            .open_with("tds:NetworkInterfaces", &[("token", "eth0")])
            .leaf("tt:Enabled", "true")
            .open("tt:Info")
            .leaf("tt:Name", "eth0")
            .leaf("tt:HwAddress", &net.mac)
            .leaf("tt:MTU", "1500")
            .close("tt:Info")
            .open("tt:IPv4")
            .leaf("tt:Enabled", "true")
            .open("tt:Config")
            .open("tt:Manual")
            .leaf("tt:Address", &net.ip.to_string())
            .leaf("tt:PrefixLength", &net.prefix_length.to_string())
            .close("tt:Manual")
            .leaf("tt:DHCP", "false")
            .close("tt:Config")
            .close("tt:IPv4")
            .close("tds:NetworkInterfaces")
            .close("tds:GetNetworkInterfacesResponse");
    })
}

/// The scopes a camera announces; also what WS-Discovery will advertise.
pub fn scope_list(state: &CameraState) -> Vec<(&'static str, String)> {
    let base = "onvif://www.onvif.org";
    vec![
        ("Fixed", format!("{base}/Profile/Streaming")),
        ("Fixed", format!("{base}/Profile/T")),
        ("Fixed", format!("{base}/type/video_encoder")),
        ("Fixed", format!("{base}/hardware/{}", state.info.model)),
        ("Fixed", format!("{base}/MacAddress/{}", state.network.mac)),
        (
            "Fixed",
            format!("{base}/SerialNumber/{}", state.info.serial_number),
        ),
        (
            "Configurable",
            format!("{base}/name/{}", state.network.hostname),
        ),
        ("Configurable", format!("{base}/location/lab")),
    ]
}

fn scopes(state: &CameraState) -> Result<Vec<u8>, Fault> {
    respond(|out| {
        out.open("tds:GetScopesResponse");
        for (kind, item) in scope_list(state) {
            out.open("tds:Scopes")
                .leaf("tt:ScopeDef", kind)
                .leaf("tt:ScopeItem", &item)
                .close("tds:Scopes");
        }
        out.close("tds:GetScopesResponse");
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use std::net::Ipv4Addr;

    use super::*;
    use crate::onvif::auth::{Credentials, Secret};
    use crate::onvif::camera::CameraState;
    use crate::onvif::soap::{NS_ENV, parse_document};

    pub(crate) fn camera() -> Camera {
        let camera = Camera::new(
            CameraState::example(1, Ipv4Addr::LOCALHOST, 8554),
            Credentials {
                username: "admin".into(),
                password: Secret::new("pw"),
            },
        );
        camera.set_http_port(8080);
        camera
    }

    /// Builds an operation element as the parser would.
    pub(crate) fn op(namespace: &str, name: &str, children: Vec<Element>) -> Element {
        Element {
            namespace: Some(namespace.into()),
            name: name.into(),
            children,
            ..Element::default()
        }
    }

    pub(crate) fn leaf(name: &str, text: &str) -> Element {
        Element {
            namespace: Some(NS_TDS.into()),
            name: name.into(),
            text: text.into(),
            ..Element::default()
        }
    }

    /// The first element of the response body, checked to be `<expected>`.
    pub(crate) fn body(xml: &[u8], namespace: &str, expected: &str) -> Element {
        let root = parse_document(std::str::from_utf8(xml).unwrap()).unwrap();
        assert!(root.is(NS_ENV, "Envelope"));
        let response = root.path(&["Body"]).unwrap().children[0].clone();
        assert!(response.is(namespace, expected), "{response:?}");
        response
    }

    pub(crate) fn names(e: &Element) -> Vec<&str> {
        e.children.iter().map(|c| c.name.as_str()).collect()
    }

    #[test]
    fn system_date_and_time_is_utc_in_schema_order() {
        let camera = camera();
        let xml = handle(&camera, &op(NS_TDS, "GetSystemDateAndTime", vec![])).unwrap();
        let r = body(&xml, NS_TDS, "GetSystemDateAndTimeResponse");
        let sdt = r.child("SystemDateAndTime").unwrap();
        assert_eq!(
            names(sdt),
            ["DateTimeType", "DaylightSavings", "TimeZone", "UTCDateTime"]
        );
        assert_eq!(names(sdt.child("UTCDateTime").unwrap()), ["Time", "Date"]);
        let year: i32 = sdt
            .path(&["UTCDateTime", "Date", "Year"])
            .unwrap()
            .text
            .parse()
            .unwrap();
        assert!(year >= 2024);
    }

    #[test]
    fn services_list_device_media_media2_with_xaddrs() {
        let camera = camera();
        let xml = handle(
            &camera,
            &op(
                NS_TDS,
                "GetServices",
                vec![leaf("IncludeCapability", "true")],
            ),
        )
        .unwrap();
        let r = body(&xml, NS_TDS, "GetServicesResponse");
        let services: Vec<&Element> = r.children_named("Service").collect();
        assert_eq!(services.len(), 3);
        assert_eq!(
            names(services[0]),
            ["Namespace", "XAddr", "Capabilities", "Version"]
        );
        assert_eq!(services[1].child_text("Namespace"), Some(NS_TRT));
        assert_eq!(
            services[2].child_text("XAddr"),
            Some("http://127.0.0.1:8080/onvif/media2_service")
        );
        let without = handle(&camera, &op(NS_TDS, "GetServices", vec![])).unwrap();
        let r = body(&without, NS_TDS, "GetServicesResponse");
        assert_eq!(names(&r.children[0]), ["Namespace", "XAddr", "Version"]);
    }

    #[test]
    fn capabilities_device_then_media() {
        let camera = camera();
        let xml = handle(
            &camera,
            &op(NS_TDS, "GetCapabilities", vec![leaf("Category", "All")]),
        )
        .unwrap();
        let r = body(&xml, NS_TDS, "GetCapabilitiesResponse");
        let caps = r.child("Capabilities").unwrap();
        assert_eq!(names(caps), ["Device", "Media"]);
        assert_eq!(
            names(caps.child("Media").unwrap()),
            ["XAddr", "StreamingCapabilities"]
        );
        let ptz = handle(
            &camera,
            &op(NS_TDS, "GetCapabilities", vec![leaf("Category", "PTZ")]),
        )
        .unwrap_err();
        assert_eq!(
            ptz.subcodes,
            ["ter:ActionNotSupported", "ter:NoSuchService"]
        );
    }

    #[test]
    fn information_interfaces_scopes_hostname_service_capabilities() {
        let camera = camera();
        let info = handle(&camera, &op(NS_TDS, "GetDeviceInformation", vec![])).unwrap();
        let r = body(&info, NS_TDS, "GetDeviceInformationResponse");
        assert_eq!(
            names(&r),
            [
                "Manufacturer",
                "Model",
                "FirmwareVersion",
                "SerialNumber",
                "HardwareId"
            ]
        );
        assert_eq!(r.child_text("SerialNumber"), Some("SIM000001"));
        let nics = handle(&camera, &op(NS_TDS, "GetNetworkInterfaces", vec![])).unwrap();
        let r = body(&nics, NS_TDS, "GetNetworkInterfacesResponse");
        let nic = r.child("NetworkInterfaces").unwrap();
        assert_eq!(names(nic), ["Enabled", "Info", "IPv4"]);
        assert_eq!(
            nic.path(&["Info", "HwAddress"]).unwrap().text,
            "02:00:00:00:00:01"
        );
        assert_eq!(
            names(nic.path(&["IPv4", "Config"]).unwrap()),
            ["Manual", "DHCP"]
        );
        let scopes = handle(&camera, &op(NS_TDS, "GetScopes", vec![])).unwrap();
        let r = body(&scopes, NS_TDS, "GetScopesResponse");
        assert!(r.children_named("Scopes").any(|s| {
            s.child_text("ScopeItem") == Some("onvif://www.onvif.org/Profile/Streaming")
        }));
        let host = handle(&camera, &op(NS_TDS, "GetHostname", vec![])).unwrap();
        let r = body(&host, NS_TDS, "GetHostnameResponse");
        assert_eq!(
            names(r.child("HostnameInformation").unwrap()),
            ["FromDHCP", "Name"]
        );
        let caps = handle(&camera, &op(NS_TDS, "GetServiceCapabilities", vec![])).unwrap();
        let r = body(&caps, NS_TDS, "GetServiceCapabilitiesResponse");
        let c = r.child("Capabilities").unwrap();
        assert_eq!(names(c), ["Network", "Security", "System"]);
        assert_eq!(
            c.child("Security").unwrap().attribute("HttpDigest"),
            Some("true")
        );
    }

    #[test]
    fn unknown_operation_is_action_not_supported_and_pre_auth_set_is_small() {
        let camera = camera();
        let fault = handle(&camera, &op(NS_TDS, "SystemReboot", vec![])).unwrap_err();
        assert_eq!(fault.subcodes, ["ter:ActionNotSupported"]);
        assert!(is_pre_auth("GetSystemDateAndTime"));
        assert!(!is_pre_auth("GetDeviceInformation"));
        assert!(!is_pre_auth("GetScopes"));
    }
}
