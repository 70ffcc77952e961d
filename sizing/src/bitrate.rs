//! Estimating a camera stream's bitrate from what a designer knows about it.
//!
//! Published bitrate tables disagree by a factor of two or more (see the catalog's sources), so
//! the model is data, not code: a curve of H.264 bitrate against megapixels at a reference frame
//! rate and a medium scene, scaled by codec, scene activity and frame rate. MJPEG is different in
//! kind — every frame is a full JPEG — so it is sized from the frame size instead.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::units::Bitrate;

/// A video resolution in pixels, with the marketing name it was given, if any.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Resolution {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The name it was written as ("4MP", "1080p"), or `None` for an explicit WxH.
    pub name: Option<String>,
}

/// Resolution names as the industry uses them. These are definitions, not defaults: "4MP" on a
/// datasheet means 2560×1440 (16:9) for the vast majority of current cameras; 4:3 variants must be
/// written as WxH.
pub const NAMED_RESOLUTIONS: &[(&str, u32, u32)] = &[
    ("QCIF", 176, 144),
    ("CIF", 352, 288),
    ("2CIF", 704, 288),
    ("4CIF", 704, 576),
    ("D1", 720, 480),
    ("VGA", 640, 480),
    ("720p", 1280, 720),
    ("1MP", 1280, 720),
    ("960p", 1280, 960),
    ("1.3MP", 1280, 960),
    ("1080p", 1920, 1080),
    ("2MP", 1920, 1080),
    ("3MP", 2048, 1536),
    ("4MP", 2560, 1440),
    ("1440p", 2560, 1440),
    ("5MP", 2592, 1944),
    ("6MP", 3072, 2048),
    ("4K", 3840, 2160),
    ("8MP", 3840, 2160),
    ("2160p", 3840, 2160),
    ("12MP", 4000, 3000),
];

impl Resolution {
    /// Pixels per frame.
    pub fn pixels(&self) -> u64 {
        u64::from(self.width) * u64::from(self.height)
    }
    /// Megapixels per frame (10^6 pixels).
    pub fn megapixels(&self) -> f64 {
        self.pixels() as f64 / 1e6
    }
}

impl FromStr for Resolution {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        // "4 MP", "4mp" and "1080P" are the same names as "4MP" and "1080p".
        let squeezed: String = t.chars().filter(|c| !c.is_whitespace()).collect();
        if let Some((name, w, h)) = NAMED_RESOLUTIONS
            .iter()
            .find(|(n, _, _)| n.eq_ignore_ascii_case(&squeezed))
        {
            return Ok(Resolution {
                width: *w,
                height: *h,
                name: Some((*name).to_string()),
            });
        }
        let dims = t.split_once(['x', 'X', '×']);
        if let Some((w, h)) = dims
            && let (Ok(w), Ok(h)) = (w.trim().parse::<u32>(), h.trim().parse::<u32>())
        {
            if (16..=16384).contains(&w) && (16..=16384).contains(&h) {
                return Ok(Resolution {
                    width: w,
                    height: h,
                    name: None,
                });
            }
            return Err(format!("{t:?} is outside 16x16 .. 16384x16384 pixels"));
        }
        let names: Vec<&str> = NAMED_RESOLUTIONS.iter().map(|(n, _, _)| *n).collect();
        Err(format!(
            "unknown resolution {t:?}; use one of {} or WIDTHxHEIGHT such as 2688x1520",
            names.join(", ")
        ))
    }
}

impl fmt::Display for Resolution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(n) => write!(f, "{n}"),
            None => write!(f, "{}x{}", self.width, self.height),
        }
    }
}

impl<'de> Deserialize<'de> for Resolution {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Video compression as the camera's encoder menu names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Codec {
    /// Motion JPEG: every frame a full JPEG image.
    Mjpeg,
    /// H.264 / AVC.
    H264,
    /// H.265 / HEVC.
    H265,
    /// H.264 with a vendor "smart" rate control (H.264+, Zipstream, WiseStream, Smart Codec).
    H264Smart,
    /// H.265 with a vendor "smart" rate control (H.265+, Zipstream on HEVC …).
    H265Smart,
}

impl Codec {
    /// All codecs, in the order documentation lists them.
    pub const ALL: [Codec; 5] = [
        Codec::Mjpeg,
        Codec::H264,
        Codec::H265,
        Codec::H264Smart,
        Codec::H265Smart,
    ];

    /// The name used in files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Codec::Mjpeg => "mjpeg",
            Codec::H264 => "h264",
            Codec::H265 => "h265",
            Codec::H264Smart => "h264-smart",
            Codec::H265Smart => "h265-smart",
        }
    }
}

impl FromStr for Codec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase().replace(['.', '_'], "");
        let t = t
            .replace("h264+", "h264-smart")
            .replace("h265+", "h265-smart");
        Codec::ALL
            .into_iter()
            .find(|c| c.as_str().replace('.', "") == t)
            .ok_or_else(|| {
                format!("unknown codec {s:?}; use one of mjpeg, h264, h265, h264-smart, h265-smart")
            })
    }
}

/// Reads the spellings people type (`H.265`, `h.264`, `H265+`, any case) as [`FromStr`]
/// does; anything else is an unknown variant naming the canonical spellings.
impl<'de> Deserialize<'de> for Codec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(|_| {
            serde::de::Error::unknown_variant(
                &text,
                &["mjpeg", "h264", "h265", "h264-smart", "h265-smart"],
            )
        })
    }
}

impl fmt::Display for Codec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How busy the scene is: detail and motion drive a variable-bitrate encoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Scene {
    /// A quiet corridor or a storeroom at night.
    Low,
    /// A typical shop floor or office.
    #[default]
    Medium,
    /// A busy street, a checkout line, trees in wind.
    High,
}

impl FromStr for Scene {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "low" => Ok(Scene::Low),
            "medium" => Ok(Scene::Medium),
            "high" => Ok(Scene::High),
            _ => Err(format!("unknown scene {s:?}; use low, medium or high")),
        }
    }
}

impl fmt::Display for Scene {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Scene::Low => "low",
            Scene::Medium => "medium",
            Scene::High => "high",
        })
    }
}

/// Multipliers for the three scene levels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PerScene {
    /// Factor for [`Scene::Low`].
    pub low: f64,
    /// Factor for [`Scene::Medium`].
    pub medium: f64,
    /// Factor for [`Scene::High`].
    pub high: f64,
}

impl PerScene {
    /// The factor for one scene level.
    pub fn get(&self, scene: Scene) -> f64 {
        match scene {
            Scene::Low => self.low,
            Scene::Medium => self.medium,
            Scene::High => self.high,
        }
    }
}

/// Codec multipliers relative to plain H.264.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CodecFactors {
    /// H.264 (normally 1.0).
    pub h264: f64,
    /// H.265.
    pub h265: f64,
    /// H.264 with smart rate control.
    pub h264_smart: f64,
    /// H.265 with smart rate control.
    pub h265_smart: f64,
}

impl CodecFactors {
    /// The factor for `codec`; MJPEG has none (it is sized per frame) and gets 1.0.
    pub fn get(&self, codec: Codec) -> f64 {
        match codec {
            Codec::Mjpeg => 1.0,
            Codec::H264 => self.h264,
            Codec::H265 => self.h265,
            Codec::H264Smart => self.h264_smart,
            Codec::H265Smart => self.h265_smart,
        }
    }
}

/// The bitrate model, filled from the catalog.
#[derive(Debug, Clone, PartialEq)]
pub struct BitrateModel {
    /// Frame rate at which `curve` is given.
    pub reference_fps: f64,
    /// Bitrate scales as (fps / reference_fps) ^ fps_exponent; 1.0 is linear.
    pub fps_exponent: f64,
    /// H.264 bitrate at a medium scene and the reference frame rate, as (megapixels, kbit/s)
    /// points sorted by megapixels. Interpolated linearly; extrapolated at the nearest end's
    /// kbit/s per megapixel.
    pub curve: Vec<(f64, f64)>,
    /// Multiplier per codec relative to H.264 (MJPEG is not used: it is sized per frame).
    pub codec_factor: CodecFactors,
    /// Multiplier per scene level relative to medium.
    pub scene_factor: PerScene,
    /// MJPEG bytes per pixel for each scene level (a JPEG frame's size is roughly proportional to
    /// its pixel count at a given quality).
    pub mjpeg_bytes_per_pixel: PerScene,
}

impl BitrateModel {
    /// H.264 kbit/s at a medium scene and the reference frame rate for `megapixels`.
    pub fn base_kbps(&self, megapixels: f64) -> f64 {
        let curve = &self.curve;
        let (Some(first), Some(last)) = (curve.first(), curve.last()) else {
            return 0.0;
        };
        if megapixels <= first.0 {
            return first.1 / first.0 * megapixels;
        }
        if megapixels >= last.0 {
            return last.1 / last.0 * megapixels;
        }
        for pair in curve.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            if megapixels <= b.0 {
                let t = (megapixels - a.0) / (b.0 - a.0);
                return a.1 + t * (b.1 - a.1);
            }
        }
        last.1
    }

    /// Estimated average bitrate of one stream, rounded to whole kbit/s.
    ///
    /// `mjpeg_frame_bytes` overrides the modelled JPEG frame size when the designer measured it.
    pub fn estimate(
        &self,
        resolution: &Resolution,
        codec: Codec,
        fps: f64,
        scene: Scene,
        mjpeg_frame_bytes: Option<u64>,
    ) -> Bitrate {
        let kbps = match codec {
            Codec::Mjpeg => {
                let frame_bytes = mjpeg_frame_bytes.map(|b| b as f64).unwrap_or_else(|| {
                    resolution.pixels() as f64 * self.mjpeg_bytes_per_pixel.get(scene)
                });
                frame_bytes * 8.0 * fps / 1000.0
            }
            _ => {
                let fps_scale = (fps / self.reference_fps).powf(self.fps_exponent);
                self.base_kbps(resolution.megapixels())
                    * self.codec_factor.get(codec)
                    * self.scene_factor.get(scene)
                    * fps_scale
            }
        };
        Bitrate::from_kbps(kbps.round().max(1.0) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> BitrateModel {
        BitrateModel {
            reference_fps: 15.0,
            fps_exponent: 1.0,
            curve: vec![(1.0, 2000.0), (2.0, 4000.0), (4.0, 8000.0), (8.0, 16000.0)],
            codec_factor: CodecFactors {
                h264: 1.0,
                h265: 0.5,
                h264_smart: 0.5,
                h265_smart: 0.35,
            },
            scene_factor: PerScene {
                low: 0.6,
                medium: 1.0,
                high: 1.4,
            },
            mjpeg_bytes_per_pixel: PerScene {
                low: 0.08,
                medium: 0.1,
                high: 0.14,
            },
        }
    }

    #[test]
    fn names_and_wxh_parse() {
        let r: Resolution = "4mp".parse().unwrap();
        assert_eq!((r.width, r.height), (2560, 1440));
        assert_eq!(r.to_string(), "4MP");
        let r: Resolution = "2688x1520".parse().unwrap();
        assert_eq!((r.width, r.height, r.name), (2688, 1520, None));
        let e = "5K".parse::<Resolution>().unwrap_err();
        assert!(
            e.contains("unknown resolution") && e.contains("WIDTHxHEIGHT"),
            "{e}"
        );
        assert!("10x10".parse::<Resolution>().is_err());
    }

    #[test]
    fn codecs_accept_vendor_spellings() {
        assert_eq!("H.265".parse::<Codec>().unwrap(), Codec::H265);
        assert_eq!("h265+".parse::<Codec>().unwrap(), Codec::H265Smart);
        assert_eq!("H264-smart".parse::<Codec>().unwrap(), Codec::H264Smart);
        assert!("vp9".parse::<Codec>().is_err());
    }

    #[test]
    fn redzilla_style_model_reproduces_hand_figures() {
        let m = model();
        // 4MP (3.69 MP) H.264 medium 15 fps: between the 2 MP and 4 MP points.
        let r: Resolution = "4MP".parse().unwrap();
        let expected = 4000.0 + (r.megapixels() - 2.0) / 2.0 * 4000.0;
        assert_eq!(
            m.estimate(&r, Codec::H264, 15.0, Scene::Medium, None),
            Bitrate::from_kbps(expected.round() as u64)
        );
        // Same camera at H.265, 30 fps, high activity: × 0.5 × 2 × 1.4.
        assert_eq!(
            m.estimate(&r, Codec::H265, 30.0, Scene::High, None),
            Bitrate::from_kbps((expected * 0.5 * 2.0 * 1.4).round() as u64)
        );
    }

    #[test]
    fn mjpeg_is_sized_per_frame() {
        let m = model();
        let r: Resolution = "1080p".parse().unwrap();
        // An explicit 150 KB frame at 10 fps is 150,000 × 8 × 10 = 12 Mbit/s.
        assert_eq!(
            m.estimate(&r, Codec::Mjpeg, 10.0, Scene::Medium, Some(150_000)),
            Bitrate(12_000_000)
        );
        // Modelled: 2,073,600 px × 0.1 B/px × 8 × 10 fps = 16,588.8 kbit/s.
        assert_eq!(
            m.estimate(&r, Codec::Mjpeg, 10.0, Scene::Medium, None),
            Bitrate::from_kbps(16_589)
        );
    }

    #[test]
    fn curve_extrapolates_at_the_ends() {
        let m = model();
        assert!((m.base_kbps(0.5) - 1000.0).abs() < 1e-9);
        assert!((m.base_kbps(12.0) - 24000.0).abs() < 1e-9);
        assert!((m.base_kbps(3.0) - 6000.0).abs() < 1e-9);
    }
}
