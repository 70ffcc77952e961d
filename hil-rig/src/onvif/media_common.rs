//! What the Media (ver10) and Media2 (ver20) services share: the `ProfileToken` parameter,
//! the `tt:VideoSourceConfiguration` element, and the parsing of the encoder values a
//! `SetVideoEncoderConfiguration` carries in both versions.
//!
//! Both services use these the same way, so they live here and each service depends on this
//! module rather than one service on the other.

use crate::onvif::camera::{CameraState, Profile, Resolution};
use crate::onvif::soap::{Element, Fault, XmlOut};

/// The profile named by the `ProfileToken` parameter, or `ter:InvalidArgVal/ter:NoProfile`.
pub fn profile_param<'a>(
    state: &'a CameraState,
    operation: &Element,
) -> Result<&'a Profile, Fault> {
    let token = operation.child_text("ProfileToken").unwrap_or_default();
    state
        .profile(token)
        .ok_or_else(|| Fault::invalid_arg("ter:NoProfile", format!("no profile {token:?}")))
}

/// A `tt:VideoSourceConfiguration` under `element`: Name, UseCount, SourceToken, Bounds.
pub fn write_video_source_configuration(out: &mut XmlOut, element: &str, state: &CameraState) {
    let source = &state.video_source;
    let use_count = state.profiles.len().to_string();
    out.open_with(element, &[("token", &source.configuration_token)])
        .leaf("tt:Name", &source.configuration_token)
        .leaf("tt:UseCount", &use_count)
        .leaf("tt:SourceToken", &source.token)
        .empty(
            "tt:Bounds",
            &[
                ("x", "0"),
                ("y", "0"),
                ("width", &source.resolution.width.to_string()),
                ("height", &source.resolution.height.to_string()),
            ],
        )
        .close(element);
}

/// Parses a required unsigned value; a bad one is `ter:InvalidArgVal/ter:ConfigModify`.
pub fn parse_u32(element: Option<&Element>, what: &str) -> Result<Option<u32>, Fault> {
    element
        .map(|e| {
            e.text.trim().parse::<u32>().map_err(|_| {
                Fault::invalid_arg(
                    "ter:ConfigModify",
                    format!("{what} {:?} is not a number", e.text),
                )
            })
        })
        .transpose()
}

/// Parses `Resolution/Width` and `Resolution/Height`.
pub fn parse_resolution(config: &Element) -> Result<Option<Resolution>, Fault> {
    let Some(r) = config.child("Resolution") else {
        return Ok(None);
    };
    match (
        parse_u32(r.child("Width"), "Width")?,
        parse_u32(r.child("Height"), "Height")?,
    ) {
        (Some(width), Some(height)) => Ok(Some(Resolution { width, height })),
        _ => Err(Fault::invalid_arg(
            "ter:ConfigModify",
            "Resolution needs Width and Height",
        )),
    }
}

/// Parses a frame rate, which Media2 sends as a float; the stream runs at whole frames per
/// second, so a fractional one is refused rather than silently rounded.
pub fn parse_frame_rate(element: Option<&Element>) -> Result<Option<u32>, Fault> {
    let Some(e) = element else { return Ok(None) };
    let bad = || {
        Fault::invalid_arg(
            "ter:ConfigModify",
            format!("frame rate {:?} is not a whole number", e.text),
        )
    };
    let value: f64 = e.text.trim().parse().map_err(|_| bad())?;
    if value.fract() != 0.0 || !(0.0..=f64::from(u32::MAX)).contains(&value) {
        return Err(bad());
    }
    // Checked above to be a whole number within u32.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(Some(value as u32))
}

/// Parses `Quality`, a float in both media versions.
pub fn parse_quality(element: Option<&Element>) -> Result<Option<f32>, Fault> {
    element
        .map(|e| {
            e.text.trim().parse::<f32>().map_err(|_| {
                Fault::invalid_arg(
                    "ter:ConfigModify",
                    format!("Quality {:?} is not a number", e.text),
                )
            })
        })
        .transpose()
}
