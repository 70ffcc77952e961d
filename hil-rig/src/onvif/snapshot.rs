//! JPEG snapshots: what a camera serves at the URI `GetSnapshotUri` returns.
//!
//! VMSs and Home Assistant show a still per camera (thumbnails, camera lists, the picture
//! before a stream starts) by an HTTP GET of that URI, so a simulated camera must serve a real
//! JPEG there, at the size its profile currently streams. The picture is a fixed test card
//! (colour bars over a grey ramp): a decoder can tell it is right, and a person can tell it is
//! a simulated camera.
//!
//! Encoding a 1080p JPEG costs tens of milliseconds; a fleet of hundreds of cameras polled for
//! thumbnails must not pay that per request, nor hold one copy per camera. A [`SnapshotCache`]
//! therefore encodes each resolution once and hands out the same bytes afterwards; a fleet
//! shares one cache among all its cameras. The resolutions are the camera's offered ones (a
//! `SetVideoEncoderConfiguration` outside them is refused), so the cache stays small.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use bytes::Bytes;
use jpeg_encoder::{ColorType, Encoder};

use crate::onvif::resolution::Resolution;

/// JPEG quality (1–100); 80 keeps the bars' edges clean at a fraction of the size of 95.
const QUALITY: u8 = 80;
/// `Content-Type` of a snapshot.
pub const CONTENT_TYPE: &str = "image/jpeg";

/// Colour bars at 75%: white, yellow, cyan, green, magenta, red, blue, black.
const BARS: [[u8; 3]; 8] = [
    [191, 191, 191],
    [191, 191, 0],
    [0, 191, 191],
    [0, 191, 0],
    [191, 0, 191],
    [191, 0, 0],
    [0, 0, 191],
    [0, 0, 0],
];

/// The test card as RGB pixels, row by row: bars over the top two thirds, a ramp from black
/// to white below.
fn test_card(width: usize, height: usize) -> Vec<u8> {
    let mut pixels = Vec::with_capacity(width * height * 3);
    let bars_end = height * 2 / 3;
    for y in 0..height {
        for x in 0..width {
            let rgb = if y < bars_end {
                BARS[x * BARS.len() / width]
            } else {
                let level = u8::try_from(x * 255 / width.saturating_sub(1).max(1)).unwrap_or(255);
                [level; 3]
            };
            pixels.extend_from_slice(&rgb);
        }
    }
    pixels
}

/// Encodes the test card at `resolution`.
pub fn encode(resolution: Resolution) -> Result<Bytes, String> {
    let size = |v: u32, what: &str| {
        u16::try_from(v)
            .ok()
            .filter(|v| *v > 0)
            .ok_or_else(|| format!("a JPEG {what} must be 1..=65535 pixels, not {v}"))
    };
    let (width, height) = (
        size(resolution.width, "width")?,
        size(resolution.height, "height")?,
    );
    let pixels = test_card(usize::from(width), usize::from(height));
    let mut jpeg = Vec::new();
    Encoder::new(&mut jpeg, QUALITY)
        .encode(&pixels, width, height, ColorType::Rgb)
        .map_err(|e| format!("cannot encode a {width}x{height} JPEG: {e}"))?;
    Ok(Bytes::from(jpeg))
}

/// One resolution's snapshot: empty until the first request encodes it, which later requests
/// (and concurrent first ones) wait for and share.
type Slot = Arc<OnceLock<Result<Bytes, String>>>;

/// One encoded snapshot per resolution, made on first request and shared afterwards.
#[derive(Debug, Default)]
pub struct SnapshotCache {
    images: Mutex<HashMap<Resolution, Slot>>,
}

impl SnapshotCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// The snapshot at `resolution`, encoding it if this is the first request for that size.
    /// Concurrent first requests for one size wait for a single encoding. `Bytes` clones share
    /// the cached buffer, so serving costs no copy.
    pub fn get(&self, resolution: Resolution) -> Result<Bytes, String> {
        let slot = {
            // A poisoned lock only means a panic elsewhere while the map was held; the map
            // itself is still whole.
            let mut images = self
                .images
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            Arc::clone(images.entry(resolution).or_default())
        };
        // Encoded outside the map's lock, so other sizes are not held up by this one.
        slot.get_or_init(|| {
            tracing::debug!(
                width = resolution.width,
                height = resolution.height,
                "encoding snapshot"
            );
            encode(resolution)
        })
        .clone()
    }

    /// Whether the snapshot at `resolution` is already encoded.
    pub fn is_cached(&self, resolution: Resolution) -> bool {
        self.images
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&resolution)
            .is_some_and(|slot| slot.get().is_some())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Width and height from the first SOF marker, read independently of the encoder.
    pub(crate) fn jpeg_size(jpeg: &[u8]) -> Option<(u32, u32)> {
        if jpeg.get(..2)? != [0xFF, 0xD8] || jpeg.get(jpeg.len() - 2..)? != [0xFF, 0xD9] {
            return None;
        }
        let mut at = 2;
        loop {
            let marker = *jpeg.get(at + 1)?;
            if *jpeg.get(at)? != 0xFF {
                return None;
            }
            let length = usize::from(u16::from_be_bytes([*jpeg.get(at + 2)?, *jpeg.get(at + 3)?]));
            // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
            if (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker) {
                let h = u16::from_be_bytes([*jpeg.get(at + 5)?, *jpeg.get(at + 6)?]);
                let w = u16::from_be_bytes([*jpeg.get(at + 7)?, *jpeg.get(at + 8)?]);
                return Some((u32::from(w), u32::from(h)));
            }
            at += 2 + length;
        }
    }

    #[test]
    fn each_resolution_is_encoded_once_at_its_size() {
        let cache = SnapshotCache::new();
        let hd = Resolution {
            width: 1280,
            height: 720,
        };
        let small = Resolution {
            width: 320,
            height: 180,
        };
        assert!(!cache.is_cached(hd));
        let first = cache.get(hd).unwrap();
        assert!(cache.is_cached(hd) && !cache.is_cached(small));
        assert_eq!(jpeg_size(&first), Some((1280, 720)));
        // The second request gets the very same buffer: nothing was encoded again.
        assert_eq!(cache.get(hd).unwrap().as_ptr(), first.as_ptr());
        let other = cache.get(small).unwrap();
        assert_eq!(jpeg_size(&other), Some((320, 180)));
        assert!(other.len() < first.len());
    }

    #[test]
    fn sizes_a_jpeg_cannot_hold_are_errors() {
        let cache = SnapshotCache::new();
        let too_wide = Resolution {
            width: 70_000,
            height: 16,
        };
        let error = cache.get(too_wide).unwrap_err();
        assert!(
            error.contains("width") && error.contains("70000"),
            "{error}"
        );
        assert!(
            encode(Resolution {
                width: 16,
                height: 0
            })
            .unwrap_err()
            .contains("height")
        );
    }

    #[test]
    fn the_test_card_has_bars_above_and_a_ramp_below() {
        let (w, h) = (16, 6);
        let card = test_card(w, h);
        let pixel = |x: usize, y: usize| &card[(y * w + x) * 3..(y * w + x) * 3 + 3];
        assert_eq!(pixel(0, 0), BARS[0]);
        assert_eq!(pixel(15, 3), BARS[7]);
        assert_eq!(pixel(3, 1), BARS[1]);
        assert_eq!(pixel(0, 5), [0, 0, 0]);
        assert_eq!(pixel(15, 5), [255, 255, 255]);
    }
}
