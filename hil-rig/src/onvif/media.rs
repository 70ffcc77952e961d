//! The ONVIF Media service (`trt`, ver10, Profile S): profiles, stream URIs and H.264 encoder
//! configuration.
//!
//! This is the media API onvif-zeep-async (Home Assistant) uses, and the one through which the
//! planner pushes resolution, frame rate, bitrate and GOP length to a camera. Media1's schema
//! cannot name H.265 (`tt:VideoEncoding` is JPEG | MPEG4 | H264), so an H.265 encoder
//! configuration is visible only through Media2 ([`crate::onvif::media2`]); here it is left out
//! of lists and refused by token.

use crate::onvif::camera::{Camera, CameraState, EncoderConfig, Encoding, Profile};
use crate::onvif::media_common::{
    parse_frame_rate, parse_quality, parse_resolution, parse_u32, profile_param,
    write_video_source_configuration,
};
use crate::onvif::soap::{Element, Fault, XmlOut, respond, xs_bool};

/// Path of the Media service.
pub const PATH: &str = "/onvif/media_service";

/// Answers one Media operation.
pub fn handle(camera: &Camera, operation: &Element) -> Result<Vec<u8>, Fault> {
    let state = camera.state();
    match operation.name.as_str() {
        "GetServiceCapabilities" => respond(|out| {
            out.open("trt:GetServiceCapabilitiesResponse");
            write_service_capabilities(out);
            out.close("trt:GetServiceCapabilitiesResponse");
        }),
        "GetProfiles" => respond(|out| {
            out.open("trt:GetProfilesResponse");
            for profile in &state.profiles {
                write_profile(out, "trt:Profiles", &state, profile);
            }
            out.close("trt:GetProfilesResponse");
        }),
        "GetProfile" => {
            let profile = profile_param(&state, operation)?;
            respond(|out| {
                out.open("trt:GetProfileResponse");
                write_profile(out, "trt:Profile", &state, profile);
                out.close("trt:GetProfileResponse");
            })
        }
        "GetVideoSources" => respond(|out| {
            let source = &state.video_source;
            out.open("trt:GetVideoSourcesResponse")
                .open_with("trt:VideoSources", &[("token", &source.token)])
                .leaf("tt:Framerate", &source.framerate.to_string())
                .open("tt:Resolution")
                .leaf("tt:Width", &source.resolution.width.to_string())
                .leaf("tt:Height", &source.resolution.height.to_string())
                .close("tt:Resolution")
                .close("trt:VideoSources")
                .close("trt:GetVideoSourcesResponse");
        }),
        "GetVideoSourceConfigurations" => respond(|out| {
            out.open("trt:GetVideoSourceConfigurationsResponse");
            write_video_source_configuration(out, "trt:Configurations", &state);
            out.close("trt:GetVideoSourceConfigurationsResponse");
        }),
        "GetStreamUri" => {
            let profile = profile_param(&state, operation)?;
            let stream = operation
                .path(&["StreamSetup", "Stream"])
                .map(|e| e.text.trim());
            let protocol = operation
                .path(&["StreamSetup", "Transport", "Protocol"])
                .map(|e| e.text.trim());
            if !matches!(stream, None | Some("RTP-Unicast"))
                || !matches!(protocol, None | Some("UDP" | "RTSP" | "TCP"))
            {
                return Err(Fault::invalid_arg(
                    "ter:InvalidStreamSetup",
                    "only RTP-Unicast over UDP or RTSP is served",
                ));
            }
            media_uri(
                "trt:GetStreamUriResponse",
                &state.rtsp_url(&profile.stream_path),
            )
        }
        "GetSnapshotUri" => {
            let profile = profile_param(&state, operation)?;
            media_uri(
                "trt:GetSnapshotUriResponse",
                &state.http_url(&profile.snapshot_path),
            )
        }
        "GetVideoEncoderConfigurations" => respond(|out| {
            out.open("trt:GetVideoEncoderConfigurationsResponse");
            for profile in &state.profiles {
                if profile.encoder.encoding == Encoding::H264 {
                    write_encoder(out, "trt:Configurations", &profile.encoder);
                }
            }
            out.close("trt:GetVideoEncoderConfigurationsResponse");
        }),
        "GetVideoEncoderConfiguration" => {
            let encoder = encoder_param(&state, operation)?;
            respond(|out| {
                out.open("trt:GetVideoEncoderConfigurationResponse");
                write_encoder(out, "trt:Configuration", encoder);
                out.close("trt:GetVideoEncoderConfigurationResponse");
            })
        }
        "GetVideoEncoderConfigurationOptions" => {
            if operation.child("ConfigurationToken").is_some() {
                encoder_param(&state, operation)?;
            }
            if operation.child("ProfileToken").is_some() {
                profile_param(&state, operation)?;
            }
            respond(|out| {
                out.open("trt:GetVideoEncoderConfigurationOptionsResponse");
                write_options(out, &state);
                out.close("trt:GetVideoEncoderConfigurationOptionsResponse");
            })
        }
        "SetVideoEncoderConfiguration" => {
            let config = operation
                .child("Configuration")
                .ok_or_else(|| Fault::sender(&["ter:InvalidArgs"], "Configuration is missing"))?;
            let token = config
                .attribute("token")
                .ok_or_else(|| Fault::invalid_arg("ter:NoConfig", "Configuration has no token"))?;
            let current = state.encoder(token).ok_or_else(|| no_config(token))?;
            camera.set_encoder(parse_encoder(config, current)?)?;
            respond(|out| {
                out.empty("trt:SetVideoEncoderConfigurationResponse", &[]);
            })
        }
        other => Err(Fault::action_not_supported(other)),
    }
}

fn no_config(token: &str) -> Fault {
    Fault::invalid_arg(
        "ter:NoConfig",
        format!("no video encoder configuration {token:?}"),
    )
}

fn encoder_param<'a>(
    state: &'a CameraState,
    operation: &Element,
) -> Result<&'a EncoderConfig, Fault> {
    let token = operation
        .child_text("ConfigurationToken")
        .unwrap_or_default();
    match state.encoder(token) {
        Some(e) if e.encoding == Encoding::H264 => Ok(e),
        _ => Err(no_config(token)),
    }
}

fn media_uri(response: &str, uri: &str) -> Result<Vec<u8>, Fault> {
    respond(|out| {
        out.open(response)
            .open("trt:MediaUri")
            .leaf("tt:Uri", uri)
            .leaf("tt:InvalidAfterConnect", "false")
            .leaf("tt:InvalidAfterReboot", "false")
            .leaf("tt:Timeout", "PT0S")
            .close("trt:MediaUri")
            .close(response);
    })
}

/// `trt:Capabilities`: profile and streaming capabilities as attributes.
pub fn write_service_capabilities(out: &mut XmlOut) {
    out.open_with(
        "trt:Capabilities",
        &[("SnapshotUri", "true"), ("Rotation", "false")],
    )
    .empty(
        "trt:ProfileCapabilities",
        &[("MaximumNumberOfProfiles", "2")],
    )
    .empty(
        "trt:StreamingCapabilities",
        &[
            ("RTPMulticast", "false"),
            ("RTP_TCP", "true"),
            ("RTP_RTSP_TCP", "true"),
        ],
    )
    .close("trt:Capabilities");
}

/// A `tt:Profile` under `element`: Name, VideoSourceConfiguration, VideoEncoderConfiguration
/// (left out for H.265, which Media1 cannot describe).
fn write_profile(out: &mut XmlOut, element: &str, state: &CameraState, profile: &Profile) {
    out.open_with(element, &[("token", &profile.token), ("fixed", "true")])
        .leaf("tt:Name", &profile.name);
    write_video_source_configuration(out, "tt:VideoSourceConfiguration", state);
    if profile.encoder.encoding == Encoding::H264 {
        write_encoder(out, "tt:VideoEncoderConfiguration", &profile.encoder);
    }
    out.close(element);
}

/// A Media1 `tt:VideoEncoderConfiguration` under `element`, children in schema order.
fn write_encoder(out: &mut XmlOut, element: &str, e: &EncoderConfig) {
    out.open_with(element, &[("token", &e.token)])
        .leaf("tt:Name", &e.name)
        .leaf("tt:UseCount", "1")
        .leaf("tt:Encoding", e.encoding.as_str())
        .open("tt:Resolution")
        .leaf("tt:Width", &e.resolution.width.to_string())
        .leaf("tt:Height", &e.resolution.height.to_string())
        .close("tt:Resolution")
        .leaf("tt:Quality", &e.quality.to_string())
        .open("tt:RateControl")
        .leaf("tt:FrameRateLimit", &e.frame_rate_limit.to_string())
        .leaf("tt:EncodingInterval", "1")
        .leaf("tt:BitrateLimit", &e.bitrate_limit_kbps.to_string())
        .close("tt:RateControl")
        .open("tt:H264")
        .leaf("tt:GovLength", &e.gov_length.to_string())
        .leaf("tt:H264Profile", &e.profile)
        .close("tt:H264");
    write_no_multicast(out);
    out.leaf("tt:SessionTimeout", "PT60S").close(element);
}

/// `tt:Multicast` with an unset group: the element is required, multicast is not served.
pub fn write_no_multicast(out: &mut XmlOut) {
    out.open("tt:Multicast")
        .open("tt:Address")
        .leaf("tt:Type", "IPv4")
        .leaf("tt:IPv4Address", "0.0.0.0")
        .close("tt:Address")
        .leaf("tt:Port", "0")
        .leaf("tt:TTL", "1")
        .leaf("tt:AutoStart", xs_bool(false))
        .close("tt:Multicast");
}

fn write_range(out: &mut XmlOut, element: &str, (min, max): (impl ToString, impl ToString)) {
    out.open(element)
        .leaf("tt:Min", &min.to_string())
        .leaf("tt:Max", &max.to_string())
        .close(element);
}

/// The H.264 options body shared by `tt:H264` and `tt:Extension/tt:H264`.
fn write_h264_options(out: &mut XmlOut, state: &CameraState, with_bitrate: bool) {
    let o = &state.options;
    out.open("tt:H264");
    for r in &o.resolutions {
        out.open("tt:ResolutionsAvailable")
            .leaf("tt:Width", &r.width.to_string())
            .leaf("tt:Height", &r.height.to_string())
            .close("tt:ResolutionsAvailable");
    }
    write_range(out, "tt:GovLengthRange", o.gov_length);
    write_range(out, "tt:FrameRateRange", o.frame_rate);
    write_range(out, "tt:EncodingIntervalRange", (1, 1));
    for p in &o.h264_profiles {
        out.leaf("tt:H264ProfilesSupported", p);
    }
    if with_bitrate {
        write_range(out, "tt:BitrateRange", o.bitrate_kbps);
    }
    out.close("tt:H264");
}

/// `trt:Options`: QualityRange, H264, then Extension/H264 which adds the bitrate range.
fn write_options(out: &mut XmlOut, state: &CameraState) {
    let quality = (state.options.quality.0, state.options.quality.1);
    out.open("trt:Options");
    write_range(out, "tt:QualityRange", quality);
    write_h264_options(out, state, false);
    out.open("tt:Extension");
    write_h264_options(out, state, true);
    out.close("tt:Extension").close("trt:Options");
}

/// Reads a Media1 `Configuration` on top of the `current` one: elements a client leaves out
/// keep their value. Media1 can only set H.264.
fn parse_encoder(config: &Element, current: &EncoderConfig) -> Result<EncoderConfig, Fault> {
    let mut next = current.clone();
    if let Some(name) = config.child_text("Name") {
        next.name = name.to_owned();
    }
    if let Some(encoding) = config.child_text("Encoding") {
        if encoding != "H264" {
            return Err(Fault::invalid_arg(
                "ter:ConfigModify",
                format!("encoding {encoding} is not offered through Media1"),
            ));
        }
        next.encoding = Encoding::H264;
    }
    if let Some(resolution) = parse_resolution(config)? {
        next.resolution = resolution;
    }
    if let Some(quality) = parse_quality(config.child("Quality"))? {
        next.quality = quality;
    }
    if let Some(rate) = config.child("RateControl") {
        if let Some(fps) = parse_frame_rate(rate.child("FrameRateLimit"))? {
            next.frame_rate_limit = fps;
        }
        if let Some(interval) = parse_u32(rate.child("EncodingInterval"), "EncodingInterval")?
            && interval != 1
        {
            return Err(Fault::invalid_arg(
                "ter:ConfigModify",
                "only EncodingInterval 1 is offered",
            ));
        }
        if let Some(kbps) = parse_u32(rate.child("BitrateLimit"), "BitrateLimit")? {
            next.bitrate_limit_kbps = kbps;
        }
    }
    if let Some(h264) = config.child("H264") {
        if let Some(gov) = parse_u32(h264.child("GovLength"), "GovLength")? {
            next.gov_length = gov;
        }
        if let Some(profile) = h264.child_text("H264Profile") {
            next.profile = profile.to_owned();
        }
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::onvif::device::tests::{body, camera, names, op};
    use crate::onvif::soap::{NS_TRT, parse_request};

    fn with_token(name: &str, token_name: &str, token: &str) -> Element {
        op(
            NS_TRT,
            name,
            vec![Element {
                namespace: Some(NS_TRT.into()),
                name: token_name.into(),
                text: token.into(),
                ..Element::default()
            }],
        )
    }

    #[test]
    fn profiles_in_schema_order() {
        let camera = camera();
        let xml = handle(&camera, &op(NS_TRT, "GetProfiles", vec![])).unwrap();
        let r = body(&xml, NS_TRT, "GetProfilesResponse");
        let profiles: Vec<&Element> = r.children_named("Profiles").collect();
        assert_eq!(profiles.len(), 2);
        assert_eq!(profiles[0].attribute("token"), Some("main"));
        assert_eq!(
            names(profiles[0]),
            [
                "Name",
                "VideoSourceConfiguration",
                "VideoEncoderConfiguration"
            ]
        );
        assert_eq!(
            names(profiles[0].child("VideoSourceConfiguration").unwrap()),
            ["Name", "UseCount", "SourceToken", "Bounds"]
        );
        let vec = profiles[0].child("VideoEncoderConfiguration").unwrap();
        assert_eq!(
            names(vec),
            [
                "Name",
                "UseCount",
                "Encoding",
                "Resolution",
                "Quality",
                "RateControl",
                "H264",
                "Multicast",
                "SessionTimeout"
            ]
        );
        assert_eq!(
            names(vec.child("RateControl").unwrap()),
            ["FrameRateLimit", "EncodingInterval", "BitrateLimit"]
        );
        let one = handle(&camera, &with_token("GetProfile", "ProfileToken", "sub")).unwrap();
        let r = body(&one, NS_TRT, "GetProfileResponse");
        assert_eq!(r.child("Profile").unwrap().attribute("token"), Some("sub"));
    }

    #[test]
    fn stream_and_snapshot_uris_come_from_state() {
        let camera = camera();
        let xml = parse_request(
            r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:trt="http://www.onvif.org/ver10/media/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema"><s:Body><trt:GetStreamUri><trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream><tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport></trt:StreamSetup><trt:ProfileToken>sub</trt:ProfileToken></trt:GetStreamUri></s:Body></s:Envelope>"#,
        )
        .unwrap();
        let out = handle(&camera, &xml.operation).unwrap();
        let r = body(&out, NS_TRT, "GetStreamUriResponse");
        let uri = r.child("MediaUri").unwrap();
        assert_eq!(
            names(uri),
            [
                "Uri",
                "InvalidAfterConnect",
                "InvalidAfterReboot",
                "Timeout"
            ]
        );
        assert_eq!(
            uri.child_text("Uri"),
            Some("rtsp://127.0.0.1:8554/cam1/sub")
        );
        let snap = handle(
            &camera,
            &with_token("GetSnapshotUri", "ProfileToken", "main"),
        )
        .unwrap();
        let r = body(&snap, NS_TRT, "GetSnapshotUriResponse");
        assert_eq!(
            r.path(&["MediaUri", "Uri"]).unwrap().text,
            "http://127.0.0.1:8080/cam1/main.jpg"
        );
        let fault =
            handle(&camera, &with_token("GetStreamUri", "ProfileToken", "nope")).unwrap_err();
        assert_eq!(fault.subcodes, ["ter:InvalidArgVal", "ter:NoProfile"]);
        let multicast = xml_with_stream("RTP-Multicast");
        let fault = handle(&camera, &multicast).unwrap_err();
        assert_eq!(
            fault.subcodes,
            ["ter:InvalidArgVal", "ter:InvalidStreamSetup"]
        );
    }

    fn xml_with_stream(stream: &str) -> Element {
        parse_request(&format!(
            r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:trt="http://www.onvif.org/ver10/media/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema"><s:Body><trt:GetStreamUri><trt:StreamSetup><tt:Stream>{stream}</tt:Stream></trt:StreamSetup><trt:ProfileToken>main</trt:ProfileToken></trt:GetStreamUri></s:Body></s:Envelope>"#
        ))
        .unwrap()
        .operation
    }

    #[test]
    fn sources_encoders_and_options_shapes() {
        let camera = camera();
        let xml = handle(&camera, &op(NS_TRT, "GetVideoSources", vec![])).unwrap();
        let r = body(&xml, NS_TRT, "GetVideoSourcesResponse");
        assert_eq!(
            names(r.child("VideoSources").unwrap()),
            ["Framerate", "Resolution"]
        );
        let xml = handle(
            &camera,
            &op(NS_TRT, "GetVideoEncoderConfigurations", vec![]),
        )
        .unwrap();
        let r = body(&xml, NS_TRT, "GetVideoEncoderConfigurationsResponse");
        assert_eq!(r.children_named("Configurations").count(), 2);
        let xml = handle(
            &camera,
            &with_token(
                "GetVideoEncoderConfiguration",
                "ConfigurationToken",
                "vec_sub",
            ),
        )
        .unwrap();
        let r = body(&xml, NS_TRT, "GetVideoEncoderConfigurationResponse");
        assert_eq!(
            r.path(&["Configuration", "Resolution", "Width"])
                .unwrap()
                .text,
            "640"
        );
        let xml = handle(
            &camera,
            &with_token(
                "GetVideoEncoderConfigurationOptions",
                "ConfigurationToken",
                "vec_main",
            ),
        )
        .unwrap();
        let r = body(&xml, NS_TRT, "GetVideoEncoderConfigurationOptionsResponse");
        let options = r.child("Options").unwrap();
        assert_eq!(names(options), ["QualityRange", "H264", "Extension"]);
        let h264 = options.child("H264").unwrap();
        assert_eq!(h264.children_named("ResolutionsAvailable").count(), 5);
        assert_eq!(
            names(options.path(&["Extension", "H264"]).unwrap()).last(),
            Some(&"BitrateRange")
        );
        let fault = handle(
            &camera,
            &with_token("GetVideoEncoderConfiguration", "ConfigurationToken", "x"),
        )
        .unwrap_err();
        assert_eq!(fault.subcodes, ["ter:InvalidArgVal", "ter:NoConfig"]);
    }

    fn set_request(width: u32, fps: &str, kbps: u32, encoding: &str) -> Element {
        parse_request(&format!(
            r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:trt="http://www.onvif.org/ver10/media/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema"><s:Body><trt:SetVideoEncoderConfiguration><trt:Configuration token="vec_main"><tt:Name>main</tt:Name><tt:UseCount>1</tt:UseCount><tt:Encoding>{encoding}</tt:Encoding><tt:Resolution><tt:Width>{width}</tt:Width><tt:Height>720</tt:Height></tt:Resolution><tt:Quality>5</tt:Quality><tt:RateControl><tt:FrameRateLimit>{fps}</tt:FrameRateLimit><tt:EncodingInterval>1</tt:EncodingInterval><tt:BitrateLimit>{kbps}</tt:BitrateLimit></tt:RateControl><tt:H264><tt:GovLength>20</tt:GovLength><tt:H264Profile>High</tt:H264Profile></tt:H264><tt:SessionTimeout>PT60S</tt:SessionTimeout></trt:Configuration><trt:ForcePersistence>true</trt:ForcePersistence></trt:SetVideoEncoderConfiguration></s:Body></s:Envelope>"#
        ))
        .unwrap()
        .operation
    }

    #[test]
    fn set_video_encoder_configuration_round_trips_and_validates() {
        let camera = camera();
        let rx = camera.subscribe();
        let xml = handle(&camera, &set_request(1280, "10", 1024, "H264")).unwrap();
        body(&xml, NS_TRT, "SetVideoEncoderConfigurationResponse");
        assert!(rx.has_changed().unwrap());
        let e = camera.state().profiles[0].encoder.clone();
        assert_eq!(
            (
                e.resolution.width,
                e.resolution.height,
                e.frame_rate_limit,
                e.bitrate_limit_kbps
            ),
            (1280, 720, 10, 1024)
        );
        assert_eq!((e.gov_length, e.profile.as_str()), (20, "High"));
        for (bad, subcode) in [
            (set_request(1281, "10", 1024, "H264"), "ter:ConfigModify"),
            (set_request(1280, "10.5", 1024, "H264"), "ter:ConfigModify"),
            (set_request(1280, "10", 10, "H264"), "ter:ConfigModify"),
            (set_request(1280, "10", 1024, "H265"), "ter:ConfigModify"),
            (set_request(1280, "ten", 1024, "H264"), "ter:ConfigModify"),
        ] {
            let fault = handle(&camera, &bad).unwrap_err();
            assert_eq!(fault.subcodes, ["ter:InvalidArgVal", subcode]);
        }
        assert_eq!(camera.state().profiles[0].encoder, e);
    }
}
