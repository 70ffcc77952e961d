//! The ONVIF Media2 service (`tr2`, ver20, Profile T): the only media API that can describe
//! H.265.
//!
//! npm `onvif` switches to Media2 for all stream and snapshot URIs as soon as `GetServices`
//! lists it, and falls back to Media1 silently if Media2 `GetProfiles` fails, so these answers
//! must be as correct as Media1's. Encoder configurations here are
//! `tt:VideoEncoder2Configuration`: GOP length and codec profile are attributes, the encoding is
//! a MIME-style name (`H264`, `H265`).

use crate::onvif::camera::{Camera, CameraState, EncoderConfig, Encoding, Profile};
use crate::onvif::media_common::{
    parse_frame_rate, parse_quality, parse_resolution, parse_u32, profile_param,
    write_video_source_configuration,
};
use crate::onvif::soap::{Element, Fault, XmlOut, respond};

/// Path of the Media2 service.
pub const PATH: &str = "/onvif/media2_service";

/// Answers one Media2 operation.
pub fn handle(camera: &Camera, operation: &Element) -> Result<Vec<u8>, Fault> {
    let state = camera.state();
    match operation.name.as_str() {
        "GetServiceCapabilities" => respond(|out| {
            out.open("tr2:GetServiceCapabilitiesResponse");
            write_service_capabilities(out);
            out.close("tr2:GetServiceCapabilitiesResponse");
        }),
        "GetProfiles" => profiles(&state, operation),
        "GetStreamUri" => {
            let profile = profile_param(&state, operation)?;
            match operation.child_text("Protocol") {
                Some("RtspUnicast" | "RTSP") => {}
                other => {
                    return Err(Fault::invalid_arg(
                        "ter:InvalidStreamSetup",
                        format!("protocol {other:?} is not served; use RtspUnicast or RTSP"),
                    ));
                }
            }
            uri(
                "tr2:GetStreamUriResponse",
                &state.rtsp_url(&profile.stream_path),
            )
        }
        "GetSnapshotUri" => {
            let profile = profile_param(&state, operation)?;
            uri(
                "tr2:GetSnapshotUriResponse",
                &state.http_url(&profile.snapshot_path),
            )
        }
        "GetVideoSourceConfigurations" => respond(|out| {
            out.open("tr2:GetVideoSourceConfigurationsResponse");
            write_video_source_configuration(out, "tr2:Configurations", &state);
            out.close("tr2:GetVideoSourceConfigurationsResponse");
        }),
        "GetVideoEncoderConfigurations" => {
            let selected = selected_encoders(&state, operation)?;
            respond(|out| {
                out.open("tr2:GetVideoEncoderConfigurationsResponse");
                for encoder in selected {
                    write_encoder(out, "tr2:Configurations", encoder);
                }
                out.close("tr2:GetVideoEncoderConfigurationsResponse");
            })
        }
        "GetVideoEncoderConfigurationOptions" => {
            selected_encoders(&state, operation)?;
            respond(|out| {
                out.open("tr2:GetVideoEncoderConfigurationOptionsResponse");
                write_options(out, &state, Encoding::H264);
                write_options(out, &state, Encoding::H265);
                out.close("tr2:GetVideoEncoderConfigurationOptionsResponse");
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
            camera.set_encoder(parse_encoder(config, current, &state)?)?;
            respond(|out| {
                out.empty("tr2:SetVideoEncoderConfigurationResponse", &[]);
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

/// Encoders picked by the optional `ConfigurationToken` and `ProfileToken` parameters.
fn selected_encoders<'a>(
    state: &'a CameraState,
    operation: &Element,
) -> Result<Vec<&'a EncoderConfig>, Fault> {
    if let Some(token) = operation.child_text("ConfigurationToken") {
        return Ok(vec![state.encoder(token).ok_or_else(|| no_config(token))?]);
    }
    if operation.child("ProfileToken").is_some() {
        return Ok(vec![&profile_param(state, operation)?.encoder]);
    }
    Ok(state.profiles.iter().map(|p| &p.encoder).collect())
}

fn uri(response: &str, uri: &str) -> Result<Vec<u8>, Fault> {
    respond(|out| {
        out.open(response).leaf("tr2:Uri", uri).close(response);
    })
}

/// `tr2:Capabilities`: profile and streaming capabilities as attributes.
pub fn write_service_capabilities(out: &mut XmlOut) {
    out.open_with(
        "tr2:Capabilities",
        &[("SnapshotUri", "true"), ("Rotation", "false")],
    )
    .empty(
        "tr2:ProfileCapabilities",
        &[
            ("MaximumNumberOfProfiles", "2"),
            ("ConfigurationsSupported", "VideoSource VideoEncoder"),
        ],
    )
    .empty(
        "tr2:StreamingCapabilities",
        &[
            ("RTSPStreaming", "true"),
            ("RTPMulticast", "false"),
            ("RTP_RTSP_TCP", "true"),
            ("NonAggregateControl", "false"),
        ],
    )
    .close("tr2:Capabilities");
}

/// `GetProfiles(Token?, Type*)`: the Media2 spec returns configurations only of the requested
/// types, and none when no Type is given.
fn profiles(state: &CameraState, operation: &Element) -> Result<Vec<u8>, Fault> {
    let selected: Vec<&Profile> =
        match operation.child_text("Token") {
            Some(token) => vec![state.profile(token).ok_or_else(|| {
                Fault::invalid_arg("ter:NoProfile", format!("no profile {token:?}"))
            })?],
            None => state.profiles.iter().collect(),
        };
    let types: Vec<&str> = operation
        .children_named("Type")
        .flat_map(|t| t.text.split_whitespace())
        .collect();
    let wants = |name: &str| types.contains(&"All") || types.contains(&name);
    let (source, encoder) = (wants("VideoSource"), wants("VideoEncoder"));
    respond(|out| {
        out.open("tr2:GetProfilesResponse");
        for profile in selected {
            out.open_with(
                "tr2:Profiles",
                &[("token", &profile.token), ("fixed", "true")],
            )
            .leaf("tr2:Name", &profile.name);
            if source || encoder {
                out.open("tr2:Configurations");
                if source {
                    write_video_source_configuration(out, "tr2:VideoSource", state);
                }
                if encoder {
                    write_encoder(out, "tr2:VideoEncoder", &profile.encoder);
                }
                out.close("tr2:Configurations");
            }
            out.close("tr2:Profiles");
        }
        out.close("tr2:GetProfilesResponse");
    })
}

/// A `tt:VideoEncoder2Configuration` under `element`: Name, UseCount, Encoding, Resolution,
/// RateControl, Quality; GovLength and Profile as attributes.
fn write_encoder(out: &mut XmlOut, element: &str, e: &EncoderConfig) {
    let gov = e.gov_length.to_string();
    out.open_with(
        element,
        &[
            ("token", &e.token),
            ("GovLength", &gov),
            ("Profile", &e.profile),
        ],
    )
    .leaf("tt:Name", &e.name)
    .leaf("tt:UseCount", "1")
    .leaf("tt:Encoding", e.encoding.as_str())
    .open("tt:Resolution")
    .leaf("tt:Width", &e.resolution.width.to_string())
    .leaf("tt:Height", &e.resolution.height.to_string())
    .close("tt:Resolution")
    .open_with("tt:RateControl", &[("ConstantBitRate", "true")])
    .leaf("tt:FrameRateLimit", &e.frame_rate_limit.to_string())
    .leaf("tt:BitrateLimit", &e.bitrate_limit_kbps.to_string())
    .close("tt:RateControl")
    .leaf("tt:Quality", &e.quality.to_string())
    .close(element);
}

/// One `tr2:Options` (`tt:VideoEncoder2ConfigurationOptions`) for `encoding`.
fn write_options(out: &mut XmlOut, state: &CameraState, encoding: Encoding) {
    let o = &state.options;
    let gov = format!("{} {}", o.gov_length.0, o.gov_length.1);
    let rates: Vec<String> = (o.frame_rate.0..=o.frame_rate.1)
        .map(|r| r.to_string())
        .collect();
    let rates = rates.join(" ");
    let profiles = o.profiles(encoding).join(" ");
    out.open_with(
        "tr2:Options",
        &[
            ("GovLengthRange", &gov),
            ("FrameRatesSupported", &rates),
            ("ProfilesSupported", &profiles),
            ("ConstantBitRateSupported", "true"),
        ],
    )
    .leaf("tt:Encoding", encoding.as_str())
    .open("tt:QualityRange")
    .leaf("tt:Min", &o.quality.0.to_string())
    .leaf("tt:Max", &o.quality.1.to_string())
    .close("tt:QualityRange");
    for r in &o.resolutions {
        out.open("tt:ResolutionsAvailable")
            .leaf("tt:Width", &r.width.to_string())
            .leaf("tt:Height", &r.height.to_string())
            .close("tt:ResolutionsAvailable");
    }
    out.open("tt:BitrateRange")
        .leaf("tt:Min", &o.bitrate_kbps.0.to_string())
        .leaf("tt:Max", &o.bitrate_kbps.1.to_string())
        .close("tt:BitrateRange")
        .close("tr2:Options");
}

/// Reads a `VideoEncoder2Configuration` on top of the `current` one. When the encoding changes
/// and no `Profile` is given, the new codec's first offered profile is used, because the old
/// one (e.g. H.264 High) may not exist for the new codec.
fn parse_encoder(
    config: &Element,
    current: &EncoderConfig,
    state: &CameraState,
) -> Result<EncoderConfig, Fault> {
    let mut next = current.clone();
    if let Some(name) = config.child_text("Name") {
        next.name = name.to_owned();
    }
    if let Some(encoding) = config.child_text("Encoding") {
        next.encoding = Encoding::parse(encoding).ok_or_else(|| {
            Fault::invalid_arg(
                "ter:ConfigModify",
                format!("encoding {encoding} is not offered"),
            )
        })?;
    }
    match config.attribute("Profile") {
        Some(profile) => next.profile = profile.to_owned(),
        None if next.encoding != current.encoding => {
            if let Some(first) = state.options.profiles(next.encoding).first() {
                next.profile = first.clone();
            }
        }
        None => {}
    }
    if let Some(gov) = config.attribute("GovLength") {
        next.gov_length = gov.trim().parse().map_err(|_| {
            Fault::invalid_arg(
                "ter:ConfigModify",
                format!("GovLength {gov:?} is not a number"),
            )
        })?;
    }
    if let Some(resolution) = parse_resolution(config)? {
        next.resolution = resolution;
    }
    if let Some(rate) = config.child("RateControl") {
        if let Some(fps) = parse_frame_rate(rate.child("FrameRateLimit"))? {
            next.frame_rate_limit = fps;
        }
        if let Some(kbps) = parse_u32(rate.child("BitrateLimit"), "BitrateLimit")? {
            next.bitrate_limit_kbps = kbps;
        }
    }
    if let Some(quality) = parse_quality(config.child("Quality"))? {
        next.quality = quality;
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::onvif::device::tests::{body, camera, names, op};
    use crate::onvif::soap::{NS_TR2, parse_request};

    fn request(inner: &str) -> Element {
        parse_request(&format!(
            r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tr2="http://www.onvif.org/ver20/media/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema"><s:Body>{inner}</s:Body></s:Envelope>"#
        ))
        .unwrap()
        .operation
    }

    #[test]
    fn profiles_follow_requested_types() {
        let camera = camera();
        let all = handle(
            &camera,
            &request("<tr2:GetProfiles><tr2:Type>All</tr2:Type></tr2:GetProfiles>"),
        )
        .unwrap();
        let r = body(&all, NS_TR2, "GetProfilesResponse");
        let first = r.child("Profiles").unwrap();
        assert_eq!(names(first), ["Name", "Configurations"]);
        assert_eq!(
            names(first.child("Configurations").unwrap()),
            ["VideoSource", "VideoEncoder"]
        );
        let encoder = first.path(&["Configurations", "VideoEncoder"]).unwrap();
        assert_eq!(
            names(encoder),
            [
                "Name",
                "UseCount",
                "Encoding",
                "Resolution",
                "RateControl",
                "Quality"
            ]
        );
        assert_eq!(encoder.attribute("GovLength"), Some("50"));
        let bare = handle(&camera, &op(NS_TR2, "GetProfiles", vec![])).unwrap();
        let r = body(&bare, NS_TR2, "GetProfilesResponse");
        assert_eq!(r.children_named("Profiles").count(), 2);
        assert_eq!(names(r.child("Profiles").unwrap()), ["Name"]);
        let one = handle(
            &camera,
            &request("<tr2:GetProfiles><tr2:Token>sub</tr2:Token><tr2:Type>VideoEncoder</tr2:Type></tr2:GetProfiles>"),
        )
        .unwrap();
        let r = body(&one, NS_TR2, "GetProfilesResponse");
        assert_eq!(r.children_named("Profiles").count(), 1);
        assert_eq!(
            names(r.path(&["Profiles", "Configurations"]).unwrap()),
            ["VideoEncoder"]
        );
    }

    #[test]
    fn stream_uri_by_protocol() {
        let camera = camera();
        let xml = handle(
            &camera,
            &request("<tr2:GetStreamUri><tr2:Protocol>RtspUnicast</tr2:Protocol><tr2:ProfileToken>main</tr2:ProfileToken></tr2:GetStreamUri>"),
        )
        .unwrap();
        let r = body(&xml, NS_TR2, "GetStreamUriResponse");
        assert_eq!(r.child_text("Uri"), Some("rtsp://127.0.0.1:8554/cam1/main"));
        let fault = handle(
            &camera,
            &request("<tr2:GetStreamUri><tr2:Protocol>RtspMulticast</tr2:Protocol><tr2:ProfileToken>main</tr2:ProfileToken></tr2:GetStreamUri>"),
        )
        .unwrap_err();
        assert_eq!(
            fault.subcodes,
            ["ter:InvalidArgVal", "ter:InvalidStreamSetup"]
        );
        let snap = handle(
            &camera,
            &request(
                "<tr2:GetSnapshotUri><tr2:ProfileToken>sub</tr2:ProfileToken></tr2:GetSnapshotUri>",
            ),
        )
        .unwrap();
        let r = body(&snap, NS_TR2, "GetSnapshotUriResponse");
        assert_eq!(
            r.child_text("Uri"),
            Some("http://127.0.0.1:8080/cam1/sub.jpg")
        );
    }

    #[test]
    fn options_per_codec_in_schema_order() {
        let camera = camera();
        let xml = handle(
            &camera,
            &op(NS_TR2, "GetVideoEncoderConfigurationOptions", vec![]),
        )
        .unwrap();
        let r = body(&xml, NS_TR2, "GetVideoEncoderConfigurationOptionsResponse");
        let options: Vec<&Element> = r.children_named("Options").collect();
        assert_eq!(options.len(), 2);
        assert_eq!(options[1].child_text("Encoding"), Some("H265"));
        let mut expected = vec!["Encoding", "QualityRange"];
        expected.extend(["ResolutionsAvailable"; 5]);
        expected.push("BitrateRange");
        assert_eq!(names(options[0]), expected);
        assert_eq!(options[0].attribute("GovLengthRange"), Some("1 300"));
        assert_eq!(options[1].attribute("ProfilesSupported"), Some("Main"));
        let configs = handle(
            &camera,
            &request("<tr2:GetVideoEncoderConfigurations><tr2:ProfileToken>sub</tr2:ProfileToken></tr2:GetVideoEncoderConfigurations>"),
        )
        .unwrap();
        let r = body(&configs, NS_TR2, "GetVideoEncoderConfigurationsResponse");
        assert_eq!(r.children_named("Configurations").count(), 1);
        assert_eq!(
            r.child("Configurations").unwrap().attribute("token"),
            Some("vec_sub")
        );
    }

    #[test]
    fn set_switches_to_h265_and_media1_then_hides_it() {
        let camera = camera();
        let xml = handle(
            &camera,
            &request(r#"<tr2:SetVideoEncoderConfiguration><tr2:Configuration token="vec_main" GovLength="20"><tt:Name>main</tt:Name><tt:UseCount>1</tt:UseCount><tt:Encoding>H265</tt:Encoding><tt:Resolution><tt:Width>1280</tt:Width><tt:Height>720</tt:Height></tt:Resolution><tt:RateControl ConstantBitRate="true"><tt:FrameRateLimit>10.0</tt:FrameRateLimit><tt:BitrateLimit>1024</tt:BitrateLimit></tt:RateControl><tt:Quality>5</tt:Quality></tr2:Configuration></tr2:SetVideoEncoderConfiguration>"#),
        )
        .unwrap();
        body(&xml, NS_TR2, "SetVideoEncoderConfigurationResponse");
        let e = camera.state().profiles[0].encoder.clone();
        assert_eq!(e.encoding, Encoding::H265);
        assert_eq!(e.profile, "Main");
        assert_eq!(
            (
                e.resolution.width,
                e.frame_rate_limit,
                e.bitrate_limit_kbps,
                e.gov_length
            ),
            (1280, 10, 1024, 20)
        );
        let media1 = crate::onvif::media::handle(
            &camera,
            &op(
                crate::onvif::soap::NS_TRT,
                "GetVideoEncoderConfigurations",
                vec![],
            ),
        )
        .unwrap();
        let r = body(
            &media1,
            crate::onvif::soap::NS_TRT,
            "GetVideoEncoderConfigurationsResponse",
        );
        assert_eq!(r.children_named("Configurations").count(), 1);
        let fault = handle(
            &camera,
            &request(r#"<tr2:SetVideoEncoderConfiguration><tr2:Configuration token="vec_main" Profile="High"><tt:Encoding>H265</tt:Encoding></tr2:Configuration></tr2:SetVideoEncoderConfiguration>"#),
        )
        .unwrap_err();
        assert_eq!(fault.subcodes, ["ter:InvalidArgVal", "ter:ConfigModify"]);
    }
}
